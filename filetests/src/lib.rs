//! The Kiln filetest runner.
//!
//! A filetest is a `.clif` file: header lines (`test NAME`, `target ISA FLAGS`, `set NAME=V`)
//! and functions in the text format, with directives in comments. [`run_paths`] runs files and
//! folders (every `*.clif` below them, sorted) and returns a [`Summary`]; each file is one test:
//!
//! - every function must survive print -> parse -> print unchanged, whatever the commands;
//! - `test cat`: each function's print is filechecked against its `; check:` directives;
//! - `test verifier`: `; error: TEXT` on an instruction's line expects a verifier error there
//!   whose message contains TEXT; functions without such comments must verify;
//! - `test interpret`: every function must verify, then every `; run:`/`; trap:` line (see
//!   [`runline`]) is called in the interpreter; targets are ignored;
//! - `test run`, `test compile`: need a [`Backend`], plugged in through [`Options::backend`]
//!   (see [`backend`]); without one they are skipped.
//!
//! A file fails if parsing, the round trip or any command that ran failed; it is skipped if
//! every command was skipped (an unknown `test` name or `set` setting skips them all), and
//! passes otherwise.

pub mod backend;
mod discover;
mod filecheck;
mod precise;
mod report;
mod roundtrip;
pub mod runline;
mod settings;
mod subtest;
mod wasm;
pub mod x64;

pub use backend::{Backend, Executor, NEEDS_BACKEND};
pub use report::{Failure, FileReport, Skip, Status, Summary};
pub use settings::check_setting;
pub use x64::X64Backend;

use kiln_ir::parser::parse_test;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use subtest::{Outcome, KNOWN_TESTS};

/// How to run.
#[derive(Clone)]
pub struct Options {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// The step limit of each interpreted call, so a looping test fails instead of hanging.
    pub fuel: u64,
    /// The code generator for `test run` and `test compile`; `None` skips them.
    pub backend: Option<Arc<dyn Backend>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threads: 0,
            fuel: 10_000_000,
            backend: None,
        }
    }
}

/// Runs every test file in `paths` (files, or folders searched recursively for `*.clif`).
/// Files run in parallel; the reports come back sorted by path.
pub fn run_paths(paths: &[PathBuf], opts: &Options) -> Summary {
    let found = discover::collect(paths);
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, found.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileReport>>> = Mutex::new(vec![None; found.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            // Interpreted recursion can be deep: give workers a roomy stack.
            let worker = std::thread::Builder::new().stack_size(64 << 20);
            let spawned = worker.spawn_scoped(s, || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = found.get(i) else { break };
                let report = match &f.error {
                    Some(e) => failed_file(&f.path, e.clone()),
                    None => run_file(&f.path, opts),
                };
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(report);
            });
            if spawned.is_err() {
                break;
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let files = found
        .iter()
        .zip(results)
        .map(|(f, r)| r.unwrap_or_else(|| failed_file(&f.path, "no worker thread ran it".into())))
        .collect();
    Summary { files }
}

fn failed_file(path: &Path, message: String) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        status: Status::Failed,
        failures: vec![Failure::file(message)],
        skipped: vec![],
        ran: vec![],
    }
}

/// Reads and runs one file; a panic inside Kiln becomes a failure of that file.
pub fn run_file(path: &Path, opts: &Options) -> FileReport {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return failed_file(path, format!("cannot read: {e}")),
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_file_text(path, &text, opts)
    }));
    run.unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        failed_file(path, format!("panicked while running: {what}"))
    })
}

/// Runs the test file `text`; `path` only names it in the report.
pub fn run_file_text(path: &Path, text: &str, opts: &Options) -> FileReport {
    if path.extension().is_some_and(|e| e == "wat") {
        return wasm::run_wat_text(path, text);
    }
    let mut report = FileReport {
        path: path.to_path_buf(),
        status: Status::Passed,
        failures: vec![],
        skipped: vec![],
        ran: vec![],
    };
    let file = match parse_test(text) {
        Ok(f) => f,
        Err(e) => {
            report.failures.push(Failure {
                line: Some(e.line),
                col: Some(e.col),
                message: e.message,
            });
            report.status = Status::Failed;
            return report;
        }
    };
    for pf in &file.functions {
        if let Err(msg) = roundtrip::check(&pf.func) {
            report.failures.push(Failure::at(pf.line, msg));
        }
    }
    // A reason to skip the whole file: an unknown setting or test name.
    let skip_all = file
        .settings
        .iter()
        .find_map(|s| {
            settings::check_setting(&s.name, s.value.as_deref())
                .err()
                .map(|e| format!("{e} (line {})", s.line))
        })
        .or_else(|| {
            file.commands
                .iter()
                .find(|c| !KNOWN_TESTS.contains(&c.name.as_str()))
                .map(|c| format!("unknown test `{}` (line {})", c.name, c.line))
        });
    for cmd in &file.commands {
        let outcome = match &skip_all {
            Some(reason) => Outcome::Skipped(reason.clone()),
            None => subtest::run(cmd, &file, opts, path, text),
        };
        match outcome {
            Outcome::Ran(failures) => {
                report.ran.push(cmd.name.clone());
                report.failures.extend(failures);
            }
            Outcome::Skipped(reason) => report.skipped.push(Skip {
                command: cmd.name.clone(),
                reason,
            }),
        }
    }
    report.status = if !report.failures.is_empty() {
        Status::Failed
    } else if !file.commands.is_empty() && report.ran.is_empty() {
        Status::Skipped
    } else {
        Status::Passed
    };
    report
}

#[cfg(test)]
mod tests;
