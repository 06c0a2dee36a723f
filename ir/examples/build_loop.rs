//! Builds `fib(n)` with a loop over mutable variables using the `FunctionBuilder`, prints the
//! resulting IR in the text format, verifies it and runs it in the interpreter.
//!
//! Run with `cargo run -p kiln-ir --example build_loop`.

use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_ir::interpreter::{FunctionStore, Interpreter};
use kiln_ir::types::I64;
use kiln_ir::{
    verifier, AbiParam, CallConv, DataValue, Function, InstBuilder, IntCC, Signature, UserFuncName,
};

/// `fib(n)`: `a, b = 0, 1; repeat n times: a, b = b, a + b; return a`.
fn build_fib(ctx: &mut FunctionBuilderContext) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(I64));
    sig.returns.push(AbiParam::new(I64));
    let mut func = Function::with_name_signature(UserFuncName::testcase("fib"), sig);
    let mut b = FunctionBuilder::new(&mut func, ctx);

    let entry = b.create_block();
    let header = b.create_block();
    let body = b.create_block();
    let exit = b.create_block();
    let a = b.declare_var(I64);
    let bv = b.declare_var(I64);
    let i = b.declare_var(I64);

    b.switch_to_block(entry);
    b.append_block_params_for_function_params(entry);
    b.seal_block(entry);
    let n = b.block_params(entry)[0];
    let zero = b.ins().iconst(I64, 0);
    let one = b.ins().iconst(I64, 1);
    b.def_var(a, zero);
    b.def_var(bv, one);
    b.def_var(i, zero);
    b.ins().jump(header, &[]);

    // The loop header is sealed only once the back edge from the body exists.
    b.switch_to_block(header);
    let iv = b.use_var(i);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, iv, n);
    b.ins().brif(more, body, &[], exit, &[]);

    b.switch_to_block(body);
    b.seal_block(body);
    let (av, bvv) = (b.use_var(a), b.use_var(bv));
    let sum = b.ins().iadd(av, bvv);
    b.def_var(a, bvv);
    b.def_var(bv, sum);
    let iv = b.use_var(i);
    let iv = b.ins().iadd_imm(iv, 1);
    b.def_var(i, iv);
    b.ins().jump(header, &[]);
    b.seal_block(header);

    b.switch_to_block(exit);
    b.seal_block(exit);
    let av = b.use_var(a);
    b.ins().return_(&[av]);

    b.finalize().expect("every block is sealed and filled");
    func
}

fn main() {
    let mut ctx = FunctionBuilderContext::new();
    let func = build_fib(&mut ctx);
    print!("{func}");
    if let Err(errors) = verifier::verify_function(&func) {
        eprint!("the built function does not verify:\n{errors}");
        std::process::exit(1);
    }

    let mut store = FunctionStore::new();
    store.add(&func);
    let mut interp = Interpreter::new(store);
    let fibs: Vec<String> = (0..=10)
        .map(
            |n| match interp.call_by_name("%fib", &[DataValue::I64(n)]) {
                Ok(results) => results[0].to_string(),
                Err(e) => format!("error: {e}"),
            },
        )
        .collect();
    println!("; fib(0..=10) = {}", fibs.join(", "));
}
