//! Credit analytics, pure: the spec's efficiency bands and recommendations
//! ("2. Smart Credit Optimization", `POST /api/private/analyze-credits`), an account's
//! predicted exhaustion against its next refresh, and usage alert levels. Time is always
//! an argument.

use crate::domain::time::Timestamp;
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// The configurable parts of the analytics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnalyticsSettings {
    /// Credits one handoff saves (the spec's 15).
    pub credits_per_handoff: i64,
    /// Minutes one handoff saves (the spec's about 19.5).
    pub minutes_per_handoff: f64,
    /// Percent-used levels that raise an alert, ascending (70, 85, 90).
    pub alert_thresholds: Vec<u8>,
    /// Hours of recent sessions a burn rate is measured over.
    pub burn_window_hours: i64,
    /// Below this many credits an account is exhausted.
    pub exhausted_below: i64,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            credits_per_handoff: 15,
            minutes_per_handoff: 19.5,
            alert_thresholds: vec![70, 85, 90],
            burn_window_hours: 24,
            exhausted_below: 10,
        }
    }
}

/// Parses alert thresholds (`70,85,90`): percentages from 1 to 100, sorted, no repeats.
pub fn parse_thresholds(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.trim_end_matches('%').parse::<u8>() {
            Ok(v) if (1..=100).contains(&v) => out.push(v),
            _ => return Err(format!("{part:?} is not a percentage from 1 to 100")),
        }
    }
    if out.is_empty() {
        return Err("at least one percentage, e.g. 70,85,90".into());
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Most days one analysis covers.
pub const MAX_DAYS: i64 = 366;

/// The number of days of an analysis (default 30), or an error naming `days`.
pub fn parse_days(days: Option<i64>) -> Result<i64, crate::error::FieldError> {
    match days {
        None => Ok(30),
        Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        Some(d) => Err(crate::error::FieldError::new(
            "days",
            format!("{d} is not a number of days from 1 to {MAX_DAYS}"),
        )),
    }
}

/// The start of a period of `days` calendar days (UTC) ending today: midnight `days - 1`
/// days ago.
pub fn period_start(now: Timestamp, days: i64) -> Timestamp {
    let midnight = now.plus_seconds(-(now.unix().rem_euclid(86_400)));
    midnight.plus_seconds(-(days.max(1) - 1) * 86_400)
}

/// Which roll-up rows hold a period that starts on a day (UTC) and runs to now: the day
/// rows from `days_from` up to (not including) `days_until` — the rest of the first
/// month — then every month row from `months_from` on. A period starting on the 1st
/// reads months only (`days_from == days_until`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRange {
    pub days_from: String,
    pub days_until: String,
    pub months_from: String,
}

/// The roll-up rows of the period that starts on `since`'s day.
pub fn rollup_range(since: Timestamp) -> RollupRange {
    let day = since.date();
    let year: i32 = day[..4].parse().unwrap_or(1970);
    let month: u8 = day[5..7].parse().unwrap_or(1);
    if day.ends_with("-01") {
        return RollupRange {
            days_until: day.clone(),
            months_from: day[..7].to_owned(),
            days_from: day,
        };
    }
    let (y, m) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    RollupRange {
        days_from: day,
        days_until: format!("{y:04}-{m:02}-01"),
        months_from: format!("{y:04}-{m:02}"),
    }
}

/// The dates (`2026-03-02`) of the period, oldest first.
pub fn period_days(now: Timestamp, days: i64) -> Vec<String> {
    let start = period_start(now, days);
    (0..days.max(1))
        .map(|i| start.plus_seconds(i * 86_400).date())
        .collect()
}

/// One line of the daily chart: a project's credits per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Series {
    /// `None` for the sum of the smaller projects.
    pub project_id: Option<i64>,
    pub name: String,
    pub values: Vec<i64>,
    pub total: i64,
}

