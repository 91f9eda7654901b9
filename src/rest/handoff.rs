//! `POST /api/handoff/compress` and `POST /api/private/smart-compress`.

use super::{body, ApiJson, ApiResult};
use crate::domain::handoff::{DroppedFact, Engine, Level, Stats};
use crate::server::AppState;
use crate::service::handoff::{self as svc, CompressRequest};
use axum::extract::State;
use serde::Serialize;

/// How many salient facts the log has and how many the briefing kept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FactCount {
    pub total: usize,
    pub kept: usize,
}

/// A handoff briefing with its budget, stats and the facts that did not fit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompressedBody {
    pub success: bool,
    /// The briefing, in Markdown.
    pub briefing: String,
    pub level: Level,
    pub budget_chars: usize,
    pub stats: Stats,
    pub facts: FactCount,
    /// Salient facts that did not fit, most important first.
    pub dropped_facts: Vec<DroppedFact>,
    /// Which engine wrote the briefing: `extractive` (with the reason when a model is
    /// configured but its rewrite was not kept) or `model`.
    pub engine: Engine,
}

impl CompressedBody {
    fn of(c: svc::Compressed) -> Self {
        let b = c.briefing;
        Self {
            success: true,
            briefing: b.markdown,
            level: c.level,
            budget_chars: b.budget,
            stats: b.stats,
            facts: FactCount {
                total: b.facts_total,
                kept: b.facts_kept,
            },
            dropped_facts: b.dropped,
            engine: c.engine,
        }
    }
}

/// The spec client's "AI handoff".
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AiHandoff {
    pub master_prompt: String,
    pub compressed_context: String,
    /// The briefing's next steps.
    pub next_steps: Vec<String>,
    /// The briefing's open problems, one a line.
    pub troubleshooting_notes: String,
    /// The share of the log's salient facts the briefing kept (0 to 1).
    pub confidence: f64,
    /// Which engine wrote it: `extractive` or `model`.
    pub engine: String,
}

/// A briefing answered in the spec client's shape as `data`, beside ours.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AiHandoffBody {
    #[serde(flatten)]
    pub compressed: CompressedBody,
    pub data: AiHandoff,
}

/// `POST /api/handoff/compress`: the spec's request (`project_id`, `context`, …) plus
/// optional `session_id`, `compress_level` and `budget_chars`.
#[utoipa::path(post, path = "/api/handoff/compress", tag = "handoff", request_body = CompressRequest, responses((status = 200, body = CompressedBody)))]
pub async fn compress(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    body(CompressedBody::of(
        svc::compress(&state.db, &state.model_pass, &input).await?,
    ))
}

/// `POST /api/ai/handoff`: the spec client's "AI handoff", answered from the handoff
/// engine: the briefing as `master_prompt` and `compressed_context`, `next_steps` and
/// `troubleshooting_notes` from its sections, and `confidence` as the share of the log's
/// salient facts the briefing kept.
#[utoipa::path(post, path = "/api/ai/handoff", tag = "handoff", request_body = CompressRequest, responses((status = 200, body = AiHandoffBody)))]
pub async fn ai_handoff(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    use crate::domain::handoff::{section_items, Section};
    let c = svc::compress(&state.db, &state.model_pass, &input).await?;
    let b = &c.briefing;
    let confidence = if b.facts_total == 0 {
        1.0
    } else {
        (b.facts_kept as f64 / b.facts_total as f64 * 100.0).round() / 100.0
    };
    let data = AiHandoff {
        master_prompt: b.markdown.clone(),
        compressed_context: b.markdown.clone(),
        next_steps: section_items(&b.markdown, Section::Next),
        troubleshooting_notes: section_items(&b.markdown, Section::Blockers).join("\n"),
        confidence,
        engine: c.engine.as_str().into(),
    };
    body(AiHandoffBody {
        compressed: CompressedBody::of(c),
        data,
    })
}

/// `POST /api/private/smart-compress`: the same engine, answered with the spec's
/// `stats` (`original_lines`, `compressed_lines`, `compression_ratio`).
#[utoipa::path(post, path = "/api/private/smart-compress", tag = "handoff", request_body = CompressRequest, responses((status = 200, body = CompressedBody)))]
pub async fn smart_compress(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CompressRequest>,
) -> ApiResult {
    body(CompressedBody::of(
        svc::compress(&state.db, &state.model_pass, &input).await?,
    ))
}
