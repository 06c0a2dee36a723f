//! The "never panics" targets: arbitrary text or bytes into the parsers and the compiler.
//!
//! A panic is the finding; errors are the expected outcome for almost every input. Beyond
//! "no panic", a parsed CLIF function must verify or be rejected cleanly, and must survive
//! print -> parse -> print unchanged (the printer and the parser agree on the format).

use kiln_ir::parser::{parse_functions, parse_test};
use kiln_ir::verifier::verify_function;

/// Parses `data` (if UTF-8) as a CLIF test file; checks the round trip and runs the verifier
/// on every function it yields.
pub fn parse_clif(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = parse_test(text) else {
        return;
    };
    for pf in &file.functions {
        let first = pf.func.to_string();
        let again = match parse_functions(&first) {
            Ok(fs) => fs,
            Err(e) => panic!("the print of a parsed function does not parse: {e}\n{first}"),
        };
        assert_eq!(
            again.len(),
            1,
            "the print parses as several functions:\n{first}"
        );
        let second = again[0].to_string();
        assert_eq!(first, second, "print -> parse -> print differs");
        let _ = verify_function(&pf.func);
    }
}

/// Runs the ISLE DSL's whole pipeline (lexer, parser, semantic checks, overlap checks,
/// code generation) on `data` (if UTF-8).
pub fn parse_isle(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = kiln_isle_dsl::compile_str("fuzz.isle", text);
}
