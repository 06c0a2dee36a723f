//! [`JitModule`]: declarations and definitions, before anything is placed in memory.

use super::error::JitError;
use super::finalized::{self, FinalizedModule};
use super::typed::HostFunction;
use super::{DataId, FuncId, Linkage, DATA_NAMESPACE, FUNC_NAMESPACE};
use crate::compiler::{CompiledFunction, Compiler};
use crate::engine::Engine;
use kiln_ir::types::Type;
use kiln_ir::{CallConv, ExtFuncData, FuncRef, Function, Signature, UserFuncName};
use std::collections::HashMap;
use std::sync::Arc;

/// A declared function.
pub(super) struct FuncDecl {
    pub(super) name: String,
    pub(super) linkage: Linkage,
    pub(super) signature: Signature,
    /// The compiled code, once defined.
    pub(super) compiled: Option<CompiledFunction>,
}

/// A declared data object.
pub(super) struct DataDecl {
    pub(super) name: String,
    pub(super) linkage: Linkage,
    pub(super) writable: bool,
    /// The initial contents, once defined.
    pub(super) contents: Option<Vec<u8>>,
}

/// What a name in the module stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Decl {
    Func(FuncId),
    Data(DataId),
}

/// A host symbol for an import, with the signature of a typed host function.
pub(super) struct Symbol {
    pub(super) address: *const u8,
    /// Parameter and result types, for symbols given as a [`HostFunction`].
    pub(super) types: Option<(Vec<Type>, Vec<Type>)>,
}

/// A module under construction: functions and data objects are declared by name, then
/// defined (functions from IR, data from bytes) or imported from the host, and
/// [`finalize`](Self::finalize) places everything in memory and links it.
///
/// Functions are verified and compiled when they are defined, so IR errors are reported by
/// [`define_function`](Self::define_function) with the function's name. Finalizing consumes
/// the module, so nothing can be declared or defined once the code is in place.
pub struct JitModule {
    compiler: CompilerHandle,
    pub(super) funcs: Vec<FuncDecl>,
    pub(super) data: Vec<DataDecl>,
    pub(super) names: HashMap<String, Decl>,
    pub(super) symbols: HashMap<String, Symbol>,
}

// SAFETY: host symbols are plain addresses whose validity `define_symbol` requires anyway;
// the compiler is `Send + Sync`.
unsafe impl Send for JitModule {}

