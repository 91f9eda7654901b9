//! The short account entries pickers offer, and the quick actions of an account page.

use super::{Account, AccountStatus};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A short account entry for pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOption {
    pub id: i64,
    pub name: String,
    pub status: AccountStatus,
    pub credits: i64,
    /// When its credits refill next (none: by hand).
    #[serde(default)]
    pub refills_at: Option<crate::domain::time::Timestamp>,
}

impl AccountOption {
    /// Whether a session can start on it now (not exhausted, not blocked, credits left).
    pub fn usable(&self) -> bool {
        matches!(
            self.status,
            AccountStatus::Available | AccountStatus::Active
        ) && self.credits > 0
    }
}

/// The accounts a picker offers: not blocked, the active one first, then most credits,
/// at most `limit`.
pub fn options(pool: Vec<Account>, limit: usize) -> Vec<AccountOption> {
    let mut options: Vec<AccountOption> = pool
        .into_iter()
        .filter(|a| a.status != AccountStatus::Blocked)
        .map(|a| AccountOption {
            id: a.id.0,
            name: a.account_name,
            status: a.status,
            credits: a.credits_available,
            refills_at: a.next_refresh_at,
        })
        .collect();
    options.sort_by_key(|o| (o.status != AccountStatus::Active, -o.credits, o.id));
    options.truncate(limit);
    options
}

/// Accounts offered besides the running ones when rotating from a project's page.
pub const ROTATE_CHOICES: usize = 30;

/// A quick action of an account page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickAction {
    /// Switch to it by hand.
    Use,
    Block,
    Unblock,
    Exhausted,
    /// Its credits are back to capacity.
    Refilled,
}

impl FromStr for QuickAction {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "use" => Ok(Self::Use),
            "block" => Ok(Self::Block),
            "unblock" => Ok(Self::Unblock),
            "exhausted" => Ok(Self::Exhausted),
            "refilled" => Ok(Self::Refilled),
            other => Err(FieldError::new(
                "action",
                format!("{other:?} is not one of block, unblock, exhausted, refilled"),
            )),
        }
    }
}
