//! How strongly a unit belongs in each section: cue words and markers, who said it, where
//! it stands in the log, what heading it sits under, and how much it carries.

use super::cues::{Cue, CueCounts, Langs};
use super::scan::{Kind, Role, Unit};
use super::Section;

/// The share of a document (a log of one turn) that is its opening, where its goal is.
const DOCUMENT_OPENING: f64 = 0.04;

/// The least length factor of an open to-do item.
const TODO_LENGTH: f64 = 0.75;

/// The blocker score of a user's words the assistant conceded.
const CORRECTED: f64 = 1.0;

/// The emoji and checkbox markers of the spec, found in one pass.
const MARKERS: [&str; 9] = ["🎯", "✅", "🚧", "⚠", "🔥", "❌", "📝", "[ ]", "⏳"];

struct Markers(u16);

impl Markers {
    fn of(text: &str) -> Markers {
        static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
        let ac = AC.get_or_init(|| {
            aho_corasick::AhoCorasick::new(MARKERS).expect("markers build an automaton")
        });
        // markers are rare: skip plain ASCII text at once
        if text.is_ascii() && !text.contains("[ ]") {
            return Markers(0);
        }
        let mut bits = 0u16;
        for m in ac.find_overlapping_iter(text) {
            bits |= 1 << m.pattern().as_usize();
        }
        Markers(bits)
    }

