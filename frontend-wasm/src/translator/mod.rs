//! Function translation: Wasm operators to IR through `FunctionBuilder`.
//!
//! The translator keeps an operand stack of IR values and a control stack of Wasm blocks; Wasm
//! locals are builder variables, so SSA construction is the builder's job. Code after an
//! unconditional branch is unreachable: it is validated but not translated.

mod control;
mod memory;
mod numeric;

use crate::environ::FuncEnvironment;
use crate::error::{WasmError, WasmResult};
use crate::module::{FunctionBodyData, ModuleInfo, WasmFuncType};
use crate::vmoffsets::Builtin;
use control::ControlFrame;
use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_ir::{
    types, AbiParam, ArgumentPurpose, CallConv, ExtFuncData, FuncRef, Function, InstBuilder,
    SigRef, Signature, UserFuncName, Value,
};
use std::collections::HashMap;
use wasmparser::{FuncValidatorAllocations, Operator};

/// The IR signature of a Wasm function type: the vmctx pointer first, then the Wasm
/// parameters; System V calling convention.
pub fn wasm_signature(ty: &WasmFuncType) -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params
        .push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
    sig.params
        .extend(ty.params.iter().map(|t| AbiParam::new(t.ir_type())));
    sig.returns
        .extend(ty.results.iter().map(|t| AbiParam::new(t.ir_type())));
    sig
}

/// The IR name of Wasm function `index`: `u0:index`.
pub fn function_name(index: u32) -> UserFuncName {
    UserFuncName::user(0, index)
}

/// Translates function bodies; reuse one per thread, its buffers are kept between functions.
#[derive(Default)]
pub struct FuncTranslator {
    builder_ctx: FunctionBuilderContext,
    allocs: Option<FuncValidatorAllocations>,
    stack: Vec<Value>,
    control: Vec<ControlFrame>,
}

/// Per-function state that refers to the function being built.
pub(crate) struct Translation<'a, 'f> {
    pub builder: FunctionBuilder<'f>,
    pub module: &'a ModuleInfo,
    pub env: &'a dyn FuncEnvironment,
    pub vmctx: Value,
    pub locals: Vec<kiln_ir::frontend::Variable>,
    pub stack: &'a mut Vec<Value>,
    pub control: &'a mut Vec<ControlFrame>,
    pub reachable: bool,
    sigs: HashMap<u32, SigRef>,
    builtin_sigs: HashMap<u8, SigRef>,
    funcs: HashMap<u32, FuncRef>,
}

impl FuncTranslator {
    /// A translator with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Translates `body` of `module` into `func` (which is cleared first), validating every
    /// operator on the way.
    pub fn translate(
        &mut self,
        module: &ModuleInfo,
        env: &dyn FuncEnvironment,
        body: FunctionBodyData<'_>,
        func: &mut Function,
    ) -> WasmResult<()> {
        let ty = module.function_type(body.index);
        func.clear();
        func.name = function_name(body.index);
        func.signature = wasm_signature(ty);

        let mut validator = body
            .validator
            .into_validator(self.allocs.take().unwrap_or_default());
        self.stack.clear();
        self.control.clear();

        let mut builder = FunctionBuilder::new(func, &mut self.builder_ctx);
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        builder.seal_block(entry);
        let params = builder.block_params(entry).to_vec();
        let vmctx = params[0];

        let mut t = Translation {
            builder,
            module,
            env,
            vmctx,
            locals: Vec::new(),
            stack: &mut self.stack,
            control: &mut self.control,
            reachable: true,
            sigs: HashMap::new(),
            builtin_sigs: HashMap::new(),
            funcs: HashMap::new(),
        };
        for (&param, wasm_ty) in params[1..].iter().zip(ty.params.iter()) {
            let var = t.builder.declare_var(wasm_ty.ir_type());
            t.builder.def_var(var, param);
            t.locals.push(var);
        }

        let mut locals = body.body.get_locals_reader()?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, wasm_ty) = locals.read()?;
            validator.define_locals(offset, count, wasm_ty)?;
            let ty = crate::module::WasmValType::from_wasmparser(wasm_ty, offset)?.ir_type();
            for _ in 0..count {
                let zero = t.zero(ty, offset)?;
                let var = t.builder.declare_var(ty);
                t.builder.def_var(var, zero);
                t.locals.push(var);
            }
        }

        // The function body is a block whose end returns.
        let ret = t.builder.create_block();
        for r in ty.results.iter() {
            t.builder.append_block_param(ret, r.ir_type());
        }
        t.control
            .push(ControlFrame::function(ret, ty.results.len()));

        let mut reader = body.body.get_operators_reader()?;
        while !reader.eof() {
            let (op, offset) = reader.read_with_offset()?;
            validator.op(offset, &op)?;
            if matches!(
                op,
                Operator::MemorySize { .. } | Operator::MemoryGrow { .. }
            ) && reader.original_position() - offset != 2
            {
                // Wasm 2.0 has one memory and a reserved zero byte here; later versions read a
                // memory index LEB, which wasmparser accepts in any length.
                return Err(WasmError::Invalid {
                    message: "zero byte expected".into(),
                    offset: offset + 1,
                });
            }
            t.translate_operator(&op, offset)?;
        }
        let end = reader.original_position();
        reader.finish()?;
        if !t.control.is_empty() {
            return Err(WasmError::Invalid {
                message: "function body ends inside a block".into(),
                offset: end,
            });
        }
        t.builder.finalize().map_err(|e| WasmError::Invalid {
            message: format!("internal error: {e}"),
            offset: end,
        })?;
        self.allocs = Some(validator.into_allocations());
        Ok(())
    }
}

