//! Parses tokens into [`crate::ast::Def`]s: first into s-expressions, then into forms.

use crate::ast::*;
use crate::error::{Error, Span};
use crate::lexer::{Tok, Token};

/// An s-expression: an atom or a parenthesised list.
#[derive(Clone, Debug)]
enum SExpr {
    Atom(Tok, Span),
    List(Vec<SExpr>, Span),
}

impl SExpr {
    fn span(&self) -> Span {
        match self {
            SExpr::Atom(_, s) | SExpr::List(_, s) => *s,
        }
    }
    fn sym(&self) -> Option<&str> {
        match self {
            SExpr::Atom(Tok::Sym(s), _) => Some(s),
            _ => None,
        }
    }
}

type PResult<T> = Result<T, Error>;

/// Later passes recurse over the tree; bounding the depth bounds their stack use.
const MAX_NESTING: usize = 256;

fn describe(e: &SExpr) -> String {
    match e {
        SExpr::Atom(Tok::Sym(s), _) => format!("`{s}`"),
        SExpr::Atom(Tok::Int(i), _) => format!("integer `{i}`"),
        SExpr::Atom(Tok::At, _) => "`@`".into(),
        SExpr::Atom(_, _) => "a parenthesis".into(),
        SExpr::List(..) => "a list".into(),
    }
}

fn sexprs(tokens: &[Token]) -> Result<Vec<SExpr>, Error> {
    // An explicit stack keeps deeply nested input from overflowing the Rust stack.
    let mut stack: Vec<(Vec<SExpr>, Span)> = Vec::new();
    let mut top = Vec::new();
    for t in tokens {
        match &t.tok {
            Tok::LParen => {
                if stack.len() >= MAX_NESTING {
                    return Err(Error::new(
                        t.span,
                        format!("nesting deeper than {MAX_NESTING} levels"),
                    ));
                }
                stack.push((Vec::new(), t.span))
            }
            Tok::RParen => {
                let Some((items, span)) = stack.pop() else {
                    return Err(Error::new(t.span, "unexpected `)` with no matching `(`"));
                };
                let list = SExpr::List(items, span);
                match stack.last_mut() {
                    Some((parent, _)) => parent.push(list),
                    None => top.push(list),
                }
            }
            tok => {
                let atom = SExpr::Atom(tok.clone(), t.span);
                match stack.last_mut() {
                    Some((parent, _)) => parent.push(atom),
                    None => top.push(atom),
                }
            }
        }
    }
    if let Some((_, span)) = stack.last() {
        return Err(Error::new(*span, "unclosed `(`: missing `)`"));
    }
    Ok(top)
}

/// Parses a whole file's tokens. All malformed top-level forms are reported.
pub fn parse(tokens: &[Token]) -> Result<Vec<Def>, Vec<Error>> {
    let top = sexprs(tokens).map_err(|e| vec![e])?;
    let mut defs = Vec::new();
    let mut errors = Vec::new();
    for form in &top {
        match def(form) {
            Ok(d) => defs.push(d),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(defs)
    } else {
        Err(errors)
    }
}

fn ident(e: &SExpr, what: &str) -> PResult<Ident> {
    match e.sym() {
        Some(s) => Ok(Ident {
            name: s.to_string(),
            span: e.span(),
        }),
        None => Err(Error::new(
            e.span(),
            format!("expected {what}, found {}", describe(e)),
        )),
    }
}

fn list<'a>(e: &'a SExpr, what: &str) -> PResult<&'a [SExpr]> {
    match e {
        SExpr::List(items, _) => Ok(items),
        _ => Err(Error::new(
            e.span(),
            format!("expected {what}, found {}", describe(e)),
        )),
    }
}

fn arity(items: &[SExpr], span: Span, form: &str, n: usize, usage: &str) -> PResult<()> {
    if items.len() != n {
        return Err(Error::new(
            span,
            format!("malformed `{form}`: expected {usage}"),
        ));
    }
    Ok(())
}

