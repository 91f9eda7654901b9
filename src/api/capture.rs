//! Server functions of capture: what the AI tools' logs brought in, as it happens.

use crate::domain::capture::window::Live;
use crate::error::AppError;
use leptos::prelude::*;

/// Captured sessions of the last day and the windows of the accounts capture feeds.
#[server(prefix = "/rpc", endpoint = "live_usage")]
pub async fn live_usage() -> Result<Live, AppError> {
    let state = super::ssr::state()?;
    crate::service::capture::live(&state.db, crate::server::clock::now(), 8).await
}
