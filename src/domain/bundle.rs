//! Project bundles: one project with everything recorded about it, as a versioned JSON
//! document that can be imported into another database (spec: "Project Export",
//! "5. Export/Import Project Data").
//!
//! Ids inside a bundle are the exporting database's ids; they only serve as references
//! between the bundle's own records. Accounts appear as references (id, name, platform),
//! never with credentials or e-mail addresses. Validation is pure and names the first
//! problem by its path (`sessions[3].account_id`).
//!
//! Validation is in `validate`; planning an import into a database (names, conflicts,
//! what it will do) in `import`.

use crate::domain::account::Platform;
use crate::domain::project::ProjectStatus;
use crate::domain::project_file::Importance;
use crate::domain::session::{SessionStatus, SessionType};
use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod import;
mod validate;

pub use import::{
    free_name, plan, requested_name, ImportAction, ImportOutcome, ImportPlan, Target,
};

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

fn problem(path: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError::new(path, message)
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

#[cfg(test)]
mod tests;
