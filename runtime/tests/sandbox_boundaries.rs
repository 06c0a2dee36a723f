//! Stack and host boundaries, with the real code generator, under guard pages and explicit
//! bounds checks: deep recursion (direct, indirect, with large frames, and through host
//! functions) ends in a clean `call stack exhausted` trap after which the store keeps working;
//! a trap in the innermost Wasm of a host → Wasm → host → Wasm chain unwinds to the right
//! frame (the host function in between sees it as an error it may handle or pass on); a host
//! function's error reaches the outermost caller as that error.

use kiln_ir::TrapCode;
use kiln_runtime::{
    BoundsCheckStrategy, Caller, Config, Engine, Error, Instance, Linker, Module, Store,
};

fn configs() -> Vec<(&'static str, Config)> {
    let mut explicit = Config::new();
    explicit.bounds_checks(BoundsCheckStrategy::Explicit);
    let mut explicit_nospectre = Config::new();
    explicit_nospectre
        .bounds_checks(BoundsCheckStrategy::Explicit)
        .spectre_mitigation(false);
    vec![
        ("guard", Config::new()),
        ("explicit", explicit),
        ("explicit spectre=off", explicit_nospectre),
    ]
}

fn trap_code(e: &Error) -> TrapCode {
    e.as_trap()
        .unwrap_or_else(|| panic!("expected a trap, got {e}"))
        .code
}

const RECURSION: &str = r#"(module
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $ping $pong)
  (func $rec (export "rec") (param i32) (result i32)
    (global.set $g (local.get 0))
    (call $rec (i32.add (local.get 0) (i32.const 1))))
  ;; A bounded recursion: sum 0..n, to check that moderate depth works.
  (func $sum (export "sum") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (local.get 0) (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
  ;; Mutual recursion through the table.
  (func $ping (param i32) (result i32)
    (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 1)))
  (func $pong (param i32) (result i32)
    (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))
  (func (export "indirect") (param i32) (result i32) (call $ping (local.get 0)))
  ;; Large frames: many live locals and stack arguments on every level.
  (func $wide (export "wide")
        (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
        (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 20 (i64.add (local.get 0) (local.get 9)))
    (local.set 21 (i64.mul (local.get 1) (local.get 8)))
    (i64.add (local.get 20)
      (i64.add (local.get 21)
        (call $wide (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                    (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 0)
                    (local.get 11) (local.get 12) (local.get 13) (local.get 14) (local.get 15)
                    (local.get 16) (local.get 17) (local.get 18) (local.get 19) (local.get 10)))))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#;

#[test]
fn deep_recursion_traps_cleanly_and_the_store_keeps_working() {
    for (name, mut config) in configs() {
        config.max_wasm_stack(256 << 10);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, wat::parse_str(RECURSION).unwrap()).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let rec = inst.get_typed_func::<i32, i32>(&store, "rec").unwrap();
        let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
        let indirect = inst.get_typed_func::<i32, i32>(&store, "indirect").unwrap();
        let load = inst.get_typed_func::<i32, i32>(&store, "load").unwrap();
        let wide = inst.get_func(&store, "wide").unwrap();
        let g = inst.get_global(&store, "g").unwrap();
        for round in 0..3 {
            let e = rec.call(&mut store, 0).unwrap_err();
            assert_eq!(
                trap_code(&e),
                TrapCode::StackOverflow,
                "[{name}] round {round}"
            );
            // The recursion really went deep before it stopped (each level stored its depth).
            let depth = g.get(&store).unwrap().i32().unwrap();
            assert!(depth > 1000, "[{name}] stopped at depth {depth}");
            let e = indirect.call(&mut store, 0).unwrap_err();
            assert_eq!(trap_code(&e), TrapCode::StackOverflow, "[{name}] indirect");
            let mut out = [kiln_runtime::Val::I64(0)];
            let args: Vec<kiln_runtime::Val> = (0..10)
                .map(kiln_runtime::Val::I64)
                .chain((0..10).map(|i| kiln_runtime::Val::from(i as f64)))
                .collect();
            let e = wide.call(&mut store, &args, &mut out).unwrap_err();
            assert_eq!(
                trap_code(&e),
                TrapCode::StackOverflow,
                "[{name}] wide frames"
            );
            // Everything still works: a bounded recursion, memory, traps of other kinds.
            assert_eq!(sum.call(&mut store, 1000).unwrap(), 500_500, "[{name}]");
            assert_eq!(load.call(&mut store, 0).unwrap(), 0);
            let e = load.call(&mut store, 65533).unwrap_err();
            assert_eq!(trap_code(&e), TrapCode::HeapOutOfBounds, "[{name}]");
        }
    }
}

const CHAIN: &str = r#"(module
  (import "host" "mid" (func $mid (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $steps (export "steps") (mut i32) (i32.const 0))
  ;; outer: Wasm called by the host; calls the host, which calls `inner`.
  (func (export "outer") (param i32) (result i32)
    (global.set $steps (i32.add (global.get $steps) (i32.const 1)))
    (i32.add (call $mid (local.get 0)) (i32.const 1000)))
  ;; inner: traps for a negative argument (out-of-bounds load), else returns it doubled.
  (func (export "inner") (param i32) (result i32)
    (global.set $steps (i32.add (global.get $steps) (i32.const 10)))
    (if (i32.lt_s (local.get 0) (i32.const 0))
      (then (drop (i32.load (i32.const 65536)))))
    (i32.mul (local.get 0) (i32.const 2)))
  ;; A recursion that goes through the host on every level.
  (func (export "bounce") (param i32) (result i32)
    (call $mid (local.get 0))))"#;

/// What `host.mid` does with the call into `inner`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mid {
    /// Returns the inner result or passes its error on with `?`.
    PassOn,
    /// Catches the inner trap and returns -1 instead.
    Handle,
    /// Fails by itself with a host error, without calling Wasm.
    Fail,
    /// Calls `bounce` again: an endless Wasm → host → Wasm recursion.
    Bounce,
}

struct State {
    inst: Option<Instance>,
    mode: Mid,
    seen: Vec<String>,
}

#[derive(Debug)]
struct Refused(i32);
impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host refused {}", self.0)
    }
}
impl std::error::Error for Refused {}

