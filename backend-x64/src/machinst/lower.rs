//! The lowering driver: IR function in, [`VCode`] out, target-independent.
//!
//! Before lowering it computes, per value, how many times it is used, and per instruction its
//! *side-effect colour*: the number of side-effecting instructions before it in its block.
//! A load may be merged ("sunk") into its user when the user is in the same block, the load's
//! result has exactly one use, and no side effect lies between them — an O(1) test on colours.
//!
//! Blocks are laid out in reverse postorder; each edge out of a block with several successors
//! gets its own block that only jumps (so `regalloc2` never sees a critical edge or arguments
//! on a multi-way branch). Blocks are lowered in postorder and each block's instructions
//! backwards, so every use of a value is lowered before its definition: an instruction whose
//! results were never asked for (unused, or merged into their user) and that has no side
//! effect produces nothing.

use crate::machinst::vcode::{OperandUse, OperandVisitor, VCode, VCodeInst};
use crate::machinst::{Label, Reg, RegClass};
use kiln_ir::dominator_tree::DominatorTree;
use kiln_ir::entity::EntityRef;
use kiln_ir::{Block, Function, Inst, Opcode, TrapCode, Value, ValueDef};
use smallvec::SmallVec;

/// The registers holding one IR value: one, or two for an `i128` (low half first).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ValueRegs {
    regs: [Reg; 2],
    len: u8,
}

impl ValueRegs {
    /// One register.
    pub fn one(r: Reg) -> Self {
        ValueRegs {
            regs: [r, r],
            len: 1,
        }
    }

    /// Two registers (low, high).
    pub fn two(lo: Reg, hi: Reg) -> Self {
        ValueRegs {
            regs: [lo, hi],
            len: 2,
        }
    }

    /// No register (an instruction without results).
    pub fn none() -> Self {
        let r = Reg::virt(0, RegClass::Int);
        ValueRegs {
            regs: [r, r],
            len: 0,
        }
    }

    /// The registers.
    pub fn regs(&self) -> &[Reg] {
        &self.regs[..self.len as usize]
    }
}

/// Why lowering failed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum LowerError {
    /// No rule covers this instruction (yet).
    #[error("not lowered yet: {0}")]
    NotLowered(String),
    /// The function is malformed (e.g. no entry block).
    #[error("invalid function: {0}")]
    Invalid(String),
}

/// Per-function analysis: use counts and side-effect colours.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Uses of each value (by value index), counting branch arguments.
    pub use_counts: Vec<u32>,
    /// Colour of each instruction (by instruction index).
    pub colours: Vec<u32>,
    /// Whether each instruction has a side effect (by instruction index).
    pub side_effect: Vec<bool>,
}

/// Whether `op` must stay where it is: stores, calls, traps, control flow, and anything that
/// may trap (a trapping load must not move past another side effect).
pub fn has_side_effect(op: Opcode) -> bool {
    let info = op.info();
    info.has_side_effects() || info.can_trap()
}

impl Analysis {
    /// Computes the analysis of `func`, reusing the vectors.
    pub fn compute(&mut self, func: &Function) {
        let dfg = &func.dfg;
        self.use_counts.clear();
        self.use_counts.resize(dfg.num_values(), 0);
        self.colours.clear();
        self.colours.resize(dfg.num_insts(), 0);
        self.side_effect.clear();
        self.side_effect.resize(dfg.num_insts(), false);
        for block in func.layout.blocks() {
            let mut colour = 0;
            for inst in func.layout.block_insts(block) {
                for &a in dfg.inst_args(inst) {
                    self.use_counts[dfg.resolve_aliases(a).index()] += 1;
                }
                for call in dfg.branch_destinations(inst) {
                    for &a in dfg.block_call_args(call) {
                        self.use_counts[dfg.resolve_aliases(a).index()] += 1;
                    }
                }
                self.colours[inst.index()] = colour;
                if has_side_effect(dfg.insts[inst].opcode()) {
                    self.side_effect[inst.index()] = true;
                    colour += 1;
                }
            }
        }
    }

    /// Whether `load` (defining `v`) may be merged into `user`: `v` has one use, both are in
    /// the same block, and no side effect other than the load itself lies between them.
    pub fn can_sink(&self, func: &Function, load: Inst, v: Value, user: Inst) -> bool {
        let layout = &func.layout;
        if self.use_counts[v.index()] != 1 || layout.inst_block(load) != layout.inst_block(user) {
            return false;
        }
        let own = self.side_effect[load.index()] as u32;
        self.colours[user.index()] == self.colours[load.index()] + own
    }
}

