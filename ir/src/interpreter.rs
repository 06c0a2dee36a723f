//! The interpreter: the executable specification of every instruction.
//!
//! STUB: the API below is the contract; the implementation is being written.

use crate::data_value::DataValue;
use crate::function::Function;
use crate::trapcode::TrapCode;
use core::fmt;

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

    /// Adds a function; calls find it by its name (`%name` or `u0:1`).
    pub fn add(&mut self, func: &'a Function) {
        self.funcs.push(func);
    }
}

/// Executes functions of a [`FunctionStore`].
pub struct Interpreter<'a> {
    store: FunctionStore<'a>,
    fuel: Option<u64>,
}

impl<'a> Interpreter<'a> {
    /// An interpreter over `store`, without a step limit.
    pub fn new(store: FunctionStore<'a>) -> Self {
        Self { store, fuel: None }
    }

    /// Stops with [`InterpreterError::FuelExhausted`] after `steps` instructions.
    pub fn with_fuel(mut self, steps: u64) -> Self {
        self.fuel = Some(steps);
        self
    }

    /// Calls the function named `name` (written as in the text format, `%f` or `u0:1`).
    pub fn call_by_name(
        &mut self,
        name: &str,
        args: &[DataValue],
    ) -> Result<Vec<DataValue>, InterpreterError> {
        let _ = (args, &self.store.funcs, self.fuel);
        Err(InterpreterError::Unsupported(format!(
            "interpreter not implemented yet ({name})"
        )))
    }
}
