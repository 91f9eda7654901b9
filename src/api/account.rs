//! Server functions for the account pool.

use crate::domain::account::{Account, AccountQuery, AccountSwitch, AccountView, Selection};
use crate::domain::project::Page;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    domain::account::{AccountId, AccountInput, AccountQueryInput, SelectInput},
    domain::quota::ResetRuleInput,
    server::clock,
    service::account::{self as svc, RotateInput},
    storage::account::SwitchesOf,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListing {
    pub page: Page<AccountView>,
    pub query: AccountQuery,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub view: AccountView,
    pub switches: Vec<AccountSwitch>,
    /// Credits changed by hand, newest first.
    pub adjustments: Vec<crate::domain::account::Adjustment>,
    pub now: Timestamp,
}

/// What a batch import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: Vec<(String, i64)>,
    pub errors: Vec<crate::domain::account::RowError>,
    pub atomic: bool,
}

pub use crate::domain::account::AccountOption;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationView {
    pub next_account: Account,
    pub previous_account: Account,
    pub briefing: String,
    pub credit_savings: String,
    pub reason: String,
}

#[cfg(feature = "ssr")]
fn parse_id(raw: &str) -> Result<AccountId, AppError> {
    super::form::target(raw, "id")
}

#[cfg(feature = "ssr")]
use super::form::opt_number as number;

/// The form fields of an account, as the create and edit forms send them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(default)]
    pub account_email: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub specialization: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub credits_available: Option<String>,
    #[serde(default)]
    pub credit_capacity: Option<String>,
    #[serde(default)]
    pub reset_kind: Option<String>,
    #[serde(default)]
    pub reset_at: Option<String>,
    #[serde(default)]
    pub reset_tz: Option<String>,
    #[serde(default)]
    pub reset_hours: Option<String>,
    #[serde(default)]
    pub reset_weekday: Option<String>,
    #[serde(default)]
    pub reset_day: Option<String>,
    /// The version the edit form was rendered from.
    #[serde(default)]
    pub version: Option<String>,
    /// The credits the edit form showed: credits change only if the field differs.
    #[serde(default)]
    pub credits_expected: Option<String>,
}

#[cfg(feature = "ssr")]
impl AccountForm {
    fn into_input(self) -> Result<AccountInput, AppError> {
        let reset = ResetRuleInput {
            kind: self.reset_kind,
            at: self.reset_at,
            tz: self.reset_tz,
            hours: number(self.reset_hours, "reset.hours")?,
            weekday: self.reset_weekday,
            day: number(self.reset_day, "reset.day")?,
        };
        let credits = number(self.credits_available, "credits_available")?;
        let expected = number(self.credits_expected, "credits_available")?;
        Ok(AccountInput {
            account_name: self.account_name,
            account_email: self.account_email,
            platform: self.platform,
            specialization: self.specialization,
            notes: self.notes,
            // an edit form that shows the credits sends them back unchanged: that is no
            // change (debits made meanwhile stay); a changed value is checked against the
            // credits the form showed
            credits_available: match expected {
                Some(e) if credits == Some(e) => None,
                _ => credits,
            },
            credit_capacity: number(self.credit_capacity, "credit_capacity")?,
            line: None,
            status: None,
            reset: Some(reset),
            version: number(self.version, "version")?,
            credits_expected: expected,
            credits_reason: None,
        })
    }
}

#[server(prefix = "/rpc", endpoint = "list_accounts")]
pub async fn list_accounts(
    status: Option<String>,
    platform: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
) -> Result<AccountListing, AppError> {
    let state = super::ssr::state()?;
    let query = AccountQuery::parse(&AccountQueryInput {
        status,
        platform,
        q,
        sort,
        page,
    })?;
    let now = clock::now();
    let mut page = svc::list(&state.db, &query, now, state.pool.thresholds).await?;
    if !super::ssr::sees_private_fields() {
        page.items = page
            .items
            .into_iter()
            .map(|v| v.without_private_fields())
            .collect();
    }
    Ok(AccountListing { page, query, now })
}

#[server(prefix = "/rpc", endpoint = "get_account")]
pub async fn get_account(id: String) -> Result<AccountDetail, AppError> {
    let state = super::ssr::state()?;
    let id = parse_id(&id)?;
    let now = clock::now();
    let mut view = svc::get(&state.db, id, now, state.pool.thresholds).await?;
    if !super::ssr::sees_private_fields() {
        view = view.without_private_fields();
    }
    let switches = svc::history(&state.db, SwitchesOf::Account(id), 50).await?;
    let adjustments = svc::adjustments(&state.db, id, 20).await?;
    Ok(AccountDetail {
        view,
        switches,
        adjustments,
        now,
    })
}

/// Accounts to pick from (not blocked), most credits first.
#[server(prefix = "/rpc", endpoint = "account_options")]
pub async fn account_options() -> Result<Vec<AccountOption>, AppError> {
    let state = super::ssr::state()?;
    svc::options(&state.db, clock::now(), state.pool.thresholds).await
}

/// Accounts a project can rotate away from: those its running sessions use first (the
/// first one preselected), then the usable ones with the most credits — a short list even
/// with a thousand accounts.
#[server(prefix = "/rpc", endpoint = "rotate_choices")]
pub async fn rotate_choices(project_id: String) -> Result<Vec<AccountOption>, AppError> {
    let state = super::ssr::state()?;
    let project = crate::domain::project::ProjectId(
        number(Some(project_id), "project_id")?.unwrap_or_default(),
    );
    svc::rotate_choices(&state.db, project, clock::now(), state.pool.thresholds).await
}

