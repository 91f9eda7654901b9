//! Settings from the command line and the environment.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "paas",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PAAS_GIT_COMMIT"), ")"),
    about = "PAAS AI Orchestration: a self-hosted command center for AI-assisted development \
             across many accounts",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the REST API (the default).
    Serve,
    /// Create the database if missing and apply pending migrations, then exit.
    Migrate,
    /// Compress a session log read from stdin into a handoff briefing on stdout.
    Compress {
        /// Largest briefing, in characters (overrides --level).
        #[arg(long, env = "BUDGET_CHARS")]
        budget_chars: Option<usize>,
        /// Compression level: low keeps about 10 %, medium 5 %, high 2 % of the log.
        #[arg(long, value_parser = ["low", "medium", "high"], default_value = "medium")]
        level: String,
    },
    /// Look the database over (integrity, foreign keys, migrations, size, write-ahead
    /// log, free disk space) and say what was found; exit status 1 when something is wrong.
    Doctor,
    /// Copy the whole database to FILE (a new file) while the app may be running, then exit.
    Backup {
        /// Where the copy goes; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Write a project and everything recorded about it as a JSON bundle.
    Export {
        /// The project's id.
        #[arg(long)]
        project: i64,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        out: Option<std::path::PathBuf>,
    },
    /// Record sessions, turns and token usage from the logs Claude Code and Codex CLI keep
    /// (their standard directories unless given), then print what was recorded.
    Capture {
        /// Keep running and record what the tools append as they write it.
        #[arg(long)]
        watch: bool,
        /// A Claude Code configuration directory (repeatable; default ~/.claude).
        #[arg(long = "claude-dir")]
        claude_dirs: Vec<std::path::PathBuf>,
        /// A Codex CLI home (repeatable; default ~/.codex).
        #[arg(long = "codex-dir")]
        codex_dirs: Vec<std::path::PathBuf>,
        /// A Gemini CLI directory (not read by this version).
        #[arg(long = "gemini-dir")]
        gemini_dirs: Vec<std::path::PathBuf>,
        /// A repository with aider or SpecStory histories (not read by this version).
        #[arg(long = "repo")]
        repos: Vec<std::path::PathBuf>,
        /// Send to the app at this URL instead of the local database (not in this version).
        #[arg(long)]
        server: Option<String>,
        /// The API token for --server.
        #[arg(long)]
        token: Option<String>,
    },
    /// Manage users: add, reset a password, list.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import a project bundle written by `paas export` or the dashboard ("-" reads stdin).
    Import {
        file: std::path::PathBuf,
        /// Import under this name instead of the bundle's.
        #[arg(long)]
        name: Option<String>,
        /// When a project of that name exists: import under a free name, merge into it, or
        /// skip.
        #[arg(long, value_parser = ["rename", "merge", "skip"], default_value = "rename")]
        on_conflict: String,
        /// Show what would be imported; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from stdin (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["owner", "member", "viewer"])]
        role: String,
        /// Read the password from stdin (required: passwords never go on a command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password (read from stdin) and end the user's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users: e-mail, name, role, state.
    List,
}

#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (alone) on stdout; it is shown only once.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["read", "write", "admin"])]
        scope: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// SQLite database: a `sqlite:` URL or a file path; created with its directory if missing.
    #[arg(
        long,
        env = "PAAS_DATABASE_URL",
        default_value = "sqlite:./data/paas.db",
        global = true
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(
        long,
        env = "PAAS_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// The address people reach the app at (`https://paas.example.com`), when it is served
    /// beyond this machine: its host is accepted, its origin may write, and over https the
    /// sign-in cookie is `Secure` with the `__Host-` prefix. Required to listen on a
    /// non-loopback address.
    #[arg(long, env = "PAAS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// A directory of an AI tool's logs the server follows itself (repeatable, or
    /// comma-separated in the environment): a Claude Code, Codex CLI or Gemini CLI
    /// directory, told apart by what it holds or its name, or named as
    /// `claude=DIR`, `codex=DIR`, `gemini=DIR`, `repo=DIR` (aider and SpecStory histories).
    #[arg(
        long = "capture-dir",
        env = "PAAS_CAPTURE_DIR",
        value_delimiter = ',',
        global = true
    )]
    pub capture_dirs: Vec<String>,

    /// How logs are written: `text` for people, `json` (one object per line) for collectors.
    #[arg(long, env = "PAAS_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// The server's secret (32 random bytes, created with mode 0600 when missing), from
    /// which the key that seals stored API keys is derived. Default: `secret.key` beside
    /// the database. Replacing it makes saved API keys unreadable (they are entered again).
    #[arg(long, env = "PAAS_SECRET_FILE", global = true)]
    pub secret_file: Option<std::path::PathBuf>,

    /// Where the browser bundle is read from when the binary has none built in (development).
    #[arg(
        long,
        env = "PAAS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,

    /// The time zone pages show times in before the browser's own takes over, and without
    /// JavaScript (an IANA name: `UTC`, `Europe/Berlin`, `Asia/Jakarta`).
    #[arg(long, env = "PAAS_TIME_ZONE", default_value = "UTC", global = true)]
    pub time_zone: String,

    /// A JSON file of model prices over the shipped table
    /// (`{"model-prefix": {"input": 3.0, "output": 15.0, "cache_write": 3.75, "cache_read": 0.3}}`,
    /// USD per million tokens).
    #[arg(long, env = "PAAS_PRICES", global = true)]
    pub prices: Option<std::path::PathBuf>,

    /// Requests per minute one API token may send (429 with Retry-After beyond).
    #[arg(
        long,
        env = "PAAS_TOKEN_RATE_PER_MINUTE",
        default_value_t = 600,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub token_rate_per_minute: u32,

    /// Reverse proxies in front that append the client to `X-Forwarded-For` (0: none; the
    /// peer address is the client).
    #[arg(long, env = "PAAS_TRUSTED_PROXIES", default_value_t = 0, global = true)]
    pub trusted_proxies: usize,

    /// Largest request body accepted, in bytes.
    #[arg(
        long,
        env = "PAAS_MAX_BODY_BYTES",
        default_value_t = 2 * 1024 * 1024,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Accounts with fewer credits than this are exhausted.
    #[arg(
        long,
        env = "PAAS_EXHAUSTED_BELOW",
        default_value_t = 10,
        global = true
    )]
    pub exhausted_below: i64,

    /// Accounts with fewer credits than this are shown as low.
    #[arg(long, env = "PAAS_LOW_BELOW", default_value_t = 50, global = true)]
    pub low_below: i64,

    /// Credits one handoff saves, as reported by rotation.
    #[arg(
        long,
        env = "PAAS_HANDOFF_CREDIT_SAVINGS",
        default_value_t = 15,
        global = true
    )]
    pub handoff_credit_savings: i64,

    /// Minutes one handoff saves, as shown by the analytics.
    #[arg(
        long,
        env = "PAAS_HANDOFF_MINUTES_SAVED",
        default_value_t = 19.5,
        global = true
    )]
    pub handoff_minutes_saved: f64,

    /// Percent of an account's capacity used that raises an alert (comma-separated).
    #[arg(
        long,
        env = "PAAS_ALERT_THRESHOLDS",
        default_value = "70,85,90",
        value_parser = AlertThresholds::parse,
        global = true
    )]
    pub alert_thresholds: AlertThresholds,

    /// Hours of recent sessions an account's burn rate is measured over.
    #[arg(
        long,
        env = "PAAS_BURN_WINDOW_HOURS",
        default_value_t = 24,
        value_parser = clap::value_parser!(i64).range(1..=720),
        global = true
    )]
    pub burn_window_hours: i64,

    /// Seconds between background checks for due credit refills.
    #[arg(
        long,
        env = "PAAS_REFILL_INTERVAL_SECS",
        default_value_t = 60,
        global = true
    )]
    pub refill_interval_secs: u64,

    /// Seconds a client has to send a request's headers (also how long an idle kept-alive
    /// connection stays open).
    #[arg(
        long,
        env = "PAAS_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_timeout_secs: u64,

    /// Seconds a whole request may take, body included (408 or 504 after).
    #[arg(
        long,
        env = "PAAS_REQUEST_TIMEOUT_SECS",
        default_value_t = 120,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Connections served at once; more wait in the kernel's queue.
    #[arg(
        long,
        env = "PAAS_MAX_CONNECTIONS",
        default_value_t = 1024,
        global = true
    )]
    pub max_connections: usize,

    /// While serving, back up the whole database into this directory on a schedule.
    #[arg(long, env = "PAAS_BACKUP_DIR", global = true)]
    pub backup_dir: Option<std::path::PathBuf>,

    /// Hours between scheduled backups (with --backup-dir).
    #[arg(
        long,
        env = "PAAS_BACKUP_EVERY_HOURS",
        default_value_t = 24,
        value_parser = clap::value_parser!(u64).range(1..=8760),
        global = true
    )]
    pub backup_every_hours: u64,

    /// Scheduled backups to keep; older ones are deleted.
    #[arg(
        long,
        env = "PAAS_BACKUP_KEEP",
        default_value_t = 7,
        value_parser = clap::value_parser!(u64).range(1..=10000),
        global = true
    )]
    pub backup_keep: u64,

    /// Largest project bundle accepted by an import, in bytes.
    #[arg(
        long,
        env = "PAAS_MAX_IMPORT_BYTES",
        default_value_t = 256 * 1024 * 1024,
        global = true
    )]
    pub max_import_bytes: usize,
}

