//! The knowledge base: solutions, patterns and tips, ranked by how well they matched and
//! how often they worked when applied (spec: PRD 4.1.6, "8. knowledge_base TABLE").
//!
//! Pure parts: entry validation, outcome arithmetic, the ranking score, turning a user's
//! query into safe FTS5 expressions (any text is accepted; FTS syntax is never
//! interpreted), and splitting highlighted text into marked segments.

use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

id_type!(
    /// A knowledge entry's id.
    EntryId,
    "a knowledge entry"
);

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
pub const TAGS_MAX: usize = 20;
pub const TAG_MAX_CHARS: usize = 40;
pub const QUERY_MAX_CHARS: usize = 500;
pub const NOTE_MAX_CHARS: usize = 2_000;

/// Marks around matched text in highlighted fields (private-use characters, so they never
/// collide with content and never render as markup).
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// What kind of knowledge an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Pattern,
    ErrorSolution,
    Optimization,
    BestPractice,
    Tip,
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Self::ErrorSolution,
        Self::Pattern,
        Self::BestPractice,
        Self::Optimization,
        Self::Tip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pattern => "pattern",
            Self::ErrorSolution => "error_solution",
            Self::Optimization => "optimization",
            Self::BestPractice => "best_practice",
            Self::Tip => "tip",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pattern => "Pattern",
            Self::ErrorSolution => "Error solution",
            Self::Optimization => "Optimization",
            Self::BestPractice => "Best practice",
            Self::Tip => "Tip",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                FieldError::new(
                    "category",
                    format!(
                        "{s:?} is not one of pattern, error_solution, optimization, best_practice, tip"
                    ),
                )
            })
    }
}

/// A knowledge entry as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Entry {
    pub id: i64,
    pub category: Category,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Comma-separated, lower-case.
    pub tags: Option<String>,
    /// How often it was applied (outcomes recorded).
    pub usage_count: i64,
    /// How many of those applications worked.
    pub success_count: i64,
    /// `success_count / usage_count`; 1.0 before any outcome (the spec's default).
    pub success_rate: f64,
    pub source_session_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increments with every edit (not with outcomes).
    #[serde(default = "first_version")]
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

impl Entry {
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(self.tags.as_deref())
    }
}

fn split_tags(tags: Option<&str>) -> Vec<String> {
    tags.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Raw input to create or edit an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EntryInput {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Comma- or space-separated.
    #[serde(default)]
    pub tags: Option<String>,
    #[serde(default)]
    pub source_session_id: Option<i64>,
    /// In an edit: the version it was based on (stale → 409).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A valid entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub category: Category,
    pub title: String,
    pub description: String,
    pub tags: Option<String>,
    pub source_session_id: Option<i64>,
}

/// Tags: split on commas or whitespace, lower-cased, `#` dropped, repeated ones once.
pub fn parse_tags(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw
        .unwrap_or("")
        .split(|c: char| c == ',' || c.is_whitespace())
    {
        let t = t.trim().trim_start_matches('#').to_lowercase();
        if t.is_empty() || tags.contains(&t) {
            continue;
        }
        if t.chars().count() > TAG_MAX_CHARS {
            return Err(FieldError::new(
                "tags",
                format!("{t:?} is longer than {TAG_MAX_CHARS} characters"),
            ));
        }
        if t.chars().any(char::is_control) {
            return Err(FieldError::new(
                "tags",
                "tags cannot hold control characters",
            ));
        }
        tags.push(t);
    }
    if tags.len() > TAGS_MAX {
        return Err(FieldError::new(
            "tags",
            format!("{} tags; at most {TAGS_MAX}", tags.len()),
        ));
    }
    Ok((!tags.is_empty()).then(|| tags.join(",")))
}

impl NewEntry {
    pub fn parse(input: &EntryInput) -> Result<Self, FieldError> {
        let category = match input.category.as_deref().map(str::trim) {
            None | Some("") => return Err(FieldError::new("category", "required")),
            Some(c) => c.parse()?,
        };
        let title = crate::domain::text::required_name(
            input.title.as_deref().unwrap_or(""),
            "title",
            TITLE_MAX_CHARS,
        )?;
        let description = input.description.as_deref().unwrap_or("").trim().to_owned();
        if description.is_empty() {
            return Err(FieldError::new(
                "description",
                "required: what the solution is and when it applies",
            ));
        }
        if description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(FieldError::new(
                "description",
                format!("longer than {DESCRIPTION_MAX_CHARS} characters"),
            ));
        }
        if description.contains('\0') {
            return Err(FieldError::new("description", "contains a NUL character"));
        }
        let source_session_id = match input.source_session_id {
            Some(id) if id <= 0 => {
                return Err(FieldError::new(
                    "source_session_id",
                    format!("{id} is not a session id"),
                ))
            }
            other => other,
        };
        Ok(Self {
            category,
            title,
            description,
            tags: parse_tags(input.tags.as_deref())?,
            source_session_id,
        })
    }
}

