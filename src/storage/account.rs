//! SQL for the account pool: accounts, refills and the switch history.

use crate::domain::account::{
    Account, AccountId, AccountQuery, AccountSort, AccountStatus, AccountSwitch, NewAccount,
    Platform, Refill, SwitchKind, PER_PAGE,
};
use crate::domain::project::Page;
use crate::domain::quota::ResetRuleInput;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const COLUMNS: &str = "id, account_name, account_email, platform, specialization, notes, \
    credits_available, credit_capacity, status, reset_kind, reset_at, reset_tz, reset_hours, \
    reset_weekday, reset_day, last_refresh_at, next_refresh_at, last_used_at, created_at, updated_at, \
    version";

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: AccountId,
    account_name: String,
    account_email: Option<String>,
    platform: Platform,
    specialization: Option<String>,
    notes: Option<String>,
    credits_available: i64,
    credit_capacity: i64,
    status: AccountStatus,
    reset_kind: String,
    reset_at: Option<String>,
    reset_tz: Option<String>,
    reset_hours: Option<i64>,
    reset_weekday: Option<String>,
    reset_day: Option<i64>,
    last_refresh_at: Option<Timestamp>,
    next_refresh_at: Option<Timestamp>,
    last_used_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: i64,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            account_name: r.account_name,
            account_email: r.account_email,
            platform: r.platform,
            specialization: r.specialization,
            notes: r.notes,
            credits_available: r.credits_available,
            credit_capacity: r.credit_capacity,
            status: r.status,
            reset: ResetRuleInput {
                kind: Some(r.reset_kind),
                at: r.reset_at,
                tz: r.reset_tz,
                hours: r.reset_hours,
                weekday: r.reset_weekday,
                day: r.reset_day,
            },
            last_refresh_at: r.last_refresh_at,
            next_refresh_at: r.next_refresh_at,
            last_used_at: r.last_used_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// Inserts one account; its quota window starts at `now`. Returns the new id.
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewAccount,
    now: Timestamp,
) -> Result<AccountId, StorageError> {
    let created = insert_many(conn, std::slice::from_ref(new), now).await?;
    created
        .first()
        .map(|(_, id)| *id)
        .ok_or_else(|| StorageError::Corrupt("an inserted account has no id".into()))
}

/// Inserts many accounts with multi-row statements (inside the caller's transaction);
/// returns (name, id) in input order.
pub async fn insert_many(
    conn: &mut SqliteConnection,
    accounts: &[NewAccount],
    now: Timestamp,
) -> Result<Vec<(String, AccountId)>, StorageError> {
    let mut out = Vec::with_capacity(accounts.len());
    for chunk in accounts.chunks(50) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO accounts (account_name, account_email, platform, specialization, notes, \
             credits_available, credit_capacity, status, reset_kind, reset_at, reset_tz, reset_hours, \
             reset_weekday, reset_day, last_refresh_at, next_refresh_at, created_at, updated_at, \
             name_key) ",
        );
        qb.push_values(chunk, |mut b, new| {
            let r = new.reset.to_input();
            b.push_bind(new.name.clone())
                .push_bind(new.email.clone())
                .push_bind(new.platform)
                .push_bind(new.specialization.clone())
                .push_bind(new.notes.clone())
                .push_bind(new.credits)
                .push_bind(new.capacity)
                .push_bind(new.status)
                .push_bind(r.kind.unwrap_or_else(|| "none".into()))
                .push_bind(r.at)
                .push_bind(r.tz)
                .push_bind(r.hours)
                .push_bind(r.weekday)
                .push_bind(r.day)
                .push_bind(now)
                .push_bind(new.reset.next_after(now))
                .push_bind(now)
                .push_bind(now)
                .push_bind(crate::domain::text::name_key(&new.name));
        });
        qb.push(" RETURNING id, account_name");
        let rows: Vec<(AccountId, String)> = qb.build_query_as().fetch_all(&mut *conn).await?;
        // RETURNING order is not guaranteed: match by name (unique)
        let ids: std::collections::HashMap<String, AccountId> =
            rows.into_iter().map(|(id, n)| (n, id)).collect();
        for new in chunk {
            let id = *ids
                .get(&new.name)
                .ok_or_else(|| StorageError::Corrupt("an inserted account has no id".into()))?;
            out.push((new.name.clone(), id));
        }
    }
    Ok(out)
}

