//! Compiling one function for x86-64: analyse, lower, allocate, then emit with the frame.
//!
//! Frame (System V, frame pointer always):
//!
//! ```text
//!   [rbp+16..]  stack arguments          (caller's outgoing area)
//!   [rbp+8]     return address
//!   [rbp]       saved rbp
//!   [rbp-S..]   explicit stack slots     (S: their size, a multiple of 16)
//!   ...         spill slots, 8 bytes each
//!   ...         saved callee-saved registers (only those the allocator used)
//!   [rsp..]     outgoing arguments and return areas of calls
//! ```
//!
//! `rsp` stays 16-byte aligned after the prologue, so calls are aligned.

use super::abi::Loc;
use super::args::*;
use super::inst::*;
use super::lower::{is_frame_reg, SlotLayout, X64Lower};
use super::regs;
use super::settings::Flags;
use crate::machinst::compile::{CompileContext, CompiledFunction};
use crate::machinst::lower::{Lower, LowerError};
use crate::machinst::regalloc::{allocate, RegEnv, RegallocConfig};
use crate::machinst::vcode::{Applier, VCodeInst};
use crate::machinst::{BufferError, CodeBuffer, Label, PReg, Reg, RegClass, Writable};
use core::fmt::Write as _;
use kiln_ir::Function;
use regalloc2::{Allocation, Edit, InstOrEdit};

/// Why a function could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// Lowering failed (e.g. an instruction not lowered yet).
    #[error(transparent)]
    Lower(#[from] LowerError),
    /// The register allocator failed.
    #[error("register allocation failed: {0}")]
    Regalloc(String),
    /// The code buffer failed.
    #[error(transparent)]
    Buffer(#[from] BufferError),
}

fn preg(g: Gpr) -> PReg {
    g.to_reg().to_preg().expect("physical")
}

/// The allocatable registers, built once.
fn reg_env() -> &'static RegEnv {
    static ENV: std::sync::OnceLock<RegEnv> = std::sync::OnceLock::new();
    ENV.get_or_init(build_reg_env)
}

fn build_reg_env() -> RegEnv {
    let ints: Vec<PReg> = regs::SYSV_CALLER_SAVED_GPRS
        .iter()
        .map(|&g| preg(g))
        .collect();
    let callee: Vec<PReg> = [regs::RBX, regs::R12, regs::R13, regs::R14, regs::R15]
        .iter()
        .map(|&g| preg(g))
        .collect();
    let floats: Vec<PReg> = (0..16)
        .map(|i| regs::xmm(i).to_reg().to_preg().expect("physical"))
        .collect();
    RegEnv::new(&ints, &callee, &floats, &[])
}

/// Options of one compilation.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompileOptions {
    /// CPU features to use.
    pub flags: Flags,
    /// Produce a listing.
    pub listing: bool,
    /// Use the fast register allocator.
    pub fast_regalloc: bool,
    /// Check the stack limit in the prologue of functions with a `vmctx` parameter: after
    /// allocating the frame, `rsp` below the limit stored at `[vmctx + 0]` traps with
    /// `stk_ovf` (the layout `kiln-frontend-wasm`'s `VMOffsets` defines).
    pub stack_limit_check: bool,
}

/// Compiles `func` (which must verify) with the buffers of `ctx`.
pub fn compile_function(
    ctx: &mut CompileContext<MInst>,
    func: &Function,
    opts: CompileOptions,
) -> Result<CompiledFunction, CompileError> {
    ctx.cfg.compute(func);
    ctx.domtree.compute(func, &ctx.cfg);
    ctx.analysis.compute(func);
    let slots = SlotLayout::compute(func);
    let mut target = X64Lower::new(func, opts.flags, &slots);
    let lower = Lower::new(func, &ctx.analysis, &ctx.domtree, &mut ctx.lower)?;
    lower.lower(&mut target, &mut ctx.vcode)?;
    let outgoing = target.outgoing.next_multiple_of(16);
    let vmctx = if opts.stack_limit_check {
        func.signature
            .params
            .iter()
            .position(|p| p.purpose == kiln_ir::ArgumentPurpose::VMContext)
            .and_then(|i| target.abi.args.get(i).and_then(|l| l.first().copied()))
    } else {
        None
    };
    let out = allocate(
        &ctx.vcode,
        reg_env(),
        RegallocConfig {
            fast: opts.fast_regalloc,
        },
        &mut ctx.regalloc,
    )
    .map_err(|e| CompileError::Regalloc(format!("{e:?}")))?;
    emit(
        &ctx.vcode,
        &mut ctx.buffer,
        out,
        &slots,
        outgoing,
        vmctx,
        opts,
    )
}

