//! Operands of x86-64 instructions.
//!
//! Memory operands carry their access width in their type ([`Mem8`] .. [`Mem128`]), and so do
//! register-or-memory operands ([`GprMem32`], [`XmmMem64`], ...). An instruction that reads 16
//! bytes takes an [`XmmMem128`], which can only be built from an SSE register or a [`Mem128`]:
//! there is deliberately no conversion from a narrower memory operand, so a lowering rule that
//! sinks an 8-byte load into a 16-byte access does not compile.
//!
//! ```
//! use kiln_backend_x64::isa::x64::{regs, Amode, Mem128, Mem64, XmmMem128, XmmMem64};
//! let a = Amode::imm_reg(8, regs::RDI);
//! let ok: XmmMem128 = Mem128::new(a).into();
//! let also_ok: XmmMem64 = Mem64::new(a).into();
//! # let _ = (ok, also_ok);
//! ```
//!
//! The two failing examples below differ from compiling code only in the width:
//!
//! ```
//! use kiln_backend_x64::isa::x64::{regs, Amode, Mem64, MInst, SseOp64, XmmMem64};
//! use kiln_backend_x64::machinst::Writable;
//! let a = Amode::imm_reg(0, regs::RAX);
//! let x = regs::xmm(0);
//! let _ = MInst::XmmRmR64 {
//!     op: SseOp64::Addsd,
//!     src1: x,
//!     src2: XmmMem64::Mem(Mem64::new(a)),
//!     dst: Writable::from_reg(x),
//!     avx: false,
//! };
//! ```
//!
//! ```compile_fail
//! use kiln_backend_x64::isa::x64::{regs, Amode, Mem64, XmmMem128};
//! // An 8-byte memory operand is not a 16-byte one.
//! let wrong: XmmMem128 = Mem64::new(Amode::imm_reg(8, regs::RDI)).into();
//! ```
//!
//! ```compile_fail
//! use kiln_backend_x64::isa::x64::{regs, Amode, Mem32, MInst, SseOp64, XmmMem64};
//! use kiln_backend_x64::machinst::Writable;
//! // `addsd` reads 8 bytes: a 4-byte operand does not fit.
//! let a = Amode::imm_reg(0, regs::RAX);
//! let x = regs::xmm(0);
//! let _ = MInst::XmmRmR64 {
//!     op: SseOp64::Addsd,
//!     src1: x,
//!     src2: XmmMem64::Mem(Mem32::new(a)),
//!     dst: Writable::from_reg(x),
//!     avx: false,
//! };
//! ```

use crate::machinst::{Label, Reg, RegClass, Writable};
use core::fmt;

/// A general-purpose (integer) register.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Gpr(Reg);

/// An SSE (`xmm`) register.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Xmm(Reg);

macro_rules! reg_newtype {
    ($t:ident, $class:expr, $what:literal) => {
        impl $t {
            /// Wraps `r` if it has the right register class.
            pub const fn new(r: Reg) -> Option<$t> {
                if matches!((r.class(), $class), (RegClass::Int, RegClass::Int))
                    || matches!((r.class(), $class), (RegClass::Float, RegClass::Float))
                {
                    Some($t(r))
                } else {
                    None
                }
            }

            /// Wraps `r`, which must have the right class (for constants; panics otherwise).
            pub const fn unwrap_new(r: Reg) -> $t {
                match $t::new(r) {
                    Some(x) => x,
                    None => panic!(concat!("not a ", $what, " register")),
                }
            }

            /// The underlying register.
            pub const fn to_reg(self) -> Reg {
                self.0
            }

            /// The underlying register, for rewriting it after allocation.
            pub fn reg_mut(&mut self) -> &mut Reg {
                &mut self.0
            }

            /// The hardware encoding (0..=15), if this is a physical register.
            pub const fn enc(self) -> Option<u8> {
                match self.0.to_preg() {
                    Some(p) => Some(p.hw_enc() as u8),
                    None => None,
                }
            }
        }
    };
}
reg_newtype!(Gpr, RegClass::Int, "general-purpose");
reg_newtype!(Xmm, RegClass::Float, "SSE");

