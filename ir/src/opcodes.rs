//! The instruction set: one table entry per opcode.
//!
//! The parser, printer, verifier, builder and interpreter all read [`Opcode::info`], so adding
//! an instruction means adding one line here plus its semantics.

use crate::types::{self, Type};
use core::fmt;

/// The shape of an instruction's operands: which [`InstructionData`](crate::InstructionData)
/// variant holds it and how it is written in text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InstructionFormat {
    /// `iconst.i32 5`
    UnaryImm,
    /// `f32const 0x1.0p0`
    UnaryIeee32,
    /// `f64const 0x1.0p0`
    UnaryIeee64,
    /// `ineg v0`
    Unary,
    /// `iadd v0, v1`
    Binary,
    /// `iadd_imm v0, 5`
    BinaryImm64,
    /// `select v0, v1, v2`
    Ternary,
    /// `icmp eq v0, v1`
    IntCompare,
    /// `icmp_imm slt v0, 5`
    IntCompareImm,
    /// `fcmp lt v0, v1`
    FloatCompare,
    /// `load.i32 notrap v0+8`
    Load,
    /// `store v1, v0+8`
    Store,
    /// `stack_load.i32 ss0+4`, `stack_addr.i64 ss0`
    StackLoad,
    /// `stack_store v0, ss0+4`
    StackStore,
    /// `jump block1(v0)`
    Jump,
    /// `brif v0, block1(v1), block2`
    Brif,
    /// `br_table v0, block1, [block2, block3]`
    BranchTable,
    /// `return v0, v1`
    MultiAry,
    /// `call fn0(v0)`
    Call,
    /// `call_indirect sig0, v0(v1)`
    CallIndirect,
    /// `func_addr.i64 fn0`
    FuncAddr,
    /// `trap user1`
    Trap,
    /// `trapz v0, user1`
    CondTrap,
    /// `uadd_overflow_trap v0, v1, user1`
    IntAddTrap,
}

/// A set of types, for constraints in the opcode table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TypeSet(u16);

impl TypeSet {
    /// No type.
    pub const EMPTY: TypeSet = TypeSet(0);
    const VECTORS: u16 = 1 << 15;

    const fn of(ts: &[Type]) -> TypeSet {
        let mut bits = 0;
        let mut i = 0;
        while i < ts.len() {
            bits |= 1 << ts[i].lane_type_code();
            i += 1;
        }
        TypeSet(bits)
    }

    /// `i8` to `i64`.
    pub const INT64: TypeSet = TypeSet::of(&[types::I8, types::I16, types::I32, types::I64]);
    /// All scalar integers, `i8` to `i128`.
    pub const INT: TypeSet = TypeSet(TypeSet::INT64.0 | TypeSet::of(&[types::I128]).0);
    /// `f32` and `f64`.
    pub const FLOAT: TypeSet = TypeSet::of(&[types::F32, types::F64]);
    /// Address types: `i32` and `i64`.
    pub const ADDR: TypeSet = TypeSet::of(&[types::I32, types::I64]);
    /// Every scalar and vector type.
    pub const ANY: TypeSet = TypeSet(TypeSet::INT.0 | TypeSet::FLOAT.0 | TypeSet::VECTORS);

    /// The set of exactly these types (scalars only).
    pub const fn scalars(ts: &[Type]) -> TypeSet {
        TypeSet::of(ts)
    }

    /// Whether `t` is in the set.
    pub const fn contains(self, t: Type) -> bool {
        if t.is_invalid() {
            false
        } else if t.is_vector() {
            self.0 & TypeSet::VECTORS != 0
        } else {
            self.0 & (1 << t.lane_type_code()) != 0
        }
    }
}

impl fmt::Display for TypeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = types::ALL
            .iter()
            .filter(|t| !t.is_vector() && self.contains(**t))
            .map(|t| t.name())
            .collect();
        if self.0 & TypeSet::VECTORS != 0 {
            names.push("vectors");
        }
        write!(f, "{}", names.join("|"))
    }
}

/// How an instruction's controlling type is found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CtrlType {
    /// The instruction is not polymorphic.
    None,
    /// Written explicitly as a suffix, `load.i32`; it is the type of the first result.
    Explicit,
    /// The type of the fixed value operand with this index.
    Operand(u8),
}

