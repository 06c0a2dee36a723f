use super::*;
use crate::compiler::{CompiledFunction, Compiler, Reloc};
use crate::testing::wat;
use crate::{Config, CpuFeatures, Global, GlobalType, Linker, Store, UnavailableCompiler, Val};
use kiln_frontend_wasm::WasmValType;
use kiln_ir::{Function, TrapCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Kiln's code generator, counting the functions it compiles.
struct Counting {
    inner: crate::x64::X64Compiler,
    count: AtomicUsize,
}

impl Compiler for Counting {
    fn compile(&self, func: &Function) -> Result<CompiledFunction, crate::CompileError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.compile(func)
    }
}

fn counting_engine(config: &Config) -> (Engine, Arc<Counting>) {
    let c = Arc::new(Counting {
        inner: crate::x64::X64Compiler::new(config).unwrap(),
        count: AtomicUsize::new(0),
    });
    (Engine::with_compiler(config, c.clone()), c)
}

/// An engine with Kiln's code generator.
fn real_engine(config: &Config) -> Engine {
    Engine::new(config).unwrap()
}

/// An engine that cannot compile anything: whatever runs in it was deserialized.
fn compilerless(config: &Config) -> Engine {
    Engine::with_compiler(config, Arc::new(UnavailableCompiler))
}

/// Imports a function, a global, a memory-using data segment, a table with elements,
/// `call_indirect`, a mutable global, a start function and a trap.
const SPECISH: &str = r#"(module $specish
  (type $bin (func (param i32 i32) (result i32)))
  (import "env" "scale" (func $scale (param i32) (result i32)))
  (import "env" "base" (global $base i32))
  (memory (export "mem") 1 2)
  (data (i32.const 16) "kiln\01\02\03\04")
  (table $t 4 funcref)
  (elem (i32.const 1) $add $sub $mul)
  (global $counter (mut i32) (global.get $base))
  (global (export "g64") (mut i64) (i64.const -5))
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $bin) (i32.mul (local.get 0) (local.get 1)))
  (func $start (global.set $counter (i32.add (global.get $counter) (i32.const 1))))
  (start $start)
  (func (export "apply") (param i32 i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "scaled") (param i32) (result i32) (call $scale (local.get 0)))
  (func (export "counter") (result i32) (global.get $counter))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "fact") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 10 (i64.sub (local.get 0) (i64.const 1))))))))"#;

fn show<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Ok(v) => format!("Ok({v:?})"),
        // The pc differs between two copies of the code.
        Err(e) => format!("Err({})", e.to_string().split(" at pc ").next().unwrap()),
    }
}

/// Everything observable of SPECISH's exports, in an engine.
fn observe(engine: &Engine, module: &Module) -> Vec<String> {
    let mut store = Store::new(engine, ()).unwrap();
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("env", "scale", |x: i32| x.wrapping_mul(3))
        .unwrap();
    let base = Global::new(
        &mut store,
        GlobalType {
            ty: WasmValType::I32,
            mutable: false,
        },
        Val::I32(41),
    )
    .unwrap();
    linker.define("env", "base", base).unwrap();
    let inst = linker.instantiate(&mut store, module).unwrap();
    let mut out = Vec::new();
    let apply = inst
        .get_typed_func::<(i32, i32, i32), i32>(&store, "apply")
        .unwrap();
    for slot in 0..5 {
        out.push(format!("apply{slot}: {}", show(apply.call(&mut store, (slot, 7, 5)))));
    }
    let load = inst.get_typed_func::<i32, i32>(&store, "load").unwrap();
    for at in [16, 20, 65532, 65533] {
        out.push(format!("load{at}: {}", show(load.call(&mut store, at))));
    }
    let scaled = inst.get_typed_func::<i32, i32>(&store, "scaled").unwrap();
    out.push(format!("scaled: {}", show(scaled.call(&mut store, 14))));
    let counter = inst.get_typed_func::<(), i32>(&store, "counter").unwrap();
    out.push(format!("counter: {}", show(counter.call(&mut store, ()))));
    let div = inst.get_typed_func::<(i32, i32), i32>(&store, "div").unwrap();
    out.push(format!("div: {}", show(div.call(&mut store, (7, -2)))));
    out.push(format!("div0: {}", show(div.call(&mut store, (7, 0)))));
    let fact = inst.get_typed_func::<i64, i64>(&store, "fact").unwrap();
    out.push(format!("fact: {}", show(fact.call(&mut store, 20))));
    let g = inst.get_global(&store, "g64").unwrap();
    out.push(format!("g64: {:?}", g.get(&store).unwrap().i64()));
    out
}

