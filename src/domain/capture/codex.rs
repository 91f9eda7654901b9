//! Codex CLI rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-…-<uuid>.jsonl`. Lines are
//! `{timestamp, type, payload}`: `session_meta` (id, cwd, git), `turn_context` (model),
//! `response_item` (messages, tool calls and their output, reasoning), `event_msg`
//! (`token_count` with cumulative totals and the vendor's rate-limit windows). Usage is the
//! change of the cumulative totals (re-emitted unchanged totals count nothing; totals that
//! go backwards fall back to the last call's). The first layout (September 2025: bare
//! response items after a `{id, instructions, git}` line, no token counts) is read too.

use super::{redact::redact, time_of, tool_call_summary, truncate, u64_of, Capture, Lines};
use super::{RateWindow, Speaker, Tokens, ToolSession, Turn, Usage};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The model Codex used when a log names none (its default at the time).
pub const DEFAULT_MODEL: &str = "gpt-5";

/// Cumulative token counts of a Codex thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
}

impl Totals {
    fn of(v: &Value) -> Option<Self> {
        v.is_object().then(|| Self {
            input: u64_of(v, "input_tokens"),
            cached: u64_of(v, "cached_input_tokens"),
            output: u64_of(v, "output_tokens"),
        })
    }

    fn covers(&self, o: &Totals) -> bool {
        self.input >= o.input && self.cached >= o.cached && self.output >= o.output
    }

    fn minus(&self, o: &Totals) -> Totals {
        Totals {
            input: self.input - o.input,
            cached: self.cached - o.cached,
            output: self.output - o.output,
        }
    }

    /// Billed tokens: cached input is read from the cache, the rest is plain input.
    fn tokens(&self) -> Tokens {
        Tokens {
            input: self.input.saturating_sub(self.cached),
            output: self.output,
            cache_write: 0,
            cache_read: self.cached.min(self.input),
        }
    }
}

/// What one rollout file has told so far (kept with the file's offset between scans).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CodexFile {
    pub lines: Lines,
    /// The session id: the rollout's own, or the name it was opened under.
    pub session: String,
    pub model: Option<String>,
    pub last_totals: Option<Totals>,
    pub turns_seen: u64,
}

impl CodexFile {
    /// A file whose session is named `fallback_id` until its `session_meta` says otherwise.
    pub fn new(fallback_id: &str) -> Self {
        Self {
            session: fallback_id.to_owned(),
            ..Default::default()
        }
    }
}

/// Feeds the next bytes of one rollout file.
pub fn feed(capture: &mut Capture, file: &mut CodexFile, bytes: &[u8]) {
    let lines = file.lines.feed(bytes);
    for line in lines {
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => record(capture, file, &v),
            _ => capture.skipped_lines += 1,
        }
    }
}

fn session<'a>(capture: &'a mut Capture, id: &str) -> &'a mut ToolSession {
    capture
        .sessions
        .entry(id.to_owned())
        .or_insert_with(|| ToolSession {
            id: id.to_owned(),
            ..Default::default()
        })
}

fn record(capture: &mut Capture, file: &mut CodexFile, v: &Value) {
    let at = time_of(v, "timestamp");
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    // the first layout: a meta line, then bare items
    if v.get("payload").is_none() {
        if v.get("instructions").is_some() || (kind.is_empty() && v.get("id").is_some()) {
            meta(capture, file, v, at);
        } else if v.get("record_type").is_none() {
            item(capture, file, v, at);
        }
        return;
    }
    let payload = &v["payload"];
    match kind {
        "session_meta" => meta(capture, file, payload, at),
        "turn_context" => {
            if let Some(m) = payload.get("model").and_then(Value::as_str) {
                file.model = Some(m.to_owned());
            }
            if let Some(cwd) = payload.get("cwd").and_then(Value::as_str) {
                let id = file.session.clone();
                session(capture, &id).cwd = Some(cwd.to_owned());
            }
        }
        "response_item" => item(capture, file, payload, at),
        "event_msg" if payload.get("type").and_then(Value::as_str) == Some("token_count") => {
            tokens(capture, file, payload, at)
        }
        _ => {}
    }
}

