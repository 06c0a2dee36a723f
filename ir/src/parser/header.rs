//! Header lines before the first function: `test`, `target` and `set`.
//!
//! They are line-oriented (options are free-form words such as `precise-output`), so they are
//! read line by line rather than with the function lexer.

use super::{Comment, ParseError, SetLine, TargetLine, TestCommand, TestFile};

/// Where the functions start: byte offset of the first `function` line, and its line number.
pub(super) struct BodyStart {
    pub offset: usize,
    pub line: u32,
}

/// A word of a header line with its 1-based column.
struct Word<'a> {
    text: &'a str,
    col: u32,
}

fn words<'a>(line: &'a str, code: &'a str) -> Vec<Word<'a>> {
    code.split_ascii_whitespace()
        .map(|w| {
            let off = w.as_ptr() as usize - line.as_ptr() as usize;
            Word {
                text: w,
                col: line[..off].chars().count() as u32 + 1,
            }
        })
        .collect()
}

fn err(line: u32, col: u32, message: String) -> ParseError {
    ParseError { line, col, message }
}

/// Reads header lines (only if `allow_header`) and comments up to the first `function`
/// keyword, filling `file`; comments go to `comments`.
pub(super) fn parse_header(
    text: &str,
    allow_header: bool,
    file: &mut TestFile,
    comments: &mut Vec<Comment>,
) -> Result<BodyStart, ParseError> {
    let mut offset = 0;
    let mut line_no: u32 = 0;
    for line in text.split('\n') {
        line_no = line_no.saturating_add(1);
        let line_offset = offset;
        offset += line.len() + 1;
        let (code, comment) = match line.find(';') {
            Some(i) => (&line[..i], Some(&line[i + 1..])),
            None => (line, None),
        };
        let ws = words(line, code);
        if let Some(first) = ws.first() {
            if first.text == "function" {
                return Ok(BodyStart {
                    offset: line_offset,
                    line: line_no,
                });
            }
        }
        if let Some(c) = comment {
            comments.push(Comment {
                line: line_no,
                text: c.trim().to_string(),
            });
        }
        let Some(first) = ws.first() else { continue };
        let rest = &ws[1..];
        let is_header = matches!(first.text, "test" | "target" | "set");
        if !allow_header || !is_header {
            let expected = if allow_header {
                "expected `test`, `target`, `set` or `function`"
            } else {
                "expected `function`"
            };
            return Err(err(
                line_no,
                first.col,
                format!("{expected}, found `{}`", first.text),
            ));
        }
        let end_col = line.trim_end().chars().count() as u32 + 1;
        let owned = |ws: &[Word<'_>]| ws.iter().map(|w| w.text.to_string()).collect();
        match first.text {
            "test" => {
                let Some(name) = rest.first() else {
                    return Err(err(line_no, end_col, "expected a test name".into()));
                };
                file.commands.push(TestCommand {
                    name: name.text.to_string(),
                    options: owned(&rest[1..]),
                    line: line_no,
                });
            }
            "target" => {
                let Some(isa) = rest.first() else {
                    return Err(err(line_no, end_col, "expected an ISA name".into()));
                };
                file.targets.push(TargetLine {
                    isa: isa.text.to_string(),
                    flags: owned(&rest[1..]),
                    line: line_no,
                });
            }
            _ => {
                if rest.is_empty() {
                    return Err(err(line_no, end_col, "expected `NAME[=VALUE]`".into()));
                }
                parse_settings(rest, line_no, end_col, &mut file.settings)?;
            }
        }
    }
    Ok(BodyStart {
        offset: text.len(),
        line: line_no,
    })
}

/// `a=1 b c = 2`: settings with optional values, `=` with or without spaces around it.
fn parse_settings(
    ws: &[Word<'_>],
    line: u32,
    end_col: u32,
    out: &mut Vec<SetLine>,
) -> Result<(), ParseError> {
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        i += 1;
        let (name, mut value) = match w.text.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => match ws.get(i).and_then(|n| n.text.strip_prefix('=')) {
                Some(v) => {
                    i += 1;
                    (w.text, Some(v))
                }
                None => (w.text, None),
            },
        };
        if name.is_empty() {
            return Err(err(
                line,
                w.col,
                "expected a setting name before `=`".into(),
            ));
        }
        if value == Some("") {
            let Some(v) = ws.get(i) else {
                return Err(err(line, end_col, format!("expected a value for `{name}`")));
            };
            i += 1;
            value = Some(v.text);
        }
        out.push(SetLine {
            name: name.to_string(),
            value: value.map(str::to_string),
            line,
        });
    }
    Ok(())
}
