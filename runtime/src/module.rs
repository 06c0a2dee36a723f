//! Compiled modules: translation, compilation (in parallel if configured), code layout with
//! relocations resolved, publication and registration for traps; and their serialized form
//! ([`serialize`]).

use crate::code_memory::CodeBuilder;
use crate::collections::{try_collect, try_string, try_vec, OutOfMemory, TryArc, TryClone, TryMap};
use crate::compiler::{CompiledFunction, Compiler, RelocKind};
use crate::engine::Engine;
use crate::error::{CompileError, Error};
use crate::trampolines;
use crate::traps::{CodeInfo, FunctionInfo, RegisteredCode, RegistryError};
use crate::type_registry::RegisteredType;
use crate::values::{ExternType, FuncType};
use kiln_frontend_wasm::{
    translate_module, EntityIndex, FuncTranslator, FunctionBodyData, ModuleInfo,
    StandardEnvironment, VMOffsets, WasmFuncType,
};
use kiln_frontend_wasm::fallible_serde as de;
use kiln_ir::{Function, UserFuncName};
use std::collections::HashMap;

/// Namespace of entry trampolines' IR names (`u1:type_index`).
const TRAMPOLINE_NAMESPACE: u32 = 1;
/// Namespace of host shims' IR names.
const HOST_SHIM_NAMESPACE: u32 = 2;

/// A compiled module, ready to be instantiated in stores of its engine. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: TryArc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) info: ModuleInfo,
    pub(crate) offsets: VMOffsets,
    pub(crate) code: RegisteredCode,
    /// Offset in the code of each defined function.
    pub(crate) func_offsets: Vec<u32>,
    /// Offset in the code of the entry trampoline of each type index.
    pub(crate) trampolines: Vec<u32>,
    /// Engine-wide type of each type index.
    pub(crate) types: Vec<RegisteredType>,
    /// The unlinked code the module was published from, kept for [`Module::serialize`].
    pub(crate) artifact: Artifact,
}

/// What a compiled module is made of before it is linked at an address: the input of
/// [`publish`] and the payload of the serialized form.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Artifact {
    /// The defined functions in index order, then the entry trampolines.
    #[serde(deserialize_with = "de::vec")]
    pub(crate) functions: Vec<Compiled>,
    /// For each type index, the index in `functions` of its entry trampoline.
    #[serde(deserialize_with = "de::vec")]
    pub(crate) trampoline_slots: Vec<u32>,
    /// Host shims for the module's imported function types, once serialized or deserialized
    /// (a freshly compiled module leaves this empty; `serialize` compiles them).
    #[serde(deserialize_with = "de::vec")]
    pub(crate) host_shims: Vec<(WasmFuncType, Compiled)>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.info.name)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Validates, translates and compiles the Wasm binary `bytes`.
    ///
    /// Compiling is outside the out-of-memory guarantee (the frontend and the code generator
    /// allocate infallibly); registering the module's types is inside it. It also compiles
    /// the host-function glue of every function type the module imports, so that
    /// instantiating it with host functions compiles nothing.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let module = compile_module(engine, bytes.as_ref())?;
        module.compile_host_shims()?;
        Ok(module)
    }

    /// Compiles (once per engine) the host shims of the function types this module imports.
    pub(crate) fn compile_host_shims(&self) -> Result<(), Error> {
        let info = self.info();
        for import in &info.imports {
            if let EntityIndex::Function(f) = import.index {
                host_shim(self.engine(), info.function_type(f))?;
            }
        }
        Ok(())
    }

    /// Validates `bytes` (every section and function body) without compiling.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
        let translation = translate_module(bytes.as_ref()).map_err(CompileError::from)?;
        let env = StandardEnvironment {
            offsets: VMOffsets::new(&translation.info),
            heap: engine.config().heap_config(),
        };
        let mut t = FuncTranslator::new();
        let mut func = Function::new();
        for body in translation.bodies {
            t.translate(&translation.info, &env, body, &mut func)
                .map_err(CompileError::from)?;
        }
        Ok(())
    }

    /// The engine the module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its names section.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    /// The metadata the frontend read.
    pub fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    /// Imports: `(module, name, type)` in order.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ExternType)> + '_ {
        self.inner
            .info
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.field.as_str(), self.entity_type(i.index)))
    }

    /// Exports: `(name, type)` in order.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        self.inner
            .info
            .exports
            .iter()
            .map(|e| (e.name.as_str(), self.entity_type(e.index)))
    }

    pub(crate) fn entity_type(&self, index: EntityIndex) -> ExternType {
        let info = &self.inner.info;
        match index {
            EntityIndex::Function(f) => ExternType::Func(FuncType::from_wasm(info.function_type(f))),
            EntityIndex::Table(t) => ExternType::Table(info.tables[t as usize]),
            EntityIndex::Memory(m) => ExternType::Memory(info.memories[m as usize]),
            EntityIndex::Global(g) => ExternType::Global(info.globals[g as usize]),
        }
    }

    /// The address of defined function `index`'s code.
    pub(crate) fn function_code(&self, index: u32) -> *const u8 {
        let defined = index - self.inner.info.num_imported_functions;
        let off = self.inner.func_offsets[defined as usize] as usize;
        // SAFETY: the offset is inside the published code.
        unsafe { self.inner.code.code().base().add(off) }
    }

    /// The address of the entry trampoline for functions of type index `ty`.
    pub(crate) fn trampoline(&self, ty: u32) -> *const u8 {
        let off = self.inner.trampolines[ty as usize] as usize;
        // SAFETY: the offset is inside the published code.
        unsafe { self.inner.code.code().base().add(off) }
    }
}

