//! Instances: a module's vmctx filled in, its entities created in a store, its segments
//! applied and its start function run.

use crate::builtins;
use crate::collections::{try_box, try_collect, try_vec, TryVec};
use crate::error::{Error, LinkError};
use crate::externals::{Extern, Global, Memory, Table};
use crate::func::{call_raw, Func, FuncEntity, FuncKind, TypedFunc, WasmTyList};
use crate::module::Module;
use crate::store::{AsContextMut, MemoryEntity, StoreOpaque, TableEntity};
use crate::traps::Trap;
use crate::values::{ExternType, FuncType};
use crate::vm::{VMFuncRef, VMFunctionImport};
use kiln_frontend_wasm::{
    Builtin, ConstExpr, ConstOp, ElementItems, ElementMode, EntityIndex, VMOffsets, VmLocation,
};
use kiln_ir::TrapCode;
use std::alloc::Layout;

/// An instance of a module in a store (a handle).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: usize,
}

/// A store's record of an instance. Boxed: its vmctx points back to it.
pub(crate) struct InstanceEntity {
    pub(crate) module: Module,
    vmctx: *mut u8,
    layout: Layout,
    pub(crate) funcs: Vec<Func>,
    pub(crate) memories: Vec<Memory>,
    pub(crate) tables: Vec<Table>,
    pub(crate) globals: Vec<Global>,
    /// The entities behind `memories` and `tables`, for builtins.
    pub(crate) memory_ptrs: Vec<*mut MemoryEntity>,
    pub(crate) table_ptrs: Vec<*mut TableEntity>,
    /// Whether each data segment has been dropped.
    pub(crate) dropped_data: Vec<bool>,
    /// The contents of each element segment (empty once dropped).
    pub(crate) elems: Vec<Vec<u64>>,
}

impl Drop for InstanceEntity {
    fn drop(&mut self) {
        // SAFETY: allocated in `instantiate` with this layout, `VMCTX_HEADER` bytes before
        // the vmctx.
        unsafe { std::alloc::dealloc(self.vmctx.sub(VMCTX_HEADER), self.layout) };
    }
}

impl InstanceEntity {
    /// The vmctx.
    #[cfg(test)]
    pub(crate) fn vmctx(&self) -> *mut u8 {
        self.vmctx
    }

    fn offsets(&self) -> &VMOffsets {
        &self.module.inner.offsets
    }

    /// The entity with this index.
    pub(crate) fn export(&self, index: EntityIndex) -> Extern {
        match index {
            EntityIndex::Function(i) => Extern::Func(self.funcs[i as usize]),
            EntityIndex::Table(i) => Extern::Table(self.tables[i as usize]),
            EntityIndex::Memory(i) => Extern::Memory(self.memories[i as usize]),
            EntityIndex::Global(i) => Extern::Global(self.globals[i as usize]),
        }
    }

    /// Writes the stack limit generated code compares the stack pointer with.
    pub(crate) fn set_stack_limit(&self, limit: usize) {
        let off = self.offsets().stack_limit();
        // SAFETY: the field is inside the vmctx.
        unsafe { write(self.vmctx, off, limit) };
    }
}

/// Bytes allocated before each vmctx: the first 8 hold the address of the instance record,
/// so builtins, which receive only the vmctx, find their instance at `vmctx - 16`. Keeping
/// it outside the vmctx leaves the frontend's layout untouched (16 keeps the vmctx aligned).
pub(crate) const VMCTX_HEADER: usize = 16;

/// Writes `value` at `vmctx + offset`.
///
/// # Safety
/// The field must lie inside the vmctx and be aligned for `T`.
unsafe fn write<T>(vmctx: *mut u8, offset: u32, value: T) {
    // SAFETY: per the contract.
    unsafe { vmctx.add(offset as usize).cast::<T>().write(value) }
}

fn inline(loc: VmLocation) -> u32 {
    match loc {
        VmLocation::Inline(o) | VmLocation::Indirect(o) => o,
    }
}

