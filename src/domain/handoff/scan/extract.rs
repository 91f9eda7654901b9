//! The scanner's state machine: each turn, line by line, becomes units and facts.

use super::facts::FactTable;
use super::lines::{
    clean_line, command_key, is_chatter, is_command_line, is_json_record, is_output_lang,
    is_punct_only, is_search_hit, is_shell_lang, is_timestamp, json_line, looks_like_code,
    sentences, strip_prompt,
};
use super::turns::turns_of;
use super::{FactKind, Kind, Role, Scan, Unit, HEADING_SEP};

/// Reads the log into turns, units and facts.
pub fn scan(raw: &str) -> Scan {
    let (title, turns) = turns_of(raw);
    let total: usize = turns.iter().map(|t| t.text.len() + 1).sum::<usize>().max(1);
    let mut units = Vec::new();
    let mut facts = FactTable::default();
    let mut offset = 0usize;
    let mut rank = [0usize; 3];
    // (turns without headings share one empty path: it is read once)
    let no_heading: std::sync::Arc<str> = std::sync::Arc::from("");
    for (ti, turn) in turns.iter().enumerate() {
        let ri = turn.role as usize;
        let role_rank = rank[ri];
        rank[ri] += 1;
        let mut fence: Option<(char, usize, String)> = None;
        let mut heading = no_heading.clone();
        let mut stack: Vec<(usize, String)> = Vec::new();
        // a line that ends in a colon leads the list after it ("Next steps:"), as a
        // heading would: the heading path its items stand under
        let mut lead: Option<std::sync::Arc<str>> = None;
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
                Some((_, _, lang)) => {
                    // program code: only its facts count; but notes written in a block
                    // (status lists, plans in yaml) are read as prose, unless the block
                    // is a diff (a file's change, whatever it says)
                    facts.line(raw_line, pos, by_user, Kind::Output, false);
                    if looks_like_code(raw_line) || matches!(lang.as_str(), "diff" | "patch") {
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
            if raw_markup || is_chatter(&cleaned) || is_json_record(&text) || is_search_hit(&text) {
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
            let item = kind == Kind::Prose && is_list_item(trimmed);
            let under = match &lead {
                Some(l) if item => l.clone(),
                _ => heading.clone(),
            };
            if kind == Kind::Prose && !item {
                // (a short one: a sentence that ends in a colon is not a title)
                let short = cleaned.split_whitespace().count() <= MAX_LEAD_WORDS;
                lead = (!is_heading && short && cleaned.ends_with(':')).then(|| {
                    let mut path = heading.to_string();
                    if !path.is_empty() {
                        path.push(HEADING_SEP);
                    }
                    path.push_str(&cleaned.to_lowercase());
                    std::sync::Arc::from(path.as_str())
                });
            }
            let error_line = if kind == Kind::Command {
                None
            } else {
                facts.inline_commands(&text, pos, by_user);
                facts.line(&cleaned, pos, by_user, kind, true)
            };
            let unit = Unit {
                text: cleaned,
                role,
                kind,
                turn: ti,
                role_rank,
                pos,
                heading: under,
                is_heading,
                error_line,
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
                    p.error_line = None;
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
                    error_line: None,
                    ..p.clone()
                });
            }
        }
    }
}

/// The most words a line that leads a list may have (`Remaining work:`).
const MAX_LEAD_WORDS: usize = 8;

/// Whether a raw line is an item of a list (`- `, `* `, `1. `, `• `).
fn is_list_item(trimmed: &str) -> bool {
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    ["- ", "* ", "+ ", "• "]
        .iter()
        .any(|p| trimmed.starts_with(p))
        || (digits > 0 && digits < 4 && trimmed[digits..].starts_with(['.', ')']))
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
