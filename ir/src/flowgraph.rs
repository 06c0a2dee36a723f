//! The control-flow graph: the successors and predecessors of every block.
//!
//! Computed from a [`Function`]'s layout: the edges are those of the branch that ends each
//! block. Only blocks inserted in the layout take part; a branch to a block that is not in the
//! layout adds no edge (the verifier reports it). Building the graph never panics, whatever
//! the function holds.

use crate::entities::{Block, Inst};
use crate::entity::SecondaryMap;
use crate::function::Function;
use crate::instructions::{BlockCall, InstructionData};

/// An edge into a block: the block it comes from and the branch instruction taking it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct BlockPredecessor {
    /// The predecessor block.
    pub block: Block,
    /// The branch at the end of `block` that jumps here.
    pub inst: Inst,
}

#[derive(Clone, Default, Debug)]
struct Node {
    preds: Vec<BlockPredecessor>,
    succs: Vec<Block>,
}

/// Successors and predecessors of every block of a function.
#[derive(Clone, Default, Debug)]
pub struct ControlFlowGraph {
    nodes: SecondaryMap<Block, Node>,
    valid: bool,
}

/// The destinations of `inst` if it is a branch, else nothing; empty too for an instruction or
/// jump table that does not exist, so callers never panic on a broken function.
pub fn branch_destinations(func: &Function, inst: Inst) -> &[BlockCall] {
    match func.dfg.insts.get(inst) {
        Some(InstructionData::Jump { destination, .. }) => core::slice::from_ref(destination),
        Some(InstructionData::Brif { blocks, .. }) => blocks,
        Some(InstructionData::BranchTable { table, .. }) => func
            .dfg
            .jump_tables
            .get(*table)
            .map_or(&[], |jt| jt.all_branches()),
        _ => &[],
    }
}

impl ControlFlowGraph {
    /// An empty graph, not yet computed.
    pub fn new() -> Self {
        Self::default()
    }

    /// The graph of `func`.
    pub fn with_function(func: &Function) -> Self {
        let mut cfg = Self::new();
        cfg.compute(func);
        cfg
    }

    /// Recomputes the graph for `func`.
    pub fn compute(&mut self, func: &Function) {
        self.nodes.clear();
        for block in func.layout.blocks() {
            let Some(inst) = func.layout.last_inst(block) else {
                continue;
            };
            for dest in branch_destinations(func, inst) {
                let to = dest.block;
                if !func.layout.is_block_inserted(to) {
                    continue;
                }
                // `brif v, block1, block1` is one edge.
                if !self.nodes[block].succs.contains(&to) {
                    self.nodes[block].succs.push(to);
                }
                let pred = BlockPredecessor { block, inst };
                if !self.nodes[to].preds.contains(&pred) {
                    self.nodes[to].preds.push(pred);
                }
            }
        }
        self.valid = true;
    }

