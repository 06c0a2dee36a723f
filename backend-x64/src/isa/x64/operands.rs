//! Register operands of [`MInst`] for the allocator: which registers each instruction reads
//! and writes, with x86's constraints (two-address forms reuse their first source, `mul`/`div`
//! use `rax`/`rdx`, shifts count in `cl`, calls and returns use the ABI registers).
//!
//! Two-address forms visit their first source first, so `Reuse(0)` names it.

use super::args::*;
use super::inst::*;
use super::regs;
use crate::machinst::vcode::{OperandUse as U, OperandVisitor, VCodeInst};
use crate::machinst::{PReg, Reg, Writable};
use regalloc2::PRegSet;

fn preg(g: Gpr) -> PReg {
    g.to_reg().to_preg().expect("physical")
}

fn g(v: &mut dyn OperandVisitor, r: &mut Gpr, how: U) {
    v.visit(r.reg_mut(), how);
}

fn gw(v: &mut dyn OperandVisitor, r: &mut Writable<Gpr>, how: U) {
    v.visit(r.reg_mut().reg_mut(), how);
}

fn x(v: &mut dyn OperandVisitor, r: &mut Xmm, how: U) {
    v.visit(r.reg_mut(), how);
}

fn xw(v: &mut dyn OperandVisitor, r: &mut Writable<Xmm>, how: U) {
    v.visit(r.reg_mut().reg_mut(), how);
}

fn amode(v: &mut dyn OperandVisitor, a: &mut Amode) {
    match a {
        Amode::ImmReg { base, .. } => g(v, base, U::Use),
        Amode::ImmRegRegShift { base, index, .. } => {
            g(v, base, U::Use);
            g(v, index, U::Use);
        }
        Amode::RipRelative { .. } => {}
    }
}

// The memory newtypes keep their field private to `args`; reach it through `new`/`amode`.
fn mem<M: Copy>(v: &mut dyn OperandVisitor, m: &mut M, get: fn(&M) -> Amode, mk: fn(Amode) -> M) {
    let mut a = get(m);
    amode(v, &mut a);
    *m = mk(a);
}

macro_rules! rm_visit {
    ($name:ident, $t:ident, $r:ident, $mem:ident, $vis:ident) => {
        fn $name(v: &mut dyn OperandVisitor, o: &mut $t) {
            match o {
                $t::Reg(r) => $vis(v, r, U::Use),
                $t::Mem(m) => mem(v, m, |m| *m.amode(), $mem::new),
            }
        }
    };
}
rm_visit!(gm8, GprMem8, Gpr, Mem8, g);
rm_visit!(gm16, GprMem16, Gpr, Mem16, g);
rm_visit!(gm32, GprMem32, Gpr, Mem32, g);
rm_visit!(gm64, GprMem64, Gpr, Mem64, g);
rm_visit!(xm32, XmmMem32, Xmm, Mem32, x);
rm_visit!(xm64, XmmMem64, Xmm, Mem64, x);
rm_visit!(xm128, XmmMem128, Xmm, Mem128, x);

fn any(v: &mut dyn OperandVisitor, o: &mut AnyGprMem) {
    match o {
        AnyGprMem::B(m) => gm8(v, m),
        AnyGprMem::W(m) => gm16(v, m),
        AnyGprMem::L(m) => gm32(v, m),
        AnyGprMem::Q(m) => gm64(v, m),
    }
}

fn wide(v: &mut dyn OperandVisitor, o: &mut WideGprMem) {
    match o {
        WideGprMem::W(m) => gm16(v, m),
        WideGprMem::L(m) => gm32(v, m),
        WideGprMem::Q(m) => gm64(v, m),
    }
}

fn dq(v: &mut dyn OperandVisitor, o: &mut GprMem32Or64) {
    match o {
        GprMem32Or64::L(m) => gm32(v, m),
        GprMem32Or64::Q(m) => gm64(v, m),
    }
}

