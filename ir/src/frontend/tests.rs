//! Tests of the function builder: each builds a function and compares its text with CLIF
//! written by hand (which block parameters survive is part of the expectation).

use super::*;
use crate::condcodes::IntCC;
use crate::interpreter::{FunctionStore, Interpreter, InterpreterError};
use crate::signature::{AbiParam, CallConv};
use crate::types::{F32, F64, I128, I32, I32X4, I64};
use crate::DataValue;
use crate::{InstBuilder, UserFuncName};

fn new_func(name: &str, params: &[Type], returns: &[Type]) -> Function {
    let mut sig = Signature::new(CallConv::Fast);
    sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    sig.returns
        .extend(returns.iter().map(|&t| AbiParam::new(t)));
    Function::with_name_signature(UserFuncName::testcase(name), sig)
}

/// Builds a function with `body`, finalizes and verifies it, and returns it.
fn build(
    name: &str,
    params: &[Type],
    returns: &[Type],
    body: impl FnOnce(&mut FunctionBuilder),
) -> Function {
    let mut ctx = FunctionBuilderContext::new();
    build_with(&mut ctx, name, params, returns, body)
}

fn build_with(
    ctx: &mut FunctionBuilderContext,
    name: &str,
    params: &[Type],
    returns: &[Type],
    body: impl FnOnce(&mut FunctionBuilder),
) -> Function {
    let mut func = new_func(name, params, returns);
    let mut b = FunctionBuilder::new(&mut func, ctx);
    body(&mut b);
    b.finalize().expect("complete function");
    if let Err(errors) = crate::verifier::verify_function(&func) {
        panic!("{func}\ndoes not verify:\n{errors}");
    }
    func
}

/// Starts the entry block with the function's parameters; returns them.
fn entry(b: &mut FunctionBuilder) -> Vec<Value> {
    let block = b.create_block();
    b.switch_to_block(block);
    b.append_block_params_for_function_params(block);
    b.seal_block(block);
    b.block_params(block).to_vec()
}

/// Asserts no instruction operand or branch argument is an alias.
fn assert_no_alias_operands(func: &Function) {
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            for &v in func.dfg.inst_args(inst) {
                assert!(!func.dfg.is_alias(v), "{inst} uses alias {v}");
            }
            for dest in func.dfg.branch_destinations(inst) {
                for &v in func.dfg.block_call_args(dest) {
                    assert!(!func.dfg.is_alias(v), "{inst} passes alias {v}");
                }
            }
        }
    }
}

pub(super) fn straight_line() -> Function {
    build("straight", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        b.def_var(x, p[0]);
        let xv = b.use_var(x);
        let v = b.ins().iadd_imm(xv, 1);
        b.def_var(x, v);
        let (l, r) = (b.use_var(x), b.use_var(x));
        let v = b.ins().imul(l, r);
        b.def_var(x, v);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    })
}

#[test]
fn straight_line_needs_no_parameters() {
    assert_eq!(
        straight_line().to_string(),
        "function %straight(i32) -> i32 fast {
block0(v0: i32):
    v1 = iadd_imm v0, 1
    v2 = imul v1, v1
    return v2
}
"
    );
}

/// `(a > b ? a + 10 : a - b, b)`; the merge block is sealed before (`early`) or after the
/// variables are read in it.
pub(super) fn diamond(seal_merge_early: bool) -> Function {
    build("diamond", &[I32, I32], &[I32, I32], |b| {
        let p = entry(b);
        let (x, k) = (b.declare_var(I32), b.declare_var(I32));
        b.def_var(x, p[0]);
        b.def_var(k, p[1]);
        let (then, else_, merge) = (b.create_block(), b.create_block(), b.create_block());
        let c = b.ins().icmp(IntCC::SignedGreaterThan, p[0], p[1]);
        b.ins().brif(c, then, &[], else_, &[]);

        b.switch_to_block(then);
        b.seal_block(then);
        let xv = b.use_var(x);
        let v = b.ins().iadd_imm(xv, 10);
        b.def_var(x, v);
        b.ins().jump(merge, &[]);

        b.switch_to_block(else_);
        b.seal_block(else_);
        let (xv, kv) = (b.use_var(x), b.use_var(k));
        let v = b.ins().isub(xv, kv);
        b.def_var(x, v);
        b.ins().jump(merge, &[]);

        b.switch_to_block(merge);
        if seal_merge_early {
            b.seal_block(merge);
        }
        let (xv, kv) = (b.use_var(x), b.use_var(k));
        b.ins().return_(&[xv, kv]);
        if !seal_merge_early {
            b.seal_block(merge);
        }
    })
}

const DIAMOND: &str = "function %diamond(i32, i32) -> i32, i32 fast {
block0(v0: i32, v1: i32):
    v2 = icmp sgt v0, v1
    brif v2, block1, block2

block1:
    v3 = iadd_imm v0, 10
    jump block3(v3)

block2:
    v4 = isub v0, v1
    jump block3(v4)

block3(v5: i32):
    return v5, v1
}
";

#[test]
fn diamond_merges_only_the_variable_that_differs() {
    let func = diamond(true);
    assert_eq!(func.to_string(), DIAMOND);
    assert_no_alias_operands(&func);
}

#[test]
fn diamond_sealed_late_removes_the_trivial_placeholder() {
    let func = diamond(false);
    assert_eq!(func.to_string(), DIAMOND);
    assert_no_alias_operands(&func);
}

