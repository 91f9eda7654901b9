//! Capture: what AI coding tools write on people's machines, read into sessions, turns and
//! token usage. One pure parser per format (`claude`, `codex`), fed the bytes of a file —
//! all of it, or what was appended since last time — and a price table (`price`) and
//! secret redaction (`redact`) for what is stored. No IO: callers read files and keep each
//! parser's state (it serialises) with the offset it has consumed.

pub mod agent_log;
pub mod claude;
pub mod codex;
pub mod gemini;
pub mod markdown;
pub mod price;
pub mod redact;
pub mod sources;
pub mod window;

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which tool wrote a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    ClaudeCode,
    Codex,
    Gemini,
    /// aider's `.aider.chat.history.md` in a repository.
    Aider,
    /// SpecStory's `.specstory/history/*.md` in a repository (Cursor, Claude Code).
    Specstory,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "Claude Code",
            Tool::Codex => "Codex CLI",
            Tool::Gemini => "Gemini CLI",
            Tool::Aider => "aider",
            Tool::Specstory => "SpecStory",
        }
    }

    /// The provider of a call of `model` made through the tool.
    pub fn provider(self, model: &str) -> &'static str {
        match self {
            Tool::ClaudeCode => "anthropic",
            Tool::Codex => "openai",
            Tool::Gemini => "google",
            Tool::Aider | Tool::Specstory => crate::domain::ledger::provider_of(model),
        }
    }

    /// The name the database keeps for the tool.
    pub fn key(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "claude_code",
            Tool::Codex => "codex",
            Tool::Gemini => "gemini",
            Tool::Aider => "aider",
            Tool::Specstory => "specstory",
        }
    }

    pub fn from_key(key: &str) -> Option<Tool> {
        [
            Tool::ClaudeCode,
            Tool::Codex,
            Tool::Gemini,
            Tool::Aider,
            Tool::Specstory,
        ]
        .into_iter()
        .find(|t| t.key() == key)
    }

    /// Whether the tool's logs live in repositories (one account for all of them) rather
    /// than in a configuration directory of its own (one account per directory).
    pub fn in_repositories(self) -> bool {
        matches!(self, Tool::Aider | Tool::Specstory)
    }

    /// The account platform of the pool the tool's accounts belong to.
    pub fn platform(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "claude",
            Tool::Codex => "chatgpt",
            Tool::Gemini => "gemini",
            Tool::Aider | Tool::Specstory => "other",
        }
    }
}

/// Who speaks in a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    User,
    Assistant,
    /// A tool call or its result, summarised.
    Tool,
}

/// One turn of a captured conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Turn {
    /// Unique within the tool's session (its line id): a turn seen twice is kept once.
    pub key: String,
    pub speaker: Speaker,
    pub text: String,
    pub at: Option<Timestamp>,
}

/// Tokens of one model call, as the vendor billed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Tokens {
    /// Input not read from or written to the cache.
    pub input: u64,
    pub output: u64,
    pub cache_write: u64,
    pub cache_read: u64,
}

impl Tokens {
    pub fn total(&self) -> u64 {
        self.input
            .saturating_add(self.output)
            .saturating_add(self.cache_write)
            .saturating_add(self.cache_read)
    }

    pub fn add(&mut self, o: &Tokens) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.cache_write = self.cache_write.saturating_add(o.cache_write);
        self.cache_read = self.cache_read.saturating_add(o.cache_read);
    }
}

/// One usage row: a model call (deduplicated the way the vendor streams it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Usage {
    /// Unique per call across every file of a tool (the dedupe key).
    pub key: String,
    pub session: String,
    pub model: String,
    /// True when the log names no model and the tool's default was assumed.
    pub model_assumed: bool,
    pub tokens: Tokens,
    pub at: Timestamp,
    /// A copy written by a side conversation (kept only when no main copy exists).
    pub sidechain: bool,
    /// The cost the tool itself reported (aider), which wins over the price table.
    #[serde(default)]
    pub reported_cost_micros: Option<u64>,
}

