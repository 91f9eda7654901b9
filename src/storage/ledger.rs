//! SQL for the usage ledger.

use crate::domain::ledger::{Call, NewCall, ProjectUsage, Totals};
use crate::domain::session::SessionId;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const COLUMNS: &str = "id, session_id, provider, model, input_tokens, output_tokens, cost_micros, \
    latency_ms, source, created_at";

/// The ids among `ids` that are not sessions.
pub async fn missing_sessions(
    conn: &mut SqliteConnection,
    ids: &[SessionId],
) -> Result<Vec<SessionId>, StorageError> {
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
pub async fn insert_many(
    conn: &mut SqliteConnection,
    calls: &[NewCall],
) -> Result<(), StorageError> {
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
) -> Result<Vec<Call>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM usage_ledger WHERE session_id = ? ORDER BY created_at, id LIMIT ?"
    );
    Ok(sqlx::query_as(&sql)
        .bind(session)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Sums of a session's rows (kept on the session by the ledger's triggers).
pub async fn session_totals(
    conn: &mut SqliteConnection,
    session: SessionId,
) -> Result<Totals, StorageError> {
    Ok(sqlx::query_as(
        "SELECT usage_calls AS calls, usage_input_tokens AS input_tokens, \
         usage_output_tokens AS output_tokens, usage_cost_micros AS cost_micros, \
         usage_latency_sum_ms AS latency_sum_ms, usage_latency_count AS latency_count \
         FROM sessions WHERE id = ?",
    )
    .bind(session)
    .fetch_optional(conn)
    .await?
    .unwrap_or_default())
}

/// Each project's usage over the period (all live projects, or one): the usage of the
/// sessions started since `since`'s day — the sessions that recorded any, what they
/// accomplished (`sessions.accomplishment_count`) and the sums — read from the roll-ups
/// the triggers keep, one row per project.
pub async fn by_project(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<ProjectUsage>, StorageError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        project_id: i64,
        sessions: i64,
        accomplishments: i64,
        #[sqlx(flatten)]
        totals: Totals,
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT project_id, SUM(usage_sessions) AS sessions, SUM(accomplishments) AS accomplishments, \
         SUM(calls) AS calls, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, \
         SUM(cost_micros) AS cost_micros, SUM(latency_sum_ms) AS latency_sum_ms, \
         SUM(latency_count) AS latency_count FROM rollup_projects WHERE ",
    );
    crate::storage::analytics::push_rollup_range(&mut qb, since);
    match project {
        Some(p) => qb.push(" AND project_id = ").push_bind(p),
        None => qb.push(" AND project_id != 0"),
    };
    qb.push(" GROUP BY project_id HAVING SUM(usage_sessions) > 0");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(conn).await?;
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
    use crate::storage::temp_db;

    #[tokio::test]
    async fn accomplishments_count_their_non_blank_lines() {
        let (_dir, db) = temp_db().await;
        sqlx::query("INSERT INTO projects (name) VALUES ('p'); INSERT INTO accounts (account_name) VALUES ('a')")
            .execute(&db)
            .await
            .unwrap();
        for (text, want) in [
            (None, 0),
            (Some(""), 0),
            (Some("  \n \n"), 0),
            (Some("deployed"), 1),
            (Some("- login works\n- tests pass"), 2),
            (Some("- login works\n\n- tests pass\n"), 2),
            (Some("\n\na\n\n\n\nb\r\nc\n\n"), 3),
        ] {
            // kept on insert and on every change of the text
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (project_id, account_id, session_number, accomplishments) \
                 VALUES (1, 1, (SELECT COUNT(*) + 1 FROM sessions), ?) RETURNING id",
            )
            .bind(text)
            .fetch_one(&db)
            .await
            .unwrap();
            let count = |id: i64| {
                sqlx::query_scalar::<_, i64>(
                    "SELECT accomplishment_count FROM sessions WHERE id = ?",
                )
                .bind(id)
                .fetch_one(&db)
            };
            assert_eq!(count(id).await.unwrap(), want, "{text:?}");
            sqlx::query("UPDATE sessions SET accomplishments = 'x' WHERE id = ?")
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
            assert_eq!(count(id).await.unwrap(), 1);
            sqlx::query("UPDATE sessions SET accomplishments = ? WHERE id = ?")
                .bind(text)
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
            assert_eq!(count(id).await.unwrap(), want, "{text:?} again");
        }
    }
}
