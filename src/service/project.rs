//! Project operations: parse input, apply domain rules, persist, in one transaction.

use crate::domain::project::{
    NewProject, Page, Project, ProjectId, ProjectInput, ProjectPatch, ProjectPatchInput,
    ProjectQuery,
};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::storage::{self, Db};

#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(db: &Db, input: &ProjectInput, now: Timestamp) -> Result<Project, AppError> {
    let new = NewProject::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    let project = storage::project::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    tracing::info!(project.id = %project.id, "project created");
    Ok(project)
}

pub async fn get(db: &Db, id: ProjectId) -> Result<Project, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::project::get(&mut conn, id).await?)
}

pub async fn list(db: &Db, query: &ProjectQuery) -> Result<Page<Project>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::project::list(&mut conn, query).await?)
}

/// The projects a picker offers (at most 500), most recently changed first.
pub async fn names(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::project::names(&mut conn, 500).await?)
}

/// Applies a change (name, description, status) to a project that is not deleted.
#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "info"))]
pub async fn update(
    db: &Db,
    id: ProjectId,
    input: &ProjectPatchInput,
    now: Timestamp,
) -> Result<Project, AppError> {
    let patch = ProjectPatch::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    let current = storage::project::get(&mut tx, id).await?;
    current.ensure_editable()?;
    AppError::ensure_version("project", current.version, input.version)?;
    let mut updated = patch.apply(current, now);
    storage::project::save(&mut tx, &mut updated).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Soft-deletes a project: it leaves every list but the trash and can be restored.
#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "info"))]
pub async fn delete(db: &Db, id: ProjectId, now: Timestamp) -> Result<Project, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let current = storage::project::get(&mut tx, id).await?;
    current.ensure_deletable()?;
    storage::project::set_deleted(&mut tx, id, Some(now), now).await?;
    let deleted = storage::project::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Brings a soft-deleted project back.
#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "info"))]
pub async fn restore(db: &Db, id: ProjectId, now: Timestamp) -> Result<Project, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let current = storage::project::get(&mut tx, id).await?;
    current.ensure_restorable()?;
    storage::project::set_deleted(&mut tx, id, None, now).await?;
    let restored = storage::project::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::ProjectStatus;
    use crate::storage::temp_db;

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T12:00:00Z").unwrap()
    }

    fn input(name: &str) -> ProjectInput {
        ProjectInput {
            name: Some(name.into()),
            description: None,
        }
    }

    async fn count(db: &Db) -> i64 {
        crate::storage::testing::count(db, "projects").await
    }

    #[tokio::test]
    async fn invalid_input_writes_nothing() {
        let (_dir, db) = temp_db().await;
        let e = create(&db, &input(&"x".repeat(10_000)), now())
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert_eq!(count(&db).await, 0);
    }

    #[tokio::test]
    async fn update_delete_restore_cycle() {
        let (_dir, db) = temp_db().await;
        let p = create(&db, &input("Alpha"), now()).await.unwrap();
        let later = now().plus_seconds(60);
        let patch = ProjectPatchInput {
            status: Some("completed".into()),
            ..Default::default()
        };
        let p2 = update(&db, p.id, &patch, later).await.unwrap();
        assert_eq!(p2.status, ProjectStatus::Completed);
        assert_eq!(get(&db, p.id).await.unwrap(), p2);

        let deleted = delete(&db, p.id, later).await.unwrap();
        assert_eq!(deleted.deleted_at, Some(later));
        assert_eq!(
            delete(&db, p.id, later).await.unwrap_err().status_code(),
            409
        );
        assert_eq!(
            update(&db, p.id, &patch, later)
                .await
                .unwrap_err()
                .status_code(),
            409
        );

        let restored = restore(&db, p.id, later).await.unwrap();
        assert_eq!(restored.deleted_at, None);
        assert_eq!(restored.status, ProjectStatus::Completed);
        assert_eq!(
            restore(&db, p.id, later).await.unwrap_err().status_code(),
            409
        );
    }

    #[tokio::test]
    async fn concurrent_updates_do_not_fail_with_locked() {
        let (_dir, db) = temp_db().await;
        let p = create(&db, &input("Busy"), now()).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let patch = ProjectPatchInput {
                    name: Some(format!("Busy {i}")),
                    ..Default::default()
                };
                update(&db, p.id, &patch, now()).await
            }));
        }
        for t in tasks {
            t.await.unwrap().expect("every concurrent update succeeds");
        }
    }
}