/// The vendor's own rate-limit window, as a tool reported it (Codex).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RateWindow {
    pub used_percent: f64,
    pub window_minutes: i64,
    pub resets_at: Option<Timestamp>,
    /// When the tool reported it.
    pub seen_at: Timestamp,
}

/// One tool session: where it ran, when, and what was said.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ToolSession {
    pub id: String,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub turns: Vec<Turn>,
    /// The first thing the user asked: the session's objectives.
    pub first_request: Option<String>,
}

impl ToolSession {
    fn seen(&mut self, at: Option<Timestamp>) {
        if let Some(t) = at {
            self.started_at = Some(self.started_at.map_or(t, |s| s.min(t)));
            self.ended_at = Some(self.ended_at.map_or(t, |e| e.max(t)));
        }
    }

    fn push_turn(&mut self, turn: Turn) {
        if turn.speaker == Speaker::User && self.first_request.is_none() && !turn.text.is_empty() {
            self.first_request = Some(truncate(&turn.text, 500));
        }
        self.seen(turn.at);
        self.turns.push(turn);
    }
}

/// What parsing has found so far, across files of one tool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Capture {
    pub sessions: BTreeMap<String, ToolSession>,
    pub usage: BTreeMap<String, Usage>,
    /// The latest vendor windows: `(primary, secondary)`.
    pub rate_limits: Option<(Option<RateWindow>, Option<RateWindow>)>,
    /// Lines that were not JSON or not understood (skipped).
    pub skipped_lines: u64,
    /// `session/turn` keys recorded, so that a copied line is one turn.
    #[serde(skip)]
    turn_keys: std::collections::HashSet<String>,
}

impl Capture {
    /// Token totals over every usage row.
    pub fn tokens(&self) -> Tokens {
        let mut t = Tokens::default();
        for u in self.usage.values() {
            t.add(&u.tokens);
        }
        t
    }

    /// Whether a turn with this key is new to its session (and remembers it).
    fn first_sight(&mut self, session: &str, key: &str) -> bool {
        self.turn_keys.insert(format!("{session}\u{1f}{key}"))
    }

    pub fn turn_count(&self) -> usize {
        self.sessions.values().map(|s| s.turns.len()).sum()
    }

    /// Keeps one usage row per key: the larger, and a main copy over a side one.
    fn keep_usage(&mut self, u: Usage) {
        match self.usage.get(&u.key) {
            Some(old) => {
                let better = (old.sidechain && !u.sidechain)
                    || (old.sidechain == u.sidechain && u.tokens.total() > old.tokens.total());
                if better {
                    self.usage.insert(u.key.clone(), u);
                }
            }
            None => {
                self.usage.insert(u.key.clone(), u);
            }
        }
    }
}

/// Complete lines out of a byte stream fed in pieces; a line cut at the end waits for the
/// rest. `consumed` is the offset just after the last complete line. Only the offset is
/// kept between scans (the cut line is raw, unredacted text): the next scan reads again
/// from there.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Lines {
    #[serde(skip)]
    pending: Vec<u8>,
    pub consumed: u64,
}

