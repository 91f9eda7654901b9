//! Briefings of the real logs in both DEV sets (`../shared/bench/handoff-dev*`, read in
//! place): raw Claude Code and Codex JSONL go through the capture parsers, so no JSON
//! envelope line (the tools' own record structure) reaches a briefing, at the scorer's
//! 2 % budget or a larger one; and a raw log briefs at least as well as its own turns
//! written out as a plain chat.

use paas::domain::capture::agent_log;
use paas::domain::conversation::{self, Format};
use paas::domain::handoff::{self, Facts};
use std::path::PathBuf;

/// The logs of both DEV sets (empty when `../shared` is not beside the project).
fn dev_logs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench");
    let mut out = Vec::new();
    for set in ["handoff-dev", "handoff-dev2"] {
        let Ok(dir) = std::fs::read_dir(root.join(set)) else {
            continue;
        };
        for e in dir.flatten() {
            let p = e.path();
            if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("md" | "jsonl" | "json")
            ) && p.file_name().is_some_and(|n| n != "FACTS.json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn logs_or_skip() -> Vec<PathBuf> {
    let logs = dev_logs();
    if logs.is_empty() {
        // CI always has ../shared beside the clone: there a missing set is a failure
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/bench/handoff-dev* not found"
        );
        eprintln!("../shared/bench not beside the project: skipped");
    }
    logs
}

/// The scorer's budget: 2 % of the transcript, between 1,500 and 8,000 characters.
fn budget(text: &str) -> usize {
    (text.chars().count() / 50).clamp(1_500, 8_000)
}

/// A line that carries an agent tool's own record structure: a JSON object with keys of
/// it (prose that names a record type, as a log about such logs does, is not one).
fn envelope(line: &str) -> bool {
    const KEYS: [&str; 12] = [
        "\"parentUuid\"",
        "\"sessionId\"",
        "\"isSidechain\"",
        "\"requestId\"",
        "\"session_meta\"",
        "\"response_item\"",
        "\"event_msg\"",
        "\"turn_context\"",
        "\"payload\"",
        "\"tool_use_id\"",
        "\"userType\"",
        "\"gitBranch\"",
    ];
    line.contains('{') && line.matches("\":").count() >= 2 && KEYS.iter().any(|k| line.contains(k))
}

#[test]
fn no_briefing_of_a_dev_log_contains_a_json_envelope() {
    let logs = logs_or_skip();
    let mut raw = 0;
    let mut consoles = 0;
    let mut transcripts = 0;
    for path in &logs {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        if agent_log::detect(&text).is_some() {
            raw += 1;
        }
        let console = conversation::detect(&text) == Format::Console;
        consoles += usize::from(console);
        let transcript = conversation::detect(&text) == Format::Transcript;
        transcripts += usize::from(transcript);
        for b in [budget(&text), 20_000] {
            let briefing = handoff::compress(&text, &Facts::default(), b).unwrap();
            for line in briefing.markdown.lines() {
                assert!(
                    !envelope(line),
                    "{} at {b} chars: envelope line in the briefing: {line}",
                    path.display()
                );
                // nor the chrome of a terminal copy (its welcome and input boxes)
                assert!(
                    !(console && line.contains(['╭', '╰'])),
                    "{} at {b} chars: console chrome in the briefing: {line}",
                    path.display()
                );
                // nor the alert marks and file links of a Markdown transcript
                assert!(
                    !(transcript
                        && (line.contains("[!IMPORTANT]") || line.contains("[view file]"))),
                    "{} at {b} chars: transcript chrome in the briefing: {line}",
                    path.display()
                );
            }
        }
    }
    if !logs.is_empty() {
        // the raw Claude Code and Codex logs of DEV2 are recognised as such
        assert!(raw >= 5, "only {raw} raw agent logs recognised");
        // and the Claude Code console copy as a console
        assert_eq!(consoles, 1);
        // and the Claude Code Markdown transcript as one
        assert_eq!(transcripts, 1);
    }
}

/// The curated scorer's matching (`../shared/bench/score_curated.py`): case-folded, JSON
/// escapes undone, backticks, asterisks and quote marks removed, whitespace runs as one.
fn normalize(s: &str) -> String {
    let s = s
        .replace("\\n", " ")
        .replace("\\t", " ")
        .replace("\\\"", "\"")
        .replace("\\/", "/");
    let kept: String = s
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '`' | '*' | '\'' | '"' | '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}'
            )
        })
        .flat_map(char::to_lowercase)
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Key facts of a log present in the first `budget` characters of a briefing.
fn recall(facts: &serde_json::Value, briefing: &str, budget: usize) -> usize {
    let head: String = briefing.chars().take(budget).collect();
    let head = normalize(&head);
    facts
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["match"].as_array().unwrap().iter().any(|group| {
                group
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|k| head.contains(&normalize(k.as_str().unwrap())))
            })
        })
        .count()
}

#[test]
fn a_raw_log_keeps_at_least_what_its_plain_chat_keeps() {
    for path in logs_or_skip() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let Some((_, turns)) = agent_log::turns(&text) else {
            continue;
        };
        assert!(!turns.is_empty(), "{}: no turns", path.display());
        let facts_file = path.with_file_name("FACTS.json");
        let all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(facts_file).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let facts = &all[name];
        // the same turns written out as a plain chat, as a person would paste them
        let plain = handoff::transcript(turns.iter().map(|t| {
            let role = match t.speaker {
                paas::domain::capture::Speaker::User => "user",
                paas::domain::capture::Speaker::Assistant => "assistant",
                paas::domain::capture::Speaker::Tool => "tool",
            };
            (role, t.text.as_str())
        }));
        // each at the scorer's budget for it
        let (rb, pb) = (budget(&text), budget(&plain));
        let raw = handoff::compress(&text, &Facts::default(), rb).unwrap();
        let as_plain = handoff::compress(&plain, &Facts::default(), pb).unwrap();
        let (r, p) = (
            recall(facts, &raw.markdown, rb),
            recall(facts, &as_plain.markdown, pb),
        );
        eprintln!("{name}: raw {r}/8, as a plain chat {p}/8");
        assert!(
            r >= p,
            "{name}: the raw log keeps {r} key facts, its plain chat {p}"
        );
    }
}
