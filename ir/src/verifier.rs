//! The verifier: checks what a frontend author can get wrong.
//!
//! STUB: the API below is the contract; the implementation is being written.

use crate::entities::AnyEntity;
use crate::function::Function;
use core::fmt;

/// One problem found by the verifier.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifierError {
    /// Where: usually an instruction or block.
    pub location: AnyEntity,
    /// The instruction as text, when the location is an instruction.
    pub context: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Prints `inst3 (v4 = iadd v1, v2): message`.
impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(ctx) => write!(f, "{} ({}): {}", self.location, ctx, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Every problem found in a function.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VerifierErrors(pub Vec<VerifierError>);

/// One error per line.
impl fmt::Display for VerifierErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifierErrors {}

/// Checks `func`, reporting every problem found.
pub fn verify_function(func: &Function) -> Result<(), VerifierErrors> {
    let _ = func;
    Ok(())
}
