//! Pure domain logic: no IO, no clock (time is an argument). Compiles to wasm32 so the
//! browser shares it with the server.

/// A typed row id: shared by server and browser, stored as INTEGER, parsed from text
/// ("42") with an error that names what it is not.
macro_rules! id_type {
    ($(#[$m:meta])* $name:ident, $what:literal) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::FieldError;
            fn from_str(s: &str) -> Result<Self, crate::error::FieldError> {
                match s.trim().parse::<i64>() {
                    Ok(v) if v > 0 => Ok(Self(v)),
                    _ => Err(crate::error::FieldError::new(
                        "id",
                        format!("{s:?} is not {} id", $what),
                    )),
                }
            }
        }
    };
}

/// A closed set of words stored as text: the snake_case name of each variant is its
/// text (strum), with a label for people. Gives `ALL`, `as_str`, `label`, `Display` and a
/// `FromStr` whose error names `$field` and lists the words (trimmed, any case).
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($(#[$vm:meta])* $variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            strum::IntoStaticStr, strum::VariantArray,
        )]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema), sqlx(rename_all = "snake_case"))]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = <$name as strum::VariantArray>::VARIANTS;
            pub fn as_str(self) -> &'static str {
                self.into()
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::FieldError;
            fn from_str(s: &str) -> Result<Self, crate::error::FieldError> {
                let t = s.trim().to_ascii_lowercase();
                Self::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    crate::error::FieldError::new(
                        $field,
                        format!("{s:?} is not one of {}", names.join(", ")),
                    )
                })
            }
        }
    };
}

/// What a domain rule refuses: a field that is not valid, a change the record's state does
/// not allow, or no account that can take the work (with advice on what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(crate::error::FieldError),
    #[error("{message}")]
    Conflict {
        message: String,
        field: Option<String>,
    },
    #[error("{message}")]
    NoAccount { message: String, advice: String },
}

impl DomainError {
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: None,
        }
    }

    /// The input field this is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(f) => Some(&f.field),
            Self::Conflict { field, .. } => field.as_deref(),
            Self::NoAccount { .. } => None,
        }
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

impl From<crate::error::FieldError> for DomainError {
    fn from(e: crate::error::FieldError) -> Self {
        Self::Invalid(e)
    }
}

pub mod account;
pub mod analytics;
pub mod auth;
pub mod backup;
pub mod briefing;
pub mod bundle;
pub mod capture;
pub mod conversation;
pub mod handoff;
pub mod knowledge;
pub mod ledger;
pub mod limits;
pub mod model;
pub mod parse;
pub mod project;
pub mod project_file;
pub mod quota;
pub mod session;
pub mod stats;
pub mod text;
pub mod time;
