//! Knowledge base operations: entries, outcomes, search ranked by relevance and success,
//! and suggestions from a session's text.

use crate::domain::knowledge::{
    self, Category, Entry, EntryInput, Filters, Hit, KnowledgeQuery, NewEntry, Outcome,
    OutcomeInput, SearchQuery,
};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::storage::{self, knowledge as store, Db};
use std::collections::HashMap;

/// How many matches each index contributes before ranking.
const CANDIDATES: i64 = 200;
/// Trigram relevance counts for less than word relevance (substrings are weaker evidence).
const TRIGRAM_WEIGHT: f64 = 0.5;

async fn check_session(
    conn: &mut sqlx::SqliteConnection,
    id: Option<i64>,
    field: &str,
) -> Result<(), AppError> {
    if let Some(id) = id {
        if !store::session_exists(conn, id).await? {
            return Err(AppError::validation(
                field,
                format!("there is no session {id}"),
            ));
        }
    }
    Ok(())
}

pub async fn create(db: &Db, input: &EntryInput, now: Timestamp) -> Result<Entry, AppError> {
    let new = NewEntry::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    check_session(&mut tx, new.source_session_id, "source_session_id").await?;
    let entry = store::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    Ok(entry)
}

pub async fn get(db: &Db, id: i64) -> Result<Entry, AppError> {
    let mut conn = db.acquire().await?;
    store::get(&mut conn, id).await
}

pub async fn update(
    db: &Db,
    id: i64,
    input: &EntryInput,
    now: Timestamp,
) -> Result<Entry, AppError> {
    let new = NewEntry::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    check_session(&mut tx, new.source_session_id, "source_session_id").await?;
    let entry = store::update(&mut tx, id, &new, now).await?;
    tx.commit().await?;
    Ok(entry)
}

pub async fn delete(db: &Db, id: i64) -> Result<(), AppError> {
    let mut conn = db.acquire().await?;
    store::delete(&mut conn, id).await
}

/// Records "applied — it worked / it didn't": counters and the outcome row together.
pub async fn record_outcome(
    db: &Db,
    id: i64,
    input: &OutcomeInput,
    now: Timestamp,
) -> Result<Entry, AppError> {
    let (worked, session, note) = input.parse()?;
    let mut tx = storage::begin_write(db).await?;
    let entry = store::get(&mut tx, id).await?;
    check_session(&mut tx, session, "session_id").await?;
    let counters = knowledge::after_outcome(entry.usage_count, entry.success_count, worked);
    store::record_outcome(&mut tx, id, counters, worked, session, note.as_deref(), now).await?;
    let entry = store::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(entry)
}

pub async fn outcomes(db: &Db, id: i64) -> Result<Vec<Outcome>, AppError> {
    let mut conn = db.acquire().await?;
    store::outcomes(&mut conn, id, 50).await
}

fn unmatched(entry: Entry) -> Hit {
    let snippet: String = entry.description.chars().take(240).collect();
    Hit {
        title_marked: entry.title.clone(),
        snippet_marked: snippet,
        relevance: 0.0,
        score: 0.0,
        entry,
    }
}

fn searched(e: sqlx::Error, q: &str) -> AppError {
    tracing::warn!(error = %e, query = q, "knowledge search failed");
    AppError::validation("q", format!("{q:?} could not be searched; try plain words"))
}

/// Merges the matches of both indexes into ranked hits.
fn merge(words: Vec<store::Match>, trigrams: Vec<store::Match>, limit: usize) -> Vec<Hit> {
    let mut by_id: HashMap<i64, Hit> = HashMap::new();
    for m in words {
        by_id.insert(
            m.entry.id,
            Hit {
                relevance: m.relevance,
                score: 0.0,
                title_marked: m.title_marked,
                snippet_marked: m.snippet_marked,
                entry: m.entry,
            },
        );
    }
    for m in trigrams {
        let extra = m.relevance * TRIGRAM_WEIGHT;
        by_id
            .entry(m.entry.id)
            .and_modify(|h| h.relevance += extra)
            .or_insert(Hit {
                relevance: extra,
                score: 0.0,
                title_marked: m.title_marked,
                snippet_marked: m.snippet_marked,
                entry: m.entry,
            });
    }
    let mut hits: Vec<Hit> = by_id
        .into_values()
        .map(|mut h| {
            h.score = knowledge::score(h.relevance, h.entry.usage_count, h.entry.success_count);
            h
        })
        .collect();
    knowledge::rank(&mut hits);
    hits.truncate(limit);
    hits
}

/// Entries matching the query and filters, best first; without a query, the most used.
pub async fn search(db: &Db, query: &KnowledgeQuery, limit: usize) -> Result<Vec<Hit>, AppError> {
    let filters = query.filters()?;
    let q = query.q.as_deref().unwrap_or("");
    let parsed = SearchQuery::parse(q)?;
    let mut conn = db.acquire().await?;
    let Some(parsed) = parsed else {
        let entries = store::list(&mut conn, &filters, limit as i64).await?;
        return Ok(entries.into_iter().map(unmatched).collect());
    };
    let words = match &parsed.words {
        Some(expr) => store::search(&mut conn, store::Index::Words, expr, &filters, CANDIDATES)
            .await
            .map_err(|e| searched(e, q))?,
        None => Vec::new(),
    };
    let trigrams = match &parsed.substring {
        Some(expr) => store::search(
            &mut conn,
            store::Index::Trigrams,
            expr,
            &filters,
            CANDIDATES,
        )
        .await
        .map_err(|e| searched(e, q))?,
        None => Vec::new(),
    };
    if words.is_empty() && trigrams.is_empty() {
        // no entry has every word: any of them
        if let Some(expr) = parsed
            .any_words
            .as_deref()
            .filter(|_| parsed.words.is_some())
        {
            let any = store::search(&mut conn, store::Index::Words, expr, &filters, CANDIDATES)
                .await
                .map_err(|e| searched(e, q))?;
            return Ok(merge(any, Vec::new(), limit));
        }
    }
    Ok(merge(words, trigrams, limit))
}

/// The entries that best match free text (a session's objectives and blockers).
pub async fn suggest(db: &Db, text: &str, limit: usize) -> Result<Vec<Hit>, AppError> {
    let Some(q) = SearchQuery::from_text(text) else {
        return Ok(Vec::new());
    };
    let Some(expr) = q.any_words else {
        return Ok(Vec::new());
    };
    let mut conn = db.acquire().await?;
    let found = store::search(
        &mut conn,
        store::Index::Words,
        &expr,
        &Filters {
            category: None,
            tag: None,
        },
        CANDIDATES,
    )
    .await
    .map_err(|e| searched(e, "suggestion"))?;
    Ok(merge(found, Vec::new(), limit))
}

/// Tags in use (most used first) and entries per category, for the filters.
pub async fn facets(db: &Db) -> Result<(Vec<(String, i64)>, Vec<(Category, i64)>), AppError> {
    let mut conn = db.acquire().await?;
    Ok((
        store::tags(&mut conn).await?,
        store::category_counts(&mut conn).await?,
    ))
}

#[cfg(test)]
mod tests;
