//! Registers shared by all backends: one [`Reg`] type for physical and virtual registers.
//!
//! A [`Reg`] is a `regalloc2::VReg`. The first [`PINNED_VREGS`] indices are reserved for
//! physical registers (index = `PReg::index()`), so a physical register can stand where a
//! virtual one is expected — as a fixed operand before allocation, or everywhere after it —
//! and the allocator can be plugged in without converting between representations.

use core::fmt;
use regalloc2::{PReg, RegClass, VReg};

/// Number of `VReg` indices reserved for physical registers: those of the `Int` and `Float`
/// classes (`PReg::index` is `class << 6 | hw_enc`). The `Vector` class is not used. Every
/// function's register allocation walks these indices too, so fewer is faster.
pub const PINNED_VREGS: usize = 2 << PReg::MAX_BITS;

/// A physical or virtual register of some [`RegClass`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(VReg);

impl Reg {
    /// The register standing for physical register `p` (of class `Int` or `Float`).
    pub const fn from_preg(p: PReg) -> Reg {
        assert!(
            p.index() < PINNED_VREGS,
            "vector-class registers are not pinned"
        );
        Reg(VReg::new(p.index(), p.class()))
    }

    /// The `n`th virtual register of class `class` (numbered from 0, after the pinned range).
    pub const fn virt(n: usize, class: RegClass) -> Reg {
        Reg(VReg::new(PINNED_VREGS + n, class))
    }

    /// Wraps a `regalloc2` virtual register as is (indices below [`PINNED_VREGS`] are
    /// physical).
    pub const fn from_vreg(v: VReg) -> Reg {
        Reg(v)
    }

    /// The underlying `regalloc2` register.
    pub const fn to_vreg(self) -> VReg {
        self.0
    }

    /// The register class.
    pub const fn class(self) -> RegClass {
        self.0.class()
    }

    /// Whether this is a physical register.
    pub const fn is_physical(self) -> bool {
        self.0.vreg() < PINNED_VREGS
    }

    /// The physical register, if this is one.
    pub const fn to_preg(self) -> Option<PReg> {
        if self.is_physical() {
            Some(PReg::new(
                self.0.vreg() % (1 << PReg::MAX_BITS),
                self.0.class(),
            ))
        } else {
            None
        }
    }

    /// The number of a virtual register (counted from 0), if this is one.
    pub const fn virt_index(self) -> Option<usize> {
        if self.is_physical() {
            None
        } else {
            Some(self.0.vreg() - PINNED_VREGS)
        }
    }
}

impl From<PReg> for Reg {
    fn from(p: PReg) -> Reg {
        Reg::from_preg(p)
    }
}

/// Prints `%p3i` for physical and `%v7f` for virtual registers (class letter last); a backend
/// prints physical registers by name itself.
impl fmt::Debug for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = match self.class() {
            RegClass::Int => 'i',
            RegClass::Float => 'f',
            RegClass::Vector => 'v',
        };
        match (self.to_preg(), self.virt_index()) {
            (Some(p), _) => write!(f, "%p{}{c}", p.hw_enc()),
            (None, Some(n)) => write!(f, "%v{n}{c}"),
            (None, None) => unreachable!(),
        }
    }
}

/// A register (or register-like operand) that an instruction writes. Wrapping a destination
/// keeps "read" and "written" apart in the instruction types.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Writable<T>(T);

impl<T: Copy> Writable<T> {
    /// Marks `r` as written.
    pub const fn from_reg(r: T) -> Writable<T> {
        Writable(r)
    }

    /// The register being written.
    pub const fn to_reg(self) -> T {
        self.0
    }

    /// The register being written, for rewriting it after allocation.
    pub fn reg_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Converts the wrapped register.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Writable<U> {
        Writable(f(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn physical_and_virtual_round_trip() {
        let p = PReg::new(13, RegClass::Int);
        let r = Reg::from_preg(p);
        assert!(r.is_physical());
        assert_eq!(r.to_preg(), Some(p));
        assert_eq!(r.virt_index(), None);
        let x = Reg::from_preg(PReg::new(15, RegClass::Float));
        assert_eq!(x.to_preg().unwrap().hw_enc(), 15);
        assert_eq!(x.class(), RegClass::Float);
        assert_ne!(r, Reg::from_preg(PReg::new(13, RegClass::Float)));

        let v = Reg::virt(0, RegClass::Int);
        assert!(!v.is_physical());
        assert_eq!(v.to_preg(), None);
        assert_eq!(v.virt_index(), Some(0));
        assert_eq!(v.to_vreg().vreg(), PINNED_VREGS);
        assert_eq!(format!("{v:?}"), "%v0i");
        assert_eq!(format!("{r:?}"), "%p13i");
    }

    #[test]
    fn writable_wraps() {
        let w = Writable::from_reg(Reg::virt(3, RegClass::Float));
        assert_eq!(w.to_reg().virt_index(), Some(3));
        assert_eq!(w.map(|r| r.class()).to_reg(), RegClass::Float);
    }
}
