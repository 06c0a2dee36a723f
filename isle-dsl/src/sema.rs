//! Semantic analysis: name resolution, type checking and the rules about where
//! partial, multi and pure terms may be used. Produces a typed [`Program`].

use std::collections::{BTreeMap, HashMap};

use crate::ast::{self, Def, Ident};
use crate::error::{Error, Span};

/// Index into [`Program::types`].
pub type TypeId = usize;
/// Index into [`Program::terms`].
pub type TermId = usize;
/// Index into [`Rule::vars`].
pub type VarId = usize;

/// A type of the program.
#[derive(Clone, Debug)]
pub struct TypeInfo {
    /// DSL (and Rust) name.
    pub name: String,
    /// Where it was defined.
    pub span: Span,
    /// Primitive or enum.
    pub kind: TypeKind,
}

/// What a type is.
#[derive(Clone, Debug)]
pub enum TypeKind {
    /// A Rust `Copy` type named `rust`.
    Primitive {
        /// The Rust type as written in `(primitive ...)`.
        rust: String,
    },
    /// An enum; generated in Rust unless `is_extern`.
    Enum {
        /// Defined in Rust elsewhere.
        is_extern: bool,
        /// Its variants.
        variants: Vec<VariantInfo>,
    },
}

/// One variant of an enum type.
#[derive(Clone, Debug)]
pub struct VariantInfo {
    /// Variant name.
    pub name: String,
    /// Named fields and their types.
    pub fields: Vec<(String, TypeId)>,
}

/// How a term is constructed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ctor {
    /// By a `Context` method.
    Extern(String),
    /// By the generated function for its rules.
    Internal,
}

/// How a term is matched in patterns.
#[derive(Clone, Debug)]
pub enum Extractor {
    /// By a `Context` method.
    Extern {
        /// Method name.
        func: String,
        /// Always succeeds.
        infallible: bool,
    },
    /// By expanding a template pattern.
    Macro {
        /// Parameter names.
        params: Vec<String>,
        /// Template pattern.
        template: ast::Pattern,
    },
}

/// A declared term.
#[derive(Clone, Debug)]
pub struct Term {
    /// Name.
    pub name: String,
    /// Position of the `decl`.
    pub span: Span,
    /// Argument types.
    pub args: Vec<TypeId>,
    /// Return type.
    pub ret: TypeId,
    /// Usable in `if-let`/`if`.
    pub pure: bool,
    /// Constructor may fail.
    pub partial: bool,
    /// Many results.
    pub multi: bool,
    /// Constructor, if any.
    pub ctor: Option<Ctor>,
    /// Extractor, if any.
    pub extractor: Option<Extractor>,
}

/// A typed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pat {
    /// Matches anything.
    Wildcard,
    /// Binds `var` (first occurrence) or tests equality with it, then matches `sub`.
    Var {
        /// The variable.
        var: VarId,
        /// First occurrence (binds) or a repeat (equality test).
        first: bool,
        /// Further pattern on the same value.
        sub: Box<Pat>,
    },
    /// Integer equality.
    Int(i128),
    /// Equality with an extern constant (name without `$`).
    Const(String),
    /// Enum variant with field patterns.
    Variant {
        /// The enum.
        ty: TypeId,
        /// Variant index.
        variant: usize,
        /// One pattern per field.
        fields: Vec<Pat>,
    },
    /// Extern extractor call; `args` match its outputs.
    Extract {
        /// The term.
        term: TermId,
        /// One pattern per term argument.
        args: Vec<Pat>,
    },
    /// All must match.
    And(Vec<Pat>),
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Variable.
    Var(VarId),
    /// Integer of the given type.
    Int(i128, TypeId),
    /// Extern constant (name without `$`) of the given type.
    Const(String, TypeId),
    /// Constructor call.
    Call(TermId, Vec<Expr>),
    /// Enum variant construction.
    Variant(TypeId, usize, Vec<Expr>),
    /// Local bindings; `None` discards the value.
    Let(Vec<(Option<VarId>, Expr)>, Box<Expr>),
}

/// A typed rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Position of the `rule` form.
    pub span: Span,
    /// Priority.
    pub prio: i64,
    /// The term it defines.
    pub term: TermId,
    /// Argument patterns.
    pub args: Vec<Pat>,
    /// `if-let` clauses in order (`if` has a wildcard pattern).
    pub clauses: Vec<(Pat, Expr)>,
    /// Right-hand side.
    pub rhs: Expr,
    /// Name and type of every variable.
    pub vars: Vec<(String, TypeId)>,
}

/// A type-checked program.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// All types, in definition order.
    pub types: Vec<TypeInfo>,
    /// All terms, in declaration order.
    pub terms: Vec<Term>,
    /// All rules, in source order.
    pub rules: Vec<Rule>,
}

impl Program {
    /// True if values of type `ty` are `Copy` (primitives) rather than cloned.
    pub fn is_primitive(&self, ty: TypeId) -> bool {
        matches!(self.types[ty].kind, TypeKind::Primitive { .. })
    }

    /// The Rust spelling of a type.
    pub fn rust_type(&self, ty: TypeId) -> &str {
        match &self.types[ty].kind {
            TypeKind::Primitive { rust } => rust,
            TypeKind::Enum { .. } => &self.types[ty].name,
        }
    }

    /// The variants of an enum type (empty for primitives).
    pub fn variants(&self, ty: TypeId) -> &[VariantInfo] {
        match &self.types[ty].kind {
            TypeKind::Enum { variants, .. } => variants,
            TypeKind::Primitive { .. } => &[],
        }
    }
}

const MAX_EXPANSION_DEPTH: usize = 64;
const MAX_EXPANSIONS: usize = 10_000;

/// Type of variables bound inside a pattern that failed to check: uses of
/// them are accepted silently so one mistake does not cascade into many.
const ERR_TY: TypeId = usize::MAX;

/// Rust keywords (strict and reserved), which cannot name generated items.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

fn is_rust_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
        && !RUST_KEYWORDS.contains(&s)
}

/// Names the generated module defines or relies on; an enum named so would clash.
const RESERVED_TYPE_NAMES: &[&str] = &["Context", "Option", "Some", "None", "Vec"];

