//! Ranking the log's units for every section: their scores, repeats and problems fixed later.

use super::scan::{self, Kind, Role, Unit};
use super::text::{word_automaton, word_set, WordSet};
use super::Section;
use super::{cues, score};

/// How many later fix reports are compared with a problem.
const RESOLUTION_WINDOW: usize = 24;

/// For every section, the candidate units with their scores, best first.
pub(super) fn rank_units(units: &[Unit], document: bool) -> Vec<Vec<(usize, f64)>> {
    let mut counts: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut signatures: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let lowers: Vec<String> = units
        .iter()
        .map(|u| {
            if u.text.is_ascii() {
                u.text.to_ascii_lowercase()
            } else {
                u.text.to_lowercase()
            }
        })
        .collect();
    let errors: Vec<bool> = units
        .iter()
        .map(|u| {
            u.error_line
                .unwrap_or_else(|| scan::is_error_line(&u.text, u.kind))
                && !is_file_listing(&u.text)
        })
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
                && cues::word_count(&u.text) >= 3
                && !u.text.starts_with('/')
        })
        .map(|u| u.role_rank);
    // later units that report something fixed, by their words
    let (problem_words, fix_words) = problem_automata();
    let fixes: Vec<(f64, WordSet)> = units
        .iter()
        .zip(&lowers)
        .filter(|(_, l)| fix_words.is_match(l.as_str()))
        .map(|(u, _)| (u.pos, word_set(&u.text)))
        .collect();
    // the languages of the turns: their cue words apply
    let mut by_turn: Vec<Vec<&str>> = Vec::new();
    for u in units {
        if by_turn.len() <= u.turn {
            by_turn.resize_with(u.turn + 1, Vec::new);
        }
        by_turn[u.turn].push(u.text.as_str());
    }
    let langs = cues::detect(by_turn.iter().map(|t| t.iter().copied()));
    let accepted = accepted_turns(units, &by_turn, langs);
    let corrected = corrected_turns(units, by_turn.len(), langs);
    // the section each unit's headings name (units of one heading share its text, so
    // it is read once a run), and the unit's place among those under the same section
    let mut seen_under = [0usize; Section::COUNT];
    let mut last: Option<(&std::sync::Arc<str>, Option<Section>, bool)> = None;
    let headings: Vec<(Option<Section>, usize, bool)> = units
        .iter()
        .map(|u| {
            let (named, courtesy) = match last {
                Some((h, s, c)) if std::sync::Arc::ptr_eq(h, &u.heading) => (s, c),
                _ => {
                    let s = cues::heading_section(&u.heading, langs);
                    let c = cues::is_courtesy_heading(&u.heading, langs);
                    last = Some((&u.heading, s, c));
                    (s, c)
                }
            };
            match named {
                Some(s) if !u.is_heading => {
                    seen_under[s as usize] += 1;
                    (Some(s), seen_under[s as usize] - 1, courtesy)
                }
                _ => (None, 0, courtesy),
            }
        })
        .collect();
    // a to-do item posted again later (open or checked) is superseded by that copy
    let todo_keys: Vec<Option<String>> = units.iter().map(|u| todo_key(&u.text)).collect();
    let mut latest_todo: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (i, k) in todo_keys.iter().enumerate() {
        if let Some(k) = k {
            latest_todo.insert(k.as_str(), i);
        }
    }
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); Section::COUNT];
    for (i, u) in units.iter().enumerate() {
        let superseded = todo_keys[i]
            .as_deref()
            .is_some_and(|k| latest_todo.get(k).is_some_and(|last| *last != i));
        if superseded {
            continue;
        }
        // a problem counts as resolved when one of the next fix reports shares two of
        // its words (only problem-like units are checked)
        let lower = lowers[i].as_str();
        let problem = problem_words.is_match(lower);
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
            langs,
            accepted: accepted.get(u.turn).copied().unwrap_or(false),
            corrected: corrected.get(u.turn).copied().unwrap_or(false),
            heading: headings[i].0,
            under_heading: headings[i].1,
            courtesy_heading: headings[i].2,
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

/// The words (in lower-case text) of a problem, and of a report that something was fixed.
fn problem_automata() -> &'static (aho_corasick::AhoCorasick, aho_corasick::AhoCorasick) {
    static AC: std::sync::OnceLock<(aho_corasick::AhoCorasick, aho_corasick::AhoCorasick)> =
        std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let build = |words: &[&str]| word_automaton(words, false);
        (
            build(&[
                "error",
                "fail",
                "block",
                "exception",
                "conflict",
                "cannot",
                "broken",
                "bug",
            ]),
            build(&[
                "fixed",
                "resolved",
                "solved",
                "now passes",
                "works now",
                "✅",
            ]),
        )
    })
}

