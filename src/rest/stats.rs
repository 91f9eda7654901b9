//! `GET /api/stats`.

use super::{ok, ApiResult};
use crate::server::AppState;
use crate::storage;
use axum::extract::State;

pub async fn get(State(state): State<AppState>) -> ApiResult {
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(crate::error::AppError::from)?;
    ok(storage::stats::dashboard(&mut conn).await?)
}
