//! SQL for credit analytics over one period (sessions started since a UTC midnight), all
//! live projects or one; sessions of trashed projects are left out. All projects are read
//! from the roll-ups the triggers keep (`migrations/…05_analytics_rollups.sql`): a year is
//! a few thousand rows. One project's finished sessions are read directly (a few hundred
//! rows through `idx_sessions_project_started`).

use crate::domain::analytics::rollup_range;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

/// Sessions that ended count for efficiency (a running session has not finished
/// spending).
const FINISHED: &str = "s.status != 'in_progress'";

/// One project's sessions started since `since`.
fn sessions_in<'a>(select: &str, since: Timestamp, project: i64) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::new(select);
    qb.push(" FROM sessions s WHERE s.project_id = ")
        .push_bind(project)
        .push(" AND s.started_at >= ")
        .push_bind(since);
    qb
}

/// Pushes the roll-up rows of the period (`rollup_range`): the first month's days, then
/// whole months.
pub(crate) fn push_rollup_range(qb: &mut QueryBuilder<'_, Sqlite>, since: Timestamp) {
    let r = rollup_range(since);
    qb.push("((span = 'day' AND period >= ")
        .push_bind(r.days_from)
        .push(" AND period < ")
        .push_bind(r.days_until)
        .push(") OR (span = 'month' AND period >= ")
        .push_bind(r.months_from)
        .push("))");
}

/// Count, sum, min and max of the credits of a project's finished sessions started since
/// `since` (any instant: `analyze-credits` counts back from now).
pub async fn summary(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: i64,
) -> Result<(i64, i64, Option<i64>, Option<i64>), StorageError> {
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
/// at most `(keep + 1) × days` rows come back, whatever the number of projects. Read from
/// the roll-ups: the projects' totals, then the day rows of the kept projects and of all
/// projects together (the rest is the difference).
pub async fn daily(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
    keep: usize,
) -> Result<DailyRows, StorageError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT project_id, SUM(credits) AS c FROM rollup_projects WHERE ",
    );
    push_rollup_range(&mut qb, since);
    match project {
        Some(p) => qb.push(" AND project_id = ").push_bind(p),
        None => qb.push(" AND project_id != 0"),
    };
    qb.push(" GROUP BY project_id HAVING c > 0 ORDER BY c DESC, project_id");
    let totals: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *conn).await?;
    if totals.is_empty() {
        return Ok(DailyRows::default());
    }
    let fold = totals.len() > keep + 1;
    let shown: Vec<i64> = totals
        .iter()
        .take(if fold { keep } else { totals.len() })
        .map(|t| t.0)
        .collect();
    // one row a day: each shown project's credits and, folding, all projects' together
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT period");
    for id in &shown {
        qb.push(", SUM(CASE WHEN project_id = ")
            .push_bind(*id)
            .push(" THEN credits ELSE 0 END)");
    }
    if fold {
        qb.push(", SUM(CASE WHEN project_id = 0 THEN credits ELSE 0 END)");
    }
    qb.push(" FROM rollup_projects WHERE project_id IN (");
    let mut ids = qb.separated(", ");
    for id in &shown {
        ids.push_bind(*id);
    }
    if fold {
        ids.push("0");
    }
    qb.push(") AND span = 'day' AND period >= ")
        .push_bind(since.date())
        .push(" GROUP BY period ORDER BY period");
    let mut rows = Vec::new();
    for day_row in qb.build().fetch_all(conn).await? {
        let day: String = day_row.try_get(0)?;
        let mut kept = 0;
        for (i, id) in shown.iter().enumerate() {
            let credits: i64 = day_row.try_get(i + 1)?;
            if credits != 0 {
                rows.push((day.clone(), *id, credits));
            }
            kept += credits;
        }
        if fold {
            let rest = day_row.try_get::<i64, _>(shown.len() + 1)? - kept;
            if rest > 0 {
                rows.push((day, OTHER_PROJECTS, rest));
            }
        }
    }
    Ok(DailyRows {
        rows,
        other_projects: if fold { totals.len() - keep } else { 0 },
    })
}

/// `(credits, sessions)`: how many finished sessions used each number of credits.
pub async fn histogram(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<(i64, i64)>, StorageError> {
    let mut qb = match project {
        Some(p) => {
            let mut qb = sessions_in("SELECT s.credits_used, COUNT(*)", since, p);
            qb.push(" AND ")
                .push(FINISHED)
                .push(" GROUP BY s.credits_used");
            qb
        }
        None => {
            let mut qb = QueryBuilder::new(
                "SELECT credits_used, SUM(sessions) AS n FROM rollup_credits WHERE ",
            );
            push_rollup_range(&mut qb, since);
            qb.push(" GROUP BY credits_used HAVING n > 0");
            qb
        }
    };
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

/// `(account, sessions, credits)` of the finished sessions of the period.
pub async fn by_account(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<Vec<(i64, i64, i64)>, StorageError> {
    let mut qb = match project {
        Some(p) => {
            let mut qb = sessions_in(
                "SELECT s.account_id, COUNT(*), SUM(s.credits_used)",
                since,
                p,
            );
            qb.push(" AND ")
                .push(FINISHED)
                .push(" GROUP BY s.account_id");
            qb
        }
        None => {
            let mut qb = QueryBuilder::new(
                "SELECT account_id, SUM(sessions) AS n, SUM(credits) FROM rollup_accounts WHERE ",
            );
            push_rollup_range(&mut qb, since);
            qb.push(" GROUP BY account_id HAVING n > 0");
            qb
        }
    };
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

/// Handoffs written in the period.
pub async fn handoffs(
    conn: &mut SqliteConnection,
    since: Timestamp,
    project: Option<i64>,
) -> Result<i64, StorageError> {
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
) -> Result<Vec<(i64, Timestamp, i64)>, StorageError> {
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
) -> Result<Vec<(Timestamp, i64)>, StorageError> {
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
) -> Result<Option<f64>, StorageError> {
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
pub async fn project_names(
    conn: &mut SqliteConnection,
) -> Result<Vec<(i64, String)>, StorageError> {
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

pub async fn accounts(conn: &mut SqliteConnection) -> Result<Vec<AccountRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, account_name, platform, status, credits_available, credit_capacity, next_refresh_at \
         FROM accounts ORDER BY account_name COLLATE NOCASE",
    )
    .fetch_all(conn)
    .await?)
}

#[cfg(test)]
mod tests;
