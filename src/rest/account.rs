//! `/api/accounts` and the pool endpoints under `/api/private`.

use super::{
    body, created, ok, paged, ApiJson, ApiResult, CreatedEnvelope, Deleted, Envelope, PageEnvelope,
};
use super::{ApiQuery, PathId};
use crate::domain::account::AccountSwitch;
use crate::domain::account::{
    Account, AccountId, AccountInput, AccountQuery, AccountQueryInput, AccountStatus, AccountView,
    Adjustment, AdjustmentInput, Headroom, Platform, RowError, SelectInput, Strategy,
};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::account::{self as svc, RotateInput, SwitchInput};
use crate::storage::account::SwitchesOf;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An account with its computed headroom and refresh, flat as the spec lists accounts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountItem {
    #[serde(flatten)]
    pub account: Account,
    pub headroom_percent: u8,
    pub headroom: Headroom,
    /// When the credits refill, in words.
    pub reset_label: String,
    /// "in 2 h 10 min", or null without a schedule.
    pub refreshes_in: Option<String>,
}

impl AccountItem {
    fn of(v: AccountView, private: bool) -> Self {
        let v = if private {
            v
        } else {
            v.without_private_fields()
        };
        Self {
            account: v.account,
            headroom_percent: v.headroom_percent,
            headroom: v.headroom,
            reset_label: v.reset_label,
            refreshes_in: v.refreshes_in,
        }
    }
}

/// Lists the pool: filtered, searched, sorted, 50 a page.
#[utoipa::path(get, path = "/api/accounts", tag = "accounts", params(AccountQueryInput),
    responses((status = 200, body = PageEnvelope<AccountItem>)))]
pub async fn list(
    State(state): State<AppState>,
    who: super::Who,
    ApiQuery(input): ApiQuery<AccountQueryInput>,
) -> ApiResult {
    let query = AccountQuery::parse(&input).map_err(AppError::from)?;
    let page = svc::list(&state.db, &query, clock::now(), state.pool.thresholds).await?;
    let private = super::sees_private_fields(&who);
    paged(page, |v| AccountItem::of(v, private))
}

/// Adds an account to the pool.
#[utoipa::path(post, path = "/api/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = CreatedEnvelope<Account>)))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult {
    let account = svc::create(&state.db, &input, clock::now(), state.pool.thresholds).await?;
    created(account.id.0, account)
}

/// One account with its headroom (viewers see no e-mail or notes).
#[utoipa::path(get, path = "/api/accounts/{id}", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Envelope<AccountItem>)))]
pub async fn get(
    State(state): State<AppState>,
    who: super::Who,
    PathId(id): PathId<AccountId>,
) -> ApiResult {
    let view = svc::get(&state.db, id, clock::now(), state.pool.thresholds).await?;
    ok(AccountItem::of(view, super::sees_private_fields(&who)))
}

/// Changes an account; `version` guards against overwriting another edit (409).
#[utoipa::path(patch, path = "/api/accounts/{id}", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    request_body = AccountInput, responses((status = 200, body = Envelope<Account>)))]
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<AccountId>,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult {
    ok(svc::update(&state.db, id, &input, clock::now(), state.pool.thresholds).await?)
}

/// Adjusts an account's credits: `{"delta": -5, "reason": "…"}` or
/// `{"set_to": 80, "expected": 95, "reason": "…"}` (stale `expected` → 409).
#[utoipa::path(post, path = "/api/accounts/{id}/credits", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    request_body = AdjustmentInput, responses((status = 200, body = Envelope<Account>)))]
pub async fn adjust_credits(
    State(state): State<AppState>,
    PathId(id): PathId<AccountId>,
    ApiJson(input): ApiJson<AdjustmentInput>,
) -> ApiResult {
    ok(svc::adjust_credits(&state.db, id, &input, clock::now(), state.pool.thresholds).await?)
}

/// The account's credit adjustments, newest first.
#[utoipa::path(get, path = "/api/accounts/{id}/credits", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Envelope<Vec<Adjustment>>)))]
pub async fn adjustments(
    State(state): State<AppState>,
    PathId(id): PathId<AccountId>,
) -> ApiResult {
    ok(svc::adjustments(&state.db, id, 100).await?)
}

/// Deletes an account that has no sessions (block it otherwise).
#[utoipa::path(delete, path = "/api/accounts/{id}", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Envelope<Deleted>)))]
pub async fn delete(State(state): State<AppState>, PathId(id): PathId<AccountId>) -> ApiResult {
    svc::delete(&state.db, id).await?;
    ok(Deleted { id: id.0 })
}

/// The account's switches, newest first.
#[utoipa::path(get, path = "/api/accounts/{id}/switches", tag = "accounts", params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Envelope<Vec<AccountSwitch>>)))]
pub async fn switches(State(state): State<AppState>, PathId(id): PathId<AccountId>) -> ApiResult {
    ok(svc::history(&state.db, SwitchesOf::Account(id), 100).await?)
}

/// The project's account switches, newest first.
#[utoipa::path(get, path = "/api/projects/{id}/switches", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Envelope<Vec<AccountSwitch>>)))]
pub async fn project_switches(
    State(state): State<AppState>,
    PathId(id): PathId<crate::domain::project::ProjectId>,
) -> ApiResult {
    ok(svc::history(&state.db, SwitchesOf::Project(id.0), 100).await?)
}

/// Accounts to create in one call.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchRequest {
    /// Rows shaped as `POST /api/accounts` takes them.
    #[serde(default)]
    #[schema(value_type = Option<Vec<AccountInput>>)]
    accounts: Option<Vec<Value>>,
    /// All or none (default false: the valid rows are created).
    #[serde(default)]
    atomic: Option<bool>,
}

