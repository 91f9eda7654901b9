//! Session lifecycle: start (numbered per project), change, checkpoint and restore, append
//! conversation turns, and complete — each in one transaction.

use crate::domain::account::{
    AccountId, AccountStatus, SelectInput, SelectRequest, SwitchKind, Thresholds,
};
use crate::domain::briefing::{session_briefing, SessionSummary};
use crate::domain::conversation::ImportOutcome;
use crate::domain::project::{Page, ProjectId};
use crate::domain::session::{
    apply_patch, complete as finish, CheckpointData, CompletionInput, NewSession, Session,
    SessionId, SessionInput, SessionPatchInput,
};
use crate::domain::session::{Detail, SessionRow, Snapshot, TimelineEntry, Turn};
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::session::SessionFilter;
use crate::storage::{self, Db};
use serde::{Deserialize, Serialize};

/// A started session and the briefing it continues from, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Started {
    pub session: Session,
    pub previous_handoff: Option<String>,
    /// The number of the session the previous handoff was written for.
    pub previous_session_number: Option<i64>,
    pub project_name: String,
}

/// Starts a session: numbered after the project's last one (safe under concurrent starts:
/// the number is taken inside an IMMEDIATE transaction), the account becomes active, and
/// the latest handoff briefing is attached.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn start(db: &Db, input: &SessionInput, now: Timestamp) -> Result<Started, AppError> {
    let new = NewSession::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    let started = start_in(&mut tx, &new, now).await?;
    tx.commit().await?;
    Ok(started)
}

/// [`start`] inside the caller's write transaction.
async fn start_in(
    tx: &mut sqlx::SqliteConnection,
    new: &NewSession,
    now: Timestamp,
) -> Result<Started, AppError> {
    let project = storage::project::get(tx, new.project_id).await?;
    project.ensure_editable()?;
    let account = storage::account::get(tx, new.account_id).await?;
    if account.status == AccountStatus::Blocked {
        return Err(AppError::conflict_on(
            "account_id",
            format!("{} is blocked; unblock it first", account.account_name),
        ));
    }
    let previous = storage::session::latest_handoff(tx, new.project_id).await?;
    let previous_session_number = previous.as_ref().and_then(|p| p.1);
    let previous_handoff = previous.map(|p| p.0);
    let number = storage::session::next_number(tx, new.project_id).await?;
    let session = storage::session::insert(tx, new, number, now).await?;
    storage::account::mark_used(tx, new.account_id, Some(AccountStatus::Active), now).await?;
    Ok(Started {
        session,
        previous_handoff,
        previous_session_number,
        project_name: project.name,
    })
}

pub async fn get(db: &Db, id: SessionId) -> Result<Session, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::session::get(&mut conn, id).await?)
}

pub async fn list(db: &Db, filter: &SessionFilter) -> Result<Page<SessionRow>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::session::list(&mut conn, filter).await?)
}

pub async fn update(
    db: &Db,
    id: SessionId,
    input: &SessionPatchInput,
) -> Result<Session, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let current = storage::session::get(&mut tx, id).await?;
    AppError::ensure_version("session", current.version, input.version)?;
    let mut updated = apply_patch(current, input)?;
    storage::session::save(&mut tx, &mut updated).await?;
    tx.commit().await?;
    Ok(updated)
}

/// What completing a session did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Completed {
    pub session: Session,
    pub debited: i64,
    pub account_credits: i64,
    pub account_status: AccountStatus,
    pub handoff: Snapshot,
}

/// Completes a session in one transaction: debits the account (never below zero), adds to
/// the project's credits and sessions, closes the session and stores a handoff snapshot.
/// A second completion is refused (409) and changes nothing.
#[tracing::instrument(skip_all, fields(session.id = %id), err(level = "info"))]
pub async fn complete(
    db: &Db,
    id: SessionId,
    input: &CompletionInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Completed, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let done = complete_in(&mut tx, id, input, now, th).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`complete`] inside the caller's write transaction.