#[tracing::instrument(skip_all, fields(account.id = %id), err(level = "debug"))]
pub async fn get(conn: &mut SqliteConnection, id: AccountId) -> Result<Account, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = ?");
    sqlx::query_as::<_, AccountRow>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(Account::from)
        .ok_or_else(|| StorageError::not_found("account", id))
}

/// The names of every account, for duplicate checks (by `text::name_key`).
pub async fn names(conn: &mut SqliteConnection) -> Result<Vec<String>, StorageError> {
    Ok(sqlx::query_scalar("SELECT account_name FROM accounts")
        .fetch_all(conn)
        .await?)
}

/// `(id, name)` of the accounts whose folded name is one of `keys` (and of any account
/// whose key was not stored yet, for the caller to compare by name).
pub async fn names_matching(
    conn: &mut SqliteConnection,
    keys: &[String],
) -> Result<Vec<(AccountId, String)>, StorageError> {
    let mut out: Vec<(AccountId, String)> =
        sqlx::query_as("SELECT id, account_name FROM accounts WHERE name_key IS NULL")
            .fetch_all(&mut *conn)
            .await?;
    for chunk in keys.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT id, account_name FROM accounts WHERE name_key IN (",
        );
        let mut sep = qb.separated(", ");
        for k in chunk {
            sep.push_bind(k.clone());
        }
        qb.push(")");
        let rows: Vec<(AccountId, String)> = qb.build_query_as().fetch_all(&mut *conn).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Stores the folded name of accounts written before keys were kept (at start).
pub async fn backfill_name_keys(conn: &mut SqliteConnection) -> Result<u64, StorageError> {
    let rows: Vec<(AccountId, String)> =
        sqlx::query_as("SELECT id, account_name FROM accounts WHERE name_key IS NULL")
            .fetch_all(&mut *conn)
            .await?;
    for (id, name) in &rows {
        sqlx::query("UPDATE accounts SET name_key = ? WHERE id = ?")
            .bind(crate::domain::text::name_key(name))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows.len() as u64)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn push_filters<'a>(qb: &mut QueryBuilder<'a, Sqlite>, query: &'a AccountQuery) {
    qb.push(" WHERE 1 = 1");
    if let Some(s) = query.status {
        qb.push(" AND status = ").push_bind(s);
    }
    if let Some(p) = query.platform {
        qb.push(" AND platform = ").push_bind(p);
    }
    if let Some(q) = &query.q {
        let pattern = like_pattern(q);
        qb.push(" AND (specialization LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR account_name LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

fn order_clause(sort: AccountSort) -> &'static str {
    match sort {
        AccountSort::Credits => "credits_available DESC, last_used_at IS NOT NULL, last_used_at, id",
        AccountSort::Headroom => {
            "CAST(credits_available AS REAL) / MAX(credit_capacity, 1) DESC, credits_available DESC, id"
        }
        AccountSort::Refresh => "next_refresh_at IS NULL, next_refresh_at, id",
        AccountSort::Name => "account_name COLLATE NOCASE, id",
        AccountSort::Used => "last_used_at IS NULL, last_used_at DESC, id",
    }
}

#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn list(
    conn: &mut SqliteConnection,
    query: &AccountQuery,
) -> Result<Page<Account>, StorageError> {
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM accounts");
    push_filters(&mut count, query);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM accounts"));
    push_filters(&mut qb, query);
    qb.push(" ORDER BY ").push(order_clause(query.sort));
    qb.push(" LIMIT ").push_bind(i64::from(PER_PAGE));
    qb.push(" OFFSET ").push_bind(query.offset());
    let rows: Vec<AccountRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    Ok(Page {
        items: rows.into_iter().map(Account::from).collect(),
        page: query.page.max(1),
        per_page: PER_PAGE,
        total,
    })
}

/// The accounts a selection for `specialization` looks at. With `min_credits`, only those
/// that can qualify (available or active, with enough credits); without, every status (the
/// suggestion after a failed selection looks at the others too).
pub async fn selection_pool(
    conn: &mut SqliteConnection,
    specialization: Option<&str>,
    min_credits: Option<i64>,
) -> Result<Vec<Account>, StorageError> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM accounts WHERE 1 = 1"));
    if let Some(s) = specialization {
        qb.push(
            " AND (specialization IS NULL OR trim(specialization) = '' OR specialization LIKE ",
        )
        .push_bind(like_pattern(s))
        .push(" ESCAPE '\\')");
    }
    if let Some(min) = min_credits {
        qb.push(" AND status IN ('available', 'active') AND credits_available >= ")
            .push_bind(min);
    }
    let rows: Vec<AccountRow> = qb.build_query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(Account::from).collect())
}

