//! The typed indices that name the objects of a function.

/// An SSA value: an instruction result or a block parameter.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(u32);
crate::entity_impl!(Value, "v");

/// An instruction.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inst(u32);
crate::entity_impl!(Inst, "inst");

/// A basic block.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(u32);
crate::entity_impl!(Block, "block");

/// An explicit stack slot of the function's frame.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackSlot(u32);
crate::entity_impl!(StackSlot, "ss");

/// A function the function may call or take the address of.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncRef(u32);
crate::entity_impl!(FuncRef, "fn");

/// A signature, used by `call_indirect` and by function references.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SigRef(u32);
crate::entity_impl!(SigRef, "sig");

/// The table of destinations of a `br_table`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JumpTable(u32);
crate::entity_impl!(JumpTable, "jt");

/// Any entity an error or annotation can point at.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AnyEntity {
    /// The function as a whole.
    Function,
    /// A block.
    Block(Block),
    /// An instruction.
    Inst(Inst),
    /// A value.
    Value(Value),
    /// A stack slot.
    StackSlot(StackSlot),
    /// A function reference.
    FuncRef(FuncRef),
    /// A signature reference.
    SigRef(SigRef),
    /// A jump table.
    JumpTable(JumpTable),
}

impl core::fmt::Display for AnyEntity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AnyEntity::Function => f.write_str("function"),
            AnyEntity::Block(e) => e.fmt(f),
            AnyEntity::Inst(e) => e.fmt(f),
            AnyEntity::Value(e) => e.fmt(f),
            AnyEntity::StackSlot(e) => e.fmt(f),
            AnyEntity::FuncRef(e) => e.fmt(f),
            AnyEntity::SigRef(e) => e.fmt(f),
            AnyEntity::JumpTable(e) => e.fmt(f),
        }
    }
}

macro_rules! any_from {
    ($($t:ident),*) => {$(
        impl From<$t> for AnyEntity {
            fn from(e: $t) -> Self {
                AnyEntity::$t(e)
            }
        }
    )*};
}
any_from!(Block, Inst, Value, StackSlot, FuncRef, SigRef, JumpTable);
