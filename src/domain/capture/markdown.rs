//! Markdown histories kept in a repository: aider's `.aider.chat.history.md` (one session
//! per `# aider chat started at …`, tokens and cost per reply) and SpecStory's
//! `.specstory/history/*.md` (one session per file, no token counts). The turns come from
//! the conversation importers (`domain::conversation`), so capture and a manual import read
//! a file the same way. These files are read whole when they change; keys (the session's
//! start and the turn's place in it) make a second read record nothing twice.

use super::{redact::redact, truncate, Capture, Speaker, Tokens, ToolSession, Turn, Usage};
use crate::domain::conversation::{self, Format};
use crate::domain::time::Timestamp;

/// `2026-01-01 10:00:00` (aider writes local time without a zone) as UTC, given the
/// machine's offset from UTC in seconds.
fn local_time(text: &str, offset_secs: i64) -> Option<Timestamp> {
    let t = text.trim();
    let iso = format!("{}T{}Z", t.get(..10)?, t.get(11..19)?);
    Timestamp::parse(&iso).map(|ts| ts.plus_seconds(-offset_secs))
}

fn speaker(role: &str) -> Speaker {
    match role {
        "user" => Speaker::User,
        "assistant" => Speaker::Assistant,
        _ => Speaker::Tool,
    }
}

/// One session into `capture` from imported turns and usage.
fn add_session(
    capture: &mut Capture,
    id: &str,
    cwd: &str,
    started: Option<Timestamp>,
    imported: conversation::Imported,
) {
    let mut fresh = Vec::new();
    for (i, t) in imported.turns.iter().enumerate() {
        let key = format!("t{i}");
        if capture.first_sight(id, &key) {
            fresh.push(Turn {
                key,
                speaker: speaker(&t.role),
                text: redact(&truncate(&t.content, 20_000)),
                at: started,
            });
        }
    }
    let s = capture
        .sessions
        .entry(id.to_owned())
        .or_insert_with(|| ToolSession {
            id: id.to_owned(),
            cwd: Some(cwd.to_owned()),
            ..Default::default()
        });
    s.seen(started);
    for t in fresh {
        s.push_turn(t);
    }
    let Some(at) = started else { return };
    for (i, u) in imported.usage.iter().enumerate() {
        capture.keep_usage(Usage {
            key: format!("{id}#u{i}"),
            session: id.to_owned(),
            model: u.model.clone(),
            model_assumed: u.model == "unknown",
            tokens: Tokens {
                input: u.input_tokens.max(0) as u64,
                output: u.output_tokens.max(0) as u64,
                cache_write: 0,
                cache_read: 0,
            },
            at,
            sidechain: false,
            reported_cost_micros: (u.cost_micros > 0).then_some(u.cost_micros as u64),
        });
    }
}

/// An aider chat history (the whole file): one session per chat started.
pub fn aider(capture: &mut Capture, text: &str, file: &str, cwd: &str, offset_secs: i64) {
    const START: &str = "# aider chat started at ";
    let mut starts: Vec<usize> = text.match_indices(START).map(|(i, _)| i).collect();
    starts.retain(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n');
    for (n, &from) in starts.iter().enumerate() {
        let to = starts.get(n + 1).copied().unwrap_or(text.len());
        let chunk = &text[from..to];
        let when = chunk[START.len()..].lines().next().unwrap_or("").trim();
        let id = format!("{file}@{when}");
        match conversation::parse(chunk, Some(Format::Aider)) {
            Ok(imported) => add_session(capture, &id, cwd, local_time(when, offset_secs), imported),
            // a chat that has not said anything yet
            Err(_) => continue,
        }
    }
}

/// A SpecStory history file (the whole file): one session, started when its name says
/// (`2025-10-14_22-25-33Z-slug.md`).
pub fn specstory(capture: &mut Capture, text: &str, file: &str, cwd: &str) {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let started = name.get(..16).and_then(|d| {
        let iso = format!("{}T{}:{}:00Z", d.get(..10)?, d.get(11..13)?, d.get(14..16)?);
        Timestamp::parse(&iso)
    });
    if let Ok(imported) = conversation::parse(text, Some(Format::Specstory)) {
        add_session(capture, file, cwd, started, imported);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AIDER: &str = "# aider chat started at 2026-01-01 10:00:00\n\n> Aider v0.85.1\n> Main model: gpt-4o with diff edit format\n\n#### add a test for the parser\n\nDone.\n\n> Tokens: 3.2k sent, 21 received. Cost: $0.0082 message, $0.0082 session.\n\n# aider chat started at 2026-01-02 10:00:00\n\n> Main model: some-new-model with diff edit format\n\n#### more, key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuAA\n\nOk.\n\n> Tokens: 12k sent, 1.5k received.\n";

    #[test]
    fn aider_sessions_turns_usage_and_reported_cost() {
        let mut c = Capture::default();
        // the machine is an hour ahead of UTC
        aider(
            &mut c,
            AIDER,
            "/src/app/.aider.chat.history.md",
            "/src/app",
            3600,
        );
        assert_eq!(c.sessions.len(), 2);
        let first = &c.sessions["/src/app/.aider.chat.history.md@2026-01-01 10:00:00"];
        assert_eq!(first.cwd.as_deref(), Some("/src/app"));
        assert_eq!(
            first.first_request.as_deref(),
            Some("add a test for the parser")
        );
        assert_eq!(first.started_at, Timestamp::parse("2026-01-01T09:00:00Z"));
        let u = &c.usage["/src/app/.aider.chat.history.md@2026-01-01 10:00:00#u0"];
        assert_eq!((u.tokens.input, u.tokens.output), (3200, 21));
        assert_eq!(u.reported_cost_micros, Some(8200));
        let second = &c.usage["/src/app/.aider.chat.history.md@2026-01-02 10:00:00#u0"];
        assert_eq!(second.model, "some-new-model");
        assert_eq!(second.reported_cost_micros, None);
        // a key pasted into a prompt is not kept
        let all: String = c
            .sessions
            .values()
            .flat_map(|s| s.turns.iter().map(|t| t.text.clone()))
            .collect();
        assert!(!all.contains("sk-ant-api03"), "{all}");
        // the file grew: read whole again, only the new turn is new
        let grown = format!("{AIDER}\n#### and a third thing\n");
        let before = c.turn_count();
        aider(
            &mut c,
            &grown,
            "/src/app/.aider.chat.history.md",
            "/src/app",
            3600,
        );
        assert_eq!(c.turn_count(), before + 1);
        assert_eq!(c.usage.len(), 2);
    }

    #[test]
    fn specstory_file_is_one_session() {
        let md = "<!-- Generated by SpecStory -->\n\n# Fix the push (2026-01-01)\n\n_**User (2026-01-01 10:00Z)**_\n\nwhy is push blocked\n\n---\n\n_**Assistant (default)**_\n\nA secret is in .env.\n\n---\n";
        let mut c = Capture::default();
        let file = "/src/app/.specstory/history/2026-01-01_10-00-12Z-fix-the-push.md";
        specstory(&mut c, md, file, "/src/app");
        let s = &c.sessions[file];
        assert_eq!(s.turns.len(), 2);
        assert_eq!(s.started_at, Timestamp::parse("2026-01-01T10:00:00Z"));
        assert!(c.usage.is_empty());
    }
}
