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

/// `POST /api/ai/handoff`: the spec client's "AI handoff", answered from the handoff
/// engine: the briefing as `master_prompt` and `compressed_context`, `next_steps` and
/// `troubleshooting_notes` from its sections, and `confidence` as the share of the log's
/// salient facts the briefing kept.
pub async fn ai_handoff(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    use crate::domain::handoff::{section_items, Section};
    let c = svc::compress(&state.db, &input).await?;
    let b = &c.briefing;
    let confidence = if b.facts_total == 0 {
        1.0
    } else {
        (b.facts_kept as f64 / b.facts_total as f64 * 100.0).round() / 100.0
    };
    let mut out = body(&c);
    out["data"] = json!({
        "master_prompt": b.markdown,
        "compressed_context": b.markdown,
        "next_steps": section_items(&b.markdown, Section::Next),
        "troubleshooting_notes": section_items(&b.markdown, Section::Blockers).join("\n"),
        "confidence": confidence,
        "engine": "extractive",
    });
    Ok(Json(out).into_response())
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
