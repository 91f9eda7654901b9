//! The account pool: AI accounts with credits, a capacity they refill to, a reset rule and
//! a status. No passwords or API keys are ever held for an account.

use crate::domain::quota::{ResetRule, ResetRuleInput};
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub const NAME_MAX_CHARS: usize = 100;
pub const TEXT_MAX_CHARS: usize = 2_000;
pub use crate::domain::limits::MAX_CREDITS;
pub const PER_PAGE: u32 = 50;

id_type!(AccountId, "an account");

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($variant:ident => $text:literal, $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema), sqlx(rename_all = "snake_case"))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                let t = s.trim().to_ascii_lowercase();
                Self::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    FieldError::new($field, format!("{s:?} is not one of {}", names.join(", ")))
                })
            }
        }
    };
}

text_enum!(
    /// The vendor an account belongs to.
    Platform, "platform", {
        Genspark => "genspark", "GenSpark",
        Claude => "claude", "Claude",
        Chatgpt => "chatgpt", "ChatGPT",
        Gemini => "gemini", "Gemini",
        Local => "local", "Local model",
        Other => "other", "Other",
    }
);

text_enum!(
    AccountStatus, "status", {
        Available => "available", "Available",
        Active => "active", "Active",
        Exhausted => "exhausted", "Exhausted",
        Blocked => "blocked", "Blocked",
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

/// Raw input for an account, as it arrives from a form, JSON or a CSV row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountInput {
    #[serde(default, alias = "name")]
    pub account_name: Option<String>,
    #[serde(default, alias = "email")]
    pub account_email: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub specialization: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default, alias = "credits")]
    pub credits_available: Option<i64>,
    #[serde(default, alias = "capacity")]
    pub credit_capacity: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub reset: Option<ResetRuleInput>,
    /// In an edit: the version it was based on (stale → 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// In an edit that sets `credits_available`: the credits the client saw. Credits change
    /// only when they still are that (else 409): a form never puts back debits.
    #[serde(default)]
    pub credits_expected: Option<i64>,
    /// Why the credits change (the account's history shows it).
    #[serde(default)]
    pub credits_reason: Option<String>,
    /// Where it came from in pasted text: its line (errors name it). Not part of any API.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// A valid new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub email: Option<String>,
    pub platform: Platform,
    pub specialization: Option<String>,
    pub notes: Option<String>,
    pub credits: i64,
    pub capacity: i64,
    pub status: AccountStatus,
    pub reset: ResetRule,
}

pub fn parse_name(s: &str) -> Result<String, FieldError> {
    crate::domain::text::required_name(s, "account_name", NAME_MAX_CHARS)
}

pub fn parse_email(s: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    email_address::EmailAddress::from_str(t)
        .map(|e| Some(e.as_str().to_owned()))
        .map_err(|e| {
            FieldError::new(
                "account_email",
                format!("{t:?} is not an email address ({e})"),
            )
        })
}

fn parse_text(s: Option<&str>, field: &str) -> Result<Option<String>, FieldError> {
    crate::domain::text::optional(s, field, TEXT_MAX_CHARS)
}

pub fn parse_credits(v: i64, field: &str) -> Result<i64, FieldError> {
    if v < 0 {
        return Err(FieldError::new(
            field,
            format!("must not be negative (got {v})"),
        ));
    }
    if v > MAX_CREDITS {
        return Err(FieldError::new(field, format!("at most {MAX_CREDITS}")));
    }
    Ok(v)
}

