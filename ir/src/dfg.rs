//! The data-flow graph: instructions, values and block parameters.

use crate::entities::{Block, FuncRef, Inst, JumpTable, SigRef, Value};
use crate::entity::{PrimaryMap, SecondaryMap};
use crate::extfunc::ExtFuncData;
use crate::instructions::{BlockCall, InstructionData, ValueList, ValueListPool};
use crate::jumptable::JumpTableData;
use crate::opcodes::{CtrlType, ResultType};
use crate::signature::Signature;
use crate::types::{self, Type};
use smallvec::SmallVec;

/// Where a value comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueDef {
    /// Result number `.1` of instruction `.0`.
    Result(Inst, usize),
    /// Parameter number `.1` of block `.0`.
    Param(Block, usize),
    /// An alias of another value, or a placeholder the parser made for a number never defined.
    Other,
}

#[derive(Clone, Copy, Debug)]
enum ValueData {
    Inst { ty: Type, num: u32, inst: Inst },
    Param { ty: Type, num: u32, block: Block },
    Alias { ty: Type, original: Value },
    Placeholder,
}

/// The data of a block: its parameters.
#[derive(Clone, Copy, Default, Debug)]
pub struct BlockData {
    params: ValueList,
}

/// Instructions, values and blocks of a function, and the external entities they refer to.
///
/// Which instructions and blocks are actually in the function, and in what order, is the
/// [`Layout`](crate::Layout)'s business.
#[derive(Clone, Default, Debug)]
pub struct DataFlowGraph {
    /// Every instruction ever created.
    pub insts: PrimaryMap<Inst, InstructionData>,
    results: SecondaryMap<Inst, ValueList>,
    blocks: PrimaryMap<Block, BlockData>,
    values: PrimaryMap<Value, ValueData>,
    /// Storage of every variable-length value list.
    pub value_lists: ValueListPool,
    /// Signatures referenced by `call_indirect` and by function references.
    pub signatures: PrimaryMap<SigRef, Signature>,
    /// Functions referenced by `call` and `func_addr`.
    pub ext_funcs: PrimaryMap<FuncRef, ExtFuncData>,
    /// Destinations of `br_table` instructions.
    pub jump_tables: PrimaryMap<JumpTable, JumpTableData>,
}

