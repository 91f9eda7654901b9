//! The model pass, without the network: the messages that ask a model to rewrite an
//! extractive briefing, and the mechanical check a rewrite must pass to be kept (not
//! empty, markdown rather than a JSON envelope, within the budget, and still holding every
//! salient fact the extractive briefing kept, matched as the briefing's own count matches
//! them). Which engine produced a briefing, and why, is an [`Engine`].

use super::fact_list::{display_fact, fact_in, tokens};
use super::scan::FactInfo;
use super::text::chars;
use super::{Briefing, FactKind, Stats};
use crate::domain::text::figure;
use serde::{Deserialize, Serialize};

/// A salient fact the extractive briefing kept: a rewrite must keep it too.
#[derive(Debug, Clone)]
pub struct KeptFact(pub(super) FactInfo);

impl KeptFact {
    pub fn kind(&self) -> FactKind {
        self.0.kind
    }

    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// How the briefing writes it (a path by its last segments, a long command cut).
    pub fn shown(&self) -> String {
        display_fact(&self.0)
    }

    /// Whether `markdown` holds it (`words`: the markdown's [`tokens`]).
    fn is_in(&self, markdown: &str, words: &std::collections::HashSet<&str>) -> bool {
        fact_in(markdown, words, &self.0)
    }
}

impl PartialEq for KeptFact {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind == other.0.kind && self.0.text == other.0.text
    }
}

/// One chat message of the request (`system` or `user`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// The messages asking for a rewrite of `b` within its budget, keeping its key facts.
pub fn messages(b: &Briefing) -> Vec<Message> {
    let system = format!(
        "You rewrite handoff briefings: the notes one AI coding assistant leaves for the next \
         one, who continues the work without the conversation. Rewrite the briefing you are \
         given so that the next assistant understands the goal, the state and the next step \
         at once.\n\
         Rules:\n\
         - Answer with the rewritten briefing only, in Markdown: no preamble, no code fence \
         around it.\n\
         - Keep its `## ` sections and their order; drop a section only if it is empty.\n\
         - At most {budget} characters in all.\n\
         - Copy every listed key fact exactly as written (file paths, commands, errors, \
         identifiers, versions, commits, links).\n\
         - Add nothing the briefing does not say.",
        budget = b.budget
    );
    let mut user = String::new();
    if b.kept.is_empty() {
        user.push_str("Key facts to keep verbatim: none listed.\n");
    } else {
        user.push_str(&format!("Key facts to keep verbatim ({}):\n", b.kept.len()));
        for f in &b.kept {
            user.push_str("- ");
            user.push_str(&f.shown());
            user.push('\n');
        }
    }
    user.push_str(&format!(
        "\nThe briefing ({} characters; the rewrite may have at most {}):\n\n{}",
        chars(&b.markdown),
        b.budget,
        b.markdown
    ));
    vec![
        Message {
            role: "system",
            content: system,
        },
        Message {
            role: "user",
            content: user,
        },
    ]
}

/// Why a rewrite was not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the model answered nothing")]
    Empty,
    #[error("the model answered JSON, not a briefing")]
    NotMarkdown,
    #[error(
        "the model's rewrite is {} characters, over the {} budget",
        figure(*chars as i64),
        figure(*budget as i64)
    )]
    OverBudget { chars: usize, budget: usize },
    #[error("the model's rewrite dropped {}", dropped(missing, *of))]
    Dropped {
        /// The first missing facts, as the briefing writes them.
        missing: Vec<String>,
        /// How many are missing in all.
        of: usize,
    },
}

/// How many missing facts a reason names.
const NAMED: usize = 3;

fn dropped(missing: &[String], of: usize) -> String {
    let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    match (names.len(), of.saturating_sub(names.len())) {
        (0, _) => "key facts".into(),
        (1, 0) => names[0].clone(),
        (n, 0) => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        (_, more) => format!("{} and {more} more key facts", names.join(", ")),
    }
}

