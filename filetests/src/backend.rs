//! Where a code generator plugs in: `test run` and `test compile` need one.
//!
//! Without one ([`Options::backend`](crate::Options::backend) is `None`) both tests are skipped
//! with [`NEEDS_BACKEND`]; `kiln test` sets [`X64Backend`](crate::X64Backend). The runner
//! compiles the file once per `target x86_64` line (other ISAs are skipped with a reason; no
//! target line means the host) and checks the same `; run:`/`; trap:` lines as `test
//! interpret`, while `test compile` filechecks each function's listing against its `; check:`
//! directives (or compares it verbatim under `precise-output`).

use kiln_ir::interpreter::InterpreterError;
use kiln_ir::parser::{SetLine, TargetLine};
use kiln_ir::{DataValue, Function};

/// The skip reason while no backend is available.
pub const NEEDS_BACKEND: &str = "needs the x86-64 backend (none configured)";

/// Executes the functions of a test file by name, as `; run:` lines call them.
pub trait Executor {
    /// Calls the function named `name` (`%f` or `u0:1`); a trap is
    /// `Err(InterpreterError::Trap(code))`.
    fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError>;
}

/// A code generator the runner can use for `test run` and `test compile`.
pub trait Backend: Send + Sync {
    /// The ISA of `target` lines it handles, e.g. `x86_64`.
    fn isa(&self) -> &str;

    /// Compiles all `functions` of a file for `target` (`None`: the host) with the file's
    /// settings, and returns something that calls them.
    fn compile_for_run<'a>(
        &'a self,
        functions: &'a [Function],
        target: Option<&TargetLine>,
        settings: &[SetLine],
    ) -> Result<Box<dyn Executor + 'a>, String>;

    /// Why code for `target` cannot run on this machine (e.g. the host CPU lacks one of its
    /// features), or `None` if it can. `test run` skips such targets with this reason.
    fn cannot_run(&self, target: Option<&TargetLine>) -> Option<String> {
        let _ = target;
        None
    }

    /// Compiles one function and returns its listing (what `test compile` filechecks).
    fn compile_listing(
        &self,
        func: &Function,
        target: Option<&TargetLine>,
        settings: &[SetLine],
    ) -> Result<String, String>;
}
