//! Reading one line of a log: what it is (command, code, chatter, data) and its clean text.

use super::lexicon::{
    CHATTER_PREFIXES, CODE_STARTS, COMMANDS, HARNESS_NOTES, MARKUP_TAGS, OUTPUT_LANGS, SHELL_LANGS,
};

/// Languages of fenced blocks whose lines are shell commands.
pub(super) fn is_shell_lang(lang: &str) -> bool {
    SHELL_LANGS.contains(&lang)
}

/// Languages of fenced blocks whose lines are program output.
pub(super) fn is_output_lang(lang: &str) -> bool {
    OUTPUT_LANGS.contains(&lang)
}

/// Whether a line is a shell command worth keeping: a known program or a script with
/// arguments, or an `export` of a variable.
pub(super) fn is_command_line(line: &str) -> bool {
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

/// A command line without its shell prompt (`$ `, `% `, `user@host:~$ `).
pub(super) fn strip_prompt(line: &str) -> &str {
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
        for p in ["- ", "* ", "+ ", "• "] {
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
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let tag = tail.find('>').map(|e| &tail[1..e]);
        let name = tag.map(|t| t.trim_start_matches('/').trim_end_matches('/').trim());
        match name {
            Some(n) if MARKUP_TAGS.contains(&n) => rest = &tail[tag.map_or(0, str::len) + 2..],
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
pub(super) fn sentences(line: &str) -> Vec<&str> {
    if line.chars().count() <= 220 {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        let split = match c {
            // a full stop, then a space and a capital or a digit
            '.' | '!' | '?' => {
                let mut ahead = line[end..].chars();
                ahead.next() == Some(' ')
                    && ahead
                        .next()
                        .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit())
            }
            // the full stops of scripts written without spaces
            '。' | '！' | '？' => true,
            _ => false,
        };
        if split && end - start > 40 {
            out.push(line[start..end].trim());
            start = end;
            if chars.peek().is_some_and(|(_, n)| *n == ' ') {
                chars.next();
                start += 1;
            }
        }
    }
    if start < line.len() {
        out.push(line[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Lines that only carry a JSON key of a tool-call record; the useful ones are unwrapped.
/// Also says whether the value's string closes on this line.
pub(super) fn json_line(line: &str) -> Option<(&str, &str, bool)> {
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
pub(super) fn is_json_record(line: &str) -> bool {
    let t = line.trim_start().trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, ':' | '\t' | ' ' | '|' | '→')
    });
    (t.starts_with('{') || t.starts_with("[{")) && t.matches("\":").count() >= 3
}

/// A row of an agent's search results (`| path | L864 | code |`): where some code is,
/// not something that happened.
pub(super) fn is_search_hit(line: &str) -> bool {
    let t = line.trim();
    if !t.starts_with('|') {
        return false;
    }
    let cells: Vec<&str> = t.split('|').map(|c| c.trim().trim_matches('`')).collect();
    let line_no = |c: &&str| {
        c.strip_prefix('L').is_some_and(|n| {
            n.starts_with(|c: char| c.is_ascii_digit())
                && n.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'L')
        })
    };
    cells.len() >= 4
        && cells.iter().any(line_no)
        && cells.iter().any(|c| c.contains('/') || c.contains('.'))
}

/// Whether a line holds only brackets, punctuation and rules.
pub(super) fn is_punct_only(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || "[]{}(),;:-_=*#>|`~".contains(c))
}

/// Tool chatter that says nothing about the work (aider and agent boilerplate).
pub fn is_chatter(line: &str) -> bool {
    let t = line.trim();
    // markup of agent exports: <command-name>, <system-reminder>, <br/>
    let markup = t.starts_with('<') && t.ends_with('>');
    markup
        || CHATTER_PREFIXES.iter().any(|p| t.starts_with(p))
        || HARNESS_NOTES.iter().any(|n| t.contains(n))
}

/// Whether a line looks like a timestamp header of an export (`12/2/2025, 8:22 AM`).
pub(super) fn is_timestamp(line: &str) -> bool {
    let digits = line.chars().filter(char::is_ascii_digit).count();
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    digits >= 6 && letters <= 4
}

/// Whether a line inside a code block is code rather than a note in words.
pub(super) fn looks_like_code(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    words < 3
        || t.ends_with([';', '{', '}', '(', ')', ',', '[', ']', '=', '>'])
        || CODE_STARTS.iter().any(|k| t.starts_with(k))
        || t.contains(" = ")
        || t.contains("=>")
        || t.contains("->")
        || t.contains("();")
        || t.matches(['(', ')', '{', '}', ';', '=']).count() >= 3
}

/// A command as a fact: whitespace collapsed, trailing separators dropped, at most 200
/// characters.
pub(super) fn command_key(cmd: &str) -> String {
    let c: String = cmd.split_whitespace().collect::<Vec<_>>().join(" ");
    let c = c.trim_end_matches(['\\', ';', '&', ' ']);
    truncate_chars(c, 200).to_owned()
}

/// The first `n` characters of `s`.
pub fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