/// A general-purpose register an instruction writes.
pub type WritableGpr = Writable<Gpr>;
/// An SSE register an instruction writes.
pub type WritableXmm = Writable<Xmm>;

/// The width of an integer operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OperandSize {
    /// 8 bits.
    S8,
    /// 16 bits.
    S16,
    /// 32 bits.
    S32,
    /// 64 bits.
    S64,
}

impl OperandSize {
    /// The width in bytes.
    pub const fn bytes(self) -> u32 {
        match self {
            OperandSize::S8 => 1,
            OperandSize::S16 => 2,
            OperandSize::S32 => 4,
            OperandSize::S64 => 8,
        }
    }

    /// The size of `bits` (8, 16, 32, 64).
    pub const fn from_bits(bits: u32) -> Option<OperandSize> {
        match bits {
            8 => Some(OperandSize::S8),
            16 => Some(OperandSize::S16),
            32 => Some(OperandSize::S32),
            64 => Some(OperandSize::S64),
            _ => None,
        }
    }
}

/// The factor an index register is multiplied by.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Scale {
    /// `*1`
    One,
    /// `*2`
    Two,
    /// `*4`
    Four,
    /// `*8`
    Eight,
}

impl Scale {
    /// The SIB `scale` field (log2 of the factor).
    pub const fn shift(self) -> u8 {
        match self {
            Scale::One => 0,
            Scale::Two => 1,
            Scale::Four => 2,
            Scale::Eight => 3,
        }
    }

    /// The factor.
    pub const fn factor(self) -> u32 {
        1 << self.shift()
    }
}

/// An addressing mode: how an instruction computes an address. It has no width; see the
/// `MemN` types for memory operands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Amode {
    /// `[base + disp]` (register-indirect when `disp` is 0).
    ImmReg {
        /// Base register.
        base: Gpr,
        /// Signed displacement.
        disp: i32,
    },
    /// `[base + index * scale + disp]`. The index must not be `rsp`, which x86 cannot encode
    /// as an index.
    ImmRegRegShift {
        /// Base register.
        base: Gpr,
        /// Index register.
        index: Gpr,
        /// Factor of the index.
        scale: Scale,
        /// Signed displacement.
        disp: i32,
    },
    /// `[rip + label + offset]`: a code label or a constant of the pool.
    RipRelative {
        /// The label addressed.
        target: Label,
        /// Bytes added to the label's address (e.g. 8 for the high half of a 16-byte
        /// constant).
        offset: i32,
    },
}

impl Amode {
    /// `[base + disp]`.
    pub const fn imm_reg(disp: i32, base: Gpr) -> Amode {
        Amode::ImmReg { base, disp }
    }

    /// `[base + index * scale + disp]`.
    pub const fn imm_reg_reg_shift(disp: i32, base: Gpr, index: Gpr, scale: Scale) -> Amode {
        Amode::ImmRegRegShift {
            base,
            index,
            scale,
            disp,
        }
    }

    /// `[rip + target]`.
    pub const fn rip_relative(target: Label) -> Amode {
        Amode::RipRelative { target, offset: 0 }
    }

    /// The address `delta` bytes further (for the halves of 128-bit values), or `None` if
    /// the displacement overflows.
    pub fn offset(self, delta: i32) -> Option<Amode> {
        Some(match self {
            Amode::ImmReg { base, disp } => Amode::ImmReg {
                base,
                disp: disp.checked_add(delta)?,
            },
            Amode::ImmRegRegShift {
                base,
                index,
                scale,
                disp,
            } => Amode::ImmRegRegShift {
                base,
                index,
                scale,
                disp: disp.checked_add(delta)?,
            },
            Amode::RipRelative { target, offset } => Amode::RipRelative {
                target,
                offset: offset.checked_add(delta)?,
            },
        })
    }
}

