//! A global allocator for out-of-memory tests: it counts the current thread's allocations
//! while armed and can fail the N-th one, and tracks the thread's live blocks and bytes.
//! Included by `runtime/tests/oom.rs` and by the `oom` fuzz target (`fuzz/lib`), which
//! declare it as their `#[global_allocator]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Per-thread bookkeeping. Const-initialised `Cell`s without destructors: reading them from the
/// allocator never allocates or registers anything.
#[derive(Clone, Copy)]
struct State {
    /// Allocations counted since `arm` (only while `armed`).
    counted: usize,
    armed: bool,
    /// The counted allocation to fail (`usize::MAX`: none).
    fail_at: usize,
    /// Whether the failure was injected.
    failed: bool,
    /// Blocks and bytes allocated minus freed on this thread, always tracked.
    live_blocks: isize,
    live_bytes: isize,
}

thread_local! {
    static STATE: Cell<State> = const {
        Cell::new(State {
            counted: 0,
            armed: false,
            fail_at: usize::MAX,
            failed: false,
            live_blocks: 0,
            live_bytes: 0,
        })
    };
}

fn update<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE
        .try_with(|s| {
            let mut st = s.get();
            let r = f(&mut st);
            s.set(st);
            r
        })
        .ok()
}

/// The system allocator, counting this thread's allocations and able to fail one of them.
pub struct FailingAllocator;

impl FailingAllocator {
    /// Counts an allocation point; whether it must fail.
    fn should_fail() -> bool {
        update(|s| {
            if !s.armed {
                return false;
            }
            let i = s.counted;
            s.counted += 1;
            if i == s.fail_at {
                s.failed = true;
                return true;
            }
            false
        })
        .unwrap_or(false)
    }

    fn track(blocks: isize, bytes: isize) {
        update(|s| {
            s.live_blocks += blocks;
            s.live_bytes += bytes;
        });
    }
}

// SAFETY: delegates to the system allocator; failing is returning null, which is allowed.
unsafe impl GlobalAlloc for FailingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Self::should_fail() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Self::track(1, layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Self::should_fail() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Self::track(1, layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::track(-1, -(layout.size() as isize));
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if Self::should_fail() {
            return std::ptr::null_mut(); // the old block stays valid
        }
        // SAFETY: forwarded contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            Self::track(0, new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Starts counting this thread's allocations, failing the `fail_at`-th (if any).
pub fn arm(fail_at: Option<usize>) {
    update(|s| {
        s.armed = true;
        s.counted = 0;
        s.fail_at = fail_at.unwrap_or(usize::MAX);
        s.failed = false;
    });
}

/// Stops counting: (allocations counted, whether the failure was injected).
pub fn disarm() -> (usize, bool) {
    update(|s| {
        s.armed = false;
        s.fail_at = usize::MAX;
        (s.counted, s.failed)
    })
    .expect("thread-local state")
}

/// Blocks and bytes allocated minus freed on this thread so far.
pub fn live() -> (isize, isize) {
    update(|s| (s.live_blocks, s.live_bytes)).expect("thread-local state")
}
