//! The global code registry: which address ranges hold Kiln code, the names of the functions
//! in them and their trap tables, so the signal handler can tell a trap from a host crash.
//!
//! # Signal safety
//!
//! The signal handler must look a pc up without allocating or taking a lock: a `Mutex` or
//! `RwLock` read could deadlock if the signal interrupted a registration on the same thread
//! while it held the lock. So readers never lock:
//!
//! - The registered entries live in an immutable `Snapshot` (a sorted `Vec` of shared
//!   entries); `SNAPSHOT` is an atomic pointer to the current one.
//! - Registration and unregistration take `WRITER` (a mutex only writers use), build a new
//!   snapshot, and swap the pointer.
//! - A reader increments `READERS` *before* loading the pointer and decrements it when done.
//!   A writer frees the old snapshot only after it has swapped the pointer and then seen
//!   `READERS == 0`. With sequentially consistent operations, a reader that the writer did
//!   not see in the count incremented it after the swap, so it loaded the new pointer; any
//!   reader that might hold the old one kept the count above zero.
//!
//! Entries are owned by their [`CodeRegistration`] (snapshots hold pointers to them) and freed
//! after the registration has removed them from the snapshot and the readers have drained.
//!
//! Registering allocates only fallibly (a full registry is an `OutOfMemory` error).
//! Unregistering allocates a new snapshot too; if that fails, the entry is marked dead
//! instead: lookups skip it, and the next write that succeeds drops it from the snapshot and
//! frees it.
//!
//! The writer's wait is a spin with `yield_now`; reads are a few binary searches, done when a
//! thread faults or a trap is turned into an error, so the wait is short. A reader never
//! waits, and a writer interrupted by a signal on its own thread cannot be waited for by that
//! handler (the handler only reads), so nothing can deadlock.

use crate::code_memory::CodeMemory;
use kiln_ir::{OutOfMemory, TrapCode};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

/// A function inside a registered code range, for error messages.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FunctionInfo {
    /// Offset of the function's first byte from the start of the range.
    pub start: u32,
    /// Offset just past the function's last byte.
    pub end: u32,
    /// The function's name.
    pub name: String,
}

/// What the registry knows about one range of code (typically one module's code).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CodeInfo {
    /// The functions in the range (any order; sorted on registration).
    pub functions: Vec<FunctionInfo>,
    /// Trap sites: the offset of an instruction that may trap from the start of the range,
    /// and the code it reports (any order; sorted on registration).
    pub traps: Vec<(u32, TrapCode)>,
}

impl CodeInfo {
    /// A range holding the single function `name` of `len` bytes, with the given trap sites.
    pub fn single(name: &str, len: u32, traps: &[(u32, TrapCode)]) -> Self {
        CodeInfo {
            functions: vec![FunctionInfo {
                start: 0,
                end: len,
                name: name.to_string(),
            }],
            traps: traps.to_vec(),
        }
    }
}

/// Why code could not be registered.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum RegistryError {
    /// The range overlaps one already registered.
    #[error("code range {start:#x}+{len:#x} overlaps registered code at {other:#x}")]
    Overlap {
        /// Start of the new range.
        start: usize,
        /// Its length.
        len: usize,
        /// Start of the registered range it overlaps.
        other: usize,
    },
    /// The range wraps around the address space.
    #[error("code range {start:#x}+{len:#x} wraps around the address space")]
    Wraps {
        /// Start of the range.
        start: usize,
        /// Its length.
        len: usize,
    },
    /// Memory for the registry's tables ran out.
    #[error(transparent)]
    OutOfMemory(#[from] OutOfMemory),
}

