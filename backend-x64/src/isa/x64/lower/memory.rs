//! Addresses (folding `base + index << k`), loads and stores (sunk, big-endian, stack slots).

use super::*;

impl IsleContext<'_, '_, '_> {
    /// The address `v + offset`, folding `base + index << k` (k <= 3) when `v` is an `iadd`.
    pub(super) fn amode(&mut self, v: Value, offset: i32) -> Amode {
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

    pub(super) fn load_amode(&mut self, load: Inst) -> (Amode, Option<TrapCode>) {
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

    pub(super) fn sinkable(&mut self, v: Value, bytes: u32) -> Option<Inst> {
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

    /// Reverses the low `bytes` bytes of `x` (the rest of the result is undefined).
    pub(super) fn byte_swap(&mut self, bytes: u32, x: Gpr) -> Gpr {
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
    pub(super) fn load_big(
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
    pub(super) fn store_big(
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

    pub(super) fn slot_amode(&mut self, ss: kiln_ir::StackSlot, offset: i32) -> Amode {
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

    /// A little-endian load of type `ty` by `op` (rules `lower_load`; vectors here).
    pub(super) fn load(
        &mut self,
        op: Opcode,
        ty: Type,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<ValueRegs, LowerError> {
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
        let unsupported = || not_lowered(format!("{} {}", op.info().name, ty.name()));
        let t = ty_of(ty).ok_or_else(unsupported)?;
        self.x.pending_trap = Some(trap);
        let r = generated::constructor_lower_load(self, op, t, a);
        self.x.pending_trap = None;
        r.ok_or_else(unsupported)
    }

    /// A little-endian store of `x` by `op` (rules `lower_store`; vectors here).
    pub(super) fn store(
        &mut self,
        op: Opcode,
        x: Value,
        a: Amode,
        trap: Option<TrapCode>,
    ) -> Result<(), LowerError> {
        let ty = self.value_ty(x);
        if ty.is_vector() {
            let r = self.put_in_xmm(x);
            let avx = self.avx();
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
        let unsupported = || not_lowered(format!("{} {}", op.info().name, ty.name()));
        let t = ty_of(ty).ok_or_else(unsupported)?;
        self.x.pending_trap = Some(trap);
        let r = generated::constructor_lower_store(self, op, t, x, a);
        self.x.pending_trap = None;
        r.map(|_| ()).ok_or_else(unsupported)
    }
}

/// A load of a whole value of type `ty` from `a` into `r`.
pub(super) fn load_to(ty: Type, r: Reg, a: Amode) -> MInst {
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
pub(super) fn store_from(ty: Type, r: Reg, a: Amode) -> MInst {
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
