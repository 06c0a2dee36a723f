//! Helpers for `build.rs` scripts.

use std::path::{Path, PathBuf};

/// Compiles `files` as one program and writes the Rust code to `$OUT_DIR/out_name`.
///
/// Prints `cargo:rerun-if-changed` for every input. On failure prints every
/// error (with positions and carets) and panics, so that Cargo shows them and
/// stops the build. Returns the path written.
pub fn compile_to_out_dir(files: &[PathBuf], out_name: &str) -> PathBuf {
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let out_dir = std::env::var_os("OUT_DIR")
        .expect("compile_to_out_dir must run inside a build script (OUT_DIR is not set)");
    let out = Path::new(&out_dir).join(out_name);
    match crate::compile_files(files) {
        Ok(code) => {
            if let Err(e) = std::fs::write(&out, code) {
                panic!("kiln-isle-dsl: cannot write {}: {e}", out.display());
            }
            out
        }
        Err(errors) => {
            eprintln!("{errors}");
            panic!(
                "kiln-isle-dsl: the rule program has {} error(s); see above",
                errors.len()
            );
        }
    }
}
