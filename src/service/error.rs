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
