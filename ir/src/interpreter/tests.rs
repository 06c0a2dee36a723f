//! The interpreter on functions built with the cursor: every instruction family, calls,
//! memory, control flow and limits, with hand-computed expectations.

use super::*;
use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, Value};
use crate::immediates::{Ieee32, Ieee64, Imm64};
use crate::instructions::{BlockCall, InstructionData};
use crate::opcodes::{OperandType, TypeSet};
use crate::signature::{AbiParam, CallConv, Signature};
use crate::types::{self, Type, F32, F64, I128, I16, I32, I64, I8};
use crate::{ExtFuncData, FuncCursor, InstBuilder, JumpTableData, MemFlags, Opcode, StackSlotData};
use DataValue as V;

fn sig(params: &[Type], rets: &[Type]) -> Signature {
    let mut s = Signature::new(CallConv::Fast);
    s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
    s.returns = rets.iter().map(|&t| AbiParam::new(t)).collect();
    s
}

/// A function `%name(params) -> rets` whose entry block `body` fills.
fn func(
    name: &str,
    params: &[Type],
    rets: &[Type],
    body: impl FnOnce(&mut FuncCursor, &[Value]),
) -> Function {
    let mut f = Function::with_name_signature(UserFuncName::testcase(name), sig(params, rets));
    let mut cur = FuncCursor::new(&mut f);
    let b0 = cur.append_new_block();
    let ps: Vec<Value> = params
        .iter()
        .map(|&t| cur.func.dfg.append_block_param(b0, t))
        .collect();
    cur.goto_bottom(b0);
    body(&mut cur, &ps);
    f
}

/// Declares `%name` with this signature as callable from `cur`'s function.
fn import(cur: &mut FuncCursor, name: &str, params: &[Type], rets: &[Type]) -> crate::FuncRef {
    let s = cur.func.import_signature(sig(params, rets));
    cur.func.import_function(ExtFuncData {
        name: UserFuncName::testcase(name),
        signature: s,
        colocated: false,
    })
}

fn run_all(funcs: &[&Function], args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
    let mut store = FunctionStore::new();
    for f in funcs {
        store.add(f);
    }
    Interpreter::new(store).call_by_name(&funcs[0].name.to_string(), args)
}

fn run(f: &Function, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
    run_all(&[f], args)
}

/// Runs a function returning one value.
fn run1(f: &Function, args: &[DataValue]) -> Result<DataValue, InterpreterError> {
    run(f, args).map(|v| v[0])
}

/// `(x) -> op x` for an instruction built from `data` with result type `ret`.
fn unary_fn(op: Opcode, arg: Type, ret: Type) -> Function {
    func("u", &[arg], &[ret], |cur, p| {
        let data = InstructionData::Unary {
            opcode: op,
            arg: p[0],
        };
        let ctrl = if op.info().ctrl == crate::opcodes::CtrlType::Explicit {
            ret
        } else {
            arg
        };
        let r = cur.ins().value(data, ctrl);
        cur.ins().return_(&[r]);
    })
}

fn binary_fn(op: Opcode, a: Type, b: Type, ret: Type) -> Function {
    func("b", &[a, b], &[ret], |cur, p| {
        let data = InstructionData::Binary {
            opcode: op,
            args: [p[0], p[1]],
        };
        let r = cur.ins().value(data, a);
        cur.ins().return_(&[r]);
    })
}

fn f32v(x: f32) -> DataValue {
    V::F32(Ieee32::from(x))
}
fn f64v(x: f64) -> DataValue {
    V::F64(Ieee64::from(x))
}
fn f32b(bits: u32) -> DataValue {
    V::F32(Ieee32::with_bits(bits))
}

const TRAP_DIVZ: InterpreterError = InterpreterError::Trap(TrapCode::IntegerDivisionByZero);
const TRAP_OVF: InterpreterError = InterpreterError::Trap(TrapCode::IntegerOverflow);

// ---- Every opcode ----

fn first_type(set: TypeSet) -> Option<Type> {
    [I32, I64, I8, I16, I128, F32, F64]
        .into_iter()
        .find(|&t| set.contains(t))
}

fn sample(ty: Type) -> DataValue {
    match ty {
        F32 => f32v(1.5),
        F64 => f64v(1.5),
        _ => DataValue::from_bits(ty, 1),
    }
}

/// The operands an instruction of `op`'s format takes, if it is a simple format (no entities).
fn operand_count(op: Opcode) -> Option<usize> {
    use crate::opcodes::InstructionFormat as F;
    Some(match op.format() {
        F::UnaryImm | F::UnaryIeee32 | F::UnaryIeee64 => 0,
        F::Unary | F::BinaryImm64 | F::IntCompareImm => 1,
        F::Binary | F::IntCompare | F::FloatCompare => 2,
        F::Ternary => 3,
        _ => return None,
    })
}

/// `%f(params) -> results` holding one instruction of `op` with controlling type `ctrl` and
/// the parameters as operands, or `None` for formats with entities.
fn simple_inst(op: Opcode, params: &[Type], ctrl: Type) -> Option<Function> {
    use InstructionData as D;
    operand_count(op)?;
    let mut f = func("f", params, &[], |_, _| {});
    let mut cur = FuncCursor::new(&mut f);
    let b0 = cur.func.layout.entry_block()?;
    cur.goto_bottom(b0);
    let p = cur.func.dfg.block_params(b0).to_vec();
    let opcode = op;
    let imm = Imm64::new(3);
    let data = match op.format() {
        crate::opcodes::InstructionFormat::UnaryImm => D::UnaryImm { opcode, imm },
        crate::opcodes::InstructionFormat::UnaryIeee32 => D::UnaryIeee32 {
            opcode,
            imm: Ieee32::from(2.0),
        },
        crate::opcodes::InstructionFormat::UnaryIeee64 => D::UnaryIeee64 {
            opcode,
            imm: Ieee64::from(2.0),
        },
        crate::opcodes::InstructionFormat::Unary => D::Unary { opcode, arg: p[0] },
        crate::opcodes::InstructionFormat::BinaryImm64 => D::BinaryImm64 {
            opcode,
            arg: p[0],
            imm,
        },
        crate::opcodes::InstructionFormat::IntCompareImm => D::IntCompareImm {
            opcode,
            cond: IntCC::Equal,
            arg: p[0],
            imm,
        },
        crate::opcodes::InstructionFormat::Binary => D::Binary {
            opcode,
            args: [p[0], p[1]],
        },
        crate::opcodes::InstructionFormat::IntCompare => D::IntCompare {
            opcode,
            cond: IntCC::SignedLessThan,
            args: [p[0], p[1]],
        },
        crate::opcodes::InstructionFormat::FloatCompare => D::FloatCompare {
            opcode,
            cond: FloatCC::LessThan,
            args: [p[0], p[1]],
        },
        _ => D::Ternary {
            opcode,
            args: [p[0], p[1], p[2]],
        },
    };
    let (inst, dfg) = {
        use crate::InstBuilderBase;
        cur.ins().build(data, ctrl)
    };
    let results = dfg.inst_results(inst).to_vec();
    let rtys: Vec<Type> = results.iter().map(|&r| dfg.value_type(r)).collect();
    cur.ins().return_(&results);
    f.signature.returns = rtys.iter().map(|&t| AbiParam::new(t)).collect();
    Some(f)
}

