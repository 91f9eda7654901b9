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

mod scan;
mod score;

pub use scan::FactKind;
use scan::{FactInfo, Kind, Role, Scan, Unit};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_segmentation::UnicodeSegmentation;

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

/// What the project records about the session being handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Facts {
    pub project_name: Option<String>,
    pub session_number: Option<i64>,
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub notes: Option<String>,
    /// Paths of the project's critical files.
    #[serde(default)]
    pub critical_files: Vec<String>,
    /// What git says about the project's repository, when it has one.
    #[serde(default)]
    pub repository: Option<RepoState>,
}

/// A repository's state as the briefing shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RepoState {
    pub branch: Option<String>,
    /// The short hash of HEAD.
    pub head: Option<String>,
    /// Subjects of the last commits, newest first.
    pub commits: Vec<String>,
    /// Files changed and not committed (staged or not).
    pub changed: Vec<String>,
    pub untracked: Vec<String>,
}

impl RepoState {
    /// The compact items of the briefing's Repository part.
    pub fn items(&self) -> Vec<String> {
        fn list(files: &[String], max: usize) -> String {
            let mut s = files
                .iter()
                .take(max)
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if files.len() > max {
                s.push_str(&format!(" (+{} more)", files.len() - max));
            }
            s
        }
        let mut out = Vec::new();
        let mut head = String::new();
        if let Some(b) = &self.branch {
            head.push_str(&format!("Branch `{b}`"));
        }
        if let Some(h) = &self.head {
            head.push_str(&format!(
                "{}`{h}`",
                if head.is_empty() { "HEAD " } else { " at " }
            ));
        }
        if !head.is_empty() {
            out.push(head);
        }
        if !self.commits.is_empty() {
            out.push(format!(
                "Last commits: {}",
                self.commits
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · ")
            ));
        }
        if !self.changed.is_empty() {
            out.push(format!("Uncommitted: {}", list(&self.changed, 8)));
        }
        if !self.untracked.is_empty() {
            out.push(format!("Untracked: {}", list(&self.untracked, 5)));
        }
        out
    }
}

