//! The verifier: checks what a frontend author can get wrong.
//!
//! [`verify_function`] checks, and reports every violation of:
//! - structure: the function has an entry block whose parameters match the signature; every
//!   block of the layout exists, appears once, is non-empty and ends with its only
//!   terminator; every instruction of the layout exists, appears once and has the data format
//!   of its opcode; results and parameters are recorded where they are listed;
//! - references: values, blocks, stack slots, function and signature references and jump
//!   tables exist; operands are defined by an instruction in the layout or are parameters of a
//!   block in the layout;
//! - types, driven by the opcode table ([`Opcode::info`](crate::Opcode::info)): controlling
//!   type, operand constraints, result types, `iconst` immediates in range, call and return
//!   values against signatures, branch arguments against block parameters;
//! - control flow and SSA: branches never target the entry block (as in Cranelift), and every
//!   use in a reachable block is dominated by its definition;
//! - stack slot loads and stores at constant offsets stay inside their slot.
//!
//! It never panics on a [`Function`], however it was built.

mod insts;
#[cfg(test)]
mod tests;

use crate::dfg::ValueDef;
use crate::dominator_tree::DominatorTree;
use crate::entities::{AnyEntity, Block, Inst, Value};
use crate::entity::{EntitySet, SecondaryMap};
use crate::flowgraph::ControlFlowGraph;
use crate::function::Function;
use crate::instructions::InstructionData;
use core::fmt;

/// One problem found by the verifier.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifierError {
    /// Where: usually an instruction or block.
    pub location: AnyEntity,
    /// The instruction as text, when the location is an instruction.
    pub context: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Prints `inst3 (v4 = iadd v1, v2): message`.
impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(ctx) => write!(f, "{} ({}): {}", self.location, ctx, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Every problem found in a function.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VerifierErrors(pub Vec<VerifierError>);

impl VerifierErrors {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems found.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// One error per line.
impl fmt::Display for VerifierErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifierErrors {}

/// Checks `func`, reporting every problem found.
pub fn verify_function(func: &Function) -> Result<(), VerifierErrors> {
    let mut v = Verifier {
        func,
        errors: Vec::new(),
        inst_pos: SecondaryMap::new(),
        insts: Vec::new(),
        cfg: ControlFlowGraph::new(),
        domtree: DominatorTree::new(),
    };
    v.run();
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(VerifierErrors(v.errors))
    }
}

struct Verifier<'a> {
    func: &'a Function,
    errors: Vec<VerifierError>,
    /// Position of each laid-out instruction in its block, for same-block dominance.
    inst_pos: SecondaryMap<Inst, u32>,
    /// The laid-out instructions that exist, with their blocks, in layout order.
    insts: Vec<(Block, Inst)>,
    cfg: ControlFlowGraph,
    domtree: DominatorTree,
}

