//! Capture from another machine (`paas capture --server URL --token T`): which files the
//! server has read and how far, and a batch of what was parsed since.

use super::{ok, ApiJson, ApiResult, Envelope};
use crate::server::AppState;
use crate::service::capture::{self as svc, Batch, FileState, Report};
use axum::extract::State;

/// Every file read before, with its size, time and parser state.
#[utoipa::path(get, path = "/api/capture/files", tag = "capture", responses((status = 200, body = Envelope<Vec<FileState>>)))]
pub async fn files(State(state): State<AppState>) -> ApiResult {
    let known: Vec<FileState> = svc::known_files(&state.db)
        .await?
        .into_iter()
        .map(|(path, (size, mtime, state))| FileState {
            path,
            size,
            mtime,
            state,
            error: None,
        })
        .collect();
    ok(known)
}

/// Records one batch, as a local scan would (what it recorded).
#[utoipa::path(post, path = "/api/capture/batches", tag = "capture", request_body = Batch, responses((status = 200, body = Envelope<Report>)))]
pub async fn batch(State(state): State<AppState>, ApiJson(batch): ApiJson<Batch>) -> ApiResult {
    let batch = batch.checked()?;
    ok(svc::record(
        &state.db,
        &batch,
        &state.prices,
        crate::server::clock::now(),
    )
    .await?)
}
