//! Picking the next account: the strategies, the request, and the choice with its reason.

use super::{parse_credits, Account, AccountId, AccountStatus};
use crate::domain::time::Timestamp;
use crate::domain::DomainError;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How to pick the next account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The spec's algorithm: most credits, then least recently used.
    #[default]
    Best,
    /// The largest share of its capacity left.
    MostHeadroom,
    /// The one whose credits refill soonest: spend what would be lost at the refill.
    SoonestReset,
    /// Stay on the current account while it qualifies; otherwise `best`.
    Sticky,
    /// The one used longest ago.
    LeastRecentlyUsed,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [
        Strategy::Best,
        Strategy::MostHeadroom,
        Strategy::SoonestReset,
        Strategy::Sticky,
        Strategy::LeastRecentlyUsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Best => "best",
            Self::MostHeadroom => "most_headroom",
            Self::SoonestReset => "soonest_reset",
            Self::Sticky => "sticky",
            Self::LeastRecentlyUsed => "least_recently_used",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Best => "Most credits",
            Self::MostHeadroom => "Most headroom",
            Self::SoonestReset => "Soonest reset first",
            Self::Sticky => "Stay on current",
            Self::LeastRecentlyUsed => "Least recently used",
        }
    }
}

impl FromStr for Strategy {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "" | "best" | "default" => Ok(Self::Best),
            "most_headroom" | "headroom" => Ok(Self::MostHeadroom),
            "soonest_reset" | "reset" => Ok(Self::SoonestReset),
            "sticky" => Ok(Self::Sticky),
            "least_recently_used" | "lru" => Ok(Self::LeastRecentlyUsed),
            other => Err(FieldError::new(
                "strategy",
                format!("{other:?} is not one of best, most_headroom, soonest_reset, sticky, least_recently_used"),
            )),
        }
    }
}

/// Raw selection request (spec: `specialization`, `min_credits`; ours adds the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SelectInput {
    #[serde(default)]
    pub specialization: Option<String>,
    #[serde(default)]
    pub min_credits: Option<i64>,
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub current_account_id: Option<i64>,
    #[serde(default)]
    pub project_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectRequest {
    pub specialization: Option<String>,
    pub min_credits: i64,
    pub strategy: Strategy,
    pub current: Option<AccountId>,
    /// Never choose this one (rotation away from it).
    pub exclude: Option<AccountId>,
}

pub const DEFAULT_MIN_CREDITS: i64 = 50;

impl SelectRequest {
    pub fn parse(input: &SelectInput) -> Result<Self, FieldError> {
        Ok(Self {
            specialization: match input
                .specialization
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(s) if s.chars().count() > crate::domain::limits::MAX_QUERY_CHARS => {
                    return Err(FieldError::new(
                        "specialization",
                        format!(
                            "at most {} characters",
                            crate::domain::limits::MAX_QUERY_CHARS
                        ),
                    ))
                }
                s => s.map(str::to_owned),
            },
            min_credits: parse_credits(
                input.min_credits.unwrap_or(DEFAULT_MIN_CREDITS),
                "min_credits",
            )?,
            strategy: input.strategy.as_deref().unwrap_or("").parse()?,
            current: match input.current_account_id {
                None => None,
                Some(id) if id > 0 => Some(AccountId(id)),
                Some(id) => {
                    return Err(FieldError::new(
                        "current_account_id",
                        format!("{id} is not an account id"),
                    ))
                }
            },
            exclude: None,
        })
    }

    fn qualifies(&self, a: &Account) -> bool {
        matches!(a.status, AccountStatus::Available | AccountStatus::Active)
            && a.credits_available >= self.min_credits
            && a.matches_specialization(self.specialization.as_deref())
            && Some(a.id) != self.exclude
    }
}

/// The chosen account and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Selection {
    pub account: Account,
    pub reason: String,
    pub strategy: Strategy,
    /// How many accounts qualified.
    pub candidates: usize,
}

/// Least recently used first: never used before any use, then oldest use, then lowest id.
fn lru_key(a: &Account) -> (bool, Option<Timestamp>, AccountId) {
    (a.last_used_at.is_some(), a.last_used_at, a.id)
}

