//! Executing one instruction.

use super::float_ops::{self, Float};
use super::frame::Frame;
use super::int_ops::{self, imm_bits, mask, sext};
use super::memory::{MemError, Memory};
use super::{InterpreterError, Program};
use crate::data_value::DataValue;
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::immediates::{Ieee32, Ieee64};
use crate::instructions::{BlockCall, InstructionData};
use crate::memflags::MemFlags;
use crate::opcodes::Opcode;
use crate::signature::Signature;
use crate::trapcode::TrapCode;
use crate::types::{self, Type};
use smallvec::SmallVec;

/// Values produced or passed by one instruction.
pub(super) type Values = SmallVec<[DataValue; 4]>;

type R<T> = Result<T, InterpreterError>;

/// What happens after an instruction.
pub(super) enum Control<'a> {
    /// Continue with the next instruction; these are the results.
    Next(Values),
    /// Continue at the start of a block with these parameters.
    Jump(Block, Values),
    /// Call a function with these arguments.
    Call(&'a Function, Values),
    /// Return these values to the caller.
    Return(Values),
}

/// What an instruction can see and touch.
pub(super) struct Env<'s, 'a> {
    /// The executing frame.
    pub frame: &'s Frame<'a>,
    /// Stack memory.
    pub mem: &'s mut Memory,
    /// The functions that calls find.
    pub program: &'s Program<'a>,
}

fn unsupported<T>(msg: impl Into<String>) -> R<T> {
    Err(InterpreterError::Unsupported(msg.into()))
}

fn one(x: DataValue) -> Control<'static> {
    Control::Next(SmallVec::from_slice(&[x]))
}

/// `(width, bits)` of a scalar integer.
fn as_int(x: DataValue) -> Option<(u32, u128)> {
    x.ty().is_int().then(|| (x.ty().bits(), x.to_bits()))
}

/// A value of `ty` with these bits, if `ty` is a type values can have.
fn make(ty: Type, bits: u128) -> R<DataValue> {
    if ty.is_int() || ty.is_float() || (ty.is_vector() && ty.bits() == 128) {
        Ok(DataValue::from_bits(ty, bits))
    } else {
        unsupported(format!("no values of type {ty}"))
    }
}

fn bool_value(b: bool) -> DataValue {
    DataValue::I8(b.into())
}

/// Whether `sig` and `other` take and return the same types.
fn same_types(sig: &Signature, other: &Signature) -> bool {
    let types = |ps: &[crate::signature::AbiParam]| -> Vec<Type> {
        ps.iter().map(|p| p.value_type).collect()
    };
    types(&sig.params) == types(&other.params) && types(&sig.returns) == types(&other.returns)
}

/// Checks that `args` fit the parameters of `sig`.
fn check_args(sig: &Signature, args: &[DataValue], what: &dyn Fn() -> String) -> R<()> {
    let ok = sig.params.len() == args.len()
        && sig
            .params
            .iter()
            .zip(args)
            .all(|(p, a)| p.value_type == a.ty());
    if ok {
        Ok(())
    } else {
        let given: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
        Err(InterpreterError::BadArguments(format!(
            "{} takes {sig}, given ({})",
            what(),
            given.join(", ")
        )))
    }
}

