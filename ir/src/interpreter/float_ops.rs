//! IEEE 754 arithmetic with Kiln's NaN rules.
//!
//! If an input is a NaN, the result is the first NaN input with its quiet bit set (sign and
//! payload kept); if a NaN arises from non-NaN inputs it is the canonical `+NaN`. `fabs`,
//! `fneg` and `fcopysign` only touch the sign bit.

use crate::condcodes::FloatCC;
use crate::opcodes::Opcode;
use crate::trapcode::TrapCode;
use core::ops::{Add, Div, Mul, Sub};

/// `f32` and `f64`, as bit patterns plus the host operations that are correctly rounded.
pub(super) trait Float:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// Number of fraction bits.
    const FRAC_BITS: u32;
    /// Total number of bits.
    const BITS: u32;
    /// The bits.
    fn to_bits64(self) -> u64;
    /// The float with these bits.
    fn from_bits64(bits: u64) -> Self;
    /// The value in `f64` (exact).
    fn to_f64(self) -> f64;
    /// Correctly rounded square root.
    fn sqrt_(self) -> Self;
    /// `self * b + c` with one rounding.
    fn fma_(self, b: Self, c: Self) -> Self;
    /// Round toward +infinity.
    fn ceil_(self) -> Self;
    /// Round toward -infinity.
    fn floor_(self) -> Self;
    /// Round toward zero.
    fn trunc_(self) -> Self;
    /// Round to nearest, ties to even.
    fn nearest_(self) -> Self;
    /// Converts an unsigned integer, rounding to nearest even.
    fn from_u128(x: u128) -> Self;
    /// Converts a signed integer, rounding to nearest even.
    fn from_i128(x: i128) -> Self;

    /// The sign bit.
    fn sign_bit() -> u64 {
        1 << (Self::BITS - 1)
    }
    /// The quiet bit of NaNs.
    fn quiet_bit() -> u64 {
        1 << (Self::FRAC_BITS - 1)
    }
    /// The canonical NaN, `+NaN`.
    fn canonical_nan() -> Self {
        let exp = (Self::sign_bit() - 1) & !((1 << Self::FRAC_BITS) - 1);
        Self::from_bits64(exp | Self::quiet_bit())
    }
    /// Whether this is a NaN.
    fn is_nan_(self) -> bool {
        #[allow(clippy::eq_op)]
        let nan = self != self;
        nan
    }
}