/// One function's compiled code and the name it is known by in relocations and traps.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Compiled {
    #[serde(deserialize_with = "crate::compiler::FuncNameDe::deserialize")]
    pub(crate) name: UserFuncName,
    #[serde(deserialize_with = "de::string")]
    pub(crate) display: String,
    pub(crate) func: CompiledFunction,
}

pub(crate) fn compile_ir(
    compiler: &dyn Compiler,
    func: &Function,
    display: &str,
) -> Result<CompiledFunction, CompileError> {
    kiln_ir::verifier::verify_function(func).map_err(|e| CompileError::Verifier {
        function: display.to_string(),
        message: e.to_string(),
    })?;
    // A code generator bug must not take the embedder down: a panic becomes an error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compiler.compile(func)))
        .unwrap_or_else(|p| {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(CompileError::Codegen {
                function: display.to_string(),
                message: format!("the code generator panicked: {what}"),
            })
        });
    result.map_err(|e| match e {
        // Name the function as the module does, not by its IR name.
        CompileError::Codegen { message, .. } => CompileError::Codegen {
            function: display.to_string(),
            message,
        },
        e => e,
    })
}

fn compile_module(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
    let started = std::time::Instant::now();
    let translation = translate_module(bytes).map_err(CompileError::from)?;
    log::debug!(
        "module {}: {} functions parsed and validated in {:?}",
        translation.info.name.as_deref().unwrap_or("<unnamed>"),
        translation.bodies.len(),
        started.elapsed()
    );
    let info = translation.info;
    let env = StandardEnvironment {
        offsets: VMOffsets::new(&info),
        heap: engine.config().heap_config(),
    };
    let compiler = &*engine.inner.compiler;
    let compile_body = |t: &mut FuncTranslator, body: FunctionBodyData<'_>| {
        let index = body.index;
        let display = info.function_name(index);
        let mut func = Function::new();
        t.translate(&info, &env, body, &mut func)?;
        let code = compile_ir(compiler, &func, &display)?;
        Ok::<_, CompileError>(Compiled {
            name: kiln_frontend_wasm::function_name(index),
            display,
            func: code,
        })
    };

    let bodies = translation.bodies;
    let threads = if engine.config().parallel_compilation {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(bodies.len())
    } else {
        1
    };
    let mut results: Vec<(u32, Result<Compiled, CompileError>)> = Vec::with_capacity(bodies.len());
    if threads <= 1 {
        let mut t = FuncTranslator::new();
        for body in bodies {
            let index = body.index;
            results.push((index, compile_body(&mut t, body)));
        }
    } else {
        // Round-robin the bodies over the threads, so large and small functions mix.
        let mut chunks: Vec<Vec<FunctionBodyData<'_>>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, body) in bodies.into_iter().enumerate() {
            chunks[i % threads].push(body);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    let compile_body = &compile_body;
                    s.spawn(move || {
                        let mut t = FuncTranslator::new();
                        chunk
                            .into_iter()
                            .map(|body| (body.index, compile_body(&mut t, body)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                match h.join() {
                    Ok(r) => results.extend(r),
                    Err(p) => std::panic::resume_unwind(p),
                }
            }
        });
        results.sort_by_key(|(i, _)| *i);
    }
    let mut compiled = Vec::with_capacity(results.len() + info.types.len());
    for (_, r) in results {
        // The first failing function in index order is reported.
        compiled.push(r?);
    }
    let num_defined = compiled.len();

    // One entry trampoline per distinct function type; equal types share it.
    let mut trampoline_slot = vec![usize::MAX; info.types.len()];
    let mut by_type: HashMap<&WasmFuncType, usize> = HashMap::new();
    for (i, ty) in info.types.iter().enumerate() {
        if let Some(&slot) = by_type.get(ty) {
            trampoline_slot[i] = slot;
            continue;
        }
        by_type.insert(ty, compiled.len());
        let name = UserFuncName::user(TRAMPOLINE_NAMESPACE, i as u32);
        let display = format!("trampoline{i}");
        let func = trampolines::entry_trampoline(ty, name.clone());
        trampoline_slot[i] = compiled.len();
        compiled.push(Compiled {
            name,
            display: display.clone(),
            func: compile_ir(compiler, &func, &display)?,
        });
    }

    let code_size: usize = compiled.iter().map(|c| c.func.code.len()).sum();
    log::info!(
        "module {}: {} functions and {} trampolines compiled in {:?} ({} bytes of code, {} thread(s))",
        info.name.as_deref().unwrap_or("<unnamed>"),
        num_defined,
        compiled.len() - num_defined,
        started.elapsed(),
        code_size,
        threads
    );
    let artifact = Artifact {
        functions: compiled,
        trampoline_slots: trampoline_slot.iter().map(|&s| s as u32).collect(),
        host_shims: Vec::new(),
    };
    assemble(engine, info, artifact)
}

