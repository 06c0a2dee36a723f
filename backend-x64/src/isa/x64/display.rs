//! Intel-syntax text of [`MInst`]s, for listings (`test compile`) and debugging.
//!
//! Physical registers print by name (`rax`, `r12d`, `sil`, `xmm15`), virtual ones as `%v7`;
//! memory operands with their width (`qword ptr [rdi+rcx*8+0x10]`), immediates in hex as they
//! are encoded (sign-extended to the operand size), labels as `label3`. For single machine
//! instructions with physical registers the text is what a disassembler shows (the encoder
//! tests check that); the pseudo-instructions (`TrapIf`, `JmpTableSeq`, `XmmCmove`) print a
//! one-line summary.

use super::args::*;
use super::inst::*;
use super::regs::{gpr_name, xmm_name};
use crate::machinst::{Label, RelocTarget, Writable};
use core::fmt::{self, Display, Formatter, Write};

fn reg_text(enc: Option<u8>, virt: Option<usize>, name: impl Fn(u8) -> &'static str) -> String {
    match (enc, virt) {
        (Some(e), _) => name(e).to_string(),
        (None, Some(n)) => format!("%v{n}"),
        (None, None) => unreachable!(),
    }
}

fn gn(r: Gpr, bytes: u32) -> String {
    reg_text(r.enc(), r.to_reg().virt_index(), |e| gpr_name(e, bytes))
}

fn gwn(r: Writable<Gpr>, bytes: u32) -> String {
    gn(r.to_reg(), bytes)
}

fn xn(r: Xmm) -> String {
    reg_text(r.enc(), r.to_reg().virt_index(), xmm_name)
}

fn xwn(r: Writable<Xmm>) -> String {
    xn(r.to_reg())
}

fn hex(v: u64) -> String {
    format!("{v:#x}")
}

/// An immediate sign-extended to `bytes` and shown as the unsigned value of that width.
fn imm(bytes: u32, v: i64) -> String {
    let mask = if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (bytes * 8)) - 1
    };
    hex(v as u64 & mask)
}

fn label(l: Label) -> String {
    format!("label{}", l.index())
}

/// `[base+index*scale+disp]`.
pub fn amode_text(a: &Amode) -> String {
    let disp = |d: i32| match d {
        0 => String::new(),
        d if d < 0 => format!("-{}", hex((d as i64).unsigned_abs())),
        d => format!("+{}", hex(d as u64)),
    };
    match *a {
        Amode::ImmReg { base, disp: d } => format!("[{}{}]", gn(base, 8), disp(d)),
        Amode::ImmRegRegShift {
            base,
            index,
            scale,
            disp: d,
        } => {
            let s = if scale == Scale::One {
                String::new()
            } else {
                format!("*{}", scale.factor())
            };
            format!("[{}+{}{s}{}]", gn(base, 8), gn(index, 8), disp(d))
        }
        Amode::RipRelative { target, offset } => {
            format!("[rip+{}{}]", label(target), disp(offset))
        }
    }
}

fn ptr(bytes: u32, a: &Amode) -> String {
    let size = match bytes {
        1 => "byte",
        2 => "word",
        4 => "dword",
        8 => "qword",
        _ => "xmmword",
    };
    format!("{size} ptr {}", amode_text(a))
}

fn rm_text(rm: RegMemRef<'_>, bytes: u32) -> String {
    match rm {
        RegMemRef::Gpr(r) => gn(r, bytes),
        RegMemRef::Xmm(r) => xn(r),
        RegMemRef::Mem(a) => ptr(bytes, a),
    }
}

fn any(o: &AnyGprMem) -> String {
    rm_text(o.reg_mem(), o.size().bytes())
}

fn wide(o: &WideGprMem) -> String {
    rm_text(o.reg_mem(), o.size().bytes())
}

fn dq(o: &GprMem32Or64) -> String {
    rm_text(o.reg_mem(), o.size().bytes())
}

