use crate::testing::{engine, wat};
use crate::*;
use kiln_ir::TrapCode;

fn setup(text: &str) -> (Store<()>, Module) {
    let engine = engine(&Config::new());
    let module = Module::new(&engine, wat(text)).unwrap();
    (Store::new(&engine, ()).unwrap(), module)
}

#[test]
fn exported_function_returns_a_constant_through_the_entry_trampoline() {
    let (mut store, module) = setup(r#"(module (func (export "answer") (result i32) i32.const 42))"#);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance
        .get_typed_func::<(), i32>(&store, "answer")
        .unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 42);
    let mut out = [Val::I32(0)];
    instance
        .get_func(&store, "answer")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert_eq!(out[0].i32(), Some(42));
}

#[test]
fn direct_calls_between_functions_are_relocated() {
    let (mut store, module) = setup(
        r#"(module
             (func $a (result i32) i32.const 7)
             (func $b (result i32) i32.const 9)
             (func (export "b") (result i32) call $b)
             (func (export "a") (result i32) call $a))"#,
    );
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let a = instance.get_typed_func::<(), i32>(&store, "a").unwrap();
    let b = instance.get_typed_func::<(), i32>(&store, "b").unwrap();
    assert_eq!(a.call(&mut store, ()).unwrap(), 7);
    assert_eq!(b.call(&mut store, ()).unwrap(), 9);
}

#[test]
fn a_trap_in_wasm_code_is_returned_with_its_code_and_function() {
    let (mut store, module) = setup(
        r#"(module (func $boom (export "boom") unreachable))"#,
    );
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_func(&store, "boom").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code, TrapCode::UnreachableCodeReached);
    assert_eq!(trap.function.as_deref(), Some("boom"));
    // The store is still usable after a trap.
    assert!(f.call(&mut store, &[], &mut []).is_err());
}

#[test]
fn a_trapping_start_function_fails_instantiation() {
    let (mut store, module) = setup(r#"(module (func $s unreachable) (start $s))"#);
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert_eq!(err.as_trap().unwrap().code, TrapCode::UnreachableCodeReached);
}

const CALLS_HOST: &str = r#"(module
    (import "env" "f" (func $f (result i32)))
    (func (export "g") (result i32) call $f))"#;

#[test]
fn wasm_calls_a_host_function_through_its_shim() {
    let (mut store, module) = setup(CALLS_HOST);
    let mut linker = Linker::<()>::new(store.engine());
    linker.func_wrap("env", "f", || 5i32).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 5);
}

#[test]
fn host_functions_see_the_store_data() {
    let engine = engine(&Config::new());
    let module = Module::new(&engine, wat(CALLS_HOST)).unwrap();
    let mut store = Store::new(&engine, 10i32).unwrap();
    let mut linker = Linker::<i32>::new(&engine);
    linker
        .func_wrap("env", "f", |mut caller: Caller<'_, i32>| {
            *caller.data_mut() += 1;
            *caller.data() * 2
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 22);
    assert_eq!(g.call(&mut store, ()).unwrap(), 24);
    assert_eq!(*store.data(), 12);
}

#[derive(Debug)]
struct Refused;
impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}
impl std::error::Error for Refused {}

#[test]
fn a_host_error_comes_back_as_that_error_not_as_a_trap() {
    let (mut store, module) = setup(CALLS_HOST);
    let mut linker = Linker::<()>::new(store.engine());
    linker
        .func_wrap("env", "f", || -> Result<i32, Error> { Err(Error::host(Refused)) })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    match g.call(&mut store, ()) {
        Err(Error::Host(e)) => assert_eq!(e.to_string(), "refused"),
        other => panic!("expected the host error, got {other:?}"),
    }
}

#[test]
fn a_host_panic_is_resumed_in_the_caller() {
    let (mut store, module) = setup(CALLS_HOST);
    let mut linker = Linker::<()>::new(store.engine());
    linker
        .func_wrap("env", "f", || -> i32 { panic!("host panic") })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.call(&mut store, ())));
    let payload = r.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"host panic"));
}

#[test]
fn host_functions_are_callable_from_the_host() {
    let (mut store, _) = setup("(module)");
    let add = Func::wrap(&mut store, |a: i32, b: i64| a as i64 + b).unwrap();
    let typed = add.typed::<(i32, i64), i64>(&store).unwrap();
    assert_eq!(typed.call(&mut store, (-3, 10)).unwrap(), 7);
    assert!(add.typed::<(i32, i32), i64>(&store).is_err());
    let mut out = [Val::I64(0)];
    let err = add.call(&mut store, &[Val::I32(1)], &mut out).unwrap_err();
    assert!(err.to_string().contains("1 arguments"), "{err}");
}

