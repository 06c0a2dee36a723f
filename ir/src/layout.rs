//! The layout: which blocks and instructions are in the function, and in what order.

use crate::entities::{Block, Inst};
use crate::entity::SecondaryMap;

#[derive(Clone, Copy, Default, Debug)]
struct BlockNode {
    prev: Option<Block>,
    next: Option<Block>,
    first_inst: Option<Inst>,
    last_inst: Option<Inst>,
    inserted: bool,
}

#[derive(Clone, Copy, Default, Debug)]
struct InstNode {
    block: Option<Block>,
    prev: Option<Inst>,
    next: Option<Inst>,
}

/// The order of blocks in a function and of instructions in each block, as doubly linked
/// lists so passes can insert and remove in O(1).
#[derive(Clone, Default, Debug)]
pub struct Layout {
    blocks: SecondaryMap<Block, BlockNode>,
    insts: SecondaryMap<Inst, InstNode>,
    first_block: Option<Block>,
    last_block: Option<Block>,
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes everything, keeping allocations.
    pub fn clear(&mut self) {
        self.blocks.clear();
        self.insts.clear();
        self.first_block = None;
        self.last_block = None;
    }

    // ---- Blocks ----

    /// Whether `block` is in the layout.
    pub fn is_block_inserted(&self, block: Block) -> bool {
        self.blocks[block].inserted
    }

    /// Appends `block` at the end of the function.
    pub fn append_block(&mut self, block: Block) {
        assert!(!self.is_block_inserted(block), "{block} already inserted");
        let node = &mut self.blocks[block];
        node.inserted = true;
        node.prev = self.last_block;
        node.next = None;
        match self.last_block {
            Some(last) => self.blocks[last].next = Some(block),
            None => self.first_block = Some(block),
        }
        self.last_block = Some(block);
    }

    /// Inserts `block` just before `before`.
    pub fn insert_block(&mut self, block: Block, before: Block) {
        assert!(!self.is_block_inserted(block), "{block} already inserted");
        assert!(self.is_block_inserted(before), "{before} not inserted");
        let prev = self.blocks[before].prev;
        let node = &mut self.blocks[block];
        node.inserted = true;
        node.prev = prev;
        node.next = Some(before);
        self.blocks[before].prev = Some(block);
        match prev {
            Some(p) => self.blocks[p].next = Some(block),
            None => self.first_block = Some(block),
        }
    }

    /// Inserts `block` just after `after`.
    pub fn insert_block_after(&mut self, block: Block, after: Block) {
        match self.blocks[after].next {
            Some(next) => self.insert_block(block, next),
            None => self.append_block(block),
        }
    }

    /// Removes `block` (which must have no instructions) from the layout.
    pub fn remove_block(&mut self, block: Block) {
        assert!(self.is_block_inserted(block), "{block} not inserted");
        assert!(self.blocks[block].first_inst.is_none(), "{block} not empty");
        let BlockNode { prev, next, .. } = self.blocks[block];
        match prev {
            Some(p) => self.blocks[p].next = next,
            None => self.first_block = next,
        }
        match next {
            Some(n) => self.blocks[n].prev = prev,
            None => self.last_block = prev,
        }
        self.blocks[block] = BlockNode::default();
    }

    /// The first block: the entry block.
    pub fn entry_block(&self) -> Option<Block> {
        self.first_block
    }

    /// The last block.
    pub fn last_block(&self) -> Option<Block> {
        self.last_block
    }

    /// The block after `block`.
    pub fn next_block(&self, block: Block) -> Option<Block> {
        self.blocks[block].next
    }

    /// The block before `block`.
    pub fn prev_block(&self, block: Block) -> Option<Block> {
        self.blocks[block].prev
    }

