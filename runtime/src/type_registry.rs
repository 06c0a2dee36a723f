//! Engine-wide ids of function types: two functions may call each other indirectly iff their
//! types have the same id. Entries are reference-counted and freed with their last user.
//! Registration never aborts on allocation failure, and registering a module's types is
//! all-or-nothing (see [`TypeRegistry::register_all`]).

use crate::collections::{try_vec, OutOfMemory, TryArc, TryClone, TryMap, TryVec};
use kiln_frontend_wasm::WasmFuncType;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Default, Debug)]
struct Inner {
    ids: HashMap<WasmFuncType, u32>,
    // Index = id; `None` for free ids.
    entries: Vec<Option<(WasmFuncType, usize)>>,
    // Its capacity always covers every id, so releasing an id never allocates.
    free: Vec<u32>,
}

impl Inner {
    /// Takes a reference to `ty`, registering it if new. Every allocation happens before the
    /// first change, so on failure nothing has changed.
    fn acquire(&mut self, ty: &WasmFuncType) -> Result<u32, OutOfMemory> {
        if let Some(&id) = self.ids.get(ty) {
            if let Some(Some((_, count))) = self.entries.get_mut(id as usize) {
                *count += 1;
            }
            return Ok(id);
        }
        let key = ty.try_clone()?;
        let stored = ty.try_clone()?;
        self.ids.try_reserve_oom(1)?;
        // Id 0 is never used; a new id is needed unless one is free.
        let new_slots = match (self.entries.is_empty(), self.free.is_empty()) {
            (true, _) => 2,
            (false, true) => 1,
            (false, false) => 0,
        };
        self.entries.try_reserve_oom(new_slots)?;
        let ids = self.entries.len() + new_slots;
        self.free.try_reserve_oom(ids - self.free.len())?;

        if self.entries.is_empty() {
            self.entries.push(None);
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.entries.push(None);
                self.entries.len() as u32 - 1
            }
        };
        self.entries[id as usize] = Some((stored, 1));
        self.ids.insert(key, id);
        Ok(id)
    }

    /// Drops a reference to `id`, unregistering the type with its last one. Never allocates.
    fn release(&mut self, id: u32) {
        let Some(Some((_, count))) = self.entries.get_mut(id as usize) else {
            return;
        };
        *count -= 1;
        if *count == 0 {
            if let Some((ty, _)) = self.entries[id as usize].take() {
                self.ids.remove(&ty);
            }
            debug_assert!(self.free.len() < self.free.capacity());
            self.free.push(id);
        }
    }
}

/// The registry; shared by an engine and every handle it gave out.
#[derive(Debug, Clone)]
pub(crate) struct TypeRegistry {
    inner: TryArc<Mutex<Inner>>,
}

/// One reference to a registered type; the id stays valid while it lives.
#[derive(Debug)]
pub struct RegisteredType {
    registry: TypeRegistry,
    id: u32,
}

impl RegisteredType {
    /// The engine-wide id (never 0, so a zeroed type slot matches no function).
    pub fn id(&self) -> u32 {
        self.id
    }
}

impl Clone for RegisteredType {
    fn clone(&self) -> Self {
        let mut inner = self.registry.lock();
        if let Some(Some((_, count))) = inner.entries.get_mut(self.id as usize) {
            *count += 1;
        }
        RegisteredType {
            registry: self.registry.clone(),
            id: self.id,
        }
    }
}

impl Drop for RegisteredType {
    fn drop(&mut self) {
        self.registry.lock().release(self.id);
    }
}

/// A registration in progress: holds the registry's lock (so other threads never see half of
/// it) and the ids taken so far, which it releases when dropped unless committed.
struct Transaction<'a> {
    inner: MutexGuard<'a, Inner>,
    ids: Vec<u32>,
}

impl Transaction<'_> {
    /// Keeps the registrations; returns their ids.
    fn commit(mut self) -> Vec<u32> {
        std::mem::take(&mut self.ids)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        for &id in self.ids.iter().rev() {
            self.inner.release(id);
        }
    }
}

