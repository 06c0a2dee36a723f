//! Functions: Wasm functions of instances and host functions, called from the host through
//! entry trampolines and from Wasm through host shims (see [`crate::trampolines`]).

use crate::collections::{try_box, try_collect, try_vec, OutOfMemory, TryArc, TryClone};
use crate::error::Error;
use crate::module::{CompiledStub, Module};
use crate::store::{AsContext, AsContextMut, HostFailure, StoreInner, StoreOpaque};
use crate::traps::{activation_depth, catch_traps, current_stack_pointer};
use crate::type_registry::RegisteredType;
use crate::values::{FuncType, Val, ValType};
use crate::vm::{VMFuncRef, VMHostFuncContext};
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;

/// A function in a store (a handle; `Copy`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: usize,
}

/// A store's record of a function.
pub(crate) struct FuncEntity {
    pub(crate) ty: FuncType,
    /// Keeps the type's id registered while the function lives.
    pub(crate) _type_id: RegisteredType,
    /// The function's `VMFuncRef` (in its instance's vmctx, or owned by a host function).
    pub(crate) func_ref: *mut VMFuncRef,
    pub(crate) kind: FuncKind,
}

pub(crate) enum FuncKind {
    /// Code of a module; called from the host through the module's entry trampoline.
    Wasm {
        _module: Module,
        trampoline: *const u8,
    },
    /// A host function; Wasm reaches it through the shim in `func_ref`.
    Host {
        state: Box<HostFuncState>,
        _ctx: Box<VMHostFuncContext>,
        _owned_ref: Box<VMFuncRef>,
        _shim: TryArc<CompiledStub>,
    },
}

/// A host function as the runtime calls it: arguments in, results out through the raw value
/// buffer. (Boxed inside a [`TryArc`] because an `Arc` cannot be created fallibly.)
pub(crate) type RawHostFn<T> = TryArc<Box<RawHostFnBody<T>>>;

type RawHostFnBody<T> = dyn Fn(Caller<'_, T>, &mut [u128]) -> Result<(), Error> + Send + Sync;

/// Shares a host function's body.
fn share<T>(body: Box<RawHostFnBody<T>>) -> Result<RawHostFn<T>, OutOfMemory> {
    TryArc::try_new(body)
}

/// A host function bound to its store.
type BoundHostFn = Box<dyn Fn(&mut [u128]) -> Result<(), Error>>;

/// What the dispatcher needs to call a host function; its address is in the host context.
pub(crate) struct HostFuncState {
    call: BoundHostFn,
    store: *mut StoreOpaque,
    nvalues: usize,
}

/// Called by host shims: runs the host function on the shim's buffer. Never unwinds: errors
/// and panics are parked in the store and reported by a non-zero status, on which the shim
/// traps; `Func::call` then returns the error (or resumes the panic) instead of the trap.
unsafe extern "C" fn host_dispatch(ctx: *mut VMHostFuncContext, values: *mut u128) -> i32 {
    // SAFETY: the shim passes the context of a live host function and a buffer of at least
    // `nvalues` slots.
    let state = unsafe { &*(*ctx).host };
    let vals = unsafe { std::slice::from_raw_parts_mut(values, state.nvalues) };
    let failure = match std::panic::catch_unwind(AssertUnwindSafe(|| (state.call)(vals))) {
        Ok(Ok(())) => return 0,
        Ok(Err(e)) => HostFailure::Error(e),
        Err(p) => HostFailure::Panic(p),
    };
    // SAFETY: the store outlives its functions.
    unsafe { (*state.store).pending = Some(failure) };
    1
}

/// The store as seen by a host function: its data, and the store for calling back into Wasm.
pub struct Caller<'a, T> {
    pub(crate) inner: &'a mut StoreInner<T>,
}

impl<T> Caller<'_, T> {
    /// The store's data.
    pub fn data(&self) -> &T {
        &self.inner.data
    }

    /// The store's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn store_opaque(&self) -> &StoreOpaque {
        &self.inner.opaque
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn store_opaque_mut(&mut self) -> &mut StoreOpaque {
        &mut self.inner.opaque
    }
    fn store_inner_mut(&mut self) -> &mut StoreInner<T> {
        self.inner
    }
}

