use super::EntityRef;
use crate::OutOfMemory;
use core::marker::PhantomData;

/// A set of entities, stored as a bit vector indexed by entity.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EntitySet<K: EntityRef> {
    words: Vec<u64>,
    unused: PhantomData<K>,
}

impl<K: EntityRef> EntitySet<K> {
    /// An empty set.
    pub const fn new() -> Self {
        Self {
            words: Vec::new(),
            unused: PhantomData,
        }
    }

    /// Whether `k` is in the set.
    #[inline]
    pub fn contains(&self, k: K) -> bool {
        let i = k.index();
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Adds `k`; returns whether it was newly added. Aborts on allocation failure.
    pub fn insert(&mut self, k: K) -> bool {
        let i = k.index();
        if i / 64 >= self.words.len() {
            self.words.resize(i / 64 + 1, 0);
        }
        self.set_bit(i)
    }

    /// Adds `k`, or reports allocation failure; returns whether it was newly added.
    pub fn try_insert(&mut self, k: K) -> Result<bool, OutOfMemory> {
        let i = k.index();
        if i / 64 >= self.words.len() {
            let extra = i / 64 + 1 - self.words.len();
            self.words
                .try_reserve(extra)
                .map_err(|_| OutOfMemory::new(extra * 8))?;
            self.words.resize(i / 64 + 1, 0);
        }
        Ok(self.set_bit(i))
    }

    fn set_bit(&mut self, i: usize) -> bool {
        let w = &mut self.words[i / 64];
        let fresh = *w & (1 << (i % 64)) == 0;
        *w |= 1 << (i % 64);
        fresh
    }

    /// Removes `k`; returns whether it was present.
    pub fn remove(&mut self, k: K) -> bool {
        let i = k.index();
        match self.words.get_mut(i / 64) {
            Some(w) => {
                let was = *w & (1 << (i % 64)) != 0;
                *w &= !(1 << (i % 64));
                was
            }
            None => false,
        }
    }

    /// Removes every element, keeping the allocation.
    pub fn clear(&mut self) {
        self.words.clear();
    }

    /// Whether the set has no element.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The elements in increasing index order.
    pub fn iter(&self) -> impl Iterator<Item = K> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut bits = w;
            core::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(K::new(wi * 64 + b))
            })
        })
    }
}

impl<K: EntityRef + core::fmt::Debug> core::fmt::Debug for EntitySet<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    struct E(u32);
    impl EntityRef for E {
        fn new(i: usize) -> Self {
            E(i as u32)
        }
        fn index(self) -> usize {
            self.0 as usize
        }
    }

    #[test]
    fn insert_contains_remove_iterate() {
        let mut s = EntitySet::new();
        assert!(s.insert(E(3)));
        assert!(!s.insert(E(3)));
        assert!(s.try_insert(E(130)).unwrap());
        assert!(s.contains(E(3)) && s.contains(E(130)) && !s.contains(E(64)));
        assert_eq!(s.iter().collect::<Vec<_>>(), [E(3), E(130)]);
        assert!(s.remove(E(3)) && !s.remove(E(3)));
        assert!(!s.is_empty());
        s.clear();
        assert!(s.is_empty());
    }
}
