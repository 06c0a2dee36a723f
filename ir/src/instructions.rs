//! Instruction data: an opcode plus operands laid out in one of a few formats.

use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, FuncRef, JumpTable, SigRef, StackSlot, Value};
use crate::entity::PrimaryMap;
use crate::immediates::{Ieee32, Ieee64, Imm64, Offset32};
use crate::jumptable::JumpTableData;
use crate::memflags::MemFlags;
use crate::opcodes::Opcode;
use crate::trapcode::TrapCode;
use crate::OutOfMemory;

/// A variable-length list of values stored in a [`ValueListPool`]; `Copy`, so instructions
/// stay small and copyable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ValueList {
    start: u32,
    len: u32,
}

impl ValueList {
    /// The empty list (needs no pool space).
    pub const EMPTY: ValueList = ValueList { start: 0, len: 0 };

    /// Number of values in the list.
    pub const fn len(self) -> usize {
        self.len as usize
    }

    /// Whether the list is empty.
    pub const fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Storage for every [`ValueList`] of a function.
///
/// Lists are allocated at the end; growing a list that is not the last one moves it to the end
/// (the old space is not reused until the pool is cleared, which keeps this simple and fast).
#[derive(Clone, Default, Debug)]
pub struct ValueListPool {
    data: Vec<Value>,
}

impl ValueListPool {
    /// An empty pool.
    pub const fn new() -> Self {
        Self { data: Vec::new() }
    }

    /// Forgets every list.
    pub fn clear(&mut self) {
        self.data.clear();
    }

    /// A new list holding `values`.
    pub fn alloc(&mut self, values: &[Value]) -> ValueList {
        if values.is_empty() {
            return ValueList::EMPTY;
        }
        let start = self.data.len() as u32;
        self.data.extend_from_slice(values);
        ValueList {
            start,
            len: values.len() as u32,
        }
    }

    /// A new list holding `values`, or an allocation error.
    pub fn try_alloc(&mut self, values: &[Value]) -> Result<ValueList, OutOfMemory> {
        self.data
            .try_reserve(values.len())
            .map_err(|_| OutOfMemory::new(values.len() * 4))?;
        Ok(self.alloc(values))
    }

    /// The values of `list` (empty for a list that is not in this pool, so a broken
    /// function can still be verified and printed).
    #[inline]
    pub fn get(&self, list: ValueList) -> &[Value] {
        let end = list.start as usize + list.len as usize;
        self.data.get(list.start as usize..end).unwrap_or(&[])
    }

    /// The values of `list`, for writing (empty for a list that is not in this pool).
    #[inline]
    pub fn get_mut(&mut self, list: ValueList) -> &mut [Value] {
        let end = list.start as usize + list.len as usize;
        self.data
            .get_mut(list.start as usize..end)
            .unwrap_or(&mut [])
    }

    /// Appends `v` to `list`, moving the list to the end of the pool if it is not there.
    pub fn push(&mut self, list: &mut ValueList, v: Value) {
        let end = list.start as usize + list.len as usize;
        if list.len == 0 || end != self.data.len() {
            let start = self.data.len() as u32;
            let old = self.get(*list).len();
            self.data
                .extend_from_within(list.start as usize..list.start as usize + old);
            list.len = old as u32;
            list.start = start;
        }
        self.data.push(v);
        list.len += 1;
    }

    /// Removes the value at `index` from `list`, keeping the order of the others.
    pub fn remove(&mut self, list: &mut ValueList, index: usize) {
        let vals = self.get_mut(*list);
        if index < vals.len() {
            vals.copy_within(index + 1.., index);
            list.len -= 1;
        }
    }
}

/// A branch destination: a block and the arguments passed to its parameters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct BlockCall {
    /// The destination block.
    pub block: Block,
    /// The arguments, one per block parameter.
    pub args: ValueList,
}

impl BlockCall {
    /// A call of `block` with `args`, allocated in `pool`.
    pub fn new(block: Block, args: &[Value], pool: &mut ValueListPool) -> Self {
        BlockCall {
            block,
            args: pool.alloc(args),
        }
    }
}

