//! `kiln compile` (serialized modules, `--emit clif|asm`), `kiln run` of serialized modules,
//! `--help` and logging, run as a user would.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `kiln` with `RUST_LOG` set to `log` (or unset) and returns (status, stdout, stderr).
fn kiln_log(args: &[&str], log: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiln"));
    cmd.args(args).env_remove("RUST_LOG");
    if let Some(l) = log {
        cmd.env("RUST_LOG", l);
    }
    let out = cmd.output().expect("run kiln");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn kiln(args: &[&str]) -> (i32, String, String) {
    kiln_log(args, None)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-compile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ADD: &str = r#"(module
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $twice (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0)))
  (memory 1)
  (func $peek (export "peek") (param i32) (result i32) (i32.load (local.get 0))))"#;

fn add_wat(dir: &Path) -> String {
    let file = dir.join("add.wat");
    std::fs::write(&file, ADD).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn compile_writes_a_serialized_module_that_run_loads() {
    let dir = scratch("roundtrip");
    let wat = add_wat(&dir);
    let (code, out, err) = kiln(&["compile", &wat]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let kwasm = dir.join("add.kwasm");
    let bytes = std::fs::read(&kwasm).unwrap();
    assert_eq!(&bytes[..8], b"\0KILNMOD");
    let kwasm = kwasm.to_str().unwrap();
    let (code, out, err) = kiln(&["run", kwasm, "--invoke", "twice", "21"]);
    assert_eq!((code, out.as_str()), (0, "42\n"), "{err}");
    let (code, out, err) = kiln(&["run", kwasm, "--invoke", "add", "-1", "3"]);
    assert_eq!((code, out.as_str()), (0, "2\n"), "{err}");
    // A trap in a loaded module is reported like any other.
    let (code, _, err) = kiln(&["run", kwasm, "--invoke", "peek", "65535"]);
    assert_eq!(code, 1);
    assert!(err.contains("out of bounds memory access"), "{err}");

    // -o, with engine options that must match when running.
    let other = dir.join("explicit.kwasm");
    let other = other.to_str().unwrap();
    let (code, _, err) = kiln(&["compile", "--bounds-checks", "explicit", &wat, "-o", other]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = kiln(&[
        "run",
        "--bounds-checks",
        "explicit",
        other,
        "--invoke",
        "add",
        "2",
        "3",
    ]);
    assert_eq!((code, out.as_str()), (0, "5\n"), "{err}");
    let (code, out, err) = kiln(&["run", other, "--invoke", "add", "2", "3"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "error: {other}: serialized module was compiled with bounds checks = explicit, \
             but the engine has guard\n"
        )
    );
    let (code, _, err) = kiln(&[
        "run", "--cpu", "baseline", kwasm, "--invoke", "add", "2", "3",
    ]);
    if code != 0 {
        // The host has features beyond the baseline: the native artifact is refused.
        assert_eq!(code, 2);
        assert!(
            err.contains("serialized module was compiled for CPU features [has_"),
            "{err}"
        );
        assert!(err.contains("but the engine uses [baseline]"), "{err}");
    }
}

#[test]
fn run_rejects_corrupted_and_truncated_serialized_modules() {
    let dir = scratch("corrupt");
    let wat = add_wat(&dir);
    let kwasm = dir.join("add.kwasm");
    assert_eq!(kiln(&["compile", &wat]).0, 0);
    let bytes = std::fs::read(&kwasm).unwrap();
    let bad = dir.join("bad.kwasm");
    let bad_s = bad.to_str().unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    std::fs::write(&bad, &flipped).unwrap();
    let (code, _, err) = kiln(&["run", bad_s, "--invoke", "add", "1", "2"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "error: {bad_s}: corrupted serialized module: checksum mismatch"
        )),
        "{err}"
    );
    std::fs::write(&bad, &bytes[..bytes.len() - 10]).unwrap();
    let (code, _, err) = kiln(&["run", bad_s, "--invoke", "add", "1", "2"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: {bad_s}: truncated serialized module: {} bytes, expected at least {}\n",
            bytes.len() - 10,
            bytes.len()
        )
    );
}

#[test]
fn emit_clif_prints_every_function_after_translation() {
    let dir = scratch("clif");
    let wat = add_wat(&dir);
    let (code, out, err) = kiln(&["compile", "--emit", "clif", &wat]);
    assert_eq!(code, 0, "{err}");
    for header in [
        "; function 0: add",
        "; function 1: twice",
        "; function 2: peek",
    ] {
        assert!(out.contains(header), "{out}");
    }
    assert!(
        out.contains("function u0:0(i64 vmctx, i32, i32) -> i32 system_v {"),
        "{out}"
    );
    assert!(out.contains("= iadd v1, v2"), "{out}");
    assert!(out.contains("fn0 = colocated u0:0 sig0"), "{out}");
    // The text is the IR format: `kiln test` parses it (as a `test cat` file).
    let clif = dir.join("add.clif");
    std::fs::write(&clif, format!("test cat\n{out}")).unwrap();
    let (code, out, _) = kiln(&["test", clif.to_str().unwrap()]);
    assert_eq!(
        (code, out.lines().last()),
        (0, Some("1 passed, 0 failed, 0 skipped")),
        "{out}"
    );
    // Explicit bounds checks show in the IR.
    let (_, guard, _) = kiln(&["compile", "--emit", "clif", &wat]);
    let (_, explicit, _) = kiln(&[
        "compile",
        "--emit",
        "clif",
        "--bounds-checks",
        "explicit",
        &wat,
    ]);
    assert_ne!(guard, explicit);
}

#[test]
fn emit_asm_prints_each_function_by_name() {
    let dir = scratch("asm");
    let wat = add_wat(&dir);
    let out_file = dir.join("add.s");
    let (code, out, err) = kiln(&[
        "compile",
        "--emit",
        "asm",
        &wat,
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let text = std::fs::read_to_string(&out_file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for name in ["add", "twice", "peek"] {
        let at = lines
            .iter()
            .position(|l| *l == format!("{name}:"))
            .unwrap_or_else(|| panic!("no `{name}:` in\n{text}"));
        assert!(lines[at - 1].starts_with("; function "), "{text}");
        assert!(
            lines[at + 1].trim_start().starts_with("0: push rbp"),
            "{text}"
        );
    }
    assert!(
        text.contains("add esi, edx") || text.contains("add edx, esi"),
        "{text}"
    );
    assert!(text.contains("; relocation at 0x"), "{text}");
    assert!(text.contains("X86CallPCRel4 -> add"), "{text}");
    assert!(text.contains("ret"), "{text}");
}

#[test]
fn bad_input_to_compile_is_an_error_not_a_panic() {
    let dir = scratch("bad");
    let file = dir.join("bad.wasm");
    std::fs::write(&file, b"\0asm\x01\0\0\0\x01").unwrap();
    let f = file.to_str().unwrap();
    for args in [vec!["compile", f], vec!["compile", "--emit", "clif", f]] {
        let (code, _, err) = kiln(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.starts_with(&format!("error: {f}: ")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A serialized module is not compiled again.
    let wat = add_wat(&dir);
    assert_eq!(kiln(&["compile", &wat]).0, 0);
    let kwasm = dir.join("add.kwasm");
    let kwasm = kwasm.to_str().unwrap();
    let (code, _, err) = kiln(&["compile", kwasm]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!("error: {kwasm}: already a serialized module (`kiln run` runs it)\n")
    );
    let (code, _, err) = kiln(&["compile", "--emit", "wasm", f]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'wasm'"), "{err}");
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["test", "run", "compile", "wast", "isle"] {
        let (code, out, err) = kiln(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub}: {err}");
        assert!(out.contains(&format!("Usage: kiln {sub}")), "{sub}: {out}");
        assert!(
            out.lines().next().is_some_and(|l| !l.is_empty()),
            "{sub}: {out}"
        );
    }
    let (code, out, _) = kiln(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("compile"), "{out}");
}

#[test]
fn rust_log_turns_on_logging_to_stderr() {
    let dir = scratch("log");
    let wat = add_wat(&dir);
    let (code, _, quiet) = kiln(&["compile", "--emit", "clif", &wat]);
    assert_eq!((code, quiet.as_str()), (0, ""));
    let (code, _, err) = kiln_log(&["compile", &wat], Some("info"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kiln_runtime::module"), "{err}");
    assert!(err.contains("3 functions and"), "{err}");
    assert!(err.contains("compiled and written to"), "{err}");
    let kwasm = dir.join("add.kwasm");
    let (code, out, err) = kiln_log(
        &["run", kwasm.to_str().unwrap(), "--invoke", "add", "1", "1"],
        Some("kiln_runtime=info"),
    );
    assert_eq!((code, out.as_str()), (0, "2\n"));
    assert!(err.contains("deserialized"), "{err}");
    // Only the runtime's logs were asked for.
    assert!(!err.contains("loaded in"), "{err}");
}

#[test]
fn bench_modules_compile_ahead_of_time_and_run() {
    let dir = scratch("bench");
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench");
    for (name, checksum) in [
        ("nbody", "-1301645539092333391"),
        ("sha2", "7257687663034080037"),
    ] {
        let wasm = bench.join(format!("{name}.wasm"));
        let out = dir.join(format!("{name}.kwasm"));
        let out = out.to_str().unwrap();
        let (code, _, err) = kiln(&["compile", wasm.to_str().unwrap(), "-o", out]);
        assert_eq!(code, 0, "{err}");
        let (code, stdout, err) = kiln(&["run", out, "--invoke", "run", "1"]);
        assert_eq!(
            (code, stdout),
            (0, format!("{checksum}\n")),
            "{name}: {err}"
        );
    }
}