/// The type constraint of one fixed value operand.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OperandType {
    /// Exactly the controlling type.
    Ctrl,
    /// Any type of the set, independent of the controlling type.
    Set(TypeSet),
    /// A type of the same kind (integer or float) strictly narrower than the controlling type.
    Narrower,
    /// A type of the same kind (integer or float) strictly wider than the controlling type.
    Wider,
    /// Any type with the same number of bits as the controlling type.
    SameWidth,
}

/// The type of one result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResultType {
    /// The controlling type.
    Ctrl,
    /// This fixed type.
    Fixed(Type),
    /// The integer type of half the controlling type's width.
    Half,
    /// The integer type of twice the controlling type's width.
    Double,
}

/// Everything the table says about one opcode.
#[derive(Clone, Copy, Debug)]
pub struct OpcodeInfo {
    /// The text-format name.
    pub name: &'static str,
    /// The operand shape.
    pub format: InstructionFormat,
    /// How the controlling type is found.
    pub ctrl: CtrlType,
    /// Which controlling types are allowed.
    pub ctrl_types: TypeSet,
    /// Constraints on the fixed value operands (variable arguments are typed by signatures).
    pub operands: &'static [OperandType],
    /// Result types; calls take theirs from the signature instead.
    pub results: &'static [ResultType],
    flags: u8,
}

const TERMINATOR: u8 = 1 << 0;
const BRANCH: u8 = 1 << 1;
const RETURN: u8 = 1 << 2;
const CALL: u8 = 1 << 3;
const TRAP: u8 = 1 << 4;
const LOAD: u8 = 1 << 5;
const STORE: u8 = 1 << 6;

impl OpcodeInfo {
    /// Ends a block.
    pub const fn is_terminator(&self) -> bool {
        self.flags & TERMINATOR != 0
    }
    /// Transfers control to blocks of the same function.
    pub const fn is_branch(&self) -> bool {
        self.flags & BRANCH != 0
    }
    /// Returns from the function.
    pub const fn is_return(&self) -> bool {
        self.flags & RETURN != 0
    }
    /// Calls a function.
    pub const fn is_call(&self) -> bool {
        self.flags & CALL != 0
    }
    /// May trap.
    pub const fn can_trap(&self) -> bool {
        self.flags & TRAP != 0
    }
    /// Reads memory.
    pub const fn can_load(&self) -> bool {
        self.flags & LOAD != 0
    }
    /// Writes memory.
    pub const fn can_store(&self) -> bool {
        self.flags & STORE != 0
    }
    /// Has an effect besides its results, so it can be neither removed nor reordered with
    /// other such instructions (stores, calls, traps, control flow).
    pub const fn has_side_effects(&self) -> bool {
        self.flags & (TERMINATOR | CALL | TRAP | STORE) != 0
    }
}

use CtrlType as C;
use InstructionFormat as F;
use OperandType as O;
use ResultType as R;

const INT: TypeSet = TypeSet::INT;
const INT64: TypeSet = TypeSet::INT64;
const FLOAT: TypeSet = TypeSet::FLOAT;
const ADDR: TypeSet = TypeSet::ADDR;
const ANY: TypeSet = TypeSet::ANY;
const NONE: TypeSet = TypeSet::EMPTY;
const I16_UP: TypeSet = TypeSet::scalars(&[types::I16, types::I32, types::I64, types::I128]);
const I16_I64: TypeSet = TypeSet::scalars(&[types::I16, types::I32, types::I64]);
const I32_I64: TypeSet = TypeSet::scalars(&[types::I32, types::I64]);
const ONLY_I64: TypeSet = TypeSet::scalars(&[types::I64]);
const ONLY_I32: TypeSet = TypeSet::scalars(&[types::I32]);
const ONLY_F32: TypeSet = TypeSet::scalars(&[types::F32]);
const ONLY_F64: TypeSet = TypeSet::scalars(&[types::F64]);

