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

/// `(day, project, credits)` of every session of the period (running ones included: their
/// credits are spent). Periods start at midnight UTC (`period_start`); across all projects
/// the whole first day counts.
pub async fn daily(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<(String, i64, i64)>, AppError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT substr(s.started_at, 1, 10) AS day, s.project_id, SUM(s.credits_used) FROM sessions s",
    );
    match project {
        // one project: its sessions by (project, started_at)
        Some(p) => {
            qb.push(" WHERE s.project_id = ")
                .push_bind(p)
                .push(" AND s.started_at >= ")
                .push_bind(since);
        }
        // all: the day index, in (day, project) order
        None => {
            qb.push(" WHERE substr(s.started_at, 1, 10) >= ")
                .push_bind(since.date())
                .push(
                    " AND s.project_id NOT IN (SELECT id FROM projects WHERE deleted_at IS NOT NULL)",
                );
        }
    }
    qb.push(" GROUP BY day, s.project_id");
    Ok(qb.build_query_as().fetch_all(conn).await?)
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
