//! `/api/sessions`: start, list, change, complete, checkpoints, turns, detail, timeline.

use super::{created, ok, ok_with, ApiError, ApiJson, ApiResult};
use crate::domain::account::AccountId;
use crate::domain::project::ProjectId;
use crate::domain::session::{CompletionInput, SessionId, SessionInput, SessionPatchInput};
use crate::error::{AppError, FieldError};
use crate::server::{clock, AppState};
use crate::service::session::{self as svc, TurnInput};
use crate::storage::session::SessionFilter;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{json, Value};

fn session_id(raw: &str) -> Result<SessionId, ApiError> {
    raw.parse::<SessionId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    project_id: Option<String>,
    account_id: Option<String>,
    status: Option<String>,
    session_type: Option<String>,
    page: Option<String>,
}

fn opt_id(raw: &Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(FieldError::new(field, format!("{v:?} is not an id")).into()),
        },
    }
}

/// `GET /api/sessions?project_id=&account_id=&status=&session_type=&page=`
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(serde_json::from_value(json!(s)).map_err(|_| {
            AppError::from(FieldError::new(
                "status",
                format!("{s:?} is not one of in_progress, completed, failed, handed_off"),
            ))
        })?),
    };
    let session_type = match q.session_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(t.parse().map_err(AppError::from)?),
    };
    let page = match q.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(p) => p.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            AppError::from(FieldError::new(
                "page",
                format!("{p:?} is not a page number"),
            ))
        })?,
    };
    let filter = SessionFilter {
        project_id: opt_id(&q.project_id, "project_id")?.map(ProjectId),
        account_id: opt_id(&q.account_id, "account_id")?.map(AccountId),
        status,
        session_type,
        page,
    };
    let page = svc::list(&state.db, &filter).await?;
    let pagination = json!({ "page": page.page, "per_page": page.per_page, "total": page.total, "total_pages": page.total_pages() });
    ok_with(page.items, json!({ "pagination": pagination }))
}

/// `POST /api/sessions` (and `/api/sessions/create-with-handoff`): starts a session.
pub async fn start(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SessionInput>,
) -> ApiResult {
    let started = svc::start(&state.db, &input, clock::now()).await?;
    let s = &started.session;
    // the session, with what the spec's client reads beside it: `session_id`,
    // `project_name`, `previous_handoff` as an object and a `message`
    let mut data = serde_json::to_value(s).map_err(|_| ApiError(AppError::Internal))?;
    if let Some(d) = data.as_object_mut() {
        d.insert("session_id".into(), json!(s.id));
        d.insert("project_name".into(), json!(started.project_name));
        d.insert(
            "previous_handoff".into(),
            match &started.previous_handoff {
                Some(b) => json!({
                    "compressed_context": b,
                    "context_summary": crate::domain::handoff::cut(b, 280),
                    "session_number": started.previous_session_number,
                }),
                None => Value::Null,
            },
        );
        d.insert(
            "message".into(),
            json!(match started.previous_handoff {
                Some(_) => format!(
                    "Session {} started on {}; it continues from the latest handoff briefing",
                    s.session_number, started.project_name
                ),
                None => format!(
                    "Session {} started on {}",
                    s.session_number, started.project_name
                ),
            }),
        );
    }
    let body = json!({
        "success": true,
        "id": s.id,
        "session_number": s.session_number,
        "data": data,
        "previous_handoff": started.previous_handoff,
    });
    Ok((axum::http::StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `PATCH /api/sessions/{id}`
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SessionPatchInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    ok(svc::update(&state.db, id, &input).await?)
}

/// `POST /api/sessions/{id}/complete`
pub async fn complete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CompletionInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    let done = svc::complete(&state.db, id, &input, clock::now(), state.pool.thresholds).await?;
    // ours, with what the spec's client reads beside it
    let mut data = serde_json::to_value(&done).map_err(|_| ApiError(AppError::Internal))?;
    if let Some(d) = data.as_object_mut() {
        d.insert(
            "message".into(),
            json!(format!(
                "Session {} completed; {} debited, the handoff briefing is stored",
                done.session.session_number,
                if done.debited == 1 {
                    "1 credit".to_string()
                } else {
                    format!("{} credits", done.debited)
                }
            )),
        );
        d.insert("handoff_generated".into(), json!(true));
        d.insert(
            "master_prompt".into(),
            json!(done.handoff.compressed_context),
        );
    }
    ok(data)
}

#[derive(Debug, Default, Deserialize)]
pub struct RotateSessionInput {
    #[serde(default)]
    account_id: Option<i64>,
    #[serde(default)]
    strategy: Option<String>,
}

/// `POST /api/sessions/{id}/rotate` — finish as handed off, continue on the next account.
pub async fn rotate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RotateSessionInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    let to = match input.account_id {
        None => None,
        Some(n) if n > 0 => Some(AccountId(n)),
        Some(n) => {
            return Err(AppError::from(FieldError::new(
                "account_id",
                format!("{n} is not an account id"),
            ))
            .into())
        }
    };
    let r = svc::rotate(
        &state.db,
        id,
        to,
        input.strategy,
        clock::now(),
        state.pool.thresholds,
    )
    .await?;
    created(r.next.session.id.0, r)
}

