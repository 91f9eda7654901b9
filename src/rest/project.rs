//! `/api/projects`: list, create, get, change, delete, restore.

use super::{created, ok, ok_with, ApiError, ApiJson, ApiResult};
use crate::domain::project::{
    ProjectId, ProjectInput, ProjectPatchInput, ProjectQuery, ProjectQueryInput,
};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service;
use axum::extract::{Path, Query, State};
use serde_json::json;

fn project_id(raw: &str) -> Result<ProjectId, ApiError> {
    raw.parse::<ProjectId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))
}

/// `GET /api/projects?status=&sort=&page=`
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ProjectQueryInput>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(input) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let query = ProjectQuery::parse(&input).map_err(AppError::from)?;
    let page = service::project::list(&state.db, &query).await?;
    let pagination = json!({
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "total_pages": page.total_pages(),
    });
    ok_with(page.items, json!({ "pagination": pagination }))
}

/// `POST /api/projects` with `{"name": "…", "description": "…"}`
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult {
    let project = service::project::create(&state.db, &input, clock::now()).await?;
    created(project.id.0, project)
}

/// `GET /api/projects/{id}` (deleted projects too, with `deleted_at`)
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(service::project::get(&state.db, project_id(&id)?).await?)
}

/// `PATCH /api/projects/{id}` with any of `name`, `description`, `status`
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProjectPatchInput>,
) -> ApiResult {
    let id = project_id(&id)?;
    ok(service::project::update(&state.db, id, &input, clock::now()).await?)
}

/// `DELETE /api/projects/{id}`: soft delete
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(service::project::delete(&state.db, project_id(&id)?, clock::now()).await?)
}

/// `POST /api/projects/{id}/restore`
pub async fn restore(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(service::project::restore(&state.db, project_id(&id)?, clock::now()).await?)
}
