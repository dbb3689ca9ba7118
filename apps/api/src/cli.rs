//! The command line: `offimic-api [--config FILE] [serve | token … | purge | import | export |
//! bank … | payments run | admin create | email send]`. Every subcommand
//! reads the same configuration and opens the same database as the server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use offimic_store::{CreditAssignment, ImportFailure, NewApiToken};
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::auth::{KNOWN_SCOPES, Scope, generate_token, hash_token};
use crate::config::{ApiConfig, CONFIG_ENV};
use crate::money::StatementFormat;
use crate::{database, jobs, money, serve, shutdown_signal};

/// Exit status for an unusable configuration.
const EXIT_CONFIG: u8 = 2;

/// A configuration that parsed but cannot be used (a bad address, a broken template).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UnusableConfig(String);

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
    /// Import bank statements and see credits no member reference matched
    Bank {
        #[command(subcommand)]
        action: BankAction,
    },
    /// The payment run: extend memberships from members' balances
    Payments {
        #[command(subcommand)]
        action: PaymentsAction,
    },
    /// Manage the web console's admins
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Send the emails waiting in the outbox now (serve sends them by itself)
    Email {
        #[command(subcommand)]
        action: EmailAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum BankAction {
    /// Import statement files (OFX, camt.053, Barclays CSV, or CSV with the configured
    /// mapping): all files are checked first and nothing is written if one is malformed;
    /// lines already imported are skipped
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The files' format when it cannot be told from their content
        #[arg(long, value_enum)]
        format: Option<StatementFormat>,
    },
    /// List credits that named no member, oldest first
    Unmatched,
    /// Put an unmatched credit on a member's balance
    Assign {
        /// The credit's id, as `bank unmatched` lists it
        credit: i64,
        /// The member's number
        person: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentsAction {
    /// Run the payment run for every member (as the daily job does)
    Run {
        /// Run as if it were this moment (RFC 3339), e.g. to catch up a missed day
        #[arg(long, value_name = "TIME")]
        as_of: Option<Timestamp>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Give the member with this email the admin role (they log in by emailed link)
    Create {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmailAction {
    /// Deliver every email that is due, once
    Send,
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
        Err(error) if error.is::<UnusableConfig>() => {
            eprintln!("offimic-api: {}: {error}", path.display());
            ExitCode::from(EXIT_CONFIG)
        }
        Err(error) => {
            eprintln!("offimic-api: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, config: ApiConfig) -> anyhow::Result<()> {
    let store = database::open(&config.database_url()).await?;
    let state = AppState::new(store, config).map_err(UnusableConfig)?;
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
        Command::Bank { action } => bank(&state, action).await?,
        Command::Payments {
            action: PaymentsAction::Run { as_of },
        } => {
            let report = money::run_payments(&state, as_of.unwrap_or_else(Timestamp::now)).await?;
            println!("{}", report.summary(&state.config.payments.door));
            for (person, error) in &report.failures {
                eprintln!("person {person}: {error}");
            }
            let sent = state
                .mail
                .mailer
                .deliver_due(&*state.store, Timestamp::now())
                .await?;
            println!(
                "emails: {} sent, {} to retry, {} failed",
                sent.sent, sent.retried, sent.failed
            );
            anyhow::ensure!(
                report.failures.is_empty(),
                "the run failed for some members"
            );
        }
        Command::Admin {
            action: AdminAction::Create { email },
        } => match state
            .store
            .make_admin(email.trim(), Timestamp::now())
            .await?
        {
            Some(person) => println!("person {person} ({email}) is an admin"),
            None => {
                anyhow::bail!("no single adult member has the email {email:?}; register them first")
            }
        },
        Command::Email {
            action: EmailAction::Send,
        } => {
            let sent = state
                .mail
                .mailer
                .deliver_due(&*state.store, Timestamp::now())
                .await?;
            println!(
                "emails: {} sent, {} to retry, {} failed",
                sent.sent, sent.retried, sent.failed
            );
        }
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

async fn bank(state: &AppState, action: BankAction) -> anyhow::Result<()> {
    match action {
        BankAction::Import { files, format } => {
            let now = Timestamp::now();
            let mut statements = Vec::new();
            for path in &files {
                let bytes =
                    std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let source = path.display().to_string();
                let statement = money::parse_statement(
                    &source,
                    &bytes,
                    format.map(Into::into),
                    &state.config.payments,
                    now,
                )
                .map_err(|e| anyhow::anyhow!("{e}; nothing was imported"))?;
                statements.push(statement);
            }
            for statement in &statements {
                let summary = state.store.import_statement(statement).await?;
                println!(
                    "{} ({}): {} lines, {} new, {} credits for members (£{:.2}), {} unmatched, {} already on the ledger",
                    statement.source,
                    statement.format,
                    summary.lines,
                    summary.new_lines,
                    summary.credited,
                    summary.credited_p as f64 / 100.0,
                    summary.unmatched,
                    summary.already_credited
                );
            }
        }
        BankAction::Unmatched => {
            let credits = state.store.unmatched_credits().await?;
            if credits.is_empty() {
                println!("no unmatched credits");
            }
            for credit in credits {
                println!(
                    "{}\t{}\t£{:.2}\t{}\t{}",
                    credit.id,
                    credit.posted.strftime("%Y-%m-%d"),
                    credit.amount_p as f64 / 100.0,
                    credit.text,
                    credit.source
                );
            }
        }
        BankAction::Assign { credit, person } => {
            match state
                .store
                .assign_credit(credit, person, Timestamp::now())
                .await?
            {
                CreditAssignment::Assigned { balance_p } => {
                    println!("credit {credit} is now on person {person}'s balance ({balance_p}p)")
                }
                CreditAssignment::NoSuchCredit => anyhow::bail!("no credit {credit}"),
                CreditAssignment::AlreadyAssigned => {
                    anyhow::bail!("credit {credit} is already on a member's balance")
                }
                CreditAssignment::NoSuchPerson => anyhow::bail!("no person {person}"),
            }
        }
    }
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
