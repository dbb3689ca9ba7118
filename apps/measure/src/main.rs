//! Entry point of `offimic-measure`.

use std::process::ExitCode;

use clap::Parser;
use offimic_measure::cli::{Cli, run};

fn main() -> ExitCode {
    run(Cli::parse())
}