fn anymem(v: &mut dyn OperandVisitor, o: &mut AnyMem) {
    match o {
        AnyMem::M8(m) => mem(v, m, |m| *m.amode(), Mem8::new),
        AnyMem::M16(m) => mem(v, m, |m| *m.amode(), Mem16::new),
        AnyMem::M32(m) => mem(v, m, |m| *m.amode(), Mem32::new),
        AnyMem::M64(m) => mem(v, m, |m| *m.amode(), Mem64::new),
    }
}

/// The destination of a two-address SSE form: reuses `src1` unless the VEX form is used.
fn sse_dst(avx: bool) -> U {
    if avx {
        U::Def
    } else {
        U::Reuse(0)
    }
}

/// Registers clobbered by a System V call: every caller-saved GPR and every XMM register.
pub fn sysv_call_clobbers() -> PRegSet {
    let mut s = PRegSet::empty();
    for r in regs::SYSV_CALLER_SAVED_GPRS {
        s.add(preg(r));
    }
    for i in 0..16 {
        s.add(regs::xmm(i).to_reg().to_preg().expect("physical"));
    }
    s
}

fn fixed(r: &mut (Reg, PReg), v: &mut dyn OperandVisitor, def: bool) {
    let p = r.1;
    v.visit(&mut r.0, if def { U::FixedDef(p) } else { U::FixedUse(p) });
}

