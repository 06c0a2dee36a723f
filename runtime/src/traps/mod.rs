//! Traps: faults in generated code returned to the host as [`Trap`] values, never a crash.
//!
//! - [`registry`]: which address ranges are Kiln code, with their trap tables and function
//!   names (register when code is published, unregister on drop).
//! - [`catch_traps`]: run a call into generated code; a trap in it comes back as `Err(Trap)`.
//! - `signals`: the SIGSEGV/SIGBUS/SIGILL/SIGFPE handlers (on a per-thread alternate stack)
//!   that recognise Kiln faults and pass everything else to the previous handler.
//!
//! Only x86-64 Linux is supported.

mod catch;
pub mod registry;
mod signals;

#[cfg(test)]
mod tests;

pub use catch::{activation_depth, catch_traps, current_stack_pointer};
pub use registry::{CodeInfo, CodeRegistration, FunctionInfo, RegisteredCode, RegistryError};
pub use signals::{ensure_alt_stack, ensure_installed, ALT_STACK_SIZE};

use kiln_ir::TrapCode;
use std::fmt;

/// How the trap code of a [`Trap`] was determined.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrapReason {
    /// The faulting instruction has a record in the trap table.
    Recorded,
    /// Raised by the host (e.g. a runtime function failed), with no faulting instruction.
    Host,
    /// A memory fault in Kiln code at an instruction with no trap record: reported as an out
    /// of bounds access, but it points at a missing record or a code generation bug.
    UnrecordedMemoryFault,
    /// A memory fault in Kiln code at an instruction with no trap record, at an address next
    /// to the stack pointer: reported as stack exhaustion.
    UnrecordedStackFault,
    /// A division fault (SIGFPE) in Kiln code with no trap record.
    UnrecordedArithmetic,
    /// An illegal instruction (SIGILL) in Kiln code with no trap record.
    UnrecordedIllegalInstruction,
}

/// A trap: why generated code stopped, and where.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub struct Trap {
    /// The trap code.
    pub code: TrapCode,
    /// How the code was determined.
    pub reason: TrapReason,
    /// The pc of the faulting instruction (`None` for traps raised by the host).
    pub pc: Option<usize>,
    /// The name of the function containing `pc`, if known.
    pub function: Option<String>,
    /// The faulting data address of a memory fault.
    pub fault_address: Option<usize>,
}

impl Trap {
    /// A trap raised by the host, with no faulting instruction.
    pub fn new(code: TrapCode) -> Self {
        Trap {
            code,
            reason: TrapReason::Host,
            pc: None,
            function: None,
            fault_address: None,
        }
    }

    fn from_state(state: catch::TrapState) -> Self {
        Trap {
            code: state.code,
            reason: state.reason,
            pc: Some(state.pc),
            function: registry::function_name(state.pc),
            fault_address: state.fault_address,
        }
    }

    /// The message for the trap code alone, worded like Wasmtime's (the spec test suite's
    /// `assert_trap` texts are substrings of these).
    pub fn message(&self) -> TrapMessage {
        TrapMessage(self.code)
    }
}

/// The description of a trap code: `integer divide by zero`, `out of bounds memory access`...
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TrapMessage(pub TrapCode);

impl fmt::Display for TrapMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::HeapOutOfBounds => "out of bounds memory access",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::UnreachableCodeReached => "wasm `unreachable` instruction executed",
            TrapCode::Interrupt => "interrupted",
            TrapCode::User(n) => return write!(f, "user trap {n}"),
        })
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message())?;
        match (&self.function, self.pc) {
            (Some(name), Some(pc)) => write!(f, " in `{name}` at pc {pc:#x}")?,
            (None, Some(pc)) => write!(f, " at pc {pc:#x}")?,
            _ => {}
        }
        let addr = self.fault_address.unwrap_or(0);
        match self.reason {
            TrapReason::Recorded | TrapReason::Host => Ok(()),
            TrapReason::UnrecordedMemoryFault => write!(
                f,
                " (memory fault at {addr:#x} at an instruction without a trap record)"
            ),
            TrapReason::UnrecordedStackFault => write!(
                f,
                " (stack fault at {addr:#x} at an instruction without a trap record)"
            ),
            TrapReason::UnrecordedArithmetic => {
                f.write_str(" (arithmetic fault at an instruction without a trap record)")
            }
            TrapReason::UnrecordedIllegalInstruction => {
                f.write_str(" (illegal instruction without a trap record)")
            }
        }
    }
}
