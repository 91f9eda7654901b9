//! Storage: the only module that speaks SQL. SQLite is configured here, once.
//!
//! Storage functions take `&mut SqliteConnection`, so the same function serves a pooled
//! connection and a transaction.
//!
//! **One writer at a time, by design.** [`Db`] holds two pools on the same file: readers
//! (several connections, `query_only`, so a write through them fails loudly) and the writer
//! (one connection). Write transactions ([`begin_write`]) take the writer, whose pool hands
//! it out first come, first served: writers queue in the server instead of racing on
//! SQLite's busy handler, which is not fair. WAL lets the readers go on meanwhile.
//!
//! **Cancellation.** A request dropped at any await point may leave a connection inside a
//! transaction that no `Transaction` value owns any more (for example, dropped after
//! `BEGIN` ran but before its guard existed). Every connection is checked when it goes back
//! to its pool, behind whatever the dropped future left queued on it: one still inside a
//! transaction is closed (which rolls the transaction back) instead of being reused.

pub mod account;
mod error;
pub use error::{Constraint, StorageError};
pub mod analytics;
pub mod auth;
pub mod backup;
pub mod bundle;
pub mod capture;
pub mod handoff;
pub mod knowledge;
pub mod ledger;
pub mod model;
pub mod project;
pub mod project_file;
pub mod session;
pub mod stats;
#[cfg(test)]
pub mod testing;

use crate::domain::time::Timestamp;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::migrate::Migrator;
use sqlx::pool::{PoolConnection, PoolConnectionMetadata};
use sqlx::sqlite::{
    SqliteArgumentValue, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous, SqliteTypeInfo, SqliteValueRef,
};
use sqlx::{Connection, Decode, Encode, Sqlite, SqliteConnection, SqlitePool, Transaction, Type};
use std::str::FromStr;
use std::time::Duration;

/// The database handle shared by the whole server: reader connections and the one writer.
#[derive(Debug, Clone)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
    /// An in-memory database: one connection reads and writes.
    shared: bool,
}

impl Db {
    /// A reader connection (`query_only`): for reads outside a write transaction.
    pub async fn acquire(&self) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
        self.read.acquire().await
    }

    /// The writer's pool (one connection). Prefer [`begin_write`].
    pub fn writer(&self) -> &SqlitePool {
        &self.write
    }

    /// A read transaction: one consistent snapshot for several reads.
    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.read.begin().await
    }

    /// Connections open, readers and writer together.
    pub fn size(&self) -> u32 {
        if self.shared {
            self.write.size()
        } else {
            self.read.size() + self.write.size()
        }
    }

    /// A connection of its own, outside both pools, that may write files but is not the
    /// writer: for `VACUUM INTO` backups, which must not hold up the writer while copying.
    pub async fn connect_detached(&self) -> Result<SqliteConnection, sqlx::Error> {
        SqliteConnection::connect_with(&self.write.connect_options()).await
    }

    /// Closes both pools (waits for connections in use to come back).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Ad-hoc statements (`sqlx::query(..).execute(&db)`, tests and tools) run on the writer,
/// so they may write.
impl<'p> sqlx::Executor<'p> for &'_ Db {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_core::stream::BoxStream<
        'e,
        Result<sqlx::Either<sqlx::sqlite::SqliteQueryResult, sqlx::sqlite::SqliteRow>, sqlx::Error>,
    >
    where
        E: 'q + sqlx::Execute<'q, Sqlite>,
    {
        (&self.write).fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_core::future::BoxFuture<'e, Result<Option<sqlx::sqlite::SqliteRow>, sqlx::Error>>
    where
        E: 'q + sqlx::Execute<'q, Sqlite>,
    {
        (&self.write).fetch_optional(query)
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [sqlx::sqlite::SqliteTypeInfo],
    ) -> futures_core::future::BoxFuture<'e, Result<sqlx::sqlite::SqliteStatement<'q>, sqlx::Error>>
    {
        (&self.write).prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> futures_core::future::BoxFuture<'e, Result<sqlx::Describe<Sqlite>, sqlx::Error>> {
        (&self.write).describe(sql)
    }
}

/// Whether a connection coming back to its pool may be reused: not when it is still inside a
/// transaction (a cancelled future's leftover). `lock_handle` queues behind every command
/// the dropped future sent, so the answer reflects them all.
fn reusable(
    conn: &mut SqliteConnection,
    _meta: PoolConnectionMetadata,
) -> futures_core::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        // wait for the worker to run whatever was queued before this point
        drop(conn.lock_handle().await?);
        if conn.is_in_transaction() {
            tracing::warn!(
                "a connection came back inside a transaction (a cancelled request); closing it"
            );
            return Ok(false);
        }
        Ok(true)
    })
}

