//! Runs the code generated from `e2e.isle` (checked in under `generated/`,
//! kept current by `up_to_date.rs`) against hand-computed expectations.

/// A machine register: a `Copy` primitive of the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg(u32);

const LIMIT: u32 = 100;
const TRUE: bool = true;
const FALSE: bool = false;

mod generated {
    use super::{Reg, FALSE, LIMIT, TRUE};
    include!("generated/e2e.rs");
}

use generated::*;

/// Implements the extern terms and records which ones were called.
#[derive(Default)]
struct Ctx {
    log: Vec<String>,
}

impl Context for Ctx {
    fn add(&mut self, a: u32, b: u32) -> u32 {
        self.log.push(format!("add {a} {b}"));
        a.wrapping_add(b)
    }
    fn mul(&mut self, a: u32, b: u32) -> u32 {
        self.log.push(format!("mul {a} {b}"));
        a.wrapping_mul(b)
    }
    fn sub(&mut self, a: u32, b: u32) -> u32 {
        a.wrapping_sub(b)
    }
    fn rem2(&mut self, a: u32) -> u32 {
        a % 2
    }
    fn div2(&mut self, a: u32) -> u32 {
        a / 2
    }
    fn small(&mut self, a: u32) -> Option<u32> {
        self.log.push(format!("small {a}"));
        (a < 10).then_some(a)
    }
    fn small_divisors(&mut self, a: u32) -> Vec<u32> {
        (1..=4).filter(|d| a % d == 0).collect()
    }
    fn split(&mut self, a: u32) -> Vec<(u32, u32)> {
        (1..=a / 2).map(|x| (x, a - x)).collect()
    }
    fn hi_lo(&mut self, a: u32) -> (u32, u32) {
        (a >> 16, a & 0xffff)
    }
    fn nonzero(&mut self, a: u32) -> Option<u32> {
        (a != 0).then_some(a)
    }
    fn reg(&mut self, a: u32) -> Reg {
        Reg(a)
    }
    fn reg_num(&mut self, r: Reg) -> u32 {
        r.0
    }
}

#[test]
fn priorities_and_if() {
    let mut c = Ctx::default();
    assert_eq!(constructor_classify(&mut c, 0), 100);
    // The literal rule has the highest priority, so `small` was not consulted.
    assert!(c.log.is_empty());
    assert_eq!(constructor_classify(&mut c, 5), 200);
    assert_eq!(constructor_classify(&mut c, 50), 300);
    assert_eq!(c.log, ["small 5", "small 50"]);
}

#[test]
fn partial_constructor_falls_through() {
    let mut c = Ctx::default();
    assert_eq!(constructor_even_half(&mut c, 8), Some(4));
    assert_eq!(constructor_even_half(&mut c, 7), None);
    assert_eq!(constructor_halve_or_keep(&mut c, 10), 5);
    assert_eq!(constructor_halve_or_keep(&mut c, 7), 7);
}

#[test]
fn multi_terms_return_every_result() {
    let mut c = Ctx::default();
    // Priority 1 rule first, then one result per divisor <= 4.
    assert_eq!(
        constructor_scaled_divisors(&mut c, 12),
        [999, 10, 20, 30, 40]
    );
    assert_eq!(constructor_scaled_divisors(&mut c, 6), [10, 20, 30]);
    assert_eq!(constructor_scaled_divisors(&mut c, 5), [10]);
    // A multi extractor in a pattern: 5 = 1+4 = 2+3.
    assert_eq!(constructor_products(&mut c, 5), [4, 6]);
    assert_eq!(constructor_products(&mut c, 4), [3, 4]);
    assert!(constructor_products(&mut c, 1).is_empty());
}

#[test]
fn infallible_extractor_with_two_outputs() {
    let mut c = Ctx::default();
    assert_eq!(constructor_halves_sum(&mut c, 0x0003_0004), 7);
}

#[test]
fn enums_macros_and_bindings() {
    let mut c = Ctx::default();
    // `(double x)` expands to `(Expr.Add x x)`: equal fields take the priority-3 rule.
    assert_eq!(constructor_eval(&mut c, Expr::Add { a: 3, b: 3 }), 6);
    assert_eq!(c.log, ["mul 3 2"]);
    assert_eq!(constructor_eval(&mut c, Expr::Add { a: 2, b: 5 }), 7);
    assert_eq!(c.log, ["mul 3 2", "add 2 5"]);
    assert_eq!(constructor_eval(&mut c, Expr::Const { v: 9 }), 9);
    // `e @ (Expr.Neg x)`: e is passed on whole, so the result is 1000 - x.
    assert_eq!(constructor_eval(&mut c, Expr::Neg { x: 1 }), 999);
    assert_eq!(constructor_eval(&mut c, Expr::Nop), 0);
    assert_eq!(constructor_eval_again(&mut c, Expr::Nop), 0);
}

#[test]
fn repeated_variables_and_constants() {
    let mut c = Ctx::default();
    assert!(constructor_same(&mut c, 4, 4));
    assert!(!constructor_same(&mut c, 4, 5));
    assert_eq!(constructor_clamp(&mut c, LIMIT), 0);
    // small(5) succeeds, so sub_limit is 1 and the last rule keeps 5.
    assert_eq!(constructor_clamp(&mut c, 5), 5);
    // small(50) fails: sub_limit is 0 and the constant is returned.
    assert_eq!(constructor_clamp(&mut c, 50), LIMIT);
}

#[test]
fn integer_switches_and_negative_literals() {
    let mut c = Ctx::default();
    let names: Vec<u32> = (0..5).map(|i| constructor_name_of(&mut c, i)).collect();
    assert_eq!(names, [0, 11, 22, 33, 0]);
    assert_eq!(constructor_sign(&mut c, -1), 1);
    assert_eq!(constructor_sign(&mut c, 0), 0);
    assert_eq!(constructor_sign(&mut c, -7), -7);
}

#[test]
fn conversions_in_expressions_and_patterns() {
    let mut c = Ctx::default();
    assert_eq!(constructor_next_reg(&mut c, 4), Reg(5));
    assert_eq!(constructor_reg_value(&mut c, Reg(5)), 5);
    assert_eq!(constructor_reg_value(&mut c, Reg(0)), 77);
}

#[test]
fn let_and_enum_construction() {
    let mut c = Ctx::default();
    assert_eq!(
        constructor_lower_add(&mut c, 3, 0),
        Inst::Mov {
            dst: Reg(3),
            src: Reg(3)
        }
    );
    assert!(c.log.is_empty());
    assert_eq!(
        constructor_lower_add(&mut c, 3, 4),
        Inst::AddI {
            dst: Reg(3),
            imm: 8
        }
    );
    // The discarded `(_ u32 (add imm imm))` binding is still evaluated, after `mul`.
    assert_eq!(c.log, ["mul 4 2", "add 4 4"]);
    assert_eq!(constructor_ret(&mut c, 1), Inst::Ret);
}
