//! `paas [serve|migrate|compress]`.

use crate::server::settings::{Cli, Command, Settings};
use crate::server::{router, telemetry, AppState};
use crate::storage;
use clap::Parser;

pub async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Compress {
            budget_chars,
            level,
        } => compress(budget_chars, &level),
        Command::Serve => {
            telemetry::init();
            serve(cli.settings).await
        }
        Command::Migrate => {
            telemetry::init();
            migrate(cli.settings).await
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("paas: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `paas compress`: stdin to stdout, nothing else touched.
fn compress(budget_chars: Option<usize>, level: &str) -> Result<(), String> {
    use crate::domain::handoff;
    use std::io::{Read, Write};
    let mut raw = Vec::new();
    std::io::stdin()
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let level = handoff::Level::parse(level).unwrap_or_default();
    let budget = budget_chars.unwrap_or_else(|| level.budget(text.chars().count()));
    let briefing = handoff::compress(&text, &handoff::Facts::default(), budget)
        .map_err(|e| format!("{}: {e}", e.field()))?;
    std::io::stdout()
        .write_all(briefing.markdown.as_bytes())
        .map_err(|e| format!("cannot write stdout: {e}"))
}

async fn migrate(settings: Settings) -> Result<(), String> {
    storage::open(&settings.database_url)
        .await
        .map_err(|_| format!("cannot open or migrate {}", settings.database_url))?;
    tracing::info!(database = %settings.database_url, "migrations applied");
    Ok(())
}

async fn serve(settings: Settings) -> Result<(), String> {
    let db = storage::open(&settings.database_url)
        .await
        .map_err(|_| format!("cannot open or migrate {}", settings.database_url))?;
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    leptos_options.site_addr = settings.addr;
    let state = AppState {
        leptos_options,
        db: db.clone(),
        max_body_bytes: settings.max_body_bytes,
        pool: settings.pool(),
    };
    spawn_refiller(db, settings.pool(), settings.refill_interval_secs);
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    tracing::info!(
        "serving http://{} (database {})",
        settings.addr,
        settings.database_url
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// Applies due credit refills in the background (reads also apply them lazily).
fn spawn_refiller(db: storage::Db, pool: crate::service::account::PoolSettings, every_secs: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every_secs.max(1)));
        loop {
            tick.tick().await;
            let now = crate::server::clock::now();
            if let Err(e) = crate::service::account::refresh_due(&db, now, pool.thresholds).await {
                tracing::warn!(error = %e, "background refill failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
