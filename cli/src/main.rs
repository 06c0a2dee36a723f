//! The `kiln` command line.
//!
//! One module per subcommand: `kiln test`, `kiln isle`, `kiln run`, `kiln wast` and
//! `kiln compile` (the last three share the engine options of `engine_args`). Logs go to
//! standard error through `env_logger`, filtered by `RUST_LOG` (e.g. `RUST_LOG=info`).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod compile_cmd;
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
    /// Compile a Wasm module ahead of time into a serialized module (`.kwasm`), or print its
    /// functions' IR or disassembly.
    Compile(compile_cmd::CompileArgs),
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
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Test(args) => test_cmd::test_command(args),
        Command::Run(args) => run_cmd::run_command(args),
        Command::Wast(args) => wast_cmd::wast_command(args),
        Command::Compile(args) => compile_cmd::compile_command(args),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_and_argument_has_help_text() {
        let cli = Cli::command();
        let mut names = Vec::new();
        for sub in cli.get_subcommands() {
            names.push(sub.get_name().to_string());
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(
                !about.is_empty(),
                "`kiln {}` has no help text",
                sub.get_name()
            );
            for arg in sub.get_arguments() {
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(
                    !help.is_empty(),
                    "argument `{}` of `kiln {}` has no help text",
                    arg.get_id(),
                    sub.get_name()
                );
            }
        }
        assert_eq!(names, ["test", "run", "compile", "wast", "isle"]);
    }
}
