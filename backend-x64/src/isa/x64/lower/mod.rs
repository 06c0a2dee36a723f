//! Glue between the lowering rules (`prelude.isle`, `lower.isle`) and the driver: the
//! generated `Context` trait implemented over [`Lower`], plus the instructions whose shape is
//! mostly ABI or control flow (constants, memory, compares, branches, calls, returns, traps).
//!
//! Register convention: a value narrower than its register has undefined upper bits; every
//! instruction that depends on them (compares, divisions, right shifts, extensions, bit
//! counts, conversions) works at the value's width or extends first.

use super::abi::{AbiSig, Loc};
use super::args::*;
use super::inst::*;
use super::libcalls::LibCall;
use super::operands::sysv_call_clobbers;
use super::regs;
use super::settings::Flags;
use crate::machinst::lower::{Lower, LowerError, LowerTarget, ValueRegs};
use crate::machinst::{Label, PReg, Reg, RegClass, RelocTarget, Writable};
use kiln_ir::condcodes::{FloatCC, IntCC};
use kiln_ir::entity::EntityRef;
use kiln_ir::types::{self, Type};
use kiln_ir::{ArgumentExtension, Inst, InstructionData, Opcode, TrapCode, Value};

#[allow(
    unused_variables,
    unreachable_patterns,
    clippy::all,
    missing_docs,
    dead_code,
    non_snake_case
)]
mod generated {
    use super::*;
    /// Nothing (the result of constructors called for their effect).
    pub type Unit = ();
    pub const TRUE: bool = true;
    pub const FALSE: bool = false;
    include!(concat!(env!("OUT_DIR"), "/x64_lower.rs"));
}
pub use generated::Ty;

mod call;
mod compare;
mod context;
mod i128;
mod memory;
mod ops;

use compare::CmpRhs;
use memory::{load_to, store_from};

/// A plain 4-byte load that may be merged into its single user.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SinkLoad32(Inst);
/// A plain 8-byte load that may be merged into its single user.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SinkLoad64(Inst);

/// The frame layout known before lowering: explicit stack slots, directly below `rbp`.
///
/// Slots aligned to at most 16 bytes are addressed from `rbp` (which is 16-byte aligned).
/// More strictly aligned slots live in a separate region addressed from a base register
/// that the entry block computes by rounding an address in the region down to the largest
/// alignment.
#[derive(Clone, Debug, Default)]
pub struct SlotLayout {
    /// Displacement of each slot from `rbp`, or from the aligned base for big ones.
    pub disps: Vec<i32>,
    /// Whether each slot is in the over-aligned region.
    pub big: Vec<bool>,
    /// Bytes of all slots including the over-aligned region (a multiple of 16).
    pub size: u32,
    /// Bytes of the over-aligned slots.
    pub big_size: u32,
    /// The largest alignment above 16 (0 if none).
    pub big_align: u32,
}

impl SlotLayout {
    /// Lays out the explicit stack slots of `func`.
    pub fn compute(func: &kiln_ir::Function) -> SlotLayout {
        let (mut at, mut big_at, mut big_align) = (0u32, 0u32, 0u32);
        let mut offs = Vec::new();
        let mut big = Vec::new();
        for (_, data) in func.stack_slots.iter() {
            let align = 1u32 << data.align_shift.min(16);
            if align > 16 {
                big_at = big_at.next_multiple_of(align);
                offs.push(big_at);
                big.push(true);
                big_at += data.size;
                big_align = big_align.max(align);
            } else {
                at = at.next_multiple_of(align.max(1));
                offs.push(at);
                big.push(false);
                at += data.size;
            }
        }
        let small = at.next_multiple_of(16);
        let size = small + (big_at + big_align).next_multiple_of(16);
        // Small slots grow upward from rbp - small; the start stays aligned because rbp is.
        let disps = offs
            .iter()
            .zip(&big)
            .map(|(&o, &b)| if b { o as i32 } else { o as i32 - small as i32 })
            .collect();
        SlotLayout {
            disps,
            big,
            size,
            big_size: big_at,
            big_align,
        }
    }
}

