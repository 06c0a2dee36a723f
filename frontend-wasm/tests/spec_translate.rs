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

/// The module binaries a `.wast` script defines: `(valid, invalid)`, where invalid ones are the
/// modules of `assert_invalid` and the binary ones of `assert_malformed`.
fn modules_of(path: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let buf = ParseBuffer::new_with_lexer(lexer).unwrap();
    let wast: Wast = parser::parse(&buf).unwrap();
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for directive in wast.directives {
        match directive {
            WastDirective::Module(mut module) => {
                if let Ok(bytes) = module.encode() {
                    valid.push(bytes);
                }
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                if let Ok(bytes) = module.encode() {
                    invalid.push(bytes);
                }
            }
            WastDirective::AssertMalformed {
                module: QuoteWat::Wat(mut wat),
                ..
            } => {
                // Binary modules; text that does not parse is the text parser's business.
                if let Ok(bytes) = wat.encode() {
                    invalid.push(bytes);
                }
            }
            _ => {}
        }
    }
    (valid, invalid)
}

/// Translates the whole module and every function body; the first error, if any.
fn translate_all(bytes: &[u8]) -> Result<(), WasmError> {
    let translation = translate_module(bytes)?;
    let env = StandardEnvironment {
        offsets: VMOffsets::new(&translation.info),
        heap: HeapConfig::default(),
    };
    let mut translator = FuncTranslator::new();
    let mut func = Function::new();
    for body in translation.bodies {
        translator.translate(&translation.info, &env, body, &mut func)?;
    }
    Ok(())
}

#[test]
fn invalid_spec_modules_are_errors_with_offsets() {
    let mut count = 0;
    let mut accepted = Vec::new();
    for file in spec_files() {
        for bytes in modules_of(&file).1 {
            match translate_all(&bytes) {
                Err(WasmError::Invalid { offset, .. }) => {
                    assert!(offset as usize <= bytes.len(), "{}", file.display());
                    count += 1;
                }
                Err(e) => panic!("{}: expected invalid, got {e}", file.display()),
                Ok(()) => accepted.push(format!("{}: {bytes:02x?}", file.display())),
            }
        }
    }
    assert!(count > 500, "only {count} invalid modules seen");
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}

#[test]
fn truncated_and_corrupted_modules_never_panic() {
    // Every prefix and a byte-flipped copy of a few real modules must give an error or succeed,
    // never panic.
    let mut checked = 0;
    for file in spec_files().into_iter().step_by(9) {
        for bytes in modules_of(&file).0.into_iter().take(2) {
            for len in 0..bytes.len() {
                let _ = translate_all(&bytes[..len]);
            }
            for i in 8..bytes.len() {
                let mut corrupted = bytes.clone();
                corrupted[i] ^= 0x5a;
                let _ = translate_all(&corrupted);
            }
            checked += 1;
        }
    }
    assert!(checked > 5);
}

fn spec_files() -> Vec<PathBuf> {
    let dir = testsuite();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    files
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
        for bytes in modules_of(file).0 {
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
