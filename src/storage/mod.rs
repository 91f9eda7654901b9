//! Storage: the only module that speaks SQL. SQLite is configured here, once.
//!
//! Storage functions take `&mut SqliteConnection`, so the same function serves a pooled
//! connection and a transaction. Write transactions begin IMMEDIATE (`begin_write`): a
//! deferred transaction that reads and then writes fails with "database is locked" when
//! another writer got there first; an immediate one waits for the lock (busy timeout).

pub mod account;
pub mod analytics;
pub mod backup;
pub mod bundle;
pub mod handoff;
pub mod knowledge;
pub mod ledger;
pub mod project;
pub mod project_file;
pub mod session;
pub mod stats;

use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteArgumentValue, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous, SqliteTypeInfo, SqliteValueRef,
};
use sqlx::{Decode, Encode, Sqlite, SqlitePool, Transaction, Type};
use std::str::FromStr;
use std::time::Duration;

/// The database handle shared by the whole server.
pub type Db = SqlitePool;

/// A write transaction (begun IMMEDIATE).
pub type Tx = Transaction<'static, Sqlite>;

/// The migrations in `./migrations`, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Normalises a database setting: `sqlite:…` URLs pass through; a bare path becomes
/// `sqlite:<path>`.
pub fn normalize_url(url_or_path: &str) -> String {
    if url_or_path.starts_with("sqlite:") {
        url_or_path.to_owned()
    } else {
        format!("sqlite:{url_or_path}")
    }
}

/// Opens (creating the file and its directory if missing) the database with the settings
/// every connection must have: WAL, foreign keys, busy timeout, NORMAL sync; sorting and
/// grouping in memory and a 32 MiB page cache per connection (analytics read many rows).
pub async fn connect(url_or_path: &str) -> Result<Db, sqlx::Error> {
    let url = normalize_url(url_or_path);
    let opts = SqliteConnectOptions::from_str(&url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("temp_store", "MEMORY")
        .pragma("cache_size", "-32768")
        .create_if_missing(true);
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !in_memory {
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
    }
    SqlitePoolOptions::new()
        // every connection to `:memory:` would be a separate empty database
        .max_connections(if in_memory { 1 } else { 8 })
        .connect_with(opts)
        .await
}

/// Applies the migrations that have not run yet.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(db).await
}

/// Opens and migrates: what the server does at start.
pub async fn open(url_or_path: &str) -> Result<Db, AppError> {
    let db = connect(url_or_path).await.map_err(|e| {
        tracing::error!(error = %e, "cannot open the database");
        AppError::Internal
    })?;
    migrate(&db).await.map_err(|e| {
        tracing::error!(error = %e, "cannot migrate the database");
        AppError::Internal
    })?;
    Ok(db)
}

/// Begins a write transaction that holds the write lock from its first statement.
pub async fn begin_write(db: &Db) -> Result<Tx, AppError> {
    Ok(db.begin_with("BEGIN IMMEDIATE").await?)
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            use sqlx::error::ErrorKind;
            match db.kind() {
                ErrorKind::UniqueViolation => {
                    return AppError::conflict(format!("already exists: {}", db.message()))
                }
                ErrorKind::ForeignKeyViolation => {
                    return AppError::conflict("a referenced record is missing or still in use")
                }
                ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                    tracing::warn!(error = %db, "constraint rejected a write");
                    return AppError::validation("body", db.message().to_owned());
                }
                _ => {}
            }
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

// Timestamps are stored as RFC 3339 text.
impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Timestamp {
    fn encode_by_ref(
        &self,
        args: &mut Vec<SqliteArgumentValue<'q>>,
    ) -> Result<IsNull, BoxDynError> {
        args.push(SqliteArgumentValue::Text(self.to_rfc3339().into()));
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&str as Decode<Sqlite>>::decode(value)?;
        Timestamp::parse(s).ok_or_else(|| format!("not a timestamp: {s:?}").into())
    }
}

/// A fresh, migrated database file in a temporary directory, for tests; the directory (and
/// the database) goes away with the returned guard.
#[cfg(test)]
pub async fn temp_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let db = open(&dir.path().join("test.db").to_string_lossy())
        .await
        .expect("open a temporary database");
    (dir, db)
}