fn def(form: &SExpr) -> PResult<Def> {
    let items = list(form, "a top-level form `(...)`")?;
    let span = form.span();
    let Some(head) = items.first() else {
        return Err(Error::new(span, "empty top-level form"));
    };
    let kw = ident(head, "a keyword")?;
    let rest = &items[1..];
    match kw.name.as_str() {
        "type" => type_def(rest, span),
        "decl" => decl(rest, span),
        "rule" => rule(rest, span),
        "extractor" => extractor(rest, span),
        "extern" => extern_def(rest, span),
        "convert" => {
            arity(rest, span, "convert", 3, "(convert From To term)")?;
            Ok(Def::Convert {
                from: ident(&rest[0], "a type name")?,
                to: ident(&rest[1], "a type name")?,
                term: ident(&rest[2], "a term name")?,
            })
        }
        other => Err(Error::new(
            kw.span,
            format!("unknown top-level form `{other}` (expected type, decl, rule, extractor, extern or convert)"),
        )),
    }
}

fn type_def(rest: &[SExpr], span: Span) -> PResult<Def> {
    let usage = "(type Name [extern] (primitive RustName)) or (type Name [extern] (enum ...))";
    let Some(name) = rest.first() else {
        return Err(Error::new(
            span,
            format!("malformed `type`: expected {usage}"),
        ));
    };
    let name = ident(name, "a type name")?;
    let mut i = 1;
    let is_extern = rest.get(1).and_then(SExpr::sym) == Some("extern");
    if is_extern {
        i += 1;
    }
    arity(rest, span, "type", i + 1, usage)?;
    let body_e = &rest[i];
    let body = list(body_e, "`(primitive ...)` or `(enum ...)`")?;
    let kind = body
        .first()
        .map(|h| ident(h, "`primitive` or `enum`"))
        .transpose()?;
    let body = match kind.as_ref().map(|k| k.name.as_str()) {
        Some("primitive") => {
            arity(body, body_e.span(), "primitive", 2, "(primitive RustName)")?;
            TypeBody::Primitive(ident(&body[1], "a Rust type name")?)
        }
        Some("enum") => {
            let mut variants = Vec::new();
            for v in &body[1..] {
                variants.push(variant(v)?);
            }
            TypeBody::Enum(variants)
        }
        _ => {
            return Err(Error::new(
                body_e.span(),
                "expected `(primitive ...)` or `(enum ...)`",
            ))
        }
    };
    Ok(Def::Type(TypeDef {
        name,
        is_extern,
        body,
    }))
}

fn variant(v: &SExpr) -> PResult<Variant> {
    if let SExpr::Atom(..) = v {
        return Ok(Variant {
            name: ident(v, "a variant name")?,
            fields: Vec::new(),
        });
    }
    let items = list(v, "a variant")?;
    let Some(name) = items.first() else {
        return Err(Error::new(
            v.span(),
            "empty variant: expected (Name (field Type)...)",
        ));
    };
    let name = ident(name, "a variant name")?;
    let mut fields = Vec::new();
    for f in &items[1..] {
        let fi = list(f, "a field `(name Type)`")?;
        arity(fi, f.span(), "field", 2, "(name Type)")?;
        fields.push((
            ident(&fi[0], "a field name")?,
            ident(&fi[1], "a type name")?,
        ));
    }
    Ok(Variant { name, fields })
}

fn decl(rest: &[SExpr], span: Span) -> PResult<Def> {
    let (mut pure, mut partial, mut multi) = (false, false, false);
    let mut i = 0;
    while let Some(s) = rest.get(i).and_then(SExpr::sym) {
        match s {
            "pure" => pure = true,
            "partial" => partial = true,
            "multi" => multi = true,
            _ => break,
        }
        i += 1;
    }
    let usage = "(decl [pure] [partial] [multi] Term (ArgType...) RetType)";
    arity(&rest[i..], span, "decl", 3, usage)?;
    let term = ident(&rest[i], "a term name")?;
    let args = list(&rest[i + 1], "an argument type list `(...)`")?
        .iter()
        .map(|a| ident(a, "a type name"))
        .collect::<PResult<Vec<_>>>()?;
    let ret = ident(&rest[i + 2], "a return type")?;
    Ok(Def::Decl(Decl {
        term,
        args,
        ret,
        pure,
        partial,
        multi,
    }))
}

