//! The parsed program, close to the surface syntax.

use crate::error::Span;

/// A name with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// One top-level form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Def {
    /// `(type Name ...)`
    Type(TypeDef),
    /// `(decl ...)`
    Decl(Decl),
    /// `(rule ...)`
    Rule(Rule),
    /// `(extractor (Term params...) pattern)`
    Extractor(ExtractorDef),
    /// `(extern constructor Term func)`
    ExternConstructor {
        /// The term.
        term: Ident,
        /// The Rust method name on `Context`.
        func: Ident,
    },
    /// `(extern extractor [infallible] Term func)`
    ExternExtractor {
        /// The term.
        term: Ident,
        /// The Rust method name on `Context`.
        func: Ident,
        /// Whether the extractor always succeeds.
        infallible: bool,
    },
    /// `(extern const $Name Type)`
    ExternConst {
        /// The constant, including the `$`.
        name: Ident,
        /// Its type.
        ty: Ident,
    },
    /// `(convert From To term)`
    Convert {
        /// Source type.
        from: Ident,
        /// Destination type.
        to: Ident,
        /// Converter term, of signature `(From) To`.
        term: Ident,
    },
}

/// `(type Name [extern] body)`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDef {
    /// The type's name.
    pub name: Ident,
    /// `extern`: the Rust enum is defined elsewhere, not generated.
    pub is_extern: bool,
    /// Primitive or enum.
    pub body: TypeBody,
}

/// The right-hand side of a type definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeBody {
    /// `(primitive RustName)`
    Primitive(Ident),
    /// `(enum variants...)`
    Enum(Vec<Variant>),
}

/// One enum variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Variant name.
    pub name: Ident,
    /// `(field Type)` pairs, in order.
    pub fields: Vec<(Ident, Ident)>,
}

/// `(decl [pure] [partial] [multi] Term (Args...) Ret)`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    /// Term name.
    pub term: Ident,
    /// Argument types.
    pub args: Vec<Ident>,
    /// Return type.
    pub ret: Ident,
    /// May be called from `if-let`/`if`.
    pub pure: bool,
    /// Constructor may fail (returns `Option`).
    pub partial: bool,
    /// Produces any number of results (returns `Vec`).
    pub multi: bool,
}

/// `(extractor (Term params...) template)`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractorDef {
    /// The term this macro defines the extractor of.
    pub term: Ident,
    /// Parameter names, substituted by the argument patterns at use sites.
    pub params: Vec<Ident>,
    /// The pattern the use expands to.
    pub template: Pattern,
}

/// `(rule [name] [prio] lhs clauses... rhs)`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Position of the `rule` form.
    pub span: Span,
    /// Optional name.
    pub name: Option<Ident>,
    /// Priority, higher fires first.
    pub prio: i64,
    /// The term being defined and its argument patterns.
    pub term: Ident,
    /// Argument patterns.
    pub args: Vec<Pattern>,
    /// `if-let` / `if` clauses, in order.
    pub clauses: Vec<IfLet>,
    /// The result.
    pub rhs: Expr,
}

/// `(if-let pat expr)`; `(if expr)` is `(if-let _ expr)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfLet {
    /// Pattern matched against the expression's value.
    pub pat: Pattern,
    /// Expression evaluated (may fail if it calls partial terms).
    pub expr: Expr,
}

/// A left-hand-side pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `_`
    Wildcard(Span),
    /// `x` (binds, or tests equality if `x` is already bound)
    Var(Ident),
    /// `x @ pat`
    Bind(Ident, Box<Pattern>),
    /// Integer literal.
    Int(i128, Span),
    /// `$Name`
    Const(Ident),
    /// `(and p...)`
    And(Vec<Pattern>, Span),
    /// `(Term p...)`, `(Variant p...)` or `(Type.Variant p...)`; a bare
    /// symbol naming a fieldless variant is parsed as `Var` and resolved later.
    Term(Ident, Vec<Pattern>),
}

impl Pattern {
    /// Position of the pattern.
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(s) | Pattern::Int(_, s) | Pattern::And(_, s) => *s,
            Pattern::Var(i) | Pattern::Bind(i, _) | Pattern::Const(i) | Pattern::Term(i, _) => {
                i.span
            }
        }
    }
}

/// A right-hand-side expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A variable (or a fieldless variant, resolved later).
    Var(Ident),
    /// Integer literal.
    Int(i128, Span),
    /// `$Name`
    Const(Ident),
    /// `(Term e...)` or variant construction.
    Call(Ident, Vec<Expr>),
    /// `(let ((x Ty e)...) body)`
    Let(Vec<LetBinding>, Box<Expr>, Span),
}

impl Expr {
    /// Position of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Var(i) | Expr::Const(i) | Expr::Call(i, _) => i.span,
            Expr::Int(_, s) | Expr::Let(_, _, s) => *s,
        }
    }
}

/// One `(x Ty e)` in a `let`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetBinding {
    /// Variable name (`_` discards the value).
    pub var: Ident,
    /// Declared type.
    pub ty: Ident,
    /// Value.
    pub expr: Expr,
}
