//! The interpreter: the executable specification of every instruction.
//!
//! Calls run on an explicit stack of frames (`frame.rs`), so deep recursion in the IR never
//! recurses in the host; `step.rs` executes one instruction, using `int_ops.rs` and
//! `float_ops.rs` for the arithmetic; `memory.rs` holds the stack slots that `stack_addr`
//! pointers reach.
//!
//! Memory: each frame with stack slots gets a fresh address range (below 2^32, so `i32`
//! addresses work), zero-initialised, with unowned gaps between slots; ranges are not reused
//! during a top-level call, so pointers into returned frames dangle instead of aliasing.
//! Function addresses (`func_addr`) live in a separate range above all memory. Depth, memory
//! and instruction counts are limited ([`Interpreter::with_max_depth`],
//! [`Interpreter::with_max_stack_bytes`], [`Interpreter::with_fuel`]).
//!
//! Float results that are NaN: a NaN operand propagates (the first one, quieted). A NaN made
//! from non-NaN operands (`0 * inf`) has an unspecified sign in the IR, as in Cranelift and Wasm;
//! the interpreter gives `+NaN`, x86 code gives `-NaN`, and run lines compare such NaNs loosely.

mod float_ops;
mod frame;
mod int_ops;
mod memory;
mod step;
#[cfg(test)]
mod tests;

use crate::data_value::DataValue;
use crate::extfunc::UserFuncName;
use crate::function::Function;
use crate::trapcode::TrapCode;
use core::fmt;
use frame::Frame;
use memory::{MemError, Memory, FUNC_BASE, FUNC_STRIDE};
use std::collections::HashMap;
use step::{Control, Env};

/// Why a call in the interpreter did not return values.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum InterpreterError {
    /// The program trapped, as compiled code would.
    Trap(TrapCode),
    /// No function of that name is in the store.
    UnknownFunction(String),
    /// The arguments do not match the signature.
    BadArguments(String),
    /// A memory access outside what the interpreter owns, by an instruction that may not trap.
    InvalidAddress(String),
    /// The step limit was reached.
    FuelExhausted,
    /// Anything else the interpreter cannot execute (an unverified function, say).
    Unsupported(String),
}

impl fmt::Display for InterpreterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpreterError::Trap(code) => write!(f, "trap: {code}"),
            InterpreterError::UnknownFunction(n) => write!(f, "unknown function {n}"),
            InterpreterError::BadArguments(m) => write!(f, "bad arguments: {m}"),
            InterpreterError::InvalidAddress(m) => write!(f, "invalid address: {m}"),
            InterpreterError::FuelExhausted => f.write_str("step limit reached"),
            InterpreterError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for InterpreterError {}

/// The functions a program consists of, found by name for `call`.
#[derive(Default)]
pub struct FunctionStore<'a> {
    funcs: Vec<&'a Function>,
}

impl<'a> FunctionStore<'a> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a function; calls find it by its name (`%name` or `u0:1`). If two functions have
    /// the same name, the first one added is found.
    pub fn add(&mut self, func: &'a Function) {
        self.funcs.push(func);
    }
}

/// The store, indexed for calls by name and by address.
pub(crate) struct Program<'a> {
    funcs: Vec<&'a Function>,
    by_name: HashMap<UserFuncName, usize>,
}

impl<'a> Program<'a> {
    fn new(store: FunctionStore<'a>) -> Self {
        let mut by_name = HashMap::new();
        for (i, f) in store.funcs.iter().enumerate() {
            by_name.entry(f.name.clone()).or_insert(i);
        }
        Self {
            funcs: store.funcs,
            by_name,
        }
    }

    /// The function called `name`, with its index.
    fn lookup(&self, name: &UserFuncName) -> Option<(usize, &'a Function)> {
        let &i = self.by_name.get(name)?;
        Some((i, *self.funcs.get(i)?))
    }

    /// The address `func_addr` gives the function with this index.
    fn address_of(index: usize) -> u64 {
        FUNC_BASE + index as u64 * FUNC_STRIDE
    }

    /// The function at `addr`, if it is a function address.
    fn by_address(&self, addr: u128) -> Option<&'a Function> {
        let off = u64::try_from(addr).ok()?.checked_sub(FUNC_BASE)?;
        if off % FUNC_STRIDE != 0 {
            return None;
        }
        self.funcs
            .get(usize::try_from(off / FUNC_STRIDE).ok()?)
            .copied()
    }
}

/// The default limit on the depth of the call stack.
pub const DEFAULT_MAX_DEPTH: usize = 100_000;
/// The default limit on the bytes of all live frames: their stack slots and their values.
pub const DEFAULT_MAX_STACK_BYTES: u64 = 256 << 20;

/// Executes functions of a [`FunctionStore`].
pub struct Interpreter<'a> {
    program: Program<'a>,
    fuel: Option<u64>,
    fuel_used: u64,
    max_depth: usize,
    max_stack_bytes: u64,
}

