use super::*;
use kiln_frontend_wasm::WasmValType as W;
use kiln_ir::interpreter::{FunctionStore, Interpreter, InterpreterError};
use kiln_ir::{parser::parse_functions, verifier::verify_function, DataValue};

fn fty(params: &[W], results: &[W]) -> WasmFuncType {
    WasmFuncType {
        params: params.into(),
        results: results.into(),
    }
}

#[test]
fn entry_trampoline_passes_arguments_and_results_through_the_buffer() {
    let tramp = entry_trampoline(&fty(&[W::I32, W::F64], &[W::I64, W::F32]), UserFuncName::user(1, 0));
    verify_function(&tramp).unwrap_or_else(|e| panic!("{e}\n{}", tramp.display()));
    // A Wasm-like callee and a driver that plays the host: it fills the buffer, calls the
    // trampoline with the callee's address, and reads the results back.
    let helpers = parse_functions(
        "function %callee(i64 vmctx, i32, f64) -> i64, f32 system_v {
         block0(v0: i64, v1: i32, v2: f64):
             v3 = sextend.i64 v1
             v4 = iadd v3, v0
             v5 = fdemote.f32 v2
             return v4, v5
         }
         function %drive(i32, f64) -> i64, f32 {
             ss0 = explicit_slot 32, align = 16
             sig0 = (i64, i64, i64) system_v
             fn0 = u1:0 sig0
             fn1 = %callee(i64 vmctx, i32, f64) -> i64, f32 system_v
         block0(v0: i32, v1: f64):
             stack_store v0, ss0
             stack_store v1, ss0+16
             v2 = stack_addr.i64 ss0
             v3 = func_addr.i64 fn1
             v4 = iconst.i64 100
             call fn0(v3, v4, v2)
             v5 = stack_load.i64 ss0
             v6 = stack_load.f32 ss0+16
             return v5, v6
         }",
    )
    .unwrap();
    let mut store = FunctionStore::new();
    store.add(&tramp);
    for f in &helpers {
        store.add(f);
    }
    let mut interp = Interpreter::new(store);
    let out = interp
        .call_by_name("%drive", &[DataValue::I32(-7), DataValue::F64(kiln_ir::Ieee64::with_bits(2.5f64.to_bits()))])
        .unwrap();
    // -7 + vmctx 100 = 93; 2.5 is exact as f32.
    assert_eq!(out, vec![DataValue::I64(93), DataValue::F32(kiln_ir::Ieee32::with_bits(2.5f32.to_bits()))]);
}

fn drive_host_shim(a: i32, b: i64) -> Result<Vec<DataValue>, InterpreterError> {
    let shim = host_shim(&fty(&[W::I32, W::I64], &[W::I64]), UserFuncName::user(2, 0));
    verify_function(&shim).unwrap_or_else(|e| panic!("{e}\n{}", shim.display()));
    // %disp plays the Rust dispatcher: it reads the arguments from the buffer, multiplies
    // them, adds the tag stored at ctx+8 and writes the result to slot 0; a = -1 fails.
    let helpers = parse_functions(
        "function %disp(i64, i64) -> i32 system_v {
         block0(v0: i64, v1: i64):
             v2 = load.i32 v1
             v3 = load.i64 v1+16
             v4 = sextend.i64 v2
             v5 = imul v4, v3
             v6 = load.i64 v0+8
             v7 = iadd v5, v6
             store v7, v1
             v8 = icmp_imm eq v2, -1
             v9 = uextend.i32 v8
             return v9
         }
         function %drive(i32, i64) -> i64 {
             ss0 = explicit_slot 16, align = 16
             sig0 = (i64, i32, i64) -> i64 system_v
             fn0 = u2:0 sig0
             fn1 = %disp(i64, i64) -> i32 system_v
         block0(v0: i32, v1: i64):
             v2 = func_addr.i64 fn1
             stack_store v2, ss0
             v3 = iconst.i64 1000
             stack_store v3, ss0+8
             v4 = stack_addr.i64 ss0
             v5 = call fn0(v4, v0, v1)
             return v5
         }",
    )
    .unwrap();
    let mut store = FunctionStore::new();
    store.add(&shim);
    for f in &helpers {
        store.add(f);
    }
    Interpreter::new(store).call_by_name("%drive", &[DataValue::I32(a), DataValue::I64(b)])
}

#[test]
fn host_shim_calls_the_dispatcher_with_its_context_and_arguments() {
    assert_eq!(drive_host_shim(3, 5).unwrap(), vec![DataValue::I64(1015)]);
    assert_eq!(drive_host_shim(-2, 7).unwrap(), vec![DataValue::I64(986)]);
}

#[test]
fn host_shim_traps_when_the_dispatcher_reports_failure() {
    assert_eq!(
        drive_host_shim(-1, 5),
        Err(InterpreterError::Trap(HOST_ERROR_TRAP))
    );
}

#[test]
fn trampolines_for_empty_signatures_verify() {
    let t = fty(&[], &[]);
    verify_function(&entry_trampoline(&t, UserFuncName::user(1, 1))).unwrap();
    verify_function(&host_shim(&t, UserFuncName::user(2, 1))).unwrap();
}
