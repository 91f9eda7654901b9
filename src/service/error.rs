//! How services report the domain's and storage's errors: the one place a storage error
//! becomes what the user is told (the adapters then answer it with its HTTP status).

use crate::domain::DomainError;
use crate::error::AppError;
use crate::storage::{Constraint, StorageError};

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound { entity, id } => AppError::NotFound {
                entity: entity.into(),
                id,
            },
            StorageError::Constraint {
                kind: Constraint::Unique,
                table,
                column,
            } => {
                let what = match table.as_deref() {
                    Some(t) => t.trim_end_matches('s').replace('_', " "),
                    None => "record".into(),
                };
                let message = match &column {
                    Some(c) => format!("a {what} with this {} already exists", c.replace('_', " ")),
                    None => format!("this {what} already exists"),
                };
                AppError::Conflict {
                    message,
                    field: column,
                }
            }
            StorageError::Constraint {
                kind: Constraint::ForeignKey,
                ..
            } => AppError::conflict("a referenced record is missing or still in use"),
            StorageError::Constraint { kind, column, .. } => {
                tracing::warn!(?kind, ?column, "a constraint rejected a write");
                AppError::validation(
                    column.unwrap_or_else(|| "body".into()),
                    match kind {
                        Constraint::NotNull => "is required",
                        _ => "is not an allowed value",
                    },
                )
            }
            StorageError::Corrupt(what) => {
                tracing::error!(%what, "stored data cannot be read");
                AppError::Internal
            }
            StorageError::Database(e) => {
                tracing::error!(error = %e, "database error");
                AppError::Internal
            }
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        StorageError::from(e).into()
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(f) => f.into(),
            DomainError::Conflict { message, field } => AppError::Conflict { message, field },
            DomainError::NoAccount { message, advice } => AppError::NoAccount {
                message,
                suggestion: advice,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_layers_errors_become_what_the_user_is_told() {
        let e = AppError::from(DomainError::NoAccount {
            message: "No available accounts with sufficient credits".into(),
            advice: "wait for credit refresh".into(),
        });
        assert_eq!(e.status_code(), 409);
        assert_eq!(e.suggestion().as_deref(), Some("wait for credit refresh"));
        let e = AppError::from(DomainError::conflict("the session has ended"));
        assert_eq!(e.status_code(), 409);
        let e = AppError::from(StorageError::not_found("project", 7));
        assert_eq!(
            (e.status_code(), e.to_string().as_str()),
            (404, "project 7 not found")
        );
        let e = AppError::from(StorageError::Constraint {
            kind: Constraint::Unique,
            table: Some("accounts".into()),
            column: Some("account_name".into()),
        });
        assert_eq!(e.status_code(), 409);
        assert_eq!(e.field(), Some("account_name"));
        assert!(!e.to_string().contains("UNIQUE"), "{e}");
        let e = AppError::from(StorageError::Constraint {
            kind: Constraint::Check,
            table: None,
            column: None,
        });
        assert_eq!((e.status_code(), e.field()), (422, Some("body")));
        let e = AppError::from(StorageError::Corrupt("unknown role".into()));
        assert_eq!(e.status_code(), 500);
        assert!(!e.to_string().contains("role"), "{e}");
    }
}
