//! Server functions for projects.

use crate::domain::project::{Page, Project, ProjectQuery};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    domain::project::{ProjectId, ProjectInput, ProjectPatchInput, ProjectQueryInput},
    server::clock,
    service,
};

/// A page of projects, the query that produced it, and the server's `now` (for "3 h ago").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectListing {
    pub page: Page<Project>,
    pub query: ProjectQuery,
    pub now: Timestamp,
}

/// One project and the server's `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub project: Project,
    pub now: Timestamp,
    /// Sessions in progress and the credits they have used so far (the project's own
    /// figures count finished sessions only).
    #[serde(default)]
    pub running: (i64, i64),
}

#[cfg(feature = "ssr")]
fn parse_id(raw: &str) -> Result<ProjectId, AppError> {
    super::form::target(raw, "id")
}

#[server(prefix = "/rpc", endpoint = "list_projects")]
pub async fn list_projects(
    status: Option<String>,
    sort: Option<String>,
    page: Option<String>,
) -> Result<ProjectListing, AppError> {
    let state = super::ssr::state()?;
    let query = ProjectQuery::parse(&ProjectQueryInput { status, sort, page })?;
    let page = service::project::list(&state.db, &query).await?;
    Ok(ProjectListing {
        page,
        query,
        now: clock::now(),
    })
}

#[server(prefix = "/rpc", endpoint = "get_project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    let state = super::ssr::state()?;
    let id = parse_id(&id)?;
    let project = service::project::get(&state.db, id).await?;
    let running = service::session::running_totals(&state.db, id).await?;
    Ok(ProjectView {
        project,
        now: clock::now(),
        running,
    })
}

#[server(prefix = "/rpc", endpoint = "create_project")]
pub async fn create_project(
    name: Option<String>,
    description: Option<String>,
) -> Result<Project, AppError> {
    let state = super::ssr::state()?;
    let input = ProjectInput { name, description };
    service::project::create(&state.db, &input, clock::now()).await
}

/// Edits name and description (both sent by the edit form).
#[server(prefix = "/rpc", endpoint = "update_project")]
pub async fn update_project(
    id: String,
    name: Option<String>,
    description: Option<String>,
    #[server(default)] version: Option<String>,
) -> Result<Project, AppError> {
    let state = super::ssr::state()?;
    let version = super::form::opt_number(version, "version")?;
    let input = ProjectPatchInput {
        name: Some(name.unwrap_or_default()),
        description: Some(description.unwrap_or_default()),
        status: None,
        version,
    };
    service::project::update(&state.db, parse_id(&id)?, &input, clock::now()).await
}

#[server(prefix = "/rpc", endpoint = "set_project_status")]
pub async fn set_project_status(id: String, status: Option<String>) -> Result<Project, AppError> {
    let state = super::ssr::state()?;
    let input = ProjectPatchInput {
        status: Some(status.unwrap_or_default()),
        ..Default::default()
    };
    service::project::update(&state.db, parse_id(&id)?, &input, clock::now()).await
}

#[server(prefix = "/rpc", endpoint = "delete_project")]
pub async fn delete_project(id: String) -> Result<Project, AppError> {
    let state = super::ssr::state()?;
    service::project::delete(&state.db, parse_id(&id)?, clock::now()).await
}

#[server(prefix = "/rpc", endpoint = "restore_project")]
pub async fn restore_project(id: String) -> Result<Project, AppError> {
    let state = super::ssr::state()?;
    service::project::restore(&state.db, parse_id(&id)?, clock::now()).await
}

#[server(prefix = "/rpc", endpoint = "list_files")]
pub async fn list_files(
    project_id: String,
) -> Result<Vec<crate::domain::project_file::ProjectFile>, AppError> {
    let state = super::ssr::state()?;
    crate::service::project_file::list(&state.db, parse_id(&project_id)?).await
}

#[server(prefix = "/rpc", endpoint = "add_file")]
pub async fn add_file(
    project_id: String,
    file_path: Option<String>,
    importance: Option<String>,
    git_status: Option<String>,
    notes: Option<String>,
) -> Result<crate::domain::project_file::ProjectFile, AppError> {
    let state = super::ssr::state()?;
    let input = crate::domain::project_file::ProjectFileInput {
        file_path,
        importance,
        git_status,
        notes,
        file_type: None,
    };
    crate::service::project_file::add(&state.db, parse_id(&project_id)?, &input).await
}

#[server(prefix = "/rpc", endpoint = "remove_file")]
pub async fn remove_file(project_id: String, file: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let file =
        crate::domain::parse::row_id(&file, "file", "a file").map_err(AppError::bad_parameter)?;
    crate::service::project_file::remove(&state.db, parse_id(&project_id)?, file).await
}
