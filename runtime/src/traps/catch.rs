//! Entering generated code with a resume point, and returning there when it traps.
//!
//! [`catch_traps`] pushes an [`Activation`] on a thread-local stack and calls the closure
//! through `kiln_traps_call`, a small assembly routine that first saves the callee-saved
//! registers, the stack pointer and its own return address in the activation's jump buffer.
//! When generated code faults, the signal handler (see `signals.rs`) records the trap in the
//! innermost activation and rewrites the signal context so that returning from the handler
//! enters `kiln_traps_longjmp`, which restores the saved registers and returns 1 from
//! `kiln_traps_call` as if it had returned normally. (Returning 0 means the closure finished.)
//!
//! From the compiler's point of view `kiln_traps_call` is an ordinary `extern "C"` call that
//! returns once: the state it hands back obeys the System V ABI (callee-saved registers and
//! the stack pointer as at the call), so no `returns_twice` trickery is involved.
//!
//! # Frames that are skipped
//!
//! A trap discards every frame between `kiln_traps_call` and the faulting instruction without
//! running anything in them: the Rust frames of the closure and of the generated code. So:
//!
//! - the closure must only call into generated code; any value it owns with a destructor is
//!   leaked if the code traps (leaking is safe, but a lock guard or a pinned value on that
//!   stack would stay locked or be deallocated without its destructor running, which is
//!   wrong);
//! - host functions called *from* generated code must not let a trap cross them: they return
//!   failures as status codes (see `Builtin` in the frontend) and the generated code then
//!   traps itself. A host function may call back into Wasm only through its own
//!   `catch_traps`, which makes a nested activation that catches the inner traps, so a trap
//!   never skips a host frame;
//! - panics must not unwind through generated code (it has no unwind tables); a panic in the
//!   closure itself, before or after the call, is carried across the assembly frame and
//!   resumed by `catch_traps`.

use super::signals;
use super::{Trap, TrapReason};
use kiln_ir::TrapCode;
use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::panic::AssertUnwindSafe;

// Jump buffer layout (u64 slots): rbx rbp r12 r13 r14 r15, rsp after return, return address,
// then MXCSR (4 bytes) and the x87 control word (2 bytes), whose control bits are callee-saved
// too.
std::arch::global_asm!(
    ".text",
    ".globl kiln_traps_call",
    ".type kiln_traps_call,@function",
    ".p2align 4",
    // kiln_traps_call(buf: rdi, callback: rsi, payload: rdx) -> eax: 0 returned, 1 trapped
    "kiln_traps_call:",
    ".cfi_startproc",
    "mov [rdi], rbx",
    "mov [rdi + 8], rbp",
    "mov [rdi + 16], r12",
    "mov [rdi + 24], r13",
    "mov [rdi + 32], r14",
    "mov [rdi + 40], r15",
    "lea rax, [rsp + 8]",
    "mov [rdi + 48], rax",
    "mov rax, [rsp]",
    "mov [rdi + 56], rax",
    "stmxcsr [rdi + 64]",
    "fnstcw [rdi + 68]",
    // Realign the stack to 16 bytes for the call.
    "sub rsp, 8",
    ".cfi_adjust_cfa_offset 8",
    "mov rdi, rdx",
    "call rsi",
    "add rsp, 8",
    ".cfi_adjust_cfa_offset -8",
    "xor eax, eax",
    "ret",
    ".cfi_endproc",
    ".size kiln_traps_call, . - kiln_traps_call",
    "",
    ".globl kiln_traps_longjmp",
    ".type kiln_traps_longjmp,@function",
    ".p2align 4",
    // kiln_traps_longjmp(buf: rdi): entered from a rewritten signal context, never called.
    // It uses no stack until rsp is restored.
    "kiln_traps_longjmp:",
    "mov rbx, [rdi]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "ldmxcsr [rdi + 64]",
    "fldcw [rdi + 68]",
    "cld",
    "mov rsp, [rdi + 48]",
    "mov eax, 1",
    "jmp qword ptr [rdi + 56]",
    ".size kiln_traps_longjmp, . - kiln_traps_longjmp",
);

extern "C" {
    fn kiln_traps_call(
        buf: *mut JmpBuf,
        callback: unsafe extern "C" fn(*mut u8),
        payload: *mut u8,
    ) -> u32;
    fn kiln_traps_longjmp(buf: *mut JmpBuf) -> !;
}

/// Saved host state; see the layout comment above the assembly.
#[repr(C, align(16))]
pub(crate) struct JmpBuf {
    slots: [u64; 9],
}

/// Slot of the stack pointer in [`JmpBuf`].
const SLOT_RSP: usize = 6;

/// What the signal handler found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrapState {
    /// The pc of the faulting instruction.
    pub pc: usize,
    /// The trap code.
    pub code: TrapCode,
    /// Why the code was chosen.
    pub reason: TrapReason,
    /// The faulting data address, for memory faults.
    pub fault_address: Option<usize>,
}

/// One entry into generated code, linked to the enclosing one.
pub(crate) struct Activation {
    buf: UnsafeCell<JmpBuf>,
    trap: Cell<Option<TrapState>>,
    prev: *const Activation,
}

