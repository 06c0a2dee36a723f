//! 128-bit integers as register pairs (low half first).

use super::*;

impl IsleContext<'_, '_, '_> {
    pub(super) fn pair(&mut self, v: Value) -> (Gpr, Gpr) {
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
    pub(super) fn imm128(&mut self, k: i64) -> (Gpr, Gpr) {
        let lo = self.mov_imm(OperandSize::S64, k as u64);
        let hi = self.mov_imm(OperandSize::S64, (k >> 63) as u64);
        (lo, hi)
    }

    pub(super) fn out_pair(p: (Gpr, Gpr)) -> ValueRegs {
        ValueRegs::two(p.0.to_reg(), p.1.to_reg())
    }

    pub(super) fn mul128(&mut self, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> (Gpr, Gpr) {
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
    pub(super) fn shift128(&mut self, op: ShiftOp, x: (Gpr, Gpr), n: Gpr) -> (Gpr, Gpr) {
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
    pub(super) fn i128_op(&mut self, op: Opcode, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> ValueRegs {
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
            // ZF from `lo | hi`: the divisor is zero.
            let _ = self.alu_rr(s, AluOp::Or, b.0, b.1);
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

    pub(super) fn clz128(&mut self, lo: Gpr, hi: Gpr) -> Gpr {
        let ch = self.clz_wide(OperandSize::S64, hi);
        let cl = self.clz_wide(OperandSize::S64, lo);
        let cl = self.alu_ri(OperandSize::S64, AluOp::Add, cl, 64);
        self.emit(MInst::TestRmR {
            lhs: gm(OperandSize::S64, hi),
            rhs: hi,
        });
        self.cmove(OperandSize::S64, CC::Z, cl, ch)
    }

    pub(super) fn i128_compare(&mut self, cond: IntCC, a: (Gpr, Gpr), b: (Gpr, Gpr)) -> Gpr {
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
