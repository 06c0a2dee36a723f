//! The x86-64 machine instructions, [`MInst`].
//!
//! Variants are grouped by encoding shape (e.g. all `op r, r/m` ALU instructions are one
//! variant with an [`AluOp`]). Integer operand sizes come from the width of the operand's type
//! wherever an operand may be memory ([`AnyGprMem`], [`AnyMem`], ...), so a memory operand's
//! width and the instruction's size cannot disagree. SSE operations are split by the width they
//! read ([`SseOp32`] with [`XmmMem32`], [`SseOp64`] with [`XmmMem64`], [`SseOp128`] with
//! [`XmmMem128`]).
//!
//! Two-address instructions have a `src1` and a `dst`; after register allocation they must be
//! the same register (the allocator is asked to reuse `src1` for `dst`). Instructions with
//! implicit registers (`mul`, `div`, `cqo`, shifts by `cl`) name them as operands too, so the
//! allocator sees them; they must end up in the documented fixed registers.
//! SSE variants with an `avx` flag are emitted in their VEX form when it is set: then `src1`
//! and `dst` may differ (three-operand form).

use super::args::*;
use crate::machinst::{Label, PReg, Reg, RelocTarget};
use kiln_ir::TrapCode;
use regalloc2::PRegSet;

/// Where a call goes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CallTarget {
    /// `call rel32` to a relocated symbol.
    Known(RelocTarget),
    /// `call reg`.
    Reg(Gpr),
}

/// The register constraints of a call: arguments in, results out, and what it clobbers.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CallInfo {
    /// The callee.
    pub target: CallTarget,
    /// Argument values and the registers they are passed in.
    pub uses: Vec<(Reg, PReg)>,
    /// Result values and the registers they come back in.
    pub defs: Vec<(Reg, PReg)>,
    /// Registers the call clobbers (caller-saved ones that are not results).
    pub clobbers: PRegSet,
}

/// The two-operand integer ALU operations (the `/digit` of their `0x80`-group encodings).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AluOp {
    /// `add`
    Add,
    /// `or`
    Or,
    /// `adc` (add with carry)
    Adc,
    /// `sbb` (subtract with borrow)
    Sbb,
    /// `and`
    And,
    /// `sub`
    Sub,
    /// `xor`
    Xor,
}

impl AluOp {
    /// The `/digit` (and, times 8, the base opcode) of the operation.
    pub const fn digit(self) -> u8 {
        match self {
            AluOp::Add => 0,
            AluOp::Or => 1,
            AluOp::Adc => 2,
            AluOp::Sbb => 3,
            AluOp::And => 4,
            AluOp::Sub => 5,
            AluOp::Xor => 6,
        }
    }

    /// The mnemonic.
    pub const fn name(self) -> &'static str {
        ["add", "or", "adc", "sbb", "and", "sub", "xor"][self.digit() as usize]
    }
}

/// One-operand integer operations on a register.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    /// Two's-complement negation.
    Neg,
    /// Bitwise complement.
    Not,
}

/// Shifts and rotates.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ShiftOp {
    /// Rotate left.
    Rol,
    /// Rotate right.
    Ror,
    /// Shift left.
    Shl,
    /// Logical shift right.
    Shr,
    /// Arithmetic shift right.
    Sar,
}

impl ShiftOp {
    /// The `/digit` in the `C0`/`C1`/`D2`/`D3` encodings.
    pub const fn digit(self) -> u8 {
        match self {
            ShiftOp::Rol => 0,
            ShiftOp::Ror => 1,
            ShiftOp::Shl => 4,
            ShiftOp::Shr => 5,
            ShiftOp::Sar => 7,
        }
    }

    /// The mnemonic.
    pub const fn name(self) -> &'static str {
        match self {
            ShiftOp::Rol => "rol",
            ShiftOp::Ror => "ror",
            ShiftOp::Shl => "shl",
            ShiftOp::Shr => "shr",
            ShiftOp::Sar => "sar",
        }
    }
}

/// A shift count: the `cl` register or an immediate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ShiftAmount {
    /// The count in `cl`; the register must be allocated to `rcx`.
    Cl(Gpr),
    /// A constant count (the hardware masks it to 5 or 6 bits).
    Imm(u8),
}

/// Double-width shifts (`shld`/`shrd`), used for 128-bit shifts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DoubleShiftOp {
    /// Shift left, filling from the other register's high bits.
    Shld,
    /// Shift right, filling from the other register's low bits.
    Shrd,
}

/// Bit-counting operations with a register-or-memory source.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BitOp {
    /// Index of the lowest set bit (undefined result for 0; sets ZF).
    Bsf,
    /// Index of the highest set bit (undefined result for 0; sets ZF).
    Bsr,
    /// Trailing zero count (BMI1).
    Tzcnt,
    /// Leading zero count (`lzcnt` feature).
    Lzcnt,
    /// Population count (`popcnt` feature).
    Popcnt,
}

