//! The x86-64 encoder: [`MInst`] to bytes in a [`CodeBuffer`].
//!
//! Every instruction is assembled from a few pieces: legacy prefixes (`66`, `F2`, `F3`), a REX
//! prefix when any of W/R/X/B is needed (or a byte register `spl bpl sil dil` is used), the
//! opcode bytes, ModRM with SIB and displacement for memory operands, and immediates. VEX
//! instructions (AVX, BMI, FMA) replace prefixes, REX and the escape bytes with a 2- or 3-byte
//! VEX prefix.
//!
//! Registers must be physical when an instruction is emitted; emitting a virtual register is
//! a bug of the caller and panics.

use super::args::*;
use super::inst::*;
use crate::machinst::{BranchForm, CodeBuffer, FixupKind, RelocKind, Writable};
use kiln_ir::TrapCode;

fn g(r: Gpr) -> u8 {
    r.enc()
        .expect("virtual register reached the encoder (register allocation not applied)")
}

fn x(r: Xmm) -> u8 {
    r.enc()
        .expect("virtual register reached the encoder (register allocation not applied)")
}

fn gw(r: Writable<Gpr>) -> u8 {
    g(r.to_reg())
}

fn xw(r: Writable<Xmm>) -> u8 {
    x(r.to_reg())
}

/// The r/m operand of an instruction: a register encoding or an address.
#[derive(Clone, Copy)]
enum Rm<'a> {
    Reg(u8),
    Mem(&'a Amode),
}

impl<'a> From<RegMemRef<'a>> for Rm<'a> {
    fn from(r: RegMemRef<'a>) -> Rm<'a> {
        match r {
            RegMemRef::Gpr(r) => Rm::Reg(g(r)),
            RegMemRef::Xmm(r) => Rm::Reg(x(r)),
            RegMemRef::Mem(a) => Rm::Mem(a),
        }
    }
}

fn xm32(o: &XmmMem32) -> Rm<'_> {
    match o {
        XmmMem32::Reg(r) => Rm::Reg(x(*r)),
        XmmMem32::Mem(m) => Rm::Mem(m.amode()),
    }
}

fn xm64(o: &XmmMem64) -> Rm<'_> {
    match o {
        XmmMem64::Reg(r) => Rm::Reg(x(*r)),
        XmmMem64::Mem(m) => Rm::Mem(m.amode()),
    }
}

fn xm128(o: &XmmMem128) -> Rm<'_> {
    match o {
        XmmMem128::Reg(r) => Rm::Reg(x(*r)),
        XmmMem128::Mem(m) => Rm::Mem(m.amode()),
    }
}

fn gm64(o: &GprMem64) -> Rm<'_> {
    match o {
        GprMem64::Reg(r) => Rm::Reg(g(*r)),
        GprMem64::Mem(m) => Rm::Mem(m.amode()),
    }
}

/// Legacy-encoded instruction description.
#[derive(Clone, Copy, Default)]
struct Enc<'p> {
    /// Prefixes before REX (`66`, `F2`, `F3`).
    prefixes: &'p [u8],
    /// Opcode bytes (including `0F`, `0F 38`, `0F 3A` escapes).
    opcode: &'p [u8],
    /// REX.W.
    w: bool,
    /// The ModRM `reg` operand is a byte register (needs REX for `spl bpl sil dil`).
    reg_byte: bool,
    /// The ModRM `r/m` register is a byte register.
    rm_byte: bool,
}

fn size_prefix(size: OperandSize) -> &'static [u8] {
    if size == OperandSize::S16 {
        &[0x66]
    } else {
        &[]
    }
}

/// Emits prefixes, REX, opcode and ModRM/SIB/displacement. `imm_len` is the number of
/// immediate bytes the caller appends afterwards (RIP-relative displacements are measured
/// from the end of the instruction).
fn emit_rm(sink: &mut CodeBuffer, e: Enc<'_>, reg: u8, rm: Rm<'_>, imm_len: u8) {
    sink.put_bytes(e.prefixes);
    let (xb, bb) = match rm {
        Rm::Reg(r) => (0, r >> 3),
        Rm::Mem(Amode::ImmReg { base, .. }) => (0, g(*base) >> 3),
        Rm::Mem(Amode::ImmRegRegShift { base, index, .. }) => (g(*index) >> 3, g(*base) >> 3),
        Rm::Mem(Amode::RipRelative { .. }) => (0, 0),
    };
    let byte_needs_rex = (e.reg_byte && (4..8).contains(&reg))
        || (e.rm_byte && matches!(rm, Rm::Reg(r) if (4..8).contains(&r)));
    let rex = 0x40 | (e.w as u8) << 3 | (reg >> 3) << 2 | xb << 1 | bb;
    if rex != 0x40 || byte_needs_rex {
        sink.put1(rex);
    }
    sink.put_bytes(e.opcode);
    modrm_sib(sink, reg, rm, imm_len);
}

fn modrm(m: u8, reg: u8, rm: u8) -> u8 {
    m << 6 | (reg & 7) << 3 | (rm & 7)
}

/// ModRM, SIB and displacement for `reg` and `rm`.
fn modrm_sib(sink: &mut CodeBuffer, reg: u8, rm: Rm<'_>, imm_len: u8) {
    match rm {
        Rm::Reg(r) => sink.put1(modrm(0b11, reg, r)),
        Rm::Mem(Amode::RipRelative { target, offset }) => {
            sink.put1(modrm(0b00, reg, 0b101));
            let addend = offset.wrapping_sub(4 + imm_len as i32);
            sink.put_label_ref(*target, FixupKind::PcRel32, addend);
        }
        Rm::Mem(&Amode::ImmReg { base, disp }) => {
            let b = g(base);
            let (m, dlen) = disp_mode(disp, b);
            if b & 7 == 4 {
                // rsp/r12 as base need a SIB byte (index "none").
                sink.put1(modrm(m, reg, 0b100));
                sink.put1(0b00_100_100);
            } else {
                sink.put1(modrm(m, reg, b));
            }
            put_disp(sink, disp, dlen);
        }
        Rm::Mem(&Amode::ImmRegRegShift {
            base,
            index,
            scale,
            disp,
        }) => {
            let (b, i) = (g(base), g(index));
            assert_ne!(i, 4, "rsp cannot be an index register");
            let (m, dlen) = disp_mode(disp, b);
            sink.put1(modrm(m, reg, 0b100));
            sink.put1(scale.shift() << 6 | (i & 7) << 3 | (b & 7));
            put_disp(sink, disp, dlen);
        }
    }
}

/// The ModRM `mod` and displacement length for `disp` off base `b`: rbp/r13 as base have no
/// displacement-less form.
fn disp_mode(disp: i32, b: u8) -> (u8, u8) {
    if disp == 0 && b & 7 != 5 {
        (0b00, 0)
    } else if i8::try_from(disp).is_ok() {
        (0b01, 1)
    } else {
        (0b10, 4)
    }
}

fn put_disp(sink: &mut CodeBuffer, disp: i32, len: u8) {
    match len {
        0 => {}
        1 => sink.put1(disp as i8 as u8),
        _ => sink.put4(disp as u32),
    }
}

/// VEX `pp` field values.
const PP_NONE: u8 = 0;
const PP_66: u8 = 1;
const PP_F3: u8 = 2;
const PP_F2: u8 = 3;
/// VEX `mmmmm` field values.
const MAP_0F: u8 = 1;
const MAP_0F38: u8 = 2;
const MAP_0F3A: u8 = 3;

