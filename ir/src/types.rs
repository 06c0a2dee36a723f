//! Value types: scalar integers and floats, and 128-bit vectors of them.

use core::fmt;

/// The type of an SSA value.
///
/// Encoded in one byte: the low nibble is the lane type, the high nibble the base-2 log of the
/// lane count. Scalars have one lane.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Type(u8);

const LANE_I8: u8 = 1;
const LANE_I16: u8 = 2;
const LANE_I32: u8 = 3;
const LANE_I64: u8 = 4;
const LANE_I128: u8 = 5;
const LANE_F32: u8 = 6;
const LANE_F64: u8 = 7;

/// No type: the type of instructions without a controlling type, and of placeholders.
pub const INVALID: Type = Type(0);
/// 8-bit integer.
pub const I8: Type = Type(LANE_I8);
/// 16-bit integer.
pub const I16: Type = Type(LANE_I16);
/// 32-bit integer.
pub const I32: Type = Type(LANE_I32);
/// 64-bit integer.
pub const I64: Type = Type(LANE_I64);
/// 128-bit integer.
pub const I128: Type = Type(LANE_I128);
/// IEEE 754 binary32.
pub const F32: Type = Type(LANE_F32);
/// IEEE 754 binary64.
pub const F64: Type = Type(LANE_F64);
/// 16 lanes of `i8`.
pub const I8X16: Type = Type(LANE_I8 | 4 << 4);
/// 8 lanes of `i16`.
pub const I16X8: Type = Type(LANE_I16 | 3 << 4);
/// 4 lanes of `i32`.
pub const I32X4: Type = Type(LANE_I32 | 2 << 4);
/// 2 lanes of `i64`.
pub const I64X2: Type = Type(LANE_I64 | 1 << 4);
/// 4 lanes of `f32`.
pub const F32X4: Type = Type(LANE_F32 | 2 << 4);
/// 2 lanes of `f64`.
pub const F64X2: Type = Type(LANE_F64 | 1 << 4);

/// Every valid type, scalars first.
pub const ALL: [Type; 13] = [
    I8, I16, I32, I64, I128, F32, F64, I8X16, I16X8, I32X4, I64X2, F32X4, F64X2,
];

impl Type {
    /// The lane type (the type itself for scalars).
    pub const fn lane_type(self) -> Type {
        Type(self.0 & 0xf)
    }

    /// The lane type as a small number, 1 to 7 (0 for `INVALID`); used by type sets.
    pub const fn lane_type_code(self) -> u8 {
        self.0 & 0xf
    }

    /// Number of lanes (1 for scalars, 0 for `INVALID`).
    pub const fn lane_count(self) -> u32 {
        if self.0 == 0 {
            0
        } else {
            1 << (self.0 >> 4)
        }
    }

    /// Width of one lane in bits.
    pub const fn lane_bits(self) -> u32 {
        match self.0 & 0xf {
            LANE_I8 => 8,
            LANE_I16 => 16,
            LANE_I32 | LANE_F32 => 32,
            LANE_I64 | LANE_F64 => 64,
            LANE_I128 => 128,
            _ => 0,
        }
    }

    /// Width of the whole type in bits.
    pub const fn bits(self) -> u32 {
        self.lane_bits() * self.lane_count()
    }

    /// Width of the whole type in bytes.
    pub const fn bytes(self) -> u32 {
        self.bits() / 8
    }

    /// Whether this is a scalar integer type.
    pub const fn is_int(self) -> bool {
        matches!(self.0, LANE_I8..=LANE_I128)
    }

    /// Whether this is a scalar float type.
    pub const fn is_float(self) -> bool {
        matches!(self.0, LANE_F32 | LANE_F64)
    }

    /// Whether this is a vector type.
    pub const fn is_vector(self) -> bool {
        self.0 >> 4 != 0
    }

    /// Whether this is `INVALID`.
    pub const fn is_invalid(self) -> bool {
        self.0 == 0
    }

    /// Integer scalar type of `bits` bits, if there is one.
    pub const fn int(bits: u32) -> Option<Type> {
        match bits {
            8 => Some(I8),
            16 => Some(I16),
            32 => Some(I32),
            64 => Some(I64),
            128 => Some(I128),
            _ => None,
        }
    }

    /// The integer type of the same width (lane-wise for vectors).
    pub const fn as_int(self) -> Type {
        let lane = match self.0 & 0xf {
            LANE_F32 => LANE_I32,
            LANE_F64 => LANE_I64,
            l => l,
        };
        Type((self.0 & 0xf0) | lane)
    }

    /// The integer scalar type of half the width, if any.
    pub const fn half_width(self) -> Option<Type> {
        if self.is_int() {
            Type::int(self.bits() / 2)
        } else {
            None
        }
    }

    /// The integer scalar type of twice the width, if any.
    pub const fn double_width(self) -> Option<Type> {
        if self.is_int() {
            Type::int(self.bits() * 2)
        } else {
            None
        }
    }

    /// The type named `name` in the text format (`i32`, `f64x2`, ...).
    pub fn by_name(name: &str) -> Option<Type> {
        ALL.into_iter().find(|t| t.name() == name)
    }

    /// The name of this type in the text format.
    pub const fn name(self) -> &'static str {
        match self {
            I8 => "i8",
            I16 => "i16",
            I32 => "i32",
            I64 => "i64",
            I128 => "i128",
            F32 => "f32",
            F64 => "f64",
            I8X16 => "i8x16",
            I16X8 => "i16x8",
            I32X4 => "i32x4",
            I64X2 => "i64x2",
            F32X4 => "f32x4",
            F64X2 => "f64x2",
            _ => "INVALID",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_classes() {
        assert_eq!(
            (I8.bits(), I128.bits(), F32.bits(), I8X16.bits()),
            (8, 128, 32, 128)
        );
        for t in [I8X16, I16X8, I32X4, I64X2, F32X4, F64X2] {
            assert_eq!(t.bits(), 128, "{t}");
            assert!(t.is_vector() && !t.is_int() && !t.is_float());
        }
        assert_eq!(F32X4.lane_type(), F32);
        assert_eq!(I16X8.lane_count(), 8);
        assert_eq!(F64.as_int(), I64);
        assert_eq!(F32X4.as_int(), I32X4);
        assert_eq!(I64.half_width(), Some(I32));
        assert_eq!(I128.double_width(), None);
        assert!(INVALID.is_invalid() && INVALID.bits() == 0);
    }

    #[test]
    fn names_round_trip() {
        for t in ALL {
            assert_eq!(Type::by_name(&t.to_string()), Some(t));
        }
        assert_eq!(Type::by_name("i7"), None);
        assert_eq!(Type::by_name("INVALID"), None);
    }
}
