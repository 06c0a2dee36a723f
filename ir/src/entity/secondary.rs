use super::EntityRef;
use crate::OutOfMemory;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

/// A map from entities allocated elsewhere to data, with a default for keys never written.
///
/// Reading any key is allowed and yields the default until it is written; writing grows the map.
#[derive(Clone)]
pub struct SecondaryMap<K: EntityRef, V: Clone> {
    elems: Vec<V>,
    default: V,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V: Clone + Default> Default for SecondaryMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V: Clone + Default> SecondaryMap<K, V> {
    /// An empty map whose default is `V::default()`.
    pub fn new() -> Self {
        Self::with_default(V::default())
    }
}

impl<K: EntityRef, V: Clone> SecondaryMap<K, V> {
    /// An empty map whose unwritten entries read as `default`.
    pub fn with_default(default: V) -> Self {
        Self {
            elems: Vec::new(),
            default,
            unused: PhantomData,
        }
    }

    /// The value of `k` (the default if never written).
    #[inline]
    pub fn get(&self, k: K) -> &V {
        self.elems.get(k.index()).unwrap_or(&self.default)
    }

    /// Writes `v` at `k`, growing the map if needed. Aborts on allocation failure.
    pub fn insert(&mut self, k: K, v: V) {
        self[k] = v;
    }

    /// Writes `v` at `k`, or reports allocation failure (the map is then unchanged).
    pub fn try_insert(&mut self, k: K, v: V) -> Result<(), OutOfMemory> {
        *self.try_get_mut(k)? = v;
        Ok(())
    }

    /// Mutable access to `k`, growing the map if needed, or reporting allocation failure.
    pub fn try_get_mut(&mut self, k: K) -> Result<&mut V, OutOfMemory> {
        let i = k.index();
        if i >= self.elems.len() {
            self.try_resize(i + 1)?;
        }
        Ok(&mut self.elems[i])
    }

    /// Grows (or shrinks) the stored part of the map to `n` entries.
    pub fn resize(&mut self, n: usize) {
        self.elems.resize(n, self.default.clone());
    }

    /// Grows the stored part to `n` entries, or reports allocation failure.
    pub fn try_resize(&mut self, n: usize) -> Result<(), OutOfMemory> {
        if n > self.elems.len() {
            let extra = n - self.elems.len();
            self.elems
                .try_reserve(extra)
                .map_err(|_| OutOfMemory::new(extra.saturating_mul(core::mem::size_of::<V>())))?;
        }
        self.resize(n);
        Ok(())
    }

    /// Resets every entry to the default, keeping the allocation.
    pub fn clear(&mut self) {
        self.elems.clear();
    }

    /// Whether nothing was ever written (or the map was cleared).
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// `(key, value)` pairs of the stored part of the map.
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.elems.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }

    /// The default value.
    pub fn default_value(&self) -> &V {
        &self.default
    }
}

impl<K: EntityRef, V: Clone> Index<K> for SecondaryMap<K, V> {
    type Output = V;
    #[inline]
    fn index(&self, k: K) -> &V {
        self.get(k)
    }
}

impl<K: EntityRef, V: Clone> IndexMut<K> for SecondaryMap<K, V> {
    #[inline]
    fn index_mut(&mut self, k: K) -> &mut V {
        let i = k.index();
        if i >= self.elems.len() {
            self.resize(i + 1);
        }
        &mut self.elems[i]
    }
}

impl<K: EntityRef + core::fmt::Debug, V: Clone + core::fmt::Debug> core::fmt::Debug
    for SecondaryMap<K, V>
{
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
    fn reads_default_and_grows_on_write() {
        let mut m: SecondaryMap<E, u32> = SecondaryMap::with_default(7);
        assert_eq!(m[E(100)], 7);
        m[E(3)] = 1;
        assert_eq!((m[E(0)], m[E(3)], m[E(4)]), (7, 1, 7));
        m.try_insert(E(5), 9).unwrap();
        assert_eq!(m[E(5)], 9);
        m.clear();
        assert_eq!(m[E(3)], 7);
    }

    #[test]
    fn impossible_growth_is_an_error_and_leaves_map_unchanged() {
        let mut m: SecondaryMap<E, u64> = SecondaryMap::new();
        m[E(1)] = 5;
        assert!(m.try_insert(E(u32::MAX - 2), 1).is_err());
        assert_eq!(m[E(1)], 5);
        assert_eq!(m.iter().count(), 2);
    }
}
