//! Edge-of-memory tests, generated: every Wasm load and store, and every operation that may
//! consume a loaded value through a memory operand, is placed so that its access ends exactly
//! at the last byte of a one-page memory (it must succeed with the value computed here, in
//! Rust, from the bytes the test stored) and one byte further, and at a wrapping address
//! (both must trap `heap out of bounds` and leave memory unchanged). The matrix runs under
//! guard pages / explicit checks × Spectre mitigation on/off × CPU features (SSE2 baseline,
//! everything but AVX, native with AVX; AVX configurations are skipped, with a message, on
//! hosts without AVX).
//!
//! In the explicit-check configurations a second run proves that no out-of-bounds byte is
//! ever read: the page after the memory, in the memory's own mapping, is made readable and
//! filled with sentinel bytes; every case runs under two different sentinels, results must
//! match the expected values both times, out-of-bounds accesses must still trap (caught by
//! the explicit check, since the page no longer faults), and the sentinels must be intact.

use kiln_frontend_wasm::BoundsChecks;
use kiln_ir::TrapCode;
use kiln_runtime::{
    BoundsCheckStrategy, Config, CpuFeatures, Engine, Instance, Memory, Module, Store, Val,
};

const PAGE: u32 = 65536;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum T {
    I32,
    I64,
    F32,
    F64,
}

impl T {
    fn wat(self) -> &'static str {
        match self {
            T::I32 => "i32",
            T::I64 => "i64",
            T::F32 => "f32",
            T::F64 => "f64",
        }
    }
    fn bytes(self) -> u32 {
        match self {
            T::I32 | T::F32 => 4,
            T::I64 | T::F64 => 8,
        }
    }
    fn val(self, bits: u64) -> Val {
        match self {
            T::I32 => Val::I32(bits as u32 as i32),
            T::I64 => Val::I64(bits as i64),
            T::F32 => Val::F32(bits as u32),
            T::F64 => Val::F64(bits),
        }
    }
    fn is_float(self) -> bool {
        matches!(self, T::F32 | T::F64)
    }
}

fn bits_of(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        Val::F32(x) => *x as u64,
        Val::F64(x) => *x,
        other => panic!("unexpected value {other:?}"),
    }
}

/// What a case must produce when its access is in bounds.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// A result with exactly these bits.
    Bits(u64),
    /// A NaN result of the case's result type (any payload).
    Nan,
    /// No result; these bytes are the last bytes of memory afterwards.
    Stored(Vec<u8>),
}

/// One generated function and what calling it must do.
struct Case {
    name: String,
    /// The `(func ...)` text; parameter 0 is the address.
    func: String,
    /// Bytes the memory instruction accesses.
    access: u32,
    /// The memarg offset.
    offset: u32,
    /// Bytes placed at the end of memory before the call (the loaded value).
    data: Vec<u8>,
    /// Arguments after the address.
    extra: Vec<Val>,
    result: Option<T>,
    expect: Expect,
}

// The loaded values and the register operands. Loaded integers have their sign bit set and
// distinct bytes; loaded floats are negative non-integers (positive where a conversion would
// trap on a negative value).
// X64's low byte, low 16 and low 32 bits are negative as i8/i16/i32; X64 itself is positive.
const X64: u64 = 0x1357_9bdf_8765_c3a9;
const Y32: u32 = 0x0000_1235;
const Y64: u64 = 0x0000_0000_0001_1235;
const XF32: f32 = -1234.5678;
const XF64: f64 = -1_234.567_890_123;
const YF32: f32 = 0.75;
const YF64: f64 = 0.75;

fn le(bits: u64, n: u32) -> Vec<u8> {
    bits.to_le_bytes()[..n as usize].to_vec()
}

/// `(T.load<suffix> offset=o (local.get 0))`.
fn load_expr(name: &str, offset: u32) -> String {
    format!("({name} offset={offset} (local.get 0))")
}

fn func(name: &str, params: &[T], result: Option<T>, body: &str) -> String {
    let ps: String = params.iter().map(|t| format!(" {}", t.wat())).collect();
    let r = result.map_or(String::new(), |t| format!(" (result {})", t.wat()));
    format!("(func (export \"{name}\") (param i32{ps}){r} {body})")
}

/// The narrow and full loads: (wat name, result type, bytes, signed).
const LOADS: &[(&str, T, u32, bool)] = &[
    ("i32.load", T::I32, 4, false),
    ("i64.load", T::I64, 8, false),
    ("f32.load", T::F32, 4, false),
    ("f64.load", T::F64, 8, false),
    ("i32.load8_s", T::I32, 1, true),
    ("i32.load8_u", T::I32, 1, false),
    ("i32.load16_s", T::I32, 2, true),
    ("i32.load16_u", T::I32, 2, false),
    ("i64.load8_s", T::I64, 1, true),
    ("i64.load8_u", T::I64, 1, false),
    ("i64.load16_s", T::I64, 2, true),
    ("i64.load16_u", T::I64, 2, false),
    ("i64.load32_s", T::I64, 4, true),
    ("i64.load32_u", T::I64, 4, false),
];

/// The stores: (wat name, value type, bytes).
const STORES: &[(&str, T, u32)] = &[
    ("i32.store", T::I32, 4),
    ("i64.store", T::I64, 8),
    ("f32.store", T::F32, 4),
    ("f64.store", T::F64, 8),
    ("i32.store8", T::I32, 1),
    ("i32.store16", T::I32, 2),
    ("i64.store8", T::I64, 1),
    ("i64.store16", T::I64, 2),
    ("i64.store32", T::I64, 4),
];