/// A to-do item's words, whatever its box and markers (`[x] ⏳ Commit the bump ⚡️` →
/// `commit the bump`): the same item in every copy of a list.
fn todo_key(text: &str) -> Option<String> {
    let rest = ["[ ]", "[x]", "[X]"]
        .iter()
        .find_map(|b| text.strip_prefix(b))?;
    let key = rest
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// The longest reply (in bytes) read as a plain acceptance of what was proposed.
const SHORT_REPLY: usize = 80;

/// For every turn, whether it is an assistant turn the user's next words accept: a short
/// reply that agrees ("yes", "go ahead", "option 2") after it (tool turns between them
/// count for nothing).
fn accepted_turns(units: &[Unit], by_turn: &[Vec<&str>], langs: cues::Langs) -> Vec<bool> {
    let mut role_of: Vec<Option<Role>> = vec![None; by_turn.len()];
    for u in units {
        role_of[u.turn] = Some(u.role);
    }
    let mut accepted = vec![false; by_turn.len()];
    let mut last_assistant: Option<usize> = None;
    for (t, texts) in by_turn.iter().enumerate() {
        match role_of[t] {
            Some(Role::Assistant) => last_assistant = Some(t),
            Some(Role::User) => {
                let len: usize = texts.iter().map(|x| x.len()).sum();
                let agrees = len <= SHORT_REPLY && {
                    let reply = texts.join(" ").to_lowercase();
                    cues::CueCounts::of(&reply, langs).get(cues::Cue::Agree) > 0
                        || reply.trim().parse::<u8>().is_ok()
                };
                if let (true, Some(a)) = (agrees, last_assistant) {
                    accepted[a] = true;
                }
                last_assistant = None;
            }
            _ => {}
        }
    }
    accepted
}

/// For every turn, whether it is a user turn the assistant's next words concede ("You're
/// right — I don't know what the project is for"): the user corrected it (tool turns
/// between them count for nothing).
fn corrected_turns(units: &[Unit], turns: usize, langs: cues::Langs) -> Vec<bool> {
    let mut corrected = vec![false; turns];
    let mut last_user: Option<usize> = None;
    let mut turn = usize::MAX;
    for u in units {
        if u.turn == turn {
            continue;
        }
        turn = u.turn;
        match u.role {
            Role::User => last_user = Some(u.turn),
            Role::Assistant => {
                let concedes =
                    cues::CueCounts::of(&u.text.to_lowercase(), langs).get(cues::Cue::Concede) > 0;
                if let (true, Some(t)) = (concedes, last_user) {
                    corrected[t] = true;
                }
                last_user = None;
            }
            Role::Tool => {}
        }
    }
    corrected
}

/// A tool's result that shows a file's lines (`1→import …  2→…`, as agents print a file
/// they read): what the file says, not what happened.
fn is_file_listing(text: &str) -> bool {
    let mut numbered = 0;
    for (i, _) in text.match_indices('→') {
        if text[..i].ends_with(|c: char| c.is_ascii_digit()) {
            numbered += 1;
            if numbered >= 2 {
                return true;
            }
        }
    }
    false
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