/// Creates a host function in `store` from its raw form.
pub(crate) fn new_host_func<T: 'static>(
    store: &mut StoreInner<T>,
    ty: FuncType,
    raw: RawHostFn<T>,
) -> Result<Func, Error> {
    let engine = store.opaque.engine.clone();
    let shim = crate::module::host_shim(&engine, &ty.ty)?;
    let type_id = engine.register_type(&ty.ty)?;
    let store_ptr: *mut StoreInner<T> = store;
    let nvalues = ty.ty.params.len().max(ty.ty.results.len());
    let call: BoundHostFn = try_box(move |vals: &mut [u128]| {
        // SAFETY: the store (boxed, never moved) outlives its functions, and a host
        // function runs while the store's user is inside `Func::call`, which holds no
        // reference into the store across the call.
        let inner = unsafe { &mut *store_ptr };
        raw(Caller { inner }, vals)
    })?;
    let state = try_box(HostFuncState {
        call,
        // SAFETY: as above.
        store: unsafe { &raw mut (*store_ptr).opaque },
        nvalues,
    })?;
    let mut ctx = try_box(VMHostFuncContext {
        dispatch: host_dispatch,
        host: &*state,
    })?;
    let mut owned_ref = try_box(VMFuncRef {
        code: shim.entry(),
        type_id: u64::from(type_id.id()),
        vmctx: (&mut *ctx as *mut VMHostFuncContext).cast(),
    })?;
    let func_ref: *mut VMFuncRef = &mut *owned_ref;
    Ok(store.opaque.push_func(FuncEntity {
        ty,
        _type_id: type_id,
        func_ref,
        kind: FuncKind::Host {
            state,
            _ctx: ctx,
            _owned_ref: owned_ref,
            _shim: shim,
        },
    })?)
}

/// Converts a closure over [`Val`]s into a raw host function of type `ty`.
pub(crate) fn raw_from_vals<T>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
) -> Result<RawHostFn<T>, OutOfMemory> {
    share(try_box(move |caller: Caller<'_, T>, raw: &mut [u128]| {
        let store = caller.store_opaque();
        let params = try_collect(
            ty.params()
                .enumerate()
                .map(|(i, t)| Val::from_raw(raw[i], t, store)),
        )?;
        let mut results = try_collect(ty.results().map(Val::default_for))?;
        let inner: &mut StoreInner<T> = caller.inner;
        f(Caller { inner: &mut *inner }, &params, &mut results)?;
        for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
            if r.ty() != t {
                return Err(Error::Usage(format!(
                    "host function returned a {} as result {i}, expected {t}",
                    r.ty()
                )));
            }
            raw[i] = r.to_raw(&mut inner.opaque)?;
        }
        Ok(())
    })?)
}

