//! The parser of the text format (compatible with Cranelift's CLIF).
//!
//! STUB: the API below is the contract; the implementation is being written.

use crate::entities::Inst;
use crate::entity::SecondaryMap;
use crate::function::Function;
use core::fmt;

/// A parse error at a 1-based line and column.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
}

/// Prints `line:col: message`; callers prefix the file name.
impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A `test NAME [OPTIONS...]` header line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TestCommand {
    /// The test name: `cat`, `verifier`, `interpret`, `run`, `compile`, ...
    pub name: String,
    /// Words after the name (e.g. `precise-output`).
    pub options: Vec<String>,
    /// 1-based line.
    pub line: u32,
}

/// A `target ISA [FLAGS...]` header line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TargetLine {
    /// The ISA name, e.g. `x86_64` or `aarch64`.
    pub isa: String,
    /// The words after it, e.g. `has_avx`.
    pub flags: Vec<String>,
    /// 1-based line.
    pub line: u32,
}

/// A `set NAME[=VALUE]` header line (one per setting; `set a=1 b` gives two).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SetLine {
    /// The setting name.
    pub name: String,
    /// The value, if one was given.
    pub value: Option<String>,
    /// 1-based line.
    pub line: u32,
}

/// A `;` comment: its line and its text after the `;`, trimmed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Comment {
    /// 1-based line.
    pub line: u32,
    /// The text after `;`, without leading and trailing whitespace.
    pub text: String,
}

/// A function as parsed, with the source positions a test runner needs.
#[derive(Clone, Debug)]
pub struct ParsedFunction {
    /// The function.
    pub func: Function,
    /// 1-based line of its `function` keyword.
    pub line: u32,
    /// The 1-based line of each instruction.
    pub inst_lines: SecondaryMap<Inst, u32>,
    /// Comments from the `function` keyword up to the next function (or end of file).
    pub comments: Vec<Comment>,
}

/// A whole test file: header lines, then functions.
#[derive(Clone, Debug, Default)]
pub struct TestFile {
    /// `test` lines.
    pub commands: Vec<TestCommand>,
    /// `target` lines.
    pub targets: Vec<TargetLine>,
    /// `set` settings.
    pub settings: Vec<SetLine>,
    /// Comments before the first function.
    pub preamble_comments: Vec<Comment>,
    /// The functions, in order.
    pub functions: Vec<ParsedFunction>,
}

/// Parses a test file: optional header lines (`test`, `target`, `set`), then functions.
pub fn parse_test(text: &str) -> Result<TestFile, ParseError> {
    let _ = text;
    Err(ParseError {
        line: 1,
        col: 1,
        message: "parser not implemented yet".into(),
    })
}

/// Parses zero or more functions (no header lines allowed).
pub fn parse_functions(text: &str) -> Result<Vec<Function>, ParseError> {
    parse_test(text).map(|t| t.functions.into_iter().map(|f| f.func).collect())
}
