//! One test per kind of error, each checking where it is reported and what it says, built with
//! the cursor and builder or by editing the data-flow graph directly (never by parsing).

use super::*;
use crate::builder::InstBuilder;
use crate::condcodes::IntCC;
use crate::cursor::FuncCursor;
use crate::entity::EntityRef;
use crate::extfunc::{ExtFuncData, UserFuncName};
use crate::immediates::Imm64;
use crate::instructions::BlockCall;
use crate::jumptable::JumpTableData;
use crate::memflags::MemFlags;
use crate::opcodes::Opcode;
use crate::signature::{AbiParam, CallConv, Signature};
use crate::stackslot::StackSlotData;
use crate::trapcode::TrapCode;
use crate::types::*;
use crate::{FuncRef, JumpTable, SigRef, StackSlot};

fn sig(params: &[Type], returns: &[Type]) -> Signature {
    let mut s = Signature::new(CallConv::SystemV);
    s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
    s.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
    s
}

/// `function %f(params) -> returns` with `block0` holding matching parameters.
fn new_func(params: &[Type], returns: &[Type]) -> (Function, Block, Vec<Value>) {
    let mut func = Function::with_name_signature(UserFuncName::testcase("f"), sig(params, returns));
    let b0 = func.dfg.make_block();
    func.layout.append_block(b0);
    let vals = params
        .iter()
        .map(|&t| func.dfg.append_block_param(b0, t))
        .collect();
    (func, b0, vals)
}

fn errors(func: &Function) -> Vec<VerifierError> {
    match verify_function(func) {
        Ok(()) => Vec::new(),
        Err(e) => e.0,
    }
}

/// Asserts that verifying `func` gives exactly `expected` (location, message), in order.
#[track_caller]
fn assert_errors(func: &Function, expected: &[(AnyEntity, &str)]) {
    let got: Vec<(AnyEntity, String)> = errors(func)
        .into_iter()
        .map(|e| (e.location, e.message))
        .collect();
    let want: Vec<(AnyEntity, String)> =
        expected.iter().map(|(l, m)| (*l, m.to_string())).collect();
    assert_eq!(got, want, "in\n{}", func.display());
}

#[track_caller]
fn assert_ok(func: &Function) {
    assert_errors(func, &[]);
}

fn inst_of(func: &Function, v: Value) -> Inst {
    match func.dfg.value_def(v) {
        ValueDef::Result(i, _) => i,
        d => panic!("{v} is {d:?}"),
    }
}

/// Creates `data` with results for `ctrl` and appends it to `block`.
fn push(func: &mut Function, block: Block, data: InstructionData, ctrl: Type) -> Inst {
    let inst = func.dfg.make_inst(data);
    func.dfg.make_inst_results(inst, ctrl);
    func.layout.append_inst(inst, block);
    inst
}

fn e(inst: Inst) -> AnyEntity {
    AnyEntity::Inst(inst)
}

#[test]
fn valid_function_passes() {
    let (mut func, b0, p) = new_func(&[I32, I64], &[I32, I8]);
    let ss0 = func.create_stack_slot(StackSlotData::new(16, 3));
    let sig0 = func.import_signature(sig(&[I32], &[I32]));
    let fn0 = func.import_function(ExtFuncData {
        name: UserFuncName::testcase("g"),
        signature: sig0,
        colocated: false,
    });
    let mut cur = FuncCursor::new(&mut func);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let b3 = cur.append_new_block(); // unreachable
    let x = cur.func.dfg.append_block_param(b1, I32);
    let (v0, v1) = (p[0], p[1]);
    cur.goto_bottom(b0);
    let c = cur.ins().iconst(I32, -5);
    let s = cur.ins().iadd(v0, c);
    let (sum, carry) = cur.ins().uadd_overflow(s, v0);
    let l = cur.ins().load(I32, MemFlags::new(), v1, 8);
    cur.ins().store(MemFlags::new(), l, v1, -4);
    cur.ins().stack_store(sum, ss0, 12);
    let _ = cur.ins().stack_load(I64, ss0, 8);
    let _ = cur.ins().stack_addr(I64, ss0, 16);
    let w = cur.ins().uextend(I64, v0);
    let n = cur.ins().ireduce(I8, w);
    let f = cur.ins().bitcast(F32, v0);
    let d = cur.ins().fpromote(F64, f);
    let _ = cur.ins().fcvt_to_sint_sat(I16, d);
    let (lo, hi) = cur.ins().isplit(w);
    let _ = cur.ins().iconcat(lo, hi);
    let _ = cur.ins().select(n, f, f);
    let _ = cur.ins().ishl(v0, n);
    let fa = cur.ins().func_addr(I64, fn0);
    let ci = cur.ins().call_indirect(sig0, fa, &[v0]);
    let r = cur.func.dfg.first_result(ci);
    cur.ins().trapz(r, TrapCode::User(3));
    let cmp = cur.ins().icmp_imm(IntCC::SignedLessThan, s, 10);
    cur.ins().brif(cmp, b1, &[s], b2, &[]);
    cur.goto_bottom(b1);
    let call = cur.ins().call(fn0, &[x]);
    let r = cur.func.dfg.first_result(call);
    cur.ins().return_(&[r, carry]);
    cur.goto_bottom(b2);
    let pool = &mut cur.func.dfg.value_lists;
    let jt = JumpTableData::new(
        BlockCall::new(b1, &[v0], pool),
        &[
            BlockCall::new(b1, &[s], pool),
            BlockCall::new(b2, &[], pool),
        ],
    );
    let jt = cur.func.create_jump_table(jt);
    cur.ins().br_table(v0, jt);
    // An unreachable block may use anything that exists, even without dominance.
    cur.goto_bottom(b3);
    cur.ins().return_(&[x, carry]);
    assert_ok(&func);
}

