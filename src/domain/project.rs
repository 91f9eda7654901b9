//! Projects: the unit a user organises work by. Parsing user input into these types is the
//! only validation there is; a value of a type here is valid by construction.

use crate::domain::time::Timestamp;
use crate::domain::DomainError;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub const NAME_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const PER_PAGE: u32 = 20;

id_type!(ProjectId, "a project");

/// A project name: 1–120 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        crate::domain::text::required_name(s, "name", NAME_MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectName {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<ProjectName> for String {
    fn from(n: ProjectName) -> String {
        n.0
    }
}

impl AsRef<str> for ProjectName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An optional description of at most 10,000 characters; blank means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDescription(Option<String>);

impl ProjectDescription {
    pub fn parse(s: Option<&str>) -> Result<Self, FieldError> {
        crate::domain::text::optional(s, "description", DESCRIPTION_MAX_CHARS).map(Self)
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

text_enum!(
    /// Where a project stands.
    #[derive(Default)]
    ProjectStatus, "status", {
        #[default]
        Active => "Active",
        Paused => "Paused",
        Completed => "Completed",
        Archived => "Archived",
    }
);

/// A project as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub description: Option<String>,
    pub status: ProjectStatus,
    pub total_credits_used: i64,
    pub total_sessions: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// Increments with every edit.
    #[serde(default = "first_version")]
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

impl Project {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Checks that the project may be edited: a deleted project must be restored first.
    pub fn ensure_editable(&self) -> Result<(), DomainError> {
        if self.is_deleted() {
            return Err(DomainError::conflict(format!(
                "project {} is deleted; restore it first",
                self.id
            )));
        }
        Ok(())
    }

    /// Checks that the project may be soft-deleted.
    pub fn ensure_deletable(&self) -> Result<(), DomainError> {
        if self.is_deleted() {
            return Err(DomainError::conflict(format!(
                "project {} is already deleted",
                self.id
            )));
        }
        Ok(())
    }

    /// Checks that the project may be restored.
    pub fn ensure_restorable(&self) -> Result<(), DomainError> {
        if !self.is_deleted() {
            return Err(DomainError::conflict(format!(
                "project {} is not deleted",
                self.id
            )));
        }
        Ok(())
    }
}

/// Raw input for creating a project, as it arrives from a form or JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A valid new project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub name: ProjectName,
    pub description: ProjectDescription,
}

impl NewProject {
    pub fn parse(input: &ProjectInput) -> Result<Self, FieldError> {
        Ok(Self {
            name: ProjectName::parse(input.name.as_deref().unwrap_or(""))?,
            description: ProjectDescription::parse(input.description.as_deref())?,
        })
    }
}

/// Raw input for changing a project: absent fields stay as they are; an empty description
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectPatchInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// The version the change was based on (stale → 409).
    #[serde(default)]
    pub version: Option<i64>,
}

/// A valid change to a project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectPatch {
    pub name: Option<ProjectName>,
    pub description: Option<ProjectDescription>,
    pub status: Option<ProjectStatus>,
}

impl ProjectPatch {
    pub fn parse(input: &ProjectPatchInput) -> Result<Self, FieldError> {
        let patch = Self {
            name: input.name.as_deref().map(ProjectName::parse).transpose()?,
            description: input
                .description
                .as_deref()
                .map(|d| ProjectDescription::parse(Some(d)))
                .transpose()?,
            status: input.status.as_deref().map(str::parse).transpose()?,
        };
        if patch.name.is_none() && patch.description.is_none() && patch.status.is_none() {
            return Err(FieldError::new(
                "body",
                "nothing to change: give at least one of name, description, status",
            ));
        }
        Ok(patch)
    }

    /// The project with this change applied at `now`.
    pub fn apply(&self, mut project: Project, now: Timestamp) -> Project {
        if let Some(name) = &self.name {
            project.name = name.as_str().to_owned();
        }
        if let Some(description) = &self.description {
            project.description = description.as_deref().map(str::to_owned);
        }
        if let Some(status) = self.status {
            project.status = status;
        }
        project.updated_at = now;
        project
    }
}

/// Which projects a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum StatusFilter {
    /// Every project that is not deleted.
    #[default]
    All,
    Only(ProjectStatus),
    /// The trash: soft-deleted projects.
    Deleted,
}

impl StatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Only(s) => s.as_str(),
            Self::Deleted => "deleted",
        }
    }
}

