//! Lowers rules to linear sequences of steps over shared "bindings" (values
//! computed from the inputs), then merges them into a decision tree so that a
//! test shared by several rules is performed once.

use std::collections::{BTreeSet, HashMap};

use crate::sema::{Ctor, Expr, Extractor, Pat, Program, TermId, TypeId};

/// Index into [`TermRules::bindings`].
pub type BindingId = usize;

/// A value computed while matching. Equal bindings are interned to one id, so
/// rules that compute the same value share it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    /// The i-th argument of the term.
    Arg(usize),
    /// A field of an enum value, valid once its variant has been tested.
    Field {
        /// The enum value.
        of: BindingId,
        /// Variant index.
        variant: usize,
        /// Field index.
        field: usize,
    },
    /// Result tuple of an extern extractor applied to `input`.
    Extract {
        /// The extractor's term.
        term: TermId,
        /// The matched value.
        input: BindingId,
    },
    /// The i-th output of an [`Binding::Extract`].
    Output {
        /// The extraction.
        of: BindingId,
        /// Output index.
        idx: usize,
    },
    /// A constructor call made by an if-let clause.
    Call {
        /// The term.
        term: TermId,
        /// Argument values.
        args: Vec<BindingId>,
    },
    /// An integer literal of a type.
    Int(i128, TypeId),
    /// An extern constant.
    Const(String, TypeId),
    /// An enum value built from other bindings.
    MakeVariant {
        /// The enum.
        ty: TypeId,
        /// Variant index.
        variant: usize,
        /// Field values.
        args: Vec<BindingId>,
    },
}

/// One step of matching a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// Evaluate an `Extract` or `Call` binding (which may fail or iterate).
    Eval(BindingId),
    /// Test that a binding is the given variant of enum `ty`.
    Variant {
        /// The tested value.
        b: BindingId,
        /// Its enum type.
        ty: TypeId,
        /// Variant index.
        variant: usize,
    },
    /// Test integer equality.
    Int {
        /// The tested value.
        b: BindingId,
        /// The literal.
        val: i128,
    },
    /// Test equality with an extern constant.
    Const {
        /// The tested value.
        b: BindingId,
        /// Constant name (without `$`).
        name: String,
    },
    /// Test that two bindings are equal (a repeated variable).
    Eq {
        /// Smaller id.
        a: BindingId,
        /// Larger id.
        b: BindingId,
    },
}

/// How evaluating a step can turn out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Always succeeds.
    Infallible,
    /// May fail (a test, an `Option`).
    Fallible,
    /// Zero or more results (a `Vec` iterated over).
    Multi,
}

/// One rule lowered to steps.
#[derive(Clone, Debug)]
pub struct LinRule {
    /// Index into [`Program::rules`].
    pub rule: usize,
    /// Steps in evaluation order.
    pub steps: Vec<Step>,
    /// Binding of each rule variable bound by a pattern or clause.
    pub vars: Vec<Option<BindingId>>,
}

/// All rules of one term, lowered, with their shared binding table.
#[derive(Clone, Debug)]
pub struct TermRules {
    /// The term.
    pub term: TermId,
    /// Interned bindings with their types (`None` for extraction tuples).
    pub bindings: Vec<(Binding, Option<TypeId>)>,
    /// Rules in source order.
    pub rules: Vec<LinRule>,
}

impl TermRules {
    /// Whether a step always succeeds, may fail, or iterates.
    pub fn outcome(&self, prog: &Program, s: &Step) -> Outcome {
        let Step::Eval(b) = s else {
            return Outcome::Fallible;
        };
        let term = match &self.bindings[*b].0 {
            Binding::Extract { term, .. } | Binding::Call { term, .. } => &prog.terms[*term],
            _ => return Outcome::Infallible,
        };
        if term.multi {
            return Outcome::Multi;
        }
        match &self.bindings[*b].0 {
            Binding::Extract { .. } => match term.extractor {
                Some(Extractor::Extern {
                    infallible: true, ..
                }) => Outcome::Infallible,
                _ => Outcome::Fallible,
            },
            _ if term.partial => Outcome::Fallible,
            _ => Outcome::Infallible,
        }
    }

    /// The steps of `r` that can fail: the conditions under which it matches.
    pub fn atoms(&self, prog: &Program, r: &LinRule) -> BTreeSet<Step> {
        r.steps
            .iter()
            .filter(|s| self.outcome(prog, s) != Outcome::Infallible)
            .cloned()
            .collect()
    }

