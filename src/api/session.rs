//! Server functions for sessions.

use crate::domain::project::Page;
use crate::domain::session::{Detail, Session, SessionRow, TimelineEntry};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    domain::project::ProjectId,
    domain::session::{CompletionInput, SessionId, SessionInput, SessionPatchInput},
    error::FieldError,
    server::clock,
    service::session as svc,
    storage::session::SessionFilter,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionListing {
    pub page: Page<SessionRow>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub detail: Detail,
    pub project_name: String,
    pub account_name: String,
    /// The briefing this session continued from, if any.
    pub previous_handoff: Option<String>,
    /// Set while running when its account is predicted to run out before it ends.
    pub warning: Option<crate::domain::analytics::SessionWarning>,
    /// The session's recorded AI usage.
    pub usage: crate::domain::ledger::Totals,
    pub now: Timestamp,
}

/// Projects and accounts to start a session with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionChoices {
    pub projects: Vec<(i64, String)>,
    pub accounts: Vec<crate::api::account::AccountOption>,
}

#[cfg(feature = "ssr")]
pub(crate) fn id_of(raw: &str, field: &str) -> Result<i64, AppError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(FieldError::new(field, format!("{raw:?} is not an id")).into()),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn opt_number(raw: Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| FieldError::new(field, format!("{v:?} is not a whole number")).into()),
    }
}

#[server(prefix = "/rpc", endpoint = "list_sessions")]
pub async fn list_sessions(
    project_id: Option<String>,
    account_id: Option<String>,
    status: Option<String>,
    session_type: Option<String>,
    page: Option<String>,
) -> Result<SessionListing, AppError> {
    let state = super::ssr::state()?;
    let status = match status.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(s) => serde_json::from_value(serde_json::json!(s)).ok(),
    };
    let filter = SessionFilter {
        project_id: project_id
            .as_deref()
            .and_then(|p| p.parse().ok())
            .map(ProjectId),
        account_id: account_id
            .as_deref()
            .and_then(|a| a.parse().ok())
            .map(crate::domain::account::AccountId),
        status,
        session_type: session_type
            .as_deref()
            .filter(|t| !t.is_empty() && *t != "all")
            .and_then(|t| t.parse().ok()),
        page: page
            .as_deref()
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1),
    };
    Ok(SessionListing {
        page: svc::list(&state.db, &filter).await?,
        now: clock::now(),
    })
}

#[server(prefix = "/rpc", endpoint = "start_options")]
pub async fn start_options() -> Result<SessionChoices, AppError> {
    let state = super::ssr::state()?;
    let mut conn = state.db.acquire().await?;
    let projects: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM projects WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 500")
            .fetch_all(&mut *conn)
            .await?;
    drop(conn);
    Ok(SessionChoices {
        projects,
        accounts: crate::api::account::account_options().await?,
    })
}

/// Starts a session and opens it.
#[server(prefix = "/rpc", endpoint = "start_session")]
pub async fn start_session(
    project_id: Option<String>,
    account_id: Option<String>,
    session_type: Option<String>,
    objectives: Option<String>,
) -> Result<Session, AppError> {
    let state = super::ssr::state()?;
    let input = SessionInput {
        project_id: opt_number(project_id, "project_id")?,
        account_id: opt_number(account_id, "account_id")?,
        session_type,
        objectives,
    };
    let started = svc::start(&state.db, &input, clock::now()).await?;
    leptos_axum::redirect(&format!("/sessions/{}", started.session.id));
    Ok(started.session)
}

#[server(prefix = "/rpc", endpoint = "get_session")]
pub async fn get_session(id: String) -> Result<SessionView, AppError> {
    let state = super::ssr::state()?;
    let id = SessionId(
        id_of(&id, "id")
            .map_err(|_| AppError::bad_request(format!("{id:?} is not a session id")))?,
    );
    let detail = svc::detail(&state.db, id).await?;
    let mut conn = state.db.acquire().await?;
    let (project_name, account_name): (String, String) = sqlx::query_as(
        "SELECT p.name, a.account_name FROM sessions s JOIN projects p ON p.id = s.project_id \
         JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let previous_handoff: Option<String> = sqlx::query_scalar(
        "SELECT c.compressed_context FROM context_snapshots c JOIN sessions s ON s.id = c.session_id \
         WHERE s.project_id = ? AND s.session_number < ? AND c.snapshot_type = 'handoff' \
         ORDER BY s.session_number DESC, c.id DESC LIMIT 1",
    )
    .bind(detail.session.project_id)
    .bind(detail.session.session_number)
    .fetch_optional(&mut *conn)
    .await?;
    let usage = crate::storage::ledger::session_totals(&mut conn, id).await?;
    drop(conn);
    let now = clock::now();
    let warning = crate::service::analytics::session_warning(
        &state.db,
        &detail.session,
        now,
        &state.analytics,
    )
    .await?;
    Ok(SessionView {
        detail,
        project_name,
        account_name,
        previous_handoff,
        warning,
        usage,
        now,
    })
}