pub use crate::domain::account::ROTATE_CHOICES;

#[server(prefix = "/rpc", endpoint = "create_account")]
pub async fn create_account(form: AccountForm) -> Result<Account, AppError> {
    // the form asks for the platform; it is never assumed
    if form.platform.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(AppError::validation(
            "platform",
            "choose the platform this account is on",
        ));
    }
    let state = super::ssr::state()?;
    let input = form.into_input()?;
    svc::create(&state.db, &input, clock::now(), state.pool.thresholds).await
}

#[server(prefix = "/rpc", endpoint = "update_account")]
pub async fn update_account(id: String, form: AccountForm) -> Result<Account, AppError> {
    let state = super::ssr::state()?;
    let mut input = form.into_input()?;
    // the edit form always sends every field; text left empty clears it
    input.account_email.get_or_insert_with(String::new);
    input.specialization.get_or_insert_with(String::new);
    input.notes.get_or_insert_with(String::new);
    svc::update(
        &state.db,
        parse_id(&id)?,
        &input,
        clock::now(),
        state.pool.thresholds,
    )
    .await
}

/// Block, unblock, or set credits: the quick actions of an account page.
#[server(prefix = "/rpc", endpoint = "account_action")]
pub async fn account_action(id: String, action: String) -> Result<Account, AppError> {
    let state = super::ssr::state()?;
    let id = parse_id(&id)?;
    let action = action.parse().map_err(AppError::from)?;
    svc::quick_action(&state.db, id, action, clock::now(), state.pool.thresholds).await
}

#[server(prefix = "/rpc", endpoint = "delete_account")]
pub async fn delete_account(id: String, confirm: Option<String>) -> Result<(), AppError> {
    // deleting cannot be undone: the form asks for a tick first
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::validation(
            "confirm",
            "tick the box to confirm: a deleted account cannot be brought back",
        ));
    }
    let state = super::ssr::state()?;
    svc::delete(&state.db, parse_id(&id)?).await?;
    leptos_axum::redirect("/accounts");
    Ok(())
}

/// Imports pasted CSV (with a header row), a JSON array or JSON lines.
#[server(prefix = "/rpc", endpoint = "import_accounts")]
pub async fn import_accounts(
    text: String,
    atomic: Option<String>,
) -> Result<ImportReport, AppError> {
    let state = super::ssr::state()?;
    let atomic = atomic.is_some_and(|a| !a.is_empty() && a != "false");
    let rows = crate::domain::account::parse_paste(&text)?;
    let outcome =
        svc::batch_create(&state.db, rows, atomic, clock::now(), state.pool.thresholds).await?;
    Ok(ImportReport {
        created: outcome
            .created
            .into_iter()
            .map(|(n, id)| (n, id.0))
            .collect(),
        errors: outcome.errors,
        atomic,
    })
}

#[server(prefix = "/rpc", endpoint = "select_account")]
pub async fn select_account(
    specialization: Option<String>,
    min_credits: Option<String>,
    strategy: Option<String>,
) -> Result<Selection, AppError> {
    let state = super::ssr::state()?;
    let input = SelectInput {
        specialization,
        min_credits: number(min_credits, "min_credits")?,
        strategy,
        current_account_id: None,
        project_id: None,
    };
    svc::select(&state.db, &input, clock::now(), state.pool.thresholds).await
}

#[server(prefix = "/rpc", endpoint = "rotate_account")]
pub async fn rotate_account(
    project_id: String,
    current_account_id: Option<String>,
    strategy: Option<String>,
) -> Result<RotationView, AppError> {
    let state = super::ssr::state()?;
    let input = RotateInput {
        current_account_id: number(current_account_id, "current_account_id")?,
        project_id: number(Some(project_id), "project_id")?,
        specialization: None,
        min_credits: None,
        strategy,
    };
    let r = svc::rotate(&state.db, &input, clock::now(), state.pool).await?;
    Ok(RotationView {
        next_account: r.next_account,
        previous_account: r.previous_account,
        briefing: r.briefing,
        credit_savings: r.credit_savings,
        reason: r.reason,
    })
}

#[server(prefix = "/rpc", endpoint = "project_switches")]
pub async fn project_switches(
    project_id: String,
) -> Result<(Vec<AccountSwitch>, Timestamp), AppError> {
    let state = super::ssr::state()?;
    let id = number(Some(project_id), "project_id")?.unwrap_or_default();
    Ok((
        svc::history(&state.db, SwitchesOf::Project(id), 50).await?,
        clock::now(),
    ))
}

#[server(prefix = "/rpc", endpoint = "latest_handoff")]
pub async fn latest_handoff(
    project_id: String,
) -> Result<Option<(crate::domain::briefing::Handoff, Timestamp)>, AppError> {
    let state = super::ssr::state()?;
    let id = crate::domain::project::ProjectId(
        number(Some(project_id), "project_id")?.unwrap_or_default(),
    );
    Ok(crate::service::handoff::latest(&state.db, id)
        .await?
        .map(|h| (h, clock::now())))
}