/// Emits a VEX-encoded instruction (L = 0): prefix, opcode, ModRM/SIB/displacement.
/// `vvvv` is the extra source register (`None`: unused, encoded as 1111).
fn emit_vex(
    sink: &mut CodeBuffer,
    pp: u8,
    map: u8,
    w: bool,
    opcode: u8,
    reg: u8,
    vvvv: Option<u8>,
    rm: Rm<'_>,
    imm_len: u8,
) {
    let (xb, bb) = match rm {
        Rm::Reg(r) => (0, r >> 3),
        Rm::Mem(Amode::ImmReg { base, .. }) => (0, g(*base) >> 3),
        Rm::Mem(Amode::ImmRegRegShift { base, index, .. }) => (g(*index) >> 3, g(*base) >> 3),
        Rm::Mem(Amode::RipRelative { .. }) => (0, 0),
    };
    let r_bar = !(reg >> 3) & 1;
    let v_bar = !vvvv.unwrap_or(0) & 0xf;
    if map == MAP_0F && !w && xb == 0 && bb == 0 {
        sink.put1(0xc5);
        sink.put1(r_bar << 7 | v_bar << 3 | pp);
    } else {
        sink.put1(0xc4);
        sink.put1(r_bar << 7 | (!xb & 1) << 6 | (!bb & 1) << 5 | map);
        sink.put1((w as u8) << 7 | v_bar << 3 | pp);
    }
    sink.put1(opcode);
    modrm_sib(sink, reg, rm, imm_len);
}

/// An SSE instruction's encoding: mandatory prefix, opcode map and opcode.
#[derive(Clone, Copy)]
struct SseEnc {
    pp: u8,
    map: u8,
    op: u8,
}

/// Emits an SSE instruction in its legacy form (`reg` is also the first source) or, with
/// `avx`, its VEX form with `vvvv` as the first source.
fn emit_sse(
    sink: &mut CodeBuffer,
    e: SseEnc,
    w: bool,
    reg: u8,
    vvvv: Option<u8>,
    rm: Rm<'_>,
    avx: bool,
    imm_len: u8,
) {
    if avx {
        emit_vex(sink, e.pp, e.map, w, e.op, reg, vvvv, rm, imm_len);
        return;
    }
    let prefix: &[u8] = match e.pp {
        PP_66 => &[0x66],
        PP_F3 => &[0xf3],
        PP_F2 => &[0xf2],
        _ => &[],
    };
    let opcode: &[u8] = match e.map {
        MAP_0F => &[0x0f, e.op],
        MAP_0F38 => &[0x0f, 0x38, e.op],
        _ => &[0x0f, 0x3a, e.op],
    };
    emit_rm(
        sink,
        Enc {
            prefixes: prefix,
            opcode,
            w,
            ..Enc::default()
        },
        reg,
        rm,
        imm_len,
    );
}

/// Encoding of an immediate of an ALU-group instruction: `imm8` when it fits (except for
/// 8-bit operations, whose immediate is always one byte).
fn alu_imm_len(size: OperandSize, imm: i32) -> u8 {
    match size {
        OperandSize::S8 => 1,
        _ if i8::try_from(imm).is_ok() => 1,
        OperandSize::S16 => 2,
        _ => 4,
    }
}

fn put_imm(sink: &mut CodeBuffer, imm: i32, len: u8) {
    match len {
        1 => sink.put1(imm as u8),
        2 => sink.put2(imm as u16),
        _ => sink.put4(imm as u32),
    }
}

/// `80`/`81`/`83 /digit` with an immediate, on a register or memory operand.
fn emit_group1_imm(sink: &mut CodeBuffer, digit: u8, size: OperandSize, rm: Rm<'_>, imm: i32) {
    let len = alu_imm_len(size, imm);
    let opcode = match (size, len) {
        (OperandSize::S8, _) => 0x80,
        (_, 1) => 0x83,
        _ => 0x81,
    };
    emit_rm(
        sink,
        Enc {
            prefixes: size_prefix(size),
            opcode: &[opcode],
            w: size == OperandSize::S64,
            rm_byte: size == OperandSize::S8,
            ..Enc::default()
        },
        digit,
        rm,
        len,
    );
    put_imm(sink, imm, len);
}

/// The common shape of integer instructions with a byte form at `op8` and a 16/32/64-bit form
/// at `op`: `op reg, rm`.
fn emit_int(sink: &mut CodeBuffer, size: OperandSize, op8: &[u8], op: &[u8], reg: u8, rm: Rm<'_>) {
    let byte = size == OperandSize::S8;
    emit_rm(
        sink,
        Enc {
            prefixes: size_prefix(size),
            opcode: if byte { op8 } else { op },
            w: size == OperandSize::S64,
            reg_byte: byte,
            rm_byte: byte,
        },
        reg,
        rm,
        0,
    );
}

fn mov128_enc(op: Mov128Op, store: bool) -> SseEnc {
    let (pp, load, st) = match op {
        Mov128Op::Movaps => (PP_NONE, 0x28, 0x29),
        Mov128Op::Movapd => (PP_66, 0x28, 0x29),
        Mov128Op::Movups => (PP_NONE, 0x10, 0x11),
        Mov128Op::Movupd => (PP_66, 0x10, 0x11),
        Mov128Op::Movdqa => (PP_66, 0x6f, 0x7f),
        Mov128Op::Movdqu => (PP_F3, 0x6f, 0x7f),
    };
    SseEnc {
        pp,
        map: MAP_0F,
        op: if store { st } else { load },
    }
}

fn scalar_op(op: u8, size: FloatSize) -> SseEnc {
    SseEnc {
        pp: if size == FloatSize::F32 { PP_F3 } else { PP_F2 },
        map: MAP_0F,
        op,
    }
}

fn sse32_opcode(op: SseOp32) -> u8 {
    match op {
        SseOp32::Addss => 0x58,
        SseOp32::Mulss => 0x59,
        SseOp32::Subss => 0x5c,
        SseOp32::Minss => 0x5d,
        SseOp32::Divss => 0x5e,
        SseOp32::Maxss => 0x5f,
        SseOp32::Sqrtss => 0x51,
        SseOp32::Cvtss2sd => 0x5a,
    }
}

fn sse64_opcode(op: SseOp64) -> u8 {
    match op {
        SseOp64::Addsd => 0x58,
        SseOp64::Mulsd => 0x59,
        SseOp64::Subsd => 0x5c,
        SseOp64::Minsd => 0x5d,
        SseOp64::Divsd => 0x5e,
        SseOp64::Maxsd => 0x5f,
        SseOp64::Sqrtsd => 0x51,
        SseOp64::Cvtsd2ss => 0x5a,
    }
}

fn sse128_enc(op: SseOp128) -> SseEnc {
    let (pp, op) = match op {
        SseOp128::Andps => (PP_NONE, 0x54),
        SseOp128::Andpd => (PP_66, 0x54),
        SseOp128::Andnps => (PP_NONE, 0x55),
        SseOp128::Andnpd => (PP_66, 0x55),
        SseOp128::Orps => (PP_NONE, 0x56),
        SseOp128::Orpd => (PP_66, 0x56),
        SseOp128::Xorps => (PP_NONE, 0x57),
        SseOp128::Xorpd => (PP_66, 0x57),
        SseOp128::Pand => (PP_66, 0xdb),
        SseOp128::Pandn => (PP_66, 0xdf),
        SseOp128::Por => (PP_66, 0xeb),
        SseOp128::Pxor => (PP_66, 0xef),
        SseOp128::Punpcklqdq => (PP_66, 0x6c),
        SseOp128::Punpckhqdq => (PP_66, 0x6d),
    };
    SseEnc {
        pp,
        map: MAP_0F,
        op,
    }
}

fn sse_imm_enc(op: SseImmOp, size: FloatSize) -> SseEnc {
    match op {
        SseImmOp::Round => SseEnc {
            pp: PP_66,
            map: MAP_0F3A,
            op: if size == FloatSize::F32 { 0x0a } else { 0x0b },
        },
        SseImmOp::Cmp => scalar_op(0xc2, size),
    }
}

fn fma_opcode(form: FmaForm) -> u8 {
    match form {
        FmaForm::F132 => 0x99,
        FmaForm::F213 => 0xa9,
        FmaForm::F231 => 0xb9,
    }
}

