//! Kiln's WebAssembly runtime.
//!
//! Under construction: linear memories and executable memory exist; the embedding API
//! (`Engine`, `Store`, `Module`, `Instance`, ...) comes with the backend.

pub mod code_memory;
pub mod memory;
pub mod mmap;
