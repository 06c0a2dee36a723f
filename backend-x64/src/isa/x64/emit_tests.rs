//! Encoder tests: every instruction form is encoded, decoded with `iced-x86`, formatted in
//! Intel syntax and compared with text built here independently of the encoder (by hand
//! or from the operand description with the small formatter below).

use super::regs::{gpr, xmm};
use super::*;
use crate::machinst::{CodeBuffer, Label, RelocTarget, Writable};
use iced_x86::{Code, Decoder, DecoderOptions, Formatter, IntelFormatter};
use kiln_ir::{FuncRef, TrapCode};

// ---- The independent formatter ----------------------------------------------------------

const Q: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];
const D: [&str; 16] = [
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
    "r13d", "r14d", "r15d",
];
const W: [&str; 16] = [
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
    "r14w", "r15w",
];
const B: [&str; 16] = [
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
    "r13b", "r14b", "r15b",
];

/// Register name by size in bytes.
fn rn(bytes: u32, enc: u8) -> String {
    let t = match bytes {
        1 => &B,
        2 => &W,
        4 => &D,
        _ => &Q,
    };
    t[enc as usize].to_string()
}

fn xn(enc: u8) -> String {
    format!("xmm{enc}")
}

fn ptr(bytes: u32) -> &'static str {
    match bytes {
        1 => "byte ptr ",
        2 => "word ptr ",
        4 => "dword ptr ",
        8 => "qword ptr ",
        _ => "xmmword ptr ",
    }
}

fn hex(v: u64) -> String {
    format!("0x{v:x}")
}

/// An immediate as the disassembler shows it: sign-extended to the operand size.
fn imm(bytes: u32, v: i64) -> String {
    let mask = if bytes == 8 {
        u64::MAX
    } else {
        (1u64 << (bytes * 8)) - 1
    };
    hex(v as u64 & mask)
}

fn disp_text(d: i32) -> String {
    match d {
        0 => String::new(),
        d if d < 0 => format!("-{}", hex((d as i64).unsigned_abs())),
        d => format!("+{}", hex(d as u64)),
    }
}

/// A test addressing mode: the `Amode` and its text (without the size).
#[derive(Clone, Copy)]
enum TA {
    Base(u8, i32),
    Index(u8, u8, u8, i32),
    /// RIP-relative to a label bound 16 bytes after the end of the instruction.
    Rip,
}

const RIP_DISTANCE: u32 = 16;

fn rip_label() -> Label {
    // The first label of a fresh buffer; `check` creates it the same way.
    CodeBuffer::new().new_label()
}

impl TA {
    fn amode(self) -> Amode {
        match self {
            TA::Base(b, d) => Amode::imm_reg(d, gpr(b)),
            TA::Index(b, i, s, d) => {
                let scale = [Scale::One, Scale::Two, Scale::Four, Scale::Eight][s as usize];
                Amode::imm_reg_reg_shift(d, gpr(b), gpr(i), scale)
            }
            TA::Rip => Amode::rip_relative(rip_label()),
        }
    }

    fn text(self) -> String {
        match self {
            TA::Base(b, d) => format!("[{}{}]", Q[b as usize], disp_text(d)),
            // The disassembler leaves out a scale of 1.
            TA::Index(b, i, 0, d) => {
                format!("[{}+{}{}]", Q[b as usize], Q[i as usize], disp_text(d))
            }
            TA::Index(b, i, s, d) => format!(
                "[{}+{}*{}{}]",
                Q[b as usize],
                Q[i as usize],
                1 << s,
                disp_text(d)
            ),
            TA::Rip => format!("[rip+{}]", hex(RIP_DISTANCE as u64)),
        }
    }

    fn mem(self, bytes: u32) -> String {
        format!("{}{}", ptr(bytes), self.text())
    }
}

/// Register extremes for integer operands.
const GPRS: [u8; 10] = [0, 1, 4, 5, 6, 7, 8, 12, 13, 15];
/// Register pairs (first, second) covering low/high, rsp/rbp/r12/r13 and sil/dil.
const PAIRS: [(u8, u8); 10] = [
    (0, 1),
    (1, 0),
    (4, 5),
    (5, 4),
    (6, 7),
    (8, 15),
    (12, 13),
    (15, 8),
    (0, 15),
    (13, 0),
];
const XMMS: [u8; 4] = [0, 7, 8, 15];
const XPAIRS: [(u8, u8); 6] = [(0, 1), (7, 0), (8, 15), (15, 8), (0, 8), (9, 3)];

/// A varied sample of addressing modes, used with every memory-operand form.
fn sample_modes() -> Vec<TA> {
    vec![
        TA::Base(0, 0),
        TA::Base(4, 8),
        TA::Base(5, 0),
        TA::Base(12, -8),
        TA::Base(13, 0x1000),
        TA::Base(15, -0x12345678),
        TA::Index(0, 1, 0, 0),
        TA::Index(4, 15, 3, 16),
        TA::Index(13, 8, 2, -4),
        TA::Index(5, 12, 1, 0x200),
        TA::Rip,
    ]
}

/// Every combination of the addressing-mode extremes.
fn all_modes() -> Vec<TA> {
    let bases = [0u8, 1, 4, 5, 8, 12, 13, 15];
    let disps = [
        0,
        8,
        -8,
        127,
        -128,
        128,
        0x1000,
        -0x12345678,
        i32::MAX,
        i32::MIN,
    ];
    let indexes = [0u8, 1, 5, 8, 12, 13, 15];
    let mut v = vec![TA::Rip];
    for b in bases {
        for d in disps {
            v.push(TA::Base(b, d));
        }
        for i in indexes {
            for s in 0..4 {
                for d in [0, -1, 0x80, -0x1000] {
                    v.push(TA::Index(b, i, s, d));
                }
            }
        }
    }
    v
}

// ---- Encode, decode, compare ------------------------------------------------------------

fn formatter() -> IntelFormatter {
    let mut f = IntelFormatter::new();
    let o = f.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_space_after_operand_separator(true);
    o.set_branch_leading_zeros(false);
    o.set_show_branch_size(false);
    o.set_memory_size_options(iced_x86::MemorySizeOptions::Always);
    o.set_rip_relative_addresses(true);
    o.set_small_hex_numbers_in_decimal(false);
    o.set_leading_zeros(false);
    o.set_use_pseudo_ops(false);
    f
}

/// Decodes the first instruction of `bytes` (at address 0): its text and length.
pub(crate) fn disassemble(bytes: &[u8]) -> (String, usize) {
    let mut d = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let i = d.decode();
    assert_ne!(i.code(), Code::INVALID, "undecodable: {bytes:02x?}");
    let mut s = String::new();
    formatter().format(&i, &mut s);
    (s, i.len())
}

/// Encodes `inst` (binding the RIP label 16 bytes after it) and checks the disassembly, the
/// length and the reported memory width.
fn check_w(expected: &str, inst: MInst, width: Option<u32>) {
    let mut buf = CodeBuffer::new();
    let label = buf.new_label();
    assert_eq!(label, rip_label());
    inst.emit(&mut buf, None);
    let len = buf.cur_offset() as usize;
    buf.put_bytes(&[0xcc; RIP_DISTANCE as usize]);
    buf.bind_label(label);
    let done = buf.finish().unwrap();
    let code = &done.data[..len];
    let (text, dlen) = disassemble(code);
    assert_eq!(text, expected, "{inst:?} encoded as {code:02x?}");
    assert_eq!(
        dlen, len,
        "{expected}: decoded length differs ({code:02x?})"
    );
    assert_eq!(inst.mem_access_width(), width, "{expected}: memory width");
    // The printer shows the same text, with the label by name.
    let rip = format!("[rip+{}]", hex(RIP_DISTANCE as u64));
    assert_eq!(
        inst.to_string(),
        expected.replace(&rip, "[rip+label0]"),
        "printer"
    );
}