/// `Box::new(value)`, or an error if the allocation fails.
fn try_box<T>(value: T) -> Result<Box<T>, OutOfMemory> {
    // A one-element vector of exact capacity has `Box`'s layout.
    let mut v = Vec::new();
    v.try_reserve_exact(1)
        .map_err(|_| OutOfMemory::new(size_of::<T>()))?;
    v.push(value);
    let one: Box<[T]> = v.into_boxed_slice();
    // SAFETY: a boxed slice of one `T` is an allocation of `T`'s layout holding one `T`.
    Ok(unsafe { Box::from_raw(Box::into_raw(one).cast::<T>()) })
}

/// `v` as a boxed slice, without the infallible reallocation of `into_boxed_slice` when its
/// capacity exceeds its length.
fn exact_boxed<T>(v: Vec<T>) -> Result<Box<[T]>, OutOfMemory> {
    if v.len() == v.capacity() {
        return Ok(v.into_boxed_slice());
    }
    let mut exact = Vec::new();
    exact
        .try_reserve_exact(v.len())
        .map_err(|_| OutOfMemory::new(v.len() * size_of::<T>()))?;
    exact.extend(v);
    Ok(exact.into_boxed_slice())
}

/// One registered range, immutable once built.
#[derive(Debug)]
struct Entry {
    start: usize,
    end: usize,
    /// Sorted by start.
    functions: Box<[FunctionInfo]>,
    /// Sorted by offset.
    traps: Box<[(u32, TrapCode)]>,
    /// Unregistered, but still in the snapshot (memory for a new one ran out).
    dead: AtomicBool,
}

/// An entry in a snapshot. The entry is owned by its registration, which frees it only once
/// no snapshot or reader refers to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EntryRef(NonNull<Entry>);

// SAFETY: an `Entry` is immutable but for an atomic flag, so shared access from any thread is
// sound; the pointer is valid while any snapshot holds it (see `EntryRef`).
unsafe impl Send for EntryRef {}
// SAFETY: as above.
unsafe impl Sync for EntryRef {}

impl std::ops::Deref for EntryRef {
    type Target = Entry;
    fn deref(&self) -> &Entry {
        // SAFETY: entries outlive every snapshot holding them and every reader of those.
        unsafe { self.0.as_ref() }
    }
}

impl EntryRef {
    fn is_dead(&self) -> bool {
        self.dead.load(SeqCst)
    }

    /// Frees the entry.
    ///
    /// # Safety
    ///
    /// No snapshot may hold it and no reader may be using it; it came from `try_box`.
    unsafe fn free(self) {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

impl Entry {
    fn trap_at(&self, offset: u32) -> Option<TrapCode> {
        let i = self.traps.binary_search_by_key(&offset, |t| t.0).ok()?;
        Some(self.traps[i].1)
    }

    fn function_at(&self, offset: u32) -> Option<&FunctionInfo> {
        let i = self.functions.partition_point(|f| f.start <= offset);
        let f = self.functions.get(i.checked_sub(1)?)?;
        (offset < f.end).then_some(f)
    }
}

/// The registered ranges, sorted by start; never changed once published.
#[derive(Debug, Default)]
struct Snapshot {
    entries: Vec<EntryRef>,
}

impl Snapshot {
    fn find(&self, pc: usize) -> Option<&Entry> {
        let i = self.entries.partition_point(|e| e.start <= pc);
        let e = self.entries.get(i.checked_sub(1)?)?;
        (pc < e.end && !e.is_dead()).then_some(&**e)
    }
}

/// The current snapshot (null: nothing registered yet).
static SNAPSHOT: AtomicPtr<Snapshot> = AtomicPtr::new(std::ptr::null_mut());
/// Readers currently holding a snapshot pointer.
static READERS: AtomicUsize = AtomicUsize::new(0);
/// Serialises writers; readers never touch it.
static WRITER: Mutex<()> = Mutex::new(());

/// Runs `f` on the current snapshot. Lock- and allocation-free (when `f` is): callable from a
/// signal handler.
fn read<R>(f: impl FnOnce(&Snapshot) -> R) -> R {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            READERS.fetch_sub(1, SeqCst);
        }
    }
    READERS.fetch_add(1, SeqCst);
    let _leave = Leave;
    let ptr = SNAPSHOT.load(SeqCst);
    // SAFETY: a snapshot is freed only after it was unpublished and READERS was seen at zero
    // (see the module documentation); we counted ourselves before loading the pointer.
    match unsafe { ptr.as_ref() } {
        Some(snapshot) => f(snapshot),
        None => f(&Snapshot::default()),
    }
}

