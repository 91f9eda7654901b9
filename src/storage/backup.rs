//! SQL for whole-database backups.

use sqlx::SqliteConnection;

/// Writes a consistent copy of the whole database to `path` (which must not exist) while
/// other connections keep reading and writing: `VACUUM INTO` copies one read snapshot.
pub async fn vacuum_into(conn: &mut SqliteConnection, path: &str) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO ?")
        .bind(path)
        .execute(conn)
        .await?;
    Ok(())
}

/// `PRAGMA integrity_check`: `["ok"]` for a sound database, else the problems found.
pub async fn integrity_check(conn: &mut SqliteConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
        .fetch_all(conn)
        .await
}

/// Opens a database file read-only and checks it.
pub async fn check_file(path: &std::path::Path) -> Result<Vec<String>, sqlx::Error> {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::Connection;
    let opts = SqliteConnectOptions::new().filename(path).read_only(true);
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    let result = integrity_check(&mut conn).await;
    conn.close().await?;
    result
}
