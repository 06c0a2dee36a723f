//! Typed indices and the dense maps keyed by them.
//!
//! Every IR object (value, instruction, block, ...) is named by a 32-bit index wrapped in its
//! own type, so a `Value` can never be used where a `Block` is meant. The maps here store data
//! for such indices densely: [`PrimaryMap`] allocates new indices, [`SecondaryMap`] attaches
//! extra data to indices allocated elsewhere, and [`EntitySet`] is a bit set of them.
//!
//! Every method that may grow a map has a `try_` twin that reports allocation failure as an
//! [`OutOfMemory`](crate::OutOfMemory) error instead of aborting the process.

mod primary;
mod secondary;
mod set;

pub use primary::PrimaryMap;
pub use secondary::SecondaryMap;
pub use set::EntitySet;

/// A type usable as a dense index: a thin wrapper around a `u32`.
pub trait EntityRef: Copy + Eq {
    /// Makes an entity from an index. Panics if `index` does not fit in 32 bits.
    fn new(index: usize) -> Self;
    /// The index of this entity.
    fn index(self) -> usize;
}

/// Declares an entity type: `entity_impl!(Value, "v")` gives `Value` an [`EntityRef`]
/// implementation and prints it as `v0`, `v1`, ...
#[macro_export]
macro_rules! entity_impl {
    ($entity:ident, $prefix:expr) => {
        impl $crate::entity::EntityRef for $entity {
            #[inline]
            fn new(index: usize) -> Self {
                assert!(index < u32::MAX as usize, "entity index overflow");
                $entity(index as u32)
            }
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        #[allow(dead_code)]
        impl $entity {
            /// Makes this entity from a raw `u32` index.
            #[inline]
            pub const fn from_u32(index: u32) -> Self {
                $entity(index)
            }
            /// The raw `u32` index of this entity.
            #[inline]
            pub const fn as_u32(self) -> u32 {
                self.0
            }
        }

        impl core::fmt::Display for $entity {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl core::fmt::Debug for $entity {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(self, f)
            }
        }
    };
}