    fn has(&self, m: &str) -> bool {
        MARKERS
            .iter()
            .position(|x| *x == m)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

/// What a unit carries: salient tokens (paths, identifiers, numbers, hashes) per word.
fn density(u: &Unit) -> f64 {
    let mut salient = 0usize;
    let mut words = 0usize;
    for w in u.text.split_whitespace() {
        words += 1;
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.contains(['/', '.', '_'])
            || w.bytes().any(|b| b.is_ascii_digit())
            || w.bytes().skip(1).any(|b| b.is_ascii_uppercase())
        {
            salient += 1;
        }
    }
    if words == 0 {
        return 0.0;
    }
    (salient as f64).min(5.0) / 5.0
}

/// The key to a to-do list's marks ("`[x]` done · `[~]` in progress · `[ ]` todo"): a
/// line that names two marks or more, not an item that opens with one.
fn is_status_key(text: &str) -> bool {
    let marks = ["[x]", "[ ]", "[~]", "[-]", "[/]"];
    let named = marks.iter().filter(|m| text.contains(*m)).count();
    named >= 2 && !marks.iter().any(|m| text.starts_with(m))
}

/// Words of a unit that carry meaning (not markers, not one-letter tokens).
fn word_count(u: &Unit) -> usize {
    super::cues::word_count(&u.text)
}

fn length_factor(n: usize) -> f64 {
    match n {
        0..=14 => 0.15,
        15..=29 => 0.5,
        30..=260 => 1.0,
        _ => 0.75,
    }
}

fn recency(pos: f64, k: f64) -> f64 {
    (k * (pos - 1.0)).exp()
}

/// Scores of one unit for every section (0 = not a candidate).
pub struct Scores {
    pub by_section: [f64; Section::COUNT],
}

pub struct Context {
    /// Index of the last turn with each role.
    pub last_user_turn: Option<usize>,
    pub last_assistant_turn: Option<usize>,
    /// Rank (among user turns) of the first substantive user turn.
    pub first_user_rank: Option<usize>,
    /// How often a unit's text occurs in the log.
    pub repeats: usize,
    /// Whether a later unit reports this problem fixed.
    pub resolved_later: bool,
    /// For an error line: how many error lines of the log read the same apart from
    /// paths, numbers and ids.
    pub recurrence: usize,
    /// Whether the unit reads as an error message.
    pub error_line: bool,
    /// The log is one document (a handoff note, a report), not a conversation.
    pub document: bool,
    /// The languages the log is written in: their cue words apply.
    pub langs: Langs,
    /// The unit's turn is the assistant's, and the user's reply accepted it.
    pub accepted: bool,
    /// The unit's turn is the user's, and the assistant's answer conceded it.
    pub corrected: bool,
    /// The section the headings above the unit name (none for a heading itself).
    pub heading: Option<Section>,
    /// How many units before this one stand under headings that name the same section.
    pub under_heading: usize,
    /// A heading above the unit is one of thanks or acknowledgements.
    pub courtesy_heading: bool,
}

pub fn score(u: &Unit, lower: &str, ctx: &Context) -> Scores {
    let cues = CueCounts::of(lower, ctx.langs);
    let n = u.text.chars().count();
    let words = word_count(u);
    // (a to-do item is short by nature)
    let todo = u.text.starts_with("[ ]");
    let thin = if words < 5 && !todo { 0.4 } else { 1.0 };
    let err = ctx.error_line;
    // repetition is noise, except for an error that keeps coming back and a to-do item
    // (a to-do list is posted again with every change)
    let repeat = if err {
        1.0 + (ctx.repeats as f64).ln()
    } else if todo {
        1.0
    } else {
        1.0 / (ctx.repeats as f64).powi(2)
    };
    // (a to-do item is short by nature)
    let length = if todo {
        length_factor(n).max(TODO_LENGTH)
    } else {
        length_factor(n)
    };
    let base = thin * length * (0.6 + 1.4 * density(u)) * repeat;
    let mut s = [0.0f64; Section::COUNT];
    let heading = ctx.heading;
    let question = u.text.ends_with('?');
    let found = Markers::of(&u.text);
    let marker = |m: &str| found.has(m);

    // Goal: the first substantive user message, a title or goal heading
    // (a document is one turn: only its opening is the goal)
    let first_user = u.role == Role::User
        && Some(u.role_rank) == ctx.first_user_rank
        && (!ctx.document || u.pos < DOCUMENT_OPENING);
    if first_user {
        s[Section::Goal as usize] = 3.0 + 0.5 * cues.get(Cue::Goal).min(2) as f64;
    } else if u.role == Role::User {
        let g = cues.get(Cue::Goal);
        if g > 0 && !question {
            s[Section::Goal as usize] = 0.4 * g.min(3) as f64 * recency(1.0 - u.pos, 2.0);
        }
    }
    if marker("🎯") {
        s[Section::Goal as usize] += 1.0;
    }

    // Constraints: the user's own words with modal or imperative cues
    if u.role == Role::User && u.kind == Kind::Prose && !question {
        let c = cues.get(Cue::Constraint);
        let caps = u
            .text
            .split_whitespace()
            .filter(|w| {
                w.len() >= 3
                    && w.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
                    && w.chars().any(char::is_alphabetic)
            })
            .count();
        // (words in capitals stress a rule; a line all in capitals is a banner)
        let caps = if 2 * caps > words { 0 } else { caps };
        if c > 0 || caps >= 2 {
            s[Section::Constraints as usize] = 0.6 * c.min(3) as f64 + 0.5 * caps.min(3) as f64;
        }
    }

    // Done / current state: completion cues, later is better
    let d = cues.get(Cue::Done) + 2 * usize::from(marker("✅"));
    // (an open to-do item is not done, whatever its words)
    if d > 0 && u.kind != Kind::Command && !question && !todo {
        let w = d.min(3) as f64;
        s[Section::Done as usize] = 0.6 * w * (0.3 + 0.7 * u.pos);
        s[Section::State as usize] = w * recency(u.pos, 8.0);
    }
    if u.role == Role::Assistant && Some(u.turn) == ctx.last_assistant_turn {
        s[Section::State as usize] += 1.2;
    }
    if u.role == Role::Tool && u.text.starts_with("Commit ") {
        s[Section::Done as usize] += 1.0;
        s[Section::State as usize] += 1.5 * recency(u.pos, 8.0);
    }

    // In progress
    let p = cues.get(Cue::Progress) + 2 * usize::from(marker("🚧"));
    if p > 0 {
        s[Section::InProgress as usize] = 0.8 * p.min(3) as f64 * recency(u.pos, 4.0);
    }

    // Blockers and errors: error lines and problem words, the latest first
    let alarm = marker("⚠") || marker("🔥") || marker("❌");
    let b = cues.get(Cue::Blocker) + 2 * usize::from(alarm);
    // a checked item reports something done, whatever words it has
    let checked = marker("✅") && !alarm;
    // a tool's output is a problem when it reads as an error, not for its words
    let cued = b > 0 && u.role != Role::Tool;
    if (err || cued) && !checked {
        let resolved = if ctx.resolved_later { 0.5 } else { 1.0 };
        s[Section::Blockers as usize] = if err {
            // the latest error, or one that keeps coming back
            2.0 * (0.25 + recency(u.pos, 3.0) + 0.35 * (ctx.recurrence as f64).ln()) * resolved
        } else {
            // a problem reported done in the same words is not open
            let settled = if cues.get(Cue::Done) > 0 && cues.get(Cue::Progress) == 0 {
                0.4
            } else {
                1.0
            };
            0.6 * b.min(3) as f64 * (0.25 + recency(u.pos, 3.0)) * resolved * settled
        };
    }

    // a correction the assistant conceded: what it got wrong, and may get wrong again
    if ctx.corrected && u.role == Role::User && u.kind == Kind::Prose {
        s[Section::Blockers as usize] += CORRECTED * (0.5 + recency(u.pos, 3.0));
    }

    // Decisions and their reasons; what the user accepted (a proposal may be a question)
    if u.kind == Kind::Prose {
        let dc = cues.get(Cue::Decision);
        if dc > 0 && ctx.accepted && u.role == Role::Assistant {
            s[Section::Decisions as usize] = 0.5 * dc.min(4) as f64 * 1.8 + 0.6;
        } else if dc > 0 && !question {
            s[Section::Decisions as usize] = 0.5 * dc.min(4) as f64 * (0.5 + 0.5 * u.pos);
        }
    }

    // Next steps: plans near the end, the last thing the user asked
    let nx = cues.get(Cue::Next) + 2 * usize::from(marker("📝") || marker("[ ]"));
    if nx > 0 && u.kind != Kind::Output {
        s[Section::Next as usize] = 0.7 * nx.min(3) as f64 * recency(u.pos, 5.0);
    }
    // (a document is one turn: its last words are often a sign-off)
    let last_user = u.role == Role::User && Some(u.turn) == ctx.last_user_turn;
    if last_user && u.kind == Kind::Prose && !ctx.document {
        s[Section::Next as usize] += 2.0;
    }
    if u.role == Role::Assistant && Some(u.turn) == ctx.last_assistant_turn && question {
        s[Section::Next as usize] += 1.5;
    }

    // A heading names the section of what stands under it.
    if let Some(h) = heading {
        let i = h as usize;
        let late = match h {
            Section::Goal | Section::Constraints | Section::Decisions | Section::Files => 1.0,
            // a document lists its next steps soonest first
            Section::Next if ctx.document => 1.0 / (1.0 + 0.15 * ctx.under_heading as f64),
            _ if ctx.document => 1.0,
            _ => 0.3 + 0.7 * recency(u.pos, 3.0),
        };
        s[i] += if ctx.document { 3.0 } else { 1.5 } * late;
    }
    // thanks and acknowledgements say nothing about the work; nor does the key to a
    // list's status marks
    if ctx.courtesy_heading || cues.get(Cue::Courtesy) > 0 || is_status_key(&u.text) {
        return Scores {
            by_section: [0.0; Section::COUNT],
        };
    }
    for v in &mut s {
        *v *= base;
    }
    // tool output states what happened only in its commit lines
    if u.kind == Kind::Output && !u.text.starts_with("Commit ") {
        s[Section::State as usize] *= 0.3;
        s[Section::Done as usize] *= 0.3;
    }
    // the state is what was done, not what was asked
    if u.role == Role::User && !ctx.document {
        s[Section::State as usize] *= 0.3;
        s[Section::Done as usize] *= 0.3;
    }
    // the first thing the user asked is the goal, whatever it carries
    if first_user {
        // (in a document, what its goal heading says first)
        s[Section::Goal as usize] = if heading == Some(Section::Goal) {
            12.0
        } else {
            10.0
        };
    }
    // goals and constraints are the user's (or the document's), never tool output
    if u.role == Role::Tool {
        s[Section::Goal as usize] = 0.0;
        s[Section::Decisions as usize] *= 0.3;
    }
    // only user words are constraints; prose only for goals
    if u.role != Role::User {
        s[Section::Constraints as usize] = 0.0;
    }
    if u.kind != Kind::Prose {
        s[Section::Goal as usize] = 0.0;
        s[Section::Decisions as usize] = 0.0;
    }
    if u.is_heading && n < 40 {
        // a heading of a word or two ("Goal", "Next steps") says nothing by itself
        let k = if words < 3 { 0.0 } else { 0.2 };
        for v in &mut s {
            *v *= k;
        }
    }
    Scores { by_section: s }
}
