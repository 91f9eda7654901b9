//! The usage ledger, pure: one row per AI call or turn (provider, model, input and output
//! tokens, cost, latency, session), after the product plan's `ai_api_calls`. Costs are kept
//! in millionths of a dollar so sums are exact; they cross the API as dollars.

use crate::domain::session::SessionId;
use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

id_type!(CallId, "a ledger entry");

/// Where a ledger row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Recorded through the REST API.
    #[default]
    Api,
    /// Read from an imported conversation that carried usage figures.
    Import,
}

pub const PROVIDER_MAX_CHARS: usize = 64;
pub const MODEL_MAX_CHARS: usize = 128;
/// Most rows one request may record.
pub const MAX_BATCH: usize = 10_000;
/// A single call costs at most this many dollars (a typo guard).
pub const MAX_COST_USD: f64 = 100_000.0;

/// Raw input for one ledger row (`POST /api/usage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallInput {
    #[serde(default)]
    pub session_id: Option<i64>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub input_tokens: Option<i64>,
    #[serde(default)]
    pub output_tokens: Option<i64>,
    /// Dollars (`0.0123`).
    #[serde(default)]
    pub cost_usd: Option<f64>,
    #[serde(default)]
    pub latency_ms: Option<i64>,
    /// When the call happened (RFC 3339); now when absent.
    #[serde(default)]
    pub at: Option<String>,
}

/// A validated ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCall {
    pub session_id: SessionId,
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_micros: i64,
    pub latency_ms: Option<i64>,
    pub source: Source,
    pub at: Timestamp,
}

/// A stored ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Call {
    pub id: CallId,
    pub session_id: SessionId,
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_micros: i64,
    pub latency_ms: Option<i64>,
    pub source: Source,
    pub created_at: Timestamp,
}

impl Call {
    pub fn cost_usd(&self) -> f64 {
        usd(self.cost_micros)
    }
}

/// Millionths of a dollar as dollars.
pub fn usd(micros: i64) -> f64 {
    micros as f64 / 1_000_000.0
}

/// Dollars as millionths, refusing what is not a price.
pub fn micros(dollars: f64, field: &str) -> Result<i64, FieldError> {
    if !dollars.is_finite() || dollars < 0.0 {
        return Err(FieldError::new(field, "must be 0 or more dollars"));
    }
    if dollars > MAX_COST_USD {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_COST_USD} dollars a call"),
        ));
    }
    Ok((dollars * 1_000_000.0).round() as i64)
}

fn count(v: Option<i64>, field: &str) -> Result<i64, FieldError> {
    match v {
        None => Ok(0),
        Some(n) if (0..=crate::domain::limits::MAX_TOKENS).contains(&n) => Ok(n),
        Some(_) => Err(FieldError::new(
            field,
            format!(
                "must be a count from 0 to {}",
                crate::domain::limits::MAX_TOKENS
            ),
        )),
    }
}

fn label(v: Option<&str>, field: &str, max: usize) -> Result<String, FieldError> {
    let s = v.map(str::trim).unwrap_or("");
    if s.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must be one line of text"));
    }
    Ok(s.to_owned())
}

impl NewCall {
    /// Validates one row; `prefix` names its place in a batch (`calls[3].`).
    pub fn parse(input: &CallInput, now: Timestamp, prefix: &str) -> Result<Self, FieldError> {
        let f = |name: &str| format!("{prefix}{name}");
        let session_id = match input.session_id {
            Some(id) if id > 0 => SessionId(id),
            Some(id) => {
                return Err(FieldError::new(
                    f("session_id"),
                    format!("{id} is not an id"),
                ))
            }
            None => return Err(FieldError::new(f("session_id"), "required")),
        };
        let at = match input.at.as_deref().map(str::trim) {
            None | Some("") => now,
            Some(s) => Timestamp::parse(s).ok_or_else(|| {
                FieldError::new(f("at"), format!("{s:?} is not an RFC 3339 time"))
            })?,
        };
        let latency_ms = match input.latency_ms {
            None => None,
            Some(ms) if (0..=crate::domain::limits::MAX_LATENCY_MS).contains(&ms) => Some(ms),
            Some(_) => {
                return Err(FieldError::new(
                    f("latency_ms"),
                    "must be 0 to 86400000 milliseconds",
                ))
            }
        };
        Ok(Self {
            session_id,
            provider: label(
                input.provider.as_deref(),
                &f("provider"),
                PROVIDER_MAX_CHARS,
            )?
            .to_lowercase(),
            model: label(input.model.as_deref(), &f("model"), MODEL_MAX_CHARS)?,
            input_tokens: count(input.input_tokens, &f("input_tokens"))?,
            output_tokens: count(input.output_tokens, &f("output_tokens"))?,
            cost_micros: micros(input.cost_usd.unwrap_or(0.0), &f("cost_usd"))?,
            latency_ms,
            source: Source::Api,
            at,
        })
    }
}