#[test]
fn missing_imports_are_named() {
    let (mut store, module) = setup(CALLS_HOST);
    let linker = Linker::<()>::new(store.engine());
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(err, Error::Link(LinkError::MissingImport { .. })));
    assert_eq!(
        err.to_string(),
        "unknown import: `env::f` has not been defined"
    );
}

#[test]
fn import_type_mismatches_are_named() {
    let (mut store, module) = setup(CALLS_HOST);
    let mut linker = Linker::<()>::new(store.engine());
    linker.func_wrap("env", "f", |x: i32| x).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(
        err.to_string(),
        "incompatible import type for `env::f`: expected a function of type () -> (i32), \
         found (i32) -> (i32)"
    );
    let mut linker = Linker::<()>::new(store.engine());
    let mem = Memory::new(&mut store, MemoryType { minimum: 1, maximum: None }).unwrap();
    linker.define("env", "f", mem).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(err.to_string().ends_with("expected a function, found a memory"), "{err}");
    assert!(matches!(
        linker.define("env", "f", mem),
        Err(Error::Link(LinkError::Duplicate { .. }))
    ));
    // With shadowing, the later definition wins.
    linker.allow_shadowing(true);
    linker.func_wrap("env", "f", || 3i32).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 3);
}

#[test]
fn memory_limits_are_checked_on_import() {
    let (mut store, module) = setup(r#"(module (import "env" "m" (memory 2 4)))"#);
    let small = Memory::new(&mut store, MemoryType { minimum: 1, maximum: Some(4) }).unwrap();
    let unbounded = Memory::new(&mut store, MemoryType { minimum: 2, maximum: None }).unwrap();
    let ok = Memory::new(&mut store, MemoryType { minimum: 3, maximum: Some(3) }).unwrap();
    let msg = |m: Memory, store: &mut Store<()>| {
        Instance::new(store, &module, &[m.into()])
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string())
    };
    assert!(msg(small, &mut store).contains("expected at least 2 pages, found 1"));
    assert!(msg(unbounded, &mut store).contains("expected a maximum of 4 pages, found none"));
    assert_eq!(msg(ok, &mut store), "");
    // Growing the memory makes it satisfy a larger minimum.
    small.grow(&mut store, 1).unwrap();
    assert_eq!(msg(small, &mut store), "");
}

#[test]
fn globals_are_initialised_by_constant_expressions() {
    let (mut store, module) = setup(
        r#"(module
             (import "env" "base" (global $base i32))
             (import "env" "big" (global $big i64))
             (global (export "copy") i32 (global.get $base))
             (global (export "prod") (mut i64) (global.get $big))
             (global (export "neg") i32 (i32.const -5))
             (global (export "pi") f64 (f64.const 3.25))
             (global (export "fr") funcref (ref.func $f))
             (global (export "null") externref (ref.null extern))
             (func $f (export "f") (result i32) i32.const 1))"#,
    );
    let base = Global::new(
        &mut store,
        GlobalType { ty: kiln_frontend_wasm::WasmValType::I32, mutable: false },
        Val::I32(32),
    )
    .unwrap();
    let big = Global::new(
        &mut store,
        GlobalType { ty: kiln_frontend_wasm::WasmValType::I64, mutable: false },
        Val::I64(1 << 40),
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[base.into(), big.into()]).unwrap();
    let get = |store: &Store<()>, name: &str| {
        instance.get_global(store, name).unwrap().get(store).unwrap()
    };
    assert_eq!(get(&store, "copy").i32(), Some(32));
    assert_eq!(get(&store, "neg").i32(), Some(-5));
    assert_eq!(get(&store, "prod").i64(), Some(1 << 40));
    assert_eq!(get(&store, "pi").f64(), Some(3.25));
    let f = instance.get_func(&store, "f").unwrap();
    assert_eq!(get(&store, "fr").funcref(), Some(Some(&f)));
    assert!(matches!(get(&store, "null"), Val::ExternRef(None)));

    let prod = instance.get_global(&store, "prod").unwrap();
    prod.set(&mut store, Val::I64(5)).unwrap();
    assert_eq!(prod.get(&store).unwrap().i64(), Some(5));
    let copy = instance.get_global(&store, "copy").unwrap();
    assert!(copy.set(&mut store, Val::I32(1)).is_err());
    assert!(prod.set(&mut store, Val::I32(1)).is_err());
}

