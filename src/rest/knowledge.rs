//! `/api/knowledge`: the spec's list (`?category=`, plus `?q=` and `?tag=`), CRUD,
//! outcomes and suggestions.

use super::{created, ok, ok_with, ApiError, ApiJson, ApiResult};
use crate::domain::knowledge::{
    EntryInput, Hit, KnowledgeQuery, OutcomeInput, MARK_END, MARK_START,
};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::knowledge as svc;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

fn entry_id(raw: &str) -> Result<i64, ApiError> {
    match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError(AppError::bad_request(format!(
            "{raw:?} is not a knowledge entry id"
        )))),
    }
}

/// `[` and `]` around matched text, for JSON readers.
fn brackets(marked: &str) -> String {
    marked.replace(MARK_START, "[").replace(MARK_END, "]")
}

fn hit_json(h: &Hit, with_match: bool) -> Value {
    let mut v = serde_json::to_value(&h.entry).unwrap_or(Value::Null);
    if with_match {
        v["score"] = json!(h.score);
        v["relevance"] = json!(h.relevance);
        v["highlight"] = json!({
            "title": brackets(&h.title_marked),
            "snippet": brackets(&h.snippet_marked),
        });
    }
    v
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// `GET /api/knowledge?category=&tag=&q=&limit=`: entries best first; with `q`, each
/// carries `score`, `relevance` and `highlight` (`[matched]` text).
pub async fn list(State(state): State<AppState>, Query(p): Query<ListParams>) -> ApiResult {
    let limit = match p.limit.as_deref().map(str::trim) {
        None | Some("") => 50,
        Some(l) => match l.parse::<usize>() {
            Ok(n @ 1..=200) => n,
            _ => {
                return Err(AppError::validation(
                    "limit",
                    format!("{l:?} is not between 1 and 200"),
                )
                .into())
            }
        },
    };
    let with_match = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let query = KnowledgeQuery {
        q: p.q,
        category: p.category,
        tag: p.tag,
    };
    let hits = svc::search(&state.db, &query, limit).await?;
    let data: Vec<Value> = hits.iter().map(|h| hit_json(h, with_match)).collect();
    ok_with(data, json!({ "count": hits.len() }))
}

/// `POST /api/knowledge` with `{"category", "title", "description", "tags", "source_session_id"}`
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult {
    let e = svc::create(&state.db, &input, clock::now()).await?;
    created(e.id, e)
}

/// `GET /api/knowledge/{id}` with its outcomes.
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = entry_id(&id)?;
    let e = svc::get(&state.db, id).await?;
    let outcomes = svc::outcomes(&state.db, id).await?;
    ok_with(e, json!({ "outcomes": outcomes }))
}

/// `PUT /api/knowledge/{id}` (or PATCH) with the whole entry.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult {
    ok(svc::update(&state.db, entry_id(&id)?, &input, clock::now()).await?)
}

/// `DELETE /api/knowledge/{id}`
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = entry_id(&id)?;
    svc::delete(&state.db, id).await?;
    ok(json!({ "id": id }))
}

/// `POST /api/knowledge/{id}/outcomes` with `{"worked": true, "session_id"?, "note"?}`
pub async fn outcome(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OutcomeInput>,
) -> ApiResult {
    ok(svc::record_outcome(&state.db, entry_id(&id)?, &input, clock::now()).await?)
}

#[derive(Debug, Deserialize)]
pub struct SuggestParams {
    #[serde(default)]
    text: Option<String>,
}

/// `GET /api/knowledge/suggest?text=…`: the entries that best match a session's text.
pub async fn suggest(State(state): State<AppState>, Query(p): Query<SuggestParams>) -> ApiResult {
    let text: String = p.text.unwrap_or_default().chars().take(4_000).collect();
    let hits = svc::suggest(&state.db, &text, 3).await?;
    ok(hits.iter().map(|h| hit_json(h, true)).collect::<Vec<_>>())
}
