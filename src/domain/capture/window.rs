//! Usage windows from captured calls: Claude's rolling 5-hour blocks (the rule ccusage
//! and Anthropic's own limits use: a block starts at its first call's hour, ends five hours
//! later, and a call after the end or after five quiet hours starts a new one), with burn
//! rate and projection; and the vendor's own window when a tool reported it (Codex), which
//! wins over anything computed.

use crate::domain::capture::RateWindow;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Claude's window: five hours.
pub const BLOCK_SECS: i64 = 5 * 3600;

/// One captured call, as the window needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    pub at: Timestamp,
    pub tokens: u64,
    pub cost_micros: u64,
}

/// A block of calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Block {
    pub start: Timestamp,
    pub end: Timestamp,
    pub first: Timestamp,
    pub last: Timestamp,
    pub calls: u64,
    pub tokens: u64,
    pub cost_micros: u64,
}

/// The blocks of `calls` (in any order), oldest first.
pub fn blocks(calls: &[Call], length_secs: i64) -> Vec<Block> {
    let mut sorted: Vec<&Call> = calls.iter().collect();
    sorted.sort_by_key(|c| c.at);
    let mut out: Vec<Block> = Vec::new();
    for c in sorted {
        let open = out
            .last_mut()
            .filter(|b| c.at < b.end && c.at.unix() - b.last.unix() < length_secs);
        match open {
            Some(b) => {
                b.last = c.at;
                b.calls += 1;
                b.tokens = b.tokens.saturating_add(c.tokens);
                b.cost_micros = b.cost_micros.saturating_add(c.cost_micros);
            }
            None => {
                let start = floor_hour(c.at);
                out.push(Block {
                    start,
                    end: start.plus_seconds(length_secs),
                    first: c.at,
                    last: c.at,
                    calls: 1,
                    tokens: c.tokens,
                    cost_micros: c.cost_micros,
                });
            }
        }
    }
    out
}

fn floor_hour(t: Timestamp) -> Timestamp {
    let secs = t.unix();
    Timestamp::from_unix(secs - secs.rem_euclid(3600)).unwrap_or(t)
}

/// The window an account is in now, from its captured calls.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Window {
    pub block: Block,
    /// Tokens per minute since the block's first call.
    pub tokens_per_minute: f64,
    /// Tokens by the block's end at that rate.
    pub projected_tokens: u64,
    /// The largest earlier block: what the account has been seen to take in one window.
    pub largest_before: Option<u64>,
    /// When the burn rate reaches `largest_before` before the block ends.
    pub runs_out_at: Option<Timestamp>,
}

/// The block running at `now` (None when the last call is five hours old or the block
/// has ended).
pub fn current(calls: &[Call], now: Timestamp, length_secs: i64) -> Option<Window> {
    let all = blocks(calls, length_secs);
    let (block, earlier) = all.split_last()?;
    let active = now.unix() - block.last.unix() < length_secs && now < block.end;
    if !active {
        return None;
    }
    let elapsed_min = ((now.unix() - block.first.unix()).max(60)) as f64 / 60.0;
    let rate = block.tokens as f64 / elapsed_min;
    let left_min = (block.end.unix() - now.unix()).max(0) as f64 / 60.0;
    let projected = block.tokens as f64 + rate * left_min;
    let largest_before = earlier.iter().map(|b| b.tokens).max();
    let runs_out_at = largest_before.and_then(|limit| {
        if block.tokens >= limit {
            return Some(now);
        }
        if rate <= 0.0 || projected < limit as f64 {
            return None;
        }
        let minutes = (limit - block.tokens) as f64 / rate;
        Some(now.plus_seconds((minutes * 60.0).ceil() as i64))
    });
    Some(Window {
        block: *block,
        tokens_per_minute: rate,
        projected_tokens: projected.min(u64::MAX as f64) as u64,
        largest_before,
        runs_out_at,
    })
}

/// A vendor window still worth showing: it has not reset yet (a window reported without a
/// reset time counts for its own length after it was seen).
pub fn vendor_current(w: &RateWindow, now: Timestamp) -> bool {
    match w.resets_at {
        Some(r) => now < r,
        None => now.unix() - w.seen_at.unix() < w.window_minutes.max(1) * 60,
    }
}

/// When a vendor window reaches 100 % before it resets, at the pace it was used so far
/// (from the window's start to when the tool reported it).
pub fn vendor_runs_out(w: &RateWindow) -> Option<Timestamp> {
    let resets = w.resets_at?;
    if w.used_percent >= 100.0 {
        return Some(w.seen_at);
    }
    let start = resets.plus_seconds(-w.window_minutes.max(1) * 60);
    let elapsed = (w.seen_at.unix() - start.unix()) as f64;
    if w.used_percent <= 0.0 || elapsed <= 0.0 {
        return None;
    }
    let full = start.unix() as f64 + elapsed * 100.0 / w.used_percent;
    if full < resets.unix() as f64 {
        Timestamp::from_unix(full.ceil() as i64)
    } else {
        None
    }
}

