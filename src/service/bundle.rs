//! Project export and import. An export reads one consistent snapshot; an import is
//! validated and planned before anything is written, then applied in one IMMEDIATE
//! transaction: a bundle goes in whole or not at all.

use crate::domain::account::{AccountId, Platform};
use crate::domain::bundle::{
    self, Bundle, ImportAction, ImportOutcome, ImportPlan, OnConflict, ProjectRecord, Target,
    FORMAT, FORMAT_VERSION,
};
use crate::domain::project::{ProjectDescription, ProjectId};
use crate::domain::text::name_key;
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::{self, bundle as store, Db};
use sqlx::SqliteConnection;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How an import should treat names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// A new name for the project (default: the bundle's).
    pub name: Option<String>,
    pub on_conflict: OnConflict,
}

/// A problem inside the bundle, named by its path from the bundle's root.
fn in_bundle(e: FieldError) -> AppError {
    let field = if e.field == "bundle" {
        e.field
    } else {
        format!("bundle.{}", e.field)
    };
    AppError::validation(field, e.message)
}

/// The project with everything recorded about it, read in one transaction.
#[tracing::instrument(skip(db), err(level = "debug"))]
pub async fn export(db: &Db, id: ProjectId, now: Timestamp) -> Result<Bundle, AppError> {
    let mut tx = db.begin().await?;
    let conn = &mut *tx;
    let project = store::project(conn, id).await?;
    let bundle = Bundle {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        exported_at: now,
        project,
        accounts: store::accounts(conn, id).await?,
        sessions: store::sessions(conn, id).await?,
        context_snapshots: store::snapshots(conn, id).await?,
        conversation_turns: store::turns(conn, id).await?,
        files: store::files(conn, id).await?,
        handoffs: store::handoffs(conn, id).await?,
        knowledge: store::knowledge(conn, id).await?,
        knowledge_outcomes: store::knowledge_outcomes(conn, id).await?,
        usage: store::usage(conn, id).await?,
        account_switches: store::switches(conn, id).await?,
    };
    tx.commit().await?;
    Ok(bundle)
}

/// Parses bundle text (from an upload or a file). Validation happens once, when the
/// import is planned (`preview`, `import`).
pub fn read(text: &str) -> Result<Bundle, AppError> {
    bundle::parse(text).map_err(in_bundle)
}

async fn target(conn: &mut SqliteConnection, name: &str) -> Result<Target, AppError> {
    let existing = store::live_project_named(conn, name).await?;
    let (max_session_number, file_paths) = match &existing {
        Some((id, _)) => (
            store::max_session_number(conn, *id).await?,
            store::file_paths(conn, *id).await?.into_iter().collect(),
        ),
        None => (0, Default::default()),
    };
    Ok(Target {
        existing,
        project_names: store::live_project_names(conn).await?.into_iter().collect(),
        account_names: store::account_ids_by_name(conn)
            .await?
            .into_keys()
            .collect(),
        max_session_number,
        file_paths,
    })
}

async fn plan_in(
    conn: &mut SqliteConnection,
    bundle: &Bundle,
    options: &ImportOptions,
) -> Result<ImportPlan, AppError> {
    bundle.validate().map_err(in_bundle)?;
    let name = bundle::requested_name(bundle, options.name.as_deref()).map_err(|e| {
        if e.field == "name" {
            AppError::validation("name", e.message)
        } else {
            in_bundle(e)
        }
    })?;
    let target = target(conn, &name).await?;
    Ok(bundle::plan(bundle, &name, options.on_conflict, &target))
}

/// What importing the bundle would do; writes nothing.
pub async fn preview(
    db: &Db,
    bundle: &Bundle,
    options: &ImportOptions,
) -> Result<ImportPlan, AppError> {
    let mut conn = db.acquire().await?;
    plan_in(&mut conn, bundle, options).await
}

/// Imports the bundle in one transaction, with new ids.
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn import(
    db: &Db,
    bundle: &Bundle,
    options: &ImportOptions,
    now: Timestamp,
) -> Result<ImportOutcome, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let plan = plan_in(&mut tx, bundle, options).await?;
    let project_id = apply(&mut tx, bundle, &plan, now).await?;
    tx.commit().await?;
    if let Some(id) = project_id {
        tracing::info!(project.id = %id, action = ?plan.action, sessions = plan.counts.sessions, "project imported");
    }
    Ok(ImportOutcome { plan, project_id })
}

/// Parses and imports bundle text (validated while planning).
pub async fn import_text(
    db: &Db,
    text: &str,
    options: &ImportOptions,
    now: Timestamp,
) -> Result<ImportOutcome, AppError> {
    let bundle = read(text)?;
    import(db, &bundle, options, now).await
}

