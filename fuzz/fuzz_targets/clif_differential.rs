//! A generated IR program in the interpreter and as x86-64 code (host features and the SSE2
//! baseline): results and traps must agree.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kiln_fuzz_lib::clif_diff::clif_differential(data);
});
