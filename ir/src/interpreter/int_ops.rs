//! Integer arithmetic on bit patterns of a given width (8 to 128 bits).
//!
//! Every value is a `u128` holding the type's bits zero-extended; every result is masked back
//! to the width, so the callers never see stray high bits.

use crate::condcodes::IntCC;
use crate::opcodes::Opcode;
use crate::trapcode::TrapCode;

/// The mask of the low `bits` bits.
pub(super) fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// Sign-extends the low `bits` bits of `x`.
pub(super) fn sext(bits: u32, x: u128) -> i128 {
    let s = 128 - bits.clamp(1, 128);
    ((x << s) as i128) >> s
}

/// The smallest signed value of the width, as bits.
fn smin_bits(bits: u32) -> u128 {
    1u128 << (bits - 1)
}

/// The full 256-bit product of `a` and `b`, as (low, high) halves.
pub(super) fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a0, a1) = (a & M, a >> 64);
    let (b0, b1) = (b & M, b >> 64);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // At most 3 * (2^64 - 1): cannot overflow.
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (p00 & M) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (lo, hi)
}

/// High half of the unsigned double-width product.
fn umulhi(bits: u32, a: u128, b: u128) -> u128 {
    if bits == 128 {
        mul_wide(a, b).1
    } else {
        (a * b) >> bits
    }
}

/// High half of the signed double-width product.
fn smulhi(bits: u32, a: u128, b: u128) -> u128 {
    if bits == 128 {
        // Signed high half = unsigned high half minus the other operand for each negative one.
        let mut hi = mul_wide(a, b).1;
        if (a as i128) < 0 {
            hi = hi.wrapping_sub(b);
        }
        if (b as i128) < 0 {
            hi = hi.wrapping_sub(a);
        }
        hi
    } else {
        // Both factors fit in 64 signed bits, so the product fits in i128.
        ((sext(bits, a) * sext(bits, b)) >> bits) as u128 & mask(bits)
    }
}

/// Applies a two-operand integer opcode (also the `_imm` forms, whose immediate the caller
/// has already fitted to the width). Traps as the opcode specifies.
pub(super) fn binary(op: Opcode, bits: u32, a: u128, b: u128) -> Option<Result<u128, TrapCode>> {
    use Opcode::*;
    let m = mask(bits);
    let (sa, sb) = (sext(bits, a), sext(bits, b));
    let amt = (b & u128::from(bits - 1)) as u32;
    let r = match op {
        Iadd | IaddImm => a.wrapping_add(b),
        Isub => a.wrapping_sub(b),
        IrsubImm => b.wrapping_sub(a),
        Imul | ImulImm => a.wrapping_mul(b),
        Umulhi => umulhi(bits, a, b),
        Smulhi => smulhi(bits, a, b),
        Udiv | UdivImm | Urem | UremImm => {
            if b == 0 {
                return Some(Err(TrapCode::IntegerDivisionByZero));
            }
            if matches!(op, Udiv | UdivImm) {
                a / b
            } else {
                a % b
            }
        }
        Sdiv | SdivImm => {
            if b == 0 {
                return Some(Err(TrapCode::IntegerDivisionByZero));
            }
            if a == smin_bits(bits) && b == m {
                return Some(Err(TrapCode::IntegerOverflow));
            }
            sa.wrapping_div(sb) as u128
        }
        Srem | SremImm => {
            if b == 0 {
                return Some(Err(TrapCode::IntegerDivisionByZero));
            }
            // MIN % -1 is 0 (wrapping_rem gives that for i128 too).
            sa.wrapping_rem(sb) as u128
        }
        Smin => sa.min(sb) as u128,
        Smax => sa.max(sb) as u128,
        Umin => a.min(b),
        Umax => a.max(b),
        Band | BandImm => a & b,
        Bor | BorImm => a | b,
        Bxor | BxorImm => a ^ b,
        BandNot => a & !b,
        BorNot => a | !b,
        BxorNot => a ^ !b,
        Ishl | IshlImm => a << amt,
        Ushr | UshrImm => a >> amt,
        Sshr | SshrImm => (sa >> amt) as u128,
        Rotl | RotlImm => rotl(bits, a, amt),
        Rotr | RotrImm => rotl(bits, a, (bits - amt) & (bits - 1)),
        _ => return None,
    };
    Some(Ok(r & m))
}