/// BMI2 shifts that leave the flags alone and take the count from any register.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ShiftXOp {
    /// `shlx`
    Shlx,
    /// `shrx`
    Shrx,
    /// `sarx`
    Sarx,
}

/// Whole-register SSE moves (loads and stores of 16 bytes, and register copies).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Mov128Op {
    /// `movaps` (aligned memory).
    Movaps,
    /// `movapd` (aligned memory).
    Movapd,
    /// `movups`
    Movups,
    /// `movupd`
    Movupd,
    /// `movdqa` (aligned memory).
    Movdqa,
    /// `movdqu`
    Movdqu,
}

/// Scalar single-precision operations reading 32 bits of their second operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseOp32 {
    /// `addss`
    Addss,
    /// `subss`
    Subss,
    /// `mulss`
    Mulss,
    /// `divss`
    Divss,
    /// `minss` (returns the second operand if either is NaN or both are zero).
    Minss,
    /// `maxss` (same caveat as `minss`).
    Maxss,
    /// `sqrtss` (of the second operand, upper bits from the first).
    Sqrtss,
    /// `cvtss2sd` (the f32 second operand to f64, upper bits from the first).
    Cvtss2sd,
}

/// Scalar double-precision operations reading 64 bits of their second operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseOp64 {
    /// `addsd`
    Addsd,
    /// `subsd`
    Subsd,
    /// `mulsd`
    Mulsd,
    /// `divsd`
    Divsd,
    /// `minsd`
    Minsd,
    /// `maxsd`
    Maxsd,
    /// `sqrtsd`
    Sqrtsd,
    /// `cvtsd2ss`
    Cvtsd2ss,
}

/// Packed bitwise operations reading all 128 bits of their second operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseOp128 {
    /// `andps`
    Andps,
    /// `andpd`
    Andpd,
    /// `andnps` (`!first & second`)
    Andnps,
    /// `andnpd` (`!first & second`)
    Andnpd,
    /// `orps`
    Orps,
    /// `orpd`
    Orpd,
    /// `xorps`
    Xorps,
    /// `xorpd`
    Xorpd,
    /// `pand`
    Pand,
    /// `pandn`
    Pandn,
    /// `por`
    Por,
    /// `pxor`
    Pxor,
    /// `punpcklqdq` (low quadwords of both operands: `[first.lo, second.lo]`)
    Punpcklqdq,
    /// `punpckhqdq` (high quadwords of both operands: `[first.hi, second.hi]`)
    Punpckhqdq,
}

/// Scalar operations with an 8-bit immediate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseImmOp {
    /// `roundss`/`roundsd` (SSE4.1); the immediate selects the rounding mode
    /// (0 nearest, 1 floor, 2 ceil, 3 trunc; add 8 to suppress the inexact exception).
    Round,
    /// `cmpss`/`cmpsd`; the immediate is the predicate (0 eq, 1 lt, 2 le, 3 unord, 4 neq,
    /// 5 nlt, 6 nle, 7 ord), producing an all-ones or all-zeros mask.
    Cmp,
}

/// A rounding to an integral value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RoundMode {
    /// To nearest, ties to even.
    Nearest,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceil,
    /// Toward zero.
    Trunc,
}

impl RoundMode {
    /// The `roundss`/`roundsd` immediate: the mode, with the inexact exception suppressed.
    pub const fn imm(self) -> u8 {
        8 | match self {
            RoundMode::Nearest => 0,
            RoundMode::Floor => 1,
            RoundMode::Ceil => 2,
            RoundMode::Trunc => 3,
        }
    }
}

/// The scalar precision of an SSE instruction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FloatSize {
    /// f32 (`..ss`).
    F32,
    /// f64 (`..sd`).
    F64,
}

/// Which operands an FMA multiplies and adds (`vfmadd132`, `213`, `231`), numbering the
/// operands 1 (`src1`/`dst`), 2 (`src2`) and 3 (`src3`, register or memory).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FmaForm {
    /// `dst = src1 * src3 + src2`
    F132,
    /// `dst = src2 * src1 + src3`
    F213,
    /// `dst = src2 * src3 + src1`
    F231,
}

