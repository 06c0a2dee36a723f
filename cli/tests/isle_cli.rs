//! `kiln isle`: status 0 and silence for a good program, status 1 and every error otherwise.

use std::process::Command;

fn kiln() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
}

#[test]
fn good_program_is_silent_and_writes_rust() {
    let dir = std::env::temp_dir().join(format!("kiln-isle-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("ok.isle");
    std::fs::write(
        &src,
        "(type u32 (primitive u32))\n(decl double (u32) u32)\n(extern constructor add add)\n\
         (decl add (u32 u32) u32)\n(rule (double x) (add x x))\n",
    )
    .unwrap();
    let out_rs = dir.join("out.rs");
    let out = kiln()
        .arg("isle")
        .arg(&src)
        .arg("-o")
        .arg(&out_rs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let rust = std::fs::read_to_string(&out_rs).unwrap();
    assert!(rust.contains("fn constructor_double"), "{rust}");
}

#[test]
fn errors_name_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("kiln-isle-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("bad.isle");
    std::fs::write(
        &src,
        "(type u32 (primitive u32))\n(decl f (u32) u33)\n(decl g (u64) u32)\n",
    )
    .unwrap();
    let out = kiln().arg("isle").arg(&src).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.isle:2:15: error: unknown type `u33`"),
        "{err}"
    );
    assert!(
        err.contains("bad.isle:3:10: error: unknown type `u64`"),
        "{err}"
    );
}