/// Emission of machine instructions.
impl MInst {
    /// Appends the encoding of `self` to `sink`. When `trap` is given and the instruction may
    /// fault at its first byte ([`MInst::faults_at_start`]: memory operand or division), a
    /// trap record with that code is added there. (`ud2`, `TrapIf` and the checked conversion
    /// sequence record their own codes.)
    pub fn emit(&self, sink: &mut CodeBuffer, trap: Option<TrapCode>) {
        if let Some(code) = trap {
            if self.faults_at_start() {
                sink.add_trap(code);
            }
        }
        self.emit_bytes(sink);
    }

    fn emit_bytes(&self, sink: &mut CodeBuffer) {
        use OperandSize::*;
        match self {
            MInst::MovRR { size, src, dst } => emit_rm(
                sink,
                Enc {
                    opcode: &[0x89],
                    w: *size == S64,
                    ..Enc::default()
                },
                g(*src),
                Rm::Reg(gw(*dst)),
                0,
            ),
            MInst::MovImm { size, imm, dst } => {
                let d = gw(*dst);
                let rex_b = d >> 3;
                if *size != S64 || *imm <= u32::MAX as u64 {
                    // mov r32, imm32 (zero-extends).
                    if rex_b != 0 {
                        sink.put1(0x41);
                    }
                    sink.put1(0xb8 | (d & 7));
                    sink.put4(*imm as u32);
                } else if let Ok(v) = i32::try_from(*imm as i64) {
                    emit_rm(
                        sink,
                        Enc {
                            opcode: &[0xc7],
                            w: true,
                            ..Enc::default()
                        },
                        0,
                        Rm::Reg(d),
                        4,
                    );
                    sink.put4(v as u32);
                } else {
                    sink.put1(0x48 | rex_b);
                    sink.put1(0xb8 | (d & 7));
                    sink.put8(*imm);
                }
            }
            MInst::MovzxRmR { src, dst } => {
                let (opcode, w, byte): (&[u8], bool, bool) = match src.size() {
                    S8 => (&[0x0f, 0xb6], false, true),
                    S16 => (&[0x0f, 0xb7], false, false),
                    S32 => (&[0x8b], false, false),
                    S64 => (&[0x8b], true, false),
                };
                emit_rm(
                    sink,
                    Enc {
                        opcode,
                        w,
                        rm_byte: byte,
                        ..Enc::default()
                    },
                    gw(*dst),
                    src.reg_mem().into(),
                    0,
                );
            }
            MInst::MovsxRmR { src, dst_size, dst } => {
                let wide = *dst_size == S64;
                let (opcode, w, byte): (&[u8], bool, bool) = match src.size() {
                    S8 => (&[0x0f, 0xbe], wide, true),
                    S16 => (&[0x0f, 0xbf], wide, false),
                    S32 if wide => (&[0x63], true, false),
                    S32 => (&[0x8b], false, false),
                    S64 => (&[0x8b], true, false),
                };
                emit_rm(
                    sink,
                    Enc {
                        opcode,
                        w,
                        rm_byte: byte,
                        ..Enc::default()
                    },
                    gw(*dst),
                    src.reg_mem().into(),
                    0,
                );
            }
            MInst::MovMR { src, dst } => emit_int(
                sink,
                dst.size(),
                &[0x88],
                &[0x89],
                g(*src),
                Rm::Mem(dst.amode()),
            ),
            MInst::MovMI { dst, imm } => {
                let size = dst.size();
                let len = match size {
                    S8 => 1,
                    S16 => 2,
                    _ => 4,
                };
                emit_rm(
                    sink,
                    Enc {
                        prefixes: size_prefix(size),
                        opcode: if size == S8 { &[0xc6] } else { &[0xc7] },
                        w: size == S64,
                        ..Enc::default()
                    },
                    0,
                    Rm::Mem(dst.amode()),
                    len,
                );
                put_imm(sink, *imm, len);
            }
            MInst::Lea { src, dst } => emit_rm(
                sink,
                Enc {
                    opcode: &[0x8d],
                    w: true,
                    ..Enc::default()
                },
                gw(*dst),
                Rm::Mem(src),
                0,
            ),
            MInst::AluRmR { op, src2, dst, .. } => {
                let base = op.digit() * 8;
                emit_int(
                    sink,
                    src2.size(),
                    &[base + 2],
                    &[base + 3],
                    gw(*dst),
                    src2.reg_mem().into(),
                );
            }
            MInst::AluRI {
                op, size, imm, dst, ..
            } => emit_group1_imm(sink, op.digit(), *size, Rm::Reg(gw(*dst)), *imm),
            MInst::AluMR { op, src, dst } => {
                let base = op.digit() * 8;
                emit_int(
                    sink,
                    dst.size(),
                    &[base],
                    &[base + 1],
                    g(*src),
                    Rm::Mem(dst.amode()),
                );
            }
            MInst::AluMI { op, imm, dst } => {
                emit_group1_imm(sink, op.digit(), dst.size(), Rm::Mem(dst.amode()), *imm)
            }
            MInst::CmpRmR { lhs, rhs } => emit_int(
                sink,
                rhs.size(),
                &[0x3a],
                &[0x3b],
                g(*lhs),
                rhs.reg_mem().into(),
            ),
            MInst::CmpRmI { lhs, imm } => {
                emit_group1_imm(sink, 7, lhs.size(), lhs.reg_mem().into(), *imm)
            }
            MInst::TestRmR { lhs, rhs } => emit_int(
                sink,
                lhs.size(),
                &[0x84],
                &[0x85],
                g(*rhs),
                lhs.reg_mem().into(),
            ),
            MInst::TestRmI { lhs, imm } => {
                let size = lhs.size();
                let len = match size {
                    S8 => 1,
                    S16 => 2,
                    _ => 4,
                };
                emit_rm(
                    sink,
                    Enc {
                        prefixes: size_prefix(size),
                        opcode: if size == S8 { &[0xf6] } else { &[0xf7] },
                        w: size == S64,
                        rm_byte: size == S8,
                        ..Enc::default()
                    },
                    0,
                    lhs.reg_mem().into(),
                    len,
                );
                put_imm(sink, *imm, len);
            }
            MInst::ImulRmR { src2, dst, .. } => emit_int(
                sink,
                src2.size(),
                &[],
                &[0x0f, 0xaf],
                gw(*dst),
                src2.reg_mem().into(),
            ),
            MInst::ImulRmRI { src, imm, dst } => {
                let size = src.size();
                let len = alu_imm_len(size, *imm);
                emit_rm(
                    sink,
                    Enc {
                        prefixes: size_prefix(size),
                        opcode: if len == 1 { &[0x6b] } else { &[0x69] },
                        w: size == S64,
                        ..Enc::default()
                    },
                    gw(*dst),
                    src.reg_mem().into(),
                    len,
                );
                put_imm(sink, *imm, len);
            }
            MInst::Mul { signed, src2, .. } => emit_int(
                sink,
                src2.size(),
                &[0xf6],
                &[0xf7],
                if *signed { 5 } else { 4 },
                src2.reg_mem().into(),
            ),
            MInst::Div {
                signed, divisor, ..
            } => emit_int(
                sink,
                divisor.size(),
                &[0xf6],
                &[0xf7],
                if *signed { 7 } else { 6 },
                divisor.reg_mem().into(),
            ),
            MInst::SignExtendData { size, .. } => match size {
                S8 => sink.put_bytes(&[0x66, 0x98]),
                S16 => sink.put_bytes(&[0x66, 0x99]),
                S32 => sink.put1(0x99),
                S64 => sink.put_bytes(&[0x48, 0x99]),
            },
            MInst::Unary { op, size, dst, .. } => {
                let digit = match op {
                    UnaryOp::Not => 2,
                    UnaryOp::Neg => 3,
                };
                emit_int(sink, *size, &[0xf6], &[0xf7], digit, Rm::Reg(gw(*dst)));
            }
            MInst::Shift {
                op,
                size,
                amount,
                dst,
                ..
            } => {
                let byte = *size == S8;
                let (opcode, imm) = match (amount, byte) {
                    (ShiftAmount::Cl(_), true) => (0xd2, None),
                    (ShiftAmount::Cl(_), false) => (0xd3, None),
                    (ShiftAmount::Imm(i), true) => (0xc0, Some(*i)),
                    (ShiftAmount::Imm(i), false) => (0xc1, Some(*i)),
                };
                emit_rm(
                    sink,
                    Enc {
                        prefixes: size_prefix(*size),
                        opcode: &[opcode],
                        w: *size == S64,
                        rm_byte: byte,
                        ..Enc::default()
                    },
                    op.digit(),
                    Rm::Reg(gw(*dst)),
                    imm.is_some() as u8,
                );
                if let Some(i) = imm {
                    sink.put1(i);
                }
            }
            MInst::DoubleShift {
                op,
                size,
                src2,
                amount,
                dst,
                ..
            } => {
                let (cl_op, imm_op) = match op {
                    DoubleShiftOp::Shld => (0xa5, 0xa4),
                    DoubleShiftOp::Shrd => (0xad, 0xac),
                };
                let (opcode, imm) = match amount {
                    ShiftAmount::Cl(_) => (cl_op, None),
                    ShiftAmount::Imm(i) => (imm_op, Some(*i)),
                };
                emit_rm(
                    sink,
                    Enc {
                        prefixes: size_prefix(*size),
                        opcode: &[0x0f, opcode],
                        w: *size == S64,
                        ..Enc::default()
                    },
                    g(*src2),
                    Rm::Reg(gw(*dst)),
                    imm.is_some() as u8,
                );
                if let Some(i) = imm {
                    sink.put1(i);
                }
            }
            MInst::BitRmR { op, src, dst } => {
                let (f3, opcode) = match op {
                    BitOp::Bsf => (false, 0xbc),
                    BitOp::Bsr => (false, 0xbd),
                    BitOp::Tzcnt => (true, 0xbc),
                    BitOp::Lzcnt => (true, 0xbd),
                    BitOp::Popcnt => (true, 0xb8),
                };
                let size = src.size();
                let prefixes: &[u8] = match (size == S16, f3) {
                    (true, true) => &[0x66, 0xf3],
                    (true, false) => &[0x66],
                    (false, true) => &[0xf3],
                    (false, false) => &[],
                };
                emit_rm(
                    sink,
                    Enc {
                        prefixes,
                        opcode: &[0x0f, opcode],
                        w: size == S64,
                        ..Enc::default()
                    },
                    gw(*dst),
                    src.reg_mem().into(),
                    0,
                );
            }
            MInst::Bswap { size, dst, .. } => {
                let d = gw(*dst);
                let rex = 0x40 | ((*size == S64) as u8) << 3 | d >> 3;
                if rex != 0x40 {
                    sink.put1(rex);
                }
                sink.put_bytes(&[0x0f, 0xc8 | (d & 7)]);
            }
            MInst::Andn { src1, src2, dst } => emit_vex(
                sink,
                PP_NONE,
                MAP_0F38,
                src2.size() == S64,
                0xf2,
                gw(*dst),
                Some(g(*src1)),
                src2.reg_mem().into(),
                0,
            ),
            MInst::ShiftX {
                op,
                src,
                amount,
                dst,
            } => {
                let pp = match op {
                    ShiftXOp::Shlx => PP_66,
                    ShiftXOp::Sarx => PP_F3,
                    ShiftXOp::Shrx => PP_F2,
                };
                emit_vex(
                    sink,
                    pp,
                    MAP_0F38,
                    src.size() == S64,
                    0xf7,
                    gw(*dst),
                    Some(g(*amount)),
                    src.reg_mem().into(),
                    0,
                );
            }
            MInst::Setcc { cc, dst } => emit_rm(
                sink,
                Enc {
                    opcode: &[0x0f, 0x90 | cc.enc()],
                    rm_byte: true,
                    ..Enc::default()
                },
                0,
                Rm::Reg(gw(*dst)),
                0,
            ),
            MInst::Cmove {
                cc,
                consequent,
                dst,
                ..
            } => emit_int(
                sink,
                consequent.size(),
                &[],
                &[0x0f, 0x40 | cc.enc()],
                gw(*dst),
                consequent.reg_mem().into(),
            ),
            MInst::XmmCmove {
                cc,
                consequent,
                dst,
                ..
            } => {
                let skip = sink.new_label();
                MInst::Jcc {
                    cc: cc.invert(),
                    target: skip,
                }
                .emit_bytes(sink);
                MInst::XmmMov128 {
                    op: Mov128Op::Movaps,
                    src: XmmMem128::Reg(*consequent),
                    dst: *dst,
                    avx: false,
                }
                .emit_bytes(sink);
                sink.bind_label(skip);
            }
            MInst::Jmp { target } => {
                sink.put_branch(BranchForm::new(&[0xeb], &[0xe9], false), *target)
            }
            MInst::Jcc { cc, target } => sink.put_branch(
                BranchForm::new(&[0x70 | cc.enc()], &[0x0f, 0x80 | cc.enc()], true).with_inverse(
                    &[0x70 | cc.invert().enc()],
                    &[0x0f, 0x80 | cc.invert().enc()],
                ),
                *target,
            ),
            MInst::JmpUnknown { target } => emit_rm(
                sink,
                Enc {
                    opcode: &[0xff],
                    ..Enc::default()
                },
                4,
                gm64(target),
                0,
            ),
            MInst::CallKnown { target } => {
                sink.put1(0xe8);
                sink.put_reloc(RelocKind::X86CallPCRel4, target.clone(), -4);
            }
            MInst::CallUnknown { target } => emit_rm(
                sink,
                Enc {
                    opcode: &[0xff],
                    ..Enc::default()
                },
                2,
                gm64(target),
                0,
            ),
            MInst::Ret | MInst::Rets { .. } => sink.put1(0xc3),
            MInst::Args { .. } => {}
            MInst::Call { info } => match &info.target {
                CallTarget::Known(t) => MInst::CallKnown { target: t.clone() }.emit_bytes(sink),
                CallTarget::Reg(r) => MInst::CallUnknown {
                    target: GprMem64::Reg(*r),
                }
                .emit_bytes(sink),
            },
            MInst::JmpIf {
                cc,
                taken,
                not_taken,
            } => {
                MInst::Jcc {
                    cc: *cc,
                    target: *taken,
                }
                .emit_bytes(sink);
                MInst::Jmp { target: *not_taken }.emit_bytes(sink);
            }
            MInst::JmpIfEither {
                cc1,
                cc2,
                taken,
                not_taken,
            } => {
                for cc in [*cc1, *cc2] {
                    MInst::Jcc { cc, target: *taken }.emit_bytes(sink);
                }
                MInst::Jmp { target: *not_taken }.emit_bytes(sink);
            }
            MInst::BrTable {
                idx,
                tmp1,
                tmp2,
                default,
                targets,
            } => {
                let len = i32::try_from(targets.len()).unwrap_or(i32::MAX);
                MInst::CmpRmI {
                    lhs: GprMem32::Reg(*idx).into(),
                    imm: len,
                }
                .emit_bytes(sink);
                MInst::Jcc {
                    cc: CC::NB,
                    target: *default,
                }
                .emit_bytes(sink);
                MInst::JmpTableSeq {
                    idx: *idx,
                    tmp1: *tmp1,
                    tmp2: *tmp2,
                    targets: targets.clone(),
                }
                .emit_bytes(sink);
            }
            MInst::Push64 { src } => {
                let r = g(*src);
                if r >= 8 {
                    sink.put1(0x41);
                }
                sink.put1(0x50 | (r & 7));
            }
            MInst::Pop64 { dst } => {
                let r = gw(*dst);
                if r >= 8 {
                    sink.put1(0x41);
                }
                sink.put1(0x58 | (r & 7));
            }
            MInst::Ud2 { code } => {
                sink.add_trap(*code);
                sink.put_bytes(&[0x0f, 0x0b]);
            }
            MInst::CvtUint64ToFloatSeq {
                to,
                src,
                dst,
                tmp1,
                tmp2,
            } => emit_cvt_u64_to_float(sink, *to, *src, *dst, *tmp1, *tmp2),
            MInst::CvtFloatToIntSeq {
                from,
                to,
                signed,
                sat,
                src,
                dst,
                tmp_gpr,
                tmp_xmm,
            } => emit_cvt_float_to_int(
                sink,
                &CvtOps {
                    from: *from,
                    to: *to,
                    src: *src,
                    dst: *dst,
                    tmp_gpr: *tmp_gpr,
                    tmp_xmm: *tmp_xmm,
                },
                *signed,
                *sat,
            ),
            MInst::XmmMinMaxSeq {
                size,
                is_min,
                lhs,
                rhs,
                dst,
            } => emit_min_max(sink, *size, *is_min, *lhs, *rhs, *dst),
            MInst::XmmRoundSeq {
                size,
                mode,
                src,
                dst,
                tmp,
            } => emit_round(sink, *size, *mode, *src, *dst, *tmp),
            MInst::TrapIf { cc, code } => {
                // A short jump over the two-byte `ud2`; internal, so not a buffer branch.
                sink.put_bytes(&[0x70 | cc.invert().enc(), 2]);
                sink.add_trap(*code);
                sink.put_bytes(&[0x0f, 0x0b]);
            }
            MInst::JmpTableSeq {
                idx,
                tmp1,
                tmp2,
                targets,
            } => {
                let table = sink.new_label();
                MInst::Lea {
                    src: Amode::rip_relative(table),
                    dst: *tmp1,
                }
                .emit_bytes(sink);
                MInst::MovsxRmR {
                    src: GprMem32::Mem(Mem32::new(Amode::imm_reg_reg_shift(
                        0,
                        tmp1.to_reg(),
                        *idx,
                        Scale::Four,
                    )))
                    .into(),
                    dst_size: S64,
                    dst: *tmp2,
                }
                .emit_bytes(sink);
                MInst::AluRmR {
                    op: AluOp::Add,
                    src1: tmp1.to_reg(),
                    src2: GprMem64::Reg(tmp2.to_reg()).into(),
                    dst: *tmp1,
                }
                .emit_bytes(sink);
                MInst::JmpUnknown {
                    target: GprMem64::Reg(tmp1.to_reg()),
                }
                .emit_bytes(sink);
                sink.bind_label(table);
                for t in targets.iter() {
                    sink.put_label_ref(*t, FixupKind::Delta32 { base: table }, 0);
                }
            }
            MInst::Nop { len } => {
                // The recommended multi-byte forms (Intel SDM, NOP).
                const NOPS: [&[u8]; 9] = [
                    &[0x90],
                    &[0x66, 0x90],
                    &[0x0f, 0x1f, 0x00],
                    &[0x0f, 0x1f, 0x40, 0x00],
                    &[0x0f, 0x1f, 0x44, 0x00, 0x00],
                    &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
                    &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
                    &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
                    &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
                ];
                let mut left = *len as usize;
                while left > 0 {
                    let n = left.min(NOPS.len());
                    sink.put_bytes(NOPS[n - 1]);
                    left -= n;
                }
            }
            MInst::LoadFuncAddr { target, dst } => {
                let d = gw(*dst);
                sink.put1(0x48 | d >> 3);
                sink.put1(0xb8 | (d & 7));
                sink.put_reloc(RelocKind::Abs8, target.clone(), 0);
            }
            MInst::XmmMov128 { op, src, dst, avx } => emit_sse(
                sink,
                mov128_enc(*op, false),
                false,
                xw(*dst),
                None,
                xm128(src),
                *avx,
                0,
            ),
            MInst::XmmStore128 { op, src, dst, avx } => emit_sse(
                sink,
                mov128_enc(*op, true),
                false,
                x(*src),
                None,
                Rm::Mem(dst.amode()),
                *avx,
                0,
            ),
            MInst::MovssLoad { src, dst, avx } => emit_sse(
                sink,
                scalar_op(0x10, FloatSize::F32),
                false,
                xw(*dst),
                None,
                Rm::Mem(src.amode()),
                *avx,
                0,
            ),
            MInst::MovsdLoad { src, dst, avx } => emit_sse(
                sink,
                scalar_op(0x10, FloatSize::F64),
                false,
                xw(*dst),
                None,
                Rm::Mem(src.amode()),
                *avx,
                0,
            ),
            MInst::MovssStore { src, dst, avx } => emit_sse(
                sink,
                scalar_op(0x11, FloatSize::F32),
                false,
                x(*src),
                None,
                Rm::Mem(dst.amode()),
                *avx,
                0,
            ),
            MInst::MovsdStore { src, dst, avx } => emit_sse(
                sink,
                scalar_op(0x11, FloatSize::F64),
                false,
                x(*src),
                None,
                Rm::Mem(dst.amode()),
                *avx,
                0,
            ),
            MInst::MovToXmm { src, dst, avx } => emit_sse(
                sink,
                SseEnc {
                    pp: PP_66,
                    map: MAP_0F,
                    op: 0x6e,
                },
                src.size() == S64,
                xw(*dst),
                None,
                src.reg_mem().into(),
                *avx,
                0,
            ),
            MInst::MovFromXmm {
                size,
                src,
                dst,
                avx,
            } => emit_sse(
                sink,
                SseEnc {
                    pp: PP_66,
                    map: MAP_0F,
                    op: 0x7e,
                },
                *size == S64,
                x(*src),
                None,
                Rm::Reg(gw(*dst)),
                *avx,
                0,
            ),
            MInst::XmmRmR32 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => emit_sse(
                sink,
                scalar_op(sse32_opcode(*op), FloatSize::F32),
                false,
                xw(*dst),
                Some(x(*src1)),
                xm32(src2),
                *avx,
                0,
            ),
            MInst::XmmRmR64 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => emit_sse(
                sink,
                scalar_op(sse64_opcode(*op), FloatSize::F64),
                false,
                xw(*dst),
                Some(x(*src1)),
                xm64(src2),
                *avx,
                0,
            ),
            MInst::XmmRmR128 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => emit_sse(
                sink,
                sse128_enc(*op),
                false,
                xw(*dst),
                Some(x(*src1)),
                xm128(src2),
                *avx,
                0,
            ),
            MInst::XmmRmRImm32 {
                op,
                src1,
                src2,
                imm,
                dst,
                avx,
            } => {
                emit_sse(
                    sink,
                    sse_imm_enc(*op, FloatSize::F32),
                    false,
                    xw(*dst),
                    Some(x(*src1)),
                    xm32(src2),
                    *avx,
                    1,
                );
                sink.put1(*imm);
            }
            MInst::XmmRmRImm64 {
                op,
                src1,
                src2,
                imm,
                dst,
                avx,
            } => {
                emit_sse(
                    sink,
                    sse_imm_enc(*op, FloatSize::F64),
                    false,
                    xw(*dst),
                    Some(x(*src1)),
                    xm64(src2),
                    *avx,
                    1,
                );
                sink.put1(*imm);
            }
            MInst::Ucomiss { lhs, rhs, avx } => emit_sse(
                sink,
                SseEnc {
                    pp: PP_NONE,
                    map: MAP_0F,
                    op: 0x2e,
                },
                false,
                x(*lhs),
                None,
                xm32(rhs),
                *avx,
                0,
            ),
            MInst::Ucomisd { lhs, rhs, avx } => emit_sse(
                sink,
                SseEnc {
                    pp: PP_66,
                    map: MAP_0F,
                    op: 0x2e,
                },
                false,
                x(*lhs),
                None,
                xm64(rhs),
                *avx,
                0,
            ),
            MInst::CvtIntToFloat {
                to,
                src1,
                src2,
                dst,
                avx,
            } => emit_sse(
                sink,
                scalar_op(0x2a, *to),
                src2.size() == S64,
                xw(*dst),
                Some(x(*src1)),
                src2.reg_mem().into(),
                *avx,
                0,
            ),
            MInst::CvttF32ToInt {
                size,
                src,
                dst,
                avx,
            } => emit_sse(
                sink,
                scalar_op(0x2c, FloatSize::F32),
                *size == S64,
                gw(*dst),
                None,
                xm32(src),
                *avx,
                0,
            ),
            MInst::CvttF64ToInt {
                size,
                src,
                dst,
                avx,
            } => emit_sse(
                sink,
                scalar_op(0x2c, FloatSize::F64),
                *size == S64,
                gw(*dst),
                None,
                xm64(src),
                *avx,
                0,
            ),
            MInst::Fma32 {
                form,
                src2,
                src3,
                dst,
                ..
            } => emit_vex(
                sink,
                PP_66,
                MAP_0F38,
                false,
                fma_opcode(*form),
                xw(*dst),
                Some(x(*src2)),
                xm32(src3),
                0,
            ),
            MInst::Fma64 {
                form,
                src2,
                src3,
                dst,
                ..
            } => emit_vex(
                sink,
                PP_66,
                MAP_0F38,
                true,
                fma_opcode(*form),
                xw(*dst),
                Some(x(*src2)),
                xm64(src3),
                0,
            ),
        }
    }
}

