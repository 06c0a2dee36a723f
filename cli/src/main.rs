//! The `kiln` command line.
//!
//! One module per subcommand: `kiln test`, `kiln isle`, `kiln run` and `kiln wast` (the last
//! two share the engine options of `engine_args`).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod engine_args;
mod isle_cmd;
mod run_cmd;
mod test_cmd;
mod wast_cmd;

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
    /// Instantiate a module (no imports) and call one of its exports, printing the results.
    Run(run_cmd::RunArgs),
    /// Run WebAssembly spec test scripts (`.wast` files, or folders of them).
    Wast(wast_cmd::WastArgs),
    /// Type-check rule DSL (`.isle`) files as one program; print every error, or nothing.
    Isle {
        /// The `.isle` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the generated Rust code here.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Test(args) => test_cmd::test_command(args),
        Command::Run(args) => run_cmd::run_command(args),
        Command::Wast(args) => wast_cmd::wast_command(args),
        Command::Isle { files, output } => {
            return ExitCode::from(isle_cmd::isle_command(files, output.as_deref()) as u8);
        }
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
