//! Out-of-memory tests: every allocation the embedding API makes on its creation and call paths
//! is made to fail in turn, and the API must return `Error::OutOfMemory` — not succeed, not
//! return another error, not panic or abort — without leaking, leaving the engine's type
//! registry consistent and the engine usable.
//!
//! This is its own test binary because it replaces the global allocator. The allocator counts
//! allocations per thread and can fail the N-th one on the current thread; other threads are
//! unaffected. It sees only the global allocator: `mmap` (linear memories, code) is not
//! covered here, and neither are allocations the C library makes for itself.
//!
//! To cover another operation (e.g. `Module::deserialize`), call [`oom_test`] with a setup
//! closure that builds what the operation consumes and the operation itself:
//!
//! ```ignore
//! let n = oom_test("Module::deserialize", &ctx, |_| bytes.clone(), |ctx, bytes| {
//!     Module::deserialize(&ctx.engine, bytes)
//! });
//! ```

use kiln_runtime::*;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------------
// The allocator (shared with the `oom` fuzz target, which includes the same file).

#[path = "support/failing_alloc.rs"]
mod failing_alloc;
use failing_alloc::{arm, disarm, live, FailingAllocator};

#[global_allocator]
static ALLOCATOR: FailingAllocator = FailingAllocator;

// ---------------------------------------------------------------------------------------------
// The driver.

/// The OOM tests share process-wide structures (the code registry); one at a time keeps each
/// thread's allocation balance its own.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A module using every kind of import and segment, and the types the operations register:
/// `run(x)` = host(x) + (x + g) through `call_indirect` + 1 (set by the start function).
const MODULE: &str = r#"
(module
  (type $t (func (param i32) (result i32)))
  (import "env" "host" (func $host (type $t)))
  (import "env" "mem" (memory 1))
  (import "env" "tab" (table 2 funcref))
  (import "env" "g" (global i32))
  (table $own 4 funcref)
  (global $counter (mut i32) (i32.const 0))
  (global $g2 i32 (global.get 0))
  (elem (table $own) (i32.const 0) func $add $host)
  (elem (table 0) (i32.const 1) func $add)
  (elem declare func $start)
  (elem $passive funcref (ref.func $add) (ref.null func))
  (data (i32.const 16) "kiln")
  (data $p "passive")
  (func $add (type $t) (i32.add (local.get 0) (global.get $g2)))
  (func $start (global.set $counter (i32.const 1)))
  (start $start)
  (func (export "run") (param i32) (result i32)
    (i32.add
      (i32.add (call $host (local.get 0))
               (call_indirect $own (type $t) (local.get 0) (i32.const 0)))
      (global.get $counter)))
  (func (export "host_slot") (param i32) (result i32)
    (call_indirect $own (type $t) (local.get 0) (i32.const 1)))
  (func (export "ext") (param externref) (result externref) (local.get 0))
)
"#;

/// `run(5)`: host(5) = 10, 5 + 40 = 45, counter 1.
const RUN_5: i32 = 56;

/// What every test shares: an engine and the module compiled once.
struct Ctx {
    engine: Engine,
    module: Module,
}

impl Ctx {
    fn new() -> Ctx {
        let engine = Engine::new(&Config::new()).unwrap();
        let module = Module::new(&engine, wat::parse_str(MODULE).unwrap()).unwrap();
        Ctx { engine, module }
    }
}

fn host_double(x: i32) -> i32 {
    x * 2
}

/// The module's imports in `store`, with the host function made by `Func::wrap`.
fn imports(store: &mut Store<()>) -> Result<Vec<Extern>, Error> {
    let host = Func::wrap(&mut *store, host_double)?;
    Ok(vec![
        host.into(),
        memory(store)?,
        table(store)?,
        global(store)?,
    ])
}

fn memory(store: &mut Store<()>) -> Result<Extern, Error> {
    let ty = MemoryType {
        minimum: 1,
        maximum: None,
    };
    Ok(Memory::new(store, ty)?.into())
}

fn table(store: &mut Store<()>) -> Result<Extern, Error> {
    let ty = TableType {
        element: WasmRefType::Func,
        minimum: 2,
        maximum: None,
    };
    Ok(Table::new(store, ty, Val::FuncRef(None))?.into())
}