/// Sign- or zero-extends the low `bytes` bytes of `x` to 64 bits.
fn extend(x: u64, bytes: u32, signed: bool) -> u64 {
    let sh = 64 - bytes * 8;
    if signed {
        (((x << sh) as i64) >> sh) as u64
    } else {
        (x << sh) >> sh
    }
}

fn mask(t: T, bits: u64) -> u64 {
    if t.bytes() == 4 {
        bits & 0xffff_ffff
    } else {
        bits
    }
}

/// Integer binary operations on the loaded value `x` and the operand `y` (already extended to
/// the type's width), as the Wasm spec defines them. Divisions never see a zero divisor or
/// MIN / -1 with the values used here.
fn int_binop(t: T, op: &str, x: u64, y: u64) -> u64 {
    let w = t.bytes() * 8;
    let (sx, sy) = if w == 32 {
        (x as u32 as i32 as i64, y as u32 as i32 as i64)
    } else {
        (x as i64, y as i64)
    };
    let (ux, uy) = (mask(t, x), mask(t, y));
    let b = |c: bool| c as u64;
    let r = match op {
        "add" => ux.wrapping_add(uy),
        "sub" => ux.wrapping_sub(uy),
        "mul" => ux.wrapping_mul(uy),
        "div_s" => (sx / sy) as u64,
        "div_u" => ux / uy,
        "rem_s" => (sx % sy) as u64,
        "rem_u" => ux % uy,
        "and" => ux & uy,
        "or" => ux | uy,
        "xor" => ux ^ uy,
        "shl" => ux << (uy % w as u64),
        "shr_s" => (sx >> (uy % w as u64)) as u64,
        "shr_u" => ux >> (uy % w as u64),
        "rotl" if w == 32 => (ux as u32).rotate_left(uy as u32 % 32) as u64,
        "rotr" if w == 32 => (ux as u32).rotate_right(uy as u32 % 32) as u64,
        "rotl" => ux.rotate_left(uy as u32 % 64),
        "rotr" => ux.rotate_right(uy as u32 % 64),
        "eq" => return b(ux == uy),
        "ne" => return b(ux != uy),
        "lt_s" => return b(sx < sy),
        "lt_u" => return b(ux < uy),
        "gt_s" => return b(sx > sy),
        "gt_u" => return b(ux > uy),
        "le_s" => return b(sx <= sy),
        "le_u" => return b(ux <= uy),
        "ge_s" => return b(sx >= sy),
        "ge_u" => return b(ux >= uy),
        _ => unreachable!("{op}"),
    };
    mask(t, r)
}

const INT_BINOPS: &[&str] = &[
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s",
    "ge_u",
];

fn is_compare(op: &str) -> bool {
    matches!(
        op,
        "eq" | "ne"
            | "lt"
            | "gt"
            | "le"
            | "ge"
            | "lt_s"
            | "lt_u"
            | "gt_s"
            | "gt_u"
            | "le_s"
            | "le_u"
            | "ge_s"
            | "ge_u"
    )
}

/// A float value of type `t` from an f64 (exact for the constants used).
fn fbits(t: T, v: f64) -> u64 {
    if t == T::F32 {
        (v as f32).to_bits() as u64
    } else {
        v.to_bits()
    }
}

/// Applies a float operation in the type's own precision; returns the result's bits.
fn float_op(t: T, op: &str, x: u64, y: u64) -> Expect {
    macro_rules! go {
        ($f:ty, $from:expr, $to:expr) => {{
            let a: $f = $from(x);
            let b: $f = $from(y);
            let cmp = |c: bool| Expect::Bits(c as u64);
            let r: $f = match op {
                "abs" => a.abs(),
                "neg" => -a,
                "sqrt" => a.sqrt(),
                "ceil" => a.ceil(),
                "floor" => a.floor(),
                "trunc" => a.trunc(),
                "nearest" => a.round_ties_even(),
                "add" => a + b,
                "sub" => a - b,
                "mul" => a * b,
                "div" => a / b,
                // No NaN and no zero among the operands: IEEE min/max.
                "min" => a.min(b),
                "max" => a.max(b),
                "copysign" => a.copysign(b),
                "eq" => return cmp(a == b),
                "ne" => return cmp(a != b),
                "lt" => return cmp(a < b),
                "gt" => return cmp(a > b),
                "le" => return cmp(a <= b),
                "ge" => return cmp(a >= b),
                _ => unreachable!("{op}"),
            };
            if r.is_nan() {
                Expect::Nan
            } else {
                Expect::Bits($to(r))
            }
        }};
    }
    if t == T::F32 {
        go!(f32, |v: u64| f32::from_bits(v as u32), |r: f32| r.to_bits()
            as u64)
    } else {
        go!(f64, f64::from_bits, |r: f64| r.to_bits())
    }
}

const FLOAT_UNOPS: &[&str] = &["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"];
const FLOAT_BINOPS: &[&str] = &[
    "add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge",
];

