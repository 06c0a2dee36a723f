//! The generated Rust checked in under `tests/generated/` must be exactly what
//! the compiler produces now. Run with `KILN_BLESS=1` to rewrite it.

use std::path::{Path, PathBuf};

fn check(isle: &str, generated: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let code = match kiln_isle_dsl::compile_files(&[dir.join(isle)]) {
        Ok(code) => code,
        Err(e) => panic!("{e}"),
    };
    let out: PathBuf = dir.join("generated").join(generated);
    if std::env::var_os("KILN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&out, &code).unwrap();
        return;
    }
    let existing = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        existing == code,
        "{} is out of date; rerun with KILN_BLESS=1",
        out.display()
    );
}

#[test]
fn e2e_generated_code_is_up_to_date() {
    check("e2e.isle", "e2e.rs");
}

#[test]
fn lower_x64_generated_code_is_up_to_date() {
    check("lower_x64.isle", "lower_x64.rs");
}

#[test]
fn edge_generated_code_is_up_to_date() {
    check("edge.isle", "edge.rs");
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e.isle");
    let a = kiln_isle_dsl::compile_files(std::slice::from_ref(&f)).unwrap();
    let b = kiln_isle_dsl::compile_files(&[f]).unwrap();
    assert_eq!(a, b);
}