/// An x86-64 machine instruction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MInst {
    /// `mov dst, src` between registers, 32 bits (zeroing the upper half) or 64 bits
    /// (`S8`/`S16` act like `S32`).
    MovRR {
        /// Operand size.
        size: OperandSize,
        /// Source.
        src: Gpr,
        /// Destination.
        dst: WritableGpr,
    },
    /// Loads a constant: `mov r32, imm32` for `S32` and small 64-bit values, `mov r64,
    /// simm32` for negative ones that fit, otherwise `movabs r64, imm64`.
    MovImm {
        /// `S32` (upper half zeroed) or `S64` (`S8`/`S16` act like `S32`).
        size: OperandSize,
        /// The value (the low 32 bits for `S32`).
        imm: u64,
        /// Destination.
        dst: WritableGpr,
    },
    /// Zero-extending move or load into a 64-bit register: `movzx r32, r/m8`,
    /// `movzx r32, r/m16`, `mov r32, r/m32` or `mov r64, r/m64`, by the source's width.
    MovzxRmR {
        /// Source (its width is the width read).
        src: AnyGprMem,
        /// Destination.
        dst: WritableGpr,
    },
    /// Sign-extending move or load: `movsx r32/r64, r/m8`, `movsx r32/r64, r/m16`,
    /// `movsxd r64, r/m32` (with `S32` destination a 32-bit source is a plain `mov`, and a
    /// 64-bit source is always a plain `mov r64`).
    MovsxRmR {
        /// Source (its width is the width read).
        src: AnyGprMem,
        /// `S32` or `S64` (`S8`/`S16` act like `S32`).
        dst_size: OperandSize,
        /// Destination.
        dst: WritableGpr,
    },
    /// Store: `mov m, r` of the memory operand's width.
    MovMR {
        /// The register stored (its low bytes).
        src: Gpr,
        /// Destination memory.
        dst: AnyMem,
    },
    /// Store an immediate: `mov m, imm` of the memory operand's width (64 bits: sign-extended
    /// 32-bit immediate; 8/16 bits: the low bits of `imm`).
    MovMI {
        /// Destination memory.
        dst: AnyMem,
        /// The value.
        imm: i32,
    },
    /// `lea dst, [amode]` (64-bit); no memory access.
    Lea {
        /// The address computed.
        src: Amode,
        /// Destination.
        dst: WritableGpr,
    },
    /// `op dst, src2` where `dst` = `src1` (register), of `src2`'s width.
    AluRmR {
        /// The operation.
        op: AluOp,
        /// First source; must be allocated to `dst`.
        src1: Gpr,
        /// Second source, register or memory.
        src2: AnyGprMem,
        /// Destination.
        dst: WritableGpr,
    },
    /// `op dst, imm` where `dst` = `src1`: `imm8` sign-extended when it fits, otherwise
    /// `imm32` (`imm16` for 16 bits; the low 8 bits for 8 bits).
    AluRI {
        /// The operation.
        op: AluOp,
        /// Operand size.
        size: OperandSize,
        /// First source; must be allocated to `dst`.
        src1: Gpr,
        /// The immediate.
        imm: i32,
        /// Destination.
        dst: WritableGpr,
    },
    /// Read-modify-write `op m, r` of the memory operand's width.
    AluMR {
        /// The operation.
        op: AluOp,
        /// Source register.
        src: Gpr,
        /// Memory read and written.
        dst: AnyMem,
    },
    /// Read-modify-write `op m, imm` of the memory operand's width.
    AluMI {
        /// The operation.
        op: AluOp,
        /// The immediate.
        imm: i32,
        /// Memory read and written.
        dst: AnyMem,
    },
    /// `cmp lhs, rhs` (flags of `lhs - rhs`), of `rhs`'s width.
    CmpRmR {
        /// Left operand.
        lhs: Gpr,
        /// Right operand, register or memory.
        rhs: AnyGprMem,
    },
    /// `cmp lhs, imm` of `lhs`'s width.
    CmpRmI {
        /// Left operand, register or memory.
        lhs: AnyGprMem,
        /// Right operand.
        imm: i32,
    },
    /// `test lhs, rhs` (flags of `lhs & rhs`), of `lhs`'s width.
    TestRmR {
        /// Register or memory operand.
        lhs: AnyGprMem,
        /// Register operand.
        rhs: Gpr,
    },
    /// `test lhs, imm` of `lhs`'s width.
    TestRmI {
        /// Register or memory operand.
        lhs: AnyGprMem,
        /// The immediate.
        imm: i32,
    },
    /// `imul dst, src2` (truncating multiply) where `dst` = `src1`.
    ImulRmR {
        /// First factor; must be allocated to `dst`.
        src1: Gpr,
        /// Second factor.
        src2: WideGprMem,
        /// Destination.
        dst: WritableGpr,
    },
    /// `imul dst, src, imm` (three-operand truncating multiply).
    ImulRmRI {
        /// First factor.
        src: WideGprMem,
        /// Second factor (`imm8` when it fits).
        imm: i32,
        /// Destination.
        dst: WritableGpr,
    },
    /// Widening multiply `mul src2` / `imul src2`: `rdx:rax = rax * src2` (8 bits: `ax = al *
    /// src2`, and `dst_hi` is not written).
    Mul {
        /// Signed (`imul`) or unsigned (`mul`).
        signed: bool,
        /// First factor; in `rax`.
        src1: Gpr,
        /// Second factor; its width is the operation's.
        src2: AnyGprMem,
        /// Low half; `rax`.
        dst_lo: WritableGpr,
        /// High half; `rdx`.
        dst_hi: WritableGpr,
    },
    /// `div divisor` / `idiv divisor`: `rax = rdx:rax / divisor`, `rdx = remainder` (8 bits:
    /// `al = ax / divisor`, `ah = remainder`). Faults on a zero divisor and on overflow.
    Div {
        /// Signed (`idiv`) or unsigned (`div`).
        signed: bool,
        /// Low half of the dividend; in `rax`.
        dividend_lo: Gpr,
        /// High half of the dividend; in `rdx` (unused for 8 bits).
        dividend_hi: Gpr,
        /// The divisor; its width is the operation's.
        divisor: AnyGprMem,
        /// Quotient; `rax`.
        dst_quot: WritableGpr,
        /// Remainder; `rdx` (`ah` for 8 bits, i.e. not written separately).
        dst_rem: WritableGpr,
    },
    /// Sign-extends `rax` into `rdx` for a division: `cwd`, `cdq`, `cqo` (`S8`: `cbw`, which
    /// extends `al` into `ax`, and `dst` is `rax`).
    SignExtendData {
        /// Operand size.
        size: OperandSize,
        /// `rax`.
        src: Gpr,
        /// `rdx` (`rax` for `S8`).
        dst: WritableGpr,
    },
    /// `neg`/`not` of a register, `dst` = `src`.
    Unary {
        /// The operation.
        op: UnaryOp,
        /// Operand size.
        size: OperandSize,
        /// Source; must be allocated to `dst`.
        src: Gpr,
        /// Destination.
        dst: WritableGpr,
    },
    /// Shift or rotate of a register by `cl` or an immediate, `dst` = `src`.
    Shift {
        /// The operation.
        op: ShiftOp,
        /// Operand size.
        size: OperandSize,
        /// Value shifted; must be allocated to `dst`.
        src: Gpr,
        /// Count.
        amount: ShiftAmount,
        /// Destination.
        dst: WritableGpr,
    },
    /// `shld dst, src2, amount` / `shrd dst, src2, amount` (16, 32 or 64 bits; `S8` acts like
    /// `S32`), `dst` = `src1`.
    DoubleShift {
        /// The operation.
        op: DoubleShiftOp,
        /// Operand size.
        size: OperandSize,
        /// Value shifted; must be allocated to `dst`.
        src1: Gpr,
        /// Register supplying the bits shifted in.
        src2: Gpr,
        /// Count.
        amount: ShiftAmount,
        /// Destination.
        dst: WritableGpr,
    },
    /// `bsf bsr tzcnt lzcnt popcnt dst, src`.
    BitRmR {
        /// The operation.
        op: BitOp,
        /// Source.
        src: WideGprMem,
        /// Destination.
        dst: WritableGpr,
    },
    /// `bswap` of a 32- or 64-bit register (`S8`/`S16` act like `S32`), `dst` = `src`.
    Bswap {
        /// Operand size.
        size: OperandSize,
        /// Source; must be allocated to `dst`.
        src: Gpr,
        /// Destination.
        dst: WritableGpr,
    },
    /// BMI1 `andn dst, src1, src2`: `dst = !src1 & src2`.
    Andn {
        /// Complemented operand.
        src1: Gpr,
        /// Other operand; its width is the operation's.
        src2: GprMem32Or64,
        /// Destination.
        dst: WritableGpr,
    },
    /// BMI2 `shlx/shrx/sarx dst, src, amount` (flags untouched).
    ShiftX {
        /// The operation.
        op: ShiftXOp,
        /// Value shifted; its width is the operation's.
        src: GprMem32Or64,
        /// Count (any register).
        amount: Gpr,
        /// Destination.
        dst: WritableGpr,
    },
    /// `setcc dst` (writes the low byte only).
    Setcc {
        /// Condition.
        cc: CC,
        /// Destination.
        dst: WritableGpr,
    },
    /// `cmovcc dst, consequent`: `dst = cc ? consequent : alternative`, with `alternative`
    /// allocated to `dst`.
    Cmove {
        /// Condition.
        cc: CC,
        /// Taken when `cc` holds; its width is the operation's.
        consequent: WideGprMem,
        /// Kept otherwise; must be allocated to `dst`.
        alternative: Gpr,
        /// Destination.
        dst: WritableGpr,
    },
    /// `j!cc skip; movaps dst, consequent; skip:` — `dst = cc ? consequent : alternative`
    /// for SSE registers, with `alternative` allocated to `dst`.
    XmmCmove {
        /// Condition.
        cc: CC,
        /// Taken when `cc` holds.
        consequent: Xmm,
        /// Kept otherwise; must be allocated to `dst`.
        alternative: Xmm,
        /// Destination.
        dst: WritableXmm,
    },
    /// `jmp label`.
    Jmp {
        /// Target.
        target: Label,
    },
    /// `jmp r/m64` (indirect).
    JmpUnknown {
        /// Address of the target.
        target: GprMem64,
    },
    /// `jcc label` (falls through otherwise).
    Jcc {
        /// Condition.
        cc: CC,
        /// Target when `cc` holds.
        target: Label,
    },
    /// `call rel32` to a relocated symbol.
    CallKnown {
        /// The callee.
        target: RelocTarget,
    },
    /// `call r/m64` (indirect).
    CallUnknown {
        /// Address of the callee.
        target: GprMem64,
    },
    /// `ret`
    Ret,
    /// `push r64`
    Push64 {
        /// Pushed register.
        src: Gpr,
    },
    /// `pop r64`
    Pop64 {
        /// Popped register.
        dst: WritableGpr,
    },
    /// `ud2`, recorded as a trap with `code`.
    Ud2 {
        /// The trap code.
        code: TrapCode,
    },
    /// `j!cc skip; ud2; skip:` — traps with `code` when `cc` holds (the trap is recorded at
    /// the `ud2`).
    TrapIf {
        /// Condition under which to trap.
        cc: CC,
        /// The trap code.
        code: TrapCode,
    },
    /// Indirect jump through a table of 32-bit offsets placed right after the jump:
    /// `lea tmp1, [rip+table]; movsxd tmp2, dword ptr [tmp1+idx*4]; add tmp1, tmp2;
    /// jmp tmp1; table: (target - table)...`. `idx` must be zero-extended to 64 bits and
    /// already checked against the table length.
    JmpTableSeq {
        /// Table index.
        idx: Gpr,
        /// Scratch register (clobbered).
        tmp1: WritableGpr,
        /// Scratch register (clobbered).
        tmp2: WritableGpr,
        /// The targets, by index.
        targets: Box<[Label]>,
    },
    /// `nop`s filling `len` bytes, using multi-byte forms.
    Nop {
        /// Number of bytes.
        len: u8,
    },
    /// `movabs dst, imm64` with an absolute 64-bit relocation to `target`.
    LoadFuncAddr {
        /// The function.
        target: RelocTarget,
        /// Destination.
        dst: WritableGpr,
    },
    /// 16-byte SSE move: register copy or load (`movaps xmm, xmm/m128`, ...).
    XmmMov128 {
        /// Which move.
        op: Mov128Op,
        /// Source.
        src: XmmMem128,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// 16-byte SSE store (`movaps m128, xmm`, ...).
    XmmStore128 {
        /// Which move.
        op: Mov128Op,
        /// Stored register.
        src: Xmm,
        /// Destination memory.
        dst: Mem128,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movss xmm, m32` (upper bits zeroed).
    MovssLoad {
        /// Source.
        src: Mem32,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movsd xmm, m64` (upper bits zeroed).
    MovsdLoad {
        /// Source.
        src: Mem64,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movss m32, xmm`.
    MovssStore {
        /// Stored register.
        src: Xmm,
        /// Destination.
        dst: Mem32,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movsd m64, xmm`.
    MovsdStore {
        /// Stored register.
        src: Xmm,
        /// Destination.
        dst: Mem64,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movd xmm, r/m32` or `movq xmm, r/m64` (upper bits zeroed).
    MovToXmm {
        /// Source; its width selects `movd`/`movq`.
        src: GprMem32Or64,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// `movd r32, xmm` or `movq r64, xmm`.
    MovFromXmm {
        /// `S32` or `S64` (`S8`/`S16` act like `S32`).
        size: OperandSize,
        /// Source.
        src: Xmm,
        /// Destination.
        dst: WritableGpr,
        /// Use the VEX form.
        avx: bool,
    },
    /// Scalar f32 operation `op dst, src2` (`dst` = `src1`, or VEX `vop dst, src1, src2`).
    XmmRmR32 {
        /// The operation.
        op: SseOp32,
        /// First operand (and the upper bits of the result).
        src1: Xmm,
        /// Second operand.
        src2: XmmMem32,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// Scalar f64 operation, like [`MInst::XmmRmR32`].
    XmmRmR64 {
        /// The operation.
        op: SseOp64,
        /// First operand (and the upper bits of the result).
        src1: Xmm,
        /// Second operand.
        src2: XmmMem64,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// Packed 128-bit bitwise operation, like [`MInst::XmmRmR32`].
    XmmRmR128 {
        /// The operation.
        op: SseOp128,
        /// First operand.
        src1: Xmm,
        /// Second operand.
        src2: XmmMem128,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// Scalar f32 operation with an immediate (`roundss`, `cmpss`).
    XmmRmRImm32 {
        /// The operation.
        op: SseImmOp,
        /// First operand (and the upper bits of the result).
        src1: Xmm,
        /// Second operand.
        src2: XmmMem32,
        /// The immediate.
        imm: u8,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// Scalar f64 operation with an immediate (`roundsd`, `cmpsd`).
    XmmRmRImm64 {
        /// The operation.
        op: SseImmOp,
        /// First operand (and the upper bits of the result).
        src1: Xmm,
        /// Second operand.
        src2: XmmMem64,
        /// The immediate.
        imm: u8,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// `ucomiss lhs, rhs` (flags: ZF PF CF; unordered sets all three).
    Ucomiss {
        /// Left operand.
        lhs: Xmm,
        /// Right operand.
        rhs: XmmMem32,
        /// Use the VEX form.
        avx: bool,
    },
    /// `ucomisd lhs, rhs`.
    Ucomisd {
        /// Left operand.
        lhs: Xmm,
        /// Right operand.
        rhs: XmmMem64,
        /// Use the VEX form.
        avx: bool,
    },
    /// `cvtsi2ss`/`cvtsi2sd dst, src2` from a 32- or 64-bit signed integer (`dst` = `src1`
    /// supplies the upper bits).
    CvtIntToFloat {
        /// Result precision.
        to: FloatSize,
        /// Upper bits of the result.
        src1: Xmm,
        /// The integer; its width selects the conversion.
        src2: GprMem32Or64,
        /// Destination.
        dst: WritableXmm,
        /// Use the VEX form.
        avx: bool,
    },
    /// `cvttss2si r32/r64, xmm/m32` (truncating; out of range gives the "integer indefinite"
    /// value `MIN`).
    CvttF32ToInt {
        /// `S32` or `S64` (`S8`/`S16` act like `S32`).
        size: OperandSize,
        /// The float.
        src: XmmMem32,
        /// Destination.
        dst: WritableGpr,
        /// Use the VEX form.
        avx: bool,
    },
    /// `cvttsd2si r32/r64, xmm/m64`.
    CvttF64ToInt {
        /// `S32` or `S64` (`S8`/`S16` act like `S32`).
        size: OperandSize,
        /// The float.
        src: XmmMem64,
        /// Destination.
        dst: WritableGpr,
        /// Use the VEX form.
        avx: bool,
    },
    /// `fcvt_from_uint` of a 64-bit integer: a signed conversion when the top bit is clear,
    /// otherwise halve (keeping the low bit as a sticky bit), convert and double.
    CvtUint64ToFloatSeq {
        /// Result precision.
        to: FloatSize,
        /// The unsigned integer.
        src: Gpr,
        /// Destination.
        dst: WritableXmm,
        /// Scratch register (clobbered).
        tmp1: WritableGpr,
        /// Scratch register (clobbered).
        tmp2: WritableGpr,
    },
    /// `fcvt_to_sint`/`fcvt_to_uint` (trapping: `bad_toint` on NaN, `int_ovf` out of range)
    /// and their `_sat` forms (NaN gives 0, out of range clamps), to 8, 16, 32 or 64 bits. Reads
    /// bounds from the constant pool; records its own traps. Clobbers the flags.
    ///
    /// The result is in the low `to` bits of `dst`; for 8 and 16 bits the register holds the
    /// value sign-extended (signed) or zero-extended (unsigned) to 32 bits.
    CvtFloatToIntSeq {
        /// Source precision.
        from: FloatSize,
        /// Result width.
        to: OperandSize,
        /// Signed or unsigned result.
        signed: bool,
        /// Saturate instead of trapping.
        sat: bool,
        /// The float.
        src: Xmm,
        /// Destination.
        dst: WritableGpr,
        /// Scratch register (clobbered).
        tmp_gpr: WritableGpr,
        /// Scratch register (clobbered).
        tmp_xmm: WritableXmm,
    },
    /// `fmin`/`fmax` with IR semantics: a NaN operand gives the first NaN operand, quieted;
    /// `-0.0 < +0.0`; otherwise `minss`/`maxss`. `lhs` must be allocated to `dst`.
    XmmMinMaxSeq {
        /// Precision.
        size: FloatSize,
        /// `fmin` (else `fmax`).
        is_min: bool,
        /// First operand; must be allocated to `dst`.
        lhs: Xmm,
        /// Second operand.
        rhs: Xmm,
        /// Destination.
        dst: WritableXmm,
    },
    /// `ceil`/`floor`/`trunc`/`nearest` with SSE2 only (without SSE4.1's `roundss`):
    /// values of magnitude at least 2^52 (2^23 for f32) are already integral; smaller ones
    /// are rounded to nearest by adding and subtracting that power of two, then adjusted
    /// for the mode; the sign of the input is kept (so `-0.5` gives `-0.0`), and a NaN
    /// input gives itself, quieted.
    XmmRoundSeq {
        /// Precision.
        size: FloatSize,
        /// The rounding.
        mode: RoundMode,
        /// The value.
        src: Xmm,
        /// Destination (distinct from `src`).
        dst: WritableXmm,
        /// Scratch register (clobbered).
        tmp: WritableXmm,
    },
    /// FMA3 `vfmadd{132,213,231}ss` (one rounding); `src1` must be allocated to `dst`.
    Fma32 {
        /// Which operands are multiplied.
        form: FmaForm,
        /// Operand 1.
        src1: Xmm,
        /// Operand 2.
        src2: Xmm,
        /// Operand 3.
        src3: XmmMem32,
        /// Destination.
        dst: WritableXmm,
    },
    /// FMA3 `vfmadd{132,213,231}sd`; `src1` must be allocated to `dst`.
    Fma64 {
        /// Which operands are multiplied.
        form: FmaForm,
        /// Operand 1.
        src1: Xmm,
        /// Operand 2.
        src2: Xmm,
        /// Operand 3.
        src3: XmmMem64,
        /// Destination.
        dst: WritableXmm,
    },
    /// Pseudo-instruction at the start of the entry block: defines each argument value in
    /// the register the ABI passes it in. Emits nothing.
    Args {
        /// Argument values and their registers.
        args: Box<[(Reg, PReg)]>,
    },
    /// Return terminator: the returned values in their ABI registers; emitted as the
    /// epilogue (by the function emitter) and `ret`.
    Rets {
        /// Returned values and their registers.
        rets: Box<[(Reg, PReg)]>,
    },
    /// A call with its register constraints.
    Call {
        /// Callee, arguments, results, clobbers.
        info: Box<CallInfo>,
    },
    /// Two-way branch terminator: `jcc taken; jmp not_taken`.
    JmpIf {
        /// Condition.
        cc: CC,
        /// Target when `cc` holds.
        taken: Label,
        /// Target otherwise.
        not_taken: Label,
    },
    /// Two-way branch terminator on either of two conditions: `jcc1 taken; jcc2 taken; jmp
    /// not_taken` (e.g. `fcmp ne` after `ucomis`: not equal or unordered).
    JmpIfEither {
        /// First condition.
        cc1: CC,
        /// Second condition.
        cc2: CC,
        /// Target when either holds.
        taken: Label,
        /// Target otherwise.
        not_taken: Label,
    },
    /// `br_table` terminator: `cmp idx32, len; jae default;` then [`MInst::JmpTableSeq`].
    /// `idx` must be zero-extended to 64 bits.
    BrTable {
        /// Table index.
        idx: Gpr,
        /// Scratch register (clobbered).
        tmp1: WritableGpr,
        /// Scratch register (clobbered).
        tmp2: WritableGpr,
        /// Target for indices out of range.
        default: Label,
        /// The targets, by index.
        targets: Box<[Label]>,
    },
}

impl MInst {
    /// The address and width in bytes of the instruction's memory operand, if it has one.
    /// (`lea` computes an address without accessing memory, so it has none; the table load
    /// inside [`MInst::JmpTableSeq`] reads the code itself, not an operand, and is not
    /// reported.)
    pub fn mem_access(&self) -> Option<(&Amode, u32)> {
        fn any(m: &AnyGprMem) -> Option<(&Amode, u32)> {
            match m.reg_mem() {
                RegMemRef::Mem(a) => Some((a, m.size().bytes())),
                _ => None,
            }
        }
        fn wide(m: &WideGprMem) -> Option<(&Amode, u32)> {
            match m.reg_mem() {
                RegMemRef::Mem(a) => Some((a, m.size().bytes())),
                _ => None,
            }
        }
        fn dq(m: &GprMem32Or64) -> Option<(&Amode, u32)> {
            match m.reg_mem() {
                RegMemRef::Mem(a) => Some((a, m.size().bytes())),
                _ => None,
            }
        }
        macro_rules! rm {
            ($x:expr, $t:ident) => {
                $x.mem().map(|m| (m.amode(), $t::BYTES))
            };
        }
        use MInst as I;
        match self {
            I::MovzxRmR { src, .. } | I::MovsxRmR { src, .. } => any(src),
            I::MovMR { dst, .. } | I::MovMI { dst, .. } | I::AluMR { dst, .. } => {
                Some((dst.amode(), dst.size().bytes()))
            }
            I::AluMI { dst, .. } => Some((dst.amode(), dst.size().bytes())),
            I::AluRmR { src2, .. } | I::Mul { src2, .. } => any(src2),
            I::CmpRmR { rhs, .. } => any(rhs),
            I::CmpRmI { lhs, .. } | I::TestRmR { lhs, .. } | I::TestRmI { lhs, .. } => any(lhs),
            I::Div { divisor, .. } => any(divisor),
            I::ImulRmR { src2, .. } => wide(src2),
            I::ImulRmRI { src, .. } | I::BitRmR { src, .. } => wide(src),
            I::Cmove { consequent, .. } => wide(consequent),
            I::Andn { src2, .. } => dq(src2),
            I::ShiftX { src, .. } | I::MovToXmm { src, .. } => dq(src),
            I::CvtIntToFloat { src2, .. } => dq(src2),
            I::JmpUnknown { target } | I::CallUnknown { target } => rm!(target, GprMem64),
            I::XmmMov128 { src, .. } => rm!(src, XmmMem128),
            I::XmmStore128 { dst, .. } => Some((dst.amode(), Mem128::BYTES)),
            I::MovssLoad { src, .. } => Some((src.amode(), Mem32::BYTES)),
            I::MovsdLoad { src, .. } => Some((src.amode(), Mem64::BYTES)),
            I::MovssStore { dst, .. } => Some((dst.amode(), Mem32::BYTES)),
            I::MovsdStore { dst, .. } => Some((dst.amode(), Mem64::BYTES)),
            I::XmmRmR32 { src2, .. } | I::XmmRmRImm32 { src2, .. } => rm!(src2, XmmMem32),
            I::XmmRmR64 { src2, .. } | I::XmmRmRImm64 { src2, .. } => rm!(src2, XmmMem64),
            I::XmmRmR128 { src2, .. } => rm!(src2, XmmMem128),
            I::Ucomiss { rhs, .. } => rm!(rhs, XmmMem32),
            I::Ucomisd { rhs, .. } => rm!(rhs, XmmMem64),
            I::CvttF32ToInt { src, .. } => rm!(src, XmmMem32),
            I::CvttF64ToInt { src, .. } => rm!(src, XmmMem64),
            I::Fma32 { src3, .. } => rm!(src3, XmmMem32),
            I::Fma64 { src3, .. } => rm!(src3, XmmMem64),
            I::MovRR { .. }
            | I::MovImm { .. }
            | I::Lea { .. }
            | I::AluRI { .. }
            | I::SignExtendData { .. }
            | I::Unary { .. }
            | I::Shift { .. }
            | I::DoubleShift { .. }
            | I::Bswap { .. }
            | I::Setcc { .. }
            | I::Jmp { .. }
            | I::Jcc { .. }
            | I::CallKnown { .. }
            | I::Ret
            | I::Push64 { .. }
            | I::Pop64 { .. }
            | I::Ud2 { .. }
            | I::TrapIf { .. }
            | I::XmmCmove { .. }
            | I::CvtUint64ToFloatSeq { .. }
            | I::CvtFloatToIntSeq { .. }
            | I::XmmMinMaxSeq { .. }
            | I::XmmRoundSeq { .. }
            | I::JmpTableSeq { .. }
            | I::Nop { .. }
            | I::LoadFuncAddr { .. }
            | I::MovFromXmm { .. }
            | I::Args { .. }
            | I::Rets { .. }
            | I::Call { .. }
            | I::JmpIf { .. }
            | I::JmpIfEither { .. }
            | I::BrTable { .. } => None,
        }
    }

    /// The width in bytes of the instruction's memory access, if it has a memory operand
    /// (for the width audit: it must equal the width of the IR access it implements).
    pub fn mem_access_width(&self) -> Option<u32> {
        self.mem_access().map(|(_, w)| w)
    }

    /// Whether executing the instruction may trap: a memory access or a division that may
    /// fault, `ud2`, or a sequence with a conditional trap.
    pub fn may_trap(&self) -> bool {
        self.faults_at_start()
            || matches!(
                self,
                MInst::Ud2 { .. }
                    | MInst::TrapIf { .. }
                    | MInst::CvtFloatToIntSeq { sat: false, .. }
            )
    }

    /// Whether the instruction's first byte is where it faults, if it does: a memory operand
    /// or a division. [`MInst::emit`] records the caller's trap code there.
    pub fn faults_at_start(&self) -> bool {
        matches!(self, MInst::Div { .. }) || self.mem_access().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_compact() {
        // VCode keeps instructions in a flat vector; growing past 40 bytes costs compile time.
        assert!(core::mem::size_of::<MInst>() <= 40);
    }
}