/// Generates every case.
fn cases() -> Vec<Case> {
    let mut out = vec![];
    let mut n = 0;
    let mut name = |what: &str| {
        n += 1;
        format!("c{n}_{}", what.replace('.', "_"))
    };

    // Plain loads and stores, at three offsets: none, small, and the whole distance to the
    // edge (so the address itself is 0 at the edge).
    for &(op, t, w, signed) in LOADS {
        for offset in [0, 5, PAGE - w] {
            let bits = if t.is_float() {
                fbits(t, if t == T::F32 { XF32 as f64 } else { XF64 })
            } else {
                X64
            };
            let nm = name(op);
            out.push(Case {
                func: func(&nm, &[], Some(t), &load_expr(op, offset)),
                name: nm,
                access: w,
                offset,
                data: le(bits, w),
                extra: vec![],
                result: Some(t),
                expect: Expect::Bits(mask(t, extend(bits, w, signed))),
            });
        }
    }
    for &(op, t, w) in STORES {
        for offset in [0, 5, PAGE - w] {
            let y = match t {
                T::I32 => 0xa1b2_c3d4,
                T::I64 => 0x1122_3344_5566_7788,
                T::F32 => (-3.5f32).to_bits() as u64,
                T::F64 => (-3.5f64).to_bits(),
            };
            let nm = name(op);
            let body = format!("({op} offset={offset} (local.get 0) (local.get 1))");
            out.push(Case {
                func: func(&nm, &[t], None, &body),
                name: nm,
                access: w,
                offset,
                data: vec![0x5a; w as usize],
                extra: vec![t.val(y)],
                result: None,
                expect: Expect::Stored(le(y, w)),
            });
        }
    }

    // Operations consuming a loaded value, at offsets 0 and 3.
    for offset in [0, 3] {
        // Floats.
        for t in [T::F32, T::F64] {
            let tw = t.wat();
            let load = load_expr(&format!("{tw}.load"), offset);
            let x = fbits(t, if t == T::F32 { XF32 as f64 } else { XF64 });
            let y = fbits(t, if t == T::F32 { YF32 as f64 } else { YF64 });
            for op in FLOAT_UNOPS {
                let nm = name(&format!("{tw}.{op}"));
                out.push(Case {
                    func: func(&nm, &[], Some(t), &format!("({tw}.{op} {load})")),
                    name: nm,
                    access: t.bytes(),
                    offset,
                    data: le(x, t.bytes()),
                    extra: vec![],
                    result: Some(t),
                    expect: float_op(t, op, x, 0),
                });
            }
            for op in FLOAT_BINOPS {
                let rt = if is_compare(op) { T::I32 } else { t };
                for loaded_first in [true, false] {
                    let nm = name(&format!("{tw}.{op}"));
                    let body = if loaded_first {
                        format!("({tw}.{op} {load} (local.get 1))")
                    } else {
                        format!("({tw}.{op} (local.get 1) {load})")
                    };
                    let expect = if loaded_first {
                        float_op(t, op, x, y)
                    } else {
                        float_op(t, op, y, x)
                    };
                    out.push(Case {
                        func: func(&nm, &[t], Some(rt), &body),
                        name: nm,
                        access: t.bytes(),
                        offset,
                        data: le(x, t.bytes()),
                        extra: vec![t.val(y)],
                        result: Some(rt),
                        expect,
                    });
                }
            }
            // Conversions from the loaded float (positive, so nothing traps).
            let px = fbits(t, if t == T::F32 { -XF32 as f64 } else { -XF64 });
            let pv = if t == T::F32 {
                f32::from_bits(px as u32) as f64
            } else {
                f64::from_bits(px)
            };
            let mut convs: Vec<(String, T, u64)> = vec![];
            for it in [T::I32, T::I64] {
                for s in ["s", "u"] {
                    // Truncation of 1234.56... toward zero: 1234 for every target.
                    let r = pv.trunc() as u64;
                    convs.push((format!("{}.trunc_{tw}_{s}", it.wat()), it, r));
                    convs.push((format!("{}.trunc_sat_{tw}_{s}", it.wat()), it, r));
                }
            }
            if t == T::F32 {
                convs.push(("f64.promote_f32".into(), T::F64, (pv).to_bits()));
                convs.push(("i32.reinterpret_f32".into(), T::I32, px));
            } else {
                convs.push((
                    "f32.demote_f64".into(),
                    T::F32,
                    (pv as f32).to_bits() as u64,
                ));
                convs.push(("i64.reinterpret_f64".into(), T::I64, px));
            }
            for (op, rt, r) in convs {
                let nm = name(&op);
                out.push(Case {
                    func: func(&nm, &[], Some(rt), &format!("({op} {load})")),
                    name: nm,
                    access: t.bytes(),
                    offset,
                    data: le(px, t.bytes()),
                    extra: vec![],
                    result: Some(rt),
                    expect: Expect::Bits(r),
                });
            }
        }
        // Integers: full loads and every narrow load feed every binary operation.
        for &(lop, t, w, signed) in LOADS.iter().filter(|l| !l.1.is_float()) {
            let tw = t.wat();
            let load = load_expr(lop, offset);
            let x = mask(t, extend(X64, w, signed));
            let y = if t == T::I32 { Y32 as u64 } else { Y64 };
            for op in INT_BINOPS {
                let rt = if is_compare(op) { T::I32 } else { t };
                for loaded_first in [true, false] {
                    let nm = name(&format!("{tw}.{op}"));
                    let body = if loaded_first {
                        format!("({tw}.{op} {load} (local.get 1))")
                    } else {
                        format!("({tw}.{op} (local.get 1) {load})")
                    };
                    let r = if loaded_first {
                        int_binop(t, op, x, y)
                    } else {
                        int_binop(t, op, y, x)
                    };
                    out.push(Case {
                        func: func(&nm, &[t], Some(rt), &body),
                        name: nm,
                        access: w,
                        offset,
                        data: le(X64, w),
                        extra: vec![t.val(y)],
                        result: Some(rt),
                        expect: Expect::Bits(r),
                    });
                }
            }
            // Unary operations and conversions, on full and narrow loads.
            let mut unops: Vec<(String, T, Expect)> = vec![];
            let bits = |v: u64| Expect::Bits(v);
            if t == T::I32 {
                let v = x as u32;
                let i = v as i32;
                unops.extend([
                    (
                        "i32.clz".to_string(),
                        T::I32,
                        bits(v.leading_zeros() as u64),
                    ),
                    ("i32.ctz".into(), T::I32, bits(v.trailing_zeros() as u64)),
                    ("i32.popcnt".into(), T::I32, bits(v.count_ones() as u64)),
                    ("i32.eqz".into(), T::I32, bits((v == 0) as u64)),
                    (
                        "i32.extend8_s".into(),
                        T::I32,
                        bits(i as i8 as i32 as u32 as u64),
                    ),
                    (
                        "i32.extend16_s".into(),
                        T::I32,
                        bits(i as i16 as i32 as u32 as u64),
                    ),
                    ("i64.extend_i32_s".into(), T::I64, bits(i as i64 as u64)),
                    ("i64.extend_i32_u".into(), T::I64, bits(v as u64)),
                    (
                        "f32.convert_i32_s".into(),
                        T::F32,
                        bits((i as f32).to_bits() as u64),
                    ),
                    (
                        "f32.convert_i32_u".into(),
                        T::F32,
                        bits((v as f32).to_bits() as u64),
                    ),
                    (
                        "f64.convert_i32_s".into(),
                        T::F64,
                        bits((i as f64).to_bits()),
                    ),
                    (
                        "f64.convert_i32_u".into(),
                        T::F64,
                        bits((v as f64).to_bits()),
                    ),
                    ("f32.reinterpret_i32".into(), T::F32, bits(v as u64)),
                ]);
            } else {
                let i = x as i64;
                unops.extend([
                    (
                        "i64.clz".to_string(),
                        T::I64,
                        bits(x.leading_zeros() as u64),
                    ),
                    ("i64.ctz".into(), T::I64, bits(x.trailing_zeros() as u64)),
                    ("i64.popcnt".into(), T::I64, bits(x.count_ones() as u64)),
                    ("i64.eqz".into(), T::I32, bits((x == 0) as u64)),
                    ("i64.extend8_s".into(), T::I64, bits(i as i8 as i64 as u64)),
                    (
                        "i64.extend16_s".into(),
                        T::I64,
                        bits(i as i16 as i64 as u64),
                    ),
                    (
                        "i64.extend32_s".into(),
                        T::I64,
                        bits(i as i32 as i64 as u64),
                    ),
                    ("i32.wrap_i64".into(), T::I32, bits(x & 0xffff_ffff)),
                    (
                        "f32.convert_i64_s".into(),
                        T::F32,
                        bits((i as f32).to_bits() as u64),
                    ),
                    (
                        "f32.convert_i64_u".into(),
                        T::F32,
                        bits((x as f32).to_bits() as u64),
                    ),
                    (
                        "f64.convert_i64_s".into(),
                        T::F64,
                        bits((i as f64).to_bits()),
                    ),
                    (
                        "f64.convert_i64_u".into(),
                        T::F64,
                        bits((x as f64).to_bits()),
                    ),
                    ("f64.reinterpret_i64".into(), T::F64, bits(x)),
                ]);
            }
            for (op, rt, expect) in unops {
                let nm = name(&op);
                out.push(Case {
                    func: func(&nm, &[], Some(rt), &format!("({op} {load})")),
                    name: nm,
                    access: w,
                    offset,
                    data: le(X64, w),
                    extra: vec![],
                    result: Some(rt),
                    expect,
                });
            }
        }
        // `select` with a loaded value as either choice (a conditional move from memory
        // would read even when not chosen) or as the condition.
        for &(lop, t, w, signed) in LOADS {
            let tw = t.wat();
            let load = load_expr(lop, offset);
            let raw = if t.is_float() {
                fbits(t, if t == T::F32 { XF32 as f64 } else { XF64 })
            } else {
                X64
            };
            let x = mask(t, extend(raw, w, signed));
            let y = fbits(t, 0.75) & if t.is_float() { u64::MAX } else { 0x7777 };
            for loaded_first in [true, false] {
                for cond in [0, 1] {
                    let nm = name(&format!("select_{tw}"));
                    let body = if loaded_first {
                        format!("(select {load} (local.get 1) (local.get 2))")
                    } else {
                        format!("(select (local.get 1) {load} (local.get 2))")
                    };
                    let r = match (loaded_first, cond) {
                        (true, 1) | (false, 0) => x,
                        _ => y,
                    };
                    out.push(Case {
                        func: func(&nm, &[t, T::I32], Some(t), &body),
                        name: nm,
                        access: w,
                        offset,
                        data: le(raw, w),
                        extra: vec![t.val(y), Val::I32(cond)],
                        result: Some(t),
                        expect: Expect::Bits(r),
                    });
                }
            }
            if t == T::I32 {
                let nm = name(&format!("select_cond_{lop}"));
                let body = format!("(select (local.get 1) (i32.const 7) {load})");
                out.push(Case {
                    func: func(&nm, &[T::I32], Some(T::I32), &body),
                    name: nm,
                    access: w,
                    offset,
                    data: le(raw, w),
                    extra: vec![Val::I32(3)],
                    result: Some(T::I32),
                    expect: Expect::Bits(if x != 0 { 3 } else { 7 }),
                });
            }
        }
    }
    out
}