fn chain(config: &Config) -> (Store<State>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, wat::parse_str(CHAIN).unwrap()).unwrap();
    let mut store = Store::new(
        &engine,
        State {
            inst: None,
            mode: Mid::PassOn,
            seen: vec![],
        },
    )
    .unwrap();
    let mut linker = Linker::<State>::new(&engine);
    linker
        .func_wrap(
            "host",
            "mid",
            |mut caller: Caller<'_, State>, x: i32| -> Result<i32, Error> {
                let inst = caller.data().inst.unwrap();
                match caller.data().mode {
                    Mid::Fail => Err(Error::host(Refused(x))),
                    Mid::Bounce => {
                        let bounce = inst.get_typed_func::<i32, i32>(&caller, "bounce")?;
                        bounce.call(&mut caller, x + 1)
                    }
                    mode => {
                        let inner = inst.get_typed_func::<i32, i32>(&caller, "inner")?;
                        match inner.call(&mut caller, x) {
                            Ok(v) => Ok(v),
                            Err(e) => {
                                caller.data_mut().seen.push(e.to_string());
                                if mode == Mid::Handle {
                                    Ok(-1)
                                } else {
                                    Err(e)
                                }
                            }
                        }
                    }
                }
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    store.data_mut().inst = Some(inst);
    (store, inst)
}

