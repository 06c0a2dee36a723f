//! Runtime values: what the interpreter computes and what `; run:` lines compare.

use crate::immediates::{parse_float, Ieee32, Ieee64, IntLiteral};
use crate::types::{self, Type};
use core::fmt;

/// A value of one of the IR types.
#[derive(Clone, Copy, Debug)]
pub enum DataValue {
    /// An `i8`.
    I8(i8),
    /// An `i16`.
    I16(i16),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `i128`.
    I128(i128),
    /// An `f32`.
    F32(Ieee32),
    /// An `f64`.
    F64(Ieee64),
    /// A 128-bit vector, little-endian bytes, with its type.
    V128(Type, [u8; 16]),
}

impl DataValue {
    /// The type of the value.
    pub fn ty(&self) -> Type {
        match self {
            DataValue::I8(_) => types::I8,
            DataValue::I16(_) => types::I16,
            DataValue::I32(_) => types::I32,
            DataValue::I64(_) => types::I64,
            DataValue::I128(_) => types::I128,
            DataValue::F32(_) => types::F32,
            DataValue::F64(_) => types::F64,
            DataValue::V128(t, _) => *t,
        }
    }

    /// The value of type `ty` with these bits (truncated to the width).
    pub fn from_bits(ty: Type, bits: u128) -> DataValue {
        match ty {
            types::I8 => DataValue::I8(bits as i8),
            types::I16 => DataValue::I16(bits as i16),
            types::I32 => DataValue::I32(bits as i32),
            types::I64 => DataValue::I64(bits as i64),
            types::I128 => DataValue::I128(bits as i128),
            types::F32 => DataValue::F32(Ieee32::with_bits(bits as u32)),
            types::F64 => DataValue::F64(Ieee64::with_bits(bits as u64)),
            t if t.is_vector() => DataValue::V128(t, bits.to_le_bytes()),
            t => panic!("no values of type {t}"),
        }
    }

    /// The bits, zero-extended to 128.
    pub fn to_bits(&self) -> u128 {
        match *self {
            DataValue::I8(x) => x as u8 as u128,
            DataValue::I16(x) => x as u16 as u128,
            DataValue::I32(x) => x as u32 as u128,
            DataValue::I64(x) => x as u64 as u128,
            DataValue::I128(x) => x as u128,
            DataValue::F32(x) => x.bits() as u128,
            DataValue::F64(x) => x.bits() as u128,
            DataValue::V128(_, b) => u128::from_le_bytes(b),
        }
    }

    /// The value as a signed integer (sign-extended from its width); floats give their bits.
    pub fn to_i128(&self) -> i128 {
        match *self {
            DataValue::I8(x) => x.into(),
            DataValue::I16(x) => x.into(),
            DataValue::I32(x) => x.into(),
            DataValue::I64(x) => x.into(),
            DataValue::I128(x) => x,
            _ => self.to_bits() as i128,
        }
    }

    /// Whether this is a float NaN.
    pub fn is_nan(&self) -> bool {
        match self {
            DataValue::F32(x) => x.as_f32().is_nan(),
            DataValue::F64(x) => x.as_f64().is_nan(),
            _ => false,
        }
    }

    /// Parses a literal of type `ty`: an integer (decimal or hex, either sign, or
    /// `true`/`false`), a float in CLIF syntax, or a vector `[1 2 3 4]` of lane literals.
    pub fn parse(text: &str, ty: Type) -> Result<DataValue, String> {
        let text = text.trim();
        if ty.is_vector() {
            let inner = text
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .ok_or_else(|| {
                    format!("expected a vector literal like [1 2 3 4], found `{text}`")
                })?;
            let lanes: Vec<&str> = inner.split_whitespace().collect();
            if lanes.len() != ty.lane_count() as usize {
                return Err(format!(
                    "{ty} needs {} lanes, found {}",
                    ty.lane_count(),
                    lanes.len()
                ));
            }
            let lane_bits = ty.lane_bits();
            let mut bits = 0u128;
            for (i, lane) in lanes.iter().enumerate() {
                let v = DataValue::parse(lane, ty.lane_type())?.to_bits();
                bits |= v << (i as u32 * lane_bits);
            }
            return Ok(DataValue::V128(ty, bits.to_le_bytes()));
        }
        if ty.is_float() {
            let (w, t) = if ty == types::F32 { (8, 23) } else { (11, 52) };
            let bits = parse_float(text, w, t).map_err(|e| format!("{e}: `{text}`"))?;
            return Ok(DataValue::from_bits(ty, bits.into()));
        }
        if ty.is_int() {
            let bits = match text {
                "true" => Some(1),
                "false" => Some(0),
                _ => IntLiteral::parse(text).and_then(|l| l.to_bits(ty.bits())),
            };
            return bits
                .map(|b| DataValue::from_bits(ty, b))
                .ok_or_else(|| format!("`{text}` is not a valid {ty} literal"));
        }
        Err(format!("no literals of type {ty}"))
    }

