//! The x86-64 backend for `test run` and `test compile`.
//!
//! `test run` compiles every function of the file, places them in one executable mapping
//! (`kiln_runtime::code_memory`), resolves calls between them by name, and calls a function
//! through a trampoline compiled by the same backend: `tramp(callee: i64, buf: i64)` loads
//! the arguments from a buffer of 16-byte slots, calls `callee` indirectly and stores the
//! results back into the slots; Rust calls it as `extern "C" fn(*const u8, *mut u128)`.
//!
//! The code is registered with the runtime's trap registry (function ranges and trap
//! sites) and entered through `kiln_runtime::traps::catch_traps`, so a trap in it comes back
//! as `InterpreterError::Trap(code)` and `; trap:` lines run like under the interpreter.

use crate::backend::{Backend, Executor};
use kiln_backend_x64::isa::x64::libcalls::LibCall;
use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags, MInst};
use kiln_backend_x64::machinst::compile::{CompileContext, CompiledFunction};
use kiln_backend_x64::machinst::{RelocKind, RelocTarget};
use kiln_ir::interpreter::InterpreterError;
use kiln_ir::parser::{SetLine, TargetLine};
use kiln_ir::{
    types, AbiParam, CallConv, DataValue, Function, InstBuilder, MemFlags, Signature, UserFuncName,
};
use kiln_ir::{FuncCursor, Type};
use kiln_runtime::code_memory::CodeBuilder;
use kiln_runtime::traps::{catch_traps, CodeInfo, FunctionInfo, RegisteredCode};
use std::collections::HashMap;
use std::sync::Mutex;

/// The x86-64 backend.
pub struct X64Backend {
    host: Flags,
    fast_regalloc: bool,
    /// Compile contexts not in use: each compilation takes one (or a new one) and returns
    /// it, so threads compile in parallel and buffers are reused.
    contexts: Mutex<Vec<CompileContext<MInst>>>,
}

impl X64Backend {
    /// A backend that runs code on this machine.
    pub fn new() -> Self {
        X64Backend {
            host: Flags::detect_host(),
            fast_regalloc: false,
            contexts: Mutex::new(Vec::new()),
        }
    }

    /// The same with regalloc2's single-pass allocator instead of Ion.
    pub fn with_fast_regalloc() -> Self {
        X64Backend {
            fast_regalloc: true,
            ..X64Backend::new()
        }
    }

    fn flags(&self, target: Option<&TargetLine>) -> Result<Flags, String> {
        match target {
            None => Ok(self.host),
            Some(t) => Flags::from_target_line(t).map_err(|e| e.to_string()),
        }
    }

    fn compile(&self, func: &Function, opts: CompileOptions) -> Result<CompiledFunction, String> {
        let pool = || self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        let mut ctx = pool().pop().unwrap_or_else(CompileContext::new);
        let r = compile_function(&mut ctx, func, opts).map_err(|e| format!("{}: {e}", func.name));
        pool().push(ctx);
        r
    }
}

impl Default for X64Backend {
    fn default() -> Self {
        Self::new()
    }
}

/// Compiled and linked functions of one file.
struct Linked {
    code: RegisteredCode,
    /// Offset of each function by name.
    offsets: HashMap<String, (usize, Signature)>,
    /// Trampoline offset by signature.
    trampolines: HashMap<Signature, usize>,
}

fn trampoline(sig: &Signature) -> Function {
    let mut tsig = Signature::new(CallConv::SystemV);
    tsig.params.push(AbiParam::new(types::I64));
    tsig.params.push(AbiParam::new(types::I64));
    let mut f = Function::with_name_signature(UserFuncName::testcase("trampoline"), tsig);
    let callee_sig = f.import_signature(sig.clone());
    let mut pos = FuncCursor::new(&mut f);
    let block = pos.append_new_block();
    pos.goto_bottom(block);
    let callee = pos.func.dfg.append_block_param(block, types::I64);
    let buf = pos.func.dfg.append_block_param(block, types::I64);
    let flags = MemFlags::trusted();
    let mut args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        args.push(pos.ins().load(p.value_type, flags, buf, (i * 16) as i32));
    }
    let call = pos.ins().call_indirect(callee_sig, callee, &args);
    let results: Vec<_> = pos.func.dfg.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        pos.ins().store(flags, r, buf, (i * 16) as i32);
    }
    pos.ins().return_(&[]);
    f
}

