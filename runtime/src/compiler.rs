//! The narrow interface between the runtime and a code generator: one verified IR function in,
//! machine code with relocations and trap records out.

use crate::error::CompileError;
use kiln_frontend_wasm::fallible_serde as de;
use kiln_ir::{Function, TrapCode, UserFuncName};

/// Deserializes a [`UserFuncName`] with a fallible allocation for `%name`s (same layout as
/// its derived implementation).
#[derive(serde::Deserialize)]
#[serde(remote = "UserFuncName")]
pub(crate) enum FuncNameDe {
    User { namespace: u32, index: u32 },
    Testcase(#[serde(deserialize_with = "de::string")] String),
}

/// What a relocation patches.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub enum RelocKind {
    /// A 32-bit PC-relative displacement (a `call rel32`): the 4 bytes at the offset become
    /// `target + addend - (address of the 4 bytes)`.
    X86CallPCRel4,
    /// A 64-bit absolute address: the 8 bytes at the offset become `target + addend`.
    Abs8,
}

/// A reference from compiled code to another function, resolved when the code is laid out.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct Reloc {
    /// Offset of the patched bytes from the start of the function.
    pub offset: u32,
    /// How to patch them.
    pub kind: RelocKind,
    /// The function referred to (a Wasm function is `u0:index`).
    #[serde(deserialize_with = "FuncNameDe::deserialize")]
    pub target: UserFuncName,
    /// Added to the target's address (for `call rel32` usually -4).
    pub addend: i64,
}

/// The machine code of one function.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CompiledFunction {
    /// The code; it expects to be placed at a 16-byte aligned address.
    #[serde(deserialize_with = "de::vec")]
    pub code: Vec<u8>,
    /// References to other functions.
    #[serde(deserialize_with = "de::vec")]
    pub relocs: Vec<Reloc>,
    /// Offsets of instructions that may trap, with their codes.
    #[serde(deserialize_with = "de::vec")]
    pub traps: Vec<(u32, TrapCode)>,
}

/// A code generator for the host. Implementations must be usable from several threads.
pub trait Compiler: Send + Sync {
    /// Compiles `func`, which has passed the IR verifier.
    fn compile(&self, func: &Function) -> Result<CompiledFunction, CompileError>;
}

/// The compiler of an engine built before the x86-64 code generator exists: every function
/// fails to compile with a clear message.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnavailableCompiler;

impl Compiler for UnavailableCompiler {
    fn compile(&self, func: &Function) -> Result<CompiledFunction, CompileError> {
        Err(CompileError::Codegen {
            function: func.name.to_string(),
            message: "no code generator is available in this build".into(),
        })
    }
}
