//! Credit analytics, pure: the spec's efficiency bands and recommendations
//! ("2. Smart Credit Optimization", `POST /api/private/analyze-credits`), an account's
//! predicted exhaustion against its next refresh, and usage alert levels. Time is always
//! an argument.
//!
//! Efficiency bands, summaries, rankings and savings are in `summary`; burn rates,
//! forecasts, outlooks and alerts in `forecast`; periods and the daily chart in `series`.

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

mod forecast;
mod series;
mod summary;

pub use forecast::{
    alert_level, alert_summary, alerts, burn_rate, by_urgency, forecast, outlook,
    runs_out_during_session, severity, used_percent, AlertSummary, Forecast, Outlook,
    SessionWarning, ALERT_ROWS, OUTLOOKS_PER_PAGE,
};
pub use series::{
    daily, parse_days, period_days, period_start, rollup_range, weekly, Daily, RollupRange, Series,
    MAX_DAYS, MAX_SERIES, WEEKLY_AFTER_DAYS,
};
pub use summary::{
    bands, regroup, savings, score, summarize, summary_of, summary_of_histogram, top_groups,
    BandCount, CreditSummary, Efficiency, GroupEfficiency, Savings, Scored, MAX_GROUPS,
    OTHER_GROUP,
};

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

#[cfg(test)]
mod tests;