fn check(expected: &str, inst: MInst) {
    check_w(expected, inst, None)
}

fn wg(e: u8) -> Writable<Gpr> {
    Writable::from_reg(gpr(e))
}

fn wx(e: u8) -> Writable<Xmm> {
    Writable::from_reg(xmm(e))
}

const SIZES: [OperandSize; 4] = [
    OperandSize::S8,
    OperandSize::S16,
    OperandSize::S32,
    OperandSize::S64,
];

fn any_reg(size: OperandSize, e: u8) -> AnyGprMem {
    let r = gpr(e);
    match size {
        OperandSize::S8 => GprMem8::Reg(r).into(),
        OperandSize::S16 => GprMem16::Reg(r).into(),
        OperandSize::S32 => GprMem32::Reg(r).into(),
        OperandSize::S64 => GprMem64::Reg(r).into(),
    }
}

fn any_mem(size: OperandSize, a: TA) -> AnyGprMem {
    let m = a.amode();
    match size {
        OperandSize::S8 => GprMem8::Mem(Mem8::new(m)).into(),
        OperandSize::S16 => GprMem16::Mem(Mem16::new(m)).into(),
        OperandSize::S32 => GprMem32::Mem(Mem32::new(m)).into(),
        OperandSize::S64 => GprMem64::Mem(Mem64::new(m)).into(),
    }
}

fn mem_of(size: OperandSize, a: TA) -> AnyMem {
    let m = a.amode();
    match size {
        OperandSize::S8 => AnyMem::M8(Mem8::new(m)),
        OperandSize::S16 => AnyMem::M16(Mem16::new(m)),
        OperandSize::S32 => AnyMem::M32(Mem32::new(m)),
        OperandSize::S64 => AnyMem::M64(Mem64::new(m)),
    }
}

fn wide_reg(size: OperandSize, e: u8) -> WideGprMem {
    let r = gpr(e);
    match size {
        OperandSize::S16 => GprMem16::Reg(r).into(),
        OperandSize::S32 => GprMem32::Reg(r).into(),
        _ => GprMem64::Reg(r).into(),
    }
}

fn wide_mem(size: OperandSize, a: TA) -> WideGprMem {
    let m = a.amode();
    match size {
        OperandSize::S16 => GprMem16::Mem(Mem16::new(m)).into(),
        OperandSize::S32 => GprMem32::Mem(Mem32::new(m)).into(),
        _ => GprMem64::Mem(Mem64::new(m)).into(),
    }
}

fn dq_reg(size: OperandSize, e: u8) -> GprMem32Or64 {
    if size == OperandSize::S64 {
        GprMem64::Reg(gpr(e)).into()
    } else {
        GprMem32::Reg(gpr(e)).into()
    }
}

fn dq_mem(size: OperandSize, a: TA) -> GprMem32Or64 {
    if size == OperandSize::S64 {
        GprMem64::Mem(Mem64::new(a.amode())).into()
    } else {
        GprMem32::Mem(Mem32::new(a.amode())).into()
    }
}

const ALU_OPS: [AluOp; 7] = [
    AluOp::Add,
    AluOp::Or,
    AluOp::Adc,
    AluOp::Sbb,
    AluOp::And,
    AluOp::Sub,
    AluOp::Xor,
];
const ALU_NAMES: [&str; 7] = ["add", "or", "adc", "sbb", "and", "sub", "xor"];
const IMMS: [i32; 9] = [0, 1, -1, 127, -128, 128, -129, 0x1234, 0x12345678];

// ---- Tests ------------------------------------------------------------------------------

#[test]
fn hand_written_examples() {
    // A few encodings spelled out completely, independent of the generators below.
    let r12_8 = Mem64::new(Amode::imm_reg(8, gpr(12)));
    check_w(
        "add rax, qword ptr [r12+0x8]",
        MInst::AluRmR {
            op: AluOp::Add,
            src1: gpr(0),
            src2: GprMem64::Mem(r12_8).into(),
            dst: wg(0),
        },
        Some(8),
    );
    let mut buf = CodeBuffer::new();
    MInst::AluRmR {
        op: AluOp::Add,
        src1: gpr(0),
        src2: GprMem64::Mem(r12_8).into(),
        dst: wg(0),
    }
    .emit(&mut buf, None);
    assert_eq!(buf.bytes(), [0x49, 0x03, 0x44, 0x24, 0x08]);
    check(
        "or sil, dil",
        MInst::AluRmR {
            op: AluOp::Or,
            src1: gpr(6),
            src2: GprMem8::Reg(gpr(7)).into(),
            dst: wg(6),
        },
    );
    check("ret", MInst::Ret);
    let ud2 = MInst::Ud2 {
        code: TrapCode::UnreachableCodeReached,
    };
    let mut buf = CodeBuffer::new();
    ud2.emit(&mut buf, None);
    assert_eq!(disassemble(buf.bytes()), ("ud2".to_string(), 2));
    // The printer notes the trap code.
    assert_eq!(ud2.to_string(), "ud2 ; trap: unreachable");
    check_w(
        "xorps xmm15, xmmword ptr [rbp]",
        MInst::XmmRmR128 {
            op: SseOp128::Xorps,
            src1: xmm(15),
            src2: XmmMem128::Mem(Mem128::new(Amode::imm_reg(0, gpr(5)))),
            dst: wx(15),
            avx: false,
        },
        Some(16),
    );
}

#[test]
fn addressing_modes() {
    let modes = all_modes();
    assert!(modes.len() > 900);
    for a in modes {
        check_w(
            &format!("mov r9, {}", a.mem(8)),
            MInst::MovzxRmR {
                src: any_mem(OperandSize::S64, a),
                dst: wg(9),
            },
            Some(8),
        );
        check_w(
            &format!("mov {}, eax", a.mem(4)),
            MInst::MovMR {
                src: gpr(0),
                dst: mem_of(OperandSize::S32, a),
            },
            Some(4),
        );
        check(
            &format!("lea r12, {}", a.text()),
            MInst::Lea {
                src: a.amode(),
                dst: wg(12),
            },
        );
        // VEX with extended registers in every field.
        check_w(
            &format!("vaddsd xmm9, xmm15, {}", a.mem(8)),
            MInst::XmmRmR64 {
                op: SseOp64::Addsd,
                src1: xmm(15),
                src2: XmmMem64::Mem(Mem64::new(a.amode())),
                dst: wx(9),
                avx: true,
            },
            Some(8),
        );
        // An immediate after a RIP-relative displacement.
        check_w(
            &format!("cmp {}, 0x12345678", a.mem(8)),
            MInst::CmpRmI {
                lhs: any_mem(OperandSize::S64, a),
                imm: 0x12345678,
            },
            Some(8),
        );
    }
}

