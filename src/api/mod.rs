//! Server functions: thin adapters between the UI and the services. Each takes form-style
//! arguments, calls one service and returns `AppError` on failure. They live under `/rpc`
//! so that `/api/*` stays the REST contract. The HTTP status of a failed call is the
//! error's own (`server::router` sets it), e.g. 422 for a field error.

pub mod account;
pub mod analytics;
pub mod auth;
pub mod bundle;
pub mod capture;
pub mod handoff;
pub mod knowledge;
pub mod model;
pub mod project;
pub mod session;
pub mod stats;
#[cfg(feature = "ssr")]
pub mod upload;

/// Form fields into domain values through the domain's one parser (`domain::parse`), the
/// same one the REST API's extractors use.
#[cfg(feature = "ssr")]
pub(crate) mod form {
    use crate::domain::parse;
    use crate::error::{AppError, FieldError};
    use std::str::FromStr;

    /// The record a call acts on: a bad id is a 400 naming the field.
    pub fn target<T: FromStr<Err = FieldError>>(raw: &str, field: &str) -> Result<T, AppError> {
        parse::id(raw, field).map_err(AppError::bad_parameter)
    }

    /// A row id given in a form: a bad one is a 422 naming the field.
    pub fn id(raw: &str, field: &str) -> Result<i64, AppError> {
        Ok(parse::row_id(raw, field, "an")?)
    }

    /// A whole number from a form field; blank is none (a 422 naming the field otherwise).
    pub fn opt_number(raw: Option<String>, field: &str) -> Result<Option<i64>, AppError> {
        Ok(parse::opt_number(raw.as_deref(), field)?)
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::server::AppState;

    /// The signed-in user of this request (server functions and page renders alike).
    pub fn principal() -> Option<crate::server::auth::Principal> {
        leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<crate::server::auth::Principal>()
                .cloned()
        })
    }

    /// The signed-in user, or 401.
    pub fn signed_in() -> Result<crate::server::auth::Principal, AppError> {
        principal().ok_or_else(|| AppError::unauthorized("sign in first"))
    }

    /// The signed-in user if they may do `access` (403 otherwise). The router already
    /// applies its rule; this is the second lock on the door of what matters most.
    pub fn require(
        access: crate::domain::auth::Access,
    ) -> Result<crate::server::auth::Principal, AppError> {
        let p = signed_in()?;
        if p.me.can(access) {
            Ok(p)
        } else {
            Err(AppError::forbidden("your role does not allow this"))
        }
    }

    /// Whether this request may see account e-mails and notes (viewers may not).
    pub fn sees_private_fields() -> bool {
        principal().is_some_and(|p| p.me.role.sees_private_fields())
    }

    /// The server state, provided to every server function by the router.
    pub fn state() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }
}
