//! Execution tests of the instruction sequences whose behaviour (not just encoding) matters:
//! the code is placed in executable memory and called. Trap sites (`ud2`) are patched into
//! jumps to stubs that return the trap kind in `rdx`, so a trap is observed, not fatal.

use super::regs::{gpr, xmm};
use super::*;
use crate::machinst::{CodeBuffer, MachBufferFinalized, Writable};
use kiln_ir::TrapCode;

/// Two integer results, returned in `rax:rdx` by the System V ABI.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Pair {
    rax: u64,
    rdx: u64,
}

const NO_TRAP: u64 = 0;
const BAD_TOINT: u64 = 1;
const INT_OVF: u64 = 2;

/// Code in an executable mapping.
struct Exec {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Exec {
    fn new(done: &MachBufferFinalized) -> Exec {
        let len = done.data.len().next_multiple_of(4096);
        // SAFETY: a fresh private anonymous mapping, written before it is made executable.
        unsafe {
            let ptr = libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(ptr, libc::MAP_FAILED);
            core::ptr::copy_nonoverlapping(done.data.as_ptr(), ptr.cast::<u8>(), done.data.len());
            assert_eq!(
                libc::mprotect(ptr, len, libc::PROT_READ | libc::PROT_EXEC),
                0
            );
            Exec { ptr, len }
        }
    }
}

impl Drop for Exec {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

/// `rdx = 0; body; ret`, plus trap stubs; every recorded trap's `ud2` becomes a jump to the
/// stub of its code.
fn compile(body: impl FnOnce(&mut CodeBuffer)) -> Exec {
    let mut b = CodeBuffer::new();
    let rdx = Writable::from_reg(gpr(2));
    let mov_rdx = |b: &mut CodeBuffer, v: u64| {
        MInst::MovImm {
            size: OperandSize::S32,
            imm: v,
            dst: rdx,
        }
        .emit(b, None)
    };
    mov_rdx(&mut b, NO_TRAP);
    body(&mut b);
    MInst::Ret.emit(&mut b, None);
    let (bad, ovf) = (b.new_label(), b.new_label());
    b.bind_label(bad);
    mov_rdx(&mut b, BAD_TOINT);
    MInst::Ret.emit(&mut b, None);
    b.bind_label(ovf);
    mov_rdx(&mut b, INT_OVF);
    MInst::Ret.emit(&mut b, None);
    let mut done = b.finish().unwrap();
    for t in done.traps.clone() {
        let stub = match t.code {
            TrapCode::BadConversionToInteger => done.label_offset(bad),
            TrapCode::IntegerOverflow => done.label_offset(ovf),
            c => panic!("unexpected trap {c}"),
        }
        .unwrap();
        let at = t.offset as usize;
        assert_eq!(&done.data[at..at + 2], &[0x0f, 0x0b]);
        let rel = i8::try_from(stub as i64 - (at as i64 + 2)).unwrap();
        done.data[at] = 0xeb;
        done.data[at + 1] = rel as u8;
    }
    Exec::new(&done)
}

fn f64_values() -> Vec<f64> {
    let p = |e: i32| 2f64.powi(e);
    let mut v = vec![
        0.0,
        -0.0,
        0.25,
        -0.5,
        -0.9999,
        -1.0,
        1.0,
        1.5,
        -1.5,
        2.5,
        100.75,
        -100.75,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::from_bits(0xfff8_0000_dead_beef),
        1e300,
        -1e300,
    ];
    for e in [7, 8, 15, 16, 31, 32, 63, 64] {
        for x in [
            p(e),
            -p(e),
            p(e) - 1.0,
            -p(e) + 1.0,
            p(e) - 0.5,
            -p(e) - 0.5,
            -p(e) - 1.0,
        ] {
            v.push(x);
        }
        v.push(p(e) - p(e - 53)); // the largest f64 below 2^e
        v.push(-p(e) - p(e - 52));
    }
    v
}

fn f32_values() -> Vec<f32> {
    let mut v: Vec<f32> = f64_values().into_iter().map(|x| x as f32).collect();
    v.extend([
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0xffc0_1234),
        f32::from_bits(1),
        f32::MAX,
        f32::MIN,
        2147483520.0, // the largest f32 below 2^31
        -2147483904.0,
        9223371487098961920.0, // the largest f32 below 2^63
        18446742974197923840.0,
    ]);
    v
}

/// The IR semantics of a trapping conversion of `v` (exactly representable in f64).
fn expected_checked(v: f64, signed: bool, bits: i32) -> Pair {
    if v.is_nan() {
        return Pair {
            rax: 0,
            rdx: BAD_TOINT,
        };
    }
    let t = v.trunc();
    let (lo, hi) = if signed {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1))
    } else {
        (0.0, 2f64.powi(bits))
    };
    if t < lo || t >= hi {
        return Pair {
            rax: 0,
            rdx: INT_OVF,
        };
    }
    let value = if signed { t as i64 as u64 } else { t as u64 };
    Pair {
        rax: value & mask(bits),
        rdx: NO_TRAP,
    }
}

