//! The layout of the `vmctx` area that every Wasm function receives as its first argument.
//!
//! The frontend emits loads at these offsets and the runtime writes the data there, so both
//! use this one type and cannot disagree. All fields are 8 bytes (pointers, lengths), except
//! the type ids (4 bytes) and globals (16 bytes, room for a `v128`).
//!
//! ```text
//! 0                      stack limit (lowest usable stack address)
//! 8                      builtin function pointers, one per `Builtin`
//! ..                     imported functions: VMFunctionImport { body, vmctx }     (16 bytes)
//! ..                     imported tables: pointer to the owner's VMTableDefinition
//! ..                     imported memories: pointer to the owner's VMMemoryDefinition
//! ..                     imported globals: pointer to the owner's 16-byte global storage
//! ..                     defined tables: VMTableDefinition { base, current_elements } (16)
//! ..                     defined memories: VMMemoryDefinition { base, current_length } (16)
//! ..                     defined globals: 16 bytes each, 16-aligned
//! ..                     type ids: u32 per type index (engine-wide id of the canonical type)
//! ..                     function references: VMFuncRef { code, type_id, vmctx } per function (24)
//! ```

use crate::module::ModuleInfo;

/// Size of a pointer on the targets Kiln supports.
pub const POINTER_SIZE: u32 = 8;

/// Offset of `base` in a memory or table definition.
pub const DEFINITION_BASE: u32 = 0;
/// Offset of the current length (bytes for memories, elements for tables) in a definition.
pub const DEFINITION_LENGTH: u32 = 8;
/// Size of a memory or table definition.
pub const DEFINITION_SIZE: u32 = 16;

/// Offset of the code pointer in a `VMFuncRef`.
pub const FUNC_REF_CODE: u32 = 0;
/// Offset of the type id (a `u32`, zero-extended to 8 bytes) in a `VMFuncRef`.
pub const FUNC_REF_TYPE_ID: u32 = 8;
/// Offset of the callee's vmctx in a `VMFuncRef`.
pub const FUNC_REF_VMCTX: u32 = 16;
/// Size of a `VMFuncRef`.
pub const FUNC_REF_SIZE: u32 = 24;

/// Offset of the code pointer in a `VMFunctionImport`.
pub const IMPORT_CODE: u32 = 0;
/// Offset of the callee's vmctx in a `VMFunctionImport`.
pub const IMPORT_VMCTX: u32 = 8;

/// Runtime functions generated code calls through pointers in the vmctx. Each takes the caller's
/// vmctx first. Those that can fail return an `i32` that is non-zero on failure, and the
/// generated code traps (so no trap ever unwinds through host frames).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Builtin {
    /// `(vmctx, memory: i32, delta_pages: i32) -> i32`: old size in pages, or -1.
    MemoryGrow,
    /// `(vmctx, dst_mem: i32, src_mem: i32, dst: i32, src: i32, len: i32) -> i32` status.
    MemoryCopy,
    /// `(vmctx, memory: i32, dst: i32, value: i32, len: i32) -> i32` status.
    MemoryFill,
    /// `(vmctx, memory: i32, data: i32, dst: i32, src: i32, len: i32) -> i32` status.
    MemoryInit,
    /// `(vmctx, data: i32)`.
    DataDrop,
    /// `(vmctx, table: i32, init: i64, delta: i32) -> i32`: old size, or -1.
    TableGrow,
    /// `(vmctx, table: i32, dst: i32, value: i64, len: i32) -> i32` status.
    TableFill,
    /// `(vmctx, dst_table: i32, src_table: i32, dst: i32, src: i32, len: i32) -> i32` status.
    TableCopy,
    /// `(vmctx, table: i32, elem: i32, dst: i32, src: i32, len: i32) -> i32` status.
    TableInit,
    /// `(vmctx, elem: i32)`.
    ElemDrop,
}

impl Builtin {
    /// Every builtin, in vmctx order.
    pub const ALL: [Builtin; 10] = [
        Builtin::MemoryGrow,
        Builtin::MemoryCopy,
        Builtin::MemoryFill,
        Builtin::MemoryInit,
        Builtin::DataDrop,
        Builtin::TableGrow,
        Builtin::TableFill,
        Builtin::TableCopy,
        Builtin::TableInit,
        Builtin::ElemDrop,
    ];

    /// Parameter and result types after the vmctx: `(params, results)` as IR types.
    pub fn signature(self) -> (&'static [kiln_ir::Type], &'static [kiln_ir::Type]) {
        use kiln_ir::types::{I32, I64};
        match self {
            Builtin::MemoryGrow => (&[I32, I32], &[I32]),
            Builtin::MemoryCopy => (&[I32, I32, I32, I32, I32], &[I32]),
            Builtin::MemoryFill => (&[I32, I32, I32, I32], &[I32]),
            Builtin::MemoryInit => (&[I32, I32, I32, I32, I32], &[I32]),
            Builtin::DataDrop => (&[I32], &[]),
            Builtin::TableGrow => (&[I32, I64, I32], &[I32]),
            Builtin::TableFill => (&[I32, I32, I64, I32], &[I32]),
            Builtin::TableCopy => (&[I32, I32, I32, I32, I32], &[I32]),
            Builtin::TableInit => (&[I32, I32, I32, I32, I32], &[I32]),
            Builtin::ElemDrop => (&[I32], &[]),
        }
    }
}

/// Where something lives relative to the vmctx.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmLocation {
    /// In this vmctx, at this offset.
    Inline(u32),
    /// Behind a pointer stored in this vmctx at this offset (imported entities).
    Indirect(u32),
}