impl NewAccount {
    pub fn parse(input: &AccountInput, th: Thresholds) -> Result<Self, FieldError> {
        let name = parse_name(input.account_name.as_deref().unwrap_or(""))?;
        let email = parse_email(input.account_email.as_deref())?;
        let platform = match input.platform.as_deref().map(str::trim) {
            None | Some("") => Platform::Genspark,
            Some(p) => p.parse()?,
        };
        let capacity = parse_credits(input.credit_capacity.unwrap_or(100), "credit_capacity")?;
        let credits = parse_credits(
            input.credits_available.unwrap_or(capacity),
            "credits_available",
        )?;
        let reset = ResetRule::parse(&input.reset.clone().unwrap_or_default())?;
        let requested = match input.status.as_deref().map(str::trim) {
            None | Some("") => AccountStatus::Available,
            Some(s) => s.parse()?,
        };
        Ok(Self {
            name,
            email,
            platform,
            specialization: parse_text(input.specialization.as_deref(), "specialization")?,
            notes: parse_text(input.notes.as_deref(), "notes")?,
            credits,
            capacity,
            status: requested.after_credits(credits, th),
            reset,
        })
    }
}

/// A change of credits by hand, as the account's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Adjustment {
    pub created_at: Timestamp,
    pub credits_before: i64,
    pub credits_after: i64,
    pub reason: String,
}

/// Raw credit adjustment: a `delta` (+/−), or `set_to` with the credits the client saw
/// (`expected`); and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdjustmentInput {
    #[serde(default)]
    pub delta: Option<i64>,
    #[serde(default)]
    pub set_to: Option<i64>,
    #[serde(default)]
    pub expected: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The longest reason of an adjustment.
pub const REASON_MAX_CHARS: usize = 500;

/// A valid adjustment, applied to `current` credits: the credits after it. A `set_to`
/// whose `expected` is not `current` is stale (`Err(None)`: the caller answers 409).
pub fn adjust(current: i64, input: &AdjustmentInput) -> Result<(i64, String), Option<FieldError>> {
    let reason = crate::domain::text::optional(input.reason.as_deref(), "reason", REASON_MAX_CHARS)
        .map_err(Some)?
        .ok_or_else(|| Some(FieldError::new("reason", "say why the credits change")))?;
    let after = match (input.delta, input.set_to) {
        (Some(d), None) => {
            let after = current
                .checked_add(d)
                .ok_or_else(|| Some(FieldError::new("delta", format!("at most {MAX_CREDITS}"))))?;
            if after < 0 {
                return Err(Some(FieldError::new(
                    "delta",
                    format!("the account has {current} credits; it cannot go below 0"),
                )));
            }
            parse_credits(after, "delta").map_err(Some)?
        }
        (None, Some(to)) => {
            let to = parse_credits(to, "set_to").map_err(Some)?;
            match input.expected {
                None => {
                    return Err(Some(FieldError::new(
                        "expected",
                        "send the credits you saw, so a change made meanwhile is not undone",
                    )))
                }
                Some(e) if e != current => return Err(None),
                Some(_) => to,
            }
        }
        _ => {
            return Err(Some(FieldError::new(
                "delta",
                "send either delta (credits to add or take) or set_to with expected",
            )))
        }
    };
    Ok((after, reason))
}

/// Raw input for changing an account: absent fields stay; empty text clears.
pub type AccountPatchInput = AccountInput;

