//! Project bundles: one project with everything recorded about it, as a versioned JSON
//! document that can be imported into another database (spec: "Project Export",
//! "5. Export/Import Project Data").
//!
//! Ids inside a bundle are the exporting database's ids; they only serve as references
//! between the bundle's own records. Accounts appear as references (id, name, platform),
//! never with credentials or e-mail addresses. Validation is pure and names the first
//! problem by its path (`sessions[3].account_id`).

use crate::domain::account::Platform;
use crate::domain::limits::{
    MAX_COUNT, MAX_DURATION_MINUTES, MAX_FILE_BYTES, MAX_LATENCY_MS, MAX_SESSION_CREDITS,
    MAX_TOKENS,
};
use crate::domain::project::{ProjectDescription, ProjectName, ProjectStatus};
use crate::domain::project_file::Importance;
use crate::domain::session::{SessionStatus, SessionType};
use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What the `format` field of every bundle says.
pub const FORMAT: &str = "paas-project";
/// The bundle version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The most records of one kind a bundle may carry.
pub const MAX_RECORDS: usize = 2_000_000;
/// The largest cost of one ledger row, in millionths of a dollar.
const MAX_COST_MICROS: i64 = (crate::domain::ledger::MAX_COST_USD as i64) * 1_000_000;
/// The longest text a single field may hold, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Bundle {
    pub format: String,
    pub format_version: u32,
    pub exported_at: Timestamp,
    pub project: ProjectRecord,
    pub accounts: Vec<AccountRef>,
    pub sessions: Vec<SessionRecord>,
    pub context_snapshots: Vec<SnapshotRecord>,
    pub conversation_turns: Vec<TurnRecord>,
    pub files: Vec<FileRecord>,
    pub handoffs: Vec<HandoffRecord>,
    pub knowledge: Vec<KnowledgeRecord>,
    /// Recorded applications of those entries ("it worked / it didn't").
    #[serde(default)]
    pub knowledge_outcomes: Vec<OutcomeRecord>,
    pub account_switches: Vec<SwitchRecord>,
    /// The usage ledger of the project's sessions (absent in older bundles).
    #[serde(default)]
    pub usage: Vec<UsageRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ProjectRecord {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: ProjectStatus,
    pub total_credits_used: i64,
    pub total_sessions: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An account the project used: enough to find or recreate it, nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AccountRef {
    pub id: i64,
    pub account_name: String,
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionRecord {
    pub id: i64,
    pub account_id: i64,
    pub session_number: i64,
    pub session_type: SessionType,
    pub credits_used: i64,
    pub duration_minutes: Option<i64>,
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub handoff_notes: Option<String>,
    pub checkpoint_data: Option<String>,
    pub status: SessionStatus,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SnapshotRecord {
    pub id: i64,
    pub session_id: i64,
    pub snapshot_type: String,
    pub compressed_context: String,
    pub context_summary: Option<String>,
    pub file_count: i64,
    pub code_lines: i64,
    pub git_commit_hash: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TurnRecord {
    pub id: i64,
    pub session_id: i64,
    pub turn_number: i64,
    pub role: Option<String>,
    pub content: String,
    pub tokens_used: Option<i64>,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FileRecord {
    pub id: i64,
    pub file_path: String,
    pub file_type: Option<String>,
    pub last_modified: Option<String>,
    pub size_bytes: Option<i64>,
    pub git_status: Option<String>,
    pub importance: Importance,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HandoffRecord {
    pub id: i64,
    pub session_id: Option<i64>,
    pub from_account_id: i64,
    pub to_account_id: Option<i64>,
    pub priority: i64,
    pub handoff_context: String,
    pub status: String,
    pub created_at: Timestamp,
    pub processed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KnowledgeRecord {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub description: String,
    pub tags: Option<String>,
    pub usage_count: i64,
    /// How many applications worked (absent in bundles that predate outcomes: then it
    /// follows from the rate).
    #[serde(default)]
    pub success_count: Option<i64>,
    pub success_rate: f64,
    pub source_session_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A recorded application of a knowledge entry, as stored.
pub type OutcomeRecord = crate::domain::knowledge::Outcome;

/// One row of the usage ledger.
pub type UsageRecord = crate::domain::ledger::Call;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SwitchRecord {
    pub id: i64,
    pub kind: String,
    pub from_account_id: Option<i64>,
    pub to_account_id: Option<i64>,
    pub session_id: Option<i64>,
    pub reason: String,
    pub created_at: Timestamp,
}

/// How many records of each kind a bundle carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Counts {
    pub sessions: usize,
    pub context_snapshots: usize,
    pub conversation_turns: usize,
    pub files: usize,
    pub handoffs: usize,
    pub knowledge: usize,
    #[serde(default)]
    pub knowledge_outcomes: usize,
    pub account_switches: usize,
    #[serde(default)]
    pub usage: usize,
}

/// What an import does when a live project already has the bundle's (or the chosen) name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Import as a new project named "Name (2)", "Name (3)", ….
    #[default]
    Rename,
    /// Add the sessions (renumbered after the existing ones), files and entries to the
    /// existing project.
    Merge,
    /// Import nothing.
    Skip,
}

impl OnConflict {
    pub const ALL: &'static [OnConflict] = &[Self::Rename, Self::Merge, Self::Skip];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rename => "rename",
            Self::Merge => "merge",
            Self::Skip => "skip",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == t)
            .ok_or_else(|| {
                FieldError::new(
                    "on_conflict",
                    format!("{s:?} is not one of rename, merge, skip"),
                )
            })
    }
}

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

fn problem(path: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError::new(path, message)
}

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
    pub fn counts(&self) -> Counts {
        Counts {
            sessions: self.sessions.len(),
            context_snapshots: self.context_snapshots.len(),
            conversation_turns: self.conversation_turns.len(),
            files: self.files.len(),
            handoffs: self.handoffs.len(),
            knowledge: self.knowledge.len(),
            knowledge_outcomes: self.knowledge_outcomes.len(),
            account_switches: self.account_switches.len(),
            usage: self.usage.len(),
        }
    }

    /// The project's totals as its sessions make them: finished sessions and the credits
    /// they used (what completing a session adds). An import stores these, never the
    /// totals the file claims.
    pub fn derived_totals(&self) -> (i64, i64) {
        self.sessions
            .iter()
            .filter(|s| s.status != SessionStatus::InProgress)
            .fold((0i64, 0i64), |(n, c), s| {
                (n.saturating_add(1), c.saturating_add(s.credits_used))
            })
    }

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

    /// The bundle with its ids replaced by positions (1, 2, … in each collection, every
    /// reference following) and `exported_at` cleared. Two exports of the same data —
    /// before and after an import into another database — have equal canonical forms;
    /// that is the round-trip comparison.
    pub fn canonical(&self) -> Bundle {
        fn positions(ids: impl Iterator<Item = i64>) -> HashMap<i64, i64> {
            ids.zip(1..).collect()
        }
        let map = |m: &HashMap<i64, i64>, v: i64| m.get(&v).copied().unwrap_or(0);
        let accounts = positions(self.accounts.iter().map(|a| a.id));
        let sessions = positions(self.sessions.iter().map(|s| s.id));
        let mut b = self.clone();
        b.exported_at = Timestamp::from_unix(0).unwrap_or(self.exported_at);
        b.project.id = 1;
        for (n, a) in (1..).zip(b.accounts.iter_mut()) {
            a.id = n;
        }
        for (n, s) in (1..).zip(b.sessions.iter_mut()) {
            s.id = n;
            s.account_id = map(&accounts, s.account_id);
        }
        for (n, s) in (1..).zip(b.context_snapshots.iter_mut()) {
            s.id = n;
            s.session_id = map(&sessions, s.session_id);
        }
        for (n, t) in (1..).zip(b.conversation_turns.iter_mut()) {
            t.id = n;
            t.session_id = map(&sessions, t.session_id);
        }
        for (n, f) in (1..).zip(b.files.iter_mut()) {
            f.id = n;
        }
        for (n, h) in (1..).zip(b.handoffs.iter_mut()) {
            h.id = n;
            h.session_id = h.session_id.map(|v| map(&sessions, v));
            h.from_account_id = map(&accounts, h.from_account_id);
            h.to_account_id = h.to_account_id.map(|v| map(&accounts, v));
        }
        for (n, k) in (1..).zip(b.knowledge.iter_mut()) {
            k.id = n;
            k.source_session_id = k.source_session_id.map(|v| map(&sessions, v));
        }
        let entries = positions(self.knowledge.iter().map(|k| k.id));
        for (n, o) in (1..).zip(b.knowledge_outcomes.iter_mut()) {
            o.id = n;
            o.entry_id = map(&entries, o.entry_id);
            o.session_id = o.session_id.map(|v| map(&sessions, v));
        }
        for (n, s) in (1..).zip(b.account_switches.iter_mut()) {
            s.id = n;
            s.session_id = s.session_id.map(|v| map(&sessions, v));
            s.from_account_id = s.from_account_id.map(|v| map(&accounts, v));
            s.to_account_id = s.to_account_id.map(|v| map(&accounts, v));
        }
        for (n, u) in (1..).zip(b.usage.iter_mut()) {
            u.id = crate::domain::ledger::CallId(n);
            u.session_id = crate::domain::session::SessionId(map(&sessions, u.session_id.0));
        }
        b
    }
}

/// What an import will do (or did) with a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    /// A new project under the bundle's (or the chosen) name.
    Create,
    /// A new project under a free name, because the name was taken.
    Rename,
    /// Into the live project of that name.
    Merge,
    /// Nothing: the name was taken and the choice was to skip.
    Skip,
}

/// The preview of an import: computed from the bundle and the target database before
/// anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportPlan {
    pub action: ImportAction,
    /// The name the project will have (for merge and skip: the existing project's).
    pub project_name: String,
    /// The existing project a merge writes into or a skip leaves alone.
    pub existing_project_id: Option<crate::domain::project::ProjectId>,
    /// The number the bundle's first session gets (sessions keep their order).
    pub first_session_number: i64,
    pub counts: Counts,
    /// Files the merged-into project already tracks (kept as they are).
    pub files_already_tracked: usize,
    /// Accounts found in this database by name.
    pub accounts_matched: Vec<String>,
    /// Accounts this database lacks, created with default credits.
    pub accounts_created: Vec<String>,
    pub exported_at: Timestamp,
}

/// What the target database holds that an import plan depends on.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The live project with the chosen name (compared without case), if any.
    pub existing: Option<(crate::domain::project::ProjectId, String)>,
    /// Lower-cased names of all live projects.
    pub project_names: HashSet<String>,
    /// Lower-cased names of all accounts.
    pub account_names: HashSet<String>,
    /// The highest session number of the existing project.
    pub max_session_number: i64,
    /// The paths the existing project tracks.
    pub file_paths: HashSet<String>,
}

