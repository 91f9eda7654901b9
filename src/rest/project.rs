//! `/api/projects`: list, create, get, change, delete, restore.

use super::{created, ok, paged, ApiJson, ApiResult, CreatedEnvelope, Envelope, PageEnvelope};
use super::{ApiQuery, PathId};
use crate::domain::project::{
    Project, ProjectId, ProjectInput, ProjectPatchInput, ProjectQuery, ProjectQueryInput,
};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service;
use axum::extract::State;

/// Lists projects: filtered by status, sorted, 50 a page.
#[utoipa::path(get, path = "/api/projects", tag = "projects", params(ProjectQueryInput), responses((status = 200, body = PageEnvelope<Project>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(input): ApiQuery<ProjectQueryInput>,
) -> ApiResult {
    let query = ProjectQuery::parse(&input).map_err(AppError::from)?;
    paged(service::project::list(&state.db, &query).await?, |p| p)
}

/// Creates a project: `{"name": "…", "description": "…"}`.
#[utoipa::path(post, path = "/api/projects", tag = "projects", request_body = ProjectInput, responses((status = 201, body = CreatedEnvelope<Project>)))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult {
    let project = service::project::create(&state.db, &input, clock::now()).await?;
    created(project.id.0, project)
}

/// One project (deleted ones too, with `deleted_at`).
#[utoipa::path(get, path = "/api/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Envelope<Project>)))]
pub async fn get(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    ok(service::project::get(&state.db, id).await?)
}

/// Changes any of `name`, `description`, `status`.
#[utoipa::path(patch, path = "/api/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = ProjectPatchInput, responses((status = 200, body = Envelope<Project>)))]
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<ProjectId>,
    ApiJson(input): ApiJson<ProjectPatchInput>,
) -> ApiResult {
    ok(service::project::update(&state.db, id, &input, clock::now()).await?)
}

/// Deletes a project softly: it can be restored.
#[utoipa::path(delete, path = "/api/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Envelope<Project>)))]
pub async fn delete(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    ok(service::project::delete(&state.db, id, clock::now()).await?)
}

/// Restores a deleted project.
#[utoipa::path(post, path = "/api/projects/{id}/restore", tag = "projects", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Envelope<Project>)))]
pub async fn restore(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    ok(service::project::restore(&state.db, id, clock::now()).await?)
}
