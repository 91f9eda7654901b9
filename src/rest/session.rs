//! `/api/sessions`: start, list, change, complete, checkpoints, turns, detail, timeline.

use super::{created, ok, paged, ApiJson, ApiResult, CreatedEnvelope, Envelope, PageEnvelope};
use super::{ApiQuery, PathId, PathIds};
use crate::domain::account::AccountId;
use crate::domain::project::ProjectId;
use crate::domain::session::{
    CompletionInput, Detail, Session, SessionId, SessionInput, SessionPatchInput,
    SessionQueryInput, Snapshot, TimelineEntry, Turn,
};
use crate::error::{AppError, FieldError};
use crate::server::{clock, AppState};
use crate::service::session::{self as svc, TurnInput};
use axum::extract::State;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

/// Lists sessions, newest first, 50 a page.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions", params(SessionQueryInput),
    responses((status = 200, body = PageEnvelope<Session>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SessionQueryInput>,
) -> ApiResult {
    let filter = q.parse()?;
    paged(svc::list(&state.db, &filter).await?, |s| s)
}

/// The briefing a session continues from, as the spec's client reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviousHandoff {
    pub compressed_context: String,
    /// The briefing's start, cut at 280 characters.
    pub context_summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_number: Option<i64>,
}

impl PreviousHandoff {
    fn of(briefing: String, session_number: Option<i64>) -> Self {
        Self {
            context_summary: crate::domain::handoff::cut(&briefing, 280),
            compressed_context: briefing,
            session_number,
        }
    }
}

/// A started session, with what the spec's client reads beside it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StartedSession {
    #[serde(flatten)]
    pub session: Session,
    pub session_id: SessionId,
    pub project_name: String,
    pub previous_handoff: Option<PreviousHandoff>,
    pub message: String,
}

/// The answer to starting a session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionStarted {
    pub success: bool,
    pub id: SessionId,
    pub session_number: i64,
    pub data: StartedSession,
    /// The briefing it continues from, as plain text.
    pub previous_handoff: Option<String>,
}

/// Starts a session on a project and account; it continues from the latest handoff.
#[utoipa::path(post, path = "/api/sessions", tag = "sessions", request_body = SessionInput,
    responses((status = 201, body = SessionStarted)))]
pub async fn start(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SessionInput>,
) -> ApiResult {
    let started = svc::start(&state.db, &input, clock::now()).await?;
    let s = started.session;
    let message = match started.previous_handoff {
        Some(_) => format!(
            "Session {} started on {}; it continues from the latest handoff briefing",
            s.session_number, started.project_name
        ),
        None => format!(
            "Session {} started on {}",
            s.session_number, started.project_name
        ),
    };
    let body = SessionStarted {
        success: true,
        id: s.id,
        session_number: s.session_number,
        previous_handoff: started.previous_handoff.clone(),
        data: StartedSession {
            session_id: s.id,
            previous_handoff: started
                .previous_handoff
                .map(|b| PreviousHandoff::of(b, started.previous_session_number)),
            project_name: started.project_name,
            message,
            session: s,
        },
    };
    Ok((axum::http::StatusCode::CREATED, axum::Json(body)).into_response())
}

/// The spec's name for starting a session.
#[utoipa::path(post, path = "/api/sessions/create-with-handoff", tag = "sessions", request_body = SessionInput,
    responses((status = 201, body = SessionStarted)))]
pub async fn start_with_handoff(state: State<AppState>, input: ApiJson<SessionInput>) -> ApiResult {
    start(state, input).await
}

/// Changes a running session's objective, notes or lists.
#[utoipa::path(patch, path = "/api/sessions/{id}", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = SessionPatchInput, responses((status = 200, body = Envelope<Session>)))]
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<SessionPatchInput>,
) -> ApiResult {
    ok(svc::update(&state.db, id, &input).await?)
}

/// A completed session, with what the spec's client reads beside it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompletedSession {
    #[serde(flatten)]
    pub completed: svc::Completed,
    pub message: String,
    /// Always true: completing stores a handoff briefing.
    pub handoff_generated: bool,
    /// The stored briefing.
    pub master_prompt: String,
}

/// Completes a session: debits its credits and stores its handoff briefing.
#[utoipa::path(post, path = "/api/sessions/{id}/complete", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = CompletionInput, responses((status = 200, body = Envelope<CompletedSession>)))]
pub async fn complete(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<CompletionInput>,
) -> ApiResult {
    let done = svc::complete(&state.db, id, &input, clock::now(), state.pool.thresholds).await?;
    ok(CompletedSession {
        message: format!(
            "Session {} completed; {} debited, the handoff briefing is stored",
            done.session.session_number,
            match done.debited {
                1 => "1 credit".to_string(),
                n => format!("{n} credits"),
            }
        ),
        handoff_generated: true,
        master_prompt: done.handoff.compressed_context.clone(),
        completed: done,
    })
}

/// Where a rotation goes: an account, or the engine's pick by strategy.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RotateSessionInput {
    #[serde(default)]
    account_id: Option<i64>,
    /// The selection strategy when no account is given.
    #[serde(default)]
    strategy: Option<String>,
}