/// Range of the Rust integer type `rust`, if it is one.
fn int_range(rust: &str) -> Option<(i128, i128)> {
    Some(match rust {
        "u8" => (0, u8::MAX as i128),
        "u16" => (0, u16::MAX as i128),
        "u32" => (0, u32::MAX as i128),
        "u64" => (0, u64::MAX as i128),
        "usize" => (0, u64::MAX as i128),
        "u128" => (0, i128::MAX),
        "i8" => (i8::MIN as i128, i8::MAX as i128),
        "i16" => (i16::MIN as i128, i16::MAX as i128),
        "i32" => (i32::MIN as i128, i32::MAX as i128),
        "i64" | "isize" => (i64::MIN as i128, i64::MAX as i128),
        "i128" => (i128::MIN, i128::MAX),
        _ => return None,
    })
}

struct Checker {
    prog: Program,
    type_map: HashMap<String, TypeId>,
    term_map: HashMap<String, TermId>,
    consts: HashMap<String, TypeId>,
    converts: HashMap<(TypeId, TypeId), TermId>,
    /// Extractor macro expansions in the current rule (bounded: a template may
    /// use a parameter twice, so nested uses can grow exponentially).
    expansions: usize,
    /// `Context` method names already taken, with the term that took them.
    funcs: HashMap<String, String>,
    errors: Vec<Error>,
}

/// Where an expression is evaluated, which decides what it may call.
#[derive(Clone, Copy)]
struct ExprCtx {
    /// Inside an `if-let`/`if` clause (failure means "rule does not match").
    clause: bool,
    /// The rule belongs to a `multi` term.
    multi_rule: bool,
}

/// Variables of one rule being checked.
#[derive(Default)]
struct Scope {
    vars: Vec<(String, TypeId)>,
    /// Visible names; `let` pushes and pops.
    visible: Vec<(String, VarId)>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<VarId> {
        self.visible
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
    }
    fn add(&mut self, name: &str, ty: TypeId) -> VarId {
        let id = self.vars.len();
        self.vars.push((name.to_string(), ty));
        self.visible.push((name.to_string(), id));
        id
    }
}

/// Checks a parsed program. All errors found are returned together.
pub fn check(defs: &[Def]) -> Result<Program, Vec<Error>> {
    let mut c = Checker {
        prog: Program::default(),
        type_map: HashMap::new(),
        term_map: HashMap::new(),
        consts: HashMap::new(),
        converts: HashMap::new(),
        funcs: HashMap::new(),
        expansions: 0,
        errors: Vec::new(),
    };
    c.collect_types(defs);
    c.collect_decls(defs);
    c.collect_externs(defs);
    c.collect_rules(defs);
    if c.errors.is_empty() {
        Ok(c.prog)
    } else {
        Err(c.errors)
    }
}

impl Checker {
    fn err(&mut self, span: Span, msg: impl Into<String>) {
        self.errors.push(Error::new(span, msg));
    }

    fn ty_name(&self, ty: TypeId) -> &str {
        &self.prog.types[ty].name
    }

    fn resolve_type(&mut self, id: &Ident) -> Option<TypeId> {
        let t = self.type_map.get(&id.name).copied();
        if t.is_none() {
            self.err(id.span, format!("unknown type `{}`", id.name));
        }
        t
    }

    fn check_ident(&mut self, id: &Ident, what: &str) {
        if !is_rust_ident(&id.name) {
            self.err(
                id.span,
                format!(
                    "{what} `{}` is not a valid Rust identifier, which the generated code needs",
                    id.name
                ),
            );
        }
    }

    /// A generated enum containing itself by value would have infinite size in Rust.
    fn check_enum_cycles(&mut self) {
        let n = self.prog.types.len();
        for start in 0..n {
            if !matches!(
                self.prog.types[start].kind,
                TypeKind::Enum {
                    is_extern: false,
                    ..
                }
            ) {
                continue;
            }
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            let mut cyclic = false;
            while let Some(t) = stack.pop() {
                let TypeKind::Enum {
                    is_extern: false,
                    variants,
                } = &self.prog.types[t].kind
                else {
                    continue;
                };
                for (_, f) in variants.iter().flat_map(|v| v.fields.iter()) {
                    if *f == start {
                        cyclic = true;
                    } else if !seen[*f] {
                        seen[*f] = true;
                        stack.push(*f);
                    }
                }
            }
            if cyclic {
                let ty = &self.prog.types[start];
                let msg = format!(
                    "enum `{}` contains itself (directly or through other enums), which a generated Rust enum cannot; make one of the types `extern` or a primitive",
                    ty.name
                );
                self.err(ty.span, msg);
            }
        }
    }

    fn collect_types(&mut self, defs: &[Def]) {
        let mut pending = Vec::new();
        for d in defs {
            let Def::Type(t) = d else { continue };
            if let Some(&prev) = self.type_map.get(&t.name.name) {
                let p = self.prog.types[prev].span;
                self.err(
                    t.name.span,
                    format!(
                        "duplicate definition of type `{}` (first defined at {}:{})",
                        t.name.name, p.line, p.col
                    ),
                );
                continue;
            }
            let kind = match &t.body {
                ast::TypeBody::Primitive(r) => {
                    // A Rust type path, possibly generic (`u32`, `crate::Reg`, `Vec<u8>`).
                    let ok = r
                        .name
                        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
                        && r.name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_:<>,".contains(c));
                    if !ok {
                        let msg = format!("`{}` is not a Rust type name", r.name);
                        self.err(r.span, msg);
                    }
                    TypeKind::Primitive {
                        rust: r.name.clone(),
                    }
                }
                ast::TypeBody::Enum(_) => {
                    if !t.is_extern {
                        self.check_ident(&t.name, "enum type name");
                        if RESERVED_TYPE_NAMES.contains(&t.name.name.as_str()) {
                            let msg = format!(
                                "enum type name `{}` clashes with a name the generated code uses",
                                t.name.name
                            );
                            self.err(t.name.span, msg);
                        }
                    }
                    TypeKind::Enum {
                        is_extern: t.is_extern,
                        variants: Vec::new(),
                    }
                }
            };
            let id = self.prog.types.len();
            self.prog.types.push(TypeInfo {
                name: t.name.name.clone(),
                span: t.name.span,
                kind,
            });
            self.type_map.insert(t.name.name.clone(), id);
            if let ast::TypeBody::Enum(vs) = &t.body {
                pending.push((id, vs));
            }
        }
        // Variant fields may name types defined later, so resolve them second.
        for (id, vs) in pending {
            let mut variants: Vec<VariantInfo> = Vec::new();
            for v in vs {
                if variants.iter().any(|x| x.name == v.name.name) {
                    self.err(
                        v.name.span,
                        format!(
                            "duplicate variant `{}` in enum `{}`",
                            v.name.name, self.prog.types[id].name
                        ),
                    );
                    continue;
                }
                self.check_ident(&v.name, "variant name");
                let mut fields: Vec<(String, TypeId)> = Vec::new();
                for (f, fty) in &v.fields {
                    self.check_ident(f, "field name");
                    if fields.iter().any(|x| x.0 == f.name) {
                        self.err(
                            f.span,
                            format!("duplicate field `{}` in variant `{}`", f.name, v.name.name),
                        );
                    }
                    if let Some(t) = self.resolve_type(fty) {
                        fields.push((f.name.clone(), t));
                    }
                }
                variants.push(VariantInfo {
                    name: v.name.name.clone(),
                    fields,
                });
            }
            if let TypeKind::Enum { variants: slot, .. } = &mut self.prog.types[id].kind {
                *slot = variants;
            }
        }
        self.check_enum_cycles();
        for d in defs {
            let Def::ExternConst { name, ty } = d else {
                continue;
            };
            let Some(t) = self.resolve_type(ty) else {
                continue;
            };
            if self.consts.contains_key(&name.name) {
                self.err(
                    name.span,
                    format!("duplicate definition of constant `{}`", name.name),
                );
                continue;
            }
            self.check_ident(
                &Ident {
                    name: name.name[1..].to_string(),
                    span: name.span,
                },
                "constant name",
            );
            self.consts.insert(name.name.clone(), t);
        }
    }

