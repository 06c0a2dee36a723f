use super::*;
use crate::mmap::tests::protection_at;
use crate::traps::TrapReason;
use crate::{Config, Engine};
use kiln_ir::parser::parse_functions;
use kiln_ir::types::I64;
use kiln_ir::{AbiParam, CallConv, Function, Signature, TrapCode};
use std::cell::RefCell;

fn module() -> JitModule {
    JitModule::new(&Engine::new(&Config::new()).unwrap())
}

fn sig(params: usize, returns: usize) -> Signature {
    let mut s = Signature::new(CallConv::SystemV);
    s.params = vec![AbiParam::new(I64); params];
    s.returns = vec![AbiParam::new(I64); returns];
    s
}

/// The single function in `text`.
fn ir(text: &str) -> Function {
    let mut funcs = parse_functions(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(funcs.len(), 1);
    funcs.remove(0)
}

fn finalize(m: JitModule) -> FinalizedModule {
    // SAFETY: the test functions access only the module's data.
    unsafe { m.finalize() }.unwrap()
}

// In the IR texts below, `u0:N` is function N of the module (in declaration order) and
// `u1:N` data object N: the names `declare_func_in_func` / `declare_data_in_func` create.

const FIB: &str = "function u0:0(i64) -> i64 system_v {
    sig0 = (i64) -> i64 system_v
    fn0 = colocated u0:0 sig0
block0(v0: i64):
    v1 = icmp_imm slt v0, 2
    brif v1, block1, block2
block1:
    return v0
block2:
    v2 = iadd_imm v0, -1
    v3 = call fn0(v2)
    v4 = iadd_imm v0, -2
    v5 = call fn0(v4)
    v6 = iadd v3, v5
    return v6
}";

#[test]
fn recursive_function_runs() {
    let mut m = module();
    let fib = m.declare_function("fib", Linkage::Export, &sig(1, 1)).unwrap();
    m.define_function(fib, &ir(FIB)).unwrap();
    let code = finalize(m);
    let f = code.get_func::<(i64,), i64>(fib).unwrap();
    // 0 1 1 2 3 5 8 13 21 34 55 ... fib(20) = 6765
    assert_eq!(f.call((10,)).unwrap(), 55);
    assert_eq!(f.call((20,)).unwrap(), 6765);
    let by_name = code.get_func_by_name::<(i64,), i64>("fib").unwrap();
    assert_eq!(by_name.call((1,)).unwrap(), 1);
    assert_eq!(code.func_name(fib).unwrap(), "fib");
}

#[test]
fn functions_call_each_other_whatever_the_definition_order() {
    // even(n) = n == 0 ? 1 : odd(n - 1); odd(n) = n == 0 ? 0 : even(n - 1)
    let body = |other: u32, base: i64| {
        format!(
            "function %f(i64) -> i64 system_v {{
                sig0 = (i64) -> i64 system_v
                fn0 = colocated u0:{other} sig0
            block0(v0: i64):
                brif v0, block2, block1
            block1:
                v1 = iconst.i64 {base}
                return v1
            block2:
                v2 = iadd_imm v0, -1
                v3 = call fn0(v2)
                return v3
            }}"
        )
    };
    let mut m = module();
    let even = m.declare_function("even", Linkage::Local, &sig(1, 1)).unwrap();
    let odd = m.declare_function("odd", Linkage::Local, &sig(1, 1)).unwrap();
    m.define_function(odd, &ir(&body(0, 0))).unwrap();
    m.define_function(even, &ir(&body(1, 1))).unwrap();
    let code = finalize(m);
    let even = code.get_func::<(i64,), i64>(even).unwrap();
    let odd = code.get_func::<(i64,), i64>(odd).unwrap();
    assert_eq!(even.call((10,)).unwrap(), 1);
    assert_eq!(even.call((7,)).unwrap(), 0);
    assert_eq!(odd.call((7,)).unwrap(), 1);
    // Local functions are not found by name.
    assert!(matches!(
        code.get_func_by_name::<(i64,), i64>("even"),
        Err(JitError::UnknownName { .. })
    ));
}

