//! Engine-wide ids of function types: two functions may call each other indirectly iff their
//! types have the same id. Entries are reference-counted and freed with their last user.

use kiln_frontend_wasm::WasmFuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default, Debug)]
struct Inner {
    ids: HashMap<WasmFuncType, u32>,
    // Index = id; `None` for free ids.
    entries: Vec<Option<(WasmFuncType, usize)>>,
    free: Vec<u32>,
}

/// The registry; shared by an engine and every handle it gave out.
#[derive(Default, Debug, Clone)]
pub(crate) struct TypeRegistry {
    inner: Arc<Mutex<Inner>>,
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
        let mut inner = self.registry.lock();
        let id = self.id as usize;
        let Some(Some((_, count))) = inner.entries.get_mut(id) else {
            return;
        };
        *count -= 1;
        if *count == 0 {
            if let Some((ty, _)) = inner.entries[id].take() {
                inner.ids.remove(&ty);
            }
            inner.free.push(self.id);
        }
    }
}

impl TypeRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (each operation completes its
        // updates before anything that can panic), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `ty` (or takes another reference to it).
    pub fn register(&self, ty: &WasmFuncType) -> RegisteredType {
        let mut inner = self.lock();
        let id = if let Some(&id) = inner.ids.get(ty) {
            if let Some(Some((_, count))) = inner.entries.get_mut(id as usize) {
                *count += 1;
            }
            id
        } else {
            if inner.entries.is_empty() {
                inner.entries.push(None); // id 0 is never used
            }
            let id = match inner.free.pop() {
                Some(id) => id,
                None => {
                    inner.entries.push(None);
                    inner.entries.len() as u32 - 1
                }
            };
            inner.entries[id as usize] = Some((ty.clone(), 1));
            inner.ids.insert(ty.clone(), id);
            id
        };
        RegisteredType {
            registry: self.clone(),
            id,
        }
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
        let r = TypeRegistry::default();
        let a = r.register(&ty(&[WasmValType::I32]));
        let b = r.register(&ty(&[WasmValType::I32]));
        let c = r.register(&ty(&[WasmValType::I64]));
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
        let d = r.register(&ty(&[WasmValType::F32]));
        assert_eq!(d.id(), old);
        drop(c);
    }
}