/// Every opcode of the simple formats runs on its first allowed type without `Unsupported`;
/// the formats with entities (memory, control flow, calls) have their own tests below.
#[test]
fn every_simple_opcode_executes() {
    let mut checked = 0;
    for &op in Opcode::ALL {
        let Some(n) = operand_count(op) else {
            continue;
        };
        let info = op.info();
        let ctrl = first_type(info.ctrl_types).unwrap_or(types::INVALID);
        let operand_type = |o: &OperandType| match *o {
            OperandType::Ctrl => ctrl,
            OperandType::Set(s) => first_type(s).unwrap(),
            OperandType::Narrower if ctrl == F64 => F32,
            OperandType::Narrower => ctrl.half_width().unwrap(),
            OperandType::Wider if ctrl == F32 => F64,
            OperandType::Wider => ctrl.double_width().unwrap(),
            OperandType::SameWidth if ctrl == I32 => F32,
            OperandType::SameWidth => ctrl.as_int(),
        };
        let params: Vec<Type> = info.operands.iter().map(operand_type).collect();
        assert_eq!(params.len(), n, "{op}");
        let f = simple_inst(op, &params, ctrl).unwrap();
        let args: Vec<DataValue> = params.iter().map(|&t| sample(t)).collect();
        match run(&f, &args) {
            Ok(vals) => assert_eq!(vals.len(), f.signature.returns.len(), "{op}"),
            Err(InterpreterError::Trap(_)) => {}
            Err(e) => panic!("{op}: {e}\n{}", f.display()),
        }
        checked += 1;
    }
    assert!(checked > 90, "{checked}");
}

/// Every simple opcode with every combination of operand and controlling types (mostly
/// nonsense a verifier would reject) gives a result or an error, never a panic.
#[test]
fn ill_typed_instructions_never_panic() {
    let mut unsupported = 0;
    for &op in Opcode::ALL {
        let Some(n) = operand_count(op) else {
            continue;
        };
        for a in types::ALL {
            for b in types::ALL {
                let params = [a, b, a];
                let f = simple_inst(op, &params[..n], b).unwrap();
                let args: Vec<DataValue> = params[..n].iter().map(|&t| sample(t)).collect();
                if let Err(InterpreterError::Unsupported(_)) = run(&f, &args) {
                    unsupported += 1;
                }
            }
        }
    }
    assert!(unsupported > 1000, "{unsupported}");
}

// ---- Integers ----

#[test]
fn iconst_and_immediates_fit_the_type() {
    let f = func("c", &[], &[I8, I16, I64], |cur, _| {
        let a = cur.ins().iconst(I8, -1);
        let b = cur.ins().iconst(I16, 0x1_2345);
        let c = cur.ins().iconst(I64, -2);
        cur.ins().return_(&[a, b, c]);
    });
    assert_eq!(
        run(&f, &[]),
        Ok(vec![V::I8(-1), V::I16(0x2345), V::I64(-2)])
    );

    // The immediate is sign-extended to i128.
    let f = func("c", &[I128], &[I128, I128, I8], |cur, p| {
        let a = cur.ins().iadd_imm(p[0], -1);
        let b = cur.ins().band_imm(p[0], -1);
        let c = cur.ins().icmp_imm(IntCC::Equal, p[0], -1);
        cur.ins().return_(&[a, b, c]);
    });
    assert_eq!(
        run(&f, &[V::I128(0)]),
        Ok(vec![V::I128(-1), V::I128(0), V::I8(0)])
    );
    assert_eq!(
        run(&f, &[V::I128(-1)]),
        Ok(vec![V::I128(-2), V::I128(-1), V::I8(1)])
    );

    // icmp_imm compares with the immediate truncated to the width: 255 is -1 as i8.
    let f = func("c", &[I8], &[I8, I8], |cur, p| {
        let a = cur.ins().icmp_imm(IntCC::Equal, p[0], 255);
        let b = cur.ins().irsub_imm(p[0], 10);
        cur.ins().return_(&[a, b]);
    });
    assert_eq!(run(&f, &[V::I8(-1)]), Ok(vec![V::I8(1), V::I8(11)]));
}

#[test]
fn division_traps() {
    for op in [Opcode::Udiv, Opcode::Sdiv, Opcode::Urem, Opcode::Srem] {
        let f = binary_fn(op, I32, I32, I32);
        assert_eq!(run1(&f, &[V::I32(5), V::I32(0)]), Err(TRAP_DIVZ), "{op}");
    }
    let sdiv = binary_fn(Opcode::Sdiv, I64, I64, I64);
    assert_eq!(run1(&sdiv, &[V::I64(i64::MIN), V::I64(-1)]), Err(TRAP_OVF));
    assert_eq!(run1(&sdiv, &[V::I64(-7), V::I64(2)]), Ok(V::I64(-3)));
    let srem = binary_fn(Opcode::Srem, I16, I16, I16);
    assert_eq!(run1(&srem, &[V::I16(i16::MIN), V::I16(-1)]), Ok(V::I16(0)));
    assert_eq!(run1(&srem, &[V::I16(-7), V::I16(2)]), Ok(V::I16(-1)));
    let f = func("d", &[I32], &[I32], |cur, p| {
        let r = cur.ins().sdiv_imm(p[0], 0);
        cur.ins().return_(&[r]);
    });
    assert_eq!(run1(&f, &[V::I32(1)]), Err(TRAP_DIVZ));
    let f = func("d", &[I8], &[I8], |cur, p| {
        let r = cur.ins().sdiv_imm(p[0], -1);
        cur.ins().return_(&[r]);
    });
    assert_eq!(run1(&f, &[V::I8(i8::MIN)]), Err(TRAP_OVF));
    assert_eq!(run1(&f, &[V::I8(5)]), Ok(V::I8(-5)));
    let f = binary_fn(Opcode::Udiv, I128, I128, I128);
    assert_eq!(run1(&f, &[V::I128(-1), V::I128(0)]), Err(TRAP_DIVZ));
    assert_eq!(run1(&f, &[V::I128(-1), V::I128(2)]), Ok(V::I128(i128::MAX)));
}

#[test]
fn i128_arithmetic() {
    let f = binary_fn(Opcode::Imul, I128, I128, I128);
    assert_eq!(
        run1(&f, &[V::I128(1 << 64), V::I128(1 << 63)]),
        Ok(V::I128(i128::MIN))
    );
    let f = binary_fn(Opcode::Umulhi, I128, I128, I128);
    assert_eq!(run1(&f, &[V::I128(-1), V::I128(-1)]), Ok(V::I128(-2)));
    let f = binary_fn(Opcode::Smulhi, I128, I128, I128);
    assert_eq!(run1(&f, &[V::I128(-1), V::I128(-1)]), Ok(V::I128(0)));
    let f = binary_fn(Opcode::Sshr, I128, I8, I128);
    assert_eq!(run1(&f, &[V::I128(i128::MIN), V::I8(127)]), Ok(V::I128(-1)));
    assert_eq!(run1(&f, &[V::I128(-256), V::I8(-124)]), Ok(V::I128(-16))); // amount 132 & 127 = 4
    let f = func("o", &[I128, I128], &[I128, I8], |cur, p| {
        let (r, o) = cur.ins().smul_overflow(p[0], p[1]);
        cur.ins().return_(&[r, o]);
    });
    assert_eq!(
        run(&f, &[V::I128(i128::MIN), V::I128(-1)]),
        Ok(vec![V::I128(i128::MIN), V::I8(1)])
    );
    assert_eq!(
        run(&f, &[V::I128(1 << 100), V::I128(1 << 26)]),
        Ok(vec![V::I128(1 << 126), V::I8(0)])
    );
}

