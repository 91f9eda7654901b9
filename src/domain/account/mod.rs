//! The account pool: AI accounts with credits, a capacity they refill to, a reset rule and
//! a status. No passwords or API keys are ever held for an account.
//!
//! Raw input and its checks are in `input`, picking the next account in `select`, pasted
//! imports in `paste`, and the list's filters, sort and page in `query`.

use crate::domain::quota::{ResetRule, ResetRuleInput};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 100;
pub const TEXT_MAX_CHARS: usize = 2_000;
pub use crate::domain::limits::MAX_CREDITS;
pub const PER_PAGE: u32 = 50;

id_type!(AccountId, "an account");

mod input;
mod option;
mod paste;
mod query;
mod select;

pub use input::{
    adjust, apply_patch, parse_credits, parse_email, parse_name, AccountInput, AccountPatchInput,
    Adjustment, AdjustmentInput, NewAccount, REASON_MAX_CHARS,
};
pub use option::{options, AccountOption, QuickAction, ROTATE_CHOICES};
pub use paste::{parse_paste, RowError};
pub use query::{AccountQuery, AccountQueryInput, AccountSort};
pub use select::{select, SelectInput, SelectRequest, Selection, Strategy, DEFAULT_MIN_CREDITS};

text_enum!(
    /// The vendor an account belongs to.
    Platform, "platform", {
        Genspark => "GenSpark",
        Claude => "Claude",
        Chatgpt => "ChatGPT",
        Gemini => "Gemini",
        Local => "Local model",
        Other => "Other",
    }
);

text_enum!(
    AccountStatus, "status", {
        Available => "Available",
        Active => "Active",
        Exhausted => "Exhausted",
        Blocked => "Blocked",
    }
);

/// When credits count as exhausted or low. Configurable per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Thresholds {
    /// Below this many credits an account is exhausted (spec: < 10).
    pub exhausted_below: i64,
    /// Below this many credits an account is shown as low (spec: available means > 50).
    pub low_below: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            exhausted_below: 10,
            low_below: 50,
        }
    }
}

impl AccountStatus {
    /// The status after credits changed: blocked stays blocked (only a person unblocks);
    /// below the threshold an account is exhausted; an exhausted account with credits again
    /// is available.
    pub fn after_credits(self, credits: i64, th: Thresholds) -> Self {
        match self {
            Self::Blocked => Self::Blocked,
            _ if credits < th.exhausted_below => Self::Exhausted,
            Self::Exhausted => Self::Available,
            s => s,
        }
    }
}

/// An account as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: AccountId,
    pub account_name: String,
    pub account_email: Option<String>,
    pub platform: Platform,
    pub specialization: Option<String>,
    pub notes: Option<String>,
    pub credits_available: i64,
    pub credit_capacity: i64,
    pub status: AccountStatus,
    pub reset: ResetRuleInput,
    pub last_refresh_at: Option<Timestamp>,
    pub next_refresh_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increments with every edit (not with debits, refills or adjustments of credits).
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

/// How full an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Headroom {
    Healthy,
    Low,
    Exhausted,
}

impl Account {
    /// The reset rule (stored in its flat form; a stored rule always parses).
    pub fn rule(&self) -> ResetRule {
        ResetRule::parse(&self.reset).unwrap_or(ResetRule::None)
    }

    /// Credits left as a share of capacity, 0–100.
    pub fn headroom_percent(&self) -> u8 {
        if self.credit_capacity <= 0 {
            return 0;
        }
        ((self.credits_available.clamp(0, self.credit_capacity) * 100) / self.credit_capacity) as u8
    }

    pub fn headroom(&self, th: Thresholds) -> Headroom {
        if self.credits_available < th.exhausted_below {
            Headroom::Exhausted
        } else if self.credits_available < th.low_below {
            Headroom::Low
        } else {
            Headroom::Healthy
        }
    }

    /// Whether the account's specialization matches `wanted` (spec: `LIKE '%wanted%' OR
    /// IS NULL`, case-insensitive). Accounts without a specialization match anything.
    pub fn matches_specialization(&self, wanted: Option<&str>) -> bool {
        let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
            return true;
        };
        match self.specialization.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(s) => s.to_lowercase().contains(&wanted.to_lowercase()),
        }
    }

    /// The refill due at `now`, if any: back to capacity, exactly once per window.
    pub fn due_refill(&self, now: Timestamp, th: Thresholds) -> Option<Refill> {
        let next = self.next_refresh_at?;
        if next > now {
            return None;
        }
        let rule = self.rule();
        let anchor = self.last_refresh_at.unwrap_or(self.created_at);
        let window_at = rule.due_window(anchor, now).unwrap_or(next);
        let credits = self.credits_available.max(self.credit_capacity);
        Some(Refill {
            account_id: self.id,
            window_at,
            expected_next: next,
            next_refresh_at: rule.next_after(window_at),
            credits_before: self.credits_available,
            credits_after: credits,
            status: self.status.after_credits(credits, th),
        })
    }
}

/// A refill decided by the domain; storage applies it only if the account still expects
/// it (`expected_next`), so two refillers cannot both apply one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refill {
    pub account_id: AccountId,
    pub window_at: Timestamp,
    pub expected_next: Timestamp,
    pub next_refresh_at: Option<Timestamp>,
    pub credits_before: i64,
    pub credits_after: i64,
    pub status: AccountStatus,
}

text_enum!(
    /// What caused an account switch.
    SwitchKind, "kind", {
        Select => "Selected",
        Rotate => "Rotated",
        Manual => "Switched by hand",
    }
);

/// One account switch: when, from which account to which, for what, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AccountSwitch {
    pub id: i64,
    pub created_at: Timestamp,
    pub kind: SwitchKind,
    pub from_account_id: Option<AccountId>,
    pub from_account_name: Option<String>,
    pub to_account_id: Option<AccountId>,
    pub to_account_name: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub reason: String,
}

/// An account with what the UI shows about it, computed on the server at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub account: Account,
    pub headroom_percent: u8,
    pub headroom: Headroom,
    pub reset_label: String,
    /// "in 2 h 10 min", or None without a schedule
    pub refreshes_in: Option<String>,
}

impl AccountView {
    /// The view without the account's e-mail and notes (for viewers).
    pub fn without_private_fields(mut self) -> Self {
        self.account.account_email = None;
        self.account.notes = None;
        self
    }
}

impl AccountView {
    pub fn new(account: Account, now: Timestamp, th: Thresholds) -> Self {
        Self {
            headroom_percent: account.headroom_percent(),
            headroom: account.headroom(th),
            reset_label: account.rule().describe(),
            refreshes_in: account
                .next_refresh_at
                .map(|t| crate::domain::quota::until(now, t)),
            account,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod query_tests;