thread_local! {
    static PRINTED: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

extern "C" fn record(x: i64) -> i64 {
    PRINTED.with(|p| p.borrow_mut().push(x));
    x * 100
}

#[test]
fn host_functions_are_called_with_their_arguments() {
    let mut m = module();
    let print = m.declare_function("print", Linkage::Import, &sig(1, 1)).unwrap();
    let main = m.declare_function("main", Linkage::Export, &sig(0, 1)).unwrap();
    // print(3); return print(4) + 1
    let text = "function %main() -> i64 system_v {
        sig0 = (i64) -> i64 system_v
        fn0 = u0:0 sig0
    block0:
        v0 = iconst.i64 3
        v1 = call fn0(v0)
        v2 = iconst.i64 4
        v3 = call fn0(v2)
        v4 = iadd_imm v3, 1
        return v4
    }";
    m.define_function(main, &ir(text)).unwrap();
    m.define_host_function("print", record as extern "C" fn(i64) -> i64)
        .unwrap();
    let code = finalize(m);
    PRINTED.with(|p| p.borrow_mut().clear());
    assert_eq!(code.get_func::<(), i64>(main).unwrap().call(()).unwrap(), 401);
    assert_eq!(PRINTED.with(|p| p.borrow().clone()), vec![3, 4]);
    // The import is callable through the module too.
    let print = code.get_func::<(i64,), i64>(print).unwrap();
    assert_eq!(print.call((5,)).unwrap(), 500);
}

#[test]
fn data_objects_are_placed_protected_and_addressable() {
    let mut m = module();
    let table = m.declare_data("table", Linkage::Local, false).unwrap();
    let counter = m.declare_data("counter", Linkage::Export, true).unwrap();
    let bump = m.declare_function("bump", Linkage::Export, &sig(1, 1)).unwrap();
    // bump(i): counter += table[i]; return counter
    let text = "function %bump(i64) -> i64 system_v {
        sig0 = () system_v
        fn0 = u1:0 sig0
        fn1 = u1:1 sig0
    block0(v0: i64):
        v1 = func_addr.i64 fn0
        v2 = ishl_imm v0, 3
        v3 = iadd v1, v2
        v4 = load.i64 v3
        v5 = func_addr.i64 fn1
        v6 = load.i64 v5
        v7 = iadd v6, v4
        store v7, v5
        return v7
    }";
    m.define_function(bump, &ir(text)).unwrap();
    let values: Vec<u8> = [10i64, 20, 30].iter().flat_map(|v| v.to_le_bytes()).collect();
    m.define_data(table, &values).unwrap();
    m.define_data(counter, &5i64.to_le_bytes()).unwrap();
    let code = finalize(m);
    let bump = code.get_func::<(i64,), i64>(bump).unwrap();
    assert_eq!(bump.call((2,)).unwrap(), 35);
    assert_eq!(bump.call((0,)).unwrap(), 45);
    assert_eq!(code.read_data(counter).unwrap(), 45i64.to_le_bytes());
    assert_eq!(code.exported_data("counter"), Some(counter));
    let (table_at, size) = code.data_ptr(table).unwrap();
    assert_eq!(size, 24);
    assert_eq!(table_at as usize % 16, 0);
    assert_eq!(protection_at(table_at as usize), "r--p");
    assert_eq!(protection_at(code.data_ptr(counter).unwrap().0 as usize), "rw-p");
    assert_eq!(protection_at(code.func_ptr(bump_id(&code)).unwrap() as usize), "r-xp");
}

fn bump_id(code: &FinalizedModule) -> FuncId {
    code.exported_func("bump").unwrap()
}

#[test]
fn a_store_into_read_only_data_traps() {
    let mut m = module();
    let constant = m.declare_data("constant", Linkage::Local, false).unwrap();
    let poke = m.declare_function("poke", Linkage::Local, &sig(0, 0)).unwrap();
    let text = "function %poke() system_v {
        sig0 = () system_v
        fn0 = u1:0 sig0
    block0:
        v0 = func_addr.i64 fn0
        v1 = iconst.i64 1
        store v1, v0
        return
    }";
    m.define_function(poke, &ir(text)).unwrap();
    m.define_data(constant, &[0; 8]).unwrap();
    let code = finalize(m);
    let trap = code.get_func::<(), ()>(poke).unwrap().call(()).unwrap_err();
    assert_eq!(trap.code, TrapCode::HeapOutOfBounds);
    assert_eq!(trap.function.as_deref(), Some("poke"));
    assert_eq!(code.read_data(constant).unwrap(), [0; 8]);
}

#[test]
fn traps_come_back_as_errors() {
    let mut m = module();
    let div = m.declare_function("div", Linkage::Local, &sig(2, 1)).unwrap();
    let text = "function %div(i64, i64) -> i64 system_v {
    block0(v0: i64, v1: i64):
        v2 = sdiv v0, v1
        return v2
    }";
    m.define_function(div, &ir(text)).unwrap();
    let code = finalize(m);
    let div = code.get_func::<(i64, i64), i64>(div).unwrap();
    assert_eq!(div.call((-7, 2)).unwrap(), -3);
    assert_eq!(div.call((1, 0)).unwrap_err().code, TrapCode::IntegerDivisionByZero);
    assert_eq!(div.call((i64::MIN, -1)).unwrap_err().code, TrapCode::IntegerOverflow);
}

