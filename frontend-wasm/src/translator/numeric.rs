//! Everything that is not control flow: variables, calls, and numeric operators.

use super::Translation;
use crate::error::WasmResult;
use kiln_ir::types::{F32, F64, I16, I32, I64, I8};
use kiln_ir::{FloatCC, Ieee32, Ieee64, InstBuilder, IntCC, Opcode, Type, Value};
use wasmparser::Operator as O;

impl Translation<'_, '_> {
    /// Translates an operator that does not change control flow.
    pub(super) fn translate_plain(&mut self, op: &O<'_>, offset: u64) -> WasmResult<()> {
        match *op {
            O::Nop => {}
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let (a, b, c) = self.pop3();
                let v = self.builder.ins().select(c, a, b);
                self.stack.push(v);
            }
            O::LocalGet { local_index } => {
                let v = self.builder.use_var(self.locals[local_index as usize]);
                self.stack.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                self.builder.def_var(self.locals[local_index as usize], v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.builder.def_var(self.locals[local_index as usize], v);
            }
            O::GlobalGet { global_index } => {
                let v = self.global_get(global_index);
                self.stack.push(v);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                self.global_set(global_index, v);
            }
            O::Call { function_index } => self.call(function_index),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index),

            O::I32Const { value } => self.push_iconst(I32, value.into()),
            O::I64Const { value } => self.push_iconst(I64, value),
            O::F32Const { value } => {
                let v = self.builder.ins().f32const(Ieee32::with_bits(value.bits()));
                self.stack.push(v);
            }
            O::F64Const { value } => {
                let v = self.builder.ins().f64const(Ieee64::with_bits(value.bits()));
                self.stack.push(v);
            }

            O::I32Eqz | O::I64Eqz => {
                let x = self.pop();
                let c = self.builder.ins().icmp_imm(IntCC::Equal, x, 0);
                self.push_bool(c);
            }
            O::I32Eq | O::I64Eq => self.icmp(IntCC::Equal),
            O::I32Ne | O::I64Ne => self.icmp(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => self.icmp(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => self.icmp(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => self.icmp(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => self.icmp(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => self.icmp(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual),
            O::F32Eq | O::F64Eq => self.fcmp(FloatCC::Equal),
            O::F32Ne | O::F64Ne => self.fcmp(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => self.fcmp(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => self.fcmp(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => self.fcmp(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual),

            O::I32Clz | O::I64Clz => self.unary(Opcode::Clz),
            O::I32Ctz | O::I64Ctz => self.unary(Opcode::Ctz),
            O::I32Popcnt | O::I64Popcnt => self.unary(Opcode::Popcnt),
            O::I32Add | O::I64Add => self.binary(Opcode::Iadd),
            O::I32Sub | O::I64Sub => self.binary(Opcode::Isub),
            O::I32Mul | O::I64Mul => self.binary(Opcode::Imul),
            O::I32DivS | O::I64DivS => self.binary(Opcode::Sdiv),
            O::I32DivU | O::I64DivU => self.binary(Opcode::Udiv),
            O::I32RemS | O::I64RemS => self.binary(Opcode::Srem),
            O::I32RemU | O::I64RemU => self.binary(Opcode::Urem),
            O::I32And | O::I64And => self.binary(Opcode::Band),
            O::I32Or | O::I64Or => self.binary(Opcode::Bor),
            O::I32Xor | O::I64Xor => self.binary(Opcode::Bxor),
            O::I32Shl | O::I64Shl => self.binary(Opcode::Ishl),
            O::I32ShrS | O::I64ShrS => self.binary(Opcode::Sshr),
            O::I32ShrU | O::I64ShrU => self.binary(Opcode::Ushr),
            O::I32Rotl | O::I64Rotl => self.binary(Opcode::Rotl),
            O::I32Rotr | O::I64Rotr => self.binary(Opcode::Rotr),

            O::F32Abs | O::F64Abs => self.unary(Opcode::Fabs),
            O::F32Neg | O::F64Neg => self.unary(Opcode::Fneg),
            O::F32Ceil | O::F64Ceil => self.unary(Opcode::Ceil),
            O::F32Floor | O::F64Floor => self.unary(Opcode::Floor),
            O::F32Trunc | O::F64Trunc => self.unary(Opcode::Trunc),
            O::F32Nearest | O::F64Nearest => self.unary(Opcode::Nearest),
            O::F32Sqrt | O::F64Sqrt => self.unary(Opcode::Sqrt),
            O::F32Add | O::F64Add => self.binary(Opcode::Fadd),
            O::F32Sub | O::F64Sub => self.binary(Opcode::Fsub),
            O::F32Mul | O::F64Mul => self.binary(Opcode::Fmul),
            O::F32Div | O::F64Div => self.binary(Opcode::Fdiv),
            O::F32Min | O::F64Min => self.binary(Opcode::Fmin),
            O::F32Max | O::F64Max => self.binary(Opcode::Fmax),
            O::F32Copysign | O::F64Copysign => self.binary(Opcode::Fcopysign),

            O::I32WrapI64 => self.convert(Opcode::Ireduce, I32),
            O::I64ExtendI32S => self.convert(Opcode::Sextend, I64),
            O::I64ExtendI32U => self.convert(Opcode::Uextend, I64),
            O::I32TruncF32S | O::I32TruncF64S => self.convert(Opcode::FcvtToSint, I32),
            O::I32TruncF32U | O::I32TruncF64U => self.convert(Opcode::FcvtToUint, I32),
            O::I64TruncF32S | O::I64TruncF64S => self.convert(Opcode::FcvtToSint, I64),
            O::I64TruncF32U | O::I64TruncF64U => self.convert(Opcode::FcvtToUint, I64),
            O::I32TruncSatF32S | O::I32TruncSatF64S => self.convert(Opcode::FcvtToSintSat, I32),
            O::I32TruncSatF32U | O::I32TruncSatF64U => self.convert(Opcode::FcvtToUintSat, I32),
            O::I64TruncSatF32S | O::I64TruncSatF64S => self.convert(Opcode::FcvtToSintSat, I64),
            O::I64TruncSatF32U | O::I64TruncSatF64U => self.convert(Opcode::FcvtToUintSat, I64),
            O::F32ConvertI32S | O::F32ConvertI64S => self.convert(Opcode::FcvtFromSint, F32),
            O::F32ConvertI32U | O::F32ConvertI64U => self.convert(Opcode::FcvtFromUint, F32),
            O::F64ConvertI32S | O::F64ConvertI64S => self.convert(Opcode::FcvtFromSint, F64),
            O::F64ConvertI32U | O::F64ConvertI64U => self.convert(Opcode::FcvtFromUint, F64),
            O::F32DemoteF64 => self.convert(Opcode::Fdemote, F32),
            O::F64PromoteF32 => self.convert(Opcode::Fpromote, F64),
            O::I32ReinterpretF32 => self.convert(Opcode::Bitcast, I32),
            O::I64ReinterpretF64 => self.convert(Opcode::Bitcast, I64),
            O::F32ReinterpretI32 => self.convert(Opcode::Bitcast, F32),
            O::F64ReinterpretI64 => self.convert(Opcode::Bitcast, F64),
            O::I32Extend8S => self.sign_extend_from(I8, I32),
            O::I32Extend16S => self.sign_extend_from(I16, I32),
            O::I64Extend8S => self.sign_extend_from(I8, I64),
            O::I64Extend16S => self.sign_extend_from(I16, I64),
            O::I64Extend32S => self.sign_extend_from(I32, I64),

            O::RefNull { .. } => self.push_iconst(I64, 0),
            O::RefIsNull => {
                let x = self.pop();
                let c = self.builder.ins().icmp_imm(IntCC::Equal, x, 0);
                self.push_bool(c);
            }
            O::RefFunc { function_index } => {
                let off = i64::from(self.env.func_ref(function_index));
                let v = self.builder.ins().iadd_imm(self.vmctx, off);
                self.stack.push(v);
            }

            _ => return self.translate_memory(op, offset),
        }
        Ok(())
    }

    fn push_iconst(&mut self, ty: Type, value: i64) {
        let v = self.builder.ins().iconst(ty, value);
        self.stack.push(v);
    }

    /// Pushes an `i8` condition as the `i32` Wasm uses for booleans.
    fn push_bool(&mut self, c: Value) {
        let v = self.builder.ins().uextend(I32, c);
        self.stack.push(v);
    }

    fn icmp(&mut self, cc: IntCC) {
        let (a, b) = self.pop2();
        let c = self.builder.ins().icmp(cc, a, b);
        self.push_bool(c);
    }

    fn fcmp(&mut self, cc: FloatCC) {
        let (a, b) = self.pop2();
        let c = self.builder.ins().fcmp(cc, a, b);
        self.push_bool(c);
    }

    fn unary(&mut self, opcode: Opcode) {
        let x = self.pop();
        let ty = self.builder.func.dfg.value_type(x);
        let data = kiln_ir::InstructionData::Unary { opcode, arg: x };
        let v = self.builder.ins().value(data, ty);
        self.stack.push(v);
    }

    fn binary(&mut self, opcode: Opcode) {
        let (a, b) = self.pop2();
        let ty = self.builder.func.dfg.value_type(a);
        let data = kiln_ir::InstructionData::Binary {
            opcode,
            args: [a, b],
        };
        let v = self.builder.ins().value(data, ty);
        self.stack.push(v);
    }

    /// A conversion whose result type is `to`.
    fn convert(&mut self, opcode: Opcode, to: Type) {
        let x = self.pop();
        let data = kiln_ir::InstructionData::Unary { opcode, arg: x };
        let v = self.builder.ins().value(data, to);
        self.stack.push(v);
    }

    fn sign_extend_from(&mut self, narrow: Type, ty: Type) {
        let x = self.pop();
        let low = self.builder.ins().ireduce(narrow, x);
        let v = self.builder.ins().sextend(ty, low);
        self.stack.push(v);
    }

    fn call(&mut self, index: u32) {
        let ty = self.module.function_type(index);
        let (nparams, _) = (ty.params.len(), ty.results.len());
        let mut args = Vec::with_capacity(nparams + 1);
        args.push(self.vmctx);
        let at = self.stack.len() - nparams;
        args.extend(self.stack.drain(at..));
        let inst = if self.module.is_imported_function(index) {
            let off = self.env.imported_function(index) as i32;
            let flags = super::readonly_flags();
            let vmctx = self.vmctx;
            let code = self.builder.ins().load(I64, flags, vmctx, off);
            let callee_vmctx = self.builder.ins().load(I64, flags, vmctx, off + 8);
            args[0] = callee_vmctx;
            let sig = self.signature_for_type(self.module.functions[index as usize]);
            self.builder.ins().call_indirect(sig, code, &args)
        } else {
            let f = self.func_ref(index);
            self.builder.ins().call(f, &args)
        };
        self.push_results(inst);
    }

    fn call_indirect(&mut self, type_index: u32, table: u32) {
        let index = self.pop();
        let func_ref = self.table_element(table, index);
        let trusted = kiln_ir::MemFlags::trusted();
        let null = kiln_ir::TrapCode::IndirectCallToNull;
        self.builder.ins().trapz(func_ref, null);
        let actual = self.builder.ins().load(
            I32,
            trusted,
            func_ref,
            crate::vmoffsets::FUNC_REF_TYPE_ID as i32,
        );
        let canonical = self.module.canonical_types[type_index as usize];
        let expected_off = self.env.type_id(canonical) as i32;
        let vmctx = self.vmctx;
        let expected = self
            .builder
            .ins()
            .load(I32, super::readonly_flags(), vmctx, expected_off);
        let mismatch = self.builder.ins().icmp(IntCC::NotEqual, actual, expected);
        self.builder
            .ins()
            .trapnz(mismatch, kiln_ir::TrapCode::BadSignature);
        let code = self.builder.ins().load(
            I64,
            trusted,
            func_ref,
            crate::vmoffsets::FUNC_REF_CODE as i32,
        );
        let callee_vmctx = self.builder.ins().load(
            I64,
            trusted,
            func_ref,
            crate::vmoffsets::FUNC_REF_VMCTX as i32,
        );
        let nparams = self.module.types[type_index as usize].params.len();
        let mut args = Vec::with_capacity(nparams + 1);
        args.push(callee_vmctx);
        let at = self.stack.len() - nparams;
        args.extend(self.stack.drain(at..));
        let sig = self.signature_for_type(type_index);
        let inst = self.builder.ins().call_indirect(sig, code, &args);
        self.push_results(inst);
    }
}