    /// Whether `self`, computed, matches `expected` as a `; run:` line means it: exact bits,
    /// except that an expected NaN without payload (`+NaN` or `-NaN`) matches any quiet NaN
    /// without payload, of either sign, since the sign of a generated NaN is not specified.
    pub fn matches(&self, expected: &DataValue) -> bool {
        if self.ty() != expected.ty() {
            return false;
        }
        match (self, expected) {
            (DataValue::F32(a), DataValue::F32(e)) if e.bits() & 0x7fff_ffff == 0x7fc0_0000 => {
                a.bits() & 0x7fff_ffff == 0x7fc0_0000
            }
            (DataValue::F64(a), DataValue::F64(e))
                if e.bits() & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000 =>
            {
                a.bits() & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
            }
            _ => self.to_bits() == expected.to_bits(),
        }
    }
}

/// Bitwise equality (so NaNs with the same bits are equal).
impl PartialEq for DataValue {
    fn eq(&self, other: &Self) -> bool {
        self.ty() == other.ty() && self.to_bits() == other.to_bits()
    }
}

impl Eq for DataValue {}

/// Integers in decimal, floats in CLIF's hex form, vectors as `[a b c d]`.
impl fmt::Display for DataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DataValue::I8(x) => write!(f, "{x}"),
            DataValue::I16(x) => write!(f, "{x}"),
            DataValue::I32(x) => write!(f, "{x}"),
            DataValue::I64(x) => write!(f, "{x}"),
            DataValue::I128(x) => write!(f, "{x}"),
            DataValue::F32(x) => write!(f, "{x}"),
            DataValue::F64(x) => write!(f, "{x}"),
            DataValue::V128(ty, b) => {
                let bits = u128::from_le_bytes(b);
                let lane_bits = ty.lane_bits();
                let mask = (1u128 << lane_bits) - 1;
                f.write_str("[")?;
                for i in 0..ty.lane_count() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    let lane =
                        DataValue::from_bits(ty.lane_type(), (bits >> (i * lane_bits)) & mask);
                    write!(f, "{lane}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(DataValue::parse("-1", I8), Ok(DataValue::I8(-1)));
        assert_eq!(DataValue::parse("255", I8), Ok(DataValue::I8(-1)));
        assert!(DataValue::parse("256", I8).is_err());
        assert_eq!(
            DataValue::parse("0x8000_0000", I32),
            Ok(DataValue::I32(i32::MIN))
        );
        assert_eq!(DataValue::parse("true", I8), Ok(DataValue::I8(1)));
        assert_eq!(
            DataValue::parse("-170141183460469231731687303715884105728", I128),
            Ok(DataValue::I128(i128::MIN))
        );
        assert_eq!(
            DataValue::parse("0x1.8p1", F32).unwrap().to_string(),
            "0x1.800000p1"
        );
        let v = DataValue::parse("[1 -1 3 4]", I32X4).unwrap();
        assert_eq!(v.to_string(), "[1 -1 3 4]");
        assert!(DataValue::parse("[1 2]", I32X4).is_err());
    }

    #[test]
    fn nan_matching() {
        let qnan_neg = DataValue::F32(Ieee32::with_bits(0xffc0_0000));
        let plus_nan = DataValue::parse("+NaN", F32).unwrap();
        let payload = DataValue::parse("+NaN:0x1", F32).unwrap();
        assert!(qnan_neg.matches(&plus_nan));
        assert!(!payload.matches(&plus_nan));
        assert!(!qnan_neg.matches(&payload));
        assert!(payload.matches(&payload));
        assert!(!DataValue::F32(1.0f32.into()).matches(&plus_nan));
        assert!(!DataValue::I32(1).matches(&DataValue::I64(1)));
    }
}
