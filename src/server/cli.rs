//! `paas [serve|migrate|compress|backup|export|import]`.

use crate::server::settings::{Cli, Command, Settings, TokenCommand, UserCommand};
use crate::server::{router, telemetry, AppState};
use crate::storage;
use clap::Parser;

pub async fn main(assets: crate::server::assets::Embedded) -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Compress {
            budget_chars,
            level,
        } => compress(budget_chars, &level),
        Command::Serve => {
            telemetry::init(cli.settings.log_format == "json");
            serve(cli.settings, assets).await
        }
        Command::Migrate => {
            telemetry::init(cli.settings.log_format == "json");
            migrate(cli.settings).await
        }
        Command::Capture {
            watch,
            claude_dirs,
            codex_dirs,
            gemini_dirs,
            repos,
            server,
            token,
        } => {
            let prices = cli.settings.prices.clone();
            let dirs = crate::server::capture::Dirs {
                claude: claude_dirs,
                codex: codex_dirs,
                gemini: gemini_dirs,
                repos,
            };
            match (server, token) {
                (Some(url), Some(token)) => send_capture(url, token, watch, dirs, prices).await,
                (None, None) => capture(cli.settings, watch, dirs, prices).await,
                _ => Err("--server and --token go together".into()),
            }
        }
        Command::User { command } => user(cli.settings, command).await,
        Command::Token { command } => token(cli.settings, command).await,
        Command::Backup { file } => backup(cli.settings, &file).await,
        Command::Doctor => doctor(cli.settings).await,
        Command::Export { project, out } => export(cli.settings, project, out.as_deref()).await,
        Command::Import {
            file,
            name,
            on_conflict,
            dry_run,
        } => import(cli.settings, &file, name, &on_conflict, dry_run).await,
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

async fn open(settings: &Settings) -> Result<storage::Db, String> {
    storage::open(&settings.database_url)
        .await
        .map_err(|_| format!("cannot open or migrate {}", settings.database_url))
}

/// The price table: the shipped one, with the user's file over it.
fn load_prices(
    path: Option<&std::path::Path>,
) -> Result<crate::domain::capture::price::PriceTable, String> {
    use crate::domain::capture::price::PriceTable;
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            PriceTable::with_overrides(&text)
        }
        None => Ok(PriceTable::default()),
    }
}

/// Prints what a capture recorded (always once, then only when something changed).
fn print_scan(done: &crate::server::capture::Scan, always: bool) {
    for e in &done.errors {
        eprintln!("paas: {e}");
    }
    if done.report.files > 0 || always {
        for a in &done.report.accounts_new {
            println!("new account: {a}");
        }
        for p in &done.report.projects_new {
            println!("new project: {p}");
        }
        println!("{}", done.report.summary());
    }
}

/// The directories to read: those given, else the tools' standard ones; each must exist.
fn capture_dirs(
    given: crate::server::capture::Dirs,
) -> Result<crate::server::capture::Dirs, String> {
    use crate::server::capture::Dirs;
    let dirs = if given.is_empty() {
        Dirs::standard()
    } else {
        for d in given.all() {
            if !d.is_dir() {
                return Err(format!("{} is not a directory", d.display()));
            }
        }
        given
    };
    if dirs.is_empty() {
        return Err("no Claude Code, Codex CLI or Gemini CLI directory found (looked for ~/.claude, ~/.config/claude, ~/.codex, ~/.gemini; give --claude-dir, --codex-dir, --gemini-dir or --repo)".into());
    }
    for (label, list) in [
        ("Claude Code logs", &dirs.claude),
        ("Codex CLI logs", &dirs.codex),
        ("Gemini CLI logs", &dirs.gemini),
        ("aider and SpecStory histories", &dirs.repos),
    ] {
        for d in list {
            println!("reading {label} in {}", d.display());
        }
    }
    Ok(dirs)
}