    /// Bindings that are Rust variables, reached from `b` through inline values.
    pub fn refs(&self, b: BindingId, out: &mut BTreeSet<BindingId>) {
        match &self.bindings[b].0 {
            Binding::Int(..) | Binding::Const(..) => {}
            Binding::MakeVariant { args, .. } => {
                for &a in args {
                    self.refs(a, out);
                }
            }
            _ => {
                out.insert(b);
            }
        }
    }

    /// Variables read by a step (not counting those it binds).
    pub fn step_refs(&self, s: &Step, out: &mut BTreeSet<BindingId>) {
        match s {
            Step::Eval(b) => match &self.bindings[*b].0 {
                Binding::Extract { input, .. } => self.refs(*input, out),
                Binding::Call { args, .. } => {
                    for &a in args {
                        self.refs(a, out);
                    }
                }
                _ => {}
            },
            Step::Variant { b, .. } | Step::Int { b, .. } | Step::Const { b, .. } => {
                self.refs(*b, out)
            }
            Step::Eq { a, b } => {
                self.refs(*a, out);
                self.refs(*b, out);
            }
        }
    }
}

struct Lowerer<'a> {
    prog: &'a Program,
    bindings: Vec<(Binding, Option<TypeId>)>,
    map: HashMap<Binding, BindingId>,
}

