//! Deserialization helpers that report allocation failure instead of aborting.
//!
//! Serde's own `Vec`, `Box<[T]>` and `String` deserializers allocate with the standard
//! (aborting) allocation functions. Fields that hold such collections name one of these
//! functions in `#[serde(deserialize_with = ...)]`: they grow with `try_reserve`, and when an
//! allocation fails they return a custom serde error and record the [`OutOfMemory`] in a
//! thread-local, which the caller collects with [`take_failure`] to report an out-of-memory
//! error rather than a malformed input. (Formats such as `postcard` drop custom error
//! messages without allocating, so the failure travels as that record.)
//!
//! The embedding runtime uses the same helpers for its own serialized types.

use kiln_ir::OutOfMemory;
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

thread_local! {
    /// The allocation failure of the current deserialization, if any. Const-initialised and
    /// without destructor: touching it never allocates.
    static FAILURE: Cell<Option<OutOfMemory>> = const { Cell::new(None) };
}

/// Takes (and clears) the allocation failure recorded on this thread by a helper of this
/// module. Call it before deserializing (to clear a stale record) and when deserialization
/// fails (to tell running out of memory from bad input).
pub fn take_failure() -> Option<OutOfMemory> {
    FAILURE.try_with(Cell::take).ok().flatten()
}

/// Records a failed allocation of `requested` bytes and returns the error to propagate.
fn failed<E: de::Error>(requested: usize) -> E {
    let oom = OutOfMemory::new(requested);
    let _ = FAILURE.try_with(|f| f.set(Some(oom)));
    E::custom(oom)
}

/// The most bytes reserved ahead on the strength of a length the input announces.
const MAX_PREALLOCATION: usize = 1 << 20;

/// Pushes the elements of `seq` into a vector, each converted by `f`, growing fallibly.
fn collect_seq<'de, A, W, T>(mut seq: A, f: impl Fn(W) -> T) -> Result<Vec<T>, A::Error>
where
    A: SeqAccess<'de>,
    W: Deserialize<'de>,
{
    let size = size_of::<T>().max(1);
    let ahead = seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATION / size);
    let mut v = Vec::new();
    v.try_reserve_exact(ahead)
        .map_err(|_| failed(ahead.saturating_mul(size)))?;
    while let Some(x) = seq.next_element::<W>()? {
        v.try_reserve(1)
            .map_err(|_| failed(v.len().saturating_add(1).saturating_mul(size)))?;
        v.push(f(x));
    }
    Ok(v)
}

struct VecVisitor<W, T, F>(F, PhantomData<fn(W) -> T>);

impl<'de, W: Deserialize<'de>, T, F: Fn(W) -> T> Visitor<'de> for VecVisitor<W, T, F> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
        collect_seq(seq, self.0)
    }
}

/// A `Vec<T>`.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_seq(VecVisitor(|x: T| x, PhantomData))
}

/// Moves `v` into a boxed slice without the infallible reallocation of
/// `Vec::into_boxed_slice` when its capacity exceeds its length.
fn exact_box<T, E: de::Error>(v: Vec<T>) -> Result<Box<[T]>, E> {
    if v.len() == v.capacity() {
        return Ok(v.into_boxed_slice());
    }
    let mut exact = Vec::new();
    exact
        .try_reserve_exact(v.len())
        .map_err(|_| failed(v.len().saturating_mul(size_of::<T>())))?;
    exact.extend(v);
    Ok(exact.into_boxed_slice())
}

/// A `Box<[T]>`.
pub fn boxed_slice<'de, D, T>(d: D) -> Result<Box<[T]>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    exact_box(vec(d)?)
}

/// A `String` (read as a borrowed `str` and copied into an exact allocation).
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_str(StringVisitor)
}

struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        let mut out = String::new();
        out.try_reserve_exact(s.len())
            .map_err(|_| failed(s.len()))?;
        out.push_str(s);
        Ok(out)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<String, E> {
        Ok(s) // already allocated by the format
    }
}

/// A `String` as a value of its own, for sequences of tuples holding strings.
struct TryString(String);

impl<'de> Deserialize<'de> for TryString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string(d).map(TryString)
    }
}

/// An `Option<String>`.
pub fn option_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<TryString>::deserialize(d).map(|s| s.map(|s| s.0))
}

/// A `Vec<(u32, String)>`.
pub fn indexed_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(u32, String)>, D::Error> {
    d.deserialize_seq(VecVisitor(|(i, s): (u32, TryString)| (i, s.0), PhantomData))
}