struct Frame {
    slots_size: u32,
    nspill: u32,
    saved: Vec<Gpr>,
    total: u32,
}

impl Frame {
    /// The spill slot `slot` spanning `n` 8-byte slots (`slot..slot + n`).
    fn spill(&self, slot: usize, n: usize) -> Amode {
        Amode::imm_reg(-(self.slots_size as i32) - 8 * (slot + n) as i32, regs::RBP)
    }

    fn save_slot(&self, j: usize) -> Amode {
        Amode::imm_reg(
            -(self.slots_size as i32) - 8 * self.nspill as i32 - 8 * (j as i32 + 1),
            regs::RBP,
        )
    }
}

fn mov_edit(from: Allocation, to: Allocation, class: RegClass, frame: &Frame) -> Option<MInst> {
    let xr = |p: PReg| Xmm::unwrap_new(Reg::from_preg(p));
    let gr = |p: PReg| Gpr::unwrap_new(Reg::from_preg(p));
    Some(
        match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
            (Some(a), Some(b), _, _) => {
                if a == b {
                    return None;
                }
                match class {
                    RegClass::Int => MInst::MovRR {
                        size: OperandSize::S64,
                        src: gr(a),
                        dst: Writable::from_reg(gr(b)),
                    },
                    _ => MInst::XmmMov128 {
                        op: Mov128Op::Movaps,
                        src: xr(a).into(),
                        dst: Writable::from_reg(xr(b)),
                        avx: false,
                    },
                }
            }
            // SSE registers spill whole (16 bytes: floats and vectors share the class).
            (Some(a), None, _, Some(s)) => match class {
                RegClass::Int => MInst::MovMR {
                    src: gr(a),
                    dst: AnyMem::M64(Mem64::new(frame.spill(s.index(), 1))),
                },
                _ => MInst::XmmStore128 {
                    op: Mov128Op::Movdqu,
                    src: xr(a),
                    dst: Mem128::new(frame.spill(s.index(), 2)),
                    avx: false,
                },
            },
            (None, Some(b), Some(s), _) => match class {
                RegClass::Int => MInst::MovzxRmR {
                    src: GprMem64::Mem(Mem64::new(frame.spill(s.index(), 1))).into(),
                    dst: Writable::from_reg(gr(b)),
                },
                _ => MInst::XmmMov128 {
                    op: Mov128Op::Movdqu,
                    src: Mem128::new(frame.spill(s.index(), 2)).into(),
                    dst: Writable::from_reg(xr(b)),
                    avx: false,
                },
            },
            _ => return None,
        },
    )
}

