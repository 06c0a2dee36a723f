//! The parser of the text format (compatible with Cranelift's CLIF).
//!
//! [`parse_test`] reads a whole test file: header lines (`test`, `target`, `set`), then
//! functions in the format [`write`](crate::write) prints, keeping value and block numbers.
//! Anything the printer writes parses back to a function that prints the same.
//!
//! Values may be used before the line that defines them (blocks need not be in dominance
//! order); an instruction whose result types depend on such a value is typed as soon as the
//! value is. Errors carry the 1-based line and column of the offending token; no input makes
//! the parser panic, and entity numbers are capped (see [`MAX_ENTITY_NUMBER`]) so none makes
//! it allocate without bound.

mod function;
mod header;
mod inst;
mod lexer;
#[cfg(test)]
mod tests;

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

/// The largest value or block number ever accepted (`v10000000`); larger ones are errors.
/// Numbers above 2^20 are accepted only in inputs at least that many bytes long, so that the
/// memory the parser allocates stays proportional to its input.
pub const MAX_ENTITY_NUMBER: u32 = function::MAX_ENTITY;

/// Parses a test file: optional header lines (`test`, `target`, `set`), then functions.
pub fn parse_test(text: &str) -> Result<TestFile, ParseError> {
    parse(text, true)
}

/// Parses zero or more functions (no header lines allowed).
pub fn parse_functions(text: &str) -> Result<Vec<Function>, ParseError> {
    parse(text, false).map(|t| t.functions.into_iter().map(|f| f.func).collect())
}

fn parse(text: &str, allow_header: bool) -> Result<TestFile, ParseError> {
    let mut file = TestFile::default();
    let mut comments = Vec::new();
    let start = header::parse_header(text, allow_header, &mut file, &mut comments)?;
    let mut p = function::Parser::new(text, start.offset, start.line)?;
    while p.tok.tok != lexer::Tok::Eof {
        file.functions.push(p.function()?);
    }
    comments.append(&mut p.lex.comments);

    // Each comment belongs to the last function starting at or before its line.
    let mut rest = comments.into_iter().peekable();
    let first_line = file.functions.first().map_or(u32::MAX, |f| f.line);
    while let Some(c) = rest.next_if(|c| c.line < first_line) {
        file.preamble_comments.push(c);
    }
    let starts: Vec<u32> = file.functions.iter().skip(1).map(|f| f.line).collect();
    for (i, f) in file.functions.iter_mut().enumerate() {
        let end = starts.get(i).copied().unwrap_or(u32::MAX);
        while let Some(c) = rest.next_if(|c| c.line < end) {
            f.comments.push(c);
        }
    }
    Ok(file)
}
