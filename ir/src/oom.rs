//! The allocation-failure error shared by every Kiln crate.

use core::fmt;

/// An allocation of `requested` bytes failed.
///
/// Creating one never allocates, so it can be returned from the very path that ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    requested: usize,
}

impl OutOfMemory {
    /// A failure to allocate `requested` bytes.
    pub const fn new(requested: usize) -> Self {
        Self { requested }
    }

    /// The number of bytes whose allocation failed.
    pub const fn requested(&self) -> usize {
        self.requested
    }
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "out of memory: failed to allocate {} bytes",
            self.requested
        )
    }
}

impl std::error::Error for OutOfMemory {}
