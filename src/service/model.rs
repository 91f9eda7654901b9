//! The model pass: its settings (the API key sealed before it is stored, never given
//! back), and the rewrite of an extractive briefing by the configured model, kept only when
//! it passes the domain's check. Nothing leaves the machine unless a model is configured;
//! a model that fails, times out or drops a fact never fails the request: the extractive
//! briefing is returned with the reason.

use crate::domain::handoff::rewrite::{self, Engine};
use crate::domain::handoff::Briefing;
use crate::domain::model::{KeyChange, ModelInput, ModelSettings};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::server::secret::{Sealer, MODEL_API_KEY};
use crate::storage::model::{SealedKey, StoredModel};
use crate::storage::{self, Db};
use std::time::Duration;

/// What the model pass needs from the server: the sealer of its API key, and the longest
/// it may wait for the model — under the request timeout, so that a slow model gives the
/// extractive briefing rather than a timed-out request.
#[derive(Debug, Clone)]
pub struct ModelPass {
    pub key: Sealer,
    pub time_limit: Duration,
}

impl ModelPass {
    /// For a server whose requests may take `request_timeout`.
    pub fn new(key: Sealer, request_timeout: Duration) -> Self {
        Self {
            key,
            time_limit: request_timeout
                .saturating_sub(Duration::from_secs(5))
                .max(Duration::from_secs(1)),
        }
    }

    /// Under a secret of this process only, limited by the model's own timeout alone.
    pub fn ephemeral() -> Self {
        Self {
            key: Sealer::ephemeral(MODEL_API_KEY),
            time_limit: Duration::from_secs(crate::domain::model::MAX_TIMEOUT_SECS as u64),
        }
    }
}

fn shown(m: StoredModel) -> ModelSettings {
    ModelSettings {
        base_url: m.base_url,
        model: m.model,
        timeout_secs: m.timeout_secs,
        has_key: m.api_key.is_some(),
    }
}

/// The configured endpoint (without its key), if any.
pub async fn settings(db: &Db) -> Result<Option<ModelSettings>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::model::get(&mut conn).await?.map(shown))
}

/// Validates and stores the endpoint; a bad field changes nothing.
pub async fn save(
    db: &Db,
    sealer: &Sealer,
    input: &ModelInput,
    now: Timestamp,
) -> Result<ModelSettings, AppError> {
    let valid = input.validate()?;
    let key = match &valid.key {
        KeyChange::Keep => SealedKey::Keep,
        KeyChange::Remove => SealedKey::Remove,
        KeyChange::Set(k) => SealedKey::Set(sealer.seal(k)),
    };
    let mut tx = storage::begin_write(db).await?;
    storage::model::save(
        &mut tx,
        &valid.base_url,
        &valid.model,
        valid.timeout_secs,
        &key,
        now,
    )
    .await?;
    let saved = storage::model::get(&mut tx)
        .await?
        .ok_or_else(|| storage::StorageError::Corrupt("the model settings just saved".into()))?;
    tx.commit().await?;
    tracing::info!(base_url = %saved.base_url, model = %saved.model, has_key = saved.api_key.is_some(), "model pass configured");
    Ok(shown(saved))
}

/// Forgets the endpoint: briefings stay extractive. Whether one was configured.
pub async fn remove(db: &Db) -> Result<bool, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let had = storage::model::delete(&mut tx).await?;
    tx.commit().await?;
    if had {
        tracing::info!("model pass removed: briefings are extractive");
    }
    Ok(had)
}

/// The briefing the model rewrote, if one is configured and its rewrite passes the check;
/// otherwise `b` itself, with the reason. Holds no database connection while the model
/// works.
pub async fn rewrite(db: &Db, pass: &ModelPass, b: Briefing) -> (Briefing, Engine) {
    let stored = match read(db).await {
        Ok(Some(m)) => m,
        Ok(None) => return (b, Engine::default()),
        Err(e) => {
            tracing::warn!(error = %e, "the model settings cannot be read");
            return (
                b,
                Engine::extractive(None, "the model settings could not be read"),
            );
        }
    };
    let model = stored.model.clone();
    let api_key = match stored.api_key.as_deref().map(|k| pass.key.open(k)) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(_)) => {
            tracing::warn!("the saved API key cannot be opened with this server's secret");
            return (
                b,
                Engine::extractive(
                    Some(model),
                    "the saved API key cannot be read (the server's secret changed): enter it \
                     again in the model settings",
                ),
            );
        }
    };
    let endpoint = crate::server::model::Endpoint {
        base_url: stored.base_url,
        model: stored.model,
        api_key,
        timeout: Duration::from_secs(stored.timeout_secs.clamp(1, 120) as u64).min(pass.time_limit),
    };
    let answer = crate::server::model::chat(endpoint, rewrite::messages(&b)).await;
    let outcome = answer
        .map_err(|e| e.to_string())
        .and_then(|text| rewrite::accept(&b, &text).map_err(|r| r.to_string()));
    match outcome {
        Ok(rewritten) => {
            tracing::info!(%model, chars = rewritten.stats.compressed_chars, "model pass: rewrite kept");
            (rewritten, Engine::model(model))
        }
        Err(reason) => {
            tracing::info!(%model, %reason, "model pass: extractive briefing returned");
            (b, Engine::extractive(Some(model), reason))
        }
    }
}

async fn read(db: &Db) -> Result<Option<StoredModel>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::model::get(&mut conn).await?)
}
