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
    lines.each(bytes, |line| {
        // the common shapes go through borrowed, typed fields (no tree, no copies of what
        // is not kept); anything else through a general JSON value
        let outcome = match serde_json::from_slice::<typed::Line>(line) {
            Ok(l) => typed::parse(&l).map(|p| p.map(|p| apply(capture, p))),
            Err(_) => match serde_json::from_str::<Value>(&String::from_utf8_lossy(line)) {
                Ok(v) if v.is_object() => parse_value(&v).map(|p| p.map(|p| apply(capture, p))),
                _ => Err(()),
            },
        };
        if outcome.is_err() {
            capture.skipped_lines += 1;
        }
    });
}

/// What one transcript line says, whichever way it was read.
struct Parsed<'a> {
    session_id: std::borrow::Cow<'a, str>,
    at: Option<crate::domain::time::Timestamp>,
    sidechain: bool,
    cwd: Option<std::borrow::Cow<'a, str>>,
    git_branch: Option<std::borrow::Cow<'a, str>>,
    turns: Vec<Turn>,
    /// `(dedupe key, model, tokens)` of an assistant line's call.
    usage: Option<(String, std::borrow::Cow<'a, str>, Tokens)>,
}

fn apply(capture: &mut Capture, p: Parsed<'_>) {
    let session_id: &str = &p.session_id;
    // a line copied by a resume or a second compaction keeps its uuid: one turn
    let new_turns: Vec<Turn> = p
        .turns
        .into_iter()
        .filter(|t| capture.first_sight(session_id, &t.key))
        .collect();
    if !capture.sessions.contains_key(session_id) {
        capture.sessions.insert(
            session_id.to_owned(),
            super::ToolSession {
                id: session_id.to_owned(),
                ..Default::default()
            },
        );
    }
    if let Some(session) = capture.sessions.get_mut(session_id) {
        if let Some(cwd) = &p.cwd {
            if session.cwd.as_deref() != Some(cwd) {
                session.cwd = Some(cwd.to_string());
            }
        }
        if let Some(b) = p.git_branch.as_ref().filter(|b| !b.is_empty()) {
            if session.git_branch.as_deref() != Some(b) {
                session.git_branch = Some(b.to_string());
            }
        }
        session.seen(p.at);
        for t in new_turns {
            session.push_turn(t);
        }
    }
    if let (Some((key, model, tokens)), Some(at)) = (p.usage, p.at) {
        capture.keep_usage(Usage {
            key,
            session: session_id.to_owned(),
            model: model.into_owned(),
            model_assumed: false,
            tokens,
            at,
            sidechain: p.sidechain,
            reported_cost_micros: None,
        });
    }
}

/// A line read as a general JSON value. `Ok(None)`: a line of a kind that says nothing
/// here; `Err`: a line that should have said something and did not.
fn parse_value(v: &Value) -> Result<Option<Parsed<'_>>, ()> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "user" && kind != "assistant" {
        return Ok(None);
    }
    let session_id = v.get("sessionId").and_then(Value::as_str).ok_or(())?;
    let at = time_of(v, "timestamp");
    let uuid = v.get("uuid").and_then(Value::as_str).unwrap_or("");
    let sidechain = v.get("isSidechain").and_then(Value::as_bool) == Some(true);
    static NULL: Value = Value::Null;
    let message = v.get("message").unwrap_or(&NULL);
    let meta = v.get("isMeta").and_then(Value::as_bool) == Some(true);
    let turns = if sidechain {
        Vec::new()
    } else {
        turns(kind, meta, message, uuid, at)
    };
    let mut usage = None;
    if kind == "assistant" {
        let model = message.get("model").and_then(Value::as_str).unwrap_or("");
        if let (false, Some(u)) = (
            model == "<synthetic>" || model.is_empty(),
            message.get("usage"),
        ) {
            let id = message.get("id").and_then(Value::as_str).unwrap_or(uuid);
            let request = v.get("requestId").and_then(Value::as_str).unwrap_or("");
            usage = Some((
                format!("{id}:{request}"),
                std::borrow::Cow::Borrowed(model),
                Tokens {
                    input: u64_of(u, "input_tokens"),
                    output: u64_of(u, "output_tokens"),
                    cache_write: u64_of(u, "cache_creation_input_tokens"),
                    cache_read: u64_of(u, "cache_read_input_tokens"),
                },
            ));
        }
    }
    Ok(Some(Parsed {
        session_id: std::borrow::Cow::Borrowed(session_id),
        at,
        sidechain,
        cwd: v
            .get("cwd")
            .and_then(Value::as_str)
            .map(std::borrow::Cow::Borrowed),
        git_branch: v
            .get("gitBranch")
            .and_then(Value::as_str)
            .map(std::borrow::Cow::Borrowed),
        turns,
        usage,
    }))
}

