//! `wasm_differential`: a `wasm-smith` module in Kiln (guard pages and explicit bounds checks
//! with the host's CPU features, guard pages with the SSE2 baseline) and in `wasmi`. Both instantiate it, call every exported function in export order with the
//! same arguments, and then read every exported memory, global and table; the traces must be
//! equal (traps compared by kind).
//!
//! Modules have no imports, all loops and calls draw on a fuel global (running out traps
//! with `unreachable` in both engines alike), and NaNs are canonicalised by the generator,
//! since Wasm leaves the bits of a NaN result unspecified.

use crate::wasm_gen;
use arbitrary::Unstructured;
use std::sync::OnceLock;
use wasmparser::{ExternalKind, Parser, Payload};

/// A value as both engines can report it (references only as null or not: their identities
/// are engine-specific).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum V {
    /// `i32`.
    I32(u32),
    /// `i64`.
    I64(u64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// A reference; `true` if null.
    Ref(bool),
}

/// Trap kinds both engines distinguish.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrapKind {
    /// `unreachable` (also: the fuel ran out).
    Unreachable,
    /// Memory access out of bounds.
    MemoryOutOfBounds,
    /// Table access out of bounds (including `call_indirect`'s index).
    TableOutOfBounds,
    /// `call_indirect` of a null entry.
    IndirectCallToNull,
    /// `call_indirect` with the wrong type.
    BadSignature,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Integer overflow (`i32.div_s` of MIN by -1, float-to-int out of range).
    IntegerOverflow,
    /// Float-to-int conversion of a NaN.
    BadConversionToInteger,
    /// The call stack is exhausted: engine-specific, so it ends the comparison.
    StackOverflow,
    /// Anything else (an error that is not a trap), with no further detail compared.
    Other,
}

/// What happened, event by event.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Event {
    /// Instantiation (with the start function) succeeded or trapped.
    Instantiate(Result<(), TrapKind>),
    /// A call of an export.
    Call(String, Result<Vec<V>, TrapKind>),
    /// The contents of an exported memory at the end.
    Memory(String, Vec<u8>),
    /// The value of an exported global at the end.
    Global(String, V),
    /// An exported table at the end: which elements are null.
    Table(String, Vec<bool>),
}

/// The exports of a module (name and kind), in the module's order.
struct Exports {
    items: Vec<(String, ExternalKind)>,
}

fn exports(wasm: &[u8]) -> Option<Exports> {
    let mut items = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ExportSection(r) = payload.ok()? {
            for e in r {
                let e = e.ok()?;
                items.push((e.name.to_string(), e.kind));
            }
        }
    }
    Some(Exports { items })
}

/// Argument bits for the `i`-th parameter of any call: deterministic, from the input's tail.
#[derive(Clone)]
struct Args(Vec<u64>);

impl Args {
    fn get(&self, i: usize) -> u64 {
        if self.0.is_empty() {
            0
        } else {
            self.0[i % self.0.len()]
        }
    }
}

/// Runs `data`'s module in both engines and compares; panics with the module (as text, if it
/// prints) on a difference. Returns the agreed trace, or `None` if the module was not
/// compared (wasmi rejects it).
pub fn wasm_differential(data: &[u8]) -> Option<Vec<Event>> {
    let (wasm, args) = module_and_args(data)?;
    compare_module(&wasm, &args)
}

/// The module and the argument bits [`wasm_differential`] makes of `data` (for reproducers).
pub fn module_and_args(data: &[u8]) -> Option<(Vec<u8>, Vec<u64>)> {
    let mut u = Unstructured::new(data);
    let wasm = wasm_gen::differential_module(&mut u).ok()?;
    let mut args = Vec::new();
    for _ in 0..8 {
        let edge: u64 = match u.int_in_range(0..=4u8).unwrap_or(0) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            3 => 0x8000_0000,
            _ => u.arbitrary().unwrap_or(0),
        };
        args.push(edge);
    }
    Some((wasm, args))
}

