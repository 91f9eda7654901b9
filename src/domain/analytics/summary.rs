//! Efficiency bands, the credit summary with its recommendations, per-group rankings and
//! what handoffs saved.

use super::AnalyticsSettings;
use serde::{Deserialize, Serialize};

/// How well sessions use their credits (spec: optimal 85–92 credits a session; good
/// 75–85 and 92–98; anything else needs improvement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Efficiency {
    Optimal,
    Good,
    NeedsImprovement,
}

impl Efficiency {
    pub fn label(self) -> &'static str {
        match self {
            Self::Optimal => "Optimal (85–92)",
            Self::Good => "Good (75–85, 92–98)",
            Self::NeedsImprovement => "Needs improvement",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::Good => "good",
            Self::NeedsImprovement => "needs_improvement",
        }
    }
}

/// The band of an average, with the spec's explanation and action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scored {
    pub score: Efficiency,
    pub explanation: &'static str,
    pub action: &'static str,
}

/// The spec's `scoreEfficiency(avgCredits)`, at its edges: 85 and 92 are optimal, 75 is
/// good, 92 < avg < 98 is good, 98 and above needs improvement.
pub fn score(avg_credits: f64) -> Scored {
    let (score, explanation, action) = if (85.0..=92.0).contains(&avg_credits) {
        (
            Efficiency::Optimal,
            "Maximum value extraction without waste",
            "Maintain current handoff timing",
        )
    } else if (75.0..85.0).contains(&avg_credits) {
        (
            Efficiency::Good,
            "Decent efficiency but ending too early",
            "Try extending sessions 5-10 credits longer",
        )
    } else if avg_credits > 92.0 && avg_credits < 98.0 {
        (
            Efficiency::Good,
            "Maximizing value but cutting it close",
            "Maintain but watch for unexpected session ends",
        )
    } else if avg_credits < 75.0 {
        (
            Efficiency::NeedsImprovement,
            "Ending sessions too early = wasted potential",
            "Extend sessions to at least 85 credits",
        )
    } else {
        (
            Efficiency::NeedsImprovement,
            "Risk of unexpected session termination",
            "Handoff earlier (around 90-92 credits)",
        )
    };
    Scored {
        score,
        explanation,
        action,
    }
}

/// The spec's `analyze-credits` figures over a set of sessions' credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreditSummary {
    pub total_sessions: usize,
    pub total_credits: i64,
    /// Rounded to one decimal, as the spec shows it (87.2).
    pub avg_credits_per_session: f64,
    pub min_credits: Option<i64>,
    pub max_credits: Option<i64>,
    /// `None` without sessions: nothing to judge.
    pub efficiency_score: Option<Efficiency>,
    pub recommendations: Vec<String>,
}

/// Summarises the credits of the sessions in a period.
pub fn summarize(credits: &[i64]) -> CreditSummary {
    let total: i64 = credits.iter().fold(0i64, |a, c| a.saturating_add(*c));
    summary_of(
        credits.len() as i64,
        total,
        credits.iter().copied().min(),
        credits.iter().copied().max(),
    )
}

/// The same summary from aggregates (count, sum, min, max), as SQL returns them.
pub fn summary_of(count: i64, total: i64, min: Option<i64>, max: Option<i64>) -> CreditSummary {
    if count <= 0 {
        return CreditSummary {
            total_sessions: 0,
            total_credits: 0,
            avg_credits_per_session: 0.0,
            min_credits: None,
            max_credits: None,
            efficiency_score: None,
            recommendations: vec![
                "No completed sessions in this period yet.".into(),
                "Target range: 85-92 credits per session".into(),
            ],
        };
    }
    let avg = round1(total as f64 / count as f64);
    let scored = score(avg);
    let mut recommendations = Vec::new();
    if scored.score == Efficiency::Optimal {
        recommendations.push("Excellent! Keep this pattern.".to_string());
    }
    recommendations.push("Target range: 85-92 credits per session".to_string());
    if avg < 60.0 {
        recommendations.push("Aim for 85-92 credit range per session".to_string());
    }
    if avg > 95.0 {
        recommendations.push("Consider earlier handoffs".to_string());
    }
    if scored.score != Efficiency::Optimal {
        recommendations.push(format!("{}: {}", scored.explanation, scored.action));
    }
    CreditSummary {
        total_sessions: count as usize,
        total_credits: total,
        avg_credits_per_session: avg,
        min_credits: min,
        max_credits: max,
        efficiency_score: Some(scored.score),
        recommendations,
    }
}

