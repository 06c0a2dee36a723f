//! One activation of a function: its values, where it is, and its stack memory.

use super::InterpreterError;
use crate::data_value::DataValue;
use crate::entities::{Block, Inst, Value};
use crate::entity::EntityRef;
use crate::function::Function;

/// An activation record on the interpreter's explicit call stack.
pub(super) struct Frame<'a> {
    /// The function being executed.
    pub func: &'a Function,
    /// The instruction to execute next (in a caller: the call in progress).
    pub pc: Option<Inst>,
    /// The index of this frame's stack-slot region in memory, if it has slots.
    pub region: Option<usize>,
    /// Bytes of the memory limit this frame's values take.
    pub value_bytes: u64,
    /// The value of each SSA value defined so far, by value number.
    values: Vec<Option<DataValue>>,
}

fn unsupported(msg: String) -> InterpreterError {
    InterpreterError::Unsupported(msg)
}

impl<'a> Frame<'a> {
    /// The bytes the values of a frame of `func` take.
    pub fn value_bytes(func: &Function) -> u64 {
        (func.dfg.num_values() * core::mem::size_of::<Option<DataValue>>()) as u64
    }

    /// A frame of `func` that has not started yet.
    pub fn new(func: &'a Function, region: Option<usize>) -> Self {
        Self {
            func,
            pc: None,
            region,
            value_bytes: Self::value_bytes(func),
            values: vec![None; func.dfg.num_values()],
        }
    }

    /// The value of `v`, which must have been defined.
    pub fn get(&self, v: Value) -> Result<DataValue, InterpreterError> {
        let real = self.func.dfg.resolve_aliases(v);
        self.values
            .get(real.index())
            .copied()
            .flatten()
            .ok_or_else(|| unsupported(format!("{v} is used before it is defined")))
    }

    /// Defines `v` as `x`, checking that `x` has `v`'s type.
    pub fn set(&mut self, v: Value, x: DataValue) -> Result<(), InterpreterError> {
        let ty = self.func.dfg.value_type(v);
        if x.ty() != ty {
            return Err(unsupported(format!(
                "{v} has type {ty} but was given a {} value",
                x.ty()
            )));
        }
        match self.values.get_mut(v.index()) {
            Some(slot) => {
                *slot = Some(x);
                Ok(())
            }
            None => Err(unsupported(format!("{v} is not a value of the function"))),
        }
    }

    /// Defines the results of `inst`.
    pub fn set_results(&mut self, inst: Inst, vals: &[DataValue]) -> Result<(), InterpreterError> {
        let results = self.func.dfg.inst_results(inst);
        if results.len() != vals.len() {
            return Err(unsupported(format!(
                "{inst} has {} results but produced {}",
                results.len(),
                vals.len()
            )));
        }
        for (&r, &x) in results.iter().zip(vals) {
            self.set(r, x)?;
        }
        Ok(())
    }

    /// Binds the parameters of `block` to `args` and continues at its first instruction.
    pub fn enter_block(
        &mut self,
        block: Block,
        args: &[DataValue],
    ) -> Result<(), InterpreterError> {
        let dfg = &self.func.dfg;
        if !dfg.block_is_valid(block) || !self.func.layout.is_block_inserted(block) {
            return Err(unsupported(format!(
                "branch to {block}, which is not in the function"
            )));
        }
        let params = dfg.block_params(block);
        if params.len() != args.len() {
            return Err(unsupported(format!(
                "{block} takes {} arguments, given {}",
                params.len(),
                args.len()
            )));
        }
        for (&p, &x) in params.iter().zip(args) {
            self.set(p, x)?;
        }
        self.pc = self.func.layout.first_inst(block);
        Ok(())
    }
}