impl Settings {
    /// The origins this server answers for; refuses a non-loopback address without
    /// `--public-url`.
    pub fn origins(&self) -> Result<crate::server::guard::Origins, String> {
        let origins =
            crate::server::guard::Origins::new(self.public_url.as_deref(), Some(self.addr.port()))?;
        if !self.addr.ip().is_loopback() && origins.public.is_none() {
            return Err(format!(
                "refusing to listen on {} without --public-url: on a network address the app \
                 needs the URL people reach it at (for example --public-url \
                 https://paas.example.com behind a TLS reverse proxy). To keep it on this \
                 machine, use --addr 127.0.0.1:{}",
                self.addr,
                self.addr.port()
            ));
        }
        Ok(origins)
    }

    /// Sign-in settings of a serving process.
    pub fn security(&self) -> Result<crate::server::auth::Security, String> {
        let mut s = crate::server::auth::Security::new(self.origins()?, self.token_rate_per_minute);
        s.trusted_proxies = self.trusted_proxies;
        Ok(s)
    }

    pub fn pool(&self) -> crate::service::account::PoolSettings {
        crate::service::account::PoolSettings {
            thresholds: crate::domain::account::Thresholds {
                exhausted_below: self.exhausted_below,
                low_below: self.low_below,
            },
            credit_savings: self.handoff_credit_savings,
        }
    }
}

