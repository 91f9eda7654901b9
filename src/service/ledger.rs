//! The usage ledger: recording AI calls (all rows of a request or none) and reading a
//! session's usage.

use crate::domain::ledger::{parse_batch, CallInput, NewCall, SessionLedger};
use crate::domain::session::SessionId;
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::{self, Db};

/// Records calls in one transaction; every row's session must exist.
#[tracing::instrument(skip_all, fields(calls = inputs.len()), err(level = "info"))]
pub async fn record(db: &Db, inputs: &[CallInput], now: Timestamp) -> Result<usize, AppError> {
    let calls = parse_batch(inputs, now)?;
    let mut ids: Vec<SessionId> = calls.iter().map(|c| c.session_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = storage::begin_write(db).await?;
    let missing = storage::ledger::missing_sessions(&mut tx, &ids).await?;
    if let Some(first) = missing.first() {
        let i = calls
            .iter()
            .position(|c| c.session_id == *first)
            .unwrap_or(0);
        let field = if inputs.len() == 1 {
            "session_id".to_string()
        } else {
            format!("calls[{i}].session_id")
        };
        return Err(FieldError::new(field, format!("session {first} does not exist")).into());
    }
    storage::ledger::insert_many(&mut tx, &calls).await?;
    tx.commit().await?;
    Ok(calls.len())
}

/// Inserts already validated rows inside the caller's transaction.
pub(crate) async fn record_in(
    conn: &mut sqlx::SqliteConnection,
    calls: &[NewCall],
) -> Result<(), AppError> {
    Ok(storage::ledger::insert_many(conn, calls).await?)
}

/// A session's usage: its rows (the first 500) and their sums.
pub async fn of_session(db: &Db, id: SessionId) -> Result<SessionLedger, AppError> {
    let mut conn = db.acquire().await?;
    storage::session::get(&mut conn, id).await?;
    Ok(SessionLedger {
        totals: storage::ledger::session_totals(&mut conn, id).await?,
        calls: storage::ledger::of_session(&mut conn, id, 500).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::temp_db;

    async fn seed(db: &Db) -> (i64, i64) {
        crate::storage::testing::two_projects_with_a_session_each(db).await;
        (1, 2)
    }

    fn call(session: i64, cost: f64, latency: Option<i64>) -> CallInput {
        CallInput {
            session_id: Some(session),
            provider: Some("anthropic".into()),
            model: Some("claude-sonnet-4".into()),
            input_tokens: Some(1000),
            output_tokens: Some(200),
            cost_usd: Some(cost),
            latency_ms: latency,
            at: None,
        }
    }

    #[tokio::test]
    async fn records_all_or_nothing_and_aggregates() {
        let (_dir, db) = temp_db().await;
        let (s1, s2) = seed(&db).await;
        let now = Timestamp::parse("2026-03-02T12:00:00Z").unwrap();
        let n = record(
            &db,
            &[
                call(s1, 0.25, Some(800)),
                call(s1, 0.5, None),
                call(s2, 0.1, Some(400)),
            ],
            now,
        )
        .await
        .unwrap();
        assert_eq!(n, 3);
        // one bad row: nothing written, the row named
        let err = record(&db, &[call(s1, 1.0, None), call(99, 1.0, None)], now)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("calls[1].session_id"));
        let err = record(&db, &[call(s1, -1.0, None)], now).await.unwrap_err();
        assert_eq!(err.field(), Some("calls[0].cost_usd"));

        let u = of_session(&db, SessionId(s1)).await.unwrap();
        assert_eq!(u.calls.len(), 2);
        assert_eq!(u.totals.calls, 2);
        assert_eq!(u.totals.input_tokens, 2000);
        assert_eq!(u.totals.cost_micros, 750_000);
        assert_eq!(u.totals.avg_latency_ms(), Some(800.0));

        let mut conn = db.acquire().await.unwrap();
        let rows = storage::ledger::by_project(&mut conn, now.plus_seconds(-60), None)
            .await
            .unwrap();
        let costs = crate::domain::ledger::by_project(&rows, |id| format!("p{id}"));
        assert_eq!(costs.len(), 2);
        assert_eq!(costs[0].project_id, 1);
        assert!((costs[0].cost_usd - 0.75).abs() < 1e-9);
        assert!((costs[0].cost_per_accomplishment_usd.unwrap() - 0.375).abs() < 1e-9);
        assert_eq!(costs[1].totals.calls, 1);
        // a period starting the day after the sessions started holds nothing
        let none = storage::ledger::by_project(&mut conn, now.plus_seconds(86_400), None)
            .await
            .unwrap();
        assert!(none.is_empty());
        // one project only
        let only = storage::ledger::by_project(&mut conn, now.plus_seconds(-60), Some(2))
            .await
            .unwrap();
        assert_eq!(only.len(), 1);
    }
}
