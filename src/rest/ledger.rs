//! The usage ledger: `POST /api/usage` and `GET /api/sessions/{id}/usage`.

use super::{ok, ApiError, ApiJson, ApiResult};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use crate::domain::ledger::CallInput;
use crate::domain::session::SessionId;
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::ledger as svc;
use axum::extract::{Path, State};
use serde::Deserialize;

/// One call (`{"session_id": 1, "provider": "anthropic", "model": "…", …}`) or many
/// (`{"calls": [ … ]}`, all or none).
#[derive(Debug, Deserialize)]
pub struct UsageBody {
    #[serde(default)]
    calls: Option<Vec<CallInput>>,
    #[serde(flatten)]
    single: CallInput,
}

pub async fn record(State(state): State<AppState>, ApiJson(body): ApiJson<UsageBody>) -> ApiResult {
    let inputs = match body.calls {
        Some(calls) => calls,
        None => vec![body.single],
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
