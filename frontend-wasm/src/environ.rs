//! What the translator needs to know about the runtime: where things are relative to the
//! vmctx, and how linear memory is protected.

use crate::vmoffsets::{Builtin, VMOffsets, VmLocation};

/// How out-of-bounds linear-memory accesses are caught.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoundsChecks {
    /// The runtime reserves `reservation` bytes of address space for each 32-bit memory plus
    /// `guard_size` bytes of inaccessible guard after it, and maps everything past the current
    /// length inaccessible: with a reservation of at least 4 GiB, an access whose
    /// `offset + size` fits in the guard (plus any reservation beyond 4 GiB) needs no check,
    /// the fault becomes a trap. A smaller reservation gets explicit checks.
    GuardPages {
        /// Bytes reserved for the memory (4 GiB for 32-bit memories).
        reservation: u64,
        /// Bytes of guard region after the reservation.
        guard_size: u64,
    },
    /// Every access compares `index + offset + size` with the current length.
    Explicit,
}

/// Configuration of heap accesses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HeapConfig {
    /// The bounds-check strategy.
    pub bounds_checks: BoundsChecks,
    /// Route checked addresses through `select_spectre_guard`, so a mispredicted bounds check
    /// cannot speculatively load out of bounds.
    pub spectre_mitigation: bool,
}

impl Default for HeapConfig {
    /// Guard pages (4 GiB reservation, 2 GiB guard) with Spectre mitigation.
    fn default() -> Self {
        Self {
            bounds_checks: BoundsChecks::GuardPages {
                reservation: 1 << 32,
                guard_size: 1 << 31,
            },
            spectre_mitigation: true,
        }
    }
}

/// Where the translator finds runtime data, as offsets from the vmctx. A runtime implements
/// this (Kiln's own uses [`StandardEnvironment`]).
pub trait FuncEnvironment {
    /// The heap configuration.
    fn heap_config(&self) -> HeapConfig;
    /// The `VMMemoryDefinition { base, current_length }` of memory `index`.
    fn memory(&self, index: u32) -> VmLocation;
    /// The `VMTableDefinition { base, current_elements }` of table `index`.
    fn table(&self, index: u32) -> VmLocation;
    /// The storage of global `index`.
    fn global(&self, index: u32) -> VmLocation;
    /// The offset of the `VMFunctionImport { code, vmctx }` of imported function `index`.
    fn imported_function(&self, index: u32) -> u32;
    /// The offset of the pointer to builtin `b`.
    fn builtin(&self, b: Builtin) -> u32;
    /// The offset of the `u32` engine-wide type id of type `index`.
    fn type_id(&self, index: u32) -> u32;
    /// The offset of the `VMFuncRef` of function `index`.
    fn func_ref(&self, index: u32) -> u32;
}

/// The environment of Kiln's runtime: [`VMOffsets`] plus a heap configuration.
#[derive(Clone, Debug)]
pub struct StandardEnvironment {
    /// The vmctx layout.
    pub offsets: VMOffsets,
    /// The heap configuration.
    pub heap: HeapConfig,
}

impl FuncEnvironment for StandardEnvironment {
    fn heap_config(&self) -> HeapConfig {
        self.heap
    }
    fn memory(&self, index: u32) -> VmLocation {
        self.offsets.memory(index)
    }
    fn table(&self, index: u32) -> VmLocation {
        self.offsets.table(index)
    }
    fn global(&self, index: u32) -> VmLocation {
        self.offsets.global(index)
    }
    fn imported_function(&self, index: u32) -> u32 {
        self.offsets.imported_function(index)
    }
    fn builtin(&self, b: Builtin) -> u32 {
        self.offsets.builtin(b)
    }
    fn type_id(&self, index: u32) -> u32 {
        self.offsets.type_id(index)
    }
    fn func_ref(&self, index: u32) -> u32 {
        self.offsets.func_ref(index)
    }
}
