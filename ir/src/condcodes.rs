//! Condition codes of `icmp` and `fcmp`.

use core::fmt;
use core::str::FromStr;

/// Integer comparison condition.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IntCC {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// Signed `<`.
    SignedLessThan,
    /// Signed `>=`.
    SignedGreaterThanOrEqual,
    /// Signed `>`.
    SignedGreaterThan,
    /// Signed `<=`.
    SignedLessThanOrEqual,
    /// Unsigned `<`.
    UnsignedLessThan,
    /// Unsigned `>=`.
    UnsignedGreaterThanOrEqual,
    /// Unsigned `>`.
    UnsignedGreaterThan,
    /// Unsigned `<=`.
    UnsignedLessThanOrEqual,
}

impl IntCC {
    /// All ten conditions.
    pub const ALL: [IntCC; 10] = [
        IntCC::Equal,
        IntCC::NotEqual,
        IntCC::SignedLessThan,
        IntCC::SignedGreaterThanOrEqual,
        IntCC::SignedGreaterThan,
        IntCC::SignedLessThanOrEqual,
        IntCC::UnsignedLessThan,
        IntCC::UnsignedGreaterThanOrEqual,
        IntCC::UnsignedGreaterThan,
        IntCC::UnsignedLessThanOrEqual,
    ];

    /// The text-format name (`eq`, `slt`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            IntCC::Equal => "eq",
            IntCC::NotEqual => "ne",
            IntCC::SignedLessThan => "slt",
            IntCC::SignedGreaterThanOrEqual => "sge",
            IntCC::SignedGreaterThan => "sgt",
            IntCC::SignedLessThanOrEqual => "sle",
            IntCC::UnsignedLessThan => "ult",
            IntCC::UnsignedGreaterThanOrEqual => "uge",
            IntCC::UnsignedGreaterThan => "ugt",
            IntCC::UnsignedLessThanOrEqual => "ule",
        }
    }

    /// The condition that holds exactly when this one does not.
    pub const fn inverse(self) -> IntCC {
        match self {
            IntCC::Equal => IntCC::NotEqual,
            IntCC::NotEqual => IntCC::Equal,
            IntCC::SignedLessThan => IntCC::SignedGreaterThanOrEqual,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThan,
            IntCC::SignedGreaterThan => IntCC::SignedLessThanOrEqual,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThan,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThan,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThanOrEqual,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThan,
        }
    }

    /// The condition with the operands swapped (`a < b` is `b > a`).
    pub const fn swap_args(self) -> IntCC {
        match self {
            IntCC::SignedLessThan => IntCC::SignedGreaterThan,
            IntCC::SignedGreaterThan => IntCC::SignedLessThan,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThanOrEqual,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThanOrEqual,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThan,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThan,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThanOrEqual,
            cc => cc,
        }
    }
}

impl fmt::Display for IntCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IntCC {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        IntCC::ALL.into_iter().find(|c| c.name() == s).ok_or(())
    }
}

/// Floating-point comparison condition. "Unordered" means at least one operand is NaN.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FloatCC {
    /// Neither operand is NaN.
    Ordered,
    /// At least one operand is NaN.
    Unordered,
    /// Ordered and equal.
    Equal,
    /// Unordered or not equal.
    NotEqual,
    /// Ordered and not equal.
    OrderedNotEqual,
    /// Unordered or equal.
    UnorderedOrEqual,
    /// Ordered and `<`.
    LessThan,
    /// Ordered and `<=`.
    LessThanOrEqual,
    /// Ordered and `>`.
    GreaterThan,
    /// Ordered and `>=`.
    GreaterThanOrEqual,
    /// Unordered or `<`.
    UnorderedOrLessThan,
    /// Unordered or `<=`.
    UnorderedOrLessThanOrEqual,
    /// Unordered or `>`.
    UnorderedOrGreaterThan,
    /// Unordered or `>=`.
    UnorderedOrGreaterThanOrEqual,
}