fn lock_writer() -> std::sync::MutexGuard<'static, ()> {
    // A panic while holding the lock cannot leave the snapshot half-edited (edits are on a
    // copy), so a poisoned lock is still usable.
    WRITER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Replaces the snapshot by `edit` applied to a copy of its live entries (with room for
/// `extra` more), and frees the old snapshot and its dead entries once no reader can hold
/// them. If memory for the copy runs out, nothing changes.
fn write<R>(extra: usize, edit: impl FnOnce(&mut Vec<EntryRef>) -> R) -> Result<R, OutOfMemory> {
    let _guard = lock_writer();
    let old = SNAPSHOT.load(SeqCst);
    // SAFETY: only writers replace or free snapshots, and we are the only writer.
    let old_entries: &[EntryRef] = unsafe { old.as_ref() }.map_or(&[], |s| &s.entries);
    let live = old_entries.iter().filter(|e| !e.is_dead());
    let n = live.clone().count() + extra;
    let mut entries = Vec::new();
    entries
        .try_reserve_exact(n)
        .map_err(|_| OutOfMemory::new(n * size_of::<EntryRef>()))?;
    entries.extend(live.copied());
    let result = edit(&mut entries);
    let new = Box::into_raw(try_box(Snapshot { entries })?);
    SNAPSHOT.store(new, SeqCst);
    while READERS.load(SeqCst) != 0 {
        std::thread::yield_now();
    }
    if !old.is_null() {
        // SAFETY: `old` came from `Box::into_raw` and no reader can still hold it.
        let old = unsafe { Box::from_raw(old) };
        for e in old.entries.iter().filter(|e| e.is_dead()) {
            // SAFETY: a dead entry's registration is gone and left it to us; the new snapshot
            // does not hold it and no reader holds the old one.
            unsafe { e.free() };
        }
    }
    Ok(result)
}

/// A trap site found for a pc.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PcInfo {
    /// The trap code recorded for the instruction at the pc, if any.
    pub trap: Option<TrapCode>,
}

/// Whether `pc` is in registered code and, if so, its trap record. Signal-safe.
pub(crate) fn lookup_pc(pc: usize) -> Option<PcInfo> {
    read(|s| {
        let e = s.find(pc)?;
        let trap = u32::try_from(pc - e.start)
            .ok()
            .and_then(|off| e.trap_at(off));
        Some(PcInfo { trap })
    })
}

/// The name of the registered function containing `pc`. Allocates: not for signal handlers.
/// `None` also if memory for the name runs out (a trap must still be reported).
pub fn function_name(pc: usize) -> Option<String> {
    read(|s| {
        let e = s.find(pc)?;
        let off = u32::try_from(pc - e.start).ok()?;
        let name = &e.function_at(off)?.name;
        let mut copy = String::new();
        copy.try_reserve_exact(name.len()).ok()?;
        copy.push_str(name);
        Some(copy)
    })
}

/// Whether `pc` is in registered Kiln code.
pub fn is_kiln_code(pc: usize) -> bool {
    lookup_pc(pc).is_some()
}

/// The trap code recorded for the instruction at `pc`, if `pc` is registered code with a
/// trap record there.
pub fn trap_code_at(pc: usize) -> Option<TrapCode> {
    lookup_pc(pc)?.trap
}

/// A registered code range; dropping it unregisters the range.
#[derive(Debug)]
pub struct CodeRegistration {
    start: usize,
    len: usize,
    entry: EntryRef,
}

