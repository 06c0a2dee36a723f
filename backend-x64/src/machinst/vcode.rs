//! `VCode`: a function's machine instructions over virtual registers, in final block order,
//! flat (one vector of instructions, one of operands), ready for `regalloc2`.
//!
//! Blocks are numbered in emission order (block 0 is the entry). Each block ends in exactly
//! one terminator; a terminator with several successors passes no block arguments (the lowering
//! splits those edges with blocks that only jump), so `regalloc2`'s edge rules hold.

use crate::machinst::Reg;
use kiln_ir::TrapCode;
use regalloc2::{Block, Inst, InstRange, Operand, PReg, PRegSet, RegClass, VReg};

/// How an instruction uses one of its register operands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OperandUse {
    /// Read at the start of the instruction.
    Use,
    /// Read, and kept live until the end of the instruction (not reusable by a def).
    UseLate,
    /// Written at the end of the instruction (may share a register with a dying use).
    Def,
    /// Written early: may not share a register with any use (multi-instruction sequences
    /// and scratch registers).
    DefEarly,
    /// Written into the register of the instruction's `n`th operand (a two-address form).
    Reuse(usize),
    /// Read from a fixed physical register.
    FixedUse(PReg),
    /// Written into a fixed physical register.
    FixedDef(PReg),
}

/// Visits the register operands of an instruction, in a fixed order, by mutable reference:
/// the same walk collects constraints for the allocator and writes the allocation back.
pub trait OperandVisitor {
    /// One register operand. Physical registers that are not fixed constraints (e.g. `rbp`
    /// in a frame address) are not allocatable and are skipped by the visitors here.
    fn visit(&mut self, reg: &mut Reg, how: OperandUse);
}

/// What `VCode` needs from a target's machine instruction.
pub trait VCodeInst: Clone {
    /// Visits every register operand (see [`OperandVisitor`]).
    fn visit_operands(&mut self, v: &mut dyn OperandVisitor);
    /// Physical registers clobbered (calls).
    fn clobbers(&self) -> PRegSet;
    /// Whether this is a return (a terminator without successors).
    fn is_ret(&self) -> bool;
    /// Whether this is a branch terminator (to other blocks of the function).
    fn is_branch(&self) -> bool;
}

/// The machine code of one function before register allocation.
#[derive(Clone, Debug, Default)]
pub struct VCode<I> {
    /// The instructions, block after block.
    pub insts: Vec<I>,
    /// The trap code of each instruction that may fault (e.g. a memory access), or `None`.
    pub trap_codes: Vec<Option<TrapCode>>,
    operands: Vec<Operand>,
    operand_ranges: Vec<(u32, u32)>,
    clobbers: Vec<PRegSet>,
    block_ranges: Vec<(u32, u32)>,
    succs: Vec<Block>,
    succ_ranges: Vec<(u32, u32)>,
    preds: Vec<Block>,
    pred_ranges: Vec<(u32, u32)>,
    params: Vec<VReg>,
    param_ranges: Vec<(u32, u32)>,
    /// Per block: the arguments passed to its single successor (empty for others).
    branch_args: Vec<VReg>,
    branch_arg_ranges: Vec<(u32, u32)>,
    num_vregs: usize,
}

/// Collects an instruction's operands for the allocator. `Reuse(n)` counts only operands
/// reported here (physical registers in addresses are skipped).
struct Collector<'a> {
    ops: &'a mut Vec<Operand>,
}

impl OperandVisitor for Collector<'_> {
    fn visit(&mut self, reg: &mut Reg, how: OperandUse) {
        let v = reg.to_vreg();
        let op = match how {
            _ if reg.is_physical() => return,
            OperandUse::Use => Operand::reg_use(v),
            OperandUse::UseLate => Operand::reg_use_at_end(v),
            OperandUse::Def => Operand::reg_def(v),
            OperandUse::DefEarly => Operand::reg_def_at_start(v),
            OperandUse::Reuse(i) => Operand::reg_reuse_def(v, i),
            OperandUse::FixedUse(p) => Operand::reg_fixed_use(v, p),
            OperandUse::FixedDef(p) => Operand::reg_fixed_def(v, p),
        };
        self.ops.push(op);
    }
}

/// Writes allocations back into an instruction, visiting its operands in the order they were
/// collected for the allocator.
pub struct Applier<'a> {
    allocs: &'a [regalloc2::Allocation],
    next: usize,
}

impl<'a> Applier<'a> {
    /// Applies `allocs` (the allocator's output for one instruction).
    pub fn new(allocs: &'a [regalloc2::Allocation]) -> Self {
        Applier { allocs, next: 0 }
    }
}

impl OperandVisitor for Applier<'_> {
    fn visit(&mut self, reg: &mut Reg, _how: OperandUse) {
        if reg.is_physical() {
            return;
        }
        let a = self.allocs[self.next];
        self.next += 1;
        // Only register constraints are used, so every allocation is a register.
        let p = a.as_reg().expect("register operand allocated to the stack");
        *reg = Reg::from_preg(p);
    }
}

/// Builds a [`VCode`]: blocks are opened in order, instructions appended to the open block.
impl<I: VCodeInst> VCode<I> {
    /// An empty function.
    pub fn new() -> Self {
        VCode {
            insts: Vec::new(),
            trap_codes: Vec::new(),
            operands: Vec::new(),
            operand_ranges: Vec::new(),
            clobbers: Vec::new(),
            block_ranges: Vec::new(),
            succs: Vec::new(),
            succ_ranges: Vec::new(),
            preds: Vec::new(),
            pred_ranges: Vec::new(),
            params: Vec::new(),
            param_ranges: Vec::new(),
            branch_args: Vec::new(),
            branch_arg_ranges: Vec::new(),
            num_vregs: 0,
        }
    }

