//! Bundle validation: every value the database would refuse, and references that point
//! outside the bundle, named by their path.

use super::{
    problem, Bundle, FORMAT, FORMAT_VERSION, MAX_COST_MICROS, MAX_RECORDS, MAX_TEXT_BYTES,
};
use crate::domain::limits::{
    MAX_COUNT, MAX_DURATION_MINUTES, MAX_FILE_BYTES, MAX_LATENCY_MS, MAX_SESSION_CREDITS,
    MAX_TOKENS,
};
use crate::domain::project::{ProjectDescription, ProjectName};
use crate::error::FieldError;
use std::collections::HashSet;

const SNAPSHOT_TYPES: &[&str] = &["handoff", "checkpoint", "backup"];
const ROLES: &[&str] = &["user", "assistant", "system"];
const HANDOFF_STATUSES: &[&str] = &["pending", "processing", "completed", "failed"];
const CATEGORIES: &[&str] = &[
    "pattern",
    "error_solution",
    "optimization",
    "best_practice",
    "tip",
];
const SWITCH_KINDS: &[&str] = &["select", "rotate", "manual"];

fn one_of(value: &str, allowed: &[&str], path: impl FnOnce() -> String) -> Result<(), FieldError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(problem(
            path(),
            format!("{value:?} is not one of {}", allowed.join(", ")),
        ))
    }
}

fn bounded(v: i64, max: i64, path: impl FnOnce() -> String) -> Result<(), FieldError> {
    crate::domain::limits::within(v, max)
        .map(|_| ())
        .map_err(|m| problem(path(), m))
}

fn text(v: &str, path: impl FnOnce() -> String) -> Result<(), FieldError> {
    if v.len() > MAX_TEXT_BYTES {
        Err(problem(
            path(),
            format!("longer than {MAX_TEXT_BYTES} bytes"),
        ))
    } else if v.contains('\0') {
        Err(problem(path(), "contains a NUL character"))
    } else {
        Ok(())
    }
}

fn opt_text(v: &Option<String>, path: impl FnOnce() -> String) -> Result<(), FieldError> {
    v.as_deref().map_or(Ok(()), |v| text(v, path))
}

/// Collects the ids of one collection, refusing non-positive and repeated ones.
fn ids<T>(items: &[T], name: &str, id: impl Fn(&T) -> i64) -> Result<HashSet<i64>, FieldError> {
    if items.len() > MAX_RECORDS {
        return Err(problem(
            name,
            format!(
                "{} records; a bundle holds at most {MAX_RECORDS}",
                items.len()
            ),
        ));
    }
    let mut seen = HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let v = id(item);
        if v <= 0 {
            return Err(problem(
                format!("{name}[{i}].id"),
                format!("{v} is not an id"),
            ));
        }
        if !seen.insert(v) {
            return Err(problem(
                format!("{name}[{i}].id"),
                format!("id {v} appears twice in {name}"),
            ));
        }
    }
    Ok(seen)
}

fn reference(
    v: i64,
    known: &HashSet<i64>,
    collection: &str,
    path: impl FnOnce() -> String,
) -> Result<(), FieldError> {
    if known.contains(&v) {
        Ok(())
    } else {
        Err(problem(
            path(),
            format!("refers to {v}, which is not in {collection}"),
        ))
    }
}

fn opt_reference(
    v: Option<i64>,
    known: &HashSet<i64>,
    collection: &str,
    path: impl FnOnce() -> String,
) -> Result<(), FieldError> {
    v.map_or(Ok(()), |v| reference(v, known, collection, path))
}

