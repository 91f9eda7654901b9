//! A terminal copy of an agent's console (Claude Code, Gemini CLI): `> ` starts what
//! the user typed, `⏺`/`●`/`✦` what the assistant said or a tool it called, `⎿` the
//! tool's result. The welcome box, tips, spinners and the assistant's thinking are
//! dropped; tool calls and results become `system` turns, as the agent-log parser
//! writes them, and a shell tool call is written as the command line it ran.

use super::turn_buffer::{BlockKind, TurnBuffer};
use super::ImportedTurn;

/// What a line of the copy starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    User,
    Assistant,
    /// A tool call or its result.
    Tool,
    /// Thinking, banners, spinners: not kept.
    Skip,
}

const ASSISTANT_MARKS: [char; 3] = ['⏺', '●', '✦'];

fn assistant_mark(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(ASSISTANT_MARKS)?;
    rest.strip_prefix(' ').or(rest.is_empty().then_some(rest))
}

/// Whether `text` reads as a terminal copy of an agent console: several assistant marks
/// at the start of a line and at least one user prompt line.
pub(super) fn is_console(text: &str) -> bool {
    let mut marks = 0;
    let mut prompts = 0;
    let mut results = 0;
    for line in text.lines().take(5_000) {
        if assistant_mark(line).is_some() {
            marks += 1;
        } else if line.starts_with("> ") {
            prompts += 1;
        } else if line.trim_start().starts_with('⎿') {
            results += 1;
        }
        if marks >= 3 && prompts >= 1 && (results >= 1 || marks >= 6) {
            return true;
        }
    }
    false
}

/// A tool call the assistant line names (`Bash(git status)…`, `Read(src/a.rs)`): its
/// name and argument.
fn tool_call(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once('(')?;
    if name.is_empty()
        || name.len() > 40
        || !name.starts_with(|c: char| c.is_ascii_uppercase())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let rest = rest.trim_end().trim_end_matches('…');
    let arg = rest.strip_suffix(')').unwrap_or(rest);
    Some((name, arg.trim()))
}

fn is_shell(tool: &str) -> bool {
    matches!(tool, "Bash" | "Shell" | "Run" | "Shell_command")
}

/// A line of the console's chrome: the welcome and input boxes, tips, spinners.
fn is_chrome(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(['╭', '│', '╰', '✔', '※', '·', '✢', '✳', '✶', '✽'])
        || t.starts_with("… +")
        || (t.contains("(ctrl+") && t.len() < 80)
}

impl BlockKind for Block {
    fn role(self) -> Option<&'static str> {
        match self {
            Block::User => Some("user"),
            Block::Assistant => Some("assistant"),
            Block::Tool => Some("system"),
            Block::Skip => None,
        }
    }
}

/// The turns of a console copy.
pub(super) fn console(text: &str) -> Vec<ImportedTurn> {
    let mut r = TurnBuffer::new(Block::Skip);
    for line in text.lines() {
        if let Some(prompt) = line.strip_prefix("> ") {
            // every prompt is a turn of its own
            r.start(Block::User);
            r.push(prompt.trim());
            continue;
        }
        if let Some(said) = assistant_mark(line) {
            match tool_call(said) {
                Some((name, arg)) => {
                    r.carry_on(Block::Tool);
                    if is_shell(name) && !arg.is_empty() {
                        r.push(&format!("$ {arg}"));
                    } else {
                        r.push(&format!("{name}({arg})"));
                    }
                }
                None => {
                    r.carry_on(Block::Assistant);
                    r.push(said);
                }
            }
            continue;
        }
        let t = line.trim_start();
        if t.starts_with('✻') {
            // "✻ Thinking…" and what follows until the next mark
            r.carry_on(Block::Skip);
            continue;
        }
        if let Some(result) = t.strip_prefix('⎿') {
            r.carry_on(Block::Tool);
            let result = result.trim();
            // a sub-agent's own tool calls are listed as its result
            match tool_call(result) {
                Some((name, arg)) if is_shell(name) && !arg.is_empty() => {
                    r.push(&format!("$ {arg}"))
                }
                _ => r.push(result),
            }
            continue;
        }
        if is_chrome(line) || line.starts_with("=====") {
            continue;
        }
        if r.block() == Block::Tool {
            r.push(t);
        } else {
            r.push(line.strip_prefix("  ").unwrap_or(line));
        }
    }
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COPY: &str = "claude\n╭──────────╮\n│ ✻ Welcome │\n╰──────────╯\n\n ※ Tip: Hit Enter\n\n\
        > Run the specs, please.\n  Only the fast ones.\n\n\
        ⏺ I'll run them.\n\n\
        ⏺ Bash(cd /p && pytest specs/ --spec)…\n\n  ⎿  Error: command not found: pytest\n     exit 127\n\n\
        ✻ Thinking…\n\n  The venv is not active.\n\n\
        ⏺ Read(README.md)…\n  ⎿  Read 40 lines\n\n\
        ⏺ The venv was not active; next I activate it.\n\n> thanks\n";

    #[test]
    fn a_console_copy_is_detected_and_plain_chat_is_not() {
        assert!(is_console(COPY));
        assert!(!is_console("> a quote\n\nsome text\n● a bullet\n"));
    }

    #[test]
    fn turns_follow_the_marks_and_chrome_and_thinking_are_dropped() {
        let turns = console(COPY);
        let roles: Vec<&str> = turns.iter().map(|t| t.role.as_str()).collect();
        assert_eq!(
            roles,
            ["user", "assistant", "system", "system", "assistant", "user"],
            "{turns:#?}"
        );
        assert_eq!(
            turns[0].content,
            "Run the specs, please.\nOnly the fast ones."
        );
        assert!(turns[2].content.contains("$ cd /p && pytest specs/ --spec"));
        assert!(turns[2]
            .content
            .contains("Error: command not found: pytest"));
        assert_eq!(turns[3].content, "Read(README.md)\nRead 40 lines");
        let all: String = turns.iter().map(|t| t.content.as_str()).collect();
        for gone in ["Welcome", "Tip", "venv is not active", "╭"] {
            assert!(!all.contains(gone), "{gone} kept: {all}");
        }
    }
}