fn module_text(cases: &[Case]) -> String {
    let mut s = String::from("(module (memory (export \"mem\") 1)\n");
    for c in cases {
        s.push_str(&c.func);
        s.push('\n');
    }
    s.push(')');
    s
}

/// One configuration of the matrix.
struct Setup {
    name: String,
    config: Config,
    /// Make the page after the memory readable and fill it with sentinels.
    sentinels: bool,
}

fn host_has_avx() -> bool {
    std::is_x86_feature_detected!("avx")
}

/// Every feature the host has except AVX (and what needs it), by its `Config` name.
fn host_features_without_avx() -> CpuFeatures {
    let mut v = vec![];
    for (name, on) in [
        ("sse41", std::is_x86_feature_detected!("sse4.1")),
        ("popcnt", std::is_x86_feature_detected!("popcnt")),
        ("lzcnt", std::is_x86_feature_detected!("lzcnt")),
        ("bmi1", std::is_x86_feature_detected!("bmi1")),
        ("bmi2", std::is_x86_feature_detected!("bmi2")),
    ] {
        if on {
            v.push(name.to_string());
        }
    }
    if v.is_empty() {
        CpuFeatures::Baseline
    } else {
        CpuFeatures::List(v)
    }
}

fn cpu_variants() -> Vec<(&'static str, CpuFeatures)> {
    let mut v = vec![
        ("baseline", CpuFeatures::Baseline),
        ("no-avx", host_features_without_avx()),
    ];
    if host_has_avx() {
        v.push(("native+avx", CpuFeatures::Native));
    } else {
        println!("skipping the AVX configurations: this host has no AVX");
    }
    v
}

