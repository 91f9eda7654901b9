//! Reading a raw log: normalise it, split it into speaker turns and then into units
//! (one sentence, list item, command or output line each), and find the salient facts
//! (file paths, commands, error lines, URLs, identifiers, versions, commit ids) in it.

use crate::domain::capture::{agent_log, Speaker};
use crate::domain::conversation::{self, Format};
use std::collections::HashMap;

/// Separates the levels of a unit's heading path.
pub const HEADING_SEP: char = '\u{1f}';

/// Who said a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
    /// Tool output, aider's own `>` lines, system prompts.
    Tool,
}

/// What a unit is, by where it stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Prose,
    /// A line inside a shell block, a `$ ` line or a recorded tool command.
    Command,
    /// A line of program or tool output.
    Output,
}

/// One selectable piece of the log.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Cleaned text: one line, markdown decoration removed, whitespace collapsed.
    pub text: String,
    pub role: Role,
    pub kind: Kind,
    /// Index of the turn it belongs to.
    pub turn: usize,
    /// Rank of its turn among the turns of its role (0 = first user turn).
    pub role_rank: usize,
    /// Position in the log, 0.0 (start) to 1.0 (end).
    pub pos: f64,
    /// The markdown headings above it in its turn, outermost first, lower-cased and
    /// separated by [`HEADING_SEP`].
    pub heading: std::sync::Arc<str>,
    /// Whether it is a markdown heading itself.
    pub is_heading: bool,
}

/// The kinds of salient fact a successor may need verbatim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Path,
    Command,
    Error,
    Url,
    Identifier,
    Version,
    Commit,
}

impl FactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Command => "command",
            Self::Error => "error",
            Self::Url => "url",
            Self::Identifier => "identifier",
            Self::Version => "version",
            Self::Commit => "commit",
        }
    }
}

/// A salient fact with where and how often it occurs.
#[derive(Debug, Clone)]
pub struct FactInfo {
    pub kind: FactKind,
    pub text: String,
    pub count: usize,
    pub last: f64,
    /// Mentioned by the user.
    pub by_user: bool,
}

/// A scanned log.
#[derive(Debug, Default)]
pub struct Scan {
    pub title: Option<String>,
    pub units: Vec<Unit>,
    pub facts: Vec<FactInfo>,
    pub turns: usize,
}

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

