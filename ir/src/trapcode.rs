//! Trap codes: why an instruction stopped the program.

use core::fmt;
use core::str::FromStr;

/// The reason for a trap.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TrapCode {
    /// The stack limit was exceeded (`stk_ovf`).
    StackOverflow,
    /// A memory access was out of bounds (`heap_oob`).
    HeapOutOfBounds,
    /// An integer operation overflowed (`int_ovf`).
    IntegerOverflow,
    /// An integer division by zero (`int_divz`).
    IntegerDivisionByZero,
    /// A float-to-integer conversion of NaN or an out-of-range value (`bad_toint`).
    BadConversionToInteger,
    /// A table access was out of bounds (`table_oob`).
    TableOutOfBounds,
    /// An indirect call through a null entry (`icall_null`).
    IndirectCallToNull,
    /// An indirect call with the wrong signature (`bad_sig`).
    BadSignature,
    /// Unreachable code was executed (`unreachable`).
    UnreachableCodeReached,
    /// An embedder asked the code to stop (`interrupt`).
    Interrupt,
    /// A code defined by the user of the IR (`user0`, `user1`, ...).
    User(u16),
}

impl TrapCode {
    /// The built-in codes, in a fixed order.
    pub const BUILTIN: [TrapCode; 10] = [
        TrapCode::StackOverflow,
        TrapCode::HeapOutOfBounds,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::UnreachableCodeReached,
        TrapCode::Interrupt,
    ];

    fn builtin_name(self) -> Option<&'static str> {
        Some(match self {
            TrapCode::StackOverflow => "stk_ovf",
            TrapCode::HeapOutOfBounds => "heap_oob",
            TrapCode::IntegerOverflow => "int_ovf",
            TrapCode::IntegerDivisionByZero => "int_divz",
            TrapCode::BadConversionToInteger => "bad_toint",
            TrapCode::TableOutOfBounds => "table_oob",
            TrapCode::IndirectCallToNull => "icall_null",
            TrapCode::BadSignature => "bad_sig",
            TrapCode::UnreachableCodeReached => "unreachable",
            TrapCode::Interrupt => "interrupt",
            TrapCode::User(_) => return None,
        })
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.builtin_name()) {
            (_, Some(name)) => f.write_str(name),
            (TrapCode::User(n), None) => write!(f, "user{n}"),
            _ => unreachable!(),
        }
    }
}

impl FromStr for TrapCode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if let Some(code) = TrapCode::BUILTIN
            .into_iter()
            .find(|c| c.builtin_name() == Some(s))
        {
            return Ok(code);
        }
        let digits = s.strip_prefix("user").ok_or(())?;
        if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
            return Err(());
        }
        digits.parse().map(TrapCode::User).map_err(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in TrapCode::BUILTIN
            .into_iter()
            .chain([TrapCode::User(0), TrapCode::User(65535)])
        {
            assert_eq!(c.to_string().parse::<TrapCode>(), Ok(c));
        }
        assert_eq!("int_divz".parse(), Ok(TrapCode::IntegerDivisionByZero));
        assert!("user".parse::<TrapCode>().is_err());
        assert!("user01".parse::<TrapCode>().is_err());
        assert!("user65536".parse::<TrapCode>().is_err());
        assert!("bogus".parse::<TrapCode>().is_err());
    }
}
