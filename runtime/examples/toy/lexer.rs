//! Source text to tokens.

use crate::error::{Error, Pos};

/// What a token is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Tok {
    Int(i64),
    Ident(String),
    Fn,
    Let,
    If,
    Else,
    While,
    Return,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Not,
    Eof,
}

impl Tok {
    /// How the token is shown in error messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Int(n) => format!("number `{n}`"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Eof => "the end of the file".to_string(),
            other => format!("`{}`", other.text()),
        }
    }

    fn text(&self) -> &'static str {
        match self {
            Tok::Fn => "fn",
            Tok::Let => "let",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::While => "while",
            Tok::Return => "return",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Assign => "=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Not => "!",
            Tok::Int(_) | Tok::Ident(_) | Tok::Eof => "",
        }
    }
}

/// A token and where it starts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

/// Splits `src` into tokens, ending with [`Tok::Eof`]. `//` starts a comment to the end of
/// the line.
pub fn lex(src: &str) -> Result<Vec<Token>, Error> {
    let chars: Vec<char> = src.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut col) = (0, 1, 1);
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
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
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let (tok, len) = token(&chars[i..], pos)?;
        tokens.push(Token { tok, pos });
        i += len;
        col += len as u32;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        pos: Pos { line, col },
    });
    Ok(tokens)
}

/// The token at the start of `rest` (not whitespace or a comment) and its length.
fn token(rest: &[char], pos: Pos) -> Result<(Tok, usize), Error> {
    let c = rest[0];
    if c.is_ascii_digit() {
        let len = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let text: String = rest[..len].iter().collect();
        let n = text
            .parse::<i64>()
            .map_err(|_| Error::at(pos, format!("invalid number `{text}`")))?;
        return Ok((Tok::Int(n), len));
    }
    if c.is_alphabetic() || c == '_' {
        let len = rest
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .count();
        let word: String = rest[..len].iter().collect();
        let tok = match word.as_str() {
            "fn" => Tok::Fn,
            "let" => Tok::Let,
            "if" => Tok::If,
            "else" => Tok::Else,
            "while" => Tok::While,
            "return" => Tok::Return,
            _ => Tok::Ident(word),
        };
        return Ok((tok, len));
    }
    Ok(match (c, rest.get(1).copied()) {
        ('=', Some('=')) => (Tok::Eq, 2),
        ('!', Some('=')) => (Tok::Ne, 2),
        ('<', Some('=')) => (Tok::Le, 2),
        ('>', Some('=')) => (Tok::Ge, 2),
        ('(', _) => (Tok::LParen, 1),
        (')', _) => (Tok::RParen, 1),
        ('{', _) => (Tok::LBrace, 1),
        ('}', _) => (Tok::RBrace, 1),
        (',', _) => (Tok::Comma, 1),
        (';', _) => (Tok::Semi, 1),
        ('=', _) => (Tok::Assign, 1),
        ('+', _) => (Tok::Plus, 1),
        ('-', _) => (Tok::Minus, 1),
        ('*', _) => (Tok::Star, 1),
        ('/', _) => (Tok::Slash, 1),
        ('%', _) => (Tok::Percent, 1),
        ('<', _) => (Tok::Lt, 1),
        ('>', _) => (Tok::Gt, 1),
        ('!', _) => (Tok::Not, 1),
        _ => return Err(Error::at(pos, format!("unexpected character `{c}`"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn tokens_and_positions() {
        let toks = lex("let x = 10;\n  x <= 2 // done\n!=").unwrap();
        let shown: Vec<(Tok, u32, u32)> = toks
            .into_iter()
            .map(|t| (t.tok, t.pos.line, t.pos.col))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Tok::Let, 1, 1),
                (Tok::Ident("x".into()), 1, 5),
                (Tok::Assign, 1, 7),
                (Tok::Int(10), 1, 9),
                (Tok::Semi, 1, 11),
                (Tok::Ident("x".into()), 2, 3),
                (Tok::Le, 2, 5),
                (Tok::Int(2), 2, 8),
                (Tok::Ne, 3, 1),
                (Tok::Eof, 3, 3),
            ]
        );
    }

    #[test]
    fn keywords_are_not_identifiers() {
        assert_eq!(
            kinds("fn fnord while_ return"),
            vec![
                Tok::Fn,
                Tok::Ident("fnord".into()),
                Tok::Ident("while_".into()),
                Tok::Return,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bad_characters_and_numbers_are_located() {
        assert_eq!(
            lex("x = 1;\n  y @ 2").unwrap_err().to_string(),
            "2:5: unexpected character `@`"
        );
        assert_eq!(
            lex("99999999999999999999").unwrap_err().to_string(),
            "1:1: invalid number `99999999999999999999`"
        );
        assert_eq!(
            lex("12ab").unwrap_err().to_string(),
            "1:1: invalid number `12ab`"
        );
    }
}