fn data_segments_are_visible(config: &Config) {
    let engine = engine(config);
    let module = Module::new(
        &engine,
        wat(r#"(module
             (import "env" "at" (global $at i32))
             (memory (export "mem") 1 3)
             (data (i32.const 0) "\01\02\03")
             (data (global.get $at) "hello")
             (data "passive, not copied"))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let at = Global::new(
        &mut store,
        GlobalType { ty: kiln_frontend_wasm::WasmValType::I32, mutable: false },
        Val::I32(65531),
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[at.into()]).unwrap();
    let mem = instance.get_memory(&store, "mem").unwrap();
    let mut buf = [0u8; 4];
    mem.read(&store, 0, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3, 0]);
    let mut hello = [0u8; 5];
    mem.read(&store, 65531, &mut hello).unwrap();
    assert_eq!(&hello, b"hello");
    assert!(mem.read(&store, 65532, &mut hello).is_err());
    assert_eq!(mem.data_size(&store).unwrap(), 65536);

    // Growing keeps the contents and respects the maximum.
    assert_eq!(mem.grow(&mut store, 2).unwrap(), 1);
    assert_eq!(mem.size(&store).unwrap(), 3);
    assert!(mem.grow(&mut store, 1).is_err());
    mem.write(&mut store, 3 * 65536 - 2, &[9, 8]).unwrap();
    assert!(mem.write(&mut store, 3 * 65536 - 1, &[9, 8]).is_err());
    mem.read(&store, 65531, &mut hello).unwrap();
    assert_eq!(&hello, b"hello");
    assert_eq!(&mem.data(&store).unwrap()[3 * 65536 - 2..], &[9, 8]);
}

#[test]
fn data_segments_are_visible_with_guard_pages() {
    data_segments_are_visible(&Config::new());
}

#[test]
fn data_segments_are_visible_with_explicit_checks() {
    let mut c = Config::new();
    c.bounds_checks(BoundsCheckStrategy::Explicit);
    data_segments_are_visible(&c);
}

