//! Runs every filetest under `filetests/filetests/`.

use kiln_filetests::{run_paths, Options};
use std::path::PathBuf;

#[test]
fn all_filetests_pass() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("filetests");
    let summary = run_paths(&[root], &Options::default());
    assert!(!summary.files.is_empty(), "no filetests found");
    let failures: Vec<String> = summary
        .files
        .iter()
        .flat_map(|f| f.failure_lines())
        .collect();
    println!("{}", summary.totals_line());
    assert!(
        summary.failed() == 0,
        "{} of {} filetests failed:\n{}\n{}",
        summary.failed(),
        summary.files.len(),
        failures.join("\n"),
        summary.totals_line()
    );
}