/// An entry's counters after one more recorded application.
pub fn after_outcome(usage_count: i64, success_count: i64, worked: bool) -> (i64, i64, f64) {
    let usage = usage_count.saturating_add(1);
    let success = success_count.saturating_add(i64::from(worked)).min(usage);
    (usage, success, success_rate(usage, success))
}

/// Worked / applied; 1.0 (the spec's default) before any outcome.
pub fn success_rate(usage_count: i64, success_count: i64) -> f64 {
    if usage_count <= 0 {
        1.0
    } else {
        (success_count.clamp(0, usage_count) as f64) / (usage_count as f64)
    }
}

/// The rate ranking trusts: Laplace-smoothed, so one lucky application does not beat
/// nine of ten, and an untried entry sits in the middle (0.5).
pub fn trusted_rate(usage_count: i64, success_count: i64) -> f64 {
    let usage = usage_count.max(0) as f64;
    let success = success_count.clamp(0, usage_count.max(0)) as f64;
    (success + 1.0) / (usage + 2.0)
}

/// How well an entry answers a query: relevance (bm25, higher is better) weighted by
/// how often it worked. At equal relevance the higher success rate ranks first.
pub fn score(relevance: f64, usage_count: i64, success_count: i64) -> f64 {
    relevance * (0.5 + trusted_rate(usage_count, success_count))
}

/// A user's query as FTS5 expressions. Every word is a quoted string, so quotes, `*`,
/// `NEAR`, `AND`, parentheses and `-` are searched for, never interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// For the word index (stemmed): all words must appear.
    pub words: Option<String>,
    /// The same words, any of them (for suggestions and as a fallback).
    pub any_words: Option<String>,
    /// For the trigram index, when no whole word matches: the whole query as one
    /// substring (3+ characters).
    pub substring: Option<String>,
    /// Only letters and spaces. Anything else (digits, `_`, `.`, `/`, `:` …) looks like
    /// an identifier, a path or an error string: its last word may be a prefix.
    pub plain: bool,
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Words of a query: runs of letters, digits and underscores (the word index's tokens).
fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words too common to say anything about a problem (for suggestions from free text).
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from", "get",
    "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "make", "me", "my", "need",
    "not", "of", "on", "or", "our", "so", "that", "the", "their", "then", "there", "this", "to",
    "up", "use", "was", "we", "what", "when", "with", "work", "you",
];

impl SearchQuery {
    /// `None` when the query has nothing to search for.
    pub fn parse(q: &str) -> Result<Option<Self>, FieldError> {
        let q = q.trim();
        if q.chars().count() > QUERY_MAX_CHARS {
            return Err(FieldError::new(
                "q",
                format!("longer than {QUERY_MAX_CHARS} characters"),
            ));
        }
        let ws = words(q);
        let plain = q.chars().all(|c| c.is_alphabetic() || c.is_whitespace());
        // stemming matches other forms of a word; only the last part of an identifier or
        // error code is a prefix (`ERR_POOL` finds `ERR_POOL_EMPTY`): prefixes of common
        // words would merge the postings of every word they begin
        let words_expr = (!ws.is_empty()).then(|| {
            let last = ws.len() - 1;
            ws.iter()
                .enumerate()
                .map(|(i, w)| {
                    if !plain && i == last && w.chars().count() >= 4 {
                        format!("{}*", quoted(w))
                    } else {
                        quoted(w)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        });
        let any = (!ws.is_empty()).then(|| {
            ws.iter()
                .map(|w| quoted(w))
                .collect::<Vec<_>>()
                .join(" OR ")
        });
        let substring =
            (q.chars().count() >= 3 && !q.chars().all(char::is_whitespace)).then(|| quoted(q));
        if words_expr.is_none() && substring.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            words: words_expr,
            any_words: any,
            substring,
            plain,
        }))
    }