    fn collect_decls(&mut self, defs: &[Def]) {
        for d in defs {
            let Def::Decl(decl) = d else { continue };
            if let Some(&prev) = self.term_map.get(&decl.term.name) {
                let p = self.prog.terms[prev].span;
                self.err(
                    decl.term.span,
                    format!(
                        "duplicate declaration of term `{}` (first declared at {}:{})",
                        decl.term.name, p.line, p.col
                    ),
                );
                continue;
            }
            if decl.term.name.contains('.') {
                let msg = format!(
                    "term name `{}` cannot contain `.` (reserved for `Type.Variant`)",
                    decl.term.name
                );
                self.err(decl.term.span, msg);
                continue;
            }
            if decl.partial && decl.multi {
                self.err(decl.term.span, format!("term `{}` cannot be both `partial` and `multi` (a multi term may already produce no results)", decl.term.name));
            }
            let args: Vec<Option<TypeId>> =
                decl.args.iter().map(|a| self.resolve_type(a)).collect();
            let ret = self.resolve_type(&decl.ret);
            let (Some(args), Some(ret)) = (args.into_iter().collect::<Option<Vec<_>>>(), ret)
            else {
                continue;
            };
            let id = self.prog.terms.len();
            self.prog.terms.push(Term {
                name: decl.term.name.clone(),
                span: decl.term.span,
                args,
                ret,
                pure: decl.pure,
                partial: decl.partial,
                multi: decl.multi,
                ctor: None,
                extractor: None,
            });
            self.term_map.insert(decl.term.name.clone(), id);
        }
    }

    fn lookup_term(&mut self, id: &Ident) -> Option<TermId> {
        let t = self.term_map.get(&id.name).copied();
        if t.is_none() {
            self.err(id.span, format!("unknown term `{}`", id.name));
        }
        t
    }

    /// Each extern function becomes one `Context` method, so names must be unique.
    fn check_func(&mut self, func: &Ident, term: &str) {
        self.check_ident(func, "extern function name");
        if let Some(prev) = self.funcs.get(&func.name) {
            let msg = format!(
                "duplicate extern function `{}`: already used for term `{prev}`",
                func.name
            );
            self.err(func.span, msg);
        } else {
            self.funcs.insert(func.name.clone(), term.to_string());
        }
    }

    fn collect_externs(&mut self, defs: &[Def]) {
        for d in defs {
            match d {
                Def::ExternConstructor { term, func } => {
                    let Some(t) = self.lookup_term(term) else {
                        continue;
                    };
                    self.check_func(func, &term.name);
                    if self.prog.terms[t].ctor.is_some() {
                        self.err(
                            term.span,
                            format!("duplicate constructor for term `{}`", term.name),
                        );
                        continue;
                    }
                    self.prog.terms[t].ctor = Some(Ctor::Extern(func.name.clone()));
                }
                Def::ExternExtractor {
                    term,
                    func,
                    infallible,
                } => {
                    let Some(t) = self.lookup_term(term) else {
                        continue;
                    };
                    self.check_func(func, &term.name);
                    if self.prog.terms[t].extractor.is_some() {
                        self.err(
                            term.span,
                            format!("duplicate extractor for term `{}`", term.name),
                        );
                        continue;
                    }
                    if *infallible && self.prog.terms[t].multi {
                        self.err(
                            term.span,
                            format!(
                                "extractor for multi term `{}` cannot be `infallible`",
                                term.name
                            ),
                        );
                    }
                    self.prog.terms[t].extractor = Some(Extractor::Extern {
                        func: func.name.clone(),
                        infallible: *infallible,
                    });
                }
                Def::Extractor(x) => {
                    let Some(t) = self.lookup_term(&x.term) else {
                        continue;
                    };
                    if self.prog.terms[t].extractor.is_some() {
                        self.err(
                            x.term.span,
                            format!("duplicate extractor for term `{}`", x.term.name),
                        );
                        continue;
                    }
                    let n = self.prog.terms[t].args.len();
                    if x.params.len() != n {
                        self.err(
                            x.term.span,
                            format!("wrong number of arguments: term `{}` takes {n}, but the extractor has {} parameters", x.term.name, x.params.len()),
                        );
                        continue;
                    }
                    let params: Vec<String> = x.params.iter().map(|p| p.name.clone()).collect();
                    self.check_template_vars(&x.template, &params, &x.term.name);
                    self.prog.terms[t].extractor = Some(Extractor::Macro {
                        params,
                        template: x.template.clone(),
                    });
                }
                _ => {}
            }
        }
        for d in defs {
            let Def::Convert { from, to, term } = d else {
                continue;
            };
            let (f, t, c) = (
                self.resolve_type(from),
                self.resolve_type(to),
                self.lookup_term(term),
            );
            let (Some(f), Some(t), Some(c)) = (f, t, c) else {
                continue;
            };
            let tm = &self.prog.terms[c];
            if tm.args != [f] || tm.ret != t {
                self.err(
                    term.span,
                    format!(
                        "converter `{}` must be declared with signature ({}) {}",
                        term.name, from.name, to.name
                    ),
                );
                continue;
            }
            if self.converts.insert((f, t), c).is_some() {
                self.err(
                    from.span,
                    format!("duplicate conversion from `{}` to `{}`", from.name, to.name),
                );
            }
        }
    }