/// The account after applying a change at `now` (credits re-evaluate the status; a new
/// reset rule restarts its window at `now`).
pub fn apply_patch(
    mut account: Account,
    input: &AccountPatchInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Account, FieldError> {
    let mut changed = false;
    if let Some(n) = &input.account_name {
        account.account_name = parse_name(n)?;
        changed = true;
    }
    if let Some(e) = &input.account_email {
        account.account_email = parse_email(Some(e))?;
        changed = true;
    }
    if let Some(p) = &input.platform {
        account.platform = p.parse()?;
        changed = true;
    }
    if let Some(s) = &input.specialization {
        account.specialization = parse_text(Some(s), "specialization")?;
        changed = true;
    }
    if let Some(s) = &input.notes {
        account.notes = parse_text(Some(s), "notes")?;
        changed = true;
    }
    if let Some(c) = input.credit_capacity {
        account.credit_capacity = parse_credits(c, "credit_capacity")?;
        changed = true;
    }
    if let Some(s) = &input.status {
        account.status = s.parse()?;
        changed = true;
    }
    if let Some(c) = input.credits_available {
        account.credits_available = parse_credits(c, "credits_available")?;
        // a status set by hand in the same change wins unless the credits contradict it
        account.status = account.status.after_credits(account.credits_available, th);
        changed = true;
    }
    if let Some(r) = &input.reset {
        let rule = ResetRule::parse(r)?;
        account.reset = rule.to_input();
        account.last_refresh_at = Some(now);
        account.next_refresh_at = rule.next_after(now);
        changed = true;
    }
    if !changed {
        return Err(FieldError::new("body", "nothing to change"));
    }
    account.updated_at = now;
    account.version += 1;
    Ok(account)
}

// ---------- selection ----------

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
) -> Result<Selection, AppError> {
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
fn no_account_error(pool: &[Account], req: &SelectRequest, now: Timestamp) -> AppError {
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
    AppError::NoAccount {
        message: "No available accounts with sufficient credits".into(),
        suggestion: hints.join("; "),
    }
}

// ---------- batch import ----------

/// One row's problem in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based row number in the request (or line in pasted text).
    pub row: usize,
    pub field: String,
    pub error: String,
}

/// Parses pasted accounts: JSON lines (one object a line), a JSON array, or CSV with a
/// header row (`account_name,account_email,platform,specialization,credits,capacity,…`).
pub fn parse_paste(text: &str) -> Result<Vec<Result<AccountInput, RowError>>, FieldError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            "text",
            "paste CSV with a header row, or JSON lines",
        ));
    }
    if trimmed.starts_with('[') {
        let rows: Vec<serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| FieldError::new("text", format!("not a JSON array: {e}")))?;
        return Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                serde_json::from_value::<AccountInput>(v)
                    .map(|input| AccountInput {
                        line: Some(i + 1),
                        ..input
                    })
                    .map_err(|e| RowError {
                        row: i + 1,
                        field: "row".into(),
                        error: e.to_string(),
                    })
            })
            .collect());
    }
    if trimmed.starts_with('{') {
        return Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str::<AccountInput>(l)
                    .map(|input| AccountInput {
                        line: Some(i + 1),
                        ..input
                    })
                    .map_err(|e| RowError {
                        row: i + 1,
                        field: "row".into(),
                        error: format!("not a JSON object: {e}"),
                    })
            })
            .collect());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| FieldError::new("text", format!("unreadable CSV header: {e}")))?
        .clone();
    let known = [
        "account_name",
        "name",
        "account_email",
        "email",
        "platform",
        "specialization",
        "notes",
        "credits_available",
        "credits",
        "credit_capacity",
        "capacity",
        "status",
        "reset",
        "reset_kind",
        "reset_at",
        "reset_tz",
        "reset_hours",
        "reset_weekday",
        "reset_day",
    ];
    if let Some(h) = headers
        .iter()
        .find(|h| !known.contains(&h.to_ascii_lowercase().as_str()))
    {
        return Err(FieldError::new(
            "text",
            format!("unknown CSV column {h:?}; known: {}", known.join(", ")),
        ));
    }
    if !headers
        .iter()
        .any(|h| matches!(h.to_ascii_lowercase().as_str(), "account_name" | "name"))
    {
        return Err(FieldError::new(
            "text",
            "the CSV header needs an account_name column",
        ));
    }
    let mut out = Vec::new();
    let mut last_line = 1;
    for record in reader.records() {
        // the line the record starts on (blank lines and quoted line breaks counted)
        let row = match &record {
            Ok(r) => r.position().map(|p| record_line(text, p)),
            Err(e) => e.position().map(|p| record_line(text, p)),
        }
        .unwrap_or(last_line + 1);
        last_line = row;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(Err(RowError {
                    row,
                    field: "row".into(),
                    error: format!("malformed CSV row: {e}"),
                }));
                continue;
            }
        };
        out.push(csv_row(&headers, &record, row));
    }
    Ok(out)
}