fn matrix() -> Vec<Setup> {
    let mut out = vec![];
    for (bname, strategy) in [
        ("guard", BoundsCheckStrategy::Guard),
        ("explicit", BoundsCheckStrategy::Explicit),
    ] {
        for spectre in [true, false] {
            for (cname, cpu) in cpu_variants() {
                let mut config = Config::new();
                config
                    .bounds_checks(strategy)
                    .spectre_mitigation(spectre)
                    .cpu_features(cpu);
                out.push(Setup {
                    name: format!("{bname} spectre={spectre} cpu={cname}"),
                    config,
                    sentinels: false,
                });
            }
        }
    }
    out
}

/// The explicit-check configurations with readable sentinel bytes after the memory. The code
/// is exactly that of `BoundsCheckStrategy::Explicit` (the translator gets
/// `BoundsChecks::Explicit`, asserted below); the memory is laid out as a one-page
/// reservation followed by a guard region *in the same mapping*, and the test makes the
/// first page of that guard readable and writes the sentinels there. (The `Explicit` memory
/// style maps exactly the memory's length, so there is no byte after it in its mapping.)
fn sentinel_matrix() -> Vec<Setup> {
    let mut out = vec![];
    for spectre in [true, false] {
        for (cname, cpu) in cpu_variants() {
            let mut config = Config::new();
            config
                .bounds_checks(BoundsCheckStrategy::Guard)
                .memory_reservation(PAGE as u64)
                .memory_guard_size(PAGE as u64)
                .spectre_mitigation(spectre)
                .cpu_features(cpu);
            assert_eq!(config.heap_config().bounds_checks, BoundsChecks::Explicit);
            out.push(Setup {
                name: format!("explicit+sentinels spectre={spectre} cpu={cname}"),
                config,
                sentinels: true,
            });
        }
    }
    out
}

/// Bytes of sentinels after the memory (reads past the end are at most 16 bytes wide, and
/// one page is what `mprotect` works in).
const SENTINEL_BYTES: usize = 4096;

/// Makes the first page after `mem`'s bytes readable and writable.
fn open_sentinel_page(store: &Store<()>, mem: Memory) -> *mut u8 {
    let data = mem.data(store).unwrap();
    assert_eq!(data.len(), PAGE as usize);
    // SAFETY: the memory's mapping is its one-page reservation followed by a 64 KiB guard
    // (configured above), so the page after the data belongs to the same mapping and no one
    // else uses it; the test owns the store.
    unsafe {
        let end = data.as_ptr().add(data.len()) as *mut u8;
        let r = libc::mprotect(
            end.cast(),
            SENTINEL_BYTES,
            libc::PROT_READ | libc::PROT_WRITE,
        );
        assert_eq!(r, 0, "mprotect of the guard page failed");
        end
    }
}

fn fill_sentinels(end: *mut u8, seed: u8) -> Vec<u8> {
    let s: Vec<u8> = (0..SENTINEL_BYTES)
        .map(|i| seed.wrapping_add((i as u8).wrapping_mul(37)) ^ 0x5a)
        .collect();
    // SAFETY: `end` starts a readable and writable page of SENTINEL_BYTES (open_sentinel_page).
    unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), end, s.len()) };
    s
}

fn read_sentinels(end: *mut u8) -> Vec<u8> {
    // SAFETY: as in fill_sentinels.
    unsafe { std::slice::from_raw_parts(end, SENTINEL_BYTES).to_vec() }
}

/// The observable outcome of one call: a result's bits, "stored", or a trap code.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Value(Option<u64>),
    Trap(TrapCode),
}

fn call(store: &mut Store<()>, inst: Instance, c: &Case, addr: u32) -> Outcome {
    let f = inst.get_func(&*store, &c.name).unwrap();
    let mut args = vec![Val::I32(addr as i32)];
    args.extend(c.extra.iter().cloned());
    let mut results = vec![Val::I32(0); c.result.is_some() as usize];
    match f.call(&mut *store, &args, &mut results) {
        Ok(()) => Outcome::Value(results.first().map(bits_of)),
        Err(e) => Outcome::Trap(
            e.as_trap()
                .unwrap_or_else(|| panic!("{}: not a trap: {e}", c.name))
                .code,
        ),
    }
}