impl<'a> Env<'_, 'a> {
    fn func(&self) -> &'a Function {
        self.frame.func
    }

    fn arg(&self, v: Value) -> R<DataValue> {
        self.frame.get(v)
    }

    fn args(&self, vs: &[Value]) -> R<Values> {
        vs.iter().map(|&v| self.arg(v)).collect()
    }

    fn int_arg(&self, v: Value, op: Opcode) -> R<(u32, u128)> {
        let x = self.arg(v)?;
        as_int(x).map_or_else(
            || unsupported(format!("{op} needs an integer operand, {v} is {}", x.ty())),
            Ok,
        )
    }

    /// The type of the first result of `inst` (the explicit controlling type).
    fn result_type(&self, inst: Inst) -> R<Type> {
        let dfg = &self.func().dfg;
        match dfg.inst_results(inst).first() {
            Some(&r) => Ok(dfg.value_type(r)),
            None => unsupported(format!("{inst} has no result")),
        }
    }

    fn block_call(&self, call: &BlockCall) -> R<Control<'a>> {
        let args = self.args(self.func().dfg.block_call_args(call))?;
        Ok(Control::Jump(call.block, args))
    }

    /// The function and signature a `call` or `func_addr` refers to.
    fn ext_func(
        &self,
        func_ref: crate::entities::FuncRef,
    ) -> R<(usize, &'a Function, &'a Signature)> {
        let dfg = &self.func().dfg;
        let Some(ext) = dfg.ext_funcs.get(func_ref) else {
            return unsupported(format!("{func_ref} is not declared"));
        };
        let Some(sig) = dfg.signatures.get(ext.signature) else {
            return unsupported(format!("{} is not declared", ext.signature));
        };
        let Some((index, callee)) = self.program.lookup(&ext.name) else {
            return Err(InterpreterError::UnknownFunction(ext.name.to_string()));
        };
        Ok((index, callee, sig))
    }

    fn call(&self, callee: &'a Function, sig: &Signature, args: Values) -> R<Control<'a>> {
        if !same_types(sig, &callee.signature) {
            return Err(InterpreterError::BadArguments(format!(
                "call with signature {sig} to {}, whose signature is {}",
                callee.name, callee.signature
            )));
        }
        check_args(&callee.signature, &args, &|| callee.name.to_string())?;
        Ok(Control::Call(callee, args))
    }

    /// The effective address of a load or store.
    fn address(&self, p: Value, offset: i32, op: Opcode) -> R<i128> {
        let (_, bits) = self.int_arg(p, op)?;
        Ok(bits as i128 + i128::from(offset))
    }
}

/// Reads `bytes` as a little-endian (or, with `big`, big-endian) number.
fn from_bytes(bytes: &[u8], big: bool) -> u128 {
    let mut buf = [0u8; 16];
    let n = bytes.len().min(16);
    buf[..n].copy_from_slice(&bytes[..n]);
    if big {
        buf[..n].reverse();
    }
    u128::from_le_bytes(buf)
}

/// Writes the low `out.len()` bytes of `bits`.
fn to_bytes(bits: u128, out: &mut [u8], big: bool) {
    let buf = bits.to_le_bytes();
    let n = out.len().min(16);
    out[..n].copy_from_slice(&buf[..n]);
    if big {
        out[..n].reverse();
    }
}

