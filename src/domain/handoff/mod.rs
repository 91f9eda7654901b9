//! The handoff engine: turns a long AI-session log (plain text, markdown or an exported
//! conversation) plus what the project records about the session into a sectioned
//! markdown briefing that fits a character budget, and says which salient facts did not
//! fit. Pure and deterministic: the same input and budget give the same briefing.
//!
//! How it selects: the log is split into speaker turns and then units (sentences, list
//! items, commands, output lines). Each unit is scored for every section from cue words
//! and markers, the speaker (constraints are only the user's words), the heading it sits
//! under, its position (the end of a log holds the current state and the next step), how
//! many salient facts it carries, and how often it repeats (repetition is noise). Each
//! section gets a share of the budget, filled by score without near-duplicates; what is
//! left goes to the best remaining units, then to the most recent lines of the log.
//!
//! Where each step lives: `scan` reads the log into units and facts, `score` and `rank`
//! score the units for each section, `assemble` fills the budget into a `plan`, which
//! renders the markdown; `fact_list` weighs the salient facts, `record` holds the session
//! record, `text` cuts and compares text.

mod assemble;
mod cues;
mod fact_list;
mod plan;
mod rank;
mod record;
pub mod rewrite;
mod scan;
mod score;
mod text;

pub use record::{Facts, RepoState};
pub use rewrite::{Engine, EngineKind, KeptFact};
pub use scan::FactKind;
pub use text::cut;

use assemble::build_plan;
use fact_list::{fact_in, fact_weight, tokens};
use plan::{parse_own, plan_from_markdown, Plan};
use scan::{FactInfo, Scan};
use serde::{Deserialize, Serialize};
use text::chars;

/// The smallest budget a briefing can be asked for.
pub const MIN_BUDGET: usize = 200;
/// The largest budget (and the largest context the engine reads, in bytes, is
/// [`MAX_CONTEXT_BYTES`]).
pub const MAX_BUDGET: usize = 1_000_000;
pub const MAX_CONTEXT_BYTES: usize = 32 * 1024 * 1024;

/// The briefing's sections, in the order they are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Goal = 0,
    State,
    Done,
    InProgress,
    Blockers,
    Decisions,
    Files,
    Constraints,
    Next,
    /// What git says about the project's repository (branch, commits, changes).
    Repository,
    Tail,
    /// One line for the next assistant: what to read first, the next step.
    Continue,
}

impl Section {
    pub const COUNT: usize = 12;
    pub const ALL: [Section; Section::COUNT] = [
        Section::Goal,
        Section::State,
        Section::Done,
        Section::InProgress,
        Section::Blockers,
        Section::Decisions,
        Section::Files,
        Section::Constraints,
        Section::Next,
        Section::Repository,
        Section::Tail,
        Section::Continue,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Goal => "Goal",
            Section::State => "Current state",
            Section::Done => "Done",
            Section::InProgress => "In progress",
            Section::Blockers => "Blockers & errors",
            Section::Decisions => "Decisions",
            Section::Files => "Files & identifiers",
            Section::Constraints => "Constraints",
            Section::Next => "Next steps",
            Section::Repository => "Repository",
            Section::Tail => "Latest log lines",
            Section::Continue => "How to continue",
        }
    }

    fn from_title(t: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.title() == t)
    }

    /// Longest item a section takes, in characters.
    fn item_cap(self) -> usize {
        match self {
            Section::Goal | Section::State => 320,
            Section::Constraints => 240,
            Section::Continue => 260,
            _ => 200,
        }
    }
}

/// Compression level (spec): maps to a budget unless one is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    #[default]
    Medium,
    High,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    /// Budget in characters for a context of `chars` characters: low keeps about 10 %,
    /// medium 5 %, high 2 %, each within sensible bounds.
    pub fn budget(self, chars: usize) -> usize {
        let (frac, lo, hi) = match self {
            Level::Low => (0.10, 3000, 24_000),
            Level::Medium => (0.05, 2000, 12_000),
            Level::High => (0.02, 1500, 8000),
        };
        ((chars as f64 * frac) as usize).clamp(lo, hi)
    }
}

/// Sizes before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stats {
    pub original_chars: usize,
    pub original_lines: usize,
    pub compressed_chars: usize,
    pub compressed_lines: usize,
    /// Size reduction in percent (0–100, one decimal).
    pub compression_ratio: f64,
}