// ---- Sequences ----------------------------------------------------------------------------

fn gm(size: OperandSize, r: Gpr) -> AnyGprMem {
    match size {
        OperandSize::S8 => GprMem8::Reg(r).into(),
        OperandSize::S16 => GprMem16::Reg(r).into(),
        OperandSize::S32 => GprMem32::Reg(r).into(),
        OperandSize::S64 => GprMem64::Reg(r).into(),
    }
}

fn jcc(sink: &mut CodeBuffer, cc: CC, target: crate::machinst::Label) {
    MInst::Jcc { cc, target }.emit_bytes(sink);
}

fn jmp(sink: &mut CodeBuffer, target: crate::machinst::Label) {
    MInst::Jmp { target }.emit_bytes(sink);
}

fn trap_if(sink: &mut CodeBuffer, cc: CC, code: TrapCode) {
    MInst::TrapIf { cc, code }.emit_bytes(sink);
}

/// `ucomiss`/`ucomisd a, b`.
fn ucomis(sink: &mut CodeBuffer, size: FloatSize, a: Xmm, b: Xmm) {
    match size {
        FloatSize::F32 => MInst::Ucomiss {
            lhs: a,
            rhs: XmmMem32::Reg(b),
            avx: false,
        },
        FloatSize::F64 => MInst::Ucomisd {
            lhs: a,
            rhs: XmmMem64::Reg(b),
            avx: false,
        },
    }
    .emit_bytes(sink);
}