fn specish(engine: &Engine) -> Module {
    Module::new(engine, wat(SPECISH)).unwrap()
}

#[test]
fn a_module_with_imports_tables_memory_and_globals_round_trips_without_compiling() {
    let config = Config::new();
    let (engine, counter) = counting_engine(&config);
    let module = specish(&engine);
    assert!(counter.count.load(Ordering::Relaxed) > 0);
    let expected = observe(&engine, &module);
    // Independent expectations, so the comparison below compares something real.
    assert_eq!(expected[1], "apply1: Ok(12)");
    assert_eq!(expected[2], "apply2: Ok(2)");
    assert_eq!(expected[3], "apply3: Ok(35)");
    assert!(expected[0].contains("uninitialized element"), "{}", expected[0]);
    assert!(expected[4].contains("undefined element"), "{}", expected[4]);
    assert_eq!(expected[5], format!("load16: Ok({})", i32::from_le_bytes(*b"kiln")));
    assert_eq!(expected[6], "load20: Ok(67305985)");
    assert!(expected[8].contains("out of bounds"), "{}", expected[8]);
    assert_eq!(expected[9], "scaled: Ok(42)");
    assert_eq!(expected[10], "counter: Ok(42)");
    assert_eq!(expected[11], "div: Ok(-3)");
    assert!(expected[12].contains("integer divide by zero"), "{}", expected[12]);
    assert_eq!(expected[13], "fact: Ok(2432902008176640000)");
    assert_eq!(expected[14], "g64: Some(-5)");

    let bytes = module.serialize().unwrap();
    assert!(Module::is_serialized(&bytes));
    let before = counter.count.load(Ordering::Relaxed);
    // Into an engine without a code generator: nothing can be compiled, so all code
    // (including the host-function glue of the import) comes from the artifact.
    let bare = compilerless(&config);
    let loaded = Module::deserialize(&bare, &bytes).unwrap();
    assert_eq!(loaded.name(), Some("specish"));
    assert_eq!(
        loaded.imports().map(|(m, n, _)| format!("{m}::{n}")).collect::<Vec<_>>(),
        ["env::scale", "env::base"]
    );
    assert_eq!(loaded.exports().count(), module.exports().count());
    assert_eq!(observe(&bare, &loaded), expected);
    // And into the compiling engine: still no compilation.
    let again = Module::deserialize(&engine, &bytes).unwrap();
    assert_eq!(observe(&engine, &again), expected);
    assert_eq!(counter.count.load(Ordering::Relaxed), before);
    // A deserialized module serializes to the same bytes.
    assert_eq!(loaded.serialize().unwrap(), bytes);
}

#[test]
fn deserialize_file_reads_the_file_and_names_a_missing_one() {
    let engine = real_engine(&Config::new());
    let module = Module::new(&engine, wat(r#"(module (func (export "f") (result i32) i32.const 3))"#))
        .unwrap();
    let path = std::env::temp_dir().join(format!("kiln-ser-{}.kwasm", std::process::id()));
    std::fs::write(&path, module.serialize().unwrap()).unwrap();
    let loaded = Module::deserialize_file(&engine, &path).unwrap();
    let _ = std::fs::remove_file(&path);
    let mut store = Store::new(&engine, ()).unwrap();
    let inst = crate::Instance::new(&mut store, &loaded, &[]).unwrap();
    let f = inst.get_typed_func::<(), i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 3);
    let err = Module::deserialize_file(&engine, &path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read serialized module {}: ", path.display())),
        "{err}"
    );
}

fn small_artifact(config: &Config) -> Vec<u8> {
    let engine = real_engine(config);
    let module = Module::new(
        &engine,
        wat(r#"(module (memory 1) (func (export "f") (param i32) (result i32)
                 (i32.load (local.get 0))))"#),
    )
    .unwrap();
    module.serialize().unwrap()
}