impl Func {
    /// A host function of type `ty` working on [`Val`]s.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Result<Func, Error> {
        let raw = raw_from_vals(ty.try_clone()?, f)?;
        new_host_func(store.store_inner_mut(), ty, raw)
    }

    /// A host function from a Rust closure with typed parameters and results, optionally
    /// taking a [`Caller`] first.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<Func, Error> {
        let (ty, raw) = f.into_raw()?;
        new_host_func(store.store_inner_mut(), ty, raw)
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType, Error> {
        Ok(store.store_opaque().func_entity(*self)?.ty.try_clone()?)
    }

    /// Calls the function with `params`, writing its results into `results` (whose length
    /// must be the number of results). A trap in Wasm code, or an error returned by a host
    /// function it called, is returned as the error.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let s = store.store_opaque_mut();
        let ty = &s.func_entity(*self)?.ty;
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(Error::Usage(format!(
                "function of type {ty} called with {} arguments and room for {} results",
                params.len(),
                results.len()
            )));
        }
        for (i, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            if p.ty() != t {
                return Err(Error::Usage(format!(
                    "argument {i} is a {}, expected {t} (function type {ty})",
                    p.ty()
                )));
            }
        }
        let mut buf = ValueBuffer::new(params.len().max(results.len()))?;
        let buf = buf.as_mut_slice();
        for (slot, p) in buf.iter_mut().zip(params) {
            *slot = p.to_raw(s)?;
        }
        call_raw(s, *self, buf)?;
        let s = &*s;
        for (i, t) in s.func_entity(*self)?.ty.results().enumerate() {
            results[i] = Val::from_raw(buf[i], t, s);
        }
        Ok(())
    }

    /// A typed view of the function; fails if the types differ.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let s = store.store_opaque();
        let ty = &s.func_entity(*self)?.ty;
        /// Whether `actual` lists the `n` types `at(0..n)`.
        fn same(
            mut actual: impl ExactSizeIterator<Item = ValType>,
            n: usize,
            at: fn(usize) -> ValType,
        ) -> bool {
            actual.len() == n && (0..n).all(|i| actual.next() == Some(at(i)))
        }
        if !same(ty.params(), Params::COUNT, Params::type_at)
            || !same(ty.results(), Results::COUNT, Results::type_at)
        {
            let expected = FuncType::new(Params::types(), Results::types())?;
            return Err(Error::Usage(format!(
                "function has type {ty}, not {expected}"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// The raw value slots of a call: on the stack for up to 16 values, else allocated.
pub(crate) struct ValueBuffer {
    inline: [u128; 16],
    heap: Vec<u128>,
    len: usize,
}

impl ValueBuffer {
    /// `n` zeroed slots (at least one).
    pub(crate) fn new(n: usize) -> Result<Self, OutOfMemory> {
        let len = n.max(1);
        let mut heap = Vec::new();
        if len > 16 {
            heap = try_vec(len)?;
            heap.resize(len, 0); // within the capacity
        }
        Ok(ValueBuffer {
            inline: [0; 16],
            heap,
            len,
        })
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u128] {
        if self.len > 16 {
            &mut self.heap
        } else {
            &mut self.inline[..self.len]
        }
    }
}

/// Calls function `f` of `s` on the raw value buffer (arguments in, results out).
pub(crate) fn call_raw(s: &mut StoreOpaque, f: Func, buf: &mut [u128]) -> Result<(), Error> {
    let entity = s.func_entity(f)?;
    let (trampoline, func_ref) = match &entity.kind {
        FuncKind::Host { state, .. } => {
            let state: *const HostFuncState = &**state;
            // SAFETY: the state is boxed in the store and outlives the call, even if the
            // host function adds functions to the store.
            return unsafe { ((*state).call)(buf) };
        }
        // SAFETY: the funcref of a live function.
        FuncKind::Wasm { trampoline, .. } => (*trampoline, unsafe { *entity.func_ref }),
    };
    if activation_depth() == 0 || s.stack_limit == 0 {
        // The outermost entry into Wasm on this thread (or the first into this store, from a
        // host function of another store): code may use `max_wasm_stack` bytes below here,
        // whichever instance of the store it runs in.
        let limit = current_stack_pointer().saturating_sub(s.engine.config().max_wasm_stack);
        s.stack_limit = limit;
        for inst in &s.instances {
            inst.set_stack_limit(limit);
        }
    }
    // SAFETY: the trampoline was compiled for this function's type and takes
    // (callee, vmctx, values) in the System V convention.
    let entry: unsafe extern "C" fn(*const u8, *mut u8, *mut u128) =
        unsafe { std::mem::transmute(trampoline) };
    let values = buf.as_mut_ptr();
    // SAFETY: the closure only calls generated code; it owns nothing that needs dropping.
    let r = catch_traps(|| unsafe { entry(func_ref.code, func_ref.vmctx, values) });
    match r {
        Ok(()) => Ok(()),
        Err(trap) => match s.pending.take() {
            Some(HostFailure::Error(e)) => Err(e),
            Some(HostFailure::Panic(p)) => std::panic::resume_unwind(p),
            None => Err(Error::Trap(trap)),
        },
    }
}

/// A Rust type that is a Wasm value type.
pub trait WasmTy: Sized {
    /// The Wasm type.
    fn valtype() -> ValType;
    /// The raw bits.
    fn to_raw(self) -> u128;
    /// From raw bits.
    fn from_raw(raw: u128) -> Self;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, |$x:ident| $to:expr, |$r:ident| $from:expr) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn to_raw(self) -> u128 {
                let $x = self;
                $to
            }
            fn from_raw($r: u128) -> Self {
                $from
            }
        }
    };
}

wasm_ty!(i32, I32, |x| x as u32 as u128, |r| r as u32 as i32);
wasm_ty!(u32, I32, |x| x as u128, |r| r as u32);
wasm_ty!(i64, I64, |x| x as u64 as u128, |r| r as u64 as i64);
wasm_ty!(u64, I64, |x| x as u128, |r| r as u64);
wasm_ty!(f32, F32, |x| x.to_bits() as u128, |r| f32::from_bits(r as u32));
wasm_ty!(f64, F64, |x| x.to_bits() as u128, |r| f64::from_bits(r as u64));

/// A list of Wasm values: `()`, a single [`WasmTy`], or a tuple of them.
pub trait WasmTyList: Sized {
    /// The number of values.
    const COUNT: usize;
    /// The type of value `i` (`i < COUNT`).
    fn type_at(i: usize) -> ValType;
    /// The types.
    fn types() -> Vec<ValType> {
        (0..Self::COUNT).map(Self::type_at).collect()
    }
    /// Writes the values into raw slots.
    fn store_raw(self, out: &mut [u128]);
    /// Reads the values from raw slots.
    fn load_raw(raw: &[u128]) -> Self;
}

impl<A: WasmTy> WasmTyList for A {
    const COUNT: usize = 1;
    fn type_at(_: usize) -> ValType {
        A::valtype()
    }
    fn store_raw(self, out: &mut [u128]) {
        out[0] = self.to_raw();
    }
    fn load_raw(raw: &[u128]) -> Self {
        A::from_raw(raw[0])
    }
}

macro_rules! tuple_list {
    ($($a:ident $i:tt),*) => {
        impl<$($a: WasmTy),*> WasmTyList for ($($a,)*) {
            const COUNT: usize = <[&str]>::len(&[$(stringify!($a)),*]);
            fn type_at(i: usize) -> ValType {
                let types: &[ValType] = &[$($a::valtype()),*];
                types[i]
            }
            #[allow(unused_variables)]
            fn store_raw(self, out: &mut [u128]) {
                $(out[$i] = self.$i.to_raw();)*
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load_raw(raw: &[u128]) -> Self {
                ($($a::from_raw(raw[$i]),)*)
            }
        }
    };
}

tuple_list!();
tuple_list!(A 0);
tuple_list!(A 0, B 1);
tuple_list!(A 0, B 1, C 2);
tuple_list!(A 0, B 1, C 2, D 3);
tuple_list!(A 0, B 1, C 2, D 3, E 4);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10);
tuple_list!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10, M 11);