impl VCodeInst for MInst {
    fn visit_operands(&mut self, v: &mut dyn OperandVisitor) {
        let rax = preg(regs::RAX);
        let rdx = preg(regs::RDX);
        let rcx = preg(regs::RCX);
        let shift_amount = |v: &mut dyn OperandVisitor, a: &mut ShiftAmount| {
            if let ShiftAmount::Cl(r) = a {
                g(v, r, U::FixedUse(rcx));
            }
        };
        use MInst as I;
        match self {
            I::MovRR { src, dst, .. } => {
                g(v, src, U::Use);
                gw(v, dst, U::Def);
            }
            I::MovImm { dst, .. } | I::LoadFuncAddr { dst, .. } | I::Setcc { dst, .. } => {
                gw(v, dst, U::Def)
            }
            I::MovzxRmR { src, dst } | I::MovsxRmR { src, dst, .. } => {
                any(v, src);
                gw(v, dst, U::Def);
            }
            I::MovMR { src, dst } => {
                g(v, src, U::Use);
                anymem(v, dst);
            }
            I::MovMI { dst, .. } | I::AluMI { dst, .. } => anymem(v, dst),
            I::Lea { src, dst } => {
                amode(v, src);
                gw(v, dst, U::Def);
            }
            I::AluRmR {
                src1, src2, dst, ..
            } => {
                g(v, src1, U::Use);
                any(v, src2);
                gw(v, dst, U::Reuse(0));
            }
            I::AluRI { src1, dst, .. } => {
                g(v, src1, U::Use);
                gw(v, dst, U::Reuse(0));
            }
            I::AluMR { src, dst, .. } => {
                g(v, src, U::Use);
                anymem(v, dst);
            }
            I::CmpRmR { lhs, rhs } => {
                g(v, lhs, U::Use);
                any(v, rhs);
            }
            I::CmpRmI { lhs, .. } | I::TestRmI { lhs, .. } => any(v, lhs),
            I::TestRmR { lhs, rhs } => {
                any(v, lhs);
                g(v, rhs, U::Use);
            }
            I::ImulRmR { src1, src2, dst } => {
                g(v, src1, U::Use);
                wide(v, src2);
                gw(v, dst, U::Reuse(0));
            }
            I::ImulRmRI { src, dst, .. } | I::BitRmR { src, dst, .. } => {
                wide(v, src);
                gw(v, dst, U::Def);
            }
            I::Mul {
                src1,
                src2,
                dst_lo,
                dst_hi,
                ..
            } => {
                g(v, src1, U::FixedUse(rax));
                any(v, src2);
                gw(v, dst_lo, U::FixedDef(rax));
                gw(v, dst_hi, U::FixedDef(rdx));
            }
            I::Div {
                dividend_lo,
                dividend_hi,
                divisor,
                dst_quot,
                dst_rem,
                ..
            } => {
                g(v, dividend_lo, U::FixedUse(rax));
                g(v, dividend_hi, U::FixedUse(rdx));
                any(v, divisor);
                gw(v, dst_quot, U::FixedDef(rax));
                gw(v, dst_rem, U::FixedDef(rdx));
            }
            I::SignExtendData { src, dst, .. } => {
                g(v, src, U::FixedUse(rax));
                gw(v, dst, U::FixedDef(rdx));
            }
            I::Unary { src, dst, .. } | I::Bswap { src, dst, .. } => {
                g(v, src, U::Use);
                gw(v, dst, U::Reuse(0));
            }
            I::Shift {
                src, amount, dst, ..
            } => {
                g(v, src, U::Use);
                shift_amount(v, amount);
                gw(v, dst, U::Reuse(0));
            }
            I::DoubleShift {
                src1,
                src2,
                amount,
                dst,
                ..
            } => {
                g(v, src1, U::Use);
                g(v, src2, U::Use);
                shift_amount(v, amount);
                gw(v, dst, U::Reuse(0));
            }
            I::Andn { src1, src2, dst } => {
                g(v, src1, U::Use);
                dq(v, src2);
                gw(v, dst, U::Def);
            }
            I::ShiftX {
                src, amount, dst, ..
            } => {
                dq(v, src);
                g(v, amount, U::Use);
                gw(v, dst, U::Def);
            }
            I::Cmove {
                consequent,
                alternative,
                dst,
                ..
            } => {
                g(v, alternative, U::Use);
                wide(v, consequent);
                gw(v, dst, U::Reuse(0));
            }
            I::XmmCmove {
                consequent,
                alternative,
                dst,
                ..
            } => {
                x(v, alternative, U::Use);
                x(v, consequent, U::Use);
                xw(v, dst, U::Reuse(0));
            }
            I::Jmp { .. }
            | I::Jcc { .. }
            | I::CallKnown { .. }
            | I::Ret
            | I::Ud2 { .. }
            | I::TrapIf { .. }
            | I::Nop { .. }
            | I::JmpIf { .. }
            | I::JmpIfEither { .. } => {}
            I::JmpUnknown { target } | I::CallUnknown { target } => gm64(v, target),
            I::Push64 { src } => g(v, src, U::Use),
            I::Pop64 { dst } => gw(v, dst, U::Def),
            I::JmpTableSeq {
                idx, tmp1, tmp2, ..
            }
            | I::BrTable {
                idx, tmp1, tmp2, ..
            } => {
                g(v, idx, U::Use);
                gw(v, tmp1, U::DefEarly);
                gw(v, tmp2, U::DefEarly);
            }
            I::XmmMov128 { src, dst, .. } => {
                xm128(v, src);
                xw(v, dst, U::Def);
            }
            I::XmmStore128 { src, dst, .. } => {
                x(v, src, U::Use);
                mem(v, dst, |m| *m.amode(), Mem128::new);
            }
            I::MovssLoad { src, dst, .. } => {
                mem(v, src, |m| *m.amode(), Mem32::new);
                xw(v, dst, U::Def);
            }
            I::MovsdLoad { src, dst, .. } => {
                mem(v, src, |m| *m.amode(), Mem64::new);
                xw(v, dst, U::Def);
            }
            I::MovssStore { src, dst, .. } => {
                x(v, src, U::Use);
                mem(v, dst, |m| *m.amode(), Mem32::new);
            }
            I::MovsdStore { src, dst, .. } => {
                x(v, src, U::Use);
                mem(v, dst, |m| *m.amode(), Mem64::new);
            }
            I::MovToXmm { src, dst, .. } => {
                dq(v, src);
                xw(v, dst, U::Def);
            }
            I::MovFromXmm { src, dst, .. } => {
                x(v, src, U::Use);
                gw(v, dst, U::Def);
            }
            I::XmmRmR32 {
                src1,
                src2,
                dst,
                avx,
                ..
            }
            | I::XmmRmRImm32 {
                src1,
                src2,
                dst,
                avx,
                ..
            } => {
                x(v, src1, U::Use);
                xm32(v, src2);
                xw(v, dst, sse_dst(*avx));
            }
            I::XmmRmR64 {
                src1,
                src2,
                dst,
                avx,
                ..
            }
            | I::XmmRmRImm64 {
                src1,
                src2,
                dst,
                avx,
                ..
            } => {
                x(v, src1, U::Use);
                xm64(v, src2);
                xw(v, dst, sse_dst(*avx));
            }
            I::XmmRmR128 {
                src1,
                src2,
                dst,
                avx,
                ..
            } => {
                x(v, src1, U::Use);
                xm128(v, src2);
                xw(v, dst, sse_dst(*avx));
            }
            I::Ucomiss { lhs, rhs, .. } => {
                x(v, lhs, U::Use);
                xm32(v, rhs);
            }
            I::Ucomisd { lhs, rhs, .. } => {
                x(v, lhs, U::Use);
                xm64(v, rhs);
            }
            I::CvtIntToFloat {
                src1,
                src2,
                dst,
                avx,
                ..
            } => {
                x(v, src1, U::Use);
                dq(v, src2);
                xw(v, dst, sse_dst(*avx));
            }
            I::CvttF32ToInt { src, dst, .. } => {
                xm32(v, src);
                gw(v, dst, U::Def);
            }
            I::CvttF64ToInt { src, dst, .. } => {
                xm64(v, src);
                gw(v, dst, U::Def);
            }
            I::CvtUint64ToFloatSeq {
                src,
                dst,
                tmp1,
                tmp2,
                ..
            } => {
                g(v, src, U::Use);
                xw(v, dst, U::DefEarly);
                gw(v, tmp1, U::DefEarly);
                gw(v, tmp2, U::DefEarly);
            }
            I::CvtFloatToIntSeq {
                src,
                dst,
                tmp_gpr,
                tmp_xmm,
                ..
            } => {
                x(v, src, U::Use);
                gw(v, dst, U::DefEarly);
                gw(v, tmp_gpr, U::DefEarly);
                xw(v, tmp_xmm, U::DefEarly);
            }
            I::XmmMinMaxSeq { lhs, rhs, dst, .. } => {
                x(v, lhs, U::Use);
                x(v, rhs, U::Use);
                xw(v, dst, U::Reuse(0));
            }
            I::XmmRoundSeq { src, dst, tmp, .. } => {
                x(v, src, U::Use);
                xw(v, dst, U::DefEarly);
                xw(v, tmp, U::DefEarly);
            }
            I::Fma32 {
                src1,
                src2,
                src3,
                dst,
                ..
            } => {
                x(v, src1, U::Use);
                x(v, src2, U::Use);
                xm32(v, src3);
                xw(v, dst, U::Reuse(0));
            }
            I::Fma64 {
                src1,
                src2,
                src3,
                dst,
                ..
            } => {
                x(v, src1, U::Use);
                x(v, src2, U::Use);
                xm64(v, src3);
                xw(v, dst, U::Reuse(0));
            }
            I::Args { args } => {
                for a in args.iter_mut() {
                    fixed(a, v, true);
                }
            }
            I::Rets { rets } => {
                for r in rets.iter_mut() {
                    fixed(r, v, false);
                }
            }
            I::Call { info } => {
                if let CallTarget::Reg(r) = &mut info.target {
                    g(v, r, U::Use);
                }
                for u in info.uses.iter_mut() {
                    fixed(u, v, false);
                }
                for d in info.defs.iter_mut() {
                    fixed(d, v, true);
                }
            }
        }
    }

