//! Kiln's SSA intermediate representation.
//!
//! A [`Function`] owns a [`DataFlowGraph`] (instructions, values, block parameters) and a
//! [`Layout`] (the order of blocks and instructions). Instructions are an [`Opcode`] plus
//! operands in one of a few [`InstructionData`] formats; [`Opcode::info`] is the one table of
//! what each opcode takes and produces, read by the parser, printer, verifier, builder and
//! interpreter alike.
//!
//! Build functions with the [`frontend::FunctionBuilder`], read and write them in the
//! CLIF-compatible text format ([`parser`], [`Function::display`]), check them with the
//! [`verifier`], and run them with the [`interpreter`].

pub mod entity;

mod builder;
pub mod condcodes;
mod cursor;
mod data_value;
mod dfg;
pub mod dominator_tree;
mod entities;
mod extfunc;
pub mod flowgraph;
pub mod frontend;
mod function;
pub mod immediates;
mod instructions;
pub mod interpreter;
mod jumptable;
mod layout;
mod memflags;
mod oom;
pub mod opcodes;
pub mod parser;
mod signature;
mod stackslot;
mod trapcode;
pub mod types;
pub mod verifier;
pub mod write;

pub use builder::{InstBuilder, InstBuilderBase};
pub use condcodes::{FloatCC, IntCC};
pub use cursor::{CursorPosition, FuncCursor, InsertBuilder};
pub use data_value::DataValue;
pub use dfg::{BlockData, DataFlowGraph, ValueDef};
pub use entities::{AnyEntity, Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
pub use extfunc::{ExtFuncData, UserFuncName};
pub use function::Function;
pub use immediates::{Ieee32, Ieee64, Imm64, Offset32};
pub use instructions::{BlockCall, InstructionData, ValueList, ValueListPool};
pub use jumptable::JumpTableData;
pub use layout::Layout;
pub use memflags::MemFlags;
pub use oom::OutOfMemory;
pub use opcodes::{InstructionFormat, Opcode};
pub use signature::{AbiParam, ArgumentExtension, ArgumentPurpose, CallConv, Signature};
pub use stackslot::StackSlotData;
pub use trapcode::TrapCode;
pub use types::Type;