/// A float constant of the pool, as an address.
fn float_const(sink: &mut CodeBuffer, size: FloatSize, v: f64) -> Amode {
    let label = match size {
        FloatSize::F32 => sink.constant(&(v as f32).to_bits().to_le_bytes()),
        FloatSize::F64 => sink.constant(&v.to_bits().to_le_bytes()),
    };
    Amode::rip_relative(label)
}

/// `ucomiss`/`ucomisd a, [constant v]`.
fn ucomis_const(sink: &mut CodeBuffer, size: FloatSize, a: Xmm, v: f64) {
    let at = float_const(sink, size, v);
    match size {
        FloatSize::F32 => MInst::Ucomiss {
            lhs: a,
            rhs: XmmMem32::Mem(Mem32::new(at)),
            avx: false,
        },
        FloatSize::F64 => MInst::Ucomisd {
            lhs: a,
            rhs: XmmMem64::Mem(Mem64::new(at)),
            avx: false,
        },
    }
    .emit_bytes(sink);
}

/// Scalar `op dst, src` of the given precision (`dst` = first source).
fn scalar(
    sink: &mut CodeBuffer,
    size: FloatSize,
    op32: SseOp32,
    op64: SseOp64,
    dst: Writable<Xmm>,
    src: Xmm,
) {
    match size {
        FloatSize::F32 => MInst::XmmRmR32 {
            op: op32,
            src1: dst.to_reg(),
            src2: XmmMem32::Reg(src),
            dst,
            avx: false,
        },
        FloatSize::F64 => MInst::XmmRmR64 {
            op: op64,
            src1: dst.to_reg(),
            src2: XmmMem64::Reg(src),
            dst,
            avx: false,
        },
    }
    .emit_bytes(sink);
}

