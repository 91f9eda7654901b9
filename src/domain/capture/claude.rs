//! Claude Code transcripts: `~/.claude/projects/<encoded cwd>/<session>.jsonl`, one JSON
//! object per line. Assistant responses are written one line per content block, every line
//! repeating the message's usage: a call is counted once per `message.id` + `requestId`,
//! keeping the largest copy (streamed usage grows), and a main copy over a side one.
//! Thinking is dropped, tool calls and results are summarised, usage embedded in progress
//! lines is not counted (subagents have files of their own).

use super::{redact::redact, time_of, tool_call_summary, truncate, u64_of, Capture, Lines};
use super::{Speaker, Tokens, Turn, Usage};
use serde_json::Value;

/// Feeds the next bytes of one transcript file (`lines` is that file's position).
pub fn feed(capture: &mut Capture, lines: &mut Lines, bytes: &[u8]) {
    for line in lines.feed(bytes) {
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => record(capture, &v),
            _ => capture.skipped_lines += 1,
        }
    }
}

fn record(capture: &mut Capture, v: &Value) {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "user" && kind != "assistant" {
        return;
    }
    let Some(session_id) = v.get("sessionId").and_then(Value::as_str) else {
        capture.skipped_lines += 1;
        return;
    };
    let at = time_of(v, "timestamp");
    let uuid = v
        .get("uuid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let sidechain = v.get("isSidechain").and_then(Value::as_bool) == Some(true);
    static NULL: Value = Value::Null;
    let message = v.get("message").unwrap_or(&NULL);
    // a line copied by a resume or a second compaction keeps its uuid: one turn
    let new_turns: Vec<Turn> = if sidechain {
        Vec::new()
    } else {
        turns(kind, v, message, &uuid, at)
            .into_iter()
            .filter(|t| capture.first_sight(session_id, &t.key))
            .collect()
    };
    let session = capture
        .sessions
        .entry(session_id.to_owned())
        .or_insert_with(|| super::ToolSession {
            id: session_id.to_owned(),
            ..Default::default()
        });
    if let Some(cwd) = v.get("cwd").and_then(Value::as_str) {
        session.cwd = Some(cwd.to_owned());
    }
    if let Some(b) = v
        .get("gitBranch")
        .and_then(Value::as_str)
        .filter(|b| !b.is_empty())
    {
        session.git_branch = Some(b.to_owned());
    }
    session.seen(at);
    for t in new_turns {
        session.push_turn(t);
    }
    if kind == "assistant" {
        let model = message.get("model").and_then(Value::as_str).unwrap_or("");
        let usage = message.get("usage");
        if let (false, Some(u), Some(at)) = (model == "<synthetic>" || model.is_empty(), usage, at)
        {
            let id = message.get("id").and_then(Value::as_str).unwrap_or(&uuid);
            let request = v.get("requestId").and_then(Value::as_str).unwrap_or("");
            capture.keep_usage(Usage {
                key: format!("{id}:{request}"),
                session: session_id.to_owned(),
                model: model.to_owned(),
                model_assumed: false,
                tokens: Tokens {
                    input: u64_of(u, "input_tokens"),
                    output: u64_of(u, "output_tokens"),
                    cache_write: u64_of(u, "cache_creation_input_tokens"),
                    cache_read: u64_of(u, "cache_read_input_tokens"),
                },
                at,
                sidechain,
                reported_cost_micros: None,
            });
        }
    }
}

fn turns(
    kind: &str,
    line: &Value,
    message: &Value,
    uuid: &str,
    at: Option<crate::domain::time::Timestamp>,
) -> Vec<Turn> {
    let meta = line.get("isMeta").and_then(Value::as_bool) == Some(true);
    let speaker = if kind == "user" {
        Speaker::User
    } else {
        Speaker::Assistant
    };
    let mut out = Vec::new();
    let mut push = |i: usize, speaker: Speaker, text: String| {
        let text = redact(text.trim());
        if !text.is_empty() {
            out.push(Turn {
                key: format!("{uuid}#{i}"),
                speaker,
                text,
                at,
            });
        }
    };
    match message.get("content") {
        Some(Value::String(s)) if !meta => push(0, speaker, s.clone()),
        Some(Value::Array(blocks)) => {
            for (i, b) in blocks.iter().enumerate() {
                match b.get("type").and_then(Value::as_str) {
                    Some("text") if !meta => {
                        let t = b.get("text").and_then(Value::as_str).unwrap_or("");
                        push(i, speaker, t.to_owned());
                    }
                    Some("tool_use") => {
                        let name = b.get("name").and_then(Value::as_str).unwrap_or("tool");
                        let input = b.get("input").cloned().unwrap_or(Value::Null);
                        push(i, Speaker::Tool, tool_call_summary(name, &input));
                    }
                    Some("tool_result") => {
                        let error = b.get("is_error").and_then(Value::as_bool) == Some(true);
                        let content = b.get("content").map(super::value_text).unwrap_or_default();
                        let arrow = if error { "← error: " } else { "← " };
                        let first: String = content.lines().take(4).collect::<Vec<_>>().join(" ");
                        push(
                            i,
                            Speaker::Tool,
                            format!("{arrow}{}", truncate(&first, 300)),
                        );
                    }
                    // thinking and images are not part of what a next session reads
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::capture::Speaker;

    /// A synthetic transcript: a prompt, a response streamed over three lines (usage
    /// growing from 1 to 135 output tokens), a tool call and result, a synthetic error
    /// line, a progress line with embedded usage, and a junk line.
    pub const SAMPLE: &str = concat!(
        r#"{"type":"user","sessionId":"s1","uuid":"u1","timestamp":"2026-03-01T10:00:00.000Z","cwd":"/home/ann/shop","gitBranch":"main","message":{"role":"user","content":"Add a cart page with totals"}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a1","requestId":"r1","timestamp":"2026-03-01T10:00:05.000Z","cwd":"/home/ann/shop","message":{"id":"m1","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"thinking","thinking":"secret plan"}],"usage":{"input_tokens":10,"output_tokens":1,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000}}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a2","requestId":"r1","timestamp":"2026-03-01T10:00:06.000Z","message":{"id":"m1","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"text","text":"I will add it."}],"usage":{"input_tokens":10,"output_tokens":1,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000}}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a3","requestId":"r1","timestamp":"2026-03-01T10:00:07.000Z","message":{"id":"m1","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"cargo test"}}],"usage":{"input_tokens":10,"output_tokens":135,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000}}}"#,
        "\n",
        r#"{"type":"user","sessionId":"s1","uuid":"u2","timestamp":"2026-03-01T10:00:09.000Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"test result: ok. 3 passed","is_error":false}]}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a4","timestamp":"2026-03-01T10:00:10.000Z","message":{"id":"m2","model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"API Error"}],"usage":{"input_tokens":0,"output_tokens":0}}}"#,
        "\n",
        r#"{"type":"progress","sessionId":"s1","uuid":"p1","data":{"type":"agent_progress","message":{"message":{"id":"m9","usage":{"input_tokens":999,"output_tokens":999}}}}}"#,
        "\n",
        "not json at all\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a5","requestId":"r2","timestamp":"2026-03-01T10:01:00.000Z","message":{"id":"m3","model":"claude-haiku-4-5-20251001","role":"assistant","content":[{"type":"text","text":"Done: cart page with totals. Key sk-ant-api03-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234AA"}],"usage":{"input_tokens":7,"output_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":6000}}}"#,
        "\n",
    );

    pub fn parse(bytes: &[u8]) -> Capture {
        let mut c = Capture::default();
        let mut l = Lines::default();
        feed(&mut c, &mut l, bytes);
        c
    }

    #[test]
    fn a_transcript_becomes_a_session_with_usage_counted_once() {
        let c = parse(SAMPLE.as_bytes());
        assert_eq!(c.sessions.len(), 1);
        let s = &c.sessions["s1"];
        assert_eq!(s.cwd.as_deref(), Some("/home/ann/shop"));
        assert_eq!(s.git_branch.as_deref(), Some("main"));
        assert_eq!(
            s.first_request.as_deref(),
            Some("Add a cart page with totals")
        );
        let texts: Vec<(Speaker, &str)> = s
            .turns
            .iter()
            .map(|t| (t.speaker, t.text.as_str()))
            .collect();
        assert_eq!(texts[0], (Speaker::User, "Add a cart page with totals"));
        assert_eq!(texts[1], (Speaker::Assistant, "I will add it."));
        assert_eq!(texts[2], (Speaker::Tool, "→ Bash: cargo test"));
        assert_eq!(texts[3], (Speaker::Tool, "← test result: ok. 3 passed"));
        assert!(
            s.turns.iter().all(|t| !t.text.contains("secret plan")),
            "thinking dropped"
        );
        assert!(texts[5].1.contains("[redacted"), "{}", texts[5].1);
        assert!(!texts[5].1.contains("sk-ant-api03"));
        // m1 once, with its largest copy; the synthetic and progress lines not at all
        assert_eq!(c.usage.len(), 2);
        let m1 = &c.usage["m1:r1"];
        assert_eq!(
            m1.tokens,
            Tokens {
                input: 10,
                output: 135,
                cache_write: 1000,
                cache_read: 5000
            }
        );
        assert_eq!(c.tokens().output, 155);
        assert_eq!(c.skipped_lines, 1);
        assert_eq!(s.started_at.unwrap().to_rfc3339(), "2026-03-01T10:00:00Z");
        assert_eq!(s.ended_at.unwrap().to_rfc3339(), "2026-03-01T10:01:00Z");
    }

    #[test]
    fn a_resumed_session_copying_earlier_lines_counts_them_once() {
        let mut c = Capture::default();
        let (mut first, mut second) = (Lines::default(), Lines::default());
        feed(&mut c, &mut first, SAMPLE.as_bytes());
        let before = c.clone();
        // the resumed file starts with copies of the earlier lines
        feed(&mut c, &mut second, SAMPLE.as_bytes());
        assert_eq!(c.usage, before.usage);
        assert_eq!(c.turn_count(), before.turn_count());
        let more = r#"{"type":"user","sessionId":"s1","uuid":"u9","timestamp":"2026-03-01T12:00:00.000Z","message":{"role":"user","content":"Now the checkout"}}"#;
        feed(&mut c, &mut second, format!("{more}\n").as_bytes());
        assert_eq!(c.turn_count(), before.turn_count() + 1);
    }

    proptest::proptest! {
        /// Fed in two parts split at any byte, a transcript gives what it gives whole.
        #[test]
        fn any_split_gives_the_same_capture(cut in 0usize..SAMPLE.len()) {
            let bytes = SAMPLE.as_bytes();
            let mut c = Capture::default();
            let mut l = Lines::default();
            feed(&mut c, &mut l, &bytes[..cut]);
            feed(&mut c, &mut l, &bytes[cut..]);
            proptest::prop_assert_eq!(c, parse(bytes));
        }
    }

    #[test]
    fn a_line_cut_in_the_middle_waits_for_the_rest() {
        let bytes = SAMPLE.as_bytes();
        let cut = SAMPLE.find("I will add").unwrap();
        let mut c = Capture::default();
        let mut l = Lines::default();
        feed(&mut c, &mut l, &bytes[..cut]);
        assert_eq!(c.sessions["s1"].turns.len(), 1);
        assert!(l.pending_len() > 0);
        feed(&mut c, &mut l, &bytes[cut..]);
        assert_eq!(c, parse(bytes));
        assert_eq!(l.consumed, bytes.len() as u64);
    }
}