impl Float for f32 {
    const FRAC_BITS: u32 = 23;
    const BITS: u32 = 32;
    fn to_bits64(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn from_bits64(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn sqrt_(self) -> Self {
        self.sqrt()
    }
    fn fma_(self, b: Self, c: Self) -> Self {
        self.mul_add(b, c)
    }
    fn ceil_(self) -> Self {
        self.ceil()
    }
    fn floor_(self) -> Self {
        self.floor()
    }
    fn trunc_(self) -> Self {
        self.trunc()
    }
    fn nearest_(self) -> Self {
        self.round_ties_even()
    }
    fn from_u128(x: u128) -> Self {
        x as f32
    }
    fn from_i128(x: i128) -> Self {
        x as f32
    }
}

impl Float for f64 {
    const FRAC_BITS: u32 = 52;
    const BITS: u32 = 64;
    fn to_bits64(self) -> u64 {
        self.to_bits()
    }
    fn from_bits64(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn sqrt_(self) -> Self {
        self.sqrt()
    }
    fn fma_(self, b: Self, c: Self) -> Self {
        self.mul_add(b, c)
    }
    fn ceil_(self) -> Self {
        self.ceil()
    }
    fn floor_(self) -> Self {
        self.floor()
    }
    fn trunc_(self) -> Self {
        self.trunc()
    }
    fn nearest_(self) -> Self {
        self.round_ties_even()
    }
    fn from_u128(x: u128) -> Self {
        x as f64
    }
    fn from_i128(x: i128) -> Self {
        x as f64
    }
}

/// `x` with its quiet bit set.
fn quiet<F: Float>(x: F) -> F {
    F::from_bits64(x.to_bits64() | F::quiet_bit())
}

/// The first NaN among `inputs`, quieted.
fn first_nan<F: Float>(inputs: &[F]) -> Option<F> {
    inputs.iter().copied().find(|x| x.is_nan_()).map(quiet)
}

/// The result of an operation on non-NaN inputs: a NaN becomes the canonical one.
fn canon<F: Float>(r: F) -> F {
    if r.is_nan_() {
        F::canonical_nan()
    } else {
        r
    }
}

/// Applies a two-operand float opcode.
pub(super) fn binary<F: Float>(op: Opcode, a: F, b: F) -> Option<F> {
    use Opcode::*;
    let sign = F::sign_bit();
    if op == Fcopysign {
        let bits = (a.to_bits64() & !sign) | (b.to_bits64() & sign);
        return Some(F::from_bits64(bits));
    }
    if !matches!(op, Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax) {
        return None;
    }
    if let Some(nan) = first_nan(&[a, b]) {
        return Some(nan);
    }
    let r = match op {
        Fadd => a + b,
        Fsub => a - b,
        Fmul => a * b,
        Fdiv => a / b,
        Fmin | Fmax => {
            let a_neg = a.to_bits64() & sign != 0;
            if a == b {
                // Equal values differ at most in the sign of a zero: -0.0 < +0.0.
                if (op == Fmin) == a_neg {
                    a
                } else {
                    b
                }
            } else if (op == Fmin) == (a < b) {
                a
            } else {
                b
            }
        }
        _ => return None,
    };
    Some(canon(r))
}

/// Applies a one-operand float opcode.
pub(super) fn unary<F: Float>(op: Opcode, a: F) -> Option<F> {
    use Opcode::*;
    let sign = F::sign_bit();
    match op {
        Fabs => return Some(F::from_bits64(a.to_bits64() & !sign)),
        Fneg => return Some(F::from_bits64(a.to_bits64() ^ sign)),
        Sqrt | Ceil | Floor | Trunc | Nearest => {}
        _ => return None,
    }
    if a.is_nan_() {
        return Some(quiet(a));
    }
    let r = match op {
        Sqrt => a.sqrt_(),
        Ceil => a.ceil_(),
        Floor => a.floor_(),
        Trunc => a.trunc_(),
        _ => a.nearest_(),
    };
    Some(canon(r))
}

/// `a * b + c` with a single rounding.
pub(super) fn fma<F: Float>(a: F, b: F, c: F) -> F {
    match first_nan(&[a, b, c]) {
        Some(nan) => nan,
        None => canon(a.fma_(b, c)),
    }
}

/// Evaluates a float condition.
pub(super) fn compare<F: Float>(cc: FloatCC, a: F, b: F) -> bool {
    let uno = a.is_nan_() || b.is_nan_();
    match cc {
        FloatCC::Ordered => !uno,
        FloatCC::Unordered => uno,
        FloatCC::Equal => a == b,
        FloatCC::NotEqual => a != b,
        FloatCC::OrderedNotEqual => !uno && a != b,
        FloatCC::UnorderedOrEqual => uno || a == b,
        FloatCC::LessThan => a < b,
        FloatCC::LessThanOrEqual => a <= b,
        FloatCC::GreaterThan => a > b,
        FloatCC::GreaterThanOrEqual => a >= b,
        FloatCC::UnorderedOrLessThan => uno || a < b,
        FloatCC::UnorderedOrLessThanOrEqual => uno || a <= b,
        FloatCC::UnorderedOrGreaterThan => uno || a > b,
        FloatCC::UnorderedOrGreaterThanOrEqual => uno || a >= b,
    }
}

/// Converts to an integer of `bits` bits (at most 64), truncating toward zero.
///
/// Without `saturate`, NaN traps `bad_toint` and a truncated value outside the range traps
/// `int_ovf`; with it, NaN gives 0 and out-of-range values clamp.
pub(super) fn to_int<F: Float>(
    x: F,
    bits: u32,
    signed: bool,
    saturate: bool,
) -> Result<u128, TrapCode> {
    let bits = bits.min(64);
    if x.is_nan_() {
        return if saturate {
            Ok(0)
        } else {
            Err(TrapCode::BadConversionToInteger)
        };
    }
    // Every f32 is exact in f64, and the bounds are powers of two, exact too.
    let t = x.to_f64().trunc();
    let (lo, hi) = if signed {
        (
            -((1u128 << (bits - 1)) as f64),
            (1u128 << (bits - 1)) as f64,
        )
    } else {
        (0.0, (1u128 << bits) as f64)
    };
    let mask = (1u128 << bits) - 1;
    let (min, max): (i128, i128) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, mask as i128)
    };
    let v = if t < lo {
        if !saturate {
            return Err(TrapCode::IntegerOverflow);
        }
        min
    } else if t >= hi {
        if !saturate {
            return Err(TrapCode::IntegerOverflow);
        }
        max
    } else {
        // |t| < 2^64: the conversion is exact.
        t as i128
    };
    Ok(v as u128 & mask)
}

/// Converts an integer of `bits` bits (sign- or zero-extended) to a float.
pub(super) fn from_int<F: Float>(x: u128, bits: u32, signed: bool) -> F {
    if signed {
        F::from_i128(super::int_ops::sext(bits, x))
    } else {
        F::from_u128(x & super::int_ops::mask(bits))
    }
}

/// `f32` to `f64`, exactly; a NaN keeps its sign and payload and becomes quiet.
pub(super) fn promote(x: f32) -> f64 {
    if x.is_nan() {
        let b = u64::from(x.to_bits());
        let sign = (b >> 31) << 63;
        let frac = (b & 0x7f_ffff) << 29;
        f64::from_bits(sign | 0x7ff0_0000_0000_0000 | frac | (1 << 51))
    } else {
        f64::from(x)
    }
}

/// `f64` to `f32`, rounding to nearest even; a NaN keeps its sign and the top of its payload
/// and becomes quiet.
pub(super) fn demote(x: f64) -> f32 {
    if x.is_nan() {
        let b = x.to_bits();
        let sign = ((b >> 63) as u32) << 31;
        let frac = ((b & 0xf_ffff_ffff_ffff) >> 29) as u32;
        f32::from_bits(sign | 0x7f80_0000 | frac | (1 << 22))
    } else {
        x as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Opcode::*;

    const NAN32: u32 = 0x7fc0_0000;
    const NAN64: u64 = 0x7ff8_0000_0000_0000;

    fn b32(op: Opcode, a: f32, b: f32) -> u32 {
        binary(op, a, b).unwrap().to_bits()
    }
    fn b64(op: Opcode, a: f64, b: f64) -> u64 {
        binary(op, a, b).unwrap().to_bits()
    }
    fn u32_(op: Opcode, a: f32) -> u32 {
        unary(op, a).unwrap().to_bits()
    }
    fn u64_(op: Opcode, a: f64) -> u64 {
        unary(op, a).unwrap().to_bits()
    }
    fn f(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
    fn d(bits: u64) -> f64 {
        f64::from_bits(bits)
    }

    #[test]
    fn basic_arithmetic_rounds_to_nearest() {
        assert_eq!(b32(Fadd, 1.0, 2.0), 3.0f32.to_bits());
        assert_eq!(b64(Fsub, 0.3, 0.1), 0x3fc9_9999_9999_9999); // 0x1.9999999999999p-3
        assert_eq!(b32(Fmul, 1.5, -2.0), (-3.0f32).to_bits());
        assert_eq!(b64(Fdiv, 1.0, 3.0), 0x3fd5_5555_5555_5555);
        assert_eq!(b32(Fdiv, 1.0, 0.0), 0x7f80_0000);
        assert_eq!(b32(Fdiv, -1.0, 0.0), 0xff80_0000);
        assert_eq!(b32(Fadd, -0.0, 0.0), 0);
        assert_eq!(b32(Fadd, -0.0, -0.0), 0x8000_0000);
        // Smallest subnormal halves to zero (tie to even), 3 * subnormal / 2 ties to 2.
        assert_eq!(b32(Fmul, f(1), 0.5), 0);
        assert_eq!(b32(Fmul, f(3), 0.5), 2);
        assert_eq!(b32(Fadd, f32::MAX, f32::MAX), 0x7f80_0000);
        // Subnormals are neither flushed nor treated as zero.
        assert_eq!(b32(Fadd, f(1), f(1)), 2);
        assert_eq!(b32(Fsub, f(0x0080_0000), f(1)), 0x007f_ffff);
        assert_eq!(u64_(Sqrt, d(1)), 486 << 52); // sqrt(2^-1074) = 2^-537
        assert_eq!(b64(Fmin, d(1), -d(1)), 0x8000_0000_0000_0001);
        assert_eq!(b32(Fdiv, f(1), 2.0), 0); // 2^-150 ties to even: zero
        assert_eq!(u32_(Sqrt, 2.0), 0x3fb5_04f3);
        assert_eq!(u64_(Sqrt, -0.0), 0x8000_0000_0000_0000);
        assert_eq!(u64_(Sqrt, f64::INFINITY), 0x7ff0_0000_0000_0000);
    }

    #[test]
    fn nan_results() {
        // Invalid operations give the canonical +NaN.
        assert_eq!(b32(Fdiv, 0.0, 0.0), NAN32);
        assert_eq!(b32(Fsub, f32::INFINITY, f32::INFINITY), NAN32);
        assert_eq!(b64(Fmul, 0.0, f64::INFINITY), NAN64);
        assert_eq!(u32_(Sqrt, -1.0), NAN32);
        assert_eq!(u64_(Sqrt, -1.0), NAN64);
        // A NaN input propagates, quieted, sign and payload kept; the first one wins.
        assert_eq!(b32(Fadd, f(0xff80_0001), 1.0), 0xffc0_0001);
        assert_eq!(b32(Fadd, 1.0, f(0x7fc0_0005)), 0x7fc0_0005);
        assert_eq!(b32(Fmul, f(0x7f80_0002), f(0xffc0_0003)), 0x7fc0_0002);
        assert_eq!(
            b64(Fdiv, d(0xfff0_0000_0000_0001), 0.0),
            0xfff8_0000_0000_0001
        );
        assert_eq!(u32_(Sqrt, f(0x7f80_0001)), 0x7fc0_0001);
        assert_eq!(u32_(Ceil, f(0xffc0_0000)), 0xffc0_0000);
        assert_eq!(
            u64_(Nearest, d(0x7ff0_0000_0000_0007)),
            0x7ff8_0000_0000_0007
        );
        assert_eq!(b32(Fmin, 1.0, f(0x7f80_0001)), 0x7fc0_0001);
        assert_eq!(b64(Fmax, d(NAN64 | 9), d(NAN64 | 8)), NAN64 | 9);
    }

    #[test]
    fn sign_operations_touch_only_the_sign() {
        assert_eq!(u32_(Fabs, f(0xff80_0001)), 0x7f80_0001);
        assert_eq!(u32_(Fneg, f(0x7f80_0001)), 0xff80_0001);
        assert_eq!(u32_(Fneg, 0.0), 0x8000_0000);
        assert_eq!(u64_(Fabs, -0.0), 0);
        assert_eq!(b32(Fcopysign, f(0x7f80_0001), -1.0), 0xff80_0001);
        assert_eq!(b64(Fcopysign, -2.0, 0.0), 2.0f64.to_bits());
        assert_eq!(
            b64(Fcopysign, 2.0, d(0xfff8_0000_0000_0000)),
            (-2.0f64).to_bits()
        );
    }

    #[test]
    fn min_max_order_signed_zeros() {
        assert_eq!(b32(Fmin, 0.0, -0.0), 0x8000_0000);
        assert_eq!(b32(Fmin, -0.0, 0.0), 0x8000_0000);
        assert_eq!(b32(Fmax, 0.0, -0.0), 0);
        assert_eq!(b32(Fmax, -0.0, 0.0), 0);
        assert_eq!(b32(Fmax, -0.0, -0.0), 0x8000_0000);
        assert_eq!(b32(Fmin, 0.0, 0.0), 0);
        assert_eq!(b64(Fmin, -1.0, 1.0), (-1.0f64).to_bits());
        assert_eq!(b64(Fmax, -1.0, 1.0), 1.0f64.to_bits());
        assert_eq!(
            b64(Fmin, f64::NEG_INFINITY, f64::MIN),
            f64::NEG_INFINITY.to_bits()
        );
        assert_eq!(b64(Fmax, f64::INFINITY, 0.0), f64::INFINITY.to_bits());
    }

    #[test]
    fn rounding_to_integers() {
        assert_eq!(u32_(Nearest, 0.5), 0);
        assert_eq!(u32_(Nearest, 1.5), 2.0f32.to_bits());
        assert_eq!(u32_(Nearest, 2.5), 2.0f32.to_bits());
        assert_eq!(u32_(Nearest, -0.5), 0x8000_0000);
        assert_eq!(u32_(Nearest, -2.5), (-2.0f32).to_bits());
        assert_eq!(
            u64_(Nearest, 4503599627370497.0),
            4503599627370497.0f64.to_bits()
        );
        assert_eq!(u64_(Nearest, 0.49999999999999994), 0);
        assert_eq!(u32_(Ceil, -0.5), 0x8000_0000);
        assert_eq!(u32_(Ceil, 0.1), 1.0f32.to_bits());
        assert_eq!(u32_(Floor, -0.1), (-1.0f32).to_bits());
        assert_eq!(u32_(Floor, 0.9), 0);
        assert_eq!(u64_(Trunc, -1.9), (-1.0f64).to_bits());
        assert_eq!(u64_(Trunc, -0.9), 0x8000_0000_0000_0000);
        assert_eq!(u64_(Floor, f64::NEG_INFINITY), f64::NEG_INFINITY.to_bits());
        assert_eq!(u32_(Ceil, f(1)), 1.0f32.to_bits()); // smallest subnormal
    }

    #[test]
    fn fused_multiply_add_rounds_once() {
        // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly; unfused it would be 0.
        let a = 1.0 + f64::EPSILON;
        let b = 1.0 - f64::EPSILON;
        assert_eq!(fma(a, b, -1.0), -(2f64.powi(-104)));
        assert_eq!(fma(2.0f32, 3.0, 1.0), 7.0);
        assert_eq!(fma(0.0f32, f32::INFINITY, 1.0).to_bits(), NAN32);
        assert_eq!(
            fma(0.0f32, f32::INFINITY, f(0xff80_0001)).to_bits(),
            0xffc0_0001
        );
        assert_eq!(
            fma(1.0f32, f(0x7f80_0003), f(0x7f80_0001)).to_bits(),
            0x7fc0_0003
        );
        // 0x1.000002p0 squared = 1 + 2^-22 + 2^-46, rounded to 1 + 2^-22.
        let x = f(0x3f80_0001);
        assert_eq!(fma(x, x, 0.0).to_bits(), 0x3f80_0002);
    }

    #[test]
    fn comparisons_and_unordered() {
        let nan = f32::NAN;
        for cc in [
            FloatCC::Equal,
            FloatCC::LessThan,
            FloatCC::LessThanOrEqual,
            FloatCC::GreaterThan,
            FloatCC::GreaterThanOrEqual,
            FloatCC::OrderedNotEqual,
            FloatCC::Ordered,
        ] {
            assert!(!compare(cc, nan, 1.0), "{cc}");
            assert!(!compare(cc, 1.0, nan), "{cc}");
        }
        for cc in [
            FloatCC::NotEqual,
            FloatCC::Unordered,
            FloatCC::UnorderedOrEqual,
            FloatCC::UnorderedOrLessThan,
            FloatCC::UnorderedOrLessThanOrEqual,
            FloatCC::UnorderedOrGreaterThan,
            FloatCC::UnorderedOrGreaterThanOrEqual,
        ] {
            assert!(compare(cc, nan, 1.0), "{cc}");
        }
        assert!(compare(FloatCC::Equal, 0.0, -0.0));
        assert!(!compare(FloatCC::LessThan, -0.0, 0.0));
        assert!(compare(FloatCC::OrderedNotEqual, 1.0, 2.0));
        assert!(!compare(FloatCC::UnorderedOrEqual, 1.0, 2.0));
        assert!(compare(FloatCC::UnorderedOrGreaterThanOrEqual, 2.0, 2.0));
        assert!(!compare(FloatCC::UnorderedOrGreaterThan, 2.0, 2.0));
        assert!(compare(FloatCC::LessThan, f64::NEG_INFINITY, f64::MIN));
    }

    #[test]
    fn float_to_int_boundaries() {
        let s32 = |x: f64| to_int(x, 32, true, false);
        let u32c = |x: f64| to_int(x, 32, false, false);
        assert_eq!(s32(-2147483648.999), Ok(0x8000_0000));
        assert_eq!(s32(-2147483649.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(s32(2147483647.999), Ok(0x7fff_ffff));
        assert_eq!(s32(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(s32(-0.9), Ok(0));
        assert_eq!(s32(f64::NAN), Err(TrapCode::BadConversionToInteger));
        assert_eq!(s32(f64::INFINITY), Err(TrapCode::IntegerOverflow));
        assert_eq!(s32(f64::NEG_INFINITY), Err(TrapCode::IntegerOverflow));
        assert_eq!(u32c(-0.999), Ok(0));
        assert_eq!(u32c(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(u32c(4294967295.9), Ok(0xffff_ffff));
        assert_eq!(u32c(4294967296.0), Err(TrapCode::IntegerOverflow));
        // f32: the largest float below 2^31 is 2147483520.
        assert_eq!(to_int(2147483520.0f32, 32, true, false), Ok(0x7fff_ff80));
        assert_eq!(
            to_int(2147483648.0f32, 32, true, false),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(to_int(-2147483648.0f32, 32, true, false), Ok(0x8000_0000));
        // 64-bit bounds.
        assert_eq!(
            to_int(9223372036854775808.0f64, 64, true, false),
            Err(TrapCode::IntegerOverflow)
        ); // 2^63
        assert_eq!(
            to_int(-9223372036854775808.0f64, 64, true, false),
            Ok(1 << 63)
        );
        assert_eq!(
            to_int(18446744073709549568.0f64, 64, false, false),
            Ok(0xffff_ffff_ffff_f800)
        );
        assert_eq!(
            to_int(18446744073709551616.0f64, 64, false, false),
            Err(TrapCode::IntegerOverflow)
        );
        // 8 and 16 bits.
        assert_eq!(to_int(127.9f32, 8, true, false), Ok(0x7f));
        assert_eq!(
            to_int(128.0f32, 8, true, false),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(to_int(-128.5f32, 8, true, false), Ok(0x80));
        assert_eq!(to_int(65535.5f64, 16, false, false), Ok(0xffff));
        // Subnormals truncate to zero.
        assert_eq!(to_int(f32::from_bits(1), 32, false, false), Ok(0));
        assert_eq!(to_int(-f64::from_bits(1), 64, true, false), Ok(0));
    }

    #[test]
    fn saturating_float_to_int() {
        assert_eq!(to_int(f32::NAN, 32, true, true), Ok(0));
        assert_eq!(to_int(-f32::NAN, 64, false, true), Ok(0));
        assert_eq!(to_int(1e10f64, 32, true, true), Ok(0x7fff_ffff));
        assert_eq!(to_int(-1e10f64, 32, true, true), Ok(0x8000_0000));
        assert_eq!(to_int(f64::INFINITY, 64, false, true), Ok(u64::MAX as u128));
        assert_eq!(to_int(-1.5f64, 64, false, true), Ok(0));
        assert_eq!(to_int(-300.0f32, 8, true, true), Ok(0x80));
        assert_eq!(to_int(300.0f32, 8, false, true), Ok(0xff));
        assert_eq!(to_int(-7.9f64, 16, true, true), Ok(0xfff9));
    }

    #[test]
    fn int_to_float_rounds_to_nearest_even() {
        let m128 = u128::MAX;
        assert_eq!(
            from_int::<f32>(0xffff_ffff, 32, false).to_bits(),
            0x4f80_0000
        ); // 2^32
        assert_eq!(from_int::<f32>(0xffff_ffff, 32, true), -1.0);
        assert_eq!(from_int::<f64>(0xff, 8, true), -1.0);
        assert_eq!(from_int::<f64>(0xff, 8, false), 255.0);
        // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: even wins (2^24).
        assert_eq!(from_int::<f32>(16_777_217, 32, true), 16_777_216.0);
        assert_eq!(from_int::<f32>(16_777_219, 32, true), 16_777_220.0);
        assert_eq!(
            from_int::<f64>((1 << 53) + 1, 64, false),
            9007199254740992.0
        );
        assert_eq!(from_int::<f32>(m128, 128, false).to_bits(), 0x7f80_0000); // 2^128 overflows f32
        assert_eq!(from_int::<f64>(m128, 128, false), 2f64.powi(128));
        assert_eq!(from_int::<f64>(m128, 128, true), -1.0);
        assert_eq!(from_int::<f64>(1 << 127, 128, true), -(2f64.powi(127)));
        assert_eq!(from_int::<f32>(0, 64, true).to_bits(), 0);
    }

    #[test]
    fn promote_and_demote() {
        assert_eq!(promote(1.5), 1.5);
        assert_eq!(promote(f(1)), 2f64.powi(-149));
        assert_eq!(promote(f(0xff80_0001)).to_bits(), 0xfff8_0000_2000_0000);
        assert_eq!(promote(f(NAN32)).to_bits(), NAN64);
        assert_eq!(demote(1.0 + 2f64.powi(-24)), 1.0); // tie to even
        assert_eq!(demote(1.0 + 3.0 * 2f64.powi(-24)).to_bits(), 0x3f80_0002);
        assert_eq!(demote(1e300).to_bits(), 0x7f80_0000);
        assert_eq!(demote(-1e300).to_bits(), 0xff80_0000);
        assert_eq!(demote(2f64.powi(-150)), 0.0); // halfway to the smallest subnormal: even
        assert_eq!(demote(3.0 * 2f64.powi(-151)).to_bits(), 1);
        assert_eq!(demote(d(NAN64)).to_bits(), NAN32);
        assert_eq!(demote(d(0xfff0_0000_2000_0000)).to_bits(), 0xffc0_0001);
        assert_eq!(demote(d(0x7ff0_0000_0000_0001)).to_bits(), NAN32);
    }
}
