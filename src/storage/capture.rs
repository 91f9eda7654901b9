//! SQL of capture: sources (a tool's directory → account), repositories (→ project),
//! files read so far, and the keys of what was recorded (sessions, turns, usage).

use crate::domain::account::AccountId;
use crate::domain::project::ProjectId;
use crate::domain::session::SessionId;
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::SqliteConnection;

/// A tool directory as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceRow {
    pub id: i64,
    pub tool: String,
    pub dir: String,
    pub account_id: Option<AccountId>,
    pub ignored: bool,
}

pub async fn source(
    conn: &mut SqliteConnection,
    tool: &str,
    dir: &str,
) -> Result<Option<SourceRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, tool, dir, account_id, ignored FROM capture_sources WHERE tool = ? AND dir = ?",
    )
    .bind(tool)
    .bind(dir)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_source(
    conn: &mut SqliteConnection,
    tool: &str,
    dir: &str,
    account: Option<AccountId>,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO capture_sources (tool, dir, account_id) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(tool)
    .bind(dir)
    .bind(account)
    .fetch_one(conn)
    .await?)
}

pub async fn set_source_account(
    conn: &mut SqliteConnection,
    id: i64,
    account: AccountId,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE capture_sources SET account_id = ?, last_capture_at = ? WHERE id = ?")
        .bind(account)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account another source of the same tool is mapped to (tools whose logs live in
/// repositories share one account).
pub async fn account_of_tool(
    conn: &mut SqliteConnection,
    tool: &str,
) -> Result<Option<AccountId>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM capture_sources WHERE tool = ? AND account_id IS NOT NULL \
         ORDER BY id LIMIT 1",
    )
    .bind(tool)
    .fetch_optional(conn)
    .await?
    .flatten())
}

pub async fn sources(conn: &mut SqliteConnection) -> Result<Vec<SourceRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, tool, dir, account_id, ignored FROM capture_sources ORDER BY tool, dir",
    )
    .fetch_all(conn)
    .await?)
}

/// `(project, ignored)` of a repository root seen before.
pub async fn repo(
    conn: &mut SqliteConnection,
    root: &str,
) -> Result<Option<(Option<ProjectId>, bool)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT project_id, ignored FROM capture_repos WHERE root = ?")
            .bind(root)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn upsert_repo(
    conn: &mut SqliteConnection,
    root: &str,
    project: ProjectId,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO capture_repos (root, project_id) VALUES (?, ?) \
         ON CONFLICT (root) DO UPDATE SET project_id = excluded.project_id",
    )
    .bind(root)
    .bind(project)
    .execute(conn)
    .await?;
    Ok(())
}

/// Lower-cased names of every project (for a free name).
pub async fn project_names(conn: &mut SqliteConnection) -> Result<Vec<String>, StorageError> {
    Ok(sqlx::query_scalar("SELECT lower(name) FROM projects")
        .fetch_all(conn)
        .await?)
}

/// A file read before: `(size, mtime, state)`.
pub async fn file(
    conn: &mut SqliteConnection,
    path: &str,
) -> Result<Option<(i64, i64, String)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT size, mtime, state FROM capture_files WHERE path = ?")
            .bind(path)
            .fetch_optional(conn)
            .await?,
    )
}

/// Every file read before: `(path, size, mtime, state)`.
pub async fn files(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, i64, i64, String)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT path, size, mtime, state FROM capture_files")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn save_file(
    conn: &mut SqliteConnection,
    source: i64,
    path: &str,
    (size, mtime): (i64, i64),
    state: &str,
    error: Option<&str>,
    now: Timestamp,
) -> Result<(), StorageError> {
    // lines not understood stay noted until the file reads cleanly from its start again; a
    // read error goes once the file reads
    sqlx::query(
        "INSERT INTO capture_files (source_id, path, size, mtime, state, error, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, \
         state = excluded.state, updated_at = excluded.updated_at, \
         error = CASE WHEN excluded.error IS NOT NULL THEN excluded.error \
                      WHEN capture_files.error LIKE 'cannot read%' THEN NULL \
                      ELSE capture_files.error END",
    )
    .bind(source)
    .bind(path)
    .bind(size.max(0))
    .bind(mtime)
    .bind(state)
    .bind(error)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn session_of(
    conn: &mut SqliteConnection,
    tool: &str,
    tool_session: &str,
) -> Result<Option<SessionId>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT session_id FROM capture_sessions WHERE tool = ? AND tool_session = ?",
    )
    .bind(tool)
    .bind(tool_session)
    .fetch_optional(conn)
    .await?)
}

