//! Compile speed over a corpus of `.clif` files: parses every file below the given folders,
//! compiles every function that lowers, and prints functions per second.
//!
//! `cargo run --release -p kiln-backend-x64 --example compile_speed -- filetests/filetests`

use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_ir::parser::parse_test;
use kiln_ir::Function;
use std::path::Path;
use std::time::Instant;

fn collect(dir: &Path, out: &mut Vec<Function>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "clif") {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            if let Ok(file) = parse_test(&text) {
                out.extend(file.functions.into_iter().map(|pf| pf.func));
            }
        }
    }
}

fn main() {
    let mut funcs = Vec::new();
    for a in std::env::args().skip(1) {
        collect(Path::new(&a), &mut funcs);
    }
    funcs.retain(|f| kiln_ir::verifier::verify_function(f).is_ok());
    let mut ctx = CompileContext::new();
    let opts = CompileOptions {
        flags: Flags::detect_host(),
        ..CompileOptions::default()
    };
    // Only functions that compile count; the others are listed by reason.
    let mut failed = std::collections::BTreeMap::<String, usize>::new();
    funcs.retain(|f| match compile_function(&mut ctx, f, opts) {
        Ok(_) => true,
        Err(e) => {
            *failed.entry(e.to_string()).or_default() += 1;
            false
        }
    });
    for (why, n) in &failed {
        println!("{n} function(s) not compiled: {why}");
    }
    let rounds = 20;
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for f in &funcs {
            bytes += compile_function(&mut ctx, f, opts).map_or(0, |c| c.code.len());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = funcs.len() * rounds;
    println!(
        "{} functions x {rounds} rounds in {secs:.3}s: {:.0} functions/s, {:.1} MB/s of code",
        funcs.len(),
        n as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}