/// `paas capture [--watch] [--claude-dir D]… [--codex-dir D]… [--gemini-dir D]…
/// [--repo D]… [--prices FILE]`
async fn capture(
    settings: Settings,
    watch: bool,
    given: crate::server::capture::Dirs,
    prices: Option<std::path::PathBuf>,
) -> Result<(), String> {
    use crate::server::capture::{follow, scan};
    let prices = load_prices(prices.as_deref())?;
    let dirs = capture_dirs(given)?;
    let db = open(&settings).await?;
    if !watch {
        let done = scan(&db, &dirs, &prices).await?;
        print_scan(&done, true);
        return Ok(());
    }
    let mut first = true;
    let (stop_tx, mut stop_rx) = tokio::sync::mpsc::channel::<String>(1);
    let following = follow(
        db,
        dirs,
        prices,
        std::time::Duration::from_secs(30),
        move |done| {
            match done {
                Ok(done) => print_scan(&done, first),
                Err(e) => {
                    let _ = stop_tx.try_send(e);
                }
            }
            first = false;
        },
    );
    tokio::select! {
        _ = following => Ok(()),
        Some(e) = stop_rx.recv() => Err(e),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// `paas capture --server URL --token T`: parses here, records there.
async fn send_capture(
    url: String,
    token: String,
    watch: bool,
    given: crate::server::capture::Dirs,
    prices: Option<std::path::PathBuf>,
) -> Result<(), String> {
    use crate::server::capture::{scan_remote, Watch};
    if prices.is_some() {
        eprintln!(
            "paas: --prices applies where the database is; the server prices with its own table"
        );
    }
    let parsed = url::Url::parse(&url).map_err(|e| format!("--server {url}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "--server {url}: give an http:// or https:// address"
        ));
    }
    let dirs = capture_dirs(given)?;
    println!("sending to {url}");
    let mut watcher = watch.then(|| Watch::new(&dirs));
    let mut first = true;
    loop {
        let done = scan_remote(&url, &token, &dirs).await?;
        print_scan(&done, first);
        first = false;
        let Some(w) = watcher.as_mut() else {
            return Ok(());
        };
        tokio::select! {
            _ = w.changed(std::time::Duration::from_secs(30)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// `serve --capture-dir`: the server follows those directories itself.
fn spawn_capture(settings: &Settings, db: &storage::Db) -> Result<(), String> {
    use crate::server::capture::{follow, Dirs};
    let dirs = Dirs::from_specs(&settings.capture_dirs)?;
    if dirs.is_empty() {
        return Ok(());
    }
    let prices = load_prices(settings.prices.as_deref())?;
    for d in dirs.all() {
        tracing::info!(dir = %d.display(), "capturing AI tool logs");
    }
    tokio::spawn(follow(
        db.clone(),
        dirs,
        prices,
        std::time::Duration::from_secs(30),
        |done| match done {
            Ok(done) => {
                for e in &done.errors {
                    tracing::warn!(error = %e, "capture");
                }
                if done.report.files > 0 {
                    tracing::info!(report = %done.report.summary(), "captured");
                }
            }
            Err(e) => tracing::warn!(error = %e, "capture failed"),
        },
    ));
    Ok(())
}

/// Who the command line is in the audit log.
fn cli_actor() -> crate::storage::auth::Actor {
    crate::storage::auth::Actor {
        user: None,
        label: "cli".into(),
        ip: String::new(),
    }
}

/// One line from stdin, without its line ending.
fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_owned();
    if pw.is_empty() {
        return Err("no password on stdin (send it as one line)".into());
    }
    Ok(pw)
}

/// An error as the command line names it: `--password: use at least 12 characters`.
fn shown(e: crate::error::AppError) -> String {
    match e {
        crate::error::AppError::Validation { field, message } => {
            format!("--{}: {message}", field.replace('_', "-"))
        }
        other => other.to_string(),
    }
}

/// `paas user add|reset-password|list`
async fn user(settings: Settings, command: UserCommand) -> Result<(), String> {
    use crate::service::auth as svc;
    let db = open(&settings).await?;
    let now = crate::server::clock::now();
    match command {
        UserCommand::Add {
            email, name, role, ..
        } => {
            let role = role
                .parse()
                .map_err(|e: crate::error::FieldError| e.message)?;
            let password = password_from_stdin()?;
            let user = svc::create_user(&db, &email, &name, role, &password, &cli_actor(), now)
                .await
                .map_err(shown)?;
            println!(
                "added {} ({}, {})",
                user.email,
                user.name,
                user.role.as_str()
            );
        }
        UserCommand::ResetPassword { email, .. } => {
            let password = password_from_stdin()?;
            let user = svc::reset_password(&db, &email, &password, &cli_actor(), now)
                .await
                .map_err(shown)?;
            println!("new password set for {}; their sessions ended", user.email);
        }
        UserCommand::List => {
            for u in svc::users(&db).await.map_err(shown)? {
                let state = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{state}", u.email, u.name, u.role.as_str());
            }
        }
    }
    Ok(())
}

/// `paas token create --email E --name N --scope S [--expires-days D]`: the token alone
/// on stdout.
async fn token(settings: Settings, command: TokenCommand) -> Result<(), String> {
    use crate::service::auth as svc;
    let TokenCommand::Create {
        email,
        name,
        scope,
        expires_days,
    } = command;
    let scope = scope
        .parse()
        .map_err(|e: crate::error::FieldError| e.message)?;
    let days =
        crate::domain::auth::parse_expiry_days(expires_days.map(|d| d.to_string()).as_deref())
            .map_err(|e| format!("--expires-days: {}", e.message))?;
    let db = open(&settings).await?;
    let now = crate::server::clock::now();
    let user = svc::user_by_email(&db, &email).await.map_err(shown)?;
    let (secret, _) = svc::create_token(&db, user.id, &name, scope, days, &cli_actor(), now)
        .await
        .map_err(shown)?;
    println!("{secret}");
    Ok(())
}

/// `paas backup FILE`
/// `paas doctor`: what the database looks like, one line per check.
async fn doctor(settings: Settings) -> Result<(), String> {
    let url = storage::normalize_url(&settings.database_url);
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(&url)
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    if path.is_empty() || path == ":memory:" || !std::path::Path::new(&path).is_file() {
        return Err(format!(
            "no database at {} (it is made on first start)",
            settings.database_url
        ));
    }
    let db = storage::connect(&settings.database_url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", settings.database_url))?;
    let mut findings = storage::doctor(&db)
        .await
        .map_err(|e| format!("cannot read {}: {e}", settings.database_url))?;
    db.close().await;
    let wal = std::fs::metadata(format!("{path}-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    findings.push(storage::Finding {
        check: "write-ahead log",
        // a log that large means checkpoints are not keeping up (a reader held for long)
        ok: wal < 512 * 1024 * 1024,
        detail: format!("{:.1} MB", wal as f64 / 1e6),
    });
    let dir = std::path::Path::new(&path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let free = std::process::Command::new("df")
        .arg("-Pk")
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<u64>().ok());
    findings.push(match free {
        Some(kb) => storage::Finding {
            check: "free disk space",
            ok: kb > 1024 * 1024,
            detail: format!(
                "{:.1} GB where the database lives",
                kb as f64 / 1024.0 / 1024.0
            ),
        },
        None => storage::Finding {
            check: "free disk space",
            ok: true,
            detail: "unknown (no df)".into(),
        },
    });
    let mut bad = 0;
    for f in &findings {
        println!(
            "{:<16} {:<7} {}",
            f.check,
            if f.ok { "ok" } else { "PROBLEM" },
            f.detail
        );
        bad += usize::from(!f.ok);
    }
    if bad > 0 {
        Err(format!(
            "{bad} problem(s) found in {}",
            settings.database_url
        ))
    } else {
        Ok(())
    }
}

async fn backup(settings: Settings, file: &std::path::Path) -> Result<(), String> {
    let db = open(&settings).await?;
    let done = crate::service::backup::backup(&db, file)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "backed up to {} ({} bytes)",
        done.path.display(),
        done.bytes
    );
    Ok(())
}

/// `paas export --project ID [--out FILE]`
async fn export(
    settings: Settings,
    project: i64,
    out: Option<&std::path::Path>,
) -> Result<(), String> {
    use std::io::Write;
    let id = project
        .to_string()
        .parse()
        .map_err(|e: crate::error::FieldError| format!("--project: {}", e.message))?;
    let db = open(&settings).await?;
    let bundle = crate::service::bundle::export(&db, id, crate::server::clock::now())
        .await
        .map_err(|e| e.to_string())?;
    let json = serde_json::to_vec_pretty(&bundle).map_err(|e| e.to_string())?;
    match out {
        Some(path) => std::fs::write(path, &json)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&json)
                .and_then(|()| stdout.write_all(b"\n"))
                .map_err(|e| format!("cannot write stdout: {e}"))?
        }
    }
    Ok(())
}

/// `paas import FILE [--name N] [--on-conflict rename|merge|skip] [--dry-run]`
async fn import(
    settings: Settings,
    file: &std::path::Path,
    name: Option<String>,
    on_conflict: &str,
    dry_run: bool,
) -> Result<(), String> {
    use crate::service::bundle as svc;
    use std::io::Read;
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?
    };
    let options = svc::ImportOptions {
        name,
        on_conflict: crate::domain::bundle::OnConflict::parse(on_conflict)
            .map_err(|e| e.to_string())?,
    };
    let bundle = svc::read(&text).map_err(|e| e.to_string())?;
    let db = open(&settings).await?;
    let plan = if dry_run {
        svc::preview(&db, &bundle, &options).await
    } else {
        svc::import(&db, &bundle, &options, crate::server::clock::now())
            .await
            .map(|o| o.plan)
    }
    .map_err(|e| e.to_string())?;
    let c = &plan.counts;
    println!("{}", plan.summary());
    if plan.action == crate::domain::bundle::ImportAction::Skip {
        return Ok(());
    }
    println!(
        "{} sessions, {} conversation turns, {} snapshots, {} files, {} handoffs, {} knowledge entries ({} outcomes), {} account switches",
        c.sessions, c.conversation_turns, c.context_snapshots, c.files, c.handoffs, c.knowledge, c.knowledge_outcomes, c.account_switches
    );
    if !plan.accounts_created.is_empty() {
        println!("new accounts: {}", plan.accounts_created.join(", "));
    }
    if dry_run {
        println!("dry run: nothing was written");
    }
    Ok(())
}

async fn migrate(settings: Settings) -> Result<(), String> {
    storage::open(&settings.database_url)
        .await
        .map_err(|_| format!("cannot open or migrate {}", settings.database_url))?;
    tracing::info!(database = %settings.database_url, "migrations applied");
    Ok(())
}

async fn serve(settings: Settings, assets: crate::server::assets::Embedded) -> Result<(), String> {
    let security = settings.security()?;
    let db = storage::open(&settings.database_url)
        .await
        .map_err(|_| format!("cannot open or migrate {}", settings.database_url))?;
    let mut leptos_options = if std::env::var("LEPTOS_WATCH").is_ok() {
        // `make dev` (cargo leptos watch): its settings, its live reload
        leptos::config::get_configuration(None)
            .map_err(|e| format!("leptos configuration: {e}"))?
            .leptos_options
    } else {
        leptos::config::LeptosOptions::builder()
            .output_name("paas")
            .site_root(settings.site_root.clone())
            .site_pkg_dir(assets.pkg_dir())
            .build()
    };
    leptos_options.site_addr = settings.addr;
    if assets.files.is_empty() {
        tracing::info!(site_root = %settings.site_root, "serving the browser bundle from disk");
    }
    let state = AppState {
        leptos_options,
        db: db.clone(),
        max_body_bytes: settings.max_body_bytes,
        max_import_bytes: settings.max_import_bytes,
        pool: settings.pool(),
        analytics: settings.analytics(),
        imports: Default::default(),
        security,
        events: Default::default(),
        prices: std::sync::Arc::new(load_prices(settings.prices.as_deref())?),
        capture_dirs: std::sync::Arc::new(crate::server::capture::Dirs::from_specs(
            &settings.capture_dirs,
        )?),
        assets,
        time_zone: crate::domain::quota::Zone::parse(&settings.time_zone, "time-zone")
            .map_err(|e| format!("--time-zone: {}", e.message))?,
        model_pass: crate::service::model::ModelPass::new(
            crate::server::secret::model_sealer(
                settings.secret_file.as_deref(),
                &settings.database_url,
            )?,
            std::time::Duration::from_secs(settings.request_timeout_secs.max(1)),
        ),
    };
    crate::server::auth::prepare_setup(&state)
        .await
        .map_err(|e| format!("cannot read users: {e}"))?;
    state.events.spawn_watcher(&db).await;
    spawn_capture(&settings, &db)?;
    let events = state.events.clone();
    crate::server::auth::spawn_session_sweeper(db.clone());
    spawn_refiller(db.clone(), settings.pool(), settings.refill_interval_secs);
    if let Some(dir) = settings.backup_dir.clone() {
        spawn_backups(
            db.clone(),
            dir,
            settings.backup_every_hours,
            settings.backup_keep,
        );
    }
    // a request that takes longer (a slow body, a stuck handler) answers 408; writes are
    // cancellation-safe, so dropping one mid-transaction leaves nothing half-written
    let app = router(state).layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        std::time::Duration::from_secs(settings.request_timeout_secs.max(1)),
    ));
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    tracing::info!(
        "serving http://{} (database {})",
        settings.addr,
        settings.database_url
    );
    crate::server::listen::serve(
        listener,
        app,
        crate::server::listen::Limits {
            header_timeout: std::time::Duration::from_secs(settings.header_timeout_secs.max(1)),
            max_connections: settings.max_connections,
        },
        async move {
            shutdown_signal().await;
            events.close();
        },
    )
    .await;
    let served: Result<(), String> = Ok(());
    // in-flight requests have finished: fold the WAL into the file and close cleanly
    match storage::checkpoint(&db).await {
        Ok(()) => tracing::info!("database checkpointed"),
        Err(e) => tracing::warn!(error = %e, "checkpoint at shutdown failed"),
    }
    db.close().await;
    served
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

/// Backs up the whole database into `dir` every `hours`, keeping the newest `keep`.
fn spawn_backups(db: storage::Db, dir: std::path::PathBuf, hours: u64, keep: u64) {
    tracing::info!(dir = %dir.display(), hours, keep, "scheduled backups on");
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(hours.max(1) * 3600);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            let now = crate::server::clock::now();
            let keep = usize::try_from(keep).unwrap_or(usize::MAX);
            match crate::service::backup::scheduled(&db, &dir, keep, now).await {
                Ok((done, pruned)) => tracing::info!(
                    file = %done.path.display(),
                    bytes = done.bytes,
                    pruned = pruned.len(),
                    "scheduled backup written"
                ),
                Err(e) => tracing::warn!(error = %e, "scheduled backup failed"),
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
