//! Positions in the source and the errors of every stage.

use std::fmt;

/// A place in the source: 1-based line and column (in characters).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// An error with the place it is about, if it has one (a trap at run time has none).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Error {
    pub pos: Option<Pos>,
    pub message: String,
}

impl Error {
    /// An error at `pos`.
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Error {
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// An error about the whole program.
    pub fn general(message: impl Into<String>) -> Self {
        Error {
            pos: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