fn mask(bits: i32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// The IR semantics of a saturating conversion: Rust's `as` casts saturate and map NaN to 0.
fn expected_sat(v: f64, signed: bool, bits: i32) -> u64 {
    // (f32 inputs are exact in f64, and the casts round toward zero either way.)
    let r = match (signed, bits) {
        (true, 8) => v as i8 as u64,
        (true, 16) => v as i16 as u64,
        (true, 32) => v as i32 as u64,
        (true, _) => v as i64 as u64,
        (false, 8) => v as u8 as u64,
        (false, 16) => v as u16 as u64,
        (false, 32) => v as u32 as u64,
        (false, _) => v as u64,
    };
    r & mask(bits)
}

#[test]
fn float_to_int_sequences() {
    for from in [FloatSize::F32, FloatSize::F64] {
        for to in [
            OperandSize::S8,
            OperandSize::S16,
            OperandSize::S32,
            OperandSize::S64,
        ] {
            for signed in [false, true] {
                for sat in [false, true] {
                    let inst = MInst::CvtFloatToIntSeq {
                        from,
                        to,
                        signed,
                        sat,
                        src: xmm(0),
                        dst: Writable::from_reg(gpr(0)),
                        tmp_gpr: Writable::from_reg(gpr(1)),
                        tmp_xmm: Writable::from_reg(xmm(1)),
                    };
                    let code = compile(|b| inst.emit(b, None));
                    let bits = to.bytes() as i32 * 8;
                    let inputs: Vec<f64> = match from {
                        FloatSize::F32 => f32_values().into_iter().map(f64::from).collect(),
                        FloatSize::F64 => f64_values(),
                    };
                    for v in inputs {
                        // SAFETY: the code follows the System V ABI with this signature.
                        let got = unsafe {
                            match from {
                                FloatSize::F32 => {
                                    let f: extern "sysv64" fn(f32) -> Pair =
                                        core::mem::transmute(code.ptr);
                                    f(v as f32)
                                }
                                FloatSize::F64 => {
                                    let f: extern "sysv64" fn(f64) -> Pair =
                                        core::mem::transmute(code.ptr);
                                    f(v)
                                }
                            }
                        };
                        let got = Pair {
                            rax: if got.rdx == NO_TRAP {
                                got.rax & mask(bits)
                            } else {
                                0
                            },
                            ..got
                        };
                        let want = if sat {
                            Pair {
                                rax: expected_sat(v, signed, bits),
                                rdx: NO_TRAP,
                            }
                        } else {
                            expected_checked(v, signed, bits)
                        };
                        assert_eq!(got, want, "{inst} of {v:e} ({:#x})", v.to_bits());
                    }
                }
            }
        }
    }
}

#[test]
fn uint64_to_float_sequence() {
    let mut inputs: Vec<u64> = vec![
        0,
        1,
        2,
        3,
        12345,
        u32::MAX as u64,
        i64::MAX as u64,
        u64::MAX,
    ];
    for e in 0..64 {
        let p = 1u64 << e;
        inputs.extend([
            p,
            p - 1,
            p + 1,
            p | 1,
            p | (p >> 1) | 1,
            p | (p >> 24) | (p >> 40),
        ]);
    }
    inputs.extend([
        0x8000_0000_0000_0401,
        0x8000_0100_0000_0001,
        0xffff_ffff_ffff_fbff,
    ]);
    for to in [FloatSize::F32, FloatSize::F64] {
        let inst = MInst::CvtUint64ToFloatSeq {
            to,
            src: gpr(7),
            dst: Writable::from_reg(xmm(0)),
            tmp1: Writable::from_reg(gpr(0)),
            tmp2: Writable::from_reg(gpr(1)),
        };
        let code = compile(|b| inst.emit(b, None));
        for &u in &inputs {
            // SAFETY: the code follows the System V ABI with this signature.
            unsafe {
                match to {
                    FloatSize::F32 => {
                        let f: extern "sysv64" fn(u64) -> f32 = core::mem::transmute(code.ptr);
                        assert_eq!(f(u).to_bits(), (u as f32).to_bits(), "{u:#x}");
                    }
                    FloatSize::F64 => {
                        let f: extern "sysv64" fn(u64) -> f64 = core::mem::transmute(code.ptr);
                        assert_eq!(f(u).to_bits(), (u as f64).to_bits(), "{u:#x}");
                    }
                }
            }
        }
    }
}

/// IR `fmin`/`fmax` on f64 bits: the first NaN operand, quieted; `-0 < +0`.
fn expected_min_max(a: f64, b: f64, is_min: bool) -> u64 {
    const QUIET: u64 = 1 << 51;
    if a.is_nan() {
        return a.to_bits() | QUIET;
    }
    if b.is_nan() {
        return b.to_bits() | QUIET;
    }
    if a == 0.0 && b == 0.0 {
        let neg = if is_min {
            a.is_sign_negative() || b.is_sign_negative()
        } else {
            a.is_sign_negative() && b.is_sign_negative()
        };
        return if neg { (-0.0f64).to_bits() } else { 0 };
    }
    if is_min { a.min(b) } else { a.max(b) }.to_bits()
}

fn expected_min_max32(a: f32, b: f32, is_min: bool) -> u32 {
    const QUIET: u32 = 1 << 22;
    if a.is_nan() {
        return a.to_bits() | QUIET;
    }
    if b.is_nan() {
        return b.to_bits() | QUIET;
    }
    // Without NaNs, f32 min/max is exactly the f64 one.
    (f64::from_bits(expected_min_max(a as f64, b as f64, is_min)) as f32).to_bits()
}

#[test]
fn min_max_sequences() {
    let vals64 = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::from_bits(0xfff8_0000_0000_0abc),
        f64::MIN_POSITIVE,
    ];
    let vals32: Vec<f32> = vals64
        .iter()
        .map(|&v| v as f32)
        .chain([f32::from_bits(0x7f80_0001), f32::from_bits(0xffc0_0abc)])
        .collect();
    for is_min in [true, false] {
        let make = |size| MInst::XmmMinMaxSeq {
            size,
            is_min,
            lhs: xmm(0),
            rhs: xmm(1),
            dst: Writable::from_reg(xmm(0)),
        };
        let inst64 = make(FloatSize::F64);
        let code64 = compile(|b| inst64.emit(b, None));
        let inst32 = make(FloatSize::F32);
        let code32 = compile(|b| inst32.emit(b, None));
        // SAFETY: the code follows the System V ABI with these signatures.
        let (f64fn, f32fn) = unsafe {
            (
                core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f64, f64) -> f64>(
                    code64.ptr,
                ),
                core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f32, f32) -> f32>(
                    code32.ptr,
                ),
            )
        };
        for &a in &vals64 {
            for &b in &vals64 {
                assert_eq!(
                    f64fn(a, b).to_bits(),
                    expected_min_max(a, b, is_min),
                    "{inst64} {a:e} {b:e}"
                );
            }
        }
        for &a in &vals32 {
            for &b in &vals32 {
                assert_eq!(
                    f32fn(a, b).to_bits(),
                    expected_min_max32(a, b, is_min),
                    "{inst32} {a:e} {b:e} ({:#x} {:#x})",
                    a.to_bits(),
                    b.to_bits()
                );
            }
        }
    }
}

