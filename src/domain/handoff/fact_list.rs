//! The salient facts in a briefing: how much each matters, how it is written, whether it is in.

use super::scan::{self, FactInfo};
use super::text::cut;
use super::FactKind;
use std::collections::HashSet;

/// Trailing segments a path keeps in the facts list.
const PATH_SEGMENTS: usize = 2;

/// The word tokens of a text, to look identifiers up without scanning it again.
pub(super) fn tokens(text: &str) -> HashSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

pub(super) fn fact_in(markdown: &str, words: &HashSet<&str>, f: &FactInfo) -> bool {
    match f.kind {
        FactKind::Command | FactKind::Error => {
            let key = scan::truncate_chars(&f.text, 60);
            markdown.contains(key)
        }
        FactKind::Path => markdown.contains(display_fact(f).as_str()),
        FactKind::Identifier if !f.text.contains('.') => words.contains(f.text.as_str()),
        _ => markdown.contains(f.text.as_str()),
    }
}

/// A fact's share of its kind in the facts list: recent ones count double, frequent
/// ones a little more. Kinds are not weighed against each other: each kind as a whole
/// counts the same.
pub(super) fn list_weight(f: &FactInfo) -> f64 {
    let late = if f.last >= 0.8 { 2.0 } else { 1.0 };
    late * (1.0 + 0.5 * (f.count as f64).ln())
}

/// How much a fact matters: how often it occurs, whether it is recent, whether the user
/// named it, what kind it is.
pub(super) fn fact_weight(f: &FactInfo) -> f64 {
    let kind = match f.kind {
        FactKind::Error => 1.6,
        FactKind::Path => 1.4,
        FactKind::Command => 1.3,
        FactKind::Commit => 1.3,
        FactKind::Url => 1.0,
        FactKind::Version => 0.9,
        FactKind::Identifier => 1.0,
    };
    let late = if f.last >= 0.8 { 2.0 } else { 1.0 };
    let user = if f.by_user { 1.3 } else { 1.0 };
    kind * late * user * (1.0 + (f.count as f64).ln())
}

pub(super) fn fact_label(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Path => "Files",
        FactKind::Command => "Commands",
        FactKind::Url => "Links",
        FactKind::Identifier => "Identifiers",
        FactKind::Version => "Versions",
        FactKind::Commit => "Commits",
        FactKind::Error => "Errors",
    }
}

/// How a fact is written in the briefing: paths by their last three segments, long
/// commands cut.
pub(super) fn display_fact(f: &FactInfo) -> String {
    match f.kind {
        FactKind::Path => {
            let segs: Vec<&str> = f.text.split('/').filter(|s| !s.is_empty()).collect();
            if segs.len() > PATH_SEGMENTS {
                segs[segs.len() - PATH_SEGMENTS..].join("/")
            } else {
                f.text.clone()
            }
        }
        FactKind::Command => cut(&f.text, 80),
        FactKind::Error => cut(&f.text, 100),
        _ => f.text.clone(),
    }
}
