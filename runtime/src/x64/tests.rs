//! End-to-end: Wasm compiled by the real backend, run through the embedding API.

use crate::*;
use kiln_ir::TrapCode;

fn instance(config: &Config, text: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, wat::parse_str(text).unwrap()).unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "double", |x: i32| x * 2).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn configs() -> Vec<Config> {
    let mut explicit = Config::new();
    explicit.bounds_checks(BoundsCheckStrategy::Explicit);
    let mut baseline = Config::new();
    baseline.cpu_features(CpuFeatures::Baseline).spectre_mitigation(false);
    vec![Config::new(), explicit, baseline]
}

const PROGRAM: &str = r#"(module
  (import "env" "double" (func $double (param i32) (result i32)))
  (memory (export "mem") 1 4)
  (table 3 funcref)
  (elem (i32.const 0) $add $sub)
  (type $bin (func (param i32 i32) (result i32)))
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "indirect") (param i32 i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "fact") (param i64) (result i64)
    (if (result i64) (i64.le_s (local.get 0) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 5 (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "host") (param i32) (result i32) (i32.add (call $double (local.get 0)) (i32.const 1)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "fmix") (param f64 f32) (result f64) (f64.add (local.get 0) (f64.promote_f32 (local.get 1)))))"#;

#[test]
fn wasm_runs_under_every_configuration() {
    for config in configs() {
        let (mut store, inst) = instance(&config, PROGRAM);
        let typed2 = |store: &Store<()>, n| inst.get_typed_func::<(i32, i32), i32>(store, n).unwrap();
        assert_eq!(typed2(&store, "add").call(&mut store, (40, 2)).unwrap(), 42);
        let ind = inst.get_typed_func::<(i32, i32, i32), i32>(&store, "indirect").unwrap();
        assert_eq!(ind.call(&mut store, (0, 5, 3)).unwrap(), 8);
        assert_eq!(ind.call(&mut store, (1, 5, 3)).unwrap(), 2);
        let e = ind.call(&mut store, (2, 5, 3)).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::IndirectCallToNull);
        let e = ind.call(&mut store, (3, 5, 3)).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::TableOutOfBounds);
        let fact = inst.get_typed_func::<i64, i64>(&store, "fact").unwrap();
        assert_eq!(fact.call(&mut store, 20).unwrap(), 2432902008176640000);
        let host = inst.get_typed_func::<i32, i32>(&store, "host").unwrap();
        assert_eq!(host.call(&mut store, 20).unwrap(), 41);
        let store_fn = inst.get_typed_func::<(i32, i32), ()>(&store, "store").unwrap();
        let load = inst.get_typed_func::<i32, i32>(&store, "load").unwrap();
        store_fn.call(&mut store, (100, 0x12345678)).unwrap();
        assert_eq!(load.call(&mut store, 100).unwrap(), 0x12345678);
        let mem = inst.get_memory(&store, "mem").unwrap();
        let mut b = [0u8; 4];
        mem.read(&store, 100, &mut b).unwrap();
        assert_eq!(b, [0x78, 0x56, 0x34, 0x12]);
        let e = load.call(&mut store, 65534).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::HeapOutOfBounds);
        let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
        assert_eq!(load.call(&mut store, 65534).unwrap(), 0);
        assert_eq!(grow.call(&mut store, 3).unwrap(), -1);
        let fill = inst.get_typed_func::<(i32, i32, i32), ()>(&store, "fill").unwrap();
        fill.call(&mut store, (10, 0xab, 2)).unwrap();
        mem.read(&store, 9, &mut b).unwrap();
        assert_eq!(b, [0, 0xab, 0xab, 0]);
        let e = fill.call(&mut store, (131071, 1, 2)).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::HeapOutOfBounds);
        let div = typed2(&store, "div");
        assert_eq!(div.call(&mut store, (-7, 2)).unwrap(), -3);
        let e = div.call(&mut store, (1, 0)).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::IntegerDivisionByZero);
        let e = div.call(&mut store, (i32::MIN, -1)).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::IntegerOverflow);
        let rec = inst.get_typed_func::<i32, i32>(&store, "rec").unwrap();
        let e = rec.call(&mut store, 0).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::StackOverflow);
        let fmix = inst.get_typed_func::<(f64, f32), f64>(&store, "fmix").unwrap();
        assert_eq!(fmix.call(&mut store, (1.5, 0.25)).unwrap(), 1.75);
    }
}

#[test]
fn unknown_or_missing_cpu_features_are_refused() {
    let mut c = Config::new();
    c.cpu_features(CpuFeatures::parse("avx,teleport"));
    let err = Engine::new(&c).unwrap_err();
    assert_eq!(err.to_string(), "unknown CPU feature `has_teleport`");
}