    fn check_template_vars(&mut self, p: &ast::Pattern, params: &[String], term: &str) {
        use ast::Pattern as P;
        match p {
            P::Var(v) | P::Bind(v, _) if !params.contains(&v.name) => {
                self.err(
                    v.span,
                    format!(
                        "variable `{}` in the extractor for `{term}` is not one of its parameters",
                        v.name
                    ),
                );
            }
            _ => {}
        }
        match p {
            P::Bind(_, s) => self.check_template_vars(s, params, term),
            P::And(ps, _) | P::Term(_, ps) => {
                for s in ps {
                    self.check_template_vars(s, params, term);
                }
            }
            _ => {}
        }
    }

    fn collect_rules(&mut self, defs: &[Def]) {
        // Decide which terms have internal constructors before checking any rule body.
        for d in defs {
            let Def::Rule(r) = d else { continue };
            let Some(&t) = self.term_map.get(&r.term.name) else {
                continue;
            };
            match self.prog.terms[t].ctor {
                Some(Ctor::Extern(_)) => {
                    self.err(
                        r.term.span,
                        format!(
                            "term `{}` has an extern constructor and cannot also have rules",
                            r.term.name
                        ),
                    );
                }
                _ => {
                    self.check_ident(&r.term, "term name");
                    self.prog.terms[t].ctor = Some(Ctor::Internal);
                }
            }
        }
        for d in defs {
            let Def::Rule(r) = d else { continue };
            if let Some(rule) = self.check_rule(r) {
                self.prog.rules.push(rule);
            }
        }
    }

    fn check_rule(&mut self, r: &ast::Rule) -> Option<Rule> {
        let t = self.lookup_term(&r.term)?;
        let term = self.prog.terms[t].clone();
        if matches!(term.ctor, Some(Ctor::Extern(_))) {
            return None;
        }
        if r.args.len() != term.args.len() {
            self.err(
                r.term.span,
                format!(
                    "wrong number of arguments: term `{}` takes {}, but {} given",
                    term.name,
                    term.args.len(),
                    r.args.len()
                ),
            );
            return None;
        }
        let before = self.errors.len();
        self.expansions = 0;
        let mut scope = Scope::default();
        let ctx = ExprCtx {
            clause: false,
            multi_rule: term.multi,
        };
        let args = r
            .args
            .iter()
            .zip(&term.args)
            .map(|(p, &ty)| self.check_pat(p, ty, &mut scope, ctx, 0))
            .collect();
        let mut clauses = Vec::new();
        for c in &r.clauses {
            let cctx = ExprCtx {
                clause: true,
                ..ctx
            };
            // The expression's type comes from the expression itself.
            let Some((e, ty)) = self.infer_expr(&c.expr, &mut scope, cctx) else {
                self.poison(&c.pat, &mut scope);
                continue;
            };
            let p = self.check_pat(&c.pat, ty, &mut scope, ctx, 0);
            clauses.push((p, e));
        }
        let rhs = self.check_expr(&r.rhs, term.ret, &mut scope, ctx);
        if self.errors.len() != before {
            return None;
        }
        Some(Rule {
            span: r.span,
            prio: r.prio,
            term: t,
            args,
            clauses,
            rhs: rhs?,
            vars: scope.vars,
        })
    }

    fn int_ok(&mut self, v: i128, ty: TypeId, span: Span) -> bool {
        match &self.prog.types[ty].kind {
            TypeKind::Enum { .. } => {
                self.err(
                    span,
                    format!(
                        "type mismatch: integer literal used where enum type `{}` is expected",
                        self.ty_name(ty)
                    ),
                );
                false
            }
            TypeKind::Primitive { rust } => match int_range(rust) {
                Some((lo, hi)) if v < lo || v > hi => {
                    self.err(
                        span,
                        format!(
                            "integer literal {v} is out of range for type `{}`",
                            self.ty_name(ty)
                        ),
                    );
                    false
                }
                _ => true,
            },
        }
    }

    fn mismatch(&mut self, span: Span, expected: TypeId, found: TypeId) {
        let msg = format!(
            "type mismatch: expected `{}`, found `{}`",
            self.ty_name(expected),
            self.ty_name(found)
        );
        self.err(span, msg);
    }

    /// Resolves `Type.Variant`, or a bare variant of the expected enum type.
    fn resolve_variant(&self, name: &str, expected: Option<TypeId>) -> Option<(TypeId, usize)> {
        if let Some((ty, v)) = name.split_once('.') {
            let t = *self.type_map.get(ty)?;
            let i = self.prog.variants(t).iter().position(|x| x.name == v)?;
            return Some((t, i));
        }
        let t = expected?;
        let i = self.prog.variants(t).iter().position(|x| x.name == name)?;
        Some((t, i))
    }

    fn check_pat(
        &mut self,
        p: &ast::Pattern,
        ty: TypeId,
        scope: &mut Scope,
        ctx: ExprCtx,
        depth: usize,
    ) -> Pat {
        use ast::Pattern as P;
        match p {
            P::Wildcard(_) => Pat::Wildcard,
            P::Var(v) => self.bind_var(v, ty, scope, Pat::Wildcard),
            P::Bind(v, sub) => {
                let sub = self.check_pat(sub, ty, scope, ctx, depth);
                self.bind_var(v, ty, scope, sub)
            }
            P::Int(v, s) => {
                self.int_ok(*v, ty, *s);
                Pat::Int(*v)
            }
            P::Const(c) => match self.consts.get(&c.name).copied() {
                None => {
                    self.err(c.span, format!("unknown constant `{}`", c.name));
                    Pat::Wildcard
                }
                Some(ct) => {
                    if ct != ty {
                        self.mismatch(c.span, ty, ct);
                    }
                    Pat::Const(c.name[1..].to_string())
                }
            },
            P::And(ps, _) => Pat::And(
                ps.iter()
                    .map(|s| self.check_pat(s, ty, scope, ctx, depth))
                    .collect(),
            ),
            P::Term(name, args) => {
                let before = self.errors.len();
                let p = self.check_term_pat(name, args, ty, scope, ctx, depth);
                if self.errors.len() != before {
                    args.iter().for_each(|a| self.poison(a, scope));
                }
                p
            }
        }
    }