/// Runs every case once under `setup`; returns the in-bounds outcomes (for comparing runs).
fn run_cases(
    setup: &Setup,
    cases: &[Case],
    store: &mut Store<()>,
    inst: Instance,
    mem: Memory,
    failures: &mut Vec<String>,
) -> Vec<Outcome> {
    let background: Vec<u8> = (0..PAGE)
        .map(|i| (i as u8).wrapping_mul(13) ^ 0xc3)
        .collect();
    let mut outcomes = vec![];
    for c in cases {
        mem.write(&mut *store, 0, &background).unwrap();
        let edge = PAGE - c.access - c.offset;
        mem.write(&mut *store, (PAGE - c.access) as usize, &c.data)
            .unwrap();
        let before = mem.data(&*store).unwrap().to_vec();
        let got = call(store, inst, c, edge);
        let mut fail = |msg: String| {
            failures.push(format!("[{}] {}: {msg}\n  {}", setup.name, c.name, c.func))
        };
        match (&got, &c.expect) {
            (Outcome::Value(Some(b)), Expect::Bits(e)) if b == e => {}
            (Outcome::Value(Some(b)), Expect::Nan) => {
                let nan = match c.result {
                    Some(T::F32) => f32::from_bits(*b as u32).is_nan(),
                    _ => f64::from_bits(*b).is_nan(),
                };
                if !nan {
                    fail(format!("at the edge: expected a NaN, got {b:#x}"));
                }
            }
            (Outcome::Value(None), Expect::Stored(bytes)) => {
                let after = mem.data(&*store).unwrap();
                let n = (PAGE - c.access) as usize;
                if &after[n..] != bytes.as_slice() || after[..n] != before[..n] {
                    fail(format!(
                        "at the edge: stored {:x?}, expected {bytes:x?} (or bytes before it changed)",
                        &after[n..]
                    ));
                }
            }
            _ => fail(format!("at the edge: expected {:?}, got {got:?}", c.expect)),
        }
        outcomes.push(got);
        // One byte further, and an address that wraps around: both trap, nothing changes.
        for addr in [edge + 1, u32::MAX - c.offset.min(2)] {
            mem.write(&mut *store, 0, &before).unwrap();
            let got = call(store, inst, c, addr);
            if got != Outcome::Trap(TrapCode::HeapOutOfBounds) {
                fail(format!(
                    "address {addr:#x}: expected a heap_oob trap, got {got:?}"
                ));
            }
            if mem.data(&*store).unwrap() != before.as_slice() {
                fail(format!(
                    "address {addr:#x}: the trapping access changed memory"
                ));
            }
        }
    }
    outcomes
}

