//! Server function for the dashboard figures.

use crate::domain::stats::DashboardStats;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "get_stats")]
pub async fn get_stats() -> Result<DashboardStats, AppError> {
    let state = super::ssr::state()?;
    crate::service::stats::dashboard(&state.db).await
}
