//! `test cat`: print each function and filecheck the print against its directives.

use crate::filecheck;
use crate::report::Failure;
use kiln_ir::parser::TestFile;

/// Runs `test cat` on every function of `file`.
pub(crate) fn run(file: &TestFile) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(c) = file
        .preamble_comments
        .iter()
        .find(|c| filecheck::checker(std::slice::from_ref(c)).is_ok_and(|c| c.is_some()))
    {
        failures.push(Failure::at(
            c.line,
            "a filecheck directive before the first function checks nothing: move it into \
             the function it is about",
        ));
    }
    for pf in &file.functions {
        let checker = match filecheck::checker(&pf.comments) {
            Ok(Some(c)) => c,
            Ok(None) => continue,
            Err(f) => {
                failures.push(f);
                continue;
            }
        };
        let text = pf.func.to_string();
        if let Err(msg) = filecheck::check(&checker, &text) {
            failures.push(Failure::at(pf.line, format!("cat {}: {msg}", pf.func.name)));
        }
    }
    failures
}