/// The usual line shapes as borrowed, typed fields: fields nobody reads are skipped
/// without being built, strings without escapes are not copied.
mod typed {
    use super::{push_turn_text, tool_result_summary, Parsed};
    use crate::domain::capture::{tool_call_summary, Speaker, Tokens, Turn};
    use serde::Deserialize;
    use serde_json::value::RawValue;
    use std::borrow::Cow;

    #[derive(Deserialize)]
    pub struct Line<'a> {
        #[serde(rename = "type", borrow, default)]
        kind: Option<Cow<'a, str>>,
        #[serde(rename = "sessionId", borrow, default)]
        session_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        uuid: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        timestamp: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        cwd: Option<Cow<'a, str>>,
        #[serde(rename = "gitBranch", borrow, default)]
        git_branch: Option<Cow<'a, str>>,
        #[serde(rename = "isSidechain", default)]
        is_sidechain: Option<bool>,
        #[serde(rename = "isMeta", default)]
        is_meta: Option<bool>,
        #[serde(rename = "requestId", borrow, default)]
        request_id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        message: Option<Message<'a>>,
    }

    #[derive(Deserialize)]
    struct Message<'a> {
        #[serde(borrow, default)]
        id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        model: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        content: Option<Content<'a>>,
        #[serde(default)]
        usage: Option<UsageFields>,
    }

    #[derive(Deserialize)]
    struct UsageFields {
        #[serde(default)]
        input_tokens: Option<serde_json::Number>,
        #[serde(default)]
        output_tokens: Option<serde_json::Number>,
        #[serde(default)]
        cache_creation_input_tokens: Option<serde_json::Number>,
        #[serde(default)]
        cache_read_input_tokens: Option<serde_json::Number>,
    }

    #[derive(Deserialize)]
    struct Block<'a> {
        #[serde(rename = "type", borrow, default)]
        kind: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        input: Option<&'a RawValue>,
        #[serde(borrow, default)]
        content: Option<Content<'a>>,
        #[serde(default)]
        is_error: Option<bool>,
    }

    /// A message's or a tool result's content: a string, a list of blocks, or something
    /// else (ignored). Read in one pass, strings borrowed.
    enum Content<'a> {
        Text(Cow<'a, str>),
        Blocks(Vec<Block<'a>>),
        Other,
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
            struct V<'a>(std::marker::PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Content<'a>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("message content")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Content<'a>, E> {
                    Ok(Content::Text(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Content<'a>, E> {
                    Ok(Content::Text(Cow::Owned(v.to_owned())))
                }
                fn visit_string<E>(self, v: String) -> Result<Content<'a>, E> {
                    Ok(Content::Text(Cow::Owned(v)))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content<'a>, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = seq.next_element::<Block<'a>>()? {
                        out.push(b);
                    }
                    Ok(Content::Blocks(out))
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Content<'a>, A::Error> {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    Ok(Content::Other)
                }
                fn visit_unit<E>(self) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
                fn visit_none<E>(self) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
                fn visit_bool<E>(self, _: bool) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
                fn visit_i64<E>(self, _: i64) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
                fn visit_u64<E>(self, _: u64) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
                fn visit_f64<E>(self, _: f64) -> Result<Content<'a>, E> {
                    Ok(Content::Other)
                }
            }
            d.deserialize_any(V(std::marker::PhantomData))
        }
    }

    /// The text of a tool result's content: a string, or the texts of its blocks.
    fn result_text<'a>(c: &'a Content<'a>) -> Cow<'a, str> {
        match c {
            Content::Text(t) => Cow::Borrowed(t.as_ref()),
            Content::Blocks(blocks) => Cow::Owned(
                blocks
                    .iter()
                    .filter_map(|b| b.text.as_deref())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Content::Other => Cow::Borrowed(""),
        }
    }

    fn n(v: &Option<serde_json::Number>) -> u64 {
        v.as_ref()
            .and_then(|n| n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)))
            .unwrap_or(0)
    }

    /// `Ok(None)`: nothing to say; `Err`: the line should have said something.
    pub fn parse<'a>(l: &'a Line<'a>) -> Result<Option<Parsed<'a>>, ()> {
        let kind = l.kind.as_deref().unwrap_or("");
        if kind != "user" && kind != "assistant" {
            return Ok(None);
        }
        let session_id = l.session_id.clone().ok_or(())?;
        let at = l
            .timestamp
            .as_deref()
            .and_then(crate::domain::time::Timestamp::parse);
        let uuid = l.uuid.as_deref().unwrap_or("");
        let sidechain = l.is_sidechain == Some(true);
        let meta = l.is_meta == Some(true);
        let speaker = if kind == "user" {
            Speaker::User
        } else {
            Speaker::Assistant
        };
        let mut turns: Vec<Turn> = Vec::new();
        let content = l.message.as_ref().and_then(|m| m.content.as_ref());
        match (sidechain, content) {
            (false, Some(Content::Text(s))) if !meta => {
                push_turn_text(&mut turns, uuid, 0, speaker, s, at);
            }
            (false, Some(Content::Blocks(blocks))) => {
                for (i, b) in blocks.iter().enumerate() {
                    match b.kind.as_deref() {
                        Some("text") if !meta => {
                            let t = b.text.as_deref().unwrap_or("");
                            push_turn_text(&mut turns, uuid, i, speaker, t, at);
                        }
                        Some("tool_use") => {
                            let name = b.name.as_deref().unwrap_or("tool");
                            let input: serde_json::Value = b
                                .input
                                .map(|r| serde_json::from_str(r.get()).unwrap_or_default())
                                .unwrap_or_default();
                            let line = tool_call_summary(name, &input);
                            push_turn_text(&mut turns, uuid, i, Speaker::Tool, &line, at);
                        }
                        Some("tool_result") => {
                            let body = b.content.as_ref().map(result_text).unwrap_or_default();
                            let line = tool_result_summary(b.is_error == Some(true), &body);
                            push_turn_text(&mut turns, uuid, i, Speaker::Tool, &line, at);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        let mut usage = None;
        if let (true, Some(m)) = (kind == "assistant", l.message.as_ref()) {
            let model = m.model.clone().unwrap_or_default();
            if let (false, Some(u)) = (model == "<synthetic>" || model.is_empty(), &m.usage) {
                let id = m.id.as_deref().unwrap_or(uuid);
                let request = l.request_id.as_deref().unwrap_or("");
                usage = Some((
                    format!("{id}:{request}"),
                    model,
                    Tokens {
                        input: n(&u.input_tokens),
                        output: n(&u.output_tokens),
                        cache_write: n(&u.cache_creation_input_tokens),
                        cache_read: n(&u.cache_read_input_tokens),
                    },
                ));
            }
        }
        Ok(Some(Parsed {
            session_id,
            at,
            sidechain,
            cwd: l.cwd.clone(),
            git_branch: l.git_branch.clone(),
            turns,
            usage,
        }))
    }
}

/// A turn from text (trimmed and redacted; nothing when empty).
fn push_turn_text(
    out: &mut Vec<Turn>,
    uuid: &str,
    i: usize,
    speaker: Speaker,
    text: &str,
    at: Option<crate::domain::time::Timestamp>,
) {
    let text = redact(text.trim());
    if !text.is_empty() {
        out.push(Turn {
            key: format!("{uuid}#{i}"),
            speaker,
            text,
            at,
        });
    }
}

/// A tool result as one line of at most 300 characters: its first four lines, or for an
/// error its first line and its last three (a failing run ends with what failed).
fn tool_result_summary(error: bool, content: &str) -> String {
    let lines: Vec<&str> = content.lines().filter(|l| !l.trim().is_empty()).collect();
    if error {
        let mut kept: Vec<&str> = lines.iter().take(1).copied().collect();
        kept.extend(lines.iter().skip(1).rev().take(3).rev());
        return format!("← error: {}", truncate(&kept.join(" "), 300));
    }
    let first: String = lines.iter().take(4).copied().collect::<Vec<_>>().join(" ");
    format!("← {}", truncate(&first, 300))
}

fn turns(
    kind: &str,
    meta: bool,
    message: &Value,
    uuid: &str,
    at: Option<crate::domain::time::Timestamp>,
) -> Vec<Turn> {
    let speaker = if kind == "user" {
        Speaker::User
    } else {
        Speaker::Assistant
    };
    let mut out = Vec::new();
    match message.get("content") {
        Some(Value::String(s)) if !meta => push_turn_text(&mut out, uuid, 0, speaker, s, at),
        Some(Value::Array(blocks)) => {
            for (i, b) in blocks.iter().enumerate() {
                match b.get("type").and_then(Value::as_str) {
                    Some("text") if !meta => {
                        let t = b.get("text").and_then(Value::as_str).unwrap_or("");
                        push_turn_text(&mut out, uuid, i, speaker, t, at);
                    }
                    Some("tool_use") => {
                        let name = b.get("name").and_then(Value::as_str).unwrap_or("tool");
                        let input = b.get("input").cloned().unwrap_or(Value::Null);
                        let line = tool_call_summary(name, &input);
                        push_turn_text(&mut out, uuid, i, Speaker::Tool, &line, at);
                    }
                    Some("tool_result") => {
                        let error = b.get("is_error").and_then(Value::as_bool) == Some(true);
                        let content = match b.get("content") {
                            Some(Value::Array(parts)) => parts
                                .iter()
                                .filter_map(|p| p.get("text").and_then(Value::as_str))
                                .collect::<Vec<_>>()
                                .join(" "),
                            Some(Value::String(t)) => t.clone(),
                            _ => String::new(),
                        };
                        let line = tool_result_summary(error, &content);
                        push_turn_text(&mut out, uuid, i, Speaker::Tool, &line, at);
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

    #[test]
    fn a_failed_tools_summary_keeps_how_it_ended() {
        let run = "Exit code 1\n===== test session starts =====\nplatform linux\ncollected 4 items\n\nspecs/a_spec.py ..F.\n===== FAILURES =====\nFAILED specs/a_spec.py::test_b - KeyError: 'title'\n===== 1 failed, 3 passed =====";
        let s = tool_result_summary(true, run);
        assert!(s.starts_with("← error: Exit code 1 "), "{s}");
        assert!(
            s.contains("FAILED specs/a_spec.py::test_b - KeyError: 'title'"),
            "{s}"
        );
        assert!(!s.contains("platform linux"), "{s}");
        // a result that did not fail reads from its start
        let ok = tool_result_summary(
            false,
            "\nline one\nline two\n\nline three\nline four\nline five",
        );
        assert_eq!(ok, "← line one line two line three line four");
    }
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
