//! SQL for projects.

use crate::domain::project::{
    NewProject, Page, Project, ProjectId, ProjectQuery, ProjectSort, StatusFilter, PER_PAGE,
};
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::SqliteConnection;

const COLUMNS: &str = "id, name, description, status, total_credits_used, total_sessions, \
                       created_at, updated_at, deleted_at, version";

#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewProject,
    now: Timestamp,
) -> Result<Project, StorageError> {
    let sql = format!(
        "INSERT INTO projects (name, description, status, created_at, updated_at) \
         VALUES (?, ?, 'active', ?, ?) RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as::<_, Project>(&sql)
        .bind(new.name.as_str())
        .bind(new.description.as_deref())
        .bind(now)
        .bind(now)
        .fetch_one(conn)
        .await?)
}

/// The project with this id, deleted or not.
#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "debug"))]
pub async fn get(conn: &mut SqliteConnection, id: ProjectId) -> Result<Project, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = ?");
    sqlx::query_as::<_, Project>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StorageError::not_found("project", id))
}

fn where_clause(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::All => "deleted_at IS NULL",
        StatusFilter::Only(_) => "deleted_at IS NULL AND status = ?",
        StatusFilter::Deleted => "deleted_at IS NOT NULL",
    }
}

fn order_clause(sort: ProjectSort) -> &'static str {
    match sort {
        ProjectSort::Updated => "updated_at DESC, id DESC",
        ProjectSort::Credits => "total_credits_used DESC, updated_at DESC, id DESC",
        ProjectSort::Sessions => "total_sessions DESC, updated_at DESC, id DESC",
    }
}

/// One page of projects with the total that match the filter.
#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn list(
    conn: &mut SqliteConnection,
    query: &ProjectQuery,
) -> Result<Page<Project>, StorageError> {
    let filter = where_clause(query.status);
    let count_sql = format!("SELECT COUNT(*) FROM projects WHERE {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    if let StatusFilter::Only(status) = query.status {
        count = count.bind(status);
    }
    let total = count.fetch_one(&mut *conn).await?;

    let list_sql = format!(
        "SELECT {COLUMNS} FROM projects WHERE {filter} ORDER BY {} LIMIT ? OFFSET ?",
        order_clause(query.sort)
    );
    let mut list = sqlx::query_as::<_, Project>(&list_sql);
    if let StatusFilter::Only(status) = query.status {
        list = list.bind(status);
    }
    let items = list
        .bind(i64::from(PER_PAGE))
        .bind(query.offset())
        .fetch_all(&mut *conn)
        .await?;
    Ok(Page {
        items,
        page: query.page.max(1),
        per_page: PER_PAGE,
        total,
    })
}

