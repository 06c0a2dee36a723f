//! Parse, translate, JIT and run: the whole pipeline, and the host function `print`.

use crate::error::Error;
use crate::parser::parse;
use crate::translator::{signature, Callee, Translator};
use kiln_runtime::jit::{FinalizedModule, FuncId, JitModule, Linkage};
use kiln_runtime::Engine;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;

/// A compiled program, ready to run.
pub struct Program {
    code: FinalizedModule,
    main: FuncId,
    /// The IR of each function, in source order, as text.
    pub ir: Vec<String>,
}

thread_local! {
    /// Where `print` writes on this thread: `None` is standard output.
    static CAPTURE: RefCell<Option<Vec<i64>>> = const { RefCell::new(None) };
}

/// The host's `print(x)`: writes `x` on a line and returns 0.
extern "C" fn print(x: i64) -> i64 {
    CAPTURE.with(|c| match &mut *c.borrow_mut() {
        Some(out) => out.push(x),
        // A closed standard output is not the program's problem: ignore the error.
        None => drop(writeln!(std::io::stdout(), "{x}")),
    });
    0
}

/// Compiles `src`: every function is declared first (so calls may come before the callee's
/// definition), then translated to IR and defined, and the module is finalized.
pub fn compile(engine: &Engine, src: &str) -> Result<Program, Error> {
    let ast = parse(src)?;
    let mut module = JitModule::new(engine);
    let internal = |e: kiln_runtime::jit::JitError| Error::general(format!("internal error: {e}"));

    let mut callees = HashMap::new();
    let print_id = module
        .declare_function("print", Linkage::Import, &signature(1))
        .map_err(internal)?;
    callees.insert(
        "print".to_string(),
        Callee {
            id: print_id,
            arity: 1,
        },
    );
    let mut ids = Vec::new();
    for f in &ast.functions {
        if callees.contains_key(&f.name) {
            return Err(Error::at(
                f.pos,
                format!("function `{}` is already defined", f.name),
            ));
        }
        let id = module
            .declare_function(&f.name, Linkage::Export, &signature(f.params.len()))
            .map_err(internal)?;
        callees.insert(
            f.name.clone(),
            Callee {
                id,
                arity: f.params.len(),
            },
        );
        ids.push(id);
    }
    let main = match ast.functions.iter().find(|f| f.name == "main") {
        None => return Err(Error::general("the program has no `main` function")),
        Some(f) if !f.params.is_empty() => {
            return Err(Error::at(f.pos, "`main` must not take parameters"))
        }
        Some(_) => callees["main"].id,
    };

    let mut translator = Translator::new();
    let mut ir = Vec::new();
    for (f, &id) in ast.functions.iter().zip(&ids) {
        let func = translator.translate(f, &callees, &module)?;
        module
            .define_function(id, &func)
            .map_err(|e| Error::at(f.pos, e.to_string()))?;
        ir.push(func.display().to_string());
    }
    module
        .define_host_function("print", print as extern "C" fn(i64) -> i64)
        .map_err(internal)?;
    // SAFETY: the translator emits arithmetic, branches and direct calls only: no memory
    // access.
    let code = unsafe { module.finalize() }.map_err(internal)?;
    Ok(Program { code, main, ir })
}

impl Program {
    /// Runs `main` and returns its result; `print` writes to standard output.
    pub fn run(&self) -> Result<i64, Error> {
        let main = self
            .code
            .get_func::<(), i64>(self.main)
            .map_err(|e| Error::general(format!("internal error: {e}")))?;
        main.call(())
            .map_err(|trap| Error::general(format!("runtime error: {trap}")))
    }

    /// Runs `main` and returns its result and what it printed.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn run_captured(&self) -> (Result<i64, Error>, Vec<i64>) {
        CAPTURE.with(|c| *c.borrow_mut() = Some(Vec::new()));
        let result = self.run();
        let printed = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
        (result, printed)
    }
}