impl std::fmt::Debug for JitModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitModule")
            .field("functions", &self.funcs.len())
            .field("data", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// Where a module's code generator lives: the engine keeps its compiler boxed, so the module
/// keeps the engine alive rather than sharing the box.
enum CompilerHandle {
    Engine(Engine),
    Custom(Arc<dyn Compiler>),
}

impl CompilerHandle {
    fn get(&self) -> &dyn Compiler {
        match self {
            CompilerHandle::Engine(engine) => &*engine.inner.compiler,
            CompilerHandle::Custom(compiler) => &**compiler,
        }
    }
}

impl JitModule {
    /// An empty module that compiles with `engine`'s code generator (and so for its CPU
    /// features).
    pub fn new(engine: &Engine) -> Self {
        Self::from_handle(CompilerHandle::Engine(engine.clone()))
    }

    /// An empty module that compiles with `compiler`.
    pub fn with_compiler(compiler: Arc<dyn Compiler>) -> Self {
        Self::from_handle(CompilerHandle::Custom(compiler))
    }

    fn from_handle(compiler: CompilerHandle) -> Self {
        JitModule {
            compiler,
            funcs: Vec::new(),
            data: Vec::new(),
            names: HashMap::new(),
            symbols: HashMap::new(),
        }
    }

    /// Declares the function `name`. Declaring a name again with the same linkage and
    /// signature returns the same id; anything else is an error.
    pub fn declare_function(
        &mut self,
        name: &str,
        linkage: Linkage,
        signature: &Signature,
    ) -> Result<FuncId, JitError> {
        let incompatible = |message: String| JitError::IncompatibleDeclaration {
            name: name.to_string(),
            message,
        };
        match self.names.get(name) {
            Some(&Decl::Func(id)) => {
                let decl = &self.funcs[id.0 as usize];
                if decl.linkage != linkage {
                    return Err(incompatible(format!(
                        "declared {:?}, now {linkage:?}",
                        decl.linkage
                    )));
                }
                if decl.signature != *signature {
                    return Err(incompatible(format!(
                        "declared with signature {}, now {signature}",
                        decl.signature
                    )));
                }
                Ok(id)
            }
            Some(Decl::Data(_)) => Err(incompatible("it is a data object".into())),
            None => {
                let id = FuncId(self.funcs.len() as u32);
                self.funcs.push(FuncDecl {
                    name: name.to_string(),
                    linkage,
                    signature: signature.clone(),
                    compiled: None,
                });
                self.names.insert(name.to_string(), Decl::Func(id));
                Ok(id)
            }
        }
    }

    /// Declares the data object `name`, writable by JIT code or read-only. Declaring a name
    /// again with the same linkage and mutability returns the same id.
    pub fn declare_data(
        &mut self,
        name: &str,
        linkage: Linkage,
        writable: bool,
    ) -> Result<DataId, JitError> {
        let incompatible = |message: String| JitError::IncompatibleDeclaration {
            name: name.to_string(),
            message,
        };
        match self.names.get(name) {
            Some(&Decl::Data(id)) => {
                let decl = &self.data[id.0 as usize];
                if decl.linkage != linkage || decl.writable != writable {
                    return Err(incompatible(format!(
                        "declared {:?} {}, now {linkage:?} {}",
                        decl.linkage,
                        mutability(decl.writable),
                        mutability(writable)
                    )));
                }
                Ok(id)
            }
            Some(Decl::Func(_)) => Err(incompatible("it is a function".into())),
            None => {
                let id = DataId(self.data.len() as u32);
                self.data.push(DataDecl {
                    name: name.to_string(),
                    linkage,
                    writable,
                    contents: None,
                });
                self.names.insert(name.to_string(), Decl::Data(id));
                Ok(id)
            }
        }
    }

    /// The function declared as `name`.
    pub fn func_id(&self, name: &str) -> Option<FuncId> {
        match self.names.get(name) {
            Some(&Decl::Func(id)) => Some(id),
            _ => None,
        }
    }

    /// The data object declared as `name`.
    pub fn data_id(&self, name: &str) -> Option<DataId> {
        match self.names.get(name) {
            Some(&Decl::Data(id)) => Some(id),
            _ => None,
        }
    }

    /// The name of a declared function.
    pub fn func_name(&self, id: FuncId) -> Result<&str, JitError> {
        Ok(&self.func(id)?.name)
    }

    /// The declared signature of a function.
    pub fn func_signature(&self, id: FuncId) -> Result<&Signature, JitError> {
        Ok(&self.func(id)?.signature)
    }

    fn func(&self, id: FuncId) -> Result<&FuncDecl, JitError> {
        self.funcs.get(id.0 as usize).ok_or(JitError::UnknownId {
            what: "function",
            index: id.0,
        })
    }

    fn data_decl(&self, id: DataId) -> Result<&DataDecl, JitError> {
        self.data.get(id.0 as usize).ok_or(JitError::UnknownId {
            what: "data object",
            index: id.0,
        })
    }

    /// Makes function `id` callable from `func`: returns the reference to use in `call` (or
    /// `func_addr`), with the declared signature. Functions of the module are placed together,
    /// so calls between them are direct (`colocated`); an import may be anywhere and is
    /// called through its absolute address.
    pub fn declare_func_in_func(&self, id: FuncId, func: &mut Function) -> Result<FuncRef, JitError> {
        let decl = self.func(id)?;
        let signature = func.import_signature(decl.signature.clone());
        Ok(func.import_function(ExtFuncData {
            name: UserFuncName::user(FUNC_NAMESPACE, id.0),
            signature,
            colocated: decl.linkage != Linkage::Import,
        }))
    }

    /// Makes data object `id` addressable from `func`: `func_addr.i64` of the returned
    /// reference is the object's address once the module is finalized.
    ///
    /// The IR has no symbol-address instruction yet, so a data object is referred to like a
    /// function whose "code" is the data (with an empty signature that must never be called);
    /// the JIT resolves the relocation to the data's address. The interpreter does not know
    /// about JIT data, so such functions only run compiled.
    pub fn declare_data_in_func(&self, id: DataId, func: &mut Function) -> Result<FuncRef, JitError> {
        self.data_decl(id)?;
        let signature = func.import_signature(Signature::new(CallConv::SystemV));
        Ok(func.import_function(ExtFuncData {
            name: UserFuncName::user(DATA_NAMESPACE, id.0),
            signature,
            colocated: false,
        }))
    }

    /// Defines function `id` from `func`, whose signature must be the declared one: verifies
    /// and compiles it now. Calls to other functions must use references made by
    /// [`declare_func_in_func`](Self::declare_func_in_func) (or
    /// [`declare_data_in_func`](Self::declare_data_in_func) for data addresses).
    pub fn define_function(&mut self, id: FuncId, func: &Function) -> Result<(), JitError> {
        let decl = self.func(id)?;
        let name = decl.name.clone();
        if decl.linkage == Linkage::Import {
            return Err(JitError::DefinedImport { name });
        }
        if decl.compiled.is_some() {
            return Err(JitError::DuplicateDefinition { name });
        }
        if func.signature != decl.signature {
            return Err(JitError::SignatureMismatch {
                name,
                declared: decl.signature.to_string(),
                found: func.signature.to_string(),
            });
        }
        let compiled = compile(self.compiler.get(), func, &name)?;
        self.funcs[id.0 as usize].compiled = Some(compiled);
        Ok(())
    }

    /// Defines data object `id` with initial contents `bytes`. It is placed 16-byte aligned.
    pub fn define_data(&mut self, id: DataId, bytes: &[u8]) -> Result<(), JitError> {
        let decl = self.data_decl(id)?;
        let name = decl.name.clone();
        if decl.linkage == Linkage::Import {
            return Err(JitError::DefinedImport { name });
        }
        if decl.contents.is_some() {
            return Err(JitError::DuplicateDefinition { name });
        }
        self.data[id.0 as usize].contents = Some(bytes.to_vec());
        Ok(())
    }

    /// Provides the host function `f` for the import `name`. Its parameter and result types
    /// are checked against the import's declared signature when the module is finalized.
    pub fn define_host_function<F: HostFunction>(&mut self, name: &str, f: F) -> Result<(), JitError> {
        self.add_symbol(
            name,
            Symbol {
                address: f.address(),
                types: Some((F::param_types(), F::return_types())),
            },
        )
    }

    /// Provides the address of the import `name` (a function or a data object).
    ///
    /// # Safety
    ///
    /// For a function import, `address` must be a System V function with the declared
    /// signature that never unwinds and never lets a Kiln trap cross it; for a data import,
    /// memory JIT code may access as the code does. Either must stay valid as long as the
    /// finalized module is used.
    pub unsafe fn define_symbol(&mut self, name: &str, address: *const u8) -> Result<(), JitError> {
        self.add_symbol(
            name,
            Symbol {
                address,
                types: None,
            },
        )
    }

    fn add_symbol(&mut self, name: &str, symbol: Symbol) -> Result<(), JitError> {
        if self.symbols.contains_key(name) {
            return Err(JitError::DuplicateDefinition {
                name: name.to_string(),
            });
        }
        self.symbols.insert(name.to_string(), symbol);
        Ok(())
    }

    /// Places the code and data in memory, resolves every reference between them and to the
    /// host, and makes the code executable (and read-only data read-only).
    ///
    /// Fails if a declared function or data object is not defined, an import has no symbol,
    /// a host function's types differ from its declaration, or a relocation cannot be applied.
    ///
    /// # Safety
    ///
    /// The module's functions are trusted machine code once finalized: every memory access
    /// they make (`load`, `store`, `call_indirect`, ...) must be to memory they may use (their
    /// stack slots, the module's data, and what the host hands them). Kiln catches faults as
    /// traps but cannot catch a store into valid host memory. Code with no such accesses —
    /// arithmetic, control flow, direct calls — meets this trivially.
    pub unsafe fn finalize(self) -> Result<FinalizedModule, JitError> {
        finalized::finalize(self)
    }
}

fn mutability(writable: bool) -> &'static str {
    if writable {
        "writable"
    } else {
        "read-only"
    }
}

/// Verifies and compiles `func` as Wasm modules do (a panic in the code generator becomes an
/// error naming the function).
fn compile(compiler: &dyn Compiler, func: &Function, name: &str) -> Result<CompiledFunction, JitError> {
    Ok(crate::module::compile_ir(compiler, func, name)?)
}
