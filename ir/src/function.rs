//! A function: signature, stack slots, data-flow graph and layout.

use crate::dfg::DataFlowGraph;
use crate::entities::{FuncRef, JumpTable, SigRef, StackSlot};
use crate::entity::PrimaryMap;
use crate::extfunc::{ExtFuncData, UserFuncName};
use crate::jumptable::JumpTableData;
use crate::layout::Layout;
use crate::signature::Signature;
use crate::stackslot::StackSlotData;
use core::fmt;

/// A function of Kiln IR.
#[derive(Clone, Default, Debug)]
pub struct Function {
    /// Its name.
    pub name: UserFuncName,
    /// Its signature.
    pub signature: Signature,
    /// Its explicit stack slots.
    pub stack_slots: PrimaryMap<StackSlot, StackSlotData>,
    /// Its instructions, values and blocks.
    pub dfg: DataFlowGraph,
    /// The order of its blocks and instructions.
    pub layout: Layout,
}

impl Function {
    /// An empty function with a default name and signature.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty function with this name and signature.
    pub fn with_name_signature(name: UserFuncName, signature: Signature) -> Self {
        Self {
            name,
            signature,
            ..Self::default()
        }
    }

    /// Empties the function, keeping allocations, so it can be reused for the next one.
    pub fn clear(&mut self) {
        self.name = UserFuncName::default();
        self.signature = Signature::default();
        self.stack_slots.clear();
        self.dfg.clear();
        self.layout.clear();
    }

    /// Adds an explicit stack slot.
    pub fn create_stack_slot(&mut self, data: StackSlotData) -> StackSlot {
        self.stack_slots.push(data)
    }

    /// Adds a signature for `call_indirect` or function references.
    pub fn import_signature(&mut self, sig: Signature) -> SigRef {
        self.dfg.signatures.push(sig)
    }

    /// Adds a reference to a function that this one calls.
    pub fn import_function(&mut self, data: ExtFuncData) -> FuncRef {
        self.dfg.ext_funcs.push(data)
    }

    /// Adds a jump table for `br_table`.
    pub fn create_jump_table(&mut self, data: JumpTableData) -> JumpTable {
        self.dfg.jump_tables.push(data)
    }

    /// The function in the text format.
    pub fn display(&self) -> impl fmt::Display + '_ {
        DisplayFunction(self)
    }
}

struct DisplayFunction<'a>(&'a Function);

impl fmt::Display for DisplayFunction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::write::write_function(f, self.0)
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::write::write_function(f, self)
    }
}
