//! Typed calls into JIT code and typed host functions: Rust types that map to IR types, so
//! signatures are checked when a handle is made instead of trusted at every call.
//!
//! Only types whose System V passing Rust and Kiln agree on bit for bit are allowed: 32- and
//! 64-bit integers, `f32`, `f64` and raw pointers (as `i64`). Narrow integers are left out on
//! purpose: Rust assumes the caller sign- or zero-extends an `i8` argument to 32 bits, while
//! Kiln leaves the upper bits of an IR `i8` undefined unless the signature says `sext`/`uext`.

use crate::traps::{catch_traps, Trap};
use kiln_ir::types::{self, Type};
use std::marker::PhantomData;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type passed to or returned from JIT code, with its IR type.
pub trait JitType: sealed::Sealed + Copy + 'static {
    /// The IR type of values of this type.
    const TYPE: Type;
}

macro_rules! jit_types {
    ($($t:ty => $ir:expr),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl JitType for $t {
            const TYPE: Type = $ir;
        }
    )*};
}

jit_types! {
    i32 => types::I32,
    u32 => types::I32,
    i64 => types::I64,
    u64 => types::I64,
    f32 => types::F32,
    f64 => types::F64,
}

impl<T: 'static> sealed::Sealed for *const T {}
impl<T: 'static> JitType for *const T {
    const TYPE: Type = types::I64;
}
impl<T: 'static> sealed::Sealed for *mut T {}
impl<T: 'static> JitType for *mut T {
    const TYPE: Type = types::I64;
}

/// What a function returns: `()` or one [`JitType`]. (Functions with several results can be
/// compiled and called from other JIT code, but not through a typed handle.)
pub trait JitReturn: sealed::Sealed + Copy + 'static {
    /// The IR types of the results.
    fn types() -> Vec<Type>;
}


impl JitReturn for () {
    fn types() -> Vec<Type> {
        Vec::new()
    }
}

impl<T: JitType> JitReturn for T {
    fn types() -> Vec<Type> {
        vec![T::TYPE]
    }
}

/// The parameters of a function as a tuple of [`JitType`]s: `()`, `(i64,)`, `(i64, f64)`...
/// up to eight.
pub trait JitParams: sealed::Sealed + Copy + 'static {
    /// The IR types of the parameters.
    fn types() -> Vec<Type>;

    /// Calls the System V function at `code` with these arguments.
    ///
    /// # Safety
    ///
    /// `code` must be a function with exactly these parameter types and result `R`.
    #[doc(hidden)]
    unsafe fn invoke<R: JitReturn>(self, code: *const u8) -> R;
}

/// A host function JIT code can call: an `extern "C" fn` of [`JitType`]s, e.g.
/// `print as extern "C" fn(i64) -> i64`.
///
/// Rust aborts (rather than unwinds) when an `extern "C"` function panics, so a host function
/// never unwinds through JIT frames, which have no unwind tables.
pub trait HostFunction: sealed::Sealed + Copy + 'static {
    /// The IR types of its parameters.
    fn param_types() -> Vec<Type>;
    /// The IR types of its results.
    fn return_types() -> Vec<Type>;
    /// Its address.
    fn address(self) -> *const u8;
}

macro_rules! arities {
    ($(($($a:ident)*))*) => {$(
        impl<$($a: JitType),*> sealed::Sealed for ($($a,)*) {}
        impl<$($a: JitType),*> JitParams for ($($a,)*) {
            fn types() -> Vec<Type> {
                vec![$($a::TYPE),*]
            }

            #[allow(non_snake_case)]
            unsafe fn invoke<R: JitReturn>(self, code: *const u8) -> R {
                let ($($a,)*) = self;
                // SAFETY: the caller guarantees `code` has this signature; every JitType is
                // passed the same way by Rust's `extern "C"` and Kiln's System V code.
                let f: extern "C" fn($($a),*) -> R = unsafe { std::mem::transmute(code) };
                f($($a),*)
            }
        }

        impl<R: JitReturn, $($a: JitType),*> sealed::Sealed for extern "C" fn($($a),*) -> R {}
        impl<R: JitReturn, $($a: JitType),*> HostFunction for extern "C" fn($($a),*) -> R {
            fn param_types() -> Vec<Type> {
                vec![$($a::TYPE),*]
            }
            fn return_types() -> Vec<Type> {
                R::types()
            }
            fn address(self) -> *const u8 {
                self as *const u8
            }
        }
    )*};
}

arities! {
    ()
    (A)
    (A B)
    (A B C)
    (A B C D)
    (A B C D E)
    (A B C D E F)
    (A B C D E F G)
    (A B C D E F G H)
}

/// A function of a [`FinalizedModule`](super::FinalizedModule) with a checked signature:
/// parameters `P` (a tuple) and result `R`. It borrows the module, so the code outlives it.
pub struct JitFunc<'m, P, R> {
    code: *const u8,
    _module: PhantomData<&'m ()>,
    _signature: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for JitFunc<'_, P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for JitFunc<'_, P, R> {}

impl<P, R> std::fmt::Debug for JitFunc<'_, P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitFunc").field("code", &self.code).finish()
    }
}

impl<P: JitParams, R: JitReturn> JitFunc<'_, P, R> {
    /// A handle for the code at `code`.
    ///
    /// # Safety
    ///
    /// `code` is a function of this signature that stays mapped for `'m`.
    pub(crate) unsafe fn new(code: *const u8) -> Self {
        JitFunc {
            code,
            _module: PhantomData,
            _signature: PhantomData,
        }
    }

    /// Calls the function. A trap in JIT code (a `trap` instruction, a division by zero, a
    /// memory fault, running out of stack) is returned as an error; the host is unaffected.
    pub fn call(&self, args: P) -> Result<R, Trap> {
        let code = self.code;
        // SAFETY: the signature was checked against the declaration when the handle was made,
        // the borrow keeps the code mapped, and the closure holds only `Copy` values, so a
        // trap that skips its frame leaks nothing.
        catch_traps(move || unsafe { args.invoke::<R>(code) })
    }

    /// The address of the code, for callers that manage the call themselves (for example to
    /// hand it to other JIT code). Calling it outside [`Self::call`] does not catch traps.
    pub fn as_ptr(&self) -> *const u8 {
        self.code
    }
}