/// Alert levels in percent used (`70,85,90`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertThresholds(pub Vec<u8>);

impl AlertThresholds {
    fn parse(s: &str) -> Result<Self, String> {
        crate::domain::analytics::parse_thresholds(s).map(Self)
    }
}

impl Settings {
    pub fn analytics(&self) -> crate::domain::analytics::AnalyticsSettings {
        crate::domain::analytics::AnalyticsSettings {
            credits_per_handoff: self.handoff_credit_savings,
            minutes_per_handoff: if self.handoff_minutes_saved.is_finite() {
                self.handoff_minutes_saved.max(0.0)
            } else {
                0.0
            },
            alert_thresholds: self.alert_thresholds.0.clone(),
            burn_window_hours: self.burn_window_hours,
            exhausted_below: self.exhausted_below,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite:./data/paas.db".into(),
            addr: ([127, 0, 0, 1], 3000).into(),
            max_body_bytes: 2 * 1024 * 1024,
            exhausted_below: 10,
            low_below: 50,
            handoff_credit_savings: 15,
            handoff_minutes_saved: 19.5,
            alert_thresholds: AlertThresholds(vec![70, 85, 90]),
            burn_window_hours: 24,
            refill_interval_secs: 60,
            header_timeout_secs: 10,
            request_timeout_secs: 120,
            max_connections: 1024,
            backup_dir: None,
            backup_every_hours: 24,
            backup_keep: 7,
            max_import_bytes: 256 * 1024 * 1024,
            public_url: None,
            token_rate_per_minute: 600,
            trusted_proxies: 0,
            capture_dirs: Vec::new(),
            site_root: "target/site".into(),
            log_format: "text".into(),
            prices: None,
            secret_file: None,
            time_zone: "UTC".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let cli = Cli::try_parse_from(["paas"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.settings.addr.to_string(), "127.0.0.1:3000");
        let cli = Cli::try_parse_from([
            "paas",
            "migrate",
            "--database-url",
            "sqlite:/tmp/x.db",
            "--addr",
            "0.0.0.0:8080",
        ])
        .unwrap();
        assert!(matches!(cli.command, Some(Command::Migrate)));
        assert_eq!(cli.settings.database_url, "sqlite:/tmp/x.db");
        assert_eq!(cli.settings.addr.port(), 8080);
        assert!(Cli::try_parse_from(["paas", "--addr", "nowhere"]).is_err());
        let cli =
            Cli::try_parse_from(["paas", "import", "b.json", "--on-conflict", "merge"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Import { ref on_conflict, dry_run: false, .. }) if on_conflict == "merge"
        ));
        assert!(Cli::try_parse_from(["paas", "import", "b.json", "--on-conflict", "x"]).is_err());
        assert!(
            Cli::try_parse_from(["paas", "export"]).is_err(),
            "--project is required"
        );
        assert!(Cli::try_parse_from(["paas", "--backup-keep", "0"]).is_err());
        // a network address needs the public URL
        let open = Cli::try_parse_from(["paas", "--addr", "0.0.0.0:3000"]).unwrap();
        assert!(open
            .settings
            .origins()
            .unwrap_err()
            .contains("--public-url"));
        let open = Cli::try_parse_from([
            "paas",
            "--addr",
            "0.0.0.0:3000",
            "--public-url",
            "https://paas.example.com",
        ])
        .unwrap();
        assert!(open.settings.origins().unwrap().https());
        let cli = Cli::try_parse_from([
            "paas",
            "user",
            "add",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--role",
            "owner",
            "--password-stdin",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::User {
                command: UserCommand::Add { .. }
            })
        ));
        assert!(Cli::try_parse_from([
            "paas",
            "user",
            "add",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--role",
            "root",
            "--password-stdin",
        ])
        .is_err());
        assert!(Cli::try_parse_from([
            "paas",
            "token",
            "create",
            "--email",
            "a@b.co",
            "--name",
            "ci",
            "--scope",
            "read",
            "--expires-days",
            "30",
        ])
        .is_ok());
    }
}