impl Lines {
    /// Calls `f` with each complete line of `pending + bytes` (without its line ending,
    /// blank lines skipped), borrowing from `bytes` where it can; keeps the cut end.
    pub fn each(&mut self, bytes: &[u8], mut f: impl FnMut(&[u8])) {
        let mut emit = |l: &[u8]| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            if !l.iter().all(u8::is_ascii_whitespace) {
                f(l);
            }
        };
        let mut rest = bytes;
        if !self.pending.is_empty() {
            let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
                self.pending.extend_from_slice(rest);
                return;
            };
            let mut first = std::mem::take(&mut self.pending);
            first.extend_from_slice(&rest[..nl]);
            self.consumed = self.consumed.saturating_add(first.len() as u64 + 1);
            emit(&first);
            rest = &rest[nl + 1..];
        }
        let Some(last_nl) = rest.iter().rposition(|b| *b == b'\n') else {
            self.pending.extend_from_slice(rest);
            return;
        };
        let (complete, tail) = rest.split_at(last_nl + 1);
        self.consumed = self.consumed.saturating_add(complete.len() as u64);
        for l in complete[..complete.len() - 1].split(|b| *b == b'\n') {
            emit(l);
        }
        self.pending.extend_from_slice(tail);
    }

    /// The complete lines in `pending + bytes` (without their line endings).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        self.each(bytes, |l| out.push(String::from_utf8_lossy(l).into_owned()));
        out
    }

    /// The complete lines in `pending + bytes` (the former way, kept for comparison in
    /// tests).
    #[cfg(test)]
    fn feed_copying(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let Some(last_nl) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Vec::new();
        };
        let rest = self.pending.split_off(last_nl + 1);
        let complete = std::mem::replace(&mut self.pending, rest);
        self.consumed = self.consumed.saturating_add(complete.len() as u64);
        complete
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                String::from_utf8_lossy(l).into_owned()
            })
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// Bytes waiting for the end of their line.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

/// At most `max` characters, with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An RFC 3339 timestamp field of a JSON value.
fn time_of(v: &serde_json::Value, field: &str) -> Option<Timestamp> {
    v.get(field)
        .and_then(|t| t.as_str())
        .and_then(Timestamp::parse)
}

fn u64_of(v: &serde_json::Value, field: &str) -> u64 {
    v.get(field)
        .and_then(|n| n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)))
        .unwrap_or(0)
}

/// A tool call as one line: `→ Bash: ls -la` (its input summarised).
pub(crate) fn tool_call_summary(name: &str, input: &serde_json::Value) -> String {
    let detail = match input {
        serde_json::Value::Object(m) => [
            "command",
            "file_path",
            "path",
            "pattern",
            "url",
            "query",
            "description",
            "cmd",
        ]
        .iter()
        .find_map(|k| m.get(*k).map(value_text))
        .unwrap_or_else(|| value_text(input)),
        serde_json::Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(inner @ serde_json::Value::Object(_)) => return tool_call_summary(name, &inner),
            _ => s.clone(),
        },
        other => value_text(other),
    };
    truncate(&format!("→ {name}: {detail}"), 300)
}

pub(crate) fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_for_their_end() {
        let mut l = Lines::default();
        assert!(l.feed(b"{\"a\":1}\n{\"b\"").len() == 1);
        assert_eq!(l.consumed, 8);
        assert_eq!(l.pending_len(), 4);
        assert_eq!(l.feed(b":2}\r\n\n"), vec!["{\"b\":2}".to_string()]);
        assert_eq!(l.consumed, 18);
        assert!(l.feed(b"").is_empty());
    }

    proptest::proptest! {
        /// Lines borrowed from the input are the lines the copying reader gave, wherever
        /// the input is cut.
        #[test]
        fn each_gives_the_lines_feed_gave(
            text in "[a-c\\r\\n ]{0,60}",
            cut in 0usize..60,
        ) {
            let bytes = text.as_bytes();
            let cut = cut.min(bytes.len());
            let (mut a, mut b) = (Lines::default(), Lines::default());
            let mut got = a.feed(&bytes[..cut]);
            got.extend(a.feed(&bytes[cut..]));
            let mut want = b.feed_copying(&bytes[..cut]);
            want.extend(b.feed_copying(&bytes[cut..]));
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(a.consumed, b.consumed);
            proptest::prop_assert_eq!(a.pending_len(), b.pending_len());
        }
    }

    #[test]
    fn summaries() {
        let s = tool_call_summary("Bash", &serde_json::json!({"command": "ls -la", "x": 1}));
        assert_eq!(s, "→ Bash: ls -la");
        let s = tool_call_summary(
            "shell",
            &serde_json::json!("{\"cmd\":[\"git\",\"status\"]}"),
        );
        assert_eq!(s, "→ shell: git status");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
