//! Corner cases of code generation from `edge.isle` (checked in under
//! `generated/`, kept current by `up_to_date.rs`).

mod generated {
    include!("generated/edge.rs");
}

use generated::*;

struct Ctx;

impl Context for Ctx {
    fn mk_inner(&mut self, n: u32) -> Inner {
        if n % 2 == 0 {
            Inner::A { x: n / 2 }
        } else {
            Inner::B
        }
    }
    fn take(&mut self, i: Inner) -> u32 {
        match i {
            Inner::A { x } => x,
            Inner::B => 7,
        }
    }
    fn is_zero(&mut self, n: u32) -> Option<()> {
        (n == 0).then_some(())
    }
    fn pairs(&mut self, n: u32) -> Vec<(u32, u32)> {
        (0..n).map(|i| (i, n - i)).collect()
    }
}

#[test]
fn nested_enums() {
    let c = &mut Ctx;
    assert_eq!(
        constructor_nested(
            c,
            Outer::Wrap {
                inner: Inner::A { x: 4 },
                n: 1
            }
        ),
        4
    );
    assert_eq!(
        constructor_nested(
            c,
            Outer::Wrap {
                inner: Inner::B,
                n: 1
            }
        ),
        7
    );
    assert_eq!(constructor_nested(c, Outer::Empty), 0);
}

#[test]
fn single_variant_enums() {
    let c = &mut Ctx;
    assert_eq!(
        constructor_single(
            c,
            Single::Only {
                v: 3,
                w: Inner::A { x: 9 }
            }
        ),
        3
    );
    assert_eq!(constructor_single(c, Single::Only { v: 3, w: Inner::B }), 7);
}

#[test]
fn if_let_on_constructed_enum_and_predicates() {
    let c = &mut Ctx;
    assert_eq!(constructor_via_ctor(c, 0), Some(100));
    assert_eq!(constructor_via_ctor(c, 6), Some(3));
    assert_eq!(constructor_via_ctor(c, 5), None);
}

#[test]
fn enum_equality_and_exhaustive_partial_term() {
    let c = &mut Ctx;
    assert_eq!(constructor_same_inner(c, Inner::B, Inner::B), Some(1));
    assert_eq!(
        constructor_same_inner(c, Inner::A { x: 1 }, Inner::A { x: 2 }),
        Some(0)
    );
}

#[test]
fn multi_with_unconditional_first_rule() {
    let c = &mut Ctx;
    assert_eq!(constructor_all(c, 3), [3, 0, 1, 2]);
}
