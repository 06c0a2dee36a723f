//! `compile_wasm`: bytes into `Module::new` (validation, translation, verification, code
//! generation). Invalid input must come back as a `Wasm` error; a verifier failure or a code
//! generator error on a module that validated is a bug and a finding, like a panic.

use crate::wasm_gen;
use arbitrary::Unstructured;
use kiln_runtime::{CompileError, Config, Engine, Error, Module};
use std::sync::OnceLock;

/// One engine per process (guard pages, native CPU features, one compilation thread).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut c = Config::new();
        c.parallel_compilation(false);
        Engine::new(&c).expect("the default engine")
    })
}

/// The first byte chooses: odd = the rest are raw module bytes; even = the rest drive
/// `wasm-smith`, whose valid module must compile.
pub fn compile_wasm(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        check(Module::new(engine(), rest), false);
    } else {
        let mut u = Unstructured::new(rest);
        if let Ok(wasm) = wasm_gen::any_module(&mut u) {
            check(Module::new(engine(), &wasm), true);
        }
    }
}

fn check(r: Result<Module, Error>, valid: bool) {
    match r {
        Ok(_) => {}
        Err(Error::Compile(CompileError::Wasm(e))) if !valid => {
            let _ = e.to_string();
        }
        Err(e) => panic!("compiling a module failed: {e}"),
    }
}
