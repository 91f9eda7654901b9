//! `GET /api/stats`.

use super::{ok, ApiResult, Envelope};
use crate::server::AppState;
use crate::storage;
use axum::extract::State;

/// The dashboard's counts.
#[utoipa::path(get, path = "/api/stats", tag = "dashboard", responses((status = 200, body = Envelope<crate::domain::stats::DashboardStats>)))]
pub async fn get(State(state): State<AppState>) -> ApiResult {
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(crate::error::AppError::from)?;
    ok(storage::stats::dashboard(&mut conn).await?)
}