/// Whether an import of type `actual` satisfies `expected`; the message says why not.
fn check_import(expected: &ExternType, actual: &ExternType, current: u32) -> Result<(), String> {
    let limits = |min: u32, max: Option<u32>, emin: u32, emax: Option<u32>, unit: &str| {
        if current < emin {
            return Err(format!("expected at least {emin} {unit}, found {current}"));
        }
        let _ = min;
        match (emax, max) {
            (Some(e), Some(a)) if a > e => Err(format!("expected a maximum of {e} {unit}, found {a}")),
            (Some(e), None) => Err(format!("expected a maximum of {e} {unit}, found none")),
            _ => Ok(()),
        }
    };
    match (expected, actual) {
        (ExternType::Func(e), ExternType::Func(a)) if e == a => Ok(()),
        (ExternType::Func(e), ExternType::Func(a)) => {
            Err(format!("expected a function of type {e}, found {a}"))
        }
        (ExternType::Table(e), ExternType::Table(a)) => {
            if e.element != a.element {
                return Err(format!("expected a table of {:?}, found {:?}", e.element, a.element));
            }
            limits(a.minimum, a.maximum, e.minimum, e.maximum, "elements")
        }
        (ExternType::Memory(e), ExternType::Memory(a)) => {
            limits(a.minimum, a.maximum, e.minimum, e.maximum, "pages")
        }
        (ExternType::Global(e), ExternType::Global(a)) if e == a => Ok(()),
        (ExternType::Global(e), ExternType::Global(a)) => Err(format!(
            "expected a global {:?} (mutable: {}), found {:?} (mutable: {})",
            e.ty, e.mutable, a.ty, a.mutable
        )),
        (e, a) => Err(format!("expected a {}, found a {}", e.kind(), a.kind())),
    }
}

