//! SQL for the knowledge base: entries, outcomes, and the two full-text indexes (words
//! with stemming, trigrams) that triggers keep in sync.

use crate::domain::knowledge::{Category, Entry, Filters, NewEntry, Outcome};
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const COLUMNS: &str = "k.id, k.category, k.title, k.description, k.tags, k.usage_count, \
                       k.success_count, k.success_rate, k.source_session_id, k.created_at, k.updated_at, \
                       k.version";

/// Weights of the indexed columns for bm25: title, tags, description.
const WEIGHTS: &str = "10.0, 5.0, 1.0";

/// Which full-text index a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Words, stemmed (porter): prose.
    Words,
    /// Trigrams: substrings of identifiers, paths and error messages.
    Trigrams,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Self::Words => "knowledge_fts",
            Self::Trigrams => "knowledge_tri",
        }
    }
}

fn push_filters<'a>(qb: &mut QueryBuilder<'a, Sqlite>, f: &'a Filters) {
    if let Some(c) = f.category {
        // `+` keeps the category index out: walking the ranked (or FTS) order and
        // skipping other categories stops after a few rows; the category index would read
        // and sort a fifth of the table
        qb.push(" AND +k.category = ").push_bind(c);
    }
    if let Some(t) = &f.tag {
        qb.push(" AND instr(',' || coalesce(k.tags, '') || ',', ',' || ")
            .push_bind(t.as_str())
            .push(" || ',') > 0");
    }
}

#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewEntry,
    now: Timestamp,
) -> Result<Entry, StorageError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO knowledge_base (category, title, description, tags, source_session_id, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.category)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.tags)
    .bind(new.source_session_id)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    get(conn, id).await
}

pub async fn get(conn: &mut SqliteConnection, id: i64) -> Result<Entry, StorageError> {
    sqlx::query_as::<_, Entry>(&format!(
        "SELECT {COLUMNS} FROM knowledge_base k WHERE k.id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StorageError::not_found("knowledge entry", id))
}

pub async fn update(
    conn: &mut SqliteConnection,
    id: i64,
    new: &NewEntry,
    now: Timestamp,
) -> Result<Entry, StorageError> {
    let done = sqlx::query(
        "UPDATE knowledge_base SET category = ?, title = ?, description = ?, tags = ?, \
         source_session_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
    )
    .bind(new.category)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.tags)
    .bind(new.source_session_id)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("knowledge entry", id));
    }
    get(conn, id).await
}

pub async fn delete(conn: &mut SqliteConnection, id: i64) -> Result<(), StorageError> {
    let done = sqlx::query("DELETE FROM knowledge_base WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("knowledge entry", id));
    }
    Ok(())
}

/// Entries without a query: the most applied first, then the most successful.
pub async fn list(
    conn: &mut SqliteConnection,
    f: &Filters,
    limit: i64,
) -> Result<Vec<Entry>, StorageError> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {COLUMNS} FROM knowledge_base k WHERE 1 = 1"
    ));
    push_filters(&mut qb, f);
    qb.push(
        " ORDER BY k.usage_count DESC, k.success_rate DESC, k.updated_at DESC, k.id DESC LIMIT ",
    )
    .push_bind(limit);
    Ok(qb.build_query_as::<Entry>().fetch_all(conn).await?)
}

/// A candidate from one index: its id, relevance (higher is better) and the counters the
/// ranking weighs.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub relevance: f64,
    pub usage_count: i64,
    pub success_count: i64,
}