    /// Binds the variables of a pattern that could not be checked.
    fn poison(&mut self, p: &ast::Pattern, scope: &mut Scope) {
        use ast::Pattern as P;
        match p {
            P::Var(v) | P::Bind(v, _) if scope.lookup(&v.name).is_none() => {
                scope.add(&v.name, ERR_TY);
            }
            _ => {}
        }
        match p {
            P::Bind(_, s) => self.poison(s, scope),
            P::And(ps, _) | P::Term(_, ps) => ps.iter().for_each(|s| self.poison(s, scope)),
            _ => {}
        }
    }

    fn bind_var(&mut self, v: &Ident, ty: TypeId, scope: &mut Scope, sub: Pat) -> Pat {
        if let Some(var) = scope.lookup(&v.name) {
            let vty = scope.vars[var].1;
            if vty != ty && vty != ERR_TY {
                let msg = format!(
                    "type mismatch: variable `{}` has type `{}` but is matched again against a `{}`",
                    v.name,
                    self.ty_name(vty),
                    self.ty_name(ty)
                );
                self.err(v.span, msg);
            }
            return Pat::Var {
                var,
                first: false,
                sub: Box::new(sub),
            };
        }
        Pat::Var {
            var: scope.add(&v.name, ty),
            first: true,
            sub: Box::new(sub),
        }
    }

    /// Wraps a pattern of type `inner` so it can match a value of type `outer`.
    fn convert_pat(&mut self, span: Span, inner: TypeId, outer: TypeId, p: Pat) -> Pat {
        if inner == outer {
            return p;
        }
        match self.converts.get(&(inner, outer)).copied() {
            Some(c) if self.prog.terms[c].extractor.is_some() => Pat::Extract {
                term: c,
                args: vec![p],
            },
            _ => {
                self.mismatch(span, outer, inner);
                Pat::Wildcard
            }
        }
    }

    fn check_term_pat(
        &mut self,
        name: &Ident,
        args: &[ast::Pattern],
        ty: TypeId,
        scope: &mut Scope,
        ctx: ExprCtx,
        depth: usize,
    ) -> Pat {
        let term = if name.name.contains('.') {
            None
        } else {
            self.term_map.get(&name.name).copied()
        };
        let Some(t) = term else {
            let Some((ety, v)) = self.resolve_variant(&name.name, Some(ty)) else {
                self.err(name.span, format!("unknown term `{}`", name.name));
                return Pat::Wildcard;
            };
            let fields = self.prog.variants(ety)[v].fields.clone();
            if fields.len() != args.len() {
                self.err(
                    name.span,
                    format!(
                        "wrong number of arguments: variant `{}` has {} field(s), but {} given",
                        name.name,
                        fields.len(),
                        args.len()
                    ),
                );
                return Pat::Wildcard;
            }
            let fields = args
                .iter()
                .zip(&fields)
                .map(|(a, (_, fty))| self.check_pat(a, *fty, scope, ctx, depth))
                .collect();
            let p = Pat::Variant {
                ty: ety,
                variant: v,
                fields,
            };
            return self.convert_pat(name.span, ety, ty, p);
        };
        let term = self.prog.terms[t].clone();
        if args.len() != term.args.len() {
            self.err(
                name.span,
                format!(
                    "wrong number of arguments: term `{}` takes {}, but {} given",
                    term.name,
                    term.args.len(),
                    args.len()
                ),
            );
            return Pat::Wildcard;
        }
        match &term.extractor {
            None => {
                self.err(
                    name.span,
                    format!(
                        "term `{}` has no extractor, so it cannot be used in a pattern",
                        term.name
                    ),
                );
                Pat::Wildcard
            }
            Some(Extractor::Extern { .. }) => {
                if term.multi && !ctx.multi_rule {
                    self.err(
                        name.span,
                        format!(
                            "multi term `{}` can only be matched in rules of a multi term",
                            term.name
                        ),
                    );
                }
                let args = args
                    .iter()
                    .zip(&term.args)
                    .map(|(a, &aty)| self.check_pat(a, aty, scope, ctx, depth))
                    .collect();
                let p = Pat::Extract { term: t, args };
                self.convert_pat(name.span, term.ret, ty, p)
            }
            Some(Extractor::Macro { params, template }) => {
                self.expansions += 1;
                if self.expansions > MAX_EXPANSIONS {
                    if self.expansions == MAX_EXPANSIONS + 1 {
                        let msg = format!(
                            "extractor expansion in this rule exceeds {MAX_EXPANSIONS} uses"
                        );
                        self.err(name.span, msg);
                    }
                    return Pat::Wildcard;
                }
                if depth >= MAX_EXPANSION_DEPTH {
                    self.err(
                        name.span,
                        format!(
                            "extractor `{}` expands too deeply (is it recursive?)",
                            term.name
                        ),
                    );
                    return Pat::Wildcard;
                }
                let map: HashMap<&str, &ast::Pattern> =
                    params.iter().map(String::as_str).zip(args).collect();
                let expanded = substitute(template, &map);
                let p = self.check_pat(&expanded, term.ret, scope, ctx, depth + 1);
                self.convert_pat(name.span, term.ret, ty, p)
            }
        }
    }

    /// Type of an expression when there is no expected type (if-let right-hand sides).
    fn infer_expr(
        &mut self,
        e: &ast::Expr,
        scope: &mut Scope,
        ctx: ExprCtx,
    ) -> Option<(Expr, TypeId)> {
        let ty = match e {
            ast::Expr::Var(v) => match scope.lookup(&v.name) {
                Some(var) if scope.vars[var].1 == ERR_TY => return None,
                Some(var) => scope.vars[var].1,
                None => {
                    self.err(v.span, format!("unknown variable `{}`", v.name));
                    return None;
                }
            },
            ast::Expr::Const(c) => match self.consts.get(&c.name) {
                Some(&t) => t,
                None => {
                    self.err(c.span, format!("unknown constant `{}`", c.name));
                    return None;
                }
            },
            ast::Expr::Int(_, s) => {
                self.err(
                    *s,
                    "cannot infer the type of an integer literal here; bind it with a typed `let`",
                );
                return None;
            }
            ast::Expr::Call(name, _) => {
                if let Some(&t) = self.term_map.get(&name.name) {
                    self.prog.terms[t].ret
                } else if let Some((t, _)) = self.resolve_variant(&name.name, None) {
                    t
                } else {
                    self.err(name.span, format!("unknown term `{}`", name.name));
                    return None;
                }
            }
            ast::Expr::Let(binds, body, _) => {
                // Type the body after the bindings are in scope, then check as usual.
                let mark = scope.visible.len();
                let mut out = Vec::new();
                for b in binds {
                    let bty = self.resolve_type(&b.ty)?;
                    let be = self.check_expr(&b.expr, bty, scope, ctx)?;
                    let var = (b.var.name != "_").then(|| scope.add(&b.var.name, bty));
                    out.push((var, be));
                }
                let r = self.infer_expr(body, scope, ctx);
                scope.visible.truncate(mark);
                let (body, ty) = r?;
                return Some((Expr::Let(out, Box::new(body)), ty));
            }
        };
        let e = self.check_expr(e, ty, scope, ctx)?;
        Some((e, ty))
    }