async fn complete_in(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    input: &CompletionInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Completed, AppError> {
    let session = storage::session::get(&mut *tx, id).await?;
    let account = storage::account::get(&mut *tx, session.account_id).await?;
    let project = storage::project::get(&mut *tx, session.project_id).await?;
    let mut done = finish(session, input, account.credits_available, now)?;
    let status = match account.status {
        AccountStatus::Blocked => AccountStatus::Blocked,
        _ => AccountStatus::Available.after_credits(done.account_credits_after, th),
    };
    storage::session::save(&mut *tx, &mut done.session).await?;
    storage::session::set_account_credits(
        &mut *tx,
        account.id,
        done.account_credits_after,
        status,
        now,
    )
    .await?;
    storage::session::add_to_project(&mut *tx, project.id, done.session.credits_used, now).await?;
    let s = &done.session;
    let summary = SessionSummary {
        session_number: s.session_number,
        objectives: s.objectives.clone(),
        accomplishments: s.accomplishments.clone(),
        blockers: s.blockers.clone(),
        handoff_notes: s.handoff_notes.clone(),
        credits_used: s.credits_used,
    };
    let critical_files = storage::project_file::critical_paths(&mut *tx, project.id).await?;
    let log = crate::service::handoff::session_log(&mut *tx, s.id.0).await?;
    let briefing = session_briefing(
        &project.name,
        project.description.as_deref(),
        &account.account_name,
        &summary,
        &log,
        &critical_files,
        now,
    );
    let line = format!(
        "Session {} {}",
        s.session_number,
        s.status.label().to_lowercase()
    );
    let handoff =
        storage::session::insert_snapshot(&mut *tx, s.id, "handoff", &briefing, Some(&line), now)
            .await?;
    Ok(Completed {
        session: done.session,
        debited: done.debit,
        account_credits: done.account_credits_after,
        account_status: status,
        handoff,
    })
}

/// What rotating a running session did: the session finished as handed off (with its
/// briefing), and the next one started on another account for the same work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rotated {
    pub finished: Completed,
    pub next: Started,
    pub next_account_name: String,
    pub reason: String,
}

/// Rotate → continue, in one transaction: the running session is completed as handed off
/// (its recorded credits debited, its briefing written), its account is marked exhausted,
/// the next account is the one asked for or the selection engine's choice (never the same
/// one, never a blocked one), and a session for the same project, type and objectives
/// starts there with the briefing attached. On any failure nothing changes.
#[tracing::instrument(skip_all, fields(session.id = %id), err(level = "info"))]
pub async fn rotate(
    db: &Db,
    id: SessionId,
    to: Option<AccountId>,
    strategy: Option<String>,
    now: Timestamp,
    th: Thresholds,
) -> Result<Rotated, AppError> {
    let req = SelectRequest::parse(&SelectInput {
        strategy,
        ..Default::default()
    })?;
    crate::service::account::refresh_due(db, now, th).await?;
    let mut tx = storage::begin_write(db).await?;
    let session = storage::session::get(&mut tx, id).await?;
    session.ensure_running()?;
    let from = session.account_id;
    let finished = complete_in(
        &mut tx,
        id,
        &CompletionInput {
            status: Some("handed_off".into()),
            ..Default::default()
        },
        now,
        th,
    )
    .await?;
    let previous = storage::account::get(&mut tx, from).await?;
    if previous.status != AccountStatus::Blocked {
        storage::account::set_status(&mut tx, from, AccountStatus::Exhausted, now).await?;
    }
    let (next, why) = match to {
        Some(a) if a == from => {
            return Err(FieldError::new(
                "account_id",
                format!(
                    "{} is the account being rotated away from",
                    previous.account_name
                ),
            )
            .into())
        }
        Some(a) => (
            storage::account::get(&mut tx, a).await?,
            "chosen by you".to_string(),
        ),
        None => {
            let sel = crate::service::account::successor(&mut tx, &previous, req.strategy, now)
                .await
                .map_err(|e| match e {
                    AppError::NoAccount { suggestion, .. } => AppError::NoAccount {
                        message: "No other account can take over now".into(),
                        suggestion,
                    },
                    other => other,
                })?;
            (sel.account, sel.reason)
        }
    };
    let started = start_in(
        &mut tx,
        &NewSession {
            project_id: session.project_id,
            account_id: next.id,
            session_type: session.session_type,
            objectives: session.objectives.clone(),
        },
        now,
    )
    .await?;
    storage::handoff::insert(
        &mut tx,
        &storage::handoff::NewHandoff {
            project: session.project_id,
            session_id: Some(id.0),
            from,
            to: next.id,
            context: &finished.handoff.compressed_context,
            at: now,
        },
    )
    .await?;
    let reason = format!(
        "{} ran low ({} credits left); {} takes over: {why}",
        previous.account_name, finished.account_credits, next.account_name
    );
    storage::account::record_switch(
        &mut tx,
        &storage::account::NewSwitch {
            kind: SwitchKind::Rotate,
            from: Some(from),
            to: Some(next.id),
            project_id: Some(session.project_id.0),
            reason: &reason,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Rotated {
        finished,
        next: started,
        next_account_name: next.account_name,
        reason,
    })
}

/// Saves the session's fields as a checkpoint.
pub async fn checkpoint(
    db: &Db,
    id: SessionId,
    note: Option<&str>,
    now: Timestamp,
) -> Result<Snapshot, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let s = storage::session::get(&mut tx, id).await?;
    let data = CheckpointData::of(&s, note)?;
    let json = serde_json::to_string(&data).map_err(|_| AppError::Internal)?;
    let snap = storage::session::insert_snapshot(
        &mut tx,
        id,
        "checkpoint",
        &json,
        Some(&data.summary()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(snap)
}

/// Restores the fields saved in a checkpoint of this session.
pub async fn restore(db: &Db, id: SessionId, checkpoint: i64) -> Result<Session, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let s = storage::session::get(&mut tx, id).await?;
    let snap = storage::session::snapshot(&mut tx, id, checkpoint).await?;
    if snap.snapshot_type != "checkpoint" {
        return Err(AppError::conflict(format!(
            "snapshot {checkpoint} is a {}, not a checkpoint",
            snap.snapshot_type
        )));
    }
    let data: CheckpointData = serde_json::from_str(&snap.compressed_context).map_err(|e| {
        tracing::error!(error = %e, "unreadable checkpoint");
        AppError::Internal
    })?;
    let mut restored = data.restore_into(s)?;
    storage::session::save(&mut tx, &mut restored).await?;
    tx.commit().await?;
    Ok(restored)
}

/// Raw conversation turn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TurnInput {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub tokens_used: Option<i64>,
}

