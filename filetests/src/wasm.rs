//! `.wat` filetests: a WebAssembly module in the text format, translated to IR by
//! `kiln-frontend-wasm`, with the expected IR in `;; check:` directives.
//!
//! The header is made of `;;` comments: `;; test translate`, and optionally
//! `;; set bounds_checks=guard|explicit` and `;; set spectre=on|off` (the heap strategy). Every
//! translated function must verify and survive print → parse → print; the printed functions,
//! one after the other, are then filechecked.

use crate::filecheck;
use crate::report::{Failure, FileReport, Skip, Status};
use crate::roundtrip;
use kiln_frontend_wasm::{
    translate_module, BoundsChecks, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
};
use kiln_ir::parser::Comment;
use kiln_ir::{verifier::verify_function, Function};
use std::path::Path;

/// The `;;` comments of `text`, with their lines and their text after `;;`.
fn comments(text: &str) -> Vec<Comment> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix(";;")?;
            Some(Comment {
                line: i as u32 + 1,
                text: rest.trim().to_string(),
            })
        })
        .collect()
}

/// Reads the header: the test commands and the heap configuration, or why the file is skipped.
fn header(comments: &[Comment]) -> Result<(Vec<String>, HeapConfig), String> {
    let mut tests = Vec::new();
    let mut heap = HeapConfig::default();
    for c in comments {
        if let Some(name) = c.text.strip_prefix("test ") {
            let name = name.trim();
            if name != "translate" {
                return Err(format!(
                    "unknown test `{name}` for a .wat file (line {})",
                    c.line
                ));
            }
            tests.push(name.to_string());
        } else if let Some(settings) = c.text.strip_prefix("set ") {
            for setting in settings.split_whitespace() {
                match setting {
                    "bounds_checks=guard" => {
                        heap.bounds_checks = HeapConfig::default().bounds_checks
                    }
                    "bounds_checks=explicit" => heap.bounds_checks = BoundsChecks::Explicit,
                    "spectre=on" => heap.spectre_mitigation = true,
                    "spectre=off" => heap.spectre_mitigation = false,
                    other => {
                        return Err(format!("unknown setting `{other}` (line {})", c.line));
                    }
                }
            }
        }
    }
    Ok((tests, heap))
}

/// Translates every function of the module, verifying each; the printed IR of all of them.
fn translate(bytes: &[u8], heap: HeapConfig, failures: &mut Vec<Failure>) -> Option<String> {
    let translation = match translate_module(bytes) {
        Ok(t) => t,
        Err(e) => {
            failures.push(Failure::file(format!("translation failed: {e}")));
            return None;
        }
    };
    let env = StandardEnvironment {
        offsets: VMOffsets::new(&translation.info),
        heap,
    };
    let mut translator = FuncTranslator::new();
    let mut func = Function::new();
    let mut printed = String::new();
    for body in translation.bodies {
        let index = body.index;
        if let Err(e) = translator.translate(&translation.info, &env, body, &mut func) {
            failures.push(Failure::file(format!("function {index}: {e}")));
            return None;
        }
        if let Err(errors) = verify_function(&func) {
            failures.push(Failure::file(format!(
                "function {index} does not verify:\n{errors}{}",
                func.display()
            )));
        }
        if let Err(msg) = roundtrip::check(&func) {
            failures.push(Failure::file(format!("function {index}: {msg}")));
        }
        printed.push_str(&func.display().to_string());
        printed.push('\n');
    }
    Some(printed)
}

/// Runs the `.wat` test file `text`; `path` only names it in the report.
pub fn run_wat_text(path: &Path, text: &str) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        status: Status::Passed,
        failures: vec![],
        skipped: vec![],
        ran: vec![],
    };
    let comments = comments(text);
    let (tests, heap) = match header(&comments) {
        Ok(h) => h,
        Err(reason) => {
            report.skipped.push(Skip {
                command: "translate".into(),
                reason,
            });
            report.status = Status::Skipped;
            return report;
        }
    };
    if tests.is_empty() {
        report.failures.push(Failure::file(
            "a .wat filetest needs a `;; test translate` line",
        ));
    } else {
        match wat::parse_str(text) {
            Err(e) => report
                .failures
                .push(Failure::file(format!("invalid text: {e}"))),
            Ok(bytes) => {
                if let Some(printed) = translate(&bytes, heap, &mut report.failures) {
                    match filecheck::checker(&comments) {
                        Err(f) => report.failures.push(f),
                        Ok(None) => report
                            .failures
                            .push(Failure::file("no `;; check:` directives")),
                        Ok(Some(checker)) => {
                            if let Err(msg) = filecheck::check(&checker, &printed) {
                                report.failures.push(Failure::file(msg));
                            }
                        }
                    }
                }
            }
        }
        report.ran.push("translate".into());
    }
    if !report.failures.is_empty() {
        report.status = Status::Failed;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "\
;; test translate
;; set bounds_checks=explicit spectre=off
(module (memory 1) (func (param i32) (result i32) (i32.load (local.get 0))))
;; check: trapnz
;; check: load.i32
";

    #[test]
    fn passing_file() {
        let r = run_wat_text(Path::new("a.wat"), MODULE);
        assert_eq!(r.status, Status::Passed, "{:?}", r.failures);
    }

    #[test]
    fn failing_check_and_unknown_setting() {
        let r = run_wat_text(
            Path::new("a.wat"),
            &MODULE.replace("trapnz", "select_spectre_guard"),
        );
        assert_eq!(r.status, Status::Failed);
        assert!(
            r.failures[0].message.contains("filecheck failed"),
            "{:?}",
            r.failures
        );
        let r = run_wat_text(
            Path::new("a.wat"),
            &MODULE.replace("spectre=off", "fast=yes"),
        );
        assert_eq!(r.status, Status::Skipped);
        assert!(r.skipped[0].reason.contains("unknown setting `fast=yes`"));
    }

    #[test]
    fn invalid_module_fails_with_the_offset() {
        let text = ";; test translate\n(module (func (result i32)))\n;; check: x\n";
        let r = run_wat_text(Path::new("a.wat"), text);
        assert_eq!(r.status, Status::Failed);
        assert!(
            r.failures[0].message.contains("byte offset"),
            "{:?}",
            r.failures
        );
    }
}
