//! Kiln's SSA intermediate representation.
//!
//! ```
//! use kiln_ir::interpreter::{FunctionStore, Interpreter};
//! use kiln_ir::parser::parse_functions;
//! use kiln_ir::{verifier, DataValue};
//!
//! // The CLIF-compatible text format in, a `Function` out.
//! let text = "function %max(i32, i32) -> i32 fast {
//! block0(v0: i32, v1: i32):
//!     v2 = icmp sgt v0, v1
//!     brif v2, block1(v0), block1(v1)
//!
//! block1(v3: i32):
//!     return v3
//! }";
//! let func = parse_functions(text).unwrap().remove(0);
//! verifier::verify_function(&func).unwrap();
//! assert_eq!(func.display().to_string().trim_end(), text); // printing gives the text back
//!
//! // The interpreter is the executable specification of every instruction.
//! let mut store = FunctionStore::new();
//! store.add(&func);
//! let result = Interpreter::new(store).call_by_name("%max", &[DataValue::I32(-3), DataValue::I32(7)]);
//! assert_eq!(result, Ok(vec![DataValue::I32(7)]));
//! ```
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