fn name_key(n: &UserFuncName) -> String {
    n.to_string()
}

impl Backend for X64Backend {
    fn isa(&self) -> &str {
        "x86_64"
    }

    fn compile_for_run<'a>(
        &'a self,
        functions: &'a [Function],
        target: Option<&TargetLine>,
        _settings: &[SetLine],
    ) -> Result<Box<dyn Executor + 'a>, String> {
        let flags = self.flags(target)?;
        if !flags.is_subset_of(&self.host) {
            return Err(format!(
                "the host CPU lacks a feature of the target ({flags}); cannot run here"
            ));
        }
        let opts = CompileOptions {
            flags,
            fast_regalloc: self.fast_regalloc,
            ..CompileOptions::default()
        };
        let mut compiled = Vec::new();
        for f in functions {
            compiled.push((f, self.compile(f, opts)?));
        }
        let mut tramps: Vec<(Signature, CompiledFunction, Function)> = Vec::new();
        for f in functions {
            if !tramps.iter().any(|(s, _, _)| *s == f.signature) {
                let t = trampoline(&f.signature);
                let c = self.compile(&t, opts)?;
                tramps.push((f.signature.clone(), c, t));
            }
        }
        // Lay out: every function 16-byte aligned.
        let mut image = Vec::new();
        let mut place = |c: &CompiledFunction| {
            let at = image.len().next_multiple_of(16);
            image.resize(at, 0xcc);
            image.extend_from_slice(&c.code);
            at
        };
        let mut offsets = HashMap::new();
        let mut placed = Vec::new();
        let mut info = CodeInfo::default();
        let mut describe = |name: String, c: &CompiledFunction, at: usize| {
            info.functions.push(FunctionInfo {
                start: at as u32,
                end: (at + c.code.len()) as u32,
                name,
            });
            info.traps
                .extend(c.traps.iter().map(|t| (at as u32 + t.offset, t.code)));
        };
        for (f, c) in &compiled {
            let at = place(c);
            offsets.insert(name_key(&f.name), (at, f.signature.clone()));
            describe(f.name.to_string(), c, at);
            placed.push((*f, c, at));
        }
        let mut trampolines = HashMap::new();
        let mut tplaced = Vec::new();
        for (s, c, t) in &tramps {
            let at = place(c);
            trampolines.insert(s.clone(), at);
            describe(format!("trampoline {s}"), c, at);
            tplaced.push((t, c, at));
        }
        let mut builder = CodeBuilder::new(&image).map_err(|e| e.to_string())?;
        let base = builder.base() as u64;
        let bytes = builder.as_mut_slice();
        for (f, c, at) in placed
            .iter()
            .copied()
            .chain(tplaced.iter().map(|(t, c, a)| (*t, *c, *a)))
        {
            for r in &c.relocs {
                let name = match &r.target {
                    RelocTarget::Func(fr) => name_key(&f.dfg.ext_funcs[*fr].name),
                    RelocTarget::Name(n) => name_key(n),
                };
                let s = match (offsets.get(&name), LibCall::from_name(&name)) {
                    (Some(&(callee, _)), _) => base + callee as u64,
                    (None, Some(lib)) => lib.address() as u64,
                    (None, None) => {
                        return Err(format!("{}: call to unknown function {name}", f.name))
                    }
                };
                let p = base + (at + r.offset as usize) as u64;
                let field = at + r.offset as usize;
                match r.kind {
                    RelocKind::X86CallPCRel4 => {
                        let v = (s as i64 + r.addend - p as i64) as i32;
                        bytes[field..field + 4].copy_from_slice(&v.to_le_bytes());
                    }
                    RelocKind::Abs8 => {
                        let v = (s as i64 + r.addend) as u64;
                        bytes[field..field + 8].copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
        let code = builder.publish().map_err(|e| e.to_string())?;
        let code = RegisteredCode::new(code, info).map_err(|e| e.to_string())?;
        Ok(Box::new(Linked {
            code,
            offsets,
            trampolines,
        }))
    }

    fn cannot_run(&self, target: Option<&TargetLine>) -> Option<String> {
        let flags = self.flags(target).ok()?;
        (!flags.is_subset_of(&self.host))
            .then(|| format!("the host CPU lacks a feature of `target x86_64 {flags}`"))
    }

    fn compile_listing(
        &self,
        func: &Function,
        target: Option<&TargetLine>,
        _settings: &[SetLine],
    ) -> Result<String, String> {
        let flags = self.flags(target)?;
        let c = self.compile(
            func,
            CompileOptions {
                flags,
                listing: true,
                ..CompileOptions::default()
            },
        )?;
        Ok(c.listing.unwrap_or_default())
    }
}

impl Executor for Linked {
    fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
        let key = name.strip_prefix('%').unwrap_or(name);
        let (at, sig) = self
            .offsets
            .get(key)
            .or_else(|| self.offsets.get(name))
            .cloned()
            .ok_or_else(|| InterpreterError::UnknownFunction(name.to_string()))?;
        let tramp = self.trampolines[&sig];
        let n = sig.params.len().max(sig.returns.len()).max(1);
        let mut buf = vec![0u128; n];
        for (slot, a) in buf.iter_mut().zip(args) {
            *slot = a.to_bits();
        }
        let base = self.code.code().base();
        // SAFETY: `tramp` is the compiled trampoline for `sig`, a System V function taking the
        // callee's address and a buffer of at least max(params, returns) 16-byte slots; the
        // code stays mapped while `self` lives.
        let (f, callee, slots) = unsafe {
            let f: extern "C" fn(*const u8, *mut u128) = core::mem::transmute(base.add(tramp));
            (f, base.add(at), buf.as_mut_ptr())
        };
        // The closure only calls into the registered code and owns nothing to drop.
        catch_traps(|| f(callee, slots)).map_err(|t| InterpreterError::Trap(t.code))?;
        Ok(sig
            .returns
            .iter()
            .zip(&buf)
            .map(|(p, &bits)| DataValue::from_bits(p.value_type, mask(p.value_type, bits)))
            .collect())
    }
}

fn mask(ty: Type, bits: u128) -> u128 {
    let b = ty.bits();
    if b >= 128 {
        bits
    } else {
        bits & ((1u128 << b) - 1)
    }
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests {
    use super::*;
    use kiln_ir::interpreter::{FunctionStore, Interpreter};
    use kiln_ir::parser::parse_functions;

    /// A small deterministic generator (xorshift) of edge-heavy values.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn value(&mut self, ty: Type) -> DataValue {
            let bits = ty.bits();
            let min = 1u128 << (bits - 1);
            let r = self.next();
            let v = if ty.is_float() {
                // Zeros, infinities, NaNs with payloads, integers and small fractions.
                let edges64: [u64; 8] = [
                    0,
                    1 << 63,
                    0x7ff0_0000_0000_0000,
                    0x7ff8_0000_0000_0001,
                    0xfff4_0000_0000_0002,
                    0x4004_0000_0000_0000,
                    0xc004_0000_0000_0000,
                    0x3fe0_0000_0000_0000,
                ];
                let edges32: [u32; 8] = [
                    0,
                    0x8000_0000,
                    0x7f80_0000,
                    0x7fc0_0001,
                    0xffa0_0002,
                    0x4020_0000,
                    0xc020_0000,
                    0x3f00_0000,
                ];
                let e = (r >> 8) as usize % 8;
                match (r % 3, bits) {
                    (0, 64) => edges64[e] as u128,
                    (0, _) => edges32[e] as u128,
                    (1, 64) => f64::from(((r >> 16) % 2001) as i32 - 1000).to_bits() as u128,
                    (1, _) => (((r >> 16) % 2001) as f32 - 1000.0).to_bits() as u128,
                    _ => self.next() as u128,
                }
            } else if r % 3 == 0 {
                [0, 1, 2, u128::MAX, min, min - 1, 0x80, 0x7f][(r >> 8) as usize % 8]
            } else {
                (self.next() as u128) << 64 | self.next() as u128
            };
            DataValue::from_bits(ty, mask(ty, v))
        }
    }

    fn targets() -> [Option<TargetLine>; 2] {
        [
            None,
            Some(TargetLine {
                isa: "x86_64".into(),
                flags: vec![],
                line: 0,
            }),
        ]
    }

    /// Compiles `text` for the host and for the baseline (SSE2 fallbacks) and checks every
    /// function on random arguments against the interpreter, the specification (NaN results
    /// as loosely as run lines compare them; traps must agree).
    fn agree(text: &str, rounds: usize) {
        agree_with(&X64Backend::new(), text, rounds);
    }

    fn agree_with(backend: &X64Backend, text: &str, rounds: usize) {
        let funcs = parse_functions(text).expect("parses");
        for t in targets() {
            let mut exec = backend
                .compile_for_run(&funcs, t.as_ref(), &[])
                .unwrap_or_else(|e| panic!("compiles: {e}"));
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
            for f in &funcs {
                let name = f.name.to_string();
                for _ in 0..rounds {
                    let args: Vec<DataValue> = f
                        .signature
                        .params
                        .iter()
                        .map(|p| rng.value(p.value_type))
                        .collect();
                    let mut store = FunctionStore::new();
                    for g in &funcs {
                        store.add(g);
                    }
                    let want = Interpreter::new(store).call_by_name(&name, &args);
                    let got = exec.call(&name, &args);
                    let ok = match (&got, &want) {
                        (Ok(g), Ok(w)) => {
                            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| a.matches(b))
                        }
                        _ => got == want,
                    };
                    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                    assert!(
                        ok,
                        "{name}({}): got {got:?}, want {want:?}\n{}",
                        args.join(", "),
                        f.display()
                    );
                }
            }
        }
    }

    fn each(ops: &[&str], tys: &[&str], body: impl Fn(&str, &str) -> String) -> String {
        let mut text = String::new();
        for op in ops {
            for ty in tys {
                text.push_str(&body(op, ty));
            }
        }
        text
    }

    #[test]
    fn integer_binary_ops_agree_with_the_interpreter() {
        let ops = [
            "iadd", "isub", "imul", "umulhi", "smulhi", "udiv", "sdiv", "urem", "srem", "band",
            "bor", "bxor", "band_not", "bor_not", "bxor_not", "ishl", "ushr", "sshr", "rotl",
            "rotr", "smin", "smax", "umin", "umax",
        ];
        let text = each(&ops, &["i8", "i16", "i32", "i64", "i128"], |op, ty| {
            format!(
                "function %{op}_{ty}({ty}, {ty}) -> {ty} {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = {op} v0, v1\n    return v2\n}}\n"
            )
        });
        agree(&text, 48);
    }

    #[test]
    fn integer_unary_ops_and_compares_agree_with_the_interpreter() {
        let unary = [
            "ineg", "iabs", "bnot", "clz", "cls", "ctz", "popcnt", "bitrev",
        ];
        let mut text = each(&unary, &["i8", "i16", "i32", "i64", "i128"], |op, ty| {
            format!(
                "function %{op}_{ty}({ty}) -> {ty} {{\n\
                 block0(v0: {ty}):\n    v1 = {op} v0\n    return v1\n}}\n"
            )
        });
        let conds = [
            "eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule",
        ];
        text += &each(&conds, &["i8", "i16", "i32", "i64", "i128"], |cc, ty| {
            format!(
                "function %icmp_{cc}_{ty}({ty}, {ty}) -> i8 {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = icmp {cc} v0, v1\n    return v2\n}}\n\
                 function %br_{cc}_{ty}({ty}, {ty}) -> i32 {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = icmp {cc} v0, v1\n    brif v2, block1, block2\n\
                 block1:\n    v3 = iconst.i32 1\n    return v3\n\
                 block2:\n    v4 = iconst.i32 2\n    return v4\n}}\n"
            )
        });
        agree(&text, 32);
    }

    #[test]
    fn float_ops_and_compares_agree_with_the_interpreter() {
        let binary = ["fadd", "fsub", "fmul", "fdiv", "fmin", "fmax", "fcopysign"];
        let mut text = each(&binary, &["f32", "f64"], |op, ty| {
            format!(
                "function %{op}_{ty}({ty}, {ty}) -> {ty} {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = {op} v0, v1\n    return v2\n}}\n"
            )
        });
        let unary = ["fabs", "fneg", "sqrt", "ceil", "floor", "trunc", "nearest"];
        text += &each(&unary, &["f32", "f64"], |op, ty| {
            format!(
                "function %{op}_{ty}({ty}) -> {ty} {{\n\
                 block0(v0: {ty}):\n    v1 = {op} v0\n    return v1\n}}\n"
            )
        });
        let conds = [
            "ord", "uno", "eq", "ne", "one", "ueq", "lt", "le", "gt", "ge", "ult", "ule", "ugt",
            "uge",
        ];
        text += &each(&conds, &["f32", "f64"], |cc, ty| {
            format!(
                "function %fcmp_{cc}_{ty}({ty}, {ty}) -> i8 {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = fcmp {cc} v0, v1\n    return v2\n}}\n\
                 function %fbr_{cc}_{ty}({ty}, {ty}) -> i32 {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2 = fcmp {cc} v0, v1\n    brif v2, block1, block2\n\
                 block1:\n    v3 = iconst.i32 1\n    return v3\n\
                 block2:\n    v4 = iconst.i32 2\n    return v4\n}}\n\
                 function %fsel_{cc}_{ty}({ty}, {ty}, i64, i64) -> i64, {ty} {{\n\
                 block0(v0: {ty}, v1: {ty}, v2: i64, v3: i64):\n    v4 = fcmp {cc} v0, v1\n    \
                 v5 = select v4, v2, v3\n    v6 = select v4, v0, v1\n    return v5, v6\n}}\n"
            )
        });
        agree(&text, 32);
    }

    #[test]
    fn conversions_and_overflow_ops_agree_with_the_interpreter() {
        let mut text = String::new();
        for to in ["i8", "i16", "i32", "i64"] {
            for from in ["f32", "f64"] {
                for op in [
                    "fcvt_to_sint",
                    "fcvt_to_uint",
                    "fcvt_to_sint_sat",
                    "fcvt_to_uint_sat",
                ] {
                    text += &format!(
                        "function %{op}_{from}_{to}({from}) -> {to} {{\n\
                         block0(v0: {from}):\n    v1 = {op}.{to} v0\n    return v1\n}}\n"
                    );
                }
            }
        }
        for from in ["i8", "i16", "i32", "i64", "i128"] {
            for to in ["f32", "f64"] {
                for op in ["fcvt_from_sint", "fcvt_from_uint"] {
                    text += &format!(
                        "function %{op}_{from}_{to}({from}) -> {to} {{\n\
                         block0(v0: {from}):\n    v1 = {op}.{to} v0\n    return v1\n}}\n"
                    );
                }
            }
        }
        let narrow = ["i8", "i16", "i32", "i64"];
        for (i, from) in narrow.iter().enumerate() {
            for to in narrow[i + 1..].iter().chain(["i128"].iter()) {
                for op in ["uextend", "sextend"] {
                    text += &format!(
                        "function %{op}_{from}_{to}({from}) -> {to} {{\n\
                         block0(v0: {from}):\n    v1 = {op}.{to} v0\n    return v1\n}}\n"
                    );
                }
            }
        }
        let ovf = [
            "uadd_overflow",
            "sadd_overflow",
            "usub_overflow",
            "ssub_overflow",
            "umul_overflow",
            "smul_overflow",
        ];
        text += &each(&ovf, &["i8", "i16", "i32", "i64", "i128"], |op, ty| {
            format!(
                "function %{op}_{ty}({ty}, {ty}) -> {ty}, i8 {{\n\
                 block0(v0: {ty}, v1: {ty}):\n    v2, v3 = {op} v0, v1\n    return v2, v3\n}}\n"
            )
        });
        text += &each(
            &["i8", "i32", "i64", "i128"],
            &["i8", "i64", "f32", "f64", "i128"],
            |c, ty| {
                format!(
                "function %select_{c}_{ty}({c}, {ty}, {ty}) -> {ty} {{\n\
                 block0(v0: {c}, v1: {ty}, v2: {ty}):\n    v3 = select v0, v1, v2\n    return v3\n}}\n"
            )
            },
        );
        agree(&text, 32);
    }

    /// Loads merged into their users (integer and float, with folded `base + index << k`
    /// addresses) compute what separate loads compute. (Only bytes written are read: the
    /// zero-initialisation of stack slots is interpreter semantics.)
    #[test]
    fn sunk_loads_agree_with_the_interpreter() {
        let mut text = String::new();
        for (op, ty) in [
            ("iadd", "i32"),
            ("isub", "i64"),
            ("band", "i32"),
            ("bxor", "i64"),
            ("fadd", "f32"),
            ("fsub", "f64"),
            ("fmul", "f32"),
            ("fdiv", "f64"),
        ] {
            text += &format!(
                "function %sink_{op}_{ty}({ty}, {ty}, i64) -> {ty} {{\n\
                 ss0 = explicit_slot 64, align = 16\n\
                 block0(v0: {ty}, v1: {ty}, v2: i64):\n\
                 v3 = band_imm v2, 3\n\
                 v4 = stack_addr.i64 ss0\n\
                 v5 = ishl_imm v3, 3\n\
                 v6 = iadd v4, v5\n\
                 store v1, v6+16\n\
                 v7 = ishl_imm v3, 3\n\
                 v8 = iadd v4, v7\n\
                 v9 = iconst.i64 0\n\
                 v10 = iadd v8, v9\n\
                 v11 = load.{ty} v10+16\n\
                 v12 = {op} v0, v11\n\
                 return v12\n}}\n"
            );
        }
        agree(&text, 24);
    }

    /// A random straight-line-and-diamond program over i64 and i32 values (many values live
    /// at once, so registers are reused and spilled; flags-producing compares feed selects
    /// and branches).
    fn random_program(rng: &mut Rng, n: usize) -> String {
        const BIN: [&str; 12] = [
            "iadd", "isub", "imul", "band", "bor", "bxor", "ishl", "ushr", "sshr", "rotl", "smin",
            "umax",
        ];
        let mut vals: Vec<(usize, &str)> = vec![(0, "i64"), (1, "i64"), (2, "i32"), (3, "i32")];
        let mut body = String::new();
        let mut next = 4;
        let pick = |rng: &mut Rng, vals: &[(usize, &'static str)], ty: &str| -> usize {
            let of: Vec<usize> = vals.iter().filter(|v| v.1 == ty).map(|v| v.0).collect();
            of[(rng.next() as usize) % of.len()]
        };
        for _ in 0..n {
            let ty = if rng.next() % 2 == 0 { "i64" } else { "i32" };
            let r = rng.next() % 10;
            let line = if r < 6 {
                let op = BIN[(rng.next() as usize) % BIN.len()];
                let (a, b) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                format!("    v{next} = {op} v{a}, v{b}\n")
            } else if r < 7 {
                let k = (rng.next() % 200) as i64 - 100;
                let a = pick(rng, &vals, ty);
                format!("    v{next} = iadd_imm v{a}, {k}\n")
            } else if r < 8 {
                let (a, b) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                let (x, y) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                let c = next;
                next += 1;
                body += &format!("    v{c} = icmp slt v{a}, v{b}\n");
                format!("    v{next} = select v{c}, v{x}, v{y}\n")
            } else if ty == "i32" {
                let a = pick(rng, &vals, "i64");
                format!("    v{next} = ireduce.i32 v{a}\n")
            } else {
                let a = pick(rng, &vals, "i32");
                let op = if rng.next() % 2 == 0 {
                    "uextend"
                } else {
                    "sextend"
                };
                format!("    v{next} = {op}.i64 v{a}\n")
            };
            body += &line;
            vals.push((next, ty));
            next += 1;
        }
        // Fold everything into one i64 through a diamond.
        let mut acc = 0;
        for &(v, ty) in &vals[1..] {
            let w = if ty == "i32" {
                body += &format!("    v{next} = uextend.i64 v{v}\n");
                next += 1;
                next - 1
            } else {
                v
            };
            body += &format!(
                "    v{next} = bxor v{acc}, v{w}\n    v{} = rotl_imm v{next}, 7\n",
                next + 1
            );
            acc = next + 1;
            next += 2;
        }
        let c = next;
        format!(
            "function %p(i64, i64, i32, i32) -> i64 {{\n\
             block0(v0: i64, v1: i64, v2: i32, v3: i32):\n{body}    \
             v{c} = icmp_imm ugt v{acc}, 0x7fff_ffff_ffff_ffff\n    \
             brif v{c}, block1(v{acc}), block2(v{acc}, v1)\n\
             block1(v{}: i64):\n    v{} = bnot v{}\n    return v{}\n\
             block2(v{}: i64, v{}: i64):\n    v{} = iadd v{}, v{}\n    return v{}\n}}\n",
            c + 1,
            c + 2,
            c + 1,
            c + 2,
            c + 3,
            c + 4,
            c + 5,
            c + 3,
            c + 4,
            c + 5
        )
    }

    #[test]
    fn random_programs_agree_with_the_interpreter() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..12 {
            let text = random_program(&mut rng, 20 + 8 * round);
            agree(&text, 16);
        }
    }

    #[test]
    fn the_fast_allocator_agrees_too() {
        let fast = X64Backend::with_fast_regalloc();
        let mut rng = Rng(0x853c_49e6_748f_ea9b);
        for round in 0..6 {
            let text = random_program(&mut rng, 20 + 12 * round);
            agree_with(&fast, &text, 8);
        }
    }

    /// A random float program: f32/f64 arithmetic, min/max, conversions and compares, with
    /// a call in the middle (no SSE register survives it, so every live value is spilled).
    /// (No `fcopysign`: it would turn the sign of a NaN generated from non-NaN operands,
    /// which x86 makes negative, into a non-NaN difference; see the README.)
    fn random_float_program(rng: &mut Rng, n: usize) -> String {
        const BIN: [&str; 5] = ["fadd", "fsub", "fmul", "fmin", "fmax"];
        let mut vals: Vec<(usize, &str)> = vec![(0, "f64"), (1, "f64"), (2, "f32"), (3, "f32")];
        let mut body = String::new();
        let mut next = 4;
        let pick = |rng: &mut Rng, vals: &[(usize, &'static str)], ty: &str| -> usize {
            let of: Vec<usize> = vals.iter().filter(|v| v.1 == ty).map(|v| v.0).collect();
            of[(rng.next() as usize) % of.len()]
        };
        for i in 0..n {
            if i == n / 2 {
                let a = pick(rng, &vals, "f64");
                body += &format!("    v{next} = call fn0(v{a})\n");
                vals.push((next, "f64"));
                next += 1;
                continue;
            }
            let ty = if rng.next() % 2 == 0 { "f64" } else { "f32" };
            let r = rng.next() % 8;
            let line = if r < 5 {
                let op = BIN[(rng.next() as usize) % BIN.len()];
                let (a, b) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                format!("    v{next} = {op} v{a}, v{b}\n")
            } else if r < 6 {
                let (a, b) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                let (x, y) = (pick(rng, &vals, ty), pick(rng, &vals, ty));
                let c = next;
                next += 1;
                body += &format!("    v{c} = fcmp lt v{a}, v{b}\n");
                format!("    v{next} = select v{c}, v{x}, v{y}\n")
            } else if ty == "f64" {
                let a = pick(rng, &vals, "f32");
                format!("    v{next} = fpromote.f64 v{a}\n")
            } else {
                let a = pick(rng, &vals, "f64");
                format!("    v{next} = fdemote.f32 v{a}\n")
            };
            body += &line;
            vals.push((next, ty));
            next += 1;
        }
        // Sum everything as f64 bit patterns xor-ed together (exact, NaN-proof).
        body += &format!("    v{next} = iconst.i64 0\n");
        let mut acc = next;
        next += 1;
        for &(v, ty) in &vals {
            // NaNs produced from non-NaN inputs have an unspecified sign (run lines compare
            // them loosely): fold every NaN to one value.
            let (c, k) = (next, next + 1);
            let (it, kconst) = if ty == "f32" {
                ("i32", format!("    v{k} = f32const +NaN\n"))
            } else {
                ("i64", format!("    v{k} = f64const +NaN\n"))
            };
            body += &format!("    v{c} = fcmp uno v{v}, v{v}\n{kconst}");
            let s = next + 2;
            body += &format!("    v{s} = select v{c}, v{k}, v{v}\n");
            next += 3;
            let w = if ty == "f32" {
                body += &format!(
                    "    v{next} = bitcast.{it} v{s}\n    v{} = uextend.i64 v{next}\n",
                    next + 1
                );
                next += 2;
                next - 1
            } else {
                body += &format!("    v{next} = bitcast.{it} v{s}\n");
                next += 1;
                next - 1
            };
            body += &format!(
                "    v{next} = rotl_imm v{acc}, 5\n    v{} = bxor v{next}, v{w}\n",
                next + 1
            );
            acc = next + 1;
            next += 2;
        }
        format!(
            "function %id_f(f64) -> f64 {{\nblock0(v0: f64):\n    return v0\n}}\n\
             function %fp(f64, f64, f32, f32) -> i64 {{\n    fn0 = %id_f(f64) -> f64\n\
             block0(v0: f64, v1: f64, v2: f32, v3: f32):\n{body}    return v{acc}\n}}\n"
        )
    }

    #[test]
    fn random_float_programs_agree_with_the_interpreter() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for round in 0..8 {
            let text = random_float_program(&mut rng, 20 + 10 * round);
            agree(&text, 12);
        }
    }
}
