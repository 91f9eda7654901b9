//! A Markdown transcript of a Claude Code session (as `claude-transcript` writes one):
//! the user's messages are `> [!IMPORTANT]` alerts, the agent's notes (an interruption,
//! a refused tool call) `> [!WARNING]` or `> [!CAUTION]` alerts, a tool call is an emoji
//! and the tool's name in bold (`💻 **Bash: Run the tests**`) followed by its input and
//! result in code blocks, and everything else is the assistant's. Tool calls and results
//! become `system` turns, as the agent-log parser writes them; a shell call is written as
//! the command line it ran.

use super::turn_buffer::{BlockKind, TurnBuffer};
use super::ImportedTurn;

/// What the lines being read belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// The transcript's own header (title, folder, times, session id).
    Header,
    User,
    Assistant,
    /// An alert of the agent's own (an interruption, a refused call).
    Note,
    /// A tool call, its input and its result.
    Tool,
}

/// The alert that opens a user message.
const USER_ALERT: &str = "> [!IMPORTANT]";

/// The name of a tool call line (`💻 **Bash: Run the tests**` → `Bash: Run the tests`):
/// a symbol that is not a letter, then the call in bold and nothing after it.
fn tool_call(line: &str) -> Option<&str> {
    let (mark, rest) = line.trim_end().split_once(" **")?;
    let name = rest.strip_suffix("**")?;
    let symbol = !mark.is_empty()
        && mark.chars().count() <= 3
        && mark.chars().all(|c| !c.is_alphanumeric() && !c.is_ascii());
    let named = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .split(':')
            .next()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    (symbol && named).then_some(name)
}

/// Whether `text` reads as such a transcript: a user alert and tool call lines.
pub(super) fn is_transcript(text: &str) -> bool {
    let mut users = 0;
    let mut calls = 0;
    for line in text.lines().take(5_000) {
        if line.trim_end() == USER_ALERT {
            users += 1;
        } else if tool_call(line).is_some() {
            calls += 1;
        }
        if users >= 1 && calls >= 2 {
            return true;
        }
    }
    false
}

/// An alert line (`> [!WARNING]`): its kind.
fn alert(line: &str) -> Option<&str> {
    line.trim_end()
        .strip_prefix("> [!")
        .and_then(|r| r.strip_suffix(']'))
        .filter(|k| k.chars().all(|c| c.is_ascii_uppercase()))
}

/// A line the transcript writes around what happened: links to the full file and the
/// lines it left out (`... +14 lines ([view file](contents/…))`).
fn is_chrome(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with("... +") || t.starts_with("([view file]")) && t.ends_with(')')
}

impl BlockKind for Block {
    fn role(self) -> Option<&'static str> {
        match self {
            Block::User => Some("user"),
            Block::Assistant => Some("assistant"),
            Block::Note | Block::Tool => Some("system"),
            Block::Header => None,
        }
    }
}

