//! Module translation: reads and validates every section, keeping the metadata a runtime needs
//! and the function bodies, which are translated independently (and in parallel if wished).

use crate::error::{unsupported, WasmError, WasmResult};
use kiln_ir::types::{self, Type};
use std::collections::HashMap;
use wasmparser::{
    FuncToValidate, Parser, Payload, ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// A Wasm value type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WasmValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `v128`
    V128,
    /// A reference.
    Ref(WasmRefType),
}

/// A Wasm reference type (only the nullable `funcref` and `externref` of Wasm 2.0).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WasmRefType {
    /// `funcref`: a pointer to the callee's `VMFuncRef`, or null.
    Func,
    /// `externref`: an opaque host value, or null.
    Extern,
}

impl WasmValType {
    /// The IR type values of this type have. References are pointer-sized integers.
    pub fn ir_type(self) -> Type {
        match self {
            WasmValType::I32 => types::I32,
            WasmValType::I64 => types::I64,
            WasmValType::F32 => types::F32,
            WasmValType::F64 => types::F64,
            WasmValType::V128 => types::I8X16,
            WasmValType::Ref(_) => types::I64,
        }
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType, offset: u64) -> WasmResult<Self> {
        use wasmparser::ValType as V;
        Ok(match ty {
            V::I32 => WasmValType::I32,
            V::I64 => WasmValType::I64,
            V::F32 => WasmValType::F32,
            V::F64 => WasmValType::F64,
            V::V128 => WasmValType::V128,
            V::Ref(r) => WasmValType::Ref(WasmRefType::from_wasmparser(r, offset)?),
        })
    }
}

impl WasmRefType {
    fn from_wasmparser(r: wasmparser::RefType, offset: u64) -> WasmResult<Self> {
        if r == wasmparser::RefType::FUNCREF {
            Ok(WasmRefType::Func)
        } else if r == wasmparser::RefType::EXTERNREF {
            Ok(WasmRefType::Extern)
        } else {
            unsupported(offset, format!("reference type {r:?}"))
        }
    }
}

/// A function type.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WasmFuncType {
    /// Parameter types.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::boxed_slice")
    )]
    pub params: Box<[WasmValType]>,
    /// Result types.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::boxed_slice")
    )]
    pub results: Box<[WasmValType]>,
}

/// A table type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TableType {
    /// The element type.
    pub element: WasmRefType,
    /// Initial number of elements.
    pub minimum: u32,
    /// Maximum number of elements, if bounded.
    pub maximum: Option<u32>,
}

/// A linear memory type (32-bit memories only).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemoryType {
    /// Initial size in 64 KiB pages.
    pub minimum: u32,
    /// Maximum size in pages, if bounded.
    pub maximum: Option<u32>,
}

/// A global's type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GlobalType {
    /// The value type.
    pub ty: WasmValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// One operation of a constant expression.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConstOp {
    /// `i32.const`
    I32Const(i32),
    /// `i64.const`
    I64Const(i64),
    /// `f32.const`, as bits.
    F32Const(u32),
    /// `f64.const`, as bits.
    F64Const(u64),
    /// `v128.const`, as bits.
    V128Const(u128),
    /// `ref.null`
    RefNull,
    /// `ref.func`
    RefFunc(u32),
    /// `global.get` of an (imported, immutable) global.
    GlobalGet(u32),
    /// `i32.add` (extended constant expressions)
    I32Add,
    /// `i32.sub`
    I32Sub,
    /// `i32.mul`
    I32Mul,
    /// `i64.add`
    I64Add,
    /// `i64.sub`
    I64Sub,
    /// `i64.mul`
    I64Mul,
}

/// A constant expression, evaluated by the runtime at instantiation (a stack machine).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConstExpr(
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub Vec<ConstOp>,
);

