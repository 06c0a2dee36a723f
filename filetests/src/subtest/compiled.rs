//! `test run` and `test compile`: they need a [`Backend`](crate::Backend); without one they
//! are skipped with [`NEEDS_BACKEND`].

use super::interpret::{run_directives, verify_all};
use super::Outcome;
use crate::backend::NEEDS_BACKEND;
use crate::filecheck;
use crate::report::Failure;
use crate::Options;
use kiln_ir::parser::{TargetLine, TestFile};
use kiln_ir::Function;

/// The targets of `file` the backend handles (`[None]`, the host, if the file names none),
/// and skip reasons for the others.
fn targets<'a>(file: &'a TestFile, isa: &str) -> (Vec<Option<&'a TargetLine>>, Vec<String>) {
    if file.targets.is_empty() {
        return (vec![None], vec![]);
    }
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for t in &file.targets {
        if t.isa == isa {
            mine.push(Some(t));
        } else {
            others.push(format!("target {} (line {})", t.isa, t.line));
        }
    }
    (mine, others)
}

fn label(t: Option<&TargetLine>) -> String {
    match t {
        Some(t) if t.flags.is_empty() => format!("target {}: ", t.isa),
        Some(t) => format!("target {} {}: ", t.isa, t.flags.join(" ")),
        None => String::new(),
    }
}

/// `test run`: per handled target, compile the file and check its run and trap lines.
pub(crate) fn run(file: &TestFile, opts: &Options) -> Outcome {
    let Some(backend) = opts.backend.as_deref() else {
        return Outcome::Skipped(NEEDS_BACKEND.into());
    };
    let (mine, others) = targets(file, backend.isa());
    if mine.is_empty() {
        return Outcome::Skipped(format!(
            "no {} target: {}",
            backend.isa(),
            others.join(", ")
        ));
    }
    let failures = verify_all(file);
    if !failures.is_empty() {
        return Outcome::Ran(failures);
    }
    let funcs: Vec<Function> = file.functions.iter().map(|pf| pf.func.clone()).collect();
    let mut failures = Vec::new();
    for t in mine {
        match backend.compile_for_run(&funcs, t, &file.settings) {
            Ok(mut exec) => failures.extend(run_directives(file, exec.as_mut(), &label(t))),
            Err(e) => failures.push(Failure::file(format!(
                "{}compilation failed: {e}",
                label(t)
            ))),
        }
    }
    Outcome::Ran(failures)
}

/// `test compile`: per handled target, compile each function and filecheck its listing.
pub(crate) fn compile(file: &TestFile, opts: &Options) -> Outcome {
    let Some(backend) = opts.backend.as_deref() else {
        return Outcome::Skipped(NEEDS_BACKEND.into());
    };
    let (mine, others) = targets(file, backend.isa());
    if mine.is_empty() {
        return Outcome::Skipped(format!(
            "no {} target: {}",
            backend.isa(),
            others.join(", ")
        ));
    }
    let mut failures = verify_all(file);
    if !failures.is_empty() {
        return Outcome::Ran(failures);
    }
    for t in mine {
        for pf in &file.functions {
            let listing = match backend.compile_listing(&pf.func, t, &file.settings) {
                Ok(l) => l,
                Err(e) => {
                    failures.push(Failure::at(
                        pf.line,
                        format!("{}compiling {} failed: {e}", label(t), pf.func.name),
                    ));
                    continue;
                }
            };
            match filecheck::checker(&pf.comments) {
                Ok(Some(checker)) => {
                    if let Err(msg) = filecheck::check(&checker, &listing) {
                        failures.push(Failure::at(
                            pf.line,
                            format!("{}compile {}: {msg}", label(t), pf.func.name),
                        ));
                    }
                }
                Ok(None) => {}
                Err(f) => failures.push(f),
            }
        }
    }
    Outcome::Ran(failures)
}