#[test]
fn shifts_by_other_types_and_amounts_beyond_the_width() {
    let f = binary_fn(Opcode::Ishl, I32, I64, I32);
    assert_eq!(run1(&f, &[V::I32(1), V::I64(33)]), Ok(V::I32(2)));
    let f = binary_fn(Opcode::Ushr, I8, I128, I8);
    assert_eq!(run1(&f, &[V::I8(-128), V::I128(15)]), Ok(V::I8(1)));
    let f = binary_fn(Opcode::Rotr, I16, I8, I16);
    assert_eq!(run1(&f, &[V::I16(1), V::I8(17)]), Ok(V::I16(i16::MIN)));
    let f = func("s", &[I64], &[I64, I64], |cur, p| {
        let a = cur.ins().ishl_imm(p[0], 64);
        let b = cur.ins().sshr_imm(p[0], 65);
        cur.ins().return_(&[a, b]);
    });
    assert_eq!(run(&f, &[V::I64(-4)]), Ok(vec![V::I64(-4), V::I64(-2)]));
}

#[test]
fn overflow_flags_through_the_interpreter() {
    let cases: [(Opcode, DataValue, DataValue, DataValue, i8); 6] = [
        (Opcode::UaddOverflow, V::I8(-1), V::I8(1), V::I8(0), 1),
        (
            Opcode::SaddOverflow,
            V::I16(i16::MAX),
            V::I16(1),
            V::I16(i16::MIN),
            1,
        ),
        (Opcode::UsubOverflow, V::I32(0), V::I32(1), V::I32(-1), 1),
        (
            Opcode::SsubOverflow,
            V::I64(0),
            V::I64(i64::MIN),
            V::I64(i64::MIN),
            1,
        ),
        (
            Opcode::UmulOverflow,
            V::I128(-1),
            V::I128(1),
            V::I128(-1),
            0,
        ),
        (Opcode::SmulOverflow, V::I8(-16), V::I8(8), V::I8(-128), 0),
    ];
    for (op, a, b, r, o) in cases {
        let ty = a.ty();
        let f = func("o", &[ty, ty], &[ty, I8], |cur, p| {
            let data = InstructionData::Binary {
                opcode: op,
                args: [p[0], p[1]],
            };
            let (r, o) = cur.ins().values2(data, ty);
            cur.ins().return_(&[r, o]);
        });
        assert_eq!(run(&f, &[a, b]), Ok(vec![r, V::I8(o)]), "{op}");
    }
    let f = func("t", &[I32, I32], &[I32], |cur, p| {
        let r = cur.ins().uadd_overflow_trap(p[0], p[1], TrapCode::User(7));
        cur.ins().return_(&[r]);
    });
    assert_eq!(run1(&f, &[V::I32(-2), V::I32(1)]), Ok(V::I32(-1)));
    assert_eq!(
        run1(&f, &[V::I32(-2), V::I32(2)]),
        Err(InterpreterError::Trap(TrapCode::User(7)))
    );
}

#[test]
fn counts_and_reversals() {
    let cls = unary_fn(Opcode::Cls, I8, I8);
    assert_eq!(run1(&cls, &[V::I8(0)]), Ok(V::I8(7)));
    assert_eq!(run1(&cls, &[V::I8(-1)]), Ok(V::I8(7)));
    assert_eq!(run1(&cls, &[V::I8(-2)]), Ok(V::I8(6)));
    let clz = unary_fn(Opcode::Clz, I128, I128);
    assert_eq!(run1(&clz, &[V::I128(0)]), Ok(V::I128(128)));
    let ctz = unary_fn(Opcode::Ctz, I16, I16);
    assert_eq!(run1(&ctz, &[V::I16(0)]), Ok(V::I16(16)));
    let pop = unary_fn(Opcode::Popcnt, I32, I32);
    assert_eq!(run1(&pop, &[V::I32(-1)]), Ok(V::I32(32)));
    let rev = unary_fn(Opcode::Bitrev, I8, I8);
    assert_eq!(run1(&rev, &[V::I8(1)]), Ok(V::I8(-128)));
    let swap = unary_fn(Opcode::Bswap, I32, I32);
    assert_eq!(run1(&swap, &[V::I32(0x1234_5678)]), Ok(V::I32(0x7856_3412)));
}

#[test]
fn width_changes() {
    let f = unary_fn(Opcode::Uextend, I8, I32);
    assert_eq!(run1(&f, &[V::I8(-1)]), Ok(V::I32(255)));
    let f = unary_fn(Opcode::Sextend, I8, I128);
    assert_eq!(run1(&f, &[V::I8(-1)]), Ok(V::I128(-1)));
    let f = unary_fn(Opcode::Sextend, I32, I64);
    assert_eq!(run1(&f, &[V::I32(i32::MIN)]), Ok(V::I64(i32::MIN.into())));
    let f = unary_fn(Opcode::Ireduce, I64, I8);
    assert_eq!(run1(&f, &[V::I64(0x1ff)]), Ok(V::I8(-1)));
    let f = binary_fn(Opcode::Iconcat, I64, I64, I128);
    assert_eq!(
        run1(&f, &[V::I64(-1), V::I64(1)]),
        Ok(V::I128((1 << 64) | u64::MAX as i128))
    );
    let f = func("s", &[I128], &[I64, I64], |cur, p| {
        let (lo, hi) = cur.ins().isplit(p[0]);
        cur.ins().return_(&[lo, hi]);
    });
    assert_eq!(run(&f, &[V::I128(-2)]), Ok(vec![V::I64(-2), V::I64(-1)]));
    let f = func("s", &[I16], &[I8, I8], |cur, p| {
        let (lo, hi) = cur.ins().isplit(p[0]);
        cur.ins().return_(&[lo, hi]);
    });
    assert_eq!(
        run(&f, &[V::I16(0x1280)]),
        Ok(vec![V::I8(-128), V::I8(0x12)])
    );
    let f = unary_fn(Opcode::Bitcast, F32, I32);
    assert_eq!(run1(&f, &[f32v(-0.0)]), Ok(V::I32(i32::MIN)));
    let f = unary_fn(Opcode::Bitcast, I64, F64);
    assert_eq!(run1(&f, &[V::I64(0x3ff0_0000_0000_0000)]), Ok(f64v(1.0)));
    let f = unary_fn(Opcode::Bitcast, I128, types::I32X4);
    assert_eq!(
        run1(&f, &[V::I128(1)]).map(|v| v.to_string()),
        Ok("[1 0 0 0]".to_string())
    );
}