/// The best `limit` candidates of an FTS5 expression in one index, by bm25 (title weighs
/// most, then tags, then the description). Cheap: no text is read or marked.
pub async fn candidates(
    conn: &mut SqliteConnection,
    index: Index,
    expr: &str,
    f: &Filters,
    limit: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let t = index.table();
    let filtered = f.category.is_some() || f.tag.is_some();
    let mut qb = if filtered {
        QueryBuilder::<Sqlite>::new(format!(
            "SELECT k.id, -bm25({t}, {WEIGHTS}) AS relevance, k.usage_count, k.success_count \
             FROM {t} JOIN knowledge_base k ON k.id = {t}.rowid WHERE {t} MATCH "
        ))
    } else {
        // rank inside the index alone, then read the counters of the best few
        QueryBuilder::<Sqlite>::new(format!(
            "SELECT c.id, c.relevance, k.usage_count, k.success_count FROM (\
             SELECT rowid AS id, -bm25({t}, {WEIGHTS}) AS relevance FROM {t} WHERE {t} MATCH "
        ))
    };
    qb.push_bind(expr);
    if filtered {
        push_filters(&mut qb, f);
        qb.push(format!(" ORDER BY bm25({t}, {WEIGHTS}) LIMIT "))
            .push_bind(limit);
    } else {
        qb.push(format!(" ORDER BY bm25({t}, {WEIGHTS}) LIMIT "))
            .push_bind(limit)
            .push(") c JOIN knowledge_base k ON k.id = c.id");
    }
    qb.build_query_as::<Candidate>().fetch_all(conn).await
}

/// An entry with its title and a description snippet marked where `expr` matched.
#[derive(Debug, sqlx::FromRow)]
pub struct Marked {
    #[sqlx(flatten)]
    pub entry: Entry,
    pub title_marked: String,
    pub snippet_marked: String,
}

/// The entries `ids` (which matched `expr` in `index`), marked.
pub async fn marked(
    conn: &mut SqliteConnection,
    index: Index,
    expr: &str,
    ids: &[i64],
) -> Result<Vec<Marked>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let t = index.table();
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {COLUMNS}, highlight({t}, 0, char(57344), char(57345)) AS title_marked, \
         snippet({t}, 2, char(57344), char(57345), '…', 24) AS snippet_marked \
         FROM {t} JOIN knowledge_base k ON k.id = {t}.rowid WHERE {t} MATCH "
    ));
    qb.push_bind(expr);
    qb.push(format!(" AND {t}.rowid IN ("));
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    qb.build_query_as::<Marked>().fetch_all(conn).await
}

/// Stores new counters and the outcome row (inside the caller's transaction).
#[allow(clippy::too_many_arguments)]
pub async fn record_outcome(
    conn: &mut SqliteConnection,
    id: i64,
    counters: (i64, i64, f64),
    worked: bool,
    session_id: Option<i64>,
    note: Option<&str>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let (usage, success, rate) = counters;
    sqlx::query(
        "UPDATE knowledge_base SET usage_count = ?, success_count = ?, success_rate = ? WHERE id = ?",
    )
    .bind(usage)
    .bind(success)
    .bind(rate)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO knowledge_outcomes (entry_id, session_id, worked, note, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(session_id)
    .bind(worked)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn outcomes(
    conn: &mut SqliteConnection,
    id: i64,
    limit: i64,
) -> Result<Vec<Outcome>, StorageError> {
    Ok(sqlx::query_as::<_, Outcome>(
        "SELECT id, entry_id, session_id, worked, note, created_at FROM knowledge_outcomes \
         WHERE entry_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Every tag in use with how many entries carry it, most used first.
pub async fn tags(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>, StorageError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM knowledge_base WHERE tags IS NOT NULL AND tags <> ''")
            .fetch_all(conn)
            .await?;
    let mut counts: std::collections::HashMap<String, i64> = Default::default();
    for row in rows {
        for t in row.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            *counts.entry(t.to_owned()).or_default() += 1;
        }
    }
    let mut out: Vec<(String, i64)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// How many entries each category holds.
pub async fn category_counts(
    conn: &mut SqliteConnection,
) -> Result<Vec<(Category, i64)>, StorageError> {
    Ok(
        sqlx::query_as("SELECT category, COUNT(*) FROM knowledge_base GROUP BY category")
            .fetch_all(conn)
            .await?,
    )
}
