//! What the Sources page shows: each tool directory capture reads and the account it feeds,
//! each repository and the project it feeds, files that could not be read, and what was
//! found on this machine but not read yet.

use super::Tool;
use crate::domain::account::AccountId;
use crate::domain::project::ProjectId;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sources {
    pub now: Option<Timestamp>,
    pub sources: Vec<Source>,
    pub repos: Vec<Repo>,
    /// Tool directories on the server's machine that were never read (`Capture now` reads
    /// them).
    pub found: Vec<Found>,
    /// The directories the server follows itself (`--capture-dir`).
    pub following: Vec<String>,
    /// Accounts and projects a source or repository can be merged into.
    pub accounts: Vec<(AccountId, String)>,
    pub projects: Vec<(ProjectId, String)>,
}

impl Sources {
    /// Sources and repositories that feed nothing (their account or project is gone).
    pub fn unmapped(&self) -> usize {
        self.sources
            .iter()
            .filter(|s| !s.ignored && s.account.is_none())
            .count()
            + self
                .repos
                .iter()
                .filter(|r| !r.ignored && r.project.is_none())
                .count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Source {
    pub id: i64,
    pub tool: Tool,
    pub dir: String,
    pub account: Option<(AccountId, String)>,
    pub ignored: bool,
    pub last_capture_at: Option<Timestamp>,
    pub files: i64,
    pub sessions: i64,
    /// `(file, what went wrong)`.
    pub errors: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Repo {
    pub id: i64,
    pub root: String,
    pub project: Option<(ProjectId, String)>,
    pub ignored: bool,
    pub sessions: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Found {
    pub tool: Tool,
    pub dir: String,
}
