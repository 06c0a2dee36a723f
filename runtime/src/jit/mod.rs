//! A JIT for custom frontends: compile `kiln-ir` functions into memory and call them, with no
//! WebAssembly involved.
//!
//! 1. Make a [`JitModule`] for an [`Engine`](crate::Engine) (its code generator and CPU
//!    features).
//! 2. Declare functions ([`JitModule::declare_function`]: name, [`Linkage`], signature) and
//!    data objects ([`JitModule::declare_data`]) by name; the ids they return are how IR and
//!    the host refer to them.
//! 3. Build each function's IR (for instance with
//!    [`FunctionBuilder`](kiln_ir::frontend::FunctionBuilder)); calls to other functions of
//!    the module or to imports use references from [`JitModule::declare_func_in_func`], data
//!    addresses `func_addr.i64` of [`JitModule::declare_data_in_func`]. Define it with
//!    [`JitModule::define_function`] (verified and compiled there), and data with
//!    [`JitModule::define_data`].
//! 4. Give imports their host symbols: [`JitModule::define_host_function`] for a Rust
//!    `extern "C" fn` (its types are checked), or the unsafe [`JitModule::define_symbol`].
//! 5. [`JitModule::finalize`] lays code and data out, resolves relocations, publishes the code
//!    read+execute (never writable and executable at once) and registers it for traps.
//! 6. [`FinalizedModule::get_func`] returns a [`JitFunc`] whose [`call`](JitFunc::call)
//!    checks nothing at run time — the parameter and result types were checked against the
//!    declaration — and returns traps as errors.
//!
//! ```
//! use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
//! use kiln_ir::types::I64;
//! use kiln_ir::{AbiParam, CallConv, Function, InstBuilder, Signature, UserFuncName};
//! use kiln_runtime::jit::{JitModule, Linkage};
//! use kiln_runtime::{Config, Engine};
//!
//! extern "C" fn host_double(x: i64) -> i64 {
//!     2 * x
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut module = JitModule::new(&Engine::new(&Config::new())?);
//! let mut sig = Signature::new(CallConv::SystemV);
//! sig.params.push(AbiParam::new(I64));
//! sig.returns.push(AbiParam::new(I64));
//! let double = module.declare_function("double", Linkage::Import, &sig)?;
//! let f = module.declare_function("f", Linkage::Export, &sig)?;
//!
//! // f(x) = double(x) + 1
//! let mut func = Function::with_name_signature(UserFuncName::testcase("f"), sig.clone());
//! let callee = module.declare_func_in_func(double, &mut func)?;
//! let mut ctx = FunctionBuilderContext::new();
//! let mut b = FunctionBuilder::new(&mut func, &mut ctx);
//! let entry = b.create_block();
//! b.append_block_params_for_function_params(entry);
//! b.switch_to_block(entry);
//! b.seal_block(entry);
//! let x = b.block_params(entry)[0];
//! let call = b.ins().call(callee, &[x]);
//! let d = b.func.dfg.inst_results(call)[0];
//! let r = b.ins().iadd_imm(d, 1);
//! b.ins().return_(&[r]);
//! b.finalize()?;
//!
//! module.define_function(f, &func)?;
//! module.define_host_function("double", host_double as extern "C" fn(i64) -> i64)?;
//! // SAFETY: `f` does no memory access.
//! let code = unsafe { module.finalize()? };
//! let f = code.get_func::<(i64,), i64>(f)?;
//! assert_eq!(f.call((20,))?, 41);
//! # Ok(())
//! # }
//! ```
//!
//! # What it can and cannot do
//!
//! - Functions use the System V convention whatever their declared calling convention (Kiln
//!   uses it for all of them), so a JIT function is an `extern "C" fn` for the host.
//! - Typed calls take up to eight parameters of `i32`, `u32`, `i64`, `u64`, `f32`, `f64` or raw
//!   pointers and return `()` or one such value. Other signatures (narrow integers, `i128`,
//!   vectors, several results) compile and may be called from JIT code, and their address is
//!   available from [`FinalizedModule::func_ptr`], but they have no typed handle.
//! - Data objects have no symbol instruction in the IR: they are addressed with `func_addr`
//!   of a reference that names the data (see [`JitModule::declare_data_in_func`]), resolved to
//!   its address on finalization. Data cannot contain relocations (no pointers to functions
//!   or other objects filled in by the JIT) and is always 16-byte aligned.
//! - Traps: [`JitFunc::call`] runs the code under [`catch_traps`](crate::traps::catch_traps),
//!   so `trap` instructions, division by zero, faults and stack exhaustion return a
//!   [`Trap`](crate::traps::Trap). There is no stack-limit check in JIT prologues (it needs a
//!   `vmctx`): deep recursion is caught as a fault on the guard page, which works for the
//!   thread's own stack; a host function must not let a trap cross it.
//! - A module is finalized once and is immutable afterwards: no incremental definition, no
//!   hot-swapping. Functions of different modules reach each other only as imports (pass the
//!   other module's [`FinalizedModule::func_ptr`] to [`JitModule::define_symbol`]).
//! - Ids belong to the module that made them; an id of another module is not detected
//!   unless it is out of range.

mod error;
mod finalized;
mod module;
mod typed;

#[cfg(test)]
mod tests;

pub use error::JitError;
pub use finalized::FinalizedModule;
pub use module::JitModule;
pub use typed::{HostFunction, JitFunc, JitParams, JitReturn, JitType};

/// IR names `u0:N` refer to function `N` of the module.
const FUNC_NAMESPACE: u32 = 0;
/// IR names `u1:N` refer to data object `N` of the module.
const DATA_NAMESPACE: u32 = 1;

/// Who may see a declared name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Linkage {
    /// Defined in the module, visible only through its id.
    Local,
    /// Defined in the module, and found by name in the finalized module.
    Export,
    /// Defined by the host: given a symbol before finalization.
    Import,
}

/// A function declared in a [`JitModule`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FuncId(u32);

/// A data object declared in a [`JitModule`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DataId(u32);

impl FuncId {
    /// The id's index: functions are numbered from 0 in declaration order.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl DataId {
    /// The id's index: data objects are numbered from 0 in declaration order.
    pub fn index(self) -> u32 {
        self.0
    }
}
