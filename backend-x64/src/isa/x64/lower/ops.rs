//! Small emitting helpers: fresh registers, moves, ALU operations, bit counting fallbacks.

use super::*;

impl IsleContext<'_, '_, '_> {
    pub(super) fn gpr(&mut self) -> Gpr {
        Gpr::unwrap_new(self.lower.alloc_vreg(RegClass::Int))
    }

    pub(super) fn xmm(&mut self) -> Xmm {
        Xmm::unwrap_new(self.lower.alloc_vreg(RegClass::Float))
    }

    pub(super) fn fail(&mut self, what: impl Into<String>) {
        if self.x.error.is_none() {
            self.x.error = Some(not_lowered(what));
        }
    }

    pub(super) fn emit(&mut self, i: MInst) {
        if i.mem_access().is_some() {
            if let Some(code) = self.x.pending_trap.take() {
                self.lower.emit_trap(i, code);
                return;
            }
        }
        self.lower.emit(i);
    }

    pub(super) fn avx(&self) -> bool {
        self.x.flags.has_avx
    }

    pub(super) fn value_ty(&self, v: Value) -> Type {
        self.lower.func.dfg.value_type(v)
    }

    pub(super) fn regs(&mut self, v: Value) -> ValueRegs {
        self.lower.put_value_in_regs(v)
    }

    pub(super) fn mov_imm(&mut self, size: OperandSize, imm: u64) -> Gpr {
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

    pub(super) fn movzx(&mut self, size: OperandSize, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovzxRmR {
            src: gm(size, src),
            dst: w(dst),
        });
        dst
    }

    pub(super) fn movsx(&mut self, size: OperandSize, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovsxRmR {
            src: gm(size, src),
            dst_size: OperandSize::S64,
            dst: w(dst),
        });
        dst
    }

    pub(super) fn setcc(&mut self, cc: CC) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::Setcc { cc, dst: w(dst) });
        dst
    }

    pub(super) fn alu_rr(&mut self, size: OperandSize, op: AluOp, a: Gpr, b: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::AluRmR {
            op,
            src1: a,
            src2: gm(size, b),
            dst: w(dst),
        });
        dst
    }

    pub(super) fn alu_ri(&mut self, size: OperandSize, op: AluOp, a: Gpr, imm: i32) -> Gpr {
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

    pub(super) fn shift_i(&mut self, size: OperandSize, op: ShiftOp, a: Gpr, k: u8) -> Gpr {
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

    pub(super) fn cmove(&mut self, size: OperandSize, cc: CC, yes: Gpr, no: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::Cmove {
            cc,
            consequent: wide(size, yes),
            alternative: no,
            dst: w(dst),
        });
        dst
    }

    pub(super) fn bit_op(&mut self, size: OperandSize, op: BitOp, src: Gpr) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::BitRmR {
            op,
            src: wide(size, src),
            dst: w(dst),
        });
        dst
    }

    pub(super) fn zero_xmm(&mut self) -> Xmm {
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
    pub(super) fn clz_wide(&mut self, size: OperandSize, x: Gpr) -> Gpr {
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

    pub(super) fn clz(&mut self, ty: &Ty, x: Gpr) -> Gpr {
        match ty {
            Ty::I8 | Ty::I16 => {
                let z = self.movzx(size_of(ty), x);
                let c = self.clz_wide(OperandSize::S32, z);
                self.alu_ri(OperandSize::S32, AluOp::Sub, c, 32 - bits(ty) as i32)
            }
            _ => self.clz_wide(size_of(ty), x),
        }
    }

    pub(super) fn popcnt_fallback(&mut self, x: Gpr) -> Gpr {
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

    pub(super) fn swap_bits(&mut self, x: Gpr, k: u8, mask: u64) -> Gpr {
        let s = OperandSize::S64;
        let m = self.mov_imm(s, mask);
        let a = self.shift_i(s, ShiftOp::Shr, x, k);
        let a = self.alu_rr(s, AluOp::And, a, m);
        let b = self.alu_rr(s, AluOp::And, x, m);
        let b = self.shift_i(s, ShiftOp::Shl, b, k);
        self.alu_rr(s, AluOp::Or, a, b)
    }
}
