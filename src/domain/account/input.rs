//! Account input: raw fields from a form, JSON or a CSV row, checked into a new account,
//! a change to one, or a credit adjustment.

use super::{
    Account, AccountStatus, Platform, Thresholds, MAX_CREDITS, NAME_MAX_CHARS, TEXT_MAX_CHARS,
};
use crate::domain::quota::{ResetRule, ResetRuleInput};
use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

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