fn extern_def(rest: &[SExpr], span: Span) -> PResult<Def> {
    let usage = "(extern constructor Term func), (extern extractor [infallible] Term func) or (extern const $Name Type)";
    let Some(kind) = rest.first() else {
        return Err(Error::new(
            span,
            format!("malformed `extern`: expected {usage}"),
        ));
    };
    let kind = ident(kind, "`constructor`, `extractor` or `const`")?;
    match kind.name.as_str() {
        "constructor" => {
            arity(
                rest,
                span,
                "extern constructor",
                3,
                "(extern constructor Term func)",
            )?;
            Ok(Def::ExternConstructor {
                term: ident(&rest[1], "a term name")?,
                func: ident(&rest[2], "a Rust method name")?,
            })
        }
        "extractor" => {
            let infallible = rest.get(1).and_then(SExpr::sym) == Some("infallible");
            let o = usize::from(infallible);
            arity(
                &rest[o..],
                span,
                "extern extractor",
                3,
                "(extern extractor [infallible] Term func)",
            )?;
            Ok(Def::ExternExtractor {
                term: ident(&rest[1 + o], "a term name")?,
                func: ident(&rest[2 + o], "a Rust method name")?,
                infallible,
            })
        }
        "const" => {
            arity(rest, span, "extern const", 3, "(extern const $Name Type)")?;
            let name = ident(&rest[1], "a constant name")?;
            if !name.name.starts_with('$') || name.name.len() < 2 {
                return Err(Error::new(name.span, "constant names must start with `$`"));
            }
            Ok(Def::ExternConst {
                name,
                ty: ident(&rest[2], "a type name")?,
            })
        }
        other => Err(Error::new(
            kind.span,
            format!("unknown extern kind `{other}`: expected {usage}"),
        )),
    }
}

fn extractor(rest: &[SExpr], span: Span) -> PResult<Def> {
    arity(
        rest,
        span,
        "extractor",
        2,
        "(extractor (Term params...) pattern)",
    )?;
    let head = list(&rest[0], "`(Term params...)`")?;
    let Some(term) = head.first() else {
        return Err(Error::new(rest[0].span(), "expected `(Term params...)`"));
    };
    let term = ident(term, "a term name")?;
    let params = head[1..]
        .iter()
        .map(|p| ident(p, "a parameter name"))
        .collect::<PResult<Vec<_>>>()?;
    Ok(Def::Extractor(ExtractorDef {
        term,
        params,
        template: pattern(&rest[1])?,
    }))
}

fn rule(rest: &[SExpr], span: Span) -> PResult<Def> {
    let mut i = 0;
    let mut name = None;
    let mut prio = 0;
    if let Some(SExpr::Atom(Tok::Sym(_), _)) = rest.first() {
        name = Some(ident(&rest[0], "a rule name")?);
        i += 1;
    }
    if let Some(SExpr::Atom(Tok::Int(p), s)) = rest.get(i) {
        prio = i64::try_from(*p).map_err(|_| Error::new(*s, "rule priority out of range"))?;
        i += 1;
    }
    let body = &rest[i..];
    if body.len() < 2 {
        return Err(Error::new(
            span,
            "malformed `rule`: expected (rule [name] [prio] (Term pats...) [(if-let pat expr) | (if expr)]... expr)",
        ));
    }
    let lhs = list(&body[0], "the rule's left-hand side `(Term pats...)`")?;
    let Some(term) = lhs.first() else {
        return Err(Error::new(
            body[0].span(),
            "empty left-hand side: expected `(Term pats...)`",
        ));
    };
    let term = ident(term, "a term name")?;
    let args = patterns(&lhs[1..])?;
    let mut clauses = Vec::new();
    for c in &body[1..body.len() - 1] {
        let items = list(c, "an `(if-let pat expr)` or `(if expr)` clause")?;
        match items.first().and_then(SExpr::sym) {
            Some("if-let") => {
                arity(items, c.span(), "if-let", 3, "(if-let pat expr)")?;
                clauses.push(IfLet {
                    pat: pattern(&items[1])?,
                    expr: expr(&items[2])?,
                });
            }
            Some("if") => {
                arity(items, c.span(), "if", 2, "(if expr)")?;
                clauses.push(IfLet {
                    pat: Pattern::Wildcard(c.span()),
                    expr: expr(&items[1])?,
                });
            }
            _ => {
                return Err(Error::new(
                    c.span(),
                    "expected an `(if-let pat expr)` or `(if expr)` clause (only the last form of a rule is its right-hand side)",
                ))
            }
        }
    }
    Ok(Def::Rule(Rule {
        span,
        name,
        prio,
        term,
        args,
        clauses,
        rhs: expr(&body[body.len() - 1])?,
    }))
}

