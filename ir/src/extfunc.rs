//! Names of functions, and the functions a function refers to.

use crate::entities::SigRef;
use core::fmt;

/// The name of a function: a test-case name (`%name`) or a user-defined `u<namespace>:<index>`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum UserFuncName {
    /// `u0:1`: numbers an embedder maps to its own symbols.
    User {
        /// The namespace.
        namespace: u32,
        /// The index within the namespace.
        index: u32,
    },
    /// `%name`.
    Testcase(String),
}

impl Default for UserFuncName {
    fn default() -> Self {
        UserFuncName::User {
            namespace: 0,
            index: 0,
        }
    }
}

impl UserFuncName {
    /// A `%name` name.
    pub fn testcase(name: impl Into<String>) -> Self {
        UserFuncName::Testcase(name.into())
    }

    /// A `u<namespace>:<index>` name.
    pub const fn user(namespace: u32, index: u32) -> Self {
        UserFuncName::User { namespace, index }
    }
}

impl fmt::Display for UserFuncName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserFuncName::User { namespace, index } => write!(f, "u{namespace}:{index}"),
            UserFuncName::Testcase(name) => write!(f, "%{name}"),
        }
    }
}

/// A function that a function calls or takes the address of.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExtFuncData {
    /// Its name.
    pub name: UserFuncName,
    /// Its signature.
    pub signature: SigRef,
    /// Whether it is placed near the caller, so a relative call reaches it.
    pub colocated: bool,
}

/// Prints `colocated %g sig0`.
impl fmt::Display for ExtFuncData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.colocated {
            f.write_str("colocated ")?;
        }
        write!(f, "{} {}", self.name, self.signature)
    }
}
