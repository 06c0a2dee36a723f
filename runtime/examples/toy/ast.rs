//! The syntax tree. Every value is a 64-bit signed integer.

use crate::error::Pos;

/// A whole program: its functions, in source order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Program {
    pub functions: Vec<FunctionDef>,
}

/// `fn name(a, b) { ... }`
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FunctionDef {
    pub name: String,
    pub pos: Pos,
    pub params: Vec<(String, Pos)>,
    pub body: Vec<Stmt>,
}

/// A statement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Stmt {
    /// `let name = value;` declares a variable in the enclosing `{ }` block.
    Let { name: String, pos: Pos, value: Expr },
    /// `name = value;`
    Assign { name: String, pos: Pos, value: Expr },
    /// `if cond { .. } else { .. }` (`else if` nests another `if` in the else branch).
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
    /// `while cond { .. }`
    While { cond: Expr, body: Vec<Stmt> },
    /// `return value;` (`return;` returns 0).
    Return(Option<Expr>),
    /// `value;` for its effects.
    Expr(Expr),
}

/// An expression and where it starts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

/// What an expression is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExprKind {
    Int(i64),
    Var(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// `-x`, `!x` (1 if x is 0, else 0).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnOp {
    Neg,
    Not,
}

/// Binary operators; comparisons give 1 or 0. Arithmetic wraps; `/` and `%` trap on a zero
/// divisor (and `/` on `MIN / -1`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}