fn packed(sink: &mut CodeBuffer, op: SseOp128, dst: Writable<Xmm>, src: Xmm) {
    MInst::XmmRmR128 {
        op,
        src1: dst.to_reg(),
        src2: XmmMem128::Reg(src),
        dst,
        avx: false,
    }
    .emit_bytes(sink);
}

fn mov_imm(sink: &mut CodeBuffer, size: OperandSize, imm: u64, dst: Writable<Gpr>) {
    MInst::MovImm { size, imm, dst }.emit_bytes(sink);
}

fn emit_cvt_u64_to_float(
    sink: &mut CodeBuffer,
    to: FloatSize,
    src: Gpr,
    dst: Writable<Xmm>,
    tmp1: Writable<Gpr>,
    tmp2: Writable<Gpr>,
) {
    use OperandSize::S64;
    let (big, done) = (sink.new_label(), sink.new_label());
    let cvt = |sink: &mut CodeBuffer, r: Gpr| {
        MInst::CvtIntToFloat {
            to,
            src1: dst.to_reg(),
            src2: GprMem64::Reg(r).into(),
            dst,
            avx: false,
        }
        .emit_bytes(sink)
    };
    MInst::CmpRmI {
        lhs: gm(S64, src),
        imm: 0,
    }
    .emit_bytes(sink);
    jcc(sink, CC::L, big);
    cvt(sink, src);
    jmp(sink, done);
    sink.bind_label(big);
    // (src >> 1) | (src & 1): halved, with the lost bit kept for correct rounding.
    MInst::MovRR {
        size: S64,
        src,
        dst: tmp1,
    }
    .emit_bytes(sink);
    MInst::Shift {
        op: ShiftOp::Shr,
        size: S64,
        src: tmp1.to_reg(),
        amount: ShiftAmount::Imm(1),
        dst: tmp1,
    }
    .emit_bytes(sink);
    MInst::MovRR {
        size: S64,
        src,
        dst: tmp2,
    }
    .emit_bytes(sink);
    MInst::AluRI {
        op: AluOp::And,
        size: S64,
        src1: tmp2.to_reg(),
        imm: 1,
        dst: tmp2,
    }
    .emit_bytes(sink);
    MInst::AluRmR {
        op: AluOp::Or,
        src1: tmp1.to_reg(),
        src2: gm(S64, tmp2.to_reg()),
        dst: tmp1,
    }
    .emit_bytes(sink);
    cvt(sink, tmp1.to_reg());
    scalar(sink, to, SseOp32::Addss, SseOp64::Addsd, dst, dst.to_reg());
    sink.bind_label(done);
}

/// Operands of a float-to-int conversion sequence.
struct CvtOps {
    from: FloatSize,
    to: OperandSize,
    src: Xmm,
    dst: Writable<Gpr>,
    tmp_gpr: Writable<Gpr>,
    tmp_xmm: Writable<Xmm>,
}

impl CvtOps {
    /// `cvttss2si`/`cvttsd2si dst, src` of `size`.
    fn cvtt(&self, sink: &mut CodeBuffer, size: OperandSize, src: Xmm) {
        match self.from {
            FloatSize::F32 => MInst::CvttF32ToInt {
                size,
                src: XmmMem32::Reg(src),
                dst: self.dst,
                avx: false,
            },
            FloatSize::F64 => MInst::CvttF64ToInt {
                size,
                src: XmmMem64::Reg(src),
                dst: self.dst,
                avx: false,
            },
        }
        .emit_bytes(sink);
    }

    /// `tmp_xmm = 0.0`.
    fn zero_tmp(&self, sink: &mut CodeBuffer) {
        packed(sink, SseOp128::Xorps, self.tmp_xmm, self.tmp_xmm.to_reg());
    }