/// Parses a sequence of patterns, grouping `x @ pat` triples.
fn patterns(items: &[SExpr]) -> PResult<Vec<Pattern>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if let Some(SExpr::Atom(Tok::At, s)) = items.get(i + 1) {
            let var = ident(&items[i], "a variable name before `@`")?;
            let Some(sub) = items.get(i + 2) else {
                return Err(Error::new(*s, "expected a pattern after `@`"));
            };
            out.push(Pattern::Bind(var, Box::new(pattern(sub)?)));
            i += 3;
        } else {
            out.push(pattern(&items[i])?);
            i += 1;
        }
    }
    Ok(out)
}

fn pattern(e: &SExpr) -> PResult<Pattern> {
    match e {
        SExpr::Atom(Tok::Int(v), s) => Ok(Pattern::Int(*v, *s)),
        SExpr::Atom(Tok::Sym(name), s) => {
            let id = Ident {
                name: name.clone(),
                span: *s,
            };
            Ok(if name == "_" {
                Pattern::Wildcard(*s)
            } else if name.starts_with('$') {
                Pattern::Const(id)
            } else {
                Pattern::Var(id)
            })
        }
        SExpr::Atom(_, s) => Err(Error::new(
            *s,
            format!("expected a pattern, found {}", describe(e)),
        )),
        SExpr::List(items, s) => {
            let Some(head) = items.first() else {
                return Err(Error::new(*s, "empty pattern `()`"));
            };
            let head = ident(head, "a term name")?;
            let args = patterns(&items[1..])?;
            if head.name == "and" {
                Ok(Pattern::And(args, *s))
            } else {
                Ok(Pattern::Term(head, args))
            }
        }
    }
}

