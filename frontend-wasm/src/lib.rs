//! Translation of WebAssembly into Kiln IR.
//!
//! ```
//! use kiln_frontend_wasm::{translate_module, FuncTranslator, StandardEnvironment, VMOffsets};
//! use kiln_ir::Function;
//!
//! let wasm = wat::parse_str(
//!     r#"(module (func (export "add") (param i32 i32) (result i32)
//!          (i32.add (local.get 0) (local.get 1))))"#,
//! )
//! .unwrap();
//! let translation = translate_module(&wasm).unwrap(); // validates every section
//! let env = StandardEnvironment {
//!     offsets: VMOffsets::new(&translation.info),
//!     heap: Default::default(), // guard pages, Spectre mitigation
//! };
//! let mut func = Function::new();
//! let mut translator = FuncTranslator::new(); // reuse it for every body
//! for body in translation.bodies {
//!     translator.translate(&translation.info, &env, body, &mut func).unwrap();
//! }
//! kiln_ir::verifier::verify_function(&func).unwrap();
//! // Every function takes the runtime's context pointer first.
//! assert_eq!(func.signature.to_string(), "(i64 vmctx, i32, i32) -> i32 system_v");
//! assert!(func.to_string().contains("iadd"));
//! ```
//!
//! [`translate_module`] reads and validates a module's sections into a [`ModuleInfo`] and keeps
//! the function bodies, which [`FuncTranslator`] turns into IR one at a time (bodies are
//! independent, so an embedder may translate them in parallel).

mod environ;
mod error;
#[cfg(feature = "serde")]
pub mod fallible_serde;
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