pub async fn link_session(
    conn: &mut SqliteConnection,
    tool: &str,
    tool_session: &str,
    session: SessionId,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO capture_sessions (tool, tool_session, session_id) VALUES (?, ?, ?)")
        .bind(tool)
        .bind(tool_session)
        .bind(session)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks turn keys as recorded; returns the ones that were new.
pub async fn claim_turns(
    conn: &mut SqliteConnection,
    session: SessionId,
    keys: &[&str],
) -> Result<std::collections::HashSet<String>, StorageError> {
    let mut new = std::collections::HashSet::new();
    for chunk in keys.chunks(400) {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT OR IGNORE INTO capture_turns (session_id, key) ",
        );
        qb.push_values(chunk, |mut b, k| {
            b.push_bind(session).push_bind(*k);
        });
        qb.push(" RETURNING key");
        let rows: Vec<String> = qb.build_query_scalar().fetch_all(&mut *conn).await?;
        new.extend(rows);
    }
    Ok(new)
}

/// Appends turns to a session's conversation after its last one.
pub async fn append_turns(
    conn: &mut SqliteConnection,
    session: SessionId,
    turns: &[(&str, &str, Timestamp)],
) -> Result<(), StorageError> {
    let mut next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(turn_number), 0) + 1 FROM conversation_history WHERE session_id = ?",
    )
    .bind(session)
    .fetch_one(&mut *conn)
    .await?;
    for chunk in turns.chunks(150) {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO conversation_history (session_id, turn_number, role, content, timestamp) ",
        );
        qb.push_values(chunk, |mut b, (role, content, at)| {
            b.push_bind(session)
                .push_bind(next)
                .push_bind(*role)
                .push_bind(*content)
                .push_bind(*at);
            next += 1;
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A usage key recorded before: `(ledger row, its token total)`.
pub async fn usage(
    conn: &mut SqliteConnection,
    key: &str,
) -> Result<Option<(i64, i64)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT ledger_id, tokens FROM capture_usage WHERE key = ?")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

/// One captured call as a ledger row.
#[derive(Debug, Clone)]
pub struct LedgerRow<'a> {
    pub session: SessionId,
    pub provider: &'a str,
    pub model: &'a str,
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_write: i64,
    pub cost_micros: i64,
    pub priced: bool,
    pub at: Timestamp,
}

pub async fn insert_usage(
    conn: &mut SqliteConnection,
    key: &str,
    row: &LedgerRow<'_>,
    total: i64,
) -> Result<(), StorageError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO usage_ledger (session_id, provider, model, input_tokens, output_tokens, \
         cost_micros, source, created_at, cache_read_tokens, cache_write_tokens, priced) \
         VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?, ?, ?) RETURNING id",
    )
    .bind(row.session)
    .bind(row.provider)
    .bind(row.model)
    .bind(row.input)
    .bind(row.output)
    .bind(row.cost_micros)
    .bind(row.at)
    .bind(row.cache_read)
    .bind(row.cache_write)
    .bind(row.priced)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO capture_usage (key, ledger_id, tokens) VALUES (?, ?, ?)")
        .bind(key)
        .bind(id)
        .bind(total)
        .execute(conn)
        .await?;
    Ok(())
}

/// A larger copy of a call seen before (streamed usage grows): its row takes the new counts.
pub async fn grow_usage(
    conn: &mut SqliteConnection,
    key: &str,
    ledger_id: i64,
    row: &LedgerRow<'_>,
    total: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE usage_ledger SET input_tokens = ?, output_tokens = ?, cost_micros = ?, \
         cache_read_tokens = ?, cache_write_tokens = ?, priced = ? WHERE id = ?",
    )
    .bind(row.input)
    .bind(row.output)
    .bind(row.cost_micros)
    .bind(row.cache_read)
    .bind(row.cache_write)
    .bind(row.priced)
    .bind(ledger_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE capture_usage SET tokens = ? WHERE key = ?")
        .bind(total)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The vendor windows a source's tool reported last (JSON of `[RateWindow]`).
pub async fn set_rate_limits(
    conn: &mut SqliteConnection,
    source_id: i64,
    json: &str,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE capture_sources SET rate_limits = ? WHERE id = ?")
        .bind(json)
        .bind(source_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// `(account, rate_limits JSON)` of the sources that have reported windows.
pub async fn rate_limits(
    conn: &mut SqliteConnection,
) -> Result<Vec<(AccountId, String)>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT account_id, rate_limits FROM capture_sources \
         WHERE account_id IS NOT NULL AND rate_limits IS NOT NULL AND ignored = 0",
    )
    .fetch_all(conn)
    .await?)
}

