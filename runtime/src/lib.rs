//! Kiln's WebAssembly runtime.
//!
//! Under construction: linear memories, executable memory and traps (`traps`) exist; the
//! embedding API (`Engine`, `Store`, `Module`, `Instance`, ...) comes with the backend.

pub mod code_memory;
pub mod memory;
pub mod mmap;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod traps;
