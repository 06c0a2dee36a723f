//! Kiln's x86-64 backend with regalloc2's single-pass allocator (`fast_regalloc`), which the
//! runtime does not offer: how much compile time the allocator costs, and what it buys.

use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags, MInst};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_backend_x64::machinst::{RelocKind as BackendRelocKind, RelocTarget};
use kiln_runtime::{CompileError, CompiledFunction, Compiler, Reloc, RelocKind};
use std::sync::Mutex;

/// The backend for the host's CPU with the fast register allocator.
pub struct FastRegalloc {
    flags: Flags,
    contexts: Mutex<Vec<CompileContext<MInst>>>,
}

impl FastRegalloc {
    /// For the host CPU (as the runtime's default `native`).
    pub fn new() -> Self {
        FastRegalloc {
            flags: Flags::detect_host(),
            contexts: Mutex::new(Vec::new()),
        }
    }
}

impl Compiler for FastRegalloc {
    fn compile(&self, func: &kiln_ir::Function) -> Result<CompiledFunction, CompileError> {
        let pool = || self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        let mut ctx = pool().pop().unwrap_or_else(CompileContext::new);
        let opts = CompileOptions {
            flags: self.flags,
            listing: false,
            fast_regalloc: true,
            stack_limit_check: true,
        };
        let result = compile_function(&mut ctx, func, opts);
        pool().push(ctx);
        let out = result.map_err(|e| CompileError::Codegen {
            function: func.name.to_string(),
            message: e.to_string(),
        })?;
        Ok(CompiledFunction {
            code: out.code,
            relocs: out
                .relocs
                .into_iter()
                .map(|r| Reloc {
                    offset: r.offset,
                    kind: match r.kind {
                        BackendRelocKind::X86CallPCRel4 => RelocKind::X86CallPCRel4,
                        BackendRelocKind::Abs8 => RelocKind::Abs8,
                    },
                    target: match r.target {
                        RelocTarget::Func(f) => func.dfg.ext_funcs[f].name.clone(),
                        RelocTarget::Name(n) => n,
                    },
                    addend: r.addend,
                })
                .collect(),
            traps: out.traps.into_iter().map(|t| (t.offset, t.code)).collect(),
        })
    }
}