/// Parses a batch (all or nothing); the error names the row (`calls[2].model`).
pub fn parse_batch(inputs: &[CallInput], now: Timestamp) -> Result<Vec<NewCall>, FieldError> {
    if inputs.is_empty() {
        return Err(FieldError::new("calls", "at least one call"));
    }
    if inputs.len() > MAX_BATCH {
        return Err(FieldError::new(
            "calls",
            format!("at most {MAX_BATCH} calls a request"),
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, c)| NewCall::parse(c, now, &format!("calls[{i}].")))
        .collect()
}

/// Sums of ledger rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Totals {
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_micros: i64,
    /// Sum and count of the rows that carry a latency.
    pub latency_sum_ms: i64,
    pub latency_count: i64,
}

impl Totals {
    pub fn add(&mut self, o: &Totals) {
        self.calls += o.calls;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cost_micros += o.cost_micros;
        self.latency_sum_ms += o.latency_sum_ms;
        self.latency_count += o.latency_count;
    }

    pub fn avg_latency_ms(&self) -> Option<f64> {
        (self.latency_count > 0).then(|| self.latency_sum_ms as f64 / self.latency_count as f64)
    }
}

/// A session's rows and their sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionLedger {
    pub totals: Totals,
    pub calls: Vec<Call>,
}

/// A project's recorded usage in a period: the sessions that recorded any, what they
/// accomplished (non-blank lines of their accomplishments) and the sums.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectUsage {
    pub project_id: i64,
    pub sessions: i64,
    pub accomplishments: i64,
    pub totals: Totals,
}

/// Cost of a project's recorded usage, and per session and accomplishment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectCost {
    pub project_id: i64,
    pub project_name: String,
    pub sessions: i64,
    pub accomplishments: i64,
    pub totals: Totals,
    pub cost_usd: f64,
    pub cost_per_session_usd: Option<f64>,
    pub cost_per_accomplishment_usd: Option<f64>,
}

/// The cost of each project's usage, per session (that recorded usage) and per
/// accomplishment; the most expensive first.
pub fn by_project(rows: &[ProjectUsage], name_of: impl Fn(i64) -> String) -> Vec<ProjectCost> {
    let mut out: Vec<ProjectCost> = rows
        .iter()
        .map(|r| {
            let cost = usd(r.totals.cost_micros);
            ProjectCost {
                project_id: r.project_id,
                project_name: name_of(r.project_id),
                sessions: r.sessions,
                accomplishments: r.accomplishments,
                totals: r.totals,
                cost_usd: cost,
                cost_per_session_usd: (r.sessions > 0).then(|| cost / r.sessions as f64),
                cost_per_accomplishment_usd: (r.accomplishments > 0)
                    .then(|| cost / r.accomplishments as f64),
            }
        })
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.totals.cost_micros));
    out
}

/// Guesses the provider of a model name (`gpt-4o` → openai).
pub fn provider_of(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    let m = m.rsplit('/').next().unwrap_or(&m).to_owned();
    if m.starts_with("gpt") || m.starts_with("o1") || m.starts_with("o3") || m.starts_with("o4") {
        "openai"
    } else if m.starts_with("claude") || m.contains("sonnet") || m.contains("opus") {
        "anthropic"
    } else if m.starts_with("gemini") {
        "google"
    } else if m.starts_with("deepseek") {
        "deepseek"
    } else if m.starts_with("mistral") || m.starts_with("codestral") {
        "mistral"
    } else {
        "other"
    }
}

/// Usage figures an imported conversation carried (one per reported call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedUsage {
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_micros: i64,
}

/// Reads aider's `Tokens: 3.2k sent, 21 received. Cost: $0.0082 message, …` line.
pub fn aider_tokens_line(line: &str) -> Option<(i64, i64, i64)> {
    let rest = line.trim().strip_prefix("Tokens:")?;
    let (tokens, cost) = match rest.split_once("Cost:") {
        Some((t, c)) => (t, Some(c)),
        None => (rest, None),
    };
    let mut sent = None;
    let mut received = None;
    for part in tokens.split(',') {
        let part = part.trim().trim_end_matches('.');
        if let Some(n) = part.strip_suffix(" sent") {
            sent = aider_number(n);
        } else if let Some(n) = part.strip_suffix(" received") {
            received = aider_number(n);
        } else if let Some(n) = part.strip_suffix(" cache write") {
            // counted within "sent"
            let _ = n;
        }
    }
    let cost = cost
        .and_then(|c| c.trim().strip_prefix('$'))
        .and_then(|c| c.split_whitespace().next())
        .and_then(|c| c.parse::<f64>().ok())
        .and_then(|d| micros(d, "cost").ok())
        .unwrap_or(0);
    Some((sent?, received.unwrap_or(0), cost))
}

