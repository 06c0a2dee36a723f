//! The signal handlers that turn faults in Kiln code into traps, and the per-thread alternate
//! signal stack they run on.
//!
//! Handlers for SIGSEGV, SIGBUS, SIGILL and SIGFPE are installed once per process. A signal is
//! a trap when the thread is inside [`catch_traps`](super::catch_traps) and the faulting pc is
//! registered Kiln code; then the handler records the trap and rewrites the context to resume
//! in the activation's landing routine, and returns (the kernel's `sigreturn` restores the
//! signal mask and leaves the alternate stack). Anything else goes to the handler that was
//! installed before Kiln's.
//!
//! `SA_NODEFER` is not needed: we never jump out of the handler, we return from it, so the
//! signal mask is restored by `sigreturn`. `SA_ONSTACK` makes faults with an unusable stack
//! pointer (stack exhaustion) deliverable.

use super::catch::{begin_unwind, TrapState};
use super::registry::lookup_pc;
use super::TrapReason;
use kiln_ir::TrapCode;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::Once;

/// The signals Kiln handles.
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers installed before Kiln's, by index in [`SIGNALS`].
struct PreviousActions([UnsafeCell<MaybeUninit<libc::sigaction>>; 4]);

// SAFETY: written only inside `INSTALL` before Kiln's handlers are installed, read only by
// those handlers afterwards.
unsafe impl Sync for PreviousActions {}

static PREVIOUS: PreviousActions =
    PreviousActions([const { UnsafeCell::new(MaybeUninit::uninit()) }; 4]);
static INSTALL: Once = Once::new();

/// Installs Kiln's signal handlers, once per process.
pub fn ensure_installed() {
    INSTALL.call_once(|| {
        for (i, &sig) in SIGNALS.iter().enumerate() {
            // SAFETY: plain sigaction calls with valid pointers. The previous action is read
            // first and stored before ours is installed, so our handler never sees it
            // unwritten. (Another thread changing the action between the two calls would be
            // lost; nothing in a Kiln process does that concurrently with the first entry.)
            unsafe {
                let prev = PREVIOUS.0[i].get();
                let rc = libc::sigaction(sig, std::ptr::null(), (*prev).as_mut_ptr());
                assert_eq!(rc, 0, "sigaction query cannot fail for a valid signal");
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                let rc = libc::sigaction(sig, &action, std::ptr::null_mut());
                assert_eq!(rc, 0, "sigaction cannot fail for a valid signal");
            }
        }
    });
}

/// The address of Kiln's handler, for tests that check it is installed.
#[cfg(test)]
pub(crate) fn handler_address() -> usize {
    handler as *const () as usize
}

/// Decides whether the signal is a trap, and if so redirects the context. Signal-safe: no
/// allocation, no lock.
unsafe fn handle_trap(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) -> bool {
    // SAFETY: with SA_SIGINFO, the kernel passes a valid ucontext_t.
    let uc = unsafe { &mut *ctx.cast::<libc::ucontext_t>() };
    let regs = &mut uc.uc_mcontext.gregs;
    let pc = regs[libc::REG_RIP as usize] as usize;
    // A signal sent by a process (kill, tkill, raise) is not a fault of the instruction at
    // the pc, even when the pc is Kiln code.
    // SAFETY: the kernel's siginfo.
    if unsafe { (*info).si_code } <= 0 {
        return false;
    }
    // Global statics only until the pc is known to be Kiln code: the thread-local activation
    // is touched only then, when `catch_traps` has already initialised this thread's TLS.
    let Some(found) = lookup_pc(pc) else {
        return false;
    };
    let fault_address = match sig {
        // SAFETY: SIGSEGV and SIGBUS carry the faulting address.
        libc::SIGSEGV | libc::SIGBUS => Some(unsafe { (*info).si_addr() } as usize),
        _ => None,
    };
    let (code, reason) = match (found.trap, sig) {
        (Some(code), _) => (code, TrapReason::Recorded),
        // The backend checks divisors explicitly, but a #DE (divide by zero, or MIN / -1
        // when unchecked) is a division trap all the same.
        (None, libc::SIGFPE) => (
            TrapCode::IntegerDivisionByZero,
            TrapReason::UnrecordedArithmetic,
        ),
        (None, libc::SIGILL) => (
            TrapCode::UnreachableCodeReached,
            TrapReason::UnrecordedIllegalInstruction,
        ),
        // A load or store without a trap record: still never resumed silently. A fault in the
        // stack is the stack running out (a `call`, `push` or frame store reaching the guard
        // page), not a heap access.
        (None, _) => {
            // Inside this thread's stack (or its guard), or within a page below the stack
            // pointer (a `push`/`call` that ran off). Not "near" it above: a fresh mapping may
            // sit right above the stack, and a fault there is a memory fault.
            let addr = fault_address.unwrap_or(0);
            let rsp = regs[libc::REG_RSP as usize] as usize;
            let (low, high) = super::catch::stack_bounds();
            if (low..high).contains(&addr) || (rsp.saturating_sub(4096)..=rsp).contains(&addr) {
                (TrapCode::StackOverflow, TrapReason::UnrecordedStackFault)
            } else {
                (TrapCode::HeapOutOfBounds, TrapReason::UnrecordedMemoryFault)
            }
        }
    };
    let state = TrapState {
        pc,
        code,
        reason,
        fault_address,
    };
    let Some((rip, rsp, rdi)) = begin_unwind(state) else {
        return false;
    };
    regs[libc::REG_RIP as usize] = rip as i64;
    regs[libc::REG_RSP as usize] = rsp as i64;
    regs[libc::REG_RDI as usize] = rdi as i64;
    true
}