/// What a typed host function may return: results, or `Result` of them.
pub trait HostResult {
    /// The result values.
    type Values: WasmTyList;
    /// The results, or the host function's error.
    fn into_result(self) -> Result<Self::Values, Error>;
}

impl<R: WasmTyList> HostResult for R {
    type Values = R;
    fn into_result(self) -> Result<R, Error> {
        Ok(self)
    }
}

impl<R: WasmTyList> HostResult for Result<R, Error> {
    type Values = R;
    fn into_result(self) -> Result<R, Error> {
        self
    }
}

/// Marks the parameter list of closures that take a [`Caller`] first.
pub struct WithCaller<P>(PhantomData<P>);

/// The type of a host function with parameters `P` and results `R`.
fn host_func_type<P: WasmTyList, R: WasmTyList>() -> Result<FuncType, OutOfMemory> {
    FuncType::new(
        (0..P::COUNT).map(P::type_at),
        (0..R::COUNT).map(R::type_at),
    )
}

/// Rust closures usable as host functions: `Fn(A, B, ...) -> R` and
/// `Fn(Caller<'_, T>, A, B, ...) -> R` with [`WasmTy`] arguments and a [`HostResult`].
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The function type and the raw function (or an error if memory runs out).
    #[doc(hidden)]
    fn into_raw(self) -> Result<(FuncType, RawHostFn<T>), OutOfMemory>;
}

macro_rules! into_func {
    ($($a:ident $i:tt),*) => {
        impl<T, F, R, $($a: WasmTy,)*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_raw(self) -> Result<(FuncType, RawHostFn<T>), OutOfMemory> {
                let ty = host_func_type::<($($a,)*), R::Values>()?;
                let raw = share(try_box(move |_caller: Caller<'_, T>, vals: &mut [u128]| {
                    let r = (self)($($a::from_raw(vals[$i])),*).into_result()?;
                    r.store_raw(vals);
                    Ok(())
                })?)?;
                Ok((ty, raw))
            }
        }

        impl<T, F, R, $($a: WasmTy,)*> IntoFunc<T, WithCaller<($($a,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_raw(self) -> Result<(FuncType, RawHostFn<T>), OutOfMemory> {
                let ty = host_func_type::<($($a,)*), R::Values>()?;
                let raw = share(try_box(move |caller: Caller<'_, T>, vals: &mut [u128]| {
                    let r = (self)(caller, $($a::from_raw(vals[$i])),*).into_result()?;
                    r.store_raw(vals);
                    Ok(())
                })?)?;
                Ok((ty, raw))
            }
        }
    };
}

into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10);
into_func!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10, M 11);

/// A function with statically known parameter and result types.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    /// The underlying function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results, Error> {
        let mut buf = ValueBuffer::new(Params::COUNT.max(Results::COUNT))?;
        let buf = buf.as_mut_slice();
        params.store_raw(buf);
        call_raw(store.store_opaque_mut(), self.func, buf)?;
        Ok(Results::load_raw(buf))
    }
}