/// Writes every editable field of `account`.
pub async fn save(conn: &mut SqliteConnection, a: &Account) -> Result<(), StorageError> {
    let done = sqlx::query(
        "UPDATE accounts SET account_name = ?, account_email = ?, platform = ?, specialization = ?, \
         notes = ?, credits_available = ?, credit_capacity = ?, status = ?, reset_kind = ?, reset_at = ?, \
         reset_tz = ?, reset_hours = ?, reset_weekday = ?, reset_day = ?, last_refresh_at = ?, \
         next_refresh_at = ?, last_used_at = ?, updated_at = ?, version = ?, name_key = ? WHERE id = ?",
    )
    .bind(&a.account_name)
    .bind(&a.account_email)
    .bind(a.platform)
    .bind(&a.specialization)
    .bind(&a.notes)
    .bind(a.credits_available)
    .bind(a.credit_capacity)
    .bind(a.status)
    .bind(a.reset.kind.as_deref().unwrap_or("none"))
    .bind(&a.reset.at)
    .bind(&a.reset.tz)
    .bind(a.reset.hours)
    .bind(&a.reset.weekday)
    .bind(a.reset.day)
    .bind(a.last_refresh_at)
    .bind(a.next_refresh_at)
    .bind(a.last_used_at)
    .bind(a.updated_at)
    .bind(a.version)
    .bind(crate::domain::text::name_key(&a.account_name))
    .bind(a.id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("account", a.id));
    }
    Ok(())
}

/// Records a change of credits by hand in the account's history.
pub async fn record_adjustment(
    conn: &mut SqliteConnection,
    id: AccountId,
    before: i64,
    after: i64,
    reason: &str,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO account_adjustments (account_id, created_at, credits_before, credits_after, reason) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(now)
    .bind(before)
    .bind(after)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// An account's credit adjustments, newest first.
pub async fn adjustments(
    conn: &mut SqliteConnection,
    id: AccountId,
    limit: i64,
) -> Result<Vec<crate::domain::account::Adjustment>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT created_at, credits_before, credits_after, reason FROM account_adjustments \
         WHERE account_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Sets an account's credits and status (no version change: credits are not an edit).
pub async fn set_credits(
    conn: &mut SqliteConnection,
    id: AccountId,
    credits: i64,
    status: AccountStatus,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE accounts SET credits_available = ?, status = ?, updated_at = ? WHERE id = ?",
    )
    .bind(credits)
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many sessions and handoffs refer to an account.
pub async fn history_count(
    conn: &mut SqliteConnection,
    id: AccountId,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sessions WHERE account_id = ?1) \
              + (SELECT COUNT(*) FROM handoff_queue WHERE from_account_id = ?1 OR to_account_id = ?1)",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Deletes an account.
pub async fn delete(conn: &mut SqliteConnection, id: AccountId) -> Result<(), StorageError> {
    let done = sqlx::query("DELETE FROM accounts WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("account", id));
    }
    Ok(())
}

/// True if some account's refill is due at `now` (a cheap check before a write).
pub async fn any_refill_due(
    conn: &mut SqliteConnection,
    now: Timestamp,
) -> Result<bool, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM accounts WHERE next_refresh_at <= ?)")
            .bind(now)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn refills_due(
    conn: &mut SqliteConnection,
    now: Timestamp,
) -> Result<Vec<Account>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE next_refresh_at <= ? ORDER BY id");
    let rows: Vec<AccountRow> = sqlx::query_as(&sql).bind(now).fetch_all(conn).await?;
    Ok(rows.into_iter().map(Account::from).collect())
}