#[test]
fn unbounded_recursion_is_a_stack_overflow_trap() {
    // f(n) = f(n + 1) + 1: never returns. A thread with a small stack keeps the test quick.
    let text = "function %f(i64) -> i64 system_v {
        sig0 = (i64) -> i64 system_v
        fn0 = colocated u0:0 sig0
    block0(v0: i64):
        v1 = iadd_imm v0, 1
        v2 = call fn0(v1)
        v3 = iadd_imm v2, 1
        return v3
    }";
    let trap = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let mut m = module();
            let f = m.declare_function("f", Linkage::Local, &sig(1, 1)).unwrap();
            m.define_function(f, &ir(text)).unwrap();
            let code = finalize(m);
            let f = code.get_func::<(i64,), i64>(f).unwrap();
            f.call((0,)).unwrap_err()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(trap.code, TrapCode::StackOverflow);
    assert_eq!(trap.reason, TrapReason::UnrecordedStackFault);
}

#[test]
fn i128_division_links_the_runtime_helpers() {
    // (a * 2^64 + b) / c for a 128-bit dividend: needs the `kiln_udiv_i128` helper.
    let text = "function %f(i64, i64, i64) -> i64 system_v {
    block0(v0: i64, v1: i64, v2: i64):
        v3 = iconcat v1, v0
        v4 = uextend.i128 v2
        v5 = udiv v3, v4
        v6 = ireduce.i64 v5
        return v6
    }";
    let mut m = module();
    let f = m.declare_function("f", Linkage::Local, &sig(3, 1)).unwrap();
    m.define_function(f, &ir(text)).unwrap();
    let code = finalize(m);
    let f = code.get_func::<(i64, i64, i64), i64>(f).unwrap();
    // 2^64 / 2 = 2^63; (3 * 2^64 + 6) / 3 = 2^64 + 2 -> low 64 bits 2.
    assert_eq!(f.call((1, 0, 2)).unwrap() as u64, 1 << 63);
    assert_eq!(f.call((3, 6, 3)).unwrap(), 2);
}

#[test]
fn errors_name_the_problem() {
    let mut m = module();
    let f = m.declare_function("f", Linkage::Export, &sig(1, 1)).unwrap();
    // Same declaration: same id. Different ones: errors.
    assert_eq!(m.declare_function("f", Linkage::Export, &sig(1, 1)).unwrap(), f);
    let e = m.declare_function("f", Linkage::Export, &sig(2, 1)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`f` is already declared differently: declared with signature (i64) -> i64 system_v, \
         now (i64, i64) -> i64 system_v"
    );
    assert!(matches!(
        m.declare_function("f", Linkage::Local, &sig(1, 1)),
        Err(JitError::IncompatibleDeclaration { .. })
    ));
    assert!(matches!(
        m.declare_data("f", Linkage::Local, true),
        Err(JitError::IncompatibleDeclaration { .. })
    ));

    // The IR's signature must be the declared one.
    let two = "function %g(i64, i64) -> i64 system_v {
    block0(v0: i64, v1: i64):
        return v0
    }";
    let e = m.define_function(f, &ir(two)).unwrap_err();
    assert!(matches!(e, JitError::SignatureMismatch { .. }), "{e}");

    // IR that does not verify names the function.
    let bad = "function %f(i64) -> i64 system_v {
    block0(v0: i64):
        v1 = iconst.i32 1
        return v1
    }";
    let e = m.define_function(f, &ir(bad)).unwrap_err();
    assert!(e.to_string().starts_with("function `f` does not verify"), "{e}");

    let good = "function %f(i64) -> i64 system_v {
    block0(v0: i64):
        return v0
    }";
    m.define_function(f, &ir(good)).unwrap();
    assert_eq!(
        m.define_function(f, &ir(good)).unwrap_err().to_string(),
        "`f` is already defined"
    );

    let imp = m.declare_function("host", Linkage::Import, &sig(1, 1)).unwrap();
    assert_eq!(
        m.define_function(imp, &ir(good)).unwrap_err(),
        JitError::DefinedImport {
            name: "host".into()
        }
    );
    assert!(matches!(
        m.define_function(FuncId(99), &ir(good)),
        Err(JitError::UnknownId { index: 99, .. })
    ));
    let e = unsafe { m.finalize() }.unwrap_err();
    assert_eq!(
        e,
        JitError::UnresolvedImport {
            name: "host".into()
        }
    );
}

