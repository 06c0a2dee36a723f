//! Runtime helpers ("libcalls") that compiled code calls for operations x86-64 has no
//! instruction for: 128-bit division and high multiplication, 128-bit integer to float
//! conversion, and `fma` without the FMA extension.
//!
//! Compiled code calls them by name (a [`RelocTarget::Name`](crate::machinst::RelocTarget)
//! relocation with `UserFuncName::Testcase(name)`); whoever links the code resolves the name
//! with [`LibCall::from_name`] and [`LibCall::address`]. Every helper uses the System V
//! calling convention (`extern "C"`, where an `i128` travels in two integer registers).
//! Traps (division by zero, `MIN / -1`) are checked by the compiled code before the call, so
//! the helpers never fail.

use kiln_ir::types;

use kiln_ir::{AbiParam, CallConv, Signature};

/// A runtime helper.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LibCall {
    /// `udiv.i128`
    UdivI128,
    /// `sdiv.i128` (operands already checked)
    SdivI128,
    /// `urem.i128`
    UremI128,
    /// `srem.i128` (`MIN srem -1` is 0)
    SremI128,
    /// `umulhi.i128`
    UmulhiI128,
    /// `smulhi.i128`
    SmulhiI128,
    /// `fcvt_from_sint.f32` of an `i128`
    I128ToF32,
    /// `fcvt_from_sint.f64` of an `i128`
    I128ToF64,
    /// `fcvt_from_uint.f32` of an `i128`
    U128ToF32,
    /// `fcvt_from_uint.f64` of an `i128`
    U128ToF64,
    /// The overflow flag of `umul_overflow.i128`
    UmulOverflowI128,
    /// The overflow flag of `smul_overflow.i128`
    SmulOverflowI128,
    /// `fma.f32`
    FmaF32,
    /// `fma.f64`
    FmaF64,
}

impl LibCall {
    /// Every helper.
    pub const ALL: [LibCall; 14] = [
        LibCall::UmulOverflowI128,
        LibCall::SmulOverflowI128,
        LibCall::UdivI128,
        LibCall::SdivI128,
        LibCall::UremI128,
        LibCall::SremI128,
        LibCall::UmulhiI128,
        LibCall::SmulhiI128,
        LibCall::I128ToF32,
        LibCall::I128ToF64,
        LibCall::U128ToF32,
        LibCall::U128ToF64,
        LibCall::FmaF32,
        LibCall::FmaF64,
    ];

    /// The symbol name.
    pub const fn name(self) -> &'static str {
        match self {
            LibCall::UdivI128 => "kiln_udiv_i128",
            LibCall::SdivI128 => "kiln_sdiv_i128",
            LibCall::UremI128 => "kiln_urem_i128",
            LibCall::SremI128 => "kiln_srem_i128",
            LibCall::UmulhiI128 => "kiln_umulhi_i128",
            LibCall::SmulhiI128 => "kiln_smulhi_i128",
            LibCall::I128ToF32 => "kiln_i128_to_f32",
            LibCall::I128ToF64 => "kiln_i128_to_f64",
            LibCall::U128ToF32 => "kiln_u128_to_f32",
            LibCall::U128ToF64 => "kiln_u128_to_f64",
            LibCall::UmulOverflowI128 => "kiln_umul_overflow_i128",
            LibCall::SmulOverflowI128 => "kiln_smul_overflow_i128",
            LibCall::FmaF32 => "kiln_fma_f32",
            LibCall::FmaF64 => "kiln_fma_f64",
        }
    }

    /// The helper called `name`, if any.
    pub fn from_name(name: &str) -> Option<LibCall> {
        let name = name.strip_prefix('%').unwrap_or(name);
        LibCall::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Its signature.
    pub fn signature(self) -> Signature {
        use types::*;
        let (params, ret): (&[Type], Type) = match self {
            LibCall::UdivI128
            | LibCall::SdivI128
            | LibCall::UremI128
            | LibCall::SremI128
            | LibCall::UmulhiI128
            | LibCall::SmulhiI128 => (&[I128, I128], I128),
            LibCall::UmulOverflowI128 | LibCall::SmulOverflowI128 => (&[I128, I128], I8),
            LibCall::I128ToF32 | LibCall::U128ToF32 => (&[I128], F32),
            LibCall::I128ToF64 | LibCall::U128ToF64 => (&[I128], F64),
            LibCall::FmaF32 => (&[F32, F32, F32], F32),
            LibCall::FmaF64 => (&[F64, F64, F64], F64),
        };
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params = params.iter().map(|&t| AbiParam::new(t)).collect();
        sig.returns.push(AbiParam::new(ret));
        sig
    }

    /// The address of the host implementation.
    pub fn address(self) -> usize {
        match self {
            LibCall::UdivI128 => udiv_i128 as *const () as usize,
            LibCall::SdivI128 => sdiv_i128 as *const () as usize,
            LibCall::UremI128 => urem_i128 as *const () as usize,
            LibCall::SremI128 => srem_i128 as *const () as usize,
            LibCall::UmulhiI128 => umulhi_i128 as *const () as usize,
            LibCall::SmulhiI128 => smulhi_i128 as *const () as usize,
            LibCall::I128ToF32 => i128_to_f32 as *const () as usize,
            LibCall::I128ToF64 => i128_to_f64 as *const () as usize,
            LibCall::U128ToF32 => u128_to_f32 as *const () as usize,
            LibCall::U128ToF64 => u128_to_f64 as *const () as usize,
            LibCall::UmulOverflowI128 => umul_overflow_i128 as *const () as usize,
            LibCall::SmulOverflowI128 => smul_overflow_i128 as *const () as usize,
            LibCall::FmaF32 => fma_f32 as *const () as usize,
            LibCall::FmaF64 => fma_f64 as *const () as usize,
        }
    }
}

