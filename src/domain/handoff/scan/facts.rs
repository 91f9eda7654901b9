//! The salient facts of a log (paths, URLs, names, versions, commits, errors) and their table.

use super::lexicon::{CALL_KEYWORDS, DOTFILES, ERROR_SHAPES, ERROR_WORDS, EXTENSIONS, FORMAT_KEYS};
use super::lines::{command_key, is_command_line, truncate_chars};
use super::{FactInfo, FactKind, Kind};
use crate::domain::handoff::text::word_automaton;
use rustc_hash::FxHashMap;

/// Whether a word is a file name: a known extension after a stem that is not a number.
fn has_extension(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && !stem.ends_with('.')
        && is_extension(ext)
        && !stem.chars().all(|c| c.is_ascii_digit())
}

/// Whether a word is a known file extension, in any case (looked up in a set, lower-cased
/// on the stack: every word with a dot in a log is asked).
fn is_extension(ext: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    let set = SET.get_or_init(|| EXTENSIONS.iter().copied().collect());
    let mut buf = [0u8; 16];
    if ext.is_empty() || ext.len() > buf.len() || !ext.is_ascii() {
        return false;
    }
    let low = &mut buf[..ext.len()];
    low.copy_from_slice(ext.as_bytes());
    low.make_ascii_lowercase();
    std::str::from_utf8(low).is_ok_and(|e| set.contains(e))
}

fn path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '+' | '-' | '/' | '~')
}

/// File paths in a line (URLs excluded), as slices of it.
pub fn paths_in(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if !line.contains(['/', '.']) {
        return out;
    }
    for raw in line.split(|c: char| !path_char(c) && c != '\\') {
        if !raw.contains(['/', '.']) {
            continue;
        }
        if raw.contains("://") || raw.starts_with("//") || raw.contains('\\') {
            continue;
        }
        let w = raw.strip_prefix("./").unwrap_or(raw);
        let w = w.trim_end_matches(['.', ',', ':', ';', '-']);
        let w = w.trim_start_matches([',', ':', ';', '-']);
        if w.len() < 3 || w.contains("..") && !w.starts_with("../") {
            continue;
        }
        if DOTFILES.contains(&w) {
            out.push(w);
            continue;
        }
        let segs = || w.split('/').filter(|s| !s.is_empty());
        let last = segs().next_back().unwrap_or("");
        let is_path = if segs().nth(1).is_some() {
            has_extension(last)
                || ((w.starts_with('/') || w.starts_with("~/") || w.starts_with("../"))
                    && !segs().all(|s| s.bytes().all(|c| c.is_ascii_digit())))
                || (w.ends_with('/') && segs().all(|s| s.chars().any(char::is_alphabetic)))
        } else {
            has_extension(last) && last.chars().any(char::is_alphabetic)
        };
        if is_path {
            out.push(w.trim_end_matches('/'));
        }
    }
    out
}