/// Credits per day per project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Daily {
    pub days: Vec<String>,
    pub series: Vec<Series>,
}

impl Daily {
    /// The largest stacked day (for the chart's scale).
    pub fn max_day(&self) -> i64 {
        (0..self.days.len())
            .map(|i| self.series.iter().map(|s| s.values[i]).sum::<i64>())
            .max()
            .unwrap_or(0)
    }
}

/// Most projects drawn separately; the rest are summed as "Other projects".
pub const MAX_SERIES: usize = 6;

/// Builds the daily chart from `(day, project, credits)` rows: the biggest projects
/// first, the rest summed; days without sessions are zero.
pub fn daily(
    rows: &[(String, i64, i64)],
    days: Vec<String>,
    name_of: impl Fn(i64) -> String,
) -> Daily {
    let index: std::collections::HashMap<&str, usize> = days
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let mut per: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (day, project, credits) in rows {
        if let Some(i) = index.get(day.as_str()) {
            per.entry(*project).or_insert_with(|| vec![0; days.len()])[*i] += credits;
        }
    }
    let mut series: Vec<Series> = per
        .into_iter()
        .map(|(id, values)| Series {
            // a negative id is a bucket of other projects, already summed
            project_id: (id > 0).then_some(id),
            name: name_of(id),
            total: values.iter().sum(),
            values,
        })
        .filter(|s| s.total > 0)
        .collect();
    series.sort_by(|a, b| {
        (
            a.project_id.is_none(),
            std::cmp::Reverse(a.total),
            a.project_id,
        )
            .cmp(&(
                b.project_id.is_none(),
                std::cmp::Reverse(b.total),
                b.project_id,
            ))
    });
    if series.len() > MAX_SERIES {
        let rest = series.split_off(MAX_SERIES - 1);
        let mut values = vec![0; days.len()];
        for s in &rest {
            for (v, x) in values.iter_mut().zip(&s.values) {
                *v += x;
            }
        }
        series.push(Series {
            project_id: None,
            name: format!("{} other projects", rest.len()),
            total: values.iter().sum(),
            values,
        });
    }
    Daily { days, series }
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

/// An account's usage, alert level and predicted exhaustion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Outlook {
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    pub status: String,
    pub credits_available: i64,
    pub capacity: i64,
    /// Percent of the capacity used (0–100).
    pub used_percent: u8,
    /// The highest alert threshold crossed.
    pub alert: Option<u8>,
    pub rate_per_hour: Option<f64>,
    pub next_refresh_at: Option<Timestamp>,
    pub forecast: Forecast,
}

/// Percent of `capacity` used with `credits_left` remaining.
pub fn used_percent(credits_left: i64, capacity: i64) -> u8 {
    if capacity <= 0 {
        return 0;
    }
    let used = capacity.saturating_sub(credits_left.clamp(0, capacity));
    ((used as f64 * 100.0 / capacity as f64).round() as i64).clamp(0, 100) as u8
}

