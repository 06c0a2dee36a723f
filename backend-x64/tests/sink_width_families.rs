//! The width audit per rule family: a loaded operand feeds one instruction of the family, the
//! code is compiled for the SSE2 baseline, without AVX and with everything, decoded with
//! iced-x86, and the one access to the loaded address must read exactly the loaded type's
//! width. For the families whose rules sink loads (integer ALU, scalar float arithmetic) the
//! access must also be the consuming instruction itself, so the sinking path is what is
//! measured; for the others (packed sign masks, min/max sequences, rounding, conversions,
//! compares) the load stays a separate access of its own width.

mod common;

use common::{check_accesses, compile_and_decode, flag_sets, Outcome, DISP};
use iced_x86::Mnemonic;
use kiln_backend_x64::machinst::compile::CompileContext;

/// One audited function: `v1` (type `other`) is the register operand, `v2` the load.
struct Probe<'a> {
    load: &'a str,
    width: u32,
    other: &'a str,
    inst: String,
    ret: &'a str,
}

/// Compiles `p` under every flag set and checks its single access; `sunk` lists the
/// mnemonics the consuming instruction may have if the load must be merged into it.
fn audit(p: &Probe<'_>, sunk: Option<&[Mnemonic]>) {
    let text = format!(
        "function %t(i64, {other}) -> {ret} system_v {{\nblock0(v0: i64, v1: {other}):\n    v2 = {load} v0+{DISP}\n    v3 = {inst}\n    return v3\n}}\n",
        other = p.other,
        ret = p.ret,
        load = p.load,
        inst = p.inst,
    );
    let mut ctx = CompileContext::new();
    for (name, flags) in flag_sets() {
        let (accesses, listing) = match compile_and_decode(&mut ctx, &text, flags) {
            Outcome::Compiled(a, l) => (a, l),
            Outcome::NotLowered(e) => panic!("[{name}] {e}\n{text}"),
        };
        if let Err(e) = check_accesses(&accesses, p.width) {
            panic!("[{name}] {e}\n{text}\n{listing}");
        }
        // One access of the load's width (an i128 is two 8-byte halves): together they read
        // each loaded byte once.
        let total: u32 = accesses.iter().map(|a| a.size).sum();
        assert_eq!(total, p.width, "[{name}] bytes read\n{text}\n{listing}");
        if let Some(ms) = sunk {
            assert!(
                ms.contains(&accesses[0].mnemonic),
                "[{name}] the load should be sunk into one of {ms:?}, got `{}`\n{text}\n{listing}",
                accesses[0].text
            );
        }
    }
}

fn probe<'a>(load: &'a str, width: u32, other: &'a str, inst: String, ret: &'a str) -> Probe<'a> {
    Probe {
        load,
        width,
        other,
        inst,
        ret,
    }
}

#[test]
fn integer_alu_sinks_exactly_its_width() {
    use Mnemonic::*;
    for (op, m) in [
        ("iadd", Add),
        ("isub", Sub),
        ("band", And),
        ("bor", Or),
        ("bxor", Xor),
    ] {
        for (ty, w) in [("i32", 4), ("i64", 8)] {
            let load = format!("load.{ty}");
            // Second operand: merged into the ALU instruction.
            audit(&probe(&load, w, ty, format!("{op} v1, v2"), ty), Some(&[m]));
            // First operand: it is the destination, so it stays a load of its width.
            audit(&probe(&load, w, ty, format!("{op} v2, v1"), ty), None);
        }
        // Narrow types and narrow loads are never merged into a wider instruction.
        for (ty, w) in [("i8", 1), ("i16", 2)] {
            let load = format!("load.{ty}");
            audit(&probe(&load, w, ty, format!("{op} v1, v2"), ty), None);
        }
        for (load, w) in [
            ("uload32.i64", 4),
            ("sload32.i64", 4),
            ("uload16.i64", 2),
            ("sload8.i32", 1),
        ] {
            let ty = load.rsplit('.').next().unwrap();
            audit(&probe(load, w, ty, format!("{op} v1, v2"), ty), None);
        }
    }
}

#[test]
fn integer_multiply_divide_shift_and_bit_counts_read_exactly_their_width() {
    for ty in ["i8", "i16", "i32", "i64", "i128"] {
        let w: u32 = ty[1..].parse::<u32>().unwrap() / 8;
        let load = format!("load.{ty}");
        for op in [
            "imul", "umulhi", "smulhi", "udiv", "sdiv", "urem", "srem", "smin", "smax", "umin",
            "umax", "ishl", "ushr", "sshr", "rotl", "rotr", "band_not", "bor_not", "bxor_not",
        ] {
            audit(&probe(&load, w, ty, format!("{op} v1, v2"), ty), None);
            audit(&probe(&load, w, ty, format!("{op} v2, v1"), ty), None);
        }
        for op in [
            "ineg", "bnot", "iabs", "clz", "cls", "ctz", "popcnt", "bitrev",
        ] {
            audit(&probe(&load, w, ty, format!("{op} v2"), ty), None);
        }
    }
}

#[test]
fn float_arithmetic_sinks_exactly_its_width() {
    use Mnemonic::*;
    for (op, m32, m64) in [
        ("fadd", [Addss, Vaddss], [Addsd, Vaddsd]),
        ("fsub", [Subss, Vsubss], [Subsd, Vsubsd]),
        ("fmul", [Mulss, Vmulss], [Mulsd, Vmulsd]),
        ("fdiv", [Divss, Vdivss], [Divsd, Vdivsd]),
    ] {
        audit(
            &probe("load.f32", 4, "f32", format!("{op} v1, v2"), "f32"),
            Some(&m32),
        );
        audit(
            &probe("load.f64", 8, "f64", format!("{op} v1, v2"), "f64"),
            Some(&m64),
        );
        audit(
            &probe("load.f32", 4, "f32", format!("{op} v2, v1"), "f32"),
            None,
        );
        audit(
            &probe("load.f64", 8, "f64", format!("{op} v2, v1"), "f64"),
            None,
        );
    }
}