#[test]
fn edge_of_memory_matrix() {
    let cases = cases();
    let text = module_text(&cases);
    let wasm = wat::parse_str(&text).unwrap();
    let setups: Vec<Setup> = matrix().into_iter().chain(sentinel_matrix()).collect();
    let mut failures = vec![];
    let mut calls = 0usize;
    for setup in &setups {
        let engine = Engine::new(&setup.config).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mem = inst.get_memory(&store, "mem").unwrap();
        if !setup.sentinels {
            run_cases(setup, &cases, &mut store, inst, mem, &mut failures);
            calls += cases.len() * 3;
            continue;
        }
        let end = open_sentinel_page(&store, mem);
        let mut runs = vec![];
        for seed in [0x00, 0xff] {
            let sentinels = fill_sentinels(end, seed);
            runs.push(run_cases(
                setup,
                &cases,
                &mut store,
                inst,
                mem,
                &mut failures,
            ));
            calls += cases.len() * 3;
            if read_sentinels(end) != sentinels {
                failures.push(format!(
                    "[{}] the sentinels after memory changed",
                    setup.name
                ));
            }
        }
        for (c, (a, b)) in cases.iter().zip(runs[0].iter().zip(&runs[1])) {
            if a != b {
                failures.push(format!(
                    "[{}] {}: the result depends on the bytes after memory: {a:?} vs {b:?}",
                    setup.name, c.name
                ));
            }
        }
    }
    println!(
        "edge-of-memory matrix: {} cases x {} configurations ({} with sentinels, run twice) = {calls} calls",
        cases.len(),
        setups.len(),
        setups.iter().filter(|s| s.sentinels).count()
    );
    for s in &setups {
        println!("  {}", s.name);
    }
    // The first failure of each configuration, so a problem confined to some of them shows.
    let mut firsts: Vec<&String> = vec![];
    for s in &setups {
        let tag = format!("[{}]", s.name);
        if let Some(f) = failures.iter().find(|f| f.starts_with(&tag)) {
            firsts.push(f);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s); the first of each configuration:\n{}",
        failures.len(),
        firsts
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Offsets that can never be in bounds of a one-page memory, including ones beyond the
/// guard region and near 4 GiB, with small and wrapping addresses: every access traps and
/// changes nothing, in every configuration.
#[test]
fn huge_offsets_always_trap() {
    let mut text = String::from("(module (memory (export \"mem\") 1)\n");
    let mut names = vec![];
    let offsets = [
        0x1_0000u32,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_fff0,
        0xffff_ffff,
    ];
    for (i, &(op, t, _, _)) in LOADS.iter().enumerate() {
        for (j, off) in offsets.iter().enumerate() {
            let nm = format!("l{i}_{j}");
            text.push_str(&func(&nm, &[], Some(t), &load_expr(op, *off)));
            names.push((nm, Some(t), None));
        }
    }
    for (i, &(op, t, _)) in STORES.iter().enumerate() {
        for (j, off) in offsets.iter().enumerate() {
            let nm = format!("s{i}_{j}");
            let body = format!("({op} offset={off} (local.get 0) (local.get 1))");
            text.push_str(&func(&nm, &[t], None, &body));
            names.push((nm, None, Some(t.val(0x7f7f_7f7f_7f7f_7f7f))));
        }
    }
    text.push(')');
    let wasm = wat::parse_str(&text).unwrap();
    let mut checked = 0;
    for setup in matrix() {
        let engine = Engine::new(&setup.config).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mem = inst.get_memory(&store, "mem").unwrap();
        let before = mem.data(&store).unwrap().to_vec();
        for (nm, result, value) in &names {
            let f = inst.get_func(&store, nm).unwrap();
            for addr in [0u32, 1, 0xffff, 0x1_0000, 0xffff_ffff] {
                let mut args = vec![Val::I32(addr as i32)];
                args.extend(value.clone());
                let mut out = vec![Val::I32(0); result.is_some() as usize];
                let e = f.call(&mut store, &args, &mut out).unwrap_err();
                assert_eq!(
                    e.as_trap().map(|t| t.code),
                    Some(TrapCode::HeapOutOfBounds),
                    "[{}] {nm} at {addr:#x}",
                    setup.name
                );
                checked += 1;
            }
        }
        assert_eq!(
            mem.data(&store).unwrap(),
            before.as_slice(),
            "[{}]",
            setup.name
        );
    }
    println!("huge offsets: {checked} trapping calls");
}

/// After `memory.grow` the edge moves, also inside one function that accessed memory before
/// growing it (so neither the base nor the length may be kept from before the call; with
/// explicit checks the memory may even move).
#[test]
fn edges_follow_memory_growth() {
    let text = r#"(module (memory (export "mem") 1 4)
      (func (export "grow_then_load") (param i32) (result i64)
        (local i64)
        (local.set 1 (i64.load (i32.const 8)))
        (drop (memory.grow (i32.const 1)))
        (i64.add (local.get 1) (i64.load (local.get 0))))
      (func (export "grow_then_store") (param i32 f64)
        (drop (f64.load (i32.const 0)))
        (drop (memory.grow (i32.const 1)))
        (f64.store (local.get 0) (local.get 1)))
      (func (export "load") (param i32) (result i64) (i64.load (local.get 0))))"#;
    let wasm = wat::parse_str(text).unwrap();
    for setup in matrix() {
        let engine = Engine::new(&setup.config).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mem = inst.get_memory(&store, "mem").unwrap();
        let gl = inst
            .get_typed_func::<i32, i64>(&store, "grow_then_load")
            .unwrap();
        let gs = inst
            .get_typed_func::<(i32, f64), ()>(&store, "grow_then_store")
            .unwrap();
        let load = inst.get_typed_func::<i32, i64>(&store, "load").unwrap();
        let trap = |r: Result<i64, kiln_runtime::Error>| r.unwrap_err().as_trap().map(|t| t.code);
        mem.write(&mut store, 8, &5i64.to_le_bytes()).unwrap();
        // Before growing: 65536 - 8 is the last i64.
        assert_eq!(
            trap(load.call(&mut store, 65529)),
            Some(TrapCode::HeapOutOfBounds)
        );
        // Grows to 2 pages inside the call: the old edge + 1 is now fine (zero bytes).
        assert_eq!(gl.call(&mut store, 65529).unwrap(), 5, "[{}]", setup.name);
        mem.write(&mut store, 2 * 65536 - 8, &7i64.to_le_bytes())
            .unwrap();
        // Grows to 3 pages; the 2-page edge is readable, the 3-page edge + 1 is not.
        assert_eq!(
            gl.call(&mut store, 2 * 65536 - 8).unwrap(),
            12,
            "[{}]",
            setup.name
        );
        assert_eq!(
            trap(gl.call(&mut store, 4 * 65536 - 7)),
            Some(TrapCode::HeapOutOfBounds)
        );
        // (that call grew to 4 pages before trapping.)
        assert_eq!(mem.size(&store).unwrap(), 4);
        assert_eq!(load.call(&mut store, 4 * 65536 - 8).unwrap(), 0);
        assert_eq!(
            trap(load.call(&mut store, 4 * 65536 - 7)),
            Some(TrapCode::HeapOutOfBounds)
        );
        // At the maximum, growing fails and the edge stays.
        gs.call(&mut store, (4 * 65536 - 8, 2.5)).unwrap();
        assert_eq!(
            load.call(&mut store, 4 * 65536 - 8).unwrap(),
            2.5f64.to_bits() as i64
        );
        let e = gs.call(&mut store, (4 * 65536 - 7, 1.0)).unwrap_err();
        assert_eq!(e.as_trap().map(|t| t.code), Some(TrapCode::HeapOutOfBounds));
        assert_eq!(
            load.call(&mut store, 4 * 65536 - 8).unwrap(),
            2.5f64.to_bits() as i64
        );
    }
}

/// Bulk memory operations at the edge: `memory.fill`, `memory.copy` (either side at the edge)
/// and `memory.init` that end exactly at the last byte succeed, one byte further they trap
/// without writing anything (Wasm 2.0 checks the whole range first); an empty range at the
/// very end is allowed, one past it is not.
#[test]
fn bulk_memory_edges() {
    let text = r#"(module (memory (export "mem") 1)
      (data $d "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
      (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
      (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2))))"#;
    let wasm = wat::parse_str(text).unwrap();
    let p = PAGE as i32;
    for setup in matrix() {
        let engine = Engine::new(&setup.config).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mem = inst.get_memory(&store, "mem").unwrap();
        let name = &setup.name;
        let pattern: Vec<u8> = (0..PAGE).map(|i| (i % 251) as u8).collect();
        mem.write(&mut store, 0, &pattern).unwrap();
        for op in ["fill", "copy", "init"] {
            let f = inst
                .get_typed_func::<(i32, i32, i32), ()>(&store, op)
                .unwrap();
            // (dst, src-or-value, n, ok)
            let cases: Vec<(i32, i32, i32, bool)> = match op {
                "fill" => vec![
                    (p - 16, 0xee, 16, true),
                    (p - 16, 0xee, 17, false),
                    (p - 15, 0xee, 16, false),
                    (p, 0xee, 0, true),
                    (p + 1, 0xee, 0, false),
                    (0, 0xee, -1, false),
                ],
                "copy" => vec![
                    (p - 16, 0, 16, true),
                    (0, p - 16, 16, true),
                    (p - 15, 0, 16, false),
                    (0, p - 15, 16, false),
                    (p, 0, 0, true),
                    (0, p, 0, true),
                    (p + 1, 0, 0, false),
                    (0, p + 1, 0, false),
                    (-1, 0, 2, false),
                ],
                _ => vec![
                    (p - 16, 0, 16, true),
                    (p - 15, 0, 16, false),
                    (p - 8, 8, 8, true),
                    (p - 8, 9, 8, false),
                    (p, 16, 0, true),
                    (p + 1, 0, 0, false),
                    (p, 17, 0, false),
                ],
            };
            for (d, s, n, ok) in cases {
                let before = mem.data(&store).unwrap().to_vec();
                let r = f.call(&mut store, (d, s, n));
                let after = mem.data(&store).unwrap().to_vec();
                if ok {
                    r.unwrap_or_else(|e| panic!("[{name}] {op}({d}, {s}, {n}): {e}"));
                    let mut expect = before.clone();
                    let (d, s, n) = (d as usize, s as usize, n as usize);
                    match op {
                        "fill" => expect[d..d + n].fill(s as u8),
                        "copy" => expect.copy_within(s..s + n, d),
                        _ => {
                            let seg: Vec<u8> = (1..=16).collect();
                            expect[d..d + n].copy_from_slice(&seg[s..s + n]);
                        }
                    }
                    assert!(
                        after == expect,
                        "[{name}] {op}({d}, {s}, {n}) wrote wrong bytes"
                    );
                } else {
                    let e = r.unwrap_err();
                    assert_eq!(
                        e.as_trap().map(|t| t.code),
                        Some(TrapCode::HeapOutOfBounds),
                        "[{name}] {op}({d}, {s}, {n})"
                    );
                    assert!(
                        after == before,
                        "[{name}] {op}({d}, {s}, {n}) trapped after writing"
                    );
                }
            }
        }
    }
}