#[server(prefix = "/rpc", endpoint = "update_session")]
pub async fn update_session(
    id: String,
    objectives: Option<String>,
    accomplishments: Option<String>,
    blockers: Option<String>,
    handoff_notes: Option<String>,
    #[server(default)] credits_used: Option<String>,
    #[server(default)] version: Option<String>,
) -> Result<Session, AppError> {
    let state = super::ssr::state()?;
    let input = SessionPatchInput {
        objectives: Some(objectives.unwrap_or_default()),
        accomplishments: Some(accomplishments.unwrap_or_default()),
        blockers: Some(blockers.unwrap_or_default()),
        handoff_notes: Some(handoff_notes.unwrap_or_default()),
        add_credits: None,
        credits_used: opt_number(credits_used, "credits_used")?,
        version: opt_number(version, "version")?,
    };
    svc::update(&state.db, SessionId(id_of(&id, "id")?), &input).await
}

#[server(prefix = "/rpc", endpoint = "save_checkpoint")]
pub async fn save_checkpoint(id: String, note: Option<String>) -> Result<i64, AppError> {
    let state = super::ssr::state()?;
    Ok(svc::checkpoint(
        &state.db,
        SessionId(id_of(&id, "id")?),
        note.as_deref(),
        clock::now(),
    )
    .await?
    .id)
}

#[server(prefix = "/rpc", endpoint = "restore_checkpoint")]
pub async fn restore_checkpoint(id: String, checkpoint: String) -> Result<Session, AppError> {
    let state = super::ssr::state()?;
    svc::restore(
        &state.db,
        SessionId(id_of(&id, "id")?),
        id_of(&checkpoint, "checkpoint")?,
    )
    .await
}

#[server(prefix = "/rpc", endpoint = "add_turn")]
pub async fn add_turn(
    id: String,
    role: Option<String>,
    content: Option<String>,
    tokens_used: Option<String>,
) -> Result<i64, AppError> {
    let state = super::ssr::state()?;
    let input = svc::TurnInput {
        role,
        content,
        tokens_used: opt_number(tokens_used, "tokens_used")?,
    };
    Ok(svc::append_turn(
        &state.db,
        SessionId(id_of(&id, "id")?),
        &input,
        clock::now(),
    )
    .await?
    .turn_number)
}

#[server(prefix = "/rpc", endpoint = "complete_session")]
pub async fn complete_session(
    id: String,
    status: Option<String>,
    credits_used: Option<String>,
) -> Result<Session, AppError> {
    let state = super::ssr::state()?;
    let input = CompletionInput {
        status,
        credits_used: opt_number(credits_used, "credits_used")?,
        ..Default::default()
    };
    Ok(svc::complete(
        &state.db,
        SessionId(id_of(&id, "id")?),
        &input,
        clock::now(),
        state.pool.thresholds,
    )
    .await?
    .session)
}

#[server(prefix = "/rpc", endpoint = "project_timeline")]
pub async fn project_timeline(
    project_id: String,
) -> Result<(Vec<TimelineEntry>, Timestamp), AppError> {
    let state = super::ssr::state()?;
    let id = ProjectId(id_of(&project_id, "project_id")?);
    Ok((svc::timeline(&state.db, id).await?, clock::now()))
}

/// Imports a pasted log (ChatGPT or Claude.ai export JSON, aider history, SpecStory
/// markdown, plain text) into the session's conversation.
#[server(prefix = "/rpc", endpoint = "import_conversation")]
pub async fn import_conversation(
    id: String,
    format: Option<String>,
    text: Option<String>,
) -> Result<crate::domain::conversation::ImportOutcome, AppError> {
    let state = super::ssr::state()?;
    let text = text.unwrap_or_default();
    svc::import(
        &state.db,
        SessionId(id_of(&id, "id")?),
        &text,
        format.as_deref(),
        clock::now(),
    )
    .await
}