/// An instruction: its opcode and operands. The variant is the opcode's
/// [`InstructionFormat`](crate::opcodes::InstructionFormat).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[allow(missing_docs)] // Field names say what they hold; the formats are documented on the enum.
pub enum InstructionData {
    UnaryImm {
        opcode: Opcode,
        imm: Imm64,
    },
    UnaryIeee32 {
        opcode: Opcode,
        imm: Ieee32,
    },
    UnaryIeee64 {
        opcode: Opcode,
        imm: Ieee64,
    },
    Unary {
        opcode: Opcode,
        arg: Value,
    },
    Binary {
        opcode: Opcode,
        args: [Value; 2],
    },
    BinaryImm64 {
        opcode: Opcode,
        arg: Value,
        imm: Imm64,
    },
    Ternary {
        opcode: Opcode,
        args: [Value; 3],
    },
    IntCompare {
        opcode: Opcode,
        cond: IntCC,
        args: [Value; 2],
    },
    IntCompareImm {
        opcode: Opcode,
        cond: IntCC,
        arg: Value,
        imm: Imm64,
    },
    FloatCompare {
        opcode: Opcode,
        cond: FloatCC,
        args: [Value; 2],
    },
    Load {
        opcode: Opcode,
        flags: MemFlags,
        arg: Value,
        offset: Offset32,
    },
    /// `args` is `[stored value, address]`.
    Store {
        opcode: Opcode,
        flags: MemFlags,
        args: [Value; 2],
        offset: Offset32,
    },
    StackLoad {
        opcode: Opcode,
        stack_slot: StackSlot,
        offset: Offset32,
    },
    StackStore {
        opcode: Opcode,
        arg: Value,
        stack_slot: StackSlot,
        offset: Offset32,
    },
    Jump {
        opcode: Opcode,
        destination: BlockCall,
    },
    /// `blocks` is `[then, else]`.
    Brif {
        opcode: Opcode,
        arg: Value,
        blocks: [BlockCall; 2],
    },
    BranchTable {
        opcode: Opcode,
        arg: Value,
        table: JumpTable,
    },
    MultiAry {
        opcode: Opcode,
        args: ValueList,
    },
    Call {
        opcode: Opcode,
        func_ref: FuncRef,
        args: ValueList,
    },
    /// `args` is `[callee, arguments...]`.
    CallIndirect {
        opcode: Opcode,
        sig_ref: SigRef,
        args: ValueList,
    },
    FuncAddr {
        opcode: Opcode,
        func_ref: FuncRef,
    },
    Trap {
        opcode: Opcode,
        code: TrapCode,
    },
    CondTrap {
        opcode: Opcode,
        arg: Value,
        code: TrapCode,
    },
    IntAddTrap {
        opcode: Opcode,
        args: [Value; 2],
        code: TrapCode,
    },
}

impl InstructionData {
    /// The opcode.
    pub fn opcode(&self) -> Opcode {
        use InstructionData::*;
        match *self {
            UnaryImm { opcode, .. }
            | UnaryIeee32 { opcode, .. }
            | UnaryIeee64 { opcode, .. }
            | Unary { opcode, .. }
            | Binary { opcode, .. }
            | BinaryImm64 { opcode, .. }
            | Ternary { opcode, .. }
            | IntCompare { opcode, .. }
            | IntCompareImm { opcode, .. }
            | FloatCompare { opcode, .. }
            | Load { opcode, .. }
            | Store { opcode, .. }
            | StackLoad { opcode, .. }
            | StackStore { opcode, .. }
            | Jump { opcode, .. }
            | Brif { opcode, .. }
            | BranchTable { opcode, .. }
            | MultiAry { opcode, .. }
            | Call { opcode, .. }
            | CallIndirect { opcode, .. }
            | FuncAddr { opcode, .. }
            | Trap { opcode, .. }
            | CondTrap { opcode, .. }
            | IntAddTrap { opcode, .. } => opcode,
        }
    }

    /// The value operands, fixed ones first, without branch arguments.
    pub fn arguments<'a>(&'a self, pool: &'a ValueListPool) -> &'a [Value] {
        use InstructionData::*;
        match self {
            Unary { arg, .. }
            | BinaryImm64 { arg, .. }
            | IntCompareImm { arg, .. }
            | Load { arg, .. }
            | StackStore { arg, .. }
            | Brif { arg, .. }
            | BranchTable { arg, .. }
            | CondTrap { arg, .. } => core::slice::from_ref(arg),
            Binary { args, .. }
            | IntCompare { args, .. }
            | FloatCompare { args, .. }
            | Store { args, .. }
            | IntAddTrap { args, .. } => args,
            Ternary { args, .. } => args,
            MultiAry { args, .. } | Call { args, .. } | CallIndirect { args, .. } => {
                pool.get(*args)
            }
            UnaryImm { .. }
            | UnaryIeee32 { .. }
            | UnaryIeee64 { .. }
            | StackLoad { .. }
            | Jump { .. }
            | FuncAddr { .. }
            | Trap { .. } => &[],
        }
    }

