//! Stores: everything instances own at run time (functions, memories, tables, globals,
//! vmctx areas) plus the embedder's data. Single-threaded.
//!
//! Entities live in boxes that never move, because generated code and other instances hold
//! raw pointers to them (vmctx fields, memory and table definitions, global storage); they are
//! all freed together when the store is dropped.

use crate::collections::{try_box, OutOfMemory, TryMap, TryVec};
use crate::engine::Engine;
use crate::error::Error;
use crate::func::{Func, FuncEntity};
use crate::instance::InstanceEntity;
use crate::memory::LinearMemory;
use crate::values::ExternRef;
use crate::vm::{VMMemoryDefinition, VMTableDefinition};
use kiln_frontend_wasm::{GlobalType, MemoryType, TableType};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// Largest number of elements a table may have (a sanity bound on `table.grow`).
pub(crate) const MAX_TABLE_ELEMENTS: u32 = 10_000_000;

/// A collection of instances and host data; the unit of isolation. Not `Send`: all use is on
/// one thread.
pub struct Store<T> {
    pub(crate) inner: Box<StoreInner<T>>,
}

/// A store's contents (internal; reached through [`AsContextMut`]).
#[doc(hidden)]
pub struct StoreInner<T> {
    pub(crate) opaque: StoreOpaque,
    pub(crate) data: T,
}

/// The part of a store that does not depend on its data type.
// The entities are boxed so they never move: vmctx fields and other instances point at them.
#[allow(clippy::vec_box)]
pub struct StoreOpaque {
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) memories: Vec<Box<MemoryEntity>>,
    pub(crate) tables: Vec<Box<TableEntity>>,
    pub(crate) globals: Vec<Box<GlobalEntity>>,
    pub(crate) instances: Vec<Box<InstanceEntity>>,
    externrefs: Vec<ExternRef>,
    /// Handle of each interned externref, by the address of its value.
    externref_handles: HashMap<usize, u64>,
    funcref_map: HashMap<u64, usize>,
    /// The failure of a host function called from Wasm, waiting for the trap it caused to
    /// reach `Func::call`.
    pub(crate) pending: Option<HostFailure>,
    /// The stack limit written into every vmctx on the outermost entry into Wasm (and into
    /// instances created while Wasm runs).
    pub(crate) stack_limit: usize,
}

/// Why a host function called from Wasm failed.
pub(crate) enum HostFailure {
    Error(Error),
    Panic(Box<dyn std::any::Any + Send>),
}

