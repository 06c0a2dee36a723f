//! A stand-in code generator for tests, until the x86-64 backend is plugged in. It handles a
//! tiny subset, enough to exercise relocations, trampolines, host calls and traps:
//!
//! - Wasm functions (`u0:n`): if the IR has a `trap`, `ud2` with that trap code. Otherwise the
//!   direct calls (`call`, relocated) and the calls of imported functions (`call_indirect`
//!   through a vmctx load) in layout order, then `mov eax, imm` of the last `iconst.i32`
//!   if there was no call; arguments are not passed.
//! - Entry trampolines (`u1:n`): call `callee(vmctx)` and store `rax` in slot 0.
//! - Host shims (`u2:n`): call `dispatch(ctx, buffer)`, trap on non-zero, return slot 0.

use crate::compiler::{CompiledFunction, Compiler, Reloc, RelocKind};
use crate::error::CompileError;
use crate::trampolines::HOST_ERROR_TRAP;
use kiln_ir::{Function, InstructionData, Opcode, UserFuncName};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The mock; counts the functions it compiled.
#[derive(Default)]
pub(crate) struct MockCompiler {
    pub(crate) compiled: AtomicUsize,
}

fn wasm_function(func: &Function) -> CompiledFunction {
    let mut out = CompiledFunction::default();
    let dfg = &func.dfg;
    let insts: Vec<_> = func
        .layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b).collect::<Vec<_>>())
        .collect();
    for &inst in &insts {
        if let InstructionData::Trap { code, .. } = dfg.insts[inst] {
            out.code.extend_from_slice(&[0x0f, 0x0b]);
            out.traps.push((0, code));
            return out;
        }
    }
    let code = &mut out.code;
    code.extend_from_slice(&[0x53, 0x48, 0x89, 0xfb]); // push rbx; mov rbx, rdi
    let mut calls = 0;
    let mut last_const = None;
    for &inst in &insts {
        match dfg.insts[inst] {
            InstructionData::Call { func_ref, .. } => {
                let name = dfg.ext_funcs[func_ref].name.clone();
                code.extend_from_slice(&[0x48, 0x89, 0xdf, 0xe8]); // mov rdi, rbx; call rel32
                out.relocs.push(Reloc {
                    offset: code.len() as u32,
                    kind: RelocKind::X86CallPCRel4,
                    target: name,
                    addend: -4,
                });
                code.extend_from_slice(&[0; 4]);
                calls += 1;
            }
            InstructionData::CallIndirect { args, .. } => {
                let callee = dfg.value_lists.get(args)[0];
                let kiln_ir::ValueDef::Result(load, _) = dfg.value_def(callee) else {
                    continue;
                };
                let InstructionData::Load { offset, .. } = dfg.insts[load] else {
                    continue;
                };
                let off = offset.bits();
                code.extend_from_slice(&[0x48, 0x8b, 0x83]); // mov rax, [rbx + off]
                code.extend_from_slice(&off.to_le_bytes());
                code.extend_from_slice(&[0x48, 0x8b, 0xbb]); // mov rdi, [rbx + off + 8]
                code.extend_from_slice(&(off + 8).to_le_bytes());
                code.extend_from_slice(&[0xff, 0xd0]); // call rax
                calls += 1;
            }
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
                ..
            } if dfg.value_type(dfg.first_result(inst)) == kiln_ir::types::I32 => {
                last_const = Some(imm.bits() as u32);
            }
            _ => {}
        }
    }
    if let (0, Some(c)) = (calls, last_const) {
        code.push(0xb8); // mov eax, imm32
        code.extend_from_slice(&c.to_le_bytes());
    }
    code.extend_from_slice(&[0x5b, 0xc3]); // pop rbx; ret
    out
}

fn entry_trampoline() -> CompiledFunction {
    CompiledFunction {
        // push rdx; mov rax, rdi; mov rdi, rsi; call rax; pop rdx; mov [rdx], rax; ret
        code: vec![
            0x52, 0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0xff, 0xd0, 0x5a, 0x48, 0x89, 0x02, 0xc3,
        ],
        ..Default::default()
    }
}

fn host_shim() -> CompiledFunction {
    CompiledFunction {
        code: vec![
            0x48, 0x83, 0xec, 0x18, // sub rsp, 24
            0x48, 0x89, 0xe6, // mov rsi, rsp
            0xff, 0x17, // call [rdi]
            0x85, 0xc0, // test eax, eax
            0x75, 0x08, // jnz trap
            0x8b, 0x04, 0x24, // mov eax, [rsp]
            0x48, 0x83, 0xc4, 0x18, // add rsp, 24
            0xc3, // ret
            0x0f, 0x0b, // trap: ud2
        ],
        traps: vec![(21, HOST_ERROR_TRAP)],
        ..Default::default()
    }
}

impl Compiler for MockCompiler {
    fn compile(&self, func: &Function) -> Result<CompiledFunction, CompileError> {
        self.compiled.fetch_add(1, Ordering::Relaxed);
        match func.name {
            UserFuncName::User { namespace: 0, .. } => Ok(wasm_function(func)),
            UserFuncName::User { namespace: 1, .. } => Ok(entry_trampoline()),
            UserFuncName::User { namespace: 2, .. } => Ok(host_shim()),
            _ => Err(CompileError::Codegen {
                function: func.name.to_string(),
                message: "not supported by the mock".into(),
            }),
        }
    }
}

/// An engine compiling with the mock.
pub(crate) fn engine(config: &crate::Config) -> crate::Engine {
    crate::Engine::with_compiler(config, std::sync::Arc::new(MockCompiler::default()))
}

/// The binary of a module in the text format.
pub(crate) fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}
