//! Runs the `kiln` binary as a user would.

use std::path::PathBuf;
use std::process::Command;

fn kiln(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .expect("run kiln");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn missing_file_fails_with_totals_line() {
    let dir = scratch("missing");
    let missing = dir.join("nope.clif");
    let (code, out) = kiln(&["test", missing.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{}: cannot read", missing.display())),
        "{out}"
    );
    assert_eq!(*lines.last().unwrap(), "0 passed, 1 failed, 0 skipped");
}

#[test]
fn empty_folder_passes() {
    let dir = scratch("empty");
    let (code, out) = kiln(&["test", "-v", dir.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, "0 passed, 0 failed, 0 skipped\n"));
}

#[test]
fn test_needs_a_path() {
    let (code, _) = kiln(&["test"]);
    assert_eq!(code, 2);
}
