//! Planning an import: the name it asks for, what happens on a name conflict, and the
//! preview and outcome it reports.

use super::{problem, Bundle, Counts, OnConflict};
use crate::domain::project::ProjectName;
use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

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