struct Turn {
    role: Role,
    text: String,
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

fn turns_of(raw: &str) -> (Option<String>, Vec<Turn>) {
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

/// Languages of fenced blocks whose lines are shell commands.
fn is_shell_lang(lang: &str) -> bool {
    matches!(
        lang,
        "" | "bash"
            | "sh"
            | "shell"
            | "zsh"
            | "fish"
            | "console"
            | "terminal"
            | "shellscript"
            | "shell-session"
            | "powershell"
            | "ps1"
            | "pwsh"
            | "cmd"
            | "bat"
    )
}

fn is_output_lang(lang: &str) -> bool {
    matches!(
        lang,
        "text"
            | "txt"
            | "plaintext"
            | "plain"
            | "output"
            | "log"
            | "logs"
            | "stderr"
            | "stdout"
            | "error"
            | "traceback"
            | "pytb"
            | "none"
            | "ansi"
    )
}

/// Program names that start a shell command worth keeping.
const COMMANDS: &[&str] = &[
    "git",
    "gh",
    "npm",
    "npx",
    "pnpm",
    "yarn",
    "bun",
    "bunx",
    "node",
    "deno",
    "tsc",
    "python",
    "python3",
    "pip",
    "pip3",
    "pipx",
    "uv",
    "uvx",
    "poetry",
    "pytest",
    "ruff",
    "mypy",
    "cargo",
    "rustc",
    "rustup",
    "go",
    "make",
    "cmake",
    "docker",
    "docker-compose",
    "kubectl",
    "helm",
    "terraform",
    "wrangler",
    "vercel",
    "netlify",
    "firebase",
    "supabase",
    "aws",
    "gcloud",
    "az",
    "curl",
    "wget",
    "ssh",
    "scp",
    "rsync",
    "ls",
    "cd",
    "cat",
    "grep",
    "rg",
    "find",
    "sed",
    "awk",
    "mkdir",
    "rm",
    "mv",
    "cp",
    "chmod",
    "chown",
    "touch",
    "tar",
    "unzip",
    "sudo",
    "apt",
    "apt-get",
    "brew",
    "systemctl",
    "journalctl",
    "pm2",
    "dotnet",
    "mvn",
    "gradle",
    "./gradlew",
    "java",
    "javac",
    "ruby",
    "bundle",
    "rake",
    "rails",
    "rspec",
    "php",
    "composer",
    "swift",
    "xcodebuild",
    "flutter",
    "dart",
    "sqlite3",
    "psql",
    "mysql",
    "redis-cli",
    "minsky",
    "aider",
    "claude",
    "code",
    "open",
    "echo",
    "export",
    "source",
    "vite",
    "jest",
    "vitest",
    "playwright",
    "eslint",
    "prettier",
    "black",
    "flake8",
    "tox",
    "conda",
    "jupyter",
    "bash",
    "sh",
    "zsh",
    "nix",
    "just",
    "task",
    "ollama",
    "heroku",
];

fn is_command_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    if words.next().is_none() {
        return false;
    }
    if first == "export" {
        return line
            .split_whitespace()
            .nth(1)
            .is_some_and(|w| w.contains('=') && !w.starts_with('='));
    }
    COMMANDS.contains(&first)
        || ((first.starts_with("./") || first.starts_with("../") || first.starts_with("~/"))
            && first.len() > 2)
        || first.ends_with(".sh")
        || first.ends_with(".py")
}

fn strip_prompt(line: &str) -> &str {
    let l = line.trim();
    for p in ["$ ", "% ", "> ", "# "] {
        if let Some(rest) = l.strip_prefix(p) {
            return rest.trim_start();
        }
    }
    if let Some(i) = l.find("$ ") {
        let head = &l[..i];
        if !head.is_empty() && !head.contains(' ') && (head.contains('@') || head.contains(':')) {
            return l[i + 2..].trim_start();
        }
    }
    l
}

/// Markdown decoration at the start of a line: quote marks, bullets, list numbers,
/// headings, checkboxes; emphasis markers anywhere.
pub fn clean_line(line: &str) -> String {
    let mut l = line.trim();
    loop {
        let before = l;
        l = l.trim_start_matches(['>', '#', '|']).trim_start();
        for p in [
            "- [ ] ", "- [x] ", "- [X] ", "* [ ] ", "* [x] ", "- ", "* ", "+ ", "• ",
        ] {
            if let Some(rest) = l.strip_prefix(p) {
                l = rest.trim_start();
            }
        }
        // "12. " / "3) "
        let digits = l.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && digits < 4 {
            let rest = &l[digits..];
            if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                l = r.trim_start();
            }
        }
        if l == before {
            break;
        }
    }
    let l = l.trim_end_matches(['|', ' ']);
    let stripped;
    let l = if l.contains('<') {
        stripped = strip_tags(l);
        stripped.as_str()
    } else {
        l
    };
    let mut out = String::with_capacity(l.len());
    let mut last_space = false;
    for c in l.chars() {
        // emphasis markers, and control or replacement characters a briefing never needs
        if c == '*' || c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out.trim().to_owned()
}

/// Removes markup tags (`<think>`, `</details>`, `<br/>`) and keeps everything else,
/// including comparisons like `a < b` and placeholders like `<branch-name>`.
fn strip_tags(l: &str) -> String {
    const TAGS: &[&str] = &[
        "think",
        "details",
        "summary",
        "br",
        "p",
        "div",
        "span",
        "b",
        "i",
        "em",
        "strong",
        "code",
        "pre",
        "sup",
        "sub",
        "command-name",
        "command-message",
        "command-args",
        "system-reminder",
        "local-command-stdout",
        "user-prompt-submit-hook",
    ];
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let tag = tail.find('>').map(|e| &tail[1..e]);
        let name = tag.map(|t| t.trim_start_matches('/').trim_end_matches('/').trim());
        match name {
            Some(n) if TAGS.contains(&n) => rest = &tail[tag.map_or(0, str::len) + 2..],
            _ => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits a long prose line into sentences (". " before an upper-case letter or a digit).
fn sentences(line: &str) -> Vec<&str> {
    if line.chars().count() <= 220 {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let b = line.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if matches!(b[i], b'.' | b'!' | b'?')
            && b[i + 1] == b' '
            && (b[i + 2].is_ascii_uppercase() || b[i + 2].is_ascii_digit())
            && i + 1 - start > 40
        {
            out.push(line[start..=i].trim());
            start = i + 2;
        }
        i += 1;
    }
    if start < line.len() {
        out.push(line[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Lines that only carry a JSON key of a tool-call record; the useful ones are unwrapped.
/// Also says whether the value's string closes on this line.
fn json_line(line: &str) -> Option<(&str, &str, bool)> {
    let t = line.trim();
    let rest = t.strip_prefix('"')?;
    let (key, rest) = rest.split_once("\":")?;
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let v = rest.trim().trim_end_matches(',').trim();
    let opened = v.starts_with('"');
    let closed = !opened || (v.len() >= 2 && v.ends_with('"') && !v.ends_with("\\\""));
    let v = v.strip_prefix('"').unwrap_or(v);
    let v = if opened && closed {
        v.strip_suffix('"').unwrap_or(v)
    } else {
        v
    };
    Some((key, v, closed))
}

/// A line that carries a whole JSON record (a log or data line a tool printed, perhaps
/// numbered: `242:{"timestamp":…,"type":…}`): data, not something said about the work.
fn is_json_record(line: &str) -> bool {
    let t = line.trim_start().trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, ':' | '\t' | ' ' | '|' | '→')
    });
    (t.starts_with('{') || t.starts_with("[{")) && t.matches("\":").count() >= 3
}

fn is_punct_only(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || "[]{}(),;:-_=*#>|`~".contains(c))
}

/// Tool chatter that says nothing about the work (aider and agent boilerplate).
pub fn is_chatter(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Tokens:",
        "Cost:",
        "Repo-map:",
        "Main model:",
        "Weak model:",
        "Editor model:",
        "Git repo:",
        "Aider v",
        "Using ",
        "Model:",
        "Added ",
        "Add ",
        "Would you like",
        "You can use /undo",
        "You can skip this check",
        "Initial repo scan",
        "Scanning repo",
        "Have you",
        "Please answer",
        "Don't add",
        "Dropping ",
        "Removed ",
        "Warning: it's best to only add",
        "https://aider.chat",
        "^C",
        "Thought Process",
        "<think>",
        "</think>",
        "<details>",
        "</details>",
        "<summary>",
        "Session ID",
        "Export Mode",
        "Total Messages",
        "First Message",
        "Last Message",
        "_Exported on",
    ];
    let t = line.trim();
    // markup of agent exports: <command-name>, <system-reminder>, <br/>
    let markup = t.starts_with('<') && t.ends_with('>');
    markup || PREFIXES.iter().any(|p| t.starts_with(p))
}

/// Whether a line looks like a timestamp header of an export (`12/2/2025, 8:22 AM`).
fn is_timestamp(line: &str) -> bool {
    let digits = line.chars().filter(char::is_ascii_digit).count();
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    digits >= 6 && letters <= 4
}

/// Reads the log into turns, units and facts.
pub fn scan(raw: &str) -> Scan {
    let (title, turns) = turns_of(raw);
    let total: usize = turns.iter().map(|t| t.text.len() + 1).sum::<usize>().max(1);
    let mut units = Vec::new();
    let mut facts = FactTable::default();
    let mut offset = 0usize;
    let mut rank = [0usize; 3];
    for (ti, turn) in turns.iter().enumerate() {
        let ri = turn.role as usize;
        let role_rank = rank[ri];
        rank[ri] += 1;
        let mut fence: Option<(char, usize, String)> = None;
        let mut heading: std::sync::Arc<str> = std::sync::Arc::from("");
        let mut stack: Vec<(usize, String)> = Vec::new();
        // a JSON string value that goes on over several lines: its role and kind
        let mut json_value: Option<(Role, Kind)> = None;
        // wrapped prose lines joined into one paragraph before it is cut into sentences
        let mut para: Option<Unit> = None;
        // the line before ended in a markdown hard break (two spaces or a backslash)
        let mut hard_break = false;
        for raw_line in turn.text.split('\n') {
            let breaks_after = raw_line.ends_with("  ") || raw_line.ends_with('\\');
            let hard_before = std::mem::replace(&mut hard_break, breaks_after);
            let here = offset;
            offset += raw_line.len() + 1;
            let pos = here as f64 / total as f64;
            let trimmed = raw_line.trim_start();
            if trimmed.is_empty() || fence.is_some() {
                flush(&mut para, &mut units);
            }
            // code fences
            let fc = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = fc {
                let n = trimmed.chars().take_while(|x| *x == c).count();
                if n >= 3 {
                    let bare = trimmed[n..].trim().is_empty();
                    match &fence {
                        Some((oc, on, _)) if *oc == c && n >= *on && bare => fence = None,
                        Some(_) => {}
                        None => {
                            let lang = trimmed[n..]
                                .split_whitespace()
                                .next()
                                .unwrap_or("")
                                .to_ascii_lowercase();
                            fence = Some((c, n, lang));
                        }
                    }
                    continue;
                }
            }
            let by_user = turn.role == Role::User;
            let (role, kind, text) = match &fence {
                Some((_, _, lang)) if is_shell_lang(lang) => {
                    let cmd = strip_prompt(raw_line);
                    if cmd.is_empty() || cmd.starts_with('#') {
                        continue;
                    }
                    if is_command_line(cmd) {
                        facts.add(FactKind::Command, &command_key(cmd), pos, by_user);
                        (turn.role, Kind::Command, cmd.to_owned())
                    } else {
                        (Role::Tool, Kind::Output, raw_line.trim().to_owned())
                    }
                }
                Some((_, _, lang)) if is_output_lang(lang) => {
                    (Role::Tool, Kind::Output, raw_line.trim().to_owned())
                }
                Some(_) => {
                    // program code: only its facts count; but notes written in a block
                    // (status lists, plans in yaml) are read as prose
                    facts.line(raw_line, pos, by_user, Kind::Output, false);
                    if looks_like_code(raw_line) {
                        continue;
                    }
                    (turn.role, Kind::Prose, raw_line.trim().to_owned())
                }
                None if json_value.is_some() => {
                    let (r, k) = json_value.unwrap_or((turn.role, Kind::Prose));
                    let t = raw_line.trim_end();
                    let t = t.strip_suffix(',').unwrap_or(t);
                    let text = match t.strip_suffix('"') {
                        Some(v) if !t.ends_with("\\\"") => {
                            json_value = None;
                            v
                        }
                        _ => raw_line,
                    };
                    (r, k, text.to_owned())
                }
                None => {
                    if let Some((key, value, closed)) = json_line(raw_line) {
                        match key {
                            "command" => {
                                if is_command_line(value) {
                                    facts.add(FactKind::Command, &command_key(value), pos, by_user);
                                    (Role::Tool, Kind::Command, value.to_owned())
                                } else {
                                    continue;
                                }
                            }
                            "text" | "content" | "description" | "prompt" | "message"
                            | "result" | "output" | "error" | "stderr" | "stdout" => {
                                let r = if key == "text" { turn.role } else { Role::Tool };
                                let k = if key == "text" {
                                    Kind::Prose
                                } else {
                                    Kind::Output
                                };
                                if !closed {
                                    json_value = Some((r, k));
                                }
                                (r, k, value.to_owned())
                            }
                            "file_path" | "path" | "notebook_path" => {
                                facts.paths(value, pos, by_user);
                                continue;
                            }
                            _ => continue,
                        }
                    } else if is_punct_only(raw_line) {
                        continue;
                    } else if let Some(cmd) = trimmed.strip_prefix("$ ") {
                        if is_command_line(cmd) {
                            facts.add(FactKind::Command, &command_key(cmd), pos, by_user);
                        }
                        (turn.role, Kind::Command, cmd.trim().to_owned())
                    } else if let Some(cmd) = trimmed
                        .strip_prefix("Running ")
                        .or_else(|| trimmed.strip_prefix("/run "))
                        .or_else(|| {
                            trimmed
                                .strip_prefix("Bash(")
                                .map(|r| r.trim_end_matches(')'))
                        })
                    {
                        if is_command_line(cmd) {
                            facts.add(FactKind::Command, &command_key(cmd), pos, by_user);
                            (Role::Tool, Kind::Command, cmd.trim().to_owned())
                        } else {
                            (turn.role, Kind::Prose, raw_line.to_owned())
                        }
                    } else {
                        (turn.role, Kind::Prose, raw_line.to_owned())
                    }
                }
            };
            let is_heading = kind == Kind::Prose && trimmed.starts_with('#');
            let cleaned = if kind == Kind::Command {
                text.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace(|c: char| c.is_control() || c == '\u{FFFD}', "")
            } else {
                clean_line(&text)
            };
            if cleaned.is_empty() || is_timestamp(&cleaned) {
                continue;
            }
            let raw_markup = {
                let t = text.trim();
                t.starts_with('<') && t.ends_with('>')
            };
            if raw_markup || is_chatter(&cleaned) || is_json_record(&text) {
                facts.line(&cleaned, pos, by_user, kind, false);
                continue;
            }
            if is_heading {
                let level = trimmed.chars().take_while(|c| *c == '#').count();
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                stack.push((level, cleaned.to_lowercase()));
                let path: Vec<&str> = stack.iter().map(|(_, t)| t.as_str()).collect();
                heading = std::sync::Arc::from(path.join(&HEADING_SEP.to_string()).as_str());
            }
            if kind != Kind::Command {
                facts.inline_commands(&text, pos, by_user);
                facts.line(&cleaned, pos, by_user, kind, true);
            }
            let unit = Unit {
                text: cleaned,
                role,
                kind,
                turn: ti,
                role_rank,
                pos,
                heading: heading.clone(),
                is_heading,
            };
            let continues = kind == Kind::Prose
                && role != Role::Tool
                && fence.is_none()
                && !hard_before
                && !is_heading
                && !starts_block(trimmed)
                && para
                    .as_ref()
                    .is_some_and(|p| p.role == role && !p.is_heading);
            if continues {
                if let Some(p) = para.as_mut() {
                    p.text.push(' ');
                    p.text.push_str(&unit.text);
                }
            } else {
                flush(&mut para, &mut units);
                if kind == Kind::Prose && !is_heading {
                    para = Some(unit);
                } else {
                    units.push(unit);
                }
            }
        }
        flush(&mut para, &mut units);
    }
    Scan {
        title,
        units,
        facts: facts.finish(),
        turns: turns.len(),
    }
}

/// Whether a line inside a code block is code rather than a note in words.
fn looks_like_code(line: &str) -> bool {
    let t = line.trim();
    const KEYWORDS: &[&str] = &[
        "import ",
        "from ",
        "const ",
        "let ",
        "var ",
        "fn ",
        "pub ",
        "use ",
        "def ",
        "class ",
        "function ",
        "return",
        "export ",
        "if ",
        "if(",
        "for ",
        "while ",
        "else",
        "async ",
        "await ",
        "struct ",
        "impl ",
        "#include",
        "//",
        "/*",
        "*",
        "#",
        "@",
        "<",
        "}",
        "{",
        ")",
        "]",
        "package ",
        "public ",
        "private ",
        "type ",
        "interface ",
        "enum ",
        "match ",
        "case ",
        "SELECT ",
        "INSERT ",
        "CREATE ",
        "UPDATE ",
    ];
    let words = t.split_whitespace().count();
    words < 3
        || t.ends_with([';', '{', '}', '(', ')', ',', '[', ']', '=', '>'])
        || KEYWORDS.iter().any(|k| t.starts_with(k))
        || t.contains(" = ")
        || t.contains("=>")
        || t.contains("->")
        || t.contains("();")
        || t.matches(['(', ')', '{', '}', ';', '=']).count() >= 3
}

/// Emits a buffered paragraph as units, one sentence each when it is long.
fn flush(para: &mut Option<Unit>, units: &mut Vec<Unit>) {
    if let Some(p) = para.take() {
        let parts = sentences(&p.text);
        if parts.len() == 1 {
            units.push(p);
        } else {
            for s in parts {
                units.push(Unit {
                    text: s.to_owned(),
                    heading: p.heading.clone(),
                    ..p.clone()
                });
            }
        }
    }
}

/// Whether a raw line starts a block of its own (a list item, heading, table row, quote
/// of a new speaker) rather than continuing the paragraph above.
fn starts_block(trimmed: &str) -> bool {
    let t = trimmed.trim_start_matches(['>', ' ']);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    t.starts_with([
        '-', '*', '+', '#', '|', '•', '✅', '⚠', '❌', '🚧', '🔥', '📝', '🎯',
    ]) || (digits > 0 && t[digits..].starts_with(['.', ')']))
        || t.starts_with('<')
}

fn command_key(cmd: &str) -> String {
    let c: String = cmd.split_whitespace().collect::<Vec<_>>().join(" ");
    let c = c.trim_end_matches(['\\', ';', '&', ' ']);
    truncate_chars(c, 200).to_owned()
}

pub fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// File extensions that make a word a file name.
const EXTENSIONS: &[&str] = &[
    "py",
    "pyi",
    "ipynb",
    "js",
    "mjs",
    "cjs",
    "ts",
    "mts",
    "tsx",
    "jsx",
    "json",
    "jsonc",
    "jsonl",
    "md",
    "mdx",
    "mdc",
    "txt",
    "rst",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "env",
    "lock",
    "sh",
    "bash",
    "zsh",
    "ps1",
    "bat",
    "go",
    "mod",
    "rs",
    "java",
    "kt",
    "kts",
    "gradle",
    "swift",
    "c",
    "h",
    "cc",
    "cpp",
    "hpp",
    "cs",
    "csproj",
    "sln",
    "rb",
    "erb",
    "rake",
    "php",
    "html",
    "htm",
    "css",
    "scss",
    "sass",
    "less",
    "vue",
    "svelte",
    "astro",
    "sql",
    "prisma",
    "graphql",
    "proto",
    "tf",
    "hcl",
    "xml",
    "plist",
    "csv",
    "tsv",
    "log",
    "dart",
    "lua",
    "scala",
    "ex",
    "exs",
    "erl",
    "hs",
    "ml",
    "clj",
    "zig",
    "sol",
    "wasm",
    "dockerfile",
    "mk",
    "cmake",
    "png",
    "jpg",
    "jpeg",
    "svg",
    "gif",
    "webp",
    "ico",
    "pdf",
    "zip",
    "tar",
    "gz",
    "tgz",
    "db",
    "sqlite",
    "sqlite3",
    "parquet",
    "pkl",
    "pt",
    "onnx",
    "gguf",
    "so",
    "dll",
    "exe",
    "apk",
    "jar",
    "whl",
    "xlsx",
    "docx",
    "pem",
    "service",
    "d.ts",
];

const DOTFILES: &[&str] = &[
    ".env",
    ".gitignore",
    ".dockerignore",
    ".npmrc",
    ".nvmrc",
    ".eslintrc",
    ".prettierrc",
    ".babelrc",
    ".editorconfig",
    ".cursorrules",
    ".dev.vars",
    ".bashrc",
    ".zshrc",
    ".python-version",
    ".tool-versions",
    ".gitattributes",
    ".mcp.json",
];

fn has_extension(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && !stem.ends_with('.')
        && EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        && !stem.chars().all(|c| c.is_ascii_digit())
}

fn path_char(c: char) -> bool {
    c.is_alphanumeric() || "_@.+-/~".contains(c)
}

/// File paths in a line (URLs excluded).
pub fn paths_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !line.contains(['/', '.']) {
        return out;
    }
    for raw in line.split(|c: char| !path_char(c) && c != '\\') {
        if !raw.contains(['/', '.']) {
            continue;
        }
        if raw.contains("://") || raw.starts_with("//") || raw.contains('\\') {
            continue;
        }
        let w = raw.strip_prefix("./").unwrap_or(raw);
        let w = w.trim_end_matches(|c: char| ".,:;-".contains(c));
        let w = w.trim_start_matches(|c: char| ",:;-".contains(c));
        if w.len() < 3 || w.contains("..") && !w.starts_with("../") {
            continue;
        }
        if DOTFILES.contains(&w) {
            out.push(w.to_owned());
            continue;
        }
        let segs: Vec<&str> = w.split('/').filter(|s| !s.is_empty()).collect();
        let last = segs.last().copied().unwrap_or("");
        let is_path = if segs.len() >= 2 {
            has_extension(last)
                || ((w.starts_with('/') || w.starts_with("~/") || w.starts_with("../"))
                    && !segs.iter().all(|s| s.chars().all(|c| c.is_ascii_digit())))
                || (w.ends_with('/') && segs.iter().all(|s| s.chars().any(char::is_alphabetic)))
        } else {
            has_extension(last) && last.chars().any(char::is_alphabetic)
        };
        if is_path {
            out.push(w.trim_end_matches('/').to_owned());
        }
    }
    out
}

fn urls_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail
                .find(|c: char| c.is_whitespace() || "<>\"'`()[]{}|".contains(c))
                .unwrap_or(tail.len());
            let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            // the tools' own documentation links say nothing about the work
            if url.len() > 10 && !url.contains("://aider.chat/") {
                out.push(url.to_owned());
            }
            rest = &tail[end.max(1)..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

fn is_identifier(w: &str) -> bool {
    let b = w.as_bytes();
    if b.len() < 4 || !(b[0].is_ascii_alphabetic() || b[0] == b'_') {
        return false;
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    let inner_underscore = w.trim_matches('_').contains('_');
    let lower_then_upper = b
        .windows(2)
        .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase());
    inner_underscore || lower_then_upper
}

/// Words that are called like functions in every language: not the project's names.
const CALL_KEYWORDS: &[&str] = &[
    "if", "elif", "else", "for", "while", "switch", "case", "catch", "try", "return", "function",
    "def", "class", "print", "println", "printf", "len", "str", "int", "float", "bool", "list",
    "dict", "set", "tuple", "type", "super", "require", "import", "from", "with", "assert",
    "sizeof", "typeof", "new", "await", "async", "yield", "lambda", "exec", "eval", "map",
    "filter", "range", "open", "input", "and", "not", "the", "this", "self", "log", "error",
    "warn", "info", "debug", "then", "push", "get", "format", "string",
];

/// Keys of agent tool-call records and tool-call ids: the export's own vocabulary.
fn is_format_key(w: &str) -> bool {
    const KEYS: &[&str] = &[
        "tool_use",
        "tool_result",
        "tool_use_id",
        "is_error",
        "subagent_type",
        "file_path",
        "old_string",
        "new_string",
        "replace_all",
        "output_mode",
        "head_limit",
        "run_in_background",
        "activeForm",
        "timeout_ms",
        "max_results",
        "notebook_path",
        "function_calls",
        "function_results",
    ];
    KEYS.contains(&w)
        || ["toolu_", "call_", "msg_", "chatcmpl", "req_", "run_"]
            .iter()
            .any(|p| w.starts_with(p) && w.len() > 12)
}

fn is_version(w: &str) -> bool {
    let v = w.strip_prefix('v').unwrap_or(w);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit()));
    numeric && (parts.len() == 3 || (parts.len() == 2 && w.starts_with('v')))
}