/// `acc = 1; i = n; while i > 1 { acc *= i; i -= step }` with `step` = 1 never reassigned.
pub(super) fn factorial(ctx: &mut FunctionBuilderContext) -> Function {
    build_with(ctx, "fact", &[I64], &[I64], |b| {
        let p = entry(b);
        let (acc, i, step) = (b.declare_var(I64), b.declare_var(I64), b.declare_var(I64));
        let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let one = b.ins().iconst(I64, 1);
        b.def_var(acc, one);
        b.def_var(i, p[0]);
        b.def_var(step, one);
        b.ins().jump(header, &[]);

        b.switch_to_block(header);
        let iv = b.use_var(i);
        let c = b.ins().icmp_imm(IntCC::SignedGreaterThan, iv, 1);
        b.ins().brif(c, body, &[], exit, &[]);

        b.switch_to_block(body);
        b.seal_block(body);
        let (av, iv) = (b.use_var(acc), b.use_var(i));
        let av = b.ins().imul(av, iv);
        b.def_var(acc, av);
        let (iv, sv) = (b.use_var(i), b.use_var(step));
        let iv = b.ins().isub(iv, sv);
        b.def_var(i, iv);
        b.ins().jump(header, &[]);
        b.seal_block(header);

        b.switch_to_block(exit);
        b.seal_block(exit);
        let av = b.use_var(acc);
        b.ins().return_(&[av]);
    })
}

const FACTORIAL: &str = "function %fact(i64) -> i64 fast {
block0(v0: i64):
    v1 = iconst.i64 1
    jump block1(v0, v1)

block1(v2: i64, v4: i64):
    v3 = icmp_imm sgt v2, 1
    brif v3, block2, block3

block2:
    v5 = imul v4, v2
    v7 = isub v2, v1
    jump block1(v7, v5)

block3:
    return v4
}
";

#[test]
fn loop_keeps_parameters_for_redefined_variables_only() {
    let func = factorial(&mut FunctionBuilderContext::new());
    assert_eq!(func.to_string(), FACTORIAL);
    assert_no_alias_operands(&func);
}

#[test]
fn context_is_reused_cleanly() {
    let mut ctx = FunctionBuilderContext::new();
    let _ = factorial(&mut ctx);
    let mut other = new_func("d", &[], &[]);
    {
        // Leave some state behind, unfinished.
        let mut b = FunctionBuilder::new(&mut other, &mut ctx);
        let blk = b.create_block();
        b.switch_to_block(blk);
        let v = b.declare_var(I32);
        let _ = b.use_var(v);
    }
    assert_eq!(factorial(&mut ctx).to_string(), FACTORIAL);
    assert_eq!(factorial(&mut ctx).to_string(), FACTORIAL);
}

/// Number of pairs `j < i < n`: an outer loop over `i` and an inner one over `j`, counting.
pub(super) fn nested_loops() -> Function {
    build("tri", &[I32], &[I32], |b| {
        let p = entry(b);
        let (i, j, count) = (b.declare_var(I32), b.declare_var(I32), b.declare_var(I32));
        let outer = b.create_block();
        let outer_body = b.create_block();
        let inner = b.create_block();
        let inner_body = b.create_block();
        let outer_latch = b.create_block();
        let exit = b.create_block();
        let zero = b.ins().iconst(I32, 0);
        b.def_var(i, zero);
        b.def_var(count, zero);
        b.ins().jump(outer, &[]);

        b.switch_to_block(outer);
        let iv = b.use_var(i);
        let c = b.ins().icmp(IntCC::SignedLessThan, iv, p[0]);
        b.ins().brif(c, outer_body, &[], exit, &[]);

        b.switch_to_block(outer_body);
        b.seal_block(outer_body);
        let z = b.ins().iconst(I32, 0);
        b.def_var(j, z);
        b.ins().jump(inner, &[]);

        b.switch_to_block(inner);
        let (jv, iv) = (b.use_var(j), b.use_var(i));
        let c = b.ins().icmp(IntCC::SignedLessThan, jv, iv);
        b.ins().brif(c, inner_body, &[], outer_latch, &[]);

        b.switch_to_block(inner_body);
        b.seal_block(inner_body);
        let cv = b.use_var(count);
        let cv = b.ins().iadd_imm(cv, 1);
        b.def_var(count, cv);
        let jv = b.use_var(j);
        let jv = b.ins().iadd_imm(jv, 1);
        b.def_var(j, jv);
        b.ins().jump(inner, &[]);
        b.seal_block(inner);

        b.switch_to_block(outer_latch);
        b.seal_block(outer_latch);
        let iv = b.use_var(i);
        let iv = b.ins().iadd_imm(iv, 1);
        b.def_var(i, iv);
        b.ins().jump(outer, &[]);
        b.seal_block(outer);

        b.switch_to_block(exit);
        b.seal_block(exit);
        let cv = b.use_var(count);
        b.ins().return_(&[cv]);
    })
}

#[test]
fn nested_loops_thread_variables_through_both_headers() {
    let func = nested_loops();
    assert_eq!(
        func.to_string(),
        "function %tri(i32) -> i32 fast {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v1, v1)

block1(v2: i32, v11: i32):
    v3 = icmp slt v2, v0
    brif v3, block2, block6

block2:
    v4 = iconst.i32 0
    jump block3(v4, v11)

block3(v5: i32, v8: i32):
    v7 = icmp slt v5, v2
    brif v7, block4, block5

block4:
    v9 = iadd_imm v8, 1
    v10 = iadd_imm v5, 1
    jump block3(v10, v9)

block5:
    v12 = iadd_imm v2, 1
    jump block1(v12, v8)

block6:
    return v11
}
"
    );
    assert_no_alias_operands(&func);
}

