//! The x86-64 target: registers, operands, instructions, the encoder and CPU features.

pub mod abi;
pub mod args;
pub mod compile;
pub mod display;
pub mod emit;
pub mod inst;
pub mod libcalls;
pub mod lower;
pub mod operands;
pub mod regs;
pub mod settings;

#[cfg(test)]
mod emit_tests;
#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod exec_tests;

pub use args::*;
pub use compile::{compile_function, CompileError, CompileOptions};
pub use inst::*;
pub use settings::{Flags, TargetError};