#[test]
fn alu_forms() {
    for (op, name) in ALU_OPS.into_iter().zip(ALU_NAMES) {
        for size in SIZES {
            let n = size.bytes();
            for (d, s) in PAIRS {
                check(
                    &format!("{name} {}, {}", rn(n, d), rn(n, s)),
                    MInst::AluRmR {
                        op,
                        src1: gpr(d),
                        src2: any_reg(size, s),
                        dst: wg(d),
                    },
                );
                for i in IMMS {
                    check(
                        &format!("{name} {}, {}", rn(n, d), imm(n, i as i64)),
                        MInst::AluRI {
                            op,
                            size,
                            src1: gpr(d),
                            imm: i,
                            dst: wg(d),
                        },
                    );
                }
            }
            for a in sample_modes() {
                for r in [0, 7, 13] {
                    check_w(
                        &format!("{name} {}, {}", rn(n, r), a.mem(n)),
                        MInst::AluRmR {
                            op,
                            src1: gpr(r),
                            src2: any_mem(size, a),
                            dst: wg(r),
                        },
                        Some(n),
                    );
                    check_w(
                        &format!("{name} {}, {}", a.mem(n), rn(n, r)),
                        MInst::AluMR {
                            op,
                            src: gpr(r),
                            dst: mem_of(size, a),
                        },
                        Some(n),
                    );
                }
                for i in [-1, 100, 0x4321] {
                    check_w(
                        &format!("{name} {}, {}", a.mem(n), imm(n, i as i64)),
                        MInst::AluMI {
                            op,
                            imm: i,
                            dst: mem_of(size, a),
                        },
                        Some(n),
                    );
                }
            }
        }
    }
}

#[test]
fn cmp_and_test() {
    for size in SIZES {
        let n = size.bytes();
        for (d, s) in PAIRS {
            check(
                &format!("cmp {}, {}", rn(n, d), rn(n, s)),
                MInst::CmpRmR {
                    lhs: gpr(d),
                    rhs: any_reg(size, s),
                },
            );
            check(
                &format!("test {}, {}", rn(n, d), rn(n, s)),
                MInst::TestRmR {
                    lhs: any_reg(size, d),
                    rhs: gpr(s),
                },
            );
            for i in IMMS {
                check(
                    &format!("cmp {}, {}", rn(n, d), imm(n, i as i64)),
                    MInst::CmpRmI {
                        lhs: any_reg(size, d),
                        imm: i,
                    },
                );
                // `test` has no sign-extended imm8 form: the immediate is full width.
                check(
                    &format!("test {}, {}", rn(n, d), imm(n, i as i64)),
                    MInst::TestRmI {
                        lhs: any_reg(size, d),
                        imm: i,
                    },
                );
            }
        }
        for a in sample_modes() {
            check_w(
                &format!(
                    "cmp r15{}, {}",
                    ["b", "w", "d", ""][n.trailing_zeros() as usize],
                    a.mem(n)
                ),
                MInst::CmpRmR {
                    lhs: gpr(15),
                    rhs: any_mem(size, a),
                },
                Some(n),
            );
            check_w(
                &format!("cmp {}, {}", a.mem(n), imm(n, -2)),
                MInst::CmpRmI {
                    lhs: any_mem(size, a),
                    imm: -2,
                },
                Some(n),
            );
            check_w(
                &format!("test {}, {}", a.mem(n), rn(n, 6)),
                MInst::TestRmR {
                    lhs: any_mem(size, a),
                    rhs: gpr(6),
                },
                Some(n),
            );
            check_w(
                &format!("test {}, {}", a.mem(n), imm(n, 0x55)),
                MInst::TestRmI {
                    lhs: any_mem(size, a),
                    imm: 0x55,
                },
                Some(n),
            );
        }
    }
}

#[test]
fn moves() {
    for (d, s) in PAIRS {
        check(
            &format!("mov {}, {}", D[d as usize], D[s as usize]),
            MInst::MovRR {
                size: OperandSize::S32,
                src: gpr(s),
                dst: wg(d),
            },
        );
        check(
            &format!("mov {}, {}", Q[d as usize], Q[s as usize]),
            MInst::MovRR {
                size: OperandSize::S64,
                src: gpr(s),
                dst: wg(d),
            },
        );
    }
    for d in GPRS {
        // (size, value, expected text)
        let cases: [(OperandSize, u64, String); 7] = [
            (OperandSize::S32, 0, format!("mov {}, 0x0", D[d as usize])),
            (
                OperandSize::S32,
                0xffff_ffff,
                format!("mov {}, 0xffffffff", D[d as usize]),
            ),
            (OperandSize::S64, 5, format!("mov {}, 0x5", D[d as usize])),
            (
                OperandSize::S64,
                0x8000_0000,
                format!("mov {}, 0x80000000", D[d as usize]),
            ),
            (
                OperandSize::S64,
                u64::MAX,
                format!("mov {}, 0xffffffffffffffff", Q[d as usize]),
            ),
            (
                OperandSize::S64,
                (-0x8000_0000i64) as u64,
                format!("mov {}, 0xffffffff80000000", Q[d as usize]),
            ),
            (
                OperandSize::S64,
                0x1234_5678_9abc_def0,
                format!("mov {}, 0x123456789abcdef0", Q[d as usize]),
            ),
        ];
        for (size, v, text) in cases {
            check(
                &text,
                MInst::MovImm {
                    size,
                    imm: v,
                    dst: wg(d),
                },
            );
        }
    }
    // Zero- and sign-extension, register and memory sources.
    for (d, s) in PAIRS {
        let (dq, dd) = (Q[d as usize], D[d as usize]);
        let zx = |size| MInst::MovzxRmR {
            src: any_reg(size, s),
            dst: wg(d),
        };
        check(
            &format!("movzx {dd}, {}", B[s as usize]),
            zx(OperandSize::S8),
        );
        check(
            &format!("movzx {dd}, {}", W[s as usize]),
            zx(OperandSize::S16),
        );
        check(
            &format!("mov {dd}, {}", D[s as usize]),
            zx(OperandSize::S32),
        );
        check(
            &format!("mov {dq}, {}", Q[s as usize]),
            zx(OperandSize::S64),
        );
        let sx = |size, dst_size| MInst::MovsxRmR {
            src: any_reg(size, s),
            dst_size,
            dst: wg(d),
        };
        use OperandSize::*;
        check(&format!("movsx {dd}, {}", B[s as usize]), sx(S8, S32));
        check(&format!("movsx {dq}, {}", B[s as usize]), sx(S8, S64));
        check(&format!("movsx {dd}, {}", W[s as usize]), sx(S16, S32));
        check(&format!("movsx {dq}, {}", W[s as usize]), sx(S16, S64));
        check(&format!("movsxd {dq}, {}", D[s as usize]), sx(S32, S64));
        check(&format!("mov {dd}, {}", D[s as usize]), sx(S32, S32));
    }
    for a in sample_modes() {
        use OperandSize::*;
        for d in [0, 6, 12] {
            let (dq, dd) = (Q[d as usize], D[d as usize]);
            let zx = |size| MInst::MovzxRmR {
                src: any_mem(size, a),
                dst: wg(d),
            };
            check_w(&format!("movzx {dd}, {}", a.mem(1)), zx(S8), Some(1));
            check_w(&format!("movzx {dd}, {}", a.mem(2)), zx(S16), Some(2));
            check_w(&format!("mov {dd}, {}", a.mem(4)), zx(S32), Some(4));
            check_w(&format!("mov {dq}, {}", a.mem(8)), zx(S64), Some(8));
            let sx = |size, dst_size| MInst::MovsxRmR {
                src: any_mem(size, a),
                dst_size,
                dst: wg(d),
            };
            check_w(&format!("movsx {dd}, {}", a.mem(1)), sx(S8, S32), Some(1));
            check_w(&format!("movsx {dq}, {}", a.mem(1)), sx(S8, S64), Some(1));
            check_w(&format!("movsx {dd}, {}", a.mem(2)), sx(S16, S32), Some(2));
            check_w(&format!("movsx {dq}, {}", a.mem(2)), sx(S16, S64), Some(2));
            check_w(&format!("movsxd {dq}, {}", a.mem(4)), sx(S32, S64), Some(4));
            check_w(&format!("mov {dq}, {}", a.mem(8)), sx(S64, S64), Some(8));
        }
        for size in SIZES {
            let n = size.bytes();
            for s in [0, 5, 6, 7, 8, 15] {
                check_w(
                    &format!("mov {}, {}", a.mem(n), rn(n, s)),
                    MInst::MovMR {
                        src: gpr(s),
                        dst: mem_of(size, a),
                    },
                    Some(n),
                );
            }
            for i in [0, -1, 0x7f, 0x12345678] {
                check_w(
                    &format!("mov {}, {}", a.mem(n), imm(n, i as i64)),
                    MInst::MovMI {
                        dst: mem_of(size, a),
                        imm: i,
                    },
                    Some(n),
                );
            }
        }
    }
}