/// The model's answer without what models wrap around a briefing: a leading
/// `<think>…</think>` block and a code fence around the whole.
fn unwrap_answer(answer: &str) -> &str {
    let mut t = answer.trim();
    if let Some(rest) = t.strip_prefix("<think>") {
        t = rest
            .split_once("</think>")
            .map_or("", |(_, after)| after.trim());
    }
    if let Some(rest) = t.strip_prefix("```") {
        if let (Some((lang, body)), true) = (rest.split_once('\n'), rest.ends_with("```")) {
            let lang = lang.trim();
            if lang.is_empty() || lang.eq_ignore_ascii_case("markdown") || lang == "md" {
                t = body.trim_end_matches('`').trim();
            }
        }
    }
    t
}

/// Keeps the model's rewrite of `b` if it passes the check: the rewritten briefing, its
/// stats restated (the salient facts it holds are the ones `b` kept), or why it is refused.
pub fn accept(b: &Briefing, answer: &str) -> Result<Briefing, Refusal> {
    let text = unwrap_answer(answer);
    if text.is_empty() {
        return Err(Refusal::Empty);
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Err(Refusal::NotMarkdown);
    }
    let n = chars(text);
    if n > b.budget {
        return Err(Refusal::OverBudget {
            chars: n,
            budget: b.budget,
        });
    }
    let words = tokens(text);
    let missing: Vec<String> = b
        .kept
        .iter()
        .filter(|f| !f.is_in(text, &words))
        .map(KeptFact::shown)
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::Dropped {
            of: missing.len(),
            missing: missing.into_iter().take(NAMED).collect(),
        });
    }
    let ratio = super::reduction(b.stats.original_chars, n);
    Ok(Briefing {
        markdown: text.to_owned(),
        stats: Stats {
            compressed_chars: n,
            compressed_lines: text.lines().count(),
            compression_ratio: ratio,
            ..b.stats
        },
        ..b.clone()
    })
}

/// Which engine wrote a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// Selected from the log on this machine.
    Extractive,
    /// Rewritten by the configured model, and checked.
    Model,
}

/// Which engine produced a briefing, the model asked (if one was), and why the
/// extractive briefing was returned (when it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Engine {
    pub kind: EngineKind,
    /// The model that was asked.
    #[serde(default)]
    pub model: Option<String>,
    /// Why the extractive briefing was returned.
    #[serde(default)]
    pub reason: Option<String>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::extractive(None, "no model configured")
    }
}

impl Engine {
    pub fn extractive(model: Option<String>, reason: impl Into<String>) -> Self {
        Self {
            kind: EngineKind::Extractive,
            model,
            reason: Some(reason.into()),
        }
    }

    pub fn model(model: impl Into<String>) -> Self {
        Self {
            kind: EngineKind::Model,
            model: Some(model.into()),
            reason: None,
        }
    }