#[test]
fn no_entry_block() {
    let func = Function::new();
    assert_errors(
        &func,
        &[(
            AnyEntity::Function,
            "function has no entry block (its layout is empty)",
        )],
    );
}

#[test]
fn entry_params_against_signature() {
    let (mut func, b0, _) = new_func(&[I32], &[]);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    func.signature.params.push(AbiParam::new(I64));
    assert_errors(
        &func,
        &[(
            b0.into(),
            "entry block block0 has 1 parameters but the signature has 2",
        )],
    );
    func.signature.params = vec![AbiParam::new(F32)];
    assert_errors(
        &func,
        &[(
            b0.into(),
            "entry block parameter v0 has type i32, but the signature says f32",
        )],
    );
}

#[test]
fn empty_block_and_missing_terminator() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let y = cur.ins().iadd(p[0], p[0]);
    cur.goto_bottom(b1);
    cur.ins().return_(&[y]);
    let iadd = inst_of(&func, y);
    assert_errors(
        &func,
        &[
            (
                e(iadd),
                "block0 does not end with a terminator: iadd is not one",
            ),
            (
                b2.into(),
                "block2 is empty; a block must end with a terminator",
            ),
        ],
    );
    let err = &errors(&func)[0];
    assert_eq!(err.context.as_deref(), Some("v1 = iadd v0, v0"));
    assert_eq!(
        err.to_string(),
        "inst0 (v1 = iadd v0, v0): block0 does not end with a terminator: iadd is not one"
    );
}

#[test]
fn terminator_before_the_end() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let ret = cur.ins().return_(&[p[0]]);
    cur.ins().trap(TrapCode::UnreachableCodeReached);
    assert_errors(
        &func,
        &[(
            e(ret),
            "terminator return is not the last instruction of block0",
        )],
    );
}

#[test]
fn layout_entities_that_were_never_created() {
    let (mut func, b0, _) = new_func(&[], &[]);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    let ghost_block = Block::new(7);
    let ghost_inst = Inst::new(9);
    func.layout.append_block(ghost_block);
    func.layout.append_inst(ghost_inst, ghost_block);
    assert_errors(
        &func,
        &[
            (
                ghost_block.into(),
                "block7 is in the layout but was never created",
            ),
            (
                ghost_inst.into(),
                "inst9 is in the layout but was never created",
            ),
        ],
    );
}

#[test]
fn undefined_and_nonexistent_values() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let placeholder = func.dfg.make_placeholder_value();
    let nowhere = Value::new(100);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().iadd(p[0], placeholder);
    let ret = cur.ins().return_(&[nowhere]);
    let ia = inst_of(&func, a);
    assert_errors(
        &func,
        &[
            (e(ia), "v1 is used but never defined"),
            (e(ret), "v100 does not exist"),
        ],
    );
}

#[test]
fn definitions_outside_the_layout() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    // v1 = iadd v0, v0 is created but never inserted; block1's parameter is never inserted.
    let loose = func.dfg.make_inst(InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [p[0], p[0]],
    });
    func.dfg.make_inst_results(loose, I32);
    let y = func.dfg.first_result(loose);
    let b1 = func.dfg.make_block();
    let z = func.dfg.append_block_param(b1, I32);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let s = cur.ins().iadd(y, z);
    cur.ins().return_(&[s]);
    let is = inst_of(&func, s);
    assert_errors(
        &func,
        &[
            (e(is), "v1 is defined by inst0, which is not in the layout"),
            (
                e(is),
                "v2 is a parameter of block1, which is not in the layout",
            ),
        ],
    );
}