/// The name an import asks for: the chosen one (validated) or the bundle's.
pub fn requested_name(bundle: &Bundle, name: Option<&str>) -> Result<String, FieldError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => ProjectName::parse(n).map(String::from),
        None => ProjectName::parse(&bundle.project.name)
            .map(String::from)
            .map_err(|e| problem("project.name", e.message)),
    }
}

/// Plans an import of a valid bundle into `target`.
pub fn plan(bundle: &Bundle, name: &str, on_conflict: OnConflict, target: &Target) -> ImportPlan {
    let (action, project_name, existing) = match (&target.existing, on_conflict) {
        (None, _) => (ImportAction::Create, name.to_owned(), None),
        (Some((_, _)), OnConflict::Rename) => (
            ImportAction::Rename,
            free_name(name, &target.project_names),
            None,
        ),
        (Some((id, existing)), OnConflict::Merge) => {
            (ImportAction::Merge, existing.clone(), Some(*id))
        }
        (Some((id, existing)), OnConflict::Skip) => {
            (ImportAction::Skip, existing.clone(), Some(*id))
        }
    };
    let merging = action == ImportAction::Merge;
    let offset = if merging {
        target.max_session_number
    } else {
        0
    };
    let first = bundle
        .sessions
        .iter()
        .map(|s| s.session_number)
        .min()
        .map_or(offset + 1, |n| n + offset);
    let (mut matched, mut created) = (Vec::new(), Vec::new());
    for a in &bundle.accounts {
        let name = a.account_name.trim().to_owned();
        if target
            .account_names
            .contains(&crate::domain::text::name_key(&name))
        {
            matched.push(name);
        } else {
            created.push(name);
        }
    }
    ImportPlan {
        action,
        project_name,
        existing_project_id: existing,
        first_session_number: first,
        counts: bundle.counts(),
        files_already_tracked: if merging {
            bundle
                .files
                .iter()
                .filter(|f| target.file_paths.contains(&f.file_path))
                .count()
        } else {
            0
        },
        accounts_matched: matched,
        accounts_created: created,
        exported_at: bundle.exported_at,
    }
}

