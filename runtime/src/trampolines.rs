//! IR for the two kinds of glue code between the host and Wasm, compiled by the engine's
//! [`Compiler`](crate::Compiler) like any function.
//!
//! Both pass values through a buffer of 16-byte slots (`[u128]`), one per parameter or result,
//! each holding the value's bits in its low bytes (little-endian), so one Rust entry point
//! serves every signature:
//!
//! - the **entry trampoline** of a function type, `(callee: i64, vmctx: i64, values: i64)`,
//!   loads the arguments from `values`, calls `callee(vmctx, args...)` and stores the results
//!   back into `values`; the host calls it as `extern "C" fn(usize, usize, *mut u128)`;
//! - the **host shim** of a function type has the Wasm signature (vmctx first) and is what
//!   a Wasm caller reaches through a `VMFunctionImport` of a host function: its "vmctx" is a
//!   [`VMHostFuncContext`](crate::vm::VMHostFuncContext); it stores the arguments into a
//!   stack buffer, calls `dispatch(ctx, buffer) -> i32` (loaded from the context) and traps
//!   with [`HOST_ERROR_TRAP`] if the status is non-zero, else loads the results. So host
//!   errors never unwind through Wasm frames: the runtime turns that trap back into the host
//!   function's error.

use kiln_frontend_wasm::{wasm_signature, WasmFuncType};
use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_ir::{
    types, AbiParam, CallConv, Function, InstBuilder, MemFlags, Signature, StackSlotData,
    TrapCode, UserFuncName,
};

/// The trap a host shim raises when its host function failed.
pub const HOST_ERROR_TRAP: TrapCode = TrapCode::User(0);

/// Offset of the dispatch function pointer in a host function's context.
pub const HOST_CTX_DISPATCH: i32 = 0;

/// Bytes per value in the buffers.
pub const SLOT: i32 = 16;

fn buffer_flags() -> MemFlags {
    let mut f = MemFlags::new();
    f.set_notrap();
    f.set_aligned();
    f
}

/// The IR signature of entry trampolines.
pub fn entry_trampoline_signature() -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    for _ in 0..3 {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig
}

/// The entry trampoline for functions of type `ty`, named `name`.
pub fn entry_trampoline(ty: &WasmFuncType, name: UserFuncName) -> Function {
    let mut func = Function::with_name_signature(name, entry_trampoline_signature());
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let callee_sig = b.import_signature(wasm_signature(ty));
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let (callee, vmctx, values) = {
        let p = b.block_params(block);
        (p[0], p[1], p[2])
    };
    let mut args = vec![vmctx];
    for (i, t) in ty.params.iter().enumerate() {
        let v = b
            .ins()
            .load(t.ir_type(), buffer_flags(), values, SLOT * i as i32);
        args.push(v);
    }
    let call = b.ins().call_indirect(callee_sig, callee, &args);
    let results = b.func.dfg.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        b.ins().store(buffer_flags(), r, values, SLOT * i as i32);
    }
    b.ins().return_(&[]);
    b.finalize().expect("entry trampoline: every block is filled");
    func
}

/// The IR signature of the dispatch function host shims call: `(ctx: i64, values: i64) -> i32`.
pub fn dispatch_signature() -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The host shim for host functions of type `ty`, named `name`.
pub fn host_shim(ty: &WasmFuncType, name: UserFuncName) -> Function {
    // The Wasm signature, except that the first parameter is not marked `vmctx`: it is the
    // host context, which has no stack limit at offset 0 for a prologue check to read.
    let mut sig = wasm_signature(ty);
    sig.params[0] = AbiParam::new(types::I64);
    let mut func = Function::with_name_signature(name, sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let dispatch_sig = b.import_signature(dispatch_signature());
    let slots = ty.params.len().max(ty.results.len()).max(1) as u32;
    let buffer = b.create_sized_stack_slot(StackSlotData::new(slots * SLOT as u32, 4));
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let params = b.block_params(block).to_vec();
    let ctx_ptr = params[0];
    for (i, &p) in params[1..].iter().enumerate() {
        b.ins().stack_store(p, buffer, SLOT * i as i32);
    }
    let addr = b.ins().stack_addr(types::I64, buffer, 0);
    let mut ro = buffer_flags();
    ro.set_readonly();
    let dispatch = b
        .ins()
        .load(types::I64, ro, ctx_ptr, HOST_CTX_DISPATCH);
    let call = b
        .ins()
        .call_indirect(dispatch_sig, dispatch, &[ctx_ptr, addr]);
    let status = b.func.dfg.inst_results(call)[0];
    b.ins().trapnz(status, HOST_ERROR_TRAP);
    let mut results = Vec::new();
    for (i, t) in ty.results.iter().enumerate() {
        results.push(b.ins().stack_load(t.ir_type(), buffer, SLOT * i as i32));
    }
    b.ins().return_(&results);
    b.finalize().expect("host shim: every block is filled");
    func
}

#[cfg(test)]
mod tests;