impl<T> Store<T> {
    /// An empty store for `engine` holding `data`; fails (dropping `data`) only if memory
    /// runs out.
    pub fn new(engine: &Engine, data: T) -> Result<Self, Error> {
        Ok(Store {
            inner: try_box(StoreInner {
                opaque: StoreOpaque {
                    id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                    engine: engine.clone(),
                    funcs: Vec::new(),
                    memories: Vec::new(),
                    tables: Vec::new(),
                    globals: Vec::new(),
                    instances: Vec::new(),
                    externrefs: Vec::new(),
                    externref_handles: HashMap::new(),
                    funcref_map: HashMap::new(),
                    pending: None,
                    stack_limit: 0,
                },
                data,
            })?,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.opaque.engine
    }

    /// The host data.
    pub fn data(&self) -> &T {
        &self.inner.data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    /// Consumes the store, returning its data.
    pub fn into_data(self) -> T {
        let inner = *self.inner;
        inner.data
    }
}

/// Access to a store (a [`Store`] or a host function's [`Caller`](crate::Caller)).
pub trait AsContext {
    /// The store's data type.
    type Data;
    /// The type-independent part of the store.
    #[doc(hidden)]
    fn store_opaque(&self) -> &StoreOpaque;
}

/// Mutable access to a store.
pub trait AsContextMut: AsContext {
    /// The type-independent part of the store, mutably.
    #[doc(hidden)]
    fn store_opaque_mut(&mut self) -> &mut StoreOpaque;
    /// The whole store, mutably (for creating host functions).
    #[doc(hidden)]
    fn store_inner_mut(&mut self) -> &mut StoreInner<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn store_opaque(&self) -> &StoreOpaque {
        &self.inner.opaque
    }
}

impl<T> AsContextMut for Store<T> {
    fn store_opaque_mut(&mut self) -> &mut StoreOpaque {
        &mut self.inner.opaque
    }
    fn store_inner_mut(&mut self) -> &mut StoreInner<T> {
        &mut self.inner
    }
}

impl AsContext for StoreOpaque {
    type Data = ();
    fn store_opaque(&self) -> &StoreOpaque {
        self
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn store_opaque(&self) -> &StoreOpaque {
        (**self).store_opaque()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn store_opaque(&self) -> &StoreOpaque {
        (**self).store_opaque()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn store_opaque_mut(&mut self) -> &mut StoreOpaque {
        (**self).store_opaque_mut()
    }
    fn store_inner_mut(&mut self) -> &mut StoreInner<S::Data> {
        (**self).store_inner_mut()
    }
}

/// A handle's check that it belongs to the store it is used with.
pub(crate) fn wrong_store(what: &str) -> Error {
    Error::Usage(format!("{what} used with a store it does not belong to"))
}

impl StoreOpaque {
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn func_entity(&self, f: Func) -> Result<&FuncEntity, Error> {
        if f.store != self.id {
            return Err(wrong_store("a function"));
        }
        self.funcs.get(f.index).ok_or_else(|| wrong_store("a function"))
    }

    /// Adds a function; records where its `VMFuncRef` is so references map back to it. On
    /// failure the store is unchanged and `entity` is dropped.
    pub(crate) fn push_func(&mut self, entity: FuncEntity) -> Result<Func, OutOfMemory> {
        let index = self.funcs.len();
        self.funcs.try_reserve_oom(1)?;
        self.funcref_map.try_put(entity.func_ref as u64, index)?;
        self.funcs.push(entity);
        Ok(Func {
            store: self.id,
            index,
        })
    }

    /// Makes another `VMFuncRef` (e.g. an imported function's, in the importer's vmctx) denote
    /// `f`.
    pub(crate) fn alias_func_ref(&mut self, func_ref: u64, f: Func) -> Result<(), OutOfMemory> {
        self.funcref_map.try_put(func_ref, f.index)?;
        Ok(())
    }

    /// The function a `VMFuncRef` pointer denotes (`None` for null).
    pub(crate) fn func_from_ref(&self, raw: u64) -> Option<Func> {
        let &index = self.funcref_map.get(&raw)?;
        Some(Func {
            store: self.id,
            index,
        })
    }

    /// A handle for `r` usable in tables and globals (never 0). Handles stay valid for the
    /// store's lifetime.
    pub(crate) fn intern_externref(&mut self, r: ExternRef) -> Result<u64, OutOfMemory> {
        // The store keeps `r` alive, so its address identifies it for the store's lifetime.
        let key = std::sync::Arc::as_ptr(&r.0) as *const () as usize;
        if let Some(&h) = self.externref_handles.get(&key) {
            return Ok(h);
        }
        self.externrefs.try_reserve_oom(1)?;
        let h = self.externrefs.len() as u64 + 1;
        self.externref_handles.try_put(key, h)?;
        self.externrefs.push(r);
        Ok(h)
    }

    /// The externref of a handle (`None` for null).
    pub(crate) fn externref(&self, raw: u64) -> Option<ExternRef> {
        let i = usize::try_from(raw).ok()?.checked_sub(1)?;
        self.externrefs.get(i).cloned()
    }
}

/// A linear memory in a store. `def` points at the definition generated code reads: inline
/// in the defining instance's vmctx, or `owned_def` for memories the host created.
pub(crate) struct MemoryEntity {
    pub(crate) mem: LinearMemory,
    pub(crate) ty: MemoryType,
    pub(crate) def: *mut VMMemoryDefinition,
    pub(crate) _owned_def: Option<Box<VMMemoryDefinition>>,
}

impl MemoryEntity {
    /// Writes the current base and length into the definition.
    pub(crate) fn sync_def(&mut self) {
        // SAFETY: `def` points to a live definition owned by the store.
        unsafe {
            *self.def = VMMemoryDefinition {
                base: self.mem.base(),
                current_length: self.mem.byte_len() as u64,
            };
        }
    }

    /// `memory.grow`: the old size in pages, or `None`.
    pub(crate) fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.mem.grow(delta)?;
        self.sync_def();
        Some(old)
    }
}

/// A table in a store; `def` as for memories.
pub(crate) struct TableEntity {
    pub(crate) elements: Vec<u64>,
    pub(crate) ty: TableType,
    pub(crate) def: *mut VMTableDefinition,
    pub(crate) _owned_def: Option<Box<VMTableDefinition>>,
}

impl TableEntity {
    pub(crate) fn sync_def(&mut self) {
        // SAFETY: `def` points to a live definition owned by the store.
        unsafe {
            *self.def = VMTableDefinition {
                base: self.elements.as_mut_ptr(),
                current_elements: self.elements.len() as u64,
            };
        }
    }

    /// `table.grow`: the old size, or `None` past the maximum or out of memory.
    pub(crate) fn grow(&mut self, delta: u32, init: u64) -> Option<u32> {
        let old = self.elements.len() as u32;
        let max = self.ty.maximum.unwrap_or(u32::MAX).min(MAX_TABLE_ELEMENTS);
        let new = old.checked_add(delta).filter(|&n| n <= max)?;
        self.elements.try_reserve(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        self.sync_def();
        Some(old)
    }
}

/// A global in a store: 16 bytes of storage, inline in the defining vmctx or owned.
pub(crate) struct GlobalEntity {
    pub(crate) ty: GlobalType,
    pub(crate) ptr: *mut u128,
    pub(crate) _owned: Option<Box<u128>>,
}