/// What a block of the layout is.
#[derive(Clone, Copy, Debug)]
enum BlockKind {
    /// An IR block.
    Ir(Block),
    /// The edge block for successor `succ` of IR block `from`'s terminator.
    Edge { from: Block, succ: u32 },
}

/// The vectors of [`Lower`], kept between functions so lowering allocates only when a
/// function is larger than every one before it.
pub struct LowerBuffers<I> {
    value_regs: Vec<Option<ValueRegs>>,
    used: Vec<bool>,
    merged: Vec<bool>,
    renames: Vec<Option<Reg>>,
    cur: Vec<(I, Option<TrapCode>)>,
    order: Vec<BlockKind>,
    ir_index: Vec<(u32, u32)>,
    rev_insts: Vec<(I, Option<TrapCode>)>,
    rev_ends: Vec<u32>,
    table: Vec<Reg>,
    is_set: Vec<bool>,
}

impl<I> Default for LowerBuffers<I> {
    fn default() -> Self {
        LowerBuffers {
            value_regs: Vec::new(),
            used: Vec::new(),
            merged: Vec::new(),
            renames: Vec::new(),
            cur: Vec::new(),
            order: Vec::new(),
            ir_index: Vec::new(),
            rev_insts: Vec::new(),
            rev_ends: Vec::new(),
            table: Vec::new(),
            is_set: Vec::new(),
        }
    }
}

/// The lowering state of one function, shared with the target's per-instruction lowering.
pub struct Lower<'f, I: VCodeInst> {
    /// The function being lowered.
    pub func: &'f Function,
    /// Use counts and colours.
    pub analysis: &'f Analysis,
    next_vreg: usize,
    cur_inst: Option<Inst>,
    b: &'f mut LowerBuffers<I>,
}

