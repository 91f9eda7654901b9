//! SQL for credit analytics. Every query reads one period (`started_at >= since`) through
//! the covering index on sessions, optionally of one project; sessions of trashed
//! projects are left out.

use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// Sessions that ended count for efficiency (a running session has not finished
/// spending).
const FINISHED: &str = "s.status != 'in_progress'";

fn sessions_in<'a>(
    select: &str,
    since: Timestamp,
    project: Option<i64>,
) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(select);
    qb.push(" FROM sessions s WHERE s.started_at >= ");
    qb.push_bind(since);
    match project {
        Some(p) => {
            qb.push(" AND s.project_id = ");
            qb.push_bind(p);
        }
        None => {
            qb.push(
                " AND s.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL)",
            );
        }
    }
    qb
}

/// Count, sum, min and max of the credits of the finished sessions of the period.
pub async fn summary(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<(i64, i64, Option<i64>, Option<i64>), AppError> {
    let mut qb = sessions_in(
        "SELECT COUNT(*), COALESCE(SUM(s.credits_used), 0), MIN(s.credits_used), MAX(s.credits_used)",
        since,
        project,
    );
    qb.push(" AND ").push(FINISHED);
    Ok(qb.build_query_as().fetch_one(conn).await?)
}

/// The bucket that sums the projects outside the largest (`daily`).
pub const OTHER_PROJECTS: i64 = -1;

/// Credits per day of the period's largest projects, the others summed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyRows {
    /// `(day, project or OTHER_PROJECTS, credits)`
    pub rows: Vec<(String, i64, i64)>,
    /// How many projects `OTHER_PROJECTS` sums.
    pub other_projects: usize,
}

/// Credits of every session of the period (running ones included: their credits are
/// spent) per day, for the `keep` largest projects and the rest summed as one — so that
/// at most `(keep + 1) × days` rows come back, whatever the number of projects.
pub async fn daily(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
    keep: usize,
) -> Result<DailyRows, AppError> {
    let mut qb = sessions_in(
        "SELECT s.project_id, SUM(s.credits_used) AS c",
        since,
        project,
    );
    qb.push(" GROUP BY s.project_id HAVING c > 0 ORDER BY c DESC, s.project_id");
    let totals: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    let fold = totals.len() > keep + 1;
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT substr(s.started_at, 1, 10) AS day, ");
    if fold {
        qb.push("CASE WHEN s.project_id IN (");
        let mut ids = qb.separated(", ");
        for (id, _) in totals.iter().take(keep) {
            ids.push_bind(*id);
        }
        qb.push(") THEN s.project_id ELSE ")
            .push(OTHER_PROJECTS)
            .push(" END AS p");
    } else {
        qb.push("s.project_id AS p");
    }
    qb.push(", SUM(s.credits_used) FROM sessions s WHERE s.started_at >= ")
        .push_bind(since);
    match project {
        Some(p) => {
            qb.push(" AND s.project_id = ").push_bind(p);
        }
        None => {
            qb.push(
                " AND s.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL)",
            );
        }
    }
    qb.push(" GROUP BY day, p");
    Ok(DailyRows {
        rows: qb.build_query_as().fetch_all(conn).await?,
        other_projects: if fold { totals.len() - keep } else { 0 },
    })
}

/// `(credits, sessions)`: how many finished sessions used each number of credits.
pub async fn histogram(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<(i64, i64)>, AppError> {
    let mut qb = sessions_in("SELECT s.credits_used, COUNT(*)", since, project);
    qb.push(" AND ")
        .push(FINISHED)
        .push(" GROUP BY s.credits_used");
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

/// `(account, sessions, credits)` of the finished sessions of the period.
pub async fn by_account(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let mut qb = sessions_in(
        "SELECT s.account_id, COUNT(*), SUM(s.credits_used)",
        since,
        project,
    );
    qb.push(" AND ")
        .push(FINISHED)
        .push(" GROUP BY s.account_id");
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

/// Handoffs written in the period.
pub async fn handoffs(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM handoff_queue h WHERE h.created_at >= ? AND (?2 IS NULL OR h.project_id = ?2) \
         AND h.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL)",
    )
    .bind(since)
    .bind(project)
    .fetch_one(conn)
    .await?)
}

/// `(account, started_at, credits)` of every session since `since` (for burn rates).
pub async fn recent_by_account(
    conn: &mut SqliteConnection,
    since: Timestamp,
) -> Result<Vec<(i64, Timestamp, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT account_id, started_at, credits_used FROM sessions \
         WHERE started_at >= ? AND credits_used > 0",
    )
    .bind(since)
    .fetch_all(conn)
    .await?)
}