/// Executes `inst` in `env`.
pub(super) fn step<'a>(env: &mut Env<'_, 'a>, inst: Inst) -> R<Control<'a>> {
    use InstructionData as D;
    let func = env.func();
    let dfg = &func.dfg;
    let Some(&data) = dfg.insts.get(inst) else {
        return unsupported(format!("{inst} does not exist"));
    };
    let op = data.opcode();
    match data {
        D::UnaryImm { imm, .. } if op == Opcode::Iconst => {
            let ty = env.result_type(inst)?;
            if !ty.is_int() {
                return unsupported(format!("iconst of type {ty}"));
            }
            Ok(one(make(ty, imm_bits(ty.bits(), imm.bits()))?))
        }
        D::UnaryIeee32 { imm, .. } if op == Opcode::F32const => Ok(one(DataValue::F32(imm))),
        D::UnaryIeee64 { imm, .. } if op == Opcode::F64const => Ok(one(DataValue::F64(imm))),
        D::Unary { arg, .. } => unary(env, inst, op, arg),
        D::Binary { args, .. } => binary(env, op, args[0], args[1]),
        D::BinaryImm64 { arg, imm, .. } => {
            let (bits, a) = env.int_arg(arg, op)?;
            match int_ops::binary(op, bits, a, imm_bits(bits, imm.bits())) {
                Some(Ok(r)) => Ok(one(make(env.arg(arg)?.ty(), r)?)),
                Some(Err(code)) => Err(InterpreterError::Trap(code)),
                None => unsupported(format!("{op} is not a binary-immediate opcode")),
            }
        }
        D::Ternary { args, .. } => ternary(env, op, args),
        D::IntCompare { cond, args, .. } if op == Opcode::Icmp => {
            let (bits, a) = env.int_arg(args[0], op)?;
            let (bits_b, b) = env.int_arg(args[1], op)?;
            if bits != bits_b {
                return unsupported("icmp of different types");
            }
            Ok(one(bool_value(int_ops::compare(cond, bits, a, b))))
        }
        D::IntCompareImm { cond, arg, imm, .. } if op == Opcode::IcmpImm => {
            let (bits, a) = env.int_arg(arg, op)?;
            Ok(one(bool_value(int_ops::compare(
                cond,
                bits,
                a,
                imm_bits(bits, imm.bits()),
            ))))
        }
        D::FloatCompare { cond, args, .. } if op == Opcode::Fcmp => {
            let r = match (env.arg(args[0])?, env.arg(args[1])?) {
                (DataValue::F32(a), DataValue::F32(b)) => {
                    float_ops::compare(cond, a.as_f32(), b.as_f32())
                }
                (DataValue::F64(a), DataValue::F64(b)) => {
                    float_ops::compare(cond, a.as_f64(), b.as_f64())
                }
                (a, b) => return unsupported(format!("fcmp of {} and {}", a.ty(), b.ty())),
            };
            Ok(one(bool_value(r)))
        }
        D::Load {
            flags, arg, offset, ..
        } => load(env, inst, op, flags, arg, offset.bits()),
        D::Store {
            flags,
            args,
            offset,
            ..
        } => store(env, op, flags, args, offset.bits()),
        D::StackLoad {
            stack_slot, offset, ..
        } => {
            let ty = env.result_type(inst)?;
            let offset = i64::from(offset.bits());
            let region = env.frame.region;
            if op == Opcode::StackAddr {
                if !ty.is_int() {
                    return unsupported(format!("stack_addr of type {ty}"));
                }
                let Some(addr) = env.mem.slot_address(region, stack_slot, offset) else {
                    return unsupported(format!("{stack_slot} is not declared"));
                };
                return Ok(one(make(ty, addr as u128 & mask(ty.bits()))?));
            }
            if op != Opcode::StackLoad {
                return unsupported(format!("{op} in stack-load format"));
            }
            let what = || format!("stack_load.{ty} {stack_slot}{offset:+} is outside the slot");
            let bytes = env
                .mem
                .slot_bytes(region, stack_slot, offset, u64::from(ty.bytes()))
                .map_err(|e| env_mem_error(e, None, &what))?;
            let bits = from_bytes(bytes, false);
            Ok(one(make(ty, bits)?))
        }
        D::StackStore {
            arg,
            stack_slot,
            offset,
            ..
        } if op == Opcode::StackStore => {
            let x = env.arg(arg)?;
            let offset = i64::from(offset.bits());
            let region = env.frame.region;
            let what = || format!("stack_store to {stack_slot}{offset:+} is outside the slot");
            let bytes = env
                .mem
                .slot_bytes(region, stack_slot, offset, u64::from(x.ty().bytes()))
                .map_err(|e| env_mem_error(e, None, &what))?;
            to_bytes(x.to_bits(), bytes, false);
            Ok(Control::Next(SmallVec::new()))
        }
        D::Jump { destination, .. } if op == Opcode::Jump => env.block_call(&destination),
        D::Brif { arg, blocks, .. } if op == Opcode::Brif => {
            let (_, c) = env.int_arg(arg, op)?;
            env.block_call(&blocks[if c != 0 { 0 } else { 1 }])
        }
        D::BranchTable { arg, table, .. } if op == Opcode::BrTable => {
            let (_, idx) = env.int_arg(arg, op)?;
            let Some(jt) = dfg.jump_tables.get(table) else {
                return unsupported(format!("{table} is not declared"));
            };
            let dest = usize::try_from(idx)
                .ok()
                .and_then(|i| jt.as_slice().get(i))
                .copied()
                .unwrap_or_else(|| jt.default_block());
            env.block_call(&dest)
        }
        D::MultiAry { args, .. } if op == Opcode::Return => {
            let vals = env.args(dfg.value_lists.get(args))?;
            let rets = &func.signature.returns;
            let ok = rets.len() == vals.len()
                && rets.iter().zip(&vals).all(|(p, v)| p.value_type == v.ty());
            if !ok {
                return unsupported(format!(
                    "{inst} returns values that do not match the signature"
                ));
            }
            Ok(Control::Return(vals))
        }
        D::Call { func_ref, args, .. } if op == Opcode::Call => {
            let (_, callee, sig) = env.ext_func(func_ref)?;
            let vals = env.args(dfg.value_lists.get(args))?;
            env.call(callee, sig, vals)
        }
        D::CallIndirect { sig_ref, args, .. } if op == Opcode::CallIndirect => {
            let list = dfg.value_lists.get(args);
            let Some((&callee, rest)) = list.split_first() else {
                return unsupported("call_indirect without a callee");
            };
            let Some(sig) = dfg.signatures.get(sig_ref) else {
                return unsupported(format!("{sig_ref} is not declared"));
            };
            let (_, addr) = env.int_arg(callee, op)?;
            if addr == 0 {
                return Err(InterpreterError::Trap(TrapCode::IndirectCallToNull));
            }
            let Some(target) = env.program.by_address(addr) else {
                return Err(InterpreterError::InvalidAddress(format!(
                    "call_indirect to {addr:#x}, which is not a function address"
                )));
            };
            let vals = env.args(rest)?;
            env.call(target, sig, vals)
        }
        D::FuncAddr { func_ref, .. } if op == Opcode::FuncAddr => {
            let ty = env.result_type(inst)?;
            if !ty.is_int() {
                return unsupported(format!("func_addr of type {ty}"));
            }
            let (index, _, _) = env.ext_func(func_ref)?;
            Ok(one(make(ty, u128::from(Program::address_of(index)))?))
        }
        D::Trap { code, .. } if op == Opcode::Trap => Err(InterpreterError::Trap(code)),
        D::CondTrap { arg, code, .. } => {
            let (_, c) = env.int_arg(arg, op)?;
            let trap = match op {
                Opcode::Trapz => c == 0,
                Opcode::Trapnz => c != 0,
                _ => return unsupported(format!("{op} in conditional-trap format")),
            };
            if trap {
                Err(InterpreterError::Trap(code))
            } else {
                Ok(Control::Next(SmallVec::new()))
            }
        }
        D::IntAddTrap { args, code, .. } if op == Opcode::UaddOverflowTrap => {
            let (bits, a) = env.int_arg(args[0], op)?;
            let (bits_b, b) = env.int_arg(args[1], op)?;
            if bits != bits_b {
                return unsupported("uadd_overflow_trap of different types");
            }
            match int_ops::with_overflow(Opcode::UaddOverflow, bits, a, b) {
                Some((_, true)) => Err(InterpreterError::Trap(code)),
                Some((r, false)) => Ok(one(make(env.arg(args[0])?.ty(), r)?)),
                None => unsupported("uadd_overflow_trap"),
            }
        }
        _ => unsupported(format!("{op} does not fit its instruction format")),
    }
}

