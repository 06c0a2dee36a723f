//! `build::compile_to_out_dir`, run as a build script would (its own process,
//! since it reads `OUT_DIR` from the environment).

use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

#[test]
fn writes_generated_code_into_out_dir_or_panics_with_errors() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build_helper");
    std::fs::create_dir_all(&out_dir).unwrap();
    // The only test in this process, so nothing else reads the environment concurrently.
    std::env::set_var("OUT_DIR", &out_dir);

    let files = [tests_dir().join("e2e.isle")];
    let written = kiln_isle_dsl::build::compile_to_out_dir(&files, "e2e_rules.rs");
    assert_eq!(written, out_dir.join("e2e_rules.rs"));
    let expected = kiln_isle_dsl::compile_files(&files).unwrap();
    assert_eq!(std::fs::read_to_string(&written).unwrap(), expected);

    let bad = out_dir.join("bad.isle");
    std::fs::write(
        &bad,
        "(type u32 (primitive u32))\n(decl f (Nope) u32)\n(rule (g) 1)\n",
    )
    .unwrap();
    let panic =
        std::panic::catch_unwind(|| kiln_isle_dsl::build::compile_to_out_dir(&[bad], "bad.rs"))
            .unwrap_err();
    let msg = panic.downcast_ref::<String>().unwrap();
    assert_eq!(
        msg,
        "kiln-isle-dsl: the rule program has 2 error(s); see above"
    );
}