/// An account's recent sessions `(started_at, credits)` since `since`, but one.
pub async fn recent_of_account(
    conn: &mut SqliteConnection,
    account: i64,
    since: Timestamp,
    except: i64,
) -> Result<Vec<(Timestamp, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT started_at, credits_used FROM sessions \
         WHERE account_id = ? AND started_at >= ? AND credits_used > 0 AND id != ?",
    )
    .bind(account)
    .bind(since)
    .bind(except)
    .fetch_all(conn)
    .await?)
}

/// The average length in minutes of an account's finished sessions (its last 50).
pub async fn typical_minutes(
    conn: &mut SqliteConnection,
    account: i64,
) -> Result<Option<f64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT AVG(duration_minutes) FROM (SELECT duration_minutes FROM sessions \
         WHERE account_id = ? AND status != 'in_progress' AND duration_minutes > 0 \
         ORDER BY started_at DESC LIMIT 50)",
    )
    .bind(account)
    .fetch_one(conn)
    .await?)
}

/// `(id, name)` of the live projects.
pub async fn project_names(conn: &mut SqliteConnection) -> Result<Vec<(i64, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM projects WHERE deleted_at IS NULL ORDER BY name")
            .fetch_all(conn)
            .await?,
    )
}

/// What the outlooks need of every account that is not blocked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub account_name: String,
    pub platform: String,
    pub status: String,
    pub credits_available: i64,
    pub credit_capacity: i64,
    pub next_refresh_at: Option<Timestamp>,
}

pub async fn accounts(conn: &mut SqliteConnection) -> Result<Vec<AccountRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, account_name, platform, status, credits_available, credit_capacity, next_refresh_at \
         FROM accounts ORDER BY account_name COLLATE NOCASE",
    )
    .fetch_all(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::temp_db;

    #[tokio::test]
    async fn daily_keeps_the_largest_projects_and_sums_the_rest() {
        let (_dir, db) = temp_db().await;
        sqlx::query("INSERT INTO accounts (account_name) VALUES ('a')")
            .execute(&db)
            .await
            .unwrap();
        for p in 1..=8i64 {
            sqlx::query("INSERT INTO projects (id, name) VALUES (?, ?)")
                .bind(p)
                .bind(format!("p{p}"))
                .execute(&db)
                .await
                .unwrap();
            for (n, day) in ["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"]
                .iter()
                .enumerate()
            {
                sqlx::query(
                    "INSERT INTO sessions (project_id, account_id, session_number, credits_used, started_at) \
                     VALUES (?, 1, ?, ?, ?)",
                )
                .bind(p)
                .bind(n as i64 + 1)
                .bind(p * 10)
                .bind(*day)
                .execute(&db)
                .await
                .unwrap();
            }
        }
        // a session before the period is not counted
        sqlx::query(
            "INSERT INTO sessions (project_id, account_id, session_number, credits_used, started_at) \
             VALUES (1, 1, 9, 999, '2026-02-01T00:00:00Z')",
        )
        .execute(&db)
        .await
        .unwrap();
        let since = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        let mut conn = db.acquire().await.unwrap();
        let d = daily(&mut conn, since, None, 5).await.unwrap();
        assert_eq!(d.other_projects, 3);
        let mut kept: Vec<i64> = d.rows.iter().map(|r| r.1).collect();
        kept.sort_unstable();
        kept.dedup();
        assert_eq!(kept, vec![OTHER_PROJECTS, 4, 5, 6, 7, 8]);
        let others: i64 = d
            .rows
            .iter()
            .filter(|r| r.1 == OTHER_PROJECTS)
            .map(|r| r.2)
            .sum();
        assert_eq!(others, 2 * (10 + 20 + 30));
        assert_eq!(d.rows.iter().map(|r| r.2).sum::<i64>(), 2 * 360);
        // few projects: nothing folded; one project: only its own
        let small = daily(&mut conn, since, None, 10).await.unwrap();
        assert_eq!((small.other_projects, small.rows.len()), (0, 16));
        let one = daily(&mut conn, since, Some(2), 5).await.unwrap();
        assert_eq!(
            one.rows,
            vec![("2026-03-01".into(), 2, 20), ("2026-03-02".into(), 2, 20)]
        );
    }
}