/// The web addresses in a line, without trailing punctuation.
fn urls_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail
                .find(|c: char| c.is_whitespace() || "<>\"'`()[]{}|".contains(c))
                .unwrap_or(tail.len());
            let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            // the tools' own documentation links say nothing about the work
            if url.len() > 10 && !url.contains("://aider.chat/") {
                out.push(url.to_owned());
            }
            rest = &tail[end.max(1)..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

/// Whether a word is a project's name: an inner underscore or a lower-to-upper hump.
fn is_identifier(w: &str) -> bool {
    let b = w.as_bytes();
    if b.len() < 4 || !(b[0].is_ascii_alphabetic() || b[0] == b'_') {
        return false;
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    let inner_underscore = w.trim_matches('_').contains('_');
    let lower_then_upper = b
        .windows(2)
        .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase());
    inner_underscore || lower_then_upper
}

/// Keys of agent tool-call records and tool-call ids: the export's own vocabulary.
fn is_format_key(w: &str) -> bool {
    FORMAT_KEYS.contains(&w)
        || ["toolu_", "call_", "msg_", "chatcmpl", "req_", "run_"]
            .iter()
            .any(|p| w.starts_with(p) && w.len() > 12)
}

/// Whether a word is a version number (`1.2.3`, `v2.1`).
fn is_version(w: &str) -> bool {
    let v = w.strip_prefix('v').unwrap_or(w);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let mut parts = 0;
    for p in core.split('.') {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts == 3 || (parts == 2 && w.starts_with('v'))
}

/// Whether a word looks like a short commit id (7 to 12 lower-case hex digits, letters and
/// digits both).
fn is_commit(w: &str) -> bool {
    (7..=12).contains(&w.len())
        && w.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && w.bytes().any(|c| c.is_ascii_digit())
        && w.bytes().any(|c| c.is_ascii_alphabetic())
}

/// Case-insensitive automata: the words that make a line a candidate error, and the
/// phrases that give it the shape of an error message.
fn error_automata() -> &'static (aho_corasick::AhoCorasick, aho_corasick::AhoCorasick) {
    static AC: std::sync::OnceLock<(aho_corasick::AhoCorasick, aho_corasick::AhoCorasick)> =
        std::sync::OnceLock::new();
    AC.get_or_init(|| {
        (
            word_automaton(ERROR_WORDS, true),
            word_automaton(ERROR_SHAPES, true),
        )
    })
}

/// The words a line of program source opens with (`import … from './error.ts'`,
/// `} catch (err) {`). (A `raise` or `throw` with its message stays: it is the error
/// the program gives.)
const SOURCE_OPENERS: [&str; 14] = [
    "import ", "from ", "except ", "except:", "catch ", "catch(", "} catch", "return ", "const ",
    "let ", "var ", "def ", "fn ", "#include",
];

/// A line of program source rather than a message about it: one that opens as code does,
/// or a line of a code excerpt with its number (`21 │ "noConstEnum": "error",`,
/// `46 | throw new Error(…)`, `286→- Clamp or return error`).
fn is_source_line(line: &str) -> bool {
    let t = line.trim_start_matches(['←', ' ', '\t']);
    if SOURCE_OPENERS.iter().any(|o| t.starts_with(o)) {
        return true;
    }
    let numbered = |n: &str| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit());
    // (the number opens the line or follows a label: "Test failed: 76 | });")
    let mut before: Option<&str> = None;
    let mut words = t.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w.split_once('→').is_some_and(|(n, _)| numbered(n)) {
            return true;
        }
        let opens = before.is_none_or(|b| b.ends_with(':'));
        if opens && numbered(w) && words.peek().is_some_and(|n| n.starts_with(['│', '|'])) {
            return true;
        }
        before = Some(w);
    }
    false
}

/// Whether a line reads as an error message rather than prose about errors.
pub fn is_error_line(line: &str, kind: Kind) -> bool {
    let (trigger, shape) = error_automata();
    if line.len() < 15 || !trigger.is_match(line) || line.split_whitespace().count() < 4 {
        return false;
    }
    // a banner ("Error: ======= test session starts =======") is not a message
    let (mut letters, mut marks) = (0usize, 0usize);
    for c in line.chars().filter(|c| !c.is_whitespace()) {
        if c.is_alphabetic() {
            letters += 1;
        } else {
            marks += 1;
        }
    }
    if marks > letters * 2 {
        return false;
    }
    // a checked item ("✅ Error handling - friendly messages") reports something done
    let t = line.trim_start_matches(['-', '*', ' ']);
    if t.starts_with(['✅', '✓', '✔', '☑']) || t.starts_with("[x]") || t.starts_with("[X]") {
        return false;
    }
    if is_source_line(t) {
        return false;
    }
    if kind == Kind::Output {
        return true;
    }
    // message shape: FooError, "error:", "Error[E0308]", FAILED, fatal:, a traceback
    shape.is_match(line)
        || line.split(|c: char| !c.is_alphanumeric()).any(|w| {
            (w.len() > 5 && (w.ends_with("Error") || w.ends_with("Exception")))
                || w == "ERROR"
                || w == "FAILED"
                || w == "FAIL"
        })
}

/// The salient facts found so far, counted; identifiers count only when they repeat.
#[derive(Default)]
pub(super) struct FactTable {
    /// One table per kind (indexed by [`FactKind`]), looked up by the borrowed text.
    map: [FxHashMap<String, FactInfo>; FactKind::COUNT],
    ident_counts: FxHashMap<String, FactInfo>,
}

