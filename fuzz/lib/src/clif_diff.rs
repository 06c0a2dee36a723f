//! `clif_differential`: a generated program in the interpreter and as x86-64 code, with the
//! host's CPU features (AVX and the rest) and with the SSE2 baseline, register-allocated by
//! regalloc2's Ion allocator, and with the host's features by its single-pass allocator;
//! results and trap codes must agree bit for bit.

use crate::clif_gen::{generate, Program};
use arbitrary::Unstructured;
use kiln_filetests::{Backend, X64Backend};
use kiln_ir::interpreter::{FunctionStore, Interpreter, InterpreterError};
use kiln_ir::parser::TargetLine;
use kiln_ir::verifier::verify_function;
use kiln_ir::DataValue;
use std::sync::OnceLock;

/// Interpreter steps per run; a program that needs more is skipped (the generator bounds
/// loops, so only long call chains of loops get there).
pub const FUEL: u64 = 200_000;

/// The outcome of one run.
pub type Outcome = Result<Vec<DataValue>, InterpreterError>;

fn backend(fast_regalloc: bool) -> &'static X64Backend {
    static ION: OnceLock<X64Backend> = OnceLock::new();
    static FAST: OnceLock<X64Backend> = OnceLock::new();
    if fast_regalloc {
        FAST.get_or_init(X64Backend::with_fast_regalloc)
    } else {
        ION.get_or_init(X64Backend::new)
    }
}

/// The code generator configurations compared with the interpreter: (single-pass register
/// allocator?, target): Ion with the host's features (`None`: AVX and the rest, if the host
/// has them) and with plain `target x86_64` (SSE2 only), the single-pass allocator with the
/// host's features.
fn configurations() -> Vec<(bool, Option<TargetLine>)> {
    let baseline = TargetLine {
        isa: "x86_64".into(),
        flags: vec![],
        line: 0,
    };
    vec![(false, None), (false, Some(baseline)), (true, None)]
}

/// Runs `%f0` of `p` in the interpreter.
pub fn interpret(p: &Program) -> Outcome {
    let mut store = FunctionStore::new();
    for f in &p.funcs {
        store.add(f);
    }
    Interpreter::new(store)
        .with_fuel(FUEL)
        .call_by_name("%f0", &p.args)
}

/// Compiles `p` for `target` and runs `%f0`; a compile error is a finding.
pub fn run_jit(p: &Program, fast_regalloc: bool, target: Option<&TargetLine>) -> Outcome {
    let mut exec = backend(fast_regalloc)
        .compile_for_run(&p.funcs, target, &[])
        .unwrap_or_else(|e| panic!("compiling a valid program failed: {e}\n{}", p.to_clif()));
    exec.call("%f0", &p.args)
}

/// Whether two outcomes agree: same trap code, or the same values bit for bit.
pub fn agree(interp: &Outcome, jit: &Outcome) -> bool {
    interp == jit
}

/// Generates a program from `data`, checks that it verifies, and compares the interpreter
/// with the JIT; panics on any disagreement with the program as a CLIF test file. Returns
/// the agreed outcome, or `None` if the program was not compared (out of fuel).
pub fn clif_differential(data: &[u8]) -> Option<Outcome> {
    let mut u = Unstructured::new(data);
    let p = generate(&mut u).ok()?;
    check(&p)
}

/// The comparison of [`clif_differential`] for a given program.
pub fn check(p: &Program) -> Option<Outcome> {
    for f in &p.funcs {
        if let Err(e) = verify_function(f) {
            panic!("a generated function does not verify: {e}\n{}", p.to_clif());
        }
    }
    let want = interpret(p);
    match &want {
        Ok(_) | Err(InterpreterError::Trap(_)) => {}
        Err(InterpreterError::FuelExhausted) => return None,
        Err(e) => panic!("the interpreter failed: {e}\n{}", p.to_clif()),
    }
    for (fast, t) in configurations() {
        if backend(fast).cannot_run(t.as_ref()).is_some() {
            continue;
        }
        let got = run_jit(p, fast, t.as_ref());
        if !agree(&want, &got) {
            let features = t.map_or("host features".to_string(), |t| {
                format!("target {} {}", t.isa, t.flags.join(" "))
            });
            let which = format!(
                "{features}, {} register allocator",
                if fast { "single-pass" } else { "Ion" }
            );
            panic!(
                "interpreter and JIT ({which}) disagree:\n  interpreter: {}\n  jit:         {}\n{}",
                show(&want),
                show(&got),
                p.to_clif()
            );
        }
    }
    Some(want)
}

/// An outcome as run lines write it.
pub fn show(o: &Outcome) -> String {
    match o {
        Ok(vs) => {
            let v: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
            format!("[{}]", v.join(", "))
        }
        Err(e) => e.to_string(),
    }
}
