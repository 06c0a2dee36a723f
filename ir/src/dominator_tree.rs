//! The dominator tree of a function's control-flow graph.
//!
//! Block `a` dominates block `b` when every path from the entry block to `b` goes through `a`.
//! Immediate dominators are computed with the iterative algorithm of Cooper, Harvey and Kennedy
//! ("A Simple, Fast Dominance Algorithm", 2001) over a reverse postorder of the reachable
//! blocks; a preorder numbering of the resulting tree then answers `dominates` in O(1) for
//! blocks. Blocks not reachable from the entry are in no tree and dominate nothing but
//! themselves.

use crate::dfg::ValueDef;
use crate::entities::{Block, Inst, Value};
use crate::entity::SecondaryMap;
use crate::flowgraph::ControlFlowGraph;
use crate::function::Function;
use crate::layout::Layout;

/// A point of a program: the start of a block or an instruction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ProgramPoint {
    /// The start of a block (where its parameters are defined).
    Block(Block),
    /// An instruction.
    Inst(Inst),
}

impl From<Block> for ProgramPoint {
    fn from(b: Block) -> Self {
        ProgramPoint::Block(b)
    }
}

impl From<Inst> for ProgramPoint {
    fn from(i: Inst) -> Self {
        ProgramPoint::Inst(i)
    }
}

#[derive(Clone, Copy, Default, Debug)]
struct Node {
    /// 1-based position in reverse postorder; 0 for blocks not reachable from the entry.
    rpo_number: u32,
    /// The immediate dominator; `None` for the entry and unreachable blocks.
    idom: Option<Block>,
    /// Preorder number in the dominator tree, and the largest preorder number among the
    /// block's dominator-tree descendants: `a` dominates `b` iff `b`'s number is in that range.
    pre: u32,
    pre_max: u32,
}

/// Immediate dominators and a reverse postorder of a function's reachable blocks.
#[derive(Clone, Default, Debug)]
pub struct DominatorTree {
    nodes: SecondaryMap<Block, Node>,
    children: SecondaryMap<Block, Vec<Block>>,
    postorder: Vec<Block>,
    rpo: Vec<Block>,
    valid: bool,
}

impl DominatorTree {
    /// An empty tree, not yet computed.
    pub fn new() -> Self {
        Self::default()
    }

    /// The dominator tree of `func`, whose control-flow graph is `cfg`.
    pub fn with_function(func: &Function, cfg: &ControlFlowGraph) -> Self {
        let mut tree = Self::new();
        tree.compute(func, cfg);
        tree
    }

    /// Recomputes the tree for `func` and its control-flow graph `cfg`.
    pub fn compute(&mut self, func: &Function, cfg: &ControlFlowGraph) {
        self.clear();
        if let Some(entry) = func.layout.entry_block() {
            self.compute_postorder(entry, cfg);
            self.compute_idoms(entry, cfg);
            self.number_tree(entry);
        }
        self.valid = true;
    }