/// Picks an account from `pool` (any accounts; those that do not qualify are skipped).
/// On no match, the error names the problem and suggests what to do.
pub fn select(
    pool: &[Account],
    req: &SelectRequest,
    now: Timestamp,
) -> Result<Selection, DomainError> {
    let mut candidates: Vec<&Account> = pool.iter().filter(|a| req.qualifies(a)).collect();
    let n = candidates.len();
    if n == 0 {
        return Err(no_account_error(pool, req, now));
    }
    let by_best = |a: &&Account, b: &&Account| {
        b.credits_available
            .cmp(&a.credits_available)
            .then_with(|| lru_key(a).cmp(&lru_key(b)))
    };
    let spec = req
        .specialization
        .as_deref()
        .map(|s| format!(" matching “{s}”"))
        .unwrap_or_default();
    let pool_phrase = format!(
        "{n} account{}{spec} with ≥ {} credits",
        if n == 1 { "" } else { "s" },
        req.min_credits
    );
    let (chosen, reason) = match req.strategy {
        Strategy::Best => {
            candidates.sort_by(by_best);
            let a = candidates[0];
            let tie = candidates
                .get(1)
                .is_some_and(|b| b.credits_available == a.credits_available);
            let lru = if tie {
                "; least recently used of those with as many"
            } else {
                ""
            };
            (
                a,
                format!(
                    "most credits ({}) of {pool_phrase}{lru}",
                    a.credits_available
                ),
            )
        }
        Strategy::MostHeadroom => {
            candidates.sort_by(|a, b| {
                // compare a.credits/a.cap with b.credits/b.cap without floats
                let l = i128::from(b.credits_available) * i128::from(a.credit_capacity.max(1));
                let r = i128::from(a.credits_available) * i128::from(b.credit_capacity.max(1));
                l.cmp(&r).then_with(|| by_best(a, b))
            });
            let a = candidates[0];
            (
                a,
                format!(
                    "most headroom ({}% of its {} credits left) of {pool_phrase}",
                    a.headroom_percent(),
                    a.credit_capacity
                ),
            )
        }
        Strategy::SoonestReset => {
            candidates.sort_by(|a, b| {
                let key = |x: &Account| (x.next_refresh_at.is_none(), x.next_refresh_at);
                key(a).cmp(&key(b)).then_with(|| by_best(a, b))
            });
            let a = candidates[0];
            let reason = match a.next_refresh_at {
                Some(t) => format!(
                    "refills soonest ({}), so its {} credits would be lost otherwise; of {pool_phrase}",
                    crate::domain::quota::until(now, t),
                    a.credits_available
                ),
                None => format!("no account refills on a schedule; most credits ({}) of {pool_phrase}", a.credits_available),
            };
            (a, reason)
        }
        Strategy::Sticky => {
            if let Some(cur) = req
                .current
                .and_then(|id| candidates.iter().copied().find(|a| a.id == id))
            {
                (
                    cur,
                    format!(
                        "stays on the current account: it still has {} credits (≥ {})",
                        cur.credits_available, req.min_credits
                    ),
                )
            } else {
                candidates.sort_by(by_best);
                let a = candidates[0];
                let why = if req.current.is_some() {
                    "the current account runs low"
                } else {
                    "no current account given"
                };
                (
                    a,
                    format!(
                        "{why}; most credits ({}) of {pool_phrase}",
                        a.credits_available
                    ),
                )
            }
        }
        Strategy::LeastRecentlyUsed => {
            candidates.sort_by_key(|a| lru_key(a));
            let a = candidates[0];
            let when = match a.last_used_at {
                None => "never used yet".to_string(),
                Some(t) => format!("last used {}", t.ago(now)),
            };
            (a, format!("least recently used ({when}) of {pool_phrase}"))
        }
    };
    Ok(Selection {
        account: chosen.clone(),
        reason: format!("{}: {reason}", chosen.account_name),
        strategy: req.strategy,
        candidates: n,
    })
}

/// The spec's error, with a suggestion drawn from the pool.
fn no_account_error(pool: &[Account], req: &SelectRequest, now: Timestamp) -> DomainError {
    let eligible = |a: &&Account| a.status != AccountStatus::Blocked && Some(a.id) != req.exclude;
    let soonest = pool
        .iter()
        .filter(eligible)
        .filter(|a| a.matches_specialization(req.specialization.as_deref()))
        .filter_map(|a| a.next_refresh_at.map(|t| (t, a)))
        .min_by_key(|(t, a)| (*t, a.id));
    let richest_below = pool
        .iter()
        .filter(eligible)
        .filter(|a| a.matches_specialization(req.specialization.as_deref()))
        .filter(|a| matches!(a.status, AccountStatus::Available | AccountStatus::Active))
        .max_by_key(|a| (a.credits_available, std::cmp::Reverse(a.id)));
    let mut hints = Vec::new();
    if let Some((t, a)) = soonest {
        hints.push(format!(
            "{} refreshes soonest, {}, to {} credits",
            a.account_name,
            crate::domain::quota::until(now, t),
            a.credit_capacity
        ));
    }
    if let Some(a) = richest_below {
        hints.push(format!(
            "ask for fewer credits: {} has {} credit{}",
            a.account_name,
            a.credits_available,
            if a.credits_available == 1 { "" } else { "s" }
        ));
    }
    if req.specialization.is_some()
        && !pool
            .iter()
            .any(|a| a.matches_specialization(req.specialization.as_deref()))
    {
        hints.push("no account has that specialization; try without it".into());
    }
    if hints.is_empty() {
        hints.push("Use backup accounts or wait for credit refresh".into());
    }
    DomainError::NoAccount {
        message: "No available accounts with sufficient credits".into(),
        advice: hints.join("; "),
    }
}