#[test]
fn finalizing_checks_definitions_and_host_signatures() {
    let mut m = module();
    m.declare_function("never", Linkage::Local, &sig(0, 0)).unwrap();
    assert_eq!(
        unsafe { m.finalize() }.unwrap_err().to_string(),
        "function `never` is declared but never defined"
    );

    let mut m = module();
    m.declare_data("blob", Linkage::Export, false).unwrap();
    assert!(matches!(
        unsafe { m.finalize() },
        Err(JitError::UndefinedData { .. })
    ));

    let mut m = module();
    m.declare_function("print", Linkage::Import, &sig(1, 1)).unwrap();
    extern "C" fn wrong(x: i32) -> i32 {
        x
    }
    m.define_host_function("print", wrong as extern "C" fn(i32) -> i32)
        .unwrap();
    assert_eq!(
        unsafe { m.finalize() }.unwrap_err().to_string(),
        "signature mismatch for `print`: declared (i64) -> i64 system_v, found (i32) -> i32"
    );
}

#[test]
fn typed_handles_check_the_declared_types() {
    let mut m = module();
    let f = m.declare_function("f", Linkage::Local, &sig(1, 1)).unwrap();
    let text = "function %f(i64) -> i64 system_v {
    block0(v0: i64):
        return v0
    }";
    m.define_function(f, &ir(text)).unwrap();
    let code = finalize(m);
    assert!(code.get_func::<(i64,), i64>(f).is_ok());
    assert!(code.get_func::<(u64,), u64>(f).is_ok());
    let e = code.get_func::<(i32,), i64>(f).unwrap_err();
    assert_eq!(
        e.to_string(),
        "signature mismatch for `f`: declared (i64) -> i64 system_v, found (i32) -> i64"
    );
    assert!(code.get_func::<(i64,), ()>(f).is_err());
    assert!(code.get_func::<(i64, i64), i64>(f).is_err());
}

#[test]
fn floats_and_many_arguments_pass_through() {
    let mut s = Signature::new(CallConv::SystemV);
    s.params = [I64, I64, I64, I64, I64, I64, I64]
        .into_iter()
        .map(AbiParam::new)
        .chain([AbiParam::new(kiln_ir::types::F64)])
        .collect();
    s.returns.push(AbiParam::new(kiln_ir::types::F64));
    // f(a..g, x) = x * (g - a): g is passed on the stack.
    let text = "function %f(i64, i64, i64, i64, i64, i64, i64, f64) -> f64 system_v {
    block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: f64):
        v8 = isub v6, v0
        v9 = fcvt_from_sint.f64 v8
        v10 = fmul v7, v9
        return v10
    }";
    let mut m = module();
    let f = m.declare_function("f", Linkage::Local, &s).unwrap();
    m.define_function(f, &ir(text)).unwrap();
    let code = finalize(m);
    let f = code
        .get_func::<(i64, i64, i64, i64, i64, i64, i64, f64), f64>(f)
        .unwrap();
    assert_eq!(f.call((1, 0, 0, 0, 0, 0, 11, 0.5)).unwrap(), 5.0);
}

/// Number of mappings of this process.
fn mapping_count() -> usize {
    std::fs::read_to_string("/proc/self/maps").unwrap().lines().count()
}

#[test]
fn dropping_a_module_releases_its_memory() {
    let engine = Engine::new(&Config::new()).unwrap();
    let build = || {
        let mut m = JitModule::new(&engine);
        let fib = m.declare_function("fib", Linkage::Export, &sig(1, 1)).unwrap();
        m.define_function(fib, &ir(FIB)).unwrap();
        let d = m.declare_data("d", Linkage::Local, true).unwrap();
        m.define_data(d, &[1; 100]).unwrap();
        finalize(m)
    };
    let first = build();
    let code_at = first.func_ptr(first.exported_func("fib").unwrap()).unwrap() as usize;
    assert!(crate::traps::registry::is_kiln_code(code_at));
    drop(first);
    let before = mapping_count();
    for _ in 0..300 {
        let code = build();
        assert_eq!(
            code.get_func_by_name::<(i64,), i64>("fib")
                .unwrap()
                .call((12,))
                .unwrap(),
            144
        );
    }
    // Each module has a code and a data mapping: leaking them would add ~600 lines. Other
    // tests running concurrently map and unmap a little.
    let after = mapping_count();
    assert!(after < before + 100, "{before} mappings before, {after} after");
}

