//! The server: settings, state, router, telemetry and the command line.

pub mod assets;
pub mod auth;
pub mod capture;
pub mod cli;
pub mod clock;
pub mod events;
pub mod git;
pub mod guard;
pub mod listen;
pub mod metrics;
pub mod model;
pub mod router;
pub mod secret;
pub mod settings;
pub mod state;
pub mod telemetry;

pub use router::router;
pub use state::AppState;
