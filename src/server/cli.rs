//! `paas [serve|migrate]`.

use crate::server::settings::{Cli, Command, Settings};
use crate::server::{router, telemetry, AppState};
use crate::storage;
use clap::Parser;

pub async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings).await,
        Command::Migrate => migrate(cli.settings).await,
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