/// Maps a memory error for instructions without a frame borrow.
fn env_mem_error(
    e: MemError,
    flags: Option<MemFlags>,
    what: &dyn Fn() -> String,
) -> InterpreterError {
    match (e, flags) {
        (MemError::OutOfBounds, Some(f)) if !f.notrap() => InterpreterError::Trap(f.trap_code()),
        (MemError::OutOfBounds, _) => InterpreterError::InvalidAddress(what()),
        (MemError::TooLarge, _) => InterpreterError::Trap(TrapCode::StackOverflow),
        (MemError::Exhausted, _) => {
            InterpreterError::Unsupported("the interpreter's address space is exhausted".into())
        }
    }
}

fn float_unary(op: Opcode, x: DataValue) -> Option<DataValue> {
    match x {
        DataValue::F32(a) => float_ops::unary(op, a.as_f32()).map(|r| DataValue::F32(r.into())),
        DataValue::F64(a) => float_ops::unary(op, a.as_f64()).map(|r| DataValue::F64(r.into())),
        _ => None,
    }
}

fn float_binary(op: Opcode, x: DataValue, y: DataValue) -> Option<DataValue> {
    match (x, y) {
        (DataValue::F32(a), DataValue::F32(b)) => {
            float_ops::binary(op, a.as_f32(), b.as_f32()).map(|r| DataValue::F32(r.into()))
        }
        (DataValue::F64(a), DataValue::F64(b)) => {
            float_ops::binary(op, a.as_f64(), b.as_f64()).map(|r| DataValue::F64(r.into()))
        }
        _ => None,
    }
}

/// A float-to-integer conversion of `x` to `ty`.
fn float_to_int(op: Opcode, x: DataValue, ty: Type) -> R<DataValue> {
    use Opcode::*;
    if !ty.is_int() || ty.bits() > 64 {
        return unsupported(format!("{op} to {ty}"));
    }
    let signed = matches!(op, FcvtToSint | FcvtToSintSat);
    let sat = matches!(op, FcvtToUintSat | FcvtToSintSat);
    let r = match x {
        DataValue::F32(a) => float_ops::to_int(a.as_f32(), ty.bits(), signed, sat),
        DataValue::F64(a) => float_ops::to_int(a.as_f64(), ty.bits(), signed, sat),
        _ => return unsupported(format!("{op} of a {}", x.ty())),
    };
    r.map_err(InterpreterError::Trap)
        .and_then(|bits| make(ty, bits))
}

