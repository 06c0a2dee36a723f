//! Immediate operands and literal syntax shared by the parser and the test runner.
//!
//! Floats print in Cranelift's exact hexadecimal form (`0x1.800000p1`, `-0.0`, `+Inf`,
//! `+NaN:0x1`, `+sNaN:0x1`), so printing never loses a bit.

use core::fmt;

/// A 64-bit immediate integer, interpreted at the width of the instruction's type.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Imm64(i64);

impl Imm64 {
    /// The immediate `x`.
    pub const fn new(x: i64) -> Self {
        Self(x)
    }
    /// The raw value.
    pub const fn bits(self) -> i64 {
        self.0
    }
    /// The value truncated to `bits` bits and zero-extended (how `iconst` stores it).
    pub const fn zero_extend_from_width(self, bits: u32) -> Self {
        if bits >= 64 {
            self
        } else {
            Self(((self.0 as u64) & ((1u64 << bits) - 1)) as i64)
        }
    }
}

impl From<i64> for Imm64 {
    fn from(x: i64) -> Self {
        Self(x)
    }
}

/// Writes `x` in hex with `_` between groups of four digits.
fn write_hex(f: &mut fmt::Formatter<'_>, x: u64) -> fmt::Result {
    let digits = format!("{x:x}");
    f.write_str("0x")?;
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 4 == 0 {
            f.write_str("_")?;
        }
        write!(f, "{c}")?;
    }
    Ok(())
}

impl fmt::Display for Imm64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x < -10_000 {
            f.write_str("-")?;
            write_hex(f, x.unsigned_abs())
        } else if x > 10_000 {
            write_hex(f, x as u64)
        } else {
            write!(f, "{x}")
        }
    }
}

/// A signed 32-bit address offset, printed as `+8`, `-4`, or nothing for zero.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Offset32(i32);

impl Offset32 {
    /// The offset `x`.
    pub const fn new(x: i32) -> Self {
        Self(x)
    }
    /// The raw value.
    pub const fn bits(self) -> i32 {
        self.0
    }
}

impl From<i32> for Offset32 {
    fn from(x: i32) -> Self {
        Self(x)
    }
}

impl fmt::Display for Offset32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            x if x > 0 => write!(f, "+{x}"),
            x => write!(f, "{x}"),
        }
    }
}

/// A 32-bit float immediate, kept as its bit pattern.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Ieee32(u32);

/// A 64-bit float immediate, kept as its bit pattern.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Ieee64(u64);

impl Ieee32 {
    /// The float with bit pattern `bits`.
    pub const fn with_bits(bits: u32) -> Self {
        Self(bits)
    }
    /// The bit pattern.
    pub const fn bits(self) -> u32 {
        self.0
    }
    /// The value as a Rust float.
    pub fn as_f32(self) -> f32 {
        f32::from_bits(self.0)
    }
}

impl Ieee64 {
    /// The float with bit pattern `bits`.
    pub const fn with_bits(bits: u64) -> Self {
        Self(bits)
    }
    /// The bit pattern.
    pub const fn bits(self) -> u64 {
        self.0
    }
    /// The value as a Rust float.
    pub fn as_f64(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl From<f32> for Ieee32 {
    fn from(x: f32) -> Self {
        Self(x.to_bits())
    }
}

impl From<f64> for Ieee64 {
    fn from(x: f64) -> Self {
        Self(x.to_bits())
    }
}

impl fmt::Display for Ieee32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_float(u64::from(self.0), 8, 23, f)
    }
}

impl fmt::Display for Ieee64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_float(self.0, 11, 52, f)
    }
}

impl core::str::FromStr for Ieee32 {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_float(s, 8, 23).map(|b| Ieee32(b as u32))
    }
}

impl core::str::FromStr for Ieee64 {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_float(s, 11, 52).map(Ieee64)
    }
}