impl TypeRegistry {
    /// An empty registry.
    pub fn new() -> Result<Self, OutOfMemory> {
        Ok(TypeRegistry {
            inner: TryArc::try_new(Mutex::new(Inner::default()))?,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every operation completes its updates before anything that can panic, so a
        // poisoned lock still guards consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `ty` (or takes another reference to it).
    pub fn register(&self, ty: &WasmFuncType) -> Result<RegisteredType, OutOfMemory> {
        let id = self.lock().acquire(ty)?;
        Ok(RegisteredType {
            registry: self.clone(),
            id,
        })
    }

    /// Registers all of `types` (a module's), or none of them: if an allocation fails midway,
    /// the types registered so far are released before the error is returned.
    pub fn register_all(&self, types: &[WasmFuncType]) -> Result<Vec<RegisteredType>, OutOfMemory> {
        let mut out = try_vec(types.len())?;
        let ids = try_vec(types.len())?;
        let mut txn = Transaction {
            inner: self.lock(),
            ids,
        };
        for ty in types {
            let id = txn.inner.acquire(ty)?;
            txn.ids.push(id); // within the capacity
        }
        for id in txn.commit() {
            out.push(RegisteredType {
                registry: self.clone(),
                id,
            });
        }
        Ok(out)
    }

    /// `(distinct types, references)`, after checking the registry's invariants (panics if
    /// they do not hold).
    pub fn census(&self) -> (usize, usize) {
        let inner = self.lock();
        let mut refs = 0;
        let mut live = 0;
        for (id, e) in inner.entries.iter().enumerate() {
            if let Some((ty, count)) = e {
                assert!(*count > 0, "type {id} has no references");
                assert_eq!(inner.ids.get(ty), Some(&(id as u32)), "type {id} is not indexed");
                refs += count;
                live += 1;
            } else if id != 0 {
                assert!(inner.free.contains(&(id as u32)), "id {id} is lost");
            }
        }
        assert_eq!(inner.ids.len(), live, "index and entries disagree");
        assert!(inner.free.capacity() >= inner.entries.len());
        (live, refs)
    }

    /// The type with this id, if registered.
    #[cfg(test)]
    pub fn lookup(&self, id: u32) -> Option<WasmFuncType> {
        let inner = self.lock();
        inner
            .entries
            .get(id as usize)?
            .as_ref()
            .map(|(t, _)| t.clone())
    }

    /// Number of registered types.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_frontend_wasm::WasmValType;

    fn ty(params: &[WasmValType]) -> WasmFuncType {
        WasmFuncType {
            params: params.into(),
            results: Box::new([]),
        }
    }

    #[test]
    fn equal_types_share_an_id_until_the_last_reference_goes() {
        let r = TypeRegistry::new().unwrap();
        let a = r.register(&ty(&[WasmValType::I32])).unwrap();
        let b = r.register(&ty(&[WasmValType::I32])).unwrap();
        let c = r.register(&ty(&[WasmValType::I64])).unwrap();
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert_ne!(a.id(), 0);
        assert_eq!(r.len(), 2);
        let a2 = a.clone();
        drop(a);
        drop(b);
        assert_eq!(r.lookup(a2.id()), Some(ty(&[WasmValType::I32])));
        let old = a2.id();
        drop(a2);
        assert_eq!(r.len(), 1);
        assert_eq!(r.lookup(old), None);
        // The freed id is reused for the next new type.
        let d = r.register(&ty(&[WasmValType::F32])).unwrap();
        assert_eq!(d.id(), old);
        drop(c);
        assert_eq!(r.census(), (1, 1));
    }

    #[test]
    fn a_module_registers_all_its_types_at_once() {
        let r = TypeRegistry::new().unwrap();
        let i32_ty = ty(&[WasmValType::I32]);
        let held = r.register(&i32_ty).unwrap();
        let types = [i32_ty.clone(), ty(&[]), i32_ty];
        let regs = r.register_all(&types).unwrap();
        assert_eq!(regs[0].id(), held.id());
        assert_eq!(regs[2].id(), held.id());
        assert_ne!(regs[1].id(), held.id());
        // (i32) is referenced by `held` and twice by the module, () once.
        assert_eq!(r.census(), (2, 4));
        drop(regs);
        assert_eq!(r.census(), (1, 1));
        drop(held);
        assert_eq!(r.census(), (0, 0));
    }
}
