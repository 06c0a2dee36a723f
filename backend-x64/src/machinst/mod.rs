//! Target-independent machine-code machinery: registers and the code buffer.
//!
//! Nothing here knows about x86; a second backend reuses it unchanged.

pub mod buffer;
pub mod reg;

pub use buffer::{
    BranchForm, BufferError, CodeBuffer, FixupKind, Label, MachBufferFinalized, Reloc, RelocKind,
    RelocTarget, TrapRecord,
};
pub use reg::{Reg, Writable};
pub use regalloc2::{PReg, RegClass, VReg};
pub mod compile;
pub mod lower;
pub mod regalloc;
pub mod vcode;
