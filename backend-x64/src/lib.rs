//! Kiln's x86-64 backend: compiles verified `kiln-ir` functions to machine code.
//!
//! - [`machinst`]: target-independent machinery — registers ([`machinst::Reg`], built on
//!   `regalloc2`'s `VReg`/`PReg`), the lowering driver ([`machinst::lower`]: use counts,
//!   side-effect colours, block order), [`machinst::vcode::VCode`] (which implements
//!   `regalloc2::Function`), register allocation, and the [`machinst::CodeBuffer`] (labels,
//!   branch simplification, constant pool, traps, relocations).
//! - [`isa::x64`]: the x86-64 registers, width-typed operands, the [`isa::x64::MInst`]
//!   instruction enum and its encoder, CPU feature flags, the System V ABI, the lowering rules
//!   (`src/isa/x64/*.isle`, compiled by `build.rs`) and [`isa::x64::compile_function`].
//!
//! ```
//! use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
//! use kiln_backend_x64::machinst::compile::CompileContext;
//! use kiln_ir::parser::parse_functions;
//!
//! let func = parse_functions(
//!     "function %add(i64, i64) -> i64 {
//!      block0(v0: i64, v1: i64):
//!          v2 = iadd v0, v1
//!          return v2
//!      }",
//! )
//! .unwrap()
//! .remove(0);
//! let mut ctx = CompileContext::new(); // reuse it for every function
//! let opts = CompileOptions { flags: Flags::default(), listing: true, ..Default::default() };
//! let compiled = compile_function(&mut ctx, &func, opts).unwrap();
//! assert!(compiled.listing.unwrap().contains("add rax, rsi"));
//! assert!(compiled.relocs.is_empty() && compiled.traps.is_empty());
//! ```
//!
//! `examples/jit_sum.rs` builds a function with the `FunctionBuilder`, compiles it, maps it
//! executable and calls it.

pub mod isa;
pub mod machinst;
