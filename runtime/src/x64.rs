//! Kiln's x86-64 code generator as the runtime's [`Compiler`].

use crate::compiler::{CompiledFunction, Compiler, Reloc, RelocKind};
use crate::config::{Config, CpuFeatures};
use crate::error::{CompileError, Error};
use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags, MInst};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_backend_x64::machinst::{RelocKind as BackendRelocKind, RelocTarget};
use kiln_ir::Function;
use std::sync::Mutex;

/// Whether function prologues compare the stack pointer with the vmctx's stack limit (always:
/// it is how deep recursion becomes a trap; recorded in serialized modules).
pub(crate) const STACK_LIMIT_CHECKS: bool = true;

/// The x86-64 backend with the CPU features of a configuration.
pub struct X64Compiler {
    flags: Flags,
    fast_regalloc: bool,
    /// Compile contexts (buffers reused across functions), one per concurrent compilation.
    contexts: Mutex<Vec<CompileContext<MInst>>>,
}

impl X64Compiler {
    /// The compiler for `config`; fails for unknown CPU features or ones the host lacks.
    pub fn new(config: &Config) -> Result<Self, Error> {
        let host = Flags::detect_host();
        let flags = match config.cpu() {
            CpuFeatures::Native => host,
            CpuFeatures::Baseline => Flags::default(),
            CpuFeatures::List(names) => {
                // Spelled with or without `has_`; mapped to the backend's own names, so
                // nothing is allocated unless a name is unknown.
                fn canonical(n: &str) -> &str {
                    let bare = n.strip_prefix("has_").unwrap_or(n);
                    Flags::NAMES
                        .iter()
                        .copied()
                        .find(|f| f.strip_prefix("has_") == Some(bare))
                        .unwrap_or(n)
                }
                let flags = Flags::parse(names.iter().map(|n| canonical(n)))
                    .map_err(|e| {
                        let bare = e.0.strip_prefix("has_").unwrap_or(&e.0);
                        Error::Usage(format!("unknown CPU feature `has_{bare}`"))
                    })?;
                if !flags.is_subset_of(&host) {
                    return Err(Error::Usage(format!(
                        "CPU features {names:?} are not all supported by this machine"
                    )));
                }
                flags
            }
        };
        Ok(X64Compiler {
            flags,
            fast_regalloc: false,
            contexts: Mutex::new(Vec::new()),
        })
    }

    /// Whether to allocate registers with regalloc2's single-pass allocator instead of Ion:
    /// about 2.4× faster compilation, about 1.4× slower code (`bench/README.md`). The code is
    /// as correct and as sandboxed either way. Use it through [`crate::Engine::with_compiler`].
    pub fn with_fast_regalloc(mut self, fast: bool) -> Self {
        self.fast_regalloc = fast;
        self
    }
}

impl X64Compiler {
    /// The CPU features the generated code uses.
    pub fn flags(&self) -> Flags {
        self.flags
    }
}

impl Compiler for X64Compiler {
    fn compile(&self, func: &Function) -> Result<CompiledFunction, CompileError> {
        let lock = || self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        let mut ctx = lock().pop().unwrap_or_else(CompileContext::new);
        let opts = CompileOptions {
            flags: self.flags,
            listing: false,
            fast_regalloc: self.fast_regalloc,
            stack_limit_check: STACK_LIMIT_CHECKS,
        };
        let result = compile_function(&mut ctx, func, opts);
        lock().push(ctx);
        let out = result.map_err(|e| CompileError::Codegen {
            function: func.name.to_string(),
            message: e.to_string(),
        })?;
        let relocs = out
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
            .collect();
        Ok(CompiledFunction {
            code: out.code,
            relocs,
            traps: out.traps.into_iter().map(|t| (t.offset, t.code)).collect(),
        })
    }
}

#[cfg(test)]
mod tests;
