//! What the project records about the session being handed over, and its repository's state.

use serde::{Deserialize, Serialize};

/// What the project records about the session being handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Facts {
    pub project_name: Option<String>,
    pub session_number: Option<i64>,
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub notes: Option<String>,
    /// Paths of the project's critical files.
    #[serde(default)]
    pub critical_files: Vec<String>,
    /// What git says about the project's repository, when it has one.
    #[serde(default)]
    pub repository: Option<RepoState>,
}

/// A repository's state as the briefing shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RepoState {
    pub branch: Option<String>,
    /// The short hash of HEAD.
    pub head: Option<String>,
    /// Subjects of the last commits, newest first.
    pub commits: Vec<String>,
    /// Files changed and not committed (staged or not).
    pub changed: Vec<String>,
    pub untracked: Vec<String>,
}

impl RepoState {
    /// The compact items of the briefing's Repository part.
    pub fn items(&self) -> Vec<String> {
        fn list(files: &[String], max: usize) -> String {
            let mut s = files
                .iter()
                .take(max)
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if files.len() > max {
                s.push_str(&format!(" (+{} more)", files.len() - max));
            }
            s
        }
        let mut out = Vec::new();
        let mut head = String::new();
        if let Some(b) = &self.branch {
            head.push_str(&format!("Branch `{b}`"));
        }
        if let Some(h) = &self.head {
            head.push_str(&format!(
                "{}`{h}`",
                if head.is_empty() { "HEAD " } else { " at " }
            ));
        }
        if !head.is_empty() {
            out.push(head);
        }
        if !self.commits.is_empty() {
            out.push(format!(
                "Last commits: {}",
                self.commits
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · ")
            ));
        }
        if !self.changed.is_empty() {
            out.push(format!("Uncommitted: {}", list(&self.changed, 8)));
        }
        if !self.untracked.is_empty() {
            out.push(format!("Untracked: {}", list(&self.untracked, 5)));
        }
        out
    }
}

impl Facts {
    /// Whether the session record (or the repository) holds anything to brief from.
    pub fn has_record(&self) -> bool {
        self.objectives.is_some()
            || self.accomplishments.is_some()
            || self.blockers.is_some()
            || self.notes.is_some()
            || self
                .repository
                .as_ref()
                .is_some_and(|r| !r.items().is_empty())
    }
}