/// Compares a given module; the `i`-th parameter of every call gets `args[i % len]` (bits).
pub fn compare_module(wasm: &[u8], args: &[u64]) -> Option<Vec<Event>> {
    check(wasm, &Args(args.to_vec()))
}

fn check(wasm: &[u8], args: &Args) -> Option<Vec<Event>> {
    let ex = exports(wasm)?;
    let want = wasmi_trace(wasm, &ex, args)?;
    // wasmi 2.0.0 is not always deterministic: a module has been seen to leave a different
    // value in a global on its first run than on later runs (fuzz/artifacts-notes). Compare
    // only against a reference that agrees with itself.
    if wasmi_trace(wasm, &ex, args)? != want {
        return None;
    }
    for setup in KilnSetup::ALL {
        let got = kiln_trace(wasm, &ex, args, setup);
        // A stack overflow depends on frame sizes: compare only up to the first one.
        let n = want
            .iter()
            .zip(&got)
            .take_while(|(a, b)| !overflowed(a) && !overflowed(b))
            .count();
        let stopped = want.get(n).is_some_and(overflowed) || got.get(n).is_some_and(overflowed);
        let same = if stopped {
            want[..n] == got[..n]
        } else {
            want == got
        };
        if !same {
            let first = want.iter().zip(&got).position(|(a, b)| a != b).unwrap_or(n);
            panic!(
                "Kiln ({setup:?}) and wasmi disagree at event {first}:\n  \
                 wasmi: {:?}\n  kiln:  {:?}\nmodule:\n{}",
                want.get(first),
                got.get(first),
                wasmprinter::print_bytes(wasm).unwrap_or_default()
            );
        }
    }
    Some(want)
}

fn overflowed(e: &Event) -> bool {
    matches!(
        e,
        Event::Instantiate(Err(TrapKind::StackOverflow))
            | Event::Call(_, Err(TrapKind::StackOverflow))
    )
}

// ---- wasmi ----

fn wasmi_engine() -> &'static wasmi::Engine {
    static E: OnceLock<wasmi::Engine> = OnceLock::new();
    E.get_or_init(wasmi::Engine::default)
}