/// Publishes `artifact`'s code and makes the module of it. The artifact must be consistent
/// (trampoline slots inside `functions`, one function per defined function first), as
/// compilation makes it and deserialization checks it.
pub(crate) fn assemble(
    engine: &Engine,
    info: ModuleInfo,
    artifact: Artifact,
) -> Result<Module, Error> {
    let num_defined = info.num_defined_functions() as usize;
    let (code, starts) = publish(&artifact.functions)?;
    let types = engine.register_types(&info.types)?;
    let mut func_offsets = try_vec(num_defined)?;
    func_offsets.extend_from_slice(&starts[..num_defined]); // within the capacity
    let trampolines = try_collect(
        artifact
            .trampoline_slots
            .iter()
            .map(|&s| starts[s as usize]),
    )?;
    Ok(Module {
        inner: TryArc::try_new(ModuleInner {
            engine: engine.clone(),
            offsets: VMOffsets::new(&info),
            code,
            func_offsets,
            trampolines,
            types,
            info,
            artifact,
        })?,
    })
}

/// Lays functions out 16-byte aligned, in order: returns the bytes and each function's start.
pub(crate) fn layout(funcs: &[Compiled]) -> Result<(Vec<u8>, Vec<u32>), OutOfMemory> {
    let mut starts = try_vec(funcs.len())?;
    let mut size = 0usize;
    for f in funcs {
        size = size.next_multiple_of(16);
        starts.push(size as u32); // within the capacity
        size += f.func.code.len();
    }
    let mut bytes = try_vec(size)?;
    for (f, &start) in funcs.iter().zip(&starts) {
        bytes.resize(start as usize, 0xcc); // int3 padding, within the capacity
        bytes.extend_from_slice(&f.func.code);
    }
    Ok((bytes, starts))
}

