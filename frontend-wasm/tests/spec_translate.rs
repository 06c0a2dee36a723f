//! Translates every module of the WebAssembly 2.0 spec testsuite (top-level `.wast` files) and
//! checks each function with the IR verifier.

use kiln_frontend_wasm::{
    translate_module, BoundsChecks, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
    WasmError,
};
use kiln_ir::{verifier::verify_function, Function};
use std::path::{Path, PathBuf};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective};

fn testsuite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite/wasm-2.0")
}

/// Every module binary a `.wast` script defines (valid ones only: `assert_invalid` and
/// `assert_malformed` modules are checked separately).
fn modules_of(path: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let buf = ParseBuffer::new_with_lexer(lexer).unwrap();
    let wast: Wast = parser::parse(&buf).unwrap();
    let mut out = Vec::new();
    for directive in wast.directives {
        if let WastDirective::Module(mut module) = directive {
            if let QuoteWat::Wat(_) | QuoteWat::QuoteModule(..) = module {
                if let Ok(bytes) = module.encode() {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

fn configs() -> [HeapConfig; 3] {
    [
        HeapConfig::default(),
        HeapConfig {
            bounds_checks: BoundsChecks::Explicit,
            spectre_mitigation: true,
        },
        HeapConfig {
            bounds_checks: BoundsChecks::Explicit,
            spectre_mitigation: false,
        },
    ]
}

#[test]
fn every_spec_module_translates_to_verified_ir() {
    let dir = testsuite();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 90,
        "expected the 90 spec files, found {}",
        files.len()
    );

    let mut translator = FuncTranslator::new();
    let mut func = Function::new();
    let (mut modules, mut functions, mut unsupported) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in &files {
        for bytes in modules_of(file) {
            for heap in configs() {
                let translation = match translate_module(&bytes) {
                    Ok(t) => t,
                    Err(WasmError::Unsupported { .. }) => {
                        unsupported += 1;
                        continue;
                    }
                    Err(e) => panic!("{}: {e}", file.display()),
                };
                modules += 1;
                let env = StandardEnvironment {
                    offsets: VMOffsets::new(&translation.info),
                    heap,
                };
                let info = translation.info;
                for body in translation.bodies {
                    let index = body.index;
                    match translator.translate(&info, &env, body, &mut func) {
                        Ok(()) => {}
                        Err(WasmError::Unsupported { .. }) => {
                            unsupported += 1;
                            continue;
                        }
                        Err(e) => {
                            failures.push(format!("{} func {index}: {e}", file.display()));
                            continue;
                        }
                    }
                    functions += 1;
                    if let Err(errors) = verify_function(&func) {
                        failures.push(format!(
                            "{} func {index} ({heap:?}):\n{errors}\n{}",
                            file.display(),
                            func.display()
                        ));
                    }
                }
            }
        }
    }
    println!(
        "{modules} module translations, {functions} functions verified, {unsupported} unsupported"
    );
    assert!(functions > 10_000, "only {functions} functions translated");
    assert!(
        failures.is_empty(),
        "{} failures, first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