fn wasmi_trap(e: &wasmi::Error) -> TrapKind {
    use wasmi::TrapCode as T;
    match e.as_trap_code() {
        Some(T::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(T::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
        Some(T::TableOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(T::IndirectCallToNull) => TrapKind::IndirectCallToNull,
        Some(T::BadSignature) => TrapKind::BadSignature,
        Some(T::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
        Some(T::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(T::BadConversionToInteger) => TrapKind::BadConversionToInteger,
        Some(T::StackOverflow) => TrapKind::StackOverflow,
        _ => TrapKind::Other,
    }
}

fn wasmi_val(v: &wasmi::Val) -> V {
    match v {
        wasmi::Val::I32(x) => V::I32(*x as u32),
        wasmi::Val::I64(x) => V::I64(*x as u64),
        wasmi::Val::F32(x) => V::F32(x.to_bits()),
        wasmi::Val::F64(x) => V::F64(x.to_bits()),
        wasmi::Val::FuncRef(r) => V::Ref(r.is_null()),
        wasmi::Val::ExternRef(r) => V::Ref(r.is_null()),
        wasmi::Val::V128(_) => V::Ref(false),
    }
}

fn wasmi_arg(ty: &wasmi::ValType, bits: u64) -> wasmi::Val {
    use wasmi::ValType as T;
    match ty {
        T::I32 => wasmi::Val::I32(bits as i32),
        T::I64 => wasmi::Val::I64(bits as i64),
        T::F32 => wasmi::Val::F32(wasmi::F32::from_bits(bits as u32)),
        T::F64 => wasmi::Val::F64(wasmi::F64::from_bits(bits)),
        other => wasmi::Val::default_for_ty(*other),
    }
}

/// The trace in wasmi, or `None` if wasmi does not take the module.
fn wasmi_trace(wasm: &[u8], ex: &Exports, args: &Args) -> Option<Vec<Event>> {
    let engine = wasmi_engine();
    let module = wasmi::Module::new(engine, wasm).ok()?;
    let mut store = wasmi::Store::new(engine, ());
    let linker = wasmi::Linker::<()>::new(engine);
    let mut trace = Vec::new();
    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            trace.push(Event::Instantiate(Err(instantiation_trap(wasmi_trap(&e)))));
            return Some(trace);
        }
    };
    trace.push(Event::Instantiate(Ok(())));
    for (name, kind) in &ex.items {
        if *kind != ExternalKind::Func {
            continue;
        }
        let f = instance.get_func(&store, name)?;
        let ty = f.ty(&store);
        let params: Vec<wasmi::Val> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| wasmi_arg(t, args.get(i)))
            .collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        let r = f
            .call(&mut store, &params, &mut results)
            .map(|()| results.iter().map(wasmi_val).collect())
            .map_err(|e| wasmi_trap(&e));
        trace.push(Event::Call(name.clone(), r));
    }
    for (name, kind) in &ex.items {
        match kind {
            ExternalKind::Memory => {
                let m = instance.get_memory(&store, name)?;
                trace.push(Event::Memory(name.clone(), m.data(&store).to_vec()));
            }
            ExternalKind::Global => {
                let g = instance.get_global(&store, name)?;
                trace.push(Event::Global(name.clone(), wasmi_val(&g.get(&store))));
            }
            ExternalKind::Table => {
                let t = instance.get_table(&store, name)?;
                let nulls = (0..t.size(&store))
                    .map(|i| match t.get(&store, i) {
                        Some(wasmi::Ref::Func(f)) => f.is_null(),
                        Some(wasmi::Ref::Extern(e)) => e.is_null(),
                        None => true,
                    })
                    .collect();
                trace.push(Event::Table(name.clone(), nulls));
            }
            _ => {}
        }
    }
    Some(trace)
}

/// Instantiation failures are compared only as "failed": engines report out-of-bounds
/// segments as traps or as errors.
fn instantiation_trap(k: TrapKind) -> TrapKind {
    match k {
        TrapKind::StackOverflow => k,
        _ => TrapKind::Other,
    }
}

// ---- Kiln ----

/// The Kiln configurations compared with wasmi.
#[derive(Clone, Copy, Debug)]
pub enum KilnSetup {
    /// Guard pages, the host's CPU features.
    Guard,
    /// Explicit bounds checks, the host's CPU features.
    Explicit,
    /// Guard pages, SSE2 only (no AVX, BMI, LZCNT, POPCNT, SSE4.1).
    GuardBaselineCpu,
}

impl KilnSetup {
    /// Every configuration, in the order they are compared.
    pub const ALL: [KilnSetup; 3] = [
        KilnSetup::Guard,
        KilnSetup::Explicit,
        KilnSetup::GuardBaselineCpu,
    ];
}

fn kiln_engine(setup: KilnSetup) -> &'static kiln_runtime::Engine {
    use kiln_runtime::{BoundsCheckStrategy, Config, CpuFeatures, Engine};
    static ENGINES: [OnceLock<Engine>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    ENGINES[setup as usize].get_or_init(|| {
        let mut c = Config::new();
        c.parallel_compilation(false);
        match setup {
            KilnSetup::Guard => c.bounds_checks(BoundsCheckStrategy::Guard),
            KilnSetup::Explicit => c.bounds_checks(BoundsCheckStrategy::Explicit),
            KilnSetup::GuardBaselineCpu => c
                .bounds_checks(BoundsCheckStrategy::Guard)
                .cpu_features(CpuFeatures::Baseline),
        };
        Engine::new(&c).expect("an engine")
    })
}

fn kiln_trap(e: &kiln_runtime::Error) -> TrapKind {
    use kiln_ir::TrapCode as T;
    let Some(t) = e.as_trap() else {
        return TrapKind::Other;
    };
    if matches!(
        t.reason,
        kiln_runtime::traps::TrapReason::UnrecordedMemoryFault
            | kiln_runtime::traps::TrapReason::UnrecordedArithmetic
    ) {
        panic!("a fault in Kiln code without a trap record (a code generation bug): {t}");
    }
    match t.code {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::HeapOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::BadSignature => TrapKind::BadSignature,
        T::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::StackOverflow => TrapKind::StackOverflow,
        _ => TrapKind::Other,
    }
}

fn kiln_val(v: &kiln_runtime::Val) -> V {
    use kiln_runtime::Val as K;
    match v {
        K::I32(x) => V::I32(*x as u32),
        K::I64(x) => V::I64(*x as u64),
        K::F32(x) => V::F32(*x),
        K::F64(x) => V::F64(*x),
        K::FuncRef(r) => V::Ref(r.is_none()),
        K::ExternRef(r) => V::Ref(r.is_none()),
        K::V128(_) => V::Ref(false),
    }
}

fn kiln_arg(ty: kiln_runtime::ValType, bits: u64) -> kiln_runtime::Val {
    use kiln_runtime::{Val as K, ValType as T};
    match ty {
        T::I32 => K::I32(bits as i32),
        T::I64 => K::I64(bits as i64),
        T::F32 => K::F32(bits as u32),
        T::F64 => K::F64(bits),
        T::V128 => K::V128(0),
        T::FuncRef => K::FuncRef(None),
        T::ExternRef => K::ExternRef(None),
    }
}

fn kiln_default(ty: kiln_runtime::ValType) -> kiln_runtime::Val {
    kiln_arg(ty, 0)
}

/// The trace in Kiln; a module wasmi took must compile.
fn kiln_trace(wasm: &[u8], ex: &Exports, args: &Args, setup: KilnSetup) -> Vec<Event> {
    use kiln_runtime::{Instance, Module, Store};
    let engine = kiln_engine(setup);
    let module = Module::new(engine, wasm).unwrap_or_else(|e| {
        panic!(
            "Kiln rejects a module wasmi accepts: {e}\n{}",
            wasmprinter::print_bytes(wasm).unwrap_or_default()
        )
    });
    let mut store = Store::new(engine, ()).expect("a store");
    let mut trace = Vec::new();
    let instance = match Instance::new(&mut store, &module, &[]) {
        Ok(i) => i,
        Err(e) => {
            trace.push(Event::Instantiate(Err(instantiation_trap(kiln_trap(&e)))));
            return trace;
        }
    };
    trace.push(Event::Instantiate(Ok(())));
    for (name, kind) in &ex.items {
        if *kind != ExternalKind::Func {
            continue;
        }
        let f = instance
            .get_func(&store, name)
            .expect("an exported function");
        let ty = f.ty(&store).expect("its type");
        let params: Vec<kiln_runtime::Val> = ty
            .params()
            .enumerate()
            .map(|(i, t)| kiln_arg(t, args.get(i)))
            .collect();
        let mut results: Vec<kiln_runtime::Val> = ty.results().map(kiln_default).collect();
        let r = f
            .call(&mut store, &params, &mut results)
            .map(|()| results.iter().map(kiln_val).collect())
            .map_err(|e| kiln_trap(&e));
        trace.push(Event::Call(name.clone(), r));
    }
    for (name, kind) in &ex.items {
        match kind {
            ExternalKind::Memory => {
                let m = instance.get_memory(&store, name).expect("a memory");
                let data = m.data(&store).expect("its data").to_vec();
                trace.push(Event::Memory(name.clone(), data));
            }
            ExternalKind::Global => {
                let g = instance.get_global(&store, name).expect("a global");
                trace.push(Event::Global(
                    name.clone(),
                    kiln_val(&g.get(&store).expect("value")),
                ));
            }
            ExternalKind::Table => {
                let t = instance.get_table(&store, name).expect("a table");
                let n = t.size(&store).expect("its size");
                let nulls = (0..n)
                    .map(|i| match t.get(&store, i) {
                        Some(v) => kiln_val(&v) == V::Ref(true),
                        None => true,
                    })
                    .collect();
                trace.push(Event::Table(name.clone(), nulls));
            }
            _ => {}
        }
    }
    trace
}