impl ConstExpr {
    fn from_wasmparser(expr: &wasmparser::ConstExpr<'_>) -> WasmResult<Self> {
        use wasmparser::Operator as O;
        let mut reader = expr.get_operators_reader();
        let mut ops = Vec::new();
        loop {
            let offset = reader.original_position();
            let op = match reader.read()? {
                O::End => break,
                O::I32Const { value } => ConstOp::I32Const(value),
                O::I64Const { value } => ConstOp::I64Const(value),
                O::F32Const { value } => ConstOp::F32Const(value.bits()),
                O::F64Const { value } => ConstOp::F64Const(value.bits()),
                O::V128Const { value } => ConstOp::V128Const(value.i128() as u128),
                O::RefNull { .. } => ConstOp::RefNull,
                O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                O::I32Add => ConstOp::I32Add,
                O::I32Sub => ConstOp::I32Sub,
                O::I32Mul => ConstOp::I32Mul,
                O::I64Add => ConstOp::I64Add,
                O::I64Sub => ConstOp::I64Sub,
                O::I64Mul => ConstOp::I64Mul,
                other => return unsupported(offset, format!("{other:?} in a constant expression")),
            };
            ops.push(op);
        }
        Ok(ConstExpr(ops))
    }
}

/// An index into one of a module's index spaces.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EntityIndex {
    /// A function.
    Function(u32),
    /// A table.
    Table(u32),
    /// A memory.
    Memory(u32),
    /// A global.
    Global(u32),
}

/// An import.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Import {
    /// The module name.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::string")
    )]
    pub module: String,
    /// The field name.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::string")
    )]
    pub field: String,
    /// What it defines in this module's index spaces.
    pub index: EntityIndex,
}

/// An export.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Export {
    /// Its name.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::string")
    )]
    pub name: String,
    /// What it exports.
    pub index: EntityIndex,
}

/// Where an element segment goes.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ElementMode {
    /// Used only by `table.init`.
    Passive,
    /// Only declares functions referable by `ref.func`; dropped at instantiation.
    Declared,
    /// Copied into a table at instantiation.
    Active {
        /// The table.
        table: u32,
        /// The offset expression.
        offset: ConstExpr,
    },
}

/// The contents of an element segment.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ElementItems {
    /// Function indices.
    Functions(
        #[cfg_attr(
            feature = "serde",
            serde(deserialize_with = "crate::fallible_serde::vec")
        )]
        Vec<u32>,
    ),
    /// Constant expressions producing references.
    Expressions(
        #[cfg_attr(
            feature = "serde",
            serde(deserialize_with = "crate::fallible_serde::vec")
        )]
        Vec<ConstExpr>,
    ),
}

/// An element segment.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ElementSegment {
    /// Where it goes.
    pub mode: ElementMode,
    /// The element type.
    pub ty: WasmRefType,
    /// The elements.
    pub items: ElementItems,
}

impl ElementSegment {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match &self.items {
            ElementItems::Functions(f) => f.len(),
            ElementItems::Expressions(e) => e.len(),
        }
    }

    /// Whether the segment has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data segment.
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DataSegment {
    /// Active segments: the memory and offset expression; `None` for passive ones.
    pub active: Option<(u32, ConstExpr)>,
    /// The bytes.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::boxed_slice")
    )]
    pub data: Box<[u8]>,
}

/// Everything about a module except its function bodies.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ModuleInfo {
    /// The module's name from the names section.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::option_string")
    )]
    pub name: Option<String>,
    /// The type section.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub types: Vec<WasmFuncType>,
    /// For each type index, the smallest type index whose (canonicalised) type is identical:
    /// two functions have the same type for `call_indirect` iff these agree.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub canonical_types: Vec<u32>,
    /// The type index of each function (imported functions first).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub functions: Vec<u32>,
    /// How many functions are imported.
    pub num_imported_functions: u32,
    /// Every table (imported first).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub tables: Vec<TableType>,
    /// Initial element expression of each defined table (`None`: null).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub table_inits: Vec<Option<ConstExpr>>,
    /// How many tables are imported.
    pub num_imported_tables: u32,
    /// Every memory (imported first).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub memories: Vec<MemoryType>,
    /// How many memories are imported.
    pub num_imported_memories: u32,
    /// Every global (imported first).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub globals: Vec<GlobalType>,
    /// Initialiser of each defined global.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub global_inits: Vec<ConstExpr>,
    /// How many globals are imported.
    pub num_imported_globals: u32,
    /// Imports in order.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub imports: Vec<Import>,
    /// Exports in order.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
    /// Element segments.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub elements: Vec<ElementSegment>,
    /// Data segments.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::vec")
    )]
    pub data: Vec<DataSegment>,
    /// Function names from the names section, sorted by function index (each index once).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::fallible_serde::indexed_strings")
    )]
    pub function_names: Vec<(u32, String)>,
}