fn meta(capture: &mut Capture, file: &mut CodexFile, m: &Value, at: Option<Timestamp>) {
    if let Some(id) = m.get("id").and_then(Value::as_str) {
        if id != file.session {
            // what was recorded under the file's name belongs to the rollout's own id
            if let Some(mut s) = capture.sessions.remove(&file.session) {
                s.id = id.to_owned();
                capture.sessions.insert(id.to_owned(), s);
            }
            for u in capture.usage.values_mut() {
                if u.session == file.session {
                    u.session = id.to_owned();
                }
            }
            file.session = id.to_owned();
        }
    }
    let id = file.session.clone();
    let s = session(capture, &id);
    if let Some(cwd) = m.get("cwd").and_then(Value::as_str) {
        s.cwd = Some(cwd.to_owned());
    }
    if let Some(b) = m
        .get("git")
        .and_then(|g| g.get("branch"))
        .and_then(Value::as_str)
    {
        s.git_branch = Some(b.to_owned());
    }
    s.seen(at.or_else(|| time_of(m, "timestamp")));
}

fn item(capture: &mut Capture, file: &mut CodexFile, p: &Value, at: Option<Timestamp>) {
    let kind = p.get("type").and_then(Value::as_str).unwrap_or("");
    let turn = match kind {
        "message" => {
            let speaker = match p.get("role").and_then(Value::as_str) {
                Some("user") => Speaker::User,
                Some("assistant") => Speaker::Assistant,
                _ => return,
            };
            let text = p
                .get("content")
                .and_then(Value::as_array)
                .map(|blocks| {
                    blocks
                        .iter()
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            let t = text.trim_start();
            // context the CLI injects, not the user's words
            if t.starts_with("<environment_context>")
                || t.starts_with("<user_instructions>")
                || t.starts_with("# AGENTS.md")
            {
                return;
            }
            Some((speaker, text))
        }
        "function_call" | "custom_tool_call" => {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("tool");
            let input = p
                .get("arguments")
                .or_else(|| p.get("input"))
                .cloned()
                .unwrap_or(Value::Null);
            Some((Speaker::Tool, tool_call_summary(name, &input)))
        }
        "function_call_output" | "custom_tool_call_output" => {
            let raw = p.get("output").map(super::value_text).unwrap_or_default();
            // outputs are often JSON with the text under "output"
            let text = serde_json::from_str::<Value>(&raw)
                .ok()
                .and_then(|j| j.get("output").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or(raw);
            let line = match sandbox_denial(&text) {
                Some(why) => format!("← error: {}", truncate(&why, 300)),
                None => {
                    let first: String = text.lines().take(4).collect::<Vec<_>>().join(" ");
                    format!("← {}", truncate(&first, 300))
                }
            };
            Some((Speaker::Tool, line))
        }
        // reasoning is not part of what a next session reads
        _ => None,
    };
    let Some((speaker, text)) = turn else { return };
    let text = redact(text.trim());
    file.turns_seen += 1;
    if text.is_empty() {
        return;
    }
    let key = format!("{}#{}", file.session, file.turns_seen);
    let id = file.session.clone();
    session(capture, &id).push_turn(Turn {
        key,
        speaker,
        text,
        at,
    });
}

/// What a command the sandbox refused printed on stderr: Codex reports the refusal as a
/// debug dump (`exec_command failed: CreateProcess { message: "Codex(Sandbox(Denied {
/// output: ExecToolCallOutput { …, stderr: StreamOutput { text: "…" …`), whose start says
/// nothing and whose stderr says why.
fn sandbox_denial(text: &str) -> Option<String> {
    const STDERR: &str = "stderr: StreamOutput { text: ";
    if !text.contains("Sandbox(Denied") {
        return None;
    }
    let start = text.find(STDERR)? + STDERR.len();
    // the value is quoted once per level of debug escaping: skip its opening quote
    let body = text[start..].trim_start_matches(['\\', '"']);
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                while chars.peek() == Some(&'\\') {
                    chars.next();
                }
                match chars.next() {
                    Some('n' | 't' | 'r') => out.push(' '),
                    Some('"') | None => break,
                    Some(other) => out.push(other),
                }
            }
            '"' => break,
            c => out.push(c),
        }
    }
    let why = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!why.is_empty()).then(|| format!("sandbox denied: {why}"))
}

