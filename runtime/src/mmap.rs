//! Anonymous memory mappings: reserve address space, then make parts of it accessible.

use rustix::mm::{self, MapFlags, MprotectFlags, ProtFlags};
use std::ptr::NonNull;

/// Why a mapping operation failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum MmapError {
    /// The system refused to map or protect memory (usually: out of address space or memory).
    #[error("cannot {what} {len} bytes: {errno}")]
    System {
        /// The operation.
        what: &'static str,
        /// The size asked for.
        len: usize,
        /// The system's error.
        errno: rustix::io::Errno,
    },
    /// A size or offset was not page-aligned or out of the mapping.
    #[error("bad range {offset:#x}+{len:#x} of a {size:#x}-byte mapping")]
    BadRange {
        /// Start of the range.
        offset: usize,
        /// Length of the range.
        len: usize,
        /// Size of the mapping.
        size: usize,
    },
}

/// An anonymous private mapping, unmapped on drop. It starts inaccessible.
#[derive(Debug)]
pub struct Mmap {
    ptr: NonNull<u8>,
    len: usize,
}

// The mapping is plain memory owned by this value; access is synchronised by its owner.
unsafe impl Send for Mmap {}
unsafe impl Sync for Mmap {}

/// The system page size.
pub fn page_size() -> usize {
    rustix::param::page_size()
}

impl Mmap {
    /// Reserves `len` bytes (rounded up to pages) of inaccessible address space.
    pub fn reserve(len: usize) -> Result<Self, MmapError> {
        let len = len.max(1).next_multiple_of(page_size());
        // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing aliases
        // nothing.
        let ptr = unsafe {
            mm::mmap_anonymous(
                std::ptr::null_mut(),
                len,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
        }
        .map_err(|errno| MmapError::System {
            what: "reserve",
            len,
            errno,
        })?;
        Ok(Self {
            ptr: NonNull::new(ptr.cast()).expect("mmap never returns null on success"),
            len,
        })
    }

    /// Start of the mapping.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Size of the mapping in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: at least one page is mapped).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, offset: usize, len: usize) -> Result<(), MmapError> {
        let page = page_size();
        let ok = offset % page == 0
            && len % page == 0
            && offset.checked_add(len).is_some_and(|end| end <= self.len);
        if ok {
            Ok(())
        } else {
            Err(MmapError::BadRange {
                offset,
                len,
                size: self.len,
            })
        }
    }

    fn protect(&self, offset: usize, len: usize, flags: MprotectFlags) -> Result<(), MmapError> {
        self.check(offset, len)?;
        if len == 0 {
            return Ok(());
        }
        // SAFETY: the range is inside our own mapping (checked above).
        unsafe { mm::mprotect(self.ptr.as_ptr().add(offset).cast(), len, flags) }.map_err(|errno| {
            MmapError::System {
                what: "protect",
                len,
                errno,
            }
        })
    }

    /// Makes the page-aligned range readable and writable.
    pub fn make_accessible(&self, offset: usize, len: usize) -> Result<(), MmapError> {
        self.protect(offset, len, MprotectFlags::READ | MprotectFlags::WRITE)
    }

    /// Makes the page-aligned range inaccessible again.
    pub fn make_inaccessible(&self, offset: usize, len: usize) -> Result<(), MmapError> {
        self.protect(offset, len, MprotectFlags::empty())
    }

    /// Makes the page-aligned range read-only.
    pub fn make_read_only(&self, offset: usize, len: usize) -> Result<(), MmapError> {
        self.protect(offset, len, MprotectFlags::READ)
    }

    /// Makes the page-aligned range readable and executable (and no longer writable).
    pub fn make_executable(&self, offset: usize, len: usize) -> Result<(), MmapError> {
        self.protect(offset, len, MprotectFlags::READ | MprotectFlags::EXEC)
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping, which nothing references once we are dropped.
        unsafe {
            let _ = mm::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The protection string of the mapping containing `addr` in /proc/self/maps.
    pub(crate) fn protection_at(addr: usize) -> String {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        for line in maps.lines() {
            let (range, rest) = line.split_once(' ').unwrap();
            let (lo, hi) = range.split_once('-').unwrap();
            let (lo, hi) = (
                usize::from_str_radix(lo, 16).unwrap(),
                usize::from_str_radix(hi, 16).unwrap(),
            );
            if (lo..hi).contains(&addr) {
                return rest[..4].to_string();
            }
        }
        panic!("{addr:#x} not mapped")
    }

    #[test]
    fn reserve_protect_and_unmap() {
        let page = page_size();
        let m = Mmap::reserve(4 * page).unwrap();
        let base = m.as_ptr() as usize;
        assert_eq!(protection_at(base), "---p");
        m.make_accessible(page, 2 * page).unwrap();
        assert_eq!(protection_at(base + page), "rw-p");
        assert_eq!(protection_at(base + 3 * page), "---p");
        // SAFETY: the page was just made accessible.
        unsafe {
            *m.as_ptr().add(page) = 7;
            assert_eq!(*m.as_ptr().add(page), 7);
        }
        m.make_inaccessible(2 * page, page).unwrap();
        assert_eq!(protection_at(base + 2 * page), "---p");
        assert!(matches!(
            m.make_accessible(1, page),
            Err(MmapError::BadRange { .. })
        ));
        assert!(matches!(
            m.make_accessible(4 * page, page),
            Err(MmapError::BadRange { .. })
        ));
        drop(m);
    }

    #[test]
    fn reserving_too_much_is_an_error() {
        assert!(matches!(
            Mmap::reserve(usize::MAX / 2),
            Err(MmapError::System { .. })
        ));
    }
}
