//! Arbitrary bytes, and `wasm-smith` modules, into `Module::new`: never a panic, and a
//! valid module always compiles.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kiln_fuzz_lib::compile::compile_wasm(data));