impl<'a> Interpreter<'a> {
    /// An interpreter over `store`, without a step limit.
    pub fn new(store: FunctionStore<'a>) -> Self {
        Self {
            program: Program::new(store),
            fuel: None,
            fuel_used: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            max_stack_bytes: DEFAULT_MAX_STACK_BYTES,
        }
    }

    /// Stops with [`InterpreterError::FuelExhausted`] after `steps` instructions (per call of
    /// [`Self::call`] or [`Self::call_by_name`]).
    pub fn with_fuel(mut self, steps: u64) -> Self {
        self.fuel = Some(steps);
        self
    }

    /// Traps with `stk_ovf` when a call would make the stack deeper than `frames` frames
    /// (default [`DEFAULT_MAX_DEPTH`]).
    pub fn with_max_depth(mut self, frames: usize) -> Self {
        self.max_depth = frames;
        self
    }

    /// Traps with `stk_ovf` when the live frames (their stack slots and values) would need
    /// more than `bytes` bytes of host memory (default [`DEFAULT_MAX_STACK_BYTES`]).
    pub fn with_max_stack_bytes(mut self, bytes: u64) -> Self {
        self.max_stack_bytes = bytes;
        self
    }

    /// The number of instructions the last call executed.
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// Calls the function named `name` (written as in the text format, `%f` or `u0:1`).
    pub fn call_by_name(
        &mut self,
        name: &str,
        args: &[DataValue],
    ) -> Result<Vec<DataValue>, InterpreterError> {
        let func = self
            .program
            .funcs
            .iter()
            .copied()
            .find(|f| f.name.to_string() == name)
            .ok_or_else(|| InterpreterError::UnknownFunction(name.to_string()))?;
        self.call(func, args)
    }

    /// Calls `func` (which need not be in the store; the functions it calls must be).
    pub fn call(
        &mut self,
        func: &'a Function,
        args: &[DataValue],
    ) -> Result<Vec<DataValue>, InterpreterError> {
        let sig = &func.signature;
        let ok = sig.params.len() == args.len()
            && sig
                .params
                .iter()
                .zip(args)
                .all(|(p, a)| p.value_type == a.ty());
        if !ok {
            let given: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
            return Err(InterpreterError::BadArguments(format!(
                "{} takes {sig}, given ({})",
                func.name,
                given.join(", ")
            )));
        }
        self.fuel_used = 0;
        let mut mem = Memory::new(self.max_stack_bytes);
        let mut stack: Vec<Frame<'a>> = Vec::new();
        stack.push(enter(func, args, &mut mem)?);
        loop {
            let Some(frame) = stack.last_mut() else {
                return Err(InterpreterError::Unsupported("empty call stack".into()));
            };
            let Some(inst) = frame.pc else {
                return Err(InterpreterError::Unsupported(format!(
                    "a block of {} ends without a terminator",
                    frame.func.name
                )));
            };
            if self.fuel.is_some_and(|f| self.fuel_used >= f) {
                return Err(InterpreterError::FuelExhausted);
            }
            self.fuel_used += 1;
            let mut env = Env {
                frame,
                mem: &mut mem,
                program: &self.program,
            };
            match step::step(&mut env, inst)? {
                Control::Next(results) => {
                    frame.set_results(inst, &results)?;
                    frame.pc = frame.func.layout.next_inst(inst);
                }
                Control::Jump(block, args) => frame.enter_block(block, &args)?,
                Control::Call(callee, args) => {
                    if stack.len() >= self.max_depth {
                        return Err(InterpreterError::Trap(TrapCode::StackOverflow));
                    }
                    // The caller's pc stays on the call until the callee returns.
                    let new = enter(callee, &args, &mut mem)?;
                    stack.push(new);
                }
                Control::Return(vals) => {
                    if let Some(done) = stack.pop() {
                        mem.pop_frame(done.region, done.value_bytes);
                    }
                    let Some(caller) = stack.last_mut() else {
                        return Ok(vals.to_vec());
                    };
                    let Some(call) = caller.pc else {
                        return Err(InterpreterError::Unsupported("return to nowhere".into()));
                    };
                    caller.set_results(call, &vals)?;
                    caller.pc = caller.func.layout.next_inst(call);
                }
            }
        }
    }
}

/// A new frame of `func`, at the start of its entry block with `args`.
fn enter<'a>(
    func: &'a Function,
    args: &[DataValue],
    mem: &mut Memory,
) -> Result<Frame<'a>, InterpreterError> {
    let Some(entry) = func.layout.entry_block() else {
        return Err(InterpreterError::Unsupported(format!(
            "{} has no blocks",
            func.name
        )));
    };
    let value_bytes = Frame::value_bytes(func);
    let region = mem.push_frame(func, value_bytes).map_err(|e| match e {
        MemError::Exhausted => {
            InterpreterError::Unsupported("the interpreter's address space is exhausted".into())
        }
        _ => InterpreterError::Trap(TrapCode::StackOverflow),
    })?;
    let mut frame = Frame::new(func, region);
    if let Err(e) = frame.enter_block(entry, args) {
        mem.pop_frame(region, value_bytes);
        return Err(e);
    }
    Ok(frame)
}