impl Bundle {
    /// Checks the version, every value the database would refuse, and that every reference
    /// points inside the bundle. The error names the first problem by its path.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.format != FORMAT {
            return Err(problem(
                "format",
                format!(
                    "{:?} is not a project bundle (expected {FORMAT:?})",
                    self.format
                ),
            ));
        }
        if self.format_version != FORMAT_VERSION {
            return Err(problem(
                "format_version",
                format!(
                    "version {} is not supported (this version reads {FORMAT_VERSION})",
                    self.format_version
                ),
            ));
        }
        let p = &self.project;
        ProjectName::parse(&p.name).map_err(|e| problem("project.name", e.message))?;
        ProjectDescription::parse(p.description.as_deref())
            .map_err(|e| problem("project.description", e.message))?;
        // the totals are recomputed from the sessions on import; still, no absurd values
        bounded(p.total_credits_used, i64::MAX / 4, || {
            "project.total_credits_used".into()
        })?;
        bounded(p.total_sessions, MAX_RECORDS as i64, || {
            "project.total_sessions".into()
        })?;

        let accounts = ids(&self.accounts, "accounts", |a| a.id)?;
        let mut names = HashSet::with_capacity(self.accounts.len());
        for (i, a) in self.accounts.iter().enumerate() {
            let name = a.account_name.trim();
            if name.is_empty() {
                return Err(problem(format!("accounts[{i}].account_name"), "is empty"));
            }
            text(name, || format!("accounts[{i}].account_name"))?;
            if !names.insert(crate::domain::text::name_key(name)) {
                return Err(problem(
                    format!("accounts[{i}].account_name"),
                    format!("{name:?} appears twice in accounts"),
                ));
            }
        }

        let sessions = ids(&self.sessions, "sessions", |s| s.id)?;
        let mut numbers = HashSet::with_capacity(self.sessions.len());
        for (i, s) in self.sessions.iter().enumerate() {
            let at = |f: &str| format!("sessions[{i}].{f}");
            reference(s.account_id, &accounts, "accounts", || at("account_id"))?;
            if s.session_number < 1 {
                return Err(problem(at("session_number"), "must be 1 or more"));
            }
            if !numbers.insert(s.session_number) {
                return Err(problem(
                    at("session_number"),
                    format!("session number {} appears twice", s.session_number),
                ));
            }
            bounded(s.credits_used, MAX_SESSION_CREDITS, || at("credits_used"))?;
            if let Some(d) = s.duration_minutes {
                bounded(d, MAX_DURATION_MINUTES, || at("duration_minutes"))?;
            }
            opt_text(&s.objectives, || at("objectives"))?;
            opt_text(&s.accomplishments, || at("accomplishments"))?;
            opt_text(&s.blockers, || at("blockers"))?;
            opt_text(&s.handoff_notes, || at("handoff_notes"))?;
            opt_text(&s.checkpoint_data, || at("checkpoint_data"))?;
        }

        ids(&self.context_snapshots, "context_snapshots", |s| s.id)?;
        for (i, s) in self.context_snapshots.iter().enumerate() {
            let at = |f: &str| format!("context_snapshots[{i}].{f}");
            reference(s.session_id, &sessions, "sessions", || at("session_id"))?;
            one_of(&s.snapshot_type, SNAPSHOT_TYPES, || at("snapshot_type"))?;
            text(&s.compressed_context, || at("compressed_context"))?;
            opt_text(&s.context_summary, || at("context_summary"))?;
            opt_text(&s.git_commit_hash, || at("git_commit_hash"))?;
            bounded(s.file_count, MAX_COUNT, || at("file_count"))?;
            bounded(s.code_lines, MAX_COUNT, || at("code_lines"))?;
        }

        ids(&self.conversation_turns, "conversation_turns", |t| t.id)?;
        let mut turn_keys = HashSet::with_capacity(self.conversation_turns.len());
        for (i, t) in self.conversation_turns.iter().enumerate() {
            let at = |f: &str| format!("conversation_turns[{i}].{f}");
            reference(t.session_id, &sessions, "sessions", || at("session_id"))?;
            if t.turn_number < 1 {
                return Err(problem(at("turn_number"), "must be 1 or more"));
            }
            if !turn_keys.insert((t.session_id, t.turn_number)) {
                return Err(problem(
                    at("turn_number"),
                    format!(
                        "turn {} of session {} appears twice",
                        t.turn_number, t.session_id
                    ),
                ));
            }
            if let Some(role) = &t.role {
                one_of(role, ROLES, || at("role"))?;
            }
            text(&t.content, || at("content"))?;
            if let Some(n) = t.tokens_used {
                bounded(n, MAX_TOKENS, || at("tokens_used"))?;
            }
        }

        ids(&self.files, "files", |f| f.id)?;
        let mut paths = HashSet::with_capacity(self.files.len());
        for (i, f) in self.files.iter().enumerate() {
            let at = |k: &str| format!("files[{i}].{k}");
            if f.file_path.is_empty() {
                return Err(problem(at("file_path"), "is empty"));
            }
            text(&f.file_path, || at("file_path"))?;
            if !paths.insert(f.file_path.as_str()) {
                return Err(problem(
                    at("file_path"),
                    format!("{:?} appears twice", f.file_path),
                ));
            }
            if let Some(n) = f.size_bytes {
                bounded(n, MAX_FILE_BYTES, || at("size_bytes"))?;
            }
            opt_text(&f.file_type, || at("file_type"))?;
            opt_text(&f.last_modified, || at("last_modified"))?;
            opt_text(&f.git_status, || at("git_status"))?;
            opt_text(&f.notes, || at("notes"))?;
        }

        ids(&self.handoffs, "handoffs", |h| h.id)?;
        for (i, h) in self.handoffs.iter().enumerate() {
            let at = |k: &str| format!("handoffs[{i}].{k}");
            opt_reference(h.session_id, &sessions, "sessions", || at("session_id"))?;
            reference(h.from_account_id, &accounts, "accounts", || {
                at("from_account_id")
            })?;
            opt_reference(h.to_account_id, &accounts, "accounts", || {
                at("to_account_id")
            })?;
            if !(1..=10).contains(&h.priority) {
                return Err(problem(
                    at("priority"),
                    format!("{} is not between 1 and 10", h.priority),
                ));
            }
            one_of(&h.status, HANDOFF_STATUSES, || at("status"))?;
            text(&h.handoff_context, || at("handoff_context"))?;
        }

        let entries = ids(&self.knowledge, "knowledge", |k| k.id)?;
        for (i, k) in self.knowledge.iter().enumerate() {
            let at = |f: &str| format!("knowledge[{i}].{f}");
            one_of(&k.category, CATEGORIES, || at("category"))?;
            if k.title.trim().is_empty() {
                return Err(problem(at("title"), "is empty"));
            }
            text(&k.title, || at("title"))?;
            text(&k.description, || at("description"))?;
            opt_text(&k.tags, || at("tags"))?;
            bounded(k.usage_count, MAX_COUNT, || at("usage_count"))?;
            if let Some(n) = k.success_count {
                if !(0..=k.usage_count).contains(&n) {
                    return Err(problem(
                        at("success_count"),
                        format!("{n} is not between 0 and usage_count ({})", k.usage_count),
                    ));
                }
            }
            if !(0.0..=1.0).contains(&k.success_rate) {
                return Err(problem(
                    at("success_rate"),
                    format!("{} is not between 0 and 1", k.success_rate),
                ));
            }
            opt_reference(k.source_session_id, &sessions, "sessions", || {
                at("source_session_id")
            })?;
        }

        ids(&self.knowledge_outcomes, "knowledge_outcomes", |o| o.id)?;
        for (i, o) in self.knowledge_outcomes.iter().enumerate() {
            let at = |f: &str| format!("knowledge_outcomes[{i}].{f}");
            reference(o.entry_id, &entries, "knowledge", || at("entry_id"))?;
            opt_reference(o.session_id, &sessions, "sessions", || at("session_id"))?;
            opt_text(&o.note, || at("note"))?;
        }

        ids(&self.account_switches, "account_switches", |s| s.id)?;
        for (i, s) in self.account_switches.iter().enumerate() {
            let at = |f: &str| format!("account_switches[{i}].{f}");
            one_of(&s.kind, SWITCH_KINDS, || at("kind"))?;
            opt_reference(s.from_account_id, &accounts, "accounts", || {
                at("from_account_id")
            })?;
            opt_reference(s.to_account_id, &accounts, "accounts", || {
                at("to_account_id")
            })?;
            opt_reference(s.session_id, &sessions, "sessions", || at("session_id"))?;
            text(&s.reason, || at("reason"))?;
        }

        ids(&self.usage, "usage", |u| u.id.0)?;
        for (i, u) in self.usage.iter().enumerate() {
            let at = |f: &str| format!("usage[{i}].{f}");
            reference(u.session_id.0, &sessions, "sessions", || at("session_id"))?;
            for (v, f, max) in [
                (
                    &u.provider,
                    "provider",
                    crate::domain::ledger::PROVIDER_MAX_CHARS,
                ),
                (&u.model, "model", crate::domain::ledger::MODEL_MAX_CHARS),
            ] {
                let n = v.trim().chars().count();
                if n == 0 || n > max {
                    return Err(problem(at(f), format!("must be 1 to {max} characters")));
                }
                text(v, || at(f))?;
            }
            bounded(u.input_tokens, MAX_TOKENS, || at("input_tokens"))?;
            bounded(u.output_tokens, MAX_TOKENS, || at("output_tokens"))?;
            bounded(u.cost_micros, MAX_COST_MICROS, || at("cost_micros"))?;
            if let Some(l) = u.latency_ms {
                bounded(l, MAX_LATENCY_MS, || at("latency_ms"))?;
            }
        }
        Ok(())
    }
}