/// Patches every relocation of `funcs` in `code`, which will run at address `base`.
pub(crate) fn apply_relocs(
    code: &mut [u8],
    base: usize,
    funcs: &[Compiled],
    starts: &[u32],
) -> Result<(), CompileError> {
    for (f, &start) in funcs.iter().zip(starts) {
        for r in &f.func.relocs {
            let err = |message: String| CompileError::Relocation {
                function: f.display.clone(),
                offset: r.offset,
                message,
            };
            let target = funcs
                .iter()
                .position(|g| g.name == r.target)
                .ok_or_else(|| err(format!("unknown target `{}`", r.target)))?;
            let target_addr = (base + starts[target] as usize) as i64 + r.addend;
            let at = start as usize + r.offset as usize;
            let width = match r.kind {
                RelocKind::X86CallPCRel4 => 4,
                RelocKind::Abs8 => 8,
            };
            if r.offset as usize + width > f.func.code.len() {
                return Err(err("outside the function".into()));
            }
            match r.kind {
                RelocKind::X86CallPCRel4 => {
                    let pc = (base + at) as i64;
                    let delta = i32::try_from(target_addr - pc)
                        .map_err(|_| err("displacement does not fit 32 bits".into()))?;
                    code[at..at + 4].copy_from_slice(&delta.to_le_bytes());
                }
                RelocKind::Abs8 => {
                    code[at..at + 8].copy_from_slice(&(target_addr as u64).to_le_bytes());
                }
            }
        }
    }
    Ok(())
}

/// Lays out, links, publishes and registers `funcs`.
pub(crate) fn publish(funcs: &[Compiled]) -> Result<(RegisteredCode, Vec<u32>), Error> {
    let (bytes, starts) = layout(funcs)?;
    // A mapping the system refuses (e.g. out of memory) is an `Error::Mmap`, made without
    // allocating.
    let mut builder = CodeBuilder::new(&bytes)?;
    let base = builder.base() as usize;
    apply_relocs(builder.as_mut_slice(), base, funcs, &starts)?;
    let code = builder.publish()?;
    let mut info = CodeInfo {
        functions: try_vec(funcs.len())?,
        traps: try_vec(funcs.iter().map(|f| f.func.traps.len()).sum())?,
    };
    for (f, &start) in funcs.iter().zip(&starts) {
        // Within the capacities.
        info.functions.push(FunctionInfo {
            start,
            end: start + f.func.code.len() as u32,
            name: try_string(&f.display)?,
        });
        info.traps
            .extend(f.func.traps.iter().map(|&(off, code)| (start + off, code)));
    }
    let code = RegisteredCode::new(code, info).map_err(|e| match e {
        RegistryError::OutOfMemory(oom) => Error::OutOfMemory(oom),
        e => CompileError::Publish(e.to_string()).into(),
    })?;
    Ok((code, starts))
}

/// Compiled host-function glue of one function type, shared by every host function of it.
pub(crate) struct CompiledStub {
    pub(crate) code: RegisteredCode,
}

impl CompiledStub {
    /// The address of the stub.
    pub(crate) fn entry(&self) -> *const u8 {
        self.code.code().base()
    }
}

/// The host shim for `ty`, compiled once per engine.
pub(crate) fn host_shim(engine: &Engine, ty: &WasmFuncType) -> Result<TryArc<CompiledStub>, Error> {
    let mut cache = engine
        .inner
        .host_shims
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(s) = cache.get(ty) {
        return Ok(s.clone());
    }
    let name = UserFuncName::user(HOST_SHIM_NAMESPACE, 0);
    let display = "host-shim".to_string();
    let func = trampolines::host_shim(ty, name.clone());
    let compiled = Compiled {
        name,
        display: display.clone(),
        func: compile_ir(&*engine.inner.compiler, &func, &display)?,
    };
    let ty = ty.try_clone()?;
    cache.try_reserve_oom(1)?;
    let (code, _) = publish(std::slice::from_ref(&compiled))?;
    let stub = TryArc::try_new(CompiledStub { code })?;
    cache.insert(ty, stub.clone()); // within the reserved room
    Ok(stub)
}

pub(crate) mod serialize;

#[cfg(test)]
mod tests;