    fn check_callable(&mut self, t: TermId, span: Span, ctx: ExprCtx) -> Option<()> {
        let term = &self.prog.terms[t];
        let name = term.name.clone();
        let msg = if term.ctor.is_none() {
            format!("term `{name}` has no constructor (no rules and no extern constructor), so it cannot be called")
        } else if ctx.clause && !term.pure {
            format!("term `{name}` is not declared `pure`, so it cannot be called in an if-let or if clause")
        } else if !ctx.clause && term.partial {
            format!("term `{name}` is partial and may fail, but it is called in an infallible position (a rule's right-hand side); call it from an if-let clause instead")
        } else if term.multi && !(ctx.clause && ctx.multi_rule) {
            format!(
                "multi term `{name}` can only be called in an if-let clause of a multi term's rule"
            )
        } else {
            return Some(());
        };
        self.err(span, msg);
        None
    }

    fn check_expr(
        &mut self,
        e: &ast::Expr,
        ty: TypeId,
        scope: &mut Scope,
        ctx: ExprCtx,
    ) -> Option<Expr> {
        match e {
            ast::Expr::Var(v) => {
                let Some(var) = scope.lookup(&v.name) else {
                    self.err(v.span, format!("unknown variable `{}`", v.name));
                    return None;
                };
                let vty = scope.vars[var].1;
                if vty == ERR_TY {
                    return None;
                }
                self.convert_expr_ctx(v.span, vty, ty, Expr::Var(var), ctx)
            }
            ast::Expr::Int(v, s) => self.int_ok(*v, ty, *s).then_some(Expr::Int(*v, ty)),
            ast::Expr::Const(c) => {
                let Some(&cty) = self.consts.get(&c.name) else {
                    self.err(c.span, format!("unknown constant `{}`", c.name));
                    return None;
                };
                self.convert_expr_ctx(
                    c.span,
                    cty,
                    ty,
                    Expr::Const(c.name[1..].to_string(), cty),
                    ctx,
                )
            }
            ast::Expr::Let(binds, body, _) => {
                let mark = scope.visible.len();
                let mut out = Vec::new();
                let mut ok = true;
                for b in binds {
                    let Some(bty) = self.resolve_type(&b.ty) else {
                        scope.add(&b.var.name, ERR_TY);
                        ok = false;
                        continue;
                    };
                    let be = self.check_expr(&b.expr, bty, scope, ctx);
                    let var = (b.var.name != "_").then(|| scope.add(&b.var.name, bty));
                    match be {
                        Some(be) => out.push((var, be)),
                        None => ok = false,
                    }
                }
                let body = self.check_expr(body, ty, scope, ctx);
                scope.visible.truncate(mark);
                let body = body?;
                ok.then(|| Expr::Let(out, Box::new(body)))
            }
            ast::Expr::Call(name, args) => {
                let term = if name.name.contains('.') {
                    None
                } else {
                    self.term_map.get(&name.name).copied()
                };
                let Some(t) = term else {
                    let Some((ety, v)) = self.resolve_variant(&name.name, Some(ty)) else {
                        self.err(name.span, format!("unknown term `{}`", name.name));
                        return None;
                    };
                    let fields = self.prog.variants(ety)[v].fields.clone();
                    if fields.len() != args.len() {
                        self.err(
                            name.span,
                            format!("wrong number of arguments: variant `{}` has {} field(s), but {} given", name.name, fields.len(), args.len()),
                        );
                        return None;
                    }
                    let args: Vec<Option<Expr>> = args
                        .iter()
                        .zip(&fields)
                        .map(|(a, (_, fty))| self.check_expr(a, *fty, scope, ctx))
                        .collect();
                    let args = args.into_iter().collect::<Option<Vec<_>>>()?;
                    return self.convert_expr_ctx(
                        name.span,
                        ety,
                        ty,
                        Expr::Variant(ety, v, args),
                        ctx,
                    );
                };
                let term = self.prog.terms[t].clone();
                if args.len() != term.args.len() {
                    self.err(
                        name.span,
                        format!(
                            "wrong number of arguments: term `{}` takes {}, but {} given",
                            term.name,
                            term.args.len(),
                            args.len()
                        ),
                    );
                    return None;
                }
                let callable = self.check_callable(t, name.span, ctx);
                let args: Vec<Option<Expr>> = args
                    .iter()
                    .zip(&term.args)
                    .map(|(a, &aty)| self.check_expr(a, aty, scope, ctx))
                    .collect();
                let args = args.into_iter().collect::<Option<Vec<_>>>()?;
                callable?;
                self.convert_expr_ctx(name.span, term.ret, ty, Expr::Call(t, args), ctx)
            }
        }
    }

    fn convert_expr_ctx(
        &mut self,
        span: Span,
        found: TypeId,
        expected: TypeId,
        e: Expr,
        ctx: ExprCtx,
    ) -> Option<Expr> {
        if found == expected {
            return Some(e);
        }
        match self.converts.get(&(found, expected)).copied() {
            Some(c) if self.prog.terms[c].ctor.is_some() => {
                self.check_callable(c, span, ctx)?;
                Some(Expr::Call(c, vec![e]))
            }
            _ => {
                self.mismatch(span, expected, found);
                None
            }
        }
    }
}

/// Replaces extractor parameters in `template` by the patterns given at the use site.
fn substitute(template: &ast::Pattern, map: &HashMap<&str, &ast::Pattern>) -> ast::Pattern {
    use ast::Pattern as P;
    match template {
        P::Var(v) => map
            .get(v.name.as_str())
            .map_or_else(|| template.clone(), |p| (*p).clone()),
        P::Bind(v, sub) => {
            let sub = substitute(sub, map);
            match map.get(v.name.as_str()) {
                Some(p) => P::And(vec![(*p).clone(), sub], v.span),
                None => P::Bind(v.clone(), Box::new(sub)),
            }
        }
        P::And(ps, s) => P::And(ps.iter().map(|p| substitute(p, map)).collect(), *s),
        P::Term(n, ps) => P::Term(n.clone(), ps.iter().map(|p| substitute(p, map)).collect()),
        P::Wildcard(_) | P::Int(..) | P::Const(_) => template.clone(),
    }
}

