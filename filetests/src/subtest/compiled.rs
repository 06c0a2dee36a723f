//! `test run` and `test compile`: they need a [`Backend`](crate::Backend); without one they
//! are skipped with [`NEEDS_BACKEND`].

use super::interpret::{duplicate_names, run_directives, verify_all};
use super::Outcome;
use crate::backend::NEEDS_BACKEND;
use crate::filecheck;
use crate::report::Failure;
use crate::Options;
use kiln_ir::parser::{TargetLine, TestCommand, TestFile};
use kiln_ir::Function;
use std::path::Path;

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
    let mut failures = duplicate_names(file);
    failures.extend(verify_all(file));
    if !failures.is_empty() {
        return Outcome::Ran(failures);
    }
    let funcs: Vec<Function> = file.functions.iter().map(|pf| pf.func.clone()).collect();
    let mut failures = Vec::new();
    let (mine, cannot): (Vec<_>, Vec<_>) = mine
        .into_iter()
        .partition(|&t| backend.cannot_run(t).is_none());
    if mine.is_empty() {
        let why: Vec<String> = cannot
            .iter()
            .filter_map(|&t| backend.cannot_run(t))
            .collect();
        return Outcome::Skipped(why.join("; "));
    }
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

/// `test compile`: per handled target, compile each function and filecheck its listing
/// (`test compile precise-output`: compare it with the comment block after the function,
/// see [`crate::precise`]).
pub(crate) fn compile(
    file: &TestFile,
    opts: &Options,
    cmd: &TestCommand,
    path: &Path,
    text: &str,
) -> Outcome {
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
    let precise = cmd.options.iter().any(|o| o == "precise-output");
    if precise && mine.len() != 1 {
        failures.push(Failure::at(
            cmd.line,
            "precise-output needs exactly one target line",
        ));
        return Outcome::Ran(failures);
    }
    let mut listings = Vec::new();
    for t in mine {
        for (i, pf) in file.functions.iter().enumerate() {
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
            if precise {
                listings.push((i, listing));
                continue;
            }
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
    if precise {
        failures.extend(crate::precise::check(
            path,
            text,
            &file.functions,
            &listings,
        ));
    }
    Outcome::Ran(failures)
}
