//! A `wasm-smith` module in Kiln (both bounds-check strategies) and in wasmi: results, traps,
//! final memories, globals and tables must agree.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kiln_fuzz_lib::wasm_diff::wasm_differential(data);
});
