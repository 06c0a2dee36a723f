//! The runner on small inline files, end to end through the parser, verifier and interpreter.

use super::*;
use kiln_ir::interpreter::{FunctionStore, Interpreter, InterpreterError};
use kiln_ir::parser::{SetLine, TargetLine};
use kiln_ir::{DataValue, Function};

fn run(text: &str) -> FileReport {
    run_file_text(Path::new("t.clif"), text, &Options::default())
}

fn messages(r: &FileReport) -> Vec<String> {
    r.failure_lines().collect()
}

const ADD: &str = "test interpret
function %add(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    return v2
}
; run: %add(1, 2) == 3
; run: %add(-1, 1) == 0
; run: %add(0x7fff_ffff, 1) == -0x8000_0000
; run: %add(5, 6) != 12
";

#[test]
fn passing_file() {
    let r = run(ADD);
    assert_eq!(messages(&r), Vec::<String>::new());
    assert_eq!(r.status, Status::Passed);
    assert_eq!(r.ran, ["interpret"]);
}

#[test]
fn failing_run_line_names_line_and_values() {
    let r = run(&format!(
        "{ADD}; run: %add(1, 2) == 4\n; run: %add(1, 2) == [3, 4]\n"
    ));
    assert_eq!(r.status, Status::Failed);
    assert_eq!(
        messages(&r),
        [
            "t.clif:11: run: %add(1, 2) == 4: expected 4, got 3",
            "t.clif:12: run: %add(1, 2) == [3, 4]: %add returns 1 value, the expectation has 2",
        ]
    );
}

#[test]
fn run_lines_with_unknown_function_or_bad_literal_fail() {
    let r = run(&format!(
        "{ADD}; run: %sub(1, 2) == 4\n; run: %add(1, x) == 4\n"
    ));
    assert_eq!(
        messages(&r),
        [
            "t.clif:11: run: %sub(1, 2) == 4: no function named %sub in this file",
            "t.clif:12: run: %add(1, x) == 4: argument 2: `x` is not a valid i32 literal",
        ]
    );
}

#[test]
fn trap_lines() {
    let text = "test interpret
function %div(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = sdiv v0, v1
    return v2
}
; trap: %div(1, 0) == int_divz
; trap: %div(0x8000_0000, -1) == int_ovf
; trap: %div(4, 2) == int_divz
; run: %div(1, 0) == 0
";
    let r = run(text);
    assert_eq!(
        messages(&r),
        [
            "t.clif:9: trap: %div(4, 2) == int_divz: expected trap int_divz, got [2]",
            "t.clif:10: run: %div(1, 0) == 0: expected 0, got trap int_divz",
        ]
    );
}

#[test]
fn interpret_requires_verified_functions() {
    let text = "test interpret
function %bad(i32, i64) -> i32 {
block0(v0: i32, v1: i64):
    v2 = iadd v0, v1
    return v2
}
; run: %bad(1, 2) == 3
";
    let r = run(text);
    assert_eq!(r.status, Status::Failed);
    let m = messages(&r);
    assert!(!m.is_empty());
    assert!(
        m.iter()
            .all(|l| l.starts_with("t.clif:4: verifier error in %bad: ")),
        "{m:?}"
    );
}

const VERIFIER: &str = "test verifier
function %bad(i32, i64) -> i32 {
block0(v0: i32, v1: i64):
    v2 = iadd v0, v1 ; error:
    return v2
}

function %good(i32) -> i32 {
block0(v0: i32):
    return v0
}
";

#[test]
fn verifier_expectations() {
    let r = run(VERIFIER);
    assert_eq!(messages(&r), Vec::<String>::new());
    assert_eq!(r.status, Status::Passed);

    // The same error expected on the wrong line, and a message that is not there.
    let moved = VERIFIER
        .replace(" ; error:", "")
        .replace("return v2", "return v2 ; error: impossible message");
    let r = run(&moved);
    assert_eq!(r.status, Status::Failed);
    let m = messages(&r);
    assert!(
        m[0].starts_with(
            "t.clif:5: verifier: expected an error containing `impossible message` at inst1 in %bad"
        ),
        "{m:?}"
    );
    assert!(
        m[1..]
            .iter()
            .all(|l| l.starts_with("t.clif:4: verifier: unexpected error in %bad: inst0")),
        "{m:?}"
    );
}