fn global(store: &mut Store<()>) -> Result<Extern, Error> {
    let ty = GlobalType {
        ty: WasmValType::I32,
        mutable: false,
    };
    Ok(Global::new(store, ty, Val::I32(40))?.into())
}

/// A fresh store instantiates the module with the same types and runs it.
fn check_usable(ctx: &Ctx) {
    check_runs(ctx, &ctx.module);
}

/// A fresh store instantiates `module` (compiled from [`MODULE`]) and runs it.
fn check_runs(ctx: &Ctx, module: &Module) {
    let mut store = Store::new(&ctx.engine, ()).unwrap();
    let imports = imports(&mut store).unwrap();
    let instance = Instance::new(&mut store, module, &imports).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), RUN_5);
    let host_slot = instance
        .get_typed_func::<i32, i32>(&store, "host_slot")
        .unwrap();
    assert_eq!(host_slot.call(&mut store, 7).unwrap(), 14);
}

/// Whether `e` is the out-of-memory error, naming a size.
fn is_oom(e: &Error) -> bool {
    matches!(e, Error::OutOfMemory(oom) if oom.requested() > 0)
}

/// Runs `op` on a fresh `setup(ctx)` once to count its allocations, then once per allocation
/// with that allocation failing, requiring each time that `op` returns `Error::OutOfMemory`
/// (not `Ok`, another error or a panic), that dropping everything frees every byte allocated
/// since `setup` began, that the type registry is as before, and that the engine still runs
/// the module in a fresh store. Returns the number of allocation points.
fn oom_test<S, R>(
    name: &str,
    ctx: &Ctx,
    mut setup: impl FnMut(&Ctx) -> S,
    mut op: impl FnMut(&Ctx, &mut S) -> Result<R, Error>,
) -> usize {
    // Once to fill caches (host shims, registry capacity), once to count.
    for _ in 0..2 {
        let mut s = setup(ctx);
        op(ctx, &mut s).unwrap_or_else(|e| panic!("{name} failed without injected failures: {e}"));
    }
    let mut s = setup(ctx);
    arm(None);
    let r = op(ctx, &mut s);
    let (count, _) = disarm();
    r.unwrap_or_else(|e| panic!("{name} failed without injected failures: {e}"));
    drop(s);

    let census = ctx.engine.type_registry_census();
    for i in 0..count {
        let before = live();
        {
            let mut s = setup(ctx);
            arm(Some(i));
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| op(ctx, &mut s)));
            let (_, failed) = disarm();
            assert!(failed, "{name}: allocation {i} of {count} was not reached");
            match r {
                Ok(Err(e)) if is_oom(&e) => {}
                Ok(Err(e)) => panic!("{name}: allocation {i} failed; got another error: {e}"),
                Ok(Ok(_)) => panic!("{name}: allocation {i} failed, yet the operation succeeded"),
                Err(_) => panic!("{name}: allocation {i} failed and the operation panicked"),
            }
        }
        assert_eq!(
            live(),
            before,
            "{name}: failing allocation {i} leaked (blocks, bytes)"
        );
        assert_eq!(
            ctx.engine.type_registry_census(),
            census,
            "{name}: failing allocation {i} changed the type registry"
        );
        check_usable(ctx);
    }
    eprintln!("oom: {name}: {count} allocation points");
    count
}

// ---------------------------------------------------------------------------------------------
// The operations.

#[test]
fn the_module_runs() {
    let _g = serial();
    check_usable(&Ctx::new());
}

#[test]
fn config_new_allocates_nothing() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test("Config::new", &ctx, |_| (), |_, _| Ok(Config::new()));
    assert_eq!(n, 0);
}

#[test]
fn engine_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Engine::new",
        &ctx,
        |_| Config::new(),
        |_, c| Engine::new(c),
    );
    assert!(
        n >= 3,
        "the engine, its compiler and its registry are allocated"
    );
    if std::is_x86_feature_detected!("sse4.1") && std::is_x86_feature_detected!("popcnt") {
        let mut listed = Config::new();
        listed.cpu_features(CpuFeatures::parse("sse41,has_popcnt"));
        let m = oom_test(
            "Engine::new (listed CPU features)",
            &ctx,
            |_| listed.clone(),
            |_, c| Engine::new(c),
        );
        // The configuration's copy of the list and its two names come on top.
        assert_eq!(m, n + 3);
    }
}

#[test]
fn store_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Store::new",
        &ctx,
        |_| (),
        |ctx, _| Store::new(&ctx.engine, ()),
    );
    assert_eq!(n, 1);
}

