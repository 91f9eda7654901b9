//! `POST /api/handoff/compress` and `POST /api/private/smart-compress`.

use super::{ApiJson, ApiResult};
use crate::server::AppState;
use crate::service::handoff::{self as svc, CompressRequest};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

fn body(c: &svc::Compressed) -> serde_json::Value {
    let b = &c.briefing;
    json!({
        "success": true,
        "briefing": b.markdown,
        "level": c.level,
        "budget_chars": b.budget,
        "stats": b.stats,
        "facts": { "total": b.facts_total, "kept": b.facts_kept },
        "dropped_facts": b.dropped,
    })
}

/// `POST /api/handoff/compress`: the spec's request (`project_id`, `context`, …) plus
/// optional `session_id`, `compress_level` and `budget_chars`.
pub async fn compress(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    let c = svc::compress(&state.db, &input).await?;
    Ok(Json(body(&c)).into_response())
}

/// `POST /api/private/smart-compress`: the same engine, answered with the spec's
/// `stats` (`original_lines`, `compressed_lines`, `compression_ratio`).
pub async fn smart_compress(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    let c = svc::compress(&state.db, &input).await?;
    Ok(Json(body(&c)).into_response())
}