/// Applies a refill if the account still expects it and its window has not been refilled;
/// returns whether it was applied.
pub async fn apply_refill(
    conn: &mut SqliteConnection,
    r: &Refill,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let logged = sqlx::query(
        "INSERT OR IGNORE INTO account_refills (account_id, window_at, applied_at, credits_before, credits_after) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(r.account_id)
    .bind(r.window_at)
    .bind(now)
    .bind(r.credits_before)
    .bind(r.credits_after)
    .execute(&mut *conn)
    .await?;
    if logged.rows_affected() == 0 {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE accounts SET credits_available = ?, status = ?, last_refresh_at = ?, next_refresh_at = ?, \
         updated_at = ? WHERE id = ? AND next_refresh_at = ?",
    )
    .bind(r.credits_after)
    .bind(r.status)
    .bind(r.window_at)
    .bind(r.next_refresh_at)
    .bind(now)
    .bind(r.account_id)
    .bind(r.expected_next)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn refill_count(conn: &mut SqliteConnection, id: AccountId) -> Result<i64, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM account_refills WHERE account_id = ?")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// A switch to record.
pub struct NewSwitch<'a> {
    pub kind: SwitchKind,
    pub from: Option<AccountId>,
    pub to: Option<AccountId>,
    pub project_id: Option<i64>,
    pub reason: &'a str,
    pub at: Timestamp,
}

pub async fn record_switch(
    conn: &mut SqliteConnection,
    s: &NewSwitch<'_>,
) -> Result<i64, StorageError> {
    let done = sqlx::query(
        "INSERT INTO account_switches (created_at, kind, from_account_id, to_account_id, project_id, reason) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(s.at)
    .bind(s.kind)
    .bind(s.from)
    .bind(s.to)
    .bind(s.project_id)
    .bind(s.reason)
    .execute(conn)
    .await?;
    Ok(done.last_insert_rowid())
}

/// Whose switches to list.
#[derive(Debug, Clone, Copy)]
pub enum SwitchesOf {
    Account(AccountId),
    Project(i64),
    All,
}

pub async fn switches(
    conn: &mut SqliteConnection,
    of: SwitchesOf,
    limit: i64,
) -> Result<Vec<AccountSwitch>, StorageError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT s.id, s.created_at, s.kind, s.from_account_id, f.account_name AS from_account_name, \
         s.to_account_id, t.account_name AS to_account_name, s.project_id, p.name AS project_name, s.reason \
         FROM account_switches s \
         LEFT JOIN accounts f ON f.id = s.from_account_id \
         LEFT JOIN accounts t ON t.id = s.to_account_id \
         LEFT JOIN projects p ON p.id = s.project_id",
    );
    match of {
        SwitchesOf::Account(id) => {
            qb.push(" WHERE s.from_account_id = ")
                .push_bind(id)
                .push(" OR s.to_account_id = ")
                .push_bind(id);
        }
        SwitchesOf::Project(id) => {
            qb.push(" WHERE s.project_id = ").push_bind(id);
        }
        SwitchesOf::All => {}
    }
    qb.push(" ORDER BY s.created_at DESC, s.id DESC LIMIT ")
        .push_bind(limit);
    Ok(qb.build_query_as().fetch_all(conn).await?)
}

/// Marks an account used at `now`, and optionally sets its status.
pub async fn mark_used(
    conn: &mut SqliteConnection,
    id: AccountId,
    status: Option<AccountStatus>,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE accounts SET last_used_at = ?, status = COALESCE(?, status), updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_status(
    conn: &mut SqliteConnection,
    id: AccountId,
    status: AccountStatus,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