macro_rules! mem_types {
    ($($(#[$m:meta])* $t:ident $bytes:literal;)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $t(Amode);

        impl $t {
            /// The access width in bytes.
            pub const BYTES: u32 = $bytes;

            /// A memory operand of this width at `amode`.
            pub const fn new(amode: Amode) -> $t {
                $t(amode)
            }

            /// The address.
            pub const fn amode(&self) -> &Amode {
                &self.0
            }
        }
    )*};
}
mem_types! {
    /// A 1-byte memory operand.
    Mem8 1;
    /// A 2-byte memory operand.
    Mem16 2;
    /// A 4-byte memory operand.
    Mem32 4;
    /// An 8-byte memory operand.
    Mem64 8;
    /// A 16-byte memory operand.
    Mem128 16;
}

macro_rules! reg_or_mem {
    ($($(#[$m:meta])* $t:ident($r:ident, $mem:ident);)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $t {
            /// A register.
            Reg($r),
            /// Memory of exactly this width.
            Mem($mem),
        }

        impl $t {
            /// The access width in bytes of the memory form.
            pub const BYTES: u32 = $mem::BYTES;

            /// The memory operand, if this is one.
            pub const fn mem(&self) -> Option<&$mem> {
                match self {
                    $t::Reg(_) => None,
                    $t::Mem(m) => Some(m),
                }
            }
        }

        impl From<$r> for $t {
            fn from(r: $r) -> $t {
                $t::Reg(r)
            }
        }

        impl From<$mem> for $t {
            fn from(m: $mem) -> $t {
                $t::Mem(m)
            }
        }
    )*};
}
reg_or_mem! {
    /// An 8-bit general-purpose register or a 1-byte memory operand.
    GprMem8(Gpr, Mem8);
    /// A 16-bit general-purpose register or a 2-byte memory operand.
    GprMem16(Gpr, Mem16);
    /// A 32-bit general-purpose register or a 4-byte memory operand.
    GprMem32(Gpr, Mem32);
    /// A 64-bit general-purpose register or an 8-byte memory operand.
    GprMem64(Gpr, Mem64);
    /// The low 32 bits of an SSE register or a 4-byte memory operand.
    XmmMem32(Xmm, Mem32);
    /// The low 64 bits of an SSE register or an 8-byte memory operand.
    XmmMem64(Xmm, Mem64);
    /// A whole SSE register or a 16-byte memory operand.
    XmmMem128(Xmm, Mem128);
}

/// A memory operand of any integer width; the width selects the instruction's operand size.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AnyMem {
    /// 1 byte.
    M8(Mem8),
    /// 2 bytes.
    M16(Mem16),
    /// 4 bytes.
    M32(Mem32),
    /// 8 bytes.
    M64(Mem64),
}

impl AnyMem {
    /// The operand size (the access width).
    pub const fn size(&self) -> OperandSize {
        match self {
            AnyMem::M8(_) => OperandSize::S8,
            AnyMem::M16(_) => OperandSize::S16,
            AnyMem::M32(_) => OperandSize::S32,
            AnyMem::M64(_) => OperandSize::S64,
        }
    }

    /// The address.
    pub const fn amode(&self) -> &Amode {
        match self {
            AnyMem::M8(m) => m.amode(),
            AnyMem::M16(m) => m.amode(),
            AnyMem::M32(m) => m.amode(),
            AnyMem::M64(m) => m.amode(),
        }
    }
}

/// The register or memory half of an operand, with the width kept apart (for the encoder).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegMemRef<'a> {
    /// A general-purpose register.
    Gpr(Gpr),
    /// An SSE register.
    Xmm(Xmm),
    /// Memory.
    Mem(&'a Amode),
}