#[test]
fn linker_new_allocates_nothing() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Linker::new",
        &ctx,
        |_| (),
        |ctx, _| Ok(Linker::<()>::new(&ctx.engine)),
    );
    assert_eq!(n, 0);
}

#[test]
fn linker_define() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| {
        let mut store = Store::new(&ctx.engine, ()).unwrap();
        let mem = memory(&mut store).unwrap();
        let tab = table(&mut store).unwrap();
        (store, Linker::<()>::new(&ctx.engine), mem, tab)
    };
    let n = oom_test("Linker::define", &ctx, setup, |_, (_, linker, mem, tab)| {
        // A new module name, then a new name in it.
        linker.define("env", "mem", *mem)?;
        linker.define("env", "tab", *tab)?;
        Ok(())
    });
    assert!(n >= 5, "module and field names, the tables of both levels");
}

#[test]
fn linker_func_wrap() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Linker::func_wrap",
        &ctx,
        |ctx| Linker::<()>::new(&ctx.engine),
        |_, linker| {
            linker.func_wrap("env", "host", host_double)?;
            Ok(())
        },
    );
    assert!(n >= 4, "the type, the closure and the names");
}

#[test]
fn linker_func_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| {
        let ty = FuncType::new([ValType::I32], [ValType::I32]).unwrap();
        (Linker::<()>::new(&ctx.engine), ty)
    };
    let n = oom_test("Linker::func_new", &ctx, setup, |_, (linker, ty)| {
        linker.func_new("env", "host", ty.try_clone()?, |_, args, results| {
            results[0] = Val::I32(args[0].i32().unwrap() * 2);
            Ok(())
        })?;
        Ok(())
    });
    assert!(n >= 6);
}

#[test]
fn linker_instance() {
    let _g = serial();
    let ctx = Ctx::new();
    let exporter = Module::new(
        &ctx.engine,
        wat::parse_str(
            r#"(module
                 (func (export "f") (param i32) (result i32) local.get 0)
                 (memory (export "m") 1)
                 (global (export "g") i32 (i32.const 40)))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let setup = |ctx: &Ctx| {
        let mut store = Store::new(&ctx.engine, ()).unwrap();
        let instance = Instance::new(&mut store, &exporter, &[]).unwrap();
        (store, instance, Linker::<()>::new(&ctx.engine))
    };
    let n = oom_test(
        "Linker::instance",
        &ctx,
        setup,
        |_, (store, instance, linker)| {
            linker.instance(&mut *store, "lib", *instance)?;
            Ok(())
        },
    );
    assert!(n >= 6, "the module name, three field names, the tables");
}

#[test]
fn func_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| {
        let ty = FuncType::new([ValType::I32], [ValType::I32]).unwrap();
        (Store::new(&ctx.engine, ()).unwrap(), ty)
    };
    let n = oom_test("Func::new", &ctx, setup, |_, (store, ty)| {
        Func::new(&mut *store, ty.try_clone()?, |_, args, results| {
            results[0] = Val::I32(args[0].i32().unwrap() * 2);
            Ok(())
        })
    });
    assert!(n >= 6);
}

#[test]
fn func_wrap() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Func::wrap",
        &ctx,
        |ctx| Store::new(&ctx.engine, ()).unwrap(),
        |_, store| Func::wrap(&mut *store, host_double),
    );
    assert!(n >= 6);
}

#[test]
fn func_type_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "FuncType::new",
        &ctx,
        |_| (),
        |_, _| Ok(FuncType::new([ValType::I32, ValType::I64], [ValType::F32])?),
    );
    assert_eq!(n, 2, "the parameter and result lists");
}

#[test]
fn externals_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "Memory/Table/Global::new",
        &ctx,
        |ctx| Store::new(&ctx.engine, ()).unwrap(),
        |_, store| Ok((memory(store)?, table(store)?, global(store)?)),
    );
    assert!(n >= 6);
}