impl Verifier<'_> {
    fn run(&mut self) {
        if !self.check_layout() {
            return;
        }
        self.check_entry_params();
        self.cfg.compute(self.func);
        self.domtree.compute(self.func, &self.cfg);
        for i in 0..self.insts.len() {
            let (block, inst) = self.insts[i];
            self.check_inst(block, inst);
        }
    }

    fn report(&mut self, location: impl Into<AnyEntity>, message: String) {
        self.errors.push(VerifierError {
            location: location.into(),
            context: None,
            message,
        });
    }

    fn report_inst(&mut self, inst: Inst, message: String) {
        let context = Some(self.inst_text(inst));
        self.errors.push(VerifierError {
            location: inst.into(),
            context,
            message,
        });
    }

    /// The instruction as text; a rough form when the printer would trip over it.
    fn inst_text(&self, inst: Inst) -> String {
        let dfg = &self.func.dfg;
        let Some(data) = dfg.insts.get(inst) else {
            return format!("{inst}");
        };
        let printable = match *data {
            InstructionData::BranchTable { table, .. } => dfg.jump_tables.is_valid(table),
            InstructionData::CallIndirect { .. } => !dfg.inst_args(inst).is_empty(),
            _ => true,
        };
        if printable {
            crate::write::inst_to_string(self.func, inst)
        } else {
            format!("{} ...", data.opcode())
        }
    }

    /// Blocks and instructions of the layout; false if there is nothing more to check.
    fn check_layout(&mut self) -> bool {
        let func = self.func;
        let (layout, dfg) = (&func.layout, &func.dfg);
        if layout.entry_block().is_none() {
            self.report(
                AnyEntity::Function,
                "function has no entry block (its layout is empty)".into(),
            );
            return false;
        }
        let mut seen_blocks = EntitySet::new();
        let mut seen_insts = EntitySet::new();
        for block in layout.blocks() {
            if !seen_blocks.insert(block) {
                self.report(block, format!("{block} appears twice in the layout"));
                break;
            }
            if !dfg.block_is_valid(block) {
                self.report(
                    block,
                    format!("{block} is in the layout but was never created"),
                );
            }
            for (i, &p) in block_params(func, block).iter().enumerate() {
                let def = dfg.value_def(p);
                if def != ValueDef::Param(block, i) {
                    let d = describe_def(def);
                    self.report(
                        block,
                        format!("parameter {i} of {block} is {p}, which is recorded as {d}"),
                    );
                }
            }
            let mut block_insts = Vec::new();
            for inst in layout.block_insts(block) {
                if !seen_insts.insert(inst) {
                    self.report(inst, format!("{inst} appears twice in the layout"));
                    break;
                }
                if layout.inst_block(inst) != Some(block) {
                    self.report(
                        inst,
                        format!("{inst} is listed in {block} but the layout places it elsewhere"),
                    );
                }
                self.inst_pos[inst] = block_insts.len() as u32;
                block_insts.push(inst);
                if dfg.insts.is_valid(inst) {
                    self.insts.push((block, inst));
                } else {
                    self.report(
                        inst,
                        format!("{inst} is in the layout but was never created"),
                    );
                }
            }
            let is_term = |i: Inst| {
                dfg.insts
                    .get(i)
                    .is_some_and(|d| d.opcode().info().is_terminator())
            };
            match block_insts.split_last() {
                None => self.report(
                    block,
                    format!("{block} is empty; a block must end with a terminator"),
                ),
                Some((&last, body)) => {
                    for &inst in body {
                        if is_term(inst) {
                            let op = dfg.insts[inst].opcode();
                            self.report_inst(
                                inst,
                                format!("terminator {op} is not the last instruction of {block}"),
                            );
                        }
                    }
                    if !is_term(last) && dfg.insts.is_valid(last) {
                        let op = dfg.insts[last].opcode();
                        self.report_inst(
                            last,
                            format!("{block} does not end with a terminator: {op} is not one"),
                        );
                    }
                }
            }
        }
        true
    }

    /// The entry block's parameters against the function's signature.
    fn check_entry_params(&mut self) {
        let Some(entry) = self.func.layout.entry_block() else {
            return;
        };
        let params = block_params(self.func, entry);
        let sig = &self.func.signature.params;
        if params.len() != sig.len() {
            let (n, m) = (params.len(), sig.len());
            self.report(
                entry,
                format!("entry block {entry} has {n} parameters but the signature has {m}"),
            );
            return;
        }
        for (&p, abi) in params.iter().zip(sig) {
            let t = self.func.dfg.value_type(p);
            if t != abi.value_type {
                let e = abi.value_type;
                self.report(
                    entry,
                    format!("entry block parameter {p} has type {t}, but the signature says {e}"),
                );
            }
        }
    }
}

/// The parameters of `block`, or none if the block does not exist.
fn block_params(func: &Function, block: Block) -> &[Value] {
    if func.dfg.block_is_valid(block) {
        func.dfg.block_params(block)
    } else {
        &[]
    }
}

/// How a [`ValueDef`] reads in a message.
fn describe_def(def: ValueDef) -> String {
    match def {
        ValueDef::Result(inst, n) => format!("result {n} of {inst}"),
        ValueDef::Param(block, n) => format!("parameter {n} of {block}"),
        ValueDef::Other => "undefined".into(),
    }
}
