//! The usage ledger: `POST /api/usage` and `GET /api/sessions/{id}/usage`.

use super::{from_value, ok, ApiError, ApiJson, ApiResult};
use crate::domain::ledger::CallInput;
use crate::domain::session::SessionId;
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::ledger as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use serde_json::Value;

/// One call (`{"session_id": 1, "provider": "anthropic", "model": "…", …}`) or many
/// (`{"calls": [ … ]}`, all or none).
pub async fn record(State(state): State<AppState>, ApiJson(mut body): ApiJson<Value>) -> ApiResult {
    let inputs: Vec<CallInput> = match body.get_mut("calls").map(Value::take) {
        Some(calls) => from_value(calls, "calls")?,
        None => vec![from_value(body, "")?],
    };
    let n = svc::record(&state.db, &inputs, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": { "recorded": n } })),
    )
        .into_response())
}

pub async fn of_session(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult {
    let id = raw
        .parse::<SessionId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))?;
    ok(svc::of_session(&state.db, id).await?)
}
