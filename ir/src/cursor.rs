//! A cursor that inserts instructions at a position in a function.

use crate::builder::InstBuilderBase;
use crate::dfg::DataFlowGraph;
use crate::entities::{Block, Inst};
use crate::function::Function;
use crate::instructions::InstructionData;
use crate::types::Type;

/// Where a [`FuncCursor`] inserts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CursorPosition {
    /// Nowhere: inserting panics.
    Nowhere,
    /// Before this instruction.
    Before(Inst),
    /// At the end of this block.
    Bottom(Block),
}

/// A position in a function where instructions are inserted: `cur.ins().iadd(a, b)`.
pub struct FuncCursor<'f> {
    /// The function being edited.
    pub func: &'f mut Function,
    /// The insertion point.
    pub pos: CursorPosition,
}

impl<'f> FuncCursor<'f> {
    /// A cursor on `func` pointing nowhere.
    pub fn new(func: &'f mut Function) -> Self {
        Self {
            func,
            pos: CursorPosition::Nowhere,
        }
    }

    /// Moves to the end of `block`.
    pub fn at_bottom(mut self, block: Block) -> Self {
        self.pos = CursorPosition::Bottom(block);
        self
    }

    /// Moves to just before `inst`.
    pub fn at_inst(mut self, inst: Inst) -> Self {
        self.pos = CursorPosition::Before(inst);
        self
    }

    /// Creates a block and appends it to the layout.
    pub fn append_new_block(&mut self) -> Block {
        let b = self.func.dfg.make_block();
        self.func.layout.append_block(b);
        b
    }

    /// Moves to the end of `block`.
    pub fn goto_bottom(&mut self, block: Block) {
        self.pos = CursorPosition::Bottom(block);
    }

    /// A builder that inserts one instruction here.
    pub fn ins(&mut self) -> InsertBuilder<'_> {
        InsertBuilder {
            pos: self.pos,
            func: self.func,
        }
    }
}

/// Inserts one instruction at a cursor position; see [`FuncCursor::ins`].
pub struct InsertBuilder<'f> {
    func: &'f mut Function,
    pos: CursorPosition,
}

impl<'f> InstBuilderBase<'f> for InsertBuilder<'f> {
    fn data_flow_graph(&self) -> &DataFlowGraph {
        &self.func.dfg
    }

    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph {
        &mut self.func.dfg
    }

    fn build(self, data: InstructionData, ctrl: Type) -> (Inst, &'f mut DataFlowGraph) {
        let inst = self.func.dfg.make_inst(data);
        self.func.dfg.make_inst_results(inst, ctrl);
        match self.pos {
            CursorPosition::Nowhere => panic!("cursor points nowhere"),
            CursorPosition::Before(at) => self.func.layout.insert_inst(inst, at),
            CursorPosition::Bottom(block) => self.func.layout.append_inst(inst, block),
        }
        (inst, &mut self.func.dfg)
    }
}
