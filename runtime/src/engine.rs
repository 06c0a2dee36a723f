//! The engine: configuration, compiler, type registry and caches shared by all its stores.

use crate::compiler::Compiler;
use crate::config::Config;
use crate::error::Error;
use crate::type_registry::{RegisteredType, TypeRegistry};
use kiln_frontend_wasm::WasmFuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    pub(crate) compiler: Arc<dyn Compiler>,
    pub(crate) types: TypeRegistry,
    /// Compiled host-function shims, one per function type.
    pub(crate) host_shims: Mutex<HashMap<WasmFuncType, Arc<crate::module::CompiledStub>>>,
}

/// A compilation environment shared by modules and stores; cheap to clone (`Arc` inside).
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
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
    /// configuration cannot be honoured (e.g. CPU features the host lacks).
    pub fn new(config: &Config) -> Result<Self, Error> {
        Ok(Self::with_compiler(config, default_compiler(config)?))
    }

    /// An engine compiling with `compiler` (tests, or another code generator).
    pub fn with_compiler(config: &Config, compiler: Arc<dyn Compiler>) -> Self {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                compiler,
                types: TypeRegistry::default(),
                host_shims: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    pub(crate) fn register_type(&self, ty: &WasmFuncType) -> RegisteredType {
        self.inner.types.register(ty)
    }
}

fn default_compiler(config: &Config) -> Result<Arc<dyn Compiler>, Error> {
    Ok(Arc::new(crate::x64::X64Compiler::new(config)?))
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
