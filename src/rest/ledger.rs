//! The usage ledger: `POST /api/usage` and `GET /api/sessions/{id}/usage`.

use super::{ok, ApiError, ApiJson, ApiResult};
use crate::domain::ledger::CallInput;
use crate::domain::session::SessionId;
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::ledger as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;
use serde_json::Value;

/// Deserialises `v`, naming the field of a type error (`calls[1].input_tokens`).
fn typed<T: DeserializeOwned>(v: Value, prefix: &str) -> Result<T, AppError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let field = match (prefix, path.as_str()) {
            ("", ".") => "body".to_string(),
            (p, ".") => p.to_string(),
            (p, path) if path.starts_with('[') || p.is_empty() => format!("{p}{path}"),
            (p, path) => format!("{p}.{path}"),
        };
        let message = e.into_inner().to_string();
        AppError::validation(field, message)
    })
}

/// One call (`{"session_id": 1, "provider": "anthropic", "model": "…", …}`) or many
/// (`{"calls": [ … ]}`, all or none).
pub async fn record(State(state): State<AppState>, ApiJson(mut body): ApiJson<Value>) -> ApiResult {
    let inputs: Vec<CallInput> = match body.get_mut("calls").map(Value::take) {
        Some(calls) => typed(calls, "calls")?,
        None => vec![typed(body, "")?],
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
