//! Tracked project files.

use crate::domain::project::ProjectId;
use crate::domain::project_file::{NewProjectFile, ProjectFile, ProjectFileInput};
use crate::error::AppError;
use crate::storage::{self, Db};

/// Adds a file to a project that is not deleted (or updates the one with that path).
pub async fn add(
    db: &Db,
    project: ProjectId,
    input: &ProjectFileInput,
) -> Result<ProjectFile, AppError> {
    let new = NewProjectFile::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    storage::project::get(&mut tx, project)
        .await?
        .ensure_editable()?;
    let file = storage::project_file::upsert(&mut tx, project, &new).await?;
    tx.commit().await?;
    Ok(file)
}

pub async fn list(db: &Db, project: ProjectId) -> Result<Vec<ProjectFile>, AppError> {
    let mut conn = db.acquire().await?;
    storage::project::get(&mut conn, project).await?;
    Ok(storage::project_file::list(&mut conn, project).await?)
}

pub async fn remove(db: &Db, project: ProjectId, id: i64) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    storage::project_file::delete(&mut tx, project, id).await?;
    tx.commit().await?;
    Ok(())
}
