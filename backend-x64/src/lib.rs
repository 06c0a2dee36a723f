//! Kiln's x86-64 backend.
//!
//! - [`machinst`]: target-independent machinery — registers ([`machinst::Reg`], built on
//!   `regalloc2`'s `VReg`/`PReg`) and the [`machinst::CodeBuffer`] (labels, branch
//!   simplification, constant pool, traps, relocations).
//! - [`isa::x64`]: the x86-64 registers, width-typed operands, the [`isa::x64::MInst`]
//!   instruction enum and its encoder, and CPU feature flags.

pub mod isa;
pub mod machinst;