impl FromStr for StatusFilter {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "" | "all" => Ok(Self::All),
            "deleted" | "trash" => Ok(Self::Deleted),
            other => other.parse().map(Self::Only).map_err(|_| {
                FieldError::new(
                    "status",
                    format!(
                        "{other:?} is not one of all, active, paused, completed, archived, deleted"
                    ),
                )
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectSort {
    /// Most recently updated first.
    #[default]
    Updated,
    /// Most credits used first.
    Credits,
    /// Most sessions first.
    Sessions,
}

impl ProjectSort {
    pub const ALL: [ProjectSort; 3] = [Self::Updated, Self::Credits, Self::Sessions];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Credits => "credits",
            Self::Sessions => "sessions",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Updated => "Recently updated",
            Self::Credits => "Credits used",
            Self::Sessions => "Sessions",
        }
    }
}

impl FromStr for ProjectSort {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "" | "updated" | "updated_at" => Ok(Self::Updated),
            "credits" | "total_credits_used" => Ok(Self::Credits),
            "sessions" | "total_sessions" => Ok(Self::Sessions),
            other => Err(FieldError::new(
                "sort",
                format!("{other:?} is not one of updated, credits, sessions"),
            )),
        }
    }
}

/// A page of a project list: filter, order and 1-based page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectQuery {
    pub status: StatusFilter,
    pub sort: ProjectSort,
    pub page: u32,
}

/// Raw list parameters, as they arrive in a URL query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ProjectQueryInput {
    /// all, active, paused, completed, archived or deleted (the trash)
    #[serde(default)]
    pub status: Option<String>,
    /// updated, credits or sessions
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(value_type = Option<u32>, minimum = 1))]
    pub page: Option<String>,
}

