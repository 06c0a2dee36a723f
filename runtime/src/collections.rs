//! Fallible allocation for the runtime: every growing operation returns
//! `Result<_, OutOfMemory>` instead of aborting the process, so that an embedder running many
//! untrusted modules survives running out of memory.
//!
//! - [`TryVec`] (extension methods on `Vec`), [`try_vec`], [`try_collect`] and
//!   [`try_boxed_slice`];
//! - [`TryMap`] / [`TrySet`] (extension methods on `std::collections::HashMap`/`HashSet`, which
//!   are `hashbrown` tables: `try_reserve` is hashbrown's);
//! - [`try_box`], [`try_string`] and [`TryArc`], a reference-counted pointer whose creation can
//!   fail (`Arc::try_new` is not stable);
//! - [`TryClone`] for the types the runtime copies on its fallible paths.
//!
//! Every function here either completes or leaves its target unchanged.

pub use kiln_ir::OutOfMemory;
use std::alloc::Layout;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{self, AtomicUsize, Ordering};

fn oom_of<T>(n: usize) -> OutOfMemory {
    OutOfMemory::new(n.saturating_mul(size_of::<T>()))
}

/// An empty vector with room for exactly `capacity` elements.
pub fn try_vec<T>(capacity: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity)
        .map_err(|_| oom_of::<T>(capacity))?;
    Ok(v)
}

/// Collects `iter` into a vector (sized from the iterator's lower bound, growing fallibly).
pub fn try_collect<T>(iter: impl IntoIterator<Item = T>) -> Result<Vec<T>, OutOfMemory> {
    let iter = iter.into_iter();
    let mut v = try_vec(iter.size_hint().0)?;
    for x in iter {
        v.try_push(x)?;
    }
    Ok(v)
}

/// Collects `iter` into a boxed slice. Converting a vector whose capacity exceeds its length
/// would reallocate infallibly, so the elements are moved into an exact allocation first.
pub fn try_boxed_slice<T>(iter: impl IntoIterator<Item = T>) -> Result<Box<[T]>, OutOfMemory> {
    let v = try_collect(iter)?;
    if v.len() == v.capacity() {
        return Ok(v.into_boxed_slice());
    }
    let mut exact = try_vec(v.len())?;
    exact.extend(v);
    Ok(exact.into_boxed_slice())
}

/// Fallible growth of a `Vec`.
pub trait TryVec<T> {
    /// Makes room for `additional` more elements.
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;
    /// Appends `value`; on failure the vector is unchanged and `value` is dropped.
    fn try_push(&mut self, value: T) -> Result<(), OutOfMemory>;
    /// Appends clones of `items`.
    fn try_extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: Clone;
}

impl<T> TryVec<T> for Vec<T> {
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        self.try_reserve(additional)
            .map_err(|_| oom_of::<T>(self.len().saturating_add(additional)))
    }

    fn try_push(&mut self, value: T) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(1)?;
        self.push(value);
        Ok(())
    }

    fn try_extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: Clone,
    {
        self.try_reserve_oom(items.len())?;
        self.extend_from_slice(items);
        Ok(())
    }
}

fn table_oom<K, V>(n: usize) -> OutOfMemory {
    // A rough size: the slots, without control bytes.
    OutOfMemory::new(n.saturating_mul(size_of::<(K, V)>()))
}

/// Fallible insertion into a `HashMap`.
pub trait TryMap<K, V> {
    /// Makes room for `additional` more entries.
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;
    /// Inserts (or replaces) `key`'s value, returning the old one; on failure the map is
    /// unchanged and `key` and `value` are dropped.
    fn try_put(&mut self, key: K, value: V) -> Result<Option<V>, OutOfMemory>;
}

impl<K: Eq + Hash, V, S: BuildHasher> TryMap<K, V> for HashMap<K, V, S> {
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        self.try_reserve(additional)
            .map_err(|_| table_oom::<K, V>(self.len().saturating_add(additional)))
    }

    fn try_put(&mut self, key: K, value: V) -> Result<Option<V>, OutOfMemory> {
        // Replacing needs no room; otherwise reserve first, so `insert` cannot grow.
        if !self.contains_key(&key) {
            self.try_reserve_oom(1)?;
        }
        Ok(self.insert(key, value))
    }
}

/// Fallible insertion into a `HashSet`.
pub trait TrySet<K> {
    /// Inserts `key`; whether it was new. On failure the set is unchanged.
    fn try_put(&mut self, key: K) -> Result<bool, OutOfMemory>;
}

impl<K: Eq + Hash, S: BuildHasher> TrySet<K> for HashSet<K, S> {
    fn try_put(&mut self, key: K) -> Result<bool, OutOfMemory> {
        if self.contains(&key) {
            return Ok(false);
        }
        self.try_reserve(1)
            .map_err(|_| table_oom::<K, ()>(self.len().saturating_add(1)))?;
        Ok(self.insert(key))
    }
}

/// `Box::new(value)`, or an error if the allocation fails (then `value` is dropped).
pub fn try_box<T>(value: T) -> Result<Box<T>, OutOfMemory> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new(value)); // no allocation
    }
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc(layout) }.cast::<T>();
    if p.is_null() {
        return Err(OutOfMemory::new(layout.size()));
    }
    // SAFETY: `p` is a fresh allocation of `T`'s layout, which is how `Box` allocates; it is
    // initialised before the box takes it over.
    unsafe {
        p.write(value);
        Ok(Box::from_raw(p))
    }
}