#[test]
fn cat_with_filecheck() {
    let text = "test cat
function %f(i32) -> i32 {
block0(v0: i32):
    v1 = iadd_imm v0, 1
    return v1
}
; check: block0(v0: i32):
; nextln: v1 = iadd_imm v0, 1
; not: isub
";
    assert_eq!(run(text).status, Status::Passed);
    let r = run(&text.replace("iadd_imm v0, 1\n; not", "iadd_imm v0, 2\n; not"));
    assert_eq!(r.status, Status::Failed);
    assert!(messages(&r)[0].starts_with("t.clif:2: cat %f: filecheck failed:"));
}

#[test]
fn skipped_files() {
    let body = "function %f() -> i32 {
block0:
    v0 = iconst.i32 1
    return v0
}
; run: %f() == 1
";
    let r = run(&format!("test run\ntarget x86_64\n{body}"));
    assert_eq!(r.status, Status::Skipped);
    assert_eq!(
        r.skipped,
        [Skip {
            command: "run".into(),
            reason: NEEDS_BACKEND.into()
        }]
    );

    let r = run(&format!("test interpret\nset enable_magic=true\n{body}"));
    assert_eq!(r.status, Status::Skipped);
    assert_eq!(
        r.skipped[0].reason,
        "unknown setting `enable_magic` (line 2)"
    );

    let r = run(&format!("test interpret\ntest optimize\n{body}"));
    assert_eq!(r.status, Status::Skipped);
    assert_eq!(r.skipped.len(), 2);
    assert_eq!(r.skipped[0].reason, "unknown test `optimize` (line 2)");
}

#[test]
fn partly_skipped_files_count_by_what_ran() {
    let body = "function %f() -> i32 {
block0:
    v0 = iconst.i32 1
    return v0
}
; run: %f() == 1
";
    let r = run(&format!(
        "test interpret\ntest run\nset opt_level=speed\ntarget x86_64 has_avx\n{body}"
    ));
    assert_eq!(r.status, Status::Passed);
    assert_eq!(r.ran, ["interpret"]);
    assert_eq!(r.skipped.len(), 1);
}

#[test]
fn parse_errors_name_line_and_column() {
    let r = run("test interpret\nfunction %f() {\nblock0:\n    v0 = bogus_op\n}\n");
    assert_eq!(r.status, Status::Failed);
    let f = &r.failures[0];
    assert_eq!(f.line, Some(4));
    assert!(f.col.is_some());
}

/// A stand-in backend that "compiles" by interpreting, to test the `test run` plumbing.
struct InterpretingBackend;

struct Interp<'a>(&'a [Function]);

impl Executor for Interp<'_> {
    fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
        let mut store = FunctionStore::new();
        for f in self.0 {
            store.add(f);
        }
        Interpreter::new(store).call_by_name(name, args)
    }
}

impl Backend for InterpretingBackend {
    fn isa(&self) -> &str {
        "x86_64"
    }
    fn compile_for_run<'a>(
        &'a self,
        functions: &'a [Function],
        _target: Option<&TargetLine>,
        _settings: &[SetLine],
    ) -> Result<Box<dyn Executor + 'a>, String> {
        Ok(Box::new(Interp(functions)))
    }
    fn compile_listing(
        &self,
        func: &Function,
        _target: Option<&TargetLine>,
        _settings: &[SetLine],
    ) -> Result<String, String> {
        Ok(func.to_string())
    }
}

#[test]
fn run_uses_the_backend_per_target() {
    let opts = Options {
        backend: Some(Arc::new(InterpretingBackend)),
        ..Options::default()
    };
    let text = ADD.replace(
        "test interpret",
        "test run\ntarget aarch64\ntarget x86_64 has_avx",
    );
    let r = run_file_text(Path::new("t.clif"), &text, &opts);
    assert_eq!(r.status, Status::Passed, "{:?}", r.failures);
    let bad = format!("{text}; run: %add(1, 1) == 3\n");
    let r = run_file_text(Path::new("t.clif"), &bad, &opts);
    assert_eq!(
        messages(&r),
        ["t.clif:13: target x86_64 has_avx: run: %add(1, 1) == 3: expected 3, got 2"]
    );
    let only_arm = ADD.replace("test interpret", "test run\ntarget aarch64");
    let r = run_file_text(Path::new("t.clif"), &only_arm, &opts);
    assert_eq!(r.status, Status::Skipped);
    assert_eq!(
        r.skipped[0].reason,
        "no x86_64 target: target aarch64 (line 2)"
    );
}

#[test]
fn duplicate_function_names_fail_interpret() {
    let text = "test interpret
function %f() -> i32 {
block0:
    v0 = iconst.i32 1
    return v0
}
function %f() -> i32 {
block0:
    v0 = iconst.i32 2
    return v0
}
; run: %f() == 1
";
    assert_eq!(
        messages(&run(text)),
        ["t.clif:7: function %f is already defined on line 2"]
    );
}
