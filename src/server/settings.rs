//! Settings from the command line and the environment.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "paas",
    version,
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

    /// Seconds between background checks for due credit refills.
    #[arg(
        long,
        env = "PAAS_REFILL_INTERVAL_SECS",
        default_value_t = 60,
        global = true
    )]
    pub refill_interval_secs: u64,
}

impl Settings {
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

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite:./data/paas.db".into(),
            addr: ([127, 0, 0, 1], 3000).into(),
            max_body_bytes: 2 * 1024 * 1024,
            exhausted_below: 10,
            low_below: 50,
            handoff_credit_savings: 15,
            refill_interval_secs: 60,
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
    }
}