/// `s.to_string()`, or an error.
pub fn try_string(s: &str) -> Result<String, OutOfMemory> {
    let mut out = String::new();
    out.try_reserve_exact(s.len())
        .map_err(|_| OutOfMemory::new(s.len()))?;
    out.push_str(s);
    Ok(out)
}

/// A thread-safe reference-counted pointer like `Arc`, whose creation returns an error instead
/// of aborting when memory runs out. Cloning never allocates. No weak references.
pub struct TryArc<T> {
    ptr: NonNull<ArcInner<T>>,
    _owns: PhantomData<ArcInner<T>>,
}

struct ArcInner<T> {
    count: AtomicUsize,
    value: T,
}

// SAFETY: as for `Arc`: the value is shared between threads (`Sync`) and dropped on whichever
// thread releases the last reference (`Send`).
unsafe impl<T: Send + Sync> Send for TryArc<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for TryArc<T> {}

impl<T> TryArc<T> {
    /// A new shared `value` (dropped if the allocation fails).
    pub fn try_new(value: T) -> Result<Self, OutOfMemory> {
        let inner = try_box(ArcInner {
            count: AtomicUsize::new(1),
            value,
        })?;
        Ok(TryArc {
            ptr: NonNull::from(Box::leak(inner)),
            _owns: PhantomData,
        })
    }

    /// Whether two pointers share one value.
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.ptr == b.ptr
    }

    fn inner(&self) -> &ArcInner<T> {
        // SAFETY: the allocation lives while any reference does.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Clone for TryArc<T> {
    fn clone(&self) -> Self {
        let old = self.inner().count.fetch_add(1, Ordering::Relaxed);
        if old > isize::MAX as usize {
            // Overflow would free the value while in use; `Arc` aborts the same way.
            std::process::abort();
        }
        TryArc {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for TryArc<T> {
    fn drop(&mut self) {
        if self.inner().count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Every other owner's uses happen before the value is dropped.
        atomic::fence(Ordering::Acquire);
        // SAFETY: the last reference; the allocation came from `try_box`.
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

impl<T> Deref for TryArc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for TryArc<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// `Clone` that reports allocation failure.
pub trait TryClone: Sized {
    /// A copy of `self`, or an error.
    fn try_clone(&self) -> Result<Self, OutOfMemory>;
}

macro_rules! copy_try_clone {
    ($($t:ty),*) => {
        $(impl TryClone for $t {
            fn try_clone(&self) -> Result<Self, OutOfMemory> {
                Ok(*self)
            }
        })*
    };
}

copy_try_clone!(
    bool,
    u8,
    u16,
    u32,
    u64,
    usize,
    i32,
    i64,
    kiln_frontend_wasm::WasmValType
);

impl TryClone for String {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        try_string(self)
    }
}

impl<T: TryClone> TryClone for Vec<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut v = try_vec(self.len())?;
        for x in self {
            v.push(x.try_clone()?); // within the capacity
        }
        Ok(v)
    }
}

impl<T: TryClone> TryClone for Box<[T]> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        // `try_vec` allocates exactly, so the conversion does not reallocate.
        Ok(self.to_vec_fallible()?.into_boxed_slice())
    }
}

trait ToVecFallible<T> {
    fn to_vec_fallible(&self) -> Result<Vec<T>, OutOfMemory>;
}

impl<T: TryClone> ToVecFallible<T> for [T] {
    fn to_vec_fallible(&self) -> Result<Vec<T>, OutOfMemory> {
        let mut v = try_vec(self.len())?;
        for x in self {
            v.push(x.try_clone()?);
        }
        Ok(v)
    }
}

impl<T: TryClone> TryClone for Option<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        self.as_ref().map(T::try_clone).transpose()
    }
}

impl<T> TryClone for TryArc<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(self.clone())
    }
}

impl TryClone for kiln_frontend_wasm::WasmFuncType {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(kiln_frontend_wasm::WasmFuncType {
            params: self.params.try_clone()?,
            results: self.results.try_clone()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_operations_succeed_when_memory_is_available() {
        let mut v: Vec<u32> = try_vec(2).unwrap();
        assert_eq!(v.capacity(), 2);
        v.try_push(1).unwrap();
        v.try_extend_from_slice(&[2, 3]).unwrap();
        assert_eq!(v, [1, 2, 3]);
        assert_eq!(&*try_boxed_slice((0..3).filter(|x| x % 2 == 0)).unwrap(), &[0, 2]);
        let mut m = HashMap::new();
        assert_eq!(m.try_put("a", 1).unwrap(), None);
        assert_eq!(m.try_put("a", 2).unwrap(), Some(1));
        let mut s = HashSet::new();
        assert!(s.try_put(5).unwrap());
        assert!(!s.try_put(5).unwrap());
        assert_eq!(*try_box(7u64).unwrap(), 7);
        assert_eq!(try_string("kiln").unwrap(), "kiln");
        assert_eq!(vec![String::from("x")].try_clone().unwrap(), ["x"]);
    }

    #[test]
    fn impossible_requests_are_errors_not_aborts() {
        let e = try_vec::<u64>(usize::MAX / 4).unwrap_err();
        assert_eq!(e.requested(), usize::MAX);
        let mut v = vec![1u8];
        assert!(v.try_reserve_oom(usize::MAX).is_err());
        assert_eq!(v, [1]);
    }

    #[test]
    fn try_arc_counts_references_and_drops_the_value_once() {
        struct Noisy(std::sync::Arc<AtomicUsize>);
        impl Drop for Noisy {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let a = TryArc::try_new(Noisy(drops.clone())).unwrap();
        let b = a.clone();
        assert!(TryArc::ptr_eq(&a, &b));
        let t = std::thread::spawn(move || drop(b));
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(a);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
