//! Compile speed of `kiln-ir` and the x86-64 backend on the filetests' functions, to catch
//! regressions without the Wasm engines of `bench/`.
//!
//! `cargo bench -p kiln-filetests --bench compile` measures, over every function of
//! `filetests/runtests` and `filetests/isa` that the backend accepts for the host:
//! - `parse+verify`: parse the files' text and verify every function (kiln-ir);
//! - `compile`: lower, allocate registers and encode every function (the backend).
//!
//! The default run is short (10 samples, ~1 s each); pass criterion's options for more.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags, MInst};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_ir::parser::parse_test;
use kiln_ir::verifier::verify_function;
use kiln_ir::Function;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// The text of every `.clif` file under the benchmarked folders.
fn sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("filetests");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("runtests"), root.join("isa")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "clif") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn options() -> CompileOptions {
    CompileOptions {
        flags: Flags::detect_host(),
        listing: false,
        fast_regalloc: false,
        stack_limit_check: false,
    }
}

/// The functions that parse, verify and compile for the host (others are skipped: this
/// measures speed, the filetests themselves check correctness).
fn functions(texts: &[String]) -> Vec<Function> {
    let mut ctx = CompileContext::<MInst>::new();
    texts
        .iter()
        .filter_map(|t| parse_test(t).ok())
        .flat_map(|f| f.functions.into_iter().map(|p| p.func))
        .filter(|f| verify_function(f).is_ok())
        .filter(|f| compile_function(&mut ctx, f, options()).is_ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = sources();
    let funcs = functions(&texts);
    assert!(!funcs.is_empty(), "no filetests functions found");
    let parsed: usize = texts
        .iter()
        .filter_map(|t| parse_test(t).ok())
        .flat_map(|f| f.functions)
        .map(|f| f.func.dfg.num_insts())
        .sum();
    let compiled: usize = funcs.iter().map(|f| f.dfg.num_insts()).sum();
    let mut group = c.benchmark_group("filetests");
    group.throughput(Throughput::Elements(parsed as u64));
    group.bench_function("parse+verify", |b| {
        b.iter(|| {
            for t in &texts {
                if let Ok(file) = parse_test(black_box(t)) {
                    for f in &file.functions {
                        let _ = black_box(verify_function(&f.func));
                    }
                }
            }
        })
    });
    let mut ctx = CompileContext::<MInst>::new();
    group.throughput(Throughput::Elements(compiled as u64));
    group.bench_function("compile", |b| {
        b.iter(|| {
            for f in &funcs {
                let out = compile_function(&mut ctx, black_box(f), options()).unwrap();
                black_box(out.code.len());
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
