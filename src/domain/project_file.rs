//! Files tracked per project: the ones a successor must know about. Critical files appear
//! in every briefing.

use crate::domain::project::ProjectId;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    Critical,
    High,
    #[default]
    Normal,
    Low,
}

impl Importance {
    pub const ALL: [Importance; 4] = [Self::Critical, Self::High, Self::Normal, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Normal => "normal",
            Self::Low => "low",
        }
    }
}

impl FromStr for Importance {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "" => Ok(Self::Normal),
            t => Self::ALL
                .into_iter()
                .find(|i| i.as_str() == t)
                .ok_or_else(|| {
                    FieldError::new(
                        "importance",
                        format!("{t:?} is not one of critical, high, normal, low"),
                    )
                }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ProjectFile {
    pub id: i64,
    pub project_id: ProjectId,
    pub file_path: String,
    pub file_type: Option<String>,
    pub git_status: Option<String>,
    pub importance: Importance,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectFileInput {
    #[serde(default)]
    pub file_path: Option<String>,
    #[serde(default)]
    pub file_type: Option<String>,
    #[serde(default)]
    pub git_status: Option<String>,
    #[serde(default)]
    pub importance: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A valid file entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProjectFile {
    pub file_path: String,
    pub file_type: Option<String>,
    pub git_status: Option<String>,
    pub importance: Importance,
    pub notes: Option<String>,
}

use crate::domain::text::optional as short;

impl NewProjectFile {
    pub fn parse(input: &ProjectFileInput) -> Result<Self, FieldError> {
        let path = input.file_path.as_deref().map(str::trim).unwrap_or("");
        if path.is_empty() {
            return Err(FieldError::new("file_path", "a path is required"));
        }
        if path.chars().count() > 1_000 || path.chars().any(char::is_control) {
            return Err(FieldError::new(
                "file_path",
                "at most 1000 characters, no control characters",
            ));
        }
        // the extension, when none is given
        let file_type = short(input.file_type.as_deref(), "file_type", 50)?.or_else(|| {
            path.rsplit_once('.')
                .map(|(_, ext)| ext)
                .filter(|e| !e.is_empty() && e.len() <= 10 && !e.contains('/'))
                .map(str::to_owned)
        });
        Ok(Self {
            file_path: path.to_owned(),
            file_type,
            git_status: short(input.git_status.as_deref(), "git_status", 50)?,
            importance: input.importance.as_deref().unwrap_or("").parse()?,
            notes: short(input.notes.as_deref(), "notes", 2_000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_defaults() {
        let f = NewProjectFile::parse(&ProjectFileInput {
            file_path: Some(" src/main.rs ".into()),
            importance: Some("critical".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (f.file_path.as_str(), f.file_type.as_deref(), f.importance),
            ("src/main.rs", Some("rs"), Importance::Critical)
        );
        assert_eq!(
            NewProjectFile::parse(&ProjectFileInput::default())
                .unwrap_err()
                .field,
            "file_path"
        );
        let e = NewProjectFile::parse(&ProjectFileInput {
            file_path: Some("a".into()),
            importance: Some("vital".into()),
            ..Default::default()
        });
        assert_eq!(e.unwrap_err().field, "importance");
        let no_ext = NewProjectFile::parse(&ProjectFileInput {
            file_path: Some("Makefile".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (no_ext.file_type, no_ext.importance),
            (None, Importance::Normal)
        );
    }
}