#[test]
fn selects_and_comparisons() {
    let f = func("s", &[I64, F64, F64], &[F64, F64], |cur, p| {
        let a = cur.ins().select(p[0], p[1], p[2]);
        let b = cur.ins().select_spectre_guard(p[0], p[2], p[1]);
        cur.ins().return_(&[a, b]);
    });
    assert_eq!(
        run(&f, &[V::I64(1 << 40), f64v(1.0), f64v(2.0)]),
        Ok(vec![f64v(1.0), f64v(2.0)])
    );
    assert_eq!(
        run(&f, &[V::I64(0), f64v(1.0), f64v(2.0)]),
        Ok(vec![f64v(2.0), f64v(1.0)])
    );
    let f = func("c", &[I32, I32], &[I8, I8], |cur, p| {
        let a = cur.ins().icmp(IntCC::SignedLessThan, p[0], p[1]);
        let b = cur.ins().icmp(IntCC::UnsignedLessThan, p[0], p[1]);
        cur.ins().return_(&[a, b]);
    });
    assert_eq!(
        run(&f, &[V::I32(-1), V::I32(0)]),
        Ok(vec![V::I8(1), V::I8(0)])
    );
    let f = func("c", &[F32, F32], &[I8, I8, I8], |cur, p| {
        let a = cur.ins().fcmp(FloatCC::NotEqual, p[0], p[1]);
        let b = cur.ins().fcmp(FloatCC::Equal, p[0], p[1]);
        let c = cur.ins().fcmp(FloatCC::UnorderedOrLessThan, p[0], p[1]);
        cur.ins().return_(&[a, b, c]);
    });
    assert_eq!(
        run(&f, &[f32b(0x7fc0_0000), f32v(1.0)]),
        Ok(vec![V::I8(1), V::I8(0), V::I8(1)])
    );
    assert_eq!(
        run(&f, &[f32v(-0.0), f32v(0.0)]),
        Ok(vec![V::I8(0), V::I8(1), V::I8(0)])
    );
}

// ---- Floats ----

#[test]
fn float_arithmetic_through_the_interpreter() {
    let f = binary_fn(Opcode::Fdiv, F32, F32, F32);
    assert_eq!(run1(&f, &[f32v(0.0), f32v(0.0)]), Ok(f32b(0x7fc0_0000)));
    assert_eq!(
        run1(&f, &[f32b(0xff80_0001), f32v(1.0)]),
        Ok(f32b(0xffc0_0001))
    );
    let f = binary_fn(Opcode::Fmin, F64, F64, F64);
    assert_eq!(run1(&f, &[f64v(0.0), f64v(-0.0)]), Ok(f64v(-0.0)));
    let f = binary_fn(Opcode::Fmax, F64, F64, F64);
    assert_eq!(run1(&f, &[f64v(-0.0), f64v(0.0)]), Ok(f64v(0.0)));
    let f = unary_fn(Opcode::Nearest, F32, F32);
    assert_eq!(run1(&f, &[f32v(2.5)]), Ok(f32v(2.0)));
    assert_eq!(run1(&f, &[f32v(3.5)]), Ok(f32v(4.0)));
    assert_eq!(run1(&f, &[f32v(-0.5)]), Ok(f32v(-0.0)));
    let f = unary_fn(Opcode::Fneg, F64, F64);
    assert_eq!(run1(&f, &[f64v(0.0)]), Ok(f64v(-0.0)));
    let f = func("fma", &[F64, F64, F64], &[F64], |cur, p| {
        let r = cur.ins().fma(p[0], p[1], p[2]);
        cur.ins().return_(&[r]);
    });
    let e = f64::EPSILON;
    assert_eq!(
        run1(&f, &[f64v(1.0 + e), f64v(1.0 - e), f64v(-1.0)]),
        Ok(f64v(-(2f64.powi(-104))))
    );
    let f = func("k", &[], &[F32, F64], |cur, _| {
        let a = cur.ins().f32const(Ieee32::with_bits(0x7f80_0001));
        let b = cur.ins().f64const(-1.5);
        cur.ins().return_(&[a, b]);
    });
    assert_eq!(run(&f, &[]), Ok(vec![f32b(0x7f80_0001), f64v(-1.5)]));
}

#[test]
fn float_conversions() {
    let f = unary_fn(Opcode::FcvtToSint, F32, I32);
    assert_eq!(
        run1(&f, &[f32b(0x7fc0_0000)]),
        Err(InterpreterError::Trap(TrapCode::BadConversionToInteger))
    );
    assert_eq!(run1(&f, &[f32v(2147483648.0)]), Err(TRAP_OVF));
    assert_eq!(run1(&f, &[f32v(-2147483648.0)]), Ok(V::I32(i32::MIN)));
    assert_eq!(run1(&f, &[f32v(-1.9)]), Ok(V::I32(-1)));
    let f = unary_fn(Opcode::FcvtToUint, F64, I32);
    assert_eq!(run1(&f, &[f64v(4294967295.9)]), Ok(V::I32(-1)));
    assert_eq!(run1(&f, &[f64v(-0.9)]), Ok(V::I32(0)));
    assert_eq!(run1(&f, &[f64v(-1.0)]), Err(TRAP_OVF));
    assert_eq!(run1(&f, &[f64v(f64::INFINITY)]), Err(TRAP_OVF));
    let f = unary_fn(Opcode::FcvtToSintSat, F64, I8);
    assert_eq!(run1(&f, &[f64v(-1000.0)]), Ok(V::I8(i8::MIN)));
    assert_eq!(run1(&f, &[f64v(f64::NAN)]), Ok(V::I8(0)));
    let f = unary_fn(Opcode::FcvtToUintSat, F32, I64);
    assert_eq!(run1(&f, &[f32v(f32::INFINITY)]), Ok(V::I64(-1)));
    assert_eq!(run1(&f, &[f32v(-5.0)]), Ok(V::I64(0)));
    let f = unary_fn(Opcode::FcvtFromUint, I128, F64);
    assert_eq!(run1(&f, &[V::I128(-1)]), Ok(f64v(2f64.powi(128))));
    let f = unary_fn(Opcode::FcvtFromSint, I128, F32);
    assert_eq!(run1(&f, &[V::I128(i128::MIN)]), Ok(f32v(-(2f32.powi(127)))));
    let f = unary_fn(Opcode::FcvtFromUint, I8, F32);
    assert_eq!(run1(&f, &[V::I8(-1)]), Ok(f32v(255.0)));
    let f = unary_fn(Opcode::FcvtFromSint, I64, F32);
    assert_eq!(run1(&f, &[V::I64(16_777_217)]), Ok(f32v(16_777_216.0)));
    let f = unary_fn(Opcode::Fdemote, F64, F32);
    assert_eq!(run1(&f, &[f64v(1e300)]), Ok(f32v(f32::INFINITY)));
    assert_eq!(run1(&f, &[f64v(1.0 + 2f64.powi(-24))]), Ok(f32v(1.0)));
    let f = unary_fn(Opcode::Fpromote, F32, F64);
    assert_eq!(run1(&f, &[f32v(0.1)]), Ok(f64v(f64::from(0.1f32))));
}

// ---- Control flow ----

/// `sum(n)`: 0 + 1 + ... + n with a loop whose block arguments are swapped around.
#[test]
fn loops_with_block_arguments() {
    let f = func("sum", &[I32], &[I32], |cur, p| {
        let head = cur.func.dfg.make_block();
        cur.func.layout.append_block(head);
        let i = cur.func.dfg.append_block_param(head, I32);
        let acc = cur.func.dfg.append_block_param(head, I32);
        let exit = cur.append_new_block();
        let r = cur.func.dfg.append_block_param(exit, I32);
        let zero = cur.ins().iconst(I32, 0);
        cur.ins().jump(head, &[p[0], zero]);
        cur.goto_bottom(head);
        let acc2 = cur.ins().iadd(acc, i);
        let i2 = cur.ins().iadd_imm(i, -1);
        cur.ins().brif(i, head, &[i2, acc2], exit, &[acc]);
        cur.goto_bottom(exit);
        cur.ins().return_(&[r]);
    });
    assert_eq!(run1(&f, &[V::I32(10)]), Ok(V::I32(55)));
    assert_eq!(run1(&f, &[V::I32(0)]), Ok(V::I32(0)));
}