#[test]
fn memory_definition_in_the_vmctx_follows_growth() {
    let mut c = Config::new();
    c.bounds_checks(BoundsCheckStrategy::Explicit);
    let engine = engine(&c);
    let module = Module::new(&engine, wat(r#"(module (memory (export "m") 1))"#)).unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&store, "m").unwrap();
    mem.grow(&mut store, 3).unwrap();
    let s = store.store_opaque();
    let inst = s.instance(instance).unwrap();
    let kiln_frontend_wasm::VmLocation::Inline(off) = inst.module.inner.offsets.memory(0) else {
        panic!("a defined memory is inline")
    };
    // SAFETY: the definition is inside the vmctx.
    let def = unsafe { *inst.vmctx().add(off as usize).cast::<crate::vm::VMMemoryDefinition>() };
    assert_eq!(def.current_length, 4 * 65536);
    assert_eq!(def.base, s.memory(mem).unwrap().mem.base());
}

#[test]
fn element_segments_fill_tables_with_typed_function_references() {
    let (mut store, module) = setup(
        r#"(module
             (type $v (func))
             (type $i (func (result i32)))
             (type $v2 (func))
             (table (export "t") 6 funcref)
             (func $a (type $v))
             (func $b (type $i) i32.const 0)
             (func $c (type $v2))
             (elem (i32.const 1) $a $b)
             (elem (i32.const 4) funcref (ref.func $c) (ref.null func))
             (elem declare func $a))"#,
    );
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let t = instance.get_table(&store, "t").unwrap();
    assert_eq!(t.size(&store).unwrap(), 6);
    let f = |i| match t.get(&store, i) {
        Some(Val::FuncRef(f)) => f,
        other => panic!("{other:?}"),
    };
    assert!(f(0).is_none());
    assert!(f(3).is_none());
    assert!(f(5).is_none());
    assert!(t.get(&store, 6).is_none());
    let (a, b, c) = (f(1).unwrap(), f(2).unwrap(), f(4).unwrap());
    assert_eq!(a.ty(&store).unwrap(), FuncType::new([], []).unwrap());
    assert_eq!(b.ty(&store).unwrap(), FuncType::new([], [ValType::I32]).unwrap());
    // The raw elements are VMFuncRefs whose type ids agree exactly when the types do, and
    // match the vmctx's type-id array, which call_indirect compares with.
    let s = store.store_opaque();
    let raw = &s.table(t).unwrap().elements;
    let type_id = |e: u64| unsafe { (*(e as *const crate::vm::VMFuncRef)).type_id };
    assert_eq!(type_id(raw[1]), type_id(raw[4]));
    assert_ne!(type_id(raw[1]), type_id(raw[2]));
    let inst = s.instance(instance).unwrap();
    let vm_type_id = |t: u32| unsafe {
        *inst
            .vmctx()
            .add(inst.module.inner.offsets.type_id(t) as usize)
            .cast::<u32>()
    };
    assert_eq!(type_id(raw[1]), u64::from(vm_type_id(0)));
    assert_eq!(type_id(raw[2]), u64::from(vm_type_id(1)));
    assert_eq!(vm_type_id(0), vm_type_id(2));
    assert_ne!(c, a);

    // Setting and growing through the API.
    t.set(&mut store, 0, Val::FuncRef(Some(b))).unwrap();
    assert_eq!(t.get(&store, 0).unwrap().funcref(), Some(Some(&b)));
    assert!(t.set(&mut store, 0, Val::I32(1)).is_err());
    assert_eq!(t.grow(&mut store, 2, Val::FuncRef(Some(a))).unwrap(), 6);
    assert_eq!(t.get(&store, 7).unwrap().funcref(), Some(Some(&a)));
}

#[test]
fn out_of_bounds_segments_trap_keeping_earlier_effects() {
    let (mut store, module) = setup(
        r#"(module
             (import "env" "mem" (memory 1))
             (import "env" "tab" (table 2 funcref))
             (func $f)
             (elem (i32.const 0) $f)
             (data (i32.const 10) "ok")
             (data (i32.const 65535) "too long"))"#,
    );
    let mem = Memory::new(&mut store, MemoryType { minimum: 1, maximum: None }).unwrap();
    let tab = Table::new(
        &mut store,
        TableType { element: WasmRefType::Func, minimum: 2, maximum: None },
        Val::FuncRef(None),
    )
    .unwrap();
    let err = Instance::new(&mut store, &module, &[mem.into(), tab.into()]).unwrap_err();
    assert_eq!(err.as_trap().unwrap().code, TrapCode::HeapOutOfBounds);
    assert_eq!(err.to_string(), "out of bounds memory access");
    let mut buf = [0u8; 2];
    mem.read(&store, 10, &mut buf).unwrap();
    assert_eq!(&buf, b"ok");
    // Nothing of the failing segment was written.
    mem.read(&store, 65534, &mut buf).unwrap();
    assert_eq!(buf, [0, 0]);
    // The element segment before it stays, and its function is still callable.
    let Some(Val::FuncRef(Some(f))) = tab.get(&store, 0) else {
        panic!("element 0 was set")
    };
    f.call(&mut store, &[], &mut []).unwrap();
}

#[test]
fn out_of_bounds_element_segments_trap() {
    let (mut store, module) = setup(
        r#"(module
             (table 2 funcref)
             (func $f)
             (elem (i32.const 1) $f $f))"#,
    );
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert_eq!(err.as_trap().unwrap().code, TrapCode::TableOutOfBounds);
}

#[test]
fn exports_and_imports_are_listed_with_types() {
    let (mut store, module) = setup(CALLS_HOST);
    let imports: Vec<_> = module.imports().collect();
    assert_eq!(
        imports,
        vec![("env", "f", ExternType::Func(FuncType::new([], [ValType::I32]).unwrap()))]
    );
    let exports: Vec<_> = module.exports().map(|(n, _)| n.to_string()).collect();
    assert_eq!(exports, vec!["g"]);
    let mut linker = Linker::<()>::new(store.engine());
    linker.func_wrap("env", "f", || 1i32).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let all = instance.exports(&store);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "g");
    assert!(instance.get_export(&store, "nope").is_none());
}

#[test]
fn handles_of_another_store_are_rejected() {
    let (mut store, _) = setup("(module)");
    let engine = store.engine().clone();
    let mut other = Store::new(&engine, ()).unwrap();
    let mem = Memory::new(&mut store, MemoryType { minimum: 1, maximum: None }).unwrap();
    assert!(mem.size(&other).is_err());
    assert!(mem.grow(&mut other, 1).is_err());
}

const REENTER: &str = r#"(module
    (import "env" "f" (func $f (result i32)))
    (func (export "g") (result i32) call $f)
    (func (export "answer") (result i32) i32.const 42)
    (func (export "boom") (result i32) unreachable))"#;

