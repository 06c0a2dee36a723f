//! `kiln wast` over the WebAssembly 2.0 spec testsuite and `kiln run` over the benchmark
//! modules, run as a user would.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `kiln` and returns (exit status, stdout, stderr).
fn kiln(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .expect("run kiln");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shared(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(sub)
}

/// The counts of the final `N passed, N failed, N skipped` line, which must be the last line.
fn totals(out: &str) -> (usize, usize, usize) {
    let last = out.lines().last().expect("output");
    let n: Vec<usize> = last
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().expect(last))
        .collect();
    assert_eq!(
        last,
        format!("{} passed, {} failed, {} skipped", n[0], n[1], n[2])
    );
    (n[0], n[1], n[2])
}

fn spec(extra: &[&str]) {
    let dir = shared("testsuite/wasm-2.0");
    let count = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.extension().is_some_and(|x| x == "wast")
        })
        .count();
    assert_eq!(count, 90, "the 90 top-level files of wasm-2.0");
    let mut args = vec!["wast"];
    args.extend_from_slice(extra);
    args.push(dir.to_str().unwrap());
    let (code, out, err) = kiln(&args);
    let (passed, failed, skipped) = totals(&out);
    assert_eq!(failed, 0, "{out}{err}");
    assert_eq!(skipped, 0, "{out}");
    assert!(passed > 28_000, "{out}");
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn spec_testsuite_guard_pages() {
    spec(&[]);
}

#[test]
fn spec_testsuite_explicit_checks_no_spectre_baseline_cpu() {
    spec(&[
        "--bounds-checks",
        "explicit",
        "--spectre",
        "off",
        "--cpu",
        "baseline",
    ]);
}

#[test]
fn spec_testsuite_guard_pages_baseline_cpu() {
    // SSE2 only: no AVX, whatever the host has.
    spec(&["--cpu", "baseline"]);
}

#[test]
fn spec_testsuite_explicit_checks_spectre_native_cpu() {
    // Every feature of the host (AVX where it has it).
    spec(&[
        "--bounds-checks",
        "explicit",
        "--spectre",
        "on",
        "--cpu",
        "native",
    ]);
}

/// Checksums from `shared/bench/README.md`: (module, run(1), run(10)).
const BENCH: [(&str, &str, &str); 4] = [
    ("nbody", "-1301645539092333391", "-5211446684720404695"),
    ("sha2", "7257687663034080037", "6778028719547222329"),
    ("json", "6700200062579579189", "-6593911758489310007"),
    ("markdown", "3158684568303957459", "5876759161866748338"),
];

fn bench(bounds: &str) {
    for (name, one, ten) in BENCH {
        let file = shared("bench").join(format!("{name}.wasm"));
        let file = file.to_str().unwrap();
        for (n, want) in [("1", one), ("10", ten)] {
            let (code, out, err) =
                kiln(&["run", "--bounds-checks", bounds, file, "--invoke", "run", n]);
            assert_eq!(code, 0, "{name} run({n}): {err}");
            assert_eq!(out, format!("{want}\n"), "{name} run({n}) with {bounds}");
        }
    }
}

#[test]
fn bench_checksums_guard_pages() {
    bench("guard");
}

#[test]
fn bench_checksums_explicit_checks() {
    bench("explicit");
}

fn scratch(name: &str, file: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-wasm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn wast_reports_wrong_results_and_traps() {
    let path = scratch(
        "wast",
        "t.wast",
        r#"(module
  (func (export "id") (param i32) (result i32) local.get 0)
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0))))
(assert_return (invoke "id" (i32.const 1)) (i32.const 2))
(assert_return (invoke "id" (i32.const 7)) (i32.const 7))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 0)) "integer overflow")
(assert_trap (invoke "div" (i32.const 1)) "integer divide by zero")
(assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) i32.const 0)) "type mismatch")
(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")
(module (import "spectest" "print_i32" (func (param i32))) (import "spectest" "global_i32" (global i32))
  (func (export "g") (result i32) global.get 0))
(assert_return (invoke "g") (i32.const 666))
"#,
    );
    let (code, out, _) = kiln(&["wast", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    // Wrong result (line 5), wrong trap (line 9), no trap (line 10), a valid module (line 13).
    assert_eq!(totals(&out), (9, 4, 0), "{out}");
    for line in [5, 9, 10, 13] {
        assert!(out.contains(&format!("t.wast:{line}:")), "{out}");
    }
}

#[test]
fn wast_skips_what_kiln_does_not_support() {
    let path = scratch(
        "simd",
        "s.wast",
        r#"(module (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))
(assert_return (invoke "f") (i32.const 1))
"#,
    );
    let (code, out, _) = kiln(&["wast", "-v", path.to_str().unwrap()]);
    assert_eq!(totals(&out), (0, 0, 2), "{out}");
    assert!(out.contains("unsupported"), "{out}");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn run_prints_results_and_reports_traps() {
    let path = scratch(
        "run",
        "d.wat",
        r#"(module (func (export "d") (param i32 i64) (result i32 f64 i64)
  (i32.div_s (local.get 0) (i32.wrap_i64 (local.get 1))) (f64.const 2.5) (local.get 1)))"#,
    );
    let file = path.to_str().unwrap();
    let (code, out, err) = kiln(&["run", file, "--invoke", "d", "-7", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "-3\n2.5\n2\n");
    let (code, out, err) = kiln(&["run", "--cpu", "baseline", file, "--invoke", "d", "1", "0"]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
    assert!(err.contains("integer divide by zero"), "{err}");
    let (code, _, err) = kiln(&["run", "--cpu", "bogus", file, "--invoke", "d", "1", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("bogus"), "{err}");
    let (code, _, err) = kiln(&["run", file, "--invoke", "d", "x", "0"]);
    assert_ne!(code, 0);
    assert!(err.contains("`x`"), "{err}");
}
