//! The lexer of function text: one pass over the bytes, tokens borrow from the source.

use super::{Comment, ParseError};
use core::fmt;

/// A 1-based source position.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(super) struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// An error at this position.
    pub fn error(self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line,
            col: self.col,
            message: message.into(),
        }
    }
}

/// What a token is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tok<'a> {
    /// `[A-Za-z_][A-Za-z0-9_]*`: keywords, entity names, types, opcodes, flags.
    Word(&'a str),
    /// A literal starting with a digit or a sign: `12`, `-0x1.8p3`, `+8`, `+Inf`, `-NaN:0x1`.
    Number(&'a str),
    /// `%name`, without the `%`.
    Name(&'a str),
    /// `@0012`: a source location, accepted and ignored.
    SrcLoc,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Equal,
    Arrow,
    Dot,
    Eof,
}

/// Shows a token as it is written, for "found ..." messages.
impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match *self {
            Tok::Word(s) | Tok::Number(s) => return write!(f, "`{s}`"),
            Tok::Name(s) => return write!(f, "`%{s}`"),
            Tok::SrcLoc => "source location",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::Comma => "`,`",
            Tok::Colon => "`:`",
            Tok::Equal => "`=`",
            Tok::Arrow => "`->`",
            Tok::Dot => "`.`",
            Tok::Eof => "end of file",
        };
        f.write_str(s)
    }
}

/// A token and where it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'a> {
    pub tok: Tok<'a>,
    pub pos: Pos,
}

/// Splits function text into tokens, collecting `;` comments on the way.
pub(super) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    line_start: usize,
    /// Every comment seen so far, in order.
    pub comments: Vec<Comment>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    /// Lexes `src` from byte `start`, which is at the start of line `line`.
    pub fn new(src: &'a str, start: usize, line: u32) -> Self {
        Lexer {
            src,
            pos: start,
            line,
            line_start: start,
            comments: Vec::new(),
        }
    }

    fn here(&self) -> Pos {
        // Tokens are ASCII and a non-ASCII character outside comments is an error, so the byte
        // offset within the line is the character column.
        Pos {
            line: self.line,
            col: (self.pos - self.line_start + 1).min(u32::MAX as usize) as u32,
        }
    }

    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + ahead).copied()
    }

    fn scan_while(&mut self, f: impl Fn(u8) -> bool) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && f(bytes[self.pos]) {
            self.pos += 1;
        }
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token<'a>, ParseError> {
        let bytes = self.src.as_bytes();
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                return Ok(Token {
                    tok: Tok::Eof,
                    pos: self.here(),
                });
            };
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line = self.line.saturating_add(1);
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' | 0x0c => self.pos += 1,
                b';' => {
                    let line = self.line;
                    let start = self.pos + 1;
                    self.scan_while(|c| c != b'\n');
                    self.comments.push(Comment {
                        line,
                        text: self.src[start..self.pos].trim().to_string(),
                    });
                }
                _ => break,
            }
        }
        let pos = self.here();
        let start = self.pos;
        let b = bytes[start];
        let single = |tok| Ok(Token { tok, pos });
        let tok = match b {
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'{' => Tok::LBrace,
            b'}' => Tok::RBrace,
            b',' => Tok::Comma,
            b':' => Tok::Colon,
            b'=' => Tok::Equal,
            b'.' => Tok::Dot,
            b'-' if self.peek_byte(1) == Some(b'>') => {
                self.pos += 2;
                return single(Tok::Arrow);
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                self.scan_while(is_word_byte);
                return single(Tok::Word(&self.src[start..self.pos]));
            }
            b'0'..=b'9' => {
                self.scan_number();
                return single(Tok::Number(&self.src[start..self.pos]));
            }
            b'+' | b'-' => match self.peek_byte(1) {
                Some(c) if c.is_ascii_digit() => {
                    self.pos += 1;
                    self.scan_number();
                    return single(Tok::Number(&self.src[start..self.pos]));
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    // `+Inf`, `-NaN:0x1`, `+sNaN:0x1`.
                    self.pos += 1;
                    self.scan_while(|c| is_word_byte(c) || c == b':');
                    return single(Tok::Number(&self.src[start..self.pos]));
                }
                _ => return Err(pos.error(format!("unexpected character `{}`", b as char))),
            },
            b'%' => {
                self.pos += 1;
                self.scan_while(is_word_byte);
                if self.pos == start + 1 {
                    return Err(pos.error("expected a name after `%`"));
                }
                return single(Tok::Name(&self.src[start + 1..self.pos]));
            }
            b'@' => {
                self.pos += 1;
                self.scan_while(|c| c.is_ascii_hexdigit());
                if self.pos == start + 1 {
                    return Err(pos.error("expected hexadecimal digits after `@`"));
                }
                return single(Tok::SrcLoc);
            }
            _ => {
                let c = self.src[start..].chars().next().unwrap_or('?');
                return Err(pos.error(format!("unexpected character `{}`", c.escape_debug())));
            }
        };
        self.pos += 1;
        single(tok)
    }

    /// Scans the rest of a number whose first digit is at `self.pos`: digits, letters, `_`,
    /// `.`, and a sign right after a binary exponent `p` (or a decimal exponent `e`).
    fn scan_number(&mut self) {
        let bytes = self.src.as_bytes();
        let hex = matches!(bytes.get(self.pos + 1), Some(b'x' | b'X')) && bytes[self.pos] == b'0';
        while let Some(&c) = bytes.get(self.pos) {
            let after_exp = match bytes.get(self.pos.wrapping_sub(1)) {
                Some(b'p' | b'P') => true,
                Some(b'e' | b'E') => !hex,
                _ => false,
            };
            if is_word_byte(c) || c == b'.' || (after_exp && (c == b'+' || c == b'-')) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok<'_>> {
        let mut lx = Lexer::new(s, 0, 1);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn splits_clif() {
        use Tok::*;
        assert_eq!(
            toks("v6 = load.i32 notrap v1+8 ; c\n store v6, v1-4"),
            [
                Word("v6"),
                Equal,
                Word("load"),
                Dot,
                Word("i32"),
                Word("notrap"),
                Word("v1"),
                Number("+8"),
                Word("store"),
                Word("v6"),
                Comma,
                Word("v1"),
                Number("-4"),
            ]
        );
        assert_eq!(
            toks("-0x1.8p-3 1e-5 0x1e -NaN:0x1 +Inf u0:1 %f() -> @01a"),
            [
                Number("-0x1.8p-3"),
                Number("1e-5"),
                Number("0x1e"),
                Number("-NaN:0x1"),
                Number("+Inf"),
                Word("u0"),
                Colon,
                Number("1"),
                Name("f"),
                LParen,
                RParen,
                Arrow,
                SrcLoc,
            ]
        );
    }

    #[test]
    fn positions_and_comments() {
        let mut lx = Lexer::new("a\n  ; hi there \n  bc", 0, 1);
        assert_eq!(lx.next_token().unwrap().pos, Pos { line: 1, col: 1 });
        let t = lx.next_token().unwrap();
        assert_eq!((t.tok, t.pos), (Tok::Word("bc"), Pos { line: 3, col: 3 }));
        assert_eq!(
            lx.comments,
            [Comment {
                line: 2,
                text: "hi there".into()
            }]
        );
        let e = Lexer::new("  é", 0, 7).next_token().unwrap_err();
        assert_eq!(
            (e.line, e.col, e.message.as_str()),
            (7, 3, "unexpected character `é`")
        );
    }
}