const WIDE: [OperandSize; 3] = [OperandSize::S16, OperandSize::S32, OperandSize::S64];

#[test]
fn multiply_divide() {
    for size in WIDE {
        let n = size.bytes();
        for (d, s) in PAIRS {
            check(
                &format!("imul {}, {}", rn(n, d), rn(n, s)),
                MInst::ImulRmR {
                    src1: gpr(d),
                    src2: wide_reg(size, s),
                    dst: wg(d),
                },
            );
            for i in IMMS {
                check(
                    &format!("imul {}, {}, {}", rn(n, d), rn(n, s), imm(n, i as i64)),
                    MInst::ImulRmRI {
                        src: wide_reg(size, s),
                        imm: i,
                        dst: wg(d),
                    },
                );
            }
        }
        for a in sample_modes() {
            check_w(
                &format!("imul {}, {}", rn(n, 13), a.mem(n)),
                MInst::ImulRmR {
                    src1: gpr(13),
                    src2: wide_mem(size, a),
                    dst: wg(13),
                },
                Some(n),
            );
            for i in [3, -300] {
                check_w(
                    &format!("imul {}, {}, {}", rn(n, 4), a.mem(n), imm(n, i as i64)),
                    MInst::ImulRmRI {
                        src: wide_mem(size, a),
                        imm: i,
                        dst: wg(4),
                    },
                    Some(n),
                );
            }
        }
    }
    let (rax, rdx) = (gpr(0), gpr(2));
    for size in SIZES {
        let n = size.bytes();
        for signed in [false, true] {
            let (m, dv) = if signed {
                ("imul", "idiv")
            } else {
                ("mul", "div")
            };
            let mut operands: Vec<(String, AnyGprMem, Option<u32>)> = GPRS
                .iter()
                .map(|&r| (rn(n, r), any_reg(size, r), None))
                .collect();
            for a in sample_modes() {
                operands.push((a.mem(n), any_mem(size, a), Some(n)));
            }
            for (text, op, w) in operands {
                check_w(
                    &format!("{m} {text}"),
                    MInst::Mul {
                        signed,
                        src1: rax,
                        src2: op,
                        dst_lo: wg(0),
                        dst_hi: wg(2),
                    },
                    w,
                );
                check_w(
                    &format!("{dv} {text}"),
                    MInst::Div {
                        signed,
                        dividend_lo: rax,
                        dividend_hi: rdx,
                        divisor: op,
                        dst_quot: wg(0),
                        dst_rem: wg(2),
                    },
                    w,
                );
            }
        }
    }
    for (size, text) in SIZES.into_iter().zip(["cbw", "cwd", "cdq", "cqo"]) {
        check(
            text,
            MInst::SignExtendData {
                size,
                src: rax,
                dst: wg(2),
            },
        );
    }
}

#[test]
fn unary_and_shifts() {
    let shifts = [
        (ShiftOp::Rol, "rol"),
        (ShiftOp::Ror, "ror"),
        (ShiftOp::Shl, "shl"),
        (ShiftOp::Shr, "shr"),
        (ShiftOp::Sar, "sar"),
    ];
    for size in SIZES {
        let n = size.bytes();
        for r in GPRS {
            let reg = rn(n, r);
            for (op, name) in [(UnaryOp::Neg, "neg"), (UnaryOp::Not, "not")] {
                check(
                    &format!("{name} {reg}"),
                    MInst::Unary {
                        op,
                        size,
                        src: gpr(r),
                        dst: wg(r),
                    },
                );
            }
            for (op, name) in shifts {
                check(
                    &format!("{name} {reg}, cl"),
                    MInst::Shift {
                        op,
                        size,
                        src: gpr(r),
                        amount: ShiftAmount::Cl(gpr(1)),
                        dst: wg(r),
                    },
                );
                for i in [1u8, 7, 31, 63] {
                    check(
                        &format!("{name} {reg}, {}", hex(i as u64)),
                        MInst::Shift {
                            op,
                            size,
                            src: gpr(r),
                            amount: ShiftAmount::Imm(i),
                            dst: wg(r),
                        },
                    );
                }
            }
        }
    }
    for size in WIDE {
        let n = size.bytes();
        for (d, s) in PAIRS {
            for (op, name) in [(DoubleShiftOp::Shld, "shld"), (DoubleShiftOp::Shrd, "shrd")] {
                let ds = |amount| MInst::DoubleShift {
                    op,
                    size,
                    src1: gpr(d),
                    src2: gpr(s),
                    amount,
                    dst: wg(d),
                };
                check(
                    &format!("{name} {}, {}, cl", rn(n, d), rn(n, s)),
                    ds(ShiftAmount::Cl(gpr(1))),
                );
                check(
                    &format!("{name} {}, {}, 0xd", rn(n, d), rn(n, s)),
                    ds(ShiftAmount::Imm(13)),
                );
            }
        }
    }
    for r in GPRS {
        for size in [OperandSize::S32, OperandSize::S64] {
            check(
                &format!("bswap {}", rn(size.bytes(), r)),
                MInst::Bswap {
                    size,
                    src: gpr(r),
                    dst: wg(r),
                },
            );
        }
    }
}