#[test]
fn register_module_types() {
    let _g = serial();
    let ctx = Ctx::new();
    // Types no live module holds: registering them creates entries.
    let novel = Module::new(
        &ctx.engine,
        wat::parse_str(
            r#"(module
                 (type (func (param i64 f32) (result f64)))
                 (type (func (param i32) (result i32)))
                 (type (func (param i64 f32) (result f64)))
                 (type (func (result i64 i64))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let types = novel.info().types.clone();
    drop(novel);
    let before = ctx.engine.type_registry_census();
    let n = oom_test(
        "module type registration",
        &ctx,
        |_| (),
        |ctx, _| ctx.engine.register_types(&types),
    );
    assert_eq!(ctx.engine.type_registry_census(), before);
    assert!(
        n >= 6,
        "two new types, each stored twice, plus the result lists"
    );
}

#[test]
fn instance_new() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| {
        let mut store = Store::new(&ctx.engine, ()).unwrap();
        let imports = imports(&mut store).unwrap();
        (store, imports)
    };
    let n = oom_test("Instance::new", &ctx, setup, |ctx, (store, imports)| {
        Instance::new(&mut *store, &ctx.module, imports)
    });
    assert!(n >= 10);
}

#[test]
fn linker_instantiate() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| {
        let mut store = Store::new(&ctx.engine, ()).unwrap();
        let mut linker = Linker::new(&ctx.engine);
        linker.func_wrap("env", "host", host_double).unwrap();
        linker
            .define("env", "mem", memory(&mut store).unwrap())
            .unwrap();
        linker
            .define("env", "tab", table(&mut store).unwrap())
            .unwrap();
        linker
            .define("env", "g", global(&mut store).unwrap())
            .unwrap();
        (store, linker)
    };
    let n = oom_test(
        "Linker::instantiate",
        &ctx,
        setup,
        |ctx, (store, linker)| linker.instantiate(&mut *store, &ctx.module),
    );
    assert!(n >= 10);
}

#[test]
fn module_deserialize() {
    let _g = serial();
    let ctx = Ctx::new();
    let bytes = ctx.module.serialize().unwrap();
    let n = oom_test(
        "Module::deserialize",
        &ctx,
        |_| (),
        |ctx, _| Module::deserialize(&ctx.engine, &bytes),
    );
    assert!(
        n >= 60,
        "every string and list of the payload, the code layout and registration, the types"
    );
    // A module deserialized after all those failures is complete: it instantiates and runs.
    check_runs(&ctx, &Module::deserialize(&ctx.engine, &bytes).unwrap());

    // Into a fresh engine: its host-shim cache and type registry are empty, so the shim
    // carried by the serialized module is published and cached, and the types are new.
    let m = oom_test(
        "Module::deserialize (fresh engine)",
        &ctx,
        |_| Engine::new(&Config::new()).unwrap(),
        |_, engine| Module::deserialize(engine, &bytes),
    );
    assert!(
        m > n,
        "the shim's code, registration and cache entry, the new types"
    );

    // From a file: the buffer the file is read into comes on top.
    let path = std::env::temp_dir().join(format!("kiln-oom-{}.kwasm", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let f = oom_test(
        "Module::deserialize_file",
        &ctx,
        |_| (),
        |ctx, _| Module::deserialize_file(&ctx.engine, &path),
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(f, n + 1);
}

/// Unregistering code needs a new registry snapshot; when memory for it runs out, the entry
/// is marked dead instead of aborting: lookups skip it, and the next registration drops it
/// and frees it, so the range can be registered again and nothing leaks.
#[test]
fn unregistering_code_without_memory_marks_it_dead() {
    use kiln_runtime::traps::registry::{is_kiln_code, trap_code_at};
    use kiln_runtime::traps::{CodeInfo, CodeRegistration};
    let _g = serial();
    let m = kiln_runtime::mmap::Mmap::reserve(4096).unwrap();
    let p = m.as_ptr();
    let info = || CodeInfo::single("f", 64, &[(8, kiln_ir::TrapCode::User(1))]);
    // SAFETY (all registrations here): nothing ever runs in this range.
    drop(unsafe { CodeRegistration::new(p, 64, info()) }.unwrap());
    let before = live();
    let info = info();
    let reg = unsafe { CodeRegistration::new(p, 64, info) }.unwrap();
    assert!(is_kiln_code(p as usize + 8));
    arm(Some(0));
    drop(reg);
    let (count, failed) = disarm();
    assert!(failed);
    assert_eq!(count, 1, "the new snapshot's entry list");
    assert!(!is_kiln_code(p as usize + 8));
    assert_eq!(trap_code_at(p as usize + 8), None);
    let again = unsafe { CodeRegistration::new(p, 64, CodeInfo::default()) }.unwrap();
    assert!(is_kiln_code(p as usize + 8));
    assert_eq!(
        trap_code_at(p as usize + 8),
        None,
        "the new entry's (empty) traps"
    );
    drop(again);
    assert!(!is_kiln_code(p as usize));
    assert_eq!(live(), before, "the dead entry was freed");
}

/// A store with the module instantiated, its host function made by `Func::new` (which
/// allocates its argument and result lists on every call).
fn instantiated(ctx: &Ctx) -> (Store<()>, Instance) {
    let mut store = Store::new(&ctx.engine, ()).unwrap();
    let ty = FuncType::new([ValType::I32], [ValType::I32]).unwrap();
    let host = Func::new(&mut store, ty, |_, args, results| {
        results[0] = Val::I32(args[0].i32().unwrap() * 2);
        Ok(())
    })
    .unwrap();
    let mut imports = imports(&mut store).unwrap();
    imports[0] = host.into();
    let instance = Instance::new(&mut store, &ctx.module, &imports).unwrap();
    (store, instance)
}

#[test]
fn func_call() {
    let _g = serial();
    let ctx = Ctx::new();
    let setup = |ctx: &Ctx| (instantiated(ctx), ExternRef::new(7u32));
    let n = oom_test("Func::call", &ctx, setup, |_, ((store, instance), r)| {
        let run = instance.get_func(&*store, "run").unwrap();
        let mut results = [Val::I32(0)];
        run.call(&mut *store, &[Val::I32(5)], &mut results)?;
        assert_eq!(results[0].i32(), Some(RUN_5));
        // An externref argument is interned in the store.
        let ext = instance.get_func(&*store, "ext").unwrap();
        let mut out = [Val::ExternRef(None)];
        ext.call(&mut *store, &[Val::ExternRef(Some(r.clone()))], &mut out)?;
        match &out[0] {
            Val::ExternRef(Some(back)) => assert!(ExternRef::ptr_eq(back, r)),
            other => panic!("expected the externref back, got {other:?}"),
        }
        Ok(())
    });
    assert!(
        n >= 4,
        "the host function's argument and result lists, the externref tables"
    );
}

#[test]
fn typed_func_call() {
    let _g = serial();
    let ctx = Ctx::new();
    let n = oom_test(
        "TypedFunc::call",
        &ctx,
        instantiated,
        |_, (store, instance)| {
            let run = instance.get_typed_func::<i32, i32>(&*store, "run")?;
            let r = run.call(&mut *store, 5)?;
            assert_eq!(r, RUN_5);
            Ok(())
        },
    );
    assert_eq!(n, 2, "the host function's argument and result lists");
}

#[test]
fn func_call_with_many_values() {
    let _g = serial();
    let ctx = Ctx::new();
    let params = "i32 ".repeat(17);
    let wasm =
        format!(r#"(module (func (export "last") (param {params}) (result i32) local.get 16))"#);
    let module = Module::new(&ctx.engine, wat::parse_str(wasm).unwrap()).unwrap();
    let setup = |ctx: &Ctx| {
        let mut store = Store::new(&ctx.engine, ()).unwrap();
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let args: Vec<Val> = (0..17).map(Val::I32).collect();
        (store, instance, args)
    };
    let n = oom_test(
        "Func::call (17 values)",
        &ctx,
        setup,
        |_, (store, instance, args)| {
            let last = instance.get_func(&*store, "last").unwrap();
            let mut out = [Val::I32(0)];
            last.call(&mut *store, args, &mut out)?;
            assert_eq!(out[0].i32(), Some(16));
            Ok(())
        },
    );
    assert_eq!(n, 1, "the value buffer");
}

/// A trap is reported even when memory for the name of the trapping function runs out (the
/// name is then left out): out of memory must not turn a trap into an abort.
#[test]
fn a_trap_is_reported_without_memory_for_its_function_name() {
    let _g = serial();
    let ctx = Ctx::new();
    let wasm = r#"(module (func $boom (export "boom") unreachable))"#;
    let module = Module::new(&ctx.engine, wat::parse_str(wasm).unwrap()).unwrap();
    let mut store = Store::new(&ctx.engine, ()).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let boom = instance.get_typed_func::<(), ()>(&store, "boom").unwrap();
    let trap_of = |r: Result<(), Error>| match r {
        Err(Error::Trap(t)) => t,
        other => panic!("expected a trap, got {other:?}"),
    };
    let named = trap_of(boom.call(&mut store, ()));
    assert!(named.function.is_some());
    arm(Some(0));
    let r = boom.call(&mut store, ());
    let (count, failed) = disarm();
    assert!(failed);
    assert_eq!(count, 1, "only the name is allocated");
    let unnamed = trap_of(r);
    assert_eq!(unnamed.code, named.code);
    assert_eq!(unnamed.function, None);
}

/// A thread's first entry into Wasm (here: the start function, run by `Instance::new`)
/// installs its alternate signal stack (an `mmap`) and a thread-local destructor; neither may
/// go through the global allocator, or a thread's first instantiation or call could abort
/// where later ones return errors.
#[test]
fn first_entry_on_a_thread_allocates_like_later_ones() {
    let _g = serial();
    let ctx = Ctx::new();
    let counts = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut counts = Vec::new();
                for _ in 0..2 {
                    let mut store = Store::new(&ctx.engine, ()).unwrap();
                    let imports = imports(&mut store).unwrap();
                    arm(None);
                    let r = Instance::new(&mut store, &ctx.module, &imports);
                    counts.push(disarm().0);
                    r.unwrap();
                }
                counts
            })
            .join()
            .unwrap()
    });
    assert_eq!(counts[0], counts[1]);
}

// ---------------------------------------------------------------------------------------------
// Concurrency.

/// One thread's registrations fail at every allocation point, over and over, while another
/// thread instantiates and runs the module (registering and releasing the same types) in
/// fresh stores of the same engine.
#[test]
fn failed_registration_on_one_thread_leaves_other_threads_working() {
    let _g = serial();
    let ctx = Ctx::new();
    let novel = Module::new(
        &ctx.engine,
        wat::parse_str(
            r#"(module
                 (import "env" "f" (func (param f64) (result i64)))
                 (type (func (param i32) (result i32)))
                 (type (func (param i32 i32))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    // The types of both modules: shared ones, and ones only this registration holds.
    let mut types = ctx.module.info().types.clone();
    types.extend(novel.info().types.iter().cloned());
    drop(novel);
    let baseline = ctx.engine.type_registry_census();

    std::thread::scope(|scope| {
        let failing = scope.spawn(|| {
            drop(ctx.engine.register_types(&types).unwrap());
            arm(None);
            let held = ctx.engine.register_types(&types);
            let (count, _) = disarm();
            drop(held.unwrap());
            assert!(count > 0);
            let mut failures = 0;
            for _round in 0..20 {
                for i in 0..count {
                    arm(Some(i));
                    let r = ctx.engine.register_types(&types);
                    let (_, failed) = disarm();
                    match r {
                        Err(e) if is_oom(&e) => failures += 1,
                        // The other thread may have registered the type this allocation
                        // was for, so the registration needed fewer allocations.
                        Ok(regs) if !failed => drop(regs),
                        Ok(_) => panic!("allocation {i} failed, yet registration succeeded"),
                        Err(e) => panic!("allocation {i} failed; got another error: {e}"),
                    }
                    ctx.engine.type_registry_census();
                }
            }
            failures
        });
        let working = scope.spawn(|| {
            for i in 0..40 {
                let mut store = Store::new(&ctx.engine, ()).unwrap();
                let mut imports = imports(&mut store).unwrap();
                if i % 2 == 1 {
                    // A host function of the novel type's shape comes and goes too.
                    let ty = FuncType::new([ValType::F64], [ValType::I64]).unwrap();
                    let f = Func::new(&mut store, ty, |_, _, r| {
                        r[0] = Val::I64(1);
                        Ok(())
                    })
                    .unwrap();
                    let mut out = [Val::I64(0)];
                    f.call(&mut store, &[Val::F64(0)], &mut out).unwrap();
                    assert_eq!(out[0].i64(), Some(1));
                    imports[0] = Func::wrap(&mut store, host_double).unwrap().into();
                }
                let instance = Instance::new(&mut store, &ctx.module, &imports).unwrap();
                let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
                assert_eq!(run.call(&mut store, 5).unwrap(), RUN_5);
            }
        });
        working.join().unwrap();
        let failures = failing.join().unwrap();
        assert!(failures > 0);
    });
    assert_eq!(ctx.engine.type_registry_census(), baseline);
    check_usable(&ctx);
}
