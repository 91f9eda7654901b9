//! `/api/projects/{id}/files`: tracked files.

use super::{created, ok, ApiError, ApiJson, ApiResult};
use crate::domain::project::ProjectId;
use crate::domain::project_file::ProjectFileInput;
use crate::error::AppError;
use crate::server::AppState;
use crate::service::project_file as svc;
use axum::extract::{Path, State};

fn project_id(raw: &str) -> Result<ProjectId, ApiError> {
    raw.parse::<ProjectId>()
        .map_err(|e| ApiError(AppError::bad_request(e.message)))
}

/// `GET /api/projects/{id}/files`
pub async fn list(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(svc::list(&state.db, project_id(&id)?).await?)
}

/// `POST /api/projects/{id}/files` with `{"file_path", "file_type", "importance", "git_status", "notes"}`
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProjectFileInput>,
) -> ApiResult {
    let id = project_id(&id)?;
    let file = svc::add(&state.db, id, &input).await?;
    created(file.id, file)
}

/// `DELETE /api/projects/{id}/files/{file}`
pub async fn remove(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> ApiResult {
    let id = project_id(&id)?;
    let file = file
        .parse::<i64>()
        .map_err(|_| ApiError(AppError::bad_request(format!("{file:?} is not a file id"))))?;
    svc::remove(&state.db, id, file).await?;
    ok(serde_json::json!({ "id": file }))
}