    /// Forgets the tree.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.children.clear();
        self.postorder.clear();
        self.rpo.clear();
        self.valid = false;
    }

    /// Whether the tree has been computed (and not cleared since).
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Depth-first search from the entry, successors in branch order.
    fn compute_postorder(&mut self, entry: Block, cfg: &ControlFlowGraph) {
        let mut visited = crate::entity::EntitySet::<Block>::new();
        let mut stack: Vec<(Block, usize)> = vec![(entry, 0)];
        visited.insert(entry);
        while let Some(&mut (block, ref mut next)) = stack.last_mut() {
            match cfg.succs(block).get(*next) {
                Some(&succ) => {
                    *next += 1;
                    if visited.insert(succ) {
                        stack.push((succ, 0));
                    }
                }
                None => {
                    self.postorder.push(block);
                    stack.pop();
                }
            }
        }
        self.rpo = self.postorder.iter().rev().copied().collect();
        for (i, &b) in self.rpo.iter().enumerate() {
            self.nodes[b].rpo_number = i as u32 + 1;
        }
    }

    fn compute_idoms(&mut self, entry: Block, cfg: &ControlFlowGraph) {
        // During the iteration the entry is its own dominator, which stops `intersect`.
        self.nodes[entry].idom = Some(entry);
        let mut changed = true;
        while changed {
            changed = false;
            for i in 1..self.rpo.len() {
                let block = self.rpo[i];
                let mut new_idom = None;
                for pred in cfg.pred_iter(block) {
                    let p = pred.block;
                    // Skip unreachable predecessors and those not processed yet.
                    if self.nodes[p].rpo_number == 0 || self.nodes[p].idom.is_none() {
                        continue;
                    }
                    new_idom = Some(match new_idom {
                        None => p,
                        Some(d) => self.intersect(p, d),
                    });
                }
                if new_idom.is_some() && self.nodes[block].idom != new_idom {
                    self.nodes[block].idom = new_idom;
                    changed = true;
                }
            }
        }
        self.nodes[entry].idom = None;
    }

    /// The nearest common dominator of two reachable blocks, while computing.
    fn intersect(&self, mut a: Block, mut b: Block) -> Block {
        while a != b {
            while self.nodes[a].rpo_number > self.nodes[b].rpo_number {
                a = self.nodes[a].idom.unwrap_or(a);
            }
            while self.nodes[b].rpo_number > self.nodes[a].rpo_number {
                b = self.nodes[b].idom.unwrap_or(b);
            }
        }
        a
    }

    fn number_tree(&mut self, entry: Block) {
        for i in 1..self.rpo.len() {
            let b = self.rpo[i];
            if let Some(d) = self.nodes[b].idom {
                self.children[d].push(b);
            }
        }
        let mut counter = 0;
        let mut stack: Vec<(Block, usize)> = vec![(entry, 0)];
        counter += 1;
        self.nodes[entry].pre = counter;
        while let Some(&mut (block, ref mut next)) = stack.last_mut() {
            match self.children.get(block).get(*next) {
                Some(&child) => {
                    *next += 1;
                    counter += 1;
                    self.nodes[child].pre = counter;
                    stack.push((child, 0));
                }
                None => {
                    self.nodes[block].pre_max = counter;
                    stack.pop();
                }
            }
        }
    }

    /// The reachable blocks in postorder (the entry last).
    pub fn cfg_postorder(&self) -> &[Block] {
        &self.postorder
    }

    /// The reachable blocks in reverse postorder (the entry first): every block comes after
    /// its dominators.
    pub fn cfg_rpo(&self) -> &[Block] {
        &self.rpo
    }

    /// Whether `block` is reachable from the entry block.
    pub fn is_reachable(&self, block: Block) -> bool {
        self.nodes.get(block).rpo_number != 0
    }

    /// The 1-based position of `block` in reverse postorder, if it is reachable.
    pub fn rpo_number(&self, block: Block) -> Option<u32> {
        match self.nodes.get(block).rpo_number {
            0 => None,
            n => Some(n),
        }
    }

    /// The immediate dominator of `block`; `None` for the entry and for unreachable blocks.
    pub fn idom(&self, block: Block) -> Option<Block> {
        self.nodes.get(block).idom
    }

    /// The blocks `block` immediately dominates, in reverse postorder.
    pub fn children(&self, block: Block) -> &[Block] {
        self.children.get(block)
    }

    /// Whether block `a` dominates block `b`. Every block dominates itself; otherwise both must
    /// be reachable.
    pub fn block_dominates(&self, a: Block, b: Block) -> bool {
        if a == b {
            return true;
        }
        let (na, nb) = (self.nodes.get(a), self.nodes.get(b));
        na.rpo_number != 0 && nb.rpo_number != 0 && na.pre < nb.pre && nb.pre <= na.pre_max
    }

    /// The nearest block dominating both `a` and `b`, if both are reachable.
    pub fn common_dominator(&self, a: Block, b: Block) -> Option<Block> {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return None;
        }
        let mut a = a;
        while !self.block_dominates(a, b) {
            a = self.idom(a)?;
        }
        Some(a)
    }

    /// Whether program point `a` dominates `b`: every path from the entry to `b` passes `a`
    /// first (or `a == b`). Within a block, the layout decides; instructions not in the layout
    /// dominate nothing and are dominated by nothing else.
    pub fn dominates(
        &self,
        a: impl Into<ProgramPoint>,
        b: impl Into<ProgramPoint>,
        layout: &Layout,
    ) -> bool {
        let (a, b) = (a.into(), b.into());
        if a == b {
            return true;
        }
        match (a, b) {
            (ProgramPoint::Block(a), ProgramPoint::Block(b)) => self.block_dominates(a, b),
            (ProgramPoint::Block(a), ProgramPoint::Inst(b)) => layout
                .inst_block(b)
                .is_some_and(|bb| self.block_dominates(a, bb)),
            // An instruction comes after the start of its own block.
            (ProgramPoint::Inst(a), ProgramPoint::Block(b)) => layout
                .inst_block(a)
                .is_some_and(|ab| ab != b && self.block_dominates(ab, b)),
            (ProgramPoint::Inst(a), ProgramPoint::Inst(b)) => {
                match (layout.inst_block(a), layout.inst_block(b)) {
                    (Some(ab), Some(bb)) if ab == bb => {
                        // Walk back from `b`; O(distance), fine for occasional queries.
                        let mut i = layout.prev_inst(b);
                        while let Some(x) = i {
                            if x == a {
                                return true;
                            }
                            i = layout.prev_inst(x);
                        }
                        false
                    }
                    (Some(ab), Some(bb)) => self.block_dominates(ab, bb),
                    _ => false,
                }
            }
        }
    }

    /// Whether the definition of `v` dominates its use by `user`: a block parameter dominates
    /// its whole block, an instruction result only the instructions after it.
    pub fn value_dominates_use(&self, func: &Function, v: Value, user: Inst) -> bool {
        match func.dfg.value_def(v) {
            ValueDef::Param(b, _) => self.dominates(b, user, &func.layout),
            ValueDef::Result(def, _) => def != user && self.dominates(def, user, &func.layout),
            ValueDef::Other => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flowgraph::tests::function_with_edges;

    fn tree(edges: &[&[usize]]) -> (Function, Vec<Block>, DominatorTree) {
        let (func, b) = function_with_edges(edges);
        let cfg = ControlFlowGraph::with_function(&func);
        let dt = DominatorTree::with_function(&func, &cfg);
        (func, b, dt)
    }

    /// `expected[i]` is the immediate dominator index of block i (None for entry/unreachable).
    fn check_idoms(b: &[Block], dt: &DominatorTree, expected: &[Option<usize>]) {
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(dt.idom(b[i]), e.map(|j| b[j]), "idom of block{i}");
        }
    }

    /// Checks `block_dominates` against the full relation given as "a dominates b" pairs.
    fn check_relation(b: &[Block], dt: &DominatorTree, pairs: &[(usize, usize)]) {
        for x in 0..b.len() {
            for y in 0..b.len() {
                let expected = x == y || pairs.contains(&(x, y));
                assert_eq!(
                    dt.block_dominates(b[x], b[y]),
                    expected,
                    "block{x} dom block{y}"
                );
            }
        }
    }

    #[test]
    fn diamond() {
        //   0
        //  / \
        // 1   2
        //  \ /
        //   3
        let (func, b, dt) = tree(&[&[1, 2], &[3], &[3], &[]]);
        check_idoms(&b, &dt, &[None, Some(0), Some(0), Some(0)]);
        check_relation(&b, &dt, &[(0, 1), (0, 2), (0, 3)]);
        assert_eq!(dt.cfg_rpo(), [b[0], b[2], b[1], b[3]]);
        assert_eq!(dt.cfg_postorder(), [b[3], b[1], b[2], b[0]]);
        assert_eq!(dt.children(b[0]), [b[2], b[1], b[3]]);
        assert_eq!(dt.common_dominator(b[1], b[2]), Some(b[0]));
        assert_eq!(dt.rpo_number(b[0]), Some(1));
        // Instructions: the entry's branch dominates block3's return, not the other way.
        let br = func.layout.last_inst(b[0]).unwrap();
        let ret = func.layout.last_inst(b[3]).unwrap();
        assert!(dt.dominates(br, ret, &func.layout));
        assert!(!dt.dominates(ret, br, &func.layout));
        assert!(dt.dominates(b[0], ret, &func.layout));
        assert!(!dt.dominates(b[1], ret, &func.layout));
        assert!(dt.dominates(br, b[3], &func.layout));
        assert!(!dt.dominates(br, b[0], &func.layout));
    }

    #[test]
    fn natural_loop() {
        // 0 -> 1; 1 -> 2 | 4; 2 -> 3; 3 -> 1 (back edge); 4 returns.
        let (_, b, dt) = tree(&[&[1], &[2, 4], &[3], &[1], &[]]);
        check_idoms(&b, &dt, &[None, Some(0), Some(1), Some(2), Some(1)]);
        check_relation(
            &b,
            &dt,
            &[
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (1, 2),
                (1, 3),
                (1, 4),
                (2, 3),
            ],
        );
        assert_eq!(dt.common_dominator(b[3], b[4]), Some(b[1]));
    }

    #[test]
    fn irreducible() {
        // 0 -> 1 | 2; 1 <-> 2; 2 -> 3: two loop entries, so neither 1 nor 2 dominates the
        // other and both are immediately dominated by the entry; 3 is reached only from 2.
        let (_, b, dt) = tree(&[&[1, 2], &[2], &[1, 3], &[]]);
        check_idoms(&b, &dt, &[None, Some(0), Some(0), Some(2)]);
        check_relation(&b, &dt, &[(0, 1), (0, 2), (0, 3), (2, 3)]);
    }

    #[test]
    fn unreachable_blocks() {
        // block2 is unreachable and branches into the reachable block1; block3 is reachable
        // only from block2.
        let (func, b, dt) = tree(&[&[1], &[], &[1, 3], &[]]);
        assert!(dt.is_reachable(b[0]) && dt.is_reachable(b[1]));
        assert!(!dt.is_reachable(b[2]) && !dt.is_reachable(b[3]));
        check_idoms(&b, &dt, &[None, Some(0), None, None]);
        // The unreachable predecessor does not stop block0 from dominating block1.
        check_relation(&b, &dt, &[(0, 1)]);
        assert_eq!(dt.cfg_rpo(), [b[0], b[1]]);
        assert_eq!(dt.rpo_number(b[2]), None);
        assert_eq!(dt.common_dominator(b[1], b[2]), None);
        let r3 = func.layout.last_inst(b[3]).unwrap();
        assert!(dt.dominates(r3, r3, &func.layout));
        assert!(!dt.dominates(b[2], r3, &func.layout));
    }

    #[test]
    fn values_and_instructions_in_one_block() {
        use crate::builder::InstBuilder;
        use crate::cursor::FuncCursor;
        let (mut func, b) = function_with_edges(&[&[]]);
        let x = func.dfg.block_params(b[0])[0];
        let ret = func.layout.last_inst(b[0]).unwrap();
        let mut cur = FuncCursor::new(&mut func).at_inst(ret);
        let y = cur.ins().iadd(x, x);
        let z = cur.ins().iadd(y, x);
        let iy = match func.dfg.value_def(y) {
            ValueDef::Result(i, _) => i,
            _ => unreachable!(),
        };
        let iz = match func.dfg.value_def(z) {
            ValueDef::Result(i, _) => i,
            _ => unreachable!(),
        };
        let cfg = ControlFlowGraph::with_function(&func);
        let dt = DominatorTree::with_function(&func, &cfg);
        assert!(dt.dominates(iy, iz, &func.layout));
        assert!(!dt.dominates(iz, iy, &func.layout));
        assert!(dt.value_dominates_use(&func, x, iy));
        assert!(dt.value_dominates_use(&func, y, iz));
        assert!(!dt.value_dominates_use(&func, z, iz)); // its own definition
        assert!(!dt.value_dominates_use(&func, z, iy)); // used before defined
    }

    #[test]
    fn empty_function() {
        let func = Function::new();
        let cfg = ControlFlowGraph::with_function(&func);
        let dt = DominatorTree::with_function(&func, &cfg);
        assert!(dt.is_valid());
        assert!(dt.cfg_rpo().is_empty());
    }
}