impl CodeRegistration {
    /// Registers `len` bytes at `start` as Kiln code described by `info`.
    ///
    /// # Safety
    ///
    /// The range must hold generated code that obeys the trap protocol of
    /// [`catch_traps`](super::catch_traps): a fault in it, inside an activation, resumes the
    /// host at the activation's entry, skipping every frame in between. Registering host code
    /// would make its faults skip Rust frames.
    pub unsafe fn new(start: *const u8, len: usize, info: CodeInfo) -> Result<Self, RegistryError> {
        let start = start as usize;
        let end = start
            .checked_add(len)
            .ok_or(RegistryError::Wraps { start, len })?;
        let CodeInfo {
            mut functions,
            mut traps,
        } = info;
        // Unstable sorts do not allocate (starts and offsets are distinct anyway).
        functions.sort_unstable_by_key(|f| f.start);
        traps.sort_unstable_by_key(|t| t.0);
        let entry = try_box(Entry {
            start,
            end,
            functions: exact_boxed(functions)?,
            traps: exact_boxed(traps)?,
            dead: AtomicBool::new(false),
        })?;
        let entry = EntryRef(NonNull::from(Box::leak(entry)));
        let inserted = write(1, |entries| {
            let i = entries.partition_point(|e| e.start < start);
            let overlaps = |e: &EntryRef| e.start < end && start < e.end;
            let clash = [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter_map(|j| entries.get(j))
                .find(|e| overlaps(e));
            if let Some(other) = clash {
                return Err(RegistryError::Overlap {
                    start,
                    len,
                    other: other.start,
                });
            }
            entries.insert(i, entry); // within the reserved room
            Ok(())
        });
        match inserted.map_err(RegistryError::from).and_then(|r| r) {
            Ok(()) => Ok(CodeRegistration { start, len, entry }),
            Err(e) => {
                // SAFETY: no snapshot took the entry.
                unsafe { entry.free() };
                Err(e)
            }
        }
    }

    /// Start of the registered range.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Length of the registered range.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for CodeRegistration {
    fn drop(&mut self) {
        let entry = self.entry;
        match write(0, |entries| entries.retain(|&e| e != entry)) {
            // SAFETY: the current snapshot no longer holds the entry and the readers of the
            // old one have drained.
            Ok(()) => unsafe { entry.free() },
            Err(_) => {
                // Under the lock, so that no writer is between copying the entry and freeing
                // the dead entries of the snapshot it replaced.
                let _guard = lock_writer();
                entry.dead.store(true, SeqCst);
            }
        }
    }
}

/// Published code together with its registration. The registration is dropped first, so the
/// range is never registered while unmapped (and a later mapping at the same address can be
/// registered again).
#[derive(Debug)]
pub struct RegisteredCode {
    // Field order matters: fields drop in declaration order.
    registration: CodeRegistration,
    code: CodeMemory,
}

impl RegisteredCode {
    /// Registers the code of `code` (its first `code.len()` bytes) as described by `info`.
    pub fn new(code: CodeMemory, info: CodeInfo) -> Result<Self, RegistryError> {
        // SAFETY: the mapping holds code that runs only when someone calls it, which is
        // unsafe and carries the obligations of the trap protocol.
        let registration = unsafe { CodeRegistration::new(code.base(), code.len(), info)? };
        Ok(RegisteredCode { registration, code })
    }

    /// The code.
    pub fn code(&self) -> &CodeMemory {
        &self.code
    }

