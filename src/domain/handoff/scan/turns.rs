//! Splitting a raw log into speaker turns: agent logs, chat exports and plain text alike.

use super::Role;
use crate::domain::capture::{agent_log, Speaker};
use crate::domain::conversation::{self, Format};

/// Undo the JSON string escapes some exports leave in markdown (Claude Code writes
/// message text as JSON with literal `\n`): such lines are split into real lines.
pub fn normalize(text: &str) -> String {
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    };
    if !text.contains("\\n") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if line.contains("\\n") {
            let l = line
                .replace("\\n", "\n")
                .replace("\\t", " ")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            out.push_str(&l);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// One speaker's turn of the log.
pub(super) struct Turn {
    pub(super) role: Role,
    pub(super) text: String,
}

fn role_of(r: &str) -> Role {
    match r {
        "user" => Role::User,
        "assistant" => Role::Assistant,
        _ => Role::Tool,
    }
}

/// A summarised shell tool call (`→ Bash: cargo test`, Codex's `→ shell: bash -lc …`)
/// written as the command line it ran (`$ cargo test`), so it is read as a command.
fn tool_call_as_command(text: String) -> String {
    let Some((name, detail)) = text.strip_prefix("→ ").and_then(|r| r.split_once(": ")) else {
        return text;
    };
    let shell = matches!(
        name.to_ascii_lowercase().as_str(),
        "bash"
            | "shell"
            | "exec_command"
            | "run_shell_command"
            | "local_shell"
            | "container.exec"
            | "terminal"
            | "run_terminal_cmd"
    );
    if !shell {
        return text;
    }
    let mut cmd = detail.trim();
    for wrapper in [
        "bash -lc ",
        "bash -c ",
        "sh -lc ",
        "sh -c ",
        "zsh -lc ",
        "zsh -c ",
    ] {
        if let Some(rest) = cmd.strip_prefix(wrapper) {
            cmd = rest.trim();
            break;
        }
    }
    format!("$ {cmd}")
}

/// How Claude Code opens the summary it writes of a conversation that ran out of context
/// (it is filed as the user's message, but the assistant wrote it).
const CONTINUATION_SUMMARY: &str = "This session is being continued from a previous conversation";

/// Whether a user message is what a Claude Code hook wrote back ("Stop hook feedback:",
/// "PreToolUse:Bash hook error:"), filed as the user's.
fn is_hook_feedback(text: &str) -> bool {
    let head = text.lines().next().unwrap_or("");
    head.len() < 80
        && (head.contains("hook feedback:")
            || head.contains("hook error:")
            || head.starts_with("<user-prompt-submit-hook>"))
}

/// The log's title, when its format has one, and its speaker turns.
pub(super) fn turns_of(raw: &str) -> (Option<String>, Vec<Turn>) {
    let (title, mut turns) = read_turns(raw);
    for t in &mut turns {
        let text = t.text.trim_start();
        if t.role == Role::User && text.starts_with(CONTINUATION_SUMMARY) {
            t.role = Role::Assistant;
        }
        // what a hook wrote back is a tool's output, not the user's words
        if t.role == Role::User && is_hook_feedback(text) {
            t.role = Role::Tool;
        }
    }
    (title, turns)
}

fn read_turns(raw: &str) -> (Option<String>, Vec<Turn>) {
    // a raw agent log (Claude Code, Codex, Gemini CLI): the capture parsers' turns, so no
    // JSON envelope reaches the briefing
    if let Some((_, turns)) = agent_log::turns(raw) {
        let turns = turns
            .into_iter()
            .map(|t| Turn {
                role: match t.speaker {
                    Speaker::User => Role::User,
                    Speaker::Assistant => Role::Assistant,
                    Speaker::Tool => Role::Tool,
                },
                text: if t.speaker == Speaker::Tool {
                    tool_call_as_command(t.text)
                } else {
                    t.text
                },
            })
            .collect();
        return (None, turns);
    }
    let format = conversation::detect(raw);
    let (text, format) = match format {
        Format::Chatgpt | Format::Claude => (raw.to_owned(), Some(format)),
        _ => (normalize(raw), None),
    };
    match conversation::parse(&text, format) {
        Ok(c) => {
            let title = c.title.filter(|t| !t.trim().is_empty());
            let turns = c
                .turns
                .into_iter()
                .map(|t| {
                    // agent exports file tool results under the user's turns
                    let tool_result = t.content.contains("\"tool_result\"");
                    Turn {
                        role: if tool_result {
                            Role::Tool
                        } else {
                            role_of(&t.role)
                        },
                        text: t.content,
                    }
                })
                .collect();
            (title, turns)
        }
        Err(_) => (
            None,
            vec![Turn {
                role: Role::User,
                text: normalize(raw),
            }],
        ),
    }
}