impl FactTable {
    pub(super) fn add(&mut self, kind: FactKind, text: &str, pos: f64, by_user: bool) {
        let table = &mut self.map[kind as usize];
        // look up by borrowed key first: most occurrences are repeats (a text in the
        // table has passed the check below)
        if let Some(e) = table.get_mut(text) {
            e.count += 1;
            e.last = pos;
            e.by_user |= by_user;
            return;
        }
        if text.is_empty() || text.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
            return;
        }
        table.insert(
            text.to_owned(),
            FactInfo {
                kind,
                text: text.to_owned(),
                count: 1,
                last: pos,
                by_user,
            },
        );
    }

    pub(super) fn paths(&mut self, line: &str, pos: f64, by_user: bool) {
        for p in paths_in(line) {
            self.add(FactKind::Path, p, pos, by_user);
        }
    }

    fn identifiers(&mut self, line: &str, pos: f64, by_user: bool) {
        for w in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if is_identifier(w) && !is_format_key(w) {
                self.ident(w, pos, by_user);
            }
        }
        // names called as functions: `render(`, `client.fetch_all(`
        let b = line.as_bytes();
        for (i, _) in line.match_indices('(') {
            let start = b[..i]
                .iter()
                .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.'))
                .map_or(0, |p| p + 1);
            let name = line[start..i].trim_start_matches('.');
            let last = name.rsplit('.').next().unwrap_or("");
            if (name.contains('.') || name.len() >= 7)
                && last.len() >= 3
                && name.as_bytes()[0].is_ascii_alphabetic()
                && !is_identifier(name)
                && !CALL_KEYWORDS.contains(&last.to_ascii_lowercase().as_str())
                && !is_format_key(name)
            {
                self.ident(name, pos, by_user);
            }
        }
    }

    fn ident(&mut self, w: &str, pos: f64, by_user: bool) {
        if let Some(e) = self.ident_counts.get_mut(w) {
            e.count += 1;
            e.last = pos;
            e.by_user |= by_user;
        } else {
            self.ident_counts.insert(
                w.to_owned(),
                FactInfo {
                    kind: FactKind::Identifier,
                    text: w.to_owned(),
                    count: 1,
                    last: pos,
                    by_user,
                },
            );
        }
    }

    /// Inline `code spans` that hold a command.
    pub(super) fn inline_commands(&mut self, line: &str, pos: f64, by_user: bool) {
        let mut parts = line.split('`');
        parts.next();
        while let Some(span) = parts.next() {
            if is_command_line(span.trim()) {
                self.add(FactKind::Command, &command_key(span.trim()), pos, by_user);
            }
            parts.next();
        }
    }

    /// Adds the facts of a line; with `errors`, an error line too, and says whether the
    /// line is one.
    pub(super) fn line(
        &mut self,
        line: &str,
        pos: f64,
        by_user: bool,
        kind: Kind,
        errors: bool,
    ) -> Option<bool> {
        for u in urls_in(line) {
            self.add(FactKind::Url, &u, pos, by_user);
        }
        let owned;
        let no_urls: &str = if line.contains("://") {
            owned = line
                .split_whitespace()
                .filter(|w| !w.contains("://"))
                .collect::<Vec<_>>()
                .join(" ");
            &owned
        } else {
            line
        };
        self.paths(no_urls, pos, by_user);
        // identifiers need an underscore, a call or a lower-to-upper hump
        let b = no_urls.as_bytes();
        if b.contains(&b'_')
            || b.contains(&b'(')
            || b.windows(2)
                .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase())
        {
            self.identifiers(no_urls, pos, by_user);
        }
        let error_line = errors.then(|| is_error_line(line, kind));
        if error_line == Some(true) {
            self.add(FactKind::Error, truncate_chars(line, 200), pos, by_user);
        }
        if !b.iter().any(u8::is_ascii_digit) {
            return error_line;
        }
        for w in no_urls.split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '(' | ')' | ',' | ';' | ':' | '[' | ']' | '\'' | '"' | '`'
                )
        }) {
            let w = w.trim_end_matches(['.', ',']);
            if is_version(w) {
                self.add(FactKind::Version, w.trim_start_matches('v'), pos, by_user);
            } else if is_commit(w) {
                self.add(FactKind::Commit, w, pos, by_user);
            }
        }
        error_line
    }

    pub(super) fn finish(mut self) -> Vec<FactInfo> {
        for (k, v) in std::mem::take(&mut self.ident_counts) {
            if v.count >= 2 {
                self.map[FactKind::Identifier as usize].insert(k, v);
            }
        }
        let mut out: Vec<FactInfo> = self.map.into_iter().flat_map(|m| m.into_values()).collect();
        // hash order is not stable: sort for deterministic output
        out.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.text.cmp(&b.text)));
        out
    }
}