const CC: &[O] = &[O::Ctrl, O::Ctrl];
const CCC: &[O] = &[O::Ctrl, O::Ctrl, O::Ctrl];
const C1: &[O] = &[O::Ctrl];
const SHIFT: &[O] = &[O::Ctrl, O::Set(INT)];
const ADDR_ONLY: &[O] = &[O::Set(ADDR)];
const STORE_OPS: &[O] = &[O::Ctrl, O::Set(ADDR)];
const SELECT: &[O] = &[O::Set(INT), O::Ctrl, O::Ctrl];
const NO_OPS: &[O] = &[];
const RC: &[R] = &[R::Ctrl];
const RB: &[R] = &[R::Fixed(types::I8)];
const RCB: &[R] = &[R::Ctrl, R::Fixed(types::I8)];
const NO_RES: &[R] = &[];

macro_rules! opcodes {
    ($($(#[doc = $doc:literal])* $variant:ident $name:literal $format:ident $ctrl:expr, $types:expr, $ops:expr, $res:expr, $flags:expr;)*) => {
        /// An instruction opcode.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub enum Opcode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant,)*];

            /// The table entry of this opcode.
            pub const fn info(self) -> &'static OpcodeInfo {
                match self {
                    $(Opcode::$variant => &OpcodeInfo {
                        name: $name,
                        format: F::$format,
                        ctrl: $ctrl,
                        ctrl_types: $types,
                        operands: $ops,
                        results: $res,
                        flags: $flags,
                    },)*
                }
            }
        }
    };
}

