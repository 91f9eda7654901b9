//! Pure domain logic: no IO, no clock (time is an argument). Compiles to wasm32 so the
//! browser shares it with the server.

pub mod account;
pub mod briefing;
pub mod project;
pub mod quota;
pub mod session;
pub mod stats;
pub mod time;
