//! Credit analytics, pure: the spec's efficiency bands and recommendations
//! ("2. Smart Credit Optimization", `POST /api/private/analyze-credits`), an account's
//! predicted exhaustion against its next refresh, and usage alert levels. Time is always
//! an argument.

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// How well sessions use their credits (spec: optimal 85–92 credits a session; good
/// 75–85 and 92–98; anything else needs improvement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Efficiency {
    Optimal,
    Good,
    NeedsImprovement,
}

/// The band of an average, with the spec's explanation and action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    if credits.is_empty() {
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
    let total: i64 = credits.iter().fold(0i64, |a, c| a.saturating_add(*c));
    let avg = total as f64 / credits.len() as f64;
    let avg = (avg * 10.0).round() / 10.0;
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
        total_sessions: credits.len(),
        total_credits: total,
        avg_credits_per_session: avg,
        min_credits: credits.iter().copied().min(),
        max_credits: credits.iter().copied().max(),
        efficiency_score: Some(scored.score),
        recommendations,
    }
}

/// Credits an account spent per hour over a recent window: the credits of the sessions
/// that started in `[now - window_hours, now]`, over the window. `None` without usage.
pub fn burn_rate(sessions: &[(Timestamp, i64)], now: Timestamp, window_hours: i64) -> Option<f64> {
    let window_hours = window_hours.max(1);
    let since = now.plus_seconds(-window_hours * 3_600);
    let spent: i64 = sessions
        .iter()
        .filter(|(at, _)| *at >= since && *at <= now)
        .map(|(_, c)| (*c).max(0))
        .sum();
    (spent > 0).then(|| spent as f64 / window_hours as f64)
}

/// When an account runs out at its current pace, set against its next refresh.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Forecast {
    /// No recent usage: no exhaustion in sight.
    Idle,
    /// Already below the exhaustion threshold.
    Exhausted,
    /// The refresh comes first; the account lasts until then.
    RefreshFirst { refresh_at: Timestamp },
    /// Runs out at `at` (before any known refresh).
    RunsOut { at: Timestamp },
}

/// Predicts exhaustion: `credits_left - exhausted_below` usable credits at `rate` per
/// hour, against `next_refresh`.
pub fn forecast(
    credits_left: i64,
    exhausted_below: i64,
    rate_per_hour: Option<f64>,
    now: Timestamp,
    next_refresh: Option<Timestamp>,
) -> Forecast {
    let usable = credits_left - exhausted_below;
    if usable <= 0 {
        return Forecast::Exhausted;
    }
    let Some(rate) = rate_per_hour.filter(|r| r.is_finite() && *r > 0.0) else {
        return Forecast::Idle;
    };
    let seconds = (usable as f64 / rate * 3_600.0).min(i64::MAX as f64 / 2.0) as i64;
    let at = now.plus_seconds(seconds);
    match next_refresh {
        Some(refresh) if refresh <= at => Forecast::RefreshFirst {
            refresh_at: refresh,
        },
        _ => Forecast::RunsOut { at },
    }
}

