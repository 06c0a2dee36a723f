//! Compiles every function of the WebAssembly 2.0 spec testsuite (translated by the frontend,
//! both heap strategies) with the x86-64 backend, baseline SSE2 and with every host feature:
//! a large corpus of real IR on which the backend must not fail or panic.

use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_frontend_wasm::{
    translate_module, BoundsChecks, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
};
use kiln_ir::Function;
use std::path::Path;
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};

fn spec_modules() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-2.0");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lexer = wast::lexer::Lexer::new(&text);
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer).unwrap();
        let wast: Wast = parser::parse(&buf).unwrap();
        for directive in wast.directives {
            if let WastDirective::Module(mut module) = directive {
                if let Ok(bytes) = module.encode() {
                    out.push((file.display().to_string(), bytes));
                }
            }
        }
    }
    out
}

#[test]
fn every_spec_function_compiles() {
    let modules = spec_modules();
    let heaps = [
        HeapConfig::default(),
        HeapConfig {
            bounds_checks: BoundsChecks::Explicit,
            spectre_mitigation: true,
        },
    ];
    let flag_sets = [Flags::default(), Flags::detect_host()];
    let mut translator = FuncTranslator::new();
    let mut ctx = CompileContext::new();
    let mut func = Function::new();
    let (mut compiled, mut failures) = (0, Vec::new());
    for (file, bytes) in &modules {
        for heap in heaps {
            let translation = translate_module(bytes).unwrap();
            let env = StandardEnvironment {
                offsets: VMOffsets::new(&translation.info),
                heap,
            };
            for body in translation.bodies {
                let index = body.index;
                translator
                    .translate(&translation.info, &env, body, &mut func)
                    .unwrap();
                for flags in flag_sets {
                    let opts = CompileOptions {
                        flags,
                        stack_limit_check: true,
                        ..CompileOptions::default()
                    };
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        compile_function(&mut ctx, &func, opts)
                    }));
                    match result {
                        Ok(Ok(_)) => compiled += 1,
                        Ok(Err(e)) => failures.push(format!("{file} function {index}: {e}")),
                        Err(_) => {
                            failures.push(format!(
                                "{file} function {index}: panicked\n{}",
                                func.display()
                            ));
                            ctx = CompileContext::new();
                        }
                    }
                }
            }
        }
    }
    println!("{compiled} compilations");
    assert!(compiled > 15_000, "only {compiled} compilations");
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}