    /// `tmp_xmm = src - v`.
    fn tmp_is_src_minus(&self, sink: &mut CodeBuffer, v: f64) {
        MInst::XmmMov128 {
            op: Mov128Op::Movaps,
            src: XmmMem128::Reg(self.src),
            dst: self.tmp_xmm,
            avx: false,
        }
        .emit_bytes(sink);
        let at = float_const(sink, self.from, v);
        let t = self.tmp_xmm;
        match self.from {
            FloatSize::F32 => MInst::XmmRmR32 {
                op: SseOp32::Subss,
                src1: t.to_reg(),
                src2: XmmMem32::Mem(Mem32::new(at)),
                dst: t,
                avx: false,
            },
            FloatSize::F64 => MInst::XmmRmR64 {
                op: SseOp64::Subsd,
                src1: t.to_reg(),
                src2: XmmMem64::Mem(Mem64::new(at)),
                dst: t,
                avx: false,
            },
        }
        .emit_bytes(sink);
    }

    /// `dst ^= 1 << 63`.
    fn flip_top_bit(&self, sink: &mut CodeBuffer) {
        mov_imm(sink, OperandSize::S64, 1 << 63, self.tmp_gpr);
        MInst::AluRmR {
            op: AluOp::Xor,
            src1: self.dst.to_reg(),
            src2: gm(OperandSize::S64, self.tmp_gpr.to_reg()),
            dst: self.dst,
        }
        .emit_bytes(sink);
    }

    fn test_dst(&self, sink: &mut CodeBuffer) {
        MInst::TestRmR {
            lhs: gm(OperandSize::S64, self.dst.to_reg()),
            rhs: self.dst.to_reg(),
        }
        .emit_bytes(sink);
    }
}

fn emit_cvt_float_to_int(sink: &mut CodeBuffer, o: &CvtOps, signed: bool, sat: bool) {
    use OperandSize::*;
    let (from, to, src, dst) = (o.from, o.to, o.src, o.dst);
    let done = sink.new_label();
    let bits = to.bytes() * 8;
    if bits < 32 {
        emit_cvt_float_to_narrow_int(sink, o, signed, sat);
        return;
    }
    match (signed, sat) {
        (true, _) => {
            // The hardware gives MIN for NaN and out-of-range values; only then look closer.
            o.cvtt(sink, to, src);
            MInst::CmpRmI {
                lhs: gm(to, dst.to_reg()),
                imm: 1,
            }
            .emit_bytes(sink);
            jcc(sink, CC::NO, done);
            if sat {
                let not_nan = sink.new_label();
                ucomis(sink, from, src, src);
                jcc(sink, CC::NP, not_nan);
                mov_imm(sink, S32, 0, dst);
                jmp(sink, done);
                sink.bind_label(not_nan);
                // Positive overflow: MIN becomes MAX.
                o.zero_tmp(sink);
                ucomis(sink, from, o.tmp_xmm.to_reg(), src);
                jcc(sink, CC::NB, done);
                MInst::Unary {
                    op: UnaryOp::Not,
                    size: to,
                    src: dst.to_reg(),
                    dst,
                }
                .emit_bytes(sink);
            } else {
                ucomis(sink, from, src, src);
                trap_if(sink, CC::P, TrapCode::BadConversionToInteger);
                // MIN is right when src truncates to MIN: src > MIN - 1.
                let min = -(2f64.powi(bits as i32 - 1));
                let (bound, cc) = match (from, to) {
                    (FloatSize::F64, S32) => (min - 1.0, CC::BE),
                    _ => (min, CC::B),
                };
                ucomis_const(sink, from, src, bound);
                trap_if(sink, cc, TrapCode::IntegerOverflow);
                o.zero_tmp(sink);
                ucomis(sink, from, src, o.tmp_xmm.to_reg());
                trap_if(sink, CC::NB, TrapCode::IntegerOverflow);
            }
        }
        (false, false) if to == S32 => {
            ucomis(sink, from, src, src);
            trap_if(sink, CC::P, TrapCode::BadConversionToInteger);
            o.cvtt(sink, S64, src);
            // In range iff the 64-bit result has no bits above the low 32.
            MInst::MovRR {
                size: S64,
                src: dst.to_reg(),
                dst: o.tmp_gpr,
            }
            .emit_bytes(sink);
            MInst::Shift {
                op: ShiftOp::Shr,
                size: S64,
                src: o.tmp_gpr.to_reg(),
                amount: ShiftAmount::Imm(32),
                dst: o.tmp_gpr,
            }
            .emit_bytes(sink);
            trap_if(sink, CC::NZ, TrapCode::IntegerOverflow);
        }
        (false, true) if to == S32 => {
            let in_range = sink.new_label();
            mov_imm(sink, S32, 0, dst);
            o.zero_tmp(sink);
            ucomis(sink, from, src, o.tmp_xmm.to_reg());
            jcc(sink, CC::BE, done); // NaN or <= 0
            ucomis_const(sink, from, src, 4294967296.0);
            jcc(sink, CC::B, in_range);
            mov_imm(sink, S32, u32::MAX as u64, dst);
            jmp(sink, done);
            sink.bind_label(in_range);
            o.cvtt(sink, S64, src);
        }
        (false, false) => {
            let big = sink.new_label();
            ucomis(sink, from, src, src);
            trap_if(sink, CC::P, TrapCode::BadConversionToInteger);
            ucomis_const(sink, from, src, 9223372036854775808.0);
            jcc(sink, CC::NB, big);
            o.cvtt(sink, S64, src);
            o.test_dst(sink);
            trap_if(sink, CC::S, TrapCode::IntegerOverflow);
            jmp(sink, done);
            sink.bind_label(big);
            o.tmp_is_src_minus(sink, 9223372036854775808.0);
            o.cvtt(sink, S64, o.tmp_xmm.to_reg());
            o.test_dst(sink);
            trap_if(sink, CC::S, TrapCode::IntegerOverflow);
            o.flip_top_bit(sink);
        }
        (false, true) => {
            let (big, saturate) = (sink.new_label(), sink.new_label());
            mov_imm(sink, S32, 0, dst);
            o.zero_tmp(sink);
            ucomis(sink, from, src, o.tmp_xmm.to_reg());
            jcc(sink, CC::BE, done); // NaN or <= 0
            ucomis_const(sink, from, src, 9223372036854775808.0);
            jcc(sink, CC::NB, big);
            o.cvtt(sink, S64, src);
            jmp(sink, done);
            sink.bind_label(big);
            o.tmp_is_src_minus(sink, 9223372036854775808.0);
            o.cvtt(sink, S64, o.tmp_xmm.to_reg());
            o.test_dst(sink);
            jcc(sink, CC::S, saturate);
            o.flip_top_bit(sink);
            jmp(sink, done);
            sink.bind_label(saturate);
            mov_imm(sink, S64, u64::MAX, dst);
        }
    }
    sink.bind_label(done);
}

