//! Memories, tables and globals of a store, and `Extern`, anything importable or exportable.

use crate::collections::{try_box, OutOfMemory, TryVec};
use crate::error::Error;
use crate::func::Func;
use crate::memory::LinearMemory;
use crate::store::{
    wrong_store, AsContext, AsContextMut, GlobalEntity, MemoryEntity, StoreOpaque, TableEntity,
};
use crate::values::{ExternType, Val, ValType};
use crate::vm::{VMMemoryDefinition, VMTableDefinition};
use kiln_frontend_wasm::{GlobalType, MemoryType, TableType, WasmRefType};

/// A linear memory in a store (a handle).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: usize,
}

/// A table in a store (a handle).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: usize,
}

/// A global in a store (a handle).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: usize,
}

/// Something an instance imports or exports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A global.
    Global(Global),
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The type.
    pub fn ty(&self, store: impl AsContext) -> Result<ExternType, Error> {
        let s = store.store_opaque();
        Ok(match *self {
            Extern::Func(f) => ExternType::Func(f.ty(s)?),
            Extern::Table(t) => ExternType::Table(t.ty(s)?),
            Extern::Memory(m) => ExternType::Memory(m.ty(s)?),
            Extern::Global(g) => ExternType::Global(g.ty(s)?),
        })
    }
}

impl StoreOpaque {
    pub(crate) fn memory(&self, m: Memory) -> Result<&MemoryEntity, Error> {
        (m.store == self.id)
            .then(|| self.memories.get(m.index))
            .flatten()
            .map(|b| &**b)
            .ok_or_else(|| wrong_store("a memory"))
    }
    pub(crate) fn memory_mut(&mut self, m: Memory) -> Result<&mut MemoryEntity, Error> {
        let id = self.id;
        (m.store == id)
            .then(|| self.memories.get_mut(m.index))
            .flatten()
            .map(|b| &mut **b)
            .ok_or_else(|| wrong_store("a memory"))
    }
    pub(crate) fn table(&self, t: Table) -> Result<&TableEntity, Error> {
        (t.store == self.id)
            .then(|| self.tables.get(t.index))
            .flatten()
            .map(|b| &**b)
            .ok_or_else(|| wrong_store("a table"))
    }
    pub(crate) fn table_mut(&mut self, t: Table) -> Result<&mut TableEntity, Error> {
        let id = self.id;
        (t.store == id)
            .then(|| self.tables.get_mut(t.index))
            .flatten()
            .map(|b| &mut **b)
            .ok_or_else(|| wrong_store("a table"))
    }
    pub(crate) fn global(&self, g: Global) -> Result<&GlobalEntity, Error> {
        (g.store == self.id)
            .then(|| self.globals.get(g.index))
            .flatten()
            .map(|b| &**b)
            .ok_or_else(|| wrong_store("a global"))
    }

    /// Adds a memory whose definition lives at `def` (or in its own box if `None`).
    pub(crate) fn push_memory(
        &mut self,
        ty: MemoryType,
        def: Option<*mut VMMemoryDefinition>,
    ) -> Result<Memory, Error> {
        let style = self.engine.config().memory_style();
        let mem = LinearMemory::new(ty.minimum, ty.maximum, style)?;
        let mut owned = match def {
            Some(_) => None,
            None => Some(try_box(VMMemoryDefinition {
                base: std::ptr::null_mut(),
                current_length: 0,
            })?),
        };
        let def = def.unwrap_or_else(|| &mut **owned.as_mut().expect("owned") as *mut _);
        let mut entity = try_box(MemoryEntity {
            mem,
            ty,
            def,
            _owned_def: owned,
        })?;
        entity.sync_def();
        self.memories.try_push(entity)?;
        Ok(Memory {
            store: self.id,
            index: self.memories.len() - 1,
        })
    }

    /// Adds a table of `ty.minimum` elements `init`, with its definition at `def` (or boxed).
    pub(crate) fn push_table(
        &mut self,
        ty: TableType,
        init: u64,
        def: Option<*mut VMTableDefinition>,
    ) -> Result<Table, Error> {
        let n = ty.minimum as usize;
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(n)
            .map_err(|_| kiln_ir::OutOfMemory::new(n * 8))?;
        elements.resize(n, init);
        let mut owned = match def {
            Some(_) => None,
            None => Some(try_box(VMTableDefinition {
                base: std::ptr::null_mut(),
                current_elements: 0,
            })?),
        };
        let def = def.unwrap_or_else(|| &mut **owned.as_mut().expect("owned") as *mut _);
        let mut entity = try_box(TableEntity {
            elements,
            ty,
            def,
            _owned_def: owned,
        })?;
        entity.sync_def();
        self.tables.try_push(entity)?;
        Ok(Table {
            store: self.id,
            index: self.tables.len() - 1,
        })
    }

    /// Adds a global with storage at `ptr` (or boxed), holding `raw`.
    pub(crate) fn push_global(
        &mut self,
        ty: GlobalType,
        raw: u128,
        ptr: Option<*mut u128>,
    ) -> Result<Global, OutOfMemory> {
        let mut owned = match ptr {
            Some(_) => None,
            None => Some(try_box(0u128)?),
        };
        let ptr = ptr.unwrap_or_else(|| &mut **owned.as_mut().expect("owned") as *mut u128);
        // SAFETY: the storage is 16 bytes, 16-aligned, owned by the store.
        unsafe { ptr.write(raw) };
        self.globals.try_push(try_box(GlobalEntity {
            ty,
            ptr,
            _owned: owned,
        })?)?;
        Ok(Global {
            store: self.id,
            index: self.globals.len() - 1,
        })
    }
}