/// The target's part of lowering.
pub trait LowerTarget<I: VCodeInst> {
    /// Lowers one IR instruction (terminators included: they must end with the block's
    /// terminator machine instruction, branching to [`Lower::succ_label`]s).
    fn lower_inst(&mut self, ctx: &mut Lower<'_, I>, inst: Inst) -> Result<(), LowerError>;
    /// Emits the entry block's argument setup (called after the entry block's instructions
    /// were lowered, so it knows which arguments are used).
    fn gen_args(&mut self, ctx: &mut Lower<'_, I>) -> Result<(), LowerError>;
    /// An unconditional jump to `target`.
    fn gen_jump(&mut self, target: Label) -> I;
}

impl<'f, I: VCodeInst> Lower<'f, I> {
    /// Prepares to lower `func`, reusing `buffers`.
    pub fn new(
        func: &'f Function,
        analysis: &'f Analysis,
        domtree: &DominatorTree,
        buffers: &'f mut LowerBuffers<I>,
    ) -> Result<Self, LowerError> {
        if func.layout.entry_block().is_none() {
            return Err(LowerError::Invalid("function has no blocks".into()));
        }
        let b = buffers;
        b.order.clear();
        b.ir_index.clear();
        b.ir_index.resize(func.dfg.num_blocks(), (u32::MAX, 0));
        for &blk in domtree.cfg_rpo() {
            let at = b.order.len() as u32;
            b.order.push(BlockKind::Ir(blk));
            let n = match func.layout.last_inst(blk) {
                Some(t) => func.dfg.branch_destinations(t).len() as u32,
                None => 0,
            };
            b.ir_index[blk.index()] = (at, at + 1);
            if n > 1 {
                for s in 0..n {
                    b.order.push(BlockKind::Edge { from: blk, succ: s });
                }
            }
        }
        b.value_regs.clear();
        b.value_regs.resize(func.dfg.num_values(), None);
        b.used.clear();
        b.used.resize(func.dfg.num_values(), false);
        b.merged.clear();
        b.merged.resize(func.dfg.num_insts(), false);
        b.renames.clear();
        b.cur.clear();
        b.rev_insts.clear();
        b.rev_ends.clear();
        Ok(Lower {
            func,
            analysis,
            next_vreg: 0,
            cur_inst: None,
            b,
        })
    }

    /// A fresh virtual register.
    pub fn alloc_vreg(&mut self, class: RegClass) -> Reg {
        let r = Reg::virt(self.next_vreg, class);
        self.next_vreg += 1;
        r
    }

    fn class_of(&self, v: Value) -> RegClass {
        let ty = self.func.dfg.value_type(v);
        if ty.is_float() || ty.is_vector() {
            RegClass::Float
        } else {
            RegClass::Int
        }
    }

    fn regs_of(&mut self, v: Value) -> ValueRegs {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(r) = self.b.value_regs[v.index()] {
            return r;
        }
        let class = self.class_of(v);
        let r = if self.func.dfg.value_type(v) == kiln_ir::types::I128 {
            let lo = self.alloc_vreg(class);
            ValueRegs::two(lo, self.alloc_vreg(class))
        } else {
            ValueRegs::one(self.alloc_vreg(class))
        };
        self.b.value_regs[v.index()] = Some(r);
        r
    }

    /// The registers of `v` as an operand: marks `v` used (so its definition is lowered).
    pub fn put_value_in_regs(&mut self, v: Value) -> ValueRegs {
        let v = self.func.dfg.resolve_aliases(v);
        self.b.used[v.index()] = true;
        self.regs_of(v)
    }

    /// Records that result `v` of the instruction being lowered is in `regs`: later
    /// (earlier in program order) uses of `v` read them directly.
    pub fn set_output(&mut self, v: Value, regs: ValueRegs) {
        let v = self.func.dfg.resolve_aliases(v);
        match self.b.value_regs[v.index()] {
            Some(old) => {
                for (o, n) in old.regs().iter().zip(regs.regs()) {
                    if let (true, Some(i)) = (o != n, o.virt_index()) {
                        if self.b.renames.len() <= i {
                            self.b.renames.resize(i + 1, None);
                        }
                        self.b.renames[i] = Some(*n);
                    }
                }
            }
            None => self.b.value_regs[v.index()] = Some(regs),
        }
    }

    /// The registers of `v` as a definition (block parameters), without marking it used.
    pub fn value_regs_for_def(&mut self, v: Value) -> ValueRegs {
        self.regs_of(v)
    }

    /// Whether the result `v` is used by something lowered so far.
    pub fn is_used(&self, v: Value) -> bool {
        self.b.used[self.func.dfg.resolve_aliases(v).index()]
    }

    /// The instruction being lowered.
    pub fn cur_inst(&self) -> Inst {
        self.cur_inst.expect("not lowering an instruction")
    }

    /// Whether the load `load` defining `v` may be merged into the instruction being lowered.
    pub fn can_sink(&self, load: Inst, v: Value) -> bool {
        !self.b.merged[load.index()] && self.analysis.can_sink(self.func, load, v, self.cur_inst())
    }

    /// Marks `load` as merged into its user: it is not lowered on its own.
    pub fn sink_inst(&mut self, load: Inst) {
        self.b.merged[load.index()] = true;
    }

    /// The instruction defining `v`, if it is an instruction result.
    pub fn def_inst(&self, v: Value) -> Option<Inst> {
        match self.func.dfg.value_def(self.func.dfg.resolve_aliases(v)) {
            ValueDef::Result(i, _) => Some(i),
            _ => None,
        }
    }

    /// Appends a machine instruction to the current IR instruction's lowering.
    pub fn emit(&mut self, inst: I) {
        self.b.cur.push((inst, None));
    }

    /// Appends a machine instruction that may fault with `code`.
    pub fn emit_trap(&mut self, inst: I, code: Option<TrapCode>) {
        self.b.cur.push((inst, code));
    }

    /// The label of successor `i` of the current block's terminator (its edge block when
    /// the terminator has several successors).
    pub fn succ_label(&self, i: usize) -> Label {
        let b = self
            .func
            .layout
            .inst_block(self.cur_inst())
            .expect("instruction in layout");
        let (_, edges) = self.b.ir_index[b.index()];
        let n = self.func.dfg.branch_destinations(self.cur_inst()).len();
        if n > 1 {
            Label::new(edges + i as u32)
        } else {
            let dest = self.func.dfg.branch_destinations(self.cur_inst())[i].block;
            Label::new(self.b.ir_index[dest.index()].0)
        }
    }

    /// Lowers the whole function into `vcode`.
    pub fn lower<T: LowerTarget<I>>(
        mut self,
        target: &mut T,
        vcode: &mut VCode<I>,
    ) -> Result<(), LowerError> {
        let func = self.func;
        let entry = func
            .layout
            .entry_block()
            .ok_or_else(|| LowerError::Invalid("no entry block".into()))?;
        // Every block parameter gets registers, used or not.
        for bi in 0..self.b.order.len() {
            if let BlockKind::Ir(b) = self.b.order[bi] {
                for &p in func.dfg.block_params(b) {
                    self.regs_of(p);
                }
            }
        }
        // Postorder: uses before definitions.
        for bi in (0..self.b.order.len()).rev() {
            match self.b.order[bi] {
                BlockKind::Edge { from, succ } => {
                    let t = func.layout.last_inst(from).expect("terminator");
                    let dest = func.dfg.branch_destinations(t)[succ as usize];
                    for &a in func.dfg.block_call_args(&dest) {
                        self.put_value_in_regs(a);
                    }
                    let label = Label::new(self.b.ir_index[dest.block.index()].0);
                    let j = target.gen_jump(label);
                    self.b.rev_insts.push((j, None));
                }
                BlockKind::Ir(b) => {
                    let mut inst = func.layout.last_inst(b);
                    while let Some(i) = inst {
                        inst = func.layout.prev_inst(i);
                        if self.b.merged[i.index()] {
                            continue;
                        }
                        let op = func.dfg.insts[i].opcode();
                        let needed = has_side_effect(op)
                            || func.dfg.inst_results(i).iter().any(|&r| self.is_used(r));
                        if !needed {
                            continue;
                        }
                        // A branch with a single destination (`jump`, or a `br_table` with
                        // only a default) passes its arguments itself; others use edge blocks.
                        if func.dfg.branch_destinations(i).len() == 1 {
                            for d in func.dfg.branch_destinations(i) {
                                for &a in func.dfg.block_call_args(d) {
                                    self.put_value_in_regs(a);
                                }
                            }
                        }
                        self.cur_inst = Some(i);
                        target.lower_inst(&mut self, i)?;
                        self.cur_inst = None;
                        let b = &mut *self.b;
                        b.rev_insts.extend(b.cur.drain(..).rev());
                    }
                    if b == entry {
                        target.gen_args(&mut self)?;
                        let b = &mut *self.b;
                        b.rev_insts.extend(b.cur.drain(..).rev());
                    }
                }
            }
            self.b.rev_ends.push(self.b.rev_insts.len() as u32);
        }
        // Program order: blocks first to last, instructions forwards.
        self.b.rev_insts.reverse();
        self.b.rev_ends.reverse();
        self.finish(vcode)
    }

    fn resolve(&self, r: Reg) -> Reg {
        let mut r = r;
        // Renames form chains without cycles (SSA); follow them to the end.
        while let Some(Some(to)) = r.virt_index().and_then(|i| self.b.renames.get(i)) {
            r = *to;
        }
        r
    }

    fn finish(self, vcode: &mut VCode<I>) -> Result<(), LowerError> {
        let func = self.func;
        vcode.clear();
        // Resolve renames once into a table indexed by vreg number.
        let mut table = core::mem::take(&mut self.b.table);
        let mut is_set = core::mem::take(&mut self.b.is_set);
        table.clear();
        table.extend((0..self.next_vreg).map(|n| Reg::virt(n, RegClass::Int)));
        is_set.clear();
        is_set.resize(self.next_vreg, false);
        for n in 0..self.b.renames.len() {
            if let Some(to) = self.b.renames[n] {
                table[n] = self.resolve(to);
                is_set[n] = true;
            }
        }
        struct Renamer<'a> {
            table: &'a [Reg],
            set: &'a [bool],
        }
        impl OperandVisitor for Renamer<'_> {
            fn visit(&mut self, reg: &mut Reg, _how: OperandUse) {
                if let Some(n) = reg.virt_index() {
                    if self.set[n] {
                        *reg = self.table[n];
                    }
                }
            }
        }
        let rn = |r: Reg| -> Reg {
            match r.virt_index() {
                Some(n) if is_set[n] => table[n],
                _ => r,
            }
        };
        let mut params: SmallVec<[Reg; 8]> = SmallVec::new();
        let mut args: SmallVec<[Reg; 8]> = SmallVec::new();
        let mut succs: SmallVec<[u32; 8]> = SmallVec::new();
        let mut insts = core::mem::take(&mut self.b.rev_insts);
        let total = insts.len() as u32;
        let nblocks = self.b.order.len();
        let mut it = insts.drain(..);
        for (bi, kind) in self.b.order.iter().enumerate() {
            params.clear();
            args.clear();
            succs.clear();
            match *kind {
                BlockKind::Ir(b) => {
                    if bi != 0 {
                        for &p in func.dfg.block_params(b) {
                            let r = self.b.value_regs[p.index()];
                            if let Some(r) = r {
                                params.extend(r.regs().iter().map(|&x| rn(x)));
                            }
                        }
                    }
                    if let Some(t) = func.layout.last_inst(b) {
                        let dests = func.dfg.branch_destinations(t);
                        if dests.len() == 1 {
                            let d = dests[0];
                            succs.push(self.b.ir_index[d.block.index()].0);
                            for &a in func.dfg.block_call_args(&d) {
                                let r = self.b.value_regs[func.dfg.resolve_aliases(a).index()]
                                    .expect("argument lowered");
                                args.extend(r.regs().iter().map(|&x| rn(x)));
                            }
                        } else {
                            let (_, e) = self.b.ir_index[b.index()];
                            succs.extend((0..dests.len() as u32).map(|i| e + i));
                        }
                    }
                }
                BlockKind::Edge { from, succ } => {
                    let t = func.layout.last_inst(from).expect("terminator");
                    let d = func.dfg.branch_destinations(t)[succ as usize];
                    succs.push(self.b.ir_index[d.block.index()].0);
                    for &a in func.dfg.block_call_args(&d) {
                        let r = self.b.value_regs[func.dfg.resolve_aliases(a).index()]
                            .expect("argument lowered");
                        args.extend(r.regs().iter().map(|&x| rn(x)));
                    }
                }
            }
            vcode.start_block(&params);
            let start = total - self.b.rev_ends[bi];
            let end = if bi + 1 < nblocks {
                total - self.b.rev_ends[bi + 1]
            } else {
                total
            };
            for _ in start..end {
                let Some((mut inst, trap)) = it.next() else {
                    break;
                };
                inst.visit_operands(&mut Renamer {
                    table: &table,
                    set: &is_set,
                });
                vcode.push(inst, trap);
            }
            vcode.set_succs(&succs, &args);
        }
        drop(it);
        self.b.rev_insts = insts;
        self.b.table = table;
        self.b.is_set = is_set;
        vcode.set_num_vregs(crate::machinst::reg::PINNED_VREGS + self.next_vreg);
        vcode.finish();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::parser::parse_functions;

    const TEXT: &str = "
function %f(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = load.i64 v0
    v3 = load.i64 v1
    v4 = iadd v2, v3
    store v4, v0
    v5 = load.i64 v0+8
    v6 = iadd v5, v5
    v7 = iconst.i64 3
    brif v7, block1(v6), block1(v4)
block1(v8: i64):
    v9 = iadd v8, v6
    return v9
}
";

    fn analysed() -> (Function, Analysis) {
        let f = parse_functions(TEXT).expect("parses").remove(0);
        let mut a = Analysis::default();
        a.compute(&f);
        (f, a)
    }

    fn inst_of(f: &Function, v: usize) -> Inst {
        match f.dfg.value_def(Value::new(v)) {
            ValueDef::Result(i, _) => i,
            _ => panic!("v{v} is not a result"),
        }
    }

    #[test]
    fn use_counts_include_branch_arguments() {
        let (_, a) = analysed();
        // v0: two loads and a store; v6: a branch argument and the iadd in block1;
        // v5: both operands of one iadd.
        let expected = [3, 1, 1, 1, 2, 2, 2, 1, 1, 1];
        assert_eq!(&a.use_counts[..10], &expected);
    }

    #[test]
    fn colours_count_side_effects_before_each_instruction() {
        let (f, a) = analysed();
        let c = |v| a.colours[inst_of(&f, v).index()];
        // Loads may trap, so each one starts a new colour; so does the store.
        assert_eq!([c(2), c(3), c(4), c(5), c(6), c(7)], [0, 1, 2, 3, 4, 4]);
        // Colours restart in each block.
        assert_eq!(c(9), 0);
    }

    #[test]
    fn sinking_needs_one_use_same_block_and_no_side_effect_between() {
        let (f, a) = analysed();
        let user = inst_of(&f, 4);
        // v3 is loaded right before its only user.
        assert!(a.can_sink(&f, inst_of(&f, 3), Value::new(3), user));
        // Another load (which may trap) lies between v2's load and the user.
        assert!(!a.can_sink(&f, inst_of(&f, 2), Value::new(2), user));
        // v5 is used twice.
        assert!(!a.can_sink(&f, inst_of(&f, 5), Value::new(5), inst_of(&f, 6)));
    }
}