    /// Empties it, keeping allocations.
    pub fn clear(&mut self) {
        self.insts.clear();
        self.trap_codes.clear();
        self.operands.clear();
        self.operand_ranges.clear();
        self.clobbers.clear();
        self.block_ranges.clear();
        self.succs.clear();
        self.succ_ranges.clear();
        self.preds.clear();
        self.pred_ranges.clear();
        self.params.clear();
        self.param_ranges.clear();
        self.branch_args.clear();
        self.branch_arg_ranges.clear();
        self.num_vregs = 0;
    }

    /// Sets the number of virtual-register indices in use (pinned ones included).
    pub fn set_num_vregs(&mut self, n: usize) {
        self.num_vregs = n;
    }

    /// Starts the next block with parameters `params`.
    pub fn start_block(&mut self, params: &[Reg]) {
        let n = self.insts.len() as u32;
        self.block_ranges.push((n, n));
        let p = self.params.len() as u32;
        self.params.extend(params.iter().map(|r| r.to_vreg()));
        self.param_ranges.push((p, self.params.len() as u32));
        let s = self.succs.len() as u32;
        self.succ_ranges.push((s, s));
        let a = self.branch_args.len() as u32;
        self.branch_arg_ranges.push((a, a));
    }

    /// Appends an instruction to the open block.
    pub fn push(&mut self, mut inst: I, trap: Option<TrapCode>) {
        let start = self.operands.len() as u32;
        inst.visit_operands(&mut Collector {
            ops: &mut self.operands,
        });
        self.operand_ranges
            .push((start, self.operands.len() as u32));
        self.clobbers.push(inst.clobbers());
        self.insts.push(inst);
        self.trap_codes.push(trap);
        if let Some(b) = self.block_ranges.last_mut() {
            b.1 = self.insts.len() as u32;
        }
    }

    /// Records the open block's successors (after its terminator), and the arguments passed
    /// if it has exactly one.
    pub fn set_succs(&mut self, succs: &[u32], args: &[Reg]) {
        let s = self.succs.len() as u32;
        self.succs
            .extend(succs.iter().map(|&b| Block::new(b as usize)));
        *self.succ_ranges.last_mut().expect("no open block") = (s, self.succs.len() as u32);
        let a = self.branch_args.len() as u32;
        self.branch_args.extend(args.iter().map(|r| r.to_vreg()));
        *self.branch_arg_ranges.last_mut().expect("no open block") =
            (a, self.branch_args.len() as u32);
    }

    /// Computes predecessors; call once all blocks are in.
    pub fn finish(&mut self) {
        let n = self.block_ranges.len();
        let mut counts = vec![0u32; n];
        for s in &self.succs {
            counts[s.index()] += 1;
        }
        self.pred_ranges.clear();
        let mut at = 0u32;
        for c in &counts {
            self.pred_ranges.push((at, at));
            at += c;
        }
        self.preds.clear();
        self.preds.resize(at as usize, Block::new(0));
        for b in 0..n {
            let (s0, s1) = self.succ_ranges[b];
            for i in s0..s1 {
                let t = self.succs[i as usize].index();
                let r = &mut self.pred_ranges[t];
                self.preds[r.1 as usize] = Block::new(b);
                r.1 += 1;
            }
        }
    }

    /// Number of blocks.
    pub fn num_blocks(&self) -> usize {
        self.block_ranges.len()
    }

    /// The instruction indices of block `b`.
    pub fn block_insts(&self, b: usize) -> core::ops::Range<usize> {
        let (s, e) = self.block_ranges[b];
        s as usize..e as usize
    }

    /// The operands of instruction `i` as given to the allocator.
    pub fn operands(&self, i: usize) -> &[Operand] {
        let (s, e) = self.operand_ranges[i];
        &self.operands[s as usize..e as usize]
    }
}

fn range<T>(v: &[T], r: (u32, u32)) -> &[T] {
    &v[r.0 as usize..r.1 as usize]
}

impl<I: VCodeInst> regalloc2::Function for VCode<I> {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }
    fn num_blocks(&self) -> usize {
        self.block_ranges.len()
    }
    fn entry_block(&self) -> Block {
        Block::new(0)
    }
    fn block_insns(&self, block: Block) -> InstRange {
        let (s, e) = self.block_ranges[block.index()];
        InstRange::new(Inst::new(s as usize), Inst::new(e as usize))
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        range(&self.succs, self.succ_ranges[block.index()])
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        range(&self.preds, self.pred_ranges[block.index()])
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        range(&self.params, self.param_ranges[block.index()])
    }
    fn is_ret(&self, insn: Inst) -> bool {
        self.insts[insn.index()].is_ret()
    }
    fn is_branch(&self, insn: Inst) -> bool {
        self.insts[insn.index()].is_branch()
    }
    fn branch_blockparams(&self, block: Block, _insn: Inst, _succ_idx: usize) -> &[VReg] {
        range(&self.branch_args, self.branch_arg_ranges[block.index()])
    }
    fn inst_operands(&self, insn: Inst) -> &[Operand] {
        self.operands(insn.index())
    }
    fn inst_clobbers(&self, insn: Inst) -> PRegSet {
        self.clobbers[insn.index()]
    }
    fn num_vregs(&self) -> usize {
        self.num_vregs
    }
    /// In 8-byte slots: integers take one, SSE registers (floats and 128-bit vectors share
    /// the `Float` class) two.
    fn spillslot_size(&self, regclass: RegClass) -> usize {
        match regclass {
            RegClass::Int => 1,
            RegClass::Float | RegClass::Vector => 2,
        }
    }
}
