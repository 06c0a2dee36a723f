//! `kiln wast FILE...`: run WebAssembly spec test scripts (`.wast`) against Kiln's runtime.
//!
//! Every directive counts once: module definitions, `register`, actions and assertions. A
//! directive Kiln cannot run (a module whose translation reports an unsupported feature, such
//! as SIMD, or anything that depends on such a module) is skipped with its reason.

use crate::engine_args::EngineArgs;
use anyhow::{Context, Result};
use clap::Args;
use kiln_frontend_wasm::WasmValType;
use kiln_runtime::{
    Engine, Error, ExternRef, Global, GlobalType, Instance, Linker, Memory, MemoryType, Module,
    Store, Table, TableType, Val, ValType, WasmRefType,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// Arguments of `kiln wast`.
#[derive(Args, Debug)]
pub struct WastArgs {
    /// `.wast` files, or folders searched (not recursively) for them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print every failure and skip reason, and per-file counts.
    #[arg(short, long)]
    pub verbose: bool,
    /// Engine configuration.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The counts of one or more scripts.
#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

/// What happened to one directive.
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// Runs the command; `Ok(true)` if nothing failed.
pub fn wast_command(args: &WastArgs) -> Result<bool> {
    let mut files = Vec::new();
    for path in &args.files {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("{}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "wast"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    // One engine (compiler settings) for all scripts; each script gets a fresh store.
    let engine = Engine::new(&args.engine.config())?;
    let mut total = Counts::default();
    for file in &files {
        let started = std::time::Instant::now();
        let counts = run_file(file, &engine, args.verbose);
        log::info!(
            "{}: {} directives in {:?}",
            file.display(),
            counts.passed + counts.failed + counts.skipped,
            started.elapsed()
        );
        if args.verbose || counts.failed > 0 {
            println!(
                "{}: {} passed, {} failed, {} skipped",
                file.display(),
                counts.passed,
                counts.failed,
                counts.skipped
            );
        }
        total.passed += counts.passed;
        total.failed += counts.failed;
        total.skipped += counts.skipped;
    }
    println!(
        "{} passed, {} failed, {} skipped",
        total.passed, total.failed, total.skipped
    );
    Ok(total.failed == 0)
}

/// Runs one script, printing its failures (and, with `verbose`, its skips).
fn run_file(path: &Path, engine: &Engine, verbose: bool) -> Counts {
    let mut counts = Counts::default();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            println!("{}: {e}", path.display());
            counts.failed += 1;
            return counts;
        }
    };
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(mut e) => {
            e.set_path(path);
            e.set_text(&text);
            println!("{e}");
            counts.failed += 1;
            return counts;
        }
    };
    let script: Wast = match parser::parse(&buf) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_path(path);
            e.set_text(&text);
            println!("{e}");
            counts.failed += 1;
            return counts;
        }
    };
    let mut runner = match Runner::new(engine) {
        Ok(r) => r,
        Err(e) => {
            println!("{}: cannot set up the spectest module: {e}", path.display());
            counts.failed += 1;
            return counts;
        }
    };
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(&text);
        let outcome = runner.directive(directive);
        let place = format!("{}:{}:{}", path.display(), line + 1, col + 1);
        match outcome {
            Outcome::Pass => counts.passed += 1,
            Outcome::Fail(why) => {
                counts.failed += 1;
                println!("{place}: FAILED: {why}");
            }
            Outcome::Skip(why) => {
                counts.skipped += 1;
                if verbose {
                    println!("{place}: skipped: {why}");
                }
            }
        }
    }
    counts
}

/// An instance, or why there is none: the module was skipped (`true`) or failed (`false`).
type Slot = Result<Instance, (String, bool)>;

/// The state of one script: its engine, store, linker (with `spectest` and registered modules)
/// and the instances defined so far.
struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Slot>,
    named: HashMap<String, Slot>,
}

/// Whether an error means Kiln does not support something (so the directive is skipped).
fn unsupported(e: &Error) -> bool {
    matches!(e, Error::Compile(_)) && e.to_string().contains("unsupported")
}

impl Runner {
    fn new(engine: &Engine) -> Result<Self, Error> {
        let mut store = Store::new(engine, ())?;
        let linker = spectest(engine, &mut store)?;
        Ok(Runner {
            engine: engine.clone(),
            store,
            linker,
            current: None,
            named: HashMap::new(),
        })
    }

