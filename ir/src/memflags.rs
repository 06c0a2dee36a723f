//! Flags on memory instructions.

use crate::TrapCode;
use core::fmt;

/// What a memory access may assume, and which trap it raises if it faults.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MemFlags {
    bits: u8,
    trap: TrapCode,
}

impl Default for MemFlags {
    fn default() -> Self {
        Self::new()
    }
}

/// Flag names in their printing order.
const NAMES: [&str; 8] = [
    "notrap", "aligned", "readonly", "little", "big", "heap", "table", "vmctx",
];

const NOTRAP: u8 = 1 << 0;
const ALIGNED: u8 = 1 << 1;
const READONLY: u8 = 1 << 2;
const BIG: u8 = 1 << 4;

impl MemFlags {
    /// No flags: the access may trap (with `heap_oob`), may be misaligned, may alias anything.
    pub const fn new() -> Self {
        Self {
            bits: 0,
            trap: TrapCode::HeapOutOfBounds,
        }
    }

    /// Flags for an access that cannot trap and is aligned: `notrap aligned`.
    pub const fn trusted() -> Self {
        Self {
            bits: NOTRAP | ALIGNED,
            trap: TrapCode::HeapOutOfBounds,
        }
    }

    /// Whether the access is known not to fault.
    pub const fn notrap(self) -> bool {
        self.bits & NOTRAP != 0
    }
    /// Whether the address is known to be aligned to the access size.
    pub const fn aligned(self) -> bool {
        self.bits & ALIGNED != 0
    }
    /// Whether the memory is never written while the function runs.
    pub const fn readonly(self) -> bool {
        self.bits & READONLY != 0
    }
    /// Whether the access is explicitly big-endian (the default is the target's order).
    pub const fn big_endian(self) -> bool {
        self.bits & BIG != 0
    }

    /// Sets `notrap`.
    pub fn set_notrap(&mut self) {
        self.bits |= NOTRAP;
    }
    /// Sets `aligned`.
    pub fn set_aligned(&mut self) {
        self.bits |= ALIGNED;
    }
    /// Sets `readonly`.
    pub fn set_readonly(&mut self) {
        self.bits |= READONLY;
    }

    /// The trap raised when the access faults (meaningless with `notrap`).
    pub const fn trap_code(self) -> TrapCode {
        self.trap
    }

    /// Sets the trap raised when the access faults.
    pub fn set_trap_code(&mut self, code: TrapCode) {
        self.trap = code;
    }

    /// Sets the flag called `name` in the text format; false if there is no such flag.
    pub fn set_by_name(&mut self, name: &str) -> bool {
        match NAMES.iter().position(|n| *n == name) {
            Some(i) => {
                self.bits |= 1 << i;
                true
            }
            None => false,
        }
    }
}

/// Prints each set flag preceded by a space, then a non-default trap code.
impl fmt::Display for MemFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in NAMES.iter().enumerate() {
            if self.bits & (1 << i) != 0 {
                write!(f, " {name}")?;
            }
        }
        if self.trap != TrapCode::HeapOutOfBounds {
            write!(f, " {}", self.trap)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_flags_in_order() {
        let mut f = MemFlags::new();
        assert_eq!(f.to_string(), "");
        assert!(f.set_by_name("readonly"));
        assert!(f.set_by_name("notrap"));
        assert!(!f.set_by_name("bogus"));
        assert_eq!(f.to_string(), " notrap readonly");
        f.set_trap_code(TrapCode::TableOutOfBounds);
        assert_eq!(f.to_string(), " notrap readonly table_oob");
        assert!(f.notrap() && f.readonly() && !f.aligned() && !f.big_endian());
    }
}
