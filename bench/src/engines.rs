//! The engines under comparison behind one small interface: compile a module, instantiate
//! it, call `run(n: i32) -> i64`.

use std::sync::Arc;

/// One engine configuration of the comparison.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EngineKind {
    /// Kiln, parallel compilation on (the default configuration).
    Kiln,
    /// Kiln compiling on one thread.
    Kiln1,
    /// Kiln (parallel) with regalloc2's single-pass allocator instead of Ion: not a
    /// configuration the runtime offers, measured to price the allocator.
    KilnFastRa,
    /// Wasmtime with Cranelift at `opt_level=speed`, parallel compilation on.
    Cranelift,
    /// The same on one thread.
    Cranelift1,
    /// Wasmtime with Winch (baseline compiler), parallel compilation on.
    Winch,
    /// The wasmi interpreter, translating eagerly.
    Wasmi,
}

impl EngineKind {
    /// Every configuration, in table order.
    pub const ALL: [EngineKind; 7] = [
        EngineKind::Kiln,
        EngineKind::Kiln1,
        EngineKind::KilnFastRa,
        EngineKind::Cranelift,
        EngineKind::Cranelift1,
        EngineKind::Winch,
        EngineKind::Wasmi,
    ];

    /// The configurations whose generated code is distinct, so worth running (the one-thread
    /// variants produce the same code as their parallel twins).
    pub fn executes(self) -> bool {
        !matches!(self, EngineKind::Kiln1 | EngineKind::Cranelift1)
    }

    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Kiln => "kiln",
            EngineKind::Kiln1 => "kiln-1t",
            EngineKind::KilnFastRa => "kiln-fastra",
            EngineKind::Cranelift => "cranelift",
            EngineKind::Cranelift1 => "cranelift-1t",
            EngineKind::Winch => "winch",
            EngineKind::Wasmi => "wasmi",
        }
    }

    /// The configuration named `s`.
    pub fn parse(s: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|e| e.name() == s)
    }

    /// Builds the engine.
    pub fn build(self) -> Result<Box<dyn Engine>, String> {
        Ok(match self {
            EngineKind::Kiln | EngineKind::Kiln1 => {
                let mut config = kiln_runtime::Config::new();
                config.parallel_compilation(self == EngineKind::Kiln);
                Box::new(KilnEngine {
                    engine: kiln_runtime::Engine::new(&config).map_err(|e| e.to_string())?,
                })
            }
            EngineKind::KilnFastRa => {
                let config = kiln_runtime::Config::new();
                let compiler = kiln_runtime::x64::X64Compiler::new(&config)
                    .map_err(|e| e.to_string())?
                    .with_fast_regalloc(true);
                let compiler = std::sync::Arc::new(compiler);
                Box::new(KilnEngine {
                    engine: kiln_runtime::Engine::with_compiler(&config, compiler),
                })
            }
            EngineKind::Cranelift | EngineKind::Cranelift1 | EngineKind::Winch => {
                Box::new(WasmtimeEngine {
                    engine: wasmtime::Engine::new(&wasmtime_config(self))
                        .map_err(|e| e.to_string())?,
                })
            }
            EngineKind::Wasmi => {
                let mut config = wasmi::Config::default();
                config.compilation_mode(wasmi::CompilationMode::Eager);
                Box::new(WasmiEngine {
                    engine: wasmi::Engine::new(&config),
                })
            }
        })
    }
}

/// Wasmtime's configuration for a Wasmtime-based kind.
pub fn wasmtime_config(kind: EngineKind) -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    match kind {
        EngineKind::Winch => {
            config.strategy(wasmtime::Strategy::Winch);
        }
        _ => {
            config.strategy(wasmtime::Strategy::Cranelift);
            config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        }
    }
    config.parallel_compilation(kind != EngineKind::Cranelift1);
    config
}

/// An engine: compiles modules.
pub trait Engine {
    /// Validates and compiles a module (everything up to, not including, instantiation).
    fn compile(&self, wasm: &[u8]) -> Result<Arc<dyn Compiled>, String>;
}

/// A compiled module.
pub trait Compiled {
    /// A fresh store with an instance of the module.
    fn instantiate(&self) -> Result<Box<dyn Instance>, String>;
}

/// An instance and its store.
pub trait Instance {
    /// Calls the export `run`.
    fn run(&mut self, n: i32) -> Result<i64, String>;
}

struct KilnEngine {
    engine: kiln_runtime::Engine,
}

struct KilnCompiled {
    engine: kiln_runtime::Engine,
    module: kiln_runtime::Module,
}

struct KilnInstance {
    store: kiln_runtime::Store<()>,
    run: kiln_runtime::TypedFunc<i32, i64>,
}

impl Engine for KilnEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Arc<dyn Compiled>, String> {
        let module = kiln_runtime::Module::new(&self.engine, wasm).map_err(|e| e.to_string())?;
        Ok(Arc::new(KilnCompiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

impl Compiled for KilnCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
        let mut store = kiln_runtime::Store::new(&self.engine, ()).map_err(|e| e.to_string())?;
        let instance = kiln_runtime::Instance::new(&mut store, &self.module, &[])
            .map_err(|e| e.to_string())?;
        let run = instance
            .get_typed_func::<i32, i64>(&store, "run")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(KilnInstance { store, run }))
    }
}

impl Instance for KilnInstance {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
}

struct WasmtimeEngine {
    engine: wasmtime::Engine,
}

struct WasmtimeCompiled {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
}

struct WasmtimeInstance {
    store: wasmtime::Store<()>,
    run: wasmtime::TypedFunc<i32, i64>,
}

impl Engine for WasmtimeEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Arc<dyn Compiled>, String> {
        let module = wasmtime::Module::new(&self.engine, wasm).map_err(|e| format!("{e:#}"))?;
        Ok(Arc::new(WasmtimeCompiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

impl Compiled for WasmtimeCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
        let mut store = wasmtime::Store::new(&self.engine, ());
        let instance =
            wasmtime::Instance::new(&mut store, &self.module, &[]).map_err(|e| format!("{e:#}"))?;
        let run = instance
            .get_typed_func::<i32, i64>(&mut store, "run")
            .map_err(|e| format!("{e:#}"))?;
        Ok(Box::new(WasmtimeInstance { store, run }))
    }
}

impl Instance for WasmtimeInstance {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        self.run
            .call(&mut self.store, n)
            .map_err(|e| format!("{e:#}"))
    }
}

struct WasmiEngine {
    engine: wasmi::Engine,
}

struct WasmiCompiled {
    engine: wasmi::Engine,
    module: wasmi::Module,
}

struct WasmiInstance {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<i32, i64>,
}

impl Engine for WasmiEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Arc<dyn Compiled>, String> {
        let module = wasmi::Module::new(&self.engine, wasm).map_err(|e| e.to_string())?;
        Ok(Arc::new(WasmiCompiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

impl Compiled for WasmiCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
        let mut store = wasmi::Store::new(&self.engine, ());
        let instance =
            wasmi::Instance::new(&mut store, &self.module, &[]).map_err(|e| e.to_string())?;
        let run = instance
            .get_typed_func::<i32, i64>(&store, "run")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(WasmiInstance { store, run }))
    }
}

impl Instance for WasmiInstance {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        self.run.call(&mut self.store, n).map_err(|e| e.to_string())
    }
}
