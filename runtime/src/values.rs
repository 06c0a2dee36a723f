//! Values and types of the embedding API.

use crate::collections::{try_boxed_slice, OutOfMemory, TryClone};
use crate::func::Func;
use crate::store::StoreOpaque;
use kiln_frontend_wasm::{GlobalType, MemoryType, TableType, WasmFuncType, WasmRefType, WasmValType};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// The type of a Wasm value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ValType {
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
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
}

impl ValType {
    pub(crate) fn from_wasm(t: WasmValType) -> Self {
        match t {
            WasmValType::I32 => ValType::I32,
            WasmValType::I64 => ValType::I64,
            WasmValType::F32 => ValType::F32,
            WasmValType::F64 => ValType::F64,
            WasmValType::V128 => ValType::V128,
            WasmValType::Ref(WasmRefType::Func) => ValType::FuncRef,
            WasmValType::Ref(WasmRefType::Extern) => ValType::ExternRef,
        }
    }

    pub(crate) fn to_wasm(self) -> WasmValType {
        match self {
            ValType::I32 => WasmValType::I32,
            ValType::I64 => WasmValType::I64,
            ValType::F32 => WasmValType::F32,
            ValType::F64 => WasmValType::F64,
            ValType::V128 => WasmValType::V128,
            ValType::FuncRef => WasmValType::Ref(WasmRefType::Func),
            ValType::ExternRef => WasmValType::Ref(WasmRefType::Extern),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FuncType {
    pub(crate) ty: WasmFuncType,
}

impl FuncType {
    /// The type `(params) -> (results)`; fails only if memory runs out.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Result<Self, OutOfMemory> {
        Ok(FuncType {
            ty: WasmFuncType {
                params: try_boxed_slice(params.into_iter().map(ValType::to_wasm))?,
                results: try_boxed_slice(results.into_iter().map(ValType::to_wasm))?,
            },
        })
    }

    /// A copy of `ty` (aborts if memory runs out: for error messages and metadata queries).
    pub(crate) fn from_wasm(ty: &WasmFuncType) -> Self {
        FuncType { ty: ty.clone() }
    }

    /// A copy of `ty`, or an error.
    pub(crate) fn try_from_wasm(ty: &WasmFuncType) -> Result<Self, OutOfMemory> {
        Ok(FuncType {
            ty: ty.try_clone()?,
        })
    }

    /// The parameter types.
    pub fn params(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.ty.params.iter().map(|&t| ValType::from_wasm(t))
    }

    /// The result types.
    pub fn results(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.ty.results.iter().map(|&t| ValType::from_wasm(t))
    }
}

impl TryClone for FuncType {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        FuncType::try_from_wasm(&self.ty)
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |it: &mut dyn Iterator<Item = ValType>| {
            it.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
        };
        write!(
            f,
            "({}) -> ({})",
            list(&mut self.params()),
            list(&mut self.results())
        )
    }
}

/// The type of an import or export.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

impl ExternType {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Global(_) => "global",
        }
    }
}

/// An opaque host value an `externref` refers to.
#[derive(Clone)]
pub struct ExternRef(pub(crate) Arc<dyn Any + Send + Sync>);

impl ExternRef {
    /// Wraps `value`.
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        ExternRef(Arc::new(value))
    }

    /// The wrapped value.
    pub fn data(&self) -> &(dyn Any + Send + Sync) {
        &*self.0
    }

    /// Whether two references denote the same host value.
    pub fn ptr_eq(a: &ExternRef, b: &ExternRef) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef({:p})", Arc::as_ptr(&self.0))
    }
}

/// A Wasm value.
#[derive(Clone, Debug)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits.
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    /// A `v128`.
    V128(u128),
    /// A `funcref` (`None`: null).
    FuncRef(Option<Func>),
    /// An `externref` (`None`: null).
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(x) => Some(*x),
            _ => None,
        }
    }

    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(x) => Some(*x),
            _ => None,
        }
    }

    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(x) => Some(f32::from_bits(*x)),
            _ => None,
        }
    }

    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(x) => Some(f64::from_bits(*x)),
            _ => None,
        }
    }

    /// The function reference, if this is a `funcref` (`Some(None)` for null).
    pub fn funcref(&self) -> Option<Option<&Func>> {
        match self {
            Val::FuncRef(f) => Some(f.as_ref()),
            _ => None,
        }
    }

    /// The null reference of a reference type, or zero of a numeric type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    /// The raw bits generated code uses for this value (references: a `VMFuncRef` pointer or
    /// an externref handle). Fails for a function of another store.
    pub(crate) fn to_raw(&self, store: &mut StoreOpaque) -> Result<u128, crate::Error> {
        Ok(match self {
            Val::I32(x) => *x as u32 as u128,
            Val::I64(x) => *x as u64 as u128,
            Val::F32(x) => *x as u128,
            Val::F64(x) => *x as u128,
            Val::V128(x) => *x,
            Val::FuncRef(None) | Val::ExternRef(None) => 0,
            Val::FuncRef(Some(f)) => store.func_entity(*f)?.func_ref as usize as u128,
            Val::ExternRef(Some(r)) => store.intern_externref(r.clone())? as u128,
        })
    }

    /// The value of type `ty` with raw bits `raw`.
    pub(crate) fn from_raw(raw: u128, ty: ValType, store: &StoreOpaque) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as u64 as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 => Val::F64(raw as u64),
            ValType::V128 => Val::V128(raw),
            ValType::FuncRef => Val::FuncRef(store.func_from_ref(raw as u64)),
            ValType::ExternRef => Val::ExternRef(store.externref(raw as u64)),
        }
    }
}

impl From<i32> for Val {
    fn from(x: i32) -> Val {
        Val::I32(x)
    }
}

impl From<i64> for Val {
    fn from(x: i64) -> Val {
        Val::I64(x)
    }
}

impl From<f32> for Val {
    fn from(x: f32) -> Val {
        Val::F32(x.to_bits())
    }
}

impl From<f64> for Val {
    fn from(x: f64) -> Val {
        Val::F64(x.to_bits())
    }
}
