//! The x86-64 registers: the 16 general-purpose and 16 SSE registers, their hardware
//! encodings, names, and the System V ABI's register sets.

use super::args::{Gpr, Xmm};
use crate::machinst::{PReg, Reg, RegClass};

/// Hardware encodings of the general-purpose registers (the number in ModRM/REX fields).
pub mod enc {
    /// `rax`
    pub const RAX: u8 = 0;
    /// `rcx`
    pub const RCX: u8 = 1;
    /// `rdx`
    pub const RDX: u8 = 2;
    /// `rbx`
    pub const RBX: u8 = 3;
    /// `rsp`
    pub const RSP: u8 = 4;
    /// `rbp`
    pub const RBP: u8 = 5;
    /// `rsi`
    pub const RSI: u8 = 6;
    /// `rdi`
    pub const RDI: u8 = 7;
    /// `r8`
    pub const R8: u8 = 8;
    /// `r9`
    pub const R9: u8 = 9;
    /// `r10`
    pub const R10: u8 = 10;
    /// `r11`
    pub const R11: u8 = 11;
    /// `r12`
    pub const R12: u8 = 12;
    /// `r13`
    pub const R13: u8 = 13;
    /// `r14`
    pub const R14: u8 = 14;
    /// `r15`
    pub const R15: u8 = 15;
}

/// The general-purpose register with hardware encoding `enc` (0..=15).
pub const fn gpr(enc: u8) -> Gpr {
    Gpr::unwrap_new(Reg::from_preg(PReg::new(enc as usize & 15, RegClass::Int)))
}

/// The SSE register `xmm{enc}` (0..=15).
pub const fn xmm(enc: u8) -> Xmm {
    Xmm::unwrap_new(Reg::from_preg(PReg::new(
        enc as usize & 15,
        RegClass::Float,
    )))
}

/// `rax`
pub const RAX: Gpr = gpr(enc::RAX);
/// `rcx`
pub const RCX: Gpr = gpr(enc::RCX);
/// `rdx`
pub const RDX: Gpr = gpr(enc::RDX);
/// `rbx`
pub const RBX: Gpr = gpr(enc::RBX);
/// `rsp`
pub const RSP: Gpr = gpr(enc::RSP);
/// `rbp`
pub const RBP: Gpr = gpr(enc::RBP);
/// `rsi`
pub const RSI: Gpr = gpr(enc::RSI);
/// `rdi`
pub const RDI: Gpr = gpr(enc::RDI);
/// `r8`
pub const R8: Gpr = gpr(enc::R8);
/// `r9`
pub const R9: Gpr = gpr(enc::R9);
/// `r10`
pub const R10: Gpr = gpr(enc::R10);
/// `r11`
pub const R11: Gpr = gpr(enc::R11);
/// `r12`
pub const R12: Gpr = gpr(enc::R12);
/// `r13`
pub const R13: Gpr = gpr(enc::R13);
/// `r14`
pub const R14: Gpr = gpr(enc::R14);
/// `r15`
pub const R15: Gpr = gpr(enc::R15);

/// System V integer argument registers, in order.
pub const SYSV_INT_ARGS: [Gpr; 6] = [RDI, RSI, RDX, RCX, R8, R9];
/// System V float argument registers, in order (`xmm0`..`xmm7`).
pub const SYSV_FLOAT_ARGS: [Xmm; 8] = [
    xmm(0),
    xmm(1),
    xmm(2),
    xmm(3),
    xmm(4),
    xmm(5),
    xmm(6),
    xmm(7),
];
/// System V integer return registers, in order.
pub const SYSV_INT_RETS: [Gpr; 2] = [RAX, RDX];
/// System V float return registers, in order.
pub const SYSV_FLOAT_RETS: [Xmm; 2] = [xmm(0), xmm(1)];
/// System V callee-saved general-purpose registers (`rsp` is managed by the frame itself).
pub const SYSV_CALLEE_SAVED: [Gpr; 6] = [RBX, RBP, R12, R13, R14, R15];
/// System V caller-saved (clobbered by calls) general-purpose registers.
pub const SYSV_CALLER_SAVED_GPRS: [Gpr; 9] = [RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11];

/// Whether `enc` is a System V callee-saved general-purpose register. No SSE register is
/// callee-saved in System V.
pub const fn is_sysv_callee_saved_gpr(enc: u8) -> bool {
    matches!(
        enc,
        enc::RBX | enc::RBP | enc::R12 | enc::R13 | enc::R14 | enc::R15
    )
}

const GPR64: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];
const GPR32: [&str; 16] = [
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
    "r13d", "r14d", "r15d",
];
const GPR16: [&str; 16] = [
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
    "r14w", "r15w",
];
const GPR8: [&str; 16] = [
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
    "r13b", "r14b", "r15b",
];
const XMM: [&str; 16] = [
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
];

/// The Intel name of general-purpose register `enc` accessed with `bytes` bytes (1, 2, 4, 8).
pub fn gpr_name(enc: u8, bytes: u32) -> &'static str {
    let table = match bytes {
        1 => &GPR8,
        2 => &GPR16,
        4 => &GPR32,
        _ => &GPR64,
    };
    table[enc as usize & 15]
}

/// The name of SSE register `enc`.
pub fn xmm_name(enc: u8) -> &'static str {
    XMM[enc as usize & 15]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_classes() {
        assert_eq!(R13.to_reg().to_preg().unwrap().hw_enc(), 13);
        assert_eq!(xmm(9).to_reg().class(), RegClass::Float);
        assert_eq!(RSP.to_reg().class(), RegClass::Int);
        assert_eq!(gpr_name(12, 1), "r12b");
        assert_eq!(gpr_name(6, 1), "sil");
        assert_eq!(gpr_name(5, 4), "ebp");
        assert_eq!(xmm_name(15), "xmm15");
        assert!(is_sysv_callee_saved_gpr(enc::RBX));
        assert!(!is_sysv_callee_saved_gpr(enc::RDI));
        // Every GPR is either caller- or callee-saved, except rsp.
        for e in 0..16u8 {
            let caller = SYSV_CALLER_SAVED_GPRS.iter().any(|g| g.enc() == Some(e));
            assert_eq!(caller, !is_sysv_callee_saved_gpr(e) && e != enc::RSP, "{e}");
        }
    }
}
