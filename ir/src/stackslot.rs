//! Explicit stack slots.

use core::fmt;

/// An explicit stack slot: `size` bytes of the frame, aligned to `1 << align_shift`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct StackSlotData {
    /// Size in bytes.
    pub size: u32,
    /// Base-2 log of the alignment; 0 means no requirement beyond one byte.
    pub align_shift: u8,
}

impl StackSlotData {
    /// A slot of `size` bytes aligned to `1 << align_shift`.
    pub const fn new(size: u32, align_shift: u8) -> Self {
        Self { size, align_shift }
    }
}

/// Prints `explicit_slot 16` or `explicit_slot 16, align = 8`.
impl fmt::Display for StackSlotData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "explicit_slot {}", self.size)?;
        if self.align_shift != 0 {
            write!(f, ", align = {}", 1u64 << self.align_shift)?;
        }
        Ok(())
    }
}