unsafe extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // The interrupted code may be reading errno; keep it.
    // SAFETY: errno is thread-local and always readable.
    let errno = unsafe { *libc::__errno_location() };
    // SAFETY: the kernel's arguments for an SA_SIGINFO handler.
    let handled = unsafe { handle_trap(sig, info, ctx) };
    if !handled {
        // SAFETY: forwarding the kernel's arguments.
        unsafe { chain(sig, info, ctx) };
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// Passes a signal that is not a Kiln trap to the previous handler.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(i) = SIGNALS.iter().position(|&s| s == sig) else {
        return;
    };
    // SAFETY: written before our handler was installed (see `ensure_installed`).
    let prev = unsafe { (*PREVIOUS.0[i].get()).assume_init_ref() };
    let action = prev.sa_sigaction;
    if action == libc::SIG_DFL || action == libc::SIG_IGN {
        // Restore the previous disposition; returning then re-executes the faulting
        // instruction, which faults again and gets the default action. A signal that was
        // sent rather than caused by an instruction is not repeated, so send it again: it is
        // blocked while we run and arrives when we return.
        // SAFETY: restoring an action the kernel gave us; raise is async-signal-safe.
        unsafe {
            libc::sigaction(sig, prev, std::ptr::null_mut());
            if (*info).si_code <= 0 && action == libc::SIG_DFL {
                libc::raise(sig);
            }
        }
    } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler was installed as an SA_SIGINFO handler.
        let f: unsafe extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(action) };
        // SAFETY: as the kernel would call it.
        unsafe { f(sig, info, ctx) };
    } else {
        // SAFETY: the previous handler was installed as a plain handler.
        let f: unsafe extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(action) };
        // SAFETY: as the kernel would call it.
        unsafe { f(sig) };
    }
}

/// Size of the alternate signal stack Kiln allocates (without its guard page): room for the
/// kernel's signal frame (several KiB with AVX-512 state), our handler, and a chained handler.
pub const ALT_STACK_SIZE: usize = 64 * 1024;

/// This thread's alternate signal stack, if Kiln installed one; freed at thread exit.
struct AltStack {
    /// Guard page then the stack; `None` if the thread already had a large enough stack or
    /// allocation failed.
    mapping: Option<crate::mmap::Mmap>,
    /// The stack that was installed before ours, restored at thread exit.
    previous: libc::stack_t,
}

impl AltStack {
    fn install() -> AltStack {
        // SAFETY: querying the current alternate stack.
        let mut previous: libc::stack_t = unsafe { std::mem::zeroed() };
        unsafe { libc::sigaltstack(std::ptr::null(), &mut previous) };
        let usable =
            previous.ss_flags & libc::SS_DISABLE == 0 && previous.ss_size >= ALT_STACK_SIZE;
        if usable {
            return AltStack {
                mapping: None,
                previous,
            };
        }
        // A guard page below the stack turns an overflow of the handler into a fault.
        let page = crate::mmap::page_size();
        let mapping = crate::mmap::Mmap::reserve(page + ALT_STACK_SIZE)
            .and_then(|m| m.make_accessible(page, ALT_STACK_SIZE).map(|()| m));
        let Ok(mapping) = mapping else {
            // Without an alternate stack, faults are still handled on the thread's own
            // stack; only a fault with an exhausted stack is lost.
            return AltStack {
                mapping: None,
                previous,
            };
        };
        let stack = libc::stack_t {
            // SAFETY: inside the mapping.
            ss_sp: unsafe { mapping.as_ptr().add(page) }.cast(),
            ss_flags: 0,
            ss_size: ALT_STACK_SIZE,
        };
        // SAFETY: the stack is mapped read-write and lives until this thread exits (the
        // `AltStack` is thread-local and uninstalls it in `drop`).
        let rc = unsafe { libc::sigaltstack(&stack, std::ptr::null_mut()) };
        AltStack {
            mapping: (rc == 0).then_some(mapping),
            previous,
        }
    }

    fn stack_start(&self) -> Option<*mut u8> {
        let m = self.mapping.as_ref()?;
        // SAFETY: inside the mapping.
        Some(unsafe { m.as_ptr().add(crate::mmap::page_size()) })
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let Some(ours) = self.stack_start() else {
            return;
        };
        // SAFETY: querying, then replacing our own stack before unmapping it.
        unsafe {
            let mut current: libc::stack_t = std::mem::zeroed();
            libc::sigaltstack(std::ptr::null(), &mut current);
            if current.ss_sp.cast::<u8>() == ours {
                // Put back what was there (Rust's runtime may free its own stack after us and
                // disables whatever is installed when it does; a stack freed by its owner
                // before us was not installed any more, as ours was).
                let restore = if self.previous.ss_flags & libc::SS_DISABLE != 0 {
                    libc::stack_t {
                        ss_sp: std::ptr::null_mut(),
                        ss_flags: libc::SS_DISABLE,
                        ss_size: 0,
                    }
                } else {
                    self.previous
                };
                libc::sigaltstack(&restore, std::ptr::null_mut());
            }
        }
        // The mapping is unmapped when `self.mapping` drops.
    }
}

thread_local! {
    static ALT_STACK: AltStack = AltStack::install();
}

/// Gives this thread an alternate signal stack of at least [`ALT_STACK_SIZE`] bytes if it has
/// none (done once per thread, on its first entry into generated code).
pub fn ensure_alt_stack() {
    // Fails only during thread teardown, when no Wasm runs any more.
    let _ = ALT_STACK.try_with(|_| ());
}

/// Whether Kiln allocated this thread's alternate stack (false: it had a large enough one,
/// or none could be made), for tests.
#[cfg(test)]
pub(crate) fn alt_stack_is_kilns() -> bool {
    ALT_STACK.with(|s| s.mapping.is_some())
}