    /// A query for suggestions from free text (a session's objectives and blockers): its
    /// distinctive words, any of them; error-looking lines also as substrings.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut seen: Vec<String> = Vec::new();
        for w in words(text) {
            let useful = w.chars().count() >= 3
                && !STOPWORDS.contains(&w.as_str())
                && !w.chars().all(|c| c.is_ascii_digit());
            if useful && !seen.contains(&w) {
                seen.push(w);
            }
            if seen.len() == 24 {
                break;
            }
        }
        if seen.is_empty() {
            return None;
        }
        Some(Self {
            words: None,
            any_words: Some(
                seen.iter()
                    .map(|w| quoted(w))
                    .collect::<Vec<_>>()
                    .join(" OR "),
            ),
            substring: None,
            plain: true,
        })
    }
}

/// Highlighted text (matches between `MARK_START` and `MARK_END`) as segments:
/// `(text, matched)`. Unbalanced marks are tolerated.
pub fn segments(highlighted: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut inside = false;
    for c in highlighted.chars() {
        match c {
            MARK_START | MARK_END => {
                if !current.is_empty() {
                    out.push((std::mem::take(&mut current), inside));
                }
                inside = c == MARK_START;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push((current, inside));
    }
    // adjacent segments of the same kind read as one
    let mut merged: Vec<(String, bool)> = Vec::with_capacity(out.len());
    for (t, m) in out {
        match merged.last_mut() {
            Some((last, lm)) if *lm == m => last.push_str(&t),
            _ => merged.push((t, m)),
        }
    }
    merged
}

/// An entry found by a search, with its highlighted title and a snippet of the
/// description around the matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Hit {
    #[serde(flatten)]
    pub entry: Entry,
    /// Relevance (bm25, higher is better) before weighting by success.
    pub relevance: f64,
    pub score: f64,
    /// Title with `MARK_START`/`MARK_END` around matches.
    pub title_marked: String,
    /// Part of the description around the matches, marked the same way.
    pub snippet_marked: String,
}

/// Sorts hits best first: score, then more uses, then newer.
pub fn rank(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.entry.usage_count.cmp(&a.entry.usage_count))
            .then(b.entry.id.cmp(&a.entry.id))
    });
}

/// Filters and query of the knowledge page and `GET /api/knowledge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KnowledgeQuery {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
}

/// Parsed filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub category: Option<Category>,
    pub tag: Option<String>,
}

impl KnowledgeQuery {
    pub fn filters(&self) -> Result<Filters, FieldError> {
        let category = match self.category.as_deref().map(str::trim) {
            None | Some("") | Some("all") => None,
            Some(c) => Some(c.parse()?),
        };
        let tag = parse_tags(self.tag.as_deref())?;
        if tag.as_deref().is_some_and(|t| t.contains(',')) {
            return Err(FieldError::new("tag", "one tag at a time"));
        }
        Ok(Filters { category, tag })
    }
}

#[cfg(test)]
mod tests;

/// One recorded application of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Outcome {
    pub id: i64,
    pub entry_id: i64,
    pub session_id: Option<i64>,
    pub worked: bool,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// Raw input to record an outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutcomeInput {
    /// `true`: applied and it worked; `false`: applied and it did not.
    #[serde(default)]
    pub worked: Option<bool>,
    #[serde(default)]
    pub session_id: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

impl OutcomeInput {
    pub fn parse(&self) -> Result<(bool, Option<i64>, Option<String>), FieldError> {
        let worked = self.worked.ok_or_else(|| {
            FieldError::new("worked", "required: true if it worked, false if not")
        })?;
        if let Some(id) = self.session_id.filter(|id| *id <= 0) {
            return Err(FieldError::new(
                "session_id",
                format!("{id} is not a session id"),
            ));
        }
        let note = crate::domain::text::optional(self.note.as_deref(), "note", NOTE_MAX_CHARS)?;
        Ok((worked, self.session_id, note))
    }
}
