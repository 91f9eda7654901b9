//! The state every handler and server function can reach.

use crate::storage::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub max_body_bytes: usize,
    /// Largest project bundle an import accepts.
    #[from_ref(skip)]
    pub max_import_bytes: usize,
    pub pool: crate::service::account::PoolSettings,
    /// Handoff savings, alert thresholds and the burn-rate window.
    pub analytics: crate::domain::analytics::AnalyticsSettings,
    /// Uploaded bundles waiting for confirmation on the import preview page.
    pub imports: crate::service::bundle::Staging,
    /// Origins, sign-in throttling, the setup code and token rate limits.
    #[from_ref(skip)]
    pub security: crate::server::auth::Security,
    /// Committed changes, for pages that follow them live (`/events`).
    #[from_ref(skip)]
    pub events: crate::server::events::Events,
    /// Model prices for captured usage (the shipped table and the user's file).
    #[from_ref(skip)]
    pub prices: std::sync::Arc<crate::domain::capture::price::PriceTable>,
    /// The directories the server follows (`--capture-dir`); empty: the tools' standard
    /// places are read when someone asks to capture now.
    #[from_ref(skip)]
    pub capture_dirs: std::sync::Arc<crate::server::capture::Dirs>,
    /// The browser bundle built into the binary (empty: files come from the site root).
    #[from_ref(skip)]
    pub assets: crate::server::assets::Embedded,
    /// The zone pages show times in until the browser says its own (`--time-zone`).
    #[from_ref(skip)]
    pub time_zone: crate::domain::quota::Zone,
    /// The model pass's key sealer (derived from the server's secret file) and how long
    /// it may wait for the model.
    #[from_ref(skip)]
    pub model_pass: crate::service::model::ModelPass,
}