pub const TURN_MAX_CHARS: usize = 1_000_000;

pub async fn append_turn(
    db: &Db,
    id: SessionId,
    input: &TurnInput,
    now: Timestamp,
) -> Result<Turn, AppError> {
    let role = match input.role.as_deref().map(str::trim) {
        Some(r @ ("user" | "assistant" | "system")) => r,
        Some(other) => {
            return Err(FieldError::new(
                "role",
                format!("{other:?} is not one of user, assistant, system"),
            )
            .into())
        }
        None => return Err(FieldError::new("role", "required: user, assistant or system").into()),
    };
    let content = input.content.as_deref().unwrap_or("");
    if content.trim().is_empty() {
        return Err(FieldError::new("content", "a turn needs content").into());
    }
    if content.chars().count() > TURN_MAX_CHARS {
        return Err(
            FieldError::new("content", format!("at most {TURN_MAX_CHARS} characters")).into(),
        );
    }
    if input.tokens_used.is_some_and(|t| t < 0) {
        return Err(FieldError::new("tokens_used", "must not be negative").into());
    }
    let mut tx = storage::begin_write(db).await?;
    storage::session::get(&mut tx, id).await?;
    let turn =
        storage::session::append_turn(&mut tx, id, role, content, input.tokens_used, now).await?;
    tx.commit().await?;
    Ok(turn)
}

/// Imports a conversation log into a session's turns, in one transaction.
pub async fn import(
    db: &Db,
    id: SessionId,
    text: &str,
    format: Option<&str>,
    now: Timestamp,
) -> Result<ImportOutcome, AppError> {
    let format = match format
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "auto")
    {
        Some(f) => Some(f.parse()?),
        None => None,
    };
    let parsed = crate::domain::conversation::parse(text, format)?;
    let mut tx = storage::begin_write(db).await?;
    storage::session::get(&mut tx, id).await?;
    for t in &parsed.turns {
        storage::session::append_turn(&mut tx, id, &t.role, &t.content, None, now).await?;
    }
    let usage: Vec<crate::domain::ledger::NewCall> = parsed
        .usage
        .iter()
        .map(|u| crate::domain::ledger::NewCall {
            session_id: id,
            provider: u.provider.clone(),
            model: u.model.clone(),
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            cost_micros: u.cost_micros,
            latency_ms: None,
            source: crate::domain::ledger::Source::Import,
            at: now,
        })
        .collect();
    crate::service::ledger::record_in(&mut tx, &usage).await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        format: parsed.format,
        title: parsed.title,
        imported: parsed.turns.len(),
        usage_recorded: usage.len(),
    })
}