/// Offsets of everything in one module's vmctx.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VMOffsets {
    num_imported_functions: u32,
    num_imported_tables: u32,
    num_imported_memories: u32,
    num_imported_globals: u32,
    num_types: u32,
    num_functions: u32,
    imported_functions: u32,
    imported_tables: u32,
    imported_memories: u32,
    imported_globals: u32,
    defined_tables: u32,
    defined_memories: u32,
    defined_globals: u32,
    type_ids: u32,
    func_refs: u32,
    size: u32,
}

fn align(x: u32, to: u32) -> u32 {
    x.div_ceil(to) * to
}

impl VMOffsets {
    /// The layout for `module`.
    pub fn new(module: &ModuleInfo) -> Self {
        let n = |x: usize| x as u32;
        let num_imported_functions = module.num_imported_functions;
        let num_imported_tables = module.num_imported_tables;
        let num_imported_memories = module.num_imported_memories;
        let num_imported_globals = module.num_imported_globals;
        let defined_tables_n = n(module.tables.len()) - num_imported_tables;
        let defined_memories_n = n(module.memories.len()) - num_imported_memories;
        let defined_globals_n = n(module.globals.len()) - num_imported_globals;
        let num_types = n(module.types.len());
        let num_functions = n(module.functions.len());

        let imported_functions = POINTER_SIZE * (1 + Builtin::ALL.len() as u32);
        let imported_tables = imported_functions + 16 * num_imported_functions;
        let imported_memories = imported_tables + POINTER_SIZE * num_imported_tables;
        let imported_globals = imported_memories + POINTER_SIZE * num_imported_memories;
        let defined_tables = imported_globals + POINTER_SIZE * num_imported_globals;
        let defined_memories = defined_tables + DEFINITION_SIZE * defined_tables_n;
        let defined_globals = align(defined_memories + DEFINITION_SIZE * defined_memories_n, 16);
        let type_ids = defined_globals + 16 * defined_globals_n;
        let func_refs = align(type_ids + 4 * num_types, 8);
        let size = func_refs + FUNC_REF_SIZE * num_functions;
        Self {
            num_imported_functions,
            num_imported_tables,
            num_imported_memories,
            num_imported_globals,
            num_types,
            num_functions,
            imported_functions,
            imported_tables,
            imported_memories,
            imported_globals,
            defined_tables,
            defined_memories,
            defined_globals,
            type_ids,
            func_refs,
            size,
        }
    }

    /// Total size of the vmctx in bytes.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Offset of the stack limit.
    pub fn stack_limit(&self) -> u32 {
        0
    }

    /// Offset of the pointer to builtin `b`.
    pub fn builtin(&self, b: Builtin) -> u32 {
        POINTER_SIZE * (1 + b as u32)
    }

    /// Offset of the `VMFunctionImport` of imported function `index`.
    pub fn imported_function(&self, index: u32) -> u32 {
        debug_assert!(index < self.num_imported_functions);
        self.imported_functions + 16 * index
    }

    /// Where the definition of table `index` is.
    pub fn table(&self, index: u32) -> VmLocation {
        if index < self.num_imported_tables {
            VmLocation::Indirect(self.imported_tables + POINTER_SIZE * index)
        } else {
            VmLocation::Inline(
                self.defined_tables + DEFINITION_SIZE * (index - self.num_imported_tables),
            )
        }
    }

    /// Where the definition of memory `index` is.
    pub fn memory(&self, index: u32) -> VmLocation {
        if index < self.num_imported_memories {
            VmLocation::Indirect(self.imported_memories + POINTER_SIZE * index)
        } else {
            VmLocation::Inline(
                self.defined_memories + DEFINITION_SIZE * (index - self.num_imported_memories),
            )
        }
    }

    /// Where the storage of global `index` is.
    pub fn global(&self, index: u32) -> VmLocation {
        if index < self.num_imported_globals {
            VmLocation::Indirect(self.imported_globals + POINTER_SIZE * index)
        } else {
            VmLocation::Inline(self.defined_globals + 16 * (index - self.num_imported_globals))
        }
    }

    /// Offset of the engine-wide type id of type index `index` (a `u32`).
    pub fn type_id(&self, index: u32) -> u32 {
        debug_assert!(index < self.num_types);
        self.type_ids + 4 * index
    }

    /// Offset of the `VMFuncRef` of function `index`.
    pub fn func_ref(&self, index: u32) -> u32 {
        debug_assert!(index < self.num_functions);
        self.func_refs + FUNC_REF_SIZE * index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{GlobalType, MemoryType, WasmValType};

    #[test]
    fn layout_is_packed_in_order() {
        let mut m = ModuleInfo::default();
        m.types.push(Default::default());
        m.functions = vec![0, 0, 0];
        m.num_imported_functions = 1;
        m.memories.push(MemoryType {
            minimum: 1,
            maximum: None,
        });
        m.globals = vec![
            GlobalType {
                ty: WasmValType::I32,
                mutable: true
            };
            3
        ];
        m.num_imported_globals = 1;
        let o = VMOffsets::new(&m);
        // 8 (stack limit) + 10 builtins * 8 = 88: imported function 0.
        assert_eq!(o.builtin(Builtin::ElemDrop), 80);
        assert_eq!(o.imported_function(0), 88);
        assert_eq!(o.global(0), VmLocation::Indirect(104));
        assert_eq!(o.memory(0), VmLocation::Inline(112));
        // Defined globals start 16-aligned after the 16-byte memory definition at 112.
        assert_eq!(o.global(1), VmLocation::Inline(128));
        assert_eq!(o.global(2), VmLocation::Inline(144));
        assert_eq!(o.type_id(0), 160);
        assert_eq!(o.func_ref(0), 168);
        assert_eq!(o.func_ref(2), 216);
        assert_eq!(o.size(), 240);
    }
}
