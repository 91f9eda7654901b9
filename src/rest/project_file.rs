//! `/api/projects/{id}/files`: tracked files.

use super::{created, ok, ApiJson, ApiResult, CreatedEnvelope, Deleted, Envelope};
use super::{PathId, PathIds};
use crate::domain::project::ProjectId;
use crate::domain::project_file::{ProjectFile, ProjectFileInput};
use crate::server::AppState;
use crate::service::project_file as svc;
use axum::extract::State;

/// The files a project tracks.
#[utoipa::path(get, path = "/api/projects/{id}/files", tag = "projects", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Envelope<Vec<ProjectFile>>)))]
pub async fn list(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    ok(svc::list(&state.db, id).await?)
}

/// Tracks a file: `{"file_path", "file_type", "importance", "git_status", "notes"}`.
#[utoipa::path(post, path = "/api/projects/{id}/files", tag = "projects", params(("id" = i64, Path, description = "project id")), request_body = ProjectFileInput, responses((status = 201, body = CreatedEnvelope<ProjectFile>)))]
pub async fn add(
    State(state): State<AppState>,
    PathId(id): PathId<ProjectId>,
    ApiJson(input): ApiJson<ProjectFileInput>,
) -> ApiResult {
    let file = svc::add(&state.db, id, &input).await?;
    created(file.id, file)
}

/// Stops tracking a file.
#[utoipa::path(delete, path = "/api/projects/{id}/files/{file}", tag = "projects", params(("id" = i64, Path, description = "project id"), ("file" = i64, Path, description = "file id")), responses((status = 200, body = Envelope<Deleted>)))]
pub async fn remove(
    State(state): State<AppState>,
    PathIds(id, file): PathIds<ProjectId>,
) -> ApiResult {
    svc::remove(&state.db, id, file).await?;
    ok(Deleted { id: file })
}
