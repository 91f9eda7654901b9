//! Logs: `tracing` to stderr, filtered by `RUST_LOG` (default: info for this crate and
//! the HTTP layer), as text for people or one JSON object per line (`--log-format json`)
//! for log collectors.

use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("paas=info,tower_http=info,warn"));
    // A second init (tests) is harmless: keep the first subscriber.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