/// The names of the projects not deleted, most recently changed first (for pickers).
pub async fn names(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<(i64, String)>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM projects WHERE deleted_at IS NULL \
         ORDER BY updated_at DESC, id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Writes the editable fields of `project` (name, description, status, updated_at).
#[tracing::instrument(skip_all, fields(project.id = %project.id), err(level = "warn"))]
pub async fn save(conn: &mut SqliteConnection, project: &mut Project) -> Result<(), StorageError> {
    project.version = sqlx::query_scalar(
        "UPDATE projects SET name = ?, description = ?, status = ?, updated_at = ?, \
         version = version + 1 WHERE id = ? RETURNING version",
    )
    .bind(&project.name)
    .bind(&project.description)
    .bind(project.status)
    .bind(project.updated_at)
    .bind(project.id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StorageError::not_found("project", project.id))?;
    Ok(())
}

/// Marks the project deleted at `deleted_at`, or restores it with `None`.
#[tracing::instrument(skip_all, fields(project.id = %id), err(level = "warn"))]
pub async fn set_deleted(
    conn: &mut SqliteConnection,
    id: ProjectId,
    deleted_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let done = sqlx::query("UPDATE projects SET deleted_at = ?, updated_at = ? WHERE id = ?")
        .bind(deleted_at)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("project", id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::{ProjectInput, ProjectStatus};
    use crate::storage::temp_db;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_unix(1_767_225_600 + secs).unwrap()
    }

    fn new(name: &str) -> NewProject {
        NewProject::parse(&ProjectInput {
            name: Some(name.into()),
            description: Some("about it".into()),
        })
        .unwrap()
    }

    #[tokio::test]
    async fn insert_then_get_round_trips() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        let p = insert(&mut conn, &new("Alpha"), ts(0)).await.unwrap();
        assert_eq!(p.name, "Alpha");
        assert_eq!(p.description.as_deref(), Some("about it"));
        assert_eq!(p.status, ProjectStatus::Active);
        assert_eq!(p.created_at, ts(0));
        assert_eq!(get(&mut conn, p.id).await.unwrap(), p);
    }

    #[tokio::test]
    async fn get_unknown_is_not_found() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        let e = get(&mut conn, ProjectId(42)).await.unwrap_err();
        assert!(
            matches!(&e, StorageError::NotFound { entity: "project", id } if id == "42"),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn list_filters_sorts_and_pages() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        for i in 0..45 {
            let mut p = insert(&mut conn, &new(&format!("P{i:02}")), ts(i))
                .await
                .unwrap();
            if i % 3 == 0 {
                p.status = ProjectStatus::Paused;
                save(&mut conn, &mut p).await.unwrap();
            }
            sqlx::query(
                "UPDATE projects SET total_credits_used = ?, total_sessions = ? WHERE id = ?",
            )
            .bind((i * 7) % 45)
            .bind(45 - i)
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        let all = list(&mut conn, &ProjectQuery::default()).await.unwrap();
        assert_eq!(all.total, 45);
        assert_eq!(all.items.len(), 20);
        assert_eq!(all.items[0].name, "P44", "most recently updated first");
        let last = list(
            &mut conn,
            &ProjectQuery {
                page: 3,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(last.items.len(), 5);
        assert_eq!(last.items[4].name, "P00");

        let paused = ProjectQuery {
            status: StatusFilter::Only(ProjectStatus::Paused),
            ..Default::default()
        };
        let page = list(&mut conn, &paused).await.unwrap();
        assert_eq!(page.total, 15);
        assert!(page.items.iter().all(|p| p.status == ProjectStatus::Paused));

        let by_credits = ProjectQuery {
            sort: ProjectSort::Credits,
            ..Default::default()
        };
        let page = list(&mut conn, &by_credits).await.unwrap();
        assert!(page
            .items
            .windows(2)
            .all(|w| w[0].total_credits_used >= w[1].total_credits_used));
        let by_sessions = ProjectQuery {
            sort: ProjectSort::Sessions,
            ..Default::default()
        };
        let page = list(&mut conn, &by_sessions).await.unwrap();
        assert_eq!(page.items[0].name, "P00");
    }

    #[tokio::test]
    async fn deleted_projects_leave_the_list_and_enter_the_trash() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        let a = insert(&mut conn, &new("A"), ts(0)).await.unwrap();
        insert(&mut conn, &new("B"), ts(1)).await.unwrap();
        set_deleted(&mut conn, a.id, Some(ts(2)), ts(2))
            .await
            .unwrap();
        let live = list(&mut conn, &ProjectQuery::default()).await.unwrap();
        assert_eq!(
            live.items
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["B"]
        );
        let trash = ProjectQuery {
            status: StatusFilter::Deleted,
            ..Default::default()
        };
        let trash = list(&mut conn, &trash).await.unwrap();
        assert_eq!(trash.items.len(), 1);
        assert_eq!(trash.items[0].deleted_at, Some(ts(2)));
        set_deleted(&mut conn, a.id, None, ts(3)).await.unwrap();
        assert_eq!(get(&mut conn, a.id).await.unwrap().deleted_at, None);
    }

    #[tokio::test]
    async fn schema_rejects_what_the_domain_would() {
        let (_dir, db) = temp_db().await;
        let e = sqlx::query("INSERT INTO projects (name, status) VALUES ('x', 'bogus')")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(matches!(
            StorageError::from(e),
            StorageError::Constraint {
                kind: crate::storage::Constraint::Check,
                ..
            }
        ));
        let e = sqlx::query("INSERT INTO projects (name) VALUES ('   ')")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(matches!(
            StorageError::from(e),
            StorageError::Constraint {
                kind: crate::storage::Constraint::Check,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn foreign_keys_are_enforced() {
        let (_dir, db) = temp_db().await;
        let e = sqlx::query(
            "INSERT INTO sessions (project_id, account_id, session_number) VALUES (99, 99, 1)",
        )
        .execute(&db)
        .await
        .unwrap_err();
        assert!(matches!(
            StorageError::from(e),
            StorageError::Constraint {
                kind: crate::storage::Constraint::ForeignKey,
                ..
            }
        ));
    }
}