opcodes! {
    /// Integer constant.
    Iconst "iconst" UnaryImm C::Explicit, INT64, NO_OPS, RC, 0;
    /// 32-bit float constant.
    F32const "f32const" UnaryIeee32 C::None, NONE, NO_OPS, &[R::Fixed(types::F32)], 0;
    /// 64-bit float constant.
    F64const "f64const" UnaryIeee64 C::None, NONE, NO_OPS, &[R::Fixed(types::F64)], 0;

    /// Wrapping addition.
    Iadd "iadd" Binary C::Operand(0), INT, CC, RC, 0;
    /// Wrapping subtraction.
    Isub "isub" Binary C::Operand(0), INT, CC, RC, 0;
    /// Wrapping multiplication.
    Imul "imul" Binary C::Operand(0), INT, CC, RC, 0;
    /// High half of the unsigned double-width product.
    Umulhi "umulhi" Binary C::Operand(0), INT, CC, RC, 0;
    /// High half of the signed double-width product.
    Smulhi "smulhi" Binary C::Operand(0), INT, CC, RC, 0;
    /// Unsigned division; traps on zero.
    Udiv "udiv" Binary C::Operand(0), INT, CC, RC, TRAP;
    /// Signed division rounding toward zero; traps on zero and on MIN / -1.
    Sdiv "sdiv" Binary C::Operand(0), INT, CC, RC, TRAP;
    /// Unsigned remainder; traps on zero.
    Urem "urem" Binary C::Operand(0), INT, CC, RC, TRAP;
    /// Signed remainder with the sign of the dividend; traps on zero (MIN % -1 is 0).
    Srem "srem" Binary C::Operand(0), INT, CC, RC, TRAP;
    /// Wrapping negation.
    Ineg "ineg" Unary C::Operand(0), INT, C1, RC, 0;
    /// Absolute value (MIN stays MIN).
    Iabs "iabs" Unary C::Operand(0), INT, C1, RC, 0;
    /// Signed minimum.
    Smin "smin" Binary C::Operand(0), INT, CC, RC, 0;
    /// Signed maximum.
    Smax "smax" Binary C::Operand(0), INT, CC, RC, 0;
    /// Unsigned minimum.
    Umin "umin" Binary C::Operand(0), INT, CC, RC, 0;
    /// Unsigned maximum.
    Umax "umax" Binary C::Operand(0), INT, CC, RC, 0;

    /// `iadd` with an immediate.
    IaddImm "iadd_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `imul` with an immediate.
    ImulImm "imul_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `udiv` by an immediate.
    UdivImm "udiv_imm" BinaryImm64 C::Operand(0), INT, C1, RC, TRAP;
    /// `sdiv` by an immediate.
    SdivImm "sdiv_imm" BinaryImm64 C::Operand(0), INT, C1, RC, TRAP;
    /// `urem` by an immediate.
    UremImm "urem_imm" BinaryImm64 C::Operand(0), INT, C1, RC, TRAP;
    /// `srem` by an immediate.
    SremImm "srem_imm" BinaryImm64 C::Operand(0), INT, C1, RC, TRAP;
    /// Immediate minus the operand.
    IrsubImm "irsub_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `band` with an immediate.
    BandImm "band_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `bor` with an immediate.
    BorImm "bor_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `bxor` with an immediate.
    BxorImm "bxor_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `ishl` by an immediate.
    IshlImm "ishl_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `ushr` by an immediate.
    UshrImm "ushr_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `sshr` by an immediate.
    SshrImm "sshr_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `rotl` by an immediate.
    RotlImm "rotl_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `rotr` by an immediate.
    RotrImm "rotr_imm" BinaryImm64 C::Operand(0), INT, C1, RC, 0;
    /// `icmp` against an immediate.
    IcmpImm "icmp_imm" IntCompareImm C::Operand(0), INT, C1, RB, 0;

    /// Unsigned add; second result is 1 on carry out.
    UaddOverflow "uadd_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Signed add; second result is 1 on signed overflow.
    SaddOverflow "sadd_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Unsigned subtract; second result is 1 on borrow.
    UsubOverflow "usub_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Signed subtract; second result is 1 on signed overflow.
    SsubOverflow "ssub_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Unsigned multiply; second result is 1 if the product does not fit.
    UmulOverflow "umul_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Signed multiply; second result is 1 if the product does not fit.
    SmulOverflow "smul_overflow" Binary C::Operand(0), INT, CC, RCB, 0;
    /// Unsigned add that traps with the given code on carry out.
    UaddOverflowTrap "uadd_overflow_trap" IntAddTrap C::Operand(0), I32_I64, CC, RC, TRAP;

    /// Bitwise and.
    Band "band" Binary C::Operand(0), INT, CC, RC, 0;
    /// Bitwise or.
    Bor "bor" Binary C::Operand(0), INT, CC, RC, 0;
    /// Bitwise exclusive or.
    Bxor "bxor" Binary C::Operand(0), INT, CC, RC, 0;
    /// Bitwise not.
    Bnot "bnot" Unary C::Operand(0), INT, C1, RC, 0;
    /// `x & !y`.
    BandNot "band_not" Binary C::Operand(0), INT, CC, RC, 0;
    /// `x | !y`.
    BorNot "bor_not" Binary C::Operand(0), INT, CC, RC, 0;
    /// `x ^ !y`.
    BxorNot "bxor_not" Binary C::Operand(0), INT, CC, RC, 0;
    /// Shift left; the amount is taken modulo the width.
    Ishl "ishl" Binary C::Operand(0), INT, SHIFT, RC, 0;
    /// Logical shift right; the amount is taken modulo the width.
    Ushr "ushr" Binary C::Operand(0), INT, SHIFT, RC, 0;
    /// Arithmetic shift right; the amount is taken modulo the width.
    Sshr "sshr" Binary C::Operand(0), INT, SHIFT, RC, 0;
    /// Rotate left; the amount is taken modulo the width.
    Rotl "rotl" Binary C::Operand(0), INT, SHIFT, RC, 0;
    /// Rotate right; the amount is taken modulo the width.
    Rotr "rotr" Binary C::Operand(0), INT, SHIFT, RC, 0;
    /// Count leading zero bits.
    Clz "clz" Unary C::Operand(0), INT, C1, RC, 0;
    /// Count leading bits equal to the sign bit, not counting the sign bit.
    Cls "cls" Unary C::Operand(0), INT, C1, RC, 0;
    /// Count trailing zero bits.
    Ctz "ctz" Unary C::Operand(0), INT, C1, RC, 0;
    /// Count one bits.
    Popcnt "popcnt" Unary C::Operand(0), INT, C1, RC, 0;
    /// Reverse the bit order.
    Bitrev "bitrev" Unary C::Operand(0), INT, C1, RC, 0;
    /// Reverse the byte order.
    Bswap "bswap" Unary C::Operand(0), I16_UP, C1, RC, 0;

    /// Integer comparison; 1 if the condition holds, else 0.
    Icmp "icmp" IntCompare C::Operand(0), INT, CC, RB, 0;
    /// Float comparison; 1 if the condition holds, else 0.
    Fcmp "fcmp" FloatCompare C::Operand(0), FLOAT, CC, RB, 0;
    /// `c != 0 ? x : y`.
    Select "select" Ternary C::Operand(1), ANY, SELECT, RC, 0;
    /// `select` that is never turned into a branch and whose result is never speculated.
    SelectSpectreGuard "select_spectre_guard" Ternary C::Operand(1), ANY, SELECT, RC, 0;

    /// Zero-extend to a wider integer.
    Uextend "uextend" Unary C::Explicit, I16_UP, &[O::Narrower], RC, 0;
    /// Sign-extend to a wider integer.
    Sextend "sextend" Unary C::Explicit, I16_UP, &[O::Narrower], RC, 0;
    /// Keep the low bits of a wider integer.
    Ireduce "ireduce" Unary C::Explicit, INT64, &[O::Wider], RC, 0;
    /// Concatenate two integers into one of twice the width; the first is the low half.
    Iconcat "iconcat" Binary C::Operand(0), INT64, CC, &[R::Double], 0;
    /// Split an integer into its low and high halves.
    Isplit "isplit" Unary C::Operand(0), I16_UP, C1, &[R::Half, R::Half], 0;
    /// Reinterpret the bits as another type of the same width.
    Bitcast "bitcast" Unary C::Explicit, ANY, &[O::SameWidth], RC, 0;
    /// Convert `f32` to `f64` exactly.
    Fpromote "fpromote" Unary C::Explicit, ONLY_F64, &[O::Narrower], RC, 0;
    /// Convert `f64` to `f32`, rounding to nearest.
    Fdemote "fdemote" Unary C::Explicit, ONLY_F32, &[O::Wider], RC, 0;
    /// Float to unsigned integer, truncating; traps on NaN and out-of-range values.
    FcvtToUint "fcvt_to_uint" Unary C::Explicit, INT64, &[O::Set(FLOAT)], RC, TRAP;
    /// Float to signed integer, truncating; traps on NaN and out-of-range values.
    FcvtToSint "fcvt_to_sint" Unary C::Explicit, INT64, &[O::Set(FLOAT)], RC, TRAP;
    /// Float to unsigned integer, truncating and saturating; NaN gives 0.
    FcvtToUintSat "fcvt_to_uint_sat" Unary C::Explicit, INT64, &[O::Set(FLOAT)], RC, 0;
    /// Float to signed integer, truncating and saturating; NaN gives 0.
    FcvtToSintSat "fcvt_to_sint_sat" Unary C::Explicit, INT64, &[O::Set(FLOAT)], RC, 0;
    /// Unsigned integer to float, rounding to nearest.
    FcvtFromUint "fcvt_from_uint" Unary C::Explicit, FLOAT, &[O::Set(INT)], RC, 0;
    /// Signed integer to float, rounding to nearest.
    FcvtFromSint "fcvt_from_sint" Unary C::Explicit, FLOAT, &[O::Set(INT)], RC, 0;

    /// Float addition.
    Fadd "fadd" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Float subtraction.
    Fsub "fsub" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Float multiplication.
    Fmul "fmul" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Float division.
    Fdiv "fdiv" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Square root.
    Sqrt "sqrt" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// Fused multiply-add `x * y + z` with one rounding.
    Fma "fma" Ternary C::Operand(0), FLOAT, CCC, RC, 0;
    /// Absolute value (clears the sign bit).
    Fabs "fabs" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// Negation (flips the sign bit).
    Fneg "fneg" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// The magnitude of the first operand with the sign of the second.
    Fcopysign "fcopysign" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Minimum; NaN if either is NaN; -0.0 < +0.0.
    Fmin "fmin" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Maximum; NaN if either is NaN; -0.0 < +0.0.
    Fmax "fmax" Binary C::Operand(0), FLOAT, CC, RC, 0;
    /// Round toward +infinity.
    Ceil "ceil" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// Round toward -infinity.
    Floor "floor" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// Round toward zero.
    Trunc "trunc" Unary C::Operand(0), FLOAT, C1, RC, 0;
    /// Round to nearest, ties to even.
    Nearest "nearest" Unary C::Operand(0), FLOAT, C1, RC, 0;

    /// Load a value of the controlling type.
    Load "load" Load C::Explicit, ANY, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 8 bits and zero-extend.
    Uload8 "uload8" Load C::Explicit, I16_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 8 bits and sign-extend.
    Sload8 "sload8" Load C::Explicit, I16_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 16 bits and zero-extend.
    Uload16 "uload16" Load C::Explicit, I32_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 16 bits and sign-extend.
    Sload16 "sload16" Load C::Explicit, I32_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 32 bits and zero-extend.
    Uload32 "uload32" Load C::Explicit, ONLY_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Load 32 bits and sign-extend.
    Sload32 "sload32" Load C::Explicit, ONLY_I64, ADDR_ONLY, RC, LOAD | TRAP;
    /// Store a value.
    Store "store" Store C::Operand(0), ANY, STORE_OPS, NO_RES, STORE | TRAP;
    /// Store the low 8 bits.
    Istore8 "istore8" Store C::Operand(0), I16_I64, STORE_OPS, NO_RES, STORE | TRAP;
    /// Store the low 16 bits.
    Istore16 "istore16" Store C::Operand(0), I32_I64, STORE_OPS, NO_RES, STORE | TRAP;
    /// Store the low 32 bits.
    Istore32 "istore32" Store C::Operand(0), ONLY_I64, STORE_OPS, NO_RES, STORE | TRAP;
    /// Load from a stack slot.
    StackLoad "stack_load" StackLoad C::Explicit, ANY, NO_OPS, RC, LOAD;
    /// Store to a stack slot.
    StackStore "stack_store" StackStore C::Operand(0), ANY, C1, NO_RES, STORE;
    /// The address of a stack slot.
    StackAddr "stack_addr" StackLoad C::Explicit, ADDR, NO_OPS, RC, 0;

    /// Unconditional jump.
    Jump "jump" Jump C::None, NONE, NO_OPS, NO_RES, TERMINATOR | BRANCH;
    /// Branch to the first block if the operand is non-zero, else to the second.
    Brif "brif" Brif C::Operand(0), INT, C1, NO_RES, TERMINATOR | BRANCH;
    /// Indexed jump through a table, with a default for out-of-range indices.
    BrTable "br_table" BranchTable C::Operand(0), ONLY_I32, C1, NO_RES, TERMINATOR | BRANCH;
    /// Return from the function.
    Return "return" MultiAry C::None, NONE, NO_OPS, NO_RES, TERMINATOR | RETURN;
    /// Direct call.
    Call "call" Call C::None, NONE, NO_OPS, NO_RES, CALL;
    /// Indirect call through a function address, with a signature.
    CallIndirect "call_indirect" CallIndirect C::Operand(0), ADDR, &[O::Ctrl], NO_RES, CALL;
    /// The address of a function.
    FuncAddr "func_addr" FuncAddr C::Explicit, ADDR, NO_OPS, RC, 0;
    /// Unconditional trap.
    Trap "trap" Trap C::None, NONE, NO_OPS, NO_RES, TERMINATOR | TRAP;
    /// Trap if the operand is zero.
    Trapz "trapz" CondTrap C::Operand(0), INT, C1, NO_RES, TRAP;
    /// Trap if the operand is non-zero.
    Trapnz "trapnz" CondTrap C::Operand(0), INT, C1, NO_RES, TRAP;
}