/// Creates many accounts: `{"accounts": [...], "atomic": false}`; each bad row is
/// named with its number and field.
#[utoipa::path(post, path = "/api/private/batch-create-accounts", tag = "accounts", request_body = BatchRequest,
    responses((status = 200, body = BatchCreated), (status = 422, body = BatchRefused)))]
pub async fn batch_create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<BatchRequest>,
) -> ApiResult {
    let Some(rows) = req.accounts else {
        return Err(
            AppError::validation("accounts", "give the accounts to create as an array").into(),
        );
    };
    let atomic = req.atomic.unwrap_or(false);
    let rows: Vec<Result<AccountInput, RowError>> = rows
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let de = serde_path_to_error::deserialize::<_, AccountInput>(v);
            de.map_err(|e| RowError {
                row: i + 1,
                field: match e.path().to_string() {
                    p if p == "." => "row".into(),
                    p => p,
                },
                error: e.into_inner().to_string(),
            })
        })
        .collect();
    let outcome =
        svc::batch_create(&state.db, rows, atomic, clock::now(), state.pool.thresholds).await?;
    Ok(batch_response(outcome, atomic))
}

/// A created account's name and id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NameAndId {
    pub name: String,
    pub id: AccountId,
}

/// What a batch created, and the rows it refused.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchCreated {
    pub success: bool,
    pub message: String,
    pub created: usize,
    pub accounts: Vec<NameAndId>,
    pub errors: Vec<RowError>,
}

/// A batch of which nothing was created: every row's problem in `errors`. A body that
/// is not a batch at all is refused with the plain error envelope (no `errors`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchRefused {
    pub success: bool,
    pub error: String,
    #[schema(required = false)]
    pub field: String,
    #[schema(required = false)]
    pub created: usize,
    #[schema(required = false)]
    pub accounts: Vec<NameAndId>,
    #[schema(required = false)]
    pub errors: Vec<RowError>,
}

pub fn batch_response(outcome: svc::BatchOutcome, atomic: bool) -> axum::response::Response {
    let accounts: Vec<NameAndId> = outcome
        .created
        .into_iter()
        .map(|(name, id)| NameAndId { name, id })
        .collect();
    let n = accounts.len();
    let errors = outcome.errors;
    if n == 0 && !errors.is_empty() {
        let first = &errors[0];
        let message = if atomic {
            format!(
                "{} row(s) are invalid, so nothing was created (atomic); first: row {}: {}: {}",
                errors.len(),
                first.row,
                first.field,
                first.error
            )
        } else {
            format!(
                "no account created: every row is invalid; first: row {}: {}: {}",
                first.row, first.field, first.error
            )
        };
        let body = BatchRefused {
            success: false,
            error: message,
            field: "accounts".into(),
            created: 0,
            accounts,
            errors,
        };
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    }
    let body = BatchCreated {
        success: true,
        message: format!("Created {n} account{}", if n == 1 { "" } else { "s" }),
        created: n,
        accounts,
        errors,
    };
    (StatusCode::OK, Json(body)).into_response()
}

/// An account as the spec's pool answers name it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountBrief {
    pub id: AccountId,
    pub account_name: String,
    pub credits_available: i64,
    pub specialization: Option<String>,
    pub platform: Platform,
}

impl From<&Account> for AccountBrief {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            account_name: a.account_name.clone(),
            credits_available: a.credits_available,
            specialization: a.specialization.clone(),
            platform: a.platform,
        }
    }
}

/// The account to use next, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Selected {
    pub success: bool,
    pub data: AccountBrief,
    pub reason: String,
    pub strategy: Strategy,
    /// How many accounts were considered.
    pub candidates: usize,
}

/// The account left behind by a rotation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviousAccount {
    pub id: AccountId,
    pub account_name: String,
    pub status: AccountStatus,
}

/// A rotation: the next account, the briefing for it and the handoff stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AutoRotated {
    pub success: bool,
    pub next_account: AccountBrief,
    pub previous_account: PreviousAccount,
    pub briefing: String,
    pub credit_savings: String,
    pub reason: String,
    pub handoff_id: i64,
}

/// Picks the account to use next for a task, with the reason.
#[utoipa::path(post, path = "/api/private/select-best-account", tag = "accounts", request_body = SelectInput,
    responses((status = 200, body = Selected)))]
pub async fn select_best(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SelectInput>,
) -> ApiResult {
    let s = svc::select(&state.db, &input, clock::now(), state.pool.thresholds).await?;
    body(Selected {
        success: true,
        data: AccountBrief::from(&s.account),
        reason: s.reason,
        strategy: s.strategy,
        candidates: s.candidates,
    })
}

/// Moves a project from its running-low account to the next, storing a handoff briefing.
#[utoipa::path(post, path = "/api/private/auto-rotate", tag = "accounts", request_body = RotateInput,
    responses((status = 200, body = AutoRotated)))]
pub async fn auto_rotate(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RotateInput>,
) -> ApiResult {
    let r = svc::rotate(&state.db, &input, clock::now(), state.pool).await?;
    body(AutoRotated {
        success: true,
        next_account: AccountBrief::from(&r.next_account),
        previous_account: PreviousAccount {
            id: r.previous_account.id,
            account_name: r.previous_account.account_name,
            status: r.previous_account.status,
        },
        briefing: r.briefing,
        credit_savings: r.credit_savings,
        reason: r.reason,
        handoff_id: r.handoff_id,
    })
}

/// Records a switch made by hand.
#[utoipa::path(post, path = "/api/private/switch-account", tag = "accounts", request_body = SwitchInput,
    responses((status = 200, body = Envelope<AccountSwitch>)))]
pub async fn switch(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SwitchInput>,
) -> ApiResult {
    ok(svc::switch(&state.db, &input, clock::now()).await?)
}