#[test]
fn br_table_picks_entries_and_defaults() {
    let f = func("bt", &[I32], &[I64], |cur, p| {
        let blocks: Vec<Block> = (0..3).map(|_| cur.append_new_block()).collect();
        let default = cur.append_new_block();
        let pool = &mut cur.func.dfg.value_lists;
        let entries: Vec<BlockCall> = blocks
            .iter()
            .map(|&b| BlockCall::new(b, &[], pool))
            .collect();
        let jt = JumpTableData::new(BlockCall::new(default, &[], pool), &entries);
        let jt = cur.func.create_jump_table(jt);
        cur.ins().br_table(p[0], jt);
        for (i, &b) in blocks.iter().chain([&default]).enumerate() {
            cur.goto_bottom(b);
            let v = cur.ins().iconst(I64, 10 + i as i64);
            cur.ins().return_(&[v]);
        }
    });
    assert_eq!(run1(&f, &[V::I32(0)]), Ok(V::I64(10)));
    assert_eq!(run1(&f, &[V::I32(2)]), Ok(V::I64(12)));
    assert_eq!(run1(&f, &[V::I32(3)]), Ok(V::I64(13)));
    assert_eq!(run1(&f, &[V::I32(-1)]), Ok(V::I64(13))); // unsigned: huge
}

#[test]
fn traps() {
    let f = func("t", &[I32], &[I32], |cur, p| {
        cur.ins().trapz(p[0], TrapCode::User(1));
        cur.ins().trapnz(p[0], TrapCode::User(2));
        cur.ins().return_(&[p[0]]);
    });
    assert_eq!(
        run1(&f, &[V::I32(0)]),
        Err(InterpreterError::Trap(TrapCode::User(1)))
    );
    assert_eq!(
        run1(&f, &[V::I32(3)]),
        Err(InterpreterError::Trap(TrapCode::User(2)))
    );
    let f = func("t", &[], &[], |cur, _| {
        cur.ins().trap(TrapCode::UnreachableCodeReached);
    });
    assert_eq!(
        run(&f, &[]),
        Err(InterpreterError::Trap(TrapCode::UnreachableCodeReached))
    );
}

// ---- Calls ----

fn factorial() -> Function {
    func("fact", &[I64], &[I64], |cur, p| {
        let me = import(cur, "fact", &[I64], &[I64]);
        let rec = cur.append_new_block();
        let base = cur.append_new_block();
        cur.ins().brif(p[0], rec, &[], base, &[]);
        cur.goto_bottom(base);
        let one = cur.ins().iconst(I64, 1);
        cur.ins().return_(&[one]);
        cur.goto_bottom(rec);
        let n1 = cur.ins().iadd_imm(p[0], -1);
        let call = cur.ins().call(me, &[n1]);
        let r = cur.func.dfg.first_result(call);
        let prod = cur.ins().imul(r, p[0]);
        cur.ins().return_(&[prod]);
    })
}

#[test]
fn recursion() {
    let f = factorial();
    assert_eq!(run1(&f, &[V::I64(0)]), Ok(V::I64(1)));
    assert_eq!(
        run1(&f, &[V::I64(20)]),
        Ok(V::I64(2_432_902_008_176_640_000))
    );

    // fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
    let fib = func("fib", &[I32], &[I32], |cur, p| {
        let me = import(cur, "fib", &[I32], &[I32]);
        let small = cur.append_new_block();
        let big = cur.append_new_block();
        let c = cur.ins().icmp_imm(IntCC::UnsignedLessThan, p[0], 2);
        cur.ins().brif(c, small, &[], big, &[]);
        cur.goto_bottom(small);
        cur.ins().return_(&[p[0]]);
        cur.goto_bottom(big);
        let a = cur.ins().iadd_imm(p[0], -1);
        let b = cur.ins().iadd_imm(p[0], -2);
        let ca = cur.ins().call(me, &[a]);
        let ra = cur.func.dfg.first_result(ca);
        let cb = cur.ins().call(me, &[b]);
        let rb = cur.func.dfg.first_result(cb);
        let s = cur.ins().iadd(ra, rb);
        cur.ins().return_(&[s]);
    });
    assert_eq!(run1(&fib, &[V::I32(15)]), Ok(V::I32(610)));
}

/// `even(n)` and `odd(n)` calling each other.
fn even_odd() -> (Function, Function) {
    let make = |name: &str, other: &str, at_zero: i64| {
        func(name, &[I32], &[I8], |cur, p| {
            let other = import(cur, other, &[I32], &[I8]);
            let rec = cur.append_new_block();
            let base = cur.append_new_block();
            cur.ins().brif(p[0], rec, &[], base, &[]);
            cur.goto_bottom(base);
            let r = cur.ins().iconst(I8, at_zero);
            cur.ins().return_(&[r]);
            cur.goto_bottom(rec);
            let n1 = cur.ins().iadd_imm(p[0], -1);
            let call = cur.ins().call(other, &[n1]);
            let r = cur.func.dfg.first_result(call);
            cur.ins().return_(&[r]);
        })
    };
    (make("even", "odd", 1), make("odd", "even", 0))
}

#[test]
fn mutual_recursion_and_deep_stacks() {
    let (even, odd) = even_odd();
    assert_eq!(run_all(&[&even, &odd], &[V::I32(7)]), Ok(vec![V::I8(0)]));
    assert_eq!(run_all(&[&odd, &even], &[V::I32(7)]), Ok(vec![V::I8(1)]));
    // 50 000 nested IR calls: no host recursion, so no host stack overflow.
    assert_eq!(
        run_all(&[&even, &odd], &[V::I32(50_000)]),
        Ok(vec![V::I8(1)])
    );
}

#[test]
fn infinite_recursion_overflows_the_stack() {
    let f = func("inf", &[I32], &[I32], |cur, p| {
        let me = import(cur, "inf", &[I32], &[I32]);
        let call = cur.ins().call(me, &[p[0]]);
        let r = cur.func.dfg.first_result(call);
        cur.ins().return_(&[r]);
    });
    let overflow = Err(InterpreterError::Trap(TrapCode::StackOverflow));
    let mut store = FunctionStore::new();
    store.add(&f);
    let mut interp = Interpreter::new(store).with_max_depth(1000);
    assert_eq!(interp.call_by_name("%inf", &[V::I32(1)]), overflow);
    // 999 frames were entered, each executing one call.
    assert_eq!(interp.fuel_used(), 1000);
    // The default limit, 100 000 frames.
    assert_eq!(run(&f, &[V::I32(1)]), overflow);
    // The memory limit: each frame holds two values (v0 and the call's result).
    let mut store = FunctionStore::new();
    store.add(&f);
    let mut interp = Interpreter::new(store).with_max_stack_bytes(1000);
    assert_eq!(interp.call_by_name("%inf", &[V::I32(1)]), overflow);
    let frame_bytes = 2 * core::mem::size_of::<Option<DataValue>>() as u64;
    assert_eq!(interp.fuel_used(), 1000 / frame_bytes);
}

