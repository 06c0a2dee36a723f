//! Errors of the Wasm frontend.

use thiserror::Error;

/// Why a module could not be translated.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum WasmError {
    /// The module is malformed or invalid; `wasmparser`'s message and byte offset.
    #[error("invalid module at byte offset {offset:#x}: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where, as a byte offset into the module.
        offset: u64,
    },
    /// The module uses a feature Kiln does not translate yet.
    #[error("unsupported at byte offset {offset:#x}: {message}")]
    Unsupported {
        /// What is unsupported.
        message: String,
        /// Where, as a byte offset into the module.
        offset: u64,
    },
    /// A limit of the implementation was exceeded.
    #[error("implementation limit exceeded: {0}")]
    ImplLimit(String),
}

impl From<wasmparser::BinaryReaderError> for WasmError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        WasmError::Invalid {
            message: e.message().to_string(),
            offset: e.offset(),
        }
    }
}

/// Shorthand for results of the frontend.
pub type WasmResult<T> = Result<T, WasmError>;

pub(crate) fn unsupported<T>(offset: u64, message: impl Into<String>) -> WasmResult<T> {
    Err(WasmError::Unsupported {
        message: message.into(),
        offset,
    })
}