impl ModuleInfo {
    /// The type of function `index`.
    pub fn function_type(&self, index: u32) -> &WasmFuncType {
        &self.types[self.functions[index as usize] as usize]
    }

    /// Whether function `index` is imported.
    pub fn is_imported_function(&self, index: u32) -> bool {
        index < self.num_imported_functions
    }

    /// Number of functions defined (not imported) by the module.
    pub fn num_defined_functions(&self) -> u32 {
        self.functions.len() as u32 - self.num_imported_functions
    }

    /// A readable name for function `index`: its name-section name, else `func<index>`.
    pub fn function_name(&self, index: u32) -> String {
        match self
            .function_names
            .binary_search_by_key(&index, |(i, _)| *i)
        {
            Ok(i) => self.function_names[i].1.clone(),
            Err(_) => format!("func{index}"),
        }
    }
}

/// One function body waiting to be translated.
pub struct FunctionBodyData<'data> {
    /// The function index (imported functions count).
    pub index: u32,
    /// The body.
    pub body: wasmparser::FunctionBody<'data>,
    /// The validator for the body; translation validates it operator by operator.
    pub validator: FuncToValidate<ValidatorResources>,
}

/// A read and validated module: metadata plus function bodies.
pub struct ModuleTranslation<'data> {
    /// The metadata.
    pub info: ModuleInfo,
    /// The function bodies, in function index order.
    pub bodies: Vec<FunctionBodyData<'data>>,
}

/// The Wasm features Kiln accepts: WebAssembly 2.0. (SIMD validates but is not translated
/// yet: a function using it fails translation with [`WasmError::Unsupported`].)
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM2
}

/// Reads and validates every section of `bytes`, except the function bodies, which are
/// validated while they are translated.
pub fn translate_module(bytes: &[u8]) -> WasmResult<ModuleTranslation<'_>> {
    let mut validator = Validator::new_with_features(features());
    let mut info = ModuleInfo::default();
    let mut bodies = Vec::new();
    let mut types_done = None;

    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match validator.payload(&payload)? {
            ValidPayload::Ok => {}
            ValidPayload::Func(validator, body) => {
                let index = info.num_imported_functions + bodies.len() as u32;
                bodies.push(FunctionBodyData {
                    index,
                    body,
                    validator,
                });
                continue;
            }
            ValidPayload::End(types) => types_done = Some(types),
            ValidPayload::Parser(_) => {
                return unsupported(0, "nested modules and components");
            }
        }
        if let Payload::MemorySection(reader) = &payload {
            let r = reader.range();
            check_memory_limits_encoding(bytes, r.start as usize..r.end as usize)?;
        }
        read_section(&mut info, payload)?;
    }

    let types = types_done.ok_or_else(|| WasmError::Invalid {
        message: "unexpected end of module".into(),
        offset: bytes.len() as u64,
    })?;
    let mut first_with_id = HashMap::new();
    for i in 0..info.types.len() as u32 {
        let id = types.as_ref().core_type_at_in_module(i);
        info.canonical_types
            .push(*first_with_id.entry(id).or_insert(i));
    }
    Ok(ModuleTranslation { info, bodies })
}

