//! `GET/PUT/DELETE /api/settings/model`: the model pass's endpoint. The API key is
//! write-only: answers say whether one is saved, never what it is. Changing or removing
//! the endpoint needs the owner (the router's rule).

use super::{ok, ApiJson, ApiResult, Envelope};
use crate::domain::model::{ModelInput, ModelSettings};
use crate::server::AppState;
use axum::extract::State;
use serde::Serialize;

/// Whether a model rewrites briefings, and which.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelStatus {
    /// False: briefings are extractive and nothing leaves the machine.
    pub configured: bool,
    /// The endpoint (without its key), when one is configured.
    pub settings: Option<ModelSettings>,
}

impl ModelStatus {
    fn of(settings: Option<ModelSettings>) -> Self {
        Self {
            configured: settings.is_some(),
            settings,
        }
    }
}

/// The model pass's endpoint, if one is configured (never its API key).
#[utoipa::path(get, path = "/api/settings/model", tag = "handoff", responses((status = 200, body = Envelope<ModelStatus>)))]
pub async fn get(State(state): State<AppState>) -> ApiResult {
    ok(ModelStatus::of(
        crate::service::model::settings(&state.db).await?,
    ))
}

/// Sets the OpenAI-compatible endpoint whose model rewrites briefings (owner only). The
/// key is stored sealed; leave `api_key` out to keep the saved one, send `""` to remove it.
#[utoipa::path(put, path = "/api/settings/model", tag = "handoff", request_body = ModelInput, responses((status = 200, body = Envelope<ModelStatus>)))]
pub async fn save(State(state): State<AppState>, ApiJson(input): ApiJson<ModelInput>) -> ApiResult {
    let now = crate::server::clock::now();
    let saved = crate::service::model::save(&state.db, &state.model_pass.key, &input, now).await?;
    ok(ModelStatus::of(Some(saved)))
}

/// Forgets the endpoint and its key: briefings are extractive again (owner only).
#[utoipa::path(delete, path = "/api/settings/model", tag = "handoff", responses((status = 200, body = Envelope<ModelStatus>)))]
pub async fn remove(State(state): State<AppState>) -> ApiResult {
    crate::service::model::remove(&state.db).await?;
    ok(ModelStatus::of(None))
}
