//! Server functions: thin adapters between the UI and the services. Each takes form-style
//! arguments, calls one service and returns `AppError` on failure. They live under `/rpc`
//! so that `/api/*` stays the REST contract. The HTTP status of a failed call is the
//! error's own (`server::router` sets it), e.g. 422 for a field error.

pub mod account;
pub mod analytics;
pub mod bundle;
pub mod handoff;
pub mod knowledge;
pub mod project;
pub mod session;
pub mod stats;
#[cfg(feature = "ssr")]
pub mod upload;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::server::AppState;

    /// The server state, provided to every server function by the router.
    pub fn state() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }
}