/// The outlook of one account at `now` from its recent sessions `(started_at, credits)`.
#[allow(clippy::too_many_arguments)]
pub fn outlook(
    account_id: i64,
    account_name: String,
    platform: String,
    status: String,
    credits_available: i64,
    capacity: i64,
    next_refresh_at: Option<Timestamp>,
    recent: &[(Timestamp, i64)],
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Outlook {
    let rate = burn_rate(recent, now, settings.burn_window_hours);
    Outlook {
        account_id,
        account_name,
        platform,
        status,
        credits_available,
        capacity,
        used_percent: used_percent(credits_available, capacity),
        alert: alert_level(credits_available, capacity, &settings.alert_thresholds),
        rate_per_hour: rate,
        next_refresh_at,
        forecast: forecast(
            credits_available,
            settings.exhausted_below,
            rate,
            now,
            next_refresh_at,
        ),
    }
}

/// Alerts first by level, then by how much is used.
pub fn alerts(outlooks: &[Outlook]) -> Vec<Outlook> {
    let mut out: Vec<Outlook> = outlooks
        .iter()
        .filter(|o| o.alert.is_some())
        .cloned()
        .collect();
    out.sort_by(|a, b| {
        b.alert
            .cmp(&a.alert)
            .then(b.used_percent.cmp(&a.used_percent))
            .then(a.account_name.cmp(&b.account_name))
    });
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

/// Outlooks shown per page.
pub const OUTLOOKS_PER_PAGE: usize = 25;

/// The most urgent first: past the highest threshold, then the most used, then by name.
pub fn by_urgency(outlooks: &mut [Outlook]) {
    outlooks.sort_by(|a, b| {
        b.alert
            .cmp(&a.alert)
            .then(b.used_percent.cmp(&a.used_percent))
            .then(a.account_name.cmp(&b.account_name))
    });
}

/// Sums a daily chart into weeks (seven-day buckets from the first day, each labelled with
/// its first day), for long periods.
pub fn weekly(d: Daily) -> Daily {
    let weeks = d.days.len().div_ceil(7);
    Daily {
        days: d.days.iter().step_by(7).cloned().collect(),
        series: d
            .series
            .into_iter()
            .map(|s| Series {
                values: (0..weeks)
                    .map(|w| {
                        s.values
                            .iter()
                            .skip(w * 7)
                            .take(7)
                            .fold(0i64, |a, v| a.saturating_add(*v))
                    })
                    .collect(),
                ..s
            })
            .collect(),
    }
}

/// Periods longer than this are charted by week.
pub const WEEKLY_AFTER_DAYS: i64 = 90;

/// The dashboard's one line about credits: how many accounts are out, how many will run
/// out before their refill at the current pace, how many refill before they are needed
/// (not alarms), when the next refill comes, and the most pressing accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AlertSummary {
    /// Out of credits now.
    pub out: usize,
    /// Will run out before their next refill at the current pace.
    pub running_low: usize,
    /// Past a threshold, but refill before they run out (or idle): no alarm.
    pub quiet: usize,
    /// The soonest refill of an account that is out.
    pub next_refill: Option<Timestamp>,
    /// The most pressing accounts, at most [`ALERT_ROWS`].
    pub top: Vec<Outlook>,
    /// Accounts past a threshold in all.
    pub total: usize,
}

/// Rows the dashboard's alert table shows.
pub const ALERT_ROWS: usize = 20;

/// How pressing an outlook is, one rule for every view: out of credits (2), runs out before
/// its refill (1), otherwise nothing to do (0).
pub fn severity(o: &Outlook) -> u8 {
    match o.forecast {
        Forecast::Exhausted => 2,
        Forecast::RunsOut { .. } => 1,
        Forecast::RefreshFirst { .. } | Forecast::Idle => 0,
    }
}

/// Condenses the accounts past a threshold into the dashboard's summary.
pub fn alert_summary(alerts: &[Outlook]) -> AlertSummary {
    let mut sorted: Vec<&Outlook> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        severity(b)
            .cmp(&severity(a))
            .then(b.used_percent.cmp(&a.used_percent))
            .then(a.account_name.cmp(&b.account_name))
    });
    let count = |level: u8| alerts.iter().filter(|o| severity(o) == level).count();
    AlertSummary {
        out: count(2),
        running_low: count(1),
        quiet: count(0),
        next_refill: alerts
            .iter()
            .filter(|o| severity(o) == 2)
            .filter_map(|o| o.next_refresh_at)
            .min(),
        top: sorted
            .into_iter()
            .filter(|o| severity(o) > 0)
            .take(ALERT_ROWS)
            .cloned()
            .collect(),
        total: alerts.len(),
    }
}

