//! `/api/accounts` and the pool endpoints under `/api/private`.

use super::{created, ok, ok_with, ApiError, ApiJson, ApiResult};
use crate::domain::account::{
    AccountId, AccountInput, AccountQuery, AccountQueryInput, RowError, SelectInput,
};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::account::{self as svc, RotateInput, SwitchInput};
use crate::storage::account::SwitchesOf;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

fn account_id(raw: &str) -> Result<AccountId, ApiError> {
    raw.parse::<AccountId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))
}

/// `GET /api/accounts?status=&platform=&q=&sort=&page=`
pub async fn list(
    State(state): State<AppState>,
    who: super::Who,
    query: Result<Query<AccountQueryInput>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(input) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let query = AccountQuery::parse(&input).map_err(AppError::from)?;
    let page = svc::list(&state.db, &query, clock::now(), state.pool.thresholds).await?;
    let pagination = json!({
        "page": page.page, "per_page": page.per_page, "total": page.total, "total_pages": page.total_pages(),
    });
    let private = super::sees_private_fields(&who);
    let data: Vec<Value> = page
        .items
        .into_iter()
        .map(|v| {
            view_json(if private {
                v
            } else {
                v.without_private_fields()
            })
        })
        .collect();
    ok_with(data, json!({ "pagination": pagination }))
}

/// An account with its computed headroom and refresh, flat as the spec lists accounts.
fn view_json(v: crate::domain::account::AccountView) -> Value {
    let mut j = serde_json::to_value(&v.account).unwrap_or_default();
    if let Some(o) = j.as_object_mut() {
        o.insert("headroom_percent".into(), json!(v.headroom_percent));
        o.insert("headroom".into(), json!(v.headroom));
        o.insert("reset_label".into(), json!(v.reset_label));
        o.insert("refreshes_in".into(), json!(v.refreshes_in));
    }
    j
}

/// `POST /api/accounts`
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult {
    let account = svc::create(&state.db, &input, clock::now(), state.pool.thresholds).await?;
    created(account.id.0, account)
}

/// `GET /api/accounts/{id}`
pub async fn get(
    State(state): State<AppState>,
    who: super::Who,
    Path(id): Path<String>,
) -> ApiResult {
    let view = svc::get(
        &state.db,
        account_id(&id)?,
        clock::now(),
        state.pool.thresholds,
    )
    .await?;
    if super::sees_private_fields(&who) {
        ok(view_json(view))
    } else {
        ok(view_json(view.without_private_fields()))
    }
}

/// `PATCH /api/accounts/{id}`
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult {
    let id = account_id(&id)?;
    ok(svc::update(&state.db, id, &input, clock::now(), state.pool.thresholds).await?)
}

/// `POST /api/accounts/{id}/credits`: `{"delta": -5, "reason": "…"}` or
/// `{"set_to": 80, "expected": 95, "reason": "…"}` (stale `expected` → 409).
pub async fn adjust_credits(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<crate::domain::account::AdjustmentInput>,
) -> ApiResult {
    let id = account_id(&id)?;
    ok(svc::adjust_credits(&state.db, id, &input, clock::now(), state.pool.thresholds).await?)
}

/// `GET /api/accounts/{id}/credits`: the account's credit adjustments, newest first.
pub async fn adjustments(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = account_id(&id)?;
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    crate::storage::account::get(&mut conn, id).await?;
    drop(conn);
    ok(svc::adjustments(&state.db, id, 100).await?)
}

/// `DELETE /api/accounts/{id}`
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = account_id(&id)?;
    svc::delete(&state.db, id).await?;
    ok(json!({ "id": id }))
}

/// `GET /api/accounts/{id}/switches`
pub async fn switches(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = account_id(&id)?;
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    crate::storage::account::get(&mut conn, id).await?;
    ok(svc::history(&state.db, SwitchesOf::Account(id), 100).await?)
}

/// `GET /api/projects/{id}/switches`
pub async fn project_switches(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = id
        .parse::<crate::domain::project::ProjectId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))?;
    crate::service::project::get(&state.db, id).await?;
    ok(svc::history(&state.db, SwitchesOf::Project(id.0), 100).await?)
}

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    #[serde(default)]
    accounts: Option<Vec<Value>>,
    #[serde(default)]
    atomic: Option<bool>,
}

/// `POST /api/private/batch-create-accounts` with `{"accounts": [...], "atomic": false}`
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

pub fn batch_response(outcome: svc::BatchOutcome, atomic: bool) -> axum::response::Response {
    let created: Vec<Value> = outcome
        .created
        .iter()
        .map(|(name, id)| json!({ "name": name, "id": id }))
        .collect();
    let n = created.len();
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
        let body = json!({ "success": false, "error": message, "field": "accounts", "created": 0, "accounts": [], "errors": errors });
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    }
    let body = json!({
        "success": true,
        "message": format!("Created {n} account{}", if n == 1 { "" } else { "s" }),
        "created": n,
        "accounts": created,
        "errors": errors,
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// `POST /api/private/select-best-account`
pub async fn select_best(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SelectInput>,
) -> ApiResult {
    let s = svc::select(&state.db, &input, clock::now(), state.pool.thresholds).await?;
    let a = &s.account;
    let body = json!({
        "success": true,
        "data": {
            "id": a.id, "account_name": a.account_name, "credits_available": a.credits_available,
            "specialization": a.specialization, "platform": a.platform,
        },
        "reason": s.reason,
        "strategy": s.strategy,
        "candidates": s.candidates,
    });
    Ok(Json(body).into_response())
}

/// `POST /api/private/auto-rotate`
pub async fn auto_rotate(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RotateInput>,
) -> ApiResult {
    let r = svc::rotate(&state.db, &input, clock::now(), state.pool).await?;
    let n = &r.next_account;
    let body = json!({
        "success": true,
        "next_account": {
            "id": n.id, "account_name": n.account_name, "credits_available": n.credits_available,
            "specialization": n.specialization, "platform": n.platform,
        },
        "previous_account": { "id": r.previous_account.id, "account_name": r.previous_account.account_name, "status": r.previous_account.status },
        "briefing": r.briefing,
        "credit_savings": r.credit_savings,
        "reason": r.reason,
        "handoff_id": r.handoff_id,
    });
    Ok(Json(body).into_response())
}

/// `POST /api/private/switch-account`: a switch made by hand, recorded.
pub async fn switch(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SwitchInput>,
) -> ApiResult {
    ok(svc::switch(&state.db, &input, clock::now()).await?)
}