/// The same summary from a histogram of `(credits, sessions)`.
pub fn summary_of_histogram(histogram: &[(i64, i64)]) -> CreditSummary {
    let counted = histogram.iter().filter(|(_, n)| *n > 0);
    summary_of(
        counted.clone().map(|(_, n)| n).sum(),
        counted
            .clone()
            .fold(0i64, |t, (c, n)| t.saturating_add(c.saturating_mul(*n))),
        counted.clone().map(|(c, _)| *c).min(),
        counted.map(|(c, _)| *c).max(),
    )
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Sessions in one efficiency band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BandCount {
    pub band: Efficiency,
    pub sessions: i64,
}

/// Counts sessions per band from a histogram of `(credits, sessions)`.
pub fn bands(histogram: &[(i64, i64)]) -> Vec<BandCount> {
    let order = [
        Efficiency::Optimal,
        Efficiency::Good,
        Efficiency::NeedsImprovement,
    ];
    order
        .iter()
        .map(|band| BandCount {
            band: *band,
            sessions: histogram
                .iter()
                .filter(|(c, _)| score(*c as f64).score == *band)
                .map(|(_, n)| n)
                .sum(),
        })
        .collect()
}

/// Efficiency of a group of sessions (an account, a platform).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupEfficiency {
    pub key: String,
    pub label: String,
    pub sessions: i64,
    pub credits: i64,
    pub avg_credits: f64,
    pub score: Efficiency,
}

impl GroupEfficiency {
    pub fn new(key: String, label: String, sessions: i64, credits: i64) -> Self {
        let avg = if sessions > 0 {
            round1(credits as f64 / sessions as f64)
        } else {
            0.0
        };
        Self {
            key,
            label,
            sessions,
            credits,
            avg_credits: avg,
            score: score(avg).score,
        }
    }
}

/// Merges groups that share a key (accounts into platforms), most sessions first.
pub fn regroup(
    groups: impl IntoIterator<Item = (String, String, i64, i64)>,
) -> Vec<GroupEfficiency> {
    let mut acc: Vec<(String, String, i64, i64)> = Vec::new();
    for (key, label, n, c) in groups {
        match acc.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.2 += n;
                g.3 += c;
            }
            None => acc.push((key, label, n, c)),
        }
    }
    let mut out: Vec<GroupEfficiency> = acc
        .into_iter()
        .filter(|g| g.2 > 0)
        .map(|(k, l, n, c)| GroupEfficiency::new(k, l, n, c))
        .collect();
    out.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.label.cmp(&b.label)));
    out
}

/// Groups drawn one by one in a ranking; the rest are summed as one "other" group.
pub const MAX_GROUPS: usize = 12;

/// The key of the group that sums the rest.
pub const OTHER_GROUP: &str = "other";

/// The `n` groups with the most sessions, then one group summing the rest (if any), so a
/// ranking of a thousand accounts stays a dozen bars. Sums saturate.
pub fn top_groups(mut groups: Vec<GroupEfficiency>, n: usize) -> Vec<GroupEfficiency> {
    if groups.len() <= n + 1 {
        return groups;
    }
    let rest = groups.split_off(n);
    let (sessions, credits) = rest.iter().fold((0i64, 0i64), |(s, c), g| {
        (s.saturating_add(g.sessions), c.saturating_add(g.credits))
    });
    groups.push(GroupEfficiency::new(
        OTHER_GROUP.to_string(),
        format!("{} others", rest.len()),
        sessions,
        credits,
    ));
    groups
}

/// What handoffs saved in a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Savings {
    pub handoffs: i64,
    /// An estimate: `handoffs × credits_each` (a setting, not a measurement).
    pub credits: i64,
    /// An estimate: `handoffs × minutes_each`.
    pub minutes: f64,
    /// The configured credits one handoff is counted as saving.
    #[serde(default)]
    pub credits_each: i64,
    /// The configured minutes one handoff is counted as saving.
    #[serde(default)]
    pub minutes_each: f64,
}

pub fn savings(handoffs: i64, settings: &AnalyticsSettings) -> Savings {
    Savings {
        handoffs,
        credits: handoffs.saturating_mul(settings.credits_per_handoff),
        minutes: handoffs as f64 * settings.minutes_per_handoff,
        credits_each: settings.credits_per_handoff,
        minutes_each: settings.minutes_per_handoff,
    }
}
