//! SQL for the usage ledger.

use crate::domain::ledger::{Call, NewCall, SessionUsage, Totals};
use crate::domain::session::SessionId;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const COLUMNS: &str = "id, session_id, provider, model, input_tokens, output_tokens, cost_micros, \
    latency_ms, source, created_at";

const TOTALS: &str = "COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS input_tokens, \
    COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cost_micros), 0) AS cost_micros, \
    COALESCE(SUM(latency_ms), 0) AS latency_sum_ms, COUNT(latency_ms) AS latency_count";

/// The ids among `ids` that are not sessions.
pub async fn missing_sessions(
    conn: &mut SqliteConnection,
    ids: &[SessionId],
) -> Result<Vec<SessionId>, AppError> {
    let mut missing = Vec::new();
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM sessions WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        let found: Vec<SessionId> = qb.build_query_scalar().fetch_all(&mut *conn).await?;
        missing.extend(chunk.iter().filter(|id| !found.contains(id)));
    }
    Ok(missing)
}

/// Inserts rows with multi-row statements (inside the caller's transaction).
pub async fn insert_many(conn: &mut SqliteConnection, calls: &[NewCall]) -> Result<(), AppError> {
    for chunk in calls.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO usage_ledger (session_id, provider, model, input_tokens, output_tokens, \
             cost_micros, latency_ms, source, created_at) ",
        );
        qb.push_values(chunk, |mut b, c| {
            b.push_bind(c.session_id)
                .push_bind(c.provider.clone())
                .push_bind(c.model.clone())
                .push_bind(c.input_tokens)
                .push_bind(c.output_tokens)
                .push_bind(c.cost_micros)
                .push_bind(c.latency_ms)
                .push_bind(c.source)
                .push_bind(c.at);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A session's rows, oldest first (at most `limit`).
pub async fn of_session(
    conn: &mut SqliteConnection,
    session: SessionId,
    limit: i64,
) -> Result<Vec<Call>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM usage_ledger WHERE session_id = ? ORDER BY created_at, id LIMIT ?"
    );
    Ok(sqlx::query_as(&sql)
        .bind(session)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Sums of a session's rows.
pub async fn session_totals(
    conn: &mut SqliteConnection,
    session: SessionId,
) -> Result<Totals, AppError> {
    let sql = format!("SELECT {TOTALS} FROM usage_ledger WHERE session_id = ?");
    Ok(sqlx::query_as(&sql).bind(session).fetch_one(conn).await?)
}

/// Each session's usage recorded since `since` (optionally of one project), with what it
/// accomplished.
pub async fn by_session(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<SessionUsage>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        project_id: i64,
        session_id: i64,
        accomplishments: Option<String>,
        #[sqlx(flatten)]
        totals: Totals,
    }
    // CROSS JOIN fixes the loop order: the period's rows first, each session by its key
    // (all projects), or the project's sessions first, each one's rows by index (one).
    let rows: Vec<Row> = match project {
        None => {
            let sql = format!(
                "SELECT s.project_id, l.session_id, s.accomplishments, l.calls, l.input_tokens, \
                 l.output_tokens, l.cost_micros, l.latency_sum_ms, l.latency_count \
                 FROM (SELECT session_id, {TOTALS} FROM usage_ledger INDEXED BY idx_ledger_created \
                 WHERE created_at >= ? GROUP BY session_id) l \
                 CROSS JOIN sessions s ON s.id = l.session_id \
                 WHERE s.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL) \
                 ORDER BY l.session_id"
            );
            sqlx::query_as(&sql).bind(since).fetch_all(conn).await?
        }
        Some(p) => {
            let sql = format!(
                "SELECT s.project_id, s.id AS session_id, s.accomplishments, {TOTALS} \
                 FROM sessions s CROSS JOIN usage_ledger l ON l.session_id = s.id \
                 WHERE s.project_id = ? AND l.created_at >= ? GROUP BY s.id ORDER BY s.id"
            );
            sqlx::query_as(&sql)
                .bind(p)
                .bind(since)
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| SessionUsage {
            project_id: r.project_id,
            session_id: r.session_id,
            accomplishments: r.accomplishments,
            totals: r.totals,
        })
        .collect())
}
