//! The one error type of the application.
//!
//! `AppError` is shared by the server and the browser: server functions return it (encoded as
//! JSON), the REST API renders it into the spec's envelope, and the UI shows its message next
//! to the form field it names. Internal causes are logged on the server and never sent.

use serde::{Deserialize, Serialize};

/// A problem with one input field, found while parsing user input in the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// A field failed validation (HTTP 422).
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The request could not be understood: malformed JSON, a bad path or query (HTTP 400).
    #[error("{message}")]
    BadRequest {
        message: String,
        /// The address or query parameter at fault, when one is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// No such entity (HTTP 404).
    #[error("{entity} {id} not found")]
    NotFound { entity: String, id: String },
    /// The request conflicts with the current state (HTTP 409).
    #[error("{message}")]
    Conflict {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// No signed-in user or valid API token (HTTP 401).
    #[error("{message}")]
    Unauthorized { message: String },
    /// Signed in, but not allowed to do this (HTTP 403).
    #[error("{message}")]
    Forbidden { message: String },
    /// Too many attempts or requests; try again after `retry_after_secs` (HTTP 429).
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// No account satisfies a selection (HTTP 409), with what to do about it.
    #[error("{message}")]
    NoAccount { message: String, suggestion: String },
    /// The request body is larger than the server accepts (HTTP 413).
    #[error("request body too large (limit {limit_bytes} bytes)")]
    PayloadTooLarge { limit_bytes: u64 },
    /// The request's content type is not supported (HTTP 415).
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    /// Something failed on the server; the cause is in the server log (HTTP 500).
    #[error("internal error; see the server log")]
    Internal,
    /// The request never reached the server or its answer could not be read (client side).
    #[error("{message}")]
    Transport { message: String },
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized {
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            field: None,
        }
    }

    /// A bad value in the address or query string, naming its parameter (HTTP 400).
    pub fn bad_parameter(e: FieldError) -> Self {
        Self::BadRequest {
            message: e.message,
            field: Some(e.field),
        }
    }

    pub fn not_found(entity: impl Into<String>, id: impl ToString) -> Self {
        Self::NotFound {
            entity: entity.into(),
            id: id.to_string(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: None,
        }
    }

    pub fn conflict_on(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A stale edit: the record changed since the form or client read it (HTTP 409).
    pub fn stale(entity: &str) -> Self {
        Self::Conflict {
            message: format!(
                "this {entity} changed since you opened it — reload to see the current values, then save again"
            ),
            field: Some("version".into()),
        }
    }

    /// 409 unless `expected` (when given) is the record's current `version`.
    pub fn ensure_version(entity: &str, current: i64, expected: Option<i64>) -> Result<(), Self> {
        match expected {
            Some(v) if v != current => Err(Self::stale(entity)),
            _ => Ok(()),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Validation { .. } => 422,
            Self::BadRequest { .. } => 400,
            Self::NotFound { .. } => 404,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::TooManyRequests { .. } => 429,
            Self::Conflict { .. } | Self::NoAccount { .. } => 409,
            Self::PayloadTooLarge { .. } => 413,
            Self::UnsupportedMediaType { .. } => 415,
            Self::Internal | Self::Transport { .. } => 500,
        }
    }

    /// The input field this error is about, if any: the UI shows the message next to it.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            Self::Conflict { field, .. } | Self::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The message to show next to `field`, when this error is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { field: f, message } if f == field => Some(message.clone()),
            Self::Conflict {
                field: Some(f),
                message,
            } if f == field => Some(message.clone()),
            _ => None,
        }
    }

    /// A hint on what to do next, for the REST envelope's `suggestion`.
    pub fn suggestion(&self) -> Option<String> {
        match self {
            Self::Validation { field, .. } => Some(format!("correct `{field}` and send again")),
            // the advice fits what was wrong: the body, or an id or value in the address
            Self::BadRequest { message, .. } if message.contains("JSON") => {
                Some("send a JSON body with Content-Type: application/json".into())
            }
            Self::BadRequest { .. } => {
                Some("check the id or value in the request's address".into())
            }
            Self::NotFound { entity, .. } if entity == "endpoint" => Some(
                "check the method and path: every route is under /api (the README's REST API table lists them)"
                    .into(),
            ),
            Self::NotFound { entity, .. } => Some(format!("list {entity}s to find a valid id")),
            Self::NoAccount { suggestion, .. } => Some(suggestion.clone()),
            Self::PayloadTooLarge { limit_bytes } => {
                Some(format!("send at most {limit_bytes} bytes"))
            }
            Self::Unauthorized { .. } => Some(
                "sign in at /login, or send `Authorization: Bearer <token>` with an API token"
                    .into(),
            ),
            Self::TooManyRequests {
                retry_after_secs, ..
            } => Some(format!("wait {retry_after_secs} s and try again")),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Validation {
            field: e.field,
            message: e.message,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => Self::BadRequest {
                message: format!("invalid arguments: {m}"),
                field: None,
            },
            E::UnsupportedRequestMethod(m) => Self::BadRequest {
                message: m,
                field: None,
            },
            E::Request(m) | E::Response(m) => Self::Transport { message: m },
            E::Registration(m)
            | E::ServerError(m)
            | E::MiddlewareError(m)
            | E::Serialization(m) => Self::Transport { message: m },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::server_fn::error::FromServerFnError;

    #[test]
    fn crosses_the_wire_unchanged() {
        let errors = [
            AppError::validation("name", "must not be empty"),
            AppError::not_found("project", 7),
            AppError::conflict_on("name", "taken"),
            AppError::PayloadTooLarge { limit_bytes: 10 },
            AppError::Internal,
        ];
        for e in errors {
            assert_eq!(AppError::de(e.ser()), e);
        }
    }

    #[test]
    fn statuses_and_fields() {
        let e = AppError::validation("name", "too long");
        assert_eq!(e.status_code(), 422);
        assert_eq!(e.field(), Some("name"));
        assert_eq!(e.message_for("name").as_deref(), Some("too long"));
        assert_eq!(e.message_for("description"), None);
        assert_eq!(AppError::not_found("project", 1).status_code(), 404);
        assert_eq!(AppError::conflict("x").status_code(), 409);
        assert_eq!(
            AppError::PayloadTooLarge { limit_bytes: 1 }.status_code(),
            413
        );
    }

    #[test]
    fn undecodable_bytes_become_an_error_not_a_panic() {
        let e = AppError::de("not json".into());
        assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
    }
}
