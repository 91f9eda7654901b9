//! SQL for sessions, their checkpoints (context snapshots) and conversation turns.

use crate::domain::account::AccountId;
use crate::domain::project::{Page, ProjectId};
use crate::domain::session::{Session, SessionId, SessionRow, Snapshot, TimelineEntry, Turn};
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const COLUMNS: &str = "id, project_id, account_id, session_number, session_type, credits_used, \
    duration_minutes, objectives, accomplishments, blockers, handoff_notes, status, started_at, completed_at, \
    version";

pub const PER_PAGE: u32 = 20;

/// The next session number of a project (call inside the write transaction that inserts).
pub async fn next_number(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(MAX(session_number), 0) + 1 FROM sessions WHERE project_id = ?",
    )
    .bind(project)
    .fetch_one(conn)
    .await?)
}

pub async fn insert(
    conn: &mut SqliteConnection,
    new: &crate::domain::session::NewSession,
    number: i64,
    now: Timestamp,
) -> Result<Session, StorageError> {
    let sql = format!(
        "INSERT INTO sessions (project_id, account_id, session_number, session_type, objectives, status, started_at) \
         VALUES (?, ?, ?, ?, ?, 'in_progress', ?) RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as(&sql)
        .bind(new.project_id)
        .bind(new.account_id)
        .bind(number)
        .bind(new.session_type)
        .bind(&new.objectives)
        .bind(now)
        .fetch_one(conn)
        .await?)
}

pub async fn get(conn: &mut SqliteConnection, id: SessionId) -> Result<Session, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = ?");
    sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StorageError::not_found("session", id))
}

/// Writes the fields a session changes over its life and increments its version (the
/// new version is written into `s`).
pub async fn save(conn: &mut SqliteConnection, s: &mut Session) -> Result<(), StorageError> {
    s.version = sqlx::query_scalar(
        "UPDATE sessions SET credits_used = ?, duration_minutes = ?, objectives = ?, accomplishments = ?, \
         blockers = ?, handoff_notes = ?, status = ?, completed_at = ?, version = version + 1 \
         WHERE id = ? RETURNING version",
    )
    .bind(s.credits_used)
    .bind(s.duration_minutes)
    .bind(&s.objectives)
    .bind(&s.accomplishments)
    .bind(&s.blockers)
    .bind(&s.handoff_notes)
    .bind(s.status)
    .bind(s.completed_at)
    .bind(s.id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StorageError::not_found("session", s.id))?;
    Ok(())
}

pub use crate::domain::session::SessionFilter;

pub async fn list(
    conn: &mut SqliteConnection,
    f: &SessionFilter,
) -> Result<Page<SessionRow>, StorageError> {
    fn filters<'a>(qb: &mut QueryBuilder<'a, Sqlite>, f: &'a SessionFilter) {
        qb.push(" WHERE 1 = 1");
        if let Some(p) = f.project_id {
            qb.push(" AND s.project_id = ").push_bind(p);
        }
        if let Some(a) = f.account_id {
            qb.push(" AND s.account_id = ").push_bind(a);
        }
        if let Some(st) = f.status {
            qb.push(" AND s.status = ").push_bind(st);
        }
        if let Some(t) = f.session_type {
            qb.push(" AND s.session_type = ").push_bind(t);
        }
    }
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM sessions s");
    filters(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT s.id, s.project_id, s.account_id, s.session_number, s.session_type, s.credits_used, \
         s.duration_minutes, s.objectives, s.accomplishments, s.blockers, s.handoff_notes, s.status, \
         s.started_at, s.completed_at, p.name AS project_name, a.account_name \
         FROM sessions s JOIN projects p ON p.id = s.project_id JOIN accounts a ON a.id = s.account_id",
    );
    filters(&mut qb, f);
    let page = f.page.max(1);
    qb.push(" ORDER BY s.started_at DESC, s.id DESC LIMIT ")
        .push_bind(i64::from(PER_PAGE))
        .push(" OFFSET ")
        .push_bind(i64::from(page - 1) * i64::from(PER_PAGE));
    let items = qb.build_query_as().fetch_all(&mut *conn).await?;
    Ok(Page {
        items,
        page,
        per_page: PER_PAGE,
        total,
    })
}

