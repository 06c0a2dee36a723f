//! A fuzzed sequence of embedding-API operations with one allocation failing: each must
//! succeed or return `Error::OutOfMemory`, without leaks, and the engine stays usable.
#![no_main]

#[global_allocator]
static ALLOCATOR: kiln_fuzz_lib::oom::FailingAllocator = kiln_fuzz_lib::oom::FailingAllocator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kiln_fuzz_lib::oom::oom(data);
});