/// A loop nest where `x` is never reassigned, with the outer header sealed before the inner
/// one: the outer parameter only becomes trivial once the inner one is removed.
pub(super) fn invariant_in_nested_loops() -> Function {
    build("inv", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        b.def_var(x, p[0]);
        let (outer, inner, inner_latch, outer_latch, exit) = (
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
        );
        b.ins().jump(outer, &[]);

        b.switch_to_block(outer);
        let xv = b.use_var(x);
        b.ins().brif(xv, inner, &[], exit, &[]);

        b.switch_to_block(inner);
        let xv = b.use_var(x);
        let c = b.ins().iadd_imm(xv, -5);
        b.ins().brif(c, inner_latch, &[], outer_latch, &[]);

        b.switch_to_block(inner_latch);
        b.seal_block(inner_latch);
        b.ins().jump(inner, &[]);

        b.switch_to_block(outer_latch);
        b.seal_block(outer_latch);
        b.ins().jump(outer, &[]);

        b.seal_block(outer);
        b.seal_block(inner);

        b.switch_to_block(exit);
        b.seal_block(exit);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    })
}

#[test]
fn removing_a_trivial_parameter_makes_its_users_trivial_too() {
    let func = invariant_in_nested_loops();
    assert_eq!(
        func.to_string(),
        "function %inv(i32) -> i32 fast {
block0(v0: i32):
    jump block1

block1:
    brif v0, block2, block5

block2:
    v3 = iadd_imm v0, -5
    brif v3, block3, block4

block3:
    jump block2

block4:
    jump block1

block5:
    return v0
}
"
    );
    assert_no_alias_operands(&func);
}

/// `br_table` with repeated entries: block2 gets the argument on both of its table entries,
/// block1 (two entries, one predecessor) needs no parameter.
pub(super) fn switch() -> Function {
    build("switch", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        let (b1, b2, b3) = (b.create_block(), b.create_block(), b.create_block());
        let hundred = b.ins().iconst(I32, 100);
        b.def_var(x, hundred);
        let default = b.block_call(b3, &[]);
        let (e1, e2) = (b.block_call(b1, &[]), b.block_call(b2, &[]));
        let jt = b.create_jump_table(JumpTableData::new(default, &[e1, e2, e1, e2]));
        b.ins().br_table(p[0], jt);

        b.switch_to_block(b1);
        b.seal_block(b1);
        let seven = b.ins().iconst(I32, 7);
        b.def_var(x, seven);
        b.ins().jump(b2, &[]);

        b.switch_to_block(b2);
        b.seal_block(b2);
        let xv = b.use_var(x);
        let xv = b.ins().iadd_imm(xv, 1);
        b.def_var(x, xv);
        b.ins().jump(b3, &[]);

        b.switch_to_block(b3);
        b.seal_block(b3);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    })
}

#[test]
fn br_table_entries_get_arguments() {
    let func = switch();
    assert_eq!(
        func.to_string(),
        "function %switch(i32) -> i32 fast {
block0(v0: i32):
    v1 = iconst.i32 100
    br_table v0, block3(v1), [block1, block2(v1), block1, block2(v1)]

block1:
    v2 = iconst.i32 7
    jump block2(v2)

block2(v3: i32):
    v4 = iadd_imm v3, 1
    jump block3(v4)

block3(v5: i32):
    return v5
}
"
    );
    assert_no_alias_operands(&func);
}

#[test]
fn code_after_return_is_unreachable_and_reads_zero() {
    let mut states = Vec::new();
    let func = build("after_ret", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        states.push((b.is_unreachable(), b.is_pristine(), b.is_filled()));
        b.def_var(x, p[0]);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
        states.push((b.is_unreachable(), b.is_pristine(), b.is_filled()));

        let dead = b.create_block();
        b.switch_to_block(dead);
        b.seal_block(dead);
        states.push((b.is_unreachable(), b.is_pristine(), b.is_filled()));
        let xv = b.use_var(x);
        let v = b.ins().iadd_imm(xv, 1);
        b.ins().return_(&[v]);
    });
    // (unreachable, pristine, filled): entry before and after its return, then the dead block.
    assert_eq!(
        states,
        [
            (false, true, false),
            (false, false, true),
            (true, true, false)
        ]
    );
    assert_eq!(
        func.to_string(),
        "function %after_ret(i32) -> i32 fast {
block0(v0: i32):
    v1 = iconst.i32 0
    return v0

block1:
    v2 = iadd_imm v1, 1
    return v2
}
"
    );
}

pub(super) fn undefined_on_one_path() -> Function {
    build("maybe", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        let (set, merge) = (b.create_block(), b.create_block());
        b.ins().brif(p[0], set, &[], merge, &[]);

        b.switch_to_block(set);
        b.seal_block(set);
        let five = b.ins().iconst(I32, 5);
        b.def_var(x, five);
        b.ins().jump(merge, &[]);

        b.switch_to_block(merge);
        b.seal_block(merge);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    })
}

#[test]
fn variable_undefined_on_one_path_is_zero_there() {
    assert_eq!(
        undefined_on_one_path().to_string(),
        "function %maybe(i32) -> i32 fast {
block0(v0: i32):
    v3 = iconst.i32 0
    brif v0, block1, block2(v3)

block1:
    v1 = iconst.i32 5
    jump block2(v1)

block2(v2: i32):
    return v2
}
"
    );
}

#[test]
fn undefined_variables_of_every_kind_read_as_zero() {
    let func = build("zeros", &[], &[I32, I64, F32, F64, I128, I32X4, I32], |b| {
        let _ = entry(b);
        let tys = [I32, I64, F32, F64, I128, I32X4];
        let vars: Vec<_> = tys.iter().map(|&t| b.declare_var(t)).collect();
        let mut vals: Vec<_> = vars.iter().map(|&v| b.use_var(v)).collect();
        // A second read of an undefined i32 reuses the zero.
        let again = b.use_var(vars[0]);
        vals.push(again);
        b.ins().return_(&vals);
    });
    assert_eq!(
        func.to_string(),
        "function %zeros() -> i32, i64, f32, f64, i128, i32x4, i32 fast {
block0:
    v0 = iconst.i32 0
    v1 = iconst.i64 0
    v2 = f32const 0.0
    v3 = f64const 0.0
    v4 = iconst.i64 0
    v5 = uextend.i128 v4
    v6 = iconst.i64 0
    v7 = uextend.i128 v6
    v8 = bitcast.i32x4 v7
    return v0, v1, v2, v3, v5, v8, v0
}
"
    );
}