/// The highest usage threshold (percent used, e.g. 70 / 85 / 90) an account has crossed.
pub fn alert_level(credits_left: i64, capacity: i64, thresholds: &[u8]) -> Option<u8> {
    if capacity <= 0 {
        return None;
    }
    let used = capacity.saturating_sub(credits_left.clamp(0, capacity));
    let percent = used as f64 * 100.0 / capacity as f64;
    thresholds
        .iter()
        .copied()
        .filter(|t| percent >= f64::from(*t))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn bands_at_their_edges() {
        use Efficiency::*;
        for (avg, want) in [
            (0.0, NeedsImprovement),
            (74.99, NeedsImprovement),
            (75.0, Good),
            (84.99, Good),
            (85.0, Optimal),
            (87.2, Optimal),
            (92.0, Optimal),
            (92.01, Good),
            (97.99, Good),
            (98.0, NeedsImprovement),
            (150.0, NeedsImprovement),
        ] {
            assert_eq!(score(avg).score, want, "{avg}");
        }
        assert_eq!(
            score(80.0).action,
            "Try extending sessions 5-10 credits longer"
        );
        assert_eq!(score(99.0).action, "Handoff earlier (around 90-92 credits)");
    }

    #[test]
    fn summaries_follow_the_spec_example() {
        let s = summarize(&[88, 65, 95, 90, 90, 87, 88]);
        assert_eq!(s.total_sessions, 7);
        assert_eq!(s.total_credits, 603);
        assert_eq!(s.avg_credits_per_session, 86.1);
        assert_eq!((s.min_credits, s.max_credits), (Some(65), Some(95)));
        assert_eq!(s.efficiency_score, Some(Efficiency::Optimal));
        assert_eq!(s.recommendations[0], "Excellent! Keep this pattern.");
        assert!(s
            .recommendations
            .contains(&"Target range: 85-92 credits per session".into()));

        let low = summarize(&[40, 50]);
        assert_eq!(low.efficiency_score, Some(Efficiency::NeedsImprovement));
        assert!(low
            .recommendations
            .contains(&"Aim for 85-92 credit range per session".into()));
        let high = summarize(&[99, 97]);
        assert_eq!(high.avg_credits_per_session, 98.0);
        assert!(high
            .recommendations
            .contains(&"Consider earlier handoffs".into()));

        let none = summarize(&[]);
        assert_eq!(none.total_sessions, 0);
        assert_eq!(none.efficiency_score, None);
        assert_eq!(none.min_credits, None);
    }

    #[test]
    fn burn_rate_counts_the_recent_window_only() {
        let now = t("2026-03-02T12:00:00Z");
        let sessions = [
            (t("2026-03-02T10:00:00Z"), 30),
            (t("2026-03-02T02:00:00Z"), 18),
            (t("2026-02-20T10:00:00Z"), 90), // outside the window
            (t("2026-03-02T13:00:00Z"), 50), // in the future: not counted
        ];
        assert_eq!(burn_rate(&sessions, now, 24), Some(2.0));
        assert_eq!(burn_rate(&[], now, 24), None, "no history");
        assert_eq!(burn_rate(&[(now, 0)], now, 24), None);
    }

    #[test]
    fn forecasts_against_the_next_refresh() {
        let now = t("2026-03-02T12:00:00Z");
        // no history: nothing predicted
        assert_eq!(forecast(80, 10, None, now, None), Forecast::Idle);
        // 70 usable credits at 10 an hour: out in 7 hours
        assert_eq!(
            forecast(80, 10, Some(10.0), now, None),
            Forecast::RunsOut {
                at: t("2026-03-02T19:00:00Z")
            }
        );
        // the refresh arrives before that
        let refresh = t("2026-03-02T16:00:00Z");
        assert_eq!(
            forecast(80, 10, Some(10.0), now, Some(refresh)),
            Forecast::RefreshFirst {
                refresh_at: refresh
            }
        );
        // a refresh after the predicted time does not save it
        assert_eq!(
            forecast(80, 10, Some(10.0), now, Some(t("2026-03-03T00:00:00Z"))),
            Forecast::RunsOut {
                at: t("2026-03-02T19:00:00Z")
            }
        );
        // exactly at the refresh: the refresh comes first
        assert_eq!(
            forecast(80, 10, Some(10.0), now, Some(t("2026-03-02T19:00:00Z"))),
            Forecast::RefreshFirst {
                refresh_at: t("2026-03-02T19:00:00Z")
            }
        );
        assert_eq!(forecast(9, 10, Some(10.0), now, None), Forecast::Exhausted);
        assert_eq!(forecast(50, 10, Some(f64::NAN), now, None), Forecast::Idle);
        assert!(matches!(
            forecast(i64::MAX, 0, Some(1e-300), now, None),
            Forecast::RunsOut { .. }
        ));
    }

    #[test]
    fn alerts_at_the_crossed_threshold() {
        let th = [70, 85, 90];
        assert_eq!(alert_level(31, 100, &th), None);
        assert_eq!(alert_level(30, 100, &th), Some(70));
        assert_eq!(alert_level(15, 100, &th), Some(85));
        assert_eq!(alert_level(10, 100, &th), Some(90));
        assert_eq!(alert_level(0, 100, &th), Some(90));
        assert_eq!(alert_level(40, 200, &th), Some(70), "80 % of 200");
        assert_eq!(alert_level(5, 0, &th), None);
        assert_eq!(alert_level(-5, 100, &th), Some(90));
    }
}