    fn clobbers(&self) -> PRegSet {
        match self {
            MInst::Call { info } => info.clobbers,
            _ => PRegSet::empty(),
        }
    }

    fn is_ret(&self) -> bool {
        matches!(self, MInst::Rets { .. } | MInst::Ud2 { .. })
    }

    fn is_branch(&self) -> bool {
        matches!(
            self,
            MInst::Jmp { .. }
                | MInst::JmpIf { .. }
                | MInst::JmpIfEither { .. }
                | MInst::BrTable { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinst::vcode::OperandUse;
    use crate::machinst::{Reg, RegClass};

    /// Records every visited operand.
    struct Record(Vec<(Reg, OperandUse)>);

    impl OperandVisitor for Record {
        fn visit(&mut self, reg: &mut Reg, how: OperandUse) {
            if !reg.is_physical() {
                self.0.push((*reg, how));
            }
        }
    }

    fn ops(mut i: MInst) -> Vec<(Reg, OperandUse)> {
        let mut r = Record(Vec::new());
        i.visit_operands(&mut r);
        r.0
    }

    fn g(n: usize) -> Gpr {
        Gpr::unwrap_new(Reg::virt(n, RegClass::Int))
    }

    fn p(g: Gpr) -> PReg {
        preg(g)
    }

    #[test]
    fn two_address_forms_reuse_their_first_source() {
        // add dst, [base + index*4]: src1 first, then the address registers, dst reuses 0.
        let i = MInst::AluRmR {
            op: AluOp::Add,
            src1: g(0),
            src2: GprMem64::Mem(Mem64::new(Amode::imm_reg_reg_shift(
                8,
                g(1),
                g(2),
                Scale::Four,
            )))
            .into(),
            dst: Writable::from_reg(g(3)),
        };
        let v = ops(i);
        assert_eq!(v[0], (g(0).to_reg(), OperandUse::Use));
        assert_eq!(v[3], (g(3).to_reg(), OperandUse::Reuse(0)));
        // cmov keeps the alternative in the destination.
        let c = ops(MInst::Cmove {
            cc: CC::Z,
            consequent: GprMem64::Reg(g(5)).into(),
            alternative: g(6),
            dst: Writable::from_reg(g(7)),
        });
        assert_eq!(c[0].0, g(6).to_reg());
        assert_eq!(c[2], (g(7).to_reg(), OperandUse::Reuse(0)));
    }

    #[test]
    fn frame_registers_in_addresses_are_not_operands() {
        let v = ops(MInst::MovzxRmR {
            src: GprMem64::Mem(Mem64::new(Amode::imm_reg(-8, regs::RBP))).into(),
            dst: Writable::from_reg(g(0)),
        });
        assert_eq!(v, vec![(g(0).to_reg(), OperandUse::Def)]);
    }

    #[test]
    fn division_and_shifts_use_their_fixed_registers() {
        let d = ops(MInst::Div {
            signed: true,
            dividend_lo: g(0),
            dividend_hi: g(1),
            divisor: GprMem32::Reg(g(2)).into(),
            dst_quot: Writable::from_reg(g(3)),
            dst_rem: Writable::from_reg(g(4)),
        });
        assert_eq!(d[0].1, OperandUse::FixedUse(p(regs::RAX)));
        assert_eq!(d[1].1, OperandUse::FixedUse(p(regs::RDX)));
        assert_eq!(d[2].1, OperandUse::Use);
        assert_eq!(d[3].1, OperandUse::FixedDef(p(regs::RAX)));
        assert_eq!(d[4].1, OperandUse::FixedDef(p(regs::RDX)));
        let s = ops(MInst::Shift {
            op: ShiftOp::Shl,
            size: OperandSize::S32,
            src: g(0),
            amount: ShiftAmount::Cl(g(1)),
            dst: Writable::from_reg(g(2)),
        });
        assert_eq!(s[1].1, OperandUse::FixedUse(p(regs::RCX)));
        assert_eq!(s[2].1, OperandUse::Reuse(0));
    }

    #[test]
    fn calls_clobber_caller_saved_registers_only() {
        let c = sysv_call_clobbers();
        assert!(c.contains(p(regs::RAX)) && c.contains(p(regs::R11)));
        for r in [regs::RBX, regs::RBP, regs::RSP, regs::R12, regs::R15] {
            assert!(!c.contains(p(r)));
        }
        assert!(c.contains(regs::xmm(15).to_reg().to_preg().unwrap()));
    }
}