async fn apply(
    conn: &mut SqliteConnection,
    bundle: &Bundle,
    plan: &ImportPlan,
    now: Timestamp,
) -> Result<Option<ProjectId>, AppError> {
    let project = match plan.action {
        ImportAction::Skip => return Ok(None),
        ImportAction::Merge => {
            let id = plan.existing_project_id.ok_or(AppError::Internal)?;
            let (sessions, credits) = bundle.derived_totals();
            store::add_totals(conn, id, sessions, credits, now).await?;
            id
        }
        ImportAction::Create | ImportAction::Rename => {
            let description = ProjectDescription::parse(bundle.project.description.as_deref())
                .map_err(|e| in_bundle(FieldError::new("project.description", e.message)))?;
            let (total_sessions, total_credits_used) = bundle.derived_totals();
            let record = ProjectRecord {
                total_sessions,
                total_credits_used,
                ..bundle.project.clone()
            };
            store::insert_project(conn, &record, &plan.project_name, description.as_deref()).await?
        }
    };

    // accounts: found by name, or created
    let mut by_name = store::account_ids_by_name(conn).await?;
    let missing: Vec<(String, Platform)> = bundle
        .accounts
        .iter()
        .filter(|a| !by_name.contains_key(&name_key(&a.account_name)))
        .map(|a| (a.account_name.trim().to_owned(), a.platform))
        .collect();
    if !missing.is_empty() {
        let note = format!("Added by importing the project “{}”.", plan.project_name);
        by_name.extend(store::insert_accounts(conn, &missing, &note, now).await?);
    }
    let accounts: HashMap<i64, AccountId> = bundle
        .accounts
        .iter()
        .filter_map(|a| {
            by_name
                .get(&name_key(&a.account_name))
                .map(|id| (a.id, *id))
        })
        .collect();

    let offset = plan.number_offset(bundle);
    let sessions =
        store::insert_sessions(conn, project, &bundle.sessions, &accounts, offset).await?;
    store::insert_snapshots(conn, &bundle.context_snapshots, &sessions).await?;
    store::insert_turns(conn, &bundle.conversation_turns, &sessions).await?;
    store::insert_files(conn, project, &bundle.files).await?;
    store::insert_handoffs(conn, project, &bundle.handoffs, &sessions, &accounts).await?;
    let entries = store::insert_knowledge(conn, &bundle.knowledge, &sessions).await?;
    store::insert_outcomes(conn, &bundle.knowledge_outcomes, &entries, &sessions).await?;
    let usage: Vec<crate::domain::ledger::NewCall> = bundle
        .usage
        .iter()
        .filter_map(|u| {
            Some(crate::domain::ledger::NewCall {
                // every reference was checked when the bundle was validated
                session_id: crate::domain::session::SessionId(*sessions.get(&u.session_id.0)?),
                provider: u.provider.clone(),
                model: u.model.clone(),
                input_tokens: u.input_tokens,
                output_tokens: u.output_tokens,
                cost_micros: u.cost_micros,
                latency_ms: u.latency_ms,
                source: u.source,
                at: u.created_at,
            })
        })
        .collect();
    crate::storage::ledger::insert_many(conn, &usage).await?;
    store::insert_switches(
        conn,
        project,
        &bundle.account_switches,
        &sessions,
        &accounts,
    )
    .await?;
    Ok(Some(project))
}

/// An uploaded bundle waiting for the user to confirm its import.
#[derive(Debug)]
pub struct Staged {
    pub bundle: Bundle,
    pub options: ImportOptions,
    pub file_name: String,
}

/// Uploaded bundles awaiting confirmation, by an unguessable token. It holds the last few
/// uploads only (the oldest goes first) and lives in memory: a restart forgets them and
/// the user uploads again.
#[derive(Debug, Clone, Default)]
pub struct Staging(Arc<Mutex<VecDeque<Waiting>>>);

/// A token and the upload it stands for.
type Waiting = (String, Arc<Staged>);

/// How many uploads wait at most.
pub const STAGED_MAX: usize = 4;

impl Staging {
    pub fn put(&self, staged: Staged) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.push_back((token.clone(), Arc::new(staged)));
        while q.len() > STAGED_MAX {
            q.pop_front();
        }
        token
    }

    pub fn get(&self, token: &str) -> Option<Arc<Staged>> {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().find(|(t, _)| t == token).map(|(_, s)| s.clone())
    }

    pub fn remove(&self, token: &str) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.retain(|(t, _)| t != token);
    }
}

#[cfg(test)]
mod tests;