/// The line a CSV record's text starts on: the reader's position counts the blank lines
/// before it as part of the record.
fn record_line(text: &str, p: &csv::Position) -> usize {
    let from = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    let blank = text
        .get(from..)
        .unwrap_or("")
        .bytes()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| *b == b'\n')
        .count();
    usize::try_from(p.line())
        .unwrap_or(usize::MAX)
        .saturating_add(blank)
}

fn csv_row(
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
    row: usize,
) -> Result<AccountInput, RowError> {
    let mut input = AccountInput::default();
    let mut reset = ResetRuleInput::default();
    let mut has_reset = false;
    let int = |v: &str, field: &str| -> Result<Option<i64>, RowError> {
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>().map(Some).map_err(|_| RowError {
            row,
            field: field.into(),
            error: format!("{v:?} is not a whole number"),
        })
    };
    for (h, v) in headers.iter().zip(record.iter()) {
        let v = v.trim();
        let text = || (!v.is_empty()).then(|| v.to_owned());
        match h.to_ascii_lowercase().as_str() {
            "account_name" | "name" => input.account_name = text(),
            "account_email" | "email" => input.account_email = text(),
            "platform" => input.platform = text(),
            "specialization" => input.specialization = text(),
            "notes" => input.notes = text(),
            "credits_available" | "credits" => {
                input.credits_available = int(v, "credits_available")?
            }
            "credit_capacity" | "capacity" => input.credit_capacity = int(v, "credit_capacity")?,
            "status" => input.status = text(),
            "reset" | "reset_kind" => {
                reset.kind = text();
                has_reset |= !v.is_empty();
            }
            "reset_at" => reset.at = text(),
            "reset_tz" => reset.tz = text(),
            "reset_hours" => reset.hours = int(v, "reset.hours")?,
            "reset_weekday" => reset.weekday = text(),
            "reset_day" => reset.day = int(v, "reset.day")?,
            _ => {}
        }
    }
    if has_reset {
        input.reset = Some(reset);
    }
    input.line = Some(row);
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::Strategy;
    use super::*;
    use proptest::prelude::{prop_assert, prop_assert_eq, prop_assert_ne, proptest};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    pub(crate) fn account(id: i64, credits: i64, status: AccountStatus) -> Account {
        Account {
            id: AccountId(id),
            account_name: format!("A{id}"),
            account_email: None,
            platform: Platform::Genspark,
            specialization: None,
            notes: None,
            credits_available: credits,
            credit_capacity: 100,
            status,
            reset: ResetRuleInput::default(),
            last_refresh_at: None,
            next_refresh_at: None,
            last_used_at: None,
            created_at: ts("2026-01-01T00:00:00Z"),
            updated_at: ts("2026-01-01T00:00:00Z"),
            version: 1,
        }
    }

    fn req() -> SelectRequest {
        SelectRequest::parse(&SelectInput::default()).unwrap()
    }

    const NOW: &str = "2026-02-01T12:00:00Z";

    #[test]
    fn spec_selection_order_on_a_crafted_pool() {
        use AccountStatus::*;
        let mut pool = vec![
            account(1, 95, Blocked),   // blocked: never
            account(2, 99, Exhausted), // wrong status
            account(3, 49, Available), // below 50
            account(4, 80, Available), // 80, used recently
            account(5, 80, Active),    // 80, used long ago -> wins the tie
            account(6, 70, Available),
            account(7, 90, Available), // frontend: best when asked for frontend? no: backend
        ];
        pool[3].last_used_at = Some(ts("2026-01-31T00:00:00Z"));
        pool[4].last_used_at = Some(ts("2026-01-01T00:00:00Z"));
        pool[6].specialization = Some("Backend, Rust".into());
        pool[5].specialization = Some("React, Frontend".into());
        let now = ts(NOW);
        // no specialization: the 90-credit account
        assert_eq!(select(&pool, &req(), now).unwrap().account.id, AccountId(7));
        // Frontend: account 7 (Backend) no longer matches; 4 and 5 have no specialization (match),
        // tie at 80 broken by least recent use
        let frontend = SelectRequest {
            specialization: Some("frontend".into()),
            ..req()
        };
        let s = select(&pool, &frontend, now).unwrap();
        assert_eq!(s.account.id, AccountId(5));
        assert!(s.reason.contains("least recently used"), "{}", s.reason);
        assert_eq!(s.candidates, 3);
        // min_credits raises the bar
        let high = SelectRequest {
            min_credits: 85,
            ..req()
        };
        assert_eq!(select(&pool, &high, now).unwrap().account.id, AccountId(7));
        // never the excluded one
        let rotate = SelectRequest {
            exclude: Some(AccountId(7)),
            ..req()
        };
        assert_eq!(
            select(&pool, &rotate, now).unwrap().account.id,
            AccountId(5)
        );
    }

    #[test]
    fn strategies() {
        use AccountStatus::*;
        let now = ts(NOW);
        let mut a = account(1, 90, Available);
        a.credit_capacity = 1000; // 9 %
        let mut b = account(2, 60, Available); // 60 %
        b.next_refresh_at = Some(ts("2026-02-01T13:00:00Z"));
        let mut c = account(3, 70, Active); // 70 %
        c.next_refresh_at = Some(ts("2026-02-03T00:00:00Z"));
        c.last_used_at = Some(ts("2026-02-01T11:00:00Z"));
        let pool = vec![a, b, c];
        let pick = |s: Strategy, current: Option<i64>| {
            let r = SelectRequest {
                strategy: s,
                current: current.map(AccountId),
                ..req()
            };
            select(&pool, &r, now).unwrap()
        };
        assert_eq!(pick(Strategy::Best, None).account.id, AccountId(1));
        assert_eq!(pick(Strategy::MostHeadroom, None).account.id, AccountId(3));
        let soon = pick(Strategy::SoonestReset, None);
        assert_eq!(soon.account.id, AccountId(2));
        assert!(soon.reason.contains("in 1 h"), "{}", soon.reason);
        assert_eq!(pick(Strategy::Sticky, Some(3)).account.id, AccountId(3));
        assert_eq!(pick(Strategy::Sticky, Some(99)).account.id, AccountId(1));
        assert_eq!(
            pick(Strategy::LeastRecentlyUsed, None).account.id,
            AccountId(1)
        );
        for s in Strategy::ALL {
            assert!(!pick(s, None).reason.is_empty());
        }
    }

    #[test]
    fn none_available_suggests_the_soonest_refresh() {
        use AccountStatus::*;
        let mut a = account(1, 5, Exhausted);
        a.next_refresh_at = Some(ts("2026-02-01T14:30:00Z"));
        a.account_name = "Claude-Pro".into();
        let b = account(2, 30, Available);
        let e = select(&[a, b], &req(), ts(NOW)).unwrap_err();
        let AppError::NoAccount {
            message,
            suggestion,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(message, "No available accounts with sufficient credits");
        assert!(
            suggestion.contains("Claude-Pro refreshes soonest, in 2 h 30 min"),
            "{suggestion}"
        );
        assert!(suggestion.contains("A2 has 30 credits"), "{suggestion}");
        assert_eq!(e.status_code(), 409);
        let e = select(&[], &req(), ts(NOW)).unwrap_err();
        assert!(e.suggestion().unwrap().contains("wait for credit refresh"));
    }

    #[test]
    fn status_rules() {
        use AccountStatus::*;
        let th = Thresholds::default();
        assert_eq!(Available.after_credits(9, th), Exhausted);
        assert_eq!(Active.after_credits(9, th), Exhausted);
        assert_eq!(Exhausted.after_credits(10, th), Available);
        assert_eq!(Blocked.after_credits(100, th), Blocked);
        assert_eq!(Blocked.after_credits(0, th), Blocked);
        assert_eq!(Active.after_credits(50, th), Active);
    }

    #[test]
    fn new_account_validation_names_fields() {
        let th = Thresholds::default();
        let e = |i: AccountInput| NewAccount::parse(&i, th).unwrap_err().field;
        let ok = AccountInput {
            account_name: Some("A".into()),
            ..Default::default()
        };
        assert_eq!(e(AccountInput::default()), "account_name");
        assert_eq!(
            e(AccountInput {
                platform: Some("myspace".into()),
                ..ok.clone()
            }),
            "platform"
        );
        assert_eq!(
            e(AccountInput {
                account_email: Some("not-an-email".into()),
                ..ok.clone()
            }),
            "account_email"
        );
        assert_eq!(
            e(AccountInput {
                credits_available: Some(-1),
                ..ok.clone()
            }),
            "credits_available"
        );
        assert_eq!(
            e(AccountInput {
                status: Some("sleeping".into()),
                ..ok.clone()
            }),
            "status"
        );
        let a = NewAccount::parse(
            &AccountInput {
                credits_available: Some(5),
                ..ok.clone()
            },
            th,
        )
        .unwrap();
        assert_eq!(
            a.status,
            AccountStatus::Exhausted,
            "few credits start exhausted"
        );
        let a = NewAccount::parse(&ok, th).unwrap();
        assert_eq!(
            (a.credits, a.capacity, a.platform),
            (100, 100, Platform::Genspark)
        );
    }

    #[test]
    fn patch_re_evaluates_status() {
        let th = Thresholds::default();
        let now = ts(NOW);
        let a = account(1, 80, AccountStatus::Active);
        let p = apply_patch(
            a.clone(),
            &AccountInput {
                credits_available: Some(3),
                ..Default::default()
            },
            now,
            th,
        )
        .unwrap();
        assert_eq!(p.status, AccountStatus::Exhausted);
        let back = apply_patch(
            p,
            &AccountInput {
                credits_available: Some(60),
                ..Default::default()
            },
            now,
            th,
        )
        .unwrap();
        assert_eq!(back.status, AccountStatus::Available);
        let e = apply_patch(a, &AccountInput::default(), now, th).unwrap_err();
        assert_eq!(e.field, "body");
    }

    #[test]
    fn refill_is_due_once_per_window() {
        let th = Thresholds::default();
        let mut a = account(1, 3, AccountStatus::Exhausted);
        a.reset = ResetRuleInput {
            kind: Some("rolling".into()),
            hours: Some(5),
            ..Default::default()
        };
        a.last_refresh_at = Some(ts("2026-02-01T00:00:00Z"));
        a.next_refresh_at = Some(ts("2026-02-01T05:00:00Z"));
        assert_eq!(a.due_refill(ts("2026-02-01T04:59:00Z"), th), None);
        let r = a.due_refill(ts("2026-02-01T11:00:00Z"), th).unwrap();
        assert_eq!(r.window_at, ts("2026-02-01T10:00:00Z"));
        assert_eq!(r.next_refresh_at, Some(ts("2026-02-01T15:00:00Z")));
        assert_eq!((r.credits_before, r.credits_after), (3, 100));
        assert_eq!(r.status, AccountStatus::Available);
        // applied: the same instant has nothing more to do
        a.credits_available = r.credits_after;
        a.last_refresh_at = Some(r.window_at);
        a.next_refresh_at = r.next_refresh_at;
        assert_eq!(a.due_refill(ts("2026-02-01T11:00:00Z"), th), None);
    }

    #[test]
    fn paste_formats() {
        let csv = "account_name,platform,credits,reset,reset_hours\nA,claude,80,rolling,5\nB,nope,10,,\n\"C,x\",gemini,abc,,\n";
        let rows = parse_paste(csv).unwrap();
        assert_eq!(rows.len(), 3);
        let a = rows[0].as_ref().unwrap();
        assert_eq!(a.account_name.as_deref(), Some("A"));
        assert_eq!(a.reset.as_ref().unwrap().hours, Some(5));
        assert!(
            rows[1].is_ok(),
            "platform is checked later, by NewAccount::parse"
        );
        let e = rows[2].as_ref().unwrap_err();
        assert_eq!((e.row, e.field.as_str()), (4, "credits_available"));

        let jl = "{\"account_name\": \"J1\"}\n\n{\"account_name\": 5}\n";
        let rows = parse_paste(jl).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_ok());
        assert_eq!(rows[1].as_ref().unwrap_err().row, 3);

        assert_eq!(parse_paste("  ").unwrap_err().field, "text");
        assert!(parse_paste("who,what\n1,2")
            .unwrap_err()
            .message
            .contains("unknown CSV column"));
        let ragged = parse_paste("account_name,platform\nA\n").unwrap();
        assert!(ragged[0]
            .as_ref()
            .unwrap_err()
            .error
            .contains("malformed CSV row"));
    }

    proptest! {
        #[test]
        fn selection_never_breaks_its_rules(
            specs in proptest::collection::vec((0i64..200, 0usize..4, 0u8..3), 0..30),
            min in 0i64..150,
            strategy in 0usize..5,
            exclude in 0i64..30,
        ) {
            let pool: Vec<Account> = specs.iter().enumerate().map(|(i, (c, s, sp))| {
                let mut a = account(i as i64 + 1, *c, AccountStatus::ALL[*s]);
                a.specialization = match sp { 0 => None, 1 => Some("Frontend".into()), _ => Some("Backend".into()) };
                a
            }).collect();
            let r = SelectRequest {
                specialization: Some("front".into()),
                min_credits: min,
                strategy: Strategy::ALL[strategy],
                current: None,
                exclude: Some(AccountId(exclude)),
            };
            match select(&pool, &r, ts(NOW)) {
                Ok(s) => {
                    prop_assert!(s.account.credits_available >= min);
                    prop_assert!(matches!(s.account.status, AccountStatus::Available | AccountStatus::Active));
                    prop_assert!(s.account.id != AccountId(exclude));
                    prop_assert!(s.account.specialization.as_deref() != Some("Backend"));
                }
                Err(e) => prop_assert!(matches!(e, AppError::NoAccount { .. }), "unexpected error {:?}", e),
            }
        }

        #[test]
        fn status_after_credits_is_consistent(credits in -5i64..200, s in 0usize..4) {
            let th = Thresholds::default();
            let before = AccountStatus::ALL[s];
            let after = before.after_credits(credits, th);
            if before == AccountStatus::Blocked { prop_assert_eq!(after, AccountStatus::Blocked) }
            else if credits < th.exhausted_below { prop_assert_eq!(after, AccountStatus::Exhausted) }
            else { prop_assert_ne!(after, AccountStatus::Exhausted) }
        }
    }
}