#[test]
fn zeros_for_later_blocks_go_to_the_top_of_the_entry_block() {
    let func = build("late", &[I32], &[], |b| {
        let p = entry(b);
        let (x, y) = (b.declare_var(I64), b.declare_var(F64));
        let next = b.create_block();
        let v = b.ins().iadd(p[0], p[0]);
        b.ins().jump(next, &[]);
        b.switch_to_block(next);
        b.seal_block(next);
        let _ = b.ins().iconst(I32, 3);
        let (xv, yv) = (b.use_var(x), b.use_var(y));
        let _ = b.ins().iadd(xv, xv);
        let _ = b.ins().fadd(yv, yv);
        let _ = v;
        b.ins().return_(&[]);
    });
    assert_eq!(
        func.to_string(),
        "function %late(i32) fast {
block0(v0: i32):
    v3 = iconst.i64 0
    v4 = f64const 0.0
    v1 = iadd v0, v0
    jump block1

block1:
    v2 = iconst.i32 3
    v5 = iadd v3, v3
    v6 = fadd v4, v4
    return
}
"
    );
}

#[test]
fn unreachable_single_predecessor_cycle_reads_zero() {
    // block1 and block2 only reach each other (and block3): no path from the entry gets
    // there, so walking up single predecessors from block3 goes round the cycle.
    let func = build("cycle", &[], &[I32], |b| {
        let _ = entry(b);
        let x = b.declare_var(I32);
        let ret = b.ins().iconst(I32, 1);
        b.ins().return_(&[ret]);
        let (b1, b2, b3) = (b.create_block(), b.create_block(), b.create_block());
        b.switch_to_block(b1);
        b.ins().jump(b2, &[]);
        b.switch_to_block(b2);
        b.seal_block(b2);
        let c = b.ins().iconst(I32, 1);
        b.ins().brif(c, b1, &[], b3, &[]);
        b.seal_block(b1);
        b.switch_to_block(b3);
        b.seal_block(b3);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    });
    assert_eq!(
        func.to_string(),
        "function %cycle() -> i32 fast {
block0:
    v2 = iconst.i32 0
    v0 = iconst.i32 1
    return v0

block1:
    jump block2

block2:
    v1 = iconst.i32 1
    brif v1, block1, block3

block3:
    return v2
}
"
    );
}

#[test]
fn unreachable_loop_may_use_its_own_result() {
    // The Braun et al. algorithm, like Cranelift's, can make an unreachable instruction use
    // its own result: block1's placeholder for `x` only receives the value computed in
    // block2, so it becomes that value. Verifiers do not check dominance in unreachable code.
    let func = build("selfuse", &[], &[], |b| {
        let _ = entry(b);
        let x = b.declare_var(I32);
        b.ins().return_(&[]);
        let (b1, b2) = (b.create_block(), b.create_block());
        b.switch_to_block(b1);
        b.ins().jump(b2, &[]);
        b.switch_to_block(b2);
        b.seal_block(b2);
        let xv = b.use_var(x);
        let xv = b.ins().iadd_imm(xv, 1);
        b.def_var(x, xv);
        b.ins().jump(b1, &[]);
        b.seal_block(b1);
    });
    assert_eq!(
        func.to_string(),
        "function %selfuse() fast {
block0:
    return

block1:
    jump block2

block2:
    v1 = iadd_imm v1, 1
    jump block1
}
"
    );
}

#[test]
fn unreachable_loop_header_parameter_becomes_zero() {
    // block1 has two predecessors, both inside the unreachable loop, and `x` is never set in
    // it: the parameter only receives itself.
    let func = build("deadloop", &[], &[], |b| {
        let _ = entry(b);
        let x = b.declare_var(I32);
        b.ins().return_(&[]);
        let (h, l) = (b.create_block(), b.create_block());
        b.switch_to_block(h);
        let xv = b.use_var(x);
        b.ins().brif(xv, l, &[], h, &[]);
        b.switch_to_block(l);
        b.seal_block(l);
        b.ins().jump(h, &[]);
        b.seal_block(h);
    });
    assert_eq!(
        func.to_string(),
        "function %deadloop() fast {
block0:
    v1 = iconst.i32 0
    return

block1:
    brif v1, block2, block1

block2:
    jump block1
}
"
    );
    assert_no_alias_operands(&func);
}

#[test]
fn user_block_parameters_and_variables_coexist() {
    // The merge block has a user parameter; the builder's parameter comes after it.
    let func = build("mixed", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        b.def_var(x, p[0]);
        let (t, merge) = (b.create_block(), b.create_block());
        let m = b.append_block_param(merge, I32);
        let c1 = b.ins().iconst(I32, 1);
        b.ins().brif(p[0], t, &[], merge, &[c1]);
        b.switch_to_block(t);
        b.seal_block(t);
        let c2 = b.ins().iconst(I32, 2);
        b.def_var(x, c2);
        b.ins().jump(merge, &[c2]);
        b.switch_to_block(merge);
        b.seal_block(merge);
        let xv = b.use_var(x);
        let s = b.ins().iadd(m, xv);
        b.ins().return_(&[s]);
    });
    assert_eq!(
        func.to_string(),
        "function %mixed(i32) -> i32 fast {
block0(v0: i32):
    v2 = iconst.i32 1
    brif v0, block1, block2(v2, v0)

block1:
    v3 = iconst.i32 2
    jump block2(v3, v3)

block2(v1: i32, v4: i32):
    v5 = iadd v1, v4
    return v5
}
"
    );
}