/// When the account of a running session runs out before the session is likely to end:
/// the account's credits minus what the session has used so far (debited when it
/// completes), at the faster of the account's recent pace and the session's own pace.
/// Returns the predicted time (now when it is already out).
#[allow(clippy::too_many_arguments)]
pub fn runs_out_during_session(
    credits_available: i64,
    session_credits: i64,
    exhausted_below: i64,
    account_rate: Option<f64>,
    session_started: Timestamp,
    expected_minutes: i64,
    now: Timestamp,
    next_refresh: Option<Timestamp>,
) -> Option<Timestamp> {
    let elapsed_h = (now.unix() - session_started.unix()).max(0) as f64 / 3_600.0;
    let session_rate =
        (elapsed_h >= 0.05 && session_credits > 0).then(|| session_credits as f64 / elapsed_h);
    let rate = match (account_rate, session_rate) {
        (Some(a), Some(s)) => Some(a.max(s)),
        (a, s) => a.or(s),
    };
    let expected_end = session_started
        .plus_seconds(expected_minutes.max(1) * 60)
        .max(now.plus_seconds(15 * 60));
    match forecast(
        credits_available - session_credits,
        exhausted_below,
        rate,
        now,
        next_refresh,
    ) {
        Forecast::Exhausted => Some(now),
        Forecast::RunsOut { at } if at <= expected_end => Some(at),
        _ => None,
    }
}

/// Everything the analytics page shows for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Report {
    pub days: i64,
    pub since: Timestamp,
    pub now: Timestamp,
    pub project_id: Option<i64>,
    /// Live projects `(id, name)`, for the filter.
    pub projects: Vec<(i64, String)>,
    pub summary: CreditSummary,
    pub daily: Daily,
    pub bands: Vec<BandCount>,
    pub by_account: Vec<GroupEfficiency>,
    pub by_platform: Vec<GroupEfficiency>,
    pub savings: Savings,
    pub costs: Vec<crate::domain::ledger::ProjectCost>,
    pub cost_totals: crate::domain::ledger::Totals,
    /// One page of the accounts' outlooks, the most urgent first.
    pub outlooks: Vec<Outlook>,
    /// Outlooks in all, and which page (1-based) `outlooks` is.
    pub outlook_total: usize,
    pub outlook_page: usize,
    /// The daily chart sums weeks (long periods).
    pub weekly: bool,
}