fn int_to_float<F: Float>(bits: u32, x: u128, signed: bool) -> F {
    float_ops::from_int::<F>(x, bits, signed)
}

fn unary<'a>(env: &mut Env<'_, 'a>, inst: Inst, op: Opcode, arg: Value) -> R<Control<'a>> {
    use Opcode::*;
    let x = env.arg(arg)?;
    let ty = x.ty();
    match op {
        Ineg | Iabs | Bnot | Clz | Cls | Ctz | Popcnt | Bitrev | Bswap => {
            let Some((bits, a)) = as_int(x) else {
                return unsupported(format!("{op} of a {ty}"));
            };
            match int_ops::unary(op, bits, a) {
                Some(r) => Ok(one(make(ty, r)?)),
                None => unsupported(format!("{op} of a {ty}")),
            }
        }
        Sqrt | Fabs | Fneg | Ceil | Floor | Trunc | Nearest => match float_unary(op, x) {
            Some(r) => Ok(one(r)),
            None => unsupported(format!("{op} of a {ty}")),
        },
        Uextend | Sextend | Ireduce => {
            let to = env.result_type(inst)?;
            let Some((bits, a)) = as_int(x) else {
                return unsupported(format!("{op} of a {ty}"));
            };
            if !to.is_int() {
                return unsupported(format!("{op} to {to}"));
            }
            let r = match op {
                Sextend => sext(bits, a) as u128,
                _ => a,
            };
            Ok(one(make(to, r & mask(to.bits()))?))
        }
        Isplit => {
            let Some((bits, a)) = as_int(x) else {
                return unsupported(format!("isplit of a {ty}"));
            };
            let Some(half) = ty.half_width() else {
                return unsupported(format!("isplit of a {ty}"));
            };
            let m = mask(bits / 2);
            Ok(Control::Next(SmallVec::from_slice(&[
                make(half, a & m)?,
                make(half, (a >> (bits / 2)) & m)?,
            ])))
        }
        Bitcast => {
            let to = env.result_type(inst)?;
            if to.bits() != ty.bits() {
                return unsupported(format!("bitcast of a {ty} to {to}"));
            }
            Ok(one(make(to, x.to_bits())?))
        }
        Fpromote => match x {
            DataValue::F32(a) => Ok(one(DataValue::F64(float_ops::promote(a.as_f32()).into()))),
            _ => unsupported(format!("fpromote of a {ty}")),
        },
        Fdemote => match x {
            DataValue::F64(a) => Ok(one(DataValue::F32(float_ops::demote(a.as_f64()).into()))),
            _ => unsupported(format!("fdemote of a {ty}")),
        },
        FcvtToUint | FcvtToSint | FcvtToUintSat | FcvtToSintSat => {
            let to = env.result_type(inst)?;
            Ok(one(float_to_int(op, x, to)?))
        }
        FcvtFromUint | FcvtFromSint => {
            let to = env.result_type(inst)?;
            let Some((bits, a)) = as_int(x) else {
                return unsupported(format!("{op} of a {ty}"));
            };
            let signed = op == FcvtFromSint;
            let r = match to {
                types::F32 => DataValue::F32(Ieee32::from(int_to_float::<f32>(bits, a, signed))),
                types::F64 => DataValue::F64(Ieee64::from(int_to_float::<f64>(bits, a, signed))),
                _ => return unsupported(format!("{op} to {to}")),
            };
            Ok(one(r))
        }
        _ => unsupported(format!("{op} in unary format")),
    }
}

fn binary<'a>(env: &mut Env<'_, 'a>, op: Opcode, x: Value, y: Value) -> R<Control<'a>> {
    use Opcode::*;
    let (a, b) = (env.arg(x)?, env.arg(y)?);
    let ty = a.ty();
    if ty.is_float() {
        return match float_binary(op, a, b) {
            Some(r) => Ok(one(r)),
            None => unsupported(format!("{op} of {ty} and {}", b.ty())),
        };
    }
    let (Some((bits, ab)), Some((_, bb))) = (as_int(a), as_int(b)) else {
        return unsupported(format!("{op} of {ty} and {}", b.ty()));
    };
    // Only the shift amount may have another type.
    let shift = matches!(op, Ishl | Ushr | Sshr | Rotl | Rotr);
    if !shift && b.ty() != ty {
        return unsupported(format!("{op} of {ty} and {}", b.ty()));
    }
    if op == Iconcat {
        let Some(wide) = ty.double_width() else {
            return unsupported(format!("iconcat of {ty}"));
        };
        return Ok(one(make(wide, ab | (bb << bits))?));
    }
    if let Some((r, o)) = int_ops::with_overflow(op, bits, ab, bb) {
        return Ok(Control::Next(SmallVec::from_slice(&[
            make(ty, r)?,
            bool_value(o),
        ])));
    }
    match int_ops::binary(op, bits, ab, bb) {
        Some(Ok(r)) => Ok(one(make(ty, r)?)),
        Some(Err(code)) => Err(InterpreterError::Trap(code)),
        None => unsupported(format!("{op} of {ty}")),
    }
}