/// Formats a float with `w` exponent bits and `t` fraction bits.
fn format_float(bits: u64, w: u32, t: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let max_e = (1u64 << w) - 1;
    let sign = (bits >> (w + t)) & 1 != 0;
    let e_bits = (bits >> t) & max_e;
    let t_bits = bits & ((1u64 << t) - 1);
    let bias = (1i32 << (w - 1)) - 1;
    let digits = t.div_ceil(4) as usize;
    let shift = 4 * digits as u32 - t;

    if e_bits == max_e {
        f.write_str(if sign { "-" } else { "+" })?;
        let quiet = 1u64 << (t - 1);
        let payload = t_bits & (quiet - 1);
        return match (t_bits, t_bits & quiet != 0) {
            (0, _) => f.write_str("Inf"),
            (_, true) if payload == 0 => f.write_str("NaN"),
            (_, true) => write!(f, "NaN:0x{payload:x}"),
            (_, false) => write!(f, "sNaN:0x{payload:x}"),
        };
    }
    if sign {
        f.write_str("-")?;
    }
    if e_bits == 0 && t_bits == 0 {
        return f.write_str("0.0");
    }
    let (lead, exp) = if e_bits == 0 {
        (0, 1 - bias)
    } else {
        (1, e_bits as i32 - bias)
    };
    write!(
        f,
        "0x{lead}.{:0width$x}p{exp}",
        t_bits << shift,
        width = digits
    )
}

/// Shifts right by `s`, rounding to nearest with ties to even.
fn round_shift_right(x: u128, s: u32) -> u128 {
    if s == 0 {
        return x;
    }
    if s > 128 {
        return 0;
    }
    let kept = if s == 128 { 0 } else { x >> s };
    let half = 1u128 << (s - 1);
    let rest = if s == 128 { x } else { x & ((1u128 << s) - 1) };
    if rest > half || (rest == half && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    }
}

/// Parses a float literal for a format with `w` exponent bits and `t` fraction bits.
///
/// Accepts Cranelift's hexadecimal form (`0x1.8p1`, not necessarily normalised), `Inf`,
/// `NaN`, `NaN:0x..`, `sNaN:0x..`, each with an optional sign, and plain decimals (`1.5`,
/// `-2e10`), which are rounded to nearest.
pub fn parse_float(s: &str, w: u32, t: u32) -> Result<u64, &'static str> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') => (1u64, &s[1..]),
        Some(b'+') => (0, &s[1..]),
        _ => (0, s),
    };
    let sign_bit = sign << (w + t);
    let max_e = (1u64 << w) - 1;
    let exp_all_ones = max_e << t;
    let quiet = 1u64 << (t - 1);

    let payload = |p: &str| -> Result<u64, &'static str> {
        let hex = p
            .strip_prefix("0x")
            .ok_or("NaN payload must be hexadecimal")?;
        let v = u64::from_str_radix(&hex.replace('_', ""), 16).map_err(|_| "bad NaN payload")?;
        if v >= quiet {
            return Err("NaN payload too large");
        }
        Ok(v)
    };
    if rest == "Inf" {
        return Ok(sign_bit | exp_all_ones);
    }
    if rest == "NaN" {
        return Ok(sign_bit | exp_all_ones | quiet);
    }
    if let Some(p) = rest.strip_prefix("NaN:") {
        return Ok(sign_bit | exp_all_ones | quiet | payload(p)?);
    }
    if let Some(p) = rest.strip_prefix("sNaN:") {
        let v = payload(p)?;
        if v == 0 {
            return Err("signaling NaN needs a non-zero payload");
        }
        return Ok(sign_bit | exp_all_ones | v);
    }

    let Some(hex) = rest.strip_prefix("0x") else {
        // Decimal: must look like a number, then Rust's correctly rounded parser does the rest.
        if !rest.starts_with(|c: char| c.is_ascii_digit())
            || !rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'))
        {
            return Err("invalid float literal");
        }
        let clean = rest.replace('_', "");
        let magnitude = if t == 23 {
            u64::from(
                clean
                    .parse::<f32>()
                    .map_err(|_| "invalid float literal")?
                    .to_bits(),
            )
        } else {
            clean
                .parse::<f64>()
                .map_err(|_| "invalid float literal")?
                .to_bits()
        };
        if magnitude & exp_all_ones == exp_all_ones {
            return Err("float literal out of range");
        }
        return Ok(sign_bit | magnitude);
    };

    // Hexadecimal: mantissa digits, optional fraction, optional binary exponent.
    let (mant, pexp) = match hex.find(['p', 'P']) {
        Some(i) => {
            let e: i32 = hex[i + 1..].parse().map_err(|_| "bad exponent")?;
            (&hex[..i], e)
        }
        None => (hex, 0),
    };
    let mut sig: u128 = 0;
    let mut exp2: i64 = i64::from(pexp);
    let mut seen_dot = false;
    let mut any_digit = false;
    for c in mant.chars() {
        match c {
            '_' => {}
            '.' if !seen_dot => seen_dot = true,
            _ => {
                let d = c.to_digit(16).ok_or("invalid hexadecimal float")?;
                any_digit = true;
                if sig >> 120 != 0 {
                    return Err("too many digits in float literal");
                }
                sig = sig << 4 | u128::from(d);
                if seen_dot {
                    exp2 -= 4;
                }
            }
        }
    }
    if !any_digit {
        return Err("invalid hexadecimal float");
    }
    if sig == 0 {
        return Ok(sign_bit);
    }
    let bias = (1i64 << (w - 1)) - 1;
    let emin = 1 - bias;
    let msb = 127 - i64::from(sig.leading_zeros());
    let e = msb + exp2;
    let magnitude = if e >= emin {
        // Normal: keep t fraction bits below the leading one.
        let drop = msb - i64::from(t);
        let mut m = if drop >= 0 {
            round_shift_right(sig, drop as u32)
        } else {
            sig << (-drop) as u32
        };
        let mut e = e;
        if m >> (t + 1) != 0 {
            m >>= 1;
            e += 1;
        }
        if e > bias {
            return Err("float literal out of range");
        }
        (((e + bias) as u64) << t) | (m as u64 & ((1u64 << t) - 1))
    } else {
        // Subnormal: count in units of 2^(emin - t); a carry into bit t gives the smallest normal.
        let drop = (emin - i64::from(t)) - exp2;
        let m = if drop >= 0 {
            round_shift_right(sig, drop.min(129) as u32)
        } else {
            sig << (-drop) as u32
        };
        m as u64
    };
    Ok(sign_bit | magnitude)
}