    /// The blocks in layout order.
    pub fn blocks(&self) -> Blocks<'_> {
        Blocks {
            layout: self,
            next: self.first_block,
        }
    }

    // ---- Instructions ----

    /// The block `inst` is in, if it is inserted.
    pub fn inst_block(&self, inst: Inst) -> Option<Block> {
        self.insts[inst].block
    }

    /// Appends `inst` at the end of `block`.
    pub fn append_inst(&mut self, inst: Inst, block: Block) {
        assert!(self.is_block_inserted(block), "{block} not inserted");
        assert!(self.inst_block(inst).is_none(), "{inst} already inserted");
        let last = self.blocks[block].last_inst;
        self.insts[inst] = InstNode {
            block: Some(block),
            prev: last,
            next: None,
        };
        match last {
            Some(l) => self.insts[l].next = Some(inst),
            None => self.blocks[block].first_inst = Some(inst),
        }
        self.blocks[block].last_inst = Some(inst);
    }

    /// Inserts `inst` just before `before`.
    pub fn insert_inst(&mut self, inst: Inst, before: Inst) {
        assert!(self.inst_block(inst).is_none(), "{inst} already inserted");
        let block = self
            .inst_block(before)
            .expect("insertion point not in layout");
        let prev = self.insts[before].prev;
        self.insts[inst] = InstNode {
            block: Some(block),
            prev,
            next: Some(before),
        };
        self.insts[before].prev = Some(inst);
        match prev {
            Some(p) => self.insts[p].next = Some(inst),
            None => self.blocks[block].first_inst = Some(inst),
        }
    }

    /// Removes `inst` from the layout.
    pub fn remove_inst(&mut self, inst: Inst) {
        let InstNode { block, prev, next } = self.insts[inst];
        let block = block.expect("instruction not in layout");
        match prev {
            Some(p) => self.insts[p].next = next,
            None => self.blocks[block].first_inst = next,
        }
        match next {
            Some(n) => self.insts[n].prev = prev,
            None => self.blocks[block].last_inst = prev,
        }
        self.insts[inst] = InstNode::default();
    }

    /// The first instruction of `block`.
    pub fn first_inst(&self, block: Block) -> Option<Inst> {
        self.blocks[block].first_inst
    }

    /// The last instruction of `block` (its terminator, in a valid function).
    pub fn last_inst(&self, block: Block) -> Option<Inst> {
        self.blocks[block].last_inst
    }

    /// The instruction after `inst` in its block.
    pub fn next_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts[inst].next
    }

    /// The instruction before `inst` in its block.
    pub fn prev_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts[inst].prev
    }

    /// The instructions of `block` in order.
    pub fn block_insts(&self, block: Block) -> Insts<'_> {
        Insts {
            layout: self,
            next: self.blocks[block].first_inst,
        }
    }
}

/// Iterator over the blocks of a layout.
pub struct Blocks<'a> {
    layout: &'a Layout,
    next: Option<Block>,
}

impl Iterator for Blocks<'_> {
    type Item = Block;
    fn next(&mut self) -> Option<Block> {
        let b = self.next?;
        self.next = self.layout.next_block(b);
        Some(b)
    }
}

/// Iterator over the instructions of a block.
pub struct Insts<'a> {
    layout: &'a Layout,
    next: Option<Inst>,
}

impl Iterator for Insts<'_> {
    type Item = Inst;
    fn next(&mut self) -> Option<Inst> {
        let i = self.next?;
        self.next = self.layout.next_inst(i);
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityRef;

    #[test]
    fn blocks_and_insts_link_up() {
        let b = |i| Block::new(i);
        let n = |i| Inst::new(i);
        let mut l = Layout::new();
        l.append_block(b(0));
        l.append_block(b(2));
        l.insert_block(b(1), b(2));
        l.insert_block_after(b(3), b(2));
        assert_eq!(l.blocks().collect::<Vec<_>>(), [b(0), b(1), b(2), b(3)]);
        l.remove_block(b(1));
        assert_eq!(l.blocks().collect::<Vec<_>>(), [b(0), b(2), b(3)]);
        assert_eq!(l.entry_block(), Some(b(0)));
        assert_eq!(l.last_block(), Some(b(3)));

        l.append_inst(n(0), b(0));
        l.append_inst(n(2), b(0));
        l.insert_inst(n(1), n(2));
        assert_eq!(l.block_insts(b(0)).collect::<Vec<_>>(), [n(0), n(1), n(2)]);
        l.remove_inst(n(0));
        assert_eq!(l.block_insts(b(0)).collect::<Vec<_>>(), [n(1), n(2)]);
        assert_eq!(l.first_inst(b(0)), Some(n(1)));
        assert_eq!(l.inst_block(n(2)), Some(b(0)));
        assert_eq!(l.inst_block(n(0)), None);
    }
}
