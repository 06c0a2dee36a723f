//! The errors of the JIT.

use crate::error::CompileError;

/// Why a declaration, a definition, finalization or a lookup failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum JitError {
    /// A name was declared again with a different kind, linkage or signature.
    #[error("`{name}` is already declared differently: {message}")]
    IncompatibleDeclaration {
        /// The name.
        name: String,
        /// What differs.
        message: String,
    },
    /// A function or data object was defined twice.
    #[error("`{name}` is already defined")]
    DuplicateDefinition {
        /// The name.
        name: String,
    },
    /// A definition was given for a name declared as an import.
    #[error("`{name}` is declared as an import: it cannot be defined in the module")]
    DefinedImport {
        /// The name.
        name: String,
    },
    /// A function declared local or exported was never defined.
    #[error("function `{name}` is declared but never defined")]
    UndefinedFunction {
        /// The name.
        name: String,
    },
    /// A data object declared local or exported was never defined.
    #[error("data object `{name}` is declared but never defined")]
    UndefinedData {
        /// The name.
        name: String,
    },
    /// An import has no host symbol.
    #[error("import `{name}` has no host symbol: give one with `define_host_function` or `define_symbol`")]
    UnresolvedImport {
        /// The name.
        name: String,
    },
    /// A name that was never declared (or, for lookups in a finalized module, not exported).
    #[error("no {what} named `{name}`")]
    UnknownName {
        /// `exported function`, `function`, ...
        what: &'static str,
        /// The name.
        name: String,
    },
    /// An id that does not belong to the module.
    #[error("{what} id {index} does not belong to this module")]
    UnknownId {
        /// `function` or `data object`.
        what: &'static str,
        /// The id's index.
        index: u32,
    },
    /// A function's IR, a host function or a typed handle disagrees with the declaration.
    #[error("signature mismatch for `{name}`: declared {declared}, found {found}")]
    SignatureMismatch {
        /// The name.
        name: String,
        /// The declared signature.
        declared: String,
        /// The other one.
        found: String,
    },
    /// A function failed to verify or compile.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// A relocation could not be applied.
    #[error("relocation in `{function}` at offset {offset:#x}: {message}")]
    Relocation {
        /// The function containing it.
        function: String,
        /// Its offset in the function.
        offset: u32,
        /// What is wrong.
        message: String,
    },
    /// Code or data memory could not be allocated, protected or registered.
    #[error("cannot allocate JIT memory: {0}")]
    Memory(String),
}