impl ImportPlan {
    /// How far the bundle's session numbers move (a merge numbers them after the existing
    /// project's).
    pub fn number_offset(&self, bundle: &Bundle) -> i64 {
        let min = bundle.sessions.iter().map(|s| s.session_number).min();
        min.map_or(0, |m| self.first_session_number - m)
    }

    /// One line saying what will happen.
    pub fn summary(&self) -> String {
        match self.action {
            ImportAction::Create => format!("Creates the project “{}”.", self.project_name),
            ImportAction::Rename => format!(
                "The name is taken: creates the project as “{}”.",
                self.project_name
            ),
            ImportAction::Merge => format!(
                "Merges into the existing project “{}”; its sessions are numbered from {}.",
                self.project_name, self.first_session_number
            ),
            ImportAction::Skip => format!(
                "Skips: a project named “{}” exists. Nothing is written.",
                self.project_name
            ),
        }
    }
}

/// The result of an applied import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub plan: ImportPlan,
    /// The project the bundle went into (none when skipped).
    pub project_id: Option<crate::domain::project::ProjectId>,
}

/// Parses a bundle from JSON text; the error names the path of the first bad value
/// (`sessions[2].status: unknown variant …`).
pub fn parse(text: &str) -> Result<Bundle, FieldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path.is_empty() || path == "." || path == "?" {
            "bundle".to_owned()
        } else {
            path
        };
        problem(path, e.into_inner().to_string())
    })
}

/// "Name (2)", "Name (3)", …: the first name not in `taken` (compared without case), kept
/// within the 120-character limit of project names.
pub fn free_name(base: &str, taken: &HashSet<String>) -> String {
    let base = base.trim();
    // "Shop (2)" counts on as "Shop (3)", not "Shop (2) (2)"
    let base = match base.strip_suffix(')').and_then(|b| b.rsplit_once(" (")) {
        Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => base,
    };
    let candidate = |n: usize| {
        let suffix = format!(" ({n})");
        let room = crate::domain::project::NAME_MAX_CHARS.saturating_sub(suffix.chars().count());
        let stem: String = base.chars().take(room).collect();
        format!("{}{suffix}", stem.trim_end())
    };
    // `taken` has finitely many names, so one of the first `len + 1` candidates is free.
    (2..taken.len() + 3)
        .map(candidate)
        .find(|c| !taken.contains(&c.to_lowercase()))
        .unwrap_or_else(|| candidate(taken.len() + 3))
}

#[cfg(test)]
mod tests;
