//! Server functions for sessions.

use crate::domain::project::Page;
use crate::domain::session::{Detail, Session, SessionRow, TimelineEntry};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::form,
    domain::project::ProjectId,
    domain::session::{CompletionInput, SessionId, SessionInput, SessionPatchInput},
    server::clock,
    service::session as svc,
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
    /// While running: the account a rotation would continue on (id, name, why), chosen by
    /// the selection engine.
    pub rotate_to: Option<(i64, String, String)>,
    /// One page of the conversation (the latest unless asked otherwise).
    pub turns: TurnPage,
    pub now: Timestamp,
}

/// One page of a session's conversation, optionally only the turns matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnPage {
    pub items: Vec<TurnView>,
    /// Turns that match (all turns without a search).
    pub total: u32,
    /// 1-based page; pages count from the first turn.
    pub page: u32,
    pub per_page: u32,
    pub query: String,
}

impl TurnPage {
    pub fn pages(&self) -> u32 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// A turn as the page shows it: its markdown rendered to safe HTML on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnView {
    pub turn_number: i64,
    pub role: String,
    /// First line, for the folded view.
    pub preview: String,
    pub html: String,
    /// Long turns, code and tool output start folded.
    pub folded: bool,
    /// Only the start is rendered ("show all" renders the rest).
    pub cut: bool,
    pub chars: usize,
    pub at: Timestamp,
}

/// Projects and accounts to start a session with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionChoices {
    pub projects: Vec<(i64, String)>,
    pub accounts: Vec<crate::api::account::AccountOption>,
    /// The engine's choice for a new session and why.
    #[serde(default)]
    pub recommended: Option<(i64, String)>,
    pub now: crate::domain::time::Timestamp,
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
    let filter = crate::domain::session::SessionQueryInput {
        project_id,
        account_id,
        status,
        session_type,
        page,
    }
    .parse()?;
    Ok(SessionListing {
        page: svc::list(&state.db, &filter).await?,
        now: clock::now(),
    })
}

#[server(prefix = "/rpc", endpoint = "start_options")]
pub async fn start_options() -> Result<SessionChoices, AppError> {
    let state = super::ssr::state()?;
    let projects = crate::service::project::names(&state.db).await?;
    let accounts = crate::api::account::account_options().await?;
    let now = clock::now();
    let recommended = crate::service::account::recommend(&state.db, now)
        .await?
        .map(|s| (s.account.id.0, s.reason));
    Ok(SessionChoices {
        projects,
        accounts,
        recommended,
        now,
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
        project_id: form::opt_number(project_id, "project_id")?,
        account_id: form::opt_number(account_id, "account_id")?,
        session_type,
        objectives,
    };
    let started = svc::start(&state.db, &input, clock::now()).await?;
    leptos_axum::redirect(&format!("/sessions/{}", started.session.id));
    Ok(started.session)
}

#[server(prefix = "/rpc", endpoint = "get_session")]
pub async fn get_session(
    id: String,
    #[server(default)] page: Option<String>,
    #[server(default)] q: Option<String>,
    #[server(default)] open: Option<String>,
) -> Result<SessionView, AppError> {
    let state = super::ssr::state()?;
    let id: SessionId = form::target(&id, "id")?;
    // a stale page or turn in the address shows the default, not an error
    let page = page
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| crate::domain::parse::page(Some(&p)).ok());
    let open = crate::domain::parse::opt_number(open.as_deref(), "open")
        .ok()
        .flatten();
    let o = svc::overview(&state.db, id, page, q.as_deref()).await?;
    let now = clock::now();
    let warning =
        crate::service::analytics::session_warning(&state.db, &o.session, now, &state.analytics)
            .await?;
    let rotate_to = match (&warning, o.session.status) {
        (Some(w), _) => w.next_account.clone(),
        (None, crate::domain::session::SessionStatus::InProgress) => {
            crate::service::account::preview_next(&state.db, o.session.account_id, now)
                .await?
                .map(|s| (s.account.id.0, s.account.account_name, s.reason))
        }
        _ => None,
    };
    let turns = TurnPage {
        items: o
            .turns
            .iter()
            .map(|t| turn_view(t, open == Some(t.turn_number)))
            .collect(),
        total: o.turn_total,
        page: o.turn_page,
        per_page: svc::TURNS_PER_PAGE,
        query: q.unwrap_or_default().trim().to_string(),
    };
    Ok(SessionView {
        detail: Detail {
            session: o.session,
            checkpoints: o.checkpoints,
            handoffs: o.handoffs,
            turns: Vec::new(),
        },
        project_name: o.project_name,
        account_name: o.account_name,
        previous_handoff: o.previous_handoff,
        warning,
        usage: o.usage,
        rotate_to,
        turns,
        now,
    })
}

