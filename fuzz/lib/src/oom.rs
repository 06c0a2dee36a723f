//! The `oom` target: a fuzzed sequence of embedding-API operations runs with one allocation
//! (chosen by the input) failing. Every operation must succeed or return
//! `Error::OutOfMemory`; results that come back must be right; afterwards nothing has leaked,
//! the engine's type registry is as before and the engine still instantiates and runs the
//! module in a fresh store.
//!
//! The binary that runs this must declare [`FailingAllocator`] as its global allocator (the
//! fuzz target and this crate's test binary do). It is the allocator of the runtime's own OOM
//! tests, included from `runtime/tests/support/failing_alloc.rs`.

#[path = "../../../runtime/tests/support/failing_alloc.rs"]
mod failing_alloc;
pub use failing_alloc::FailingAllocator;
use failing_alloc::{arm, disarm, live};

use arbitrary::Unstructured;
use kiln_runtime::*;
use std::sync::{Mutex, OnceLock};

/// Every kind of import, segments, a start function, `call_indirect` through a table that also
/// holds a host function: `run(x)` = host(x) + (x + 40) + 1 = 3x + 41 (wrapping).
const MODULE: &str = r#"
(module
  (type $t (func (param i32) (result i32)))
  (import "env" "host" (func $host (type $t)))
  (import "env" "mem" (memory 1))
  (import "env" "tab" (table 2 funcref))
  (import "env" "g" (global i32))
  (table $own 4 funcref)
  (global $counter (mut i32) (i32.const 0))
  (elem (table $own) (i32.const 0) func $add $host)
  (elem (table 0) (i32.const 1) func $add)
  (elem declare func $start)
  (data (i32.const 16) "kiln")
  (func $add (type $t) (i32.add (local.get 0) (global.get 0)))
  (func $start (global.set $counter (i32.const 1)))
  (start $start)
  (func (export "run") (param i32) (result i32)
    (i32.add
      (i32.add (call $host (local.get 0))
               (call_indirect $own (type $t) (local.get 0) (i32.const 0)))
      (global.get $counter)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
"#;

fn expected_run(x: i32) -> i32 {
    x.wrapping_mul(3).wrapping_add(41)
}

/// Built once, before any allocation is counted.
struct Ctx {
    engine: Engine,
    module: Module,
    serialized: Vec<u8>,
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        let engine = Engine::new(&Config::new()).expect("engine");
        let wasm = wat::parse_str(MODULE).expect("module text");
        let module = Module::new(&engine, wasm).expect("module");
        let serialized = module.serialize().expect("serialize");
        let ctx = Ctx {
            engine,
            module,
            serialized,
        };
        // Fill the engine's caches (host shims, registry capacity) the operations would
        // otherwise fill on first use, which would look like a leak.
        for _ in 0..2 {
            run_ops(&ctx, &WARM_UP, &mut World::new()).expect("warm-up");
        }
        ctx
    })
}

/// The longest sequence an input makes.
const MAX_OPS: usize = 64;

/// One step of a sequence. Indices pick among what exists, modulo its count.
#[derive(Clone, Copy, Debug)]
enum Op {
    NewStore,
    DropStore(u8),
    /// `Instance::new` with imports made by `Func::wrap`, `Memory::new`, `Table::new`,
    /// `Global::new`; from the compiled module or a deserialized one.
    Instantiate {
        store: u8,
        module: u8,
    },
    /// The same through a `Linker` (`func_new`, `define`).
    LinkerInstantiate {
        store: u8,
        module: u8,
    },
    /// `TypedFunc::call` of `run`.
    CallTyped {
        instance: u8,
        arg: i32,
    },
    /// `Func::call` of `load` with `Val`s.
    CallDynamic {
        instance: u8,
        addr: u8,
    },
    /// `Func::new` of a host function, then a call of it.
    FuncNew {
        store: u8,
        arg: i32,
    },
    FuncTypeNew {
        params: u8,
    },
    Deserialize,
    DropModule(u8),
}

const WARM_UP: [Op; 7] = [
    Op::NewStore,
    Op::Deserialize,
    Op::Instantiate {
        store: 0,
        module: 1,
    },
    Op::LinkerInstantiate {
        store: 0,
        module: 0,
    },
    Op::CallTyped {
        instance: 0,
        arg: 5,
    },
    Op::CallDynamic {
        instance: 1,
        addr: 16,
    },
    Op::FuncNew { store: 0, arg: 3 },
];

fn op(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    Ok(match u.int_in_range(0..=9)? {
        0 => Op::NewStore,
        1 => Op::DropStore(u.arbitrary()?),
        2 => Op::Instantiate {
            store: u.arbitrary()?,
            module: u.arbitrary()?,
        },
        3 => Op::LinkerInstantiate {
            store: u.arbitrary()?,
            module: u.arbitrary()?,
        },
        4 => Op::CallTyped {
            instance: u.arbitrary()?,
            arg: u.arbitrary()?,
        },
        5 => Op::CallDynamic {
            instance: u.arbitrary()?,
            addr: u.arbitrary()?,
        },
        6 => Op::FuncNew {
            store: u.arbitrary()?,
            arg: u.arbitrary()?,
        },
        7 => Op::FuncTypeNew {
            params: u.arbitrary()?,
        },
        8 => Op::Deserialize,
        _ => Op::DropModule(u.arbitrary()?),
    })
}

fn pick<T>(items: &[T], i: u8) -> Option<usize> {
    (!items.is_empty()).then(|| i as usize % items.len())
}

fn host_double(x: i32) -> i32 {
    x.wrapping_mul(2)
}

fn memory_type() -> MemoryType {
    MemoryType {
        minimum: 1,
        maximum: None,
    }
}

fn table_type() -> TableType {
    TableType {
        element: WasmRefType::Func,
        minimum: 2,
        maximum: None,
    }
}

fn global_type() -> GlobalType {
    GlobalType {
        ty: WasmValType::I32,
        mutable: false,
    }
}

/// What a sequence has made so far. Instances remember their store. Its lists are reserved
/// for the longest sequence before allocations are counted, so that only the runtime's own
/// allocations fail.
struct World {
    stores: Vec<Store<()>>,
    instances: Vec<(usize, Instance)>,
    /// Deserialized modules (index 0 in `module` choices is the context's module).
    modules: Vec<Module>,
}

impl World {
    fn new() -> World {
        World {
            stores: Vec::with_capacity(MAX_OPS),
            instances: Vec::with_capacity(MAX_OPS),
            modules: Vec::with_capacity(MAX_OPS),
        }
    }

    fn module<'a>(&'a self, ctx: &'a Ctx, i: u8) -> &'a Module {
        match i as usize % (self.modules.len() + 1) {
            0 => &ctx.module,
            n => &self.modules[n - 1],
        }
    }

    fn instantiate(&mut self, ctx: &Ctx, s: usize, m: u8, linker: bool) -> Result<(), Error> {
        let module = self.module(ctx, m).clone();
        let store = &mut self.stores[s];
        let instance = if linker {
            let mut l = Linker::new(&ctx.engine);
            let ty = FuncType::new([ValType::I32], [ValType::I32])?;
            l.func_new("env", "host", ty, |_, args, results| {
                results[0] = Val::I32(host_double(args[0].i32().expect("an i32")));
                Ok(())
            })?;
            l.define("env", "mem", Memory::new(&mut *store, memory_type())?)?;
            l.define(
                "env",
                "tab",
                Table::new(&mut *store, table_type(), Val::FuncRef(None))?,
            )?;
            l.define(
                "env",
                "g",
                Global::new(&mut *store, global_type(), Val::I32(40))?,
            )?;
            l.instantiate(&mut *store, &module)?
        } else {
            let imports: [Extern; 4] = [
                Func::wrap(&mut *store, host_double)?.into(),
                Memory::new(&mut *store, memory_type())?.into(),
                Table::new(&mut *store, table_type(), Val::FuncRef(None))?.into(),
                Global::new(&mut *store, global_type(), Val::I32(40))?.into(),
            ];
            Instance::new(&mut *store, &module, &imports)?
        };
        self.instances.push((s, instance));
        Ok(())
    }

    fn drop_store(&mut self, s: usize) {
        self.stores.remove(s);
        self.instances.retain(|&(i, _)| i != s);
        for (i, _) in &mut self.instances {
            if *i > s {
                *i -= 1;
            }
        }
    }
}

/// Runs `ops`; the first error other than out-of-memory is returned as a finding (a wrong
/// result is a panic). Out-of-memory errors are expected and skipped.
fn run_ops(ctx: &Ctx, ops: &[Op], w: &mut World) -> Result<(), String> {
    for &op in ops {
        let r: Result<(), Error> = (|| {
            match op {
                Op::NewStore => w.stores.push(Store::new(&ctx.engine, ())?),
                Op::DropStore(i) => {
                    if let Some(s) = pick(&w.stores, i) {
                        w.drop_store(s);
                    }
                }
                Op::Instantiate { store, module } | Op::LinkerInstantiate { store, module } => {
                    if let Some(s) = pick(&w.stores, store) {
                        let linker = matches!(op, Op::LinkerInstantiate { .. });
                        w.instantiate(ctx, s, module, linker)?;
                    }
                }
                Op::CallTyped { instance, arg } => {
                    if let Some(i) = pick(&w.instances, instance) {
                        let (s, inst) = w.instances[i];
                        let store = &mut w.stores[s];
                        let run = inst.get_typed_func::<i32, i32>(&*store, "run")?;
                        let got = run.call(&mut *store, arg)?;
                        assert_eq!(got, expected_run(arg), "run({arg})");
                    }
                }
                Op::CallDynamic { instance, addr } => {
                    if let Some(i) = pick(&w.instances, instance) {
                        let (s, inst) = w.instances[i];
                        let store = &mut w.stores[s];
                        let load = inst.get_func(&*store, "load").expect("export `load`");
                        let mut out = [Val::I32(-1)];
                        load.call(&mut *store, &[Val::I32(addr as i32)], &mut out)?;
                        let expect = b"kiln".get((addr as usize).wrapping_sub(16)).copied();
                        assert_eq!(out[0].i32().expect("an i32"), expect.unwrap_or(0) as i32);
                    }
                }
                Op::FuncNew { store, arg } => {
                    if let Some(s) = pick(&w.stores, store) {
                        let store = &mut w.stores[s];
                        let ty = FuncType::new([ValType::I32], [ValType::I32])?;
                        let f = Func::new(&mut *store, ty, |_, args, results| {
                            results[0] = Val::I32(host_double(args[0].i32().expect("an i32")));
                            Ok(())
                        })?;
                        let mut out = [Val::I32(0)];
                        f.call(&mut *store, &[Val::I32(arg)], &mut out)?;
                        assert_eq!(out[0].i32().expect("an i32"), host_double(arg));
                    }
                }
                Op::FuncTypeNew { params } => {
                    let ty = FuncType::new(
                        (0..params % 20).map(|i| [ValType::I32, ValType::F64][i as usize % 2]),
                        [ValType::I64],
                    )?;
                    assert_eq!(ty.params().len(), (params % 20) as usize);
                }
                Op::Deserialize => {
                    let m = Module::deserialize(&ctx.engine, &ctx.serialized)?;
                    w.modules.push(m);
                }
                Op::DropModule(i) => {
                    if let Some(m) = pick(&w.modules, i) {
                        w.modules.remove(m);
                    }
                }
            }
            Ok(())
        })();
        match r {
            Ok(()) | Err(Error::OutOfMemory(_)) => {}
            Err(e) => return Err(format!("{op:?}: {e}")),
        }
    }
    Ok(())
}

/// The out-of-memory tests share process-wide structures (the code registry): one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The fuzz target: the first two bytes choose which allocation fails, the rest the
/// operations. Panics on a finding. Returns whether the chosen allocation was reached (and
/// so failed).
pub fn oom(data: &[u8]) -> bool {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = ctx();
    let mut u = Unstructured::new(data);
    let fail_at = u.arbitrary::<u16>().unwrap_or(0) as usize;
    let mut ops = Vec::with_capacity(MAX_OPS);
    while ops.len() < MAX_OPS {
        match op(&mut u) {
            Ok(o) => ops.push(o),
            Err(_) => break,
        }
    }
    let census = ctx.engine.type_registry_census();
    let before = live();
    let mut world = World::new();
    arm(Some(fail_at));
    let r = run_ops(ctx, &ops, &mut world);
    let (_, failed) = disarm();
    drop(world);
    if let Err(finding) = r {
        panic!("with allocation {fail_at} failing: {finding}\nops: {ops:?}");
    }
    // A code-registry entry whose unregistration met the failure is freed by the next
    // registration: do one, so that it does not count as a leak.
    drop(Module::deserialize(&ctx.engine, &ctx.serialized).expect("deserialize"));
    assert_eq!(
        live(),
        before,
        "allocation {fail_at} failing leaked (blocks, bytes); ops: {ops:?}"
    );
    assert_eq!(
        ctx.engine.type_registry_census(),
        census,
        "allocation {fail_at} failing changed the type registry; ops: {ops:?}"
    );
    run_ops(ctx, &WARM_UP, &mut World::new()).expect("the engine is usable afterwards");
    failed
}