/// `GET /api/sessions/{id}/detail`
pub async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = session_id(&id)?;
    let detail = svc::detail(&state.db, id).await?;
    let context = svc::context(&state.db, id).await?;
    // ours (`session`, `turns`, `handoffs`, `checkpoints`), with what the spec's client
    // reads beside it: the session's project and account names, the briefing it
    // continued from and the turns as `conversations`
    let mut data = serde_json::to_value(&detail).map_err(|_| ApiError(AppError::Internal))?;
    if let Some(d) = data.as_object_mut() {
        if let Some(s) = d.get_mut("session").and_then(Value::as_object_mut) {
            s.insert("project_name".into(), json!(context.project_name));
            s.insert("account_name".into(), json!(context.account_name));
        }
        d.insert(
            "previous_handoff".into(),
            match context.previous_handoff {
                Some(b) => json!({
                    "compressed_context": b,
                    "context_summary": crate::domain::handoff::cut(&b, 280),
                }),
                None => Value::Null,
            },
        );
        let turns = d.get("turns").cloned().unwrap_or(Value::Array(Vec::new()));
        d.insert("conversations".into(), turns);
    }
    ok(data)
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckpointInput {
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/sessions/{id}/checkpoints`
pub async fn checkpoint(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CheckpointInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    let snap = svc::checkpoint(&state.db, id, input.note.as_deref(), clock::now()).await?;
    created(snap.id, snap)
}

/// `GET /api/sessions/{id}/checkpoints`
pub async fn checkpoints(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(svc::detail(&state.db, session_id(&id)?).await?.checkpoints)
}

/// `POST /api/sessions/{id}/checkpoints/{checkpoint}/restore`
pub async fn restore(
    State(state): State<AppState>,
    Path((id, cp)): Path<(String, String)>,
) -> ApiResult {
    let id = session_id(&id)?;
    let cp = cp.parse::<i64>().map_err(|_| {
        ApiError(AppError::bad_request(format!(
            "{cp:?} is not a checkpoint id"
        )))
    })?;
    ok(svc::restore(&state.db, id, cp).await?)
}

/// `POST /api/sessions/{id}/turns`
pub async fn append_turn(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TurnInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    let turn = svc::append_turn(&state.db, id, &input, clock::now()).await?;
    created(turn.id, turn)
}

/// `GET /api/sessions/{id}/turns`
pub async fn turns(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(svc::detail(&state.db, session_id(&id)?).await?.turns)
}

/// `GET /api/projects/{id}/sessions-timeline`
pub async fn timeline(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = id
        .parse::<ProjectId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))?;
    ok(svc::timeline(&state.db, id).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportInput {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// `POST /api/sessions/{id}/import` with `{"format": "chatgpt|claude|aider|specstory|plain", "text": "…"}`
/// (format optional: detected from the content).
pub async fn import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult {
    let id = session_id(&id)?;
    let text = input
        .text
        .ok_or_else(|| AppError::from(FieldError::new("text", "give the log's text")))?;
    ok(svc::import(&state.db, id, &text, input.format.as_deref(), clock::now()).await?)
}
