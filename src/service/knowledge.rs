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
        match storage::session::get(conn, crate::domain::session::SessionId(id)).await {
            Ok(_) => {}
            Err(crate::storage::StorageError::NotFound { .. }) => {
                return Err(AppError::validation(
                    field,
                    format!("there is no session {id}"),
                ))
            }
            Err(e) => return Err(e.into()),
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
    Ok(store::get(&mut conn, id).await?)
}

pub async fn update(
    db: &Db,
    id: i64,
    input: &EntryInput,
    now: Timestamp,
) -> Result<Entry, AppError> {
    let new = NewEntry::parse(input)?;
    let mut tx = storage::begin_write(db).await?;
    let current = store::get(&mut tx, id).await?;
    AppError::ensure_version("knowledge entry", current.version, input.version)?;
    check_session(&mut tx, new.source_session_id, "source_session_id").await?;
    let entry = store::update(&mut tx, id, &new, now).await?;
    tx.commit().await?;
    Ok(entry)
}

pub async fn delete(db: &Db, id: i64) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    store::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
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
    Ok(store::outcomes(&mut conn, id, 50).await?)
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

/// One query's expressions, as run against each index.
struct Exprs<'a> {
    words: Option<&'a str>,
    trigrams: Option<&'a str>,
}

/// Ranks the candidates of both indexes (word relevance plus half the trigram relevance,
/// weighted by success), then reads and marks only the `limit` best.
async fn ranked(
    conn: &mut sqlx::SqliteConnection,
    exprs: Exprs<'_>,
    filters: &Filters,
    limit: usize,
) -> Result<Vec<Hit>, sqlx::Error> {
    use store::Index;
    let mut by_id: HashMap<i64, (f64, i64, i64, bool)> = HashMap::new();
    if let Some(expr) = exprs.words {
        for c in store::candidates(conn, Index::Words, expr, filters, CANDIDATES).await? {
            by_id.insert(c.id, (c.relevance, c.usage_count, c.success_count, true));
        }
    }
    if let Some(expr) = exprs.trigrams {
        for c in store::candidates(conn, Index::Trigrams, expr, filters, CANDIDATES).await? {
            let extra = c.relevance * TRIGRAM_WEIGHT;
            by_id.entry(c.id).and_modify(|v| v.0 += extra).or_insert((
                extra,
                c.usage_count,
                c.success_count,
                false,
            ));
        }
    }
    let mut order: Vec<(i64, f64, f64, bool)> = by_id
        .into_iter()
        .map(|(id, (rel, usage, success, in_words))| {
            (id, rel, knowledge::score(rel, usage, success), in_words)
        })
        .collect();
    order.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.0.cmp(&a.0)));
    order.truncate(limit);

    // read and mark the winners, each in the index it matched by words if it did
    let word_ids: Vec<i64> = order.iter().filter(|o| o.3).map(|o| o.0).collect();
    let tri_ids: Vec<i64> = order.iter().filter(|o| !o.3).map(|o| o.0).collect();
    let mut marked: HashMap<i64, store::Marked> = HashMap::new();
    if let Some(expr) = exprs.words {
        for m in store::marked(conn, Index::Words, expr, &word_ids).await? {
            marked.insert(m.entry.id, m);
        }
    }
    if let Some(expr) = exprs.trigrams {
        for m in store::marked(conn, Index::Trigrams, expr, &tri_ids).await? {
            marked.insert(m.entry.id, m);
        }
    }
    let mut hits: Vec<Hit> = order
        .into_iter()
        .filter_map(|(id, relevance, score, _)| {
            marked.remove(&id).map(|m| Hit {
                relevance,
                score,
                title_marked: m.title_marked,
                snippet_marked: m.snippet_marked,
                entry: m.entry,
            })
        })
        .collect();
    knowledge::rank(&mut hits);
    Ok(hits)
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
    // words first (stemmed; an identifier's last part may be a prefix); substrings of
    // identifiers, paths and error strings when no whole word matches
    let exprs = Exprs {
        words: parsed.words.as_deref(),
        trigrams: None,
    };
    let mut hits = ranked(&mut conn, exprs, &filters, limit)
        .await
        .map_err(|e| searched(e, q))?;
    if hits.is_empty() && parsed.substring.is_some() {
        let exprs = Exprs {
            words: None,
            trigrams: parsed.substring.as_deref(),
        };
        hits = ranked(&mut conn, exprs, &filters, limit)
            .await
            .map_err(|e| searched(e, q))?;
    }
    if hits.is_empty() && parsed.words.is_some() {
        // no entry has every word: any of them
        let exprs = Exprs {
            words: parsed.any_words.as_deref(),
            trigrams: None,
        };
        return ranked(&mut conn, exprs, &filters, limit)
            .await
            .map_err(|e| searched(e, q));
    }
    Ok(hits)
}

/// The entries that best match free text (a session's objectives and blockers).
pub async fn suggest(db: &Db, text: &str, limit: usize) -> Result<Vec<Hit>, AppError> {
    let Some(q) = SearchQuery::from_text(text) else {
        return Ok(Vec::new());
    };
    let mut conn = db.acquire().await?;
    let exprs = Exprs {
        words: q.any_words.as_deref(),
        trigrams: None,
    };
    let none = Filters {
        category: None,
        tag: None,
    };
    ranked(&mut conn, exprs, &none, limit)
        .await
        .map_err(|e| searched(e, "suggestion"))
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
