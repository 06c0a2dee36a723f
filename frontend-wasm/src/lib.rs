//! Translation of WebAssembly into Kiln IR.
//!
//! [`translate_module`] reads and validates a module's sections into a [`ModuleInfo`] and keeps
//! the function bodies, which [`FuncTranslator`] turns into IR one at a time (bodies are
//! independent, so an embedder may translate them in parallel).

mod environ;
mod error;
mod module;
mod translator;
mod vmoffsets;

pub use environ::{BoundsChecks, FuncEnvironment, HeapConfig, StandardEnvironment};
pub use error::{WasmError, WasmResult};
pub use module::{
    features, translate_module, ConstExpr, ConstOp, DataSegment, ElementItems, ElementMode,
    ElementSegment, EntityIndex, Export, FunctionBodyData, GlobalType, Import, MemoryType,
    ModuleInfo, ModuleTranslation, TableType, WasmFuncType, WasmRefType, WasmValType,
};
pub use translator::{function_name, wasm_signature, FuncTranslator};
pub use vmoffsets::{
    Builtin, VMOffsets, VmLocation, DEFINITION_BASE, DEFINITION_LENGTH, DEFINITION_SIZE,
    FUNC_REF_CODE, FUNC_REF_SIZE, FUNC_REF_TYPE_ID, FUNC_REF_VMCTX, IMPORT_CODE, IMPORT_VMCTX,
    POINTER_SIZE,
};
