//! `kiln isle FILE... [-o OUT.rs]`: type-check a rule program and optionally
//! write the Rust code generated from it.

use std::path::{Path, PathBuf};

/// Checks `files` as one rule program. On errors, prints all of them to stderr
/// and returns 1. Otherwise writes the generated Rust to `out` (if given) and
/// returns 0, printing nothing.
pub fn isle_command(files: &[PathBuf], out: Option<&Path>) -> i32 {
    let code = match kiln_isle_dsl::compile_files(files) {
        Ok(code) => code,
        Err(errors) => {
            eprintln!("{errors}");
            return 1;
        }
    };
    if let Some(out) = out {
        if let Err(e) = std::fs::write(out, code) {
            eprintln!("error: cannot write `{}`: {e}", out.display());
            return 1;
        }
    }
    0
}
