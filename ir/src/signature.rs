//! Function signatures and calling conventions.

use crate::types::Type;
use core::fmt;
use core::str::FromStr;

/// A calling convention.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum CallConv {
    /// Kiln's own convention; the default, as in Cranelift's text format.
    #[default]
    Fast,
    /// Like `fast`, for rarely called functions.
    Cold,
    /// The System V AMD64 ABI.
    SystemV,
    /// A convention that supports tail calls.
    Tail,
}

impl CallConv {
    const ALL: [CallConv; 4] = [
        CallConv::Fast,
        CallConv::Cold,
        CallConv::SystemV,
        CallConv::Tail,
    ];

    /// The text-format name.
    pub const fn name(self) -> &'static str {
        match self {
            CallConv::Fast => "fast",
            CallConv::Cold => "cold",
            CallConv::SystemV => "system_v",
            CallConv::Tail => "tail",
        }
    }
}

impl fmt::Display for CallConv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CallConv {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        CallConv::ALL.into_iter().find(|c| c.name() == s).ok_or(())
    }
}

/// How a narrow integer parameter or return value is extended to a register.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum ArgumentExtension {
    /// Upper bits are undefined.
    #[default]
    None,
    /// Zero-extended (`uext`).
    Uext,
    /// Sign-extended (`sext`).
    Sext,
}

/// What a parameter is for.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum ArgumentPurpose {
    /// An ordinary value.
    #[default]
    Normal,
    /// The runtime's context pointer (`vmctx`).
    VMContext,
}

/// One parameter or return value of a signature.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AbiParam {
    /// Its type.
    pub value_type: Type,
    /// How it is extended.
    pub extension: ArgumentExtension,
    /// What it is for.
    pub purpose: ArgumentPurpose,
}

impl AbiParam {
    /// An ordinary parameter of type `ty`.
    pub const fn new(ty: Type) -> Self {
        Self {
            value_type: ty,
            extension: ArgumentExtension::None,
            purpose: ArgumentPurpose::Normal,
        }
    }

    /// This parameter, zero-extended.
    pub const fn uext(self) -> Self {
        Self {
            extension: ArgumentExtension::Uext,
            ..self
        }
    }

    /// This parameter, sign-extended.
    pub const fn sext(self) -> Self {
        Self {
            extension: ArgumentExtension::Sext,
            ..self
        }
    }

    /// A parameter with a special purpose.
    pub const fn special(ty: Type, purpose: ArgumentPurpose) -> Self {
        Self {
            value_type: ty,
            extension: ArgumentExtension::None,
            purpose,
        }
    }
}

impl fmt::Display for AbiParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value_type)?;
        match self.extension {
            ArgumentExtension::None => {}
            ArgumentExtension::Uext => f.write_str(" uext")?,
            ArgumentExtension::Sext => f.write_str(" sext")?,
        }
        if self.purpose == ArgumentPurpose::VMContext {
            f.write_str(" vmctx")?;
        }
        Ok(())
    }
}

/// A function signature: parameters, returns and calling convention.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Signature {
    /// The parameters.
    pub params: Vec<AbiParam>,
    /// The return values.
    pub returns: Vec<AbiParam>,
    /// The calling convention.
    pub call_conv: CallConv,
}

impl Signature {
    /// An empty signature with calling convention `call_conv`.
    pub fn new(call_conv: CallConv) -> Self {
        Self {
            params: Vec::new(),
            returns: Vec::new(),
            call_conv,
        }
    }
}

/// Prints `(i32, i64 uext) -> i32 system_v`.
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")?;
        if !self.returns.is_empty() {
            f.write_str(" -> ")?;
            for (i, p) in self.returns.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{p}")?;
            }
        }
        write!(f, " {}", self.call_conv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{I32, I64, I8};

    #[test]
    fn display() {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(I8).uext());
        sig.params.push(AbiParam::new(I64));
        sig.returns.push(AbiParam::new(I32).sext());
        assert_eq!(sig.to_string(), "(i8 uext, i64) -> i32 sext system_v");
        assert_eq!(Signature::default().to_string(), "() fast");
        for cc in CallConv::ALL {
            assert_eq!(cc.name().parse(), Ok(cc));
        }
    }
}