impl FloatCC {
    /// All fourteen conditions.
    pub const ALL: [FloatCC; 14] = [
        FloatCC::Ordered,
        FloatCC::Unordered,
        FloatCC::Equal,
        FloatCC::NotEqual,
        FloatCC::OrderedNotEqual,
        FloatCC::UnorderedOrEqual,
        FloatCC::LessThan,
        FloatCC::LessThanOrEqual,
        FloatCC::GreaterThan,
        FloatCC::GreaterThanOrEqual,
        FloatCC::UnorderedOrLessThan,
        FloatCC::UnorderedOrLessThanOrEqual,
        FloatCC::UnorderedOrGreaterThan,
        FloatCC::UnorderedOrGreaterThanOrEqual,
    ];

    /// The text-format name (`ord`, `uno`, `eq`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            FloatCC::Ordered => "ord",
            FloatCC::Unordered => "uno",
            FloatCC::Equal => "eq",
            FloatCC::NotEqual => "ne",
            FloatCC::OrderedNotEqual => "one",
            FloatCC::UnorderedOrEqual => "ueq",
            FloatCC::LessThan => "lt",
            FloatCC::LessThanOrEqual => "le",
            FloatCC::GreaterThan => "gt",
            FloatCC::GreaterThanOrEqual => "ge",
            FloatCC::UnorderedOrLessThan => "ult",
            FloatCC::UnorderedOrLessThanOrEqual => "ule",
            FloatCC::UnorderedOrGreaterThan => "ugt",
            FloatCC::UnorderedOrGreaterThanOrEqual => "uge",
        }
    }

    /// The condition that holds exactly when this one does not.
    pub const fn inverse(self) -> FloatCC {
        match self {
            FloatCC::Ordered => FloatCC::Unordered,
            FloatCC::Unordered => FloatCC::Ordered,
            FloatCC::Equal => FloatCC::NotEqual,
            FloatCC::NotEqual => FloatCC::Equal,
            FloatCC::OrderedNotEqual => FloatCC::UnorderedOrEqual,
            FloatCC::UnorderedOrEqual => FloatCC::OrderedNotEqual,
            FloatCC::LessThan => FloatCC::UnorderedOrGreaterThanOrEqual,
            FloatCC::LessThanOrEqual => FloatCC::UnorderedOrGreaterThan,
            FloatCC::GreaterThan => FloatCC::UnorderedOrLessThanOrEqual,
            FloatCC::GreaterThanOrEqual => FloatCC::UnorderedOrLessThan,
            FloatCC::UnorderedOrLessThan => FloatCC::GreaterThanOrEqual,
            FloatCC::UnorderedOrLessThanOrEqual => FloatCC::GreaterThan,
            FloatCC::UnorderedOrGreaterThan => FloatCC::LessThanOrEqual,
            FloatCC::UnorderedOrGreaterThanOrEqual => FloatCC::LessThan,
        }
    }
}

impl fmt::Display for FloatCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FloatCC {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        FloatCC::ALL.into_iter().find(|c| c.name() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_inverses_are_involutions() {
        for cc in IntCC::ALL {
            assert_eq!(cc.name().parse::<IntCC>(), Ok(cc));
            assert_eq!(cc.inverse().inverse(), cc);
            assert_ne!(cc.inverse(), cc);
            assert_eq!(cc.swap_args().swap_args(), cc);
        }
        for cc in FloatCC::ALL {
            assert_eq!(cc.name().parse::<FloatCC>(), Ok(cc));
            assert_eq!(cc.inverse().inverse(), cc);
            assert_ne!(cc.inverse(), cc);
        }
        assert_eq!(
            IntCC::SignedLessThan.inverse(),
            IntCC::SignedGreaterThanOrEqual
        );
        assert_eq!(
            FloatCC::LessThan.inverse(),
            FloatCC::UnorderedOrGreaterThanOrEqual
        );
    }
}