/// A write transaction (begun IMMEDIATE).
pub type Tx = Transaction<'static, Sqlite>;

/// The migrations in `./migrations`, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Normalises a database setting: `sqlite:…` URLs pass through; a bare path becomes
/// `sqlite:<path>`.
/// SQLite's count of commits by other connections (`PRAGMA data_version`): it changes
/// whenever another connection commits, which is how the change feed notices writes.
pub async fn data_version(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("PRAGMA data_version")
        .fetch_one(&mut *conn)
        .await
}

pub fn normalize_url(url_or_path: &str) -> String {
    if url_or_path.starts_with("sqlite:") {
        url_or_path.to_owned()
    } else {
        format!("sqlite:{url_or_path}")
    }
}

/// Reader connections per database.
pub const READERS: u32 = 8;

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
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .after_release(reusable)
        .connect_with(opts.clone())
        .await?;
    if in_memory {
        // every connection to `:memory:` would be a separate empty database
        return Ok(Db {
            read: write.clone(),
            write,
            shared: true,
        });
    }
    let read = SqlitePoolOptions::new()
        .max_connections(READERS)
        .after_release(reusable)
        .connect_with(opts.pragma("query_only", "ON"))
        .await?;
    Ok(Db {
        read,
        write,
        shared: false,
    })
}

/// Applies the migrations that have not run yet.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(&db.write).await
}

/// Opens and migrates: what the server does at start.
pub async fn open(url_or_path: &str) -> Result<Db, StorageError> {
    let db = connect(url_or_path).await.map_err(|e| {
        tracing::error!(error = %e, "cannot open the database");
        StorageError::Database(e)
    })?;
    migrate(&db).await.map_err(|e| {
        tracing::error!(error = %e, "cannot migrate the database");
        StorageError::Corrupt(format!("cannot migrate the database: {e}"))
    })?;
    let mut conn = db.writer().acquire().await?;
    account::backfill_name_keys(&mut conn).await?;
    drop(conn);
    Ok(db)
}

/// Whether the database answers and every migration this build knows has been applied.
pub async fn readiness(db: &Db) -> Result<(), String> {
    let mut conn = db
        .acquire()
        .await
        .map_err(|_| "the database does not answer".to_string())?;
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(&mut *conn)
            .await
            .map_err(|_| "the database does not answer".to_string())?;
    let known = MIGRATOR.iter().count() as i64;
    if applied < known {
        return Err(format!("{applied} of {known} migrations applied"));
    }
    Ok(())
}

/// Moves the write-ahead log into the database file and truncates it (at shutdown).
pub async fn checkpoint(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Begins a write transaction that holds the write lock from its first statement.
pub async fn begin_write(db: &Db) -> Result<Tx, StorageError> {
    Ok(db.write.begin_with("BEGIN IMMEDIATE").await?)
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

/// One finding of `paas doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// Looks the database over without changing it: integrity, foreign keys, migrations, size
/// and the write-ahead log.
pub async fn doctor(db: &Db) -> Result<Vec<Finding>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let mut out = Vec::new();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    let whole = integrity.len() == 1 && integrity[0] == "ok";
    out.push(Finding {
        check: "integrity",
        ok: whole,
        detail: if whole {
            "ok".into()
        } else {
            integrity
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        },
    });
    let dangling: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut *conn)
        .await?;
    out.push(Finding {
        check: "foreign keys",
        ok: dangling.is_empty(),
        detail: if dangling.is_empty() {
            "every reference resolves".into()
        } else {
            format!(
                "{} rows point at nothing (first in {})",
                dangling.len(),
                dangling[0].0
            )
        },
    });
    drop(conn);
    let migrations = readiness(db).await;
    out.push(Finding {
        check: "migrations",
        ok: migrations.is_ok(),
        detail: match migrations {
            Ok(()) => format!("all {} applied", MIGRATOR.iter().count()),
            Err(e) => e,
        },
    });
    let mut conn = db.acquire().await?;
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut *conn)
        .await?;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut *conn)
        .await?;
    let free: i64 = sqlx::query_scalar("PRAGMA freelist_count")
        .fetch_one(&mut *conn)
        .await?;
    out.push(Finding {
        check: "size",
        ok: true,
        detail: format!(
            "{:.1} MB, {:.1} MB of it free pages",
            (pages * page_size) as f64 / 1e6,
            (free * page_size) as f64 / 1e6
        ),
    });
    Ok(out)
}
