//! `/api/projects/{id}/files`: tracked files.

use super::{created, ok, ApiError, ApiJson, ApiResult, CreatedEnvelope, Deleted, Envelope};
use crate::domain::project::ProjectId;
use crate::domain::project_file::{ProjectFile, ProjectFileInput};
use crate::error::AppError;
use crate::server::AppState;
use crate::service::project_file as svc;
use axum::extract::{Path, State};

fn project_id(raw: &str) -> Result<ProjectId, ApiError> {
    raw.parse::<ProjectId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))
}

/// The files a project tracks.
#[utoipa::path(get, path = "/api/projects/{id}/files", tag = "projects", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Envelope<Vec<ProjectFile>>)))]
pub async fn list(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(svc::list(&state.db, project_id(&id)?).await?)
}

/// Tracks a file: `{"file_path", "file_type", "importance", "git_status", "notes"}`.
#[utoipa::path(post, path = "/api/projects/{id}/files", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = ProjectFileInput, responses((status = 201, body = CreatedEnvelope<ProjectFile>)))]
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProjectFileInput>,
) -> ApiResult {
    let id = project_id(&id)?;
    let file = svc::add(&state.db, id, &input).await?;
    created(file.id, file)
}

/// Stops tracking a file.
#[utoipa::path(delete, path = "/api/projects/{id}/files/{file}", tag = "projects", params(("id" = i64, Path, description = "project id"), ("file" = i64, Path, description = "file id")), responses((status = 200, body = Envelope<Deleted>)))]
pub async fn remove(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> ApiResult {
    let id = project_id(&id)?;
    let file = file
        .parse::<i64>()
        .map_err(|_| ApiError(AppError::bad_request(format!("{file:?} is not a file id"))))?;
    svc::remove(&state.db, id, file).await?;
    ok(Deleted { id: file })
}