    /// The registration.
    pub fn registration(&self) -> &CodeRegistration {
        &self.registration
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A range of address space nothing else registers: a fresh inaccessible reservation.
    fn range(len: usize) -> crate::mmap::Mmap {
        crate::mmap::Mmap::reserve(len).unwrap()
    }

    #[test]
    fn lookup_finds_trap_records_and_names() {
        let m = range(4096);
        let base = m.as_ptr() as usize;
        let info = CodeInfo {
            functions: vec![
                FunctionInfo {
                    start: 16,
                    end: 40,
                    name: "second".into(),
                },
                FunctionInfo {
                    start: 0,
                    end: 16,
                    name: "first".into(),
                },
            ],
            traps: vec![
                (30, TrapCode::IntegerDivisionByZero),
                (4, TrapCode::HeapOutOfBounds),
            ],
        };
        // SAFETY: nothing ever runs in this range.
        let reg = unsafe { CodeRegistration::new(m.as_ptr(), 40, info) }.unwrap();
        assert_eq!(trap_code_at(base + 4), Some(TrapCode::HeapOutOfBounds));
        assert_eq!(
            trap_code_at(base + 30),
            Some(TrapCode::IntegerDivisionByZero)
        );
        assert_eq!(trap_code_at(base + 5), None);
        assert!(is_kiln_code(base + 5));
        assert!(is_kiln_code(base));
        assert!(is_kiln_code(base + 39));
        assert!(!is_kiln_code(base + 40));
        assert!(!is_kiln_code(base.wrapping_sub(1)));
        assert_eq!(function_name(base).as_deref(), Some("first"));
        assert_eq!(function_name(base + 15).as_deref(), Some("first"));
        assert_eq!(function_name(base + 16).as_deref(), Some("second"));
        assert_eq!(function_name(base + 39).as_deref(), Some("second"));
        assert_eq!(function_name(base + 40), None);
        drop(reg);
        assert!(!is_kiln_code(base + 5));
        assert_eq!(trap_code_at(base + 4), None);
        assert_eq!(function_name(base), None);
    }

    #[test]
    fn overlapping_ranges_are_rejected_and_neighbours_accepted() {
        let m = range(3 * 4096);
        let p = m.as_ptr();
        // SAFETY: nothing ever runs in these ranges.
        unsafe {
            let a = CodeRegistration::new(p.add(100), 100, CodeInfo::default()).unwrap();
            for (off, len) in [(50, 51), (199, 10), (120, 5), (0, 300)] {
                let e = CodeRegistration::new(p.add(off), len, CodeInfo::default()).unwrap_err();
                assert_eq!(
                    e,
                    RegistryError::Overlap {
                        start: p as usize + off,
                        len,
                        other: p as usize + 100
                    }
                );
            }
            let before = CodeRegistration::new(p.add(50), 50, CodeInfo::default()).unwrap();
            let after = CodeRegistration::new(p.add(200), 10, CodeInfo::default()).unwrap();
            assert!(is_kiln_code(p as usize + 99) && is_kiln_code(p as usize + 200));
            drop(a);
            assert!(!is_kiln_code(p as usize + 150));
            assert!(is_kiln_code(p as usize + 99) && is_kiln_code(p as usize + 200));
            // The freed range can be registered again.
            let again = CodeRegistration::new(p.add(100), 100, CodeInfo::default()).unwrap();
            assert!(is_kiln_code(p as usize + 150));
            drop((before, after, again));
            assert!(!is_kiln_code(p as usize + 99));
        }
        // SAFETY: nothing runs here either.
        let wraps =
            unsafe { CodeRegistration::new(usize::MAX as *const u8, 2, CodeInfo::default()) };
        assert!(matches!(wraps, Err(RegistryError::Wraps { .. })));
    }

    #[test]
    fn concurrent_registration_and_lookup() {
        let m = Arc::new(range(64 * 4096));
        let base = m.as_ptr() as usize;
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let off = (t * 16 + i % 16) * 4096;
                        let info = CodeInfo::single("f", 64, &[(8, TrapCode::User(t as u16))]);
                        // SAFETY: nothing ever runs in this range.
                        let reg = unsafe { CodeRegistration::new(m.as_ptr().add(off), 64, info) }
                            .unwrap();
                        assert_eq!(trap_code_at(base + off + 8), Some(TrapCode::User(t as u16)));
                        drop(reg);
                        assert_eq!(trap_code_at(base + off + 8), None);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