#[test]
fn multiple_returns_and_user_names() {
    let mut callee = func("pair", &[I64], &[I64, I32], |cur, p| {
        let lo = cur.ins().ireduce(I32, p[0]);
        let neg = cur.ins().ineg(p[0]);
        cur.ins().return_(&[neg, lo]);
    });
    callee.name = UserFuncName::user(0, 3);
    let caller = func("main", &[I64], &[I32, I64], |cur, p| {
        let s = cur.func.import_signature(sig(&[I64], &[I64, I32]));
        let g = cur.func.import_function(ExtFuncData {
            name: UserFuncName::user(0, 3),
            signature: s,
            colocated: true,
        });
        let call = cur.ins().call(g, &[p[0]]);
        let r = cur.func.dfg.inst_results(call).to_vec();
        cur.ins().return_(&[r[1], r[0]]);
    });
    let want = Ok(vec![V::I32(5), V::I64(-(5 + (1 << 32)))]);
    assert_eq!(run_all(&[&caller, &callee], &[V::I64(5 + (1 << 32))]), want);
    let mut store = FunctionStore::new();
    store.add(&callee);
    assert_eq!(
        Interpreter::new(store).call_by_name("u0:3", &[V::I64(1)]),
        Ok(vec![V::I64(-1), V::I32(1)])
    );
}

#[test]
fn indirect_calls_through_function_addresses() {
    let double = func("double", &[I32], &[I32], |cur, p| {
        let r = cur.ins().iadd(p[0], p[0]);
        cur.ins().return_(&[r]);
    });
    for addr_ty in [I64, I32] {
        let caller = func("main", &[I32, I8], &[I32], |cur, p| {
            let fr = import(cur, "double", &[I32], &[I32]);
            let s = cur.func.import_signature(sig(&[I32], &[I32]));
            let addr = cur.ins().func_addr(addr_ty, fr);
            let zero = cur.ins().iconst(addr_ty, 0);
            let target = cur.ins().select(p[1], addr, zero);
            let call = cur.ins().call_indirect(s, target, &[p[0]]);
            let r = cur.func.dfg.first_result(call);
            cur.ins().return_(&[r]);
        });
        let funcs = [&caller, &double];
        assert_eq!(
            run_all(&funcs, &[V::I32(21), V::I8(1)]),
            Ok(vec![V::I32(42)])
        );
        assert_eq!(
            run_all(&funcs, &[V::I32(21), V::I8(0)]),
            Err(InterpreterError::Trap(TrapCode::IndirectCallToNull))
        );
    }
    // A stack address is not a function address.
    let bad = func("bad", &[], &[], |cur, _| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(8, 0));
        let s = cur.func.import_signature(sig(&[], &[]));
        let addr = cur.ins().stack_addr(I64, ss, 0);
        cur.ins().call_indirect(s, addr, &[]);
        cur.ins().return_(&[]);
    });
    assert!(matches!(
        run(&bad, &[]),
        Err(InterpreterError::InvalidAddress(_))
    ));
}

#[test]
fn call_errors() {
    let caller = func("main", &[], &[I32], |cur, _| {
        let fr = import(cur, "missing", &[], &[I32]);
        let call = cur.ins().call(fr, &[]);
        let r = cur.func.dfg.first_result(call);
        cur.ins().return_(&[r]);
    });
    assert_eq!(
        run(&caller, &[]),
        Err(InterpreterError::UnknownFunction("%missing".into()))
    );
    // %missing exists but returns an i64.
    let wrong = func("missing", &[], &[I64], |cur, _| {
        let v = cur.ins().iconst(I64, 1);
        cur.ins().return_(&[v]);
    });
    assert!(matches!(
        run_all(&[&caller, &wrong], &[]),
        Err(InterpreterError::BadArguments(_))
    ));
    // Arguments of the top-level call.
    assert!(matches!(
        run(&wrong, &[V::I32(1)]),
        Err(InterpreterError::BadArguments(_))
    ));
    assert!(matches!(
        run(&factorial(), &[V::I32(1)]),
        Err(InterpreterError::BadArguments(_))
    ));
    let mut store = FunctionStore::new();
    store.add(&wrong);
    assert_eq!(
        Interpreter::new(store).call_by_name("%nope", &[]),
        Err(InterpreterError::UnknownFunction("%nope".into()))
    );
}

// ---- Limits ----

#[test]
fn fuel_counts_instructions() {
    let f = func("spin", &[], &[], |cur, _| {
        let b1 = cur.append_new_block();
        cur.ins().jump(b1, &[]);
        cur.goto_bottom(b1);
        cur.ins().jump(b1, &[]);
    });
    let mut store = FunctionStore::new();
    store.add(&f);
    let mut interp = Interpreter::new(store).with_fuel(1000);
    assert_eq!(
        interp.call_by_name("%spin", &[]),
        Err(InterpreterError::FuelExhausted)
    );
    assert_eq!(interp.fuel_used(), 1000);

    let sum = func("three", &[], &[I32], |cur, _| {
        let a = cur.ins().iconst(I32, 1);
        let b = cur.ins().iadd(a, a);
        cur.ins().return_(&[b]);
    });
    for (fuel, ok) in [(2, false), (3, true)] {
        let mut store = FunctionStore::new();
        store.add(&sum);
        let mut interp = Interpreter::new(store).with_fuel(fuel);
        assert_eq!(interp.call_by_name("%three", &[]).is_ok(), ok, "{fuel}");
    }
}

// ---- Memory ----

#[test]
fn stack_slots_load_and_store() {
    let f = func("mem", &[I32], &[I32, I32, I64, I8, I16, I32], |cur, p| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(16, 3));
        let fresh = cur.ins().stack_load(I32, ss, 12); // zero-initialised
        cur.ins().stack_store(p[0], ss, 4);
        let back = cur.ins().stack_load(I32, ss, 4);
        let addr = cur.ins().stack_addr(I64, ss, 0);
        let flags = MemFlags::new();
        let wide = cur.ins().load(I64, flags, addr, 0); // little-endian: bytes 4..8 are high
        let b = cur.ins().load(I8, flags, addr, 4);
        let s = cur.ins().sload8(I16, flags, addr, 7);
        let u = cur.ins().uload16(I32, flags, addr, 6);
        cur.ins().return_(&[fresh, back, wide, b, s, u]);
    });
    assert_eq!(
        run(&f, &[V::I32(0x8122_3344_u32 as i32)]),
        Ok(vec![
            V::I32(0),
            V::I32(0x8122_3344_u32 as i32),
            V::I64((0x8122_3344_u64 << 32) as i64),
            V::I8(0x44),
            V::I16(-127),
            V::I32(0x8122),
        ])
    );
}

