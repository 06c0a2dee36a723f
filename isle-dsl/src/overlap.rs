//! Rule-ordering diagnostics: overlapping rules at one priority, rules that can
//! never fire, and non-partial terms whose rules do not cover every input.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, SourceFile, Span};
use crate::sema::Program;
use crate::trie::{Analysis, BindingId, Node, Step, TermRules};

fn at(files: &[SourceFile], s: Span) -> String {
    let name = files.get(s.file).map_or("<unknown>", |f| f.name.as_str());
    format!("{name}:{}:{}", s.line, s.col)
}

/// The value a rule requires of each tested binding: a variant or an integer.
/// Tests of one binding by one rule never disagree (that rule could not match),
/// so one entry per binding is enough.
type Required = BTreeMap<BindingId, (bool, i128)>;

fn required(atoms: &BTreeSet<Step>) -> Required {
    atoms
        .iter()
        .filter_map(|s| match s {
            Step::Variant { b, variant, .. } => Some((*b, (true, *variant as i128))),
            Step::Int { b, val } => Some((*b, (false, *val))),
            _ => None,
        })
        .collect()
}

/// True if no input can satisfy both rules: they require different values of one binding.
fn disjoint(a: &Required, b: &Required) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .any(|(k, v)| large.get(k).is_some_and(|w| w != v))
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
    let req: Vec<Required> = atoms.iter().map(required).collect();
    let mut reported = BTreeSet::new();
    for j in 0..tr.rules.len() {
        for i in 0..j {
            if disjoint(&req[i], &req[j]) {
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

#[cfg(test)]
mod tests {
    const PRELUDE: &str = "(type u32 (primitive u32))\n(type Op (enum (A (x u32)) (B) (C)))\n(decl pure partial p (u32) u32)\n(extern constructor p p)\n";

    /// Errors as (message, line, col), lines counted from the end of the prelude.
    fn errs(src: &str) -> Vec<(String, u32, u32)> {
        let pre = PRELUDE.lines().count() as u32;
        let e = crate::compile_str("t.isle", &format!("{PRELUDE}{src}")).unwrap_err();
        e.errors
            .iter()
            .map(|x| {
                let s = x.span.unwrap();
                (x.message.clone(), s.line - pre, s.col)
            })
            .collect()
    }

    fn ok(src: &str) {
        if let Err(e) = crate::compile_str("t.isle", &format!("{PRELUDE}{src}")) {
            panic!("unexpected errors:\n{e}");
        }
    }

    #[test]
    fn same_priority_overlap_is_an_error() {
        assert_eq!(
            errs("(decl f (Op u32) u32)\n(rule (f (Op.A _) _) 1)\n(rule (f _ 2) 2)\n(rule -1 (f _ _) 0)"),
            [(
                "rules overlap: this rule and the rule at t.isle:6:1 have the same priority (0), can match the same input, and neither is more specific; give one of them a different priority".to_string(),
                3,
                1
            )]
        );
    }

    #[test]
    fn identical_rules_overlap() {
        let e = errs("(decl f (u32) u32)\n(rule (f x) 1)\n(rule (f y) 2)");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].0
                .starts_with("rules overlap: this rule and the rule at t.isle:6:1"),
            "{}",
            e[0].0
        );
        assert_eq!((e[0].1, e[0].2), (3, 1));
    }

    #[test]
    fn more_specific_rule_at_same_priority_is_fine() {
        ok("(decl f (Op) u32)\n(rule (f _) 1)\n(rule (f (Op.A 3)) 2)");
        // Disjoint literals and variants never overlap.
        ok("(decl g (u32 Op) u32)\n(rule (g 1 _) 1)\n(rule (g 2 _) 2)\n(rule 1 (g _ (Op.B)) 3)\n(rule -1 (g _ _) 0)");
    }

    #[test]
    fn shadowed_by_higher_priority_rule() {
        assert_eq!(
            errs("(decl f (u32) u32)\n(rule 1 (f x) (if-let y (p x)) y)\n(rule (f x) (if-let 3 (p x)) 3)\n(rule -1 (f _) 0)"),
            [(
                "rule can never fire: the rule at t.isle:6:1 has higher priority (1 > 0) and matches every input this one matches".to_string(),
                3,
                1
            )]
        );
    }

    #[test]
    fn shadowed_by_several_rules_together() {
        // A, B and C are all covered at priority 1, so the fallback never fires.
        assert_eq!(
            errs("(decl f (Op) u32)\n(rule 1 (f (Op.A _)) 1)\n(rule 1 (f (Op.B)) 2)\n(rule 1 (f (Op.C)) 3)\n(rule (f _) 0)"),
            [(
                "rule can never fire: higher-priority or more specific rules together match every input it matches".to_string(),
                5,
                1
            )]
        );
    }

    #[test]
    fn non_exhaustive_non_partial_term() {
        assert_eq!(
            errs("(decl f (Op) u32)\n(rule (f (Op.A _)) 1)\n(rule (f (Op.B)) 2)"),
            [(
                "non-exhaustive rules: term `f` is not partial, but its rules may not match every input; add a fallback rule or declare it `partial`".to_string(),
                1,
                7
            )]
        );
        // Covering every variant is exhaustive; partial terms need not be.
        ok("(decl f (Op) u32)\n(rule (f (Op.A _)) 1)\n(rule (f (Op.B)) 2)\n(rule (f (Op.C)) 3)");
        ok("(decl partial g (Op) u32)\n(rule (g (Op.A _)) 1)");
    }

    #[test]
    fn multi_terms_are_not_checked_for_overlap() {
        ok("(decl multi m (u32) u32)\n(rule (m x) x)\n(rule (m _) 1)");
    }
}