fn ternary<'a>(env: &mut Env<'_, 'a>, op: Opcode, args: [Value; 3]) -> R<Control<'a>> {
    let [a, b, c] = [env.arg(args[0])?, env.arg(args[1])?, env.arg(args[2])?];
    match op {
        Opcode::Select | Opcode::SelectSpectreGuard => {
            let Some((_, cond)) = as_int(a) else {
                return unsupported(format!("{op} condition of type {}", a.ty()));
            };
            if b.ty() != c.ty() {
                return unsupported(format!("{op} of {} and {}", b.ty(), c.ty()));
            }
            Ok(one(if cond != 0 { b } else { c }))
        }
        Opcode::Fma => match (a, b, c) {
            (DataValue::F32(x), DataValue::F32(y), DataValue::F32(z)) => Ok(one(DataValue::F32(
                float_ops::fma(x.as_f32(), y.as_f32(), z.as_f32()).into(),
            ))),
            (DataValue::F64(x), DataValue::F64(y), DataValue::F64(z)) => Ok(one(DataValue::F64(
                float_ops::fma(x.as_f64(), y.as_f64(), z.as_f64()).into(),
            ))),
            _ => unsupported(format!("fma of {}, {}, {}", a.ty(), b.ty(), c.ty())),
        },
        _ => unsupported(format!("{op} in ternary format")),
    }
}

/// Bytes accessed by a narrow load or store, if `op` is one.
fn narrow_bytes(op: Opcode) -> Option<u64> {
    use Opcode::*;
    match op {
        Uload8 | Sload8 | Istore8 => Some(1),
        Uload16 | Sload16 | Istore16 => Some(2),
        Uload32 | Sload32 | Istore32 => Some(4),
        _ => None,
    }
}

fn load<'a>(
    env: &mut Env<'_, 'a>,
    inst: Inst,
    op: Opcode,
    flags: MemFlags,
    p: Value,
    offset: i32,
) -> R<Control<'a>> {
    use Opcode::*;
    let ty = env.result_type(inst)?;
    let size = match op {
        Load => u64::from(ty.bytes()),
        _ => match narrow_bytes(op) {
            Some(n) if ty.is_int() => n,
            _ => return unsupported(format!("{op}.{ty}")),
        },
    };
    if size == 0 {
        return unsupported(format!("{op} of type {ty}"));
    }
    let addr = env.address(p, offset, op)?;
    let what = || format!("{op}.{ty} of {size} bytes at {addr:#x}");
    let bytes = match env.mem.bytes_at(addr, size) {
        Ok(b) => b,
        Err(e) => return Err(env_mem_error(e, Some(flags), &what)),
    };
    let raw = from_bytes(bytes, flags.big_endian());
    let bits = match op {
        Sload8 | Sload16 | Sload32 => sext(size as u32 * 8, raw) as u128,
        _ => raw,
    };
    Ok(one(make(ty, bits & mask(ty.bits()))?))
}

fn store<'a>(
    env: &mut Env<'_, 'a>,
    op: Opcode,
    flags: MemFlags,
    args: [Value; 2],
    offset: i32,
) -> R<Control<'a>> {
    let x = env.arg(args[0])?;
    let size = match op {
        Opcode::Store => u64::from(x.ty().bytes()),
        _ => match narrow_bytes(op) {
            Some(n) if x.ty().is_int() => n,
            _ => return unsupported(format!("{op} of a {}", x.ty())),
        },
    };
    let addr = env.address(args[1], offset, op)?;
    let what = || format!("{op} of {size} bytes at {addr:#x}");
    let bytes = match env.mem.bytes_at(addr, size) {
        Ok(b) => b,
        Err(e) => return Err(env_mem_error(e, Some(flags), &what)),
    };
    to_bytes(x.to_bits(), bytes, flags.big_endian());
    Ok(Control::Next(SmallVec::new()))
}