/// Host data JIT code reads through an import.
static HOST_TABLE: [i64; 4] = [7, 11, 13, 17];

#[test]
fn imported_data_and_raw_symbols_resolve_to_host_addresses() {
    let mut m = module();
    let table = m.declare_data("host_table", Linkage::Import, false).unwrap();
    let twice = m.declare_function("twice", Linkage::Import, &sig(1, 1)).unwrap();
    let f = m.declare_function("f", Linkage::Export, &sig(1, 1)).unwrap();
    // f(i) = twice(host_table[i])
    let text = "function %f(i64) -> i64 system_v {
        sig0 = () system_v
        sig1 = (i64) -> i64 system_v
        fn0 = u1:0 sig0
        fn1 = u0:0 sig1
    block0(v0: i64):
        v1 = func_addr.i64 fn0
        v2 = ishl_imm v0, 3
        v3 = iadd v1, v2
        v4 = load.i64 v3
        v5 = call fn1(v4)
        return v5
    }";
    m.define_function(f, &ir(text)).unwrap();
    extern "C" fn double(x: i64) -> i64 {
        2 * x
    }
    // SAFETY: a static array of i64 that the code only reads, and a System V
    // `fn(i64) -> i64` as declared.
    unsafe {
        m.define_symbol("host_table", HOST_TABLE.as_ptr().cast())
            .unwrap();
        let f: extern "C" fn(i64) -> i64 = double;
        m.define_symbol("twice", f as *const u8).unwrap();
        assert_eq!(
            m.define_symbol("twice", f as *const u8).unwrap_err(),
            JitError::DuplicateDefinition {
                name: "twice".into()
            }
        );
    }
    let code = finalize(m);
    let f = code.get_func::<(i64,), i64>(f).unwrap();
    assert_eq!(f.call((0,)).unwrap(), 14);
    assert_eq!(f.call((3,)).unwrap(), 34);
    let twice = code.get_func::<(i64,), i64>(twice).unwrap();
    assert_eq!(twice.call((4,)).unwrap(), 8);
    assert_eq!(code.data_ptr(table).unwrap().0 as usize, HOST_TABLE.as_ptr() as usize);
}

#[test]
fn modules_call_each_other_through_imports() {
    let mut lib = module();
    let fib = lib.declare_function("fib", Linkage::Export, &sig(1, 1)).unwrap();
    lib.define_function(fib, &ir(FIB)).unwrap();
    let lib = finalize(lib);

    let mut app = module();
    let fib_import = app.declare_function("fib", Linkage::Import, &sig(1, 1)).unwrap();
    let main = app.declare_function("main", Linkage::Export, &sig(0, 1)).unwrap();
    let text = "function %main() -> i64 system_v {
        sig0 = (i64) -> i64 system_v
        fn0 = u0:0 sig0
    block0:
        v0 = iconst.i64 15
        v1 = call fn0(v0)
        return v1
    }";
    app.define_function(main, &ir(text)).unwrap();
    // SAFETY: `lib` outlives `app` and its `fib` has the declared signature.
    unsafe { app.define_symbol("fib", lib.func_ptr(fib).unwrap()) }.unwrap();
    let app = finalize(app);
    assert_eq!(app.get_func::<(), i64>(main).unwrap().call(()).unwrap(), 610);
    assert_eq!(app.func_linkage(fib_import).unwrap(), Linkage::Import);
}

#[test]
fn empty_modules_and_empty_data_finalize() {
    let code = finalize(module());
    assert!(code.exported_func("anything").is_none());

    let mut m = module();
    let empty = m.declare_data("empty", Linkage::Export, true).unwrap();
    m.define_data(empty, &[]).unwrap();
    assert_eq!(
        m.define_data(empty, &[1]).unwrap_err().to_string(),
        "`empty` is already defined"
    );
    let code = finalize(m);
    let (at, size) = code.data_ptr(empty).unwrap();
    assert!(!at.is_null());
    assert_eq!(size, 0);
    assert_eq!(code.read_data(empty).unwrap(), Vec::<u8>::new());
}

#[test]
fn code_generator_failures_name_the_function() {
    let mut m = JitModule::with_compiler(std::sync::Arc::new(crate::UnavailableCompiler));
    let f = m.declare_function("f", Linkage::Local, &sig(1, 1)).unwrap();
    let text = "function %f(i64) -> i64 system_v {
    block0(v0: i64):
        return v0
    }";
    assert_eq!(
        m.define_function(f, &ir(text)).unwrap_err().to_string(),
        "cannot compile `f`: no code generator is available in this build"
    );
}