impl Lowerer<'_> {
    fn intern(&mut self, b: Binding, ty: Option<TypeId>) -> BindingId {
        if let Some(&id) = self.map.get(&b) {
            return id;
        }
        let id = self.bindings.len();
        self.bindings.push((b.clone(), ty));
        self.map.insert(b, id);
        id
    }

    fn pat(&mut self, b: BindingId, p: &Pat, r: &mut LinRule) {
        match p {
            Pat::Wildcard => {}
            Pat::Var { var, sub, .. } => {
                match r.vars[*var] {
                    Some(prev) if prev != b => {
                        let (a, b2) = (prev.min(b), prev.max(b));
                        r.steps.push(Step::Eq { a, b: b2 });
                    }
                    Some(_) => {}
                    None => r.vars[*var] = Some(b),
                }
                self.pat(b, sub, r);
            }
            Pat::Int(v) => r.steps.push(Step::Int { b, val: *v }),
            Pat::Const(c) => r.steps.push(Step::Const { b, name: c.clone() }),
            Pat::Variant {
                ty,
                variant,
                fields,
            } => {
                r.steps.push(Step::Variant {
                    b,
                    ty: *ty,
                    variant: *variant,
                });
                for (i, f) in fields.iter().enumerate() {
                    let fty = self.prog.variants(*ty)[*variant].fields[i].1;
                    let fb = self.intern(
                        Binding::Field {
                            of: b,
                            variant: *variant,
                            field: i,
                        },
                        Some(fty),
                    );
                    self.pat(fb, f, r);
                }
            }
            Pat::Extract { term, args } => {
                let eb = self.intern(
                    Binding::Extract {
                        term: *term,
                        input: b,
                    },
                    None,
                );
                push_once(r, Step::Eval(eb));
                for (i, a) in args.iter().enumerate() {
                    let aty = self.prog.terms[*term].args[i];
                    let ob = self.intern(Binding::Output { of: eb, idx: i }, Some(aty));
                    self.pat(ob, a, r);
                }
            }
            Pat::And(ps) => {
                for p in ps {
                    self.pat(b, p, r);
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr, r: &mut LinRule) -> BindingId {
        match e {
            // Sema guarantees every referenced variable is bound by now.
            Expr::Var(v) => r.vars[*v].expect("sema binds every variable before its use"),
            Expr::Int(v, ty) => self.intern(Binding::Int(*v, *ty), Some(*ty)),
            Expr::Const(c, ty) => self.intern(Binding::Const(c.clone(), *ty), Some(*ty)),
            Expr::Call(t, args) => {
                let args = args.iter().map(|a| self.expr(a, r)).collect();
                let ret = self.prog.terms[*t].ret;
                let cb = self.intern(Binding::Call { term: *t, args }, Some(ret));
                push_once(r, Step::Eval(cb));
                cb
            }
            Expr::Variant(ty, v, args) => {
                let args = args.iter().map(|a| self.expr(a, r)).collect();
                self.intern(
                    Binding::MakeVariant {
                        ty: *ty,
                        variant: *v,
                        args,
                    },
                    Some(*ty),
                )
            }
            Expr::Let(binds, body) => {
                for (var, be) in binds {
                    let b = self.expr(be, r);
                    if let Some(var) = var {
                        r.vars[*var] = Some(b);
                    }
                }
                self.expr(body, r)
            }
        }
    }
}

fn push_once(r: &mut LinRule, s: Step) {
    // A pure computation already done by this rule need not be repeated.
    if !r.steps.contains(&s) {
        r.steps.push(s);
    }
}

/// Lowers the rules `rule_ids` (all of term `term`) to steps.
pub fn lower_term(prog: &Program, term: TermId, rule_ids: &[usize]) -> TermRules {
    let mut l = Lowerer {
        prog,
        bindings: Vec::new(),
        map: HashMap::new(),
    };
    let mut rules = Vec::new();
    for &ri in rule_ids {
        let rule = &prog.rules[ri];
        let mut r = LinRule {
            rule: ri,
            steps: Vec::new(),
            vars: vec![None; rule.vars.len()],
        };
        for (i, p) in rule.args.iter().enumerate() {
            let b = l.intern(Binding::Arg(i), Some(prog.terms[term].args[i]));
            l.pat(b, p, &mut r);
        }
        for (p, e) in &rule.clauses {
            let b = l.expr(e, &mut r);
            l.pat(b, p, &mut r);
        }
        rules.push(r);
    }
    TermRules {
        term,
        bindings: l.bindings,
        rules,
    }
}

/// A decision-tree node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Run the right-hand side of rule `i` (index into [`TermRules::rules`]).
    Leaf(usize),
    /// Perform a step; on success, try the children in order.
    Step(Step, Vec<Node>),
}

/// True if tests `a` and `b` can never both succeed, so their order is irrelevant.
fn exclusive(a: &Step, b: &Step) -> bool {
    match (a, b) {
        (
            Step::Variant {
                b: x, variant: v, ..
            },
            Step::Variant {
                b: y, variant: w, ..
            },
        ) => x == y && v != w,
        (Step::Int { b: x, val: v }, Step::Int { b: y, val: w }) => x == y && v != w,
        _ => false,
    }
}

fn insert(children: &mut Vec<Node>, steps: &[Step], leaf: usize) {
    let Some((first, rest)) = steps.split_first() else {
        children.push(Node::Leaf(leaf));
        return;
    };
    // Walk back over siblings that can never succeed together with `first`;
    // merging into an equal step behind them keeps the priority order intact.
    for i in (0..children.len()).rev() {
        match &mut children[i] {
            Node::Step(s, sub) if s == first => return insert(sub, rest, leaf),
            Node::Step(s, _) if exclusive(s, first) => continue,
            _ => break,
        }
    }
    let mut sub = Vec::new();
    insert(&mut sub, rest, leaf);
    children.push(Node::Step(first.clone(), sub));
}

/// The order rules are tried in: priority, then more specific first, then source order.
pub fn rule_order(prog: &Program, tr: &TermRules) -> Vec<usize> {
    let mut order: Vec<usize> = (0..tr.rules.len()).collect();
    let multi = prog.terms[tr.term].multi;
    let key: Vec<(i64, usize)> = tr
        .rules
        .iter()
        .map(|r| {
            let spec = if multi { 0 } else { tr.atoms(prog, r).len() };
            (prog.rules[r.rule].prio, spec)
        })
        .collect();
    order.sort_by(|&a, &b| key[b].cmp(&key[a]).then(a.cmp(&b)));
    order
}

/// Builds the decision tree for a term's rules.
pub fn build(prog: &Program, tr: &TermRules) -> Vec<Node> {
    let mut root = Vec::new();
    for i in rule_order(prog, tr) {
        insert(&mut root, &tr.rules[i].steps, i);
    }
    root
}

/// Siblings as code generation sees them: variant and integer tests of one
/// value that follow each other are grouped into one `match`.
#[derive(Debug)]
pub enum Group<'a> {
    /// A node on its own.
    Single(&'a Node),
    /// Variant tests of binding `b` (an enum of type `ty`).
    Switch {
        /// The tested value.
        b: BindingId,
        /// Its type.
        ty: TypeId,
        /// (variant, children) per arm.
        arms: Vec<(usize, &'a [Node])>,
    },
    /// Integer tests of binding `b`.
    IntSwitch {
        /// The tested value.
        b: BindingId,
        /// (literal, children) per arm.
        arms: Vec<(i128, &'a [Node])>,
    },
}

/// Groups sibling nodes; see [`Group`].
pub fn groups(children: &[Node]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for n in children {
        match n {
            Node::Step(Step::Variant { b, ty, variant }, sub) => {
                if let Some(Group::Switch { b: gb, arms, .. }) = out.last_mut() {
                    if gb == b && arms.iter().all(|(v, _)| v != variant) {
                        arms.push((*variant, sub));
                        continue;
                    }
                }
                out.push(Group::Switch {
                    b: *b,
                    ty: *ty,
                    arms: vec![(*variant, sub)],
                });
            }
            Node::Step(Step::Int { b, val }, sub) => {
                if let Some(Group::IntSwitch { b: gb, arms }) = out.last_mut() {
                    if gb == b && arms.iter().all(|(v, _)| v != val) {
                        arms.push((*val, sub));
                        continue;
                    }
                }
                out.push(Group::IntSwitch {
                    b: *b,
                    arms: vec![(*val, sub)],
                });
            }
            n => out.push(Group::Single(n)),
        }
    }
    out
}

/// Facts about a term's decision tree used for diagnostics and code generation.
pub struct Analysis<'a> {
    /// The program.
    pub prog: &'a Program,
    /// The term's rules.
    pub tr: &'a TermRules,
}

impl Analysis<'_> {
    /// True if the group always ends in a rule firing (non-multi terms).
    pub fn group_infallible(&self, g: &Group<'_>) -> bool {
        match g {
            Group::Single(Node::Leaf(_)) => true,
            Group::Single(Node::Step(s, sub)) => {
                self.tr.outcome(self.prog, s) == Outcome::Infallible && self.list_infallible(sub)
            }
            Group::Switch { ty, arms, .. } => {
                arms.len() == self.prog.variants(*ty).len()
                    && arms.iter().all(|(_, sub)| self.list_infallible(sub))
            }
            Group::IntSwitch { .. } => false,
        }
    }

    /// True if some child always ends in a rule firing.
    pub fn list_infallible(&self, children: &[Node]) -> bool {
        groups(children).iter().any(|g| self.group_infallible(g))
    }

    /// Rules (indices into `tr.rules`) whose leaves come after an infallible sibling.
    pub fn unreachable(&self, children: &[Node], out: &mut BTreeSet<usize>) {
        let mut dead = false;
        for g in groups(children) {
            if dead {
                collect_leaves_group(&g, out);
                continue;
            }
            match &g {
                Group::Single(Node::Step(_, sub)) => self.unreachable(sub, out),
                Group::Single(Node::Leaf(_)) => {}
                Group::Switch { arms, .. } => {
                    arms.iter().for_each(|(_, s)| self.unreachable(s, out))
                }
                Group::IntSwitch { arms, .. } => {
                    arms.iter().for_each(|(_, s)| self.unreachable(s, out))
                }
            }
            dead = self.group_infallible(&g);
        }
    }
}

fn collect_leaves(n: &Node, out: &mut BTreeSet<usize>) {
    match n {
        Node::Leaf(i) => {
            out.insert(*i);
        }
        Node::Step(_, sub) => sub.iter().for_each(|c| collect_leaves(c, out)),
    }
}

fn collect_leaves_group(g: &Group<'_>, out: &mut BTreeSet<usize>) {
    match g {
        Group::Single(n) => collect_leaves(n, out),
        Group::Switch { arms, .. } => arms
            .iter()
            .flat_map(|(_, s)| s.iter())
            .for_each(|c| collect_leaves(c, out)),
        Group::IntSwitch { arms, .. } => arms
            .iter()
            .flat_map(|(_, s)| s.iter())
            .for_each(|c| collect_leaves(c, out)),
    }
}

/// True if the term is generated from rules (as opposed to extern).
pub fn is_internal(prog: &Program, t: TermId) -> bool {
    prog.terms[t].ctor == Some(Ctor::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(src: &str) -> (Program, TermRules) {
        let text =
            format!("(type u32 (primitive u32))\n(type Op (enum (A (x u32) (y u32)) (B)))\n{src}");
        let defs = crate::parser::parse(&crate::lexer::lex(0, &text).unwrap()).unwrap();
        let prog = crate::sema::check(&defs).unwrap();
        let rules: Vec<usize> = (0..prog.rules.len()).collect();
        let tr = lower_term(&prog, prog.rules[0].term, &rules);
        (prog, tr)
    }

    #[test]
    fn lowers_patterns_to_steps() {
        let (_, tr) = lowered("(decl f (Op u32) u32)\n(rule (f (Op.A 1 x) x) x)\n(rule (f _ _) 0)");
        let r = &tr.rules[0];
        // arg0 = 0, its field y = 1 ... ids follow first use.
        assert_eq!(tr.bindings[0].0, Binding::Arg(0));
        assert_eq!(
            tr.bindings[1].0,
            Binding::Field {
                of: 0,
                variant: 0,
                field: 0
            }
        );
        assert_eq!(
            tr.bindings[2].0,
            Binding::Field {
                of: 0,
                variant: 0,
                field: 1
            }
        );
        assert_eq!(tr.bindings[3].0, Binding::Arg(1));
        assert_eq!(
            r.steps,
            [
                Step::Variant {
                    b: 0,
                    ty: 1,
                    variant: 0
                },
                Step::Int { b: 1, val: 1 },
                Step::Eq { a: 2, b: 3 }
            ]
        );
        assert_eq!(r.vars, [Some(2)]);
        assert!(tr.rules[1].steps.is_empty());
    }

    #[test]
    fn variable_repeated_inside_its_own_at_pattern_is_an_equality() {
        let (_, tr) = lowered(
            "(decl id (u32) u32)\n(extern extractor id id)\n(decl f (u32) u32)\n(rule (f x @ (id x)) x)\n(rule -1 (f _) 0)",
        );
        let ext = tr
            .bindings
            .iter()
            .position(|(b, _)| matches!(b, Binding::Extract { .. }))
            .unwrap();
        let out = tr
            .bindings
            .iter()
            .position(|(b, _)| *b == Binding::Output { of: ext, idx: 0 })
            .unwrap();
        assert_eq!(
            tr.rules[0].steps,
            [Step::Eval(ext), Step::Eq { a: 0, b: out }]
        );
    }

    #[test]
    fn shared_tests_are_merged_and_specific_rules_go_first() {
        let (prog, tr) = lowered(
            "(decl f (Op) u32)\n(rule (f (Op.A 1 _)) 1)\n(rule (f (Op.B)) 2)\n(rule (f (Op.A 2 _)) 3)\n(rule (f _) 4)",
        );
        let tree = build(&prog, &tr);
        let a = Step::Variant {
            b: 0,
            ty: 1,
            variant: 0,
        };
        let b = Step::Variant {
            b: 0,
            ty: 1,
            variant: 1,
        };
        // Rule 3 (A 2 _) merges into the A branch past the exclusive B test.
        assert_eq!(
            tree,
            [
                Node::Step(
                    a,
                    vec![
                        Node::Step(Step::Int { b: 1, val: 1 }, vec![Node::Leaf(0)]),
                        Node::Step(Step::Int { b: 1, val: 2 }, vec![Node::Leaf(2)]),
                    ]
                ),
                Node::Step(b, vec![Node::Leaf(1)]),
                Node::Leaf(3),
            ]
        );
        let an = Analysis {
            prog: &prog,
            tr: &tr,
        };
        assert!(an.list_infallible(&tree));
        let gs = groups(&tree);
        assert_eq!(gs.len(), 2, "A and B tests form one switch, then the leaf");
        assert!(matches!(&gs[0], Group::Switch { arms, .. } if arms.len() == 2));
        assert!(!an.group_infallible(&gs[0]));
    }

    #[test]
    fn if_let_calls_become_shared_evaluations() {
        let (prog, tr) = lowered(
            "(decl pure partial p (u32) u32)\n(extern constructor p p)\n(decl f (u32) u32)\n(rule 1 (f x) (if-let 3 (p x)) 1)\n(rule (f x) (if-let y (p x)) y)\n(rule -1 (f _) 0)",
        );
        let call = tr
            .bindings
            .iter()
            .position(|(b, _)| matches!(b, Binding::Call { .. }))
            .unwrap();
        assert_eq!(
            tr.rules[0].steps,
            [Step::Eval(call), Step::Int { b: call, val: 3 }]
        );
        assert_eq!(tr.rules[1].steps, [Step::Eval(call)]);
        let tree = build(&prog, &tr);
        // Both rules share one call of `p`.
        assert!(matches!(&tree[0], Node::Step(Step::Eval(c), sub) if *c == call && sub.len() == 2));
        assert_eq!(tr.outcome(&prog, &Step::Eval(call)), Outcome::Fallible);
    }
}
