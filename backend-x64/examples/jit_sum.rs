//! Builds `sum(n) = 0 + 1 + ... + n` with the `FunctionBuilder`, compiles it for the host and
//! calls it.
//!
//! `kiln-runtime` owns executable memory for real embedders (it depends on this crate, not
//! the reverse); this example maps a page with `libc` itself to stay self-contained.
//!
//! Run with `cargo run -p kiln-backend-x64 --example jit_sum`.

use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_ir::types::I64;
use kiln_ir::{AbiParam, CallConv, Function, InstBuilder, IntCC, Signature, UserFuncName};

fn build_sum() -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(I64));
    sig.returns.push(AbiParam::new(I64));
    let mut func = Function::with_name_signature(UserFuncName::testcase("sum"), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    let header = b.create_block();
    let exit = b.create_block();
    let (i, acc) = (b.declare_var(I64), b.declare_var(I64));

    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let n = b.block_params(entry)[0];
    let zero = b.ins().iconst(I64, 0);
    b.def_var(i, zero);
    b.def_var(acc, zero);
    b.ins().jump(header, &[]);

    // header: if i > n { exit } else { acc += i; i += 1; loop }
    b.switch_to_block(header);
    let iv = b.use_var(i);
    let done = b.ins().icmp(IntCC::SignedGreaterThan, iv, n);
    let body = b.create_block();
    b.ins().brif(done, exit, &[], body, &[]);
    b.switch_to_block(body);
    let a = b.use_var(acc);
    let a2 = b.ins().iadd(a, iv);
    b.def_var(acc, a2);
    let i2 = b.ins().iadd_imm(iv, 1);
    b.def_var(i, i2);
    b.ins().jump(header, &[]);

    b.switch_to_block(exit);
    let result = b.use_var(acc);
    b.ins().return_(&[result]);
    b.seal_all_blocks();
    b.finalize().expect("well-formed function");
    func
}

fn main() {
    let func = build_sum();
    println!("{}", func.display());
    let mut ctx = CompileContext::new();
    let opts = CompileOptions {
        flags: Flags::detect_host(),
        listing: true,
        ..CompileOptions::default()
    };
    let compiled = compile_function(&mut ctx, &func, opts).expect("compiles");
    println!("{}", compiled.listing.as_deref().unwrap_or(""));
    assert!(compiled.relocs.is_empty(), "no calls, nothing to link");

    // SAFETY: a fresh private anonymous mapping, written while read-write, then made
    // read+execute before the call; the code is a complete System V `fn(i64) -> i64`.
    unsafe {
        let len = compiled.code.len().next_multiple_of(4096);
        let p = libc::mmap(
            core::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        core::ptr::copy_nonoverlapping(compiled.code.as_ptr(), p.cast(), compiled.code.len());
        assert_eq!(libc::mprotect(p, len, libc::PROT_READ | libc::PROT_EXEC), 0);
        let sum: extern "C" fn(i64) -> i64 = core::mem::transmute(p);
        for n in [0, 1, 10, 100] {
            println!("sum({n}) = {}", sum(n));
            assert_eq!(sum(n), n * (n + 1) / 2);
        }
        libc::munmap(p, len);
    }
}
