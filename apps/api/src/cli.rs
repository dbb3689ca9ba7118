//! The command line: `offimic-api [--config FILE] [serve | token … | purge | import | export]`. Every subcommand
//! reads the same configuration and opens the same database as the server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use offimic_store::{ImportFailure, NewApiToken};
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::auth::{KNOWN_SCOPES, Scope, generate_token, hash_token};
use crate::config::{ApiConfig, CONFIG_ENV};
use crate::{database, jobs, serve, shutdown_signal};

/// Exit status for an unusable configuration.
const EXIT_CONFIG: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "offimic-api",
    version,
    about = "The offimic server and its operator commands"
)]
pub struct Cli {
    /// Configuration file [default: ~/.config/offimic/api.json]
    #[arg(long, global = true, env = CONFIG_ENV, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (what runs when no subcommand is given)
    Serve,
    /// Create, list and revoke API tokens for agents and scripts
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Delete per-device rows older than the retention period now (serve does it every 6 hours)
    Purge,
    /// Load a space file: all or nothing, rows with known ids are updated
    Import {
        /// The space file (JSON)
        file: PathBuf,
    },
    /// Write the whole space as a space file
    Export {
        /// Write here instead of standard output
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it; it is shown only this once
    Create {
        /// A name for whoever uses the token, e.g. the agent's location
        #[arg(long)]
        name: String,
        /// What the token may do: measure (counts and scans), device (allow-lists) or admin
        #[arg(long = "scope", required = true, value_name = "measure|device|admin")]
        scopes: Vec<Scope>,
    },
    /// List tokens (names and scopes; secrets are never stored)
    List,
    /// Delete the token with this name
    Revoke { name: String },
}

/// Runs the command line and returns the process exit status.
pub async fn run(cli: Cli) -> ExitCode {
    let path = cli.config.unwrap_or_else(ApiConfig::default_path);
    let config = match ApiConfig::load(&path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("offimic-api: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    match execute(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("offimic-api: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, config: ApiConfig) -> anyhow::Result<()> {
    let store = database::open(&config.database_url()).await?;
    let state = AppState::new(store, config);
    match command {
        Command::Serve => {
            let (host, port) = (state.config.host.clone(), state.config.port.0);
            let listener = TcpListener::bind((host.as_str(), port))
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {host}:{port}: {e}"))?;
            tracing::info!(
                address = %listener.local_addr()?,
                backend = ?state.store.backend(),
                prefix = %state.config.path.0,
                "offimic-api listening"
            );
            serve(listener, state, shutdown_signal()).await?;
        }
        Command::Token { action } => token(&state, action).await?,
        Command::Purge => {
            let report = jobs::purge_device_rows(&state, Timestamp::now()).await?;
            println!(
                "purged {} sightings and {} devices older than {} days",
                report.sightings, report.devices, state.config.retention_days
            );
        }
        Command::Import { file } => import(&state, &file).await?,
        Command::Export { output } => {
            let text = offimic_spacefile::render(&state.store.export_space().await?);
            match output {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

async fn import(state: &AppState, path: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let file =
        offimic_spacefile::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let resolver = offimic_store::space_resolver(file, KNOWN_SCOPES, Timestamp::now());
    let summary = state
        .store
        .import_space(resolver)
        .await
        .map_err(|e| match e {
            ImportFailure::Invalid(e) => {
                anyhow::anyhow!("{}: {e}; nothing was imported", path.display())
            }
            ImportFailure::Store(e) => anyhow::anyhow!("{e}; nothing was imported"),
        })?;
    println!(
        "imported {} tiers, {} things, {} groups, {} people, {} inductions, {} devices, {} API tokens",
        summary.tiers,
        summary.things,
        summary.groups,
        summary.people,
        summary.allowed,
        summary.devices,
        summary.api_tokens
    );
    Ok(())
}

async fn token(state: &AppState, action: TokenAction) -> anyhow::Result<()> {
    match action {
        TokenAction::Create { name, scopes } => {
            let name = name.trim().to_owned();
            anyhow::ensure!(!name.is_empty(), "--name must not be empty");
            let token = generate_token();
            let mut scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
            scopes.dedup();
            state
                .store
                .create_api_token(NewApiToken {
                    name,
                    token_hash: hash_token(&token),
                    scopes,
                    created_at: Timestamp::now(),
                })
                .await?;
            println!("{token}");
        }
        TokenAction::List => {
            for token in state.store.list_api_tokens().await? {
                println!(
                    "{}\t{}\t{}",
                    token.name,
                    token.scopes.join(","),
                    token.created_at
                );
            }
        }
        TokenAction::Revoke { name } => {
            anyhow::ensure!(
                state.store.revoke_api_token(&name).await?,
                "no token named {name:?}"
            );
            println!("revoked {name}");
        }
    }
    Ok(())
}