/// A salient fact of the log that is not in the briefing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DroppedFact {
    pub kind: FactKind,
    pub text: String,
    pub count: usize,
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Briefing {
    pub markdown: String,
    pub budget: usize,
    pub stats: Stats,
    /// Salient facts that did not fit, most important first.
    pub dropped: Vec<DroppedFact>,
    /// How many salient facts the log has, and how many the briefing kept.
    pub facts_total: usize,
    pub facts_kept: usize,
    /// The salient facts the briefing kept, most important first: what a rewrite by a
    /// model must keep too (`rewrite::accept`). Not serialized.
    #[serde(skip)]
    pub kept: Vec<KeptFact>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompressError {
    #[error("the context is empty")]
    Empty,
    #[error("the context is not text (it contains NUL bytes or control characters)")]
    Binary,
    #[error("the context is larger than {MAX_CONTEXT_BYTES} bytes")]
    TooLarge,
    #[error("the budget must be between {MIN_BUDGET} and {MAX_BUDGET} characters")]
    Budget,
}

impl CompressError {
    /// The request field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            CompressError::Budget => "budget_chars",
            _ => "context",
        }
    }
}

/// Rejects what is not a readable log.
pub fn check_context(context: &str) -> Result<(), CompressError> {
    if context.len() > MAX_CONTEXT_BYTES {
        return Err(CompressError::TooLarge);
    }
    if context.trim().is_empty() {
        return Err(CompressError::Empty);
    }
    let mut control = 0usize;
    let mut total = 0usize;
    for c in context.chars().take(100_000) {
        total += 1;
        if c == '\0' {
            return Err(CompressError::Binary);
        }
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || c == '\u{FFFD}' {
            control += 1;
        }
    }
    if control * 10 > total {
        return Err(CompressError::Binary);
    }
    Ok(())
}

/// The items of one section of a briefing's markdown (`- ` lines under `## title`), in
/// order; empty when the briefing has no such section.
pub fn section_items(markdown: &str, section: Section) -> Vec<String> {
    let heading = format!("## {}", section.title());
    markdown
        .lines()
        .skip_while(|l| l.trim_end() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

/// Compresses `context` into a briefing of at most `budget` characters.
pub fn compress(context: &str, facts: &Facts, budget: usize) -> Result<Briefing, CompressError> {
    if !(MIN_BUDGET..=MAX_BUDGET).contains(&budget) {
        return Err(CompressError::Budget);
    }
    if context.trim().is_empty() && facts.has_record() {
        return Ok(finish(
            context,
            &[],
            build_plan(&Scan::default(), facts, budget),
            budget,
        ));
    }
    check_context(context)?;
    if let Some((header, items)) = parse_own(context) {
        if chars(context) <= budget {
            return Ok(finish(
                context,
                &[],
                plan_from_markdown(header, items, budget, true),
                budget,
            ));
        }
        return Ok(finish(
            context,
            &[],
            plan_from_markdown(header, items, budget, false),
            budget,
        ));
    }
    let scanned = scan::scan(context);
    let plan = build_plan(&scanned, facts, budget);
    Ok(finish(context, &scanned.facts, plan, budget))
}

/// How much smaller a briefing of `compressed` characters is than its log of `original`,
/// in percent with one decimal (0 for an empty log, never below 0).
fn reduction(original: usize, compressed: usize) -> f64 {
    if original == 0 {
        return 0.0;
    }
    let r = 100.0 * (1.0 - compressed as f64 / original as f64);
    (r.max(0.0) * 10.0).round() / 10.0
}

fn finish(context: &str, facts: &[FactInfo], plan: Plan, budget: usize) -> Briefing {
    let mut markdown = plan.render();
    if chars(&markdown) > budget {
        // never over budget (a guard; selection already keeps within it)
        markdown = cut(&markdown, budget);
    }
    let original_chars = chars(context);
    let compressed_chars = chars(&markdown);
    let ratio = reduction(original_chars, compressed_chars);
    let mut ranked: Vec<&FactInfo> = facts.iter().collect();
    ranked.sort_by(|a, b| {
        fact_weight(b)
            .total_cmp(&fact_weight(a))
            .then_with(|| a.text.cmp(&b.text))
    });
    let words = tokens(&markdown);
    let mut dropped = Vec::new();
    let mut kept = 0;
    let mut kept_facts = Vec::new();
    for f in &ranked {
        if fact_in(&markdown, &words, f) {
            kept += 1;
            kept_facts.push(KeptFact((*f).clone()));
        } else {
            dropped.push(DroppedFact {
                kind: f.kind,
                text: f.text.clone(),
                count: f.count,
            });
        }
    }
    Briefing {
        stats: Stats {
            original_chars,
            original_lines: context.lines().count(),
            compressed_chars,
            compressed_lines: markdown.lines().count(),
            compression_ratio: ratio,
        },
        markdown,
        budget,
        dropped,
        facts_total: facts.len(),
        facts_kept: kept,
        kept: kept_facts,
    }
}

/// A stored conversation written as a markdown chat export the engine reads back
/// (`### User` / `### Assistant` headings).
pub fn transcript<'a>(turns: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (role, content) in turns {
        let who = match role {
            "user" => "User",
            "assistant" => "Assistant",
            _ => "System",
        };
        out.push_str("### ");
        out.push_str(who);
        out.push_str("\n\n");
        out.push_str(content.trim());
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests;
