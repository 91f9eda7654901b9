#![recursion_limit = "256"]
//! PAAS AI Orchestration: a self-hosted command center for AI-assisted development across
//! many AI accounts.
//!
//! Layers (one feature, one name in every layer):
//! - [`domain`]: pure logic, no IO, no clock; compiles to wasm32 and is shared with the browser.
//! - [`error`]: the one `AppError`, shared by server and browser.
//! - `storage` (server): the only module that speaks SQL.
//! - `service` (server): multi-step operations, each in one transaction.
//! - [`api`]: server functions, thin adapters called by the UI.
//! - `rest` (server): the JSON REST API under `/api`.
//! - `server` (server): settings, state, router, telemetry, command line.
//! - [`ui`]: pages and components, rendered on the server and hydrated in the browser.

pub mod api;
pub mod domain;
pub mod error;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod storage;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // as `leptos::mount::hydrate_lazy`: the pages other than the dashboard are WASM chunks,
    // fetched before their part of the page hydrates
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), ui::App)
            .await
            .forget();
        // the whole page, lazily loaded parts included, is live (tests wait for this)
        ui::components::layout::mark_hydrated();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
