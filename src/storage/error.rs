//! What storage reports: a missing row, the constraint a write broke (its kind, table and
//! column — never SQLite's own text), stored data that cannot be read, or a database
//! failure. Services turn these into what the user is told.

/// The kind of a constraint a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    Unique,
    ForeignKey,
    Check,
    NotNull,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No row with this id.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// A write broke a constraint.
    #[error("{kind:?} constraint failed on {}", column.as_deref().unwrap_or("a column"))]
    Constraint {
        kind: Constraint,
        table: Option<String>,
        column: Option<String>,
    },
    /// A stored value this build cannot read (a role it does not know, a missing row
    /// right after its insert).
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// The database failed (busy past its timeout, I/O, a closed pool…).
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl StorageError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// Whether this is a unique constraint on `column`.
    pub fn is_unique_on(&self, column: &str) -> bool {
        matches!(self, Self::Constraint { kind: Constraint::Unique, column: Some(c), .. } if c == column)
    }
}

/// `accounts.account_name` from SQLite's "UNIQUE constraint failed: accounts.account_name"
/// (the first column of a composite key); a named CHECK constraint gives its name.
fn table_and_column(message: &str) -> (Option<String>, Option<String>) {
    let Some((_, rest)) = message.split_once(": ") else {
        return (None, None);
    };
    let first = rest.split(',').next().unwrap_or_default().trim();
    match first.split_once('.') {
        Some((t, c)) if !t.is_empty() && !c.is_empty() && !c.contains(' ') => {
            (Some(t.to_owned()), Some(c.to_owned()))
        }
        _ if !first.is_empty() && !first.contains(' ') => (None, Some(first.to_owned())),
        _ => (None, None),
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            use sqlx::error::ErrorKind;
            let kind = match db.kind() {
                ErrorKind::UniqueViolation => Some(Constraint::Unique),
                ErrorKind::ForeignKeyViolation => Some(Constraint::ForeignKey),
                ErrorKind::CheckViolation => Some(Constraint::Check),
                ErrorKind::NotNullViolation => Some(Constraint::NotNull),
                _ => None,
            };
            if let Some(kind) = kind {
                let (table, column) = table_and_column(db.message());
                return Self::Constraint {
                    kind,
                    table,
                    column,
                };
            }
        }
        Self::Database(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_messages_give_their_table_and_column() {
        assert_eq!(
            table_and_column("UNIQUE constraint failed: accounts.account_name"),
            (Some("accounts".into()), Some("account_name".into()))
        );
        assert_eq!(
            table_and_column(
                "UNIQUE constraint failed: sessions.project_id, sessions.session_number"
            ),
            (Some("sessions".into()), Some("project_id".into()))
        );
        assert_eq!(
            table_and_column("CHECK constraint failed: credits_nonnegative"),
            (None, Some("credits_nonnegative".into()))
        );
        assert_eq!(
            table_and_column("CHECK constraint failed: credits_available >= 0"),
            (None, None)
        );
        assert_eq!(table_and_column("constraint failed"), (None, None));
    }
}
