use super::*;

const COMMON: &str = "; comment
test interpret
test run
target x86_64
target x86_64 has_avx
set opt_level=speed

function %f(i32, i64 uext) -> i32, i8 system_v {
    ss0 = explicit_slot 16
    ss1 = explicit_slot 8, align = 8
    sig0 = (i32) -> i32 system_v
    fn0 = %g sig0
    fn1 = colocated %h(i64) -> i64      ; inline signature: creates a sigN
    fn2 = u0:1 sig0

block0(v0: i32, v1: i64):
    v2 = iconst.i32 -5
    v3 = iadd v0, v2
    v4, v5 = uadd_overflow v3, v0
    v6 = load.i32 notrap aligned v1+8
    store v6, v1-4
    v7 = icmp_imm slt v3, 10
    brif v7, block1(v3), block2
block1(v8: i32):
    v9 = call fn0(v8)
    return v9, v5
block2:
    br_table v0, block1(v0), [block1(v3), block2]
}
";

#[test]
fn parses_the_common_example() {
    let t = parse_test(COMMON).unwrap();
    assert_eq!(t.functions.len(), 1);
    assert_eq!(t.commands.len(), 2);
    assert_eq!(t.functions[0].comments.len(), 1);
}