#[test]
fn rounding_sequences() {
    let modes = [
        (RoundMode::Nearest, f64::round_ties_even as fn(f64) -> f64),
        (RoundMode::Floor, f64::floor),
        (RoundMode::Ceil, f64::ceil),
        (RoundMode::Trunc, f64::trunc),
    ];
    let mut vals = f64_values();
    vals.extend([
        0.5,
        -0.5,
        1.5,
        -2.5,
        3.5,
        0.49999999999999994,
        -0.7,
        0.7,
        4503599627370495.5,
    ]);
    vals.extend([
        -4503599627370495.5,
        4503599627370497.0,
        2.0f64.powi(52),
        -(2.0f64.powi(52)),
    ]);
    for (mode, f) in modes {
        for size in [FloatSize::F32, FloatSize::F64] {
            let inst = MInst::XmmRoundSeq {
                size,
                mode,
                src: xmm(0),
                dst: Writable::from_reg(xmm(2)),
                tmp: Writable::from_reg(xmm(1)),
            };
            let code = compile(|b| {
                inst.emit(b, None);
                // Return the result in xmm0.
                MInst::XmmMov128 {
                    op: Mov128Op::Movaps,
                    src: XmmMem128::Reg(xmm(2)),
                    dst: Writable::from_reg(xmm(0)),
                    avx: false,
                }
                .emit(b, None);
            });
            // Also check SSE4.1 `round` with the mode's immediate where the host has it.
            let sse41 = std::is_x86_feature_detected!("sse4.1");
            let round_imm = compile(|b| match size {
                FloatSize::F32 => MInst::XmmRmRImm32 {
                    op: SseImmOp::Round,
                    src1: xmm(0),
                    src2: XmmMem32::Reg(xmm(0)),
                    imm: mode.imm(),
                    dst: Writable::from_reg(xmm(0)),
                    avx: false,
                }
                .emit(b, None),
                FloatSize::F64 => MInst::XmmRmRImm64 {
                    op: SseImmOp::Round,
                    src1: xmm(0),
                    src2: XmmMem64::Reg(xmm(0)),
                    imm: mode.imm(),
                    dst: Writable::from_reg(xmm(0)),
                    avx: false,
                }
                .emit(b, None),
            });
            match size {
                FloatSize::F64 => {
                    // SAFETY: the code follows the System V ABI with this signature.
                    let (g, r) = unsafe {
                        (
                            core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f64) -> f64>(
                                code.ptr,
                            ),
                            core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f64) -> f64>(
                                round_imm.ptr,
                            ),
                        )
                    };
                    for &v in &vals {
                        let want = if v.is_nan() {
                            v.to_bits() | 1 << 51
                        } else {
                            f(v).to_bits()
                        };
                        assert_eq!(g(v).to_bits(), want, "{inst} of {v:e} ({:#x})", v.to_bits());
                        if sse41 {
                            assert_eq!(r(v).to_bits(), want, "round {mode:?} of {v:e}");
                        }
                    }
                }
                FloatSize::F32 => {
                    // SAFETY: the code follows the System V ABI with this signature.
                    let (g, r) = unsafe {
                        (
                            core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f32) -> f32>(
                                code.ptr,
                            ),
                            core::mem::transmute::<*mut libc::c_void, extern "sysv64" fn(f32) -> f32>(
                                round_imm.ptr,
                            ),
                        )
                    };
                    for v in f32_values()
                        .into_iter()
                        .chain(vals.iter().map(|&v| v as f32))
                    {
                        let want = if v.is_nan() {
                            v.to_bits() | 1 << 22
                        } else {
                            // Rounding an f32 to an integer is exact in f64.
                            (f(v as f64) as f32).to_bits()
                        };
                        assert_eq!(g(v).to_bits(), want, "{inst} of {v:e} ({:#x})", v.to_bits());
                        if sse41 {
                            assert_eq!(r(v).to_bits(), want, "round {mode:?} of {v:e}");
                        }
                    }
                }
            }
        }
    }
}
