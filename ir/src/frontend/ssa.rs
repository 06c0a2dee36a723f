//! On-the-fly SSA construction for variables.
//!
//! This is the algorithm of Braun et al., "Simple and Efficient Construction of Static Single
//! Assignment Form" (CC 2013), with block sealing:
//!
//! - Each block records the value each variable has at its end (`defs`).
//! - Reading a variable in a block without a local definition asks the predecessors. A sealed
//!   block (all predecessors known) with one predecessor just forwards the question; a block
//!   with several gets a block parameter whose branch arguments are the predecessors' answers; an
//!   unsealed block gets a parameter whose arguments are filled in when it is sealed.
//! - A parameter whose arguments are all the same value (or the parameter itself) is trivial: it
//!   is removed and becomes an alias of that value, and parameters that received it as an
//!   argument are checked again, since they may have become trivial too.
//!
//! The paper's recursion is replaced by an explicit stack of pending calls and a stack of
//! results, so arbitrarily deep control flow cannot overflow the host stack.

use super::variable::Variable;
use crate::builder::InstBuilder;
use crate::cursor::{CursorPosition, FuncCursor};
use crate::dfg::ValueDef;
use crate::entities::{Block, Inst, Value};
use crate::entity::{EntityRef, EntitySet, SecondaryMap};
use crate::function::Function;
use crate::types::{self, Type};
use core::marker::PhantomData;

/// Something emptied in place, keeping the memory it owns.
trait Reset {
    fn reset(&mut self);
}

impl<T> Reset for Vec<T> {
    fn reset(&mut self) {
        self.clear();
    }
}

impl<K: EntityRef, V: Clone> Reset for SecondaryMap<K, V> {
    fn reset(&mut self) {
        self.clear();
    }
}

/// A dense map keyed by an entity whose entries are reset rather than dropped by `clear`, so
/// the vectors they own are reused by the next function.
struct ReuseMap<K, V> {
    elems: Vec<V>,
    live: usize,
    unused: PhantomData<K>,
}

impl<K: EntityRef, V: Default + Reset> ReuseMap<K, V> {
    const fn new() -> Self {
        Self {
            elems: Vec::new(),
            live: 0,
            unused: PhantomData,
        }
    }

    fn get(&self, k: K) -> Option<&V> {
        self.elems[..self.live].get(k.index())
    }

    fn get_mut(&mut self, k: K) -> &mut V {
        let i = k.index();
        while self.live <= i {
            match self.elems.get_mut(self.live) {
                Some(old) => old.reset(),
                None => self.elems.push(V::default()),
            }
            self.live += 1;
        }
        &mut self.elems[i]
    }

    fn clear(&mut self) {
        self.live = 0;
    }
}

/// What the SSA builder knows about one block.
#[derive(Default)]
struct SsaBlock {
    /// The branch instructions that go to this block, each once, in the order they were built.
    preds: Vec<Inst>,
    /// Whether every predecessor is known.
    sealed: bool,
    /// Whether the SSA builder has added parameters to the block (user parameters must come
    /// first, so none may be added after this).
    has_params: bool,
    /// Parameters made for variables read while the block was unsealed; their branch arguments
    /// are added when it is sealed.
    undef: Vec<(Variable, Value)>,
}

impl Reset for SsaBlock {
    fn reset(&mut self) {
        self.preds.clear();
        self.sealed = false;
        self.has_params = false;
        self.undef.clear();
    }
}

/// A pending step of a variable lookup; see [`SsaBuilder::run`].
#[derive(Clone, Copy, Debug)]
enum Call {
    /// Find the variable's value at the end of this block; pushes one result.
    Lookup(Block),
    /// The results of looking the variable up in each predecessor of the block are on the
    /// result stack: pass them as arguments for the parameter, then remove the parameter if it
    /// is trivial. Pushes one result (the parameter or what it was replaced by).
    Finish(Block, Value),
}

/// The state of SSA construction for one function; cleared, not freed, between functions.
pub(crate) struct SsaBuilder {
    /// `defs[var][block]`: the value of `var` at the end of `block`, if known.
    defs: ReuseMap<Variable, SecondaryMap<Block, Option<Value>>>,
    blocks: ReuseMap<Block, SsaBlock>,
    /// `users[v]`: the parameters made by this builder that received `v` as a branch argument.
    users: ReuseMap<Value, Vec<Value>>,
    calls: Vec<Call>,
    results: Vec<Value>,
    /// The blocks of the current run of single-predecessor blocks being walked.
    chain: Vec<Block>,
    /// The members of `chain`, to notice a cycle of single-predecessor blocks.
    in_chain: EntitySet<Block>,
    /// Parameters to check for triviality, and the set of them.
    worklist: Vec<Value>,
    in_worklist: EntitySet<Value>,
    /// The zero constant made for each type, in the entry block.
    zeros: Vec<(Type, Value)>,
    /// The last instruction made for a zero, so the next one goes after it.
    last_zero_inst: Option<Inst>,
}