impl Opcode {
    /// The text-format name.
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// The opcode called `name` in the text format.
    pub fn by_name(name: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The instruction format.
    pub const fn format(self) -> InstructionFormat {
        self.info().format
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for &op in Opcode::ALL {
            assert_eq!(Opcode::by_name(op.name()), Some(op), "{op:?}");
        }
        assert_eq!(Opcode::by_name("nope"), None);
    }

    #[test]
    fn table_is_consistent() {
        for &op in Opcode::ALL {
            let info = op.info();
            if let CtrlType::Operand(i) = info.ctrl {
                assert!((i as usize) < info.operands.len(), "{op}");
            }
            if info.ctrl == CtrlType::Explicit {
                assert!(
                    !info.results.is_empty(),
                    "{op}: explicit type needs a result"
                );
            }
            if info.is_branch() || info.is_return() {
                assert!(info.is_terminator(), "{op}");
            }
        }
    }

    #[test]
    fn type_sets() {
        assert!(TypeSet::INT.contains(types::I128) && !TypeSet::INT64.contains(types::I128));
        assert!(TypeSet::ANY.contains(types::F32X4) && !TypeSet::INT.contains(types::I8X16));
        assert!(!TypeSet::ANY.contains(types::INVALID));
        assert_eq!(TypeSet::ADDR.to_string(), "i32|i64");
    }
}