pub async fn insert_snapshot(
    conn: &mut SqliteConnection,
    session: SessionId,
    kind: &str,
    context: &str,
    summary: Option<&str>,
    now: Timestamp,
) -> Result<Snapshot, StorageError> {
    Ok(sqlx::query_as(
        "INSERT INTO context_snapshots (session_id, snapshot_type, compressed_context, context_summary, created_at) \
         VALUES (?, ?, ?, ?, ?) RETURNING id, session_id, snapshot_type, compressed_context, context_summary, created_at",
    )
    .bind(session)
    .bind(kind)
    .bind(context)
    .bind(summary)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn snapshots(
    conn: &mut SqliteConnection,
    session: SessionId,
    kind: Option<&str>,
) -> Result<Vec<Snapshot>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, session_id, snapshot_type, compressed_context, context_summary, created_at \
         FROM context_snapshots WHERE session_id = ? AND (? IS NULL OR snapshot_type = ?) \
         ORDER BY created_at DESC, id DESC",
    )
    .bind(session)
    .bind(kind)
    .bind(kind)
    .fetch_all(conn)
    .await?)
}

pub async fn snapshot(
    conn: &mut SqliteConnection,
    session: SessionId,
    id: i64,
) -> Result<Snapshot, StorageError> {
    sqlx::query_as(
        "SELECT id, session_id, snapshot_type, compressed_context, context_summary, created_at \
         FROM context_snapshots WHERE session_id = ? AND id = ?",
    )
    .bind(session)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StorageError::not_found("checkpoint", id))
}

/// The newest handoff briefing of a project: from the handoff snapshot of a completed
/// session, or from a rotation, whichever is newer.
pub async fn latest_briefing(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Option<String>, StorageError> {
    Ok(latest_handoff(conn, project).await?.map(|(b, _)| b))
}

/// The project's latest handoff briefing and the number of the session it was written
/// for (none for a rotation that named no session).
pub async fn latest_handoff(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Option<(String, Option<i64>)>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT briefing, number FROM ( \
           SELECT c.compressed_context AS briefing, s.session_number AS number, c.created_at AS at, c.id AS id \
             FROM context_snapshots c JOIN sessions s ON s.id = c.session_id \
             WHERE s.project_id = ?1 AND c.snapshot_type = 'handoff' \
           UNION ALL \
           SELECT h.handoff_context, s.session_number, h.created_at, h.id FROM handoff_queue h \
             LEFT JOIN sessions s ON s.id = h.session_id WHERE h.project_id = ?1 \
         ) ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(project)
    .fetch_optional(conn)
    .await?)
}

/// The project's and the account's names of a session.
pub async fn names(
    conn: &mut SqliteConnection,
    id: SessionId,
) -> Result<(String, String), StorageError> {
    Ok(sqlx::query_as(
        "SELECT p.name, a.account_name FROM sessions s JOIN projects p ON p.id = s.project_id \
         JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// The briefing a session continued from: the newest handoff of an earlier session of
/// its project.
pub async fn briefing_before(
    conn: &mut SqliteConnection,
    project: ProjectId,
    session_number: i64,
) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT c.compressed_context FROM context_snapshots c JOIN sessions s ON s.id = c.session_id \
         WHERE s.project_id = ? AND s.session_number < ? AND c.snapshot_type = 'handoff' \
         ORDER BY s.session_number DESC, c.id DESC LIMIT 1",
    )
    .bind(project)
    .bind(session_number)
    .fetch_optional(conn)
    .await?)
}

/// A project's sessions in order with whether each left a handoff; with `latest`, only
/// the last that many (still in order).
pub async fn timeline(
    conn: &mut SqliteConnection,
    project: ProjectId,
    latest: Option<u32>,
) -> Result<Vec<TimelineEntry>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT * FROM (SELECT s.id, s.session_number, s.session_type, s.status, s.credits_used, \
         s.account_id, a.account_name, s.started_at, s.completed_at, s.objectives, \
         EXISTS(SELECT 1 FROM context_snapshots c WHERE c.session_id = s.id AND c.snapshot_type = 'handoff') AS has_handoff, \
         (SELECT COUNT(*) FROM conversation_history t WHERE t.session_id = s.id) AS conversation_count, \
         (SELECT COUNT(*) FROM context_snapshots c WHERE c.session_id = s.id AND c.snapshot_type = 'handoff') AS handoff_count \
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.project_id = ?1 \
         ORDER BY s.session_number DESC LIMIT ?2) ORDER BY session_number",
    )
    .bind(project)
    .bind(latest.map_or(-1, i64::from))
    .fetch_all(conn)
    .await?)
}