fn emit(
    vcode: &crate::machinst::vcode::VCode<MInst>,
    buf: &mut CodeBuffer,
    out: &regalloc2::Output,
    slots: &SlotLayout,
    outgoing: u32,
    vmctx: Option<Loc>,
    opts: CompileOptions,
) -> Result<CompiledFunction, CompileError> {
    // Callee-saved registers the allocator used.
    let mut used = [false; 16];
    let mut note = |a: Allocation| {
        if let Some(p) = a.as_reg() {
            if p.class() == RegClass::Int && !is_frame_reg(p) {
                used[p.hw_enc() & 15] = true;
            }
        }
    };
    for &a in &out.allocs {
        note(a);
    }
    for (_, e) in &out.edits {
        let Edit::Move { from, to } = e;
        note(*from);
        note(*to);
    }
    let saved: Vec<Gpr> = [regs::RBX, regs::R12, regs::R13, regs::R14, regs::R15]
        .into_iter()
        .filter(|g| used[g.enc().unwrap_or(0) as usize])
        .collect();
    let nspill = out.num_spillslots as u32;
    let fixed = slots.size + 8 * nspill + 8 * saved.len() as u32;
    let frame = Frame {
        slots_size: slots.size,
        nspill,
        total: fixed.next_multiple_of(16) + outgoing,
        saved,
    };

    buf.clear();
    let nblocks = vcode.num_blocks();
    for _ in 0..nblocks {
        buf.new_label();
    }
    let mut listing = opts.listing.then(String::new);
    let put = |buf: &mut CodeBuffer, i: &MInst, trap, listing: &mut Option<String>| {
        if let Some(l) = listing.as_mut() {
            let _ = writeln!(l, "  {}", i);
        }
        i.emit(buf, trap);
    };

    // Prologue.
    put(buf, &MInst::Push64 { src: regs::RBP }, None, &mut listing);
    put(
        buf,
        &MInst::MovRR {
            size: OperandSize::S64,
            src: regs::RSP,
            dst: Writable::from_reg(regs::RBP),
        },
        None,
        &mut listing,
    );
    if frame.total > 0 {
        put(
            buf,
            &MInst::AluRI {
                op: AluOp::Sub,
                size: OperandSize::S64,
                src1: regs::RSP,
                imm: frame.total as i32,
                dst: Writable::from_reg(regs::RSP),
            },
            None,
            &mut listing,
        );
    }
    // Stack-limit check: the new frame must end above the limit.
    if let Some(loc) = vmctx {
        let base = match loc {
            Loc::Reg(p) => Gpr::unwrap_new(Reg::from_preg(p)),
            Loc::Stack(off) => {
                // r11 is caller-saved and holds no argument.
                put(
                    buf,
                    &MInst::MovzxRmR {
                        src: GprMem64::Mem(Mem64::new(Amode::imm_reg(16 + off as i32, regs::RBP)))
                            .into(),
                        dst: Writable::from_reg(regs::R11),
                    },
                    None,
                    &mut listing,
                );
                regs::R11
            }
        };
        put(
            buf,
            &MInst::CmpRmR {
                lhs: regs::RSP,
                rhs: GprMem64::Mem(Mem64::new(Amode::imm_reg(0, base))).into(),
            },
            None,
            &mut listing,
        );
        put(
            buf,
            &MInst::TrapIf {
                cc: CC::B,
                code: kiln_ir::TrapCode::StackOverflow,
            },
            None,
            &mut listing,
        );
    }
    for (j, &g) in frame.saved.iter().enumerate() {
        put(
            buf,
            &MInst::MovMR {
                src: g,
                dst: AnyMem::M64(Mem64::new(frame.save_slot(j))),
            },
            None,
            &mut listing,
        );
    }

    for b in 0..nblocks {
        buf.bind_label(Label::new(b as u32));
        if let Some(l) = listing.as_mut() {
            let _ = writeln!(l, "label{b}:");
        }
        for ie in out.block_insts_and_edits(vcode, regalloc2::Block::new(b)) {
            match ie {
                InstOrEdit::Edit(Edit::Move { from, to }) => {
                    let class = from
                        .as_reg()
                        .or(to.as_reg())
                        .map_or(RegClass::Int, |p| p.class());
                    if let Some(m) = mov_edit(*from, *to, class, &frame) {
                        put(buf, &m, None, &mut listing);
                    }
                }
                InstOrEdit::Inst(i) => {
                    let mut inst = vcode.insts[i.index()].clone();
                    inst.visit_operands(&mut Applier::new(out.inst_allocs(i)));
                    match &inst {
                        MInst::Args { .. } => {}
                        MInst::Rets { .. } => {
                            for (j, &g) in frame.saved.iter().enumerate() {
                                put(
                                    buf,
                                    &MInst::MovzxRmR {
                                        src: GprMem64::Mem(Mem64::new(frame.save_slot(j))).into(),
                                        dst: Writable::from_reg(g),
                                    },
                                    None,
                                    &mut listing,
                                );
                            }
                            put(
                                buf,
                                &MInst::MovRR {
                                    size: OperandSize::S64,
                                    src: regs::RBP,
                                    dst: Writable::from_reg(regs::RSP),
                                },
                                None,
                                &mut listing,
                            );
                            put(
                                buf,
                                &MInst::Pop64 {
                                    dst: Writable::from_reg(regs::RBP),
                                },
                                None,
                                &mut listing,
                            );
                            put(buf, &MInst::Ret, None, &mut listing);
                        }
                        // A move whose source and destination were allocated together.
                        MInst::MovRR { src, dst, .. } if *src == dst.to_reg() => {}
                        _ => put(buf, &inst, vcode.trap_codes[i.index()], &mut listing),
                    }
                }
            }
        }
    }
    let done = buf.finish()?;
    if let Some(l) = listing.as_mut() {
        disassemble(l, &done.data[..done.code_len as usize]);
    }
    Ok(CompiledFunction {
        code: done.data,
        code_len: done.code_len,
        relocs: done.relocs,
        traps: done.traps,
        frame_size: frame.total,
        listing,
    })
}