    /// `extractive` or `model`.
    pub fn as_str(&self) -> &'static str {
        match self.kind {
            EngineKind::Extractive => "extractive",
            EngineKind::Model => "model",
        }
    }

    /// One line for people: "Rewritten by llama3 — kept all 14 key facts",
    /// "Extractive — no model configured".
    pub fn summary(&self, facts_kept: usize) -> String {
        match self.kind {
            EngineKind::Model => {
                let model = self.model.as_deref().unwrap_or("the model");
                match facts_kept {
                    0 => format!("Rewritten by {model}"),
                    1 => format!("Rewritten by {model} — kept the key fact"),
                    n => format!("Rewritten by {model} — kept all {n} key facts"),
                }
            }
            EngineKind::Extractive => match self.reason.as_deref() {
                Some(r) => format!("Extractive — {r}"),
                None => "Extractive".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::handoff::{compress, Facts};

    const LOG: &str = "User: Build the invoice export. Never change the public REST paths.\n\
Assistant: I added src/export/csv.rs and ran cargo test --workspace.\n\
Assistant: thread 'export::totals' panicked at src/export/csv.rs:42: assertion failed\n\
User: Next, fix the rounding in src/export/totals.rs and commit.\n";

    fn briefing() -> Briefing {
        let b = compress(LOG, &Facts::default(), 1500).unwrap();
        assert!(!b.kept.is_empty(), "{b:?}");
        assert_eq!(b.kept.len(), b.facts_kept);
        b
    }

    /// A rewrite that keeps every fact: the facts, then some words.
    fn faithful(b: &Briefing) -> String {
        let mut out = String::from("## Goal\n- Build the invoice export.\n## Facts\n");
        for f in &b.kept {
            out.push_str(&format!("- {}\n", f.shown()));
        }
        out
    }

    #[test]
    fn the_prompt_lists_the_facts_and_the_budget() {
        let b = briefing();
        let m = messages(&b);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].role, "system");
        assert!(m[0].content.contains("At most 1500 characters"));
        assert!(m[1].content.contains(&b.markdown));
        for f in &b.kept {
            assert!(m[1].content.contains(&format!("- {}\n", f.shown())));
        }
    }

    #[test]
    fn a_faithful_rewrite_is_kept_with_its_stats() {
        let b = briefing();
        let text = faithful(&b);
        let r = accept(&b, &format!("```markdown\n{text}```\n")).unwrap();
        assert_eq!(r.markdown, text.trim());
        assert_eq!(r.stats.compressed_chars, text.trim().chars().count());
        assert_eq!(r.stats.original_chars, b.stats.original_chars);
        assert_eq!(r.facts_kept, b.facts_kept);
        assert_eq!(r.kept, b.kept);
        let thought = format!("<think>the user wants…</think>\n{text}");
        assert_eq!(accept(&b, &thought).unwrap().markdown, text.trim());
    }

    #[test]
    fn a_dropped_fact_is_named() {
        let b = briefing();
        // a fact no other fact's text holds
        let first = b
            .kept
            .iter()
            .map(KeptFact::shown)
            .find(|s| {
                b.kept
                    .iter()
                    .filter(|o| o.shown() != *s)
                    .all(|o| !o.shown().contains(s.as_str()))
            })
            .unwrap();
        let text: String = faithful(&b)
            .lines()
            .filter(|l| *l != format!("- {first}"))
            .map(|l| format!("{l}\n"))
            .collect();
        let e = accept(&b, &text).unwrap_err();
        assert!(
            matches!(&e, Refusal::Dropped { missing, of: 1 } if missing == &vec![first.clone()]),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!("the model's rewrite dropped `{first}`")
        );
        let none = accept(&b, "## Goal\n- Build it.").unwrap_err();
        let Refusal::Dropped { missing, of } = &none else {
            panic!("{none:?}")
        };
        assert_eq!(*of, b.kept.len());
        assert!(missing.len() <= NAMED);
    }

    #[test]
    fn empty_json_and_long_answers_are_refused() {
        let b = briefing();
        assert_eq!(accept(&b, "  \n "), Err(Refusal::Empty));
        assert_eq!(accept(&b, "<think>hmm</think>"), Err(Refusal::Empty));
        assert_eq!(
            accept(&b, r#"{"choices":[{"message":{"content":"x"}}]}"#),
            Err(Refusal::NotMarkdown)
        );
        let long = format!("{}{}", faithful(&b), "x".repeat(3000));
        let e = accept(&b, &long).unwrap_err();
        assert!(matches!(e, Refusal::OverBudget { budget: 1500, .. }));
        assert!(
            e.to_string()
                .ends_with("characters, over the 1\u{202f}500 budget"),
            "{e}"
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        let d = |n: usize, of| Refusal::Dropped {
            missing: (1..=n).map(|i| format!("f{i}")).collect(),
            of,
        };
        assert_eq!(
            d(2, 2).to_string(),
            "the model's rewrite dropped `f1` and `f2`"
        );
        assert_eq!(
            d(3, 5).to_string(),
            "the model's rewrite dropped `f1`, `f2`, `f3` and 2 more key facts"
        );
        assert_eq!(figure(3412), "3\u{202f}412");
        assert_eq!(figure(1_000_000), "1\u{202f}000\u{202f}000");
        assert_eq!(figure(999), "999");
        assert_eq!(
            Engine::default().summary(3),
            "Extractive — no model configured"
        );
        assert_eq!(
            Engine::model("llama3").summary(14),
            "Rewritten by llama3 — kept all 14 key facts"
        );
    }
}
