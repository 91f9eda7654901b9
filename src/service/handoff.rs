//! Handoff briefings on request: from a pasted log, or from a stored session's
//! conversation and record, with the project's name and critical files.

use crate::domain::handoff::{self, Briefing, Engine, Facts, Level};
use crate::domain::project::ProjectId;
use crate::domain::session::SessionId;
use crate::error::AppError;
use crate::storage::{self, Db};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

/// A compression request (the spec's `/api/handoff/compress` and
/// `/api/private/smart-compress` bodies, plus a session and an explicit budget).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CompressRequest {
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub session_id: Option<i64>,
    #[serde(default)]
    pub context: Option<String>,
    /// low, medium (default) or high.
    #[serde(default)]
    pub compress_level: Option<String>,
    /// Overrides the level.
    #[serde(default)]
    pub budget_chars: Option<i64>,
    /// Accepted for the spec's request shape; not used by the engine.
    #[serde(default)]
    pub credits_used: Option<i64>,
    #[serde(default)]
    pub from_account_id: Option<i64>,
}

/// The answer: the briefing, how it was sized, and which engine wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Compressed {
    pub briefing: Briefing,
    pub level: Level,
    pub engine: Engine,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Validation {
        field: field.into(),
        message: message.into(),
    }
}

fn engine_error(e: handoff::CompressError) -> AppError {
    invalid(e.field(), e.to_string())
}

/// The facts a project contributes: its name, its critical files and (unless a session
/// is given) its latest session's record.
async fn project_facts(
    conn: &mut SqliteConnection,
    project: ProjectId,
    with_latest: bool,
) -> Result<Facts, AppError> {
    let p = storage::project::get(conn, project).await?;
    let mut facts = Facts {
        project_name: Some(p.name),
        critical_files: storage::project_file::critical_paths(conn, project).await?,
        ..Facts::default()
    };
    if with_latest {
        if let Some((_, s)) = storage::handoff::latest_session(conn, project).await? {
            facts.session_number = Some(s.session_number);
            facts.objectives = s.objectives;
            facts.accomplishments = s.accomplishments;
            facts.blockers = s.blockers;
            facts.notes = s.handoff_notes;
        }
    }
    Ok(facts)
}

/// The conversation of a session as a transcript, its record and its project.
pub async fn session_source(
    conn: &mut SqliteConnection,
    id: SessionId,
) -> Result<(String, Facts, ProjectId), AppError> {
    let s = storage::session::get(conn, id).await?;
    let text = session_log(conn, id.0).await?;
    let mut facts = project_facts(conn, s.project_id, false).await?;
    facts.session_number = Some(s.session_number);
    facts.objectives = s.objectives;
    facts.accomplishments = s.accomplishments;
    facts.blockers = s.blockers;
    facts.notes = s.handoff_notes;
    Ok((text, facts, s.project_id))
}

/// Budget for a context: the explicit one, or the level's.
pub fn budget(req: &CompressRequest, context_chars: usize) -> Result<(usize, Level), AppError> {
    let level = match req.compress_level.as_deref() {
        None | Some("") => Level::default(),
        Some(l) => Level::parse(l).ok_or_else(|| {
            invalid(
                "compress_level",
                format!("{l:?} is not one of low, medium, high"),
            )
        })?,
    };
    let budget = match req.budget_chars {
        None => level.budget(context_chars),
        Some(b) if b >= handoff::MIN_BUDGET as i64 && b <= handoff::MAX_BUDGET as i64 => b as usize,
        Some(_) => return Err(engine_error(handoff::CompressError::Budget)),
    };
    Ok((budget, level))
}

/// The newest handoff of a project, with the names of its accounts.
pub async fn latest(
    db: &Db,
    project: ProjectId,
) -> Result<Option<crate::domain::briefing::Handoff>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::handoff::latest(&mut conn, project).await?)
}

/// Compresses a pasted log or a stored session into a briefing, which the configured model
/// (if any) may rewrite (`service::model::rewrite`). Reads only.
pub async fn compress(
    db: &Db,
    model: &super::model::ModelPass,
    req: &CompressRequest,
) -> Result<Compressed, AppError> {
    // the connection is back in its pool before the model is asked
    let (briefing, level) = extractive(db, req).await?;
    let (briefing, engine) = super::model::rewrite(db, model, briefing).await;
    Ok(Compressed {
        briefing,
        level,
        engine,
    })
}

/// The extractive briefing of a request, and its level.
async fn extractive(db: &Db, req: &CompressRequest) -> Result<(Briefing, Level), AppError> {
    let mut conn = db.acquire().await?;
    let pasted = req.context.as_deref().unwrap_or("");
    let (context, facts, project) = match (req.session_id, req.project_id) {
        (Some(id), _) => {
            let id = SessionId(id);
            let (text, facts, project) = session_source(&mut conn, id).await?;
            if let Some(p) = req.project_id {
                if project.0 != p {
                    return Err(invalid(
                        "session_id",
                        format!("session {id} is not in project {p}"),
                    ));
                }
            }
            let context = if pasted.trim().is_empty() {
                text
            } else {
                pasted.to_owned()
            };
            (context, facts, Some(project))
        }
        (None, Some(p)) => (
            pasted.to_owned(),
            project_facts(&mut conn, ProjectId(p), true).await?,
            Some(ProjectId(p)),
        ),
        (None, None) => (pasted.to_owned(), Facts::default(), None),
    };
    // what git says about the project's repository (capture maps one)
    let mut facts = facts;
    if let Some(p) = project {
        if let Some(root) = storage::capture::root_of_project(&mut conn, p).await? {
            drop(conn);
            facts.repository = crate::server::git::state(&root).await;
        }
    }
    let (budget, level) = budget(req, context.chars().count())?;
    if context.trim().is_empty() && !facts.has_record() {
        return Err(invalid(
            "context",
            if req.session_id.is_some() {
                "this session has no conversation or record yet; paste a log instead"
            } else {
                "the context is empty: paste a session log"
            },
        ));
    }
    let briefing = handoff::compress(&context, &facts, budget).map_err(engine_error)?;
    Ok((briefing, level))
}

/// A session's stored conversation as a transcript the handoff engine reads.
pub async fn session_log(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<String, AppError> {
    let turns = storage::session::turns(conn, crate::domain::session::SessionId(id)).await?;
    Ok(crate::domain::handoff::transcript(turns.iter().map(|t| {
        (t.role.as_deref().unwrap_or("user"), t.content.as_str())
    })))
}