/// Rotates the low `bits` bits of `a` left by `amt` (< bits).
fn rotl(bits: u32, a: u128, amt: u32) -> u128 {
    if amt == 0 {
        a
    } else {
        (a << amt) | (a >> (bits - amt))
    }
}

/// Applies a one-operand integer opcode.
pub(super) fn unary(op: Opcode, bits: u32, a: u128) -> Option<u128> {
    use Opcode::*;
    let m = mask(bits);
    let pad = 128 - bits;
    let r = match op {
        Ineg => a.wrapping_neg(),
        Iabs => sext(bits, a).unsigned_abs(),
        Bnot => !a,
        Clz => u128::from(a.leading_zeros() - pad),
        Ctz => u128::from(a.trailing_zeros().min(bits)),
        Popcnt => u128::from(a.count_ones()),
        Cls => {
            let s = sext(bits, a);
            let same = if s < 0 {
                (!s).leading_zeros()
            } else {
                s.leading_zeros()
            };
            u128::from(same - pad - 1)
        }
        Bitrev => a.reverse_bits() >> pad,
        Bswap if bits >= 16 => a.swap_bytes() >> pad,
        _ => return None,
    };
    Some(r & m)
}

/// The overflow-reporting arithmetic: (wrapped result, whether the exact result does not fit).
pub(super) fn with_overflow(op: Opcode, bits: u32, a: u128, b: u128) -> Option<(u128, bool)> {
    use Opcode::*;
    let m = mask(bits);
    let (sa, sb) = (sext(bits, a), sext(bits, b));
    let fits_signed = |x: i128| sext(bits, x as u128 & m) == x;
    let wide = bits == 128;
    let (r, overflow) = match op {
        UaddOverflow => {
            let (r, c) = a.overflowing_add(b);
            (r, c || r > m)
        }
        UsubOverflow => (a.wrapping_sub(b), a < b),
        SaddOverflow if wide => {
            let (r, o) = sa.overflowing_add(sb);
            (r as u128, o)
        }
        SaddOverflow => (sa.wrapping_add(sb) as u128, !fits_signed(sa + sb)),
        SsubOverflow if wide => {
            let (r, o) = sa.overflowing_sub(sb);
            (r as u128, o)
        }
        SsubOverflow => (sa.wrapping_sub(sb) as u128, !fits_signed(sa - sb)),
        UmulOverflow if wide => {
            let (lo, hi) = mul_wide(a, b);
            (lo, hi != 0)
        }
        // Operands below 2^64: the product fits in u128.
        UmulOverflow => (a * b, a * b > m),
        SmulOverflow if wide => {
            let (r, o) = sa.overflowing_mul(sb);
            (r as u128, o)
        }
        // Operands within i64: |product| <= 2^126 fits in i128.
        SmulOverflow => ((sa * sb) as u128, !fits_signed(sa * sb)),
        _ => return None,
    };
    Some((r & m, overflow))
}

/// Evaluates an integer condition on two values of width `bits`.
pub(super) fn compare(cc: IntCC, bits: u32, a: u128, b: u128) -> bool {
    let (sa, sb) = (sext(bits, a), sext(bits, b));
    match cc {
        IntCC::Equal => a == b,
        IntCC::NotEqual => a != b,
        IntCC::SignedLessThan => sa < sb,
        IntCC::SignedGreaterThanOrEqual => sa >= sb,
        IntCC::SignedGreaterThan => sa > sb,
        IntCC::SignedLessThanOrEqual => sa <= sb,
        IntCC::UnsignedLessThan => a < b,
        IntCC::UnsignedGreaterThanOrEqual => a >= b,
        IntCC::UnsignedGreaterThan => a > b,
        IntCC::UnsignedLessThanOrEqual => a <= b,
    }
}

