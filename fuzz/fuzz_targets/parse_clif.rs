//! Arbitrary text into the CLIF parser, printer and verifier: errors only, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kiln_fuzz_lib::parse::parse_clif(data));
