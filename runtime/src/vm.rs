//! The `#[repr(C)]` structures generated code reads through the vmctx. Their field offsets are
//! the constants of `kiln_frontend_wasm::vmoffsets` (checked by the tests below).

/// A linear memory as generated code sees it: where it starts and how many bytes are accessible.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMMemoryDefinition {
    /// The first byte of the memory.
    pub base: *mut u8,
    /// The accessible length in bytes.
    pub current_length: u64,
}

/// A table as generated code sees it: an array of 8-byte elements (`VMFuncRef` pointers or
/// externref handles, 0 for null).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMTableDefinition {
    /// The first element.
    pub base: *mut u64,
    /// The number of elements.
    pub current_elements: u64,
}

/// What a `funcref` points to: code, the engine-wide type id and the vmctx to pass.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFuncRef {
    /// The function's machine code (Wasm signature, vmctx first).
    pub code: *const u8,
    /// The engine-wide id of the function's type, zero-extended.
    pub type_id: u64,
    /// The vmctx the function expects.
    pub vmctx: *mut u8,
}

/// An imported function in the importer's vmctx.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFunctionImport {
    /// The callee's code.
    pub code: *const u8,
    /// The callee's vmctx.
    pub vmctx: *mut u8,
}

/// The entry of a host function's shim (generated code with a Wasm signature): the "vmctx"
/// the shim receives points to this. The shim stores its arguments into a `[u128]` buffer and
/// calls `dispatch(this, buffer)`; a non-zero status makes it trap.
#[repr(C)]
pub struct VMHostFuncContext {
    /// `extern "C" fn(ctx, values) -> i32`, read by the shim at offset 0.
    pub dispatch: unsafe extern "C" fn(*mut VMHostFuncContext, *mut u128) -> i32,
    /// The store-side closure; see `func.rs`.
    pub(crate) host: *const crate::func::HostFuncState,
}

pub use crate::trampolines::HOST_CTX_DISPATCH;

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_frontend_wasm as fw;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts_agree_with_the_frontend() {
        assert_eq!(offset_of!(VMMemoryDefinition, base), fw::DEFINITION_BASE as usize);
        assert_eq!(
            offset_of!(VMMemoryDefinition, current_length),
            fw::DEFINITION_LENGTH as usize
        );
        assert_eq!(size_of::<VMMemoryDefinition>(), fw::DEFINITION_SIZE as usize);
        assert_eq!(offset_of!(VMTableDefinition, base), fw::DEFINITION_BASE as usize);
        assert_eq!(
            offset_of!(VMTableDefinition, current_elements),
            fw::DEFINITION_LENGTH as usize
        );
        assert_eq!(offset_of!(VMFuncRef, code), fw::FUNC_REF_CODE as usize);
        assert_eq!(offset_of!(VMFuncRef, type_id), fw::FUNC_REF_TYPE_ID as usize);
        assert_eq!(offset_of!(VMFuncRef, vmctx), fw::FUNC_REF_VMCTX as usize);
        assert_eq!(size_of::<VMFuncRef>(), fw::FUNC_REF_SIZE as usize);
        assert_eq!(offset_of!(VMFunctionImport, code), fw::IMPORT_CODE as usize);
        assert_eq!(offset_of!(VMFunctionImport, vmctx), fw::IMPORT_VMCTX as usize);
        assert_eq!(
            offset_of!(VMHostFuncContext, dispatch),
            HOST_CTX_DISPATCH as usize
        );
    }
}