#[test]
fn every_type_round_trips_through_memory() {
    let values = [
        V::I8(-3),
        V::I16(-300),
        V::I32(-70000),
        V::I64(i64::MIN + 5),
        V::I128(i128::MIN + 7),
        f32b(0x7f80_0001),
        V::F64(Ieee64::with_bits(0xfff0_0000_0000_0003)),
    ];
    for x in values {
        let ty = x.ty();
        let f = func("rt", &[ty], &[ty, ty], |cur, p| {
            let ss = cur
                .func
                .create_stack_slot(StackSlotData::new(ty.bytes() + 3, 0));
            let addr = cur.ins().stack_addr(I32, ss, 3);
            cur.ins().store(MemFlags::trusted(), p[0], addr, 0);
            let a = cur.ins().load(ty, MemFlags::trusted(), addr, 0);
            let b = cur.ins().stack_load(ty, ss, 3);
            cur.ins().return_(&[a, b]);
        });
        assert_eq!(run(&f, &[x]), Ok(vec![x, x]), "{ty}");
    }
    // Narrow stores keep the low bits; narrow loads extend.
    let f = func("narrow", &[I64], &[I64, I64, I64, I32], |cur, p| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(8, 0));
        let addr = cur.ins().stack_addr(I64, ss, 0);
        let fl = MemFlags::new();
        cur.ins().istore32(fl, p[0], addr, 0);
        cur.ins().istore16(fl, p[0], addr, 4);
        cur.ins().istore8(fl, p[0], addr, 6);
        let whole = cur.ins().load(I64, fl, addr, 0);
        let s32 = cur.ins().sload32(I64, fl, addr, 0);
        let u32_ = cur.ins().uload32(I64, fl, addr, 0);
        let s16 = cur.ins().sload16(I32, fl, addr, 4);
        cur.ins().return_(&[whole, s32, u32_, s16]);
    });
    assert_eq!(
        run(&f, &[V::I64(0x1122_3344_8899_aabb)]),
        Ok(vec![
            V::I64(0x00bb_aabb_8899_aabb),
            V::I64(0xffff_ffff_8899_aabb_u64 as i64),
            V::I64(0x8899_aabb),
            V::I32(0xffff_aabb_u32 as i32),
        ])
    );
}

#[test]
fn big_endian_flag_reverses_bytes() {
    let f = func("be", &[I32], &[I8, I32, I32], |cur, p| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(4, 0));
        let addr = cur.ins().stack_addr(I64, ss, 0);
        let mut big = MemFlags::new();
        assert!(big.set_by_name("big"));
        cur.ins().store(big, p[0], addr, 0);
        let first = cur.ins().load(I8, MemFlags::new(), addr, 0);
        let little = cur.ins().load(I32, MemFlags::new(), addr, 0);
        let back = cur.ins().load(I32, big, addr, 0);
        cur.ins().return_(&[first, little, back]);
    });
    assert_eq!(
        run(&f, &[V::I32(0x1122_3344)]),
        Ok(vec![V::I8(0x11), V::I32(0x4433_2211), V::I32(0x1122_3344)])
    );
}

/// `(offset) -> load.i32 [flags] (ss0 + offset)` with an 8-byte slot.
fn load_at(flags: MemFlags) -> Function {
    func("oob", &[I64], &[I32], move |cur, p| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(8, 0));
        let base = cur.ins().stack_addr(I64, ss, 0);
        let addr = cur.ins().iadd(base, p[0]);
        let v = cur.ins().load(I32, flags, addr, 0);
        cur.ins().return_(&[v]);
    })
}

#[test]
fn out_of_bounds_accesses() {
    let heap_oob = Err(InterpreterError::Trap(TrapCode::HeapOutOfBounds));
    let f = load_at(MemFlags::new());
    assert_eq!(run1(&f, &[V::I64(4)]), Ok(V::I32(0)));
    assert_eq!(run1(&f, &[V::I64(5)]), heap_oob); // partly past the end
    assert_eq!(run1(&f, &[V::I64(8)]), heap_oob);
    assert_eq!(run1(&f, &[V::I64(-1)]), heap_oob);
    assert_eq!(run1(&f, &[V::I64(i64::MIN)]), heap_oob);
    assert_eq!(run1(&f, &[V::I64(i64::MAX)]), heap_oob);
    let mut flags = MemFlags::new();
    flags.set_trap_code(TrapCode::TableOutOfBounds);
    assert_eq!(
        run1(&load_at(flags), &[V::I64(6)]),
        Err(InterpreterError::Trap(TrapCode::TableOutOfBounds))
    );
    let notrap = load_at(MemFlags::trusted());
    assert!(matches!(
        run1(&notrap, &[V::I64(6)]),
        Err(InterpreterError::InvalidAddress(_))
    ));

    // Offsets in the instruction count too, and null is never owned.
    let f = func("null", &[I64], &[I8], |cur, p| {
        let v = cur.ins().load(I8, MemFlags::new(), p[0], -1);
        cur.ins().return_(&[v]);
    });
    assert_eq!(run1(&f, &[V::I64(0)]), heap_oob);
    assert_eq!(run1(&f, &[V::I64(1)]), heap_oob);

    // stack_load/stack_store outside their slot are errors, not traps.
    let f = func("sl", &[], &[I64], |cur, _| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(8, 0));
        let v = cur.ins().stack_load(I64, ss, 1);
        cur.ins().return_(&[v]);
    });
    assert!(matches!(
        run(&f, &[]),
        Err(InterpreterError::InvalidAddress(_))
    ));
    let f = func("ss", &[I16], &[], |cur, p| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(2, 0));
        cur.ins().stack_store(p[0], ss, -1);
        cur.ins().return_(&[]);
    });
    assert!(matches!(
        run(&f, &[V::I16(1)]),
        Err(InterpreterError::InvalidAddress(_))
    ));
}

#[test]
fn pointers_into_returned_frames_dangle() {
    let leak = func("leak", &[], &[I64], |cur, _| {
        let ss = cur.func.create_stack_slot(StackSlotData::new(8, 0));
        let v = cur.ins().iconst(I64, 9);
        cur.ins().stack_store(v, ss, 0);
        let a = cur.ins().stack_addr(I64, ss, 0);
        cur.ins().return_(&[a]);
    });
    let main = func("main", &[], &[I64], |cur, _| {
        let fr = import(cur, "leak", &[], &[I64]);
        let c1 = cur.ins().call(fr, &[]);
        let a1 = cur.func.dfg.first_result(c1);
        // A second call gets a fresh, zeroed frame at another address.
        let c2 = cur.ins().call(fr, &[]);
        let a2 = cur.func.dfg.first_result(c2);
        let same = cur.ins().icmp(IntCC::Equal, a1, a2);
        cur.ins().trapnz(same, TrapCode::User(1));
        let v = cur.ins().load(I64, MemFlags::new(), a1, 0);
        cur.ins().return_(&[v]);
    });
    assert_eq!(
        run_all(&[&main, &leak], &[]),
        Err(InterpreterError::Trap(TrapCode::HeapOutOfBounds))
    );
}

#[test]
fn callers_memory_is_reachable_from_callees() {
    // main stores 5 in its slot, passes the address; the callee adds 1 in place.
    let inc = func("inc", &[I64], &[], |cur, p| {
        let v = cur.ins().load(I32, MemFlags::new(), p[0], 0);
        let v1 = cur.ins().iadd_imm(v, 1);
        cur.ins().store(MemFlags::new(), v1, p[0], 0);
        cur.ins().return_(&[]);
    });
    let main = func("main", &[], &[I32], |cur, _| {
        let fr = import(cur, "inc", &[I64], &[]);
        let ss = cur.func.create_stack_slot(StackSlotData::new(4, 2));
        let five = cur.ins().iconst(I32, 5);
        cur.ins().stack_store(five, ss, 0);
        let a = cur.ins().stack_addr(I64, ss, 0);
        cur.ins().call(fr, &[a]);
        cur.ins().call(fr, &[a]);
        let v = cur.ins().stack_load(I32, ss, 0);
        cur.ins().return_(&[v]);
    });
    assert_eq!(run_all(&[&main, &inc], &[]), Ok(vec![V::I32(7)]));
}