fn ref_valtype(r: WasmRefType) -> ValType {
    match r {
        WasmRefType::Func => ValType::FuncRef,
        WasmRefType::Extern => ValType::ExternRef,
    }
}

impl Memory {
    /// A new memory of type `ty` owned by the store.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        store.store_opaque_mut().push_memory(ty, None)
    }

    /// The memory's type (with its declared limits).
    pub fn ty(&self, store: impl AsContext) -> Result<MemoryType, Error> {
        Ok(store.store_opaque().memory(*self)?.ty)
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> Result<u32, Error> {
        Ok(store.store_opaque().memory(*self)?.mem.pages())
    }

    /// Current size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> Result<usize, Error> {
        Ok(store.store_opaque().memory(*self)?.mem.byte_len())
    }

    /// Grows by `delta` pages, returning the old size; fails past the maximum (or 4 GiB) or if
    /// the system refuses the memory.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32) -> Result<u32, Error> {
        let m = store.store_opaque_mut().memory_mut(*self)?;
        m.grow(delta).ok_or_else(|| {
            Error::Usage(format!(
                "cannot grow a memory of {} pages by {delta} pages",
                m.mem.pages()
            ))
        })
    }

    /// Copies bytes at `offset` into `buf`; fails if the range is out of bounds.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<(), Error> {
        let data = store.store_opaque().memory(*self)?.mem.data();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| out_of_bounds(offset, buf.len(), data.len()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`; fails if the range is out of bounds.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<(), Error> {
        let data = store.store_opaque_mut().memory_mut(*self)?.mem.data_mut();
        let len = data.len();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| out_of_bounds(offset, buf.len(), len))?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// The memory's bytes.
    pub fn data<'a, S: AsContext + ?Sized>(&self, store: &'a S) -> Result<&'a [u8], Error> {
        Ok(store.store_opaque().memory(*self)?.mem.data())
    }
}

fn out_of_bounds(offset: usize, len: usize, size: usize) -> Error {
    Error::Usage(format!(
        "memory access of {len} bytes at {offset:#x} is out of bounds of {size:#x} bytes"
    ))
}

impl Table {
    /// A new table of type `ty` owned by the store, its elements `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let s = store.store_opaque_mut();
        let raw = checked_ref(s, ref_valtype(ty.element), &init)?;
        s.push_table(ty, raw, None)
    }

    /// The table's type (with its declared limits).
    pub fn ty(&self, store: impl AsContext) -> Result<TableType, Error> {
        Ok(store.store_opaque().table(*self)?.ty)
    }

    /// Current number of elements.
    pub fn size(&self, store: impl AsContext) -> Result<u32, Error> {
        Ok(store.store_opaque().table(*self)?.elements.len() as u32)
    }

    /// Element `index`, or `None` if out of bounds.
    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let s = store.store_opaque();
        let t = s.table(*self).ok()?;
        let raw = *t.elements.get(index as usize)?;
        Some(Val::from_raw(raw.into(), ref_valtype(t.ty.element), s))
    }

    /// Sets element `index`; fails if out of bounds or `val` has the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, val: Val) -> Result<(), Error> {
        let s = store.store_opaque_mut();
        let ty = s.table(*self)?.ty;
        let raw = checked_ref(s, ref_valtype(ty.element), &val)?;
        let t = s.table_mut(*self)?;
        let len = t.elements.len();
        let slot = t.elements.get_mut(index as usize).ok_or_else(|| {
            Error::Usage(format!("table index {index} out of bounds of {len} elements"))
        })?;
        *slot = raw;
        Ok(())
    }

    /// Grows by `delta` elements `init`, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let s = store.store_opaque_mut();
        let ty = s.table(*self)?.ty;
        let raw = checked_ref(s, ref_valtype(ty.element), &init)?;
        let t = s.table_mut(*self)?;
        let len = t.elements.len();
        t.grow(delta, raw).ok_or_else(|| {
            Error::Usage(format!("cannot grow a table of {len} elements by {delta}"))
        })
    }
}

/// The raw form of reference `val`, which must be of type `ty`.
fn checked_ref(s: &mut StoreOpaque, ty: ValType, val: &Val) -> Result<u64, Error> {
    if val.ty() != ty {
        return Err(Error::Usage(format!("expected a {ty}, got a {}", val.ty())));
    }
    Ok(val.to_raw(s)? as u64)
}

impl Global {
    /// A new global of type `ty` owned by the store, holding `val`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global, Error> {
        let s = store.store_opaque_mut();
        let expected = ValType::from_wasm(ty.ty);
        if val.ty() != expected {
            return Err(Error::Usage(format!(
                "global of type {expected} initialised with a {}",
                val.ty()
            )));
        }
        let raw = val.to_raw(s)?;
        Ok(s.push_global(ty, raw, None)?)
    }

    /// The global's type.
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType, Error> {
        Ok(store.store_opaque().global(*self)?.ty)
    }

    /// The current value.
    pub fn get(&self, store: impl AsContext) -> Result<Val, Error> {
        let s = store.store_opaque();
        let g = s.global(*self)?;
        // SAFETY: the storage is owned by the store.
        let raw = unsafe { g.ptr.read() };
        Ok(Val::from_raw(raw, ValType::from_wasm(g.ty.ty), s))
    }

    /// Sets the value; fails for immutable globals and values of the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<(), Error> {
        let s = store.store_opaque_mut();
        let g = s.global(*self)?;
        let (ty, ptr) = (g.ty, g.ptr);
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        let expected = ValType::from_wasm(ty.ty);
        if val.ty() != expected {
            return Err(Error::Usage(format!(
                "global of type {expected} set to a {}",
                val.ty()
            )));
        }
        let raw = val.to_raw(s)?;
        // SAFETY: the storage is owned by the store.
        unsafe { ptr.write(raw) };
        Ok(())
    }
}
