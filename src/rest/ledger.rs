//! The usage ledger: `POST /api/usage` and `GET /api/sessions/{id}/usage`.

use super::PathId;
use super::{from_value, ok, ApiJson, ApiResult, Envelope};
use crate::domain::ledger::{CallInput, SessionLedger};
use crate::domain::session::SessionId;
use crate::server::{clock, AppState};
use crate::service::ledger as svc;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

/// How many calls were recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub recorded: usize,
}

/// One call or many, as `{"calls": [ … ]}`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum UsageBody {
    One(CallInput),
    Many { calls: Vec<CallInput> },
}

/// Records model calls in the usage ledger. One call (`{"session_id": 1, "provider": "anthropic", "model": "…", …}`) or many
/// (`{"calls": [ … ]}`, all or none).
#[utoipa::path(post, path = "/api/usage", tag = "usage", request_body = UsageBody, responses((status = 201, body = Envelope<Recorded>)))]
pub async fn record(State(state): State<AppState>, ApiJson(mut body): ApiJson<Value>) -> ApiResult {
    let inputs: Vec<CallInput> = match body.get_mut("calls").map(Value::take) {
        Some(calls) => from_value(calls, "calls")?,
        None => vec![from_value(body, "")?],
    };
    let n = svc::record(&state.db, &inputs, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::Envelope {
            success: true,
            data: Recorded { recorded: n },
        }),
    )
        .into_response())
}

/// A session's recorded calls with their tokens and cost.
#[utoipa::path(get, path = "/api/sessions/{id}/usage", tag = "usage", params(("id" = i64, Path, description = "session id")), responses((status = 200, body = Envelope<SessionLedger>)))]
pub async fn of_session(State(state): State<AppState>, PathId(id): PathId<SessionId>) -> ApiResult {
    ok(svc::of_session(&state.db, id).await?)
}
