//! A raw agent log handed over whole (pasted, piped to `paas compress`, attached to a
//! session): which tool wrote it, told by its content, and its turns in order through the
//! same parsers as capture — thinking and JSON envelopes dropped, tool calls and results
//! summarised as tool turns.

use super::{claude, codex, gemini, Capture, Lines, Turn};
use serde_json::Value;

/// The agent log formats recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentLog {
    /// Claude Code session JSONL (`{"parentUuid":…,"sessionId":…,"type":"user",…}`).
    Claude,
    /// Codex CLI rollout JSONL (`session_meta`, `response_item`, `event_msg`; or the
    /// older layout of bare `{"type":"message","role":…}` records).
    Codex,
    /// Gemini CLI chat JSONL (a metadata line, then `{"id","type":"user"|"gemini",…}`).
    Gemini,
    /// Gemini CLI's older whole-file record (`{"sessionId", "messages": […]}`).
    GeminiRecord,
}

/// How many leading non-empty lines decide the format.
const SAMPLE: usize = 40;

/// The format of `text`, when it is a raw agent log (most of its first lines are JSON
/// objects of one tool's shape); `None` for anything else.
pub fn detect(text: &str) -> Option<AgentLog> {
    let head = text.trim_start();
    if !head.starts_with('{') {
        return None;
    }
    // a whole JSON document: Gemini's older record
    if !head.contains("}\n{") && !head.contains("}\r\n{") {
        if let Ok(v) = serde_json::from_str::<Value>(head) {
            let record = v.get("messages").is_some_and(Value::is_array)
                && (v.get("sessionId").is_some() || v.get("projectHash").is_some());
            return record.then_some(AgentLog::GeminiRecord);
        }
    }
    let (mut objects, mut lines) = (0usize, 0usize);
    let (mut claude, mut codex, mut gemini) = (0usize, 0usize, 0usize);
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(SAMPLE)
    {
        lines += 1;
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if !v.is_object() {
            continue;
        }
        objects += 1;
        let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
        let has = |k: &str| v.get(k).is_some();
        if has("parentUuid") || (has("uuid") && has("sessionId")) || (has("message") && has("uuid"))
        {
            claude += 1;
        } else if matches!(
            ty,
            "session_meta" | "response_item" | "event_msg" | "turn_context" | "compacted"
        ) || has("record_type")
            || (ty == "message" && has("role"))
            || (has("instructions") && has("timestamp") && has("id"))
            || matches!(ty, "function_call" | "function_call_output" | "reasoning")
        {
            codex += 1;
        } else if has("projectHash")
            || ty == "gemini"
            || (has("id") && has("content") && matches!(ty, "user" | "info" | "error"))
            || has("$set")
            || has("$rewindTo")
        {
            gemini += 1;
        }
    }
    // most of the sampled lines are JSON objects, and most of those one tool's shape
    if lines == 0 || objects * 2 < lines {
        return None;
    }
    let best = claude.max(codex).max(gemini);
    if best * 2 < objects {
        return None;
    }
    Some(if best == claude {
        AgentLog::Claude
    } else if best == codex {
        AgentLog::Codex
    } else {
        AgentLog::Gemini
    })
}

/// The turns of a raw agent log in the order they were said (sessions by their start),
/// or `None` when `text` is not one.
pub fn turns(text: &str) -> Option<(AgentLog, Vec<Turn>)> {
    let format = detect(text)?;
    let mut bytes = text.as_bytes().to_vec();
    // a whole file: its last line is complete even without a line break
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    let mut capture = Capture::default();
    match format {
        AgentLog::Claude => claude::feed(&mut capture, &mut Lines::default(), &bytes),
        AgentLog::Codex => codex::feed(&mut capture, &mut codex::CodexFile::new("log"), &bytes),
        AgentLog::Gemini => gemini::feed(
            &mut capture,
            &mut gemini::GeminiFile::new("log", None),
            &bytes,
        ),
        AgentLog::GeminiRecord => gemini::read_record(
            &mut capture,
            &mut gemini::GeminiFile::new("log", None),
            &bytes,
        ),
    }
    let mut sessions: Vec<_> = capture.sessions.into_values().collect();
    sessions.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
    let turns: Vec<Turn> = sessions
        .into_iter()
        .flat_map(|s| s.turns)
        .filter(|t| !t.text.trim().is_empty())
        .collect();
    Some((format, turns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::capture::Speaker;

    const CLAUDE: &str = concat!(
        r#"{"parentUuid":null,"isSidechain":false,"type":"user","sessionId":"s1","uuid":"u1","timestamp":"2026-03-01T10:00:00.000Z","cwd":"/work/shop","message":{"role":"user","content":"Add a cart page. Do not touch the payment module."}}"#,
        "\n",
        r#"{"parentUuid":"u1","type":"assistant","sessionId":"s1","uuid":"a1","requestId":"r1","timestamp":"2026-03-01T10:00:05.000Z","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"thinking","thinking":"secret musing"},{"type":"text","text":"I will add src/cart.rs."},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"cargo test"}}],"usage":{"input_tokens":10,"output_tokens":5}}}"#,
        "\n",
        r#"{"parentUuid":"a1","type":"user","sessionId":"s1","uuid":"u2","timestamp":"2026-03-01T10:00:09.000Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"test result: ok. 3 passed"}]}}"#,
    );

    #[test]
    fn a_claude_code_log_reads_as_its_turns_without_envelopes() {
        assert_eq!(detect(CLAUDE), Some(AgentLog::Claude));
        let (_, turns) = turns(CLAUDE).unwrap();
        let texts: Vec<_> = turns.iter().map(|t| (t.speaker, t.text.as_str())).collect();
        assert_eq!(
            texts[0],
            (
                Speaker::User,
                "Add a cart page. Do not touch the payment module."
            )
        );
        assert!(texts.contains(&(Speaker::Assistant, "I will add src/cart.rs.")));
        assert!(texts
            .iter()
            .any(|(s, t)| *s == Speaker::Tool && t.contains("cargo test")));
        let all: String = turns.iter().map(|t| t.text.as_str()).collect();
        assert!(!all.contains("parentUuid") && !all.contains("secret musing"));
    }

    #[test]
    fn a_codex_rollout_is_told_apart() {
        let log = concat!(
            r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"session_meta","payload":{"id":"c1","cwd":"/work/shop"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"Fix the failing login test."}]}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"The session cookie was not set; fixed in auth.rs."}]}}"#,
            "\n"
        );
        assert_eq!(detect(log), Some(AgentLog::Codex));
        let (_, turns) = turns(log).unwrap();
        assert!(turns
            .iter()
            .any(|t| t.speaker == Speaker::User && t.text == "Fix the failing login test."));
        assert!(turns
            .iter()
            .all(|t| !t.text.contains("session_meta") && !t.text.contains("payload")));
    }

    #[test]
    fn prose_markdown_and_json_of_other_shapes_are_not_agent_logs() {
        assert_eq!(detect("### User\n\nhello\n\n### Assistant\n\nhi\n"), None);
        assert_eq!(detect(r#"{"name":"a bundle","version":1}"#), None);
        assert_eq!(detect("{\"a\":1}\nplain text\nmore text\nand more\n"), None);
        assert_eq!(detect(""), None);
    }
}
