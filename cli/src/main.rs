//! The `kiln` command line.
//!
//! One module per subcommand; `kiln test` is the first. Later subcommands (`run`, `wast`,
//! `compile`, `isle`) add a variant to [`Command`] and a module of their own.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod test_cmd;

/// Kiln: compile, run and test Kiln IR and WebAssembly.
#[derive(Parser)]
#[command(name = "kiln", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
enum Command {
    /// Run filetests: `.clif` files, or folders searched for them.
    Test(test_cmd::TestArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Test(args) => test_cmd::test_command(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
