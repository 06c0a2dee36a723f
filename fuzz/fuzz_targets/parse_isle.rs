//! Arbitrary text through the ISLE DSL up to code generation: errors only, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kiln_fuzz_lib::parse::parse_isle(data));
