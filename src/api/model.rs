//! Server functions for the model pass's settings on `/admin` (owners only: `admin_*`).

use crate::domain::model::ModelSettings;
use crate::error::AppError;
use leptos::prelude::*;

/// The configured endpoint (never its key), if any.
#[server(prefix = "/rpc", endpoint = "admin_model_settings")]
pub async fn admin_model_settings() -> Result<Option<ModelSettings>, AppError> {
    let state = super::ssr::state()?;
    super::ssr::require(crate::domain::auth::Access::Admin)?;
    crate::service::model::settings(&state.db).await
}

/// Saves the endpoint. The key field is write-only: left empty it keeps the saved key;
/// `remove_key` removes it.
#[server(prefix = "/rpc", endpoint = "admin_save_model")]
pub async fn admin_save_model(
    base_url: String,
    model: String,
    timeout_secs: Option<String>,
    api_key: Option<String>,
    remove_key: Option<String>,
) -> Result<ModelSettings, AppError> {
    let state = super::ssr::state()?;
    super::ssr::require(crate::domain::auth::Access::Admin)?;
    let api_key = if remove_key.is_some_and(|r| matches!(r.as_str(), "true" | "on" | "1")) {
        Some(String::new())
    } else {
        api_key.filter(|k| !k.trim().is_empty())
    };
    let input = crate::domain::model::ModelInput {
        base_url,
        model,
        timeout_secs: super::form::opt_number(timeout_secs, "timeout_secs")?,
        api_key,
    };
    crate::service::model::save(
        &state.db,
        &state.model_pass.key,
        &input,
        crate::server::clock::now(),
    )
    .await
}

/// Forgets the endpoint: briefings are extractive again.
#[server(prefix = "/rpc", endpoint = "admin_remove_model")]
pub async fn admin_remove_model() -> Result<(), AppError> {
    let state = super::ssr::state()?;
    super::ssr::require(crate::domain::auth::Access::Admin)?;
    crate::service::model::remove(&state.db).await?;
    Ok(())
}
