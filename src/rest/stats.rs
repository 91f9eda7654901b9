//! `GET /api/stats`.

use super::{ok, ApiResult, Envelope};
use crate::server::AppState;
use axum::extract::State;

/// The dashboard's counts.
#[utoipa::path(get, path = "/api/stats", tag = "dashboard", responses((status = 200, body = Envelope<crate::domain::stats::DashboardStats>)))]
pub async fn get(State(state): State<AppState>) -> ApiResult {
    ok(crate::service::stats::dashboard(&state.db).await?)
}
