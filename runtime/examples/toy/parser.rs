//! Tokens to a syntax tree, by recursive descent.
//!
//! ```text
//! program    = function*
//! function   = "fn" IDENT "(" (IDENT ("," IDENT)*)? ")" block
//! block      = "{" stmt* "}"
//! stmt       = "let" IDENT "=" expr ";" | IDENT "=" expr ";" | "return" expr? ";"
//!            | "if" expr block ("else" (block | if))? | "while" expr block | expr ";"
//! expr       = additive (("==" | "!=" | "<" | "<=" | ">" | ">=") additive)*
//! additive   = term (("+" | "-") term)*
//! term       = unary (("*" | "/" | "%") unary)*
//! unary      = ("-" | "!") unary | primary
//! primary    = INT | IDENT | IDENT "(" (expr ("," expr)*)? ")" | "(" expr ")"
//! ```

use crate::ast::{BinOp, Expr, ExprKind, FunctionDef, Program, Stmt, UnOp};
use crate::error::{Error, Pos};
use crate::lexer::{lex, Tok, Token};

/// Parses a whole program.
pub fn parse(src: &str) -> Result<Program, Error> {
    let mut p = Parser {
        tokens: lex(src)?,
        next: 0,
    };
    let mut functions = Vec::new();
    while p.peek() != &Tok::Eof {
        functions.push(p.function()?);
    }
    Ok(Program { functions })
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.next].tok
    }

    fn pos(&self) -> Pos {
        self.tokens[self.next].pos
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.next].clone();
        // The final Eof is never consumed, so `peek` always has a token.
        if t.tok != Tok::Eof {
            self.next += 1;
        }
        t
    }

    fn error(&self, expected: &str) -> Error {
        Error::at(
            self.pos(),
            format!("expected {expected}, found {}", self.peek().describe()),
        )
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<Pos, Error> {
        if *self.peek() == tok {
            Ok(self.bump().pos)
        } else {
            Err(self.error(expected))
        }
    }

    fn ident(&mut self, expected: &str) -> Result<(String, Pos), Error> {
        match self.peek().clone() {
            Tok::Ident(name) => Ok((name, self.bump().pos)),
            _ => Err(self.error(expected)),
        }
    }

    fn function(&mut self) -> Result<FunctionDef, Error> {
        self.expect(Tok::Fn, "`fn`")?;
        let (name, pos) = self.ident("a function name")?;
        self.expect(Tok::LParen, "`(`")?;
        let mut params = Vec::new();
        if *self.peek() != Tok::RParen {
            loop {
                params.push(self.ident("a parameter name")?);
                if *self.peek() != Tok::Comma {
                    break;
                }
                self.bump();
            }
        }
        self.expect(Tok::RParen, "`,` or `)`")?;
        let body = self.block()?;
        Ok(FunctionDef {
            name,
            pos,
            params,
            body,
        })
    }

    fn block(&mut self) -> Result<Vec<Stmt>, Error> {
        self.expect(Tok::LBrace, "`{`")?;
        let mut stmts = Vec::new();
        while *self.peek() != Tok::RBrace {
            if *self.peek() == Tok::Eof {
                return Err(self.error("`}`"));
            }
            stmts.push(self.stmt()?);
        }
        self.bump();
        Ok(stmts)
    }

    fn stmt(&mut self) -> Result<Stmt, Error> {
        match self.peek().clone() {
            Tok::Let => {
                self.bump();
                let (name, pos) = self.ident("a variable name")?;
                self.expect(Tok::Assign, "`=`")?;
                let value = self.expr()?;
                self.expect(Tok::Semi, "`;`")?;
                Ok(Stmt::Let { name, pos, value })
            }
            Tok::Ident(name) if self.tokens[self.next + 1].tok == Tok::Assign => {
                let pos = self.bump().pos;
                self.bump();
                let value = self.expr()?;
                self.expect(Tok::Semi, "`;`")?;
                Ok(Stmt::Assign { name, pos, value })
            }
            Tok::Return => {
                self.bump();
                let value = if *self.peek() == Tok::Semi {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(Tok::Semi, "`;`")?;
                Ok(Stmt::Return(value))
            }
            Tok::If => self.if_stmt(),
            Tok::While => {
                self.bump();
                let cond = self.expr()?;
                let body = self.block()?;
                Ok(Stmt::While { cond, body })
            }
            _ => {
                let e = self.expr()?;
                self.expect(Tok::Semi, "`;`")?;
                Ok(Stmt::Expr(e))
            }
        }
    }

    fn if_stmt(&mut self) -> Result<Stmt, Error> {
        self.expect(Tok::If, "`if`")?;
        let cond = self.expr()?;
        let then = self.block()?;
        let otherwise = if *self.peek() == Tok::Else {
            self.bump();
            if *self.peek() == Tok::If {
                vec![self.if_stmt()?]
            } else {
                self.block()?
            }
        } else {
            Vec::new()
        };
        Ok(Stmt::If {
            cond,
            then,
            otherwise,
        })
    }

    /// Parses operands of `next` separated by the operators `ops` selects, left-associative.
    fn binary(
        &mut self,
        ops: fn(&Tok) -> Option<BinOp>,
        next: fn(&mut Self) -> Result<Expr, Error>,
    ) -> Result<Expr, Error> {
        let mut lhs = next(self)?;
        while let Some(op) = ops(self.peek()) {
            self.bump();
            let rhs = next(self)?;
            let pos = lhs.pos;
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                pos,
            };
        }
        Ok(lhs)
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        self.binary(
            |t| match t {
                Tok::Eq => Some(BinOp::Eq),
                Tok::Ne => Some(BinOp::Ne),
                Tok::Lt => Some(BinOp::Lt),
                Tok::Le => Some(BinOp::Le),
                Tok::Gt => Some(BinOp::Gt),
                Tok::Ge => Some(BinOp::Ge),
                _ => None,
            },
            Self::additive,
        )
    }

    fn additive(&mut self) -> Result<Expr, Error> {
        self.binary(
            |t| match t {
                Tok::Plus => Some(BinOp::Add),
                Tok::Minus => Some(BinOp::Sub),
                _ => None,
            },
            Self::term,
        )
    }

    fn term(&mut self) -> Result<Expr, Error> {
        self.binary(
            |t| match t {
                Tok::Star => Some(BinOp::Mul),
                Tok::Slash => Some(BinOp::Div),
                Tok::Percent => Some(BinOp::Rem),
                _ => None,
            },
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        let op = match self.peek() {
            Tok::Minus => UnOp::Neg,
            Tok::Not => UnOp::Not,
            _ => return self.primary(),
        };
        let pos = self.bump().pos;
        let operand = self.unary()?;
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            pos,
        })
    }

    fn primary(&mut self) -> Result<Expr, Error> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Int(n) => {
                self.bump();
                ExprKind::Int(n)
            }
            Tok::Ident(name) => {
                self.bump();
                if *self.peek() == Tok::LParen {
                    self.bump();
                    let mut args = Vec::new();
                    if *self.peek() != Tok::RParen {
                        loop {
                            args.push(self.expr()?);
                            if *self.peek() != Tok::Comma {
                                break;
                            }
                            self.bump();
                        }
                    }
                    self.expect(Tok::RParen, "`,` or `)`")?;
                    ExprKind::Call(name, args)
                } else {
                    ExprKind::Var(name)
                }
            }
            Tok::LParen => {
                self.bump();
                let e = self.expr()?;
                self.expect(Tok::RParen, "`)`")?;
                return Ok(Expr { kind: e.kind, pos });
            }
            _ => return Err(self.error("an expression")),
        };
        Ok(Expr { kind, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    #[test]
    fn precedence_and_associativity() {
        // 1 - 2 - 3 * 4 < 5  parses as  ((1 - 2) - (3 * 4)) < 5
        let prog = parse("fn f() { return 1 - 2 - 3 * 4 < 5; }").unwrap();
        let Stmt::Return(Some(e)) = &prog.functions[0].body[0] else {
            panic!("not a return: {prog:?}");
        };
        let int = |n, col| {
            Box::new(Expr {
                kind: ExprKind::Int(n),
                pos: p(1, col),
            })
        };
        let bin = |op, l, r, col| {
            Box::new(Expr {
                kind: ExprKind::Binary(op, l, r),
                pos: p(1, col),
            })
        };
        let expected = bin(
            BinOp::Lt,
            bin(
                BinOp::Sub,
                bin(BinOp::Sub, int(1, 17), int(2, 21), 17),
                bin(BinOp::Mul, int(3, 25), int(4, 29), 25),
                17,
            ),
            int(5, 33),
            17,
        );
        assert_eq!(e, &*expected);
    }

    #[test]
    fn statements() {
        let src = "fn main(a, b) {\n let x = -a;\n x = x + 1;\n if x { print(x); } else if !b { return; }\n while x < 3 { x = x + 1; }\n}";
        let f = &parse(src).unwrap().functions[0];
        assert_eq!(f.name, "main");
        assert_eq!(
            f.params,
            vec![("a".to_string(), p(1, 9)), ("b".to_string(), p(1, 12))]
        );
        assert_eq!(f.body.len(), 4);
        assert!(
            matches!(&f.body[0], Stmt::Let { name, pos, .. } if name == "x" && *pos == p(2, 6))
        );
        assert!(matches!(&f.body[1], Stmt::Assign { name, .. } if name == "x"));
        let Stmt::If { otherwise, .. } = &f.body[2] else {
            panic!()
        };
        assert!(matches!(&otherwise[..], [Stmt::If { then, .. }] if then == &[Stmt::Return(None)]));
        assert!(matches!(&f.body[3], Stmt::While { body, .. } if body.len() == 1));
    }

    #[test]
    fn errors_say_what_was_expected_where() {
        let err = |src: &str| parse(src).unwrap_err().to_string();
        assert_eq!(
            err("fn f() {\n  let = 3;\n}"),
            "2:7: expected a variable name, found `=`"
        );
        assert_eq!(err("fn f() { return 1 }"), "1:19: expected `;`, found `}`");
        assert_eq!(err("fn f(a b) {}"), "1:8: expected `,` or `)`, found `b`");
        assert_eq!(
            err("fn f() { x = (1 + ; }"),
            "1:19: expected an expression, found `;`"
        );
        assert_eq!(
            err("fn f() {\n  while 1 {\n"),
            "3:1: expected `}`, found the end of the file"
        );
        assert_eq!(err("let x = 1;"), "1:1: expected `fn`, found `let`");
    }
}
