//! The System V AMD64 calling convention, as Kiln uses it for every calling convention.
//!
//! Arguments: integers and pointers in `rdi rsi rdx rcx r8 r9`, floats in `xmm0`..`xmm7`, an
//! `i128` in two consecutive integer registers (low half first) if both are free, otherwise
//! everything that does not fit goes on the stack in order, each in an 8-byte slot (an
//! `i128` in a 16-byte aligned 16-byte slot), the first at `[rsp]` at the call (`[rbp+16]` in
//! the callee).
//!
//! Returns: integers in `rax` then `rdx` (an `i128` takes both), floats in `xmm0` then
//! `xmm1`. **More returns** than fit: the caller passes a pointer to a return area as a hidden
//! first integer argument (in `rdi`, shifting the others); every return that does not fit in
//! a register is stored there by the callee, in order, each in a 16-byte slot (the value in
//! its low bytes). The register returns are assigned exactly as without the area.

use super::args::{Gpr, Xmm};
use super::regs;
use crate::machinst::PReg;
use kiln_ir::types::{self, Type};
use kiln_ir::Signature;
use smallvec::SmallVec;

/// Where one value (or one half of an `i128`) is passed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loc {
    /// In a register.
    Reg(PReg),
    /// On the stack, at this offset from the first stack argument (arguments) or in the
    /// return area (returns).
    Stack(u32),
}

/// Where a value is passed: one location, or two for the halves of an `i128` (low first).
pub type ValueLocs = SmallVec<[Loc; 2]>;

/// The locations of a signature's arguments and returns.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AbiSig {
    /// Per parameter.
    pub args: Vec<ValueLocs>,
    /// Per return value.
    pub rets: Vec<ValueLocs>,
    /// Bytes of stack arguments (a multiple of 16).
    pub stack_args_size: u32,
    /// Bytes of the return area (0: none, and no hidden argument).
    pub ret_area_size: u32,
    /// The register of the hidden return-area pointer, if there is one.
    pub ret_area_ptr: Option<PReg>,
}

fn gpr(g: Gpr) -> PReg {
    g.to_reg().to_preg().expect("physical")
}

fn xmm(x: Xmm) -> PReg {
    x.to_reg().to_preg().expect("physical")
}

/// Whether a type is passed in SSE registers (floats and 128-bit vectors).
fn is_float(ty: Type) -> bool {
    ty.is_float() || ty.is_vector()
}

struct Assigner {
    ints: &'static [Gpr],
    floats: &'static [Xmm],
    next_int: usize,
    next_float: usize,
    stack: u32,
}

impl Assigner {
    fn assign(&mut self, ty: Type, slot: u32) -> ValueLocs {
        let mut out = ValueLocs::new();
        if is_float(ty) {
            if let Some(x) = self.floats.get(self.next_float) {
                self.next_float += 1;
                out.push(Loc::Reg(xmm(*x)));
                return out;
            }
        } else if ty == types::I128 {
            if self.next_int + 2 <= self.ints.len() {
                out.push(Loc::Reg(gpr(self.ints[self.next_int])));
                out.push(Loc::Reg(gpr(self.ints[self.next_int + 1])));
                self.next_int += 2;
                return out;
            }
            let at = self.stack.next_multiple_of(16.max(slot));
            out.push(Loc::Stack(at));
            out.push(Loc::Stack(at + 8));
            self.stack = at + 16.max(slot);
            return out;
        } else if let Some(g) = self.ints.get(self.next_int) {
            self.next_int += 1;
            out.push(Loc::Reg(gpr(*g)));
            return out;
        }
        let at = self.stack.next_multiple_of(slot);
        out.push(Loc::Stack(at));
        self.stack = at + slot;
        out
    }
}