/// Fits a 64-bit immediate to `bits`: sign-extended if the type is wider, then truncated.
pub(super) fn imm_bits(bits: u32, imm: i64) -> u128 {
    (i128::from(imm) as u128) & mask(bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Opcode::*;

    const I8_MIN: u128 = 0x80;
    const M8: u128 = 0xff;
    const M32: u128 = 0xffff_ffff;
    const M64: u128 = u64::MAX as u128;
    const MIN64: u128 = 1 << 63;
    const MIN128: u128 = 1 << 127;
    const M128: u128 = u128::MAX;

    fn bin(op: Opcode, bits: u32, a: u128, b: u128) -> Result<u128, TrapCode> {
        binary(op, bits, a, b).expect("integer opcode")
    }

    #[test]
    fn add_sub_mul_wrap() {
        assert_eq!(bin(Iadd, 8, 0xff, 1), Ok(0));
        assert_eq!(bin(Iadd, 32, 0x7fff_ffff, 1), Ok(0x8000_0000));
        assert_eq!(bin(Isub, 16, 0, 1), Ok(0xffff));
        assert_eq!(bin(IrsubImm, 32, 3, 10), Ok(7));
        assert_eq!(bin(IrsubImm, 32, 10, 3), Ok(M32 - 6)); // -7
        assert_eq!(bin(Imul, 8, 16, 16), Ok(0));
        assert_eq!(bin(Imul, 64, M64, M64), Ok(1)); // -1 * -1
        assert_eq!(bin(Imul, 128, M128, 2), Ok(M128 - 1));
        assert_eq!(bin(Iadd, 128, M128, 1), Ok(0));
    }

    #[test]
    fn high_multiplies() {
        assert_eq!(bin(Umulhi, 8, 0xff, 0xff), Ok(0xfe)); // 65025 = 0xfe01
        assert_eq!(bin(Smulhi, 8, 0xff, 0xff), Ok(0)); // -1 * -1 = 1
        assert_eq!(bin(Smulhi, 8, 0x80, 0x80), Ok(0x40)); // 16384 = 0x4000
        assert_eq!(bin(Smulhi, 8, 0x80, 0x7f), Ok(0xc0)); // -16256 = 0xc080
        assert_eq!(bin(Umulhi, 64, M64, M64), Ok(M64 - 1));
        assert_eq!(bin(Smulhi, 64, MIN64, MIN64), Ok(1 << 62));
        // (2^128 - 1)^2 = 2^256 - 2^129 + 1: high half 2^128 - 2.
        assert_eq!(bin(Umulhi, 128, M128, M128), Ok(M128 - 1));
        assert_eq!(bin(Umulhi, 128, 1 << 64, 1 << 64), Ok(1));
        assert_eq!(bin(Umulhi, 128, M128, 2), Ok(1));
        // -1 * -1 = 1: high half 0; -1 * 1 = -1: high half all ones.
        assert_eq!(bin(Smulhi, 128, M128, M128), Ok(0));
        assert_eq!(bin(Smulhi, 128, M128, 1), Ok(M128));
        // MIN * MIN = 2^254: high half 2^126.
        assert_eq!(bin(Smulhi, 128, MIN128, MIN128), Ok(1 << 126));
        // MIN * MAX = -2^254 + 2^127: high half -2^126 (0xc0..0).
        assert_eq!(bin(Smulhi, 128, MIN128, MIN128 - 1), Ok(0xc << 124));
        // 3 * -5 = -15: high half all ones.
        assert_eq!(bin(Smulhi, 128, 3, M128 - 4), Ok(M128));
    }

    #[test]
    fn wide_product_low_half_matches_wrapping_mul() {
        let samples = [
            0,
            1,
            3,
            M64,
            MIN128,
            M128,
            0x1234_5678_9abc_def0_0fed_cba9_8765_4321,
        ];
        for a in samples {
            for b in samples {
                assert_eq!(mul_wide(a, b).0, a.wrapping_mul(b), "{a:x} * {b:x}");
            }
        }
    }

    #[test]
    fn division_and_traps() {
        assert_eq!(bin(Udiv, 32, 7, 0), Err(TrapCode::IntegerDivisionByZero));
        assert_eq!(bin(Urem, 32, 7, 0), Err(TrapCode::IntegerDivisionByZero));
        assert_eq!(bin(Sdiv, 32, 7, 0), Err(TrapCode::IntegerDivisionByZero));
        assert_eq!(bin(Srem, 32, 7, 0), Err(TrapCode::IntegerDivisionByZero));
        assert_eq!(bin(Sdiv, 8, I8_MIN, M8), Err(TrapCode::IntegerOverflow));
        assert_eq!(bin(Sdiv, 64, MIN64, M64), Err(TrapCode::IntegerOverflow));
        assert_eq!(bin(Sdiv, 128, MIN128, M128), Err(TrapCode::IntegerOverflow));
        assert_eq!(bin(Srem, 8, I8_MIN, M8), Ok(0));
        assert_eq!(bin(Srem, 128, MIN128, M128), Ok(0));
        assert_eq!(bin(Udiv, 8, 0xff, 2), Ok(0x7f));
        assert_eq!(bin(Sdiv, 8, 0xf9, 2), Ok(0xfd)); // -7 / 2 = -3
        assert_eq!(bin(Srem, 8, 0xf9, 2), Ok(0xff)); // -7 % 2 = -1
        assert_eq!(bin(Srem, 8, 7, 0xfe), Ok(1)); // 7 % -2 = 1
        assert_eq!(bin(Urem, 8, 0xf9, 2), Ok(1)); // 249 % 2
        assert_eq!(bin(Sdiv, 128, MIN128, 2), Ok(0xc << 124));
        assert_eq!(bin(UdivImm, 128, M128, M128), Ok(1));
    }

    #[test]
    fn min_max() {
        assert_eq!(bin(Smin, 8, 0x80, 0x7f), Ok(0x80));
        assert_eq!(bin(Smax, 8, 0x80, 0x7f), Ok(0x7f));
        assert_eq!(bin(Umin, 8, 0x80, 0x7f), Ok(0x7f));
        assert_eq!(bin(Umax, 8, 0x80, 0x7f), Ok(0x80));
        assert_eq!(bin(Smin, 128, MIN128, 0), Ok(MIN128));
        assert_eq!(bin(Umax, 128, MIN128, M128), Ok(M128));
    }

    #[test]
    fn bitwise() {
        assert_eq!(bin(BandNot, 8, 0xf0, 0x30), Ok(0xc0));
        assert_eq!(bin(BorNot, 8, 0x00, 0x0f), Ok(0xf0));
        assert_eq!(bin(BxorNot, 8, 0xff, 0x0f), Ok(0x0f));
        assert_eq!(bin(BorNot, 128, 0, 0), Ok(M128));
        assert_eq!(unary(Bnot, 16, 0), Some(0xffff));
    }

    #[test]
    fn shifts_take_the_amount_modulo_the_width() {
        assert_eq!(bin(Ishl, 32, 1, 33), Ok(2));
        assert_eq!(bin(Ishl, 32, 1, 32), Ok(1));
        assert_eq!(bin(Ishl, 8, 0x81, 1), Ok(0x02));
        assert_eq!(bin(Ushr, 8, 0x80, 7), Ok(1));
        assert_eq!(bin(Ushr, 8, 0x80, 8), Ok(0x80));
        assert_eq!(bin(Sshr, 8, 0x80, 7), Ok(0xff));
        assert_eq!(bin(Sshr, 8, 0x80, 9), Ok(0xc0));
        assert_eq!(bin(Sshr, 64, MIN64, 63), Ok(M64));
        assert_eq!(bin(Sshr, 128, MIN128, 127), Ok(M128));
        assert_eq!(bin(Ishl, 128, 1, 127), Ok(MIN128));
        assert_eq!(bin(Ishl, 128, 1, 128), Ok(1));
        assert_eq!(bin(Ishl, 16, 1, u128::MAX), Ok(0x8000)); // amount 15
        assert_eq!(bin(Rotl, 8, 0x81, 1), Ok(0x03));
        assert_eq!(bin(Rotr, 8, 0x81, 1), Ok(0xc0));
        assert_eq!(bin(Rotr, 8, 0x81, 8), Ok(0x81));
        assert_eq!(bin(Rotl, 32, 0x8000_0001, 36), Ok(0x18));
        assert_eq!(bin(Rotr, 128, 1, 1), Ok(MIN128));
        assert_eq!(bin(Rotl, 128, MIN128, 1), Ok(1));
        assert_eq!(bin(Rotl, 64, 1, 0), Ok(1));
    }

    #[test]
    fn bit_counts() {
        assert_eq!(unary(Clz, 8, 0), Some(8));
        assert_eq!(unary(Clz, 8, 1), Some(7));
        assert_eq!(unary(Clz, 128, 0), Some(128));
        assert_eq!(unary(Clz, 128, MIN128), Some(0));
        assert_eq!(unary(Ctz, 32, 0), Some(32));
        assert_eq!(unary(Ctz, 32, 0x8000_0000), Some(31));
        assert_eq!(unary(Ctz, 128, 0), Some(128));
        assert_eq!(unary(Popcnt, 64, M64), Some(64));
        assert_eq!(unary(Popcnt, 128, M128), Some(128));
        assert_eq!(unary(Cls, 8, 0), Some(7));
        assert_eq!(unary(Cls, 8, 0xff), Some(7));
        assert_eq!(unary(Cls, 8, 0x80), Some(0));
        assert_eq!(unary(Cls, 8, 0x7f), Some(0));
        assert_eq!(unary(Cls, 8, 0x01), Some(6));
        assert_eq!(unary(Cls, 32, 0xffff_fff0), Some(27));
        assert_eq!(unary(Cls, 128, 0), Some(127));
        assert_eq!(unary(Cls, 128, M128), Some(127));
        assert_eq!(unary(Cls, 64, 1), Some(62));
    }

    #[test]
    fn reversals() {
        assert_eq!(unary(Bitrev, 8, 0x01), Some(0x80));
        assert_eq!(unary(Bitrev, 16, 0x0001), Some(0x8000));
        assert_eq!(unary(Bitrev, 32, 0x0000_00f1), Some(0x8f00_0000));
        assert_eq!(unary(Bitrev, 128, 1), Some(MIN128));
        assert_eq!(unary(Bswap, 16, 0x1234), Some(0x3412));
        assert_eq!(unary(Bswap, 32, 0x1234_5678), Some(0x7856_3412));
        assert_eq!(
            unary(Bswap, 64, 0x0102_0304_0506_0708),
            Some(0x0807_0605_0403_0201)
        );
        assert_eq!(unary(Bswap, 128, 0xab), Some(0xab << 120));
        assert_eq!(unary(Bswap, 8, 0xab), None);
    }

    #[test]
    fn negation_and_abs() {
        assert_eq!(unary(Ineg, 8, 1), Some(0xff));
        assert_eq!(unary(Ineg, 8, 0x80), Some(0x80));
        assert_eq!(unary(Ineg, 128, 0), Some(0));
        assert_eq!(unary(Iabs, 8, 0x80), Some(0x80));
        assert_eq!(unary(Iabs, 8, 0xff), Some(1));
        assert_eq!(unary(Iabs, 128, MIN128), Some(MIN128));
        assert_eq!(unary(Iabs, 128, M128), Some(1));
        assert_eq!(unary(Iabs, 32, 5), Some(5));
    }

    fn ovf(op: Opcode, bits: u32, a: u128, b: u128) -> (u128, bool) {
        with_overflow(op, bits, a, b).expect("overflow opcode")
    }

    #[test]
    fn overflow_flags() {
        assert_eq!(ovf(UaddOverflow, 8, 0xff, 1), (0, true));
        assert_eq!(ovf(UaddOverflow, 8, 0xfe, 1), (0xff, false));
        assert_eq!(ovf(UaddOverflow, 128, M128, 1), (0, true));
        assert_eq!(ovf(UaddOverflow, 128, M128 - 1, 1), (M128, false));
        assert_eq!(ovf(SaddOverflow, 8, 0x7f, 1), (0x80, true));
        assert_eq!(ovf(SaddOverflow, 8, 0xff, 1), (0, false));
        assert_eq!(ovf(SaddOverflow, 8, 0x80, 0xff), (0x7f, true));
        assert_eq!(ovf(SaddOverflow, 128, MIN128 - 1, 1), (MIN128, true));
        assert_eq!(ovf(SaddOverflow, 128, M128, 1), (0, false));
        assert_eq!(ovf(UsubOverflow, 8, 0, 1), (0xff, true));
        assert_eq!(ovf(UsubOverflow, 8, 1, 1), (0, false));
        assert_eq!(ovf(UsubOverflow, 128, 0, 1), (M128, true));
        assert_eq!(ovf(SsubOverflow, 8, 0x80, 1), (0x7f, true));
        assert_eq!(ovf(SsubOverflow, 8, 0, 0x80), (0x80, true));
        assert_eq!(ovf(SsubOverflow, 8, 0xff, 0x80), (0x7f, false)); // -1 - -128 = 127
        assert_eq!(ovf(SsubOverflow, 128, MIN128, 1), (MIN128 - 1, true));
        assert_eq!(ovf(SsubOverflow, 128, 0, MIN128), (MIN128, true));
        assert_eq!(ovf(UmulOverflow, 8, 16, 16), (0, true));
        assert_eq!(ovf(UmulOverflow, 8, 15, 17), (0xff, false));
        assert_eq!(ovf(UmulOverflow, 64, M64, 2), (M64 - 1, true));
        assert_eq!(ovf(UmulOverflow, 128, 1 << 64, 1 << 64), (0, true));
        assert_eq!(ovf(UmulOverflow, 128, 1 << 64, 1 << 63), (MIN128, false));
        assert_eq!(ovf(UmulOverflow, 128, M128, 1), (M128, false));
        assert_eq!(ovf(SmulOverflow, 8, 0x80, 0xff), (0x80, true)); // -128 * -1
        assert_eq!(ovf(SmulOverflow, 8, 0x80, 1), (0x80, false));
        assert_eq!(ovf(SmulOverflow, 8, 0xf0, 0x08), (0x80, false)); // -16 * 8 = -128
        assert_eq!(ovf(SmulOverflow, 8, 0x10, 0x08), (0x80, true)); // 128
        assert_eq!(ovf(SmulOverflow, 64, MIN64, MIN64), (0, true));
        assert_eq!(ovf(SmulOverflow, 128, MIN128, M128), (MIN128, true));
        assert_eq!(ovf(SmulOverflow, 128, 1 << 63, 1 << 63), (1 << 126, false));
        assert_eq!(ovf(SmulOverflow, 128, 1 << 64, 1 << 63), (MIN128, true));
        assert_eq!(ovf(SmulOverflow, 128, M128, M128), (1, false));
    }

    #[test]
    fn comparisons() {
        assert!(compare(IntCC::SignedLessThan, 8, 0x80, 0x7f));
        assert!(!compare(IntCC::UnsignedLessThan, 8, 0x80, 0x7f));
        assert!(compare(IntCC::UnsignedGreaterThanOrEqual, 8, 0xff, 0xff));
        assert!(compare(IntCC::SignedLessThanOrEqual, 128, MIN128, 0));
        assert!(compare(IntCC::UnsignedGreaterThan, 128, MIN128, 0));
        assert!(compare(IntCC::NotEqual, 32, 1, 2));
        assert!(!compare(IntCC::SignedGreaterThan, 32, M32, 0));
    }

    #[test]
    fn immediates_fit_the_width() {
        assert_eq!(imm_bits(8, -1), 0xff);
        assert_eq!(imm_bits(8, 0x1ff), 0xff);
        assert_eq!(imm_bits(64, -1), M64);
        assert_eq!(imm_bits(128, -1), M128);
        assert_eq!(imm_bits(128, i64::MIN), !(M64 >> 1));
    }
}