pub async fn detail(db: &Db, id: SessionId) -> Result<Detail, AppError> {
    let mut conn = db.acquire().await?;
    let session = storage::session::get(&mut conn, id).await?;
    Ok(Detail {
        checkpoints: storage::session::snapshots(&mut conn, id, Some("checkpoint")).await?,
        handoffs: storage::session::snapshots(&mut conn, id, Some("handoff")).await?,
        turns: storage::session::turns(&mut conn, id).await?,
        session,
    })
}

/// The names a session refers to and the briefing it continued from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub project_name: String,
    pub account_name: String,
    pub previous_handoff: Option<String>,
}

pub async fn context(db: &Db, id: SessionId) -> Result<Context, AppError> {
    let mut conn = db.acquire().await?;
    let session = storage::session::get(&mut conn, id).await?;
    let (project_name, account_name) = storage::session::names(&mut conn, id).await?;
    let previous_handoff =
        storage::session::briefing_before(&mut conn, session.project_id, session.session_number)
            .await?;
    Ok(Context {
        project_name,
        account_name,
        previous_handoff,
    })
}

/// Turns shown per page on a session's page.
pub const TURNS_PER_PAGE: u32 = 25;

/// A session as its page shows it: the record, its snapshots, one page of its
/// conversation, the names it refers to and the briefing it continued from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub session: Session,
    pub checkpoints: Vec<Snapshot>,
    pub handoffs: Vec<Snapshot>,
    pub turns: Vec<Turn>,
    pub turn_total: u32,
    pub turn_page: u32,
    pub project_name: String,
    pub account_name: String,
    pub previous_handoff: Option<String>,
    pub usage: crate::domain::ledger::Totals,
}

/// Reads a session for its page: `page` of its turns (the last page when `None` or past
/// the end), only those containing `search` when given.
pub async fn overview(
    db: &Db,
    id: SessionId,
    page: Option<u32>,
    search: Option<&str>,
) -> Result<Overview, AppError> {
    let mut conn = db.acquire().await?;
    let session = storage::session::get(&mut conn, id).await?;
    let search = search.map(str::trim).filter(|q| !q.is_empty());
    let (_, total) = storage::session::turn_page(&mut conn, id, search, 0, 0).await?;
    let pages = total.div_ceil(TURNS_PER_PAGE).max(1);
    let turn_page = page.filter(|p| (1..=pages).contains(p)).unwrap_or(pages);
    let (turns, turn_total) = storage::session::turn_page(
        &mut conn,
        id,
        search,
        (turn_page - 1) * TURNS_PER_PAGE,
        TURNS_PER_PAGE,
    )
    .await?;
    let (project_name, account_name) = storage::session::names(&mut conn, id).await?;
    Ok(Overview {
        checkpoints: storage::session::snapshots(&mut conn, id, Some("checkpoint")).await?,
        handoffs: storage::session::snapshots(&mut conn, id, Some("handoff")).await?,
        previous_handoff: storage::session::briefing_before(
            &mut conn,
            session.project_id,
            session.session_number,
        )
        .await?,
        usage: storage::ledger::session_totals(&mut conn, id).await?,
        turns,
        turn_total,
        turn_page,
        project_name,
        account_name,
        session,
    })
}

pub async fn timeline(db: &Db, project: ProjectId) -> Result<Vec<TimelineEntry>, AppError> {
    let mut conn = db.acquire().await?;
    storage::project::get(&mut conn, project).await?;
    Ok(storage::session::timeline(&mut conn, project, None).await?)
}

/// Sessions a briefing can be built from, newest first (at most `limit`).
pub async fn choices(
    db: &Db,
    limit: i64,
) -> Result<Vec<storage::session::SessionChoice>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::session::choices(&mut conn, limit).await?)
}

/// How many sessions of a project are running and the credits they used so far.
pub async fn running_totals(db: &Db, project: ProjectId) -> Result<(i64, i64), AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::session::running_totals(&mut conn, project).await?)
}

/// The project's latest `n` sessions, newest first, and how many it has.
pub async fn recent_timeline(
    db: &Db,
    project: ProjectId,
    n: u32,
) -> Result<(Vec<TimelineEntry>, i64), AppError> {
    let mut conn = db.acquire().await?;
    let p = storage::project::get(&mut conn, project).await?;
    let mut entries = storage::session::timeline(&mut conn, project, Some(n)).await?;
    entries.reverse();
    let total = storage::session::count_of_project(&mut conn, p.id).await?;
    Ok((entries, total))
}

#[cfg(test)]
mod tests;
