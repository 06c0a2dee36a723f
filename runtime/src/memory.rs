//! Linear memories.
//!
//! With guard pages, a 32-bit memory reserves its whole 4 GiB index space plus a guard region up
//! front; bytes past the current length stay inaccessible and growing is an `mprotect`, so the
//! base never moves and compiled code needs no bounds checks for accesses the guard covers.
//! With explicit checks, only the current size is mapped (plus headroom up to the maximum), and
//! growing may move the memory: code re-reads the base from the vmctx at every access.

use crate::mmap::{page_size, Mmap, MmapError};

/// Bytes in a Wasm page.
pub const WASM_PAGE: usize = 65536;
/// Largest number of pages of a 32-bit memory.
pub const MAX_PAGES: u32 = 65536;

/// How a memory is laid out in the address space.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemoryStyle {
    /// Reserve `reservation + guard` bytes; never move.
    Guarded {
        /// Bytes reserved for the memory itself (4 GiB for a 32-bit memory).
        reservation: usize,
        /// Inaccessible bytes after the reservation.
        guard: usize,
    },
    /// Map only what is used; may move when growing.
    Explicit,
}

/// One linear memory.
#[derive(Debug)]
pub struct LinearMemory {
    mmap: Mmap,
    style: MemoryStyle,
    pages: u32,
    maximum: u32,
}

impl LinearMemory {
    /// A memory of `minimum` pages that may grow to `maximum` (capped at 4 GiB).
    pub fn new(minimum: u32, maximum: Option<u32>, style: MemoryStyle) -> Result<Self, MmapError> {
        let maximum = maximum.unwrap_or(MAX_PAGES).min(MAX_PAGES);
        let bytes = minimum as usize * WASM_PAGE;
        let mmap = match style {
            MemoryStyle::Guarded { reservation, guard } => {
                Mmap::reserve(reservation.max(bytes) + guard)?
            }
            // At least one inaccessible page, so even an empty memory has a real base.
            MemoryStyle::Explicit => Mmap::reserve(bytes.max(page_size()))?,
        };
        mmap.make_accessible(0, bytes)?;
        Ok(Self {
            mmap,
            style,
            pages: minimum,
            maximum,
        })
    }

    /// Current size in pages.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Current size in bytes.
    pub fn byte_len(&self) -> usize {
        self.pages as usize * WASM_PAGE
    }

    /// Largest size in pages this memory may grow to.
    pub fn maximum_pages(&self) -> u32 {
        self.maximum
    }

    /// The base address (changes on growth in the explicit style).
    pub fn base(&self) -> *mut u8 {
        self.mmap.as_ptr()
    }

    /// The accessible bytes.
    pub fn data(&self) -> &[u8] {
        // SAFETY: the first byte_len bytes are mapped read-write and owned by self.
        unsafe { std::slice::from_raw_parts(self.base(), self.byte_len()) }
    }

    /// The accessible bytes, for writing.
    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.base(), self.byte_len()) }
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` if the maximum would be
    /// exceeded or the system refuses the memory (Wasm's `memory.grow` then returns -1).
    pub fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages;
        let new = old.checked_add(delta).filter(|&n| n <= self.maximum)?;
        if delta == 0 {
            return Some(old);
        }
        let old_bytes = self.byte_len();
        let new_bytes = new as usize * WASM_PAGE;
        match self.style {
            MemoryStyle::Guarded { reservation, .. } => {
                if new_bytes > reservation.max(old_bytes) {
                    return None;
                }
                self.mmap
                    .make_accessible(old_bytes, new_bytes - old_bytes)
                    .ok()?;
            }
            MemoryStyle::Explicit => {
                if new_bytes > self.mmap.len() {
                    let mmap = Mmap::reserve(new_bytes).ok()?;
                    mmap.make_accessible(0, new_bytes).ok()?;
                    // SAFETY: both ranges are mapped read-write and do not overlap.
                    unsafe {
                        std::ptr::copy_nonoverlapping(self.base(), mmap.as_ptr(), old_bytes);
                    }
                    self.mmap = mmap;
                } else {
                    self.mmap
                        .make_accessible(old_bytes, new_bytes - old_bytes)
                        .ok()?;
                }
            }
        }
        self.pages = new;
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded() -> MemoryStyle {
        MemoryStyle::Guarded {
            reservation: 1 << 32,
            guard: 1 << 31,
        }
    }

    #[test]
    fn guarded_memory_grows_in_place_up_to_its_maximum() {
        let mut m = LinearMemory::new(1, Some(3), guarded()).unwrap();
        let base = m.base();
        m.data_mut()[WASM_PAGE - 1] = 9;
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.base(), base);
        assert_eq!(m.byte_len(), 2 * WASM_PAGE);
        assert_eq!(m.data()[WASM_PAGE - 1], 9);
        assert_eq!(m.data()[2 * WASM_PAGE - 1], 0);
        assert_eq!(m.grow(2), None);
        assert_eq!(m.grow(0), Some(2));
        assert_eq!(m.grow(1), Some(2));
        assert_eq!(m.pages(), 3);
        // The byte after the end is still inaccessible.
        let end = base as usize + 3 * WASM_PAGE;
        assert_eq!(crate::mmap::tests::protection_at(end), "---p");
    }

    #[test]
    fn explicit_memory_maps_only_what_is_used_and_keeps_contents() {
        let mut m = LinearMemory::new(0, None, MemoryStyle::Explicit).unwrap();
        assert_eq!(m.byte_len(), 0);
        assert_eq!(m.grow(2), Some(0));
        m.data_mut()[2 * WASM_PAGE - 1] = 5;
        assert_eq!(m.grow(1), Some(2));
        assert_eq!(m.data()[2 * WASM_PAGE - 1], 5);
        assert_eq!(m.byte_len(), 3 * WASM_PAGE);
        assert_eq!(m.grow(MAX_PAGES), None);
        assert_eq!(m.pages(), 3);
    }

    #[test]
    fn maximum_is_capped_at_4_gib() {
        let m = LinearMemory::new(0, None, guarded()).unwrap();
        assert_eq!(m.maximum_pages(), MAX_PAGES);
    }
}
