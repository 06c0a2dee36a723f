//! Turns source text into tokens: parentheses, `@`, integers and symbols.

use crate::error::{Error, Span};

/// One lexical token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `@`, as in `x @ pat`.
    At,
    /// An integer literal (decimal, `0x`, `0o`, `0b`, optionally negative, `_` separators).
    Int(i128),
    /// Any other atom: names, `_`, `$Const`, keywords.
    Sym(String),
}

/// A token with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Where it starts.
    pub span: Span,
}

fn is_delim(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | ';' | '@')
}

/// Lexes `text` (file number `file`). Errors are returned all together.
pub fn lex(file: usize, text: &str) -> Result<Vec<Token>, Vec<Error>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let c = chars[i];
        let span = Span { file, line, col };
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            col += 1;
            continue;
        }
        if c == ';' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '@' => Some(Tok::At),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token { tok, span });
            i += 1;
            col += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !is_delim(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        col += (i - start) as u32;
        if word.chars().any(|c| c.is_control()) {
            errors.push(Error::new(span, "invalid character in symbol"));
            continue;
        }
        let digits = word.strip_prefix('-').unwrap_or(&word);
        if digits.starts_with(|c: char| c.is_ascii_digit()) {
            match parse_int(&word) {
                Some(v) => out.push(Token {
                    tok: Tok::Int(v),
                    span,
                }),
                None => errors.push(Error::new(
                    span,
                    format!("invalid integer literal `{word}`"),
                )),
            }
        } else {
            out.push(Token {
                tok: Tok::Sym(word),
                span,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn parse_int(word: &str) -> Option<i128> {
    let (neg, rest) = match word.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, word),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b") {
        (2, d)
    } else {
        (10, rest)
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    // Parse as u128 so that full-width hex constants like 0xffff_ffff_ffff_ffff fit.
    let mag = u128::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > i128::MAX as u128 + 1 {
            return None;
        }
        Some((mag as i128).wrapping_neg())
    } else {
        i128::try_from(mag).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(0, s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_atoms_and_comments() {
        assert_eq!(
            toks("(rule x @ (f 0x1F -3 $C _)) ; comment\n;; more\n)"),
            vec![
                Tok::LParen,
                Tok::Sym("rule".into()),
                Tok::Sym("x".into()),
                Tok::At,
                Tok::LParen,
                Tok::Sym("f".into()),
                Tok::Int(31),
                Tok::Int(-3),
                Tok::Sym("$C".into()),
                Tok::Sym("_".into()),
                Tok::RParen,
                Tok::RParen,
                Tok::RParen,
            ]
        );
        assert_eq!(
            toks("0b101 0o17 1_000 -x"),
            vec![
                Tok::Int(5),
                Tok::Int(15),
                Tok::Int(1000),
                Tok::Sym("-x".into())
            ]
        );
    }

    #[test]
    fn tracks_positions() {
        let t = lex(2, "(a\n  bc)").unwrap();
        assert_eq!(
            t[2].span,
            Span {
                file: 2,
                line: 2,
                col: 3
            }
        );
        assert_eq!(
            t[3].span,
            Span {
                file: 2,
                line: 2,
                col: 5
            }
        );
    }

    #[test]
    fn bad_integer_is_error_with_position() {
        let e = lex(0, "(x\n 12z)").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "invalid integer literal `12z`");
        assert_eq!(
            e[0].span,
            Some(Span {
                file: 0,
                line: 2,
                col: 2
            })
        );
        let e = lex(0, "0x1_0000_0000_0000_0000_0000_0000_0000_0000").unwrap_err();
        assert_eq!(
            e[0].message,
            "invalid integer literal `0x1_0000_0000_0000_0000_0000_0000_0000_0000`"
        );
    }
}