/// `3.2k` → 3200, `1.5M` → 1,500,000, `21` → 21.
fn aider_number(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', "");
    let (n, mult) = if let Some(n) = s.strip_suffix(['k', 'K']) {
        (n.to_owned(), 1_000.0)
    } else if let Some(n) = s.strip_suffix(['m', 'M']) {
        (n.to_owned(), 1_000_000.0)
    } else {
        (s, 1.0)
    };
    let v = n.trim().parse::<f64>().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-02T12:00:00Z").unwrap()
    }

    #[test]
    fn parses_a_call_and_names_bad_fields() {
        let ok = NewCall::parse(
            &CallInput {
                session_id: Some(4),
                provider: Some(" OpenAI ".into()),
                model: Some("gpt-4o".into()),
                input_tokens: Some(1200),
                output_tokens: Some(300),
                cost_usd: Some(0.0123),
                latency_ms: Some(850),
                at: None,
            },
            now(),
            "",
        )
        .unwrap();
        assert_eq!(ok.provider, "openai");
        assert_eq!(ok.cost_micros, 12_300);
        assert_eq!(ok.at, now());

        let base = CallInput {
            session_id: Some(1),
            provider: Some("p".into()),
            model: Some("m".into()),
            ..Default::default()
        };
        for (bad, field) in [
            (
                CallInput {
                    session_id: None,
                    ..base.clone()
                },
                "session_id",
            ),
            (
                CallInput {
                    model: Some("  ".into()),
                    ..base.clone()
                },
                "model",
            ),
            (
                CallInput {
                    input_tokens: Some(-1),
                    ..base.clone()
                },
                "input_tokens",
            ),
            (
                CallInput {
                    cost_usd: Some(f64::NAN),
                    ..base.clone()
                },
                "cost_usd",
            ),
            (
                CallInput {
                    cost_usd: Some(-0.5),
                    ..base.clone()
                },
                "cost_usd",
            ),
            (
                CallInput {
                    latency_ms: Some(-3),
                    ..base.clone()
                },
                "latency_ms",
            ),
            (
                CallInput {
                    at: Some("tomorrow".into()),
                    ..base.clone()
                },
                "at",
            ),
        ] {
            assert_eq!(NewCall::parse(&bad, now(), "").unwrap_err().field, field);
        }
        let err = parse_batch(&[base.clone(), CallInput::default()], now()).unwrap_err();
        assert_eq!(err.field, "calls[1].session_id");
        assert_eq!(parse_batch(&[], now()).unwrap_err().field, "calls");
    }

    #[test]
    fn costs_per_project_session_and_accomplishment() {
        let t = |calls, cost| Totals {
            calls,
            input_tokens: calls * 100,
            output_tokens: calls * 10,
            cost_micros: cost,
            latency_sum_ms: 0,
            latency_count: 0,
        };
        let rows = [
            ProjectUsage {
                project_id: 2,
                sessions: 1,
                accomplishments: 0,
                totals: t(1, 50_000),
            },
            ProjectUsage {
                project_id: 1,
                sessions: 2,
                accomplishments: 3,
                totals: t(5, 900_000),
            },
        ];
        let out = by_project(&rows, |id| format!("p{id}"));
        let p1 = &out[0];
        assert_eq!(p1.project_name, "p1", "the most expensive first");
        assert!((p1.cost_usd - 0.9).abs() < 1e-9);
        assert!((p1.cost_per_session_usd.unwrap() - 0.45).abs() < 1e-9);
        assert!((p1.cost_per_accomplishment_usd.unwrap() - 0.3).abs() < 1e-9);
        assert_eq!(
            out[1].cost_per_accomplishment_usd, None,
            "nothing accomplished"
        );
        assert!(by_project(&[], |_| String::new()).is_empty());
    }

    #[test]
    fn reads_aider_usage_lines() {
        assert_eq!(
            aider_tokens_line(
                "Tokens: 3.2k sent, 21 received. Cost: $0.0082 message, $0.0082 session."
            ),
            Some((3_200, 21, 8_200))
        );
        assert_eq!(
            aider_tokens_line("Tokens: 12k sent, 2.1k cache write, 1.5k received. Cost: $0.05 message, $0.20 session."),
            Some((12_000, 1_500, 50_000))
        );
        assert_eq!(
            aider_tokens_line("Tokens: 900 sent, 10 received."),
            Some((900, 10, 0))
        );
        assert_eq!(aider_tokens_line("Applied edit to src/lib.rs"), None);
        assert_eq!(aider_tokens_line("Tokens: lots sent"), None);
        assert_eq!(provider_of("gpt-4o"), "openai");
        assert_eq!(provider_of("anthropic/claude-3-5-sonnet"), "anthropic");
        assert_eq!(provider_of("gemini/gemini-2.5-pro"), "google");
        assert_eq!(provider_of("qwen"), "other");
    }
}
