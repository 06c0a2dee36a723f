//! Calls (System V), runtime helpers and returns.

use super::*;

impl IsleContext<'_, '_, '_> {
    /// Extends `r` (of type `ty`) to 64 bits as an argument/return attribute asks.
    pub(super) fn apply_ext(&mut self, ty: Type, ext: ArgumentExtension, r: Reg) -> Reg {
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

    pub(super) fn ret(&mut self, vals: &[Value]) -> Result<(), LowerError> {
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

    pub(super) fn call(
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
    pub(super) fn gen_call(
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
    pub(super) fn libcall(&mut self, lib: LibCall, args: &[ValueRegs]) -> ValueRegs {
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