/// A captured session with its usage, for the live view.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveRow {
    pub session_id: SessionId,
    pub session_number: i64,
    pub project_id: ProjectId,
    pub project_name: String,
    pub account_name: String,
    pub objectives: Option<String>,
    pub status: String,
    pub turns: i64,
    pub tokens: i64,
    pub cost_micros: i64,
    pub unpriced_calls: i64,
    pub last_at: Timestamp,
}

/// Captured sessions active since `since`, the latest first.
pub async fn recent_sessions(
    conn: &mut SqliteConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<LiveRow>, StorageError> {
    Ok(sqlx::query_as(
        "WITH latest AS ( \
             SELECT session_id, max(last_at) AS last_at FROM ( \
                 SELECT session_id, max(created_at) AS last_at FROM usage_ledger \
                 WHERE created_at >= ?1 GROUP BY session_id \
                 UNION ALL \
                 SELECT id, started_at FROM sessions WHERE started_at >= ?1) \
             GROUP BY session_id) \
         SELECT s.id AS session_id, s.session_number, s.project_id, p.name AS project_name, \
                a.account_name, s.objectives, s.status, \
                (SELECT count(*) FROM conversation_history h WHERE h.session_id = s.id) AS turns, \
                COALESCE(u.tokens, 0) AS tokens, COALESCE(u.cost, 0) AS cost_micros, \
                COALESCE(u.unpriced, 0) AS unpriced_calls, latest.last_at \
         FROM latest \
         JOIN capture_sessions c ON c.session_id = latest.session_id \
         JOIN sessions s ON s.id = c.session_id \
         JOIN projects p ON p.id = s.project_id AND p.deleted_at IS NULL \
         JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN (SELECT session_id, sum(input_tokens + output_tokens) AS tokens, \
                           sum(cost_micros) AS cost, sum(priced = 0) AS unpriced \
                    FROM usage_ledger \
                    WHERE session_id IN (SELECT session_id FROM latest) \
                    GROUP BY session_id) u ON u.session_id = s.id \
         ORDER BY latest.last_at DESC, s.id DESC LIMIT ?2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// `(account, name, platform, at, tokens, cost)` of every captured call since `since` on
/// accounts that capture feeds.
pub async fn account_calls(
    conn: &mut SqliteConnection,
    since: Timestamp,
) -> Result<Vec<(AccountId, String, String, Timestamp, i64, i64)>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.account_name, a.platform, l.created_at, \
                l.input_tokens + l.output_tokens, l.cost_micros \
         FROM usage_ledger l \
         JOIN capture_usage cu ON cu.ledger_id = l.id \
         JOIN sessions s ON s.id = l.session_id \
         JOIN accounts a ON a.id = s.account_id \
         WHERE l.created_at >= ? ORDER BY a.id, l.created_at",
    )
    .bind(since)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceListRow {
    pub id: i64,
    pub tool: String,
    pub dir: String,
    pub account_id: Option<AccountId>,
    pub account_name: Option<String>,
    pub ignored: bool,
    pub last_capture_at: Option<Timestamp>,
    pub files: i64,
    pub sessions: i64,
}

/// Every source with its account, file and session counts.
pub async fn source_list(conn: &mut SqliteConnection) -> Result<Vec<SourceListRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.tool, s.dir, a.id AS account_id, a.account_name, s.ignored, \
                s.last_capture_at, \
                (SELECT count(*) FROM capture_files f WHERE f.source_id = s.id) AS files, \
                (SELECT count(*) FROM capture_sessions c JOIN sessions x ON x.id = c.session_id \
                  WHERE c.tool = s.tool AND x.account_id = s.account_id) AS sessions \
         FROM capture_sources s LEFT JOIN accounts a ON a.id = s.account_id \
         ORDER BY s.tool, s.dir",
    )
    .fetch_all(conn)
    .await?)
}

