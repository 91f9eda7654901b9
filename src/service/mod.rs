//! Services: operations that take several storage steps, each in one write transaction.
//! They take `now` as an argument; only `server::clock` reads the clock.

pub mod account;
pub mod analytics;
pub mod auth;
pub mod backup;
pub mod bundle;
pub mod capture;
pub mod error;
pub mod handoff;
pub mod knowledge;
pub mod ledger;
pub mod model;
pub mod project;
pub mod project_file;
pub mod session;
pub mod stats;