fn load_err(config: &Config, bytes: &[u8]) -> String {
    match Module::deserialize(&compilerless(config), bytes) {
        Ok(_) => panic!("loaded"),
        Err(Error::Deserialize(e)) => e.to_string(),
        Err(e) => panic!("not a deserialization error: {e}"),
    }
}

#[test]
fn other_cpu_features_are_rejected() {
    let host = Flags::detect_host();
    let mut baseline = Config::new();
    baseline.cpu_features(CpuFeatures::Baseline);
    let bytes = small_artifact(&baseline);
    let mut popcnt = Config::new();
    popcnt.cpu_features(CpuFeatures::parse("popcnt"));
    if !host.has_popcnt {
        eprintln!("skipped: the host has no popcnt");
        return;
    }
    assert_eq!(
        load_err(&popcnt, &bytes),
        "serialized module was compiled for CPU features [baseline], but the engine uses [has_popcnt]"
    );
    if host.has_avx {
        let mut avx = Config::new();
        avx.cpu_features(CpuFeatures::parse("avx,popcnt"));
        let bytes = small_artifact(&avx);
        assert_eq!(
            load_err(&baseline, &bytes),
            "serialized module was compiled for CPU features [has_avx has_popcnt], but the engine uses [baseline]"
        );
        assert_eq!(
            load_err(&popcnt, &bytes),
            "serialized module was compiled for CPU features [has_avx has_popcnt], but the engine uses [has_popcnt]"
        );
        assert!(Module::deserialize(&compilerless(&avx), &bytes).is_ok());
    }
}

#[test]
fn other_code_generation_settings_are_rejected() {
    let base = Config::new();
    let bytes = small_artifact(&base);
    let mut explicit = base.clone();
    explicit.bounds_checks(BoundsCheckStrategy::Explicit);
    assert_eq!(
        load_err(&explicit, &bytes),
        "serialized module was compiled with bounds checks = guard, but the engine has explicit"
    );
    let mut spectre_off = base.clone();
    spectre_off.spectre_mitigation(false);
    assert_eq!(
        load_err(&spectre_off, &bytes),
        "serialized module was compiled with Spectre mitigation = on, but the engine has off"
    );
    let mut small = base.clone();
    small.memory_reservation(1 << 20);
    assert_eq!(
        load_err(&small, &bytes),
        "serialized module was compiled with memory reservation = 4294967296, but the engine has 1048576"
    );
    let mut guard = base.clone();
    guard.memory_guard_size(1 << 16);
    assert_eq!(
        load_err(&guard, &bytes),
        "serialized module was compiled with memory guard size = 2147483648, but the engine has 65536"
    );
    // Settings that do not change code do not matter.
    let mut other = base.clone();
    other.parallel_compilation(false).max_wasm_stack(1 << 20);
    assert!(Module::deserialize(&compilerless(&other), &bytes).is_ok());
    // Explicit checks ignore the reservation and guard sizes.
    let bytes = small_artifact(&explicit);
    let mut explicit_small = explicit.clone();
    explicit_small.memory_reservation(1 << 20);
    assert!(Module::deserialize(&compilerless(&explicit_small), &bytes).is_ok());
    assert_eq!(
        load_err(&base, &bytes),
        "serialized module was compiled with bounds checks = explicit, but the engine has guard"
    );
}