/// Every term's rules, by term, in source order (used by later passes).
pub fn rules_by_term(prog: &Program) -> BTreeMap<TermId, Vec<usize>> {
    let mut m: BTreeMap<TermId, Vec<usize>> = BTreeMap::new();
    for (i, r) in prog.rules.iter().enumerate() {
        m.entry(r.term).or_default().push(i);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRELUDE: &str = "(type u32 (primitive u32))\n(type u8 (primitive u8))\n(type Op (enum (Imm (v u32)) (Neg (x u32)) (Zero)))\n";

    fn program(src: &str) -> Result<Program, Vec<Error>> {
        let text = format!("{PRELUDE}{src}");
        let toks = crate::lexer::lex(0, &text).map_err(|e| e.to_vec())?;
        let defs = crate::parser::parse(&toks)?;
        check(&defs)
    }

    /// Errors as (message, line, col), lines counted from the end of the prelude.
    fn errs(src: &str) -> Vec<(String, u32, u32)> {
        let pre = PRELUDE.lines().count() as u32;
        program(src)
            .unwrap_err()
            .into_iter()
            .map(|e| {
                let s = e.span.unwrap();
                (e.message, s.line - pre, s.col)
            })
            .collect()
    }

    fn one(src: &str) -> (String, u32, u32) {
        let e = errs(src);
        assert_eq!(e.len(), 1, "expected one error, got {e:?}");
        e[0].clone()
    }

    fn e(msg: &str, line: u32, col: u32) -> (String, u32, u32) {
        (msg.to_string(), line, col)
    }

    #[test]
    fn checks_a_valid_program() {
        let p = program(
            "(decl f (Op) u32)
             (extern const $K u32)
             (rule (f (Imm x)) x)
             (rule (f (Op.Neg $K)) 1)
             (rule (f _) (let ((y u32 2)) y))",
        )
        .unwrap();
        assert_eq!(p.rules.len(), 3);
        let op = 2;
        assert_eq!(
            p.rules[0].args[0],
            Pat::Variant {
                ty: op,
                variant: 0,
                fields: vec![Pat::Var {
                    var: 0,
                    first: true,
                    sub: Box::new(Pat::Wildcard)
                }]
            }
        );
        assert_eq!(p.rules[0].rhs, Expr::Var(0));
        assert_eq!(
            p.rules[1].args[0],
            Pat::Variant {
                ty: op,
                variant: 1,
                fields: vec![Pat::Const("K".into())]
            }
        );
        assert_eq!(
            p.rules[2].rhs,
            Expr::Let(vec![(Some(0), Expr::Int(2, 0))], Box::new(Expr::Var(0)))
        );
    }

    #[test]
    fn repeated_variable_is_an_equality_test() {
        let p = program("(decl f (u32 u32) u32) (rule (f x x) x) (rule -1 (f _ _) 0)").unwrap();
        let Pat::Var { var, first, .. } = &p.rules[0].args[1] else {
            panic!()
        };
        assert_eq!((*var, *first), (0, false));
    }

    #[test]
    fn extractor_macros_expand_and_converters_are_inserted() {
        let p = program(
            "(decl neg_of (u32) Op)
             (extractor (neg_of x) (Op.Neg x))
             (decl imm (u32) Op)
             (extern constructor imm make_imm)
             (extern extractor imm get_imm)
             (convert u32 Op imm)
             (decl f (Op) Op)
             (rule (f (neg_of y)) y)",
        )
        .unwrap();
        let r = &p.rules[0];
        assert_eq!(
            r.args[0],
            Pat::Variant {
                ty: 2,
                variant: 1,
                fields: vec![Pat::Var {
                    var: 0,
                    first: true,
                    sub: Box::new(Pat::Wildcard)
                }]
            }
        );
        // `y` is a u32 used where an Op is expected: wrapped in the converter.
        assert_eq!(r.rhs, Expr::Call(1, vec![Expr::Var(0)]));
    }

    #[test]
    fn converter_used_as_extractor_in_patterns() {
        let p = program(
            "(decl imm (u32) Op)
             (extern constructor imm make_imm)
             (extern extractor imm get_imm)
             (convert u32 Op imm)
             (decl small (u32) u32)
             (extern extractor small small)
             (decl f (Op) u32)
             (rule (f (small 7)) 1)
             (rule -1 (f _) 0)",
        )
        .unwrap();
        // Op -> u32 through `get_imm`, then the `small` extractor, then the literal.
        assert_eq!(
            p.rules[0].args[0],
            Pat::Extract {
                term: 0,
                args: vec![Pat::Extract {
                    term: 1,
                    args: vec![Pat::Int(7)]
                }]
            }
        );
    }

    #[test]
    fn unknown_names() {
        assert_eq!(one("(decl f (u64) u32)"), e("unknown type `u64`", 1, 10));
        assert_eq!(one("(rule (g) 1)"), e("unknown term `g`", 1, 8));
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f (h x)) x)"),
            e("unknown term `h`", 2, 11)
        );
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f x) y)"),
            e("unknown variable `y`", 2, 13)
        );
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f x) $Nope)"),
            e("unknown constant `$Nope`", 2, 13)
        );
    }

    #[test]
    fn type_mismatches() {
        assert_eq!(
            one("(decl f (Op) u32)\n(rule (f x) x)"),
            e("type mismatch: expected `u32`, found `Op`", 2, 13)
        );
        assert_eq!(
            one(
                "(decl g (u32) u32)\n(extern extractor g g)\n(decl f (Op) u32)\n(rule (f (g x)) x)"
            ),
            e("type mismatch: expected `Op`, found `u32`", 4, 11)
        );
        assert_eq!(
            one("(decl f (u32 Op) u32)\n(rule (f x x) 1)"),
            e(
                "type mismatch: variable `x` has type `u32` but is matched again against a `Op`",
                2,
                12
            )
        );
        assert_eq!(
            one("(decl f (u8) u8)\n(rule (f 256) 1)"),
            e("integer literal 256 is out of range for type `u8`", 2, 10)
        );
        assert_eq!(
            one("(decl f (Op) u32)\n(rule (f 1) 1)"),
            e(
                "type mismatch: integer literal used where enum type `Op` is expected",
                2,
                10
            )
        );
    }

    #[test]
    fn wrong_arity() {
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f x y) x)"),
            e(
                "wrong number of arguments: term `f` takes 1, but 2 given",
                2,
                8
            )
        );
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f x) (f x x))"),
            e(
                "wrong number of arguments: term `f` takes 1, but 2 given",
                2,
                14
            )
        );
        assert_eq!(
            one("(decl f (Op) u32)\n(rule (f (Op.Imm)) 1)"),
            e(
                "wrong number of arguments: variant `Op.Imm` has 1 field(s), but 0 given",
                2,
                11
            )
        );
    }

    #[test]
    fn duplicates() {
        assert_eq!(
            one("(type u32 (primitive u32))"),
            e(
                "duplicate definition of type `u32` (first defined at 1:7)",
                1,
                7
            )
        );
        assert_eq!(
            one("(decl f () u32)\n(decl f () u32)"),
            e(
                "duplicate declaration of term `f` (first declared at 4:7)",
                2,
                7
            )
        );
        assert_eq!(
            one("(type T (enum A A))"),
            e("duplicate variant `A` in enum `T`", 1, 17)
        );
        assert_eq!(
            one("(decl f () u32)\n(extern constructor f a)\n(extern constructor f b)"),
            e("duplicate constructor for term `f`", 3, 21)
        );
        assert_eq!(
            one("(decl f () u32)\n(decl g () u32)\n(extern constructor f a)\n(extern constructor g a)"),
            e("duplicate extern function `a`: already used for term `f`", 4, 23)
        );
    }

    #[test]
    fn fallible_and_impure_uses() {
        let base =
            "(decl pure partial p (u32) u32)\n(extern constructor p p)\n(decl f (u32) u32)\n";
        assert_eq!(
            one(&format!("{base}(rule (f x) (p x))")),
            e(
                "term `p` is partial and may fail, but it is called in an infallible position (a rule's right-hand side); call it from an if-let clause instead",
                4,
                14
            )
        );
        assert_eq!(
            one("(decl q (u32) u32)\n(extern constructor q q)\n(decl f (u32) u32)\n(rule (f x) (if-let y (q x)) y)"),
            e("term `q` is not declared `pure`, so it cannot be called in an if-let or if clause", 4, 24)
        );
        assert_eq!(
            one("(decl pure multi m (u32) u32)\n(extern constructor m m)\n(decl f (u32) u32)\n(rule (f x) (if-let y (m x)) y)"),
            e("multi term `m` can only be called in an if-let clause of a multi term's rule", 4, 24)
        );
        assert_eq!(
            one("(decl f (u32) u32)\n(decl partial multi g (u32) u32)"),
            e("term `g` cannot be both `partial` and `multi` (a multi term may already produce no results)", 2, 21)
        );
    }

    #[test]
    fn missing_constructor_or_extractor() {
        assert_eq!(
            one("(decl g (u32) u32)\n(decl f (u32) u32)\n(rule (f (g x)) x)"),
            e(
                "term `g` has no extractor, so it cannot be used in a pattern",
                3,
                11
            )
        );
        assert_eq!(
            one("(decl g (u32) u32)\n(decl f (u32) u32)\n(rule (f x) (g x))"),
            e("term `g` has no constructor (no rules and no extern constructor), so it cannot be called", 3, 14)
        );
        assert_eq!(
            one("(decl g (u32) u32)\n(extern constructor g g)\n(rule (g x) x)"),
            e(
                "term `g` has an extern constructor and cannot also have rules",
                3,
                8
            )
        );
    }

    #[test]
    fn extractor_and_converter_definitions() {
        assert_eq!(
            one("(decl g (u32) Op)\n(extractor (g x) (Op.Neg y))"),
            e(
                "variable `y` in the extractor for `g` is not one of its parameters",
                2,
                26
            )
        );
        assert_eq!(
            one(
                "(decl g (u32) Op)\n(extractor (g x) (g x))\n(decl f (Op) u32)\n(rule (f (g x)) x)"
            ),
            e("extractor `g` expands too deeply (is it recursive?)", 2, 19)
        );
        assert_eq!(
            one("(decl g (u32) u32)\n(extern constructor g g)\n(convert u32 Op g)"),
            e(
                "converter `g` must be declared with signature (u32) Op",
                3,
                17
            )
        );
        assert_eq!(
            one("(decl f (u32) u32)\n(rule (f x) (if-let y 3) y)"),
            e(
                "cannot infer the type of an integer literal here; bind it with a typed `let`",
                2,
                23
            )
        );
        assert_eq!(
            one("(type bad-name (enum A))"),
            e("enum type name `bad-name` is not a valid Rust identifier, which the generated code needs", 1, 7)
        );
    }

    #[test]
    fn exponential_macro_expansion_is_bounded() {
        let e = errs(&format!(
            "(decl d (u32) u32)\n(extractor (d x) (and x x))\n(decl f (u32) u32)\n(rule (f {}y{}) y)",
            "(d ".repeat(30),
            ")".repeat(30)
        ));
        assert_eq!(
            e[0].0,
            "extractor expansion in this rule exceeds 10000 uses"
        );
        assert_eq!(e[0].1, 4);
    }

    #[test]
    fn names_that_cannot_be_generated() {
        assert_eq!(
            one("(decl f () u32)\n(extern constructor f type)"),
            e("extern function name `type` is not a valid Rust identifier, which the generated code needs", 2, 23)
        );
        assert_eq!(
            one("(type t (primitive u3$X))"),
            e("`u3$X` is not a Rust type name", 1, 20)
        );
        assert_eq!(
            one("(decl a.b () u32)"),
            e(
                "term name `a.b` cannot contain `.` (reserved for `Type.Variant`)",
                1,
                7
            )
        );
        assert_eq!(
            one("(type Context (enum A))"),
            e(
                "enum type name `Context` clashes with a name the generated code uses",
                1,
                7
            )
        );
        // Both enums of the cycle are reported.
        let cyc = errs("(type L (enum (Cons (h u32) (t M))))\n(type M (enum (Wrap (l L))))");
        let msg = |t: &str| {
            format!("enum `{t}` contains itself (directly or through other enums), which a generated Rust enum cannot; make one of the types `extern` or a primitive")
        };
        assert_eq!(cyc, [(msg("L"), 1, 7), (msg("M"), 2, 7)]);
    }

    #[test]
    fn reports_many_errors_at_once() {
        let e = errs("(decl f (Nope) u32)\n(decl g (u32) u32)\n(rule (g x) (h x))\n(rule (k) 1)");
        let msgs: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "unknown type `Nope`",
                "unknown term `h`",
                "unknown term `k`"
            ]
        );
    }
}