impl AbiSig {
    /// Assigns the arguments and returns of `sig`.
    pub fn compute(sig: &Signature) -> AbiSig {
        let mut rets = Assigner {
            ints: &regs::SYSV_INT_RETS,
            floats: &regs::SYSV_FLOAT_RETS,
            next_int: 0,
            next_float: 0,
            stack: 0,
        };
        let ret_locs: Vec<ValueLocs> = sig
            .returns
            .iter()
            .map(|p| rets.assign(p.value_type, 16))
            .collect();
        let ret_area_size = rets.stack;
        let mut args = Assigner {
            ints: &regs::SYSV_INT_ARGS,
            floats: &regs::SYSV_FLOAT_ARGS,
            next_int: 0,
            next_float: 0,
            stack: 0,
        };
        let ret_area_ptr = if ret_area_size > 0 {
            args.next_int = 1;
            Some(gpr(regs::SYSV_INT_ARGS[0]))
        } else {
            None
        };
        let arg_locs = sig
            .params
            .iter()
            .map(|p| args.assign(p.value_type, 8))
            .collect();
        AbiSig {
            args: arg_locs,
            rets: ret_locs,
            stack_args_size: args.stack.next_multiple_of(16),
            ret_area_size,
            ret_area_ptr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::{AbiParam, CallConv};

    fn sig(params: &[Type], rets: &[Type]) -> Signature {
        let mut s = Signature::new(CallConv::SystemV);
        s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
        s.returns = rets.iter().map(|&t| AbiParam::new(t)).collect();
        s
    }

    fn r(g: Gpr) -> Loc {
        Loc::Reg(gpr(g))
    }

    fn f(n: u8) -> Loc {
        Loc::Reg(xmm(regs::xmm(n)))
    }

    #[test]
    fn integers_then_stack() {
        use types::*;
        let a = AbiSig::compute(&sig(&[I32, F64, I64, I8, I16, I64, I64, I32, I64], &[I32]));
        let flat: Vec<Loc> = a.args.iter().map(|l| l[0]).collect();
        assert_eq!(
            flat,
            vec![
                r(regs::RDI),
                f(0),
                r(regs::RSI),
                r(regs::RDX),
                r(regs::RCX),
                r(regs::R8),
                r(regs::R9),
                Loc::Stack(0),
                Loc::Stack(8),
            ]
        );
        assert_eq!(a.stack_args_size, 16);
        assert_eq!(a.rets[0].as_slice(), &[r(regs::RAX)]);
        assert_eq!(a.ret_area_ptr, None);
    }

    #[test]
    fn floats_beyond_eight_go_to_the_stack() {
        let a = AbiSig::compute(&sig(&[types::F32; 10], &[types::F64, types::F32]));
        assert_eq!(a.args[7].as_slice(), &[f(7)]);
        assert_eq!(a.args[8].as_slice(), &[Loc::Stack(0)]);
        assert_eq!(a.args[9].as_slice(), &[Loc::Stack(8)]);
        assert_eq!(a.rets[1].as_slice(), &[f(1)]);
    }

    #[test]
    fn i128_pairs_and_return_area() {
        use types::*;
        // Three integer returns: the third goes to the return area, whose pointer takes rdi.
        let a = AbiSig::compute(&sig(&[I128, I64], &[I64, I64, I32, F32]));
        assert_eq!(a.ret_area_ptr, Some(gpr(regs::RDI)));
        assert_eq!(a.ret_area_size, 16);
        assert_eq!(a.rets[2].as_slice(), &[Loc::Stack(0)]);
        assert_eq!(a.rets[3].as_slice(), &[f(0)]);
        assert_eq!(a.args[0].as_slice(), &[r(regs::RSI), r(regs::RDX)]);
        assert_eq!(a.args[1].as_slice(), &[r(regs::RCX)]);
        // An i128 return takes rax:rdx.
        let b = AbiSig::compute(&sig(&[I64; 6], &[I128]));
        assert_eq!(b.rets[0].as_slice(), &[r(regs::RAX), r(regs::RDX)]);
        // An i128 argument that no longer fits in registers goes to a 16-byte aligned slot.
        let c = AbiSig::compute(&sig(&[I64, I64, I64, I64, I64, I128, I64], &[]));
        assert_eq!(c.args[5].as_slice(), &[Loc::Stack(0), Loc::Stack(8)]);
        assert_eq!(c.args[6].as_slice(), &[r(regs::R9)]);
    }
}
