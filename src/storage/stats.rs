//! SQL for the dashboard figures.

use crate::domain::stats::DashboardStats;
use crate::storage::StorageError;
use sqlx::SqliteConnection;

#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn dashboard(conn: &mut SqliteConnection) -> Result<DashboardStats, StorageError> {
    let (active_projects, active_accounts, total_credits, total_sessions) =
        sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT \
               (SELECT COUNT(*) FROM projects WHERE deleted_at IS NULL AND status = 'active'), \
               (SELECT COUNT(*) FROM accounts WHERE status IN ('available', 'active')), \
               (SELECT COALESCE(SUM(total_credits_used), 0) FROM projects WHERE deleted_at IS NULL), \
               (SELECT COALESCE(SUM(total_sessions), 0) FROM projects WHERE deleted_at IS NULL)",
        )
        .fetch_one(conn)
        .await?;
    Ok(DashboardStats {
        active_projects,
        active_accounts,
        total_credits,
        total_sessions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::temp_db;

    #[tokio::test]
    async fn empty_database_is_all_zero() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        assert!(dashboard(&mut conn).await.unwrap().is_first_run());
    }

    #[tokio::test]
    async fn counts_live_projects_and_usable_accounts() {
        let (_dir, db) = temp_db().await;
        sqlx::query(
            "INSERT INTO projects (name, status, total_credits_used, total_sessions, deleted_at) VALUES \
             ('a', 'active', 100, 2, NULL), ('b', 'paused', 50, 1, NULL), \
             ('c', 'active', 999, 9, '2026-01-01T00:00:00Z')",
        )
        .execute(&db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO accounts (account_name, status) VALUES \
             ('x', 'available'), ('y', 'active'), ('z', 'exhausted'), ('w', 'blocked')",
        )
        .execute(&db)
        .await
        .unwrap();
        let mut conn = db.writer().acquire().await.unwrap();
        assert_eq!(
            dashboard(&mut conn).await.unwrap(),
            DashboardStats {
                active_projects: 1,
                active_accounts: 2,
                total_credits: 150,
                total_sessions: 3,
            }
        );
    }
}