#[test]
fn controlling_type_not_allowed() {
    let (mut func, b0, p) = new_func(&[F32, I64], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().iadd(p[0], p[0]);
    let b = cur.ins().fadd(p[1], p[1]);
    let c = cur.ins().uload32(I32, MemFlags::new(), p[1], 0);
    cur.ins().return_(&[]);
    let (ia, ib, ic) = (inst_of(&func, a), inst_of(&func, b), inst_of(&func, c));
    assert_errors(
        &func,
        &[
            (
                e(ia),
                "iadd does not accept type f32 (allowed: i8|i16|i32|i64|i128)",
            ),
            (e(ib), "fadd does not accept type i64 (allowed: f32|f64)"),
            (e(ic), "uload32 does not accept type i32 (allowed: i64)"),
        ],
    );
}

#[test]
fn vectors_only_where_the_table_allows() {
    let (mut func, b0, p) = new_func(&[I32X4, I64], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    // `load` and `store` take vectors; `iadd` does not.
    let l = cur.ins().load(I32X4, MemFlags::new(), p[1], 0);
    cur.ins().store(MemFlags::new(), l, p[1], 16);
    let a = cur.ins().iadd(p[0], l);
    cur.ins().return_(&[]);
    let ia = inst_of(&func, a);
    assert_errors(
        &func,
        &[(
            e(ia),
            "iadd does not accept type i32x4 (allowed: i8|i16|i32|i64|i128)",
        )],
    );
}

#[test]
fn operand_must_have_the_controlling_type() {
    let (mut func, b0, p) = new_func(&[I32, I64], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().iadd(p[0], p[1]);
    let b = cur.ins().fma(p[0], p[0], p[0]); // wrong ctrl: reported once, operands skipped
    cur.ins().return_(&[]);
    let (ia, ib) = (inst_of(&func, a), inst_of(&func, b));
    assert_errors(
        &func,
        &[
            (e(ia), "operand v1 of iadd has type i64, expected i32"),
            (e(ib), "fma does not accept type i32 (allowed: f32|f64)"),
        ],
    );
}

#[test]
fn operand_type_sets() {
    let (mut func, b0, p) = new_func(&[F32, I8, I32], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let s = cur.ins().select(p[0], p[2], p[2]);
    let l = cur.ins().load(I32, MemFlags::new(), p[1], 0);
    let sh = cur.ins().ishl(p[2], p[0]);
    cur.ins().return_(&[]);
    let (is, il, ish) = (inst_of(&func, s), inst_of(&func, l), inst_of(&func, sh));
    assert_errors(
        &func,
        &[
            (
                e(is),
                "operand v0 of select has type f32, expected one of i8|i16|i32|i64|i128",
            ),
            (
                e(il),
                "operand v1 of load has type i8, expected one of i32|i64",
            ),
            (
                e(ish),
                "operand v0 of ishl has type f32, expected one of i8|i16|i32|i64|i128",
            ),
        ],
    );
}

#[test]
fn narrower_wider_and_same_width() {
    let (mut func, b0, p) = new_func(&[I64, I32, F64, F32], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().uextend(I32, p[0]); // i64 is not narrower than i32
    let b = cur.ins().sextend(I64, p[3]); // f32 is not an integer
    let c = cur.ins().ireduce(I64, p[1]); // i32 is not wider than i64
    let d = cur.ins().bitcast(I32, p[2]); // f64 is 64 bits
    let f = cur.ins().fpromote(F64, p[2]); // f64 is not narrower than f64
    let g = cur.ins().fdemote(F32, p[1]); // i32 is not a float
    cur.ins().return_(&[]);
    let i = |v| e(inst_of(&func, v));
    assert_errors(
        &func,
        &[
            (
                i(a),
                "operand v0 of uextend has type i64, expected integer type narrower than i32",
            ),
            (
                i(b),
                "operand v3 of sextend has type f32, expected integer type narrower than i64",
            ),
            (
                i(c),
                "operand v1 of ireduce has type i32, expected integer type wider than i64",
            ),
            (
                i(d),
                "operand v2 of bitcast has type f64, expected type of 32 bits like i32",
            ),
            (
                i(f),
                "operand v2 of fpromote has type f64, expected float type narrower than f64",
            ),
            (
                i(g),
                "operand v1 of fdemote has type i32, expected float type wider than f32",
            ),
        ],
    );
}

#[test]
fn results_against_the_table() {
    let (mut func, b0, p) = new_func(&[I32], &[]);
    // Two results where `iadd` has one; a result of the wrong type; no result for `iconst`.
    let two = func.dfg.make_inst(InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [p[0], p[0]],
    });
    func.dfg.append_result(two, I32);
    func.dfg.append_result(two, I32);
    func.layout.append_inst(two, b0);
    let wrong = func.dfg.make_inst(InstructionData::IntCompare {
        opcode: Opcode::Icmp,
        cond: IntCC::Equal,
        args: [p[0], p[0]],
    });
    func.dfg.append_result(wrong, I32);
    func.layout.append_inst(wrong, b0);
    let none = func.dfg.make_inst(InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm: Imm64::new(1),
    });
    func.layout.append_inst(none, b0);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    assert_errors(
        &func,
        &[
            (e(two), "iadd has 2 results but should have 1"),
            (
                e(wrong),
                "result v3 of icmp has type i32, but icmp produces i8",
            ),
            (e(none), "iconst has 0 results but should have 1"),
        ],
    );
}

#[test]
fn results_recorded_elsewhere() {
    let (mut func, b0, p) = new_func(&[I32], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().iadd(p[0], p[0]);
    cur.ins().return_(&[]);
    // A second instruction lists v1 as its result, though v1 belongs to the first.
    let ia = inst_of(&func, a);
    let other = func.dfg.make_inst(InstructionData::Unary {
        opcode: Opcode::Ineg,
        arg: p[0],
    });
    func.dfg.append_result(other, I32);
    func.dfg.attach_result(other, a, I32); // v1 now claims to be result 1 of `other`
    func.layout
        .insert_inst(other, func.layout.last_inst(b0).unwrap());
    let errs = errors(&func);
    assert!(
        errs.iter().any(|e| e.location == AnyEntity::Inst(ia)
            && e.message == "result 0 of inst0 is v1, which is recorded as result 1 of inst2"),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.location == AnyEntity::Inst(other)
        && e.message == "ineg has 2 results but should have 1"));
}

#[test]
fn format_must_match_opcode() {
    let (mut func, b0, p) = new_func(&[I32], &[]);
    let bad = func.dfg.make_inst(InstructionData::Unary {
        opcode: Opcode::Iadd,
        arg: p[0],
    });
    func.layout.append_inst(bad, b0);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    assert_errors(
        &func,
        &[(
            e(bad),
            "iadd has format Binary, but the instruction holds Unary data",
        )],
    );
}

#[test]
fn iconst_immediate_range() {
    let (mut func, b0, _) = new_func(&[], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let _ = cur.ins().iconst(I8, -1); // the builder stores 0xff
    let _ = cur.ins().iconst(I64, -1);
    let imm = |x| InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm: Imm64::new(x),
    };
    let bad = push(&mut func, b0, imm(-1), I16);
    let wide = push(&mut func, b0, imm(0x1_0000_0000), I32);
    let _ = push(&mut func, b0, imm(0xffff_ffff), I32);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    assert_errors(
        &func,
        &[
            (
                e(bad),
                "immediate -1 is out of range for i16: it must be stored zero-extended, 0 to 0xffff",
            ),
            (
                e(wide),
                "immediate 0x1_0000_0000 is out of range for i32: it must be stored \
                 zero-extended, 0 to 0xffffffff",
            ),
        ],
    );
}

#[test]
fn call_arguments_and_results() {
    let (mut func, b0, p) = new_func(&[I32, I64, I8], &[]);
    let sig0 = func.import_signature(sig(&[I32, I64], &[I64]));
    let fn0 = func.import_function(ExtFuncData {
        name: UserFuncName::testcase("g"),
        signature: sig0,
        colocated: false,
    });
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let c1 = cur.ins().call(fn0, &[p[0]]);
    let c2 = cur.ins().call(fn0, &[p[1], p[1]]);
    let c3 = cur.ins().call_indirect(sig0, p[2], &[p[0], p[1]]);
    let c4 = cur.ins().call_indirect(sig0, p[1], &[p[0], p[0]]);
    cur.ins().return_(&[]);
    assert_errors(
        &func,
        &[
            (e(c1), "call to fn0 has 1 arguments, but sig0 takes 2"),
            (
                e(c2),
                "argument 0 (v1) of call to fn0 has type i64, but sig0 takes i32",
            ),
            (
                e(c3),
                "call_indirect does not accept type i8 (allowed: i32|i64)",
            ),
            (
                e(c4),
                "argument 1 (v0) of call_indirect has type i32, but sig0 takes i64",
            ),
        ],
    );
    // Results come from the signature.
    let r = func.dfg.inst_results(c1)[0];
    assert_eq!(func.dfg.value_type(r), I64);
}

#[test]
fn call_results_against_signature() {
    let (mut func, b0, p) = new_func(&[I32], &[]);
    let sig0 = func.import_signature(sig(&[I32], &[I64]));
    let fn0 = func.import_function(ExtFuncData {
        name: UserFuncName::testcase("g"),
        signature: sig0,
        colocated: false,
    });
    let args = func.dfg.value_lists.alloc(&[p[0]]);
    let call = func.dfg.make_inst(InstructionData::Call {
        opcode: Opcode::Call,
        func_ref: fn0,
        args,
    });
    func.dfg.append_result(call, I32);
    func.layout.append_inst(call, b0);
    FuncCursor::new(&mut func).at_bottom(b0).ins().return_(&[]);
    assert_errors(
        &func,
        &[(
            e(call),
            "result v1 of call has type i32, but call produces i64",
        )],
    );
}

#[test]
fn return_values() {
    let (mut func, b0, p) = new_func(&[I32], &[I32, I64]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let ret0 = cur.ins().return_(&[p[0]]);
    cur.goto_bottom(b1);
    let ret1 = cur.ins().return_(&[p[0], p[0]]);
    assert_errors(
        &func,
        &[
            (e(ret0), "return has 1 values, but the function returns 2"),
            (
                e(ret1),
                "return value 1 (v0) has type i32, but the function returns i64",
            ),
        ],
    );
}

#[test]
fn references_to_entities_that_do_not_exist() {
    let (mut func, b0, p) = new_func(&[I64], &[]);
    let bad_sig_fn = func.import_function(ExtFuncData {
        name: UserFuncName::testcase("h"),
        signature: SigRef::new(4),
        colocated: false,
    });
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().stack_load(I32, StackSlot::new(3), 0);
    let b = cur.ins().stack_store(p[0], StackSlot::new(3), 0);
    let c = cur.ins().call(FuncRef::new(5), &[p[0]]);
    let d = cur.ins().func_addr(I64, bad_sig_fn);
    let f = cur.ins().call_indirect(SigRef::new(6), p[0], &[]);
    let g = cur.ins().br_table(p[0], JumpTable::new(2));
    let (ia, id) = (inst_of(&func, a), inst_of(&func, d));
    assert_errors(
        &func,
        &[
            (e(ia), "stack_load uses ss3, which does not exist"),
            (e(b), "stack_store uses ss3, which does not exist"),
            (e(c), "call uses fn5, which does not exist"),
            (e(id), "fn0 has signature sig4, which does not exist"),
            (e(f), "call_indirect uses sig6, which does not exist"),
            (e(g), "br_table uses jt2, which does not exist"),
            (e(g), "br_table does not accept type i64 (allowed: i32)"),
        ],
    );
    // The context of the br_table is printed without its missing table.
    let errs = errors(&func);
    assert_eq!(errs[5].context.as_deref(), Some("br_table ..."));
}

#[test]
fn branch_destinations() {
    let (mut func, b0, p) = new_func(&[I32, I64], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let b3 = cur.append_new_block();
    let nowhere = cur.func.dfg.make_block(); // created, never inserted
    cur.func.dfg.append_block_param(b1, I32);
    cur.func.dfg.append_block_param(b1, I64);
    let br = cur.ins().brif(p[0], b1, &[p[0]], b2, &[]);
    cur.goto_bottom(b1);
    let j1 = cur.ins().jump(b1, &[p[1], p[1]]);
    cur.goto_bottom(b2);
    let j2 = cur.ins().jump(nowhere, &[]);
    cur.goto_bottom(b3);
    let j3 = cur.ins().jump(b0, &[p[0], p[1]]);
    assert_errors(
        &func,
        &[
            (
                e(br),
                "brif passes 1 arguments to block1, which has 2 parameters",
            ),
            (
                e(j1),
                "argument v1 to block1 has type i64, but parameter v2 is i32",
            ),
            (e(j2), "jump targets block4, which is not in the layout"),
            (
                e(j3),
                "jump targets the entry block block0, which cannot be a branch target",
            ),
        ],
    );
}

#[test]
fn br_table_destinations() {
    let (mut func, b0, p) = new_func(&[I32], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    cur.func.dfg.append_block_param(b1, I32);
    let pool = &mut cur.func.dfg.value_lists;
    let jt = JumpTableData::new(
        BlockCall::new(b1, &[p[0]], pool),
        &[BlockCall::new(b1, &[], pool), BlockCall::new(b0, &[], pool)],
    );
    let jt = cur.func.create_jump_table(jt);
    let br = cur.ins().br_table(p[0], jt);
    cur.goto_bottom(b1);
    cur.ins().return_(&[]);
    assert_errors(
        &func,
        &[
            (
                e(br),
                "br_table passes 0 arguments to block1, which has 1 parameters",
            ),
            (
                e(br),
                "br_table targets the entry block block0, which cannot be a branch target",
            ),
            (
                e(br),
                "br_table passes 0 arguments to block0, which has 1 parameters",
            ),
        ],
    );
}

#[test]
fn use_before_definition_in_one_block() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let a = cur.ins().iadd(p[0], p[0]);
    let ret = cur.ins().return_(&[a]);
    // Move the definition after its use, and make an instruction use its own result.
    let ia = inst_of(&func, a);
    func.layout.remove_inst(ia);
    func.layout.insert_inst(ia, ret);
    func.layout.remove_inst(ret);
    func.layout.append_inst(ret, b0);
    let mut cur = FuncCursor::new(&mut func).at_inst(ia);
    let user = cur.ins().imul(a, p[0]);
    let self_use = cur.func.dfg.make_inst(InstructionData::Unary {
        opcode: Opcode::Ineg,
        arg: Value::new(99), // fixed below
    });
    let own = cur.func.dfg.append_result(self_use, I32);
    cur.func.dfg.insts[self_use] = InstructionData::Unary {
        opcode: Opcode::Ineg,
        arg: own,
    };
    cur.func.layout.insert_inst(self_use, ret);
    let iu = inst_of(&func, user);
    assert_errors(
        &func,
        &[
            (
                e(iu),
                "use of v1 is not dominated by its definition (result 0 of inst0)",
            ),
            (e(self_use), "v3 is used by its own definition"),
        ],
    );
}

#[test]
fn uses_across_blocks_need_dominance() {
    // block0: brif -> block1 | block2; both jump to block3(v).
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let b3 = cur.append_new_block();
    let q = cur.func.dfg.append_block_param(b3, I32);
    let m = cur.func.dfg.append_block_param(b1, I32);
    let c = cur.ins().iconst(I32, 1);
    cur.ins().brif(p[0], b1, &[c], b2, &[]);
    cur.goto_bottom(b1);
    let one = cur.ins().iadd(m, c);
    cur.ins().jump(b3, &[one]);
    cur.goto_bottom(b2);
    // `one` is defined in block1, which does not dominate block2, and `m` is block1's.
    let bad = cur.ins().jump(b3, &[one]);
    cur.goto_bottom(b3);
    let bad2 = cur.ins().iadd(q, m);
    cur.ins().return_(&[bad2]);
    let ib2 = inst_of(&func, bad2);
    assert_errors(
        &func,
        &[
            (
                e(bad),
                "use of v4 is not dominated by its definition (result 0 of inst2)",
            ),
            (
                e(ib2),
                "use of v2 is not dominated by its definition (parameter 0 of block1)",
            ),
        ],
    );
}

#[test]
fn branch_argument_defined_in_the_target_block() {
    // A loop: block1's own result is passed back to it, which is fine since the branch is
    // after the definition; passing a value defined later in the block is not.
    let (mut func, b0, p) = new_func(&[I32], &[]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let x = cur.func.dfg.append_block_param(b1, I32);
    cur.ins().jump(b1, &[p[0]]);
    cur.goto_bottom(b1);
    let y = cur.ins().iadd_imm(x, 1);
    let br = cur.ins().brif(y, b1, &[y], b1, &[x]);
    assert_ok(&func);
    // Now define `y` after the branch in the layout.
    let iy = inst_of(&func, y);
    func.layout.remove_inst(iy);
    func.layout.append_inst(iy, b1);
    let errs = errors(&func);
    assert!(errs.iter().any(|e| e.location == AnyEntity::Inst(br)
        && e.message == "use of v2 is not dominated by its definition (result 0 of inst1)"));
    assert!(errs.iter().any(|e| e.location == AnyEntity::Inst(iy)
        && e.message == "block1 does not end with a terminator: iadd_imm is not one"));
}

#[test]
fn unreachable_blocks_only_need_values_to_exist() {
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    cur.ins().return_(&[p[0]]);
    cur.goto_bottom(b1);
    let late = cur.func.dfg.make_placeholder_value();
    let a = cur.ins().iadd(p[0], p[0]);
    cur.ins().jump(b2, &[]);
    cur.goto_bottom(b2);
    // block2 is reachable only from the unreachable block1: no dominance required.
    cur.ins().return_(&[a]);
    // Not even an instruction using its own result is checked there.
    let selfish = func.dfg.make_inst(InstructionData::Unary {
        opcode: Opcode::Ineg,
        arg: p[0],
    });
    let own = func.dfg.append_result(selfish, I32);
    func.dfg.insts[selfish] = InstructionData::Unary {
        opcode: Opcode::Ineg,
        arg: own,
    };
    func.layout
        .insert_inst(selfish, func.layout.first_inst(b1).unwrap());
    assert_ok(&func);
    // But values still have to exist.
    let ia = inst_of(&func, a);
    func.dfg.insts[ia] = InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [p[0], late],
    };
    assert_errors(&func, &[(e(ia), "v1 is used but never defined")]);
}

#[test]
fn stack_slot_bounds() {
    let (mut func, b0, p) = new_func(&[I64], &[]);
    let ss = func.create_stack_slot(StackSlotData::new(8, 0));
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let _ = cur.ins().stack_load(I64, ss, 0);
    let a = cur.ins().stack_load(I64, ss, 4);
    let b = cur.ins().stack_store(p[0], ss, -1);
    let _ = cur.ins().stack_addr(I64, ss, 100); // an address, not an access
    cur.ins().return_(&[]);
    let ia = inst_of(&func, a);
    assert_errors(
        &func,
        &[
            (
                e(ia),
                "stack_load accesses bytes 4..12 of ss0, which has only 8 bytes",
            ),
            (
                e(b),
                "stack_store accesses bytes -1..7 of ss0, which has only 8 bytes",
            ),
        ],
    );
}

#[test]
fn every_error_is_reported() {
    // Four independent errors in one function: all reported, in layout order.
    let (mut func, b0, p) = new_func(&[I32], &[I32]);
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let a = cur.ins().iadd(p[0], p[0]);
    let f = cur.ins().f32const(1.0f32);
    let x = cur.ins().iadd(a, f);
    cur.ins().jump(b1, &[x]);
    cur.goto_bottom(b1);
    let r = cur.ins().return_(&[f]);
    let errs = errors(&func);
    let ix = inst_of(&func, x);
    let j = func.layout.last_inst(b0).unwrap();
    let got: Vec<_> = errs
        .iter()
        .map(|e| (e.location, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (e(ix), "operand v2 of iadd has type f32, expected i32"),
            (
                e(j),
                "jump passes 1 arguments to block1, which has 0 parameters"
            ),
            (
                e(r),
                "return value 0 (v2) has type f32, but the function returns i32"
            ),
        ]
    );
}

#[test]
fn broken_functions_never_panic() {
    // Each edit breaks the function in a way the builder would not; the verifier must report
    // something and not panic.
    type Edit = fn(&mut Function);
    let edits: &[Edit] = &[
        |f| f.layout.clear(),
        |f| f.dfg.clear(),
        |f| f.dfg.jump_tables.clear(),
        |f| f.dfg.signatures.clear(),
        |f| f.dfg.ext_funcs.clear(),
        |f| f.stack_slots.clear(),
        |f| {
            let b = Block::new(40);
            f.layout.append_block(b);
            f.layout.append_inst(Inst::new(300), b);
        },
        |f| {
            // call_indirect without even a callee.
            let b = f.layout.entry_block().unwrap();
            let inst = f.dfg.make_inst(InstructionData::CallIndirect {
                opcode: Opcode::CallIndirect,
                sig_ref: SigRef::new(0),
                args: crate::ValueList::EMPTY,
            });
            f.layout.insert_inst(inst, f.layout.first_inst(b).unwrap());
        },
        |f| {
            // Opcodes in the wrong formats everywhere.
            for inst in f.dfg.insts.keys() {
                let data = f.dfg.insts[inst];
                let op = Opcode::ALL[(inst.index() * 7) % Opcode::ALL.len()];
                f.dfg.insts[inst] = match data {
                    InstructionData::Binary { args, .. } => {
                        InstructionData::Binary { opcode: op, args }
                    }
                    InstructionData::Unary { arg, .. } => {
                        InstructionData::Unary { opcode: op, arg }
                    }
                    InstructionData::MultiAry { args, .. } => {
                        InstructionData::MultiAry { opcode: op, args }
                    }
                    d => d,
                };
            }
        },
        |f| {
            // Results attached to an instruction that does not exist.
            let v = f.dfg.make_placeholder_value();
            f.dfg.attach_result(Inst::new(500), v, I32);
            let b = f.layout.entry_block().unwrap();
            let last = f.layout.last_inst(b).unwrap();
            let inst = f.dfg.make_inst(InstructionData::Unary {
                opcode: Opcode::Ineg,
                arg: v,
            });
            f.layout.insert_inst(inst, last);
        },
        |f| {
            // Every block's parameters gone, and types made invalid.
            let blocks: Vec<Block> = f.layout.blocks().collect();
            for b in blocks {
                while let Some(&p) = f.dfg.block_params(b).first() {
                    f.dfg.remove_block_param(p);
                }
                f.dfg.append_block_param(b, INVALID);
            }
        },
        |f| {
            // Swap the last instructions of two blocks.
            let blocks: Vec<Block> = f.layout.blocks().collect();
            let (a, b) = (blocks[0], blocks[1]);
            let (la, lb) = (
                f.layout.last_inst(a).unwrap(),
                f.layout.last_inst(b).unwrap(),
            );
            f.layout.remove_inst(la);
            f.layout.remove_inst(lb);
            f.layout.append_inst(lb, a);
            f.layout.append_inst(la, b);
        },
        |f| {
            // Everything inside the entry block removed.
            let b = f.layout.entry_block().unwrap();
            while let Some(i) = f.layout.first_inst(b) {
                f.layout.remove_inst(i);
            }
        },
    ];
    for (n, edit) in edits.iter().enumerate() {
        let mut func = rich_function();
        assert_ok(&func);
        edit(&mut func);
        let errs = errors(&func);
        assert!(
            !errs.is_empty(),
            "edit {n} went unnoticed:\n{}",
            func.display()
        );
        for e in &errs {
            assert!(!e.message.is_empty());
            let _ = e.to_string();
        }
    }
}

/// A valid function using every kind of entity, for `broken_functions_never_panic`.
fn rich_function() -> Function {
    let (mut func, b0, p) = new_func(&[I32, I64], &[I32]);
    let ss0 = func.create_stack_slot(StackSlotData::new(8, 0));
    let sig0 = func.import_signature(sig(&[I32], &[I32]));
    let fn0 = func.import_function(ExtFuncData {
        name: UserFuncName::testcase("g"),
        signature: sig0,
        colocated: false,
    });
    let mut cur = FuncCursor::new(&mut func).at_bottom(b0);
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let x = cur.func.dfg.append_block_param(b1, I32);
    let a = cur.ins().iadd(p[0], p[0]);
    let n = cur.ins().ineg(a);
    cur.ins().stack_store(n, ss0, 0);
    let c = cur.ins().call(fn0, &[n]);
    let r = cur.func.dfg.first_result(c);
    let fa = cur.ins().func_addr(I64, fn0);
    let ci = cur.ins().call_indirect(sig0, fa, &[r]);
    let r2 = cur.func.dfg.first_result(ci);
    let pool = &mut cur.func.dfg.value_lists;
    let jt = JumpTableData::new(
        BlockCall::new(b1, &[r2], pool),
        &[BlockCall::new(b2, &[], pool)],
    );
    let jt = cur.func.create_jump_table(jt);
    cur.ins().br_table(p[0], jt);
    cur.goto_bottom(b1);
    let l = cur.ins().stack_load(I32, ss0, 0);
    let s = cur.ins().isub(x, l);
    cur.ins().return_(&[s]);
    cur.goto_bottom(b2);
    cur.ins().jump(b1, &[a]);
    func
}

#[test]
fn random_garbage_never_panics() {
    // A fixed-seed generator of instructions with arbitrary opcodes, formats, values (some out
    // of range), blocks (some never created) and entity references, inserted anywhere.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut noticed = 0;
    for _ in 0..300 {
        let mut func = rich_function();
        for _ in 0..1 + next(6) {
            let nvals = func.dfg.num_values() + 3;
            let mut val = || Value::new(next(nvals));
            let (a, b, c) = (val(), val(), val());
            let opcode = Opcode::ALL[next(Opcode::ALL.len())];
            let blocks: Vec<Block> = func.layout.blocks().collect();
            let target = Block::new(next(blocks.len() + 2));
            let pool = &mut func.dfg.value_lists;
            let list = pool.alloc(&[a, b, c][..next(4)]);
            let call = BlockCall::new(target, &[a, b][..next(3)], pool);
            let data = match next(12) {
                0 => InstructionData::Unary { opcode, arg: a },
                1 => InstructionData::Binary {
                    opcode,
                    args: [a, b],
                },
                2 => InstructionData::Ternary {
                    opcode,
                    args: [a, b, c],
                },
                3 => InstructionData::Jump {
                    opcode,
                    destination: call,
                },
                4 => InstructionData::Brif {
                    opcode,
                    arg: a,
                    blocks: [call, call],
                },
                5 => InstructionData::BranchTable {
                    opcode,
                    arg: a,
                    table: JumpTable::new(next(3)),
                },
                6 => InstructionData::MultiAry { opcode, args: list },
                7 => InstructionData::Call {
                    opcode,
                    func_ref: FuncRef::new(next(3)),
                    args: list,
                },
                8 => InstructionData::CallIndirect {
                    opcode,
                    sig_ref: SigRef::new(next(3)),
                    args: list,
                },
                9 => InstructionData::StackLoad {
                    opcode,
                    stack_slot: StackSlot::new(next(3)),
                    offset: (next(20) as i32 - 4).into(),
                },
                10 => InstructionData::UnaryImm {
                    opcode,
                    imm: Imm64::new(next(1 << 20) as i64 - 5),
                },
                _ => InstructionData::StackStore {
                    opcode,
                    arg: a,
                    stack_slot: StackSlot::new(next(3)),
                    offset: (next(20) as i32).into(),
                },
            };
            let inst = func.dfg.make_inst(data);
            let ctrl = ALL[next(ALL.len())];
            for _ in 0..next(3) {
                func.dfg.append_result(inst, ctrl);
            }
            let block = blocks[next(blocks.len())];
            match func.layout.first_inst(block) {
                Some(first) if next(2) == 0 => func.layout.insert_inst(inst, first),
                _ => func.layout.append_inst(inst, block),
            }
        }
        let errs = errors(&func);
        noticed += usize::from(!errs.is_empty());
        for e in &errs {
            // Errors at instructions carry the instruction's text.
            let at_inst = matches!(e.location, AnyEntity::Inst(_));
            let has_text = e.context.as_ref().is_some_and(|c| !c.is_empty());
            assert!(
                !at_inst || has_text || e.message.contains("never created"),
                "{e}"
            );
        }
    }
    // Nearly every random instruction is wrong somewhere.
    assert!(
        noticed >= 280,
        "only {noticed} of 300 rounds reported errors"
    );
}
