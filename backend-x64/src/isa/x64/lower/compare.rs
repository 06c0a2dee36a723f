//! Compares: fused conditions for branches and selects, and compare results as values.

use super::*;

/// The right-hand side of an integer compare.
#[derive(Clone, Copy)]
pub(super) enum CmpRhs {
    Val(Value),
    Imm(i64),
}

impl IsleContext<'_, '_, '_> {
    /// Emits a compare for the condition `c != 0` (rules `lower_cond`) and returns it.
    pub fn lower_cond(&mut self, c: Value) -> CC {
        generated::constructor_lower_cond(self, c)
    }

    pub(super) fn compare_def(&self, c: Value) -> Option<InstructionData> {
        let i = self.lower.def_inst(c)?;
        Some(self.lower.func.dfg.insts[i])
    }

    pub(super) fn int_compare(&mut self, cond: IntCC, a: Value, b: CmpRhs) -> CC {
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

    pub(super) fn ucomis(&mut self, a: Value, b: Value) {
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
}
