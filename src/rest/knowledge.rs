//! `/api/knowledge`: the spec's list (`?category=`, plus `?q=` and `?tag=`), CRUD,
//! outcomes and suggestions.

use super::{body, created, ok, ApiJson, ApiResult, CreatedEnvelope, Deleted, Envelope};
use super::{ApiQuery, PathId};
use crate::domain::knowledge::EntryId;
use crate::domain::knowledge::{
    Entry, EntryInput, Hit, KnowledgeQuery, Outcome, OutcomeInput, MARK_END, MARK_START,
};
use crate::server::{clock, AppState};
use crate::service::knowledge as svc;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// `[` and `]` around matched text, for JSON readers.
fn brackets(marked: &str) -> String {
    marked.replace(MARK_START, "[").replace(MARK_END, "]")
}

/// The matched text of a search hit, `[` and `]` around each match.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Highlight {
    pub title: String,
    pub snippet: String,
}

/// An entry; found by a search, with how well it matched.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryHit {
    #[serde(flatten)]
    pub entry: Entry,
    /// Relevance weighted by how often the entry worked (with `q` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Text relevance, higher is better (with `q` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
}

impl EntryHit {
    fn of(h: &Hit, with_match: bool) -> Self {
        Self {
            entry: h.entry.clone(),
            score: with_match.then_some(h.score),
            relevance: with_match.then_some(h.relevance),
            highlight: with_match.then(|| Highlight {
                title: brackets(&h.title_marked),
                snippet: brackets(&h.snippet_marked),
            }),
        }
    }
}

/// Entries best first, and how many.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryList {
    pub success: bool,
    pub data: Vec<EntryHit>,
    pub count: usize,
}

/// An entry with its recorded outcomes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryWithOutcomes {
    pub success: bool,
    pub data: Entry,
    pub outcomes: Vec<Outcome>,
}

/// Search and filters of the knowledge list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to search for.
    #[serde(default)]
    q: Option<String>,
    /// One category (the spec's filter).
    #[serde(default)]
    category: Option<String>,
    /// One tag.
    #[serde(default)]
    tag: Option<String>,
    /// 1 to 200 (50 when left out).
    #[serde(default)]
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// Entries best first; with `q`, each carries `score`, `relevance` and `highlight`
/// (`[matched]` text).
#[utoipa::path(get, path = "/api/knowledge", tag = "knowledge", params(ListParams), responses((status = 200, body = EntryList)))]
pub async fn list(State(state): State<AppState>, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
    let limit = crate::domain::parse::within(p.limit.as_deref(), "limit", 1..=200, 50)? as usize;
    let with_match = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let query = KnowledgeQuery {
        q: p.q,
        category: p.category,
        tag: p.tag,
    };
    let hits = svc::search(&state.db, &query, limit).await?;
    body(EntryList {
        success: true,
        count: hits.len(),
        data: hits.iter().map(|h| EntryHit::of(h, with_match)).collect(),
    })
}

/// Adds an entry: `{"category", "title", "description", "tags", "source_session_id"}`.
#[utoipa::path(post, path = "/api/knowledge", tag = "knowledge", request_body = EntryInput, responses((status = 201, body = CreatedEnvelope<Entry>)))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult {
    let e = svc::create(&state.db, &input, clock::now()).await?;
    created(e.id, e)
}

/// One entry with its outcomes.
#[utoipa::path(get, path = "/api/knowledge/{id}", tag = "knowledge", params(("id" = i64, Path, description = "knowledge entry id")), responses((status = 200, body = EntryWithOutcomes)))]
pub async fn get(State(state): State<AppState>, PathId(id): PathId<EntryId>) -> ApiResult {
    let e = svc::get(&state.db, id.0).await?;
    let outcomes = svc::outcomes(&state.db, id.0).await?;
    body(EntryWithOutcomes {
        success: true,
        data: e,
        outcomes,
    })
}

/// Replaces an entry (PUT or PATCH, with the whole entry).
#[utoipa::path(put, path = "/api/knowledge/{id}", tag = "knowledge", params(("id" = i64, Path, description = "knowledge entry id")), request_body = EntryInput, responses((status = 200, body = Envelope<Entry>)))]
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<EntryId>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult {
    ok(svc::update(&state.db, id.0, &input, clock::now()).await?)
}

/// Deletes an entry and its outcomes.
#[utoipa::path(delete, path = "/api/knowledge/{id}", tag = "knowledge", params(("id" = i64, Path, description = "knowledge entry id")), responses((status = 200, body = Envelope<Deleted>)))]
pub async fn delete(State(state): State<AppState>, PathId(id): PathId<EntryId>) -> ApiResult {
    svc::delete(&state.db, id.0).await?;
    ok(Deleted { id: id.0 })
}

/// Records whether an entry worked: `{"worked": true, "session_id"?, "note"?}`.
#[utoipa::path(post, path = "/api/knowledge/{id}/outcomes", tag = "knowledge", params(("id" = i64, Path, description = "knowledge entry id")), request_body = OutcomeInput, responses((status = 200, body = Envelope<Entry>)))]
pub async fn outcome(
    State(state): State<AppState>,
    PathId(id): PathId<EntryId>,
    ApiJson(input): ApiJson<OutcomeInput>,
) -> ApiResult {
    ok(svc::record_outcome(&state.db, id.0, &input, clock::now()).await?)
}

/// The text to find entries for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// A session's text (its first 4,000 characters are used).
    #[serde(default)]
    text: Option<String>,
}

/// The three entries that best match a session's text.
#[utoipa::path(get, path = "/api/knowledge/suggest", tag = "knowledge", params(SuggestParams), responses((status = 200, body = Envelope<Vec<EntryHit>>)))]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SuggestParams>,
) -> ApiResult {
    let text: String = p.text.unwrap_or_default().chars().take(4_000).collect();
    let hits = svc::suggest(&state.db, &text, 3).await?;
    ok(hits
        .iter()
        .map(|h| EntryHit::of(h, true))
        .collect::<Vec<_>>())
}
