//! The memory the interpreter owns: the explicit stack slots of live frames.
//!
//! Each frame with stack slots gets a fresh range of a 32-bit address space (so `i32`
//! addresses work too); ranges are never reused while a top-level call runs, so a pointer into
//! a frame that has returned points nowhere instead of into a newer frame. Slots are separated
//! by unowned gaps, so running past the end of one never reaches the next. Function addresses
//! live in a separate region above all memory, so the two cannot be confused.

use crate::entities::StackSlot;
use crate::entity::EntityRef;
use crate::function::Function;

/// The first address of stack memory; everything below (including null) is unowned.
const MEM_BASE: u64 = 0x1000_0000;
/// The first function address; memory stays below it.
pub(super) const FUNC_BASE: u64 = 0xf000_0000;
/// Distance between function addresses.
pub(super) const FUNC_STRIDE: u64 = 16;
/// Unowned bytes after every slot.
const GAP: u64 = 16;
/// Slots are placed at least this aligned.
const MIN_ALIGN: u64 = 16;
/// Larger alignment requests are capped here (they only matter for address bits).
const MAX_ALIGN_SHIFT: u8 = 12;

/// The stack slots of one frame.
struct Region {
    /// Address of the first byte.
    base: u64,
    /// One past the last address of the region (including the last gap).
    end: u64,
    /// Offset of each slot from `base` and its size, in slot order (so ascending).
    slots: Vec<(u64, u64)>,
    /// The bytes, indexed by offset from `base`.
    bytes: Vec<u8>,
}

/// Why an access failed: the caller turns this into a trap or an error.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum MemError {
    /// The range is not entirely inside one live slot.
    OutOfBounds,
    /// Creating a frame would exceed the memory limit (a stack overflow).
    TooLarge,
    /// The address space of this call is used up.
    Exhausted,
}

/// Stack memory of all live frames.
pub(super) struct Memory {
    regions: Vec<Region>,
    next_base: u64,
    live_bytes: u64,
    limit: u64,
}

impl Memory {
    /// Empty memory allowing at most `limit` bytes of live slots.
    pub(super) fn new(limit: u64) -> Self {
        Self {
            regions: Vec::new(),
            next_base: MEM_BASE,
            live_bytes: 0,
            limit,
        }
    }

    /// Allocates the zeroed stack slots of a new frame of `func`, charging `other` more bytes
    /// (the frame's values) against the limit; returns the region's index, or `None` if the
    /// function has no slots.
    pub(super) fn push_frame(
        &mut self,
        func: &Function,
        other: u64,
    ) -> Result<Option<usize>, MemError> {
        if self.live_bytes.saturating_add(other) > self.limit {
            return Err(MemError::TooLarge);
        }
        if func.stack_slots.is_empty() {
            self.live_bytes += other;
            return Ok(None);
        }
        let mut slots = Vec::with_capacity(func.stack_slots.len());
        let mut offset: u64 = 0;
        let mut frame_align = MIN_ALIGN;
        for slot in func.stack_slots.values() {
            let align = (1u64 << slot.align_shift.min(MAX_ALIGN_SHIFT)).max(MIN_ALIGN);
            frame_align = frame_align.max(align);
            offset = offset.next_multiple_of(align);
            let size = u64::from(slot.size);
            slots.push((offset, size));
            offset = offset.saturating_add(size + GAP);
        }
        let size = offset;
        if self.live_bytes.saturating_add(other).saturating_add(size) > self.limit {
            return Err(MemError::TooLarge);
        }
        let base = self.next_base.next_multiple_of(frame_align);
        let end = base.checked_add(size).ok_or(MemError::Exhausted)?;
        if end > FUNC_BASE {
            return Err(MemError::Exhausted);
        }
        let len = usize::try_from(size).map_err(|_| MemError::TooLarge)?;
        // Zeroed allocation: large regions stay untouched until used.
        let bytes = vec![0u8; len];
        self.next_base = end;
        self.live_bytes += other + size;
        self.regions.push(Region {
            base,
            end,
            slots,
            bytes,
        });
        Ok(Some(self.regions.len() - 1))
    }