#[test]
fn huge_stack_slots_overflow_the_stack() {
    let f = func("big", &[], &[], |cur, _| {
        cur.func.create_stack_slot(StackSlotData::new(u32::MAX, 0));
        cur.ins().return_(&[]);
    });
    assert_eq!(
        run(&f, &[]),
        Err(InterpreterError::Trap(TrapCode::StackOverflow))
    );
}

// ---- Unverified functions ----

#[test]
fn nonsense_is_unsupported_not_a_panic() {
    // A block without a terminator.
    let f = func("noterm", &[I32], &[I32], |cur, p| {
        cur.ins().iadd(p[0], p[0]);
    });
    assert!(matches!(
        run(&f, &[V::I32(1)]),
        Err(InterpreterError::Unsupported(_))
    ));
    // No blocks at all.
    let f = Function::with_name_signature(UserFuncName::testcase("empty"), sig(&[], &[]));
    assert!(matches!(
        run(&f, &[]),
        Err(InterpreterError::Unsupported(_))
    ));
    // Operands of the wrong type.
    let f = func("types", &[I32, F32], &[I32], |cur, p| {
        let data = InstructionData::Binary {
            opcode: Opcode::Iadd,
            args: [p[0], p[1]],
        };
        let r = cur.ins().value(data, I32);
        cur.ins().return_(&[r]);
    });
    assert!(matches!(
        run(&f, &[V::I32(1), f32v(1.0)]),
        Err(InterpreterError::Unsupported(_))
    ));
    // Returning the wrong number of values.
    let f = func("ret", &[I32], &[I32], |cur, _| {
        cur.ins().return_(&[]);
    });
    assert!(matches!(
        run(&f, &[V::I32(1)]),
        Err(InterpreterError::Unsupported(_))
    ));
    // A use before any definition (v1 is defined later).
    let f = func("undef", &[], &[I32], |cur, _| {
        let b1 = cur.append_new_block();
        let p = cur.func.dfg.append_block_param(b1, I32);
        cur.ins().return_(&[p]);
    });
    assert!(matches!(
        run(&f, &[]),
        Err(InterpreterError::Unsupported(_))
    ));
    // A jump to a block outside the layout.
    let f = func("nowhere", &[], &[], |cur, _| {
        let b = cur.func.dfg.make_block();
        cur.ins().jump(b, &[]);
    });
    assert!(matches!(
        run(&f, &[]),
        Err(InterpreterError::Unsupported(_))
    ));
    // Vector arithmetic.
    let f = binary_fn(Opcode::Iadd, types::I32X4, types::I32X4, types::I32X4);
    let v = DataValue::parse("[1 2 3 4]", types::I32X4).unwrap();
    assert!(matches!(
        run(&f, &[v, v]),
        Err(InterpreterError::Unsupported(_))
    ));
}

// ---- Text form ----

/// Parses `src` and calls `name` with `args`, with every function of `src` in the store.
fn run_text(src: &str, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpreterError> {
    let funcs = crate::parser::parse_functions(src).expect("test source parses");
    let mut store = FunctionStore::new();
    for f in &funcs {
        store.add(f);
    }
    Interpreter::new(store)
        .with_fuel(1_000_000)
        .call_by_name(name, args)
}

/// Iterative Fibonacci: the loop passes its two block arguments swapped, which must be a
/// parallel assignment.
#[test]
fn text_parallel_block_arguments() {
    let src = "
function %fib(i32) -> i64 {
block0(v0: i32):
    v1 = iconst.i64 0
    v2 = iconst.i64 1
    jump block1(v0, v1, v2)
block1(v3: i32, v4: i64, v5: i64):
    brif v3, block2, block3
block2:
    v6 = iadd v4, v5
    v7 = iadd_imm v3, -1
    jump block1(v7, v5, v6)
block3:
    return v4
}";
    assert_eq!(run_text(src, "%fib", &[V::I32(0)]), Ok(vec![V::I64(0)]));
    assert_eq!(run_text(src, "%fib", &[V::I32(1)]), Ok(vec![V::I64(1)]));
    assert_eq!(
        run_text(src, "%fib", &[V::I32(90)]),
        Ok(vec![V::I64(2_880_067_194_370_816_120)])
    );
}

/// Insertion sort of four i32 in a stack slot, through `stack_addr` pointers.
#[test]
fn text_sort_in_memory() {
    let src = "
function %sort4(i32, i32, i32, i32) -> i32, i32, i32, i32 {
    ss0 = explicit_slot 16, align = 4
block0(v0: i32, v1: i32, v2: i32, v3: i32):
    stack_store v0, ss0
    stack_store v1, ss0+4
    stack_store v2, ss0+8
    stack_store v3, ss0+12
    v4 = stack_addr.i64 ss0
    v5 = iconst.i64 1
    jump block1(v5)
; outer loop: i from 1 to 3
block1(v6: i64):
    v7 = icmp_imm ult v6, 4
    brif v7, block2(v6), block5
; inner loop: move element i down while its left neighbour is greater
block2(v8: i64):
    brif v8, block3, block4
block3:
    v9 = ishl_imm v8, 2
    v10 = iadd v4, v9
    v11 = load.i32 v10
    v12 = load.i32 v10-4
    v13 = icmp sgt v12, v11
    brif v13, block6, block4
block6:
    store v11, v10-4
    store v12, v10
    v14 = iadd_imm v8, -1
    jump block2(v14)
block4:
    v15 = iadd_imm v6, 1
    jump block1(v15)
block5:
    v16 = stack_load.i32 ss0
    v17 = stack_load.i32 ss0+4
    v18 = stack_load.i32 ss0+8
    v19 = stack_load.i32 ss0+12
    return v16, v17, v18, v19
}";
    let args = [V::I32(3), V::I32(-7), V::I32(i32::MAX), V::I32(0)];
    let want = vec![V::I32(-7), V::I32(0), V::I32(3), V::I32(i32::MAX)];
    assert_eq!(run_text(src, "%sort4", &args), Ok(want));
}

/// A table of function addresses in memory, called through `call_indirect`.
#[test]
fn text_function_table() {
    let src = "
function %inc(i64) -> i64 {
block0(v0: i64):
    v1 = iadd_imm v0, 1
    return v1
}

function %dbl(i64) -> i64 {
block0(v0: i64):
    v1 = imul_imm v0, 2
    return v1
}

function %apply(i32, i64) -> i64 {
    ss0 = explicit_slot 16
    sig0 = (i64) -> i64
    fn0 = %inc sig0
    fn1 = %dbl sig0
block0(v0: i32, v1: i64):
    v2 = func_addr.i64 fn0
    v3 = func_addr.i64 fn1
    stack_store v2, ss0
    stack_store v3, ss0+8
    v4 = stack_addr.i64 ss0
    v5 = uextend.i64 v0
    v6 = ishl_imm v5, 3
    v7 = iadd v4, v6
    v8 = load.i64 table_oob v7
    v9 = call_indirect sig0, v8(v1)
    return v9
}";
    assert_eq!(
        run_text(src, "%apply", &[V::I32(0), V::I64(20)]),
        Ok(vec![V::I64(21)])
    );
    assert_eq!(
        run_text(src, "%apply", &[V::I32(1), V::I64(20)]),
        Ok(vec![V::I64(40)])
    );
    assert_eq!(
        run_text(src, "%apply", &[V::I32(2), V::I64(20)]),
        Err(InterpreterError::Trap(TrapCode::TableOutOfBounds))
    );
}
