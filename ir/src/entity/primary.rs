use super::EntityRef;
use crate::OutOfMemory;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

/// A map that owns its keys: `push` allocates the next entity and stores its data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PrimaryMap<K: EntityRef, V> {
    elems: Vec<V>,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V> Default for PrimaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V> PrimaryMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        Self {
            elems: Vec::new(),
            unused: PhantomData,
        }
    }

    /// An empty map with room for `capacity` entries, or an error if that cannot be allocated.
    pub fn try_with_capacity(capacity: usize) -> Result<Self, OutOfMemory> {
        let mut map = Self::new();
        map.try_reserve(capacity)?;
        Ok(map)
    }

    /// Number of entities allocated.
    pub fn len(&self) -> usize {
        self.elems.len()
    }

    /// Whether no entity has been allocated.
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// Whether `k` was allocated by this map.
    pub fn is_valid(&self, k: K) -> bool {
        k.index() < self.elems.len()
    }

    /// The data of `k`, if it exists.
    pub fn get(&self, k: K) -> Option<&V> {
        self.elems.get(k.index())
    }

    /// The data of `k` for writing, if it exists.
    pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
        self.elems.get_mut(k.index())
    }

    /// The key the next `push` will return.
    pub fn next_key(&self) -> K {
        K::new(self.elems.len())
    }

    /// Allocates a new entity holding `v`. Aborts on allocation failure; see [`Self::try_push`].
    pub fn push(&mut self, v: V) -> K {
        let k = self.next_key();
        self.elems.push(v);
        k
    }

    /// Allocates a new entity holding `v`, or reports allocation failure.
    pub fn try_push(&mut self, v: V) -> Result<K, OutOfMemory> {
        self.try_reserve(1)?;
        Ok(self.push(v))
    }

    /// Reserves room for `additional` more entities. Aborts on allocation failure.
    pub fn reserve(&mut self, additional: usize) {
        self.elems.reserve(additional);
    }

    /// Reserves room for `additional` more entities, or reports allocation failure.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        self.elems
            .try_reserve(additional)
            .map_err(|_| OutOfMemory::new(additional.saturating_mul(core::mem::size_of::<V>())))
    }

    /// Removes every entity, keeping the allocation.
    pub fn clear(&mut self) {
        self.elems.clear();
    }

    /// The keys in allocation order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator + use<K, V> {
        (0..self.elems.len()).map(K::new)
    }

    /// The values in allocation order.
    pub fn values(&self) -> core::slice::Iter<'_, V> {
        self.elems.iter()
    }

    /// The values in allocation order, for writing.
    pub fn values_mut(&mut self) -> core::slice::IterMut<'_, V> {
        self.elems.iter_mut()
    }

    /// `(key, value)` pairs in allocation order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (K, &V)> + ExactSizeIterator {
        self.elems.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }

    /// `(key, value)` pairs in allocation order, for writing.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (K, &mut V)> + ExactSizeIterator {
        self.elems
            .iter_mut()
            .enumerate()
            .map(|(i, v)| (K::new(i), v))
    }

    /// The last allocated entity, if any.
    pub fn last(&self) -> Option<(K, &V)> {
        let i = self.elems.len().checked_sub(1)?;
        Some((K::new(i), &self.elems[i]))
    }

    /// The values as a slice indexed by key index.
    pub fn as_slice(&self) -> &[V] {
        &self.elems
    }
}

impl<K: EntityRef, V> Index<K> for PrimaryMap<K, V> {
    type Output = V;
    #[inline]
    fn index(&self, k: K) -> &V {
        &self.elems[k.index()]
    }
}

impl<K: EntityRef, V> IndexMut<K> for PrimaryMap<K, V> {
    #[inline]
    fn index_mut(&mut self, k: K) -> &mut V {
        &mut self.elems[k.index()]
    }
}

impl<K: EntityRef + core::fmt::Debug, V: core::fmt::Debug> core::fmt::Debug for PrimaryMap<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq)]
    struct E(u32);
    crate::entity_impl!(E, "e");

    #[test]
    fn push_and_index() {
        let mut m: PrimaryMap<E, &str> = PrimaryMap::new();
        assert!(m.is_empty());
        let a = m.push("a");
        let b = m.try_push("b").unwrap();
        assert_eq!((a.as_u32(), b.as_u32()), (0, 1));
        assert_eq!(m[b], "b");
        m[a] = "z";
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ["z", "b"]);
        assert_eq!(
            m.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
            ["e0", "e1"]
        );
        assert!(m.is_valid(b) && !m.is_valid(E(2)));
    }

    #[test]
    fn impossible_reservation_is_an_error() {
        let mut m: PrimaryMap<E, u64> = PrimaryMap::new();
        let err = m.try_reserve(usize::MAX / 4).unwrap_err();
        assert_eq!(err.requested(), usize::MAX); // saturated
        assert!(m.is_empty());
    }
}