fn read_section(info: &mut ModuleInfo, payload: Payload<'_>) -> WasmResult<()> {
    match payload {
        Payload::TypeSection(reader) => {
            let offset = reader.range().start;
            for rec_group in reader {
                for sub in rec_group?.into_types() {
                    let func = match &sub.composite_type.inner {
                        wasmparser::CompositeInnerType::Func(f) => f,
                        _ => return unsupported(offset, "GC types"),
                    };
                    let conv = |tys: &[wasmparser::ValType]| -> WasmResult<Box<[WasmValType]>> {
                        tys.iter()
                            .map(|&t| WasmValType::from_wasmparser(t, offset))
                            .collect()
                    };
                    info.types.push(WasmFuncType {
                        params: conv(func.params())?,
                        results: conv(func.results())?,
                    });
                }
            }
        }
        Payload::ImportSection(reader) => {
            let offset = reader.range().start;
            for import in reader.into_imports() {
                let import = import?;
                let index = match import.ty {
                    wasmparser::TypeRef::Func(ty) => {
                        info.functions.push(ty);
                        info.num_imported_functions += 1;
                        EntityIndex::Function(info.functions.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Table(t) => {
                        info.tables.push(table_type(t, offset)?);
                        info.num_imported_tables += 1;
                        EntityIndex::Table(info.tables.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Memory(m) => {
                        info.memories.push(memory_type(m, offset)?);
                        info.num_imported_memories += 1;
                        EntityIndex::Memory(info.memories.len() as u32 - 1)
                    }
                    wasmparser::TypeRef::Global(g) => {
                        info.globals.push(global_type(g, offset)?);
                        info.num_imported_globals += 1;
                        EntityIndex::Global(info.globals.len() as u32 - 1)
                    }
                    _ => return unsupported(offset, "this kind of import"),
                };
                info.imports.push(Import {
                    module: import.module.to_string(),
                    field: import.name.to_string(),
                    index,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for ty in reader {
                info.functions.push(ty?);
            }
        }
        Payload::TableSection(reader) => {
            let offset = reader.range().start;
            for table in reader {
                let table = table?;
                info.tables.push(table_type(table.ty, offset)?);
                info.table_inits.push(match table.init {
                    wasmparser::TableInit::RefNull => None,
                    wasmparser::TableInit::Expr(e) => Some(ConstExpr::from_wasmparser(&e)?),
                });
            }
        }
        Payload::MemorySection(reader) => {
            let offset = reader.range().start;
            for mem in reader {
                info.memories.push(memory_type(mem?, offset)?);
            }
        }
        Payload::GlobalSection(reader) => {
            let offset = reader.range().start;
            for global in reader {
                let global = global?;
                info.globals.push(global_type(global.ty, offset)?);
                info.global_inits
                    .push(ConstExpr::from_wasmparser(&global.init_expr)?);
            }
        }
        Payload::ExportSection(reader) => {
            let offset = reader.range().start;
            for export in reader {
                let export = export?;
                let index = match export.kind {
                    wasmparser::ExternalKind::Func => EntityIndex::Function(export.index),
                    wasmparser::ExternalKind::Table => EntityIndex::Table(export.index),
                    wasmparser::ExternalKind::Memory => EntityIndex::Memory(export.index),
                    wasmparser::ExternalKind::Global => EntityIndex::Global(export.index),
                    _ => return unsupported(offset, "this kind of export"),
                };
                info.exports.push(Export {
                    name: export.name.to_string(),
                    index,
                });
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(func),
        Payload::ElementSection(reader) => {
            let offset = reader.range().start;
            for element in reader {
                let element = element?;
                let mode = match element.kind {
                    wasmparser::ElementKind::Passive => ElementMode::Passive,
                    wasmparser::ElementKind::Declared => ElementMode::Declared,
                    wasmparser::ElementKind::Active {
                        table_index,
                        offset_expr,
                    } => ElementMode::Active {
                        table: table_index.unwrap_or(0),
                        offset: ConstExpr::from_wasmparser(&offset_expr)?,
                    },
                };
                let (ty, items) = match element.items {
                    wasmparser::ElementItems::Functions(funcs) => (
                        WasmRefType::Func,
                        ElementItems::Functions(funcs.into_iter().collect::<Result<_, _>>()?),
                    ),
                    wasmparser::ElementItems::Expressions(ty, exprs) => {
                        let exprs = exprs
                            .into_iter()
                            .map(|e| ConstExpr::from_wasmparser(&e?))
                            .collect::<WasmResult<_>>()?;
                        (
                            WasmRefType::from_wasmparser(ty, offset)?,
                            ElementItems::Expressions(exprs),
                        )
                    }
                };
                info.elements.push(ElementSegment { mode, ty, items });
            }
        }
        Payload::DataSection(reader) => {
            for data in reader {
                let data = data?;
                let active = match data.kind {
                    wasmparser::DataKind::Passive => None,
                    wasmparser::DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => Some((memory_index, ConstExpr::from_wasmparser(&offset_expr)?)),
                };
                info.data.push(DataSegment {
                    active,
                    data: data.data.into(),
                });
            }
        }
        Payload::CustomSection(section) => {
            if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                // A malformed names section is ignored, as the spec asks of custom sections.
                let _ = read_names(info, names);
            }
        }
        _ => {}
    }
    Ok(())
}

fn read_names(info: &mut ModuleInfo, names: wasmparser::NameSectionReader<'_>) -> WasmResult<()> {
    for name in names {
        match name? {
            wasmparser::Name::Module { name, .. } => info.name = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    // Sorted by index; a later name for an index replaces an earlier one.
                    let names = &mut info.function_names;
                    let name = naming.name.to_string();
                    match names.binary_search_by_key(&naming.index, |(i, _)| *i) {
                        Ok(i) => names[i].1 = name,
                        Err(i) => names.insert(i, (naming.index, name)),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn table_type(t: wasmparser::TableType, offset: u64) -> WasmResult<TableType> {
    if t.table64 {
        return unsupported(offset, "64-bit tables");
    }
    Ok(TableType {
        element: WasmRefType::from_wasmparser(t.element_type, offset)?,
        minimum: t.initial as u32,
        maximum: t.maximum.map(|m| m as u32),
    })
}

fn memory_type(m: wasmparser::MemoryType, offset: u64) -> WasmResult<MemoryType> {
    if m.memory64 {
        return unsupported(offset, "64-bit memories");
    }
    if m.shared {
        return unsupported(offset, "shared memories");
    }
    if m.page_size_log2.is_some() {
        return unsupported(offset, "custom page sizes");
    }
    Ok(MemoryType {
        minimum: m.initial as u32,
        maximum: m.maximum.map(|m| m as u32),
    })
}

fn global_type(g: wasmparser::GlobalType, offset: u64) -> WasmResult<GlobalType> {
    Ok(GlobalType {
        ty: WasmValType::from_wasmparser(g.content_type, offset)?,
        mutable: g.mutable,
    })
}

/// Wasm 2.0 encodes memory limits as `u32` LEBs of at most 5 bytes; `wasmparser` reads them with
/// the 64-bit rules of later versions, so the 2.0 rule is checked here.
fn check_memory_limits_encoding(bytes: &[u8], range: std::ops::Range<usize>) -> WasmResult<()> {
    let section = &bytes[range.start..range.end.min(bytes.len())];
    let mut pos = 0;
    let leb = |pos: &mut usize| -> WasmResult<()> {
        let start = *pos;
        loop {
            let Some(&b) = section.get(*pos) else {
                return Ok(()); // Truncation is wasmparser's error to report.
            };
            *pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        if *pos - start > 5 {
            return Err(WasmError::Invalid {
                message: "integer representation too long".into(),
                offset: (range.start + start) as u64,
            });
        }
        Ok(())
    };
    leb(&mut pos)?;
    let count = wasmparser::BinaryReader::new(section, range.start as u64)
        .read_var_u32()
        .unwrap_or(0);
    for _ in 0..count {
        let Some(&flags) = section.get(pos) else {
            return Ok(());
        };
        pos += 1;
        leb(&mut pos)?;
        if flags & 1 != 0 {
            leb(&mut pos)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names for some functions: looked up by index, the others get `func<index>`. (A names
    /// section listing indices out of order stops being read where the order breaks:
    /// wasmparser rejects it, so the list stays sorted.)
    #[test]
    fn function_names_are_looked_up_by_index() {
        let mut wasm = wat::parse_str("(module (func) (func) (func) (func))").unwrap();
        let entries: [(u8, &str); 3] = [(0, "a"), (2, "z"), (1, "late")];
        let mut map = vec![entries.len() as u8];
        for (i, n) in entries {
            map.extend([i, n.len() as u8]);
            map.extend(n.as_bytes());
        }
        let mut payload = vec![4];
        payload.extend(b"name");
        payload.extend([1, map.len() as u8]);
        payload.extend(&map);
        wasm.extend([0, payload.len() as u8]);
        wasm.extend(&payload);
        let info = translate_module(&wasm).unwrap().info;
        assert_eq!(
            info.function_names,
            [(0, "a".to_string()), (2, "z".to_string())]
        );
        assert_eq!(info.function_name(0), "a");
        assert_eq!(info.function_name(1), "func1");
        assert_eq!(info.function_name(2), "z");
        assert_eq!(info.function_name(3), "func3");
    }
}
