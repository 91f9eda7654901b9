//! SQL for project bundles: reading a project with everything recorded about it, and
//! writing a bundle's records under new ids (inside the caller's transaction).

use crate::domain::account::{AccountId, Platform};
use crate::domain::bundle::{
    AccountRef, FileRecord, HandoffRecord, KnowledgeRecord, OutcomeRecord, ProjectRecord,
    SessionRecord, SnapshotRecord, SwitchRecord, TurnRecord,
};
use crate::domain::project::ProjectId;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;

/// SQLite refuses statements with more than 32,766 parameters.
const MAX_PARAMS: usize = 32_000;

fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMS / columns).max(1)
}

// ---------------------------------------------------------------- reading

#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "debug"))]
pub async fn project(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<ProjectRecord, StorageError> {
    sqlx::query_as::<_, ProjectRecord>(
        "SELECT id, name, description, status, total_credits_used, total_sessions, created_at, \
         updated_at FROM projects WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StorageError::not_found("project", id))
}

/// Every account the project's sessions, handoffs and switches mention, by name.
pub async fn accounts(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<AccountRef>, StorageError> {
    Ok(sqlx::query_as::<_, AccountRef>(
        "SELECT id, account_name, platform FROM accounts WHERE id IN (
             SELECT account_id FROM sessions WHERE project_id = ?1
             UNION SELECT from_account_id FROM handoff_queue WHERE project_id = ?1
             UNION SELECT to_account_id FROM handoff_queue WHERE project_id = ?1
             UNION SELECT from_account_id FROM account_switches WHERE project_id = ?1
             UNION SELECT to_account_id FROM account_switches WHERE project_id = ?1)
         ORDER BY account_name COLLATE NOCASE, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn sessions(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<SessionRecord>, StorageError> {
    Ok(sqlx::query_as::<_, SessionRecord>(
        "SELECT id, account_id, session_number, session_type, credits_used, duration_minutes, \
         objectives, accomplishments, blockers, handoff_notes, checkpoint_data, status, \
         started_at, completed_at FROM sessions WHERE project_id = ? ORDER BY session_number",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn snapshots(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<SnapshotRecord>, StorageError> {
    Ok(sqlx::query_as::<_, SnapshotRecord>(
        "SELECT c.id, c.session_id, c.snapshot_type, c.compressed_context, c.context_summary, \
         c.file_count, c.code_lines, c.git_commit_hash, c.created_at \
         FROM context_snapshots c JOIN sessions s ON s.id = c.session_id \
         WHERE s.project_id = ? ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn turns(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<TurnRecord>, StorageError> {
    Ok(sqlx::query_as::<_, TurnRecord>(
        "SELECT t.id, t.session_id, t.turn_number, t.role, t.content, t.tokens_used, t.timestamp \
         FROM conversation_history t JOIN sessions s ON s.id = t.session_id \
         WHERE s.project_id = ? ORDER BY s.session_number, t.turn_number",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn files(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<FileRecord>, StorageError> {
    Ok(sqlx::query_as::<_, FileRecord>(
        "SELECT id, file_path, file_type, last_modified, size_bytes, git_status, importance, notes \
         FROM project_files WHERE project_id = ? ORDER BY file_path",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn handoffs(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<HandoffRecord>, StorageError> {
    Ok(sqlx::query_as::<_, HandoffRecord>(
        "SELECT id, session_id, from_account_id, to_account_id, priority, handoff_context, status, \
         created_at, processed_at FROM handoff_queue WHERE project_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Knowledge entries that came from the project's sessions.
pub async fn knowledge(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<KnowledgeRecord>, StorageError> {
    Ok(sqlx::query_as::<_, KnowledgeRecord>(
        "SELECT k.id, k.category, k.title, k.description, k.tags, k.usage_count, \
         k.success_count, k.success_rate, k.source_session_id, k.created_at, k.updated_at \
         FROM knowledge_base k JOIN sessions s ON s.id = k.source_session_id \
         WHERE s.project_id = ? ORDER BY k.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The usage ledger of the project's sessions.
pub async fn usage(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<crate::domain::bundle::UsageRecord>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT l.id, l.session_id, l.provider, l.model, l.input_tokens, l.output_tokens, \
         l.cost_micros, l.latency_ms, l.source, l.created_at \
         FROM usage_ledger l JOIN sessions s ON s.id = l.session_id WHERE s.project_id = ? ORDER BY l.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Outcomes recorded for the project's knowledge entries.
pub async fn knowledge_outcomes(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<OutcomeRecord>, StorageError> {
    Ok(sqlx::query_as::<_, OutcomeRecord>(
        "SELECT o.id, o.entry_id, o.session_id, o.worked, o.note, o.created_at \
         FROM knowledge_outcomes o JOIN knowledge_base k ON k.id = o.entry_id \
         JOIN sessions s ON s.id = k.source_session_id WHERE s.project_id = ? ORDER BY o.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

pub async fn switches(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<SwitchRecord>, StorageError> {
    Ok(sqlx::query_as::<_, SwitchRecord>(
        "SELECT id, kind, from_account_id, to_account_id, session_id, reason, created_at \
         FROM account_switches WHERE project_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

// ---------------------------------------------------------------- planning

/// The live project with this name, compared without case.
pub async fn live_project_named(
    conn: &mut SqliteConnection,
    name: &str,
) -> Result<Option<(ProjectId, String)>, StorageError> {
    Ok(sqlx::query_as::<_, (ProjectId, String)>(
        "SELECT id, name FROM projects WHERE deleted_at IS NULL AND name = ? COLLATE NOCASE \
         ORDER BY id LIMIT 1",
    )
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// The names of all live projects, lower-cased.
pub async fn live_project_names(conn: &mut SqliteConnection) -> Result<Vec<String>, StorageError> {
    Ok(
        sqlx::query_scalar::<_, String>(
            "SELECT lower(name) FROM projects WHERE deleted_at IS NULL",
        )
        .fetch_all(conn)
        .await?,
    )
}

/// Existing accounts by name key (`text::name_key`).
pub async fn account_ids_by_name(
    conn: &mut SqliteConnection,
) -> Result<HashMap<String, AccountId>, StorageError> {
    let rows = sqlx::query_as::<_, (String, AccountId)>("SELECT account_name, id FROM accounts")
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, id)| (crate::domain::text::name_key(&name), id))
        .collect())
}

pub async fn max_session_number(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(session_number), 0) FROM sessions WHERE project_id = ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

pub async fn file_paths(
    conn: &mut SqliteConnection,
    id: ProjectId,
) -> Result<Vec<String>, StorageError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT file_path FROM project_files WHERE project_id = ?")
            .bind(id)
            .fetch_all(conn)
            .await?,
    )
}

// ---------------------------------------------------------------- writing

/// A new project carrying the record's fields under `name`.
pub async fn insert_project(
    conn: &mut SqliteConnection,
    p: &ProjectRecord,
    name: &str,
    description: Option<&str>,
) -> Result<ProjectId, StorageError> {
    Ok(sqlx::query_scalar::<_, ProjectId>(
        "INSERT INTO projects (name, description, status, total_credits_used, total_sessions, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(description)
    .bind(p.status)
    .bind(p.total_credits_used)
    .bind(p.total_sessions)
    .bind(p.created_at)
    .bind(p.updated_at)
    .fetch_one(conn)
    .await?)
}

/// Adds merged sessions' totals to a project.
pub async fn add_totals(
    conn: &mut SqliteConnection,
    id: ProjectId,
    sessions: i64,
    credits: i64,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE projects SET total_sessions = total_sessions + ?, \
         total_credits_used = total_credits_used + ?, updated_at = ? WHERE id = ?",
    )
    .bind(sessions)
    .bind(credits)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Accounts a bundle names that this database does not have yet, created with the default
/// credits and a note saying where they came from. Returns their ids by name key.
pub async fn insert_accounts(
    conn: &mut SqliteConnection,
    accounts: &[(String, Platform)],
    note: &str,
    now: Timestamp,
) -> Result<HashMap<String, AccountId>, StorageError> {
    let mut out = HashMap::with_capacity(accounts.len());
    for chunk in accounts.chunks(rows_per_statement(6)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO accounts (account_name, platform, notes, created_at, updated_at, name_key) ",
        );
        qb.push_values(chunk, |mut b, (name, platform)| {
            b.push_bind(name.clone())
                .push_bind(*platform)
                .push_bind(note.to_owned())
                .push_bind(now)
                .push_bind(now)
                .push_bind(crate::domain::text::name_key(name));
        });
        qb.push(" RETURNING account_name, id");
        let rows: Vec<(String, AccountId)> = qb.build_query_as().fetch_all(&mut *conn).await?;
        out.extend(
            rows.into_iter()
                .map(|(name, id)| (crate::domain::text::name_key(&name), id)),
        );
    }
    Ok(out)
}

/// Inserts sessions (numbers shifted by `number_offset`); returns new ids by bundle id.
pub async fn insert_sessions(
    conn: &mut SqliteConnection,
    project: ProjectId,
    sessions: &[SessionRecord],
    accounts: &HashMap<i64, AccountId>,
    number_offset: i64,
) -> Result<HashMap<i64, i64>, StorageError> {
    for chunk in sessions.chunks(rows_per_statement(15)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO sessions (project_id, account_id, session_number, session_type, \
             credits_used, duration_minutes, objectives, accomplishments, blockers, handoff_notes, \
             checkpoint_data, status, started_at, completed_at) ",
        );
        qb.push_values(chunk, |mut b, s| {
            b.push_bind(project)
                .push_bind(accounts.get(&s.account_id).copied())
                .push_bind(s.session_number + number_offset)
                .push_bind(s.session_type)
                .push_bind(s.credits_used)
                .push_bind(s.duration_minutes)
                .push_bind(s.objectives.clone())
                .push_bind(s.accomplishments.clone())
                .push_bind(s.blockers.clone())
                .push_bind(s.handoff_notes.clone())
                .push_bind(s.checkpoint_data.clone())
                .push_bind(s.status)
                .push_bind(s.started_at)
                .push_bind(s.completed_at);
        });
        qb.build().execute(&mut *conn).await?;
    }
    // session numbers are unique per project: they map bundle ids to new ids
    let by_number: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT session_number, id FROM sessions WHERE project_id = ?",
    )
    .bind(project)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    Ok(sessions
        .iter()
        .filter_map(|s| {
            by_number
                .get(&(s.session_number + number_offset))
                .map(|id| (s.id, *id))
        })
        .collect())
}

pub async fn insert_snapshots(
    conn: &mut SqliteConnection,
    rows: &[SnapshotRecord],
    sessions: &HashMap<i64, i64>,
) -> Result<(), StorageError> {
    for chunk in rows.chunks(rows_per_statement(8)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO context_snapshots (session_id, snapshot_type, compressed_context, \
             context_summary, file_count, code_lines, git_commit_hash, created_at) ",
        );
        qb.push_values(chunk, |mut b, s| {
            b.push_bind(sessions.get(&s.session_id).copied())
                .push_bind(s.snapshot_type.clone())
                .push_bind(s.compressed_context.clone())
                .push_bind(s.context_summary.clone())
                .push_bind(s.file_count)
                .push_bind(s.code_lines)
                .push_bind(s.git_commit_hash.clone())
                .push_bind(s.created_at);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn insert_turns(
    conn: &mut SqliteConnection,
    rows: &[TurnRecord],
    sessions: &HashMap<i64, i64>,
) -> Result<(), StorageError> {
    for chunk in rows.chunks(rows_per_statement(6)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO conversation_history (session_id, turn_number, role, content, \
             tokens_used, timestamp) ",
        );
        qb.push_values(chunk, |mut b, t| {
            b.push_bind(sessions.get(&t.session_id).copied())
                .push_bind(t.turn_number)
                .push_bind(t.role.clone())
                .push_bind(t.content.clone())
                .push_bind(t.tokens_used)
                .push_bind(t.timestamp);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts tracked files; a path the project already tracks keeps its existing row.
/// Returns how many were inserted.
pub async fn insert_files(
    conn: &mut SqliteConnection,
    project: ProjectId,
    rows: &[FileRecord],
) -> Result<u64, StorageError> {
    let mut inserted = 0;
    for chunk in rows.chunks(rows_per_statement(9)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO project_files (project_id, file_path, file_type, last_modified, \
             size_bytes, git_status, importance, notes) ",
        );
        qb.push_values(chunk, |mut b, f| {
            b.push_bind(project)
                .push_bind(f.file_path.clone())
                .push_bind(f.file_type.clone())
                .push_bind(f.last_modified.clone())
                .push_bind(f.size_bytes)
                .push_bind(f.git_status.clone())
                .push_bind(f.importance)
                .push_bind(f.notes.clone());
        });
        qb.push(" ON CONFLICT (project_id, file_path) DO NOTHING");
        inserted += qb.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

pub async fn insert_handoffs(
    conn: &mut SqliteConnection,
    project: ProjectId,
    rows: &[HandoffRecord],
    sessions: &HashMap<i64, i64>,
    accounts: &HashMap<i64, AccountId>,
) -> Result<(), StorageError> {
    for chunk in rows.chunks(rows_per_statement(10)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO handoff_queue (project_id, session_id, from_account_id, to_account_id, \
             priority, handoff_context, status, created_at, processed_at) ",
        );
        qb.push_values(chunk, |mut b, h| {
            b.push_bind(project)
                .push_bind(h.session_id.and_then(|s| sessions.get(&s).copied()))
                .push_bind(accounts.get(&h.from_account_id).copied())
                .push_bind(h.to_account_id.and_then(|a| accounts.get(&a).copied()))
                .push_bind(h.priority)
                .push_bind(h.handoff_context.clone())
                .push_bind(h.status.clone())
                .push_bind(h.created_at)
                .push_bind(h.processed_at);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts knowledge entries; returns new ids by bundle id.
pub async fn insert_knowledge(
    conn: &mut SqliteConnection,
    rows: &[KnowledgeRecord],
    sessions: &HashMap<i64, i64>,
) -> Result<HashMap<i64, i64>, StorageError> {
    let mut ids = HashMap::with_capacity(rows.len());
    for k in rows {
        // bundles without the count carry the rate; the count follows from it
        let worked = k
            .success_count
            .unwrap_or_else(|| (k.success_rate * k.usage_count as f64).round() as i64)
            .clamp(0, k.usage_count);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO knowledge_base (category, title, description, tags, usage_count, \
             success_count, success_rate, source_session_id, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&k.category)
        .bind(&k.title)
        .bind(&k.description)
        .bind(&k.tags)
        .bind(k.usage_count)
        .bind(worked)
        .bind(k.success_rate)
        .bind(k.source_session_id.and_then(|s| sessions.get(&s).copied()))
        .bind(k.created_at)
        .bind(k.updated_at)
        .fetch_one(&mut *conn)
        .await?;
        ids.insert(k.id, id);
    }
    Ok(ids)
}

pub async fn insert_outcomes(
    conn: &mut SqliteConnection,
    rows: &[OutcomeRecord],
    entries: &HashMap<i64, i64>,
    sessions: &HashMap<i64, i64>,
) -> Result<(), StorageError> {
    for chunk in rows.chunks(rows_per_statement(5)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO knowledge_outcomes (entry_id, session_id, worked, note, created_at) ",
        );
        qb.push_values(chunk, |mut b, o| {
            b.push_bind(entries.get(&o.entry_id).copied())
                .push_bind(o.session_id.and_then(|v| sessions.get(&v).copied()))
                .push_bind(o.worked)
                .push_bind(o.note.clone())
                .push_bind(o.created_at);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn insert_switches(
    conn: &mut SqliteConnection,
    project: ProjectId,
    rows: &[SwitchRecord],
    sessions: &HashMap<i64, i64>,
    accounts: &HashMap<i64, AccountId>,
) -> Result<(), StorageError> {
    for chunk in rows.chunks(rows_per_statement(7)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO account_switches (created_at, kind, from_account_id, to_account_id, \
             project_id, session_id, reason) ",
        );
        qb.push_values(chunk, |mut b, s| {
            b.push_bind(s.created_at)
                .push_bind(s.kind.clone())
                .push_bind(s.from_account_id.and_then(|a| accounts.get(&a).copied()))
                .push_bind(s.to_account_id.and_then(|a| accounts.get(&a).copied()))
                .push_bind(project)
                .push_bind(s.session_id.and_then(|v| sessions.get(&v).copied()))
                .push_bind(s.reason.clone());
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}
