//! Kiln's WebAssembly runtime. Filled in by the runtime issue.