impl DataFlowGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything, keeping allocations for reuse.
    pub fn clear(&mut self) {
        self.insts.clear();
        self.results.clear();
        self.blocks.clear();
        self.values.clear();
        self.value_lists.clear();
        self.signatures.clear();
        self.ext_funcs.clear();
        self.jump_tables.clear();
    }

    // ---- Values ----

    /// Number of values ever created (including aliases and placeholders).
    pub fn num_values(&self) -> usize {
        self.values.len()
    }

    /// Whether `v` names a value of this graph that is an instruction result or block parameter
    /// (possibly through aliases).
    pub fn value_is_valid(&self, v: Value) -> bool {
        self.values.is_valid(v) && self.value_def(v) != ValueDef::Other
    }

    /// Follows aliases to the value that is actually defined.
    pub fn resolve_aliases(&self, mut v: Value) -> Value {
        // An alias chain can be at most as long as the number of values; stop on a cycle.
        for _ in 0..=self.values.len() {
            match self.values.get(v) {
                Some(ValueData::Alias { original, .. }) => v = *original,
                _ => return v,
            }
        }
        v
    }

    /// The type of `v` (`INVALID` for a placeholder or an unknown value).
    pub fn value_type(&self, v: Value) -> Type {
        match self.values.get(v) {
            Some(ValueData::Inst { ty, .. })
            | Some(ValueData::Param { ty, .. })
            | Some(ValueData::Alias { ty, .. }) => *ty,
            _ => types::INVALID,
        }
    }

    /// Where `v` is defined, after following aliases.
    pub fn value_def(&self, v: Value) -> ValueDef {
        match self.values.get(self.resolve_aliases(v)) {
            Some(ValueData::Inst { num, inst, .. }) => ValueDef::Result(*inst, *num as usize),
            Some(ValueData::Param { num, block, .. }) => ValueDef::Param(*block, *num as usize),
            _ => ValueDef::Other,
        }
    }

    /// Whether `v` itself (not following aliases) is an alias.
    pub fn is_alias(&self, v: Value) -> bool {
        matches!(self.values.get(v), Some(ValueData::Alias { .. }))
    }

    /// Makes a value that is not defined yet; the parser uses this to keep value numbers, and
    /// turns it into a result or parameter later with [`Self::attach_result`] or
    /// [`Self::attach_block_param`].
    pub fn make_placeholder_value(&mut self) -> Value {
        self.values.push(ValueData::Placeholder)
    }

    /// Turns `dest` into an alias of `src`: every use of `dest` now means `src`.
    ///
    /// `dest` must no longer be an instruction result or block parameter (see
    /// [`Self::remove_block_param`]); it may already be an alias, which shortens alias chains.
    /// Panics if `src` resolves to `dest`.
    pub fn change_to_alias(&mut self, dest: Value, src: Value) {
        let original = self.resolve_aliases(src);
        assert_ne!(original, dest, "aliasing {dest} to itself");
        let ty = self.value_type(original);
        self.values[dest] = ValueData::Alias { ty, original };
    }

    /// Replaces every operand and branch argument of `inst` by the value it aliases.
    pub fn resolve_aliases_in_inst(&mut self, inst: Inst) {
        let mut data = self.insts[inst];
        for arg in data.arguments_mut(&mut self.value_lists) {
            *arg = Self::resolve(&self.values, *arg);
        }
        for dest in data.branch_destinations_mut(&mut self.jump_tables) {
            for arg in self.value_lists.get_mut(dest.args) {
                *arg = Self::resolve(&self.values, *arg);
            }
        }
        self.insts[inst] = data;
    }

    fn resolve(values: &PrimaryMap<Value, ValueData>, mut v: Value) -> Value {
        for _ in 0..=values.len() {
            match values.get(v) {
                Some(ValueData::Alias { original, .. }) => v = *original,
                _ => break,
            }
        }
        v
    }

    // ---- Instructions ----

    /// Creates an instruction without results; see [`Self::make_inst_results`].
    pub fn make_inst(&mut self, data: InstructionData) -> Inst {
        self.insts.push(data)
    }

    /// Number of instructions ever created.
    pub fn num_insts(&self) -> usize {
        self.insts.len()
    }

    /// The signature called by a `call` or `call_indirect`.
    pub fn call_signature(&self, inst: Inst) -> Option<SigRef> {
        match self.insts[inst] {
            InstructionData::Call { func_ref, .. } => Some(self.ext_funcs[func_ref].signature),
            InstructionData::CallIndirect { sig_ref, .. } => Some(sig_ref),
            _ => None,
        }
    }

    /// The result types `data` has with controlling type `ctrl`.
    pub fn result_types(&self, data: &InstructionData, ctrl: Type) -> SmallVec<[Type; 4]> {
        let sig = match *data {
            InstructionData::Call { func_ref, .. } => {
                self.ext_funcs.get(func_ref).map(|f| f.signature)
            }
            InstructionData::CallIndirect { sig_ref, .. } => Some(sig_ref),
            _ => None,
        };
        if let Some(sig) = sig {
            return self
                .signatures
                .get(sig)
                .map(|s| s.returns.iter().map(|p| p.value_type).collect())
                .unwrap_or_default();
        }
        data.opcode()
            .info()
            .results
            .iter()
            .map(|r| match *r {
                ResultType::Ctrl => ctrl,
                ResultType::Fixed(t) => t,
                ResultType::Half => ctrl.half_width().unwrap_or(types::INVALID),
                ResultType::Double => ctrl.double_width().unwrap_or(types::INVALID),
            })
            .collect()
    }

    /// Creates the results of `inst` from its opcode (or called signature) and controlling
    /// type; returns how many there are.
    pub fn make_inst_results(&mut self, inst: Inst, ctrl: Type) -> usize {
        let tys = self.result_types(&self.insts[inst], ctrl);
        for &ty in &tys {
            self.append_result(inst, ty);
        }
        tys.len()
    }

    /// Appends a result of type `ty` to `inst`.
    pub fn append_result(&mut self, inst: Inst, ty: Type) -> Value {
        let v = self.values.next_key();
        let num = self.results[inst].len() as u32;
        self.values.push(ValueData::Inst { ty, num, inst });
        let mut list = self.results[inst];
        self.value_lists.push(&mut list, v);
        self.results[inst] = list;
        v
    }

    /// Makes the placeholder `v` the next result of `inst`, with type `ty`.
    pub fn attach_result(&mut self, inst: Inst, v: Value, ty: Type) {
        let num = self.results[inst].len() as u32;
        self.values[v] = ValueData::Inst { ty, num, inst };
        let mut list = self.results[inst];
        self.value_lists.push(&mut list, v);
        self.results[inst] = list;
    }

    /// The results of `inst`.
    pub fn inst_results(&self, inst: Inst) -> &[Value] {
        self.value_lists.get(self.results[inst])
    }

    /// The first result of `inst`; panics if it has none.
    pub fn first_result(&self, inst: Inst) -> Value {
        self.inst_results(inst)[0]
    }

    /// The value operands of `inst`, without branch arguments.
    pub fn inst_args(&self, inst: Inst) -> &[Value] {
        self.insts[inst].arguments(&self.value_lists)
    }

    /// The branch destinations of `inst` (empty if it is not a branch).
    pub fn branch_destinations(&self, inst: Inst) -> &[BlockCall] {
        self.insts[inst].branch_destinations(&self.jump_tables)
    }

    /// The arguments of a branch destination.
    pub fn block_call_args(&self, call: &BlockCall) -> &[Value] {
        self.value_lists.get(call.args)
    }

    /// Appends `v` to the arguments of destination number `index` of branch `inst`.
    pub fn append_branch_arg(&mut self, inst: Inst, index: usize, v: Value) {
        let mut data = self.insts[inst];
        let dest = &mut data.branch_destinations_mut(&mut self.jump_tables)[index];
        self.value_lists.push(&mut dest.args, v);
        self.insts[inst] = data;
    }

    /// Removes argument `arg` from every destination of branch `inst` that goes to `block`.
    pub fn remove_branch_arg(&mut self, inst: Inst, block: Block, arg: usize) {
        let mut data = self.insts[inst];
        for dest in data.branch_destinations_mut(&mut self.jump_tables) {
            if dest.block == block {
                self.value_lists.remove(&mut dest.args, arg);
            }
        }
        self.insts[inst] = data;
    }

    /// The controlling type of `inst`: its explicit type, the type of the operand that decides
    /// it, or `INVALID` for instructions that are not polymorphic.
    pub fn ctrl_typevar(&self, inst: Inst) -> Type {
        match self.insts[inst].opcode().info().ctrl {
            CtrlType::None => types::INVALID,
            CtrlType::Explicit => self
                .inst_results(inst)
                .first()
                .map_or(types::INVALID, |&v| self.value_type(v)),
            CtrlType::Operand(i) => self
                .inst_args(inst)
                .get(i as usize)
                .map_or(types::INVALID, |&v| self.value_type(v)),
        }
    }

    // ---- Blocks ----

    /// Creates a block without parameters.
    pub fn make_block(&mut self) -> Block {
        self.blocks.push(BlockData::default())
    }

    /// Number of blocks ever created.
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Whether `block` was created in this graph.
    pub fn block_is_valid(&self, block: Block) -> bool {
        self.blocks.is_valid(block)
    }

    /// Appends a parameter of type `ty` to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        let v = self.values.next_key();
        let num = self.blocks[block].params.len() as u32;
        self.values.push(ValueData::Param { ty, num, block });
        let mut list = self.blocks[block].params;
        self.value_lists.push(&mut list, v);
        self.blocks[block].params = list;
        v
    }

    /// Makes the placeholder `v` the next parameter of `block`, with type `ty`.
    pub fn attach_block_param(&mut self, block: Block, v: Value, ty: Type) {
        let num = self.blocks[block].params.len() as u32;
        self.values[v] = ValueData::Param { ty, num, block };
        let mut list = self.blocks[block].params;
        self.value_lists.push(&mut list, v);
        self.blocks[block].params = list;
    }

    /// Removes parameter `v` from its block, renumbering the later ones. `v` is left as a
    /// placeholder, typically turned into an alias next.
    pub fn remove_block_param(&mut self, v: Value) {
        let ValueData::Param { num, block, .. } = self.values[v] else {
            panic!("{v} is not a block parameter");
        };
        let mut list = self.blocks[block].params;
        self.value_lists.remove(&mut list, num as usize);
        self.blocks[block].params = list;
        for (i, &p) in self
            .value_lists
            .get(list)
            .iter()
            .enumerate()
            .skip(num as usize)
        {
            if let ValueData::Param { num, .. } = &mut self.values[p] {
                *num = i as u32;
            }
        }
        self.values[v] = ValueData::Placeholder;
    }

    /// The parameters of `block`.
    pub fn block_params(&self, block: Block) -> &[Value] {
        self.value_lists.get(self.blocks[block].params)
    }

    /// The parameter types of `block`.
    pub fn block_param_types(&self, block: Block) -> impl Iterator<Item = Type> + '_ {
        self.block_params(block).iter().map(|&v| self.value_type(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcodes::Opcode;
    use crate::types::{I32, I8};

    #[test]
    fn results_params_and_aliases() {
        let mut dfg = DataFlowGraph::new();
        let b = dfg.make_block();
        let p0 = dfg.append_block_param(b, I32);
        let p1 = dfg.append_block_param(b, I32);
        let p2 = dfg.append_block_param(b, I8);
        let inst = dfg.make_inst(InstructionData::Binary {
            opcode: Opcode::UaddOverflow,
            args: [p0, p1],
        });
        assert_eq!(dfg.make_inst_results(inst, I32), 2);
        let [sum, carry] = dfg.inst_results(inst) else {
            panic!()
        };
        let (sum, carry) = (*sum, *carry);
        assert_eq!(dfg.value_type(carry), I8);
        assert_eq!(dfg.value_def(sum), ValueDef::Result(inst, 0));
        assert_eq!(dfg.ctrl_typevar(inst), I32);

        // Remove the middle parameter and alias it: the last one is renumbered.
        dfg.remove_block_param(p1);
        dfg.change_to_alias(p1, p0);
        assert_eq!(dfg.block_params(b), [p0, p2]);
        assert_eq!(dfg.value_def(p2), ValueDef::Param(b, 1));
        assert_eq!(dfg.resolve_aliases(p1), p0);
        assert_eq!(dfg.value_type(p1), I32);
        dfg.resolve_aliases_in_inst(inst);
        assert_eq!(dfg.inst_args(inst), [p0, p0]);
    }
}