impl AccountWindow {
    /// When this account runs out in its current window: the vendor's own figure first,
    /// else the computed block's.
    pub fn runs_out_at(&self) -> Option<Timestamp> {
        let vendor = self.vendor.iter().filter_map(vendor_runs_out).min();
        vendor.or(self.window.and_then(|w| w.runs_out_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn call(at: &str, tokens: u64) -> Call {
        Call {
            at: t(at),
            tokens,
            cost_micros: tokens,
        }
    }

    #[test]
    fn blocks_start_at_the_hour_and_split_after_five_hours_or_a_gap() {
        let calls = [
            call("2026-03-01T10:20:00Z", 100),
            call("2026-03-01T14:59:00Z", 50), // same block: before 15:00
            call("2026-03-01T15:01:00Z", 10), // the block ended at 15:00
            call("2026-03-01T12:00:00Z", 5),  // out of order: still the first block
        ];
        let b = blocks(&calls, BLOCK_SECS);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].start, t("2026-03-01T10:00:00Z"));
        assert_eq!(b[0].end, t("2026-03-01T15:00:00Z"));
        assert_eq!((b[0].calls, b[0].tokens), (3, 155));
        assert_eq!(b[1].start, t("2026-03-01T15:00:00Z"));
        // a quiet gap of five hours starts a new block even inside the old one's span
        let gap = blocks(
            &[
                call("2026-03-01T00:00:00Z", 1),
                call("2026-03-01T05:00:00Z", 1),
            ],
            BLOCK_SECS,
        );
        assert_eq!(gap.len(), 2);
    }

    #[test]
    fn the_current_window_projects_and_says_when_it_runs_out() {
        let calls = [
            call("2026-03-01T01:00:00Z", 1_000), // an earlier block took 1,000
            call("2026-03-01T10:00:00Z", 300),
            call("2026-03-01T10:30:00Z", 300),
        ];
        let now = t("2026-03-01T11:00:00Z");
        let w = current(&calls, now, BLOCK_SECS).unwrap();
        assert_eq!(w.block.tokens, 600);
        assert!((w.tokens_per_minute - 10.0).abs() < 1e-9);
        // 600 + 10/min × 240 min left
        assert_eq!(w.projected_tokens, 3_000);
        assert_eq!(w.largest_before, Some(1_000));
        // 400 more at 10 a minute: 40 minutes
        assert_eq!(w.runs_out_at, Some(t("2026-03-01T11:40:00Z")));
        // five hours after the last call nothing runs
        assert!(current(&calls, t("2026-03-01T15:30:00Z"), BLOCK_SECS).is_none());
        assert!(current(&[], now, BLOCK_SECS).is_none());
    }

    #[test]
    fn a_vendor_window_runs_out_at_its_pace() {
        // a 5-hour window that started at 10:00, 80 % used by 14:00: full at 15:00 —
        // exactly when it resets, so not before
        let mut w = RateWindow {
            used_percent: 80.0,
            window_minutes: 300,
            resets_at: Some(t("2026-03-01T15:00:00Z")),
            seen_at: t("2026-03-01T14:00:00Z"),
        };
        assert_eq!(vendor_runs_out(&w), None);
        // 95 % by 14:00: full at 14:12:38 (4 h × 100 / 95)
        w.used_percent = 95.0;
        assert_eq!(vendor_runs_out(&w), Some(t("2026-03-01T14:12:38Z")));
        w.used_percent = 100.0;
        assert_eq!(vendor_runs_out(&w), Some(t("2026-03-01T14:00:00Z")));
    }

    #[test]
    fn vendor_windows_last_until_they_reset() {
        let w = RateWindow {
            used_percent: 40.0,
            window_minutes: 300,
            resets_at: Some(t("2026-03-01T12:00:00Z")),
            seen_at: t("2026-03-01T10:00:00Z"),
        };
        assert!(vendor_current(&w, t("2026-03-01T11:59:00Z")));
        assert!(!vendor_current(&w, t("2026-03-01T12:00:00Z")));
    }
}

/// What the dashboard shows of captured work as it happens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Live {
    /// When this was read (for "2 min ago").
    pub now: Option<Timestamp>,
    /// Captured sessions, the latest activity first.
    pub sessions: Vec<LiveSession>,
    /// Accounts fed by capture with a window running now.
    pub accounts: Vec<AccountWindow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LiveSession {
    pub session_id: crate::domain::session::SessionId,
    pub session_number: i64,
    pub project_id: crate::domain::project::ProjectId,
    pub project_name: String,
    pub account_name: String,
    pub objective: Option<String>,
    pub status: String,
    pub turns: i64,
    pub tokens: u64,
    pub cost_micros: u64,
    /// Calls whose model the price table does not know (their cost is not in `cost_micros`).
    pub unpriced_calls: u64,
    pub last_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountWindow {
    pub account_id: crate::domain::account::AccountId,
    pub account_name: String,
    pub platform: String,
    /// Computed from captured calls (Claude's 5-hour rule).
    pub window: Option<Window>,
    /// The vendor's own windows as the tool last reported them (they win when present).
    pub vendor: Vec<RateWindow>,
}

/// Dollars from millionths: `$1.23`, `$0.004` below a cent.
pub fn dollars(micros: u64) -> String {
    if micros > 0 && micros < 10_000 {
        format!("${:.3}", micros as f64 / 1e6)
    } else {
        format!("${:.2}", micros as f64 / 1e6)
    }
}

/// A token count for people: `950`, `12.3k`, `4.56M`.
pub fn tokens_short(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.2}M", n as f64 / 1e6),
    }
}