    /// The value operands for writing, without branch arguments.
    pub fn arguments_mut<'a>(&'a mut self, pool: &'a mut ValueListPool) -> &'a mut [Value] {
        use InstructionData::*;
        match self {
            Unary { arg, .. }
            | BinaryImm64 { arg, .. }
            | IntCompareImm { arg, .. }
            | Load { arg, .. }
            | StackStore { arg, .. }
            | Brif { arg, .. }
            | BranchTable { arg, .. }
            | CondTrap { arg, .. } => core::slice::from_mut(arg),
            Binary { args, .. }
            | IntCompare { args, .. }
            | FloatCompare { args, .. }
            | Store { args, .. }
            | IntAddTrap { args, .. } => args,
            Ternary { args, .. } => args,
            MultiAry { args, .. } | Call { args, .. } | CallIndirect { args, .. } => {
                pool.get_mut(*args)
            }
            UnaryImm { .. }
            | UnaryIeee32 { .. }
            | UnaryIeee64 { .. }
            | StackLoad { .. }
            | Jump { .. }
            | FuncAddr { .. }
            | Trap { .. } => &mut [],
        }
    }

    /// The branch destinations: one for `jump`, then/else for `brif`, default then table
    /// entries for `br_table`, none for anything else.
    pub fn branch_destinations<'a>(
        &'a self,
        jump_tables: &'a PrimaryMap<JumpTable, JumpTableData>,
    ) -> &'a [BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => core::slice::from_ref(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            InstructionData::BranchTable { table, .. } => jump_tables[*table].all_branches(),
            _ => &[],
        }
    }

    /// The branch destinations, for writing.
    pub fn branch_destinations_mut<'a>(
        &'a mut self,
        jump_tables: &'a mut PrimaryMap<JumpTable, JumpTableData>,
    ) -> &'a mut [BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => core::slice::from_mut(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            InstructionData::BranchTable { table, .. } => jump_tables[*table].all_branches_mut(),
            _ => &mut [],
        }
    }

    /// The trap code, for instructions that carry one (including memory accesses).
    pub fn trap_code(&self) -> Option<TrapCode> {
        match self {
            InstructionData::Trap { code, .. }
            | InstructionData::CondTrap { code, .. }
            | InstructionData::IntAddTrap { code, .. } => Some(*code),
            InstructionData::Load { flags, .. } | InstructionData::Store { flags, .. }
                if !flags.notrap() =>
            {
                Some(flags.trap_code())
            }
            _ => None,
        }
    }

    /// The memory flags of a load or store.
    pub fn memflags(&self) -> Option<MemFlags> {
        match self {
            InstructionData::Load { flags, .. } | InstructionData::Store { flags, .. } => {
                Some(*flags)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityRef;

    #[test]
    fn value_lists_grow_and_shrink() {
        let v = |i| Value::new(i);
        let mut pool = ValueListPool::new();
        let mut a = pool.alloc(&[v(1), v(2)]);
        let b = pool.alloc(&[v(3)]);
        pool.push(&mut a, v(4)); // a is not last: moved
        assert_eq!(pool.get(a), [v(1), v(2), v(4)]);
        assert_eq!(pool.get(b), [v(3)]);
        pool.push(&mut a, v(5)); // a is last now: grows in place
        assert_eq!(pool.get(a), [v(1), v(2), v(4), v(5)]);
        pool.remove(&mut a, 1);
        assert_eq!(pool.get(a), [v(1), v(4), v(5)]);
        let mut e = ValueList::EMPTY;
        pool.push(&mut e, v(9));
        assert_eq!(pool.get(e), [v(9)]);
        // Instructions stay small and `Copy`: at most two machine words of operands per pointer.
        assert!(core::mem::size_of::<InstructionData>() <= 32);
    }
}