/// The x86-64 lowering state of one function.
pub struct X64Lower<'a> {
    /// CPU features.
    pub flags: Flags,
    /// The function's own ABI.
    pub abi: AbiSig,
    /// Explicit stack slots.
    pub slots: &'a SlotLayout,
    /// Largest outgoing argument (and return) area of any call.
    pub outgoing: u32,
    /// The return-area pointer, if the function returns through one.
    ret_area: Option<Reg>,
    /// The base of the over-aligned stack slots, once one is used.
    big_base: Option<Reg>,
    /// A failure reported by a rule helper.
    error: Option<LowerError>,
    /// Trap code for the next memory-operand instruction (a sunk load's).
    pending_trap: Option<Option<TrapCode>>,
}

impl<'a> X64Lower<'a> {
    /// Lowering state for `func`.
    pub fn new(func: &kiln_ir::Function, flags: Flags, slots: &'a SlotLayout) -> Self {
        X64Lower {
            flags,
            abi: AbiSig::compute(&func.signature),
            slots,
            outgoing: 0,
            ret_area: None,
            big_base: None,
            error: None,
            pending_trap: None,
        }
    }
}

fn ty_of(t: Type) -> Option<Ty> {
    Some(match t {
        types::I8 => Ty::I8,
        types::I16 => Ty::I16,
        types::I32 => Ty::I32,
        types::I64 => Ty::I64,
        types::I128 => Ty::I128,
        types::F32 => Ty::F32,
        types::F64 => Ty::F64,
        _ => return None,
    })
}

fn bits(t: &Ty) -> u32 {
    match t {
        Ty::I8 => 8,
        Ty::I16 => 16,
        Ty::I32 | Ty::F32 => 32,
        Ty::I64 | Ty::F64 => 64,
        Ty::I128 => 128,
    }
}

fn size_of(t: &Ty) -> OperandSize {
    match t {
        Ty::I8 => OperandSize::S8,
        Ty::I16 => OperandSize::S16,
        Ty::I32 | Ty::F32 => OperandSize::S32,
        _ => OperandSize::S64,
    }
}

fn w<T: Copy>(r: T) -> Writable<T> {
    Writable::from_reg(r)
}

/// `r` as an operand of width `size`.
fn gm(size: OperandSize, r: Gpr) -> AnyGprMem {
    match size {
        OperandSize::S8 => GprMem8::Reg(r).into(),
        OperandSize::S16 => GprMem16::Reg(r).into(),
        OperandSize::S32 => GprMem32::Reg(r).into(),
        OperandSize::S64 => GprMem64::Reg(r).into(),
    }
}

/// `r` as a 16-bit-or-wider operand (byte operations use the 32-bit form).
fn wide(size: OperandSize, r: Gpr) -> WideGprMem {
    match size {
        OperandSize::S16 => GprMem16::Reg(r).into(),
        OperandSize::S64 => GprMem64::Reg(r).into(),
        _ => GprMem32::Reg(r).into(),
    }
}

fn mem_of(size: OperandSize, a: Amode) -> AnyMem {
    match size {
        OperandSize::S8 => AnyMem::M8(Mem8::new(a)),
        OperandSize::S16 => AnyMem::M16(Mem16::new(a)),
        OperandSize::S32 => AnyMem::M32(Mem32::new(a)),
        OperandSize::S64 => AnyMem::M64(Mem64::new(a)),
    }
}

fn gpr_mem_of(size: OperandSize, a: Amode) -> AnyGprMem {
    match size {
        OperandSize::S8 => GprMem8::Mem(Mem8::new(a)).into(),
        OperandSize::S16 => GprMem16::Mem(Mem16::new(a)).into(),
        OperandSize::S32 => GprMem32::Mem(Mem32::new(a)).into(),
        OperandSize::S64 => GprMem64::Mem(Mem64::new(a)).into(),
    }
}

fn preg_of(g: Gpr) -> PReg {
    g.to_reg().to_preg().expect("physical")
}

fn not_lowered(what: impl Into<String>) -> LowerError {
    LowerError::NotLowered(what.into())
}

/// The `Context` of the generated rules: the driver plus the x86-64 state.
pub struct IsleContext<'l, 'f, 'a> {
    /// The target-independent driver.
    pub lower: &'l mut Lower<'f, MInst>,
    /// The x86-64 state.
    pub x: &'l mut X64Lower<'a>,
}

use generated::Context as _;

