//! Glue between the lowering rules (`prelude.isle`, `lower.isle`) and the driver: the
//! generated `Context` trait implemented over [`Lower`], plus the instructions whose shape is
//! mostly ABI or control flow (constants, memory, compares, branches, calls, returns, traps).
//!
//! Register convention: a value narrower than its register has undefined upper bits; every
//! instruction that depends on them (compares, divisions, right shifts, extensions, bit
//! counts, conversions) works at the value's width or extends first.

#![allow(missing_docs)]

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
    pub lower: &'l mut Lower<'f, MInst>,
    pub x: &'l mut X64Lower<'a>,
}

impl IsleContext<'_, '_, '_> {
    fn gpr(&mut self) -> Gpr {
        Gpr::unwrap_new(self.lower.alloc_vreg(RegClass::Int))
    }

    fn xmm(&mut self) -> Xmm {
        Xmm::unwrap_new(self.lower.alloc_vreg(RegClass::Float))
    }

    fn fail(&mut self, what: impl Into<String>) {
        if self.x.error.is_none() {
            self.x.error = Some(not_lowered(what));
        }
    }

    fn emit(&mut self, i: MInst) {
        if i.mem_access().is_some() {
            if let Some(code) = self.x.pending_trap.take() {
                self.lower.emit_trap(i, code);
                return;
            }
        }
        self.lower.emit(i);
    }

    fn avx(&self) -> bool {
        self.x.flags.has_avx
    }

    fn value_ty(&self, v: Value) -> Type {
        self.lower.func.dfg.value_type(v)
    }

    fn regs(&mut self, v: Value) -> ValueRegs {
        self.lower.put_value_in_regs(v)
    }

    fn mov_imm(&mut self, size: OperandSize, imm: u64) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovImm {
            size: if size == OperandSize::S64 {
                OperandSize::S64
            } else {
                OperandSize::S32
            },
            imm,
            dst: w(dst),
        });
        dst
    }

    fn movzx(&mut self, size: OperandSize, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovzxRmR {
            src: gm(size, src),
            dst: w(dst),
        });
        dst
    }

    fn movsx(&mut self, size: OperandSize, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovsxRmR {
            src: gm(size, src),
            dst_size: OperandSize::S64,
            dst: w(dst),
        });
        dst
    }

    fn setcc(&mut self, cc: CC) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::Setcc { cc, dst: w(dst) });
        dst
    }

    fn alu_rr(&mut self, size: OperandSize, op: AluOp, a: Gpr, b: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::AluRmR {
            op,
            src1: a,
            src2: gm(size, b),
            dst: w(dst),
        });
        dst
    }

    fn alu_ri(&mut self, size: OperandSize, op: AluOp, a: Gpr, imm: i32) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::AluRI {
            op,
            size,
            src1: a,
            imm,
            dst: w(dst),
        });
        dst
    }

    fn shift_i(&mut self, size: OperandSize, op: ShiftOp, a: Gpr, k: u8) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::Shift {
            op,
            size,
            src: a,
            amount: ShiftAmount::Imm(k),
            dst: w(dst),
        });
        dst
    }

    fn cmove(&mut self, size: OperandSize, cc: CC, yes: Gpr, no: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::Cmove {
            cc,
            consequent: wide(size, yes),
            alternative: no,
            dst: w(dst),
        });
        dst
    }

    fn bit_op(&mut self, size: OperandSize, op: BitOp, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::BitRmR {
            op,
            src: wide(size, src),
            dst: w(dst),
        });
        dst
    }

    fn zero_xmm(&mut self) -> Xmm {
        let g = self.mov_imm(OperandSize::S32, 0);
        let x = self.xmm();
        self.emit(MInst::MovToXmm {
            src: GprMem32::Reg(g).into(),
            dst: w(x),
            avx: self.avx(),
        });
        x
    }

    /// `clz` at `bits` (32 or 64) of a register whose value fits that width.
    fn clz_wide(&mut self, size: OperandSize, x: Gpr) -> Gpr {
        let width = size.bytes() * 8;
        if self.x.flags.has_lzcnt {
            return self.bit_op(size, BitOp::Lzcnt, x);
        }
        let t = self.bit_op(size, BitOp::Bsr, x);
        let m1 = self.mov_imm(OperandSize::S64, u64::MAX);
        let t = self.cmove(OperandSize::S64, CC::Z, m1, t);
        let r = self.mov_imm(OperandSize::S32, (width - 1) as u64);
        self.alu_rr(OperandSize::S64, AluOp::Sub, r, t)
    }

    fn clz(&mut self, ty: &Ty, x: Gpr) -> Gpr {
        match ty {
            Ty::I8 | Ty::I16 => {
                let z = self.movzx(size_of(ty), x);
                let c = self.clz_wide(OperandSize::S32, z);
                self.alu_ri(OperandSize::S32, AluOp::Sub, c, 32 - bits(ty) as i32)
            }
            _ => self.clz_wide(size_of(ty), x),
        }
    }

    fn popcnt_fallback(&mut self, x: Gpr) -> Gpr {
        // SWAR on 64 bits (x is zero-extended).
        let s = OperandSize::S64;
        let c55 = self.mov_imm(s, 0x5555_5555_5555_5555);
        let c33 = self.mov_imm(s, 0x3333_3333_3333_3333);
        let c0f = self.mov_imm(s, 0x0f0f_0f0f_0f0f_0f0f);
        let c01 = self.mov_imm(s, 0x0101_0101_0101_0101);
        let t = self.shift_i(s, ShiftOp::Shr, x, 1);
        let t = self.alu_rr(s, AluOp::And, t, c55);
        let x = self.alu_rr(s, AluOp::Sub, x, t);
        let a = self.alu_rr(s, AluOp::And, x, c33);
        let b = self.shift_i(s, ShiftOp::Shr, x, 2);
        let b = self.alu_rr(s, AluOp::And, b, c33);
        let x = self.alu_rr(s, AluOp::Add, a, b);
        let t = self.shift_i(s, ShiftOp::Shr, x, 4);
        let x = self.alu_rr(s, AluOp::Add, x, t);
        let x = self.alu_rr(s, AluOp::And, x, c0f);
        let dst = self.gpr();
        self.emit(MInst::ImulRmR {
            src1: x,
            src2: GprMem64::Reg(c01).into(),
            dst: w(dst),
        });
        self.shift_i(s, ShiftOp::Shr, dst, 56)
    }

    fn swap_bits(&mut self, x: Gpr, k: u8, mask: u64) -> Gpr {
        let s = OperandSize::S64;
        let m = self.mov_imm(s, mask);
        let a = self.shift_i(s, ShiftOp::Shr, x, k);
        let a = self.alu_rr(s, AluOp::And, a, m);
        let b = self.alu_rr(s, AluOp::And, x, m);
        let b = self.shift_i(s, ShiftOp::Shl, b, k);
        self.alu_rr(s, AluOp::Or, a, b)
    }

    /// The address `v + offset`, folding `base + index << k` (k <= 3) when `v` is an `iadd`.
    fn amode(&mut self, v: Value, offset: i32) -> Amode {
        let func = self.lower.func;
        if let Some(i) = self.lower.def_inst(v) {
            if let InstructionData::Binary {
                opcode: Opcode::Iadd,
                args: [a, b],
            } = func.dfg.insts[i]
            {
                if func.dfg.value_type(a) == types::I64 {
                    if let Some(j) = self.lower.def_inst(b) {
                        if let InstructionData::BinaryImm64 {
                            opcode: Opcode::IshlImm,
                            arg,
                            imm,
                        } = func.dfg.insts[j]
                        {
                            let k = imm.bits() & 63;
                            if k <= 3 {
                                let scale =
                                    [Scale::One, Scale::Two, Scale::Four, Scale::Eight][k as usize];
                                let base = self.put_in_gpr(a);
                                let index = self.put_in_gpr(arg);
                                return Amode::imm_reg_reg_shift(offset, base, index, scale);
                            }
                        }
                    }
                    let base = self.put_in_gpr(a);
                    let index = self.put_in_gpr(b);
                    return Amode::imm_reg_reg_shift(offset, base, index, Scale::One);
                }
            }
        }
        let base = self.put_in_gpr(v);
        Amode::imm_reg(offset, base)
    }

    fn load_amode(&mut self, load: Inst) -> (Amode, Option<TrapCode>) {
        match self.lower.func.dfg.insts[load] {
            InstructionData::Load {
                flags, arg, offset, ..
            } => {
                let trap = (!flags.notrap()).then(|| flags.trap_code());
                (self.amode(arg, offset.bits()), trap)
            }
            _ => unreachable!("sinkable loads are loads"),
        }
    }

    fn sinkable(&mut self, v: Value, bytes: u32) -> Option<Inst> {
        let i = self.lower.def_inst(v)?;
        let data = &self.lower.func.dfg.insts[i];
        if data.opcode() != Opcode::Load || self.value_ty(v).bytes() != bytes {
            return None;
        }
        if data.memflags().is_some_and(|f| f.big_endian()) {
            return None;
        }
        self.lower.can_sink(i, v).then_some(i)
    }

    /// Emits a compare for the condition `c != 0` (rules `lower_cond`) and returns it.
    pub fn lower_cond(&mut self, c: Value) -> CC {
        generated::constructor_lower_cond(self, c)
    }

    fn compare_def(&self, c: Value) -> Option<InstructionData> {
        let i = self.lower.def_inst(c)?;
        Some(self.lower.func.dfg.insts[i])
    }

    fn int_compare(&mut self, cond: IntCC, a: Value, b: CmpRhs) -> CC {
        let ty = ty_of(self.value_ty(a)).unwrap_or(Ty::I64);
        let size = size_of(&ty);
        let x = self.put_in_gpr(a);
        match b {
            CmpRhs::Imm(k) => {
                let width = bits(&ty);
                let k = if width >= 64 {
                    k
                } else {
                    (k << (64 - width)) >> (64 - width)
                };
                match i32::try_from(k) {
                    Ok(k) => self.emit(MInst::CmpRmI {
                        lhs: gm(size, x),
                        imm: k,
                    }),
                    Err(_) => {
                        let t = self.mov_imm(size, k as u64);
                        self.emit(MInst::CmpRmR {
                            lhs: x,
                            rhs: gm(size, t),
                        })
                    }
                }
            }
            CmpRhs::Val(b) => {
                let y = self.put_in_gpr(b);
                self.emit(MInst::CmpRmR {
                    lhs: x,
                    rhs: gm(size, y),
                });
            }
        }
        CC::from_intcc(cond)
    }

    fn ucomis(&mut self, a: Value, b: Value) {
        let x = self.put_in_xmm(a);
        let y = self.put_in_xmm(b);
        let avx = self.avx();
        if self.value_ty(a) == types::F32 {
            self.emit(MInst::Ucomiss {
                lhs: x,
                rhs: y.into(),
                avx,
            });
        } else {
            self.emit(MInst::Ucomisd {
                lhs: x,
                rhs: y.into(),
                avx,
            });
        }
    }

    /// The 0/1 value of the `fcmp` defining `c`.
    fn float_compare_value(&mut self, c: Value, cond: FloatCC, a: Value, b: Value) -> Gpr {
        if !matches!(cond, FloatCC::Equal | FloatCC::NotEqual) {
            let cc = self.lower_cond(c);
            return self.setcc(cc);
        }
        self.ucomis(a, b);
        let (c1, c2, op) = if cond == FloatCC::Equal {
            (CC::Z, CC::NP, AluOp::And)
        } else {
            (CC::NZ, CC::P, AluOp::Or)
        };
        let t1 = self.setcc(c1);
        let t2 = self.setcc(c2);
        self.alu_rr(OperandSize::S8, op, t1, t2)
    }

    fn pair(&mut self, v: Value) -> (Gpr, Gpr) {
        let r = self.regs(v);
        match r.regs() {
            [lo, hi] => (Gpr::unwrap_new(*lo), Gpr::unwrap_new(*hi)),
            _ => {
                self.fail("i128 value in one register");
                let g = Gpr::unwrap_new(r.regs()[0]);
                (g, g)
            }
        }
    }

    /// A 64-bit immediate sign-extended to 128 bits.
    fn imm128(&mut self, k: i64) -> (Gpr, Gpr) {
        let lo = self.mov_imm(OperandSize::S64, k as u64);
        let hi = self.mov_imm(OperandSize::S64, (k >> 63) as u64);
        (lo, hi)
    }

    fn out_pair(p: (Gpr, Gpr)) -> ValueRegs {
        ValueRegs::two(p.0.to_reg(), p.1.to_reg())
    }

    fn mul128(&mut self, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> (Gpr, Gpr) {
        let lo = self.gpr();
        let h0 = self.gpr();
        self.emit(MInst::Mul {
            signed: false,
            src1: a.0,
            src2: gm(OperandSize::S64, b.0),
            dst_lo: w(lo),
            dst_hi: w(h0),
        });
        let t1 = self.imul(Ty::I64, a.0, b.1);
        let t2 = self.imul(Ty::I64, a.1, b.0);
        let h1 = self.alu_rr(OperandSize::S64, AluOp::Add, h0, t1);
        (lo, self.alu_rr(OperandSize::S64, AluOp::Add, h1, t2))
    }

    /// A 128-bit shift by `n` (taken modulo 128): 64-bit shifts of both halves by `n & 63`,
    /// then the halves move over when bit 6 of `n` is set.
    fn shift128(&mut self, op: ShiftOp, x: (Gpr, Gpr), n: Gpr) -> (Gpr, Gpr) {
        let s = OperandSize::S64;
        let (lo, hi) = x;
        let dshift = |c: &mut Self, op, a: Gpr, b: Gpr| {
            let dst = c.gpr();
            c.emit(MInst::DoubleShift {
                op,
                size: s,
                src1: a,
                src2: b,
                amount: ShiftAmount::Cl(n),
                dst: w(dst),
            });
            dst
        };
        let shift = |c: &mut Self, op, a: Gpr| {
            let dst = c.gpr();
            c.emit(MInst::Shift {
                op,
                size: s,
                src: a,
                amount: ShiftAmount::Cl(n),
                dst: w(dst),
            });
            dst
        };
        match op {
            ShiftOp::Shl => {
                let lo1 = shift(self, ShiftOp::Shl, lo);
                let hi1 = dshift(self, DoubleShiftOp::Shld, hi, lo);
                let zero = self.mov_imm(OperandSize::S32, 0);
                self.emit(MInst::TestRmI {
                    lhs: gm(s, n),
                    imm: 64,
                });
                let hi2 = self.cmove(s, CC::NZ, lo1, hi1);
                let lo2 = self.cmove(s, CC::NZ, zero, lo1);
                (lo2, hi2)
            }
            ShiftOp::Shr | ShiftOp::Sar => {
                let lo1 = dshift(self, DoubleShiftOp::Shrd, lo, hi);
                let hi1 = shift(self, op, hi);
                let fill = if op == ShiftOp::Sar {
                    self.shift_i(s, ShiftOp::Sar, hi, 63)
                } else {
                    self.mov_imm(OperandSize::S32, 0)
                };
                self.emit(MInst::TestRmI {
                    lhs: gm(s, n),
                    imm: 64,
                });
                let lo2 = self.cmove(s, CC::NZ, hi1, lo1);
                let hi2 = self.cmove(s, CC::NZ, fill, hi1);
                (lo2, hi2)
            }
            ShiftOp::Rol | ShiftOp::Ror => {
                let m = self.neg(Ty::I64, n);
                let (first, second) = if op == ShiftOp::Rol {
                    (ShiftOp::Shl, ShiftOp::Shr)
                } else {
                    (ShiftOp::Shr, ShiftOp::Shl)
                };
                let a = self.shift128(first, x, n);
                let b = self.shift128(second, x, m);
                (
                    self.alu_rr(s, AluOp::Or, a.0, b.0),
                    self.alu_rr(s, AluOp::Or, a.1, b.1),
                )
            }
        }
    }

    /// Division, high multiplication and min/max of 128-bit pairs.
    fn i128_op(&mut self, op: Opcode, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> ValueRegs {
        let s = OperandSize::S64;
        let minmax = |c: &mut Self, cc: CC, swap: bool| {
            let ((xl, xh), (yl, yh)) = if swap { (b, a) } else { (a, b) };
            // Flags of x - y over 128 bits.
            c.emit(MInst::CmpRmR {
                lhs: xl,
                rhs: gm(s, yl),
            });
            let _ = c.alu_rr(s, AluOp::Sbb, xh, yh);
            let l = c.cmove(s, cc, a.0, b.0);
            let h = c.cmove(s, cc, a.1, b.1);
            Self::out_pair((l, h))
        };
        let lib = match op {
            Opcode::Smin => return minmax(self, CC::L, false),
            Opcode::Umin => return minmax(self, CC::B, false),
            Opcode::Smax => return minmax(self, CC::L, true),
            Opcode::Umax => return minmax(self, CC::B, true),
            Opcode::Umulhi => LibCall::UmulhiI128,
            Opcode::Smulhi => LibCall::SmulhiI128,
            Opcode::Udiv => LibCall::UdivI128,
            Opcode::Sdiv => LibCall::SdivI128,
            Opcode::Urem => LibCall::UremI128,
            Opcode::Srem => LibCall::SremI128,
            _ => {
                self.fail(format!("{} i128", op.info().name));
                return Self::out_pair(a);
            }
        };
        if matches!(
            op,
            Opcode::Udiv | Opcode::Sdiv | Opcode::Urem | Opcode::Srem
        ) {
            let t = self.alu_rr(s, AluOp::Or, b.0, b.1);
            let _ = t;
            self.emit(MInst::TrapIf {
                cc: CC::Z,
                code: TrapCode::IntegerDivisionByZero,
            });
        }
        if op == Opcode::Sdiv {
            // MIN / -1 overflows: b == -1 (both halves all ones) and a == MIN.
            let m1 = self.alu_rr(s, AluOp::And, b.0, b.1);
            self.emit(MInst::CmpRmI {
                lhs: gm(s, m1),
                imm: -1,
            });
            let t1 = self.setcc(CC::Z);
            let min = self.mov_imm(s, 1 << 63);
            let h = self.alu_rr(s, AluOp::Xor, a.1, min);
            let _ = self.alu_rr(s, AluOp::Or, h, a.0);
            let t2 = self.setcc(CC::Z);
            let _ = self.alu_rr(OperandSize::S8, AluOp::And, t1, t2);
            self.emit(MInst::TrapIf {
                cc: CC::NZ,
                code: TrapCode::IntegerOverflow,
            });
        }
        let args = [Self::out_pair(a), Self::out_pair(b)];
        self.libcall(lib, &args)
    }

    fn clz128(&mut self, lo: Gpr, hi: Gpr) -> Gpr {
        let ch = self.clz_wide(OperandSize::S64, hi);
        let cl = self.clz_wide(OperandSize::S64, lo);
        let cl = self.alu_ri(OperandSize::S64, AluOp::Add, cl, 64);
        self.emit(MInst::TestRmR {
            lhs: gm(OperandSize::S64, hi),
            rhs: hi,
        });
        self.cmove(OperandSize::S64, CC::Z, cl, ch)
    }

    fn i128_compare(&mut self, cond: IntCC, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> Gpr {
        let (alo, ahi) = a;
        let (blo, bhi) = b;
        let s = OperandSize::S64;
        use IntCC as I;
        match cond {
            I::Equal | I::NotEqual => {
                let l = self.alu_rr(s, AluOp::Xor, alo, blo);
                let h = self.alu_rr(s, AluOp::Xor, ahi, bhi);
                let _ = self.alu_rr(s, AluOp::Or, l, h);
                self.setcc(if cond == I::Equal { CC::Z } else { CC::NZ })
            }
            _ => {
                // x < y  <=>  borrow/sign of (x - y) over 128 bits.
                let (swap, cc) = match cond {
                    I::SignedLessThan => (false, CC::L),
                    I::SignedGreaterThanOrEqual => (false, CC::NL),
                    I::SignedGreaterThan => (true, CC::L),
                    I::SignedLessThanOrEqual => (true, CC::NL),
                    I::UnsignedLessThan => (false, CC::B),
                    I::UnsignedGreaterThanOrEqual => (false, CC::NB),
                    I::UnsignedGreaterThan => (true, CC::B),
                    _ => (true, CC::NB),
                };
                let (xl, xh, yl, yh) = if swap {
                    (blo, bhi, alo, ahi)
                } else {
                    (alo, ahi, blo, bhi)
                };
                self.emit(MInst::CmpRmR {
                    lhs: xl,
                    rhs: gm(s, yl),
                });
                let _ = self.alu_rr(s, AluOp::Sbb, xh, yh);
                self.setcc(cc)
            }
        }
    }
}

/// The right-hand side of an integer compare.
#[derive(Clone, Copy)]
enum CmpRhs {
    Val(Value),
    Imm(i64),
}

impl generated::Context for IsleContext<'_, '_, '_> {
    fn put_in_gpr(&mut self, v: Value) -> Gpr {
        let r = self.regs(v);
        Gpr::new(r.regs()[0]).unwrap_or_else(|| {
            self.fail("float value used as an integer");
            Gpr::unwrap_new(Reg::virt(0, RegClass::Int))
        })
    }
    fn put_in_xmm(&mut self, v: Value) -> Xmm {
        let r = self.regs(v);
        Xmm::new(r.regs()[0]).unwrap_or_else(|| {
            self.fail("integer value used as a float");
            Xmm::unwrap_new(Reg::virt(0, RegClass::Float))
        })
    }
    fn value_lo(&mut self, v: Value) -> Gpr {
        self.put_in_gpr(v)
    }
    fn value_hi(&mut self, v: Value) -> Gpr {
        let r = self.regs(v);
        match r.regs() {
            [_, hi] => Gpr::unwrap_new(*hi),
            _ => {
                self.fail("high half of a single-register value");
                Gpr::unwrap_new(r.regs()[0])
            }
        }
    }
    fn gpr_out(&mut self, g: Gpr) -> ValueRegs {
        ValueRegs::one(g.to_reg())
    }
    fn xmm_out(&mut self, x: Xmm) -> ValueRegs {
        ValueRegs::one(x.to_reg())
    }
    fn pair_out(&mut self, lo: Gpr, hi: Gpr) -> ValueRegs {
        ValueRegs::two(lo.to_reg(), hi.to_reg())
    }
    fn two_out(&mut self, a: Gpr, b: Gpr) -> ValueRegs {
        ValueRegs::two(a.to_reg(), b.to_reg())
    }
    fn gpr_mem(&mut self, ty: Ty, g: Gpr) -> AnyGprMem {
        gm(size_of(&ty), g)
    }
    fn mem32_gpr(&mut self, m: Mem32) -> AnyGprMem {
        GprMem32::Mem(m).into()
    }
    fn mem64_gpr(&mut self, m: Mem64) -> AnyGprMem {
        GprMem64::Mem(m).into()
    }
    fn xmm_mem32(&mut self, x: Xmm) -> XmmMem32 {
        x.into()
    }
    fn mem_xmm32(&mut self, m: Mem32) -> XmmMem32 {
        m.into()
    }
    fn xmm_mem64(&mut self, x: Xmm) -> XmmMem64 {
        x.into()
    }
    fn mem_xmm64(&mut self, m: Mem64) -> XmmMem64 {
        m.into()
    }
    fn xmm_mem128(&mut self, x: Xmm) -> XmmMem128 {
        x.into()
    }
    fn sinkable_load32(&mut self, v: Value) -> Option<SinkLoad32> {
        self.sinkable(v, 4).map(SinkLoad32)
    }
    fn sinkable_load64(&mut self, v: Value) -> Option<SinkLoad64> {
        self.sinkable(v, 8).map(SinkLoad64)
    }
    fn sink_load32(&mut self, l: SinkLoad32) -> Mem32 {
        self.lower.sink_inst(l.0);
        let (a, trap) = self.load_amode(l.0);
        self.x.pending_trap = Some(trap);
        Mem32::new(a)
    }
    fn sink_load64(&mut self, l: SinkLoad64) -> Mem64 {
        self.lower.sink_inst(l.0);
        let (a, trap) = self.load_amode(l.0);
        self.x.pending_trap = Some(trap);
        Mem64::new(a)
    }
    fn simm32_of_value(&mut self, v: Value) -> Option<i32> {
        let i = self.lower.def_inst(v)?;
        if let InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } = self.lower.func.dfg.insts[i]
        {
            let ty = ty_of(self.value_ty(v))?;
            return self.imm_simm32(ty, imm.bits());
        }
        None
    }
    fn imm_simm32(&mut self, ty: Ty, k: i64) -> Option<i32> {
        let width = bits(&ty);
        if width > 64 {
            return None;
        }
        let k = if width == 64 {
            k
        } else {
            (k << (64 - width)) >> (64 - width)
        };
        i32::try_from(k).ok()
    }
    fn ty_bits(&mut self, ty: Ty) -> u32 {
        bits(&ty)
    }
    fn has_avx(&mut self) -> bool {
        self.x.flags.has_avx
    }
    fn has_sse41(&mut self) -> bool {
        self.x.flags.has_sse41
    }
    fn has_lzcnt(&mut self) -> bool {
        self.x.flags.has_lzcnt
    }
    fn has_bmi1(&mut self) -> bool {
        self.x.flags.has_bmi1
    }
    fn has_popcnt(&mut self) -> bool {
        self.x.flags.has_popcnt
    }
    fn has_fma(&mut self) -> bool {
        self.x.flags.has_fma
    }
    fn alu(&mut self, ty: Ty, op: AluOp, a: Gpr, b: AnyGprMem) -> Gpr {
        if bits(&ty) > 64 {
            self.fail(format!("{} i128", op.name()));
        }
        let dst = self.gpr();
        self.emit(MInst::AluRmR {
            op,
            src1: a,
            src2: b,
            dst: w(dst),
        });
        dst
    }
    fn alu_imm(&mut self, ty: Ty, op: AluOp, a: Gpr, k: i32) -> Gpr {
        if bits(&ty) > 64 {
            self.fail(format!("{} i128", op.name()));
        }
        self.alu_ri(size_of(&ty), op, a, k)
    }
    fn imul(&mut self, ty: Ty, a: Gpr, b: Gpr) -> Gpr {
        if bits(&ty) > 64 {
            self.fail("imul i128");
        }
        let dst = self.gpr();
        self.emit(MInst::ImulRmR {
            src1: a,
            src2: wide(size_of(&ty), b),
            dst: w(dst),
        });
        dst
    }
    fn imul_imm(&mut self, ty: Ty, a: Gpr, k: i32) -> Gpr {
        if bits(&ty) > 64 {
            self.fail("imul_imm i128");
        }
        let dst = self.gpr();
        self.emit(MInst::ImulRmRI {
            src: wide(size_of(&ty), a),
            imm: k,
            dst: w(dst),
        });
        dst
    }
    fn neg(&mut self, ty: Ty, a: Gpr) -> Gpr {
        if bits(&ty) > 64 {
            self.fail("ineg i128");
        }
        let dst = self.gpr();
        self.emit(MInst::Unary {
            op: UnaryOp::Neg,
            size: size_of(&ty),
            src: a,
            dst: w(dst),
        });
        dst
    }
    fn not(&mut self, ty: Ty, a: Gpr) -> Gpr {
        if bits(&ty) > 64 {
            self.fail("bnot i128");
        }
        let dst = self.gpr();
        self.emit(MInst::Unary {
            op: UnaryOp::Not,
            size: size_of(&ty),
            src: a,
            dst: w(dst),
        });
        dst
    }
    fn shift(&mut self, ty: Ty, op: ShiftOp, a: Gpr, amt: Gpr) -> Gpr {
        if bits(&ty) > 64 {
            self.fail(format!("{} i128", op.name()));
            return a;
        }
        let size = size_of(&ty);
        // x86 masks 8- and 16-bit shift counts to 5 bits, not to the width.
        let amt = if bits(&ty) < 32 && !matches!(op, ShiftOp::Rol | ShiftOp::Ror) {
            self.alu_ri(OperandSize::S32, AluOp::And, amt, bits(&ty) as i32 - 1)
        } else {
            amt
        };
        let dst = self.gpr();
        self.emit(MInst::Shift {
            op,
            size,
            src: a,
            amount: ShiftAmount::Cl(amt),
            dst: w(dst),
        });
        dst
    }
    fn shift_imm(&mut self, ty: Ty, op: ShiftOp, a: Gpr, k: i64) -> Gpr {
        if bits(&ty) > 64 {
            self.fail(format!("{}_imm i128", op.name()));
            return a;
        }
        let k = (k as u64 & (bits(&ty) as u64 - 1)) as u8;
        self.shift_i(size_of(&ty), op, a, k)
    }
    fn mul_hi(&mut self, ty: Ty, signed: bool, a: Gpr, b: Gpr) -> Gpr {
        match ty {
            Ty::I8 => {
                let (x, y) = if signed {
                    (
                        self.movsx(OperandSize::S8, a),
                        self.movsx(OperandSize::S8, b),
                    )
                } else {
                    (
                        self.movzx(OperandSize::S8, a),
                        self.movzx(OperandSize::S8, b),
                    )
                };
                let p = self.imul(Ty::I32, x, y);
                self.shift_i(OperandSize::S32, ShiftOp::Shr, p, 8)
            }
            Ty::I16 | Ty::I32 | Ty::I64 => {
                let lo = self.gpr();
                let hi = self.gpr();
                self.emit(MInst::Mul {
                    signed,
                    src1: a,
                    src2: gm(size_of(&ty), b),
                    dst_lo: w(lo),
                    dst_hi: w(hi),
                });
                hi
            }
            _ => {
                self.fail("umulhi/smulhi i128");
                a
            }
        }
    }
    fn div_rem(&mut self, ty: Ty, signed: bool, is_rem: bool, a: Gpr, b: Gpr) -> Gpr {
        let width = bits(&ty);
        if width > 64 {
            self.fail("division of i128");
            return a;
        }
        let size = size_of(&ty);
        self.emit(MInst::TestRmR {
            lhs: gm(size, b),
            rhs: b,
        });
        self.emit(MInst::TrapIf {
            cc: CC::Z,
            code: TrapCode::IntegerDivisionByZero,
        });
        let mut b = b;
        if signed && !is_rem {
            // MIN / -1 overflows.
            self.emit(MInst::CmpRmI {
                lhs: gm(size, b),
                imm: -1,
            });
            let t1 = self.setcc(CC::Z);
            let min = 1u64 << (width - 1);
            if width == 64 {
                let m = self.mov_imm(OperandSize::S64, min);
                self.emit(MInst::CmpRmR {
                    lhs: a,
                    rhs: gm(size, m),
                });
            } else {
                self.emit(MInst::CmpRmI {
                    lhs: gm(size, a),
                    imm: (-(min as i64)) as i32,
                });
            }
            let t2 = self.setcc(CC::Z);
            let _ = self.alu_rr(OperandSize::S8, AluOp::And, t1, t2);
            self.emit(MInst::TrapIf {
                cc: CC::NZ,
                code: TrapCode::IntegerOverflow,
            });
        } else if signed {
            // x srem -1 is 0, like x srem 1; dividing by 1 cannot fault.
            self.emit(MInst::CmpRmI {
                lhs: gm(size, b),
                imm: -1,
            });
            let one = self.mov_imm(OperandSize::S32, 1);
            b = self.cmove(OperandSize::S64, CC::Z, one, b);
        }
        // Bytes and halves divide as 32-bit values.
        let (size, a, b) = if width < 32 {
            if signed {
                let a = self.movsx(size, a);
                (OperandSize::S32, a, self.movsx(size, b))
            } else {
                let a = self.movzx(size, a);
                (OperandSize::S32, a, self.movzx(size, b))
            }
        } else {
            (size, a, b)
        };
        let hi = self.gpr();
        if signed {
            self.emit(MInst::SignExtendData {
                size,
                src: a,
                dst: w(hi),
            });
        } else {
            self.emit(MInst::MovImm {
                size: OperandSize::S32,
                imm: 0,
                dst: w(hi),
            });
        }
        let q = self.gpr();
        let r = self.gpr();
        self.emit(MInst::Div {
            signed,
            dividend_lo: a,
            dividend_hi: hi,
            divisor: gm(size, b),
            dst_quot: w(q),
            dst_rem: w(r),
        });
        if is_rem {
            r
        } else {
            q
        }
    }
    fn iconst_gpr(&mut self, ty: Ty, k: i64) -> Gpr {
        let width = bits(&ty).min(64);
        let v = if width == 64 {
            k as u64
        } else {
            k as u64 & ((1u64 << width) - 1)
        };
        self.mov_imm(size_of(&ty), v)
    }
    fn minmax(&mut self, ty: Ty, cc: CC, a: Gpr, b: Gpr) -> Gpr {
        if bits(&ty) > 64 {
            self.fail("min/max of i128");
            return a;
        }
        self.emit(MInst::CmpRmR {
            lhs: a,
            rhs: gm(size_of(&ty), b),
        });
        self.cmove(size_of(&ty), cc, a, b)
    }
    fn iabs(&mut self, ty: Ty, a: Gpr) -> Gpr {
        let n = self.neg(ty.clone(), a);
        self.cmove(size_of(&ty), CC::S, a, n)
    }
    fn overflow_op(&mut self, op: Opcode, ty: Ty, a: Gpr, b: Gpr) -> ValueRegs {
        if bits(&ty) > 64 {
            self.fail(format!("{} i128", op.info().name));
            return ValueRegs::two(a.to_reg(), a.to_reg());
        }
        let size = size_of(&ty);
        let (r, cc) = match op {
            Opcode::UaddOverflow => (self.alu_rr(size, AluOp::Add, a, b), CC::B),
            Opcode::SaddOverflow => (self.alu_rr(size, AluOp::Add, a, b), CC::O),
            Opcode::UsubOverflow => (self.alu_rr(size, AluOp::Sub, a, b), CC::B),
            Opcode::SsubOverflow => (self.alu_rr(size, AluOp::Sub, a, b), CC::O),
            Opcode::SmulOverflow if size != OperandSize::S8 => (self.imul(ty, a, b), CC::O),
            _ => {
                let signed = op == Opcode::SmulOverflow;
                let lo = self.gpr();
                let hi = self.gpr();
                self.emit(MInst::Mul {
                    signed,
                    src1: a,
                    src2: gm(size, b),
                    dst_lo: w(lo),
                    dst_hi: w(hi),
                });
                (lo, CC::O)
            }
        };
        let f = self.setcc(cc);
        ValueRegs::two(r.to_reg(), f.to_reg())
    }
    fn bitcount(&mut self, op: Opcode, ty: Ty, x: Gpr) -> Gpr {
        let width = bits(&ty);
        if width > 64 {
            self.fail(format!("{} i128", op.info().name));
            return x;
        }
        let size = size_of(&ty);
        match op {
            Opcode::Clz => self.clz(&ty, x),
            Opcode::Cls => {
                let sign = self.shift_i(size, ShiftOp::Sar, x, (width - 1) as u8);
                let y = self.alu_rr(size, AluOp::Xor, x, sign);
                let c = self.clz(&ty, y);
                self.alu_ri(OperandSize::S32, AluOp::Sub, c, 1)
            }
            Opcode::Ctz => {
                let (size, x) = if width < 32 {
                    let z = self.alu_ri(OperandSize::S32, AluOp::Or, x, 1 << width);
                    (OperandSize::S32, z)
                } else {
                    (size, x)
                };
                if self.x.flags.has_bmi1 {
                    self.bit_op(size, BitOp::Tzcnt, x)
                } else {
                    let t = self.bit_op(size, BitOp::Bsf, x);
                    let m = self.mov_imm(OperandSize::S32, width as u64);
                    self.cmove(OperandSize::S64, CC::Z, m, t)
                }
            }
            Opcode::Popcnt => {
                let z = if width < 64 { self.movzx(size, x) } else { x };
                if self.x.flags.has_popcnt {
                    self.bit_op(OperandSize::S64, BitOp::Popcnt, z)
                } else {
                    self.popcnt_fallback(z)
                }
            }
            Opcode::Bitrev => {
                let a = self.swap_bits(x, 1, 0x5555_5555_5555_5555);
                let a = self.swap_bits(a, 2, 0x3333_3333_3333_3333);
                let a = self.swap_bits(a, 4, 0x0f0f_0f0f_0f0f_0f0f);
                let dst = self.gpr();
                self.emit(MInst::Bswap {
                    size: OperandSize::S64,
                    src: a,
                    dst: w(dst),
                });
                if width < 64 {
                    self.shift_i(OperandSize::S64, ShiftOp::Shr, dst, (64 - width) as u8)
                } else {
                    dst
                }
            }
            Opcode::Bswap => {
                if width == 16 {
                    self.shift_i(OperandSize::S16, ShiftOp::Rol, x, 8)
                } else if width == 8 {
                    x
                } else {
                    let dst = self.gpr();
                    self.emit(MInst::Bswap {
                        size,
                        src: x,
                        dst: w(dst),
                    });
                    dst
                }
            }
            _ => {
                self.fail(format!("{} {}", op.info().name, width));
                x
            }
        }
    }
    fn extend(&mut self, signed: bool, to: Ty, from: Ty, x: Gpr) -> ValueRegs {
        let fsize = size_of(&from);
        let lo = if bits(&from) == 64 {
            x
        } else if signed {
            self.movsx(fsize, x)
        } else {
            self.movzx(fsize, x)
        };
        if bits(&to) == 128 {
            let hi = if signed {
                self.shift_i(OperandSize::S64, ShiftOp::Sar, lo, 63)
            } else {
                self.mov_imm(OperandSize::S32, 0)
            };
            ValueRegs::two(lo.to_reg(), hi.to_reg())
        } else {
            ValueRegs::one(lo.to_reg())
        }
    }
    fn bitcast(&mut self, to: Ty, v: Value) -> ValueRegs {
        let from = self.value_ty(v);
        let avx = self.avx();
        match (&to, from.is_float()) {
            (Ty::F32 | Ty::F64, false) => {
                let g = self.put_in_gpr(v);
                let x = self.xmm();
                let src = if matches!(to, Ty::F32) {
                    GprMem32::Reg(g).into()
                } else {
                    GprMem64::Reg(g).into()
                };
                self.emit(MInst::MovToXmm {
                    src,
                    dst: w(x),
                    avx,
                });
                ValueRegs::one(x.to_reg())
            }
            (Ty::I32 | Ty::I64, true) => {
                let x = self.put_in_xmm(v);
                let g = self.gpr();
                self.emit(MInst::MovFromXmm {
                    size: size_of(&to),
                    src: x,
                    dst: w(g),
                    avx,
                });
                ValueRegs::one(g.to_reg())
            }
            _ => self.regs(v),
        }
    }
    fn xmm_op32(&mut self, op: SseOp32, a: Xmm, b: XmmMem32) -> Xmm {
        let dst = self.xmm();
        let avx = self.avx();
        self.emit(MInst::XmmRmR32 {
            op,
            src1: a,
            src2: b,
            dst: w(dst),
            avx,
        });
        dst
    }
    fn xmm_op64(&mut self, op: SseOp64, a: Xmm, b: XmmMem64) -> Xmm {
        let dst = self.xmm();
        let avx = self.avx();
        self.emit(MInst::XmmRmR64 {
            op,
            src1: a,
            src2: b,
            dst: w(dst),
            avx,
        });
        dst
    }
    fn xmm_op128(&mut self, op: SseOp128, a: Xmm, b: XmmMem128) -> Xmm {
        let dst = self.xmm();
        let avx = self.avx();
        self.emit(MInst::XmmRmR128 {
            op,
            src1: a,
            src2: b,
            dst: w(dst),
            avx,
        });
        dst
    }
    fn float_mask(&mut self, ty: Ty, sign: bool) -> Xmm {
        let avx = self.avx();
        let x = self.xmm();
        if matches!(ty, Ty::F32) {
            let m = if sign { 0x8000_0000 } else { 0x7fff_ffff };
            let g = self.mov_imm(OperandSize::S32, m);
            self.emit(MInst::MovToXmm {
                src: GprMem32::Reg(g).into(),
                dst: w(x),
                avx,
            });
        } else {
            let m = if sign { 1u64 << 63 } else { !(1u64 << 63) };
            let g = self.mov_imm(OperandSize::S64, m);
            self.emit(MInst::MovToXmm {
                src: GprMem64::Reg(g).into(),
                dst: w(x),
                avx,
            });
        }
        x
    }
    fn fminmax(&mut self, ty: Ty, is_min: bool, a: Xmm, b: Xmm) -> Xmm {
        let dst = self.xmm();
        self.emit(MInst::XmmMinMaxSeq {
            size: if matches!(ty, Ty::F32) {
                FloatSize::F32
            } else {
                FloatSize::F64
            },
            is_min,
            lhs: a,
            rhs: b,
            dst: w(dst),
        });
        dst
    }
    fn fround(&mut self, ty: Ty, mode: RoundMode, x: Xmm) -> Xmm {
        let dst = self.xmm();
        let f32 = matches!(ty, Ty::F32);
        if self.x.flags.has_sse41 {
            let avx = self.avx();
            self.emit(if f32 {
                MInst::XmmRmRImm32 {
                    op: SseImmOp::Round,
                    src1: x,
                    src2: x.into(),
                    imm: mode.imm(),
                    dst: w(dst),
                    avx,
                }
            } else {
                MInst::XmmRmRImm64 {
                    op: SseImmOp::Round,
                    src1: x,
                    src2: x.into(),
                    imm: mode.imm(),
                    dst: w(dst),
                    avx,
                }
            });
        } else {
            let tmp = self.xmm();
            self.emit(MInst::XmmRoundSeq {
                size: if f32 { FloatSize::F32 } else { FloatSize::F64 },
                mode,
                src: x,
                dst: w(dst),
                tmp: w(tmp),
            });
        }
        dst
    }
    fn fcvt_to_int(&mut self, to: Ty, from: Ty, signed: bool, sat: bool, x: Xmm) -> Gpr {
        if bits(&to) > 64 {
            self.fail("float conversion to i128");
        }
        let dst = self.gpr();
        let tmp_gpr = self.gpr();
        let tmp_xmm = self.xmm();
        self.emit(MInst::CvtFloatToIntSeq {
            from: if matches!(from, Ty::F32) {
                FloatSize::F32
            } else {
                FloatSize::F64
            },
            to: size_of(&to),
            signed,
            sat,
            src: x,
            dst: w(dst),
            tmp_gpr: w(tmp_gpr),
            tmp_xmm: w(tmp_xmm),
        });
        dst
    }
    fn fcvt_from_int(&mut self, to: Ty, from: Ty, signed: bool, x: Gpr) -> Xmm {
        let width = bits(&from);
        if width > 64 {
            self.fail("conversion of i128 to float");
            return self.xmm();
        }
        let fto = if matches!(to, Ty::F32) {
            FloatSize::F32
        } else {
            FloatSize::F64
        };
        let dst = self.xmm();
        if !signed && width == 64 {
            let t1 = self.gpr();
            let t2 = self.gpr();
            self.emit(MInst::CvtUint64ToFloatSeq {
                to: fto,
                src: x,
                dst: w(dst),
                tmp1: w(t1),
                tmp2: w(t2),
            });
            return dst;
        }
        let size = size_of(&from);
        let src: GprMem32Or64 = if signed {
            if width < 32 {
                GprMem32::Reg(self.movsx(size, x)).into()
            } else if width == 32 {
                GprMem32::Reg(x).into()
            } else {
                GprMem64::Reg(x).into()
            }
        } else {
            // Zero-extended to 64 bits, every u32 is a non-negative i64.
            GprMem64::Reg(self.movzx(size, x)).into()
        };
        let z = self.zero_xmm();
        let avx = self.avx();
        self.emit(MInst::CvtIntToFloat {
            to: fto,
            src1: z,
            src2: src,
            dst: w(dst),
            avx,
        });
        dst
    }
    fn icmp_def(&mut self, c: Value) -> Option<(IntCC, Value, Value)> {
        match self.compare_def(c)? {
            InstructionData::IntCompare { cond, args, .. }
                if self.value_ty(args[0]) != types::I128 =>
            {
                Some((cond, args[0], args[1]))
            }
            _ => None,
        }
    }
    fn icmp_imm_def(&mut self, c: Value) -> Option<(IntCC, Value, i64)> {
        match self.compare_def(c)? {
            InstructionData::IntCompareImm { cond, arg, imm, .. }
                if self.value_ty(arg) != types::I128 =>
            {
                Some((cond, arg, imm.bits()))
            }
            _ => None,
        }
    }
    fn fcmp_def(&mut self, c: Value) -> Option<(FloatCC, Value, Value)> {
        match self.compare_def(c)? {
            InstructionData::FloatCompare { cond, args, .. } => Some((cond, args[0], args[1])),
            _ => None,
        }
    }
    fn int_cmp(&mut self, cond: IntCC, x: Value, y: Value) -> CC {
        self.int_compare(cond, x, CmpRhs::Val(y))
    }
    fn int_cmp_imm(&mut self, cond: IntCC, x: Value, k: i64) -> CC {
        self.int_compare(cond, x, CmpRhs::Imm(k))
    }
    fn ucomis_cc(&mut self, x: Value, y: Value, cc: CC) -> CC {
        self.ucomis(x, y);
        cc
    }
    fn test_nonzero(&mut self, c: Value) -> CC {
        let ty = self.value_ty(c);
        if ty == types::I128 {
            let (lo, hi) = self.pair(c);
            let t = self.alu_rr(OperandSize::S64, AluOp::Or, lo, hi);
            self.emit(MInst::TestRmR {
                lhs: gm(OperandSize::S64, t),
                rhs: t,
            });
            return CC::NZ;
        }
        let size = ty_of(ty).map_or(OperandSize::S64, |t| size_of(&t));
        let r = self.put_in_gpr(c);
        self.emit(MInst::TestRmR {
            lhs: gm(size, r),
            rhs: r,
        });
        CC::NZ
    }
    fn i128_mul(&mut self, x: Value, y: Value) -> ValueRegs {
        let a = self.pair(x);
        let b = self.pair(y);
        let p = self.mul128(a, b);
        Self::out_pair(p)
    }
    fn i128_mul_imm(&mut self, x: Value, k: i64) -> ValueRegs {
        let a = self.pair(x);
        let b = self.imm128(k);
        let p = self.mul128(a, b);
        Self::out_pair(p)
    }
    fn i128_shift(&mut self, op: ShiftOp, x: Value, n: Gpr) -> ValueRegs {
        let a = self.pair(x);
        let p = self.shift128(op, a, n);
        Self::out_pair(p)
    }
    /// `lo_op`/`hi_op` with the sign-extended immediate as second operand; `Sub`/`Sbb`
    /// compute `k - x` (for `irsub_imm`).
    fn i128_alu_imm(&mut self, lo_op: AluOp, hi_op: AluOp, x: Value, k: i64) -> ValueRegs {
        let (xl, xh) = self.pair(x);
        let (kl, kh) = self.imm128(k);
        let s = OperandSize::S64;
        let ((al, ah), (bl, bh)) = if lo_op == AluOp::Sub {
            ((kl, kh), (xl, xh))
        } else {
            ((xl, xh), (kl, kh))
        };
        let lo = self.alu_rr(s, lo_op, al, bl);
        let hi = self.alu_rr(s, hi_op, ah, bh);
        Self::out_pair((lo, hi))
    }
    fn i128_unary(&mut self, op: Opcode, x: Value) -> ValueRegs {
        let (lo, hi) = self.pair(x);
        let s = OperandSize::S64;
        let zero_hi = |c: &mut Self, r: Gpr| {
            let z = c.mov_imm(OperandSize::S32, 0);
            Self::out_pair((r, z))
        };
        match op {
            Opcode::Ineg => {
                let l = self.neg(Ty::I64, lo);
                let z = self.mov_imm(OperandSize::S32, 0);
                let h = self.alu_rr(s, AluOp::Sbb, z, hi);
                Self::out_pair((l, h))
            }
            Opcode::Bnot => {
                let l = self.not(Ty::I64, lo);
                let h = self.not(Ty::I64, hi);
                Self::out_pair((l, h))
            }
            Opcode::Iabs => {
                let sign = self.shift_i(s, ShiftOp::Sar, hi, 63);
                let l = self.alu_rr(s, AluOp::Xor, lo, sign);
                let h = self.alu_rr(s, AluOp::Xor, hi, sign);
                let l = self.alu_rr(s, AluOp::Sub, l, sign);
                let h = self.alu_rr(s, AluOp::Sbb, h, sign);
                Self::out_pair((l, h))
            }
            Opcode::Clz => {
                let c = self.clz128(lo, hi);
                zero_hi(self, c)
            }
            Opcode::Cls => {
                let sign = self.shift_i(s, ShiftOp::Sar, hi, 63);
                let l = self.alu_rr(s, AluOp::Xor, lo, sign);
                let h = self.alu_rr(s, AluOp::Xor, hi, sign);
                let c = self.clz128(l, h);
                let c = self.alu_ri(s, AluOp::Sub, c, 1);
                zero_hi(self, c)
            }
            Opcode::Ctz => {
                let cl = self.bitcount(Opcode::Ctz, Ty::I64, lo);
                let ch = self.bitcount(Opcode::Ctz, Ty::I64, hi);
                let ch = self.alu_ri(s, AluOp::Add, ch, 64);
                self.emit(MInst::TestRmR {
                    lhs: gm(s, lo),
                    rhs: lo,
                });
                let c = self.cmove(s, CC::Z, ch, cl);
                zero_hi(self, c)
            }
            Opcode::Popcnt => {
                let a = self.bitcount(Opcode::Popcnt, Ty::I64, lo);
                let b = self.bitcount(Opcode::Popcnt, Ty::I64, hi);
                let c = self.alu_rr(s, AluOp::Add, a, b);
                zero_hi(self, c)
            }
            Opcode::Bswap | Opcode::Bitrev => {
                let l = self.bitcount(op, Ty::I64, hi);
                let h = self.bitcount(op, Ty::I64, lo);
                Self::out_pair((l, h))
            }
            _ => {
                self.fail(format!("{} i128", op.info().name));
                Self::out_pair((lo, hi))
            }
        }
    }
    fn i128_binary_imm(&mut self, op: Opcode, x: Value, k: i64) -> ValueRegs {
        let a = self.pair(x);
        let b = self.imm128(k);
        self.i128_op(op, a, b)
    }
    fn i128_to_float(&mut self, to: Ty, signed: bool, x: Value) -> ValueRegs {
        let a = self.regs(x);
        let lib = match (signed, matches!(to, Ty::F32)) {
            (true, true) => LibCall::I128ToF32,
            (true, false) => LibCall::I128ToF64,
            (false, true) => LibCall::U128ToF32,
            (false, false) => LibCall::U128ToF64,
        };
        self.libcall(lib, &[a])
    }
    fn i128_binary(&mut self, op: Opcode, x: Value, y: Value) -> ValueRegs {
        let (xl, xh) = self.pair(x);
        let (yl, yh) = self.pair(y);
        if matches!(
            op,
            Opcode::Udiv
                | Opcode::Sdiv
                | Opcode::Urem
                | Opcode::Srem
                | Opcode::Umulhi
                | Opcode::Smulhi
                | Opcode::Smin
                | Opcode::Smax
                | Opcode::Umin
                | Opcode::Umax
        ) {
            return self.i128_op(op, (xl, xh), (yl, yh));
        }
        let s = OperandSize::S64;
        let bit = |c: &mut Self, op: AluOp| {
            let nl = c.not(Ty::I64, yl);
            let nh = c.not(Ty::I64, yh);
            let l = c.alu_rr(s, op, xl, nl);
            let h = c.alu_rr(s, op, xh, nh);
            Self::out_pair((l, h))
        };
        let (lo_op, hi_op, cc) = match op {
            Opcode::BandNot => return bit(self, AluOp::And),
            Opcode::BorNot => return bit(self, AluOp::Or),
            Opcode::BxorNot => return bit(self, AluOp::Xor),
            Opcode::UaddOverflow => (AluOp::Add, AluOp::Adc, CC::B),
            Opcode::SaddOverflow => (AluOp::Add, AluOp::Adc, CC::O),
            Opcode::UsubOverflow => (AluOp::Sub, AluOp::Sbb, CC::B),
            Opcode::SsubOverflow => (AluOp::Sub, AluOp::Sbb, CC::O),
            Opcode::UmulOverflow | Opcode::SmulOverflow => {
                let lib = if op == Opcode::UmulOverflow {
                    LibCall::UmulOverflowI128
                } else {
                    LibCall::SmulOverflowI128
                };
                let p = self.mul128((xl, xh), (yl, yh));
                let f = self.libcall(lib, &[Self::out_pair((xl, xh)), Self::out_pair((yl, yh))]);
                let inst = self.lower.cur_inst();
                let results = self.lower.func.dfg.inst_results(inst);
                let (r0, r1) = (results[0], results[1]);
                self.lower.set_output(r0, Self::out_pair(p));
                self.lower.set_output(r1, f);
                return ValueRegs::none();
            }
            _ => {
                self.fail(format!("{} i128", op.info().name));
                return Self::out_pair((xl, xh));
            }
        };
        let l = self.alu_rr(s, lo_op, xl, yl);
        let h = self.alu_rr(s, hi_op, xh, yh);
        let f = self.setcc(cc);
        // Three registers: set the outputs here.
        let inst = self.lower.cur_inst();
        let results = self.lower.func.dfg.inst_results(inst);
        let (r0, r1) = (results[0], results[1]);
        self.lower.set_output(r0, Self::out_pair((l, h)));
        self.lower.set_output(r1, ValueRegs::one(f.to_reg()));
        ValueRegs::none()
    }
    fn i128_alu(&mut self, lo_op: AluOp, hi_op: AluOp, x: Value, y: Value) -> ValueRegs {
        let rx = self.regs(x);
        let ry = self.regs(y);
        let s = OperandSize::S64;
        let lo = self.alu_rr(
            s,
            lo_op,
            Gpr::unwrap_new(rx.regs()[0]),
            Gpr::unwrap_new(ry.regs()[0]),
        );
        let hi = self.alu_rr(
            s,
            hi_op,
            Gpr::unwrap_new(rx.regs()[1]),
            Gpr::unwrap_new(ry.regs()[1]),
        );
        ValueRegs::two(lo.to_reg(), hi.to_reg())
    }
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
        let entry = func.layout.entry_block().expect("entry");
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

/// A load of a whole value of type `ty` from `a` into `r`.
fn load_to(ty: Type, r: Reg, a: Amode) -> MInst {
    if ty.is_vector() {
        return MInst::XmmMov128 {
            op: Mov128Op::Movdqu,
            src: Mem128::new(a).into(),
            dst: w(Xmm::unwrap_new(r)),
            avx: false,
        };
    }
    if ty.is_float() {
        let x = Xmm::unwrap_new(r);
        if ty == types::F32 {
            MInst::MovssLoad {
                src: Mem32::new(a),
                dst: w(x),
                avx: false,
            }
        } else {
            MInst::MovsdLoad {
                src: Mem64::new(a),
                dst: w(x),
                avx: false,
            }
        }
    } else {
        MInst::MovzxRmR {
            src: GprMem64::Mem(Mem64::new(a)).into(),
            dst: w(Gpr::unwrap_new(r)),
        }
    }
}

/// A store of register `r` holding a value of type `ty` (a whole 8-byte slot for integers).
fn store_from(ty: Type, r: Reg, a: Amode) -> MInst {
    if ty.is_vector() {
        return MInst::XmmStore128 {
            op: Mov128Op::Movdqu,
            src: Xmm::unwrap_new(r),
            dst: Mem128::new(a),
            avx: false,
        };
    }
    if ty.is_float() {
        let x = Xmm::unwrap_new(r);
        if ty == types::F32 {
            MInst::MovssStore {
                src: x,
                dst: Mem32::new(a),
                avx: false,
            }
        } else {
            MInst::MovsdStore {
                src: x,
                dst: Mem64::new(a),
                avx: false,
            }
        }
    } else {
        MInst::MovMR {
            src: Gpr::unwrap_new(r),
            dst: AnyMem::M64(Mem64::new(a)),
        }
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
                    if !self.x.flags.has_fma {
                        let args = [self.regs(c), self.regs(x), self.regs(y)];
                        let lib = if ctrl == types::F32 {
                            LibCall::FmaF32
                        } else {
                            LibCall::FmaF64
                        };
                        let r = self.libcall(lib, &args);
                        self.out(inst, r);
                        return Ok(());
                    }
                    let a = self.put_in_xmm(c);
                    let b = self.put_in_xmm(x);
                    let z = self.put_in_xmm(y);
                    let dst = self.xmm();
                    self.emit(if ctrl == types::F32 {
                        MInst::Fma32 {
                            form: FmaForm::F213,
                            src1: a,
                            src2: b,
                            src3: z.into(),
                            dst: w(dst),
                        }
                    } else {
                        MInst::Fma64 {
                            form: FmaForm::F213,
                            src1: a,
                            src2: b,
                            src3: z.into(),
                            dst: w(dst),
                        }
                    });
                    self.out(inst, ValueRegs::one(dst.to_reg()));
                }
                _ => return Err(unsupported()),
            },
            InstructionData::IntCompare { cond, args, .. } => {
                let t = if dfg.value_type(args[0]) == types::I128 {
                    let a = self.pair(args[0]);
                    let b = self.pair(args[1]);
                    self.i128_compare(cond, a, b)
                } else {
                    let cc = self.int_compare(cond, args[0], CmpRhs::Val(args[1]));
                    self.setcc(cc)
                };
                self.out(inst, ValueRegs::one(t.to_reg()));
            }
            InstructionData::IntCompareImm { cond, arg, imm, .. } => {
                if dfg.value_type(arg) == types::I128 {
                    let a = self.pair(arg);
                    let b = self.imm128(imm.bits());
                    let t = self.i128_compare(cond, a, b);
                    self.out(inst, ValueRegs::one(t.to_reg()));
                    return Ok(());
                }
                let cc = self.int_compare(cond, arg, CmpRhs::Imm(imm.bits()));
                let t = self.setcc(cc);
                self.out(inst, ValueRegs::one(t.to_reg()));
            }
            InstructionData::FloatCompare { cond, args, .. } => {
                let c = dfg.first_result(inst);
                let t = self.float_compare_value(c, cond, args[0], args[1]);
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
                let cc = self.lower_cond(arg);
                let taken = self.lower.succ_label(0);
                let not_taken = self.lower.succ_label(1);
                self.emit(MInst::JmpIf {
                    cc,
                    taken,
                    not_taken,
                });
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
                let sig = &dfg.signatures[dfg.ext_funcs[func_ref].signature];
                let vals: Vec<Value> = dfg.value_lists.get(args).to_vec();
                self.call(
                    inst,
                    sig,
                    CallTarget::Known(RelocTarget::Func(func_ref)),
                    &vals,
                )?;
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

    /// Reverses the low `bytes` bytes of `x` (the rest of the result is undefined).
    fn byte_swap(&mut self, bytes: u32, x: Gpr) -> Gpr {
        match bytes {
            1 => x,
            2 => self.shift_i(OperandSize::S16, ShiftOp::Rol, x, 8),
            _ => {
                let dst = self.gpr();
                self.emit(MInst::Bswap {
                    size: if bytes == 4 {
                        OperandSize::S32
                    } else {
                        OperandSize::S64
                    },
                    src: x,
                    dst: w(dst),
                });
                dst
            }
        }
    }

    /// A big-endian load: an integer load of the access width, byte-swapped, then extended
    /// or moved to an SSE register.
    fn load_big(
        &mut self,
        op: Opcode,
        ty: Type,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<ValueRegs, LowerError> {
        let (bytes, signed) = match op {
            Opcode::Uload8 | Opcode::Sload8 => (1, op == Opcode::Sload8),
            Opcode::Uload16 | Opcode::Sload16 => (2, op == Opcode::Sload16),
            Opcode::Uload32 | Opcode::Sload32 => (4, op == Opcode::Sload32),
            _ => (ty.bytes(), false),
        };
        if !matches!(bytes, 1 | 2 | 4 | 8) {
            return Err(not_lowered(format!("big-endian load {}", ty.name())));
        }
        let size = OperandSize::from_bits(bytes * 8).unwrap_or(OperandSize::S64);
        let raw = self.gpr();
        self.lower.emit_trap(
            MInst::MovzxRmR {
                src: gpr_mem_of(size, a),
                dst: w(raw),
            },
            trap,
        );
        let v = self.byte_swap(bytes, raw);
        if ty.is_float() {
            let x = self.xmm();
            let avx = self.avx();
            let src = if bytes == 4 {
                GprMem32::Reg(v).into()
            } else {
                GprMem64::Reg(v).into()
            };
            self.emit(MInst::MovToXmm {
                src,
                dst: w(x),
                avx,
            });
            return Ok(ValueRegs::one(x.to_reg()));
        }
        let r = if signed {
            self.movsx(size, v)
        } else {
            self.movzx(size, v)
        };
        Ok(ValueRegs::one(r.to_reg()))
    }

    /// A big-endian store: byte-swap a copy, then store it.
    fn store_big(
        &mut self,
        op: Opcode,
        x: Value,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<(), LowerError> {
        let ty = self.value_ty(x);
        let bytes = match op {
            Opcode::Istore8 => 1,
            Opcode::Istore16 => 2,
            Opcode::Istore32 => 4,
            _ => ty.bytes(),
        };
        if !matches!(bytes, 1 | 2 | 4 | 8) {
            return Err(not_lowered(format!("big-endian store {}", ty.name())));
        }
        let size = OperandSize::from_bits(bytes * 8).unwrap_or(OperandSize::S64);
        let g = if ty.is_float() {
            let f = self.put_in_xmm(x);
            let g = self.gpr();
            let avx = self.avx();
            self.emit(MInst::MovFromXmm {
                size,
                src: f,
                dst: w(g),
                avx,
            });
            g
        } else {
            self.put_in_gpr(x)
        };
        let v = self.byte_swap(bytes, g);
        self.lower.emit_trap(
            MInst::MovMR {
                src: v,
                dst: mem_of(size, a),
            },
            trap,
        );
        Ok(())
    }

    fn slot_amode(&mut self, ss: kiln_ir::StackSlot, offset: i32) -> Amode {
        let i = ss.index();
        let disp = self.x.slots.disps.get(i).copied().unwrap_or(0) + offset;
        if self.x.slots.big.get(i).copied().unwrap_or(false) {
            let base = match self.x.big_base {
                Some(b) => b,
                None => {
                    let b = self.lower.alloc_vreg(RegClass::Int);
                    self.x.big_base = Some(b);
                    b
                }
            };
            return Amode::imm_reg(disp, Gpr::unwrap_new(base));
        }
        Amode::imm_reg(disp, regs::RBP)
    }

    fn load(
        &mut self,
        op: Opcode,
        ty: Type,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<ValueRegs, LowerError> {
        let (from, signed) = match op {
            Opcode::Uload8 => (OperandSize::S8, false),
            Opcode::Sload8 => (OperandSize::S8, true),
            Opcode::Uload16 => (OperandSize::S16, false),
            Opcode::Sload16 => (OperandSize::S16, true),
            Opcode::Uload32 => (OperandSize::S32, false),
            Opcode::Sload32 => (OperandSize::S32, true),
            _ => {
                if ty.is_vector() {
                    let x = self.xmm();
                    let avx = self.avx();
                    self.lower.emit_trap(
                        MInst::XmmMov128 {
                            op: Mov128Op::Movdqu,
                            src: Mem128::new(a).into(),
                            dst: w(x),
                            avx,
                        },
                        trap,
                    );
                    return Ok(ValueRegs::one(x.to_reg()));
                }
                if ty == types::F32 || ty == types::F64 {
                    let x = self.xmm();
                    let avx = self.avx();
                    self.lower.emit_trap(
                        if ty == types::F32 {
                            MInst::MovssLoad {
                                src: Mem32::new(a),
                                dst: w(x),
                                avx,
                            }
                        } else {
                            MInst::MovsdLoad {
                                src: Mem64::new(a),
                                dst: w(x),
                                avx,
                            }
                        },
                        trap,
                    );
                    return Ok(ValueRegs::one(x.to_reg()));
                }
                if ty == types::I128 {
                    let lo = self.gpr();
                    let hi = self.gpr();
                    let a8 = a.offset(8).ok_or_else(|| not_lowered("offset overflow"))?;
                    self.lower.emit_trap(
                        MInst::MovzxRmR {
                            src: GprMem64::Mem(Mem64::new(a)).into(),
                            dst: w(lo),
                        },
                        trap,
                    );
                    self.lower.emit_trap(
                        MInst::MovzxRmR {
                            src: GprMem64::Mem(Mem64::new(a8)).into(),
                            dst: w(hi),
                        },
                        trap,
                    );
                    return Ok(ValueRegs::two(lo.to_reg(), hi.to_reg()));
                }
                let t = ty_of(ty).ok_or_else(|| not_lowered(format!("load {}", ty.name())))?;
                (size_of(&t), false)
            }
        };
        let dst = self.gpr();
        let src = gpr_mem_of(from, a);
        self.lower.emit_trap(
            if signed {
                MInst::MovsxRmR {
                    src,
                    dst_size: OperandSize::S64,
                    dst: w(dst),
                }
            } else {
                MInst::MovzxRmR { src, dst: w(dst) }
            },
            trap,
        );
        Ok(ValueRegs::one(dst.to_reg()))
    }

    fn store(
        &mut self,
        op: Opcode,
        x: Value,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<(), LowerError> {
        let ty = self.value_ty(x);
        let avx = self.avx();
        let size = match op {
            Opcode::Istore8 => OperandSize::S8,
            Opcode::Istore16 => OperandSize::S16,
            Opcode::Istore32 => OperandSize::S32,
            _ => {
                if ty.is_vector() {
                    let r = self.put_in_xmm(x);
                    self.lower.emit_trap(
                        MInst::XmmStore128 {
                            op: Mov128Op::Movdqu,
                            src: r,
                            dst: Mem128::new(a),
                            avx,
                        },
                        trap,
                    );
                    return Ok(());
                }
                if ty == types::F32 || ty == types::F64 {
                    let r = self.put_in_xmm(x);
                    self.lower.emit_trap(
                        if ty == types::F32 {
                            MInst::MovssStore {
                                src: r,
                                dst: Mem32::new(a),
                                avx,
                            }
                        } else {
                            MInst::MovsdStore {
                                src: r,
                                dst: Mem64::new(a),
                                avx,
                            }
                        },
                        trap,
                    );
                    return Ok(());
                }
                if ty == types::I128 {
                    let r = self.regs(x);
                    let a8 = a.offset(8).ok_or_else(|| not_lowered("offset overflow"))?;
                    for (half, at) in [(r.regs()[0], a), (r.regs()[1], a8)] {
                        self.lower.emit_trap(
                            MInst::MovMR {
                                src: Gpr::unwrap_new(half),
                                dst: AnyMem::M64(Mem64::new(at)),
                            },
                            trap,
                        );
                    }
                    return Ok(());
                }
                let t = ty_of(ty).ok_or_else(|| not_lowered(format!("store {}", ty.name())))?;
                size_of(&t)
            }
        };
        let r = self.put_in_gpr(x);
        self.lower.emit_trap(
            MInst::MovMR {
                src: r,
                dst: mem_of(size, a),
            },
            trap,
        );
        Ok(())
    }

    fn select(&mut self, inst: Inst, c: Value, x: Value, y: Value) -> Result<(), LowerError> {
        let ty = self.value_ty(x);
        if ty.is_vector() {
            return Err(not_lowered(format!("select {}", ty.name())));
        }
        let cc = self.lower_cond(c);
        if ty.is_float() {
            let a = self.put_in_xmm(x);
            let b = self.put_in_xmm(y);
            let dst = self.xmm();
            self.emit(MInst::XmmCmove {
                cc,
                consequent: a,
                alternative: b,
                dst: w(dst),
            });
            self.out(inst, ValueRegs::one(dst.to_reg()));
        } else {
            let rx = self.regs(x);
            let ry = self.regs(y);
            let size = ty_of(ty).map_or(OperandSize::S64, |t| size_of(&t));
            let mut out = Vec::new();
            for (&a, &b) in rx.regs().iter().zip(ry.regs()) {
                out.push(self.cmove(
                    if size == OperandSize::S16 {
                        OperandSize::S32
                    } else {
                        size
                    },
                    cc,
                    Gpr::unwrap_new(a),
                    Gpr::unwrap_new(b),
                ));
            }
            let r = if out.len() == 2 {
                ValueRegs::two(out[0].to_reg(), out[1].to_reg())
            } else {
                ValueRegs::one(out[0].to_reg())
            };
            self.out(inst, r);
        }
        Ok(())
    }

    /// Extends `r` (of type `ty`) to 64 bits as an argument/return attribute asks.
    fn apply_ext(&mut self, ty: Type, ext: ArgumentExtension, r: Reg) -> Reg {
        let Some(t) = ty_of(ty) else { return r };
        if bits(&t) >= 64 || ty.is_float() {
            return r;
        }
        let g = Gpr::unwrap_new(r);
        match ext {
            ArgumentExtension::None => r,
            ArgumentExtension::Uext => self.movzx(size_of(&t), g).to_reg(),
            ArgumentExtension::Sext => self.movsx(size_of(&t), g).to_reg(),
        }
    }

    fn ret(&mut self, vals: &[Value]) -> Result<(), LowerError> {
        let func = self.lower.func;
        let mut rets: Vec<(Reg, PReg)> = Vec::new();
        for (i, &v) in vals.iter().enumerate() {
            let ty = self.value_ty(v);
            let ext = func
                .signature
                .returns
                .get(i)
                .map_or(ArgumentExtension::None, |p| p.extension);
            let locs = self
                .x
                .abi
                .rets
                .get(i)
                .cloned()
                .ok_or_else(|| LowerError::Invalid("return does not match signature".into()))?;
            let r = self.regs(v);
            for (k, (&reg, loc)) in r.regs().iter().zip(locs.iter()).enumerate() {
                let reg = if k == 0 && r.regs().len() == 1 {
                    self.apply_ext(ty, ext, reg)
                } else {
                    reg
                };
                match *loc {
                    Loc::Reg(p) => rets.push((reg, p)),
                    Loc::Stack(off) => {
                        let ptr = match self.x.ret_area {
                            Some(p) => p,
                            None => {
                                let p = self.lower.alloc_vreg(RegClass::Int);
                                self.x.ret_area = Some(p);
                                p
                            }
                        };
                        let a = Amode::imm_reg(off as i32, Gpr::unwrap_new(ptr));
                        self.emit(store_from(ty, reg, a));
                    }
                }
            }
        }
        self.emit(MInst::Rets {
            rets: rets.into_boxed_slice(),
        });
        Ok(())
    }

    fn call(
        &mut self,
        inst: Inst,
        sig: &kiln_ir::Signature,
        target: CallTarget,
        args: &[Value],
    ) -> Result<(), LowerError> {
        if args.len() != sig.params.len() {
            return Err(LowerError::Invalid("call arguments do not match".into()));
        }
        let mut regs_in = Vec::new();
        for &v in args {
            regs_in.push(self.regs(v));
        }
        let outs = self.gen_call(sig, target, &regs_in)?;
        let results: Vec<Value> = self.lower.func.dfg.inst_results(inst).to_vec();
        for (v, r) in results.into_iter().zip(outs) {
            self.lower.set_output(v, r);
        }
        Ok(())
    }

    /// A call of `sig` with arguments in `args`; returns the result registers.
    fn gen_call(
        &mut self,
        sig: &kiln_ir::Signature,
        target: CallTarget,
        args: &[ValueRegs],
    ) -> Result<Vec<ValueRegs>, LowerError> {
        let abi = AbiSig::compute(sig);
        let mut uses: Vec<(Reg, PReg)> = Vec::new();
        let area = abi.stack_args_size + abi.ret_area_size;
        self.x.outgoing = self.x.outgoing.max(area);
        for (i, r) in args.iter().enumerate() {
            let ty = sig.params[i].value_type;
            let ext = sig.params[i].extension;
            let single = r.regs().len() == 1;
            for (&reg, loc) in r.regs().iter().zip(abi.args[i].iter()) {
                let reg = if single {
                    self.apply_ext(ty, ext, reg)
                } else {
                    reg
                };
                match *loc {
                    Loc::Reg(p) => uses.push((reg, p)),
                    Loc::Stack(off) => {
                        let a = Amode::imm_reg(off as i32, regs::RSP);
                        self.emit(store_from(ty, reg, a));
                    }
                }
            }
        }
        if let Some(p) = abi.ret_area_ptr {
            let ptr = self.gpr();
            self.emit(MInst::Lea {
                src: Amode::imm_reg(abi.stack_args_size as i32, regs::RSP),
                dst: w(ptr),
            });
            uses.push((ptr.to_reg(), p));
        }
        let mut defs: Vec<(Reg, PReg)> = Vec::new();
        let mut clobbers = sysv_call_clobbers();
        let mut after: Vec<MInst> = Vec::new();
        let mut outs = Vec::new();
        for (i, p) in sig.returns.iter().enumerate() {
            let ty = p.value_type;
            let class = if ty.is_float() || ty.is_vector() {
                RegClass::Float
            } else {
                RegClass::Int
            };
            let mut regs_out = Vec::new();
            for loc in abi.rets[i].iter() {
                let r = self.lower.alloc_vreg(class);
                regs_out.push(r);
                match *loc {
                    Loc::Reg(p) => {
                        clobbers.remove(p);
                        defs.push((r, p));
                    }
                    Loc::Stack(off) => {
                        let a = Amode::imm_reg((abi.stack_args_size + off) as i32, regs::RSP);
                        after.push(load_to(ty, r, a));
                    }
                }
            }
            outs.push(if regs_out.len() == 2 {
                ValueRegs::two(regs_out[0], regs_out[1])
            } else {
                ValueRegs::one(regs_out[0])
            });
        }
        self.emit(MInst::Call {
            info: Box::new(CallInfo {
                target,
                uses,
                defs,
                clobbers,
            }),
        });
        for a in after {
            self.emit(a);
        }
        Ok(outs)
    }

    /// Calls the runtime helper `lib` (see [`super::libcalls`]).
    fn libcall(&mut self, lib: LibCall, args: &[ValueRegs]) -> ValueRegs {
        let sig = lib.signature();
        // The helper lives in the host, possibly beyond a rel32's reach: call it through an
        // absolute address.
        let addr = self.gpr();
        self.emit(MInst::LoadFuncAddr {
            target: RelocTarget::Name(kiln_ir::UserFuncName::testcase(lib.name())),
            dst: w(addr),
        });
        let target = CallTarget::Reg(addr);
        match self.gen_call(&sig, target, args) {
            Ok(mut v) if !v.is_empty() => v.swap_remove(0),
            Ok(_) => ValueRegs::none(),
            Err(e) => {
                if self.x.error.is_none() {
                    self.x.error = Some(e);
                }
                ValueRegs::none()
            }
        }
    }
}

/// `rsp`/`rbp` are never allocated.
pub fn is_frame_reg(p: PReg) -> bool {
    p == preg_of(regs::RSP) || p == preg_of(regs::RBP)
}