impl SsaBuilder {
    /// An empty builder.
    pub(crate) const fn new() -> Self {
        Self {
            defs: ReuseMap::new(),
            blocks: ReuseMap::new(),
            users: ReuseMap::new(),
            calls: Vec::new(),
            results: Vec::new(),
            chain: Vec::new(),
            in_chain: EntitySet::new(),
            worklist: Vec::new(),
            in_worklist: EntitySet::new(),
            zeros: Vec::new(),
            last_zero_inst: None,
        }
    }

    /// Forgets everything, keeping allocations.
    pub(crate) fn clear(&mut self) {
        self.defs.clear();
        self.blocks.clear();
        self.users.clear();
        self.calls.clear();
        self.results.clear();
        self.chain.clear();
        self.in_chain.clear();
        self.worklist.clear();
        self.in_worklist.clear();
        self.zeros.clear();
        self.last_zero_inst = None;
    }

    /// Records that `var` holds `val` at the current end of `block`.
    pub(crate) fn def_var(&mut self, var: Variable, val: Value, block: Block) {
        self.defs.get_mut(var)[block] = Some(val);
    }

    fn def(&self, var: Variable, block: Block) -> Option<Value> {
        self.defs.get(var).and_then(|m| m[block])
    }

    /// Records that branch `inst` goes to `block` (again, if it is the branch recorded last for
    /// `block`: then nothing changes). Panics if `block` is sealed.
    pub(crate) fn declare_predecessor(&mut self, block: Block, inst: Inst) {
        let data = self.blocks.get_mut(block);
        assert!(
            !data.sealed,
            "{inst} branches to {block}, which is already sealed (all its predecessors were \
             declared); seal a block only after the last branch to it is built"
        );
        if data.preds.last() != Some(&inst) {
            data.preds.push(inst);
        }
    }

    /// Whether all predecessors of `block` are declared.
    pub(crate) fn is_sealed(&self, block: Block) -> bool {
        self.blocks.get(block).is_some_and(|b| b.sealed)
    }

    /// The branches to `block` built so far.
    pub(crate) fn predecessors(&self, block: Block) -> &[Inst] {
        self.blocks.get(block).map_or(&[], |b| &b.preds)
    }

    /// Whether this builder added parameters to `block`.
    pub(crate) fn has_params(&self, block: Block) -> bool {
        self.blocks.get(block).is_some_and(|b| b.has_params)
    }

    /// The value of `var` (of type `ty`) at the current end of `block`, possibly adding block
    /// parameters and branch arguments to `func`.
    pub(crate) fn use_var(
        &mut self,
        func: &mut Function,
        var: Variable,
        ty: Type,
        block: Block,
    ) -> Value {
        let v = match self.def(var, block) {
            Some(v) => v,
            None => {
                self.calls.push(Call::Lookup(block));
                self.run(func, var, ty);
                self.results.pop().expect("a lookup leaves one result")
            }
        };
        debug_assert!(self.results.is_empty());
        resolve(func, v)
    }

    /// Declares that `block` will get no more predecessors, and gives the parameters made for
    /// variables read in it so far their arguments.
    pub(crate) fn seal_block(&mut self, func: &mut Function, block: Block) {
        let data = self.blocks.get_mut(block);
        if data.sealed {
            return;
        }
        data.sealed = true;
        let mut undef = core::mem::take(&mut data.undef);
        for &(var, param) in &undef {
            let ty = func.dfg.value_type(param);
            self.begin_param_args(func, block, param);
            self.run(func, var, ty);
            self.results
                .pop()
                .expect("a parameter lookup leaves one result");
        }
        undef.clear();
        // Hand the emptied vector back so its memory is reused.
        self.blocks.get_mut(block).undef = undef;
    }

    /// Executes pending calls until the call stack is empty.
    fn run(&mut self, func: &mut Function, var: Variable, ty: Type) {
        while let Some(call) = self.calls.pop() {
            match call {
                Call::Lookup(block) => self.lookup(func, var, ty, block),
                Call::Finish(block, param) => self.finish_param(func, block, param),
            }
        }
    }