extern "C" fn udiv_i128(a: u128, b: u128) -> u128 {
    a.checked_div(b).unwrap_or(0)
}

extern "C" fn sdiv_i128(a: i128, b: i128) -> i128 {
    a.checked_div(b).unwrap_or(0)
}

extern "C" fn urem_i128(a: u128, b: u128) -> u128 {
    a.checked_rem(b).unwrap_or(0)
}

extern "C" fn srem_i128(a: i128, b: i128) -> i128 {
    if b == 0 {
        0
    } else {
        a.wrapping_rem(b)
    }
}

/// High 128 bits of the 256-bit product, from 64-bit limbs.
fn mulhi_u(a: u128, b: u128) -> u128 {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 as u64 as u128) + (p10 as u64 as u128);
    p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64)
}

extern "C" fn umulhi_i128(a: u128, b: u128) -> u128 {
    mulhi_u(a, b)
}

extern "C" fn smulhi_i128(a: i128, b: i128) -> i128 {
    // Signed high half = unsigned high half minus the corrections for negative operands.
    let mut hi = mulhi_u(a as u128, b as u128);
    if a < 0 {
        hi = hi.wrapping_sub(b as u128);
    }
    if b < 0 {
        hi = hi.wrapping_sub(a as u128);
    }
    hi as i128
}

extern "C" fn umul_overflow_i128(a: u128, b: u128) -> u8 {
    a.checked_mul(b).is_none() as u8
}

extern "C" fn smul_overflow_i128(a: i128, b: i128) -> u8 {
    a.checked_mul(b).is_none() as u8
}

extern "C" fn i128_to_f32(a: i128) -> f32 {
    a as f32
}

extern "C" fn i128_to_f64(a: i128) -> f64 {
    a as f64
}

extern "C" fn u128_to_f32(a: u128) -> f32 {
    a as f32
}

extern "C" fn u128_to_f64(a: u128) -> f64 {
    a as f64
}

/// IR NaN rule: the first NaN operand, quieted.
extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    match [a, b, c].into_iter().find(|x| x.is_nan()) {
        Some(n) => f32::from_bits(n.to_bits() | 0x0040_0000),
        None => a.mul_add(b, c),
    }
}

/// IR NaN rule: the first NaN operand, quieted.
extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
    match [a, b, c].into_iter().find(|x| x.is_nan()) {
        Some(n) => f64::from_bits(n.to_bits() | 0x0008_0000_0000_0000),
        None => a.mul_add(b, c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_products() {
        assert_eq!(umulhi_i128(u128::MAX, u128::MAX), u128::MAX - 1);
        assert_eq!(umulhi_i128(1 << 64, 1 << 64), 1);
        assert_eq!(smulhi_i128(-1, -1), 0);
        assert_eq!(smulhi_i128(-1, 1), -1);
        assert_eq!(smulhi_i128(i128::MIN, i128::MIN), 1 << 126);
        assert_eq!(srem_i128(i128::MIN, -1), 0);
    }

    #[test]
    fn names_round_trip() {
        for l in LibCall::ALL {
            assert_eq!(LibCall::from_name(l.name()), Some(l));
        }
        assert_eq!(LibCall::from_name("%kiln_fma_f64"), Some(LibCall::FmaF64));
    }
}
