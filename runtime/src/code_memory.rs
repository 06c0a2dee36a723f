//! Executable memory: compiled code is written into a fresh read-write mapping, patched, and
//! then published read+execute. It is never writable and executable at the same time.

use crate::mmap::{page_size, Mmap, MmapError};

/// Code under construction: writable, not executable.
#[derive(Debug)]
pub struct CodeBuilder {
    mmap: Mmap,
    len: usize,
}

/// Published code: executable, not writable. Unmapped when dropped, so whoever calls into it
/// must keep it alive (the runtime ties it to the module).
#[derive(Debug)]
pub struct CodeMemory {
    mmap: Mmap,
    len: usize,
}

impl CodeBuilder {
    /// A writable copy of `code`.
    pub fn new(code: &[u8]) -> Result<Self, MmapError> {
        let mmap = Mmap::reserve(code.len().max(1))?;
        let size = mmap.len();
        mmap.make_accessible(0, size)?;
        // SAFETY: the mapping is at least code.len() bytes and read-write.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), mmap.as_ptr(), code.len()) };
        Ok(Self {
            mmap,
            len: code.len(),
        })
    }

    /// Where the code will live: relocations are computed against this address.
    pub fn base(&self) -> *const u8 {
        self.mmap.as_ptr()
    }

    /// The code bytes, for applying relocations.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: the first `len` bytes are mapped read-write and owned by self.
        unsafe { std::slice::from_raw_parts_mut(self.mmap.as_ptr(), self.len) }
    }

    /// Makes the code read+execute, and no longer writable.
    pub fn publish(self) -> Result<CodeMemory, MmapError> {
        let size = self.mmap.len().next_multiple_of(page_size());
        self.mmap.make_executable(0, size)?;
        Ok(CodeMemory {
            mmap: self.mmap,
            len: self.len,
        })
    }
}

impl CodeMemory {
    /// Start of the code.
    pub fn base(&self) -> *const u8 {
        self.mmap.as_ptr()
    }

    /// Length of the code in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no code.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `pc` points into this code.
    pub fn contains(&self, pc: usize) -> bool {
        let base = self.base() as usize;
        (base..base + self.len).contains(&pc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmap::tests::protection_at;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn published_code_runs_and_is_not_writable() {
        // mov eax, 40 ; add eax, edi ; ret
        let code = [0xb8, 0x28, 0, 0, 0, 0x01, 0xf8, 0xc3];
        let mut builder = CodeBuilder::new(&code).unwrap();
        assert_eq!(protection_at(builder.base() as usize), "rw-p");
        // Patch the immediate as a relocation would: 40 -> 41.
        builder.as_mut_slice()[1] = 0x29;
        let code = builder.publish().unwrap();
        assert_eq!(protection_at(code.base() as usize), "r-xp");
        assert!(code.contains(code.base() as usize + 7));
        assert!(!code.contains(code.base() as usize + 8));
        // SAFETY: the bytes are a complete System V function `fn(i32) -> i32`.
        let f: extern "C" fn(i32) -> i32 = unsafe { std::mem::transmute(code.base()) };
        assert_eq!(f(1), 42);
    }
}