#[test]
fn many_parameters_multiple_results_globals_tables_and_host_values() {
    let text = r#"(module
      (import "env" "mix" (func $mix (param i32 i64 f32 f64 i32 i32 i32 i32) (result i64 f64)))
      (global $g (export "g") (mut i32) (i32.const 5))
      (table $t (export "t") 1 funcref)
      (type $other (func (param i64)))
      (func $f (param i32) (result i32) local.get 0)
      (elem declare func $f)
      (func (export "many") (param i32 i64 f32 f64 i32 i32 i32 i32) (result i64 f64)
        (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                   (local.get 4) (local.get 5) (local.get 6) (local.get 7)))
      (func (export "bump") (result i32)
        (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))
      (func (export "tgrow") (result i32) (table.grow $t (ref.func $f) (i32.const 2)))
      (func (export "badsig") (call_indirect (type $other) (i64.const 1) (i32.const 1))))"#;
    for config in configs() {
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, wat::parse_str(text).unwrap()).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let mut linker = Linker::<()>::new(&engine);
        linker
            .func_wrap(
                "env",
                "mix",
                |a: i32, b: i64, c: f32, d: f64, e: i32, f: i32, g: i32, h: i32| {
                    (a as i64 + b + (e + f + g + h) as i64, c as f64 * d)
                },
            )
            .unwrap_or_else(|_| unreachable!());
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let many = inst.get_func(&store, "many").unwrap();
        let mut out = [Val::I64(0), Val::F64(0)];
        many.call(
            &mut store,
            &[
                Val::I32(1),
                Val::I64(1 << 40),
                Val::from(1.5f32),
                Val::from(4.0f64),
                Val::I32(10),
                Val::I32(20),
                Val::I32(30),
                Val::I32(40),
            ],
            &mut out,
        )
        .unwrap();
        assert_eq!(out[0].i64(), Some((1 << 40) + 101));
        assert_eq!(out[1].f64(), Some(6.0));
        let bump = inst.get_typed_func::<(), i32>(&store, "bump").unwrap();
        assert_eq!(bump.call(&mut store, ()).unwrap(), 6);
        let g = inst.get_global(&store, "g").unwrap();
        assert_eq!(g.get(&store).unwrap().i32(), Some(6));
        g.set(&mut store, Val::I32(100)).unwrap();
        assert_eq!(bump.call(&mut store, ()).unwrap(), 101);
        let tgrow = inst.get_typed_func::<(), i32>(&store, "tgrow").unwrap();
        assert_eq!(tgrow.call(&mut store, ()).unwrap(), 1);
        let t = inst.get_table(&store, "t").unwrap();
        assert_eq!(t.size(&store).unwrap(), 3);
        assert!(matches!(t.get(&store, 2), Some(Val::FuncRef(Some(_)))));
        let badsig = inst.get_typed_func::<(), ()>(&store, "badsig").unwrap();
        let e = badsig.call(&mut store, ()).unwrap_err();
        assert_eq!(e.as_trap().unwrap().code, TrapCode::BadSignature);
    }
}

#[test]
fn host_errors_and_nested_calls_through_compiled_shims() {
    let text = r#"(module
      (import "env" "check" (func $check (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (i32.mul (call $check (local.get 0)) (i32.const 3)))
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#;
    let engine = Engine::new(&Config::new()).unwrap();
    let module = Module::new(&engine, wat::parse_str(text).unwrap()).unwrap();
    let mut store = Store::new(&engine, None::<Instance>).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "check", |mut caller: Caller<'_, Option<Instance>>, x: i32| {
            if x < 0 {
                return Err(Error::Usage(format!("negative: {x}")));
            }
            // Back into Wasm from the host function.
            let inc = caller
                .data()
                .unwrap()
                .get_typed_func::<i32, i32>(&caller, "inc")?;
            inc.call(&mut caller, x)
        })
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = Some(inst);
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 4).unwrap(), 15);
    let err = run.call(&mut store, -2).unwrap_err();
    assert_eq!(err.to_string(), "negative: -2");
    assert_eq!(run.call(&mut store, 0).unwrap(), 3);
}

#[test]
fn the_single_pass_register_allocator_gives_the_same_results() {
    let config = Config::new();
    let compiler = x64::X64Compiler::new(&config)
        .unwrap()
        .with_fast_regalloc(true);
    let engine = Engine::with_compiler(&config, std::sync::Arc::new(compiler));
    let module = Module::new(&engine, wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "double", |x: i32| x * 2).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let fact = inst.get_typed_func::<i64, i64>(&store, "fact").unwrap();
    assert_eq!(fact.call(&mut store, 20).unwrap(), 2_432_902_008_176_640_000);
    let indirect = inst
        .get_typed_func::<(i32, i32, i32), i32>(&store, "indirect")
        .unwrap();
    assert_eq!(indirect.call(&mut store, (1, 10, 3)).unwrap(), 7);
    let host = inst.get_typed_func::<i32, i32>(&store, "host").unwrap();
    assert_eq!(host.call(&mut store, 20).unwrap(), 41);
}
