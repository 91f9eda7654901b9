//! SQL for the handoff queue and the session facts a briefing needs.

use crate::domain::account::AccountId;
use crate::domain::briefing::SessionSummary;
use crate::domain::project::ProjectId;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::SqliteConnection;

type SessionRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// The latest session of a project (highest number), with its id.
pub async fn latest_session(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Option<(i64, SessionSummary)>, StorageError> {
    let row: Option<SessionRow> =
        sqlx::query_as(
            "SELECT id, session_number, objectives, accomplishments, blockers, handoff_notes, credits_used \
             FROM sessions WHERE project_id = ? ORDER BY session_number DESC LIMIT 1",
        )
        .bind(project)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id, n, o, a, b, h, c)| {
        (
            id,
            SessionSummary {
                session_number: n,
                objectives: o,
                accomplishments: a,
                blockers: b,
                handoff_notes: h,
                credits_used: c,
            },
        )
    }))
}

pub struct NewHandoff<'a> {
    pub project: ProjectId,
    pub session_id: Option<i64>,
    pub from: AccountId,
    pub to: AccountId,
    pub context: &'a str,
    pub at: Timestamp,
}

pub async fn insert(conn: &mut SqliteConnection, h: &NewHandoff<'_>) -> Result<i64, StorageError> {
    let done = sqlx::query(
        "INSERT INTO handoff_queue (project_id, session_id, from_account_id, to_account_id, priority, \
         handoff_context, status, created_at) VALUES (?, ?, ?, ?, 5, ?, 'pending', ?)",
    )
    .bind(h.project)
    .bind(h.session_id)
    .bind(h.from)
    .bind(h.to)
    .bind(h.context)
    .bind(h.at)
    .execute(conn)
    .await?;
    Ok(done.last_insert_rowid())
}

/// The newest handoff of a project, with the names of its accounts.
pub async fn latest(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Option<crate::domain::briefing::Handoff>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.created_at, f.account_name AS from_account_name, t.account_name AS to_account_name, \
         h.handoff_context AS briefing, h.status \
         FROM handoff_queue h \
         LEFT JOIN accounts f ON f.id = h.from_account_id \
         LEFT JOIN accounts t ON t.id = h.to_account_id \
         WHERE h.project_id = ? ORDER BY h.created_at DESC, h.id DESC LIMIT 1",
    )
    .bind(project)
    .fetch_optional(conn)
    .await?)
}
