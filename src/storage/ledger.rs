//! SQL for the usage ledger.

use crate::domain::ledger::{Call, NewCall, ProjectUsage, Totals};
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

/// The accomplishments of session `s`, trimmed, without carriage returns.
const ACC_TEXT: &str =
    "trim(replace(COALESCE(s.accomplishments, ''), char(13), ''), char(9, 10, 32))";

/// Non-blank lines of a session's accomplishments, in SQL: the lines of the trimmed text
/// less its empty lines (each `\n\n` marked twice over, so runs of them all count).
fn accomplishments_sql() -> String {
    let t = ACC_TEXT;
    let marked = format!(
        "replace(replace({t}, char(10) || char(10), char(10) || char(1) || char(10)), \
         char(10) || char(10), char(10) || char(1) || char(10))"
    );
    format!(
        "CASE WHEN {t} = '' THEN 0 ELSE \
         length({t}) - length(replace({t}, char(10), '')) + 1 \
         - (length({marked}) - length(replace({marked}, char(1), ''))) END"
    )
}

/// Each project's usage recorded since `since` (all live projects, or one): one row per
/// project, summed in SQL.
pub async fn by_project(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<ProjectUsage>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        project_id: i64,
        sessions: i64,
        accomplishments: i64,
        #[sqlx(flatten)]
        totals: Totals,
    }
    const SUMS: &str = "COUNT(*) AS sessions, SUM(acc) AS accomplishments, SUM(calls) AS calls, \
        SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, \
        SUM(cost_micros) AS cost_micros, SUM(latency_sum_ms) AS latency_sum_ms, \
        SUM(latency_count) AS latency_count";
    let acc = accomplishments_sql();
    // CROSS JOIN fixes the loop order: the period's rows first, each session by its key
    // (all projects), or the project's sessions first, each one's rows by index (one).
    let rows: Vec<Row> = match project {
        None => {
            let sql = format!(
                "SELECT project_id, {SUMS} FROM (\
                 SELECT s.project_id, {acc} AS acc, l.* \
                 FROM (SELECT session_id, {TOTALS} FROM usage_ledger INDEXED BY idx_ledger_created \
                       WHERE created_at >= ? GROUP BY session_id) l \
                 CROSS JOIN sessions s ON s.id = l.session_id \
                 WHERE s.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL)) \
                 GROUP BY project_id"
            );
            sqlx::query_as(&sql).bind(since).fetch_all(conn).await?
        }
        Some(p) => {
            let sql = format!(
                "SELECT project_id, {SUMS} FROM (\
                 SELECT s.project_id, {acc} AS acc, {TOTALS} \
                 FROM sessions s CROSS JOIN usage_ledger l ON l.session_id = s.id \
                 WHERE s.project_id = ? AND l.created_at >= ? GROUP BY s.id) \
                 GROUP BY project_id"
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
        .map(|r| ProjectUsage {
            project_id: r.project_id,
            sessions: r.sessions,
            accomplishments: r.accomplishments,
            totals: r.totals,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::temp_db;

    #[tokio::test]
    async fn accomplishments_count_their_non_blank_lines() {
        let (_dir, db) = temp_db().await;
        for (text, want) in [
            (None, 0),
            (Some(""), 0),
            (Some("  \n \n"), 0),
            (Some("deployed"), 1),
            (Some("- login works\n- tests pass"), 2),
            (Some("- login works\n\n- tests pass\n"), 2),
            (Some("\n\na\n\n\n\nb\r\nc\n\n"), 3),
        ] {
            let sql = format!(
                "SELECT {} FROM (SELECT ? AS accomplishments) s",
                accomplishments_sql()
            );
            let n: i64 = sqlx::query_scalar(&sql)
                .bind(text)
                .fetch_one(&db)
                .await
                .unwrap();
            assert_eq!(n, want, "{text:?}");
        }
    }
}