/// Rewrites the header of `bytes` with `edit` applied, with a valid checksum.
fn reseal(bytes: &[u8], edit: impl FnOnce(&mut CodegenSettings<'_>)) -> Vec<u8> {
    let (mut settings, payload) = unseal(bytes).unwrap();
    edit(&mut settings);
    seal(&settings, payload).unwrap()
}

#[test]
fn other_kiln_versions_and_targets_are_rejected() {
    let config = Config::new();
    let bytes = small_artifact(&config);
    assert_eq!(reseal(&bytes, |_| ()), bytes);
    let bumped = reseal(&bytes, |s| s.kiln_version = "0.2.0");
    assert_eq!(
        load_err(&config, &bumped),
        format!(
            "serialized module was compiled by Kiln 0.2.0, but this is Kiln {}",
            env!("CARGO_PKG_VERSION")
        )
    );
    let arm = reseal(&bytes, |s| s.target = "aarch64");
    assert_eq!(
        load_err(&config, &arm),
        "serialized module was compiled for target aarch64, but this engine targets x86_64"
    );
    let mut v2 = bytes.clone();
    v2[8] = 2;
    assert_eq!(
        load_err(&config, &v2),
        "serialized module has format version 2, but this Kiln reads version 1"
    );
}

#[test]
fn wrong_magic_is_rejected() {
    let config = Config::new();
    let wasm = wat("(module)");
    assert_eq!(
        load_err(&config, &wasm),
        "not a serialized Kiln module (wrong magic bytes)"
    );
    assert!(!Module::is_serialized(&wasm));
    let mut bytes = small_artifact(&config);
    bytes[3] = b'X';
    assert_eq!(
        load_err(&config, &bytes),
        "not a serialized Kiln module (wrong magic bytes)"
    );
    assert_eq!(
        load_err(&config, b"KILN"),
        "not a serialized Kiln module (wrong magic bytes)"
    );
}

/// Length of the header of `bytes` (everything before the payload).
fn header_len(bytes: &[u8]) -> usize {
    let (_, payload) = unseal(bytes).unwrap();
    bytes.len() - payload.len()
}

#[test]
fn truncated_artifacts_are_rejected_at_every_header_length_and_many_payload_lengths() {
    let config = Config::new();
    let bytes = small_artifact(&config);
    let header = header_len(&bytes);
    // 24 fixed bytes, "0.1.0"-like version, "x86_64", flags and settings.
    assert!(header > 24 + 1 + 1 + 6 + 4 + 1 + 16 + 2, "{header}");
    let total = bytes.len();
    let mut lengths: Vec<usize> = (0..=header).collect();
    lengths.extend((header..total).step_by(7));
    lengths.push(total - 1);
    for len in lengths {
        let msg = load_err(&config, &bytes[..len]);
        let expected = if len < 24 { 24 } else { total };
        assert_eq!(
            msg,
            format!("truncated serialized module: {len} bytes, expected at least {expected}"),
            "at length {len}"
        );
    }
    // A length field below the header's own size.
    let mut short = bytes.clone();
    short[16..24].copy_from_slice(&3u64.to_le_bytes());
    assert_eq!(
        load_err(&config, &short),
        format!("corrupted serialized module: {total} bytes, but its header says 3")
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        load_err(&config, &longer),
        format!(
            "corrupted serialized module: {} bytes, but its header says {total}",
            total + 1
        )
    );
}

#[test]
fn flipped_bits_anywhere_are_rejected() {
    let config = Config::new();
    let bytes = small_artifact(&config);
    let total = bytes.len();
    let header = header_len(&bytes);
    // Every bit of the header, then a sample of the payload's bits.
    let mut bits: Vec<usize> = (0..header * 8).collect();
    bits.extend((header * 8..total * 8).step_by(13));
    bits.push(total * 8 - 1);
    for bit in bits {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let msg = load_err(&config, &flipped);
        let ok = match bit / 8 {
            0..8 => msg == "not a serialized Kiln module (wrong magic bytes)",
            8..12 => msg.starts_with("serialized module has format version "),
            // The length: too long reads as truncated, too short as trailing bytes.
            16..24 => {
                msg.starts_with("truncated serialized module: ")
                    || msg.starts_with(&format!("corrupted serialized module: {total} bytes"))
            }
            _ => msg.starts_with("corrupted serialized module: checksum mismatch (stored 0x"),
        };
        assert!(ok, "bit {bit}: {msg}");
    }
}

/// Re-encodes a decoded payload after `edit`, with a valid header, so only the structural
/// checks can catch what `edit` broke.
fn tamper(bytes: &[u8], edit: impl FnOnce(&mut Payload)) -> Vec<u8> {
    let (settings, payload) = unseal(bytes).unwrap();
    let mut p: Payload = postcard::from_bytes(payload).unwrap();
    edit(&mut p);
    let encoded = postcard::to_allocvec(&PayloadRef {
        info: &p.info,
        artifact: ArtifactRef {
            functions: &p.artifact.functions,
            trampoline_slots: &p.artifact.trampoline_slots,
            host_shims: &p.artifact.host_shims,
        },
    })
    .unwrap();
    seal(&settings, &encoded).unwrap()
}

type Edit = Box<dyn FnOnce(&mut Payload)>;

#[test]
fn inconsistent_payloads_are_rejected_before_code_is_mapped() {
    let config = Config::new();
    let engine = real_engine(&config);
    let bytes = specish(&engine).serialize().unwrap();
    assert_eq!(tamper(&bytes, |_| ()), bytes);
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|p| p.artifact.functions[0].func.traps.push((100_000, TrapCode::HeapOutOfBounds))),
            "invalid serialized module: trap site heap_oob at offset 0x186a0 is outside `add`",
        ),
        (
            Box::new(|p| {
                let f = &mut p.artifact.functions[1].func;
                let at = f.code.len() as u32 - 2;
                f.relocs.push(Reloc {
                    offset: at,
                    kind: RelocKind::X86CallPCRel4,
                    target: kiln_frontend_wasm::function_name(1),
                    addend: -4,
                });
            }),
            "invalid serialized module: relocation at offset 0x",
        ),
        (
            Box::new(|p| {
                p.artifact.functions[1].func.relocs.push(Reloc {
                    offset: 0,
                    kind: RelocKind::X86CallPCRel4,
                    target: UserFuncName::user(0, 99),
                    addend: 0,
                })
            }),
            "invalid serialized module: relocation in `sub` targets unknown function `u0:99`",
        ),
        (
            Box::new(|p| p.info.functions[3] = 77),
            "invalid serialized module: function 3 has type 77",
        ),
        (
            Box::new(|p| p.info.exports[0].index = EntityIndex::Function(1000)),
            "invalid serialized module: export `mem` refers to Function(1000)",
        ),
        (
            Box::new(|p| p.info.global_inits[0].0[0] = ConstOp::GlobalGet(1)),
            "invalid serialized module: global.get 1",
        ),
        (
            Box::new(|p| p.info.functions.resize(2_000_000, 0)),
            "invalid serialized module: 2000000 functions",
        ),
        (
            Box::new(|p| p.info.start = Some(12)),
            "invalid serialized module: start function 12",
        ),
        (
            Box::new(|p| p.artifact.trampoline_slots[0] = 0),
            "invalid serialized module: the trampoline of type 0 is function 0",
        ),
        (
            Box::new(|p| {
                p.artifact.functions.pop();
                p.artifact.functions.truncate(3);
            }),
            "invalid serialized module: 3 compiled functions for 10 defined functions",
        ),
        (
            Box::new(|p| p.info.num_imported_globals = 0),
            "invalid serialized module: global initialisers do not match the globals",
        ),
        (
            Box::new(|p| p.info.imports[1].index = EntityIndex::Global(1)),
            "invalid serialized module: import `env::base` has index 1",
        ),
        (
            Box::new(|p| {
                if let ElementMode::Active { table, .. } = &mut p.info.elements[0].mode {
                    *table = 5;
                }
            }),
            "invalid serialized module: element segment 0 targets table 5",
        ),
        (
            Box::new(|p| p.info.function_names = vec![(5, "b".into()), (2, "a".into())]),
            "invalid serialized module: function names are not sorted by index",
        ),
    ];
    for (edit, expected) in cases {
        let msg = load_err(&config, &tamper(&bytes, edit));
        assert!(msg.starts_with(expected), "{msg}\nexpected: {expected}");
    }
    // Garbage that passes the checksum does not decode.
    let (settings, _) = unseal(&bytes).unwrap();
    let garbage = seal(&settings, &[0xff; 40]).unwrap();
    assert!(
        load_err(&config, &garbage).starts_with("invalid serialized module: the payload does not decode: "),
        "{}",
        load_err(&config, &garbage)
    );
}

#[test]
fn serialization_is_reproducible() {
    // Parallel compilation must not change the artifact: the same module and configuration
    // give the same bytes, whichever thread compiled which function.
    let mut parallel = Config::new();
    parallel.parallel_compilation(true);
    let mut sequential = Config::new();
    sequential.parallel_compilation(false);
    let a = specish(&real_engine(&parallel)).serialize().unwrap();
    let b = specish(&real_engine(&sequential)).serialize().unwrap();
    let c = specish(&real_engine(&parallel)).serialize().unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
}
