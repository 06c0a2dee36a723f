//! The test commands a file names in `test NAME` lines, one module each.

pub(crate) mod cat;
pub(crate) mod compiled;
pub(crate) mod interpret;
pub(crate) mod verifier;

use crate::report::Failure;
use crate::Options;
use kiln_ir::parser::{ParsedFunction, TestCommand, TestFile};
use kiln_ir::verifier::VerifierError;
use kiln_ir::{AnyEntity, Inst};

/// What one command did.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// It ran; these failures (none: passed).
    Ran(Vec<Failure>),
    /// It did not run, for this reason.
    Skipped(String),
}

/// The test names Kiln knows.
pub(crate) const KNOWN_TESTS: [&str; 5] = ["cat", "verifier", "interpret", "run", "compile"];

/// Runs one command on a parsed file.
pub(crate) fn run(
    cmd: &TestCommand,
    file: &TestFile,
    opts: &Options,
    path: &std::path::Path,
    text: &str,
) -> Outcome {
    match cmd.name.as_str() {
        "cat" => Outcome::Ran(cat::run(file)),
        "verifier" => Outcome::Ran(verifier::run(file)),
        "interpret" => Outcome::Ran(interpret::run(file, opts.fuel)),
        "run" => compiled::run(file, opts),
        "compile" => compiled::compile(file, opts, cmd, path, text),
        other => Outcome::Skipped(format!("unknown test `{other}`")),
    }
}

/// The instruction that starts on `line`, if any.
pub(crate) fn inst_at_line(pf: &ParsedFunction, line: u32) -> Option<Inst> {
    let layout = &pf.func.layout;
    layout
        .blocks()
        .flat_map(|b| layout.block_insts(b))
        .find(|&inst| pf.inst_lines[inst] == line)
}

/// The source line a verifier error points at: its instruction's, else the function's.
pub(crate) fn error_line(pf: &ParsedFunction, e: &VerifierError) -> u32 {
    match e.location {
        AnyEntity::Inst(inst) if pf.inst_lines[inst] != 0 => pf.inst_lines[inst],
        _ => pf.line,
    }
}