fn is_commit(w: &str) -> bool {
    (7..=12).contains(&w.len())
        && w.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && w.bytes().any(|c| c.is_ascii_digit())
        && w.bytes().any(|c| c.is_ascii_alphabetic())
}

/// Case-insensitive automata: the words that make a line a candidate error, and the
/// phrases that give it the shape of an error message.
fn error_automata() -> &'static (aho_corasick::AhoCorasick, aho_corasick::AhoCorasick) {
    static AC: std::sync::OnceLock<(aho_corasick::AhoCorasick, aho_corasick::AhoCorasick)> =
        std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let build = |words: &[&str]| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(words)
                .expect("error words build an automaton")
        };
        (
            build(&[
                "error",
                "exception",
                "failed",
                "fail:",
                "panic",
                "traceback",
                "fatal:",
                "denied",
                "not found",
                "no such file",
                "cannot ",
                "can't ",
                "unable to",
                "rejected",
                "conflict",
            ]),
            build(&[
                "error:",
                "error[",
                "fatal:",
                "panicked",
                "traceback",
                "failed to ",
                "failed with",
                "no such file",
                "permission denied",
            ]),
        )
    })
}

/// Whether a line reads as an error message rather than prose about errors.
pub fn is_error_line(line: &str, kind: Kind) -> bool {
    let (trigger, shape) = error_automata();
    if line.len() < 15 || !trigger.is_match(line) || line.split_whitespace().count() < 4 {
        return false;
    }
    if kind == Kind::Output {
        return true;
    }
    // message shape: FooError, "error:", "Error[E0308]", FAILED, fatal:, a traceback
    shape.is_match(line)
        || line.split(|c: char| !c.is_alphanumeric()).any(|w| {
            (w.len() > 5 && (w.ends_with("Error") || w.ends_with("Exception")))
                || w == "ERROR"
                || w == "FAILED"
                || w == "FAIL"
        })
}