/// Finishes a session as handed off and continues on the next account.
#[utoipa::path(post, path = "/api/sessions/{id}/rotate", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = RotateSessionInput, responses((status = 201, body = CreatedEnvelope<svc::Rotated>)))]
pub async fn rotate(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<RotateSessionInput>,
) -> ApiResult {
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

/// A session with its project and account names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NamedSession {
    #[serde(flatten)]
    pub session: Session,
    pub project_name: String,
    pub account_name: String,
}

/// Everything recorded about a session, with what the spec's client reads beside it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionDetail {
    pub session: NamedSession,
    pub checkpoints: Vec<Snapshot>,
    pub handoffs: Vec<Snapshot>,
    pub turns: Vec<Turn>,
    /// The briefing this session continued from.
    pub previous_handoff: Option<PreviousHandoff>,
    /// The turns again, under the spec's name.
    pub conversations: Vec<Turn>,
}

/// A session with its checkpoints, handoffs and turns.
#[utoipa::path(get, path = "/api/sessions/{id}/detail", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Envelope<SessionDetail>)))]
pub async fn detail(State(state): State<AppState>, PathId(id): PathId<SessionId>) -> ApiResult {
    let Detail {
        session,
        checkpoints,
        handoffs,
        turns,
    } = svc::detail(&state.db, id).await?;
    let context = svc::context(&state.db, id).await?;
    ok(SessionDetail {
        session: NamedSession {
            session,
            project_name: context.project_name,
            account_name: context.account_name,
        },
        checkpoints,
        handoffs,
        conversations: turns.clone(),
        turns,
        previous_handoff: context
            .previous_handoff
            .map(|b| PreviousHandoff::of(b, None)),
    })
}

/// A checkpoint's note.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckpointInput {
    #[serde(default)]
    note: Option<String>,
}

/// Saves a checkpoint of a running session.
#[utoipa::path(post, path = "/api/sessions/{id}/checkpoints", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = CheckpointInput, responses((status = 201, body = CreatedEnvelope<Snapshot>)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<CheckpointInput>,
) -> ApiResult {
    let snap = svc::checkpoint(&state.db, id, input.note.as_deref(), clock::now()).await?;
    created(snap.id, snap)
}

/// A session's checkpoints.
#[utoipa::path(get, path = "/api/sessions/{id}/checkpoints", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Envelope<Vec<Snapshot>>)))]
pub async fn checkpoints(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
) -> ApiResult {
    ok(svc::detail(&state.db, id).await?.checkpoints)
}

/// Restores a running session to a checkpoint.
#[utoipa::path(post, path = "/api/sessions/{id}/checkpoints/{checkpoint}/restore", tag = "sessions",
    params(("id" = i64, Path, description = "session id"), ("checkpoint" = i64, Path, description = "checkpoint id")),
    responses((status = 200, body = Envelope<Session>)))]
pub async fn restore(
    State(state): State<AppState>,
    PathIds(id, cp): PathIds<SessionId>,
) -> ApiResult {
    ok(svc::restore(&state.db, id, cp).await?)
}

/// Appends a conversation turn.
#[utoipa::path(post, path = "/api/sessions/{id}/turns", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = TurnInput, responses((status = 201, body = CreatedEnvelope<Turn>)))]
pub async fn append_turn(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<TurnInput>,
) -> ApiResult {
    let turn = svc::append_turn(&state.db, id, &input, clock::now()).await?;
    created(turn.id, turn)
}

/// A session's conversation turns in order.
#[utoipa::path(get, path = "/api/sessions/{id}/turns", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Envelope<Vec<Turn>>)))]
pub async fn turns(State(state): State<AppState>, PathId(id): PathId<SessionId>) -> ApiResult {
    ok(svc::detail(&state.db, id).await?.turns)
}

/// A project's sessions in order, with their turn and handoff counts.
#[utoipa::path(get, path = "/api/projects/{id}/sessions-timeline", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Envelope<Vec<TimelineEntry>>)))]
pub async fn timeline(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    ok(svc::timeline(&state.db, id).await?)
}

/// A conversation log to import into a session.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ImportInput {
    /// chatgpt, claude, aider, specstory, agent, console, transcript or plain; detected when left out.
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// Imports a conversation log into a session's turns: `{"format": "chatgpt|claude|aider|specstory|agent|console|transcript|plain", "text": "…"}`
/// (format optional: detected from the content).
#[utoipa::path(post, path = "/api/sessions/{id}/import", tag = "sessions", params(("id" = i64, Path, description = "session id")),
    request_body = ImportInput, responses((status = 200, body = Envelope<crate::domain::conversation::ImportOutcome>)))]
pub async fn import(
    State(state): State<AppState>,
    PathId(id): PathId<SessionId>,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult {
    let text = input
        .text
        .ok_or_else(|| AppError::from(FieldError::new("text", "give the log's text")))?;
    ok(svc::import(&state.db, id, &text, input.format.as_deref(), clock::now()).await?)
}
