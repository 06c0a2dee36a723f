//! The runtime functions generated code calls through the vmctx (see `Builtin` in the
//! frontend for the signatures). Each takes the caller's vmctx first and finds its instance
//! through the pointer stored just before the vmctx. Those that can fail return a non-zero
//! status and never unwind: the generated code traps.

use crate::instance::{InstanceEntity, VMCTX_HEADER};
use crate::store::{MemoryEntity, TableEntity};
use kiln_frontend_wasm::Builtin;

/// Status returned on success.
const OK: i32 = 0;
/// Status returned for an out-of-bounds access.
const OUT_OF_BOUNDS: i32 = 1;

/// The address of builtin `b`, as stored in the vmctx.
pub(crate) fn address(b: Builtin) -> usize {
    match b {
        Builtin::MemoryGrow => memory_grow as *const () as usize,
        Builtin::MemoryCopy => memory_copy as *const () as usize,
        Builtin::MemoryFill => memory_fill as *const () as usize,
        Builtin::MemoryInit => memory_init as *const () as usize,
        Builtin::DataDrop => data_drop as *const () as usize,
        Builtin::TableGrow => table_grow as *const () as usize,
        Builtin::TableFill => table_fill as *const () as usize,
        Builtin::TableCopy => table_copy as *const () as usize,
        Builtin::TableInit => table_init as *const () as usize,
        Builtin::ElemDrop => elem_drop as *const () as usize,
    }
}

/// The instance owning `vmctx`.
///
/// # Safety
/// `vmctx` must be the vmctx of a live instance.
unsafe fn instance<'a>(vmctx: *mut u8) -> &'a mut InstanceEntity {
    // SAFETY: per the contract, the header before the vmctx holds the instance's address.
    unsafe { &mut **vmctx.sub(VMCTX_HEADER).cast::<*mut InstanceEntity>() }
}

fn memory<'a>(inst: &InstanceEntity, index: u32) -> &'a mut MemoryEntity {
    // SAFETY: memory entities are owned by the store, which outlives running code.
    let p = inst.memory_ptrs[index as usize];
    unsafe { &mut *p }
}

fn table<'a>(inst: &InstanceEntity, index: u32) -> &'a mut TableEntity {
    // SAFETY: table entities are owned by the store, which outlives running code.
    let p = inst.table_ptrs[index as usize];
    unsafe { &mut *p }
}

/// Whether `[start, start + len)` fits in `size`.
fn fits(start: u32, len: u32, size: usize) -> bool {
    u64::from(start) + u64::from(len) <= size as u64
}

/// `memory.grow`: the old size in pages, or -1.
pub(crate) unsafe extern "C" fn memory_grow(vmctx: *mut u8, mem: u32, delta: u32) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    memory(inst, mem).grow(delta).map_or(-1, |old| old as i32)
}

/// `memory.copy`.
pub(crate) unsafe extern "C" fn memory_copy(
    vmctx: *mut u8,
    dst_mem: u32,
    src_mem: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let (d, s) = (memory(inst, dst_mem), memory(inst, src_mem));
    if !fits(dst, len, d.mem.byte_len()) || !fits(src, len, s.mem.byte_len()) {
        return OUT_OF_BOUNDS;
    }
    // SAFETY: both ranges are in bounds of accessible memory; `copy` allows overlap.
    unsafe {
        std::ptr::copy(
            s.mem.base().add(src as usize),
            d.mem.base().add(dst as usize),
            len as *const () as usize,
        )
    };
    OK
}

/// `memory.fill`.
pub(crate) unsafe extern "C" fn memory_fill(
    vmctx: *mut u8,
    mem: u32,
    dst: u32,
    value: u32,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let m = memory(inst, mem);
    if !fits(dst, len, m.mem.byte_len()) {
        return OUT_OF_BOUNDS;
    }
    m.mem.data_mut()[dst as usize..(dst + len) as usize].fill(value as u8);
    OK
}

/// `memory.init`.
pub(crate) unsafe extern "C" fn memory_init(
    vmctx: *mut u8,
    mem: u32,
    data: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let bytes: &[u8] = if inst.dropped_data[data as usize] {
        &[]
    } else {
        &inst.module.info().data[data as usize].data
    };
    let m = memory(inst, mem);
    if !fits(src, len, bytes.len()) || !fits(dst, len, m.mem.byte_len()) {
        return OUT_OF_BOUNDS;
    }
    m.mem.data_mut()[dst as usize..(dst + len) as usize]
        .copy_from_slice(&bytes[src as usize..(src + len) as usize]);
    OK
}

/// `data.drop`.
pub(crate) unsafe extern "C" fn data_drop(vmctx: *mut u8, data: u32) {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    inst.dropped_data[data as usize] = true;
}

/// `table.grow`: the old size, or -1.
pub(crate) unsafe extern "C" fn table_grow(vmctx: *mut u8, tab: u32, init: u64, delta: u32) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    table(inst, tab).grow(delta, init).map_or(-1, |old| old as i32)
}

/// `table.fill`.
pub(crate) unsafe extern "C" fn table_fill(
    vmctx: *mut u8,
    tab: u32,
    dst: u32,
    value: u64,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let t = table(inst, tab);
    if !fits(dst, len, t.elements.len()) {
        return OUT_OF_BOUNDS;
    }
    t.elements[dst as usize..(dst + len) as usize].fill(value);
    OK
}

/// `table.copy`.
pub(crate) unsafe extern "C" fn table_copy(
    vmctx: *mut u8,
    dst_table: u32,
    src_table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let (dp, sp) = (
        inst.table_ptrs[dst_table as usize],
        inst.table_ptrs[src_table as usize],
    );
    // SAFETY: the entities are owned by the store; the same table is borrowed once.
    let (dlen, slen) = unsafe { ((*dp).elements.len(), (*sp).elements.len()) };
    if !fits(dst, len, dlen) || !fits(src, len, slen) {
        return OUT_OF_BOUNDS;
    }
    let (dst, src, len) = (dst as usize, src as usize, len as usize);
    if dp == sp {
        // SAFETY: as above.
        unsafe { (*dp).elements.copy_within(src..src + len, dst) };
    } else {
        // SAFETY: two distinct entities.
        let (d, s) = unsafe { (&mut *dp, &*sp) };
        d.elements[dst..dst + len].copy_from_slice(&s.elements[src..src + len]);
    }
    OK
}

/// `table.init`.
pub(crate) unsafe extern "C" fn table_init(
    vmctx: *mut u8,
    tab: u32,
    elem: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    let t = table(inst, tab);
    let items = &inst.elems[elem as usize];
    if !fits(src, len, items.len()) || !fits(dst, len, t.elements.len()) {
        return OUT_OF_BOUNDS;
    }
    t.elements[dst as usize..(dst + len) as usize]
        .copy_from_slice(&items[src as usize..(src + len) as usize]);
    OK
}

/// `elem.drop`.
pub(crate) unsafe extern "C" fn elem_drop(vmctx: *mut u8, elem: u32) {
    // SAFETY: called by generated code with its own vmctx.
    let inst = unsafe { instance(vmctx) };
    inst.elems[elem as usize] = Vec::new();
}

#[cfg(test)]
mod tests;
