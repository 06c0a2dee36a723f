//! Rule-ordering diagnostics: overlapping rules at one priority, rules that can
//! never fire, and non-partial terms whose rules do not cover every input.

use std::collections::BTreeSet;

use crate::error::{Error, SourceFile, Span};
use crate::sema::Program;
use crate::trie::{Analysis, Node, Step, TermRules};

fn at(files: &[SourceFile], s: Span) -> String {
    let name = files.get(s.file).map_or("<unknown>", |f| f.name.as_str());
    format!("{name}:{}:{}", s.line, s.col)
}

/// True if no input can satisfy both sets of conditions.
fn disjoint(a: &BTreeSet<Step>, b: &BTreeSet<Step>) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (
                Step::Variant {
                    b: p, variant: v, ..
                },
                Step::Variant {
                    b: q, variant: w, ..
                },
            ) => p == q && v != w,
            (Step::Int { b: p, val: v }, Step::Int { b: q, val: w }) => p == q && v != w,
            _ => false,
        })
    })
}

/// Pairwise checks on the rules of one (non-multi) term.
///
/// Each rule's conditions are its fallible steps over interned bindings, so
/// "rule A's conditions are a subset of rule B's" means A matches whenever B does.
pub fn check_pairs(prog: &Program, tr: &TermRules, files: &[SourceFile]) -> Vec<Error> {
    let mut errors = Vec::new();
    if prog.terms[tr.term].multi {
        // Every matching rule of a multi term contributes a result; order is irrelevant.
        return errors;
    }
    let atoms: Vec<BTreeSet<Step>> = tr.rules.iter().map(|r| tr.atoms(prog, r)).collect();
    let mut reported = BTreeSet::new();
    for j in 0..tr.rules.len() {
        for i in 0..j {
            if disjoint(&atoms[i], &atoms[j]) {
                continue;
            }
            let (ri, rj) = (&prog.rules[tr.rules[i].rule], &prog.rules[tr.rules[j].rule]);
            let (hi, lo) = if ri.prio >= rj.prio { (i, j) } else { (j, i) };
            let (rh, rl) = (
                &prog.rules[tr.rules[hi].rule],
                &prog.rules[tr.rules[lo].rule],
            );
            if rh.prio != rl.prio {
                if atoms[hi].is_subset(&atoms[lo]) && reported.insert(lo) {
                    errors.push(Error::new(
                        rl.span,
                        format!(
                            "rule can never fire: the rule at {} has higher priority ({} > {}) and matches every input this one matches",
                            at(files, rh.span),
                            rh.prio,
                            rl.prio
                        ),
                    ));
                }
                continue;
            }
            let comparable = atoms[i] != atoms[j]
                && (atoms[i].is_subset(&atoms[j]) || atoms[j].is_subset(&atoms[i]));
            if !comparable && reported.insert(j) {
                errors.push(Error::new(
                    rj.span,
                    format!(
                        "rules overlap: this rule and the rule at {} have the same priority ({}), can match the same input, and neither is more specific; give one of them a different priority",
                        at(files, ri.span),
                        ri.prio
                    ),
                ));
            }
        }
    }
    errors
}

/// Checks on the decision tree: shadowed rules the pairwise check cannot see
/// (e.g. shadowed by several rules together) and, for terms that are neither
/// partial nor multi, that some rule always fires.
pub fn check_tree(prog: &Program, tr: &TermRules, tree: &[Node]) -> Vec<Error> {
    let mut errors = Vec::new();
    let term = &prog.terms[tr.term];
    if term.multi {
        return errors;
    }
    let an = Analysis { prog, tr };
    let mut dead = BTreeSet::new();
    an.unreachable(tree, &mut dead);
    for i in dead {
        errors.push(Error::new(
            prog.rules[tr.rules[i].rule].span,
            "rule can never fire: higher-priority or more specific rules together match every input it matches",
        ));
    }
    if !term.partial && !an.list_infallible(tree) {
        errors.push(Error::new(
            term.span,
            format!(
                "non-exhaustive rules: term `{}` is not partial, but its rules may not match every input; add a fallback rule or declare it `partial`",
                term.name
            ),
        ));
    }
    errors
}