    /// Frees the region of a returning frame (the last one pushed) and the `other` bytes it
    /// was charged.
    pub(super) fn pop_frame(&mut self, region: Option<usize>, other: u64) {
        self.live_bytes -= other;
        if let Some(r) = region {
            debug_assert_eq!(r + 1, self.regions.len());
            if let Some(old) = self.regions.pop() {
                self.live_bytes -= old.end - old.base;
            }
        }
    }

    /// The address of byte `offset` of `slot` in `region` (any offset, even outside the slot:
    /// only accesses are checked).
    pub(super) fn slot_address(
        &self,
        region: Option<usize>,
        slot: StackSlot,
        offset: i64,
    ) -> Option<i128> {
        let r = self.regions.get(region?)?;
        let (start, _) = r.slots.get(slot.index())?;
        Some(i128::from(r.base + start) + i128::from(offset))
    }

    /// The `len` bytes at `offset` in `slot` of `region`, if they lie inside the slot.
    pub(super) fn slot_bytes(
        &mut self,
        region: Option<usize>,
        slot: StackSlot,
        offset: i64,
        len: u64,
    ) -> Result<&mut [u8], MemError> {
        let r = region
            .and_then(|i| self.regions.get_mut(i))
            .ok_or(MemError::OutOfBounds)?;
        let &(start, size) = r.slots.get(slot.index()).ok_or(MemError::OutOfBounds)?;
        let offset = u64::try_from(offset).map_err(|_| MemError::OutOfBounds)?;
        let last = offset.checked_add(len).ok_or(MemError::OutOfBounds)?;
        if last > size {
            return Err(MemError::OutOfBounds);
        }
        let from = usize::try_from(start + offset).map_err(|_| MemError::OutOfBounds)?;
        let to = usize::try_from(start + last).map_err(|_| MemError::OutOfBounds)?;
        r.bytes.get_mut(from..to).ok_or(MemError::OutOfBounds)
    }