    /// Schedules the lookups of `param`'s arguments in every predecessor of `block`, followed
    /// by [`Call::Finish`].
    fn begin_param_args(&mut self, func: &Function, block: Block, param: Value) {
        self.calls.push(Call::Finish(block, param));
        // Pushed in reverse so they run, and leave their results, in predecessor order.
        let preds = self.blocks.get(block).map_or(&[][..], |b| &b.preds);
        for &inst in preds.iter().rev() {
            let pred = func
                .layout
                .inst_block(inst)
                .expect("a recorded branch is in the layout");
            self.calls.push(Call::Lookup(pred));
        }
    }

    /// Walks up single-predecessor blocks from `block` until the value of `var` is known or a
    /// parameter is needed; remembers the answer in every block walked.
    fn lookup(&mut self, func: &mut Function, var: Variable, ty: Type, block: Block) {
        self.chain.clear();
        let mut b = block;
        let value = loop {
            if let Some(v) = self.def(var, b) {
                break v;
            }
            // The entry block cannot be branched to, so it is complete from the start.
            let is_entry = func.layout.entry_block() == Some(b);
            if !is_entry && !self.is_sealed(b) {
                let p = self.add_param(func, b, ty);
                self.blocks.get_mut(b).undef.push((var, p));
                break p;
            }
            let preds = if is_entry {
                &[][..]
            } else {
                self.predecessors(b)
            };
            let (num_preds, first_pred) = (preds.len(), preds.first().copied());
            match (num_preds, first_pred) {
                // The entry block or unreachable code: the variable was never assigned.
                (0, _) | (_, None) => break self.zero(func, ty),
                (1, Some(inst)) => {
                    if !self.in_chain.insert(b) {
                        // A cycle of single-predecessor blocks is unreachable from the entry.
                        break self.zero(func, ty);
                    }
                    self.chain.push(b);
                    b = func
                        .layout
                        .inst_block(inst)
                        .expect("a recorded branch is in the layout");
                }
                _ => {
                    let p = self.add_param(func, b, ty);
                    self.define_chain(var, b, p);
                    self.begin_param_args(func, b, p);
                    return;
                }
            }
        };
        self.define_chain(var, b, value);
        self.results.push(value);
    }

    /// Defines `var` as `value` at the end of every block of the walked chain and of `last`.
    fn define_chain(&mut self, var: Variable, last: Block, value: Value) {
        let defs = self.defs.get_mut(var);
        defs[last] = Some(value);
        for &b in &self.chain {
            defs[b] = Some(value);
            self.in_chain.remove(b);
        }
        self.chain.clear();
    }

    fn add_param(&mut self, func: &mut Function, block: Block, ty: Type) -> Value {
        self.blocks.get_mut(block).has_params = true;
        func.dfg.append_block_param(block, ty)
    }

    /// Implements [`Call::Finish`].
    fn finish_param(&mut self, func: &mut Function, block: Block, param: Value) {
        let preds = self.blocks.get(block).map_or(&[][..], |b| &b.preds);
        let start = self.results.len() - preds.len();
        for (&inst, &arg) in preds.iter().zip(&self.results[start..]) {
            let dests = func.dfg.branch_destinations(inst).len();
            for d in 0..dests {
                if func.dfg.branch_destinations(inst)[d].block == block {
                    func.dfg.append_branch_arg(inst, d, arg);
                }
            }
            let arg = resolve(func, arg);
            if arg != param && matches!(func.dfg.value_def(arg), ValueDef::Param(..)) {
                self.users.get_mut(arg).push(param);
            }
        }
        self.results.truncate(start);
        self.remove_trivial_params(func, param);
        let value = resolve(func, param);
        self.results.push(value);
    }

    /// Removes `start` if it is trivial, then every parameter that became trivial because of
    /// that, and so on.
    fn remove_trivial_params(&mut self, func: &mut Function, start: Value) {
        self.push_work(start);
        while let Some(p) = self.worklist.pop() {
            self.in_worklist.remove(p);
            if func.dfg.is_alias(p) {
                continue; // Already removed.
            }
            let ValueDef::Param(block, num) = func.dfg.value_def(p) else {
                continue;
            };
            let Some(same) = self.single_incoming_value(func, block, num, p) else {
                continue;
            };
            let same = match same {
                Some(v) => v,
                // Only the parameter flows into itself: unreachable code.
                None => self.zero(func, func.dfg.value_type(p)),
            };
            func.dfg.remove_block_param(p);
            for &inst in self.predecessors(block) {
                func.dfg.remove_branch_arg(inst, block, num);
            }
            func.dfg.change_to_alias(p, same);

            // Parameters that received `p` now receive `same`: check them again, and remember
            // them as users of `same`. (Lists may hold duplicates; a removed parameter is
            // skipped above, a needed one is merely checked twice.)
            let mut users = core::mem::take(self.users.get_mut(p));
            for &u in &users {
                self.push_work(u);
            }
            if matches!(func.dfg.value_def(same), ValueDef::Param(..)) {
                // Append the shorter list to the longer, so each entry moves O(log n) times.
                let same_users = self.users.get_mut(same);
                if same_users.len() < users.len() {
                    core::mem::swap(same_users, &mut users);
                }
                same_users.extend_from_slice(&users);
            }
            users.clear();
            *self.users.get_mut(p) = users;
        }
    }