/// The accounts of a project's running sessions, the most recently started first.
pub async fn running_accounts(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Vec<i64>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM sessions WHERE project_id = ? AND status = 'in_progress' \
         GROUP BY account_id ORDER BY MAX(started_at) DESC LIMIT 20",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

/// How many sessions a project has.
pub async fn count_of_project(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<i64, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE project_id = ?")
            .bind(project)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn append_turn(
    conn: &mut SqliteConnection,
    session: SessionId,
    role: &str,
    content: &str,
    tokens: Option<i64>,
    now: Timestamp,
) -> Result<Turn, StorageError> {
    Ok(sqlx::query_as(
        "INSERT INTO conversation_history (session_id, turn_number, role, content, tokens_used, timestamp) \
         VALUES (?1, (SELECT COALESCE(MAX(turn_number), 0) + 1 FROM conversation_history WHERE session_id = ?1), ?2, ?3, ?4, ?5) \
         RETURNING id, session_id, turn_number, role, content, tokens_used, timestamp",
    )
    .bind(session)
    .bind(role)
    .bind(content)
    .bind(tokens)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn turns(
    conn: &mut SqliteConnection,
    session: SessionId,
) -> Result<Vec<Turn>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, session_id, turn_number, role, content, tokens_used, timestamp \
         FROM conversation_history WHERE session_id = ? ORDER BY turn_number",
    )
    .bind(session)
    .fetch_all(conn)
    .await?)
}

/// One page of a session's turns in order, and how many there are; with `search`, only
/// the turns containing it (case-insensitive for ASCII, as SQLite's LIKE is).
pub async fn turn_page(
    conn: &mut SqliteConnection,
    session: SessionId,
    search: Option<&str>,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Turn>, u32), StorageError> {
    let pattern = search.map(|q| {
        let mut p = String::with_capacity(q.len() + 2);
        p.push('%');
        for c in q.chars() {
            if matches!(c, '%' | '_' | '\\') {
                p.push('\\');
            }
            p.push(c);
        }
        p.push('%');
        p
    });
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversation_history WHERE session_id = ?1 \
         AND (?2 IS NULL OR content LIKE ?2 ESCAPE '\\')",
    )
    .bind(session)
    .bind(pattern.as_deref())
    .fetch_one(&mut *conn)
    .await?;
    let items = sqlx::query_as(
        "SELECT id, session_id, turn_number, role, content, tokens_used, timestamp \
         FROM conversation_history WHERE session_id = ?1 \
         AND (?2 IS NULL OR content LIKE ?2 ESCAPE '\\') \
         ORDER BY turn_number LIMIT ?3 OFFSET ?4",
    )
    .bind(session)
    .bind(pattern.as_deref())
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&mut *conn)
    .await?;
    Ok((items, u32::try_from(total).unwrap_or(u32::MAX)))
}

/// Adds a completed session's credits and count to its project.
pub async fn add_to_project(
    conn: &mut SqliteConnection,
    project: ProjectId,
    credits: i64,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE projects SET total_credits_used = total_credits_used + ?, total_sessions = total_sessions + 1, \
         updated_at = ? WHERE id = ?",
    )
    .bind(credits)
    .bind(now)
    .bind(project)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_account_credits(
    conn: &mut SqliteConnection,
    account: AccountId,
    credits: i64,
    status: crate::domain::account::AccountStatus,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE accounts SET credits_available = ?, status = ?, updated_at = ? WHERE id = ?",
    )
    .bind(credits)
    .bind(status)
    .bind(now)
    .bind(account)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recent sessions to pick from, labelled "Project · session N".
pub async fn choices(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<SessionChoice>, StorageError> {
    let rows: Vec<(i64, String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT s.id, p.name, s.session_number, s.objectives, s.started_at FROM sessions s \
         JOIN projects p ON p.id = s.project_id WHERE p.deleted_at IS NULL \
         ORDER BY s.started_at DESC, s.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, project, number, objectives, started)| SessionChoice {
            id,
            project,
            number,
            objectives,
            started_at: Timestamp::parse(&started),
        })
        .collect())
}

/// A project's sessions in progress: how many, and the credits they have used so far.
pub async fn running_totals(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<(i64, i64), StorageError> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(credits_used), 0) FROM sessions \
         WHERE project_id = ? AND status = 'in_progress'",
    )
    .bind(project.0)
    .fetch_one(conn)
    .await?)
}

/// A session as a picker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionChoice {
    pub id: i64,
    pub project: String,
    pub number: i64,
    pub objectives: Option<String>,
    pub started_at: Option<Timestamp>,
}