impl Instance {
    /// Instantiates `module` in `store` with `imports`, in the order of the module's imports.
    ///
    /// A trap while applying segments or running the start function is returned as
    /// [`Error::Trap`]; as the spec says, effects of earlier segments on imported tables and
    /// memories remain.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        instantiate(store.store_opaque_mut(), module, imports)
    }

    /// The export called `name`.
    pub fn get_export(&self, store: impl crate::store::AsContext, name: &str) -> Option<Extern> {
        let s = store.store_opaque();
        let inst = s.instance(*self).ok()?;
        let export = inst.module.info().exports.iter().find(|e| e.name == name)?;
        Some(inst.export(export.index))
    }

    /// Every export, in order.
    pub fn exports(&self, store: impl crate::store::AsContext) -> Vec<(String, Extern)> {
        let s = store.store_opaque();
        let Ok(inst) = s.instance(*self) else {
            return Vec::new();
        };
        let names: Vec<String> = inst.module.info().exports.iter().map(|e| e.name.clone()).collect();
        names
            .into_iter()
            .filter_map(|n| self.get_export(s, &n).map(|e| (n, e)))
            .collect()
    }

    /// The exported function `name`.
    pub fn get_func(&self, store: impl crate::store::AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name` with static types.
    pub fn get_typed_func<P: WasmTyList, R: WasmTyList>(
        &self,
        store: impl crate::store::AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>, Error> {
        let s = store.store_opaque();
        let f = self
            .get_func(s, name)
            .ok_or_else(|| Error::Usage(format!("no exported function `{name}`")))?;
        f.typed(s)
    }

    /// The exported memory `name`.
    pub fn get_memory(&self, store: impl crate::store::AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`.
    pub fn get_table(&self, store: impl crate::store::AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global `name`.
    pub fn get_global(&self, store: impl crate::store::AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }
}

impl StoreOpaque {
    pub(crate) fn instance(&self, i: Instance) -> Result<&InstanceEntity, Error> {
        (i.store == self.id)
            .then(|| self.instances.get(i.index))
            .flatten()
            .map(|b| &**b)
            .ok_or_else(|| crate::store::wrong_store("an instance"))
    }
}

/// The current size of an extern (elements or pages) for limit checks.
fn current_size(s: &StoreOpaque, e: Extern) -> Result<u32, Error> {
    Ok(match e {
        Extern::Table(t) => s.table(t)?.elements.len() as u32,
        Extern::Memory(m) => s.memory(m)?.mem.pages(),
        _ => 0,
    })
}

fn instantiate(s: &mut StoreOpaque, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
    if !crate::Engine::same(module.engine(), &s.engine) {
        return Err(Error::Usage(
            "module and store belong to different engines".into(),
        ));
    }
    let info = module.info();
    if imports.len() != info.imports.len() {
        return Err(LinkError::ImportCount {
            expected: info.imports.len(),
            found: imports.len(),
        }
        .into());
    }
    for (import, &ext) in info.imports.iter().zip(imports) {
        // Functions are compared in place: building their `ExternType`s would allocate.
        if let (EntityIndex::Function(f), Extern::Func(func)) = (import.index, ext) {
            if info.function_type(f) == &s.func_entity(func)?.ty.ty {
                continue;
            }
        }
        let expected = module.entity_type(import.index);
        let actual = ext.ty(&*s)?;
        check_import(&expected, &actual, current_size(s, ext)?).map_err(|message| {
            LinkError::IncompatibleType {
                module: import.module.clone(),
                name: import.field.clone(),
                message,
            }
        })?;
    }

    // The vmctx, zeroed; it lives as long as the store, because segments may leave references
    // to its functions in imported tables even if instantiation fails later.
    let offsets = module.inner.offsets.clone();
    let layout = Layout::from_size_align(VMCTX_HEADER + offsets.size() as usize, 16)
        .map_err(|_| kiln_ir::OutOfMemory::new(offsets.size() as usize))?;
    // SAFETY: the layout has a non-zero size.
    let base = unsafe { std::alloc::alloc_zeroed(layout) };
    if base.is_null() {
        return Err(kiln_ir::OutOfMemory::new(layout.size()).into());
    }
    // SAFETY: the allocation is `VMCTX_HEADER` bytes longer than the vmctx.
    let vmctx = unsafe { base.add(VMCTX_HEADER) };
    // The record owns the vmctx from here on (and frees it if anything below fails).
    let mut entity = InstanceEntity {
        module: module.clone(),
        vmctx,
        layout,
        funcs: Vec::new(),
        memories: Vec::new(),
        tables: Vec::new(),
        globals: Vec::new(),
        memory_ptrs: Vec::new(),
        table_ptrs: Vec::new(),
        dropped_data: Vec::new(),
        elems: Vec::new(),
    };
    entity.dropped_data = try_vec(info.data.len())?;
    entity.dropped_data.resize(info.data.len(), false);
    entity.elems = try_vec(info.elements.len())?;
    entity.elems.resize_with(info.elements.len(), Vec::new);
    let mut entity = try_box(entity)?;
    let entity_ptr: *mut InstanceEntity = &mut *entity;
    // SAFETY (all `write`s below): the header is ours; offsets come from the module's
    // `VMOffsets`, inside the vmctx and aligned for their fields.
    unsafe {
        base.cast::<*mut InstanceEntity>().write(entity_ptr);
        // Only meaningful if Wasm is running (this instance is created by a host function);
        // otherwise the next outermost call writes it.
        write(vmctx, offsets.stack_limit(), s.stack_limit);
        for b in Builtin::ALL {
            write(vmctx, offsets.builtin(b), builtins::address(b));
        }
    }
    s.instances.try_push(entity)?;
    let handle = Instance {
        store: s.id,
        index: s.instances.len() - 1,
    };

    // Sized up front, so the pushes below never allocate.
    let mut funcs = try_vec(info.functions.len())?;
    let mut memories = try_vec(info.memories.len())?;
    let mut tables = try_vec(info.tables.len())?;
    let mut globals = try_vec(info.globals.len())?;
    for (import, &ext) in info.imports.iter().zip(imports) {
        match (import.index, ext) {
            (EntityIndex::Function(i), Extern::Func(f)) => {
                // SAFETY: the funcref of a live function.
                let fr = unsafe { *s.func_entity(f)?.func_ref };
                let import = VMFunctionImport {
                    code: fr.code,
                    vmctx: fr.vmctx,
                };
                unsafe { write(vmctx, offsets.imported_function(i), import) };
                funcs.push(f);
            }
            (EntityIndex::Table(i), Extern::Table(t)) => {
                unsafe { write(vmctx, inline(offsets.table(i)), s.table(t)?.def) };
                tables.push(t);
            }
            (EntityIndex::Memory(i), Extern::Memory(m)) => {
                unsafe { write(vmctx, inline(offsets.memory(i)), s.memory(m)?.def) };
                memories.push(m);
            }
            (EntityIndex::Global(i), Extern::Global(g)) => {
                unsafe { write(vmctx, inline(offsets.global(i)), s.global(g)?.ptr) };
                globals.push(g);
            }
            _ => unreachable!("import kinds were checked"),
        }
    }

    // Type ids, then a VMFuncRef for every function (ref.func and tables point at these).
    for (t, ty) in module.inner.types.iter().enumerate() {
        unsafe { write(vmctx, offsets.type_id(t as u32), ty.id()) };
    }
    for f in 0..info.functions.len() as u32 {
        let at = offsets.func_ref(f);
        // SAFETY: inside the vmctx.
        let func_ref_ptr = unsafe { vmctx.add(at as usize) }.cast::<VMFuncRef>();
        let type_index = info.functions[f as usize];
        let registered = module.inner.types[type_index as usize].clone();
        if info.is_imported_function(f) {
            let imported = funcs[f as usize];
            let fr = unsafe { *s.func_entity(imported)?.func_ref };
            unsafe { func_ref_ptr.write(fr) };
            s.alias_func_ref(func_ref_ptr as u64, imported)?;
        } else {
            unsafe {
                func_ref_ptr.write(VMFuncRef {
                    code: module.function_code(f),
                    type_id: u64::from(registered.id()),
                    vmctx,
                })
            };
            funcs.push(s.push_func(FuncEntity {
                ty: FuncType::try_from_wasm(info.function_type(f))?,
                _type_id: registered,
                func_ref: func_ref_ptr,
                kind: FuncKind::Wasm {
                    _module: module.clone(),
                    trampoline: module.trampoline(type_index),
                },
            })?);
        }
    }

    let eval = |s: &StoreOpaque, globals: &[Global], e: &ConstExpr| -> Result<u128, Error> {
        eval_const(s, globals, vmctx, &offsets, e)
    };

    // Defined globals, memories and tables.
    for (i, init) in info.global_inits.iter().enumerate() {
        let index = info.num_imported_globals + i as u32;
        let raw = eval(s, &globals, init)?;
        let ptr = unsafe { vmctx.add(inline(offsets.global(index)) as usize) }.cast::<u128>();
        globals.push(s.push_global(info.globals[index as usize], raw, Some(ptr))?);
    }
    for index in info.num_imported_memories..info.memories.len() as u32 {
        let def = unsafe { vmctx.add(inline(offsets.memory(index)) as usize) }.cast();
        memories.push(s.push_memory(info.memories[index as usize], Some(def))?);
    }
    for index in info.num_imported_tables..info.tables.len() as u32 {
        let init = match &info.table_inits[(index - info.num_imported_tables) as usize] {
            Some(e) => eval(s, &globals, e)? as u64,
            None => 0,
        };
        let def = unsafe { vmctx.add(inline(offsets.table(index)) as usize) }.cast();
        tables.push(s.push_table(info.tables[index as usize], init, Some(def))?);
    }

    let memory_ptrs: Vec<*mut MemoryEntity> = try_collect(
        memories
            .iter()
            .map(|m| &mut *s.memories[m.index] as *mut MemoryEntity),
    )?;
    let table_ptrs: Vec<*mut TableEntity> = try_collect(
        tables
            .iter()
            .map(|t| &mut *s.tables[t.index] as *mut TableEntity),
    )?;

    // Element segments in order: active ones are copied then dropped, declared ones dropped.
    let mut elems = try_vec(info.elements.len())?;
    for seg in &info.elements {
        let items: Vec<u64> = match &seg.items {
            ElementItems::Functions(fs) => try_collect(
                fs.iter()
                    .map(|&f| vmctx as u64 + u64::from(offsets.func_ref(f))),
            )?,
            ElementItems::Expressions(es) => {
                let mut items = try_vec(es.len())?;
                for e in es.iter() {
                    items.push(eval(s, &globals, e)? as u64);
                }
                items
            }
        };
        elems.push(items);
    }
    let mut data_dropped = try_vec(info.data.len())?;
    data_dropped.resize(info.data.len(), false);
    let mut instance_globals = try_vec(globals.len())?;
    instance_globals.extend_from_slice(&globals);
    {
        let inst = &mut s.instances[handle.index];
        inst.funcs = funcs;
        inst.memories = memories;
        inst.tables = tables;
        inst.globals = instance_globals;
        inst.memory_ptrs = memory_ptrs;
        inst.table_ptrs = table_ptrs;
    }
    for (i, seg) in info.elements.iter().enumerate() {
        let items = std::mem::take(&mut elems[i]);
        match &seg.mode {
            ElementMode::Passive => s.instances[handle.index].elems[i] = items,
            ElementMode::Declared => {}
            ElementMode::Active { table, offset } => {
                let offset = eval(s, &globals, offset)? as u32;
                let t = s.instances[handle.index].table_ptrs[*table as usize];
                // SAFETY: the table entity is owned by the store.
                let t = unsafe { &mut *t };
                let end = u64::from(offset) + items.len() as u64;
                if end > t.elements.len() as u64 {
                    return Err(Trap::new(TrapCode::TableOutOfBounds).into());
                }
                t.elements[offset as usize..end as usize].copy_from_slice(&items);
            }
        }
    }
    for (i, seg) in info.data.iter().enumerate() {
        let Some((mem, offset)) = &seg.active else {
            continue;
        };
        let offset = eval(s, &globals, offset)? as u32;
        let m = s.instances[handle.index].memory_ptrs[*mem as usize];
        // SAFETY: the memory entity is owned by the store.
        let m = unsafe { &mut *m };
        let data = m.mem.data_mut();
        let end = u64::from(offset) + seg.data.len() as u64;
        if end > data.len() as u64 {
            return Err(Trap::new(TrapCode::HeapOutOfBounds).into());
        }
        data[offset as usize..end as usize].copy_from_slice(&seg.data);
        data_dropped[i] = true;
    }
    s.instances[handle.index].dropped_data = data_dropped;

    if let Some(start) = info.start {
        let f = s.instances[handle.index].funcs[start as usize];
        call_raw(s, f, &mut [0u128; 1])?;
    }
    Ok(handle)
}

/// Evaluates a constant expression to raw bits.
fn eval_const(
    s: &StoreOpaque,
    globals: &[Global],
    vmctx: *mut u8,
    offsets: &VMOffsets,
    expr: &ConstExpr,
) -> Result<u128, Error> {
    // Most constant expressions are a single value; longer ones grow the stack fallibly.
    let mut stack: Vec<u128> = Vec::new();
    let bad = || Error::Usage("malformed constant expression".into());
    for op in &expr.0 {
        let v = match *op {
            ConstOp::I32Const(x) => x as u32 as u128,
            ConstOp::I64Const(x) => x as u64 as u128,
            ConstOp::F32Const(x) => x as u128,
            ConstOp::F64Const(x) => x as u128,
            ConstOp::V128Const(x) => x,
            ConstOp::RefNull => 0,
            ConstOp::RefFunc(f) => vmctx as u128 + u128::from(offsets.func_ref(f)),
            ConstOp::GlobalGet(g) => {
                let g = globals.get(g as usize).ok_or_else(bad)?;
                // SAFETY: the storage is owned by the store.
                unsafe { s.global(*g)?.ptr.read() }
            }
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let b = stack.pop().ok_or_else(bad)? as u32;
                let a = stack.pop().ok_or_else(bad)? as u32;
                u128::from(match op {
                    ConstOp::I32Add => a.wrapping_add(b),
                    ConstOp::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                let b = stack.pop().ok_or_else(bad)? as u64;
                let a = stack.pop().ok_or_else(bad)? as u64;
                u128::from(match op {
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
        };
        stack.try_push(v)?;
    }
    stack.pop().ok_or_else(bad)
}

#[cfg(test)]
mod tests;