    fn push_work(&mut self, p: Value) {
        if self.in_worklist.insert(p) {
            self.worklist.push(p);
        }
    }

    /// If every argument passed to parameter `num` of `block` is `p` itself or one other value,
    /// that value (`Some(None)` if there is none); `None` if the parameter is needed.
    fn single_incoming_value(
        &self,
        func: &mut Function,
        block: Block,
        num: usize,
        p: Value,
    ) -> Option<Option<Value>> {
        let mut same = None;
        for &inst in self.predecessors(block) {
            for d in 0..func.dfg.branch_destinations(inst).len() {
                let dest = func.dfg.branch_destinations(inst)[d];
                if dest.block != block {
                    continue;
                }
                let arg = resolve(func, func.dfg.block_call_args(&dest)[num]);
                if arg == p || same == Some(arg) {
                    continue;
                }
                if same.is_some() {
                    return None;
                }
                same = Some(arg);
            }
        }
        Some(same)
    }

    /// A zero of type `ty`, made once per type at the top of the entry block (which dominates
    /// every use), after the zeros made before.
    fn zero(&mut self, func: &mut Function, ty: Type) -> Value {
        if let Some(&(_, v)) = self.zeros.iter().find(|&&(t, _)| t == ty) {
            return v;
        }
        let entry = func
            .layout
            .entry_block()
            .expect("a variable is read before any block is in the layout");
        let next = match self.last_zero_inst {
            Some(inst) => func.layout.next_inst(inst),
            None => func.layout.first_inst(entry),
        };
        let pos = match next {
            Some(inst) => CursorPosition::Before(inst),
            None => CursorPosition::Bottom(entry),
        };
        let mut cur = FuncCursor::new(func);
        cur.pos = pos;
        let v = if ty == types::F32 {
            cur.ins().f32const(0.0f32)
        } else if ty == types::F64 {
            cur.ins().f64const(0.0f64)
        } else if ty.is_vector() || ty == types::I128 {
            // `iconst` stops at 64 bits: widen, then reinterpret for vectors.
            let z = cur.ins().iconst(types::I64, 0);
            let wide = cur.ins().uextend(types::I128, z);
            if ty.is_vector() {
                cur.ins().bitcast(ty, wide)
            } else {
                wide
            }
        } else {
            cur.ins().iconst(ty, 0)
        };
        if let ValueDef::Result(inst, _) = func.dfg.value_def(v) {
            self.last_zero_inst = Some(inst);
        }
        self.zeros.push((ty, v));
        v
    }
}

/// The value `v` stands for, after aliases. A long alias chain is shortened to one link, so
/// values replaced many times over (a cascade of trivial parameters) stay cheap to resolve.
fn resolve(func: &mut Function, v: Value) -> Value {
    let r = func.dfg.resolve_aliases(v);
    if r != v && func.dfg.is_alias(v) {
        func.dfg.change_to_alias(v, r);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Eq)]
    struct K(u32);
    crate::entity_impl!(K, "k");

    #[test]
    fn reuse_map_resets_entries_instead_of_dropping_them() {
        let mut m: ReuseMap<K, Vec<u32>> = ReuseMap::new();
        assert!(m.get(K(0)).is_none());
        m.get_mut(K(2)).extend([1, 2, 3]);
        assert_eq!(m.get(K(2)).unwrap(), &[1, 2, 3]);
        assert_eq!(m.get(K(1)).unwrap(), &[] as &[u32]);
        let cap = m.get(K(2)).unwrap().capacity();
        m.clear();
        assert!(m.get(K(2)).is_none());
        // Revived empty, with its old memory.
        assert!(m.get_mut(K(2)).is_empty());
        assert_eq!(m.get(K(2)).unwrap().capacity(), cap);
    }
}
