//! The sandbox-related machine-code filetests, run with the x86-64 backend under `cargo test`
//! (the folder-wide test runs without a backend, so it skips `test compile` and `test run`;
//! `kiln test` and CI run them too): Spectre-safe explicit bounds checks and width-safe load
//! sinking.

use kiln_filetests::{run_paths, Options, X64Backend};
use std::path::PathBuf;
use std::sync::Arc;

#[test]
fn sandbox_machine_code_filetests_pass() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("filetests/isa/x64");
    let files: Vec<PathBuf> = [
        "spectre-explicit-bounds.clif",
        "sink-width.clif",
        "sink-width-avx.clif",
        "sink-traps.clif",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let opts = Options {
        backend: Some(Arc::new(X64Backend::new())),
        ..Options::default()
    };
    let summary = run_paths(&files, &opts);
    let failures: Vec<String> = summary
        .files
        .iter()
        .flat_map(|f| f.failure_lines())
        .collect();
    println!("{}", summary.totals_line());
    assert_eq!(summary.files.len(), files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing skipped: the compile tests need no host feature, and a skip would hide them.
    assert_eq!(summary.skipped(), 0, "{}", summary.totals_line());
}