#[derive(Default)]
struct FactTable {
    map: HashMap<(FactKind, String), FactInfo>,
    ident_counts: HashMap<String, FactInfo>,
}

impl FactTable {
    fn add(&mut self, kind: FactKind, text: &str, pos: f64, by_user: bool) {
        if text.is_empty() || text.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
            return;
        }
        // look up by borrowed key first: most occurrences are repeats
        if let Some(e) = self.map.get_mut(&(kind, text.to_owned())) {
            e.count += 1;
            e.last = pos;
            e.by_user |= by_user;
            return;
        }
        self.map.insert(
            (kind, text.to_owned()),
            FactInfo {
                kind,
                text: text.to_owned(),
                count: 1,
                last: pos,
                by_user,
            },
        );
    }

    fn paths(&mut self, line: &str, pos: f64, by_user: bool) {
        for p in paths_in(line) {
            self.add(FactKind::Path, &p, pos, by_user);
        }
    }

    fn identifiers(&mut self, line: &str, pos: f64, by_user: bool) {
        for w in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if is_identifier(w) && !is_format_key(w) {
                self.ident(w, pos, by_user);
            }
        }
        // names called as functions: `render(`, `client.fetch_all(`
        let b = line.as_bytes();
        for (i, _) in line.match_indices('(') {
            let start = b[..i]
                .iter()
                .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.'))
                .map_or(0, |p| p + 1);
            let name = line[start..i].trim_start_matches('.');
            let last = name.rsplit('.').next().unwrap_or("");
            if (name.contains('.') || name.len() >= 7)
                && last.len() >= 3
                && name.as_bytes()[0].is_ascii_alphabetic()
                && !is_identifier(name)
                && !CALL_KEYWORDS.contains(&last.to_ascii_lowercase().as_str())
                && !is_format_key(name)
            {
                self.ident(name, pos, by_user);
            }
        }
    }

    fn ident(&mut self, w: &str, pos: f64, by_user: bool) {
        if let Some(e) = self.ident_counts.get_mut(w) {
            e.count += 1;
            e.last = pos;
            e.by_user |= by_user;
        } else {
            self.ident_counts.insert(
                w.to_owned(),
                FactInfo {
                    kind: FactKind::Identifier,
                    text: w.to_owned(),
                    count: 1,
                    last: pos,
                    by_user,
                },
            );
        }
    }

    /// Inline `code spans` that hold a command.
    fn inline_commands(&mut self, line: &str, pos: f64, by_user: bool) {
        let mut parts = line.split('`');
        parts.next();
        while let Some(span) = parts.next() {
            if is_command_line(span.trim()) {
                self.add(FactKind::Command, &command_key(span.trim()), pos, by_user);
            }
            parts.next();
        }
    }

    fn line(&mut self, line: &str, pos: f64, by_user: bool, kind: Kind, errors: bool) {
        for u in urls_in(line) {
            self.add(FactKind::Url, &u, pos, by_user);
        }
        let owned;
        let no_urls: &str = if line.contains("://") {
            owned = line
                .split_whitespace()
                .filter(|w| !w.contains("://"))
                .collect::<Vec<_>>()
                .join(" ");
            &owned
        } else {
            line
        };
        self.paths(no_urls, pos, by_user);
        // identifiers need an underscore, a call or a lower-to-upper hump
        let b = no_urls.as_bytes();
        if b.contains(&b'_')
            || b.contains(&b'(')
            || b.windows(2)
                .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase())
        {
            self.identifiers(no_urls, pos, by_user);
        }
        if !b.iter().any(u8::is_ascii_digit) {
            if errors && is_error_line(line, kind) {
                self.add(FactKind::Error, truncate_chars(line, 200), pos, by_user);
            }
            return;
        }
        for w in no_urls.split(|c: char| c.is_whitespace() || "(),;:[]'\"`".contains(c)) {
            let w = w.trim_end_matches(['.', ',']);
            if is_version(w) {
                self.add(FactKind::Version, w.trim_start_matches('v'), pos, by_user);
            } else if is_commit(w) {
                self.add(FactKind::Commit, w, pos, by_user);
            }
        }
        if errors && is_error_line(line, kind) {
            self.add(FactKind::Error, truncate_chars(line, 200), pos, by_user);
        }
    }

    fn finish(mut self) -> Vec<FactInfo> {
        for (k, v) in std::mem::take(&mut self.ident_counts) {
            if v.count >= 2 {
                self.map.insert((FactKind::Identifier, k), v);
            }
        }
        let mut out: Vec<FactInfo> = self.map.into_values().collect();
        // hash order is not stable: sort for deterministic output
        out.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.text.cmp(&b.text)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_paths_commands_and_errors() {
        let log = "User: fix the build\n\nAssistant: I ran\n```bash\n$ cargo test --all\n```\n\
                   ```text\nerror[E0308]: mismatched types in src/main.rs\n```\n\
                   See https://example.com/docs. Edited src/lib.rs and Cargo.toml (v1.2.3), commit 9a6175d.";
        let s = scan(log);
        let has = |k: FactKind, t: &str| s.facts.iter().any(|f| f.kind == k && f.text == t);
        assert!(has(FactKind::Command, "cargo test --all"), "{:?}", s.facts);
        assert!(has(FactKind::Path, "src/main.rs"));
        assert!(has(FactKind::Path, "src/lib.rs"));
        assert!(has(FactKind::Path, "Cargo.toml"));
        assert!(has(FactKind::Url, "https://example.com/docs"));
        assert!(has(FactKind::Version, "1.2.3"));
        assert!(has(FactKind::Commit, "9a6175d"));
        assert!(s
            .facts
            .iter()
            .any(|f| f.kind == FactKind::Error && f.text.contains("mismatched types")));
    }

    #[test]
    fn json_escaped_lines_are_split() {
        assert_eq!(normalize("a\\nb \\\"q\\\""), "a\nb \"q\"");
        assert_eq!(normalize("plain\r\nline"), "plain\nline");
    }

    #[test]
    fn markdown_decoration_is_removed() {
        assert_eq!(clean_line("  - [ ] **Ship** it  "), "Ship it");
        assert_eq!(clean_line("### 2. Next steps"), "Next steps");
        assert_eq!(clean_line("> > quoted"), "quoted");
    }

    #[test]
    fn turns_keep_roles() {
        let s = scan("User: please keep the API stable\nAssistant: Done, tests pass.\n");
        assert_eq!(s.turns, 2);
        assert_eq!(s.units[0].role, Role::User);
        assert_eq!(s.units[1].role, Role::Assistant);
    }

    #[test]
    fn prose_about_errors_is_not_an_error_line() {
        assert!(!is_error_line(
            "add error handling to the parser",
            Kind::Prose
        ));
        assert!(is_error_line(
            "TypeError: x is undefined at foo",
            Kind::Prose
        ));
    }
}
