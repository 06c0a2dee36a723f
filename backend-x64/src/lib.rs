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
//! From the `FunctionBuilder` to a call (`kiln-runtime` owns executable memory for real
//! embedders; this example maps a page itself):
//!
//! ```
//! # #[cfg(all(target_arch = "x86_64", target_os = "linux"))] {
//! use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
//! use kiln_backend_x64::machinst::compile::CompileContext;
//! use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
//! use kiln_ir::types::I64;
//! use kiln_ir::{AbiParam, CallConv, Function, InstBuilder, Signature, UserFuncName};
//!
//! // f(x, y) = x * y + 7
//! let mut sig = Signature::new(CallConv::SystemV);
//! sig.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
//! sig.returns.push(AbiParam::new(I64));
//! let mut func = Function::with_name_signature(UserFuncName::testcase("f"), sig);
//! let mut fctx = FunctionBuilderContext::new();
//! let mut b = FunctionBuilder::new(&mut func, &mut fctx);
//! let entry = b.create_block();
//! b.append_block_params_for_function_params(entry);
//! b.switch_to_block(entry);
//! b.seal_block(entry);
//! let (x, y) = (b.block_params(entry)[0], b.block_params(entry)[1]);
//! let p = b.ins().imul(x, y);
//! let r = b.ins().iadd_imm(p, 7);
//! b.ins().return_(&[r]);
//! b.finalize().unwrap();
//!
//! let opts = CompileOptions { flags: Flags::detect_host(), ..Default::default() };
//! let compiled = compile_function(&mut CompileContext::new(), &func, opts).unwrap();
//!
//! // SAFETY: a fresh anonymous mapping, written while writable, made read+execute before the
//! // call; the code is a complete System V `fn(i64, i64) -> i64`.
//! let result = unsafe {
//!     let len = compiled.code.len().next_multiple_of(4096);
//!     let rw = libc::PROT_READ | libc::PROT_WRITE;
//!     let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
//!     let mem = libc::mmap(std::ptr::null_mut(), len, rw, flags, -1, 0);
//!     assert_ne!(mem, libc::MAP_FAILED);
//!     std::ptr::copy_nonoverlapping(compiled.code.as_ptr(), mem.cast(), compiled.code.len());
//!     assert_eq!(libc::mprotect(mem, len, libc::PROT_READ | libc::PROT_EXEC), 0);
//!     let f: extern "C" fn(i64, i64) -> i64 = std::mem::transmute(mem);
//!     let r = f(6, 7);
//!     libc::munmap(mem, len);
//!     r
//! };
//! assert_eq!(result, 49);
//! # }
//! ```
//!
//! `examples/jit_sum.rs` does the same for a loop built with variables.

pub mod isa;
pub mod machinst;
