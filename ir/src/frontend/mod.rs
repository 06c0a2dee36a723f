//! `FunctionBuilder`: building SSA functions from a frontend with mutable variables.
//!
//! A frontend declares [`Variable`]s, assigns them with [`FunctionBuilder::def_var`] and reads
//! them with [`FunctionBuilder::use_var`]; the builder turns them into SSA values, adding block
//! parameters and branch arguments where control flow merges (see the `ssa` module for the
//! algorithm). Instructions are built with [`FunctionBuilder::ins`], exactly as with a
//! [`FuncCursor`](crate::FuncCursor).
//!
//! The protocol, as in Cranelift's `cranelift-frontend`:
//! 1. create blocks with [`FunctionBuilder::create_block`] and fill them one at a time after
//!    [`FunctionBuilder::switch_to_block`], ending each with a terminator;
//! 2. [`FunctionBuilder::seal_block`] a block as soon as every branch to it is built (the
//!    earlier, the fewer temporary parameters), or [`FunctionBuilder::seal_all_blocks`] at the
//!    end;
//! 3. [`FunctionBuilder::finalize`].

mod ssa;
mod variable;

pub use variable::Variable;

use crate::builder::InstBuilderBase;
use crate::dfg::DataFlowGraph;
use crate::entities::{Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
use crate::entity::{EntityRef, EntitySet, SecondaryMap};
use crate::extfunc::ExtFuncData;
use crate::function::Function;
use crate::instructions::{BlockCall, InstructionData};
use crate::jumptable::JumpTableData;
use crate::signature::Signature;
use crate::stackslot::StackSlotData;
use crate::types::{self, Type};
use core::fmt;
use smallvec::SmallVec;
use ssa::SsaBuilder;

/// The state of a [`FunctionBuilder`] that outlives one function: create it once and pass it
/// to every builder, so its memory is reused (it is cleared, not reallocated).
pub struct FunctionBuilderContext {
    ssa: SsaBuilder,
    /// The declared type of each variable; `INVALID` if undeclared.
    var_types: SecondaryMap<Variable, Type>,
    /// One past the highest declared variable.
    num_vars: usize,
    /// The jump tables used by a `br_table` built so far.
    used_tables: EntitySet<JumpTable>,
}

impl FunctionBuilderContext {
    /// An empty context.
    pub fn new() -> Self {
        Self {
            ssa: SsaBuilder::new(),
            var_types: SecondaryMap::with_default(types::INVALID),
            num_vars: 0,
            used_tables: EntitySet::new(),
        }
    }

    fn clear(&mut self) {
        self.ssa.clear();
        self.var_types.clear();
        self.num_vars = 0;
        self.used_tables.clear();
    }
}

impl Default for FunctionBuilderContext {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the body of a [`Function`], turning [`Variable`]s into SSA values.
///
/// # Example
///
/// `sum(n)` = 0 + 1 + ... + (n - 1), with a loop over two variables:
///
/// ```
/// use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
/// use kiln_ir::types::I32;
/// use kiln_ir::{AbiParam, CallConv, Function, InstBuilder, IntCC, Signature, UserFuncName};
///
/// let mut sig = Signature::new(CallConv::Fast);
/// sig.params.push(AbiParam::new(I32));
/// sig.returns.push(AbiParam::new(I32));
/// let mut func = Function::with_name_signature(UserFuncName::testcase("sum"), sig);
/// let mut ctx = FunctionBuilderContext::new();
/// let mut b = FunctionBuilder::new(&mut func, &mut ctx);
///
/// let entry = b.create_block();
/// let header = b.create_block();
/// let body = b.create_block();
/// let exit = b.create_block();
/// let (i, sum) = (b.declare_var(I32), b.declare_var(I32));
///
/// b.switch_to_block(entry);
/// b.append_block_params_for_function_params(entry);
/// b.seal_block(entry);
/// let n = b.block_params(entry)[0];
/// let zero = b.ins().iconst(I32, 0);
/// b.def_var(i, zero);
/// b.def_var(sum, zero);
/// b.ins().jump(header, &[]);
///
/// // `header` is not sealed yet: the back edge from `body` is still to come.
/// b.switch_to_block(header);
/// let iv = b.use_var(i);
/// let more = b.ins().icmp(IntCC::SignedLessThan, iv, n);
/// b.ins().brif(more, body, &[], exit, &[]);
///
/// b.switch_to_block(body);
/// b.seal_block(body);
/// let (iv, sv) = (b.use_var(i), b.use_var(sum));
/// let sv = b.ins().iadd(sv, iv);
/// b.def_var(sum, sv);
/// let iv = b.ins().iadd_imm(iv, 1);
/// b.def_var(i, iv);
/// b.ins().jump(header, &[]);
/// b.seal_block(header);
///
/// b.switch_to_block(exit);
/// b.seal_block(exit);
/// let sv = b.use_var(sum);
/// b.ins().return_(&[sv]);
/// b.finalize().unwrap();
///
/// assert_eq!(
///     func.to_string(),
///     "function %sum(i32) -> i32 fast {
/// block0(v0: i32):
///     v1 = iconst.i32 0
///     jump block1(v1, v1)
///
/// block1(v2: i32, v4: i32):
///     v3 = icmp slt v2, v0
///     brif v3, block2, block3
///
/// block2:
///     v5 = iadd v4, v2
///     v6 = iadd_imm v2, 1
///     jump block1(v6, v5)
///
/// block3:
///     return v4
/// }
/// "
/// );
/// println!("{func}");
///
/// // It verifies, and computes sum(10) = 0 + 1 + ... + 9 = 45.
/// use kiln_ir::interpreter::{FunctionStore, Interpreter};
/// use kiln_ir::{verifier, DataValue};
/// verifier::verify_function(&func).unwrap();
/// let mut store = FunctionStore::new();
/// store.add(&func);
/// let results = Interpreter::new(store).call_by_name("%sum", &[DataValue::I32(10)]);
/// assert_eq!(results, Ok(vec![DataValue::I32(45)]));
/// ```
pub struct FunctionBuilder<'a> {
    /// The function being built. Changes made directly (rather than through the builder) are
    /// not seen by the SSA construction: build branches with [`Self::ins`].
    pub func: &'a mut Function,
    ctx: &'a mut FunctionBuilderContext,
    position: Option<Block>,
}

impl<'a> FunctionBuilder<'a> {
    /// A builder that adds to `func`, using (and first clearing) `ctx`.
    pub fn new(func: &'a mut Function, ctx: &'a mut FunctionBuilderContext) -> Self {
        ctx.clear();
        Self {
            func,
            ctx,
            position: None,
        }
    }

    // ---- Blocks ----

    /// Creates a block, not yet in the layout (see [`Self::switch_to_block`]).
    pub fn create_block(&mut self) -> Block {
        self.func.dfg.make_block()
    }

    /// Makes `block` the current block, where [`Self::ins`] adds instructions and where
    /// variables are defined and used; appends it to the layout if it is not there yet.
    ///
    /// # Panics
    /// If the current block has instructions but no terminator yet, or `block` already ends in
    /// a terminator.
    pub fn switch_to_block(&mut self, block: Block) {
        if let Some(cur) = self.position {
            assert!(
                cur == block || self.block_is_pristine(cur) || self.block_is_filled(cur),
                "switching from {cur} to {block}, but {cur} is not finished: end it with a \
                 terminator first"
            );
        }
        assert!(
            !self.block_is_filled(block),
            "cannot switch to {block}: it already ends in a terminator"
        );
        self.position = Some(block);
        self.ensure_inserted_block();
    }

    /// The current block, if [`Self::switch_to_block`] was called.
    pub fn current_block(&self) -> Option<Block> {
        self.position
    }

    /// Appends the current block to the layout if it is not there yet (done by
    /// [`Self::switch_to_block`] already; kept for code written against Cranelift's API).
    pub fn ensure_inserted_block(&mut self) {
        let block = self.expect_position("ensure_inserted_block");
        if !self.func.layout.is_block_inserted(block) {
            self.func.layout.append_block(block);
        }
    }

    /// Declares that every branch to `block` has been built. Variables read in `block` before
    /// this get their branch arguments now; branching to `block` afterwards panics.
    pub fn seal_block(&mut self, block: Block) {
        self.ctx.ssa.seal_block(self.func, block);
    }

    /// Seals every block created so far that is not sealed yet.
    pub fn seal_all_blocks(&mut self) {
        for i in 0..self.func.dfg.num_blocks() {
            self.ctx.ssa.seal_block(self.func, Block::new(i));
        }
    }

    /// Appends a parameter of type `ty` to `block` and returns it.
    ///
    /// # Panics
    /// If the builder has already added parameters for variables to `block` (user parameters
    /// must come first; add them right after creating the block).
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        assert!(
            !self.ctx.ssa.has_params(block),
            "cannot add a parameter to {block}: variables were already read in it, so it has \
             parameters made by the SSA construction; add user parameters first"
        );
        self.func.dfg.append_block_param(block, ty)
    }

    /// Appends one parameter per function parameter to `block` (the entry block).
    pub fn append_block_params_for_function_params(&mut self, block: Block) {
        let tys: SmallVec<[Type; 8]> = self
            .func
            .signature
            .params
            .iter()
            .map(|p| p.value_type)
            .collect();
        for ty in tys {
            self.append_block_param(block, ty);
        }
    }

    /// The parameters of `block`.
    pub fn block_params(&self, block: Block) -> &[Value] {
        self.func.dfg.block_params(block)
    }

    /// Whether the current block can never run: it is sealed, has no predecessors and is not
    /// the entry block. A frontend can skip translating such code.
    pub fn is_unreachable(&self) -> bool {
        let Some(block) = self.position else {
            return false;
        };
        self.func.layout.entry_block() != Some(block)
            && self.ctx.ssa.is_sealed(block)
            && self.ctx.ssa.predecessors(block).is_empty()
    }

    /// Whether the current block has no instructions yet (true without a current block).
    pub fn is_pristine(&self) -> bool {
        self.position.is_none_or(|b| self.block_is_pristine(b))
    }

    /// Whether the current block ends in a terminator (false without a current block).
    pub fn is_filled(&self) -> bool {
        self.position.is_some_and(|b| self.block_is_filled(b))
    }

    fn block_is_pristine(&self, block: Block) -> bool {
        !self.func.layout.is_block_inserted(block) || self.func.layout.first_inst(block).is_none()
    }

    fn block_is_filled(&self, block: Block) -> bool {
        self.func.layout.is_block_inserted(block)
            && self
                .func
                .layout
                .last_inst(block)
                .is_some_and(|inst| self.func.dfg.insts[inst].opcode().info().is_terminator())
    }

    fn expect_position(&self, what: &str) -> Block {
        self.position
            .unwrap_or_else(|| panic!("{what} needs a current block: call switch_to_block first"))
    }

    // ---- Variables ----

    /// Declares a new variable of type `ty`, numbered after every variable declared so far.
    ///
    /// # Panics
    /// If `ty` is `INVALID`.
    pub fn declare_var(&mut self, ty: Type) -> Variable {
        let var = Variable::new(self.ctx.num_vars);
        if let Err(e) = self.try_declare_var(var, ty) {
            panic!("{e}");
        }
        var
    }

    /// Declares `var` (a number chosen by the frontend, a Wasm local index say) with type `ty`.
    pub fn try_declare_var(&mut self, var: Variable, ty: Type) -> Result<(), DeclareVariableError> {
        if ty.is_invalid() {
            return Err(DeclareVariableError::InvalidType(var));
        }
        if !self.ctx.var_types[var].is_invalid() {
            return Err(DeclareVariableError::DeclaredMultipleTimes(var));
        }
        self.ctx.var_types[var] = ty;
        self.ctx.num_vars = self.ctx.num_vars.max(var.index() + 1);
        Ok(())
    }

    /// Assigns `val` to `var` at the current point of the current block.
    ///
    /// # Panics
    /// On the errors of [`Self::try_def_var`], or without a current block.
    pub fn def_var(&mut self, var: Variable, val: Value) {
        if let Err(e) = self.try_def_var(var, val) {
            panic!("{e}");
        }
    }

    /// Assigns `val` to `var` at the current point of the current block, or reports that `var`
    /// is undeclared or has another type than `val`.
    ///
    /// # Panics
    /// Without a current block.
    pub fn try_def_var(&mut self, var: Variable, val: Value) -> Result<(), DefVariableError> {
        let declared = self.ctx.var_types[var];
        if declared.is_invalid() {
            return Err(DefVariableError::DefinedBeforeDeclared(var));
        }
        let found = self.func.dfg.value_type(val);
        if found != declared {
            return Err(DefVariableError::TypeMismatch {
                var,
                declared,
                value: val,
                found,
            });
        }
        let block = self.expect_position("def_var");
        self.ctx.ssa.def_var(var, val, block);
        Ok(())
    }

    /// The value of `var` at the current point of the current block. On a path where `var`
    /// was never assigned it is zero (a constant added at the top of the entry block).
    ///
    /// # Panics
    /// If `var` is undeclared, or without a current block.
    pub fn use_var(&mut self, var: Variable) -> Value {
        self.try_use_var(var).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The value of `var` at the current point of the current block, or an error if `var` is
    /// undeclared.
    ///
    /// # Panics
    /// Without a current block.
    pub fn try_use_var(&mut self, var: Variable) -> Result<Value, UseVariableError> {
        let ty = self.ctx.var_types[var];
        if ty.is_invalid() {
            return Err(UseVariableError::UsedBeforeDeclared(var));
        }
        let block = self.expect_position("use_var");
        Ok(self.ctx.ssa.use_var(self.func, var, ty, block))
    }

    // ---- Instructions and entities ----

    /// A builder that appends one instruction to the current block: `b.ins().iadd(x, y)`.
    ///
    /// Branches built this way are recorded as predecessors of their destinations (every entry
    /// of a `br_table`'s jump table included); a terminator ends the block.
    ///
    /// # Panics
    /// Without a current block; building into a block that already ends in a terminator
    /// panics too.
    pub fn ins<'short>(&'short mut self) -> FuncInstBuilder<'short, 'a> {
        let block = self.expect_position("ins");
        FuncInstBuilder {
            builder: self,
            block,
        }
    }

    /// A branch destination: `block` with `args`, for jump tables.
    pub fn block_call(&mut self, block: Block, args: &[Value]) -> BlockCall {
        BlockCall::new(block, args, &mut self.func.dfg.value_lists)
    }

    /// Adds an explicit stack slot.
    pub fn create_sized_stack_slot(&mut self, data: StackSlotData) -> StackSlot {
        self.func.create_stack_slot(data)
    }

    /// Adds a signature for `call_indirect` or function references.
    pub fn import_signature(&mut self, sig: Signature) -> SigRef {
        self.func.import_signature(sig)
    }

    /// Adds a reference to a function to call.
    pub fn import_function(&mut self, data: ExtFuncData) -> FuncRef {
        self.func.import_function(data)
    }

    /// Adds a jump table for `br_table`. Use each table in one `br_table` only (building a
    /// second one panics): the builder adds branch arguments to its entries.
    pub fn create_jump_table(&mut self, data: JumpTableData) -> JumpTable {
        self.func.create_jump_table(data)
    }

    fn declare_successors(&mut self, inst: Inst) {
        if let InstructionData::BranchTable { table, .. } = self.func.dfg.insts[inst] {
            // Arguments added to the table's entries for one branch would show up in the other.
            assert!(
                self.ctx.used_tables.insert(table),
                "{table} is already used by another br_table: create one table per br_table"
            );
        }
        // A block reached by several edges of one branch becomes one predecessor entry: the
        // SSA builder skips a repeat of the predecessor it recorded last.
        for dest in self.func.dfg.branch_destinations(inst) {
            self.ctx.ssa.declare_predecessor(dest.block, inst);
        }
    }

    /// Checks that the function is complete and replaces every alias in its instructions by
    /// the value it stands for, so no operand refers to an alias.
    ///
    /// Returns the first problem found: a block in the layout that is not sealed, does not end
    /// in a terminator, or branches to a block that was never switched to. (Aliases are
    /// resolved even then.)
    pub fn finalize(self) -> Result<(), FinalizeError> {
        let func = &mut *self.func;
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                func.dfg.resolve_aliases_in_inst(inst);
            }
        }
        let result = self.check_complete();
        self.ctx.clear();
        result
    }

    fn check_complete(&self) -> Result<(), FinalizeError> {
        let layout = &self.func.layout;
        for block in layout.blocks() {
            if !self.ctx.ssa.is_sealed(block) {
                return Err(FinalizeError::NotSealed(block));
            }
            if !self.block_is_filled(block) {
                return Err(FinalizeError::NotFilled(block));
            }
            for inst in layout.block_insts(block) {
                for dest in self.func.dfg.branch_destinations(inst) {
                    if !layout.is_block_inserted(dest.block) {
                        return Err(FinalizeError::BranchToMissingBlock {
                            inst,
                            block: dest.block,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Appends one instruction to the current block of a [`FunctionBuilder`]; see
/// [`FunctionBuilder::ins`].
pub struct FuncInstBuilder<'short, 'long> {
    builder: &'short mut FunctionBuilder<'long>,
    block: Block,
}

impl<'short> InstBuilderBase<'short> for FuncInstBuilder<'short, '_> {
    fn data_flow_graph(&self) -> &DataFlowGraph {
        &self.builder.func.dfg
    }

    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph {
        &mut self.builder.func.dfg
    }

    fn build(self, data: InstructionData, ctrl: Type) -> (Inst, &'short mut DataFlowGraph) {
        let b = self.builder;
        let block = self.block;
        assert!(
            !b.block_is_filled(block),
            "cannot add `{}` to {block}: it already ends in a terminator",
            data.opcode()
        );
        b.ensure_inserted_block();
        let inst = b.func.dfg.make_inst(data);
        b.func.dfg.make_inst_results(inst, ctrl);
        b.func.layout.append_inst(inst, block);
        if data.opcode().info().is_branch() {
            b.declare_successors(inst);
        }
        (inst, &mut b.func.dfg)
    }
}

/// Why [`FunctionBuilder::try_declare_var`] failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeclareVariableError {
    /// The variable was declared before.
    DeclaredMultipleTimes(Variable),
    /// The type given was `INVALID`.
    InvalidType(Variable),
}

impl fmt::Display for DeclareVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DeclaredMultipleTimes(v) => write!(f, "variable {v} declared twice"),
            Self::InvalidType(v) => write!(f, "variable {v} declared with the invalid type"),
        }
    }
}

impl std::error::Error for DeclareVariableError {}

/// Why [`FunctionBuilder::try_def_var`] failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DefVariableError {
    /// The variable was never declared.
    DefinedBeforeDeclared(Variable),
    /// The value's type is not the variable's.
    TypeMismatch {
        /// The variable.
        var: Variable,
        /// Its declared type.
        declared: Type,
        /// The value assigned.
        value: Value,
        /// The value's type.
        found: Type,
    },
}

impl fmt::Display for DefVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DefinedBeforeDeclared(v) => {
                write!(f, "variable {v} assigned before it was declared")
            }
            Self::TypeMismatch {
                var,
                declared,
                value,
                found,
            } => write!(
                f,
                "variable {var} of type {declared} assigned {value} of type {found}"
            ),
        }
    }
}

impl std::error::Error for DefVariableError {}

/// Why [`FunctionBuilder::try_use_var`] failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UseVariableError {
    /// The variable was never declared.
    UsedBeforeDeclared(Variable),
}

impl fmt::Display for UseVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UsedBeforeDeclared(v) => write!(f, "variable {v} used before it was declared"),
        }
    }
}

impl std::error::Error for UseVariableError {}

/// Why [`FunctionBuilder::finalize`] found the function incomplete.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FinalizeError {
    /// The block was never sealed.
    NotSealed(Block),
    /// The block does not end in a terminator.
    NotFilled(Block),
    /// The branch goes to a block that is not in the layout.
    BranchToMissingBlock {
        /// The branch.
        inst: Inst,
        /// Its destination.
        block: Block,
    },
}

impl fmt::Display for FinalizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSealed(b) => {
                write!(f, "{b} is not sealed: call seal_block or seal_all_blocks")
            }
            Self::NotFilled(b) => write!(f, "{b} does not end in a terminator"),
            Self::BranchToMissingBlock { inst, block } => {
                write!(f, "{inst} branches to {block}, which was never switched to")
            }
        }
    }
}

impl std::error::Error for FinalizeError {}

#[cfg(test)]
mod tests;