thread_local! {
    /// The innermost activation of this thread (null: not in generated code). Const-initialised
    /// and without a destructor, so reading it from a signal handler is a plain TLS access:
    /// no lazy initialisation, no allocation.
    static CURRENT: Cell<*const Activation> = const { Cell::new(std::ptr::null()) };

    /// This thread's stack, `[lowest address of its guard region, top)`; `(0, 0)` until the
    /// thread first enters `catch_traps`. Const-initialised, so the signal handler can read it.
    static STACK: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// The range of this thread's stack including its guard region, as recorded on its first
/// `catch_traps` (`(0, 0)` if it never entered).
pub(crate) fn stack_bounds() -> (usize, usize) {
    STACK.with(|s| s.get())
}

/// Records this thread's stack range once, so that the signal handler can tell a stack fault
/// from a fault in a mapping that happens to lie next to the stack.
fn record_stack_bounds() {
    if STACK.with(|s| s.get()) != (0, 0) {
        return;
    }
    // SAFETY: plain pthread queries about the calling thread, on an attr we own and destroy.
    let bounds = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let mut guard: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0
            && libc::pthread_attr_getguardsize(&attr, &mut guard) == 0;
        libc::pthread_attr_destroy(&mut attr);
        if !ok {
            return;
        }
        // The main thread's guard is the kernel's gap below the stack: at least a page.
        let guard = guard.max(rustix::param::page_size());
        let low = addr as usize;
        (low.saturating_sub(guard), low + size)
    };
    STACK.with(|s| s.set(bounds));
}

/// The current stack pointer (approximately: that of this function's caller), from which the
/// runtime derives the stack limit it stores in the vmctx (offset 0) on the outermost entry
/// into Wasm: `current_stack_pointer() - max_wasm_stack`.
#[inline(always)]
pub fn current_stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe {
        std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// Number of activations on this thread's stack.
pub fn activation_depth() -> usize {
    let mut n = 0;
    let mut p = CURRENT.with(|c| c.get());
    while !p.is_null() {
        n += 1;
        // SAFETY: activations on the list live in frames of `catch_traps` below us.
        p = unsafe { (*p).prev };
    }
    n
}

/// Called by the signal handler for a fault at `pc` in Kiln code: records the trap in the
/// innermost activation and returns the (rip, rsp, rdi) to resume at, or `None` if the thread
/// is not running generated code under [`catch_traps`]. Signal-safe.
pub(crate) fn begin_unwind(state: TrapState) -> Option<(usize, usize, usize)> {
    // `try_with` cannot fail for a const-initialised TLS without destructor, but never panic
    // in a signal handler.
    let act = CURRENT.try_with(|c| c.get()).ok()?;
    // SAFETY: a non-null CURRENT points to a live activation of this thread.
    let act = unsafe { act.as_ref()? };
    act.trap.set(Some(state));
    let buf = act.buf.get();
    // SAFETY: the buffer was filled by `kiln_traps_call` before any generated code ran.
    let rsp = unsafe { (*buf).slots[SLOT_RSP] } as usize;
    Some((kiln_traps_longjmp as *const () as usize, rsp, buf as usize))
}

/// The closure and its outcome, shared with the callback through a raw pointer.
struct Payload<F, R> {
    f: Option<F>,
    result: Option<R>,
    panic: Option<Box<dyn Any + Send>>,
}

unsafe extern "C" fn call_closure<F: FnOnce() -> R, R>(payload: *mut u8) {
    // SAFETY: `catch_traps` passes a pointer to its `Payload<F, R>`.
    let payload = unsafe { &mut *payload.cast::<Payload<F, R>>() };
    if let Some(f) = payload.f.take() {
        // The closure's panic must not unwind through the assembly frame (it would abort):
        // carry it over and resume it in `catch_traps`.
        match std::panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(r) => payload.result = Some(r),
            Err(p) => payload.panic = Some(p),
        }
    }
}

/// Runs `f`, which calls into generated code, and returns its result, or the trap if the
/// generated code trapped.
///
/// Traps are faults (or `ud2`) in registered Kiln code on this thread while `f` runs. Faults
/// elsewhere — in host code, or in Kiln code with no `catch_traps` on the stack — go to the
/// signal handler that was installed before Kiln's (by default: the process dies as usual).
///
/// Calls nest: generated code may call a host function that calls `catch_traps` again; each
/// trap returns to the innermost call. See the module documentation for what a trap skips:
/// `f` must consist of the call into generated code only, with no value that needs dropping
/// alive across it.
pub fn catch_traps<R, F: FnOnce() -> R>(f: F) -> Result<R, Trap> {
    signals::ensure_installed();
    signals::ensure_alt_stack();
    record_stack_bounds();
    let mut payload = Payload {
        f: Some(f),
        result: None,
        panic: None,
    };
    let act = Activation {
        buf: UnsafeCell::new(JmpBuf { slots: [0; 9] }),
        trap: Cell::new(None),
        prev: CURRENT.with(|c| c.get()),
    };
    CURRENT.with(|c| c.set(&act));
    // SAFETY: the buffer and payload outlive the call; `call_closure::<F, R>` matches the
    // payload's type. A trap returns here with the callee-saved state restored.
    let trapped = unsafe {
        kiln_traps_call(
            act.buf.get(),
            call_closure::<F, R>,
            (&raw mut payload).cast(),
        )
    };
    CURRENT.with(|c| c.set(act.prev));
    if trapped != 0 {
        return Err(match act.trap.get() {
            Some(state) => Trap::from_state(state),
            // Unreachable: only the handler resumes with 1, after recording the trap.
            None => Trap::new(TrapCode::HeapOutOfBounds),
        });
    }
    if let Some(p) = payload.panic {
        std::panic::resume_unwind(p);
    }
    match payload.result {
        Some(r) => Ok(r),
        // Unreachable: the callback stores a result or a panic.
        None => unreachable!("catch_traps: the closure neither returned nor panicked"),
    }
}