/// An integer literal: a sign and a magnitude, before it is fitted to a type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IntLiteral {
    /// Whether a leading `-` was written.
    pub negative: bool,
    /// The absolute value.
    pub magnitude: u128,
}

impl IntLiteral {
    /// Parses decimal or `0x` hexadecimal digits (with `_` separators) and an optional sign.
    pub fn parse(s: &str) -> Option<IntLiteral> {
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (digits, radix) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            Some(h) => (h, 16),
            None => (rest, 10),
        };
        if digits.is_empty() || digits.starts_with('_') {
            return None;
        }
        let clean: String = digits.chars().filter(|&c| c != '_').collect();
        if clean.is_empty() || !clean.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let magnitude = u128::from_str_radix(&clean, radix).ok()?;
        Some(IntLiteral {
            negative,
            magnitude,
        })
    }

    /// The bit pattern at `bits` width, if the value fits as a signed or unsigned number.
    pub fn to_bits(self, bits: u32) -> Option<u128> {
        if bits == 0 {
            return None;
        }
        let mask = if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        if self.negative {
            // Smallest signed value is -2^(bits-1).
            if self.magnitude > 1u128 << (bits - 1) {
                return None;
            }
            Some(self.magnitude.wrapping_neg() & mask)
        } else if self.magnitude & !mask != 0 {
            None
        } else {
            Some(self.magnitude)
        }
    }

    /// The value as an `i64` bit pattern if it fits in 64 bits (signed or unsigned).
    pub fn to_i64(self) -> Option<i64> {
        self.to_bits(64).map(|b| b as u64 as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(bits: u32) -> String {
        Ieee32::with_bits(bits).to_string()
    }
    fn f64s(x: f64) -> String {
        Ieee64::from(x).to_string()
    }

    #[test]
    fn float_printing_matches_clif() {
        assert_eq!(f32s(0), "0.0");
        assert_eq!(f32s(0x8000_0000), "-0.0");
        assert_eq!(f32s(1.0f32.to_bits()), "0x1.000000p0");
        assert_eq!(f32s(3.0f32.to_bits()), "0x1.800000p1");
        assert_eq!(f32s(0.1f32.to_bits()), "0x1.99999ap-4");
        assert_eq!(f32s(1), "0x0.000002p-126");
        assert_eq!(f32s(0x7f80_0000), "+Inf");
        assert_eq!(f32s(0xff80_0000), "-Inf");
        assert_eq!(f32s(0x7fc0_0000), "+NaN");
        assert_eq!(f32s(0xffc0_0001), "-NaN:0x1");
        assert_eq!(f32s(0x7f80_0001), "+sNaN:0x1");
        assert_eq!(f64s(-2.5), "-0x1.4000000000000p1");
        assert_eq!(f64s(f64::MIN_POSITIVE), "0x1.0000000000000p-1022");
    }

    #[test]
    fn float_parsing() {
        let p32 = |s| parse_float(s, 8, 23).map(|b| b as u32);
        let p64 = |s| parse_float(s, 11, 52);
        assert_eq!(p32("0x1.8p1"), Ok(3.0f32.to_bits()));
        assert_eq!(p32("0x3.e00000p0"), Ok(3.875f32.to_bits()));
        assert_eq!(p32("-0x0.0"), Ok(0x8000_0000));
        assert_eq!(p32("0.0"), Ok(0));
        assert_eq!(p32("-0.0"), Ok(0x8000_0000));
        assert_eq!(p32("1.5"), Ok(1.5f32.to_bits()));
        assert_eq!(p32("0x0.000002p-126"), Ok(1));
        assert_eq!(p32("0x1p-149"), Ok(1));
        assert_eq!(p32("0x1p-150"), Ok(0)); // tie rounds to even (zero)
        assert_eq!(p32("0x1.8p-149"), Ok(2)); // tie rounds to even (two)
        assert_eq!(p32("0x1.fffffep127"), Ok(f32::MAX.to_bits()));
        assert!(p32("0x1p128").is_err());
        assert_eq!(p32("0x1.ffffffp0"), Ok(2.0f32.to_bits())); // rounds up into next binade
        assert_eq!(p32("+Inf"), Ok(0x7f80_0000));
        assert_eq!(p32("-NaN"), Ok(0xffc0_0000));
        assert_eq!(p32("+sNaN:0x1"), Ok(0x7f80_0001));
        assert!(p32("sNaN:0x0").is_err());
        assert!(p32("NaN:0x400000").is_err());
        assert!(p32("abc").is_err());
        assert!(p32("1e39").is_err());
        assert_eq!(
            p64("0x1.0000000000000p-1022"),
            Ok(f64::MIN_POSITIVE.to_bits())
        );
        assert_eq!(p64("-0x1.4p1"), Ok((-2.5f64).to_bits()));
        assert_eq!(p64("0.1"), Ok(0.1f64.to_bits()));
    }

    #[test]
    fn float_print_parse_round_trip() {
        let samples32 = [
            0,
            1,
            0x7f_ffff,
            0x80_0000,
            0x3f80_0001,
            0x7f7f_ffff,
            0xffc0_1234,
            0x7f80_0042,
        ];
        for b in samples32 {
            assert_eq!(
                parse_float(&f32s(b), 8, 23),
                Ok(u64::from(b)),
                "{}",
                f32s(b)
            );
        }
        for x in [0.0, -0.0, 1e-310, 123.456, -1e300, f64::MAX, f64::INFINITY] {
            assert_eq!(parse_float(&f64s(x), 11, 52), Ok(x.to_bits()), "{x}");
        }
    }

    #[test]
    fn imm64_and_offset_display() {
        assert_eq!(Imm64::new(-5).to_string(), "-5");
        assert_eq!(Imm64::new(10_000).to_string(), "10000");
        assert_eq!(Imm64::new(0xffff_ffff).to_string(), "0xffff_ffff");
        assert_eq!(Imm64::new(i64::MIN).to_string(), "-0x8000_0000_0000_0000");
        assert_eq!(Imm64::new(-1).zero_extend_from_width(8), Imm64::new(255));
        assert_eq!(Offset32::new(0).to_string(), "");
        assert_eq!(Offset32::new(8).to_string(), "+8");
        assert_eq!(Offset32::new(-4).to_string(), "-4");
    }

    #[test]
    fn int_literals() {
        let lit = |s| IntLiteral::parse(s).unwrap();
        assert_eq!(lit("-1").to_bits(8), Some(0xff));
        assert_eq!(lit("255").to_bits(8), Some(0xff));
        assert_eq!(lit("256").to_bits(8), None);
        assert_eq!(lit("-128").to_bits(8), Some(0x80));
        assert_eq!(lit("-129").to_bits(8), None);
        assert_eq!(lit("0xffff_ffff").to_bits(32), Some(0xffff_ffff));
        assert_eq!(lit("-0x8000_0000_0000_0000").to_i64(), Some(i64::MIN));
        assert_eq!(lit("0xffffffffffffffff").to_i64(), Some(-1));
        assert_eq!(lit("-1").to_bits(128), Some(u128::MAX));
        assert!(IntLiteral::parse("0x").is_none());
        assert!(IntLiteral::parse("12a").is_none());
        assert!(IntLiteral::parse("").is_none());
        assert!(IntLiteral::parse("-").is_none());
    }
}