macro_rules! sized_gpr_mem {
    ($($(#[$m:meta])* $t:ident { $($v:ident($inner:ident, $size:ident)),* };)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $t {
            $(
                #[doc = concat!("A [`", stringify!($inner), "`].")]
                $v($inner),
            )*
        }

        impl $t {
            /// The operand size, fixed by the width of the operand's type.
            pub const fn size(&self) -> OperandSize {
                match self {
                    $($t::$v(_) => OperandSize::$size,)*
                }
            }

            /// The register or the address.
            pub fn reg_mem(&self) -> RegMemRef<'_> {
                match self {
                    $(
                        $t::$v($inner::Reg(r)) => RegMemRef::Gpr(*r),
                        $t::$v($inner::Mem(m)) => RegMemRef::Mem(m.amode()),
                    )*
                }
            }

            /// The width of the memory access, if this is memory.
            pub const fn mem_width(&self) -> Option<u32> {
                match self {
                    $(
                        $t::$v($inner::Mem(_)) => Some($inner::BYTES),
                    )*
                    _ => None,
                }
            }
        }

        $(
            impl From<$inner> for $t {
                fn from(x: $inner) -> $t {
                    $t::$v(x)
                }
            }
        )*
    )*};
}
sized_gpr_mem! {
    /// An integer register or memory operand of any width (8 to 64 bits).
    AnyGprMem { B(GprMem8, S8), W(GprMem16, S16), L(GprMem32, S32), Q(GprMem64, S64) };
    /// An integer register or memory operand of 16, 32 or 64 bits (for instructions without a
    /// byte form, like `imul r, r/m` or `cmov`).
    WideGprMem { W(GprMem16, S16), L(GprMem32, S32), Q(GprMem64, S64) };
    /// An integer register or memory operand of 32 or 64 bits (`cvtsi2sd`, `andn`, `shlx`,
    /// `movd`/`movq`).
    GprMem32Or64 { L(GprMem32, S32), Q(GprMem64, S64) };
}

/// An integer condition, as encoded in the low nibble of `jcc`/`setcc`/`cmovcc`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum CC {
    /// Overflow (`o`).
    O = 0,
    /// No overflow (`no`).
    NO = 1,
    /// Unsigned below, carry (`b`).
    B = 2,
    /// Unsigned above or equal, no carry (`ae`).
    NB = 3,
    /// Equal, zero (`e`).
    Z = 4,
    /// Not equal, not zero (`ne`).
    NZ = 5,
    /// Unsigned below or equal (`be`).
    BE = 6,
    /// Unsigned above (`a`).
    NBE = 7,
    /// Sign (`s`).
    S = 8,
    /// No sign (`ns`).
    NS = 9,
    /// Parity, unordered after `ucomis` (`p`).
    P = 10,
    /// No parity, ordered after `ucomis` (`np`).
    NP = 11,
    /// Signed less (`l`).
    L = 12,
    /// Signed greater or equal (`ge`).
    NL = 13,
    /// Signed less or equal (`le`).
    LE = 14,
    /// Signed greater (`g`).
    NLE = 15,
}

impl CC {
    /// All conditions by encoding.
    pub const ALL: [CC; 16] = [
        CC::O,
        CC::NO,
        CC::B,
        CC::NB,
        CC::Z,
        CC::NZ,
        CC::BE,
        CC::NBE,
        CC::S,
        CC::NS,
        CC::P,
        CC::NP,
        CC::L,
        CC::NL,
        CC::LE,
        CC::NLE,
    ];

    /// The 4-bit encoding.
    pub const fn enc(self) -> u8 {
        self as u8
    }

    /// The opposite condition.
    pub const fn invert(self) -> CC {
        CC::ALL[(self as u8 ^ 1) as usize]
    }

    /// The condition of `a cc b` given `cc` for a signed or unsigned integer comparison.
    pub const fn from_intcc(cc: kiln_ir::IntCC) -> CC {
        use kiln_ir::IntCC as I;
        match cc {
            I::Equal => CC::Z,
            I::NotEqual => CC::NZ,
            I::SignedLessThan => CC::L,
            I::SignedGreaterThanOrEqual => CC::NL,
            I::SignedGreaterThan => CC::NLE,
            I::SignedLessThanOrEqual => CC::LE,
            I::UnsignedLessThan => CC::B,
            I::UnsignedGreaterThanOrEqual => CC::NB,
            I::UnsignedGreaterThan => CC::NBE,
            I::UnsignedLessThanOrEqual => CC::BE,
        }
    }

    /// The mnemonic suffix (`e`, `ne`, `l`, ...).
    pub const fn name(self) -> &'static str {
        [
            "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
        ][self as usize]
    }
}

impl fmt::Display for CC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
