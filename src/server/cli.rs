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
        db,
        max_body_bytes: settings.max_body_bytes,
    };
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
