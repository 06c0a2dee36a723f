//! The rules' extern terms: extractors over IR values and constructors emitting `MInst`s.

use super::*;

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
    fn load_zx(&mut self, size: OperandSize, a: Amode) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovzxRmR {
            src: gpr_mem_of(size, a),
            dst: w(dst),
        });
        dst
    }
    fn load_sx(&mut self, size: OperandSize, a: Amode) -> Gpr {
        let dst = self.gpr();
        self.emit(MInst::MovsxRmR {
            src: gpr_mem_of(size, a),
            dst_size: OperandSize::S64,
            dst: w(dst),
        });
        dst
    }
    fn load_f32(&mut self, a: Amode) -> Xmm {
        let dst = self.xmm();
        let avx = self.avx();
        self.emit(MInst::MovssLoad {
            src: Mem32::new(a),
            dst: w(dst),
            avx,
        });
        dst
    }
    fn load_f64(&mut self, a: Amode) -> Xmm {
        let dst = self.xmm();
        let avx = self.avx();
        self.emit(MInst::MovsdLoad {
            src: Mem64::new(a),
            dst: w(dst),
            avx,
        });
        dst
    }
    fn load_pair(&mut self, a: Amode) -> ValueRegs {
        // Both halves may fault: both carry the trap code.
        let trap = self.x.pending_trap.unwrap_or(None);
        let mut halves = [self.gpr(), self.gpr()];
        for (k, h) in halves.iter_mut().enumerate() {
            let Some(at) = a.offset(8 * k as i32) else {
                self.fail("address offset overflow");
                break;
            };
            self.lower.emit_trap(
                MInst::MovzxRmR {
                    src: GprMem64::Mem(Mem64::new(at)).into(),
                    dst: w(*h),
                },
                trap,
            );
        }
        ValueRegs::two(halves[0].to_reg(), halves[1].to_reg())
    }
    fn store_int(&mut self, size: OperandSize, x: Gpr, a: Amode) {
        self.emit(MInst::MovMR {
            src: x,
            dst: mem_of(size, a),
        });
    }
    fn store_f32(&mut self, x: Xmm, a: Amode) {
        let avx = self.avx();
        self.emit(MInst::MovssStore {
            src: x,
            dst: Mem32::new(a),
            avx,
        });
    }
    fn store_f64(&mut self, x: Xmm, a: Amode) {
        let avx = self.avx();
        self.emit(MInst::MovsdStore {
            src: x,
            dst: Mem64::new(a),
            avx,
        });
    }
    fn store_pair(&mut self, x: Value, a: Amode) {
        let trap = self.x.pending_trap.unwrap_or(None);
        let (lo, hi) = self.pair(x);
        for (k, h) in [lo, hi].into_iter().enumerate() {
            let Some(at) = a.offset(8 * k as i32) else {
                self.fail("address offset overflow");
                break;
            };
            self.lower.emit_trap(
                MInst::MovMR {
                    src: h,
                    dst: AnyMem::M64(Mem64::new(at)),
                },
                trap,
            );
        }
    }
    fn no_output(&mut self) -> ValueRegs {
        ValueRegs::none()
    }
    fn jmp_if(&mut self, cc: CC, taken: Label, not_taken: Label) {
        self.emit(MInst::JmpIf {
            cc,
            taken,
            not_taken,
        });
    }
    fn jmp_if_either(&mut self, cc1: CC, cc2: CC, taken: Label, not_taken: Label) {
        self.emit(MInst::JmpIfEither {
            cc1,
            cc2,
            taken,
            not_taken,
        });
    }
    fn cmove_regs(&mut self, cc: CC, x: Value, r: ValueRegs) -> ValueRegs {
        IsleContext::cmove_regs(self, cc, x, r)
    }
    fn value_regs(&mut self, v: Value) -> ValueRegs {
        self.regs(v)
    }
    fn icmp128_def(&mut self, c: Value) -> Option<(IntCC, Value, Value)> {
        match self.compare_def(c)? {
            InstructionData::IntCompare { cond, args, .. }
                if self.value_ty(args[0]) == types::I128 =>
            {
                Some((cond, args[0], args[1]))
            }
            _ => None,
        }
    }
    fn icmp128_imm_def(&mut self, c: Value) -> Option<(IntCC, Value, i64)> {
        match self.compare_def(c)? {
            InstructionData::IntCompareImm { cond, arg, imm, .. }
                if self.value_ty(arg) == types::I128 =>
            {
                Some((cond, arg, imm.bits()))
            }
            _ => None,
        }
    }
    fn setcc_of(&mut self, cc: CC) -> Gpr {
        self.setcc(cc)
    }
    fn setcc2(&mut self, op: AluOp, cc1: CC, cc2: CC) -> Gpr {
        let t1 = self.setcc(cc1);
        let t2 = self.setcc(cc2);
        self.alu_rr(OperandSize::S8, op, t1, t2)
    }
    fn i128_cmp(&mut self, cc: IntCC, a: Value, b: Value) -> Gpr {
        let x = self.pair(a);
        let y = self.pair(b);
        self.i128_compare(cc, x, y)
    }
    fn i128_cmp_imm(&mut self, cc: IntCC, a: Value, k: i64) -> Gpr {
        let x = self.pair(a);
        let y = self.imm128(k);
        self.i128_compare(cc, x, y)
    }
    fn fma3(&mut self, ty: Ty, x: Xmm, y: Xmm, z: Xmm) -> Xmm {
        let dst = self.xmm();
        // vfmadd213: dst = src2 * src1 + src3.
        self.emit(if matches!(ty, Ty::F32) {
            MInst::Fma32 {
                form: FmaForm::F213,
                src1: x,
                src2: y,
                src3: z.into(),
                dst: w(dst),
            }
        } else {
            MInst::Fma64 {
                form: FmaForm::F213,
                src1: x,
                src2: y,
                src3: z.into(),
                dst: w(dst),
            }
        });
        dst
    }
    fn fma_libcall(&mut self, ty: Ty, x: Value, y: Value, z: Value) -> ValueRegs {
        let args = [self.regs(x), self.regs(y), self.regs(z)];
        let lib = if matches!(ty, Ty::F32) {
            LibCall::FmaF32
        } else {
            LibCall::FmaF64
        };
        self.libcall(lib, &args)
    }
    fn has_bmi2(&mut self) -> bool {
        self.x.flags.has_bmi2
    }
    fn andn(&mut self, ty: Ty, a: Gpr, b: Gpr) -> Gpr {
        let dst = self.gpr();
        let src2 = if bits(&ty) == 64 {
            GprMem64::Reg(b).into()
        } else {
            GprMem32::Reg(b).into()
        };
        self.emit(MInst::Andn {
            src1: a,
            src2,
            dst: w(dst),
        });
        dst
    }
    fn shiftx(&mut self, ty: Ty, op: ShiftXOp, x: Gpr, amount: Gpr) -> Gpr {
        let dst = self.gpr();
        let src = if bits(&ty) == 64 {
            GprMem64::Reg(x).into()
        } else {
            GprMem32::Reg(x).into()
        };
        self.emit(MInst::ShiftX {
            op,
            src,
            amount,
            dst: w(dst),
        });
        dst
    }
}