#[test]
fn a_trap_in_the_innermost_wasm_of_a_host_chain_unwinds_to_the_right_frame() {
    for (name, config) in configs() {
        let (mut store, inst) = chain(&config);
        let outer = inst.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        let steps = inst.get_global(&store, "steps").unwrap();
        let steps_now = |s: &Store<State>| steps.get(s).unwrap().i32().unwrap();

        // host → outer → mid → inner, no trap.
        assert_eq!(outer.call(&mut store, 21).unwrap(), 1042, "[{name}]");
        assert_eq!(steps_now(&store), 11);

        // The inner trap passes through the host function to the outermost caller.
        let e = outer.call(&mut store, -5).unwrap_err();
        assert_eq!(trap_code(&e), TrapCode::HeapOutOfBounds, "[{name}]");
        assert_eq!(store.data().seen.len(), 1, "[{name}] mid saw the trap");
        assert!(
            store.data().seen[0].contains("out of bounds"),
            "{:?}",
            store.data().seen
        );
        // Both Wasm activations ran up to the trap, and no further.
        assert_eq!(steps_now(&store), 22);

        // The host function handles the trap: only the inner activation is unwound, the
        // outer one continues with the host's result.
        store.data_mut().mode = Mid::Handle;
        assert_eq!(outer.call(&mut store, -5).unwrap(), 999, "[{name}]");
        assert_eq!(steps_now(&store), 33);

        // The store is usable afterwards, by every path.
        store.data_mut().mode = Mid::PassOn;
        assert_eq!(outer.call(&mut store, 1).unwrap(), 1002, "[{name}]");
        let inner = inst.get_typed_func::<i32, i32>(&store, "inner").unwrap();
        assert_eq!(inner.call(&mut store, 4).unwrap(), 8);
        let e = inner.call(&mut store, -1).unwrap_err();
        assert_eq!(trap_code(&e), TrapCode::HeapOutOfBounds);
        let mem = inst.get_memory(&store, "mem").unwrap();
        mem.write(&mut store, 65532, &[1, 2, 3, 4]).unwrap();
        assert_eq!(mem.data(&store).unwrap()[65535], 4);
    }
}

#[test]
fn a_host_error_reaches_the_outermost_caller_as_that_error() {
    for (name, config) in configs() {
        let (mut store, inst) = chain(&config);
        let outer = inst.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        store.data_mut().mode = Mid::Fail;
        match outer.call(&mut store, 7) {
            Err(Error::Host(e)) => assert_eq!(e.to_string(), "host refused 7", "[{name}]"),
            other => panic!("[{name}] expected the host error, got {other:?}"),
        }
        // The Wasm frame below the failing host function did not continue.
        let steps = inst.get_global(&store, "steps").unwrap();
        assert_eq!(steps.get(&store).unwrap().i32(), Some(1));
        store.data_mut().mode = Mid::PassOn;
        assert_eq!(outer.call(&mut store, 2).unwrap(), 1004, "[{name}]");
    }
}

#[test]
fn recursion_through_host_functions_ends_in_a_stack_overflow_trap() {
    for (name, mut config) in configs() {
        config.max_wasm_stack(256 << 10);
        let (mut store, inst) = chain(&config);
        store.data_mut().mode = Mid::Bounce;
        let bounce = inst.get_typed_func::<i32, i32>(&store, "bounce").unwrap();
        for _ in 0..2 {
            let e = bounce.call(&mut store, 0).unwrap_err();
            assert_eq!(trap_code(&e), TrapCode::StackOverflow, "[{name}]");
        }
        store.data_mut().mode = Mid::PassOn;
        let outer = inst.get_typed_func::<i32, i32>(&store, "outer").unwrap();
        assert_eq!(outer.call(&mut store, 3).unwrap(), 1006, "[{name}]");
    }
}

/// A thread whose stack is smaller than `max_wasm_stack`: the recursion reaches the thread's
/// guard page before the limit check, and the fault is still a clean stack-overflow trap.
#[test]
fn recursion_on_a_small_thread_stack_is_a_stack_overflow_trap() {
    for (name, config) in configs() {
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, wat::parse_str(RECURSION).unwrap()).unwrap();
        let result = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                let mut store = Store::new(&engine, ()).unwrap();
                let inst = Instance::new(&mut store, &module, &[]).unwrap();
                let rec = inst.get_typed_func::<i32, i32>(&store, "rec").unwrap();
                let sum = inst.get_typed_func::<i32, i32>(&store, "sum").unwrap();
                let mut codes = vec![];
                for _ in 0..2 {
                    codes.push(trap_code(&rec.call(&mut store, 0).unwrap_err()));
                }
                (codes, sum.call(&mut store, 100).unwrap())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(
            result,
            (vec![TrapCode::StackOverflow; 2], 5050),
            "[{name}] (default max_wasm_stack is 512 KiB, the thread has 256 KiB)"
        );
    }
}