impl LowerTarget<MInst> for X64Lower<'_> {
    fn lower_inst(&mut self, ctx: &mut Lower<'_, MInst>, inst: Inst) -> Result<(), LowerError> {
        let mut c = IsleContext {
            lower: ctx,
            x: self,
        };
        let r = c.lower_one(inst);
        c.x.pending_trap = None;
        match c.x.error.take() {
            Some(e) => Err(e),
            None => r,
        }
    }

    fn gen_args(&mut self, ctx: &mut Lower<'_, MInst>) -> Result<(), LowerError> {
        let func = ctx.func;
        let entry = func
            .layout
            .entry_block()
            .ok_or_else(|| LowerError::Invalid("no entry block".into()))?;
        let mut args: Vec<(Reg, PReg)> = Vec::new();
        let mut loads: Vec<MInst> = Vec::new();
        if let (Some(p), Some(r)) = (self.abi.ret_area_ptr, self.ret_area) {
            args.push((r, p));
        }
        for (i, &v) in func.dfg.block_params(entry).iter().enumerate() {
            let regs = ctx.value_regs_for_def(v);
            let Some(locs) = self.abi.args.get(i) else {
                return Err(LowerError::Invalid(
                    "entry block parameters do not match the signature".into(),
                ));
            };
            let ty = func.dfg.value_type(v);
            for (&r, loc) in regs.regs().iter().zip(locs.iter()) {
                match *loc {
                    Loc::Reg(p) => args.push((r, p)),
                    Loc::Stack(off) => {
                        let a = Amode::imm_reg(16 + off as i32, regs::RBP);
                        loads.push(load_to(ty, r, a));
                    }
                }
            }
        }
        ctx.emit(MInst::Args {
            args: args.into_boxed_slice(),
        });
        if let Some(base) = self.big_base {
            // Round the region's low end down: the slots then fit between it and rbp - small.
            let g = Gpr::unwrap_new(base);
            let t = Gpr::unwrap_new(ctx.alloc_vreg(RegClass::Int));
            let low = self.slots.size as i32 - self.slots.big_align as i32;
            ctx.emit(MInst::Lea {
                src: Amode::imm_reg(-low, regs::RBP),
                dst: w(t),
            });
            ctx.emit(MInst::AluRI {
                op: AluOp::And,
                size: OperandSize::S64,
                src1: t,
                imm: -(self.slots.big_align as i32),
                dst: w(g),
            });
        }
        for l in loads {
            ctx.emit(l);
        }
        Ok(())
    }

    fn gen_jump(&mut self, target: Label) -> MInst {
        MInst::Jmp { target }
    }
}

