//! Gemini CLI chats: `~/.gemini/tmp/<project>/chats/session-….jsonl` (v0.39 and later,
//! appended) — a metadata line, then one line per message (`{id, timestamp, type, content,
//! model, toolCalls, thoughts, tokens}`) where a message that changes is written again whole
//! (the last copy wins: its usage is the largest), `{"$set": …}` metadata updates and
//! `{"$rewindTo": id}` — and the older single `.json` record (`{sessionId, messages[]}`)
//! rewritten in full, which is read whole each time. Thoughts are dropped, tool calls
//! summarised. Gemini logs name no working directory: the scanner passes the project's
//! root when `projects.json` tells it.

use super::{redact::redact, time_of, tool_call_summary, truncate, u64_of, Capture, Lines};
use super::{Speaker, Tokens, ToolSession, Turn, Usage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The model Gemini CLI used when a message names none.
pub const DEFAULT_MODEL: &str = "gemini-2.5-pro";

/// What one chat file has told so far (kept with the file's offset between scans).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GeminiFile {
    pub lines: Lines,
    /// The session id: the metadata's, or the name the file was opened under.
    pub session: String,
    /// The project root, when known.
    pub cwd: Option<String>,
}

impl GeminiFile {
    pub fn new(fallback_id: &str, cwd: Option<String>) -> Self {
        Self {
            session: fallback_id.to_owned(),
            cwd,
            ..Default::default()
        }
    }
}

/// Feeds the next bytes of an appended `.jsonl` chat file.
pub fn feed(capture: &mut Capture, file: &mut GeminiFile, bytes: &[u8]) {
    for line in file.lines.feed(bytes) {
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => record_line(capture, file, &v),
            _ => capture.skipped_lines += 1,
        }
    }
}

/// Reads a whole legacy `.json` record (`{sessionId, startTime, messages: […]}`).
pub fn read_record(capture: &mut Capture, file: &mut GeminiFile, bytes: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        capture.skipped_lines += 1;
        return;
    };
    set_meta(capture, file, &v);
    if let Some(messages) = v.get("messages").and_then(Value::as_array) {
        for m in messages {
            message(capture, file, m);
        }
    }
}

fn record_line(capture: &mut Capture, file: &mut GeminiFile, v: &Value) {
    if let Some(meta) = v.get("$set") {
        set_meta(capture, file, meta);
    } else if v.get("$rewindTo").is_some() {
        // what was rewound stays recorded: it was said, and it may have been billed
    } else if v.get("type").is_some() && v.get("id").is_some() {
        message(capture, file, v);
    } else {
        set_meta(capture, file, v);
    }
}

fn session<'c>(capture: &'c mut Capture, file: &GeminiFile) -> &'c mut ToolSession {
    let s = capture
        .sessions
        .entry(file.session.clone())
        .or_insert_with(|| ToolSession {
            id: file.session.clone(),
            ..Default::default()
        });
    if s.cwd.is_none() {
        s.cwd.clone_from(&file.cwd);
    }
    s
}

fn set_meta(capture: &mut Capture, file: &mut GeminiFile, v: &Value) {
    if let Some(id) = v.get("sessionId").and_then(Value::as_str) {
        // the first line names the session before any message
        if capture
            .sessions
            .get(&file.session)
            .is_none_or(|s| s.turns.is_empty())
        {
            capture.sessions.remove(&file.session);
            file.session = id.to_owned();
        }
    }
    let at = time_of(v, "startTime");
    session(capture, file).seen(at);
}

fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str).or(p.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(_) => v
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

fn message(capture: &mut Capture, file: &GeminiFile, m: &Value) {
    let id = match m.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => {
            capture.skipped_lines += 1;
            return;
        }
    };
    let kind = m.get("type").and_then(Value::as_str).unwrap_or("");
    let at = time_of(m, "timestamp");
    let mut turns = Vec::new();
    match kind {
        "user" => {
            let text = content_text(m.get("content").unwrap_or(&Value::Null));
            if !text.trim().is_empty() {
                turns.push(Turn {
                    key: id.clone(),
                    speaker: Speaker::User,
                    text: redact(&truncate(&text, 20_000)),
                    at,
                });
            }
        }
        "gemini" | "model" | "assistant" => {
            let text = content_text(m.get("content").unwrap_or(&Value::Null));
            if !text.trim().is_empty() {
                turns.push(Turn {
                    key: id.clone(),
                    speaker: Speaker::Assistant,
                    text: redact(&truncate(&text, 20_000)),
                    at,
                });
            }
            for (i, call) in m
                .get("toolCalls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let name = call.get("name").and_then(Value::as_str).unwrap_or("tool");
                let args = call.get("args").unwrap_or(&Value::Null);
                let mut line = tool_call_summary(name, args);
                if let Some(status) = call.get("status").and_then(Value::as_str) {
                    line.push_str(&format!(" ({status})"));
                }
                turns.push(Turn {
                    key: format!("{id}/tool{i}"),
                    speaker: Speaker::Tool,
                    text: redact(&line),
                    at,
                });
            }
        }
        _ => {}
    }
    let fresh: Vec<Turn> = turns
        .into_iter()
        .filter(|t| capture.first_sight(&file.session, &t.key))
        .collect();
    let s = session(capture, file);
    s.seen(at);
    for t in fresh {
        s.push_turn(t);
    }
    if let (Some(tokens), Some(at)) = (m.get("tokens").filter(|t| t.is_object()), at) {
        let input = u64_of(tokens, "input");
        let cached = u64_of(tokens, "cached").min(input);
        let output = u64_of(tokens, "output").saturating_add(u64_of(tokens, "thoughts"));
        let model = m
            .get("model")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        capture.keep_usage(Usage {
            key: format!("gemini:{}:{id}", file.session),
            session: file.session.clone(),
            model: model.unwrap_or(DEFAULT_MODEL).to_owned(),
            model_assumed: model.is_none(),
            tokens: Tokens {
                input: input - cached,
                output,
                cache_write: 0,
                cache_read: cached,
            },
            at,
            sidechain: false,
            reported_cost_micros: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = concat!(
        r#"{"sessionId":"g-1","projectHash":"ab12","startTime":"2026-05-01T09:00:00.000Z","kind":"main"}"#,
        "\n",
        r#"{"id":"m1","timestamp":"2026-05-01T09:00:05.000Z","type":"user","content":"make the tests pass"}"#,
        "\n",
        r#"{"id":"m2","timestamp":"2026-05-01T09:00:09.000Z","type":"gemini","content":"Running them.","model":"gemini-2.5-pro","thoughts":[{"subject":"plan","description":"secret plan"}],"toolCalls":[{"id":"c1","name":"run_shell_command","args":{"command":"cargo test"},"status":"executing"}]}"#,
        "\n",
        // the same message again, now with its usage: the last copy wins
        r#"{"id":"m2","timestamp":"2026-05-01T09:00:09.000Z","type":"gemini","content":"Running them.","model":"gemini-2.5-pro","toolCalls":[{"id":"c1","name":"run_shell_command","args":{"command":"cargo test"},"status":"success"}],"tokens":{"input":1200,"output":80,"cached":1000,"thoughts":20,"tool":0,"total":1300}}"#,
        "\n",
        r#"{"$set":{"lastUpdated":"2026-05-01T09:01:00.000Z"}}"#,
        "\n",
        r#"{"id":"m3","timestamp":"2026-05-01T09:02:00.000Z","type":"gemini","content":[{"text":"All green."}],"model":"gemini-9-ultra","tokens":{"input":50,"output":5}}"#,
        "\n",
        "not json\n",
    );

    fn parse(bytes: &[u8]) -> Capture {
        let mut c = Capture::default();
        let mut f = GeminiFile::new("session-2026-05-01T09-00-g1", Some("/src/shop".into()));
        feed(&mut c, &mut f, bytes);
        c
    }

    #[test]
    fn messages_tools_and_the_last_copy_of_usage() {
        let c = parse(SAMPLE.as_bytes());
        let s = &c.sessions["g-1"];
        assert_eq!(s.cwd.as_deref(), Some("/src/shop"));
        assert_eq!(s.first_request.as_deref(), Some("make the tests pass"));
        let texts: Vec<&str> = s.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "make the tests pass",
                "Running them.",
                "→ run_shell_command: cargo test (executing)",
                "All green."
            ]
        );
        assert!(
            !texts.iter().any(|t| t.contains("secret plan")),
            "thoughts dropped"
        );
        let u = &c.usage["gemini:g-1:m2"];
        assert_eq!(
            u.tokens,
            Tokens {
                input: 200,
                output: 100,
                cache_write: 0,
                cache_read: 1000
            }
        );
        // an unknown model is kept as named (the price table flags it)
        assert_eq!(c.usage["gemini:g-1:m3"].model, "gemini-9-ultra");
        assert_eq!(c.skipped_lines, 1);
        assert_eq!(s.started_at, Timestamp::parse("2026-05-01T09:00:00Z"));
    }

    use crate::domain::time::Timestamp;

    #[test]
    fn the_legacy_record_is_read_whole() {
        let record = r#"{"sessionId":"old-1","startTime":"2026-03-01T10:00:00Z","messages":[
            {"id":"a","timestamp":"2026-03-01T10:00:00Z","type":"user","content":"hi"},
            {"id":"b","timestamp":"2026-03-01T10:00:02Z","type":"gemini","content":"hello","tokens":{"input":10,"output":2}}]}"#;
        let mut c = Capture::default();
        let mut f = GeminiFile::new("old", None);
        read_record(&mut c, &mut f, record.as_bytes());
        // rewritten with one more message: read again, nothing twice
        read_record(&mut c, &mut f, record.as_bytes());
        let s = &c.sessions["old-1"];
        assert_eq!(s.turns.len(), 2);
        assert_eq!(c.usage.len(), 1);
        assert_eq!(c.usage["gemini:old-1:b"].model, DEFAULT_MODEL);
        assert!(c.usage["gemini:old-1:b"].model_assumed);
    }

    proptest::proptest! {
        /// Fed in two parts split at any byte, a chat file gives what it gives whole.
        #[test]
        fn any_split_gives_the_same_capture(cut in 0usize..SAMPLE.len()) {
            let bytes = SAMPLE.as_bytes();
            let mut c = Capture::default();
            let mut f = GeminiFile::new("session-2026-05-01T09-00-g1", Some("/src/shop".into()));
            feed(&mut c, &mut f, &bytes[..cut]);
            feed(&mut c, &mut f, &bytes[cut..]);
            proptest::prop_assert_eq!(c, parse(bytes));
        }
    }
}
