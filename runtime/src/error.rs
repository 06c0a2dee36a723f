//! The runtime's errors.

use crate::traps::Trap;
use kiln_frontend_wasm::WasmError;

/// Why a module could not be compiled.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The module is invalid, malformed or uses an unsupported feature (with its byte offset).
    #[error(transparent)]
    Wasm(#[from] WasmError),
    /// A translated function did not verify (a frontend bug).
    #[error("function `{function}` does not verify: {message}")]
    Verifier {
        /// The function.
        function: String,
        /// The verifier's report.
        message: String,
    },
    /// The code generator failed on a function.
    #[error("cannot compile `{function}`: {message}")]
    Codegen {
        /// The function.
        function: String,
        /// Why.
        message: String,
    },
    /// A relocation could not be resolved.
    #[error("relocation in `{function}` at offset {offset:#x}: {message}")]
    Relocation {
        /// The function containing it.
        function: String,
        /// Its offset in the function.
        offset: u32,
        /// What is wrong.
        message: String,
    },
    /// Executable memory could not be allocated or registered.
    #[error("cannot publish code: {0}")]
    Publish(String),
}

/// Why imports could not be linked to a module's imports.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// No definition for an import.
    #[error("unknown import: `{module}::{name}` has not been defined")]
    MissingImport {
        /// Module name of the import.
        module: String,
        /// Field name of the import.
        name: String,
    },
    /// A definition of the wrong kind or type.
    #[error("incompatible import type for `{module}::{name}`: {message}")]
    IncompatibleType {
        /// Module name of the import.
        module: String,
        /// Field name of the import.
        name: String,
        /// Expected and found.
        message: String,
    },
    /// `Instance::new` was given the wrong number of imports.
    #[error("expected {expected} imports, found {found}")]
    ImportCount {
        /// Imports of the module.
        expected: usize,
        /// Externs given.
        found: usize,
    },
    /// `Linker::define` of a name already defined.
    #[error("`{module}::{name}` is already defined")]
    Duplicate {
        /// Module name.
        module: String,
        /// Field name.
        name: String,
    },
}

/// Any error of the embedding API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compilation failed.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// A serialized module could not be loaded.
    #[error(transparent)]
    Deserialize(#[from] crate::module::serialize::DeserializeError),
    /// Linking failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Wasm code trapped (including during instantiation).
    #[error(transparent)]
    Trap(#[from] Trap),
    /// Memory for a runtime structure could not be allocated.
    #[error(transparent)]
    OutOfMemory(#[from] kiln_ir::OutOfMemory),
    /// A mapping could not be created.
    #[error(transparent)]
    Mmap(#[from] crate::mmap::MmapError),
    /// Arguments or results of the wrong number or type, or another misuse of the API.
    #[error("{0}")]
    Usage(String),
    /// An error returned by a host function, passed through the Wasm code that called it.
    #[error("host function failed: {0}")]
    Host(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The trap, if this is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// A host error from any error value (for host functions).
    pub fn host(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Host(e.into())
    }
}

/// Shorthand for results of the embedding API.
pub type Result<T, E = Error> = std::result::Result<T, E>;
