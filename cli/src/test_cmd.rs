//! `kiln test [-v] PATH...`: run filetests and report.

use anyhow::Context;
use kiln_filetests::{run_paths, Options, Status, Summary};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `kiln test`.
#[derive(clap::Args)]
pub struct TestArgs {
    /// Print every file with its status, and why commands were skipped.
    #[arg(short, long)]
    verbose: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Test files, or folders to search for `*.clif` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the tests and prints failures and the closing `N passed, N failed, N skipped` line.
/// Returns whether nothing failed.
pub fn test_command(args: &TestArgs) -> anyhow::Result<bool> {
    let opts = Options {
        threads: args.threads.unwrap_or(0),
        backend: Some(std::sync::Arc::new(kiln_filetests::X64Backend::new())),
        ..Options::default()
    };
    let summary = run_paths(&args.paths, &opts);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_report(&mut out, &summary, args.verbose).context("writing the report")?;
    Ok(summary.failed() == 0)
}

/// Writes the report: in verbose mode every file with its status and skip reasons, otherwise
/// only failures; then the totals line.
fn write_report(out: &mut dyn Write, summary: &Summary, verbose: bool) -> std::io::Result<()> {
    for file in &summary.files {
        if verbose {
            writeln!(out, "{} {}", file.status, file.path.display())?;
            for skip in &file.skipped {
                writeln!(out, "    skipped `test {}`: {}", skip.command, skip.reason)?;
            }
        }
        if file.status == Status::Failed {
            for line in file.failure_lines() {
                writeln!(out, "{line}")?;
            }
        }
    }
    writeln!(out, "{}", summary.totals_line())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_filetests::{Failure, FileReport, Skip};

    fn summary() -> Summary {
        Summary {
            files: vec![
                FileReport {
                    path: "a.clif".into(),
                    status: Status::Passed,
                    failures: vec![],
                    skipped: vec![Skip {
                        command: "run".into(),
                        reason: "needs a backend".into(),
                    }],
                    ran: vec!["interpret".into()],
                },
                FileReport {
                    path: "b.clif".into(),
                    status: Status::Failed,
                    failures: vec![Failure::at(4, "run: %f() == 1: expected 1, got 2")],
                    skipped: vec![],
                    ran: vec!["interpret".into()],
                },
            ],
        }
    }

    fn render(verbose: bool) -> String {
        let mut buf = Vec::new();
        write_report(&mut buf, &summary(), verbose).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn quiet_report_lists_failures_and_totals() {
        assert_eq!(
            render(false),
            "b.clif:4: run: %f() == 1: expected 1, got 2\n1 passed, 1 failed, 0 skipped\n"
        );
    }

    #[test]
    fn verbose_report_lists_every_file() {
        assert_eq!(
            render(true),
            "PASS a.clif\n    skipped `test run`: needs a backend\nFAIL b.clif\n\
             b.clif:4: run: %f() == 1: expected 1, got 2\n1 passed, 1 failed, 0 skipped\n"
        );
    }
}