#[test]
fn deep_control_flow_does_not_overflow_the_stack() {
    // 20,000 diamonds in a row; `x` is only set at the entry and read at the very end, so
    // the lookup crosses every merge block (each with two predecessors) and every placeholder
    // parameter turns out trivial.
    const N: usize = 20_000;
    let func = build("deep", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        b.def_var(x, p[0]);
        for _ in 0..N {
            let (l, r, m) = (b.create_block(), b.create_block(), b.create_block());
            b.ins().brif(p[0], l, &[], r, &[]);
            for side in [l, r] {
                b.switch_to_block(side);
                b.seal_block(side);
                b.ins().jump(m, &[]);
            }
            b.switch_to_block(m);
            b.seal_block(m);
        }
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    });
    let last = func.layout.last_block().unwrap();
    let ret = func.layout.last_inst(last).unwrap();
    assert_eq!(
        func.dfg.inst_args(ret),
        [func.dfg.block_params(func.layout.entry_block().unwrap())[0]]
    );
    assert!(func
        .layout
        .blocks()
        .skip(1)
        .all(|blk| func.dfg.block_params(blk).is_empty()));
}

#[test]
fn deep_loop_nest_is_sealed_iteratively() {
    // N nested loops: header k jumps into header k+1, the innermost loops to itself or exits
    // to latch N-2, and latch k loops back to header k or exits to latch k-1 (latch -1 is the
    // exit). `x` is read in the innermost header only and never reassigned. Sealing the headers
    // outermost first makes sealing the innermost look up through every header at once, and
    // the removal of each trivial parameter makes the next one trivial.
    const N: usize = 1_000;
    let func = build("nest", &[I32], &[I32], |b| {
        let p = entry(b);
        let x = b.declare_var(I32);
        b.def_var(x, p[0]);
        let headers: Vec<Block> = (0..N).map(|_| b.create_block()).collect();
        let latches: Vec<Block> = (0..N - 1).map(|_| b.create_block()).collect();
        let exit = b.create_block();
        b.ins().jump(headers[0], &[]);
        for k in 0..N - 1 {
            b.switch_to_block(headers[k]);
            b.ins().jump(headers[k + 1], &[]);
        }
        b.switch_to_block(headers[N - 1]);
        let xv = b.use_var(x);
        b.ins().brif(xv, headers[N - 1], &[], latches[N - 2], &[]);
        for k in (0..N - 1).rev() {
            b.switch_to_block(latches[k]);
            b.seal_block(latches[k]);
            let out = if k == 0 { exit } else { latches[k - 1] };
            let xv = b.use_var(x);
            b.ins().brif(xv, headers[k], &[], out, &[]);
        }
        for &h in &headers {
            b.seal_block(h);
        }
        b.switch_to_block(exit);
        b.seal_block(exit);
        let xv = b.use_var(x);
        b.ins().return_(&[xv]);
    });
    let v0 = func.dfg.block_params(func.layout.entry_block().unwrap())[0];
    for blk in func.layout.blocks().skip(1) {
        assert!(
            func.dfg.block_params(blk).is_empty(),
            "{blk} has parameters"
        );
        let last = func.layout.last_inst(blk).unwrap();
        for &arg in func.dfg.inst_args(last) {
            assert_eq!(arg, v0, "{blk} ends with a use of {arg}");
        }
    }
    assert_no_alias_operands(&func);
}