impl Facts {
    /// Whether the session record (or the repository) holds anything to brief from.
    pub fn has_record(&self) -> bool {
        self.objectives.is_some()
            || self.accomplishments.is_some()
            || self.blockers.is_some()
            || self.notes.is_some()
            || self
                .repository
                .as_ref()
                .is_some_and(|r| !r.items().is_empty())
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

fn chars(s: &str) -> usize {
    s.chars().count()
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

/// Cuts `s` to at most `max` characters on a grapheme boundary, preferring a word
/// boundary, and marks the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut n = 0;
    for g in s.graphemes(true) {
        let gc = chars(g);
        if n + gc > max - 1 {
            break;
        }
        out.push_str(g);
        n += gc;
    }
    // back off to a word boundary when one is near
    if let Some(i) = out.rfind(' ') {
        if chars(&out[i..]) < 24 && i > 0 {
            out.truncate(i);
        }
    }
    let trimmed = out.trim_end_matches([' ', ',', ';', ':', '-']).len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// The set of a text's words (longer than two characters, case folded), as sorted
/// hashes: enough to tell near-duplicates apart, without allocating the words.
#[derive(Debug, Clone, Default)]
struct WordSet(Vec<u64>);

impl WordSet {
    fn len(&self) -> usize {
        self.0.len()
    }

    /// How many words two sets share.
    fn common(&self, other: &WordSet) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < self.0.len() && j < other.0.len() {
            match self.0[i].cmp(&other.0[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

fn word_set(s: &str) -> WordSet {
    let mut out = Vec::new();
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        if w.len() <= 2 {
            continue;
        }
        // FNV-1a over the case-folded characters (bytes, for ASCII words)
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        if w.is_ascii() {
            for b in w.bytes() {
                h ^= u64::from(b.to_ascii_lowercase());
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        } else {
            for c in w.chars().flat_map(char::to_lowercase) {
                h ^= u64::from(c);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        out.push(h);
    }
    out.sort_unstable();
    out.dedup();
    WordSet(out)
}

fn similar(a: &WordSet, b: &WordSet) -> bool {
    if a.len() == 0 || b.len() == 0 {
        return false;
    }
    let small = a.len().min(b.len());
    a.common(b) * 10 >= small * 8
}

#[derive(Debug, Clone)]
struct Item {
    text: String,
    pos: f64,
    /// Pinned items come from the session record and always go first.
    pinned: bool,
}

#[derive(Default)]
struct Plan {
    sections: BTreeMap<Section, Vec<Item>>,
    header: String,
}

impl Plan {
    fn render(&self) -> String {
        let mut out = self.header.clone();
        for (s, items) in &self.sections {
            if items.is_empty() {
                continue;
            }
            out.push_str("\n## ");
            out.push_str(s.title());
            out.push('\n');
            let mut sorted: Vec<&Item> = items.iter().collect();
            if !matches!(s, Section::Files) {
                sorted.sort_by(|a, b| b.pinned.cmp(&a.pinned).then(a.pos.total_cmp(&b.pos)));
            }
            for it in sorted {
                out.push_str("- ");
                out.push_str(&it.text);
                out.push('\n');
            }
        }
        out
    }
}

/// Cost in characters of adding `text` as an item of a section that has `n` items.
fn item_cost(section: Section, n: usize, text: &str) -> usize {
    let head = if n == 0 {
        4 + chars(section.title()) // "\n## " + title + "\n" (the newline counted below)
            + 1
    } else {
        0
    };
    head + 2 + chars(text) + 1
}

fn header_for(facts: &Facts, title: Option<&str>) -> String {
    let mut h = String::from("# Handoff");
    if let Some(p) = facts
        .project_name
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        h.push_str(": ");
        h.push_str(&scan::clean_line(p));
        if let Some(n) = facts.session_number {
            h.push_str(&format!(" · after session {n}"));
        }
    } else if let Some(t) = title {
        h.push_str(": ");
        h.push_str(&cut(&scan::clean_line(t), 80));
    }
    h.push('\n');
    h
}

/// Splits recorded free text (objectives, notes…) into items.
fn record_items(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .lines()
        .map(scan::clean_line)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether `text` is a briefing this engine wrote: a `# Handoff` title and only our
/// section headings.
fn parse_own(text: &str) -> Option<(String, Vec<(Section, String)>)> {
    let mut lines = text.lines();
    let first = lines.next()?;
    if !first.starts_with("# Handoff") {
        return None;
    }
    let mut items = Vec::new();
    let mut section = None;
    for l in lines {
        if l.is_empty() {
            continue;
        }
        if let Some(t) = l.strip_prefix("## ") {
            section = Some(Section::from_title(t)?);
        } else if let Some(item) = l.strip_prefix("- ") {
            items.push((section?, item.to_owned()));
        } else {
            return None;
        }
    }
    Some((format!("{first}\n"), items))
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

/// Re-selects the items of one of our own briefings (it is already sectioned).
fn plan_from_markdown(
    header: String,
    items: Vec<(Section, String)>,
    budget: usize,
    all: bool,
) -> Plan {
    let n = items.len().max(1) as f64;
    let mut plan = Plan {
        header: cut(&header, budget / 4),
        ..Plan::default()
    };
    let mut used = chars(&plan.header);
    for (i, (s, text)) in items.into_iter().enumerate() {
        let list = plan.sections.entry(s).or_default();
        let cost = item_cost(s, list.len(), &text);
        if all || used + cost <= budget {
            used += cost;
            list.push(Item {
                text,
                pos: i as f64 / n,
                pinned: false,
            });
        }
    }
    plan
}

fn finish(context: &str, facts: &[FactInfo], plan: Plan, budget: usize) -> Briefing {
    let mut markdown = plan.render();
    if chars(&markdown) > budget {
        // never over budget (a guard; selection already keeps within it)
        markdown = cut(&markdown, budget);
    }
    let original_chars = chars(context);
    let compressed_chars = chars(&markdown);
    let ratio = if original_chars == 0 {
        0.0
    } else {
        let r = 100.0 * (1.0 - compressed_chars as f64 / original_chars as f64);
        (r.max(0.0) * 10.0).round() / 10.0
    };
    let mut ranked: Vec<&FactInfo> = facts.iter().collect();
    ranked.sort_by(|a, b| {
        fact_weight(b)
            .total_cmp(&fact_weight(a))
            .then_with(|| a.text.cmp(&b.text))
    });
    let words = tokens(&markdown);
    let mut dropped = Vec::new();
    let mut kept = 0;
    for f in &ranked {
        if fact_in(&markdown, &words, f) {
            kept += 1;
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
    }
}

/// The word tokens of a text, to look identifiers up without scanning it again.
fn tokens(text: &str) -> std::collections::HashSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

fn fact_in(markdown: &str, words: &std::collections::HashSet<&str>, f: &FactInfo) -> bool {
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
fn list_weight(f: &FactInfo) -> f64 {
    let late = if f.last >= 0.8 { 2.0 } else { 1.0 };
    late * (1.0 + 0.5 * (f.count as f64).ln())
}

/// How much a fact matters: how often it occurs, whether it is recent, whether the user
/// named it, what kind it is.
fn fact_weight(f: &FactInfo) -> f64 {
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

struct Builder<'a> {
    plan: Plan,
    budget: usize,
    used: usize,
    section_used: [usize; Section::COUNT],
    chosen_units: BTreeSet<usize>,
    chosen_sets: Vec<WordSet>,
    units: &'a [Unit],
    /// Every unit fits in half the budget: items are never cut.
    loose: bool,
}

impl Builder<'_> {
    fn len(&self, s: Section) -> usize {
        self.plan.sections.get(&s).map_or(0, Vec::len)
    }

    fn add(&mut self, s: Section, item: Item) {
        let cost = item_cost(s, self.len(s), &item.text);
        self.used += cost;
        self.section_used[s as usize] += cost;
        self.plan.sections.entry(s).or_default().push(item);
    }

    /// Adds up to `max_new` of the best remaining candidates of `s`, each at most `cap`
    /// characters, while the briefing stays within `global`. Returns how many were added.
    fn fill_units(
        &mut self,
        s: Section,
        global: usize,
        candidates: &[(usize, f64)],
        max_new: usize,
        cap: usize,
    ) -> usize {
        // when the whole log fits with room to spare, nothing is cut
        let cap = if self.loose {
            usize::MAX
        } else {
            s.item_cap().min(cap)
        };
        let mut added = 0;
        for &(ui, _) in candidates {
            if added >= max_new {
                break;
            }
            if self.chosen_units.contains(&ui) {
                continue;
            }
            let overhead = item_cost(s, self.len(s), "");
            let room = global.min(self.budget).saturating_sub(self.used);
            if room < overhead + 30 {
                break;
            }
            let u = &self.units[ui];
            let full = chars(&u.text).min(cap);
            let allowed = cap.min(room - overhead);
            // a unit cut to a stub says little: leave it for a smaller one (but the
            // goal is cut rather than skipped)
            if allowed < full && allowed * 10 < full * 7 && (self.len(s) > 0 || s != Section::Goal)
            {
                continue;
            }
            let text = cut(&u.text, allowed);
            let set = word_set(&text);
            if self.chosen_sets.iter().any(|c| similar(c, &set)) {
                continue;
            }
            self.chosen_units.insert(ui);
            self.chosen_sets.push(set);
            self.add(
                s,
                Item {
                    text,
                    pos: u.pos,
                    pinned: false,
                },
            );
            added += 1;
        }
        added
    }

    /// Lists the salient facts the briefing does not mention yet, the most valuable per
    /// character first; every kind of fact counts the same in total.
    fn fill_facts(&mut self, limit: usize, facts: &[FactInfo]) {
        let s = Section::Files;
        let rendered = self.plan.render();
        let words = tokens(&rendered);
        let mut kind_total: BTreeMap<FactKind, f64> = BTreeMap::new();
        for f in facts {
            *kind_total.entry(f.kind).or_default() += list_weight(f);
        }
        // commits: only the latest few say where things stand
        let mut commits: Vec<&FactInfo> = facts
            .iter()
            .filter(|f| f.kind == FactKind::Commit)
            .collect();
        commits.sort_by(|a, b| b.last.total_cmp(&a.last).then_with(|| a.text.cmp(&b.text)));
        let recent_commits: BTreeSet<&str> = commits
            .iter()
            .take(MAX_COMMITS)
            .map(|f| f.text.as_str())
            .collect();
        let mut ranked: Vec<(f64, &FactInfo, String)> = facts
            .iter()
            .filter(|f| f.kind != FactKind::Commit || recent_commits.contains(f.text.as_str()))
            .map(|f| {
                let shown = display_fact(f);
                let value = list_weight(f) / kind_total[&f.kind].max(1e-9);
                (value / (chars(&shown) + 2) as f64, f, shown)
            })
            .filter(|(_, f, _)| !fact_in(&rendered, &words, f))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        let mut picked: BTreeMap<FactKind, Vec<String>> = BTreeMap::new();
        let mut extra = 0usize; // what the picked lists cost beyond the section so far
        let base_lines = self.len(s);
        let start_used = self.used;
        for (_, f, shown) in ranked {
            let list = picked.get(&f.kind);
            let add = match list {
                Some(l) if l.iter().any(|x| x == &shown) => continue,
                Some(_) => 2 + chars(&shown),
                None => {
                    let n_lines = base_lines + picked.len();
                    item_cost(s, n_lines, &format!("{}: ", fact_label(f.kind))) + chars(&shown)
                }
            };
            if self.section_used[s as usize] + extra + add > limit
                || start_used + extra + add > self.budget
            {
                continue;
            }
            extra += add;
            picked.entry(f.kind).or_default().push(shown);
        }
        for kind in [
            FactKind::Path,
            FactKind::Error,
            FactKind::Command,
            FactKind::Identifier,
            FactKind::Commit,
            FactKind::Url,
            FactKind::Version,
        ] {
            if let Some(list) = picked.remove(&kind) {
                let sep = if matches!(kind, FactKind::Command | FactKind::Error) {
                    "; "
                } else {
                    ", "
                };
                let text = format!("{}: {}", fact_label(kind), list.join(sep));
                self.add(
                    s,
                    Item {
                        text,
                        pos: 0.0,
                        pinned: false,
                    },
                );
            }
        }
    }

    /// What is still free: the latest lines of the log, verbatim.
    fn fill_tail(&mut self) {
        let mut tail: Vec<Item> = Vec::new();
        let mut tail_used = 0usize;
        let taken: BTreeSet<&str> = self
            .plan
            .sections
            .values()
            .flatten()
            .map(|i| i.text.as_str())
            .collect();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (ui, u) in self.units.iter().enumerate().rev() {
            if self.chosen_units.contains(&ui) || taken.contains(u.text.as_str()) {
                continue;
            }
            if !seen.insert(u.text.as_str()) {
                continue;
            }
            let cost = item_cost(Section::Tail, tail.len(), &u.text);
            if self.used + tail_used + cost > self.budget {
                if self.budget.saturating_sub(self.used + tail_used) < 120 {
                    break;
                }
                continue;
            }
            tail_used += cost;
            tail.push(Item {
                text: u.text.clone(),
                pos: u.pos,
                pinned: false,
            });
        }
        self.used += tail_used;
        if !tail.is_empty() {
            self.plan.sections.insert(Section::Tail, tail);
        }
    }
}

fn fact_label(kind: FactKind) -> &'static str {
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
fn display_fact(f: &FactInfo) -> String {
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

fn build_plan(scanned: &Scan, facts: &Facts, budget: usize) -> Plan {
    // room for the closing "How to continue" line, kept out of the selection; a tight
    // budget gives it only what the selection leaves
    let continue_room = if budget >= 3_000 { CONTINUE_ROOM } else { 0 };
    let budget = budget - continue_room;
    let header = cut(&header_for(facts, scanned.title.as_deref()), budget / 4);
    let header_len = chars(&header);
    let body = budget.saturating_sub(header_len);
    let mut b = Builder {
        plan: Plan {
            header,
            ..Plan::default()
        },
        budget,
        used: header_len,
        section_used: [0; Section::COUNT],
        chosen_units: BTreeSet::new(),
        chosen_sets: Vec::new(),
        units: &scanned.units,
        loose: header_len
            + 300
            + scanned
                .units
                .iter()
                .map(|u| chars(&u.text) + 3)
                .sum::<usize>()
            <= budget / 2,
    };

    // the session record goes first
    let mut pinned: Vec<(Section, String)> = Vec::new();
    for (s, t) in [
        (Section::Goal, facts.objectives.as_deref()),
        (Section::Done, facts.accomplishments.as_deref()),
        (Section::Blockers, facts.blockers.as_deref()),
        (Section::Next, facts.notes.as_deref()),
    ] {
        for item in record_items(t) {
            pinned.push((s, item));
        }
    }
    if !facts.critical_files.is_empty() {
        pinned.push((
            Section::Files,
            format!("Critical: {}", facts.critical_files.join(", ")),
        ));
    }
    if let Some(repo) = &facts.repository {
        for item in repo.items() {
            pinned.push((Section::Repository, item));
        }
    }
    for (s, text) in pinned {
        let overhead = item_cost(s, b.len(s), "");
        let room = budget.saturating_sub(b.used);
        if room <= overhead + 20 {
            continue;
        }
        let text = cut(&text, (room - overhead).min(s.item_cap() * 2));
        b.chosen_sets.push(word_set(&text));
        b.add(
            s,
            Item {
                text,
                pos: 0.0,
                pinned: true,
            },
        );
    }

    let candidates = rank_units(&scanned.units, scanned.turns <= 1);
    let order = [
        Section::Goal,
        Section::State,
        Section::Next,
        Section::Blockers,
        Section::Constraints,
        Section::Decisions,
        Section::Done,
        Section::InProgress,
    ];
    // the facts list keeps its share of the budget until the prose has had a first say
    let reserve = ((FACTS_SHARE * body as f64) as usize).min(MAX_FACTS_RESERVE);
    let round_cap = (body / 8).max(100);
    // first round: the best unit of every section, short
    for s in order {
        let cap = match s {
            Section::Goal | Section::State => round_cap * 3 / 2,
            _ => round_cap,
        };
        b.fill_units(
            s,
            budget.saturating_sub(reserve),
            &candidates[s as usize],
            1,
            cap,
        );
    }
    // the facts the prose does not carry yet
    let limit = b.section_used[Section::Files as usize] + reserve;
    b.fill_facts(limit, &scanned.facts);
    // then one more unit per section and round while any fits
    loop {
        let mut added = 0;
        for s in order {
            added += b.fill_units(s, budget, &candidates[s as usize], 1, usize::MAX);
        }
        if added == 0 {
            break;
        }
    }
    b.fill_tail();
    let room = continue_room + budget.saturating_sub(b.used);
    let mut plan = b.plan;
    if let Some(line) = how_to_continue(&plan) {
        let overhead = item_cost(Section::Continue, 0, "");
        if room > overhead + 40 {
            let text = cut(&line, (room - overhead).min(Section::Continue.item_cap()));
            plan.sections
                .entry(Section::Continue)
                .or_default()
                .push(Item {
                    text,
                    pos: 1.0,
                    pinned: false,
                });
        }
    }
    plan
}

/// Characters kept for the closing "How to continue" line.
const CONTINUE_ROOM: usize = 110;

/// The closing line for the next assistant: the parts to read first and the next step
/// (the first one listed), or where to pick up when none is known.
fn how_to_continue(plan: &Plan) -> Option<String> {
    let has = |s: Section| plan.sections.get(&s).is_some_and(|v| !v.is_empty());
    let first: Vec<String> = [
        Section::Blockers,
        Section::InProgress,
        Section::State,
        Section::Files,
        Section::Repository,
    ]
    .into_iter()
    .filter(|s| has(*s))
    .take(2)
    .map(|s| s.title().to_string())
    .collect();
    if first.is_empty() && !has(Section::Next) {
        return None;
    }
    let next = plan.sections.get(&Section::Next).and_then(|items| {
        items
            .iter()
            .min_by(|a, b| b.pinned.cmp(&a.pinned).then(a.pos.total_cmp(&b.pos)))
            .map(|it| cut(it.text.trim_end_matches('.'), 70))
    });
    let read = if first.is_empty() {
        String::new()
    } else {
        format!("Read {} first; then ", first.join(", "))
    };
    let then = match next {
        Some(n) => format!("next: {n}."),
        None if has(Section::InProgress) => "pick up the last item in progress.".to_string(),
        None => "confirm the current state before changing anything.".to_string(),
    };
    let mut line = format!("{read}{then}");
    if let Some(c) = line.get(..1) {
        let upper = c.to_uppercase();
        line.replace_range(..1, &upper);
    }
    Some(line)
}

/// What stays of an error line when paths, numbers and ids are left out: the same
/// error about another file has the same signature.
fn error_signature(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| {
            w.chars()
                .all(|c| c.is_alphabetic() || ":'\"`,.()[]".contains(c))
        })
        .filter(|w| !w.contains('.') || w.ends_with('.') || w.ends_with(':'))
        .take(8)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Share of the budget the facts list reserves before the prose's second round.
const FACTS_SHARE: f64 = 0.7;

/// The most the facts list reserves before the prose has had its first say: at large
/// budgets the prose gets the rest.
const MAX_FACTS_RESERVE: usize = 4000;

/// Trailing segments a path keeps in the facts list.
const PATH_SEGMENTS: usize = 2;

/// How many commit ids the facts list names at most (the latest ones).
const MAX_COMMITS: usize = 6;

/// How many later fix reports are compared with a problem.
const RESOLUTION_WINDOW: usize = 24;

/// For every section, the candidate units with their scores, best first.
fn rank_units(units: &[Unit], document: bool) -> Vec<Vec<(usize, f64)>> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut signatures: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let lowers: Vec<String> = units.iter().map(|u| u.text.to_lowercase()).collect();
    let errors: Vec<bool> = units
        .iter()
        .map(|u| scan::is_error_line(&u.text, u.kind))
        .collect();
    let mut sigs: Vec<Option<String>> = Vec::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        *counts.entry(u.text.as_str()).or_default() += 1;
        if errors[i] {
            let sig = error_signature(&u.text);
            *signatures.entry(sig.clone()).or_default() += 1;
            sigs.push(Some(sig));
        } else {
            sigs.push(None);
        }
    }
    let last_user_turn = units
        .iter()
        .rev()
        .find(|u| {
            u.role == Role::User
                && u.kind == Kind::Prose
                && u.text.chars().count() >= 15
                && !u.text.starts_with('/')
        })
        .map(|u| u.turn);
    let last_assistant_turn = units
        .iter()
        .rev()
        .find(|u| u.role == Role::Assistant)
        .map(|u| u.turn);
    let first_user_rank = units
        .iter()
        .find(|u| {
            u.role == Role::User
                && u.kind == Kind::Prose
                && u.text.chars().count() >= 12
                && u.text.split_whitespace().count() >= 3
                && !u.text.starts_with('/')
        })
        .map(|u| u.role_rank);
    // later units that report something fixed, by their words
    let fixes: Vec<(f64, WordSet)> = units
        .iter()
        .zip(&lowers)
        .filter(|(_, l)| {
            [
                "fixed",
                "resolved",
                "solved",
                "now passes",
                "works now",
                "✅",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
        .map(|(u, _)| (u.pos, word_set(&u.text)))
        .collect();
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); Section::COUNT];
    for (i, u) in units.iter().enumerate() {
        // a problem counts as resolved when one of the next fix reports shares two of
        // its words (only problem-like units are checked)
        let lower = lowers[i].as_str();
        let problem = [
            "error",
            "fail",
            "block",
            "exception",
            "conflict",
            "cannot",
            "broken",
            "bug",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let resolved_later = problem && {
            let set = word_set(&u.text);
            let start = fixes.partition_point(|(p, _)| *p <= u.pos);
            fixes[start..]
                .iter()
                .take(RESOLUTION_WINDOW)
                .any(|(_, f)| set.common(f) >= 2.min(set.len()))
        };
        let ctx = score::Context {
            last_user_turn,
            last_assistant_turn,
            first_user_rank,
            repeats: counts.get(u.text.as_str()).copied().unwrap_or(1),
            recurrence: sigs[i]
                .as_ref()
                .and_then(|sig| signatures.get(sig).copied())
                .unwrap_or(1),
            resolved_later,
            error_line: errors[i],
            document,
        };
        let sc = score::score(u, lower, &ctx);
        // a unit is a candidate where it scores best (and wherever it scores nearly as well)
        let best = sc.by_section.iter().copied().fold(0.0f64, f64::max);
        for (s, v) in sc.by_section.iter().enumerate() {
            if *v > 0.05 && *v >= 0.8 * best {
                out[s].push((i, *v));
            }
        }
    }
    for list in &mut out {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    out
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