#[test]
fn sign_operations_never_read_16_bytes_of_a_scalar() {
    // The fcopysign bug class: fabs, fneg and fcopysign use 128-bit packed masks.
    for (ty, w) in [("f32", 4), ("f64", 8)] {
        let load = format!("load.{ty}");
        audit(&probe(&load, w, ty, "fcopysign v1, v2".into(), ty), None);
        audit(&probe(&load, w, ty, "fcopysign v2, v1".into(), ty), None);
        audit(&probe(&load, w, ty, "fabs v2".into(), ty), None);
        audit(&probe(&load, w, ty, "fneg v2".into(), ty), None);
    }
}

#[test]
fn min_max_read_exactly_their_width() {
    for (ty, w) in [("f32", 4), ("f64", 8)] {
        let load = format!("load.{ty}");
        for op in ["fmin", "fmax"] {
            audit(&probe(&load, w, ty, format!("{op} v1, v2"), ty), None);
            audit(&probe(&load, w, ty, format!("{op} v2, v1"), ty), None);
        }
    }
}

#[test]
fn sqrt_and_rounding_read_exactly_their_width() {
    for (ty, w) in [("f32", 4), ("f64", 8)] {
        let load = format!("load.{ty}");
        for op in ["sqrt", "ceil", "floor", "trunc", "nearest"] {
            audit(&probe(&load, w, ty, format!("{op} v2"), ty), None);
        }
        audit(&probe(&load, w, ty, "fma v2, v1, v1".into(), ty), None);
        audit(&probe(&load, w, ty, "fma v1, v2, v1".into(), ty), None);
        audit(&probe(&load, w, ty, "fma v1, v1, v2".into(), ty), None);
    }
}

#[test]
fn compares_read_exactly_their_width() {
    for ty in ["i8", "i16", "i32", "i64", "i128"] {
        let w: u32 = ty[1..].parse::<u32>().unwrap() / 8;
        let load = format!("load.{ty}");
        for cc in ["eq", "ne", "slt", "uge"] {
            audit(
                &probe(&load, w, ty, format!("icmp {cc} v1, v2"), "i8"),
                None,
            );
            audit(
                &probe(&load, w, ty, format!("icmp {cc} v2, v1"), "i8"),
                None,
            );
            audit(
                &probe(&load, w, ty, format!("icmp_imm {cc} v2, 7"), "i8"),
                None,
            );
        }
    }
    for (ty, w) in [("f32", 4), ("f64", 8)] {
        let load = format!("load.{ty}");
        for cc in ["eq", "ne", "lt", "ge", "uno", "ugt"] {
            audit(
                &probe(&load, w, ty, format!("fcmp {cc} v1, v2"), "i8"),
                None,
            );
            audit(
                &probe(&load, w, ty, format!("fcmp {cc} v2, v1"), "i8"),
                None,
            );
        }
    }
}

#[test]
fn conversions_read_exactly_their_width() {
    // Float to float and float to integer.
    audit(
        &probe("load.f32", 4, "f32", "fpromote.f64 v2".into(), "f64"),
        None,
    );
    audit(
        &probe("load.f64", 8, "f64", "fdemote.f32 v2".into(), "f32"),
        None,
    );
    for (from, w) in [("f32", 4), ("f64", 8)] {
        let load = format!("load.{from}");
        for op in [
            "fcvt_to_sint",
            "fcvt_to_uint",
            "fcvt_to_sint_sat",
            "fcvt_to_uint_sat",
        ] {
            for to in ["i32", "i64"] {
                audit(&probe(&load, w, from, format!("{op}.{to} v2"), to), None);
            }
        }
        let same = if from == "f32" { "i32" } else { "i64" };
        audit(
            &probe(&load, w, from, format!("bitcast.{same} v2"), same),
            None,
        );
    }
    // Integer to float, from full-width and narrow loads.
    for (load, w) in [
        ("load.i32", 4),
        ("load.i64", 8),
        ("uload8.i32", 1),
        ("sload16.i64", 2),
        ("uload32.i64", 4),
    ] {
        let ty = load.rsplit('.').next().unwrap();
        for op in ["fcvt_from_sint", "fcvt_from_uint"] {
            for to in ["f32", "f64"] {
                audit(&probe(load, w, ty, format!("{op}.{to} v2"), to), None);
            }
        }
    }
    audit(
        &probe("load.i32", 4, "i32", "bitcast.f32 v2".into(), "f32"),
        None,
    );
    audit(
        &probe("load.i64", 8, "i64", "bitcast.f64 v2".into(), "f64"),
        None,
    );
    // Integer widening and narrowing.
    for (load, w, to) in [
        ("load.i8", 1, "i64"),
        ("load.i16", 2, "i32"),
        ("load.i32", 4, "i64"),
        ("load.i64", 8, "i128"),
    ] {
        let ty = load.rsplit('.').next().unwrap();
        audit(&probe(load, w, ty, format!("uextend.{to} v2"), to), None);
        audit(&probe(load, w, ty, format!("sextend.{to} v2"), to), None);
    }
    audit(
        &probe("load.i64", 8, "i64", "ireduce.i32 v2".into(), "i32"),
        None,
    );
    audit(
        &probe("load.i128", 16, "i128", "ireduce.i64 v2".into(), "i64"),
        None,
    );
}