fn expr(e: &SExpr) -> PResult<Expr> {
    match e {
        SExpr::Atom(Tok::Int(v), s) => Ok(Expr::Int(*v, *s)),
        SExpr::Atom(Tok::Sym(name), s) => {
            let id = Ident {
                name: name.clone(),
                span: *s,
            };
            if name == "_" {
                Err(Error::new(*s, "`_` is only allowed in patterns"))
            } else if name.starts_with('$') {
                Ok(Expr::Const(id))
            } else {
                Ok(Expr::Var(id))
            }
        }
        SExpr::Atom(_, s) => Err(Error::new(
            *s,
            format!("expected an expression, found {}", describe(e)),
        )),
        SExpr::List(items, s) => {
            let Some(head) = items.first() else {
                return Err(Error::new(*s, "empty expression `()`"));
            };
            let head = ident(head, "a term name")?;
            if head.name == "let" {
                arity(items, *s, "let", 3, "(let ((var Type expr)...) body)")?;
                let mut binds = Vec::new();
                for b in list(&items[1], "a list of `(var Type expr)` bindings")? {
                    let bi = list(b, "a binding `(var Type expr)`")?;
                    arity(bi, b.span(), "let binding", 3, "(var Type expr)")?;
                    binds.push(LetBinding {
                        var: ident(&bi[0], "a variable name")?,
                        ty: ident(&bi[1], "a type name")?,
                        expr: expr(&bi[2])?,
                    });
                }
                return Ok(Expr::Let(binds, Box::new(expr(&items[2])?), *s));
            }
            let args = items[1..].iter().map(expr).collect::<PResult<Vec<_>>>()?;
            Ok(Expr::Call(head, args))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn p(s: &str) -> Result<Vec<Def>, Vec<Error>> {
        parse(&lex(0, s).unwrap())
    }

    fn err(s: &str) -> (String, u32, u32) {
        let e = p(s).unwrap_err();
        let sp = e[0].span.unwrap();
        (e[0].message.clone(), sp.line, sp.col)
    }

    #[test]
    fn parses_all_forms() {
        let defs = p("(type u32 (primitive u32))
             (type Op extern (enum Add (Imm (v u32))))
             (decl pure partial f (u32 Op) u32)
             (extern constructor f f_impl)
             (extern extractor infallible g g_impl)
             (extern const $Z u32)
             (convert u32 Op imm)
             (extractor (two x) (and x (g _)))
             (rule named 3 (f x @ (Op.Imm 0x10) _) (if-let 1 (h x)) (if (k)) (let ((y u32 x)) y))")
        .unwrap();
        assert_eq!(defs.len(), 9);
        match &defs[1] {
            Def::Type(t) => {
                assert!(t.is_extern);
                let TypeBody::Enum(vs) = &t.body else {
                    panic!("not an enum")
                };
                assert_eq!(vs[1].name.name, "Imm");
                assert_eq!(vs[1].fields[0].0.name, "v");
            }
            d => panic!("unexpected {d:?}"),
        }
        match &defs[2] {
            Def::Decl(d) => assert!(d.pure && d.partial && !d.multi && d.args.len() == 2),
            d => panic!("unexpected {d:?}"),
        }
        match &defs[8] {
            Def::Rule(r) => {
                assert_eq!(r.prio, 3);
                assert_eq!(r.name.as_ref().unwrap().name, "named");
                assert_eq!(r.args.len(), 2);
                let Pattern::Bind(x, sub) = &r.args[0] else {
                    panic!("no bind")
                };
                assert_eq!(x.name, "x");
                assert!(
                    matches!(&**sub, Pattern::Term(t, a) if t.name == "Op.Imm" && a[0] == Pattern::Int(16, a[0].span()))
                );
                assert_eq!(r.clauses.len(), 2);
                assert!(matches!(r.clauses[1].pat, Pattern::Wildcard(_)));
                assert!(matches!(r.rhs, Expr::Let(..)));
            }
            d => panic!("unexpected {d:?}"),
        }
    }

    #[test]
    fn rule_priority_without_name() {
        let defs = p("(rule -2 (f) 1)").unwrap();
        let Def::Rule(r) = &defs[0] else { panic!() };
        assert_eq!((r.prio, r.name.is_none()), (-2, true));
    }

    #[test]
    fn parse_errors_have_positions() {
        assert_eq!(
            err("(decl f (u32) u32)\n  (rule (f x)"),
            ("unclosed `(`: missing `)`".into(), 2, 3)
        );
        assert_eq!(
            err("(type t (primitive t)))"),
            ("unexpected `)` with no matching `(`".into(), 1, 23)
        );
        assert_eq!(
            err("(frob x)"),
            ("unknown top-level form `frob` (expected type, decl, rule, extractor, extern or convert)".into(), 1, 2)
        );
        assert_eq!(
            err("(decl f u32 u32)"),
            (
                "expected an argument type list `(...)`, found `u32`".into(),
                1,
                9
            )
        );
        assert_eq!(
            err("(rule (f x) (if-let y) z)"),
            (
                "malformed `if-let`: expected (if-let pat expr)".into(),
                1,
                13
            )
        );
        assert_eq!(
            err("(rule (f x @) x)"),
            ("expected a pattern after `@`".into(), 1, 12)
        );
        assert_eq!(
            err("(rule (f x) _)"),
            ("`_` is only allowed in patterns".into(), 1, 13)
        );
        assert_eq!(
            err("(extern const Z u32)"),
            ("constant names must start with `$`".into(), 1, 15)
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("(rule (f {}x{}) 1)", "(g ".repeat(300), ")".repeat(300));
        let (msg, line, col) = err(&src);
        assert_eq!((msg.as_str(), line), ("nesting deeper than 256 levels", 1));
        assert_eq!(col, 10 + 3 * 254);
    }

    #[test]
    fn reports_every_bad_form() {
        let e = p("(frob)\n(decl)\n(type u32 (primitive u32))").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].span.unwrap().line, 2);
    }
}