impl Translation<'_, '_> {
    /// A zero of IR type `ty` (also the null reference).
    fn zero(&mut self, ty: kiln_ir::Type, offset: u64) -> WasmResult<Value> {
        Ok(match ty {
            types::F32 => self.builder.ins().f32const(0.0f32),
            types::F64 => self.builder.ins().f64const(0.0f64),
            t if t.is_int() => self.builder.ins().iconst(t, 0),
            _ => return crate::error::unsupported(offset, "SIMD locals"),
        })
    }

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    fn peek(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    fn push_results(&mut self, inst: kiln_ir::Inst) {
        let results = self.builder.func.dfg.inst_results(inst);
        self.stack.extend_from_slice(results);
    }

    /// The signature reference for Wasm type index `index`, imported once per function.
    fn signature_for_type(&mut self, index: u32) -> SigRef {
        if let Some(&s) = self.sigs.get(&index) {
            return s;
        }
        let sig = wasm_signature(&self.module.types[index as usize]);
        let s = self.builder.import_signature(sig);
        self.sigs.insert(index, s);
        s
    }

    /// The function reference for a direct call of defined function `index`.
    fn func_ref(&mut self, index: u32) -> FuncRef {
        if let Some(&f) = self.funcs.get(&index) {
            return f;
        }
        let signature = self.signature_for_type(self.module.functions[index as usize]);
        let f = self.builder.import_function(ExtFuncData {
            name: function_name(index),
            signature,
            colocated: true,
        });
        self.funcs.insert(index, f);
        f
    }

    /// Calls builtin `b` with `args` (after the vmctx) and returns its results.
    fn call_builtin(&mut self, b: Builtin, args: &[Value]) -> Vec<Value> {
        let sig = match self.builtin_sigs.get(&(b as u8)) {
            Some(&s) => s,
            None => {
                let (params, results) = b.signature();
                let mut sig = Signature::new(CallConv::SystemV);
                sig.params
                    .push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
                sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
                sig.returns
                    .extend(results.iter().map(|&t| AbiParam::new(t)));
                let s = self.builder.import_signature(sig);
                self.builtin_sigs.insert(b as u8, s);
                s
            }
        };
        let offset = self.env.builtin(b) as i32;
        let vmctx = self.vmctx;
        let callee = self
            .builder
            .ins()
            .load(types::I64, readonly_flags(), vmctx, offset);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(vmctx);
        all.extend_from_slice(args);
        let inst = self.builder.ins().call_indirect(sig, callee, &all);
        self.builder.func.dfg.inst_results(inst).to_vec()
    }
}

/// Flags for loads of vmctx fields that never change while code runs.
fn readonly_flags() -> kiln_ir::MemFlags {
    let mut f = kiln_ir::MemFlags::trusted();
    f.set_readonly();
    f
}