    /// The `len` bytes at address `addr` (already offset), if they lie inside one live slot.
    pub(super) fn bytes_at(&mut self, addr: i128, len: u64) -> Result<&mut [u8], MemError> {
        let addr = u64::try_from(addr).map_err(|_| MemError::OutOfBounds)?;
        // The last region starting at or below `addr`.
        let i = self.regions.partition_point(|r| r.base <= addr);
        let r = i
            .checked_sub(1)
            .and_then(|i| self.regions.get_mut(i))
            .ok_or(MemError::OutOfBounds)?;
        if addr >= r.end {
            return Err(MemError::OutOfBounds);
        }
        let off = addr - r.base;
        let j = r.slots.partition_point(|&(start, _)| start <= off);
        let &(start, size) = j
            .checked_sub(1)
            .and_then(|j| r.slots.get(j))
            .ok_or(MemError::OutOfBounds)?;
        let last = off.checked_add(len).ok_or(MemError::OutOfBounds)?;
        if last > start + size {
            return Err(MemError::OutOfBounds);
        }
        let from = usize::try_from(off).map_err(|_| MemError::OutOfBounds)?;
        let to = usize::try_from(last).map_err(|_| MemError::OutOfBounds)?;
        r.bytes.get_mut(from..to).ok_or(MemError::OutOfBounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stackslot::StackSlotData;

    fn func_with_slots(sizes: &[(u32, u8)]) -> Function {
        let mut f = Function::new();
        for &(size, align) in sizes {
            f.create_stack_slot(StackSlotData::new(size, align));
        }
        f
    }

    #[test]
    fn slots_are_separate_zeroed_and_bounded() {
        let f = func_with_slots(&[(4, 0), (8, 3)]);
        let mut m = Memory::new(1 << 20);
        let r = m.push_frame(&f, 0).unwrap();
        let ss0 = StackSlot::new(0);
        let ss1 = StackSlot::new(1);
        let a0 = m.slot_address(r, ss0, 0).unwrap();
        let a1 = m.slot_address(r, ss1, 0).unwrap();
        assert_eq!(a0 % 16, 0);
        assert_eq!(a1 % 16, 0);
        assert!(a1 >= a0 + 4 + GAP as i128);
        assert_eq!(m.bytes_at(a0, 4).unwrap(), [0; 4]);
        m.bytes_at(a0 + 1, 2).unwrap().copy_from_slice(&[7, 8]);
        assert_eq!(m.slot_bytes(r, ss0, 0, 4).unwrap(), [0, 7, 8, 0]);
        // Partial overlap past the end, before the start, and the gap are all out of bounds.
        assert_eq!(m.bytes_at(a0 + 1, 4), Err(MemError::OutOfBounds));
        assert_eq!(m.bytes_at(a0 - 1, 1), Err(MemError::OutOfBounds));
        assert_eq!(m.bytes_at(a0 + 4, 1), Err(MemError::OutOfBounds));
        assert_eq!(m.bytes_at(a1 + 8, 1), Err(MemError::OutOfBounds));
        assert!(m.bytes_at(a1, 8).is_ok());
        assert_eq!(m.bytes_at(0, 1), Err(MemError::OutOfBounds));
        assert_eq!(m.bytes_at(-1, 1), Err(MemError::OutOfBounds));
        assert_eq!(m.bytes_at(i128::MAX, 1), Err(MemError::OutOfBounds));
        assert_eq!(m.slot_bytes(r, ss0, 1, 4), Err(MemError::OutOfBounds));
        assert_eq!(m.slot_bytes(r, ss0, -1, 1), Err(MemError::OutOfBounds));
        assert_eq!(
            m.slot_bytes(r, StackSlot::new(2), 0, 1),
            Err(MemError::OutOfBounds)
        );
        assert_eq!(m.slot_bytes(None, ss0, 0, 1), Err(MemError::OutOfBounds));
    }

    #[test]
    fn dead_frames_are_not_reused() {
        let f = func_with_slots(&[(8, 0)]);
        let mut m = Memory::new(1 << 20);
        let r1 = m.push_frame(&f, 0).unwrap();
        let a1 = m.slot_address(r1, StackSlot::new(0), 0).unwrap();
        m.pop_frame(r1, 0);
        let r2 = m.push_frame(&f, 0).unwrap();
        let a2 = m.slot_address(r2, StackSlot::new(0), 0).unwrap();
        assert_ne!(a1, a2);
        assert_eq!(m.bytes_at(a1, 1), Err(MemError::OutOfBounds));
        assert!(m.bytes_at(a2, 1).is_ok());
        assert_eq!(m.push_frame(&Function::new(), 0), Ok(None));
    }

    #[test]
    fn limits() {
        let f = func_with_slots(&[(u32::MAX, 0)]);
        let mut m = Memory::new(1 << 20);
        assert_eq!(m.push_frame(&f, 0), Err(MemError::TooLarge));
        // Values count against the limit too, and are given back on return.
        let empty = Function::new();
        assert_eq!(m.push_frame(&empty, 1 << 19), Ok(None));
        assert_eq!(m.push_frame(&empty, 1 << 19), Ok(None));
        assert_eq!(m.push_frame(&empty, 1), Err(MemError::TooLarge));
        m.pop_frame(None, 1 << 19);
        assert_eq!(m.push_frame(&empty, 1), Ok(None));
        // Returned frames still use up address space; eventually it runs out.
        let g = func_with_slots(&[(1 << 28, 0)]);
        let mut m = Memory::new(u64::MAX);
        let mut n = 0;
        let err = loop {
            match m.push_frame(&g, 0) {
                Ok(r) => {
                    m.pop_frame(r, 0);
                    n += 1;
                }
                Err(e) => break e,
            }
        };
        assert_eq!(err, MemError::Exhausted);
        assert_eq!(n, 13); // (0xf000_0000 - 0x1000_0000) / (2^28 + 16), rounded down
    }
}