fn tokens(capture: &mut Capture, file: &mut CodexFile, p: &Value, at: Option<Timestamp>) {
    if let Some(limits) = p.get("rate_limits").filter(|r| r.is_object()) {
        if let Some(seen_at) = at {
            let window = |w: Option<&Value>| {
                let w = w.filter(|w| w.is_object())?;
                let resets_at = w
                    .get("resets_at")
                    .and_then(Value::as_i64)
                    .and_then(Timestamp::from_unix)
                    .or_else(|| {
                        w.get("resets_in_seconds")
                            .and_then(Value::as_i64)
                            .map(|s| seen_at.plus_seconds(s))
                    });
                Some(RateWindow {
                    used_percent: w.get("used_percent").and_then(Value::as_f64)?,
                    window_minutes: w.get("window_minutes").and_then(Value::as_i64).unwrap_or(0),
                    resets_at,
                    seen_at,
                })
            };
            let newer = capture
                .rate_limits
                .and_then(|(p, s)| p.or(s))
                .is_none_or(|old| old.seen_at <= seen_at);
            if newer {
                capture.rate_limits = Some((
                    window(limits.get("primary")),
                    window(limits.get("secondary")),
                ));
            }
        }
    }
    let Some(info) = p.get("info").filter(|i| i.is_object()) else {
        return;
    };
    let Some(total) = info.get("total_token_usage").and_then(Totals::of) else {
        return;
    };
    let Some(at) = at else { return };
    let delta = match file.last_totals {
        Some(last) if last == total => return,
        Some(last) if total.covers(&last) => total.minus(&last),
        Some(_) => info
            .get("last_token_usage")
            .and_then(Totals::of)
            .unwrap_or_default(),
        None => total,
    };
    file.last_totals = Some(total);
    let (model, assumed) = match &file.model {
        Some(m) => (m.clone(), false),
        None => (DEFAULT_MODEL.to_owned(), true),
    };
    let key = format!(
        "{}:{}:{}:{}:{}",
        file.session, at, total.input, total.cached, total.output
    );
    let id = file.session.clone();
    session(capture, &id).seen(Some(at));
    capture.keep_usage(Usage {
        key,
        session: id,
        model,
        model_assumed: assumed,
        tokens: delta.tokens(),
        at,
        sidechain: false,
        reported_cost_micros: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_refusal_says_what_stderr_said() {
        let dump = r#"exec_command failed: CreateProcess { message: "Codex(Sandbox(Denied { output: ExecToolCallOutput { exit_code: 1, stdout: StreamOutput { text: \"\", truncated_after_lines: None }, stderr: StreamOutput { text: \"zsh:1: operation not permitted: /home/me/.codex/skills/x\\n\", truncated_after_lines: None } } }))" }"#;
        assert_eq!(
            sandbox_denial(dump).as_deref(),
            Some("sandbox denied: zsh:1: operation not permitted: /home/me/.codex/skills/x")
        );
        assert_eq!(sandbox_denial("exit 1: no such file"), None);
    }

    pub const SAMPLE: &str = concat!(
        r#"{"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"c-1","cwd":"/home/ann/api","git":{"branch":"feature/x"}}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:01.000Z","type":"turn_context","payload":{"cwd":"/home/ann/api","model":"gpt-5-codex"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:02.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>cwd</environment_context>"}]}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:03.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"Fix the flaky login test"}]}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:04.000Z","type":"response_item","payload":{"type":"reasoning","summary":[{"type":"summary_text","text":"thinking"}]}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:05.000Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"cargo\",\"test\"]}","call_id":"c1"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:06.000Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"{\"output\":\"1 failed\",\"metadata\":{}}"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:07.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":600,"output_tokens":50,"reasoning_output_tokens":20,"total_tokens":1050},"last_token_usage":{"input_tokens":1000,"cached_input_tokens":600,"output_tokens":50}},"rate_limits":{"primary":{"used_percent":20.0,"window_minutes":300,"resets_at":1772450000},"secondary":{"used_percent":68.0,"window_minutes":10080,"resets_in_seconds":3600}}}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:08.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":600,"output_tokens":50,"total_tokens":1050},"last_token_usage":{"input_tokens":1000,"cached_input_tokens":600,"output_tokens":50}},"rate_limits":null}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:09.000Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Fixed: the test waited on a timer."}]}}"#,
        "\n",
        r#"{"timestamp":"2026-03-02T09:00:10.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":2500,"cached_input_tokens":1800,"output_tokens":120,"total_tokens":2620},"last_token_usage":{"input_tokens":1500,"cached_input_tokens":1200,"output_tokens":70}}}}"#,
        "\n",
    );

    pub fn parse(bytes: &[u8]) -> Capture {
        let mut c = Capture::default();
        let mut f = CodexFile::new("rollout");
        feed(&mut c, &mut f, bytes);
        c
    }

    #[test]
    fn a_rollout_becomes_a_session_with_the_change_of_its_totals() {
        let c = parse(SAMPLE.as_bytes());
        let s = &c.sessions["c-1"];
        assert_eq!(s.cwd.as_deref(), Some("/home/ann/api"));
        assert_eq!(s.git_branch.as_deref(), Some("feature/x"));
        assert_eq!(s.first_request.as_deref(), Some("Fix the flaky login test"));
        let texts: Vec<&str> = s.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Fix the flaky login test",
                "→ shell: cargo test",
                "← 1 failed",
                "Fixed: the test waited on a timer."
            ]
        );
        // two calls: the re-emitted unchanged totals count nothing
        assert_eq!(c.usage.len(), 2);
        let t = c.tokens();
        assert_eq!(
            t,
            Tokens {
                input: 700,
                output: 120,
                cache_write: 0,
                cache_read: 1800
            }
        );
        assert!(c
            .usage
            .values()
            .all(|u| u.model == "gpt-5-codex" && !u.model_assumed));
        let (primary, secondary) = c.rate_limits.unwrap();
        assert_eq!(primary.unwrap().used_percent, 20.0);
        assert_eq!(primary.unwrap().window_minutes, 300);
        let weekly = secondary.unwrap();
        assert_eq!(
            weekly.resets_at.unwrap().unix() - weekly.seen_at.unix(),
            3600,
            "a relative reset time becomes an instant"
        );
    }

    proptest::proptest! {
        /// Fed in three parts split anywhere, a rollout gives what it gives whole.
        #[test]
        fn any_split_gives_the_same_capture(a in 0usize..SAMPLE.len(), b in 0usize..SAMPLE.len()) {
            let bytes = SAMPLE.as_bytes();
            let (a, b) = (a.min(b), a.max(b));
            let mut c = Capture::default();
            let mut f = CodexFile::new("rollout");
            feed(&mut c, &mut f, &bytes[..a]);
            feed(&mut c, &mut f, &bytes[a..b]);
            feed(&mut c, &mut f, &bytes[b..]);
            proptest::prop_assert_eq!(c, parse(bytes));
        }
    }

    #[test]
    fn totals_that_go_backwards_count_the_last_call() {
        let lines = concat!(
            r#"{"timestamp":"2026-03-02T09:00:07.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":50}}}}"#,
            "\n",
            r#"{"timestamp":"2026-03-02T09:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":300,"cached_input_tokens":0,"output_tokens":10},"last_token_usage":{"input_tokens":300,"cached_input_tokens":0,"output_tokens":10}}}}"#,
            "\n",
        );
        let c = parse(lines.as_bytes());
        assert_eq!(c.tokens().input, 1300);
        // no model in the log: the default, flagged
        assert!(c
            .usage
            .values()
            .all(|u| u.model == DEFAULT_MODEL && u.model_assumed));
        assert!(c.sessions.contains_key("rollout"));
    }
}