/// The warning a running session shows when its account will run out first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionWarning {
    pub account_id: i64,
    pub account_name: String,
    pub credits_left: i64,
    pub runs_out_at: Timestamp,
    /// The account to continue on, and why.
    pub next_account: Option<(i64, String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(name: &str, used: u8, forecast: Forecast, refresh: Option<&str>) -> Outlook {
        Outlook {
            account_id: 1,
            account_name: name.into(),
            platform: "claude".into(),
            status: "available".into(),
            credits_available: i64::from(100 - used),
            capacity: 100,
            used_percent: used,
            alert: Some(70),
            rate_per_hour: None,
            next_refresh_at: refresh.and_then(Timestamp::parse),
            forecast,
        }
    }

    #[test]
    fn the_alert_line_counts_by_one_rule_and_refills_first_are_quiet() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let alerts = vec![
            look(
                "quiet",
                95,
                Forecast::RefreshFirst {
                    refresh_at: at("2026-01-02T00:00:00Z"),
                },
                None,
            ),
            look(
                "out-late",
                100,
                Forecast::Exhausted,
                Some("2026-01-03T00:00:00Z"),
            ),
            look(
                "low",
                80,
                Forecast::RunsOut {
                    at: at("2026-01-01T05:00:00Z"),
                },
                None,
            ),
            look(
                "out-soon",
                99,
                Forecast::Exhausted,
                Some("2026-01-01T18:15:00Z"),
            ),
            look("idle", 75, Forecast::Idle, None),
        ];
        let s = alert_summary(&alerts);
        assert_eq!((s.out, s.running_low, s.quiet, s.total), (2, 1, 2, 5));
        assert_eq!(s.next_refill, Some(at("2026-01-01T18:15:00Z")));
        let names: Vec<&str> = s.top.iter().map(|o| o.account_name.as_str()).collect();
        assert_eq!(
            names,
            ["out-late", "out-soon", "low"],
            "no quiet ones, the worst first"
        );
        let many: Vec<Outlook> = (0..50)
            .map(|i| look(&format!("a{i}"), 100, Forecast::Exhausted, None))
            .collect();
        assert_eq!(alert_summary(&many).top.len(), ALERT_ROWS);
    }

    #[test]
    fn rankings_keep_the_top_and_sum_the_rest() {
        let groups: Vec<GroupEfficiency> = (0..20)
            .map(|i| GroupEfficiency::new(i.to_string(), format!("g{i}"), 20 - i, 100))
            .collect();
        let top = top_groups(groups.clone(), 12);
        assert_eq!(top.len(), 13);
        let other = top.last().unwrap();
        assert_eq!(other.key, OTHER_GROUP);
        assert_eq!(other.label, "8 others");
        assert_eq!(other.sessions, (1..=8).sum::<i64>());
        assert_eq!(other.credits, 800);
        // one left over is shown as itself
        assert_eq!(top_groups(groups[..13].to_vec(), 12).len(), 13);
        assert_eq!(top_groups(groups[..13].to_vec(), 12)[12].key, "12");
    }

    #[test]
    fn long_periods_chart_by_week() {
        let d = Daily {
            days: (1..=10).map(|d| format!("2026-01-{d:02}")).collect(),
            series: vec![Series {
                project_id: Some(1),
                name: "p".into(),
                values: (1..=10).collect(),
                total: 55,
            }],
        };
        let w = weekly(d);
        assert_eq!(w.days, ["2026-01-01", "2026-01-08"]);
        assert_eq!(w.series[0].values, [28, 27]);
        assert_eq!(w.series[0].total, 55);
    }

    #[test]
    fn rollup_range_reads_days_to_the_month_end_then_months() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let r = rollup_range(at("2025-11-23T00:00:00Z"));
        assert_eq!(
            (
                r.days_from.as_str(),
                r.days_until.as_str(),
                r.months_from.as_str()
            ),
            ("2025-11-23", "2025-12-01", "2025-12")
        );
        // December rolls into the next year
        let r = rollup_range(at("2025-12-31T00:00:00Z"));
        assert_eq!(
            (r.days_until.as_str(), r.months_from.as_str()),
            ("2026-01-01", "2026-01")
        );
        // the 1st: months only
        let r = rollup_range(at("2026-03-01T00:00:00Z"));
        assert_eq!(r.days_from, r.days_until);
        assert_eq!(r.months_from, "2026-03");
        // the period's start day, whatever the hour
        assert_eq!(
            rollup_range(at("2026-02-28T23:59:59Z")).days_from,
            "2026-02-28"
        );
    }

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

    #[test]
    fn summary_from_aggregates_matches_the_list() {
        let credits = [88, 65, 95, 90, 90, 87, 88];
        assert_eq!(summary_of(7, 603, Some(65), Some(95)), summarize(&credits));
        assert_eq!(summary_of(0, 0, None, None).efficiency_score, None);
        let histogram = [(95, 1), (88, 2), (65, 1), (87, 1), (90, 2), (70, 0)];
        assert_eq!(summary_of_histogram(&histogram), summarize(&credits));
        assert_eq!(summary_of_histogram(&[]).total_sessions, 0);
    }

    #[test]
    fn thresholds_and_days_parse_with_named_errors() {
        assert_eq!(parse_thresholds("90, 70,85,70").unwrap(), vec![70, 85, 90]);
        assert_eq!(parse_thresholds("75%").unwrap(), vec![75]);
        assert!(parse_thresholds("0").is_err());
        assert!(parse_thresholds("101").is_err());
        assert!(parse_thresholds(" , ").is_err());
        assert_eq!(parse_days(None).unwrap(), 30);
        assert_eq!(parse_days(Some(1)).unwrap(), 1);
        assert_eq!(parse_days(Some(366)).unwrap(), 366);
        assert_eq!(parse_days(Some(0)).unwrap_err().field, "days");
        assert_eq!(parse_days(Some(367)).unwrap_err().field, "days");
    }

    #[test]
    fn periods_are_whole_utc_days_ending_today() {
        let now = t("2026-03-02T12:34:56Z");
        assert_eq!(period_start(now, 1), t("2026-03-02T00:00:00Z"));
        assert_eq!(period_start(now, 3), t("2026-02-28T00:00:00Z"));
        assert_eq!(
            period_days(now, 3),
            ["2026-02-28", "2026-03-01", "2026-03-02"]
        );
    }

    #[test]
    fn daily_series_fill_gaps_and_fold_small_projects() {
        let days = vec!["2026-03-01".to_string(), "2026-03-02".to_string()];
        let rows = vec![
            ("2026-03-01".to_string(), 1, 90),
            ("2026-03-02".to_string(), 1, 80),
            ("2026-03-02".to_string(), 2, 40),
            ("2026-02-01".to_string(), 2, 999), // outside the period
        ];
        let d = daily(&rows, days.clone(), |id| format!("p{id}"));
        assert_eq!(d.series.len(), 2);
        assert_eq!(d.series[0].values, vec![90, 80]);
        assert_eq!(d.series[1].values, vec![0, 40]);
        assert_eq!(d.max_day(), 120);

        let many: Vec<_> = (1..=9)
            .map(|p| ("2026-03-01".to_string(), p, p * 10))
            .collect();
        let d = daily(&many, days, |id| format!("p{id}"));
        assert_eq!(d.series.len(), MAX_SERIES);
        let other = d.series.last().unwrap();
        assert_eq!(other.project_id, None);
        assert_eq!(other.name, "4 other projects");
        assert_eq!(other.total, 10 + 20 + 30 + 40);
        assert_eq!(d.series.iter().map(|s| s.total).sum::<i64>(), 450);

        // a bucket summed by the database stays last, however large
        let bucketed = vec![
            ("2026-03-01".to_string(), 3, 10),
            ("2026-03-01".to_string(), -1, 500),
            ("2026-03-02".to_string(), 5, 20),
        ];
        let d = daily(
            &bucketed,
            vec!["2026-03-01".into(), "2026-03-02".into()],
            |id| {
                if id < 0 {
                    "9 other projects".into()
                } else {
                    format!("p{id}")
                }
            },
        );
        assert_eq!(d.series.len(), 3);
        assert_eq!(d.series[0].project_id, Some(5));
        let last = d.series.last().unwrap();
        assert_eq!(
            (last.project_id, last.name.as_str(), last.total),
            (None, "9 other projects", 500)
        );
    }

    #[test]
    fn band_counts_use_the_spec_edges() {
        let hist = [
            (74, 1),
            (75, 2),
            (84, 1),
            (85, 3),
            (92, 1),
            (93, 2),
            (97, 1),
            (98, 4),
            (0, 1),
        ];
        let b = bands(&hist);
        assert_eq!(
            b[0],
            BandCount {
                band: Efficiency::Optimal,
                sessions: 4
            }
        );
        assert_eq!(
            b[1],
            BandCount {
                band: Efficiency::Good,
                sessions: 6
            }
        );
        assert_eq!(
            b[2],
            BandCount {
                band: Efficiency::NeedsImprovement,
                sessions: 6
            }
        );
        assert!(bands(&[]).iter().all(|b| b.sessions == 0));
    }

    #[test]
    fn platforms_regroup_their_accounts() {
        let g = regroup([
            ("claude".into(), "Claude".into(), 2, 180),
            ("chatgpt".into(), "ChatGPT".into(), 1, 60),
            ("claude".into(), "Claude".into(), 2, 170),
            ("gemini".into(), "Gemini".into(), 0, 0),
        ]);
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].key.as_str(), g[0].sessions, g[0].credits),
            ("claude", 4, 350)
        );
        assert_eq!(g[0].avg_credits, 87.5);
        assert_eq!(g[0].score, Efficiency::Optimal);
        assert_eq!(g[1].score, Efficiency::NeedsImprovement);
    }

    #[test]
    fn savings_follow_the_settings() {
        let s = savings(4, &AnalyticsSettings::default());
        assert_eq!((s.handoffs, s.credits, s.minutes), (4, 60, 78.0));
        let custom = AnalyticsSettings {
            credits_per_handoff: 20,
            minutes_per_handoff: 10.0,
            ..Default::default()
        };
        assert_eq!(savings(3, &custom).credits, 60);
        assert_eq!(savings(0, &custom).minutes, 0.0);
    }

    #[test]
    fn outlooks_raise_alerts_and_forecast() {
        let now = t("2026-03-02T12:00:00Z");
        let settings = AnalyticsSettings::default();
        let recent = [(t("2026-03-02T10:00:00Z"), 48)]; // 2 credits an hour over 24 h
        let o = outlook(
            1,
            "a".into(),
            "claude".into(),
            "active".into(),
            9,
            100,
            None,
            &recent,
            now,
            &settings,
        );
        assert_eq!((o.used_percent, o.alert), (91, Some(90)));
        assert_eq!(o.forecast, Forecast::Exhausted);
        let o = outlook(
            2,
            "b".into(),
            "claude".into(),
            "available".into(),
            50,
            100,
            None,
            &recent,
            now,
            &settings,
        );
        assert_eq!(o.alert, None);
        assert_eq!(o.rate_per_hour, Some(2.0));
        assert_eq!(
            o.forecast,
            Forecast::RunsOut {
                at: t("2026-03-03T08:00:00Z")
            }
        );
        let idle = outlook(
            3,
            "c".into(),
            "x".into(),
            "available".into(),
            20,
            100,
            None,
            &[],
            now,
            &settings,
        );
        assert_eq!((idle.alert, idle.forecast), (Some(70), Forecast::Idle));
        let list = alerts(&[o.clone(), idle.clone()]);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].account_name, "c");
    }

    #[test]
    fn a_session_warns_when_its_account_runs_out_before_it_ends() {
        let started = t("2026-03-02T12:00:00Z");
        let now = t("2026-03-02T12:30:00Z");
        // 40 credits in 30 min = 80/h; 60 left - 40 used = 20, minus 10 reserve = 10 usable
        // → out at 12:37:30, before the expected end at 13:30
        assert_eq!(
            runs_out_during_session(60, 40, 10, None, started, 90, now, None),
            Some(t("2026-03-02T12:37:30Z"))
        );
        // the refresh arrives first: no warning
        assert_eq!(
            runs_out_during_session(
                60,
                40,
                10,
                None,
                started,
                90,
                now,
                Some(t("2026-03-02T12:35:00Z"))
            ),
            None
        );
        // plenty left
        assert_eq!(
            runs_out_during_session(1000, 40, 10, None, started, 90, now, None),
            None
        );
        // no usage yet and no history: nothing to predict
        assert_eq!(
            runs_out_during_session(60, 0, 10, None, started, 90, started, None),
            None
        );
        // already spent down to the reserve
        assert_eq!(
            runs_out_during_session(50, 45, 10, None, started, 90, now, None),
            Some(now)
        );
        // the account's recent pace counts when faster than the session's
        assert_eq!(
            runs_out_during_session(100, 10, 10, Some(200.0), started, 90, now, None),
            Some(t("2026-03-02T12:54:00Z"))
        );
    }
}