fn gm64(o: &GprMem64) -> String {
    match o {
        GprMem64::Reg(r) => gn(*r, 8),
        GprMem64::Mem(m) => ptr(8, m.amode()),
    }
}

fn x32(o: &XmmMem32) -> String {
    match o {
        XmmMem32::Reg(r) => xn(*r),
        XmmMem32::Mem(m) => ptr(4, m.amode()),
    }
}

fn x64(o: &XmmMem64) -> String {
    match o {
        XmmMem64::Reg(r) => xn(*r),
        XmmMem64::Mem(m) => ptr(8, m.amode()),
    }
}

fn x128(o: &XmmMem128) -> String {
    match o {
        XmmMem128::Reg(r) => xn(*r),
        XmmMem128::Mem(m) => ptr(16, m.amode()),
    }
}

fn any_mem(m: &AnyMem) -> String {
    ptr(m.size().bytes(), m.amode())
}

fn reloc(t: &RelocTarget) -> String {
    match t {
        RelocTarget::Func(f) => f.to_string(),
        RelocTarget::Name(n) => n.to_string(),
    }
}

/// Bytes of a register-only operation of `size` (8-bit and 16-bit act like 32 where
/// documented so by the instruction).
fn at_least_32(size: OperandSize) -> u32 {
    size.bytes().max(4)
}

/// SSE text: `op dst, src` (legacy) or `vop dst, src1, src` (VEX).
fn sse(
    f: &mut Formatter<'_>,
    avx: bool,
    name: &str,
    dst: String,
    src1: String,
    rest: String,
) -> fmt::Result {
    if avx {
        write!(f, "v{name} {dst}, {src1}, {rest}")
    } else {
        write!(f, "{name} {dst}, {rest}")
    }
}

fn lower(name: impl fmt::Debug) -> String {
    format!("{name:?}").to_lowercase()
}