/// `(source, path, error)` of files that could not be read cleanly, the latest first.
pub async fn file_errors(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT source_id, path, error FROM capture_files WHERE error IS NOT NULL \
         ORDER BY updated_at DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepoListRow {
    pub id: i64,
    pub root: String,
    pub project_id: Option<ProjectId>,
    pub project_name: Option<String>,
    pub ignored: bool,
    pub sessions: i64,
}

pub async fn repo_list(conn: &mut SqliteConnection) -> Result<Vec<RepoListRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.root, p.id AS project_id, p.name AS project_name, r.ignored, \
                (SELECT count(*) FROM sessions x JOIN capture_sessions c ON c.session_id = x.id \
                  WHERE x.project_id = r.project_id) AS sessions \
         FROM capture_repos r \
         LEFT JOIN projects p ON p.id = r.project_id AND p.deleted_at IS NULL \
         ORDER BY r.root",
    )
    .fetch_all(conn)
    .await?)
}

/// `(id, name)` of accounts and of projects not deleted, by name (for the merge lists).
pub async fn merge_targets(
    conn: &mut SqliteConnection,
) -> Result<(Vec<(AccountId, String)>, Vec<(ProjectId, String)>), StorageError> {
    let accounts = sqlx::query_as(
        "SELECT id, account_name FROM accounts ORDER BY account_name COLLATE NOCASE LIMIT 2000",
    )
    .fetch_all(&mut *conn)
    .await?;
    let projects = sqlx::query_as(
        "SELECT id, name FROM projects WHERE deleted_at IS NULL \
         ORDER BY name COLLATE NOCASE LIMIT 2000",
    )
    .fetch_all(conn)
    .await?;
    Ok((accounts, projects))
}

pub async fn source_by_id(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<SourceRow>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, tool, dir, account_id, ignored FROM capture_sources WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn set_source_ignored(
    conn: &mut SqliteConnection,
    id: i64,
    ignored: bool,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE capture_sources SET ignored = ? WHERE id = ?")
        .bind(ignored)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn map_source(
    conn: &mut SqliteConnection,
    id: i64,
    account: AccountId,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE capture_sources SET account_id = ? WHERE id = ?")
        .bind(account)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the captured sessions of `tool` from one account to another.
pub async fn move_tool_sessions(
    conn: &mut SqliteConnection,
    tool: &str,
    from: AccountId,
    to: AccountId,
) -> Result<u64, StorageError> {
    Ok(sqlx::query(
        "UPDATE sessions SET account_id = ? WHERE account_id = ? \
         AND id IN (SELECT session_id FROM capture_sessions WHERE tool = ?)",
    )
    .bind(to)
    .bind(from)
    .bind(tool)
    .execute(conn)
    .await?
    .rows_affected())
}

/// `(project, ignored)` of a repository by id.
pub async fn repo_by_id(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<(Option<ProjectId>, bool)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT project_id, ignored FROM capture_repos WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_repo(
    conn: &mut SqliteConnection,
    id: i64,
    project: Option<ProjectId>,
    ignored: bool,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE capture_repos SET project_id = ?, ignored = ? WHERE id = ?")
        .bind(project)
        .bind(ignored)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Captured sessions of a project, oldest first.
pub async fn captured_sessions_of(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Vec<SessionId>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN capture_sessions c ON c.session_id = s.id \
         WHERE s.project_id = ? ORDER BY s.session_number",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

/// Moves one session to another project under a new number (its usage follows).
pub async fn move_session(
    conn: &mut SqliteConnection,
    session: SessionId,
    to: ProjectId,
    number: i64,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE sessions SET project_id = ?, session_number = ? WHERE id = ?")
        .bind(to)
        .bind(number)
        .bind(session)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE usage_ledger SET project_id = ? WHERE session_id = ?")
        .bind(to)
        .bind(session)
        .execute(conn)
        .await?;
    Ok(())
}

/// The latest time any source was read.
pub async fn last_capture(conn: &mut SqliteConnection) -> Result<Option<Timestamp>, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT max(last_capture_at) FROM capture_sources")
            .fetch_one(conn)
            .await?,
    )
}

/// The repository root capture mapped to a project (the most recently mapped one).
pub async fn root_of_project(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT root FROM capture_repos WHERE project_id = ? AND ignored = 0 AND root <> '' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(project)
    .fetch_optional(conn)
    .await?)
}