/// How much of a turn the page renders before "show all".
#[cfg(feature = "ssr")]
const TURN_SHOWN_CHARS: usize = 2_400;

#[cfg(feature = "ssr")]
fn turn_view(t: &crate::domain::session::Turn, whole: bool) -> TurnView {
    let content = t.content.as_str();
    let chars = content.chars().count();
    let shown = if whole || chars <= TURN_SHOWN_CHARS {
        content
    } else {
        let cut = content
            .char_indices()
            .nth(TURN_SHOWN_CHARS)
            .map_or(content.len(), |(i, _)| i);
        // end on a line when one is near, so a code fence is not cut mid-line
        let head = &content[..cut];
        head.rfind('\n')
            .filter(|n| *n > cut / 2)
            .map_or(head, |n| &head[..n])
    };
    let mut md = shown.to_string();
    if md.matches("```").count() % 2 == 1 {
        md.push_str("\n```");
    }
    let first = content
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let preview: String = first.chars().take(160).collect();
    let role = t.role.clone().unwrap_or_else(|| "note".into());
    let folded = !whole
        && (chars > 800
            || content.contains("```")
            || content.trim_start().starts_with("$ ")
            || role == "system");
    TurnView {
        turn_number: t.turn_number,
        role,
        preview,
        html: crate::api::handoff::render_markdown(&md),
        folded,
        cut: shown.len() < content.len(),
        chars,
        at: t.timestamp,
    }
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
        credits_used: form::opt_number(credits_used, "credits_used")?,
        version: form::opt_number(version, "version")?,
    };
    svc::update(&state.db, SessionId(form::id(&id, "id")?), &input).await
}

#[server(prefix = "/rpc", endpoint = "save_checkpoint")]
pub async fn save_checkpoint(id: String, note: Option<String>) -> Result<i64, AppError> {
    let state = super::ssr::state()?;
    Ok(svc::checkpoint(
        &state.db,
        SessionId(form::id(&id, "id")?),
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
        SessionId(form::id(&id, "id")?),
        form::id(&checkpoint, "checkpoint")?,
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
        tokens_used: form::opt_number(tokens_used, "tokens_used")?,
    };
    Ok(svc::append_turn(
        &state.db,
        SessionId(form::id(&id, "id")?),
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
        credits_used: form::opt_number(credits_used, "credits_used")?,
        ..Default::default()
    };
    Ok(svc::complete(
        &state.db,
        SessionId(form::id(&id, "id")?),
        &input,
        clock::now(),
        state.pool.thresholds,
    )
    .await?
    .session)
}

/// Rotate → continue: finishes the session as handed off and starts the next one on
/// another account (the one given, or the selection engine's choice), then opens it.
#[server(prefix = "/rpc", endpoint = "rotate_session")]
pub async fn rotate_session(
    id: String,
    #[server(default)] account_id: Option<String>,
    #[server(default)] strategy: Option<String>,
) -> Result<Session, AppError> {
    let state = super::ssr::state()?;
    let to = form::opt_number(account_id, "account_id")?.map(crate::domain::account::AccountId);
    let strategy = strategy.filter(|s| !s.trim().is_empty());
    let r = svc::rotate(
        &state.db,
        SessionId(form::id(&id, "id")?),
        to,
        strategy,
        clock::now(),
        state.pool.thresholds,
    )
    .await?;
    leptos_axum::redirect(&format!("/sessions/{}", r.next.session.id));
    Ok(r.next.session)
}

#[server(prefix = "/rpc", endpoint = "project_timeline")]
pub async fn project_timeline(
    project_id: String,
) -> Result<(Vec<TimelineEntry>, i64, Timestamp), AppError> {
    let state = super::ssr::state()?;
    let id = ProjectId(form::id(&project_id, "project_id")?);
    let (entries, total) = svc::recent_timeline(&state.db, id, TIMELINE_SHOWN).await?;
    Ok((entries, total, clock::now()))
}

/// Sessions a project's page lists (the newest; the sessions page has them all).
pub const TIMELINE_SHOWN: u32 = 20;

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
        SessionId(form::id(&id, "id")?),
        &text,
        format.as_deref(),
        clock::now(),
    )
    .await
}
