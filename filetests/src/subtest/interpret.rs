//! `test interpret`: every function must verify; then every `; run:` and `; trap:` line is
//! called in the interpreter and judged.

use super::error_line;
use crate::backend::Executor;
use crate::report::Failure;
use crate::runline::{check_outcome, parse_directive, type_directive, RunDirective};
use kiln_ir::interpreter::{FunctionStore, Interpreter, InterpreterError};
use kiln_ir::parser::{ParsedFunction, TestFile};
use kiln_ir::verifier::verify_function;
use kiln_ir::DataValue;

/// Runs `test interpret` on `file`, each call limited to `fuel` steps.
pub(crate) fn run(file: &TestFile, fuel: u64) -> Vec<Failure> {
    let mut failures = duplicate_names(file);
    failures.extend(verify_all(file));
    if !failures.is_empty() {
        return failures;
    }
    let mut exec = InterpretFile {
        funcs: &file.functions,
        fuel,
    };
    run_directives(file, &mut exec, "")
}

/// Calls find functions by name, so two functions of one name make run lines ambiguous.
pub(crate) fn duplicate_names(file: &TestFile) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (i, pf) in file.functions.iter().enumerate() {
        if let Some(first) = file.functions[..i]
            .iter()
            .find(|other| other.func.name == pf.func.name)
        {
            failures.push(Failure::at(
                pf.line,
                format!(
                    "function {} is already defined on line {}",
                    pf.func.name, first.line
                ),
            ));
        }
    }
    failures
}

/// Verifies every function; each error is a failure at its instruction's line.
pub(crate) fn verify_all(file: &TestFile) -> Vec<Failure> {
    let mut failures = Vec::new();
    for pf in &file.functions {
        if let Err(errors) = verify_function(&pf.func) {
            for e in &errors.0 {
                failures.push(Failure::at(
                    error_line(pf, e),
                    format!("verifier error in {}: {e}", pf.func.name),
                ));
            }
        }
    }
    failures
}

/// Calls into a fresh interpreter over all of a file's functions, so a failed call leaves
/// nothing behind for the next.
struct InterpretFile<'a> {
    funcs: &'a [ParsedFunction],
    fuel: u64,
}

impl Executor for InterpretFile<'_> {
    fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
        let mut store = FunctionStore::new();
        for pf in self.funcs {
            store.add(&pf.func);
        }
        Interpreter::new(store)
            .with_fuel(self.fuel)
            .call_by_name(name, args)
    }
}

/// The run and trap directives of a file, in line order (malformed ones as failures).
pub(crate) fn directives(file: &TestFile) -> (Vec<RunDirective>, Vec<Failure>) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    let preamble = file.preamble_comments.iter().map(|c| (c, None));
    let in_functions = file.functions.iter().flat_map(|pf| {
        let name = pf.func.name.to_string();
        pf.comments.iter().map(move |c| (c, Some(name.clone())))
    });
    for (c, enclosing) in preamble.chain(in_functions) {
        match parse_directive(c.line, &c.text, enclosing.as_deref()) {
            None => {}
            Some(Ok(d)) => found.push(d),
            Some(Err(e)) => failures.push(Failure::at(c.line, format!("{}: {e}", c.text))),
        }
    }
    found.sort_by_key(|d| d.line);
    (found, failures)
}

/// Runs every directive of `file` through `exec`; `label` prefixes messages (a target, say).
pub(crate) fn run_directives(
    file: &TestFile,
    exec: &mut dyn Executor,
    label: &str,
) -> Vec<Failure> {
    let (list, mut failures) = directives(file);
    for d in &list {
        let fail = |msg: String| Failure::at(d.line, format!("{label}{}: {msg}", d.text));
        let Some(pf) = file
            .functions
            .iter()
            .find(|pf| pf.func.name.to_string() == d.call.func)
        else {
            failures.push(fail(format!(
                "no function named {} in this file",
                d.call.func
            )));
            continue;
        };
        let typed = match type_directive(d, &pf.func.signature) {
            Ok(t) => t,
            Err(e) => {
                failures.push(fail(e));
                continue;
            }
        };
        let outcome = exec.call(&d.call.func, &typed.args);
        if let Err(msg) = check_outcome(&typed.expected, &outcome) {
            failures.push(fail(msg));
        }
    }
    failures
}
