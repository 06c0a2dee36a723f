//! A toy backend using rules compiled from `lower_x64.isle` (checked in under
//! `generated/`, kept current by `up_to_date.rs`): lowers a small function and
//! compares the machine code with a hand-written listing.

use std::collections::HashMap;

/// An SSA value of the toy IR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Value(u32);

/// A virtual register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg(u32);

/// Side-effect-only results.
pub type Unit = ();

/// The IR's instruction data (an `extern` enum of the rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstData {
    /// A constant.
    Iconst {
        /// Its value.
        imm: i64,
    },
    /// `a + b`
    Iadd {
        /// Left operand.
        a: Value,
        /// Right operand.
        b: Value,
    },
    /// `a - b`
    Isub {
        /// Left operand.
        a: Value,
        /// Right operand.
        b: Value,
    },
    /// `a * b`
    Imul {
        /// Left operand.
        a: Value,
        /// Right operand.
        b: Value,
    },
    /// `-a`
    Ineg {
        /// Operand.
        a: Value,
    },
}

mod generated {
    use super::{InstData, Reg, Unit, Value};
    include!("generated/lower_x64.rs");
}

use generated::{constructor_lower, AluOp, Context, MInst};

/// Lowering state: the function being lowered and the code emitted so far.
struct Lower {
    /// Instruction defining each value, by value number.
    defs: HashMap<Value, InstData>,
    /// Register holding the result of each lowered value.
    regs: HashMap<Value, Reg>,
    next_tmp: u32,
    code: Vec<MInst>,
}

impl Context for Lower {
    fn def_inst(&mut self, v: Value) -> Option<InstData> {
        self.defs.get(&v).cloned()
    }
    fn put_in_reg(&mut self, v: Value) -> Reg {
        // Parameters live in the register numbered like the value.
        self.regs.get(&v).copied().unwrap_or(Reg(v.0))
    }
    fn temp_reg(&mut self) -> Reg {
        self.next_tmp += 1;
        Reg(100 + self.next_tmp)
    }
    fn emit(&mut self, i: MInst) -> Unit {
        self.code.push(i);
    }
    fn simm32(&mut self, v: Value) -> Option<i64> {
        match self.defs.get(&v) {
            Some(InstData::Iconst { imm }) if i32::try_from(*imm).is_ok() => Some(*imm),
            _ => None,
        }
    }
    fn log2_exact(&mut self, k: i64) -> Option<u32> {
        (k > 0 && k.count_ones() == 1).then(|| k.trailing_zeros())
    }
}

fn reg(r: Reg) -> String {
    format!("r{}", r.0)
}

fn asm(i: &MInst) -> String {
    let op = |o: &AluOp| match o {
        AluOp::Add => "add",
        AluOp::Sub => "sub",
        AluOp::Imul => "imul",
    };
    match i {
        MInst::MovImm { dst, imm } => format!("mov {}, {imm}", reg(*dst)),
        MInst::MovRR { dst, src } => format!("mov {}, {}", reg(*dst), reg(*src)),
        MInst::AluRR { op: o, dst, src } => format!("{} {}, {}", op(o), reg(*dst), reg(*src)),
        MInst::AluRI { op: o, dst, imm } => format!("{} {}, {imm}", op(o), reg(*dst)),
        MInst::ShlRI { dst, amt } => format!("shl {}, {amt}", reg(*dst)),
        MInst::Neg { dst } => format!("neg {}", reg(*dst)),
    }
}

/// Lowers `insts` (value i+1 is defined by instruction i; value 0 is a parameter).
fn lower(insts: &[InstData]) -> Vec<String> {
    let mut cx = Lower {
        defs: insts
            .iter()
            .enumerate()
            .map(|(i, d)| (Value(i as u32 + 1), d.clone()))
            .collect(),
        regs: HashMap::new(),
        next_tmp: 0,
        code: Vec::new(),
    };
    for (i, d) in insts.iter().enumerate() {
        let r = constructor_lower(&mut cx, d.clone());
        cx.regs.insert(Value(i as u32 + 1), r);
    }
    cx.code.iter().map(asm).collect()
}

#[test]
fn lowers_a_small_function() {
    use InstData::*;
    let (p, c8, big) = (Value(0), Value(1), Value(6));
    let code = lower(&[
        Iconst { imm: 8 },           // v1
        Iadd { a: p, b: c8 },        // v2 = p + 8: immediate form
        Imul { a: Value(2), b: c8 }, // v3 = v2 * 8: shift by 3
        Isub {
            a: Value(3),
            b: Value(3),
        }, // v4 = v3 - v3: zero
        Imul { a: p, b: Value(2) },  // v5 = p * v2: general multiply
        Iconst { imm: 1 << 40 },     // v6: too wide for an immediate
        Iadd { a: p, b: big },       // v7 = p + v6: register form
        Iadd { a: c8, b: p },        // v8 = 8 + p: immediate on the left
        Ineg { a: Value(8) },        // v9
    ]);
    assert_eq!(
        code,
        [
            "mov r101, 8",
            "mov r102, r0",
            "add r102, 8",
            "mov r103, r102",
            "shl r103, 3",
            "mov r104, 0",
            "mov r105, r0",
            "imul r105, r102",
            "mov r106, 1099511627776",
            "mov r107, r0",
            "add r107, r106",
            "mov r108, r0",
            "add r108, 8",
            "mov r109, r108",
            "neg r109",
        ]
    );
}

#[test]
fn multiply_by_non_power_of_two_is_a_real_multiply() {
    use InstData::*;
    let code = lower(&[
        Iconst { imm: 6 },
        Imul {
            a: Value(0),
            b: Value(1),
        },
        Isub {
            a: Value(2),
            b: Value(1),
        },
    ]);
    assert_eq!(
        code,
        [
            "mov r101, 6",
            "mov r102, r0",
            "imul r102, r101",
            "mov r103, r102",
            "sub r103, 6"
        ]
    );
}