// ---------- switch history ----------

text_enum!(
    /// What caused an account switch.
    SwitchKind, "kind", {
        Select => "select", "Selected",
        Rotate => "rotate", "Rotated",
        Manual => "manual", "Switched by hand",
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

// ---------- listing ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountSort {
    /// Most credits first (the spec's order).
    #[default]
    Credits,
    /// Largest share of capacity left first.
    Headroom,
    /// Soonest refill first.
    Refresh,
    /// Alphabetical.
    Name,
    /// Most recently used first.
    Used,
}

impl AccountSort {
    pub const ALL: [AccountSort; 5] = [
        Self::Credits,
        Self::Headroom,
        Self::Refresh,
        Self::Name,
        Self::Used,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credits => "credits",
            Self::Headroom => "headroom",
            Self::Refresh => "refresh",
            Self::Name => "name",
            Self::Used => "used",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Credits => "Credits",
            Self::Headroom => "Headroom",
            Self::Refresh => "Next refill",
            Self::Name => "Name",
            Self::Used => "Last used",
        }
    }
}

impl FromStr for AccountSort {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .or_else(|| s.trim().is_empty().then_some(Self::Credits))
            .ok_or_else(|| {
                FieldError::new(
                    "sort",
                    format!("{s:?} is not one of credits, headroom, refresh, name, used"),
                )
            })
    }
}

