//! Positions and diagnostics.
//!
//! Every error carries the position it refers to so that it can be rendered
//! as `file:line:col` with the offending source line and a caret underneath.

use std::fmt;

/// A position in one of the input files: file index plus 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Index of the file in the list handed to the compiler.
    pub file: usize,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number (in characters).
    pub col: u32,
}

/// One diagnostic: a message and, where the error is about the source, its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What is wrong.
    pub message: String,
    /// Where it is wrong; `None` only for errors about a file as a whole (e.g. I/O).
    pub span: Option<Span>,
}

impl Error {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            span: Some(span),
        }
    }
}

/// One input file: its display name and its text, kept to render source lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Name shown in diagnostics (usually the path).
    pub name: String,
    /// Full text of the file.
    pub text: String,
}

/// All errors found in a program, together with the sources needed to render them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Errors {
    /// The input files, indexed by [`Span::file`].
    pub files: Vec<SourceFile>,
    /// The errors, in the order they were found (sorted by position within each pass).
    pub errors: Vec<Error>,
}

impl Errors {
    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True if there are no errors.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The position of error `i` rendered as `file:line:col`.
    pub fn location(&self, i: usize) -> String {
        match self.errors[i].span {
            Some(s) => format!("{}:{}:{}", self.file_name(s.file), s.line, s.col),
            None => "<input>".to_string(),
        }
    }

    fn file_name(&self, file: usize) -> &str {
        self.files
            .get(file)
            .map_or("<unknown>", |f| f.name.as_str())
    }

    fn render_one(&self, e: &Error, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(span) = e.span else {
            return writeln!(f, "error: {}", e.message);
        };
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.file_name(span.file),
            span.line,
            span.col,
            e.message
        )?;
        let line = self
            .files
            .get(span.file)
            .and_then(|file| file.text.lines().nth(span.line as usize - 1));
        if let Some(line) = line {
            let num = span.line.to_string();
            let pad = " ".repeat(num.len());
            // Tabs are kept in the caret line so the caret lines up under them.
            let lead: String = line
                .chars()
                .take(span.col as usize - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {line}")?;
            writeln!(f, "{pad} | {lead}^")?;
        }
        Ok(())
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            self.render_one(e, f)?;
        }
        let n = self.errors.len();
        write!(f, "{n} error{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Errors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let errs = Errors {
            files: vec![SourceFile {
                name: "a.isle".into(),
                text: "(decl f () u32)\n(rule (g) 1)\n".into(),
            }],
            errors: vec![Error::new(
                Span {
                    file: 0,
                    line: 2,
                    col: 8,
                },
                "unknown term `g`",
            )],
        };
        let text = errs.to_string();
        assert_eq!(
            text,
            "a.isle:2:8: error: unknown term `g`\n  |\n2 | (rule (g) 1)\n  |        ^\n1 error"
        );
        assert_eq!(errs.location(0), "a.isle:2:8");
    }
}