/// Instantiates REENTER with `env::f` calling back the export named in the store data.
fn reenter(target: &'static str) -> (Store<Option<Instance>>, Instance) {
    let engine = engine(&Config::new());
    let module = Module::new(&engine, wat(REENTER)).unwrap();
    let mut store = Store::new(&engine, None).unwrap();
    let mut linker = Linker::<Option<Instance>>::new(&engine);
    linker
        .func_wrap("env", "f", move |mut caller: Caller<'_, Option<Instance>>| {
            let inst = caller.data().expect("instance recorded");
            let f = inst.get_typed_func::<(), i32>(&caller, target)?;
            // A nested activation: the host frame is never skipped by an inner trap.
            assert_eq!(crate::traps::activation_depth(), 1);
            Ok::<i32, Error>(f.call(&mut caller, ())? + 1)
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = Some(instance);
    (store, instance)
}

#[test]
fn host_functions_can_call_back_into_wasm() {
    let (mut store, instance) = reenter("answer");
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 43);
    assert_eq!(crate::traps::activation_depth(), 0);
}

#[test]
fn a_trap_in_a_nested_call_reaches_the_outer_caller_through_the_host() {
    let (mut store, instance) = reenter("boom");
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    let err = g.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().expect("the inner trap, passed on by the host function");
    assert_eq!(trap.code, TrapCode::UnreachableCodeReached);
    assert_eq!(trap.function.as_deref(), Some("func3"));
    // Everything still works afterwards.
    let answer = instance.get_typed_func::<(), i32>(&store, "answer").unwrap();
    assert_eq!(answer.call(&mut store, ()).unwrap(), 42);
}

#[test]
fn the_stack_limit_is_written_on_entry() {
    let (mut store, module) = setup(r#"(module (func (export "answer") (result i32) i32.const 42))"#);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let limit = |store: &Store<()>| {
        let inst = store.store_opaque().instance(instance).unwrap();
        unsafe { *inst.vmctx().cast::<usize>() }
    };
    assert_eq!(limit(&store), 0);
    let f = instance.get_typed_func::<(), i32>(&store, "answer").unwrap();
    f.call(&mut store, ()).unwrap();
    let sp = crate::traps::current_stack_pointer();
    let l = limit(&store);
    // Below the caller's stack pointer by about the configured 512 KiB.
    assert!(l < sp && sp - l < (512 << 10) + (64 << 10), "sp {sp:#x} limit {l:#x}");
}

#[test]
fn modules_and_engines_are_shareable_across_threads() {
    fn check<T: Send + Sync>() {}
    check::<Module>();
    check::<Engine>();
    check::<Linker<()>>();
}

#[test]
fn externrefs_round_trip_through_tables_and_globals() {
    let (mut store, _) = setup("(module)");
    let ty = TableType {
        element: WasmRefType::Extern,
        minimum: 2,
        maximum: None,
    };
    let t = Table::new(&mut store, ty, Val::ExternRef(None)).unwrap();
    let a = ExternRef::new("a");
    let b = ExternRef::new(7u32);
    t.set(&mut store, 0, Val::ExternRef(Some(a.clone()))).unwrap();
    t.set(&mut store, 1, Val::ExternRef(Some(b.clone()))).unwrap();
    let get = |store: &Store<()>, i| match t.get(store, i) {
        Some(Val::ExternRef(Some(r))) => r,
        other => panic!("{other:?}"),
    };
    assert!(ExternRef::ptr_eq(&get(&store, 0), &a));
    assert_eq!(get(&store, 1).data().downcast_ref::<u32>(), Some(&7));
    // The same reference gets the same raw handle.
    t.set(&mut store, 1, Val::ExternRef(Some(a.clone()))).unwrap();
    let raw = &store.store_opaque().table(t).unwrap().elements;
    assert_eq!(raw[0], raw[1]);
    assert_ne!(raw[0], 0);
    let gty = GlobalType {
        ty: kiln_frontend_wasm::WasmValType::Ref(WasmRefType::Extern),
        mutable: true,
    };
    let g = Global::new(&mut store, gty, Val::ExternRef(None)).unwrap();
    g.set(&mut store, Val::ExternRef(Some(b.clone()))).unwrap();
    match g.get(&store).unwrap() {
        Val::ExternRef(Some(r)) => assert!(ExternRef::ptr_eq(&r, &b)),
        other => panic!("{other:?}"),
    }
    assert!(t.set(&mut store, 0, Val::FuncRef(None)).is_err());
}