    /// Forgets the graph.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.valid = false;
    }

    /// Whether the graph has been computed (and not cleared since).
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// The edges into `block`, in layout order of their source blocks.
    pub fn preds(&self, block: Block) -> &[BlockPredecessor] {
        &self.nodes.get(block).preds
    }

    /// The blocks `block` branches to, in the order of its branch's destinations, each once.
    pub fn succs(&self, block: Block) -> &[Block] {
        &self.nodes.get(block).succs
    }

    /// Iterates over the edges into `block`.
    pub fn pred_iter(&self, block: Block) -> impl Iterator<Item = BlockPredecessor> + '_ {
        self.preds(block).iter().copied()
    }

    /// Iterates over the successors of `block`.
    pub fn succ_iter(&self, block: Block) -> impl Iterator<Item = Block> + '_ {
        self.succs(block).iter().copied()
    }

    /// Number of edges into `block`.
    pub fn pred_count(&self, block: Block) -> usize {
        self.preds(block).len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::builder::InstBuilder;
    use crate::cursor::FuncCursor;
    use crate::entity::EntityRef;
    use crate::jumptable::JumpTableData;
    use crate::types::I32;
    use crate::Value;

    /// A function whose blocks `block0..n` branch as `edges[i]` says: nothing (return), one
    /// successor (jump), two (brif on the entry parameter) or more (br_table).
    pub(crate) fn function_with_edges(edges: &[&[usize]]) -> (Function, Vec<Block>) {
        let mut func = Function::new();
        let mut cur = FuncCursor::new(&mut func);
        let blocks: Vec<Block> = edges.iter().map(|_| cur.append_new_block()).collect();
        let x: Value = cur.func.dfg.append_block_param(blocks[0], I32);
        cur.func.signature.params.push(crate::AbiParam::new(I32));
        for (i, succs) in edges.iter().enumerate() {
            cur.goto_bottom(blocks[i]);
            match **succs {
                [] => {
                    cur.ins().return_(&[]);
                }
                [a] => {
                    cur.ins().jump(blocks[a], &[]);
                }
                [a, b] => {
                    cur.ins().brif(x, blocks[a], &[], blocks[b], &[]);
                }
                [d, ref rest @ ..] => {
                    let pool = &mut cur.func.dfg.value_lists;
                    let def = BlockCall::new(blocks[d], &[], pool);
                    let table: Vec<BlockCall> = rest
                        .iter()
                        .map(|&b| BlockCall::new(blocks[b], &[], pool))
                        .collect();
                    let jt = cur.func.create_jump_table(JumpTableData::new(def, &table));
                    cur.ins().br_table(x, jt);
                }
            }
        }
        (func, blocks)
    }

    fn pred_blocks(cfg: &ControlFlowGraph, b: Block) -> Vec<Block> {
        cfg.pred_iter(b).map(|p| p.block).collect()
    }

    #[test]
    fn diamond() {
        let (func, b) = function_with_edges(&[&[1, 2], &[3], &[3], &[]]);
        let cfg = ControlFlowGraph::with_function(&func);
        assert!(cfg.is_valid());
        assert_eq!(cfg.succs(b[0]), [b[1], b[2]]);
        assert_eq!(cfg.succs(b[1]), [b[3]]);
        assert_eq!(cfg.succs(b[3]), []);
        assert_eq!(pred_blocks(&cfg, b[3]), [b[1], b[2]]);
        assert_eq!(pred_blocks(&cfg, b[0]), []);
        // The predecessor edge names the branch instruction ending the source block.
        let last1 = func.layout.last_inst(b[1]).unwrap();
        assert_eq!(
            cfg.preds(b[3])[0],
            BlockPredecessor {
                block: b[1],
                inst: last1
            }
        );
    }

    #[test]
    fn duplicate_destinations_are_one_edge() {
        // br_table with default block1 and entries [block1, block2, block1].
        let (func, b) = function_with_edges(&[&[1, 1, 2, 1], &[], &[]]);
        let cfg = ControlFlowGraph::with_function(&func);
        assert_eq!(cfg.succs(b[0]), [b[1], b[2]]);
        assert_eq!(cfg.pred_count(b[1]), 1);
        // A self loop.
        let (func, b) = function_with_edges(&[&[1], &[1, 2], &[]]);
        let cfg = ControlFlowGraph::with_function(&func);
        assert_eq!(pred_blocks(&cfg, b[1]), [b[0], b[1]]);
    }

    #[test]
    fn loops_and_unreachable_predecessors() {
        // 0 -> 1 | 2; 1 <-> 2 (irreducible); 2 -> 3; block4 is unreachable and jumps to 3.
        let (func, b) = function_with_edges(&[&[1, 2], &[2], &[1, 3], &[], &[3]]);
        let cfg = ControlFlowGraph::with_function(&func);
        assert_eq!(pred_blocks(&cfg, b[1]), [b[0], b[2]]);
        assert_eq!(pred_blocks(&cfg, b[2]), [b[0], b[1]]);
        // The graph lists every edge of the layout, reachable or not.
        assert_eq!(pred_blocks(&cfg, b[3]), [b[2], b[4]]);
        assert_eq!(cfg.succs(b[4]), [b[3]]);
        assert_eq!(cfg.pred_count(b[4]), 0);
        let mut cleared = cfg.clone();
        cleared.clear();
        assert!(!cleared.is_valid() && cleared.succs(b[0]).is_empty());
    }

    #[test]
    fn broken_functions_do_not_panic() {
        let (mut func, b) = function_with_edges(&[&[1, 2, 0], &[], &[]]);
        // The jump table disappears and a block the layout never saw becomes a target.
        func.dfg.jump_tables.clear();
        let ghost = Block::new(50);
        let mut cur = FuncCursor::new(&mut func).at_bottom(b[1]);
        let ret = cur.func.layout.last_inst(b[1]).unwrap();
        cur.func.layout.remove_inst(ret);
        cur.ins().jump(ghost, &[]);
        func.layout.append_inst(Inst::new(1000), b[2]);
        let cfg = ControlFlowGraph::with_function(&func);
        assert_eq!(cfg.succs(b[0]), []);
        assert_eq!(cfg.succs(b[1]), []);
        assert_eq!(cfg.succs(b[2]), []);
        assert_eq!(cfg.preds(ghost), []);
    }
}