impl ProjectQuery {
    pub fn parse(input: &ProjectQueryInput) -> Result<Self, FieldError> {
        let page = match input.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(FieldError::new(
                        "page",
                        format!("{p:?} is not a page number (1, 2, …)"),
                    ))
                }
            },
        };
        Ok(Self {
            status: input.status.as_deref().unwrap_or("").parse()?,
            sort: input.sort.as_deref().unwrap_or("").parse()?,
            page,
        })
    }

    /// Like `parse`, but falls back to defaults for anything unreadable (for UI links).
    pub fn parse_lenient(input: &ProjectQueryInput) -> Self {
        Self {
            status: input
                .status
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            sort: input
                .sort
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            page: input
                .page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * i64::from(PER_PAGE)
    }

    /// The URL query that selects this page, e.g. `?status=active&sort=credits&page=2`;
    /// defaults are left out.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if self.status != StatusFilter::All {
            parts.push(format!("status={}", self.status.as_str()));
        }
        if self.sort != ProjectSort::Updated {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// One page of results with the total count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per)
            .unwrap_or(u32::MAX)
            .max(1)
    }

    pub fn has_next(&self) -> bool {
        self.page < self.total_pages()
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn project() -> Project {
        Project {
            id: ProjectId(1),
            name: "Alpha".into(),
            description: Some("first".into()),
            status: ProjectStatus::Active,
            total_credits_used: 10,
            total_sessions: 1,
            created_at: ts("2026-01-01T00:00:00Z"),
            updated_at: ts("2026-01-01T00:00:00Z"),
            deleted_at: None,
            version: 1,
        }
    }

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(ProjectName::parse("  Alpha  ").unwrap().as_str(), "Alpha");
        assert_eq!(ProjectName::parse("   ").unwrap_err().field, "name");
        assert!(ProjectName::parse(&"x".repeat(120)).is_ok());
        let e = ProjectName::parse(&"x".repeat(121)).unwrap_err();
        assert_eq!(e.field, "name");
        assert!(e.message.contains("120"), "{}", e.message);
        // counted in characters, not bytes
        assert!(ProjectName::parse(&"é".repeat(120)).is_ok());
        assert!(ProjectName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn description_blank_is_none_and_bounded() {
        assert_eq!(
            ProjectDescription::parse(Some("  ")).unwrap().as_deref(),
            None
        );
        assert_eq!(ProjectDescription::parse(None).unwrap().as_deref(), None);
        assert!(ProjectDescription::parse(Some(&"d".repeat(10_000))).is_ok());
        assert_eq!(
            ProjectDescription::parse(Some(&"d".repeat(10_001)))
                .unwrap_err()
                .field,
            "description"
        );
    }

    #[test]
    fn new_project_requires_a_name() {
        let e = NewProject::parse(&ProjectInput::default()).unwrap_err();
        assert_eq!(e.field, "name");
    }

    #[test]
    fn status_parses_only_known_values() {
        for &s in ProjectStatus::ALL {
            assert_eq!(s.as_str().parse::<ProjectStatus>().unwrap(), s);
        }
        assert_eq!("done".parse::<ProjectStatus>().unwrap_err().field, "status");
    }

    #[test]
    fn patch_needs_a_change_and_applies_it() {
        assert_eq!(
            ProjectPatch::parse(&ProjectPatchInput::default())
                .unwrap_err()
                .field,
            "body"
        );
        let patch = ProjectPatch::parse(&ProjectPatchInput {
            status: Some("paused".into()),
            description: Some("".into()),
            ..Default::default()
        })
        .unwrap();
        let now = ts("2026-02-01T00:00:00Z");
        let p = patch.apply(project(), now);
        assert_eq!(p.status, ProjectStatus::Paused);
        assert_eq!(p.description, None);
        assert_eq!(p.name, "Alpha");
        assert_eq!(p.updated_at, now);
    }

    #[test]
    fn lifecycle_rules() {
        let p = project();
        assert!(p.ensure_editable().is_ok());
        assert!(p.ensure_deletable().is_ok());
        assert!(p.ensure_restorable().unwrap_err().is_conflict());
        let deleted = Project {
            deleted_at: Some(ts("2026-02-01T00:00:00Z")),
            ..p
        };
        assert!(deleted.ensure_editable().unwrap_err().is_conflict());
        assert!(deleted.ensure_deletable().unwrap_err().is_conflict());
        assert!(deleted.ensure_restorable().is_ok());
    }

    #[test]
    fn query_parsing() {
        let q = ProjectQuery::parse(&ProjectQueryInput {
            status: Some("paused".into()),
            sort: Some("credits".into()),
            page: Some("3".into()),
        })
        .unwrap();
        assert_eq!(q.status, StatusFilter::Only(ProjectStatus::Paused));
        assert_eq!(q.sort, ProjectSort::Credits);
        assert_eq!(q.offset(), 40);
        assert_eq!(q.to_query_string(), "?status=paused&sort=credits&page=3");
        assert_eq!(ProjectQuery::default().to_query_string(), "");
        let bad = ProjectQueryInput {
            page: Some("0".into()),
            ..Default::default()
        };
        assert_eq!(ProjectQuery::parse(&bad).unwrap_err().field, "page");
        assert_eq!(ProjectQuery::parse_lenient(&bad).page, 1);
        let bad_sort = ProjectQueryInput {
            sort: Some("name; DROP TABLE".into()),
            ..Default::default()
        };
        assert_eq!(ProjectQuery::parse(&bad_sort).unwrap_err().field, "sort");
    }

    #[test]
    fn page_arithmetic() {
        let page = |total, page| Page::<()> {
            items: vec![],
            page,
            per_page: 20,
            total,
        };
        assert_eq!(page(0, 1).total_pages(), 1);
        assert_eq!(page(20, 1).total_pages(), 1);
        assert_eq!(page(21, 1).total_pages(), 2);
        assert!(page(21, 1).has_next());
        assert!(!page(21, 2).has_next());
        assert!(page(21, 2).has_prev());
    }

    proptest! {
        #[test]
        fn parsed_names_are_trimmed_and_in_bounds(s in "\\PC{0,200}") {
            if let Ok(n) = ProjectName::parse(&s) {
                let len = n.as_str().chars().count();
                prop_assert!((1..=NAME_MAX_CHARS).contains(&len));
                prop_assert_eq!(n.as_str(), n.as_str().trim());
                // parsing is idempotent
                prop_assert_eq!(ProjectName::parse(n.as_str()).unwrap(), n);
            }
        }

        #[test]
        fn query_string_round_trips(status in 0usize..6, sort in 0usize..3, page in 1u32..1000) {
            let status = match status {
                0 => StatusFilter::All,
                5 => StatusFilter::Deleted,
                i => StatusFilter::Only(ProjectStatus::ALL[i - 1]),
            };
            let q = ProjectQuery { status, sort: ProjectSort::ALL[sort], page };
            let qs = q.to_query_string();
            let mut input = ProjectQueryInput::default();
            for pair in qs.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap();
                match k {
                    "status" => input.status = Some(v.into()),
                    "sort" => input.sort = Some(v.into()),
                    "page" => input.page = Some(v.into()),
                    _ => unreachable!(),
                }
            }
            prop_assert_eq!(ProjectQuery::parse(&input).unwrap(), q);
        }
    }
}
