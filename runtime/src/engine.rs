//! The engine: configuration, compiler, type registry and caches shared by all its stores.

use crate::collections::{try_box, OutOfMemory, TryArc, TryClone};
use crate::compiler::Compiler;
use crate::config::Config;
use crate::error::Error;
use crate::type_registry::{RegisteredType, TypeRegistry};
use kiln_frontend_wasm::WasmFuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    pub(crate) compiler: Box<dyn Compiler>,
    pub(crate) types: TypeRegistry,
    /// Compiled host-function shims, one per function type.
    pub(crate) host_shims: Mutex<HashMap<WasmFuncType, TryArc<crate::module::CompiledStub>>>,
}

/// A compilation environment shared by modules and stores; cheap to clone (`Arc` inside).
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: TryArc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with Kiln's code generator for this configuration. Fails if the
    /// configuration cannot be honoured (e.g. CPU features the host lacks) or with
    /// [`Error::OutOfMemory`] if an allocation fails.
    pub fn new(config: &Config) -> Result<Self, Error> {
        let compiler: Box<dyn Compiler> = try_box(crate::x64::X64Compiler::new(config)?)?;
        Ok(Self::try_with_compiler(config, compiler)?)
    }

    /// An engine compiling with `compiler` (tests, or another code generator). Like the
    /// standard collections, aborts if memory runs out.
    pub fn with_compiler(config: &Config, compiler: Arc<dyn Compiler>) -> Self {
        match Self::try_with_compiler(config, Box::new(compiler)) {
            Ok(engine) => engine,
            Err(e) => std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(e.requested().max(1), 1)
                    .unwrap_or(std::alloc::Layout::new::<u8>()),
            ),
        }
    }

    fn try_with_compiler(
        config: &Config,
        compiler: Box<dyn Compiler>,
    ) -> Result<Self, OutOfMemory> {
        Ok(Engine {
            inner: TryArc::try_new(EngineInner {
                config: config.try_clone()?,
                compiler,
                types: TypeRegistry::new()?,
                host_shims: Mutex::new(HashMap::new()),
            })?,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        TryArc::ptr_eq(&a.inner, &b.inner)
    }

    pub(crate) fn register_type(&self, ty: &WasmFuncType) -> Result<RegisteredType, OutOfMemory> {
        self.inner.types.register(ty)
    }

    /// Registers a module's function types in the engine's registry, all or none: if memory
    /// runs out midway, the types registered so far are released and the registry is as
    /// before. (What compiling or loading a module does; public for the OOM tests.)
    #[doc(hidden)]
    pub fn register_types(&self, types: &[WasmFuncType]) -> Result<Vec<RegisteredType>, Error> {
        Ok(self.inner.types.register_all(types)?)
    }

    /// `(distinct registered function types, references to them)`, after checking the
    /// registry's invariants (panics if they are broken). For tests.
    #[doc(hidden)]
    pub fn type_registry_census(&self) -> (usize, usize) {
        self.inner.types.census()
    }
}

/// Another code generator (e.g. one an embedder shares between engines).
impl<C: Compiler + ?Sized> Compiler for Arc<C> {
    fn compile(
        &self,
        func: &kiln_ir::Function,
    ) -> Result<crate::CompiledFunction, crate::CompileError> {
        (**self).compile(func)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }
}