impl Display for MInst {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use OperandSize::*;
        match self {
            MInst::MovRR { size, src, dst } => {
                let n = at_least_32(*size);
                write!(f, "mov {}, {}", gwn(*dst, n), gn(*src, n))
            }
            MInst::MovImm { size, imm, dst } => {
                if *size != S64 || *imm <= u32::MAX as u64 {
                    write!(f, "mov {}, {}", gwn(*dst, 4), hex(*imm & 0xffff_ffff))
                } else {
                    write!(f, "mov {}, {}", gwn(*dst, 8), hex(*imm))
                }
            }
            MInst::MovzxRmR { src, dst } => match src.size() {
                S8 | S16 => write!(f, "movzx {}, {}", gwn(*dst, 4), any(src)),
                s => write!(f, "mov {}, {}", gwn(*dst, s.bytes()), any(src)),
            },
            MInst::MovsxRmR { src, dst_size, dst } => {
                let n = if *dst_size == S64 { 8 } else { 4 };
                match src.size() {
                    S8 | S16 => write!(f, "movsx {}, {}", gwn(*dst, n), any(src)),
                    S32 if n == 8 => write!(f, "movsxd {}, {}", gwn(*dst, 8), any(src)),
                    s => write!(f, "mov {}, {}", gwn(*dst, s.bytes()), any(src)),
                }
            }
            MInst::MovMR { src, dst } => {
                write!(f, "mov {}, {}", any_mem(dst), gn(*src, dst.size().bytes()))
            }
            MInst::MovMI { dst, imm: i } => {
                let n = dst.size().bytes();
                write!(f, "mov {}, {}", any_mem(dst), imm(n, *i as i64))
            }
            MInst::Lea { src, dst } => write!(f, "lea {}, {}", gwn(*dst, 8), amode_text(src)),
            MInst::AluRmR { op, src2, dst, .. } => {
                let n = src2.size().bytes();
                write!(f, "{} {}, {}", op.name(), gwn(*dst, n), any(src2))
            }
            MInst::AluRI {
                op,
                size,
                imm: i,
                dst,
                ..
            } => {
                let n = size.bytes();
                write!(f, "{} {}, {}", op.name(), gwn(*dst, n), imm(n, *i as i64))
            }
            MInst::AluMR { op, src, dst } => write!(
                f,
                "{} {}, {}",
                op.name(),
                any_mem(dst),
                gn(*src, dst.size().bytes())
            ),
            MInst::AluMI { op, imm: i, dst } => write!(
                f,
                "{} {}, {}",
                op.name(),
                any_mem(dst),
                imm(dst.size().bytes(), *i as i64)
            ),
            MInst::CmpRmR { lhs, rhs } => {
                write!(f, "cmp {}, {}", gn(*lhs, rhs.size().bytes()), any(rhs))
            }
            MInst::CmpRmI { lhs, imm: i } => {
                write!(
                    f,
                    "cmp {}, {}",
                    any(lhs),
                    imm(lhs.size().bytes(), *i as i64)
                )
            }
            MInst::TestRmR { lhs, rhs } => {
                write!(f, "test {}, {}", any(lhs), gn(*rhs, lhs.size().bytes()))
            }
            MInst::TestRmI { lhs, imm: i } => {
                write!(
                    f,
                    "test {}, {}",
                    any(lhs),
                    imm(lhs.size().bytes(), *i as i64)
                )
            }
            MInst::ImulRmR { src2, dst, .. } => {
                write!(f, "imul {}, {}", gwn(*dst, src2.size().bytes()), wide(src2))
            }
            MInst::ImulRmRI { src, imm: i, dst } => {
                let n = src.size().bytes();
                write!(
                    f,
                    "imul {}, {}, {}",
                    gwn(*dst, n),
                    wide(src),
                    imm(n, *i as i64)
                )
            }
            MInst::Mul { signed, src2, .. } => {
                write!(f, "{} {}", if *signed { "imul" } else { "mul" }, any(src2))
            }
            MInst::Div {
                signed, divisor, ..
            } => write!(
                f,
                "{} {}",
                if *signed { "idiv" } else { "div" },
                any(divisor)
            ),
            MInst::SignExtendData { size, .. } => f.write_str(match size {
                S8 => "cbw",
                S16 => "cwd",
                S32 => "cdq",
                S64 => "cqo",
            }),
            MInst::Unary { op, size, dst, .. } => {
                write!(f, "{} {}", lower(op), gwn(*dst, size.bytes()))
            }
            MInst::Shift {
                op,
                size,
                amount,
                dst,
                ..
            } => {
                let amount = match amount {
                    ShiftAmount::Cl(_) => "cl".to_string(),
                    ShiftAmount::Imm(i) => hex(*i as u64),
                };
                write!(f, "{} {}, {amount}", op.name(), gwn(*dst, size.bytes()))
            }
            MInst::DoubleShift {
                op,
                size,
                src2,
                amount,
                dst,
                ..
            } => {
                let n = if *size == S8 { 4 } else { size.bytes() };
                let amount = match amount {
                    ShiftAmount::Cl(_) => "cl".to_string(),
                    ShiftAmount::Imm(i) => hex(*i as u64),
                };
                write!(
                    f,
                    "{} {}, {}, {amount}",
                    lower(op),
                    gwn(*dst, n),
                    gn(*src2, n)
                )
            }
            MInst::BitRmR { op, src, dst } => {
                let n = src.size().bytes();
                write!(f, "{} {}, {}", lower(op), gwn(*dst, n), wide(src))
            }
            MInst::Bswap { size, dst, .. } => {
                write!(f, "bswap {}", gwn(*dst, at_least_32(*size)))
            }
            MInst::Andn { src1, src2, dst } => {
                let n = src2.size().bytes();
                write!(f, "andn {}, {}, {}", gwn(*dst, n), gn(*src1, n), dq(src2))
            }
            MInst::ShiftX {
                op,
                src,
                amount,
                dst,
            } => {
                let n = src.size().bytes();
                write!(
                    f,
                    "{} {}, {}, {}",
                    lower(op),
                    gwn(*dst, n),
                    dq(src),
                    gn(*amount, n)
                )
            }
            MInst::Setcc { cc, dst } => write!(f, "set{cc} {}", gwn(*dst, 1)),
            MInst::Cmove {
                cc,
                consequent,
                dst,
                ..
            } => write!(
                f,
                "cmov{cc} {}, {}",
                gwn(*dst, consequent.size().bytes()),
                wide(consequent)
            ),
            MInst::XmmCmove {
                cc,
                consequent,
                dst,
                ..
            } => write!(f, "xmm_cmov{cc} {}, {}", xwn(*dst), xn(*consequent)),
            MInst::Jmp { target } => write!(f, "jmp {}", label(*target)),
            MInst::JmpUnknown { target } => write!(f, "jmp {}", gm64(target)),
            MInst::Jcc { cc, target } => write!(f, "j{cc} {}", label(*target)),
            MInst::CallKnown { target } => write!(f, "call {}", reloc(target)),
            MInst::CallUnknown { target } => write!(f, "call {}", gm64(target)),
            MInst::Ret | MInst::Rets { .. } => f.write_str("ret"),
            MInst::Args { args } => {
                f.write_str("args")?;
                for (r, p) in args.iter() {
                    write!(f, " {r:?}={p:?}")?;
                }
                Ok(())
            }
            MInst::Call { info } => match &info.target {
                CallTarget::Known(t) => write!(f, "call {t:?}"),
                CallTarget::Reg(r) => write!(f, "call {}", gn(*r, 8)),
            },
            MInst::JmpIf {
                cc,
                taken,
                not_taken,
            } => write!(f, "j{cc} {}; jmp {}", label(*taken), label(*not_taken)),
            MInst::JmpIfEither {
                cc1,
                cc2,
                taken,
                not_taken,
            } => write!(
                f,
                "j{cc1} {}; j{cc2} {}; jmp {}",
                label(*taken),
                label(*taken),
                label(*not_taken)
            ),
            MInst::BrTable {
                idx,
                default,
                targets,
                ..
            } => {
                write!(f, "br_table {}, {}, [", gn(*idx, 4), label(*default))?;
                for (i, t) in targets.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&label(*t))?;
                }
                f.write_str("]")
            }
            MInst::Push64 { src } => write!(f, "push {}", gn(*src, 8)),
            MInst::Pop64 { dst } => write!(f, "pop {}", gwn(*dst, 8)),
            MInst::Ud2 { code } => write!(f, "ud2 ; trap: {code}"),
            MInst::TrapIf { cc, code } => write!(f, "trap_if {cc} ; trap: {code}"),
            MInst::JmpTableSeq {
                idx,
                tmp1,
                tmp2,
                targets,
            } => {
                write!(
                    f,
                    "jmp_table {}, tmp {}, {} [",
                    gn(*idx, 8),
                    gwn(*tmp1, 8),
                    gwn(*tmp2, 8)
                )?;
                for (i, t) in targets.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&label(*t))?;
                }
                f.write_char(']')
            }
            MInst::Nop { len } => write!(f, "nop {len}"),
            MInst::LoadFuncAddr { target, dst } => {
                write!(f, "mov {}, {}", gwn(*dst, 8), reloc(target))
            }
            MInst::XmmMov128 { op, src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}{} {}, {}", lower(op), xwn(*dst), x128(src))
            }
            MInst::XmmStore128 { op, src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}{} {}, {}", lower(op), ptr(16, dst.amode()), xn(*src))
            }
            MInst::MovssLoad { src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}movss {}, {}", xwn(*dst), ptr(4, src.amode()))
            }
            MInst::MovsdLoad { src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}movsd {}, {}", xwn(*dst), ptr(8, src.amode()))
            }
            MInst::MovssStore { src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}movss {}, {}", ptr(4, dst.amode()), xn(*src))
            }
            MInst::MovsdStore { src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}movsd {}, {}", ptr(8, dst.amode()), xn(*src))
            }
            MInst::MovToXmm { src, dst, avx } => {
                let v = if *avx { "v" } else { "" };
                let m = if src.size() == S64 { "movq" } else { "movd" };
                write!(f, "{v}{m} {}, {}", xwn(*dst), dq(src))
            }
            MInst::MovFromXmm {
                size,
                src,
                dst,
                avx,
            } => {
                let v = if *avx { "v" } else { "" };
                let (m, n) = if *size == S64 {
                    ("movq", 8)
                } else {
                    ("movd", 4)
                };
                write!(f, "{v}{m} {}, {}", gwn(*dst, n), xn(*src))
            }
            MInst::XmmRmR32 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => sse(f, *avx, &lower(op), xwn(*dst), xn(*src1), x32(src2)),
            MInst::XmmRmR64 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => sse(f, *avx, &lower(op), xwn(*dst), xn(*src1), x64(src2)),
            MInst::XmmRmR128 {
                op,
                src1,
                src2,
                dst,
                avx,
            } => sse(f, *avx, &lower(op), xwn(*dst), xn(*src1), x128(src2)),
            MInst::XmmRmRImm32 {
                op,
                src1,
                src2,
                imm: i,
                dst,
                avx,
            } => sse(
                f,
                *avx,
                &format!("{}ss", lower(op)),
                xwn(*dst),
                xn(*src1),
                format!("{}, {}", x32(src2), hex(*i as u64)),
            ),
            MInst::XmmRmRImm64 {
                op,
                src1,
                src2,
                imm: i,
                dst,
                avx,
            } => sse(
                f,
                *avx,
                &format!("{}sd", lower(op)),
                xwn(*dst),
                xn(*src1),
                format!("{}, {}", x64(src2), hex(*i as u64)),
            ),
            MInst::Ucomiss { lhs, rhs, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}ucomiss {}, {}", xn(*lhs), x32(rhs))
            }
            MInst::Ucomisd { lhs, rhs, avx } => {
                let v = if *avx { "v" } else { "" };
                write!(f, "{v}ucomisd {}, {}", xn(*lhs), x64(rhs))
            }
            MInst::CvtIntToFloat {
                to,
                src1,
                src2,
                dst,
                avx,
            } => {
                let name = if *to == FloatSize::F32 {
                    "cvtsi2ss"
                } else {
                    "cvtsi2sd"
                };
                sse(f, *avx, name, xwn(*dst), xn(*src1), dq(src2))
            }
            MInst::CvttF32ToInt {
                size,
                src,
                dst,
                avx,
            } => {
                let v = if *avx { "v" } else { "" };
                let n = if *size == S64 { 8 } else { 4 };
                write!(f, "{v}cvttss2si {}, {}", gwn(*dst, n), x32(src))
            }
            MInst::CvttF64ToInt {
                size,
                src,
                dst,
                avx,
            } => {
                let v = if *avx { "v" } else { "" };
                let n = if *size == S64 { 8 } else { 4 };
                write!(f, "{v}cvttsd2si {}, {}", gwn(*dst, n), x64(src))
            }
            MInst::CvtUint64ToFloatSeq {
                to,
                src,
                dst,
                tmp1,
                tmp2,
            } => write!(
                f,
                "cvt_u64_to_{} {}, {}, tmp {}, {}",
                lower(to),
                xwn(*dst),
                gn(*src, 8),
                gwn(*tmp1, 8),
                gwn(*tmp2, 8)
            ),
            MInst::CvtFloatToIntSeq {
                from,
                to,
                signed,
                sat,
                src,
                dst,
                tmp_gpr,
                tmp_xmm,
            } => {
                let n = to.bytes();
                write!(
                    f,
                    "cvt_{}_to_{}{}{} {}, {}, tmp {}, {}",
                    lower(from),
                    if *signed { "i" } else { "u" },
                    n * 8,
                    if *sat { "_sat" } else { "" },
                    gwn(*dst, n.max(4)),
                    xn(*src),
                    gwn(*tmp_gpr, 8),
                    xwn(*tmp_xmm)
                )
            }
            MInst::XmmMinMaxSeq {
                size,
                is_min,
                lhs,
                rhs,
                dst,
            } => write!(
                f,
                "{}_{} {}, {}, {}",
                if *is_min { "fmin" } else { "fmax" },
                lower(size),
                xwn(*dst),
                xn(*lhs),
                xn(*rhs)
            ),
            MInst::XmmRoundSeq {
                size,
                mode,
                src,
                dst,
                tmp,
            } => write!(
                f,
                "{}_{} {}, {}, tmp {}",
                lower(mode),
                lower(size),
                xwn(*dst),
                xn(*src),
                xwn(*tmp)
            ),
            MInst::Fma32 {
                form,
                src2,
                src3,
                dst,
                ..
            } => write!(
                f,
                "vfmadd{}ss {}, {}, {}",
                &lower(form)[1..],
                xwn(*dst),
                xn(*src2),
                x32(src3)
            ),
            MInst::Fma64 {
                form,
                src2,
                src3,
                dst,
                ..
            } => write!(
                f,
                "vfmadd{}sd {}, {}, {}",
                &lower(form)[1..],
                xwn(*dst),
                xn(*src2),
                x64(src3)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::x64::regs::{gpr, xmm, RAX};
    use crate::machinst::{CodeBuffer, Reg, RegClass};

    #[test]
    fn virtual_registers_and_labels() {
        let v = Gpr::new(Reg::virt(7, RegClass::Int)).unwrap();
        let x = Xmm::new(Reg::virt(2, RegClass::Float)).unwrap();
        let mut b = CodeBuffer::new();
        let l = b.new_label();
        let i = MInst::AluRmR {
            op: AluOp::Sub,
            src1: v,
            src2: GprMem32::Mem(Mem32::new(Amode::imm_reg_reg_shift(
                -4,
                RAX,
                v,
                Scale::Eight,
            )))
            .into(),
            dst: Writable::from_reg(v),
        };
        assert_eq!(i.to_string(), "sub %v7, dword ptr [rax+%v7*8-0x4]");
        let i = MInst::XmmRmR64 {
            op: SseOp64::Addsd,
            src1: x,
            src2: XmmMem64::Mem(Mem64::new(Amode::rip_relative(l))),
            dst: Writable::from_reg(xmm(3)),
            avx: true,
        };
        assert_eq!(i.to_string(), "vaddsd xmm3, %v2, qword ptr [rip+label0]");
        assert_eq!(
            MInst::Jcc {
                cc: CC::NBE,
                target: l
            }
            .to_string(),
            "ja label0"
        );
        assert_eq!(
            MInst::JmpTableSeq {
                idx: gpr(0),
                tmp1: Writable::from_reg(gpr(1)),
                tmp2: Writable::from_reg(gpr(2)),
                targets: vec![l, l].into_boxed_slice(),
            }
            .to_string(),
            "jmp_table rax, tmp rcx, rdx [label0, label0]"
        );
        assert_eq!(
            MInst::CallKnown {
                target: RelocTarget::Func(kiln_ir::FuncRef::from_u32(2))
            }
            .to_string(),
            "call fn2"
        );
        let w = |e| Writable::from_reg(gpr(e));
        assert_eq!(
            MInst::CvtFloatToIntSeq {
                from: FloatSize::F64,
                to: OperandSize::S32,
                signed: false,
                sat: true,
                src: xmm(2),
                dst: w(0),
                tmp_gpr: w(1),
                tmp_xmm: Writable::from_reg(xmm(3)),
            }
            .to_string(),
            "cvt_f64_to_u32_sat eax, xmm2, tmp rcx, xmm3"
        );
        assert_eq!(
            MInst::XmmMinMaxSeq {
                size: FloatSize::F32,
                is_min: false,
                lhs: xmm(0),
                rhs: xmm(9),
                dst: Writable::from_reg(xmm(0)),
            }
            .to_string(),
            "fmax_f32 xmm0, xmm0, xmm9"
        );
    }
}