#[test]
fn bit_counting_and_bmi() {
    let ops = [
        (BitOp::Bsf, "bsf"),
        (BitOp::Bsr, "bsr"),
        (BitOp::Tzcnt, "tzcnt"),
        (BitOp::Lzcnt, "lzcnt"),
        (BitOp::Popcnt, "popcnt"),
    ];
    for (op, name) in ops {
        for size in WIDE {
            let n = size.bytes();
            for (d, s) in PAIRS {
                check(
                    &format!("{name} {}, {}", rn(n, d), rn(n, s)),
                    MInst::BitRmR {
                        op,
                        src: wide_reg(size, s),
                        dst: wg(d),
                    },
                );
            }
            for a in sample_modes() {
                check_w(
                    &format!("{name} {}, {}", rn(n, 8), a.mem(n)),
                    MInst::BitRmR {
                        op,
                        src: wide_mem(size, a),
                        dst: wg(8),
                    },
                    Some(n),
                );
            }
        }
    }
    let xops = [
        (ShiftXOp::Shlx, "shlx"),
        (ShiftXOp::Shrx, "shrx"),
        (ShiftXOp::Sarx, "sarx"),
    ];
    for size in [OperandSize::S32, OperandSize::S64] {
        let n = size.bytes();
        for (d, s) in PAIRS {
            let third = 15 - s;
            check(
                &format!("andn {}, {}, {}", rn(n, d), rn(n, third), rn(n, s)),
                MInst::Andn {
                    src1: gpr(third),
                    src2: dq_reg(size, s),
                    dst: wg(d),
                },
            );
            for (op, name) in xops {
                check(
                    &format!("{name} {}, {}, {}", rn(n, d), rn(n, s), rn(n, third)),
                    MInst::ShiftX {
                        op,
                        src: dq_reg(size, s),
                        amount: gpr(third),
                        dst: wg(d),
                    },
                );
            }
        }
        for a in sample_modes() {
            check_w(
                &format!("andn {}, {}, {}", rn(n, 9), rn(n, 2), a.mem(n)),
                MInst::Andn {
                    src1: gpr(2),
                    src2: dq_mem(size, a),
                    dst: wg(9),
                },
                Some(n),
            );
            for (op, name) in xops {
                check_w(
                    &format!("{name} {}, {}, {}", rn(n, 0), a.mem(n), rn(n, 14)),
                    MInst::ShiftX {
                        op,
                        src: dq_mem(size, a),
                        amount: gpr(14),
                        dst: wg(0),
                    },
                    Some(n),
                );
            }
        }
    }
}

/// Condition suffixes by encoding, as the disassembler spells them.
const CC_NAMES: [&str; 16] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
];

#[test]
fn conditions() {
    for (i, cc) in CC::ALL.into_iter().enumerate() {
        assert_eq!(cc.enc() as usize, i);
        assert_eq!(cc.invert().invert(), cc);
        assert_ne!(cc.invert(), cc);
        let name = CC_NAMES[i];
        for r in GPRS {
            check(
                &format!("set{name} {}", B[r as usize]),
                MInst::Setcc { cc, dst: wg(r) },
            );
        }
        for size in WIDE {
            let n = size.bytes();
            for (d, s) in PAIRS {
                check(
                    &format!("cmov{name} {}, {}", rn(n, d), rn(n, s)),
                    MInst::Cmove {
                        cc,
                        consequent: wide_reg(size, s),
                        alternative: gpr(d),
                        dst: wg(d),
                    },
                );
            }
            for a in sample_modes() {
                check_w(
                    &format!("cmov{name} {}, {}", rn(n, 3), a.mem(n)),
                    MInst::Cmove {
                        cc,
                        consequent: wide_mem(size, a),
                        alternative: gpr(3),
                        dst: wg(3),
                    },
                    Some(n),
                );
            }
        }
    }
    // The pairs used by lowering: inverting `e` gives `ne`, `l` gives `ge`, and so on.
    assert_eq!(CC::Z.invert(), CC::NZ);
    assert_eq!(CC::L.invert(), CC::NL);
    assert_eq!(CC::B.invert(), CC::NB);
    assert_eq!(CC::from_intcc(kiln_ir::IntCC::UnsignedGreaterThan), CC::NBE);
    assert_eq!(
        CC::from_intcc(kiln_ir::IntCC::SignedLessThanOrEqual),
        CC::LE
    );
}

#[test]
fn control_flow() {
    for r in GPRS {
        check(
            &format!("jmp {}", Q[r as usize]),
            MInst::JmpUnknown {
                target: GprMem64::Reg(gpr(r)),
            },
        );
        check(
            &format!("call {}", Q[r as usize]),
            MInst::CallUnknown {
                target: GprMem64::Reg(gpr(r)),
            },
        );
        check(
            &format!("push {}", Q[r as usize]),
            MInst::Push64 { src: gpr(r) },
        );
        check(
            &format!("pop {}", Q[r as usize]),
            MInst::Pop64 { dst: wg(r) },
        );
    }
    for a in sample_modes() {
        check_w(
            &format!("jmp {}", a.mem(8)),
            MInst::JmpUnknown {
                target: GprMem64::Mem(Mem64::new(a.amode())),
            },
            Some(8),
        );
        check_w(
            &format!("call {}", a.mem(8)),
            MInst::CallUnknown {
                target: GprMem64::Mem(Mem64::new(a.amode())),
            },
            Some(8),
        );
    }
    // Relocated direct call: the field is zero until linked, so it decodes as a call to the
    // next instruction; the relocation sits at offset 1 with addend -4.
    let mut buf = CodeBuffer::new();
    MInst::CallKnown {
        target: RelocTarget::Func(FuncRef::from_u32(3)),
    }
    .emit(&mut buf, None);
    let done = buf.finish().unwrap();
    assert_eq!(disassemble(&done.data), ("call 0x5".to_string(), 5));
    assert_eq!(done.relocs.len(), 1);
    assert_eq!(done.relocs[0].offset, 1);
    assert_eq!(done.relocs[0].addend, -4);
    assert_eq!(
        done.relocs[0].kind,
        crate::machinst::RelocKind::X86CallPCRel4
    );
    // Absolute function address.
    for r in [0u8, 9, 15] {
        let mut buf = CodeBuffer::new();
        MInst::LoadFuncAddr {
            target: RelocTarget::Func(FuncRef::from_u32(1)),
            dst: wg(r),
        }
        .emit(&mut buf, None);
        let done = buf.finish().unwrap();
        assert_eq!(
            disassemble(&done.data),
            (format!("mov {}, 0x0", Q[r as usize]), 10)
        );
        assert_eq!(done.relocs[0].offset, 2);
        assert_eq!(done.relocs[0].kind, crate::machinst::RelocKind::Abs8);
    }
}

#[test]
fn traps_are_recorded_for_faulting_instructions() {
    let mut buf = CodeBuffer::new();
    let m = Mem64::new(Amode::imm_reg(0, gpr(7)));
    // A load with a trap code: recorded at its first byte (after nothing else).
    MInst::MovzxRmR {
        src: GprMem64::Mem(m).into(),
        dst: wg(0),
    }
    .emit(&mut buf, Some(TrapCode::HeapOutOfBounds));
    let at_div = buf.cur_offset();
    MInst::Div {
        signed: false,
        dividend_lo: gpr(0),
        dividend_hi: gpr(2),
        divisor: GprMem32::Reg(gpr(1)).into(),
        dst_quot: wg(0),
        dst_rem: wg(2),
    }
    .emit(&mut buf, Some(TrapCode::IntegerDivisionByZero));
    // A register add cannot fault: no record even with a code.
    MInst::AluRmR {
        op: AluOp::Add,
        src1: gpr(0),
        src2: GprMem64::Reg(gpr(1)).into(),
        dst: wg(0),
    }
    .emit(&mut buf, Some(TrapCode::HeapOutOfBounds));
    let at_ud2 = buf.cur_offset();
    MInst::Ud2 {
        code: TrapCode::User(7),
    }
    .emit(&mut buf, None);
    let done = buf.finish().unwrap();
    let traps: Vec<(u32, TrapCode)> = done.traps.iter().map(|t| (t.offset, t.code)).collect();
    assert_eq!(
        traps,
        [
            (0, TrapCode::HeapOutOfBounds),
            (at_div, TrapCode::IntegerDivisionByZero),
            (at_ud2, TrapCode::User(7)),
        ]
    );
    assert_eq!(at_div, 3);
    assert_eq!(at_ud2, 3 + 2 + 3);
}