impl IsleContext<'_, '_, '_> {
    fn out(&mut self, inst: Inst, regs: ValueRegs) {
        let results = self.lower.func.dfg.inst_results(inst);
        match results.len() {
            0 => {}
            1 => self.lower.set_output(results[0], regs),
            _ => {
                // Two single-register results (overflow flags, isplit).
                for (&v, &r) in results.iter().zip(regs.regs()) {
                    self.lower.set_output(v, ValueRegs::one(r));
                }
            }
        }
    }

    fn lower_one(&mut self, inst: Inst) -> Result<(), LowerError> {
        let func = self.lower.func;
        let dfg = &func.dfg;
        let data = dfg.insts[inst];
        let op = data.opcode();
        let ctrl = dfg.ctrl_typevar(inst);
        let unsupported = || not_lowered(format!("{} {}", op.info().name, ctrl.name()));
        let cty = ty_of(ctrl);
        match data {
            InstructionData::Binary { args: [a, b], .. } => {
                if op == Opcode::Iconcat {
                    let half = dfg.value_type(a).bits();
                    let lo = self.put_in_gpr(a);
                    let hi = self.put_in_gpr(b);
                    if half == 64 {
                        self.out(inst, ValueRegs::two(lo.to_reg(), hi.to_reg()));
                    } else {
                        // zext(lo) | hi << half, in one register.
                        let size = OperandSize::from_bits(half).unwrap_or(OperandSize::S32);
                        let l = self.movzx(size, lo);
                        let h = self.shift_i(OperandSize::S64, ShiftOp::Shl, hi, half as u8);
                        let r = self.alu_rr(OperandSize::S64, AluOp::Or, l, h);
                        self.out(inst, ValueRegs::one(r.to_reg()));
                    }
                    return Ok(());
                }
                let ty = cty.ok_or_else(unsupported)?;
                let r = generated::constructor_lower_binary(self, op, ty, a, b)
                    .ok_or_else(unsupported)?;
                self.out(inst, r);
            }
            InstructionData::BinaryImm64 { arg, imm, .. } => {
                let ty = cty.ok_or_else(unsupported)?;
                let r = generated::constructor_lower_binary_imm(self, op, ty, arg, imm.bits())
                    .ok_or_else(unsupported)?;
                self.out(inst, r);
            }
            InstructionData::Unary { arg, .. } => {
                if op == Opcode::Isplit {
                    let bits = dfg.value_type(arg).bits();
                    let r = self.regs(arg);
                    if bits == 128 {
                        self.out(inst, r);
                    } else {
                        let x = Gpr::unwrap_new(r.regs()[0]);
                        let size = OperandSize::from_bits(bits).unwrap_or(OperandSize::S64);
                        let hi = self.shift_i(size, ShiftOp::Shr, x, (bits / 2) as u8);
                        self.out(inst, ValueRegs::two(x.to_reg(), hi.to_reg()));
                    }
                    return Ok(());
                }
                let to = dfg.value_type(dfg.first_result(inst));
                let from = dfg.value_type(arg);
                if op == Opcode::Bitcast && (to.is_vector() || from.is_vector()) {
                    let r = self.bitcast_128(to, from, arg)?;
                    self.out(inst, r);
                    return Ok(());
                }
                let (Some(to), Some(from)) = (ty_of(to), ty_of(from)) else {
                    return Err(unsupported());
                };
                let r = generated::constructor_lower_unary(self, op, to, from, arg)
                    .ok_or_else(unsupported)?;
                self.out(inst, r);
            }
            InstructionData::UnaryImm { imm, .. } => {
                let ty = cty.ok_or_else(unsupported)?;
                if matches!(ty, Ty::I128) {
                    // The 64-bit immediate sign-extended, as the interpreter reads it.
                    let p = self.imm128(imm.bits());
                    self.out(inst, Self::out_pair(p));
                } else {
                    let g = self.iconst_gpr(ty, imm.bits());
                    self.out(inst, ValueRegs::one(g.to_reg()));
                }
            }
            InstructionData::UnaryIeee32 { imm, .. } => {
                let g = self.mov_imm(OperandSize::S32, imm.bits() as u64);
                let x = self.xmm();
                let avx = self.avx();
                self.emit(MInst::MovToXmm {
                    src: GprMem32::Reg(g).into(),
                    dst: w(x),
                    avx,
                });
                self.out(inst, ValueRegs::one(x.to_reg()));
            }
            InstructionData::UnaryIeee64 { imm, .. } => {
                let g = self.mov_imm(OperandSize::S64, imm.bits());
                let x = self.xmm();
                let avx = self.avx();
                self.emit(MInst::MovToXmm {
                    src: GprMem64::Reg(g).into(),
                    dst: w(x),
                    avx,
                });
                self.out(inst, ValueRegs::one(x.to_reg()));
            }
            InstructionData::Ternary {
                args: [c, x, y], ..
            } => match op {
                Opcode::Select | Opcode::SelectSpectreGuard => self.select(inst, c, x, y)?,
                Opcode::Fma => {
                    let ty = cty.ok_or_else(unsupported)?;
                    let r = generated::constructor_lower_fma(self, ty, c, x, y);
                    self.out(inst, r);
                }
                _ => return Err(unsupported()),
            },
            InstructionData::IntCompare { .. }
            | InstructionData::IntCompareImm { .. }
            | InstructionData::FloatCompare { .. } => {
                let c = dfg.first_result(inst);
                let t = generated::constructor_lower_compare(self, c);
                self.out(inst, ValueRegs::one(t.to_reg()));
            }
            InstructionData::Load {
                flags, arg, offset, ..
            } => {
                let trap = (!flags.notrap()).then(|| flags.trap_code());
                let a = self.amode(arg, offset.bits());
                let r = if flags.big_endian() {
                    self.load_big(op, ctrl, a, trap)?
                } else {
                    self.load(op, ctrl, a, trap)?
                };
                self.out(inst, r);
            }
            InstructionData::Store {
                flags,
                args: [x, p],
                offset,
                ..
            } => {
                let trap = (!flags.notrap()).then(|| flags.trap_code());
                let a = self.amode(p, offset.bits());
                if flags.big_endian() {
                    self.store_big(op, x, a, trap)?;
                } else {
                    self.store(op, x, a, trap)?;
                }
            }
            InstructionData::StackLoad {
                stack_slot, offset, ..
            } => {
                let a = self.slot_amode(stack_slot, offset.bits());
                if op == Opcode::StackAddr {
                    let dst = self.gpr();
                    self.emit(MInst::Lea {
                        src: a,
                        dst: w(dst),
                    });
                    self.out(inst, ValueRegs::one(dst.to_reg()));
                    return Ok(());
                }
                let r = self.load(Opcode::Load, ctrl, a, None)?;
                self.out(inst, r);
            }
            InstructionData::StackStore {
                arg,
                stack_slot,
                offset,
                ..
            } => {
                let a = self.slot_amode(stack_slot, offset.bits());
                self.store(Opcode::Store, arg, a, None)?;
            }
            InstructionData::Jump { .. } => {
                let target = self.lower.succ_label(0);
                self.emit(MInst::Jmp { target });
            }
            InstructionData::Brif { arg, .. } => {
                let taken = self.lower.succ_label(0);
                let not_taken = self.lower.succ_label(1);
                generated::constructor_lower_brif(self, arg, taken, not_taken);
            }
            InstructionData::BranchTable { arg, .. } => {
                let n = dfg.branch_destinations(inst).len();
                if n == 1 {
                    let target = self.lower.succ_label(0);
                    self.emit(MInst::Jmp { target });
                    return Ok(());
                }
                let x = self.put_in_gpr(arg);
                let idx = self.movzx(OperandSize::S32, x);
                let targets: Vec<Label> = (1..n).map(|i| self.lower.succ_label(i)).collect();
                let default = self.lower.succ_label(0);
                let tmp1 = self.gpr();
                let tmp2 = self.gpr();
                self.emit(MInst::BrTable {
                    idx,
                    tmp1: w(tmp1),
                    tmp2: w(tmp2),
                    default,
                    targets: targets.into_boxed_slice(),
                });
            }
            InstructionData::MultiAry { args, .. } => {
                // `return`.
                let vals: Vec<Value> = dfg.value_lists.get(args).to_vec();
                self.ret(&vals)?;
            }
            InstructionData::Call { func_ref, args, .. } => {
                let ext = &dfg.ext_funcs[func_ref];
                let sig = &dfg.signatures[ext.signature];
                let vals: Vec<Value> = dfg.value_lists.get(args).to_vec();
                // A colocated callee is within rel32 reach; any other may be anywhere.
                let target = if ext.colocated {
                    CallTarget::Known(RelocTarget::Func(func_ref))
                } else {
                    let addr = self.gpr();
                    self.emit(MInst::LoadFuncAddr {
                        target: RelocTarget::Func(func_ref),
                        dst: w(addr),
                    });
                    CallTarget::Reg(addr)
                };
                self.call(inst, sig, target, &vals)?;
            }
            InstructionData::CallIndirect { sig_ref, args, .. } => {
                let sig = &dfg.signatures[sig_ref];
                let vals: Vec<Value> = dfg.value_lists.get(args).to_vec();
                let callee = self.put_in_gpr(vals[0]);
                self.call(inst, sig, CallTarget::Reg(callee), &vals[1..])?;
            }
            InstructionData::FuncAddr { func_ref, .. } => {
                let dst = self.gpr();
                self.emit(MInst::LoadFuncAddr {
                    target: RelocTarget::Func(func_ref),
                    dst: w(dst),
                });
                self.out(inst, ValueRegs::one(dst.to_reg()));
            }
            InstructionData::Trap { code, .. } => self.emit(MInst::Ud2 { code }),
            InstructionData::CondTrap { arg, code, .. } => {
                let cc = self.lower_cond(arg);
                let cc = if op == Opcode::Trapz { cc.invert() } else { cc };
                self.emit(MInst::TrapIf { cc, code });
            }
            InstructionData::IntAddTrap {
                args: [a, b], code, ..
            } => {
                let ty = cty.ok_or_else(unsupported)?;
                if bits(&ty) > 64 {
                    return Err(unsupported());
                }
                let x = self.put_in_gpr(a);
                let y = self.put_in_gpr(b);
                let r = self.alu_rr(size_of(&ty), AluOp::Add, x, y);
                self.emit(MInst::TrapIf { cc: CC::B, code });
                self.out(inst, ValueRegs::one(r.to_reg()));
            }
        }
        Ok(())
    }

    /// `bitcast` involving a 128-bit vector: the same register between vector types;
    /// to and from `i128` through the two quadword halves.
    fn bitcast_128(&mut self, to: Type, from: Type, arg: Value) -> Result<ValueRegs, LowerError> {
        let avx = self.avx();
        if to.is_vector() && from.is_vector() {
            return Ok(self.regs(arg));
        }
        if to.is_vector() && from == types::I128 {
            let (lo, hi) = self.pair(arg);
            let mut halves = [self.xmm(), self.xmm()];
            for (x, g) in halves.iter_mut().zip([lo, hi]) {
                self.emit(MInst::MovToXmm {
                    src: GprMem64::Reg(g).into(),
                    dst: w(*x),
                    avx,
                });
            }
            let dst = self.xmm();
            self.emit(MInst::XmmRmR128 {
                op: SseOp128::Punpcklqdq,
                src1: halves[0],
                src2: halves[1].into(),
                dst: w(dst),
                avx,
            });
            return Ok(ValueRegs::one(dst.to_reg()));
        }
        if from.is_vector() && to == types::I128 {
            let x = self.put_in_xmm(arg);
            let high = self.xmm();
            self.emit(MInst::XmmRmR128 {
                op: SseOp128::Punpckhqdq,
                src1: x,
                src2: x.into(),
                dst: w(high),
                avx,
            });
            let (lo, hi) = (self.gpr(), self.gpr());
            for (g, src) in [(lo, x), (hi, high)] {
                self.emit(MInst::MovFromXmm {
                    size: OperandSize::S64,
                    src,
                    dst: w(g),
                    avx,
                });
            }
            return Ok(ValueRegs::two(lo.to_reg(), hi.to_reg()));
        }
        Err(not_lowered(format!(
            "bitcast.{} of {}",
            to.name(),
            from.name()
        )))
    }

    fn select(&mut self, inst: Inst, c: Value, x: Value, y: Value) -> Result<(), LowerError> {
        let r = generated::constructor_lower_select(self, c, x, y);
        self.out(inst, r);
        Ok(())
    }

    /// `cc ? x : r` register by register, where `r` holds a value of `x`'s type (for
    /// floats and vectors a conditional whole-register move, for integers `cmov`).
    pub(super) fn cmove_regs(&mut self, cc: CC, x: Value, r: ValueRegs) -> ValueRegs {
        let ty = self.value_ty(x);
        let rx = self.regs(x);
        if ty.is_float() || ty.is_vector() {
            let dst = self.xmm();
            self.emit(MInst::XmmCmove {
                cc,
                consequent: Xmm::unwrap_new(rx.regs()[0]),
                alternative: Xmm::unwrap_new(r.regs()[0]),
                dst: w(dst),
            });
            return ValueRegs::one(dst.to_reg());
        }
        // cmov has no byte form; 16-bit values use the 32-bit form too.
        let size = match ty_of(ty).map(|t| size_of(&t)) {
            Some(OperandSize::S64) | None => OperandSize::S64,
            _ => OperandSize::S32,
        };
        let mut out = [rx.regs()[0]; 2];
        for (k, (&a, &b)) in rx.regs().iter().zip(r.regs()).enumerate() {
            out[k] = self
                .cmove(size, cc, Gpr::unwrap_new(a), Gpr::unwrap_new(b))
                .to_reg();
        }
        if rx.regs().len() == 2 {
            ValueRegs::two(out[0], out[1])
        } else {
            ValueRegs::one(out[0])
        }
    }
}

/// `rsp`/`rbp` are never allocated.
pub fn is_frame_reg(p: PReg) -> bool {
    p == preg_of(regs::RSP) || p == preg_of(regs::RBP)
}
