//! SQL for tracked project files.

use crate::domain::project::ProjectId;
use crate::domain::project_file::{NewProjectFile, ProjectFile};
use crate::storage::StorageError;
use sqlx::SqliteConnection;

const COLUMNS: &str = "id, project_id, file_path, file_type, git_status, importance, notes";

/// Adds a file, or updates the entry with the same path.
pub async fn upsert(
    conn: &mut SqliteConnection,
    project: ProjectId,
    f: &NewProjectFile,
) -> Result<ProjectFile, StorageError> {
    let sql = format!(
        "INSERT INTO project_files (project_id, file_path, file_type, git_status, importance, notes) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project_id, file_path) DO UPDATE SET file_type = excluded.file_type, \
         git_status = excluded.git_status, importance = excluded.importance, notes = excluded.notes \
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as(&sql)
        .bind(project)
        .bind(&f.file_path)
        .bind(&f.file_type)
        .bind(&f.git_status)
        .bind(f.importance)
        .bind(&f.notes)
        .fetch_one(conn)
        .await?)
}

/// A project's files, most important first.
pub async fn list(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Vec<ProjectFile>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM project_files WHERE project_id = ? ORDER BY \
         CASE importance WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, file_path"
    );
    Ok(sqlx::query_as(&sql).bind(project).fetch_all(conn).await?)
}

/// Paths of the project's critical files, for briefings.
pub async fn critical_paths(
    conn: &mut SqliteConnection,
    project: ProjectId,
) -> Result<Vec<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT file_path FROM project_files WHERE project_id = ? AND importance = 'critical' ORDER BY file_path",
    )
    .bind(project)
    .fetch_all(conn)
    .await?)
}

pub async fn delete(
    conn: &mut SqliteConnection,
    project: ProjectId,
    id: i64,
) -> Result<(), StorageError> {
    let done = sqlx::query("DELETE FROM project_files WHERE project_id = ? AND id = ?")
        .bind(project)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("file", id));
    }
    Ok(())
}
