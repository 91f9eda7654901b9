//! Burn rates, predicted exhaustion against the next refill, usage alerts and the warnings
//! they raise.

use super::AnalyticsSettings;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

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