    fn instantiate(&mut self, bytes: &[u8]) -> Result<Instance, Error> {
        let module = Module::new(&self.engine, bytes)?;
        self.linker.instantiate(&mut self.store, &module)
    }

    /// The instance a directive names (or the current one).
    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Result<Instance, Outcome> {
        let slot = match id {
            Some(id) => self.named.get(id.name()),
            None => self.current.as_ref(),
        };
        match slot {
            Some(Ok(i)) => Ok(*i),
            Some(Err((why, true))) => Err(Outcome::Skip(why.clone())),
            Some(Err((why, false))) => Err(Outcome::Fail(why.clone())),
            None => Err(Outcome::Fail("no such module".into())),
        }
    }

    fn invoke(&mut self, call: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, Outcome> {
        let inst = self.instance(call.module)?;
        let Some(func) = inst.get_func(&self.store, call.name) else {
            return Err(Outcome::Fail(format!(
                "no exported function `{}`",
                call.name
            )));
        };
        let mut args = Vec::new();
        for a in &call.args {
            match arg(a) {
                Some(v) => args.push(v),
                None => return Err(Outcome::Skip(format!("unsupported argument {a:?}"))),
            }
        }
        let ty = match func.ty(&self.store) {
            Ok(t) => t,
            Err(e) => return Err(Outcome::Fail(e.to_string())),
        };
        if ty.params().chain(ty.results()).any(|t| t == ValType::V128) {
            return Err(Outcome::Skip("v128 values are not supported".into()));
        }
        let mut out: Vec<Val> = ty.results().map(Val::default_for).collect();
        Ok(func.call(&mut self.store, &args, &mut out).map(|()| out))
    }

    /// Runs an action: `Err` is an outcome decided before running (skip, bad script).
    fn exec(&mut self, exec: &mut WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, Outcome> {
        match exec {
            WastExecute::Invoke(call) => self.invoke(call),
            WastExecute::Wat(wat) => {
                let bytes = wat.encode().map_err(|e| Outcome::Fail(e.to_string()))?;
                match self.instantiate(&bytes) {
                    Err(e) if unsupported(&e) => Err(Outcome::Skip(e.to_string())),
                    r => Ok(r.map(|_| Vec::new())),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(*module)?;
                let Some(g) = inst.get_global(&self.store, global) else {
                    return Err(Outcome::Fail(format!("no exported global `{global}`")));
                };
                Ok(g.get(&self.store).map(|v| vec![v]))
            }
        }
    }

    fn define_module(&mut self, mut quote: QuoteWat<'_>) -> Outcome {
        let name = quote.name().map(|id| id.name().to_string());
        let bytes = match quote.encode() {
            Ok(b) => b,
            Err(e) => return Outcome::Fail(format!("cannot encode the module: {e}")),
        };
        let (slot, outcome) = match self.instantiate(&bytes) {
            Ok(i) => (Ok(i), Outcome::Pass),
            Err(e) if unsupported(&e) => {
                let why = e.to_string();
                (Err((why.clone(), true)), Outcome::Skip(why))
            }
            Err(e) => (
                Err((format!("its module failed: {e}"), false)),
                Outcome::Fail(format!("module: {e}")),
            ),
        };
        if let Some(name) = name {
            self.named.insert(name, slot.clone());
        }
        self.current = Some(slot);
        outcome
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(quote) => self.define_module(quote),
            WastDirective::Register { name, module, .. } => match self.instance(module) {
                Ok(inst) => match self.linker.instance(&mut self.store, name, inst) {
                    Ok(_) => Outcome::Pass,
                    Err(e) => Outcome::Fail(format!("register: {e}")),
                },
                Err(o) => o,
            },
            WastDirective::Invoke(call) => match self.invoke(&call) {
                Ok(Ok(_)) => Outcome::Pass,
                Ok(Err(e)) => Outcome::Fail(format!("invoke `{}`: {e}", call.name)),
                Err(o) => o,
            },
            WastDirective::AssertReturn {
                mut exec, results, ..
            } => match self.exec(&mut exec) {
                Ok(Ok(vals)) => {
                    if results
                        .iter()
                        .any(|r| matches!(r, WastRet::Core(WastRetCore::V128(_))))
                    {
                        return Outcome::Skip("v128 results are not supported".into());
                    }
                    let ok = vals.len() == results.len()
                        && vals.iter().zip(&results).all(|(v, r)| matches_ret(v, r));
                    if ok {
                        Outcome::Pass
                    } else {
                        Outcome::Fail(format!("expected {results:?}, got {vals:?}"))
                    }
                }
                Ok(Err(e)) => Outcome::Fail(format!("expected results, got error: {e}")),
                Err(o) => o,
            },
            WastDirective::AssertTrap {
                mut exec, message, ..
            } => match self.exec(&mut exec) {
                Ok(Ok(vals)) => Outcome::Fail(format!("expected trap `{message}`, got {vals:?}")),
                Ok(Err(e)) => check_trap(&e, message),
                Err(o) => o,
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(Ok(vals)) => Outcome::Fail(format!("expected `{message}`, got {vals:?}")),
                Ok(Err(e)) => check_trap(&e, message),
                Err(o) => o,
            },
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let bytes = match module.encode() {
                    Ok(b) => b,
                    Err(e) => return Outcome::Fail(format!("cannot encode the module: {e}")),
                };
                match self.instantiate(&bytes) {
                    Ok(_) => Outcome::Fail(format!("expected unlinkable (`{message}`), linked")),
                    Err(Error::Link(_)) => Outcome::Pass,
                    Err(e) if unsupported(&e) => Outcome::Skip(e.to_string()),
                    Err(e) => Outcome::Fail(format!("expected a link error `{message}`, got {e}")),
                }
            }
            WastDirective::AssertInvalid {
                module, message, ..
            }
            | WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_rejected(module, message),
            other => Outcome::Skip(format!("directive not supported: {other:?}")),
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must not encode or not validate.
    fn assert_rejected(&mut self, mut module: QuoteWat<'_>, message: &str) -> Outcome {
        // Text that `wat` rejects counts as rejected (the spec only requires rejection).
        let Ok(bytes) = module.encode() else {
            return Outcome::Pass;
        };
        match Module::validate(&self.engine, &bytes) {
            Ok(()) => Outcome::Fail(format!(
                "expected a rejected module (`{message}`), accepted"
            )),
            Err(_) => Outcome::Pass,
        }
    }
}

/// Compares a trap with an expected message loosely: either may be a part of the other
/// (the spec's "uninitialized element 2" is Kiln's "uninitialized element").
fn check_trap(e: &Error, expected: &str) -> Outcome {
    if unsupported(e) {
        return Outcome::Skip(e.to_string());
    }
    let got = match e.as_trap() {
        Some(t) => t.message().to_string(),
        None => e.to_string(),
    };
    if e.as_trap().is_some() && (got.contains(expected) || expected.contains(&got)) {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected trap `{expected}`, got `{e}`"))
    }
}

/// The `spectest` host module, as the spec interpreter defines it.
fn spectest(engine: &Engine, store: &mut Store<()>) -> Result<Linker<()>, Error> {
    let mut l = Linker::new(engine);
    l.func_wrap("spectest", "print", || {})?;
    l.func_wrap("spectest", "print_i32", |_: i32| {})?;
    l.func_wrap("spectest", "print_i64", |_: i64| {})?;
    l.func_wrap("spectest", "print_f32", |_: f32| {})?;
    l.func_wrap("spectest", "print_f64", |_: f64| {})?;
    l.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    l.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let globals = [
        ("global_i32", WasmValType::I32, Val::I32(666)),
        ("global_i64", WasmValType::I64, Val::I64(666)),
        ("global_f32", WasmValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", WasmValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, v) in globals {
        let ty = GlobalType { ty, mutable: false };
        let g = Global::new(&mut *store, ty, v)?;
        l.define("spectest", name, g)?;
    }
    let table_ty = TableType {
        element: WasmRefType::Func,
        minimum: 10,
        maximum: Some(20),
    };
    let table = Table::new(&mut *store, table_ty, Val::FuncRef(None))?;
    l.define("spectest", "table", table)?;
    let memory = Memory::new(
        &mut *store,
        MemoryType {
            minimum: 1,
            maximum: Some(2),
        },
    )?;
    l.define("spectest", "memory", memory)?;
    Ok(l)
}

/// A script argument as a value (`None`: a kind Kiln does not support, e.g. `v128`).
fn arg(a: &WastArg<'_>) -> Option<Val> {
    let WastArg::Core(c) = a else { return None };
    Some(match c {
        WastArgCore::I32(x) => Val::I32(*x),
        WastArgCore::I64(x) => Val::I64(*x),
        WastArgCore::F32(x) => Val::F32(x.bits),
        WastArgCore::F64(x) => Val::F64(x.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Val::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => Val::ExternRef(None),
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(*n))),
        _ => return None,
    })
}

/// Whether a result matches an expected pattern (NaN patterns, reference kinds).
fn matches_ret(v: &Val, r: &WastRet<'_>) -> bool {
    let WastRet::Core(c) = r else { return false };
    matches_core(v, c)
}

fn matches_core(v: &Val, c: &WastRetCore<'_>) -> bool {
    match (c, v) {
        (WastRetCore::I32(x), Val::I32(y)) => x == y,
        (WastRetCore::I64(x), Val::I64(y)) => x == y,
        (WastRetCore::F32(p), Val::F32(y)) => match p {
            NanPattern::Value(x) => x.bits == *y,
            NanPattern::CanonicalNan => y & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => y & 0x7fc0_0000 == 0x7fc0_0000,
        },
        (WastRetCore::F64(p), Val::F64(y)) => match p {
            NanPattern::Value(x) => x.bits == *y,
            NanPattern::CanonicalNan => y & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => y & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        },
        (WastRetCore::RefNull(ty), Val::FuncRef(f)) => {
            f.is_none() && heap_is(ty, AbstractHeapType::Func)
        }
        (WastRetCore::RefNull(ty), Val::ExternRef(e)) => {
            e.is_none() && heap_is(ty, AbstractHeapType::Extern)
        }
        (WastRetCore::RefExtern(None), Val::ExternRef(e)) => e.is_some(),
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(e))) => {
            e.data().downcast_ref::<u32>() == Some(n)
        }
        (WastRetCore::RefFunc(_), Val::FuncRef(f)) => f.is_some(),
        (WastRetCore::Either(options), v) => options.iter().any(|o| matches_core(v, o)),
        _ => false,
    }
}

/// Whether an optional expected heap type is absent or the given abstract type.
fn heap_is(ty: &Option<HeapType<'_>>, want: AbstractHeapType) -> bool {
    match ty {
        None => true,
        Some(HeapType::Abstract { ty, .. }) => *ty == want,
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::token::{F32, F64};

    fn f32_ret(p: NanPattern<F32>) -> WastRetCore<'static> {
        WastRetCore::F32(p)
    }

    #[test]
    fn nan_patterns_follow_the_spec() {
        let canonical = f32_ret(NanPattern::CanonicalNan);
        let arithmetic = f32_ret(NanPattern::ArithmeticNan);
        // 0x7fc00000 and 0xffc00000 are canonical; 0x7fc00001 is arithmetic only; 0x7f800001
        // (signalling) is neither.
        for (bits, canon, arith) in [
            (0x7fc0_0000u32, true, true),
            (0xffc0_0000, true, true),
            (0x7fc0_0001, false, true),
            (0x7f80_0001, false, false),
            (0x3f80_0000, false, false),
        ] {
            assert_eq!(
                matches_core(&Val::F32(bits), &canonical),
                canon,
                "{bits:#x}"
            );
            assert_eq!(
                matches_core(&Val::F32(bits), &arithmetic),
                arith,
                "{bits:#x}"
            );
        }
        let exact = WastRetCore::F64(NanPattern::Value(F64 {
            bits: 0x8000_0000_0000_0000,
        }));
        assert!(matches_core(&Val::F64(0x8000_0000_0000_0000), &exact));
        assert!(!matches_core(&Val::F64(0), &exact), "-0.0 is not +0.0");
        assert!(!matches_core(&Val::F32(0), &exact), "types must agree");
    }

    #[test]
    fn references_match_by_kind_and_payload() {
        let null_func = WastRetCore::RefNull(Some(HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        }));
        assert!(matches_core(&Val::FuncRef(None), &null_func));
        assert!(!matches_core(&Val::ExternRef(None), &null_func));
        let host = Val::ExternRef(Some(ExternRef::new(7u32)));
        assert!(matches_core(&host, &WastRetCore::RefExtern(Some(7))));
        assert!(!matches_core(&host, &WastRetCore::RefExtern(Some(8))));
        assert!(matches_core(&host, &WastRetCore::RefExtern(None)));
        assert!(!matches_core(
            &Val::ExternRef(None),
            &WastRetCore::RefExtern(None)
        ));
    }
}