/// An SSE source operand of each width: registers and the sample addressing modes.
fn xmm_sources(bytes: u32) -> Vec<(String, Option<Amode>, u8)> {
    let mut v: Vec<(String, Option<Amode>, u8)> = XMMS.iter().map(|&r| (xn(r), None, r)).collect();
    for a in sample_modes() {
        v.push((a.mem(bytes), Some(a.amode()), 0));
    }
    v
}

fn xm32_of(a: Option<Amode>, r: u8) -> XmmMem32 {
    a.map_or(XmmMem32::Reg(xmm(r)), |a| XmmMem32::Mem(Mem32::new(a)))
}

fn xm64_of(a: Option<Amode>, r: u8) -> XmmMem64 {
    a.map_or(XmmMem64::Reg(xmm(r)), |a| XmmMem64::Mem(Mem64::new(a)))
}

fn xm128_of(a: Option<Amode>, r: u8) -> XmmMem128 {
    a.map_or(XmmMem128::Reg(xmm(r)), |a| XmmMem128::Mem(Mem128::new(a)))
}

#[test]
fn sse_scalar_and_packed() {
    let ops32 = [
        (SseOp32::Addss, "addss"),
        (SseOp32::Subss, "subss"),
        (SseOp32::Mulss, "mulss"),
        (SseOp32::Divss, "divss"),
        (SseOp32::Minss, "minss"),
        (SseOp32::Maxss, "maxss"),
        (SseOp32::Sqrtss, "sqrtss"),
        (SseOp32::Cvtss2sd, "cvtss2sd"),
    ];
    let ops64 = [
        (SseOp64::Addsd, "addsd"),
        (SseOp64::Subsd, "subsd"),
        (SseOp64::Mulsd, "mulsd"),
        (SseOp64::Divsd, "divsd"),
        (SseOp64::Minsd, "minsd"),
        (SseOp64::Maxsd, "maxsd"),
        (SseOp64::Sqrtsd, "sqrtsd"),
        (SseOp64::Cvtsd2ss, "cvtsd2ss"),
    ];
    let ops128 = [
        (SseOp128::Andps, "andps"),
        (SseOp128::Andpd, "andpd"),
        (SseOp128::Andnps, "andnps"),
        (SseOp128::Andnpd, "andnpd"),
        (SseOp128::Orps, "orps"),
        (SseOp128::Orpd, "orpd"),
        (SseOp128::Xorps, "xorps"),
        (SseOp128::Xorpd, "xorpd"),
        (SseOp128::Pand, "pand"),
        (SseOp128::Pandn, "pandn"),
        (SseOp128::Por, "por"),
        (SseOp128::Pxor, "pxor"),
        (SseOp128::Punpcklqdq, "punpcklqdq"),
        (SseOp128::Punpckhqdq, "punpckhqdq"),
    ];
    for (d, s1) in XPAIRS {
        for avx in [false, true] {
            // Legacy form: dst is also the first source. VEX form: three operands.
            let (v, first) = if avx {
                ("v", format!("{}, ", xn(s1)))
            } else {
                ("", String::new())
            };
            let s1 = if avx { s1 } else { d };
            for (op, name) in ops32 {
                for (text, a, r) in xmm_sources(4) {
                    check_w(
                        &format!("{v}{name} {}, {first}{text}", xn(d)),
                        MInst::XmmRmR32 {
                            op,
                            src1: xmm(s1),
                            src2: xm32_of(a, r),
                            dst: wx(d),
                            avx,
                        },
                        a.map(|_| 4),
                    );
                }
            }
            for (op, name) in ops64 {
                for (text, a, r) in xmm_sources(8) {
                    check_w(
                        &format!("{v}{name} {}, {first}{text}", xn(d)),
                        MInst::XmmRmR64 {
                            op,
                            src1: xmm(s1),
                            src2: xm64_of(a, r),
                            dst: wx(d),
                            avx,
                        },
                        a.map(|_| 8),
                    );
                }
            }
            for (op, name) in ops128 {
                for (text, a, r) in xmm_sources(16) {
                    check_w(
                        &format!("{v}{name} {}, {first}{text}", xn(d)),
                        MInst::XmmRmR128 {
                            op,
                            src1: xmm(s1),
                            src2: xm128_of(a, r),
                            dst: wx(d),
                            avx,
                        },
                        a.map(|_| 16),
                    );
                }
            }
            for (op, name) in [(SseImmOp::Round, "round"), (SseImmOp::Cmp, "cmp")] {
                for i in [1u8, 9, 0x7f] {
                    for (text, a, r) in xmm_sources(4) {
                        check_w(
                            &format!("{v}{name}ss {}, {first}{text}, {}", xn(d), hex(i as u64)),
                            MInst::XmmRmRImm32 {
                                op,
                                src1: xmm(s1),
                                src2: xm32_of(a, r),
                                imm: i,
                                dst: wx(d),
                                avx,
                            },
                            a.map(|_| 4),
                        );
                    }
                    for (text, a, r) in xmm_sources(8) {
                        check_w(
                            &format!("{v}{name}sd {}, {first}{text}, {}", xn(d), hex(i as u64)),
                            MInst::XmmRmRImm64 {
                                op,
                                src1: xmm(s1),
                                src2: xm64_of(a, r),
                                imm: i,
                                dst: wx(d),
                                avx,
                            },
                            a.map(|_| 8),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn sse_moves_compares_conversions() {
    let movs = [
        (Mov128Op::Movaps, "movaps"),
        (Mov128Op::Movapd, "movapd"),
        (Mov128Op::Movups, "movups"),
        (Mov128Op::Movupd, "movupd"),
        (Mov128Op::Movdqa, "movdqa"),
        (Mov128Op::Movdqu, "movdqu"),
    ];
    for avx in [false, true] {
        let v = if avx { "v" } else { "" };
        for d in XMMS {
            for (op, name) in movs {
                for (text, a, r) in xmm_sources(16) {
                    check_w(
                        &format!("{v}{name} {}, {text}", xn(d)),
                        MInst::XmmMov128 {
                            op,
                            src: xm128_of(a, r),
                            dst: wx(d),
                            avx,
                        },
                        a.map(|_| 16),
                    );
                    if let Some(a) = a {
                        check_w(
                            &format!("{v}{name} {text}, {}", xn(d)),
                            MInst::XmmStore128 {
                                op,
                                src: xmm(d),
                                dst: Mem128::new(a),
                                avx,
                            },
                            Some(16),
                        );
                    }
                }
            }
            for t in sample_modes() {
                let a = t.amode();
                check_w(
                    &format!("{v}movss {}, {}", xn(d), t.mem(4)),
                    MInst::MovssLoad {
                        src: Mem32::new(a),
                        dst: wx(d),
                        avx,
                    },
                    Some(4),
                );
                check_w(
                    &format!("{v}movsd {}, {}", xn(d), t.mem(8)),
                    MInst::MovsdLoad {
                        src: Mem64::new(a),
                        dst: wx(d),
                        avx,
                    },
                    Some(8),
                );
                check_w(
                    &format!("{v}movss {}, {}", t.mem(4), xn(d)),
                    MInst::MovssStore {
                        src: xmm(d),
                        dst: Mem32::new(a),
                        avx,
                    },
                    Some(4),
                );
                check_w(
                    &format!("{v}movsd {}, {}", t.mem(8), xn(d)),
                    MInst::MovsdStore {
                        src: xmm(d),
                        dst: Mem64::new(a),
                        avx,
                    },
                    Some(8),
                );
                for (size, mv) in [(OperandSize::S32, "movd"), (OperandSize::S64, "movq")] {
                    let n = size.bytes();
                    check_w(
                        &format!("{v}{mv} {}, {}", xn(d), t.mem(n)),
                        MInst::MovToXmm {
                            src: dq_mem(size, t),
                            dst: wx(d),
                            avx,
                        },
                        Some(n),
                    );
                    check_w(
                        &format!("{v}cvttss2si {}, {}", rn(n, 13), t.mem(4)),
                        MInst::CvttF32ToInt {
                            size,
                            src: XmmMem32::Mem(Mem32::new(a)),
                            dst: wg(13),
                            avx,
                        },
                        Some(4),
                    );
                    check_w(
                        &format!("{v}cvttsd2si {}, {}", rn(n, 4), t.mem(8)),
                        MInst::CvttF64ToInt {
                            size,
                            src: XmmMem64::Mem(Mem64::new(a)),
                            dst: wg(4),
                            avx,
                        },
                        Some(8),
                    );
                    for (to, name) in [(FloatSize::F32, "cvtsi2ss"), (FloatSize::F64, "cvtsi2sd")] {
                        let first = if avx {
                            format!("{}, ", xn(15 - d))
                        } else {
                            String::new()
                        };
                        check_w(
                            &format!("{v}{name} {}, {first}{}", xn(d), t.mem(n)),
                            MInst::CvtIntToFloat {
                                to,
                                src1: xmm(if avx { 15 - d } else { d }),
                                src2: dq_mem(size, t),
                                dst: wx(d),
                                avx,
                            },
                            Some(n),
                        );
                    }
                }
                check_w(
                    &format!("{v}ucomiss {}, {}", xn(d), t.mem(4)),
                    MInst::Ucomiss {
                        lhs: xmm(d),
                        rhs: XmmMem32::Mem(Mem32::new(a)),
                        avx,
                    },
                    Some(4),
                );
                check_w(
                    &format!("{v}ucomisd {}, {}", xn(d), t.mem(8)),
                    MInst::Ucomisd {
                        lhs: xmm(d),
                        rhs: XmmMem64::Mem(Mem64::new(a)),
                        avx,
                    },
                    Some(8),
                );
            }
            for r in GPRS {
                for (size, mv) in [(OperandSize::S32, "movd"), (OperandSize::S64, "movq")] {
                    let n = size.bytes();
                    check(
                        &format!("{v}{mv} {}, {}", xn(d), rn(n, r)),
                        MInst::MovToXmm {
                            src: dq_reg(size, r),
                            dst: wx(d),
                            avx,
                        },
                    );
                    check(
                        &format!("{v}{mv} {}, {}", rn(n, r), xn(d)),
                        MInst::MovFromXmm {
                            size,
                            src: xmm(d),
                            dst: wg(r),
                            avx,
                        },
                    );
                    check(
                        &format!("{v}cvttss2si {}, {}", rn(n, r), xn(d)),
                        MInst::CvttF32ToInt {
                            size,
                            src: XmmMem32::Reg(xmm(d)),
                            dst: wg(r),
                            avx,
                        },
                    );
                    check(
                        &format!("{v}cvttsd2si {}, {}", rn(n, r), xn(d)),
                        MInst::CvttF64ToInt {
                            size,
                            src: XmmMem64::Reg(xmm(d)),
                            dst: wg(r),
                            avx,
                        },
                    );
                    let first = if avx {
                        format!("{}, ", xn(d ^ 1))
                    } else {
                        String::new()
                    };
                    check(
                        &format!("{v}cvtsi2sd {}, {first}{}", xn(d), rn(n, r)),
                        MInst::CvtIntToFloat {
                            to: FloatSize::F64,
                            src1: xmm(if avx { d ^ 1 } else { d }),
                            src2: dq_reg(size, r),
                            dst: wx(d),
                            avx,
                        },
                    );
                }
            }
            for s in XMMS {
                check(
                    &format!("{v}ucomiss {}, {}", xn(d), xn(s)),
                    MInst::Ucomiss {
                        lhs: xmm(d),
                        rhs: XmmMem32::Reg(xmm(s)),
                        avx,
                    },
                );
                check(
                    &format!("{v}ucomisd {}, {}", xn(d), xn(s)),
                    MInst::Ucomisd {
                        lhs: xmm(d),
                        rhs: XmmMem64::Reg(xmm(s)),
                        avx,
                    },
                );
            }
        }
    }
}

#[test]
fn fma() {
    let forms = [
        (FmaForm::F132, "132"),
        (FmaForm::F213, "213"),
        (FmaForm::F231, "231"),
    ];
    for (form, n) in forms {
        for (d, s2) in XPAIRS {
            for (text, a, r) in xmm_sources(4) {
                check_w(
                    &format!("vfmadd{n}ss {}, {}, {text}", xn(d), xn(s2)),
                    MInst::Fma32 {
                        form,
                        src1: xmm(d),
                        src2: xmm(s2),
                        src3: xm32_of(a, r),
                        dst: wx(d),
                    },
                    a.map(|_| 4),
                );
            }
            for (text, a, r) in xmm_sources(8) {
                check_w(
                    &format!("vfmadd{n}sd {}, {}, {text}", xn(d), xn(s2)),
                    MInst::Fma64 {
                        form,
                        src1: xmm(d),
                        src2: xmm(s2),
                        src3: xm64_of(a, r),
                        dst: wx(d),
                    },
                    a.map(|_| 8),
                );
            }
        }
    }
}

/// Decodes every instruction of the code, targets as absolute offsets.
fn listing(code: &[u8]) -> Vec<String> {
    let mut f = formatter();
    f.options_mut().set_rip_relative_addresses(false);
    let mut d = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut out = Vec::new();
    while d.can_decode() {
        let i = d.decode();
        assert_ne!(i.code(), Code::INVALID);
        let mut s = String::new();
        f.format(&i, &mut s);
        out.push(format!("{:x}: {s}", i.ip()));
    }
    out
}

#[test]
fn branches_through_the_buffer() {
    for (i, cc) in CC::ALL.into_iter().enumerate() {
        let name = CC_NAMES[i];
        for gap in [3usize, 300] {
            let mut buf = CodeBuffer::new();
            let (top, end) = (buf.new_label(), buf.new_label());
            buf.bind_label(top);
            MInst::Jcc { cc, target: end }.emit(&mut buf, None);
            buf.put_bytes(&vec![0x90; gap]);
            MInst::Jmp { target: top }.emit(&mut buf, None);
            buf.bind_label(end);
            MInst::Ret.emit(&mut buf, None);
            let done = buf.finish().unwrap();
            let (jcc_len, jmp_len) = if gap < 100 { (2, 2) } else { (6, 5) };
            let jmp_at = jcc_len + gap;
            let end_at = jmp_at + jmp_len;
            let list = listing(&done.data);
            assert_eq!(list[0], format!("0: j{name} {end_at:#x}"));
            assert_eq!(list[gap + 1], format!("{jmp_at:x}: jmp 0x0"));
            assert_eq!(list[gap + 2], format!("{end_at:x}: ret"));
        }
    }
}

#[test]
fn constants_from_the_pool() {
    // An f64 sign mask as a 16-byte constant for `andnpd`, an f32 one for `movss`.
    let mut buf = CodeBuffer::new();
    let mask = buf.constant(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]);
    let one = buf.constant(&1.0f32.to_bits().to_le_bytes());
    MInst::MovssLoad {
        src: Mem32::new(Amode::rip_relative(one)),
        dst: wx(1),
        avx: false,
    }
    .emit(&mut buf, None);
    MInst::XmmRmR128 {
        op: SseOp128::Andnpd,
        src1: xmm(0),
        src2: XmmMem128::Mem(Mem128::new(Amode::rip_relative(mask))),
        dst: wx(0),
        avx: false,
    }
    .emit(&mut buf, None);
    MInst::Ret.emit(&mut buf, None);
    let done = buf.finish().unwrap();
    let code = &done.data[..done.code_len as usize];
    assert_eq!(
        listing(code),
        [
            "0: movss xmm1, dword ptr [0x30]",
            "8: andnpd xmm0, xmmword ptr [0x20]",
            "10: ret"
        ]
    );
    // The code is 0x11 bytes; the 16-byte constant goes to the next multiple of 16.
    assert_eq!(done.code_len, 0x11);
    assert_eq!(&done.data[0x30..0x34], &1.0f32.to_bits().to_le_bytes());
    assert_eq!(done.data[0x27], 0x80);
    assert_eq!(done.data.len(), 0x34);
}

#[test]
fn trap_if_jump_table_and_nops() {
    for (i, cc) in CC::ALL.into_iter().enumerate() {
        let mut buf = CodeBuffer::new();
        MInst::Ret.emit(&mut buf, None);
        MInst::TrapIf {
            cc,
            code: TrapCode::IntegerOverflow,
        }
        .emit(&mut buf, Some(TrapCode::HeapOutOfBounds));
        MInst::Ret.emit(&mut buf, None);
        let done = buf.finish().unwrap();
        // The inverted condition skips the ud2.
        let inv = CC_NAMES[i ^ 1];
        assert_eq!(
            listing(&done.data),
            ["0: ret", &format!("1: j{inv} 0x5"), "3: ud2", "5: ret"]
        );
        assert_eq!(done.traps.len(), 1);
        assert_eq!(
            (done.traps[0].offset, done.traps[0].code),
            (3, TrapCode::IntegerOverflow)
        );
    }

    let mut buf = CodeBuffer::new();
    let targets: Vec<Label> = (0..3).map(|_| buf.new_label()).collect();
    MInst::JmpTableSeq {
        idx: gpr(7),
        tmp1: wg(10),
        tmp2: wg(11),
        targets: targets.clone().into_boxed_slice(),
    }
    .emit(&mut buf, None);
    let table_at = buf.cur_offset() - 12;
    for (k, t) in targets.iter().enumerate() {
        buf.bind_label(*t);
        MInst::Nop { len: k as u8 + 1 }.emit(&mut buf, None);
    }
    let done = buf.finish().unwrap();
    let list = listing(&done.data[..table_at as usize]);
    assert_eq!(
        list,
        [
            format!("0: lea r10, [{table_at:#x}]"),
            "7: movsxd r11, dword ptr [r10+rdi*4]".to_string(),
            "b: add r10, r11".to_string(),
            "e: jmp r10".to_string(),
        ]
    );
    assert_eq!(table_at, 0x11);
    let entry = |k: usize| {
        let at = table_at as usize + 4 * k;
        i32::from_le_bytes(done.data[at..at + 4].try_into().unwrap())
    };
    // Targets at table+12, +13, +15 (after 1- and 2-byte nops).
    assert_eq!((entry(0), entry(1), entry(2)), (12, 13, 15));

    for len in [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 30] {
        let mut buf = CodeBuffer::new();
        MInst::Nop { len }.emit(&mut buf, None);
        let done = buf.finish().unwrap();
        assert_eq!(done.data.len(), len as usize);
        let mut d = Decoder::with_ip(64, &done.data, 0, DecoderOptions::NONE);
        while d.can_decode() {
            let i = d.decode();
            assert_eq!(
                i.mnemonic(),
                iced_x86::Mnemonic::Nop,
                "{len}: {:02x?}",
                done.data
            );
        }
    }
}

#[test]
fn xmm_conditional_move() {
    for (i, cc) in CC::ALL.into_iter().enumerate() {
        for (d, s) in XPAIRS {
            let mut buf = CodeBuffer::new();
            MInst::XmmCmove {
                cc,
                consequent: xmm(s),
                alternative: xmm(d),
                dst: wx(d),
            }
            .emit(&mut buf, None);
            MInst::Ret.emit(&mut buf, None);
            let done = buf.finish().unwrap();
            let mov_len = if d >= 8 || s >= 8 { 4 } else { 3 };
            let ret_at = 2 + mov_len;
            assert_eq!(
                listing(&done.data),
                [
                    format!("0: j{} {ret_at:#x}", CC_NAMES[i ^ 1]),
                    format!("2: movaps {}, {}", xn(d), xn(s)),
                    format!("{ret_at:x}: ret"),
                ]
            );
        }
    }
}

#[test]
fn offsets_of_addresses() {
    // The two halves of a 16-byte constant, loaded into two registers.
    let mut buf = CodeBuffer::new();
    let c = buf.constant(&0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128.to_le_bytes());
    let lo = Amode::rip_relative(c);
    let hi = lo.offset(8).unwrap();
    for (a, d) in [(lo, 0), (hi, 2)] {
        MInst::MovzxRmR {
            src: GprMem64::Mem(Mem64::new(a)).into(),
            dst: wg(d),
        }
        .emit(&mut buf, None);
    }
    MInst::Ret.emit(&mut buf, None);
    assert_eq!(
        MInst::MovzxRmR {
            src: GprMem64::Mem(Mem64::new(hi)).into(),
            dst: wg(2),
        }
        .to_string(),
        "mov rdx, qword ptr [rip+label0+0x8]"
    );
    let done = buf.finish().unwrap();
    assert_eq!(
        listing(&done.data[..done.code_len as usize]),
        [
            "0: mov rax, qword ptr [0x10]",
            "7: mov rdx, qword ptr [0x18]",
            "e: ret"
        ]
    );
    assert_eq!(
        Amode::imm_reg(-8, gpr(5)).offset(8),
        Some(Amode::imm_reg(0, gpr(5)))
    );
    assert_eq!(
        Amode::imm_reg_reg_shift(4, gpr(0), gpr(1), Scale::Two).offset(-4),
        Some(Amode::imm_reg_reg_shift(0, gpr(0), gpr(1), Scale::Two))
    );
    assert_eq!(Amode::imm_reg(i32::MAX, gpr(0)).offset(1), None);
}

#[test]
fn brif_shape_is_inverted() {
    // Lowering `brif` emits `jcc taken; jmp not_taken`; when `taken` follows, the buffer
    // turns it into one `j!cc not_taken`.
    for (i, cc) in CC::ALL.into_iter().enumerate() {
        let mut buf = CodeBuffer::new();
        let (taken, not_taken) = (buf.new_label(), buf.new_label());
        MInst::Jcc { cc, target: taken }.emit(&mut buf, None);
        MInst::Jmp { target: not_taken }.emit(&mut buf, None);
        buf.bind_label(taken);
        MInst::Ud2 {
            code: TrapCode::User(1),
        }
        .emit(&mut buf, None);
        buf.bind_label(not_taken);
        MInst::Ret.emit(&mut buf, None);
        let done = buf.finish().unwrap();
        assert_eq!(
            listing(&done.data),
            [
                format!("0: j{} 0x4", CC_NAMES[i ^ 1]),
                "2: ud2".to_string(),
                "4: ret".to_string()
            ]
        );
        assert_eq!(done.traps[0].offset, 2);
    }
}