/// Tables at their edge: the last element can be read, written and called; one further traps
/// `table_oob` (also for `call_indirect`), including after `table.grow`.
#[test]
fn table_edges() {
    let text = r#"(module
      (type $t (func (result i32)))
      (table $tab 4 10 funcref)
      (func $seven (result i32) (i32.const 7))
      (elem declare func $seven)
      (func (export "set") (param i32) (table.set $tab (local.get 0) (ref.func $seven)))
      (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $tab (local.get 0))))
      (func (export "call") (param i32) (result i32) (call_indirect $tab (type $t) (local.get 0)))
      (func (export "fill") (param i32 i32) (table.fill $tab (local.get 0) (ref.func $seven) (local.get 1)))
      (func (export "grow") (result i32) (table.grow $tab (ref.null func) (i32.const 2))))"#;
    let wasm = wat::parse_str(text).unwrap();
    for setup in matrix() {
        let name = &setup.name;
        let engine = Engine::new(&setup.config).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ()).unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let set = inst.get_typed_func::<i32, ()>(&store, "set").unwrap();
        let is_null = inst.get_typed_func::<i32, i32>(&store, "is_null").unwrap();
        let call = inst.get_typed_func::<i32, i32>(&store, "call").unwrap();
        let fill = inst
            .get_typed_func::<(i32, i32), ()>(&store, "fill")
            .unwrap();
        let grow = inst.get_typed_func::<(), i32>(&store, "grow").unwrap();
        let code = |e: kiln_runtime::Error| e.as_trap().map(|t| t.code);
        for size in [4, 6] {
            let last = size - 1;
            assert_eq!(is_null.call(&mut store, last).unwrap(), 1, "[{name}]");
            assert_eq!(
                code(call.call(&mut store, last).unwrap_err()),
                Some(TrapCode::IndirectCallToNull)
            );
            set.call(&mut store, last).unwrap();
            assert_eq!(is_null.call(&mut store, last).unwrap(), 0);
            assert_eq!(call.call(&mut store, last).unwrap(), 7, "[{name}]");
            for f in [
                set.call(&mut store, size).map(|_| 0),
                is_null.call(&mut store, size),
                call.call(&mut store, size),
                call.call(&mut store, -1),
                fill.call(&mut store, (size - 1, 2)).map(|_| 0),
            ] {
                assert_eq!(
                    code(f.unwrap_err()),
                    Some(TrapCode::TableOutOfBounds),
                    "[{name}] size {size}"
                );
            }
            fill.call(&mut store, (size, 0)).unwrap();
            assert_eq!(grow.call(&mut store, ()).unwrap(), size);
        }
    }
}