/// The turns of a transcript.
pub(super) fn transcript(text: &str) -> Vec<ImportedTurn> {
    let mut r = TurnBuffer::new(Block::Header);
    // the code block being read (its fence), and whether it holds a shell call's command
    let mut fence: Option<String> = None;
    let mut fence_kept = false;
    let mut command = false;
    let mut shell_call = false;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(open) = &fence {
            if t.trim_end() == open {
                if fence_kept {
                    r.push(line);
                }
                fence = None;
                command = false;
            } else if command {
                r.push(&format!("$ {}", t.trim_end()));
            } else {
                r.push(line);
            }
            continue;
        }
        if let Some(kind) = alert(line) {
            r.start(if kind == "IMPORTANT" {
                Block::User
            } else {
                Block::Note
            });
            continue;
        }
        if matches!(r.block(), Block::User | Block::Note) {
            if let Some(quoted) = line.strip_prefix('>') {
                r.push(quoted.strip_prefix(' ').unwrap_or(quoted));
                continue;
            }
            if t.is_empty() {
                continue;
            }
            r.start(Block::Assistant);
        }
        if let Some(name) = tool_call(line) {
            r.start(Block::Tool);
            shell_call = name == "Bash" || name.starts_with("Bash:");
            if !shell_call {
                r.push(&format!("→ {name}"));
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            let marks: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
            let lang = t[marks.len()..].trim();
            // a shell call's first block is the command it ran
            command = r.block() == Block::Tool
                && shell_call
                && matches!(lang, "shell" | "bash" | "sh" | "console");
            // (the block's marks stay: they tell code and output from prose)
            fence_kept = !command;
            if command {
                shell_call = false;
            } else if fence_kept {
                r.push(line);
            }
            fence = Some(marks);
            continue;
        }
        if is_chrome(line) {
            continue;
        }
        match r.block() {
            Block::Header => {
                // the title, the folder, the times and the session id
                if !t.is_empty() && !t.starts_with('#') && !t.starts_with("Session ID") {
                    let timestamp = t.chars().filter(char::is_ascii_digit).count() >= 8;
                    if !timestamp {
                        r.start(Block::Assistant);
                        r.push(line);
                    }
                }
            }
            // a tool's checklist (a to-do list) and its result lines stay with the call
            Block::Tool if t.is_empty() || t.starts_with("- [") => r.push(t),
            Block::Tool => {
                r.start(Block::Assistant);
                r.push(line);
            }
            _ => r.push(line),
        }
    }
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "# 🤖 Claude Code Transcript\n## 🗂️ ~/Projects/app\n🕒 2025-08-10 14:42:56 - 2025-08-11 15:36:58\nSession ID: `bc761bdf`\n\n\
        > [!IMPORTANT]\n> Move the formatting methods into OutputFormatter.\n> Keep the tests green.\n\n\
        I'll start by reading the converter.\n\n\
        📖 **Read: src/Converter.ts**\n([view file](contents/results-529babf0))\n\n\
        💻 **Bash: Run the tests**\n```shell\nnpm test\n```\n```\nError: 2 tests failed\n```\n\n\
        ✅ **TodoWrite**\n- [x] Move the methods\n- [ ] Commit version bump\n\n\
        > [!WARNING]\n> [Request interrupted by user]\n\n\
        > [!IMPORTANT]\n> Use pnpm, never npm.\n\n\
        Understood: pnpm from now on.\n```ts\nconst a = 1\n```\n";

    #[test]
    fn a_transcript_is_detected_and_plain_markdown_is_not() {
        assert!(is_transcript(LOG));
        assert!(!is_transcript(
            "> [!IMPORTANT]\n> Read this.\n\nSome **bold** text.\n"
        ));
        assert_eq!(tool_call("✏️ **Edit: src/a.ts**"), Some("Edit: src/a.ts"));
        assert_eq!(tool_call("- **Bold: item**"), None);
        assert_eq!(tool_call("**Note:** text"), None);
    }

    #[test]
    fn alerts_are_the_users_tool_calls_are_system_turns() {
        let turns = transcript(LOG);
        let roles: Vec<&str> = turns.iter().map(|t| t.role.as_str()).collect();
        assert_eq!(
            roles,
            [
                "user",
                "assistant",
                "system",
                "system",
                "system",
                "system",
                "user",
                "assistant"
            ],
            "{turns:#?}"
        );
        assert_eq!(
            turns[0].content,
            "Move the formatting methods into OutputFormatter.\nKeep the tests green."
        );
        assert_eq!(turns[2].content, "→ Read: src/Converter.ts");
        assert!(
            turns[3].content.starts_with("$ npm test"),
            "{}",
            turns[3].content
        );
        assert!(turns[3].content.contains("Error: 2 tests failed"));
        assert!(turns[4].content.contains("- [ ] Commit version bump"));
        assert_eq!(turns[6].content, "Use pnpm, never npm.");
        assert!(turns[7].content.contains("```ts\nconst a = 1\n```"));
        let all: String = turns.iter().map(|t| t.content.as_str()).collect();
        for gone in [
            "Claude Code Transcript",
            "Session ID",
            "view file",
            "2025-08-10",
        ] {
            assert!(!all.contains(gone), "{gone} kept: {all}");
        }
    }
}