#[test]
fn variable_errors() {
    let mut func = new_func("e", &[], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let blk = b.create_block();
    b.switch_to_block(blk);
    let v = b.declare_var(I32);
    assert_eq!(v, Variable::new(0));
    assert_eq!(
        b.try_declare_var(v, I64),
        Err(DeclareVariableError::DeclaredMultipleTimes(v))
    );
    let w = Variable::new(7);
    assert_eq!(
        b.try_declare_var(w, types::INVALID),
        Err(DeclareVariableError::InvalidType(w))
    );
    assert_eq!(
        b.try_use_var(w),
        Err(UseVariableError::UsedBeforeDeclared(w))
    );
    let c = b.ins().iconst(I64, 1);
    assert_eq!(
        b.try_def_var(w, c),
        Err(DefVariableError::DefinedBeforeDeclared(w))
    );
    let err = b.try_def_var(v, c).unwrap_err();
    assert_eq!(
        err,
        DefVariableError::TypeMismatch {
            var: v,
            declared: I32,
            value: c,
            found: I64
        }
    );
    assert_eq!(
        err.to_string(),
        "variable var0 of type i32 assigned v0 of type i64"
    );
    // Frontend-chosen numbers, then `declare_var` continues after the highest.
    assert_eq!(b.try_declare_var(w, F32), Ok(()));
    assert_eq!(b.declare_var(F64), Variable::new(8));
}

#[test]
fn finalize_reports_unsealed_and_unfilled_blocks() {
    let mut func = new_func("e", &[], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let blk = b.create_block();
    b.switch_to_block(blk);
    b.ins().return_(&[]);
    assert_eq!(b.finalize(), Err(FinalizeError::NotSealed(blk)));

    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let next = b.create_block();
    b.seal_block(blk);
    b.switch_to_block(next);
    b.seal_block(next);
    let err = b.finalize().unwrap_err();
    assert_eq!(err, FinalizeError::NotFilled(next));
    assert_eq!(err.to_string(), "block1 does not end in a terminator");

    let mut func = new_func("e", &[], &[]);
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (blk, missing) = (b.create_block(), b.create_block());
    b.switch_to_block(blk);
    let j = b.ins().jump(missing, &[]);
    b.seal_all_blocks();
    assert_eq!(
        b.finalize(),
        Err(FinalizeError::BranchToMissingBlock {
            inst: j,
            block: missing
        })
    );
}

#[test]
#[should_panic(expected = "already sealed")]
fn branching_to_a_sealed_block_panics() {
    let mut func = new_func("e", &[], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (b0, b1) = (b.create_block(), b.create_block());
    b.seal_block(b1);
    b.switch_to_block(b0);
    b.ins().jump(b1, &[]);
}

#[test]
#[should_panic(expected = "already ends in a terminator")]
fn adding_after_a_terminator_panics() {
    let mut func = new_func("e", &[], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let b0 = b.create_block();
    b.switch_to_block(b0);
    b.ins().return_(&[]);
    b.ins().return_(&[]);
}

#[test]
#[should_panic(expected = "add user parameters first")]
fn user_parameter_after_ssa_parameter_panics() {
    let mut func = new_func("e", &[], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (b0, b1) = (b.create_block(), b.create_block());
    let x = b.declare_var(I32);
    b.switch_to_block(b0);
    b.ins().jump(b1, &[]);
    b.switch_to_block(b1);
    let _ = b.use_var(x); // b1 is unsealed: a placeholder parameter
    b.append_block_param(b1, I32);
}

#[test]
#[should_panic(expected = "jt0 is already used by another br_table")]
fn sharing_a_jump_table_panics() {
    let mut func = new_func("e", &[I32], &[]);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let p = entry(&mut b);
    let (b1, b2) = (b.create_block(), b.create_block());
    let d = b.block_call(b1, &[]);
    let jt = b.create_jump_table(JumpTableData::new(d, &[]));
    b.ins().br_table(p[0], jt);
    b.switch_to_block(b1);
    b.ins().br_table(p[0], jt);
    let _ = b2;
}

#[test]
fn built_functions_print_as_parsable_clif() {
    let funcs = [
        straight_line(),
        diamond(true),
        factorial(&mut FunctionBuilderContext::new()),
        nested_loops(),
        invariant_in_nested_loops(),
        switch(),
        undefined_on_one_path(),
    ];
    for func in funcs {
        let text = func.to_string();
        let parsed = crate::parser::parse_functions(&text)
            .unwrap_or_else(|e| panic!("{text}\ndoes not parse: {e}"));
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].to_string(), text);
    }
}

// ---- Built functions verify and compute the right results ----

/// Verifies `func` and calls it with each argument list, expecting the given results.
fn check_runs(func: &Function, cases: &[(&[DataValue], &[DataValue])]) {
    if let Err(errors) = crate::verifier::verify_function(func) {
        panic!("{func}\ndoes not verify:\n{errors}");
    }
    let mut store = FunctionStore::new();
    store.add(func);
    let mut interp = Interpreter::new(store).with_fuel(1_000_000);
    for (args, expected) in cases {
        let got = interp
            .call_by_name(&func.name.to_string(), args)
            .unwrap_or_else(|e| panic!("{}{args:?}: {e}", func.name));
        assert_eq!(&got, expected, "{}{args:?}", func.name);
    }
}

fn i32s(xs: &[i32]) -> Vec<DataValue> {
    xs.iter().map(|&x| DataValue::I32(x)).collect()
}

#[test]
fn built_functions_verify_and_run() {
    let cases = |pairs: &[(&[i32], &[i32])]| -> Vec<(Vec<DataValue>, Vec<DataValue>)> {
        pairs.iter().map(|(a, r)| (i32s(a), i32s(r))).collect()
    };
    let run = |func: Function, pairs: &[(&[i32], &[i32])]| {
        let owned = cases(pairs);
        let refs: Vec<(&[DataValue], &[DataValue])> = owned
            .iter()
            .map(|(a, r)| (a.as_slice(), r.as_slice()))
            .collect();
        check_runs(&func, &refs);
    };
    // (x + 1)^2
    run(straight_line(), &[(&[3], &[16]), (&[-1], &[0])]);
    // a > b ? a + 10 : a - b, and b
    run(
        diamond(true),
        &[(&[5, 2], &[15, 2]), (&[2, 5], &[-3, 5]), (&[4, 4], &[0, 4])],
    );
    run(diamond(false), &[(&[7, -1], &[17, -1])]);
    // pairs j < i < n: n(n-1)/2
    run(
        nested_loops(),
        &[(&[0], &[0]), (&[1], &[0]), (&[5], &[10]), (&[10], &[45])],
    );
    // x = 0 exits at once; any other x loops forever (x = 5 in the outer loop, others in the
    // inner one), which the step limit stops.
    let inv = invariant_in_nested_loops();
    run(inv.clone(), &[(&[0], &[0])]);
    for x in [5, 1] {
        let mut store = FunctionStore::new();
        store.add(&inv);
        let mut interp = Interpreter::new(store).with_fuel(10_000);
        assert_eq!(
            interp.call_by_name("%inv", &[DataValue::I32(x)]),
            Err(InterpreterError::FuelExhausted)
        );
    }
    // Table [block1, block2, block1, block2], default block3: 7+1, 100+1, 8, 101, 100.
    run(
        switch(),
        &[
            (&[0], &[8]),
            (&[1], &[101]),
            (&[2], &[8]),
            (&[3], &[101]),
            (&[4], &[100]),
            (&[-1], &[100]),
        ],
    );
    run(undefined_on_one_path(), &[(&[0], &[0]), (&[1], &[5])]);
}

#[test]
fn factorial_and_sum_loops_compute_the_right_values() {
    let fact = factorial(&mut FunctionBuilderContext::new());
    check_runs(
        &fact,
        &[
            (&[DataValue::I64(0)], &[DataValue::I64(1)]),
            (&[DataValue::I64(1)], &[DataValue::I64(1)]),
            (&[DataValue::I64(5)], &[DataValue::I64(120)]),
            (
                &[DataValue::I64(20)],
                &[DataValue::I64(2_432_902_008_176_640_000)],
            ),
        ],
    );
    // The doc example's loop: sum(0..10) = 45.
    let sum = build("sum", &[I32], &[I32], |b| {
        let p = entry(b);
        let (i, s) = (b.declare_var(I32), b.declare_var(I32));
        let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let zero = b.ins().iconst(I32, 0);
        b.def_var(i, zero);
        b.def_var(s, zero);
        b.ins().jump(header, &[]);
        b.switch_to_block(header);
        let iv = b.use_var(i);
        let c = b.ins().icmp(IntCC::SignedLessThan, iv, p[0]);
        b.ins().brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.seal_block(body);
        let (iv, sv) = (b.use_var(i), b.use_var(s));
        let sv = b.ins().iadd(sv, iv);
        b.def_var(s, sv);
        let iv = b.ins().iadd_imm(iv, 1);
        b.def_var(i, iv);
        b.ins().jump(header, &[]);
        b.seal_block(header);
        b.switch_to_block(exit);
        b.seal_block(exit);
        let sv = b.use_var(s);
        b.ins().return_(&[sv]);
    });
    check_runs(
        &sum,
        &[
            (&[DataValue::I32(10)], &[DataValue::I32(45)]),
            (&[DataValue::I32(0)], &[DataValue::I32(0)]),
            (&[DataValue::I32(100)], &[DataValue::I32(4950)]),
        ],
    );
}

#[test]
fn zero_values_run_as_zeros() {
    let func = build("zeros", &[], &[I32, I64, F32, F64, I128], |b| {
        let _ = entry(b);
        let vals: Vec<_> = [I32, I64, F32, F64, I128]
            .iter()
            .map(|&t| {
                let v = b.declare_var(t);
                b.use_var(v)
            })
            .collect();
        b.ins().return_(&vals);
    });
    check_runs(
        &func,
        &[(
            &[],
            &[
                DataValue::I32(0),
                DataValue::I64(0),
                DataValue::F32(0.0f32.into()),
                DataValue::F64(0.0f64.into()),
                DataValue::I128(0),
            ],
        )],
    );
}

// ---- Random structured programs: the built IR must compute what the source program does ----

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NUM_VARS: usize = 4;

#[derive(Debug)]
enum Expr {
    Var(usize),
    Const(i32),
    Add(usize, usize),
    MulConst(usize, i32),
    Xor(usize, usize),
}

#[derive(Debug)]
enum Stmt {
    Assign(usize, Expr),
    /// Runs the first list if the variable is odd, else the second.
    IfOdd(usize, Vec<Stmt>, Vec<Stmt>),
    /// Runs the body this many times.
    Repeat(u32, Vec<Stmt>),
    /// Returns the variable if it is odd.
    ReturnIfOdd(usize),
}

fn gen_block(rng: &mut Rng, depth: u32) -> Vec<Stmt> {
    let n = 1 + rng.below(4);
    (0..n).map(|_| gen_stmt(rng, depth)).collect()
}

fn gen_stmt(rng: &mut Rng, depth: u32) -> Stmt {
    let var = |rng: &mut Rng| rng.below(NUM_VARS as u64) as usize;
    match rng.below(if depth < 3 { 10 } else { 6 }) {
        0..=4 => {
            let e = match rng.below(5) {
                0 => Expr::Var(var(rng)),
                1 => Expr::Const(rng.below(200) as i32 - 100),
                2 => Expr::Add(var(rng), var(rng)),
                3 => Expr::MulConst(var(rng), rng.below(7) as i32 - 3),
                _ => Expr::Xor(var(rng), var(rng)),
            };
            Stmt::Assign(var(rng), e)
        }
        5 => Stmt::ReturnIfOdd(var(rng)),
        6 | 7 => Stmt::IfOdd(
            var(rng),
            gen_block(rng, depth + 1),
            gen_block(rng, depth + 1),
        ),
        _ => Stmt::Repeat(rng.below(4) as u32, gen_block(rng, depth + 1)),
    }
}

/// The reference semantics: `Err(v)` is an early return of `v`.
fn eval_block(stmts: &[Stmt], vars: &mut [i32; NUM_VARS]) -> Result<(), i32> {
    for s in stmts {
        match s {
            Stmt::Assign(v, e) => {
                vars[*v] = match *e {
                    Expr::Var(a) => vars[a],
                    Expr::Const(c) => c,
                    Expr::Add(a, b) => vars[a].wrapping_add(vars[b]),
                    Expr::MulConst(a, c) => vars[a].wrapping_mul(c),
                    Expr::Xor(a, b) => vars[a] ^ vars[b],
                }
            }
            Stmt::IfOdd(v, t, e) => eval_block(if vars[*v] & 1 != 0 { t } else { e }, vars)?,
            Stmt::Repeat(n, body) => {
                for _ in 0..*n {
                    eval_block(body, vars)?;
                }
            }
            Stmt::ReturnIfOdd(v) => {
                if vars[*v] & 1 != 0 {
                    return Err(vars[*v]);
                }
            }
        }
    }
    Ok(())
}

/// The program's result: the early return, or a mix of every variable at the end.
fn eval_program(stmts: &[Stmt], a: i32, b: i32) -> i32 {
    let mut vars = [a, b, 0, 0];
    match eval_block(stmts, &mut vars) {
        Err(v) => v,
        Ok(()) => mix(&vars),
    }
}

fn mix(vars: &[i32]) -> i32 {
    vars.iter()
        .zip([1, 3, 5, 7])
        .fold(0i32, |acc, (&v, k)| acc.wrapping_add(v.wrapping_mul(k)))
}

/// Translates statements; `late` collects blocks whose sealing is deferred to the end.
struct Translator<'r> {
    vars: [Variable; NUM_VARS],
    rng: &'r mut Rng,
    /// 0: seal as early as possible; 1: seal everything at the end; 2: a random mix.
    mode: u64,
    late: Vec<Block>,
}

impl Translator<'_> {
    fn seal(&mut self, b: &mut FunctionBuilder, block: Block) {
        let defer = match self.mode {
            0 => false,
            1 => true,
            _ => self.rng.below(2) == 0,
        };
        if defer {
            self.late.push(block);
        } else {
            b.seal_block(block);
        }
    }

    fn block(&mut self, b: &mut FunctionBuilder, stmts: &[Stmt]) {
        for s in stmts {
            if b.is_filled() {
                return;
            }
            self.stmt(b, s);
        }
    }

    fn stmt(&mut self, b: &mut FunctionBuilder, s: &Stmt) {
        let var = |t: &Self, i: usize| t.vars[i];
        match s {
            Stmt::Assign(v, e) => {
                let val = match *e {
                    Expr::Var(a) => b.use_var(var(self, a)),
                    Expr::Const(c) => b.ins().iconst(I32, i64::from(c)),
                    Expr::Add(x, y) => {
                        let (x, y) = (b.use_var(var(self, x)), b.use_var(var(self, y)));
                        b.ins().iadd(x, y)
                    }
                    Expr::MulConst(x, c) => {
                        let x = b.use_var(var(self, x));
                        b.ins().imul_imm(x, i64::from(c))
                    }
                    Expr::Xor(x, y) => {
                        let (x, y) = (b.use_var(var(self, x)), b.use_var(var(self, y)));
                        b.ins().bxor(x, y)
                    }
                };
                b.def_var(var(self, *v), val);
            }
            Stmt::IfOdd(v, t, e) => {
                let x = b.use_var(var(self, *v));
                let odd = b.ins().band_imm(x, 1);
                let (tb, eb, merge) = (b.create_block(), b.create_block(), b.create_block());
                b.ins().brif(odd, tb, &[], eb, &[]);
                for (blk, body) in [(tb, t), (eb, e)] {
                    b.switch_to_block(blk);
                    self.seal(b, blk);
                    self.block(b, body);
                    if !b.is_filled() {
                        b.ins().jump(merge, &[]);
                    }
                }
                b.switch_to_block(merge);
                self.seal(b, merge);
            }
            Stmt::Repeat(n, body) => {
                // A hidden counter variable, declared per loop.
                let counter = b.declare_var(I32);
                let n = b.ins().iconst(I32, i64::from(*n));
                b.def_var(counter, n);
                let (header, body_block, exit) =
                    (b.create_block(), b.create_block(), b.create_block());
                b.ins().jump(header, &[]);
                b.switch_to_block(header);
                let c = b.use_var(counter);
                b.ins().brif(c, body_block, &[], exit, &[]);
                b.switch_to_block(body_block);
                self.seal(b, body_block);
                let c = b.use_var(counter);
                let c = b.ins().iadd_imm(c, -1);
                b.def_var(counter, c);
                self.block(b, body);
                if !b.is_filled() {
                    b.ins().jump(header, &[]);
                }
                self.seal(b, header);
                b.switch_to_block(exit);
                self.seal(b, exit);
            }
            Stmt::ReturnIfOdd(v) => {
                let x = b.use_var(var(self, *v));
                let odd = b.ins().band_imm(x, 1);
                let (ret, cont) = (b.create_block(), b.create_block());
                b.ins().brif(odd, ret, &[], cont, &[]);
                b.switch_to_block(ret);
                self.seal(b, ret);
                let x = b.use_var(var(self, *v));
                b.ins().return_(&[x]);
                b.switch_to_block(cont);
                self.seal(b, cont);
            }
        }
    }
}

fn build_program(stmts: &[Stmt], rng: &mut Rng, mode: u64) -> Function {
    build("prog", &[I32, I32], &[I32], |b| {
        let p = entry(b);
        let vars = [I32; NUM_VARS].map(|t| b.declare_var(t));
        b.def_var(vars[0], p[0]);
        b.def_var(vars[1], p[1]);
        let mut t = Translator {
            vars,
            rng,
            mode,
            late: Vec::new(),
        };
        t.block(b, stmts);
        if !b.is_filled() {
            let vals: Vec<Value> = vars.iter().map(|&v| b.use_var(v)).collect();
            let mut acc = b.ins().iconst(I32, 0);
            for (v, k) in vals.into_iter().zip([1, 3, 5, 7]) {
                let scaled = b.ins().imul_imm(v, k);
                acc = b.ins().iadd(acc, scaled);
            }
            b.ins().return_(&[acc]);
        }
        let late = core::mem::take(&mut t.late);
        if mode == 1 {
            b.seal_all_blocks();
        } else {
            for blk in late.into_iter().rev() {
                b.seal_block(blk);
            }
        }
    })
}

#[test]
fn random_programs_compute_what_their_source_does() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let inputs = [(0, 0), (1, 2), (-7, 3), (12345, -999), (i32::MAX, 1)];
    for case in 0..300 {
        let prog = gen_block(&mut rng, 0);
        let mode = case % 3;
        let func = build_program(&prog, &mut rng, mode);
        let mut store = FunctionStore::new();
        store.add(&func);
        let mut interp = Interpreter::new(store).with_fuel(1_000_000);
        for &(a, b) in &inputs {
            let expected = eval_program(&prog, a, b);
            let got = interp
                .call_by_name("%prog", &[DataValue::I32(a), DataValue::I32(b)])
                .unwrap_or_else(|e| panic!("case {case}: {e}\n{prog:#?}\n{func}"));
            assert_eq!(
                got,
                [DataValue::I32(expected)],
                "case {case} (mode {mode}), inputs ({a}, {b})\n{prog:#?}\n{func}"
            );
        }
    }
}