/// Raw list parameters from a URL query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AccountQueryInput {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    /// Text searched in name and specialization.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountQuery {
    pub status: Option<AccountStatus>,
    pub platform: Option<Platform>,
    pub q: Option<String>,
    pub sort: AccountSort,
    pub page: u32,
}

impl AccountQuery {
    pub fn parse(input: &AccountQueryInput) -> Result<Self, FieldError> {
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "all")
                .map(str::to_owned)
        };
        let page = match input.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(FieldError::new(
                        "page",
                        format!("{p:?} is not a page number (1, 2, …)"),
                    ))
                }
            },
        };
        let q = opt(&input.q);
        if q.as_ref()
            .is_some_and(|q| q.chars().count() > crate::domain::limits::MAX_QUERY_CHARS)
        {
            return Err(FieldError::new(
                "q",
                format!(
                    "at most {} characters",
                    crate::domain::limits::MAX_QUERY_CHARS
                ),
            ));
        }
        Ok(Self {
            status: opt(&input.status).map(|s| s.parse()).transpose()?,
            platform: opt(&input.platform).map(|s| s.parse()).transpose()?,
            q,
            sort: input.sort.as_deref().unwrap_or("").parse()?,
            page,
        })
    }

    /// Like `parse`, with defaults for anything unreadable (for UI links).
    pub fn parse_lenient(input: &AccountQueryInput) -> Self {
        let fallback = |f: fn(&AccountQueryInput) -> AccountQueryInput| Self::parse(&f(input)).ok();
        Self::parse(input)
            .ok()
            .or_else(|| {
                fallback(|i| AccountQueryInput {
                    page: None,
                    ..i.clone()
                })
            })
            .or_else(|| {
                fallback(|i| AccountQueryInput {
                    q: i.q.clone(),
                    ..Default::default()
                })
            })
            .unwrap_or(Self {
                page: 1,
                ..Default::default()
            })
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * i64::from(PER_PAGE)
    }

    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(p) = self.platform {
            parts.push(format!("platform={}", p.as_str()));
        }
        if let Some(q) = &self.q {
            parts.push(format!("q={}", url_escape(q)));
        }
        if self.sort != AccountSort::Credits {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query value (unreserved characters pass).
fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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
mod query_tests {
    use super::*;

    #[test]
    fn query_parsing_and_links() {
        let q = AccountQuery::parse(&AccountQueryInput {
            status: Some("exhausted".into()),
            platform: Some("claude".into()),
            q: Some("front end".into()),
            sort: Some("refresh".into()),
            page: Some("2".into()),
        })
        .unwrap();
        assert_eq!(
            q.to_query_string(),
            "?status=exhausted&platform=claude&q=front%20end&sort=refresh&page=2"
        );
        assert_eq!(q.offset(), 50);
        let bad = AccountQueryInput {
            platform: Some("aol".into()),
            ..Default::default()
        };
        assert_eq!(AccountQuery::parse(&bad).unwrap_err().field, "platform");
        assert_eq!(
            AccountQuery::parse_lenient(&bad),
            AccountQuery {
                page: 1,
                ..Default::default()
            }
        );
        let all = AccountQueryInput {
            status: Some("all".into()),
            ..Default::default()
        };
        assert_eq!(AccountQuery::parse(&all).unwrap().status, None);
    }
}