/// Conversions to 8 or 16 bits: every in-range value converts exactly with the 32-bit
/// instruction, so check the 32-bit result (trapping), or clamp in the float domain first
/// (saturating).
fn emit_cvt_float_to_narrow_int(sink: &mut CodeBuffer, o: &CvtOps, signed: bool, sat: bool) {
    use OperandSize::*;
    let (from, src, dst) = (o.from, o.src, o.dst);
    let bits = o.to.bytes() * 8;
    let ext = |sink: &mut CodeBuffer, from_reg: Gpr, to_reg: Writable<Gpr>| {
        let src = if o.to == S8 {
            AnyGprMem::from(GprMem8::Reg(from_reg))
        } else {
            AnyGprMem::from(GprMem16::Reg(from_reg))
        };
        if signed {
            MInst::MovsxRmR {
                src,
                dst_size: S32,
                dst: to_reg,
            }
        } else {
            MInst::MovzxRmR { src, dst: to_reg }
        }
        .emit_bytes(sink);
    };
    if sat {
        let done = sink.new_label();
        let (lo, hi) = if signed {
            (
                -(2f64.powi(bits as i32 - 1)),
                2f64.powi(bits as i32 - 1) - 1.0,
            )
        } else {
            (0.0, 2f64.powi(bits as i32) - 1.0)
        };
        mov_imm(sink, S32, 0, dst);
        ucomis(sink, from, src, src);
        jcc(sink, CC::P, done);
        MInst::XmmMov128 {
            op: Mov128Op::Movaps,
            src: XmmMem128::Reg(src),
            dst: o.tmp_xmm,
            avx: false,
        }
        .emit_bytes(sink);
        let t = o.tmp_xmm;
        for (bound, is_max) in [(lo, true), (hi, false)] {
            let at = float_const(sink, from, bound);
            match from {
                FloatSize::F32 => MInst::XmmRmR32 {
                    op: if is_max {
                        SseOp32::Maxss
                    } else {
                        SseOp32::Minss
                    },
                    src1: t.to_reg(),
                    src2: XmmMem32::Mem(Mem32::new(at)),
                    dst: t,
                    avx: false,
                },
                FloatSize::F64 => MInst::XmmRmR64 {
                    op: if is_max {
                        SseOp64::Maxsd
                    } else {
                        SseOp64::Minsd
                    },
                    src1: t.to_reg(),
                    src2: XmmMem64::Mem(Mem64::new(at)),
                    dst: t,
                    avx: false,
                },
            }
            .emit_bytes(sink);
        }
        o.cvtt(sink, S32, t.to_reg());
        sink.bind_label(done);
    } else {
        ucomis(sink, from, src, src);
        trap_if(sink, CC::P, TrapCode::BadConversionToInteger);
        // Out of the 32-bit range gives MIN, which is out of the narrow range too.
        o.cvtt(sink, S32, src);
        ext(sink, dst.to_reg(), o.tmp_gpr);
        MInst::CmpRmR {
            lhs: o.tmp_gpr.to_reg(),
            rhs: gm(S32, dst.to_reg()),
        }
        .emit_bytes(sink);
        trap_if(sink, CC::NZ, TrapCode::IntegerOverflow);
    }
}

fn emit_min_max(
    sink: &mut CodeBuffer,
    size: FloatSize,
    is_min: bool,
    lhs: Xmm,
    rhs: Xmm,
    dst: Writable<Xmm>,
) {
    debug_assert_eq!(lhs, dst.to_reg(), "lhs must be allocated to dst");
    let (op, nan, done) = (sink.new_label(), sink.new_label(), sink.new_label());
    ucomis(sink, size, lhs, rhs);
    jcc(sink, CC::NZ, op);
    jcc(sink, CC::P, nan);
    // Equal: only the signs of zeros can differ; min ORs them, max ANDs them.
    let bitwise = if is_min {
        SseOp128::Orps
    } else {
        SseOp128::Andps
    };
    packed(sink, bitwise, dst, rhs);
    jmp(sink, done);
    // A NaN operand: an addition returns the first NaN operand, quieted.
    sink.bind_label(nan);
    scalar(sink, size, SseOp32::Addss, SseOp64::Addsd, dst, rhs);
    jmp(sink, done);
    sink.bind_label(op);
    if is_min {
        scalar(sink, size, SseOp32::Minss, SseOp64::Minsd, dst, rhs);
    } else {
        scalar(sink, size, SseOp32::Maxss, SseOp64::Maxsd, dst, rhs);
    }
    sink.bind_label(done);
}

/// `op dst, [constant]` for a scalar operation of `size` with a constant operand.
fn scalar_const(
    sink: &mut CodeBuffer,
    size: FloatSize,
    op32: SseOp32,
    op64: SseOp64,
    dst: Writable<Xmm>,
    v: f64,
) {
    let at = float_const(sink, size, v);
    match size {
        FloatSize::F32 => MInst::XmmRmR32 {
            op: op32,
            src1: dst.to_reg(),
            src2: XmmMem32::Mem(Mem32::new(at)),
            dst,
            avx: false,
        },
        FloatSize::F64 => MInst::XmmRmR64 {
            op: op64,
            src1: dst.to_reg(),
            src2: XmmMem64::Mem(Mem64::new(at)),
            dst,
            avx: false,
        },
    }
    .emit_bytes(sink);
}

/// `op dst, [16-byte constant with `lane` in its low lane]`.
fn packed_const(
    sink: &mut CodeBuffer,
    size: FloatSize,
    op: SseOp128,
    dst: Writable<Xmm>,
    lane: u64,
) {
    let mut bytes = [0u8; 16];
    match size {
        FloatSize::F32 => bytes[..4].copy_from_slice(&(lane as u32).to_le_bytes()),
        FloatSize::F64 => bytes[..8].copy_from_slice(&lane.to_le_bytes()),
    }
    let label = sink.constant(&bytes);
    MInst::XmmRmR128 {
        op,
        src1: dst.to_reg(),
        src2: XmmMem128::Mem(Mem128::new(Amode::rip_relative(label))),
        dst,
        avx: false,
    }
    .emit_bytes(sink);
}

fn emit_round(
    sink: &mut CodeBuffer,
    size: FloatSize,
    mode: RoundMode,
    src: Xmm,
    dst: Writable<Xmm>,
    tmp: Writable<Xmm>,
) {
    let (sign, magic) = match size {
        FloatSize::F32 => (0x8000_0000u64, 8388608.0),
        FloatSize::F64 => (0x8000_0000_0000_0000u64, 4503599627370496.0),
    };
    let abs = match size {
        FloatSize::F32 => 0x7fff_ffffu64,
        FloatSize::F64 => 0x7fff_ffff_ffff_ffffu64,
    };
    let (nan, done) = (sink.new_label(), sink.new_label());
    let movaps = |sink: &mut CodeBuffer, d: Writable<Xmm>, s: Xmm| {
        MInst::XmmMov128 {
            op: Mov128Op::Movaps,
            src: XmmMem128::Reg(s),
            dst: d,
            avx: false,
        }
        .emit_bytes(sink)
    };
    movaps(sink, dst, src);
    movaps(sink, tmp, src);
    packed_const(sink, size, SseOp128::Andps, tmp, abs); // tmp = |x|
    ucomis_const(sink, size, tmp.to_reg(), magic);
    jcc(sink, CC::P, nan);
    jcc(sink, CC::NB, done); // |x| >= 2^52: integral already (or infinite)
    movaps(sink, dst, tmp.to_reg());
    scalar_const(sink, size, SseOp32::Addss, SseOp64::Addsd, dst, magic);
    scalar_const(sink, size, SseOp32::Subss, SseOp64::Subsd, dst, magic); // nearest(|x|)
    if mode == RoundMode::Trunc {
        let ok = sink.new_label();
        ucomis(sink, size, dst.to_reg(), tmp.to_reg());
        jcc(sink, CC::BE, ok);
        scalar_const(sink, size, SseOp32::Subss, SseOp64::Subsd, dst, 1.0);
        sink.bind_label(ok);
    }
    // Put the sign of x back: now dst is nearest(x) or trunc(x).
    movaps(sink, tmp, src);
    packed_const(sink, size, SseOp128::Andps, tmp, sign); // tmp = sign(x)
    packed(sink, SseOp128::Orps, dst, tmp.to_reg());
    if matches!(mode, RoundMode::Floor | RoundMode::Ceil) {
        let ok = sink.new_label();
        ucomis(sink, size, dst.to_reg(), src);
        if mode == RoundMode::Floor {
            jcc(sink, CC::BE, ok);
            scalar_const(sink, size, SseOp32::Subss, SseOp64::Subsd, dst, 1.0);
        } else {
            jcc(sink, CC::NB, ok);
            scalar_const(sink, size, SseOp32::Addss, SseOp64::Addsd, dst, 1.0);
        }
        sink.bind_label(ok);
        // A zero result keeps the sign of x (ceil(-0.5) is -0.0).
        packed(sink, SseOp128::Orps, dst, tmp.to_reg());
    }
    jmp(sink, done);
    sink.bind_label(nan);
    scalar(
        sink,
        size,
        SseOp32::Addss,
        SseOp64::Addsd,
        dst,
        dst.to_reg(),
    );
    sink.bind_label(done);
}