#[cfg(feature = "disas")]
fn disassemble(out: &mut String, code: &[u8]) {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter, MemorySizeOptions};
    let _ = writeln!(out, "; disassembly");
    let mut dec = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut f = IntelFormatter::new();
    f.options_mut().set_hex_prefix("0x");
    f.options_mut().set_hex_suffix("");
    f.options_mut().set_uppercase_hex(false);
    f.options_mut().set_space_after_operand_separator(true);
    f.options_mut().set_first_operand_char_index(0);
    f.options_mut()
        .set_memory_size_options(MemorySizeOptions::Always);
    let mut text = String::new();
    while dec.can_decode() {
        let ip = dec.ip();
        let ins = dec.decode();
        text.clear();
        f.format(&ins, &mut text);
        let _ = writeln!(out, "  {ip:4x}: {text}");
    }
}

#[cfg(not(feature = "disas"))]
fn disassemble(_out: &mut String, _code: &[u8]) {}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::parser::parse_functions;

    fn listing(text: &str, opts: CompileOptions) -> String {
        let f = parse_functions(text).expect("parses").remove(0);
        let mut ctx = CompileContext::new();
        let c = compile_function(
            &mut ctx,
            &f,
            CompileOptions {
                listing: true,
                ..opts
            },
        )
        .expect("compiles");
        c.listing.expect("listing")
    }

    const VMCTX_FN: &str = "
function %f(i64 vmctx, i32) -> i32 {
block0(v0: i64, v1: i32):
    v2 = iadd v1, v1
    return v2
}
";

    #[test]
    fn stack_limit_check_compares_rsp_with_the_vmctx_limit() {
        let with = listing(
            VMCTX_FN,
            CompileOptions {
                stack_limit_check: true,
                ..CompileOptions::default()
            },
        );
        assert!(with.contains("cmp rsp, qword ptr [rdi]"), "{with}");
        assert!(with.contains("ud2"), "{with}");
        let without = listing(VMCTX_FN, CompileOptions::default());
        assert!(!without.contains("cmp rsp"), "{without}");
    }

    #[test]
    fn callee_saved_registers_are_saved_only_when_used() {
        // Few live values: only caller-saved registers are needed.
        let small = listing(VMCTX_FN, CompileOptions::default());
        for r in ["rbx", "r12", "r13", "r14", "r15"] {
            assert!(!small.contains(r), "{small}");
        }
    }
}
