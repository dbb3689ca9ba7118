//! The command line: `scan`, `send`, `watch`, `cron` and `pseudonym`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::config::MeasureConfig;
use crate::run::{Agent, exit};
use crate::schedule;

#[derive(Debug, Parser)]
#[command(
    name = "offimic-measure",
    version,
    about = "Counts the devices on the space's LAN and reports them to offimic-api"
)]
pub struct Cli {
    /// Configuration file [default: ~/.config/offimic/measure.json]
    #[arg(
        long,
        global = true,
        env = "OFFIMIC_MEASURE_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan once and print the count and pseudonyms; sends nothing
    Scan,
    /// Scan once and upload, with anything spooled before (the cron mode)
    Send {
        /// Record the scan under this time instead of now (RFC 3339), e.g. to replay a slot
        #[arg(long, value_name = "TIME")]
        at: Option<Timestamp>,
    },
    /// Run as a daemon, measuring at every slot boundary
    Watch {
        /// Interval, a multiple of 10 minutes: 10m, 20m, 1h
        #[arg(long, default_value = "10m", value_parser = schedule::parse_interval)]
        every: Duration,
    },
    /// Print a crontab line and a systemd service and timer for this installation
    Cron,
    /// Print the pseudonym of each MAC address, e.g. to put a printer on the server's ignore-list
    Pseudonym {
        #[arg(required = true, value_name = "MAC")]
        macs: Vec<String>,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    let path = cli
        .config
        .clone()
        .unwrap_or_else(MeasureConfig::default_path);
    let config = match MeasureConfig::load(&path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("offimic-measure: {error}");
            return ExitCode::from(exit::CONFIG);
        }
    };
    if let Command::Cron = cli.command {
        print!("{}", schedule::cron_files(&path));
        return ExitCode::SUCCESS;
    }
    let agent = match Agent::new(config) {
        Ok(agent) => agent,
        Err(error) => {
            eprintln!("offimic-measure: {error}");
            return ExitCode::from(exit::CONFIG);
        }
    };
    ExitCode::from(match cli.command {
        Command::Scan => scan(&agent),
        Command::Send { at } => agent.send(at.unwrap_or_else(Timestamp::now)),
        Command::Watch { every } => schedule::watch(&agent, every),
        Command::Pseudonym { macs } => pseudonyms(&agent, &macs),
        Command::Cron => exit::OK,
    })
}

fn scan(agent: &Agent) -> u8 {
    let (report, summary) = agent.scan(Timestamp::now());
    if let Some(reason) = summary.failure {
        eprintln!("offimic-measure: scan failed: {reason}");
        return exit::FAILED;
    }
    println!("{} devices ({} ignored)", summary.seen, summary.ignored);
    for device in &report.devices {
        let flag = if device.local { "\tlocal" } else { "" };
        println!("{}{flag}", device.pseudonym);
    }
    exit::OK
}

fn pseudonyms(agent: &Agent, macs: &[String]) -> u8 {
    let mut status = exit::OK;
    for text in macs {
        match text.parse() {
            Ok(mac) => println!("{}\t{}", agent.pseudonymiser.pseudonym(&mac), text),
            Err(error) => {
                eprintln!("offimic-measure: {error}");
                status = exit::FAILED;
            }
        }
    }
    status
}
