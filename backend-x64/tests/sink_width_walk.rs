//! The width audit over every lowering: for every opcode of `kiln-ir`'s opcode table, every
//! scalar type it accepts and every value operand position, a function whose operand there is
//! a load (`load.T` and every narrow `uload8`/`sload16`/... that produces T) is compiled with
//! and without AVX, the machine code is decoded with iced-x86, and every access the load's
//! address reaches must lie inside the loaded bytes. Nothing here names a lowering rule: a new
//! opcode (in an existing format) or a new rule that sinks loads is audited without editing
//! this file, and a new instruction format does not compile until it gets a generator below.
//!
//! A second layer feeds the result of every compare-like opcode (single `i8` result, taken
//! from the table) with a loaded operand into every condition consumer (`brif`, `trapz`,
//! `trapnz`, `select`, `select_spectre_guard`, also found through the table), where the
//! lowering fuses the compare into its user.

mod common;

use common::{check_accesses, compile_and_decode, flag_sets, Outcome, DISP};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_ir::condcodes::{FloatCC, IntCC};
use kiln_ir::opcodes::{CtrlType, InstructionFormat, OperandType, ResultType, TypeSet};
use kiln_ir::types::{self, Type};
use kiln_ir::Opcode;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The scalar types of a set.
fn scalars(set: TypeSet) -> Vec<Type> {
    types::ALL
        .iter()
        .copied()
        .filter(|t| !t.is_vector() && set.contains(*t))
        .collect()
}

/// The types an operand constrained by `c` may have when the controlling type is `ctrl`.
fn operand_types(c: OperandType, ctrl: Type) -> Vec<Type> {
    let same_kind = |t: &Type| t.is_int() == ctrl.is_int() && t.is_float() == ctrl.is_float();
    match c {
        OperandType::Ctrl => vec![ctrl],
        OperandType::Set(s) => scalars(s),
        OperandType::Narrower => scalars(TypeSet::ANY)
            .into_iter()
            .filter(|t| same_kind(t) && t.bits() < ctrl.bits())
            .collect(),
        OperandType::Wider => scalars(TypeSet::ANY)
            .into_iter()
            .filter(|t| same_kind(t) && t.bits() > ctrl.bits())
            .collect(),
        OperandType::SameWidth => scalars(TypeSet::ANY)
            .into_iter()
            .filter(|t| t.bits() == ctrl.bits())
            .collect(),
    }
}

/// The loads producing a value of type `t`: `(text of the opcode with its type, bytes read)`.
/// The narrow ones are found through the table: every `Load`-format opcode that accepts `t`
/// and is not `load` itself reads the width its name ends with.
fn loads_of(t: Type) -> Vec<(String, u32)> {
    let mut v = vec![(format!("load.{t}"), t.bytes())];
    for &op in Opcode::ALL {
        let info = op.info();
        if info.format != InstructionFormat::Load || op == Opcode::Load {
            continue;
        }
        if !info.ctrl_types.contains(t) {
            continue;
        }
        let bits: u32 = op
            .name()
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or_else(|_| panic!("narrow load `{op}` does not end with its width"));
        v.push((format!("{op}.{t}"), bits / 8));
    }
    v
}

/// The result types of `op` at controlling type `ctrl`.
fn result_types(op: Opcode, ctrl: Type) -> Vec<Type> {
    op.info()
        .results
        .iter()
        .map(|r| match r {
            ResultType::Ctrl => ctrl,
            ResultType::Fixed(t) => *t,
            ResultType::Half => ctrl.half_width().expect("half width"),
            ResultType::Double => ctrl.double_width().expect("double width"),
        })
        .collect()
}

/// All combinations of one choice per list.
fn product(lists: &[Vec<Type>]) -> Vec<Vec<Type>> {
    let mut out = vec![vec![]];
    for l in lists {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                l.iter().map(move |t| {
                    let mut p = prefix.clone();
                    p.push(*t);
                    p
                })
            })
            .collect();
    }
    out
}

/// One generated function: its text, a description and the bytes its tested load reads.
struct Case {
    text: String,
    what: String,
    width: u32,
}

/// A function `%t(i64 ptr, params...) -> returns` around `body`; `v0` is the pointer, the
/// other operands are `v1..`.
struct FuncText {
    params: Vec<Type>,
    returns: Vec<Type>,
    preamble: String,
    body: String,
    extra_blocks: String,
}

impl FuncText {
    fn render(&self) -> String {
        let params: Vec<String> = std::iter::once("i64".to_string())
            .chain(self.params.iter().map(|t| t.to_string()))
            .collect();
        let block_params: Vec<String> = std::iter::once("v0: i64".to_string())
            .chain(
                self.params
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("v{}: {t}", i + 1)),
            )
            .collect();
        let rets: Vec<String> = self.returns.iter().map(|t| t.to_string()).collect();
        let arrow = if rets.is_empty() {
            String::new()
        } else {
            format!(" -> {}", rets.join(", "))
        };
        format!(
            "function %t({}){arrow} system_v {{\n{}block0({}):\n{}{}}}\n",
            params.join(", "),
            self.preamble,
            block_params.join(", "),
            self.body,
            self.extra_blocks
        )
    }
}

/// The operand list text: operand `i` is `v100` (the load) at the loaded position, else the
/// parameter `v{i+1}`.
fn args(n: usize, loaded: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i == loaded {
                "v100".to_string()
            } else {
                format!("v{}", i + 1)
            }
        })
        .collect()
}

/// The instruction text(s) of `op` with the given operands (several for compares: one per
/// condition code; several immediates for `_imm` forms). Returns `(instruction text after
/// "= " or alone, has_results)`; `None` when the format has no value operand to load.
fn instruction_texts(op: Opcode, ctrl: Type, a: &[String]) -> Vec<String> {
    let info = op.info();
    let name = if info.ctrl == CtrlType::Explicit {
        format!("{op}.{ctrl}")
    } else {
        op.to_string()
    };
    use InstructionFormat as F;
    match info.format {
        F::Unary => vec![format!("{name} {}", a[0])],
        F::Binary => vec![format!("{name} {}, {}", a[0], a[1])],
        // A small immediate (instruction immediate forms) and one that needs a register.
        F::BinaryImm64 => ["3", "0x123456789"]
            .iter()
            .map(|k| format!("{name} {}, {k}", a[0]))
            .collect(),
        F::Ternary => vec![format!("{name} {}, {}, {}", a[0], a[1], a[2])],
        F::IntCompare => IntCC::ALL
            .iter()
            .map(|cc| format!("{name} {cc} {}, {}", a[0], a[1]))
            .collect(),
        F::IntCompareImm => IntCC::ALL
            .iter()
            .flat_map(|cc| {
                ["3", "0x123456789"]
                    .map(|k| format!("{name} {cc} {}, {k}", a[0]))
                    .into_iter()
            })
            .collect(),
        F::FloatCompare => FloatCC::ALL
            .iter()
            .map(|cc| format!("{name} {cc} {}, {}", a[0], a[1]))
            .collect(),
        // The loaded value is the address of another access.
        F::Load => vec![format!("{name} {}+8", a[0])],
        F::Store => vec![format!("{name} {}, {}+8", a[0], a[1])],
        F::StackStore => vec![format!("{name} {}, ss0", a[0])],
        F::CondTrap => vec![format!("{name} {}, user1", a[0])],
        F::IntAddTrap => vec![format!("{name} {}, {}, user1", a[0], a[1])],
        F::CallIndirect => vec![format!("{name} sig0, {}()", a[0])],
        F::Brif => vec![format!("{name} {}, block1, block2", a[0])],
        F::BranchTable => vec![format!("{name} {}, block1, [block2, block1]", a[0])],
        // Variable arguments only (their types come from a signature or block): generated by
        // `variable_argument_cases`.
        F::Jump | F::MultiAry | F::Call => vec![],
        // No value operand.
        F::UnaryImm | F::UnaryIeee32 | F::UnaryIeee64 | F::StackLoad | F::FuncAddr | F::Trap => {
            vec![]
        }
    }
}

/// The function around one instruction whose operand `loaded` is `v100 = <load> v0+DISP`.
fn wrap(
    op: Opcode,
    ctrl: Type,
    operand_tys: &[Type],
    loaded: usize,
    load: &str,
    flags: &str,
    inst: &str,
) -> String {
    let info = op.info();
    let params: Vec<Type> = operand_tys.to_vec();
    let mut preamble = String::new();
    let mut body = format!("    v100 = {load}{flags} v0+{DISP}\n");
    let mut extra = String::new();
    let mut returns = vec![];
    use InstructionFormat as F;
    match info.format {
        F::Brif | F::BranchTable => {
            writeln!(body, "    {inst}").unwrap();
            extra = "block1:\n    v90 = iconst.i32 1\n    return v90\nblock2:\n    v91 = iconst.i32 0\n    return v91\n".into();
            returns.push(types::I32);
        }
        F::CondTrap | F::Store => {
            writeln!(body, "    {inst}\n    return").unwrap();
        }
        F::StackStore => {
            preamble.push_str("    ss0 = explicit_slot 16\n");
            writeln!(body, "    {inst}\n    return").unwrap();
        }
        F::CallIndirect => {
            preamble.push_str("    sig0 = () -> i64 system_v\n");
            writeln!(body, "    v101 = {inst}\n    return v101").unwrap();
            returns.push(types::I64);
        }
        _ => {
            let rts = result_types(op, ctrl);
            let names: Vec<String> = (0..rts.len()).map(|i| format!("v{}", 101 + i)).collect();
            writeln!(body, "    {} = {inst}", names.join(", ")).unwrap();
            writeln!(body, "    return {}", names.join(", ")).unwrap();
            returns = rts;
        }
    }
    let _ = loaded;
    FuncText {
        params,
        returns,
        preamble,
        body,
        extra_blocks: extra,
    }
    .render()
}

/// The value-operand combinations of `op`: `(ctrl type, operand types)`.
fn signatures(op: Opcode) -> Vec<(Type, Vec<Type>)> {
    let info = op.info();
    let ctrls = match info.ctrl {
        CtrlType::None => vec![types::I64],
        _ => scalars(info.ctrl_types),
    };
    let mut out = vec![];
    for ctrl in ctrls {
        let lists: Vec<Vec<Type>> = info
            .operands
            .iter()
            .map(|c| operand_types(*c, ctrl))
            .collect();
        for combo in product(&lists) {
            out.push((ctrl, combo));
        }
    }
    out
}

/// Load flag variants: the default (trapping), trusted, and big-endian.
const LOAD_FLAGS: [&str; 3] = ["", " notrap aligned", " big"];

fn single_instruction_cases() -> Vec<Case> {
    let mut cases = vec![];
    for &op in Opcode::ALL {
        for (ctrl, tys) in signatures(op) {
            for loaded in 0..tys.len() {
                let a = args(tys.len(), loaded);
                for inst in instruction_texts(op, ctrl, &a) {
                    for (load, width) in loads_of(tys[loaded]) {
                        for flags in LOAD_FLAGS {
                            let mut ptys = tys.clone();
                            // The loaded operand's parameter stays (unused) to keep `vN` names.
                            ptys[loaded] = tys[loaded];
                            cases.push(Case {
                                text: wrap(op, ctrl, &ptys, loaded, &load, flags, &inst),
                                what: format!("{op} ctrl {ctrl} operand {loaded}: `{inst}` with v100 = {load}{flags}"),
                                width,
                            });
                        }
                    }
                }
            }
        }
    }
    cases
}

/// `jump`, `return` and `call` take variable arguments: one loaded argument of every scalar
/// type.
fn variable_argument_cases() -> Vec<Case> {
    let mut cases = vec![];
    for t in scalars(TypeSet::ANY) {
        for (load, width) in loads_of(t) {
            let head = format!("    v100 = {load} v0+{DISP}\n");
            let jump = format!(
                "function %t(i64) -> {t} system_v {{\nblock0(v0: i64):\n{head}    jump block1(v100)\nblock1(v5: {t}):\n    return v5\n}}\n"
            );
            let ret = format!(
                "function %t(i64) -> {t} system_v {{\nblock0(v0: i64):\n{head}    return v100\n}}\n"
            );
            let call = format!(
                "function %t(i64) -> {t} system_v {{\n    fn0 = %callee({t}) -> {t} system_v\nblock0(v0: i64):\n{head}    v5 = call fn0(v100)\n    return v5\n}}\n"
            );
            for (kind, text) in [("jump", jump), ("return", ret), ("call", call)] {
                cases.push(Case {
                    text,
                    what: format!("{kind} of v100 = {load}"),
                    width,
                });
            }
        }
    }
    cases
}

/// Compare-like producers (a single `i8` result) with a loaded operand, feeding every
/// condition consumer: opcodes in the `Brif`/`CondTrap` formats and ternaries whose first
/// operand is an integer of any width (`select`, `select_spectre_guard`).
fn fused_condition_cases() -> Vec<Case> {
    let producers: Vec<Opcode> = Opcode::ALL
        .iter()
        .copied()
        .filter(|op| op.info().results == [ResultType::Fixed(types::I8)])
        .collect();
    let consumers: Vec<Opcode> = Opcode::ALL
        .iter()
        .copied()
        .filter(|op| {
            let i = op.info();
            matches!(
                i.format,
                InstructionFormat::Brif | InstructionFormat::CondTrap
            ) || (i.format == InstructionFormat::Ternary
                && i.operands.first() == Some(&OperandType::Set(TypeSet::INT)))
        })
        .collect();
    assert!(
        producers.len() >= 3 && consumers.len() >= 5,
        "{producers:?} {consumers:?}"
    );
    let mut cases = vec![];
    for &p in &producers {
        for (ctrl, tys) in signatures(p) {
            for loaded in 0..tys.len() {
                let a = args(tys.len(), loaded);
                for inst in instruction_texts(p, ctrl, &a) {
                    // The default load flags only: the single-instruction walk covers the rest.
                    for (load, width) in loads_of(tys[loaded]) {
                        for &c in &consumers {
                            let mut params = tys.clone();
                            let mut body =
                                format!("    v100 = {load} v0+{DISP}\n    v110 = {inst}\n");
                            let mut extra = String::new();
                            let returns;
                            match c.info().format {
                                InstructionFormat::Brif => {
                                    writeln!(body, "    {c} v110, block1, block2").unwrap();
                                    extra = "block1:\n    v90 = iconst.i32 1\n    return v90\nblock2:\n    v91 = iconst.i32 0\n    return v91\n".into();
                                    returns = vec![types::I32];
                                }
                                InstructionFormat::CondTrap => {
                                    writeln!(body, "    {c} v110, user1\n    return").unwrap();
                                    returns = vec![];
                                }
                                _ => {
                                    let n = params.len();
                                    params.push(types::I64);
                                    params.push(types::I64);
                                    writeln!(
                                        body,
                                        "    v111 = {c} v110, v{}, v{}\n    return v111",
                                        n + 1,
                                        n + 2
                                    )
                                    .unwrap();
                                    returns = vec![types::I64];
                                }
                            }
                            let text = FuncText {
                                params,
                                returns,
                                preamble: String::new(),
                                body,
                                extra_blocks: extra,
                            }
                            .render();
                            cases.push(Case {
                                text,
                                what: format!(
                                    "{c} of `{inst}` ({p} ctrl {ctrl}) with v100 = {load}"
                                ),
                                width,
                            });
                        }
                    }
                }
            }
        }
    }
    cases
}

#[test]
fn every_lowering_reads_exactly_the_loaded_bytes() {
    let mut cases = single_instruction_cases();
    let single = cases.len();
    cases.extend(variable_argument_cases());
    let variable = cases.len() - single;
    cases.extend(fused_condition_cases());
    let fused = cases.len() - single - variable;
    let mut ctx = CompileContext::new();
    let mut failures = vec![];
    let mut compiled = 0usize;
    let mut not_lowered: BTreeMap<String, usize> = BTreeMap::new();
    let mut covered_opcodes = std::collections::BTreeSet::new();
    for (name, flags) in flag_sets() {
        for case in &cases {
            match compile_and_decode(&mut ctx, &case.text, flags) {
                Outcome::Compiled(accesses, listing) => {
                    compiled += 1;
                    covered_opcodes.insert(case.what.split(' ').next().unwrap().to_string());
                    if let Err(e) = check_accesses(&accesses, case.width) {
                        failures.push(format!(
                            "[{name}] {}: {e}\n{}\n{listing}",
                            case.what, case.text
                        ));
                    }
                }
                Outcome::NotLowered(msg) => {
                    let key = msg
                        .split_once("not lowered yet: ")
                        .map_or(msg.clone(), |(_, r)| r.to_string());
                    *not_lowered.entry(key).or_default() += 1;
                }
            }
        }
    }
    println!(
        "width audit: {} functions ({single} single-instruction, {variable} variable-argument, \
         {fused} fused-condition) x {} CPU-feature sets = {} compilations, {compiled} compiled",
        cases.len(),
        flag_sets().len(),
        cases.len() * flag_sets().len()
    );
    println!("opcodes compiled at least once: {}", covered_opcodes.len());
    for (what, n) in &not_lowered {
        println!("  not lowered ({n}x): {what}");
    }
    assert!(
        failures.is_empty(),
        "{} lowering(s) access memory outside the loaded bytes; first:\n{}",
        failures.len(),
        failures[0]
    );
    // Not vacuous: the walk compiled most of what it generated, and every opcode of the table
    // that has a value operand was compiled at least once.
    assert!(
        compiled * 10 >= cases.len() * flag_sets().len() * 9,
        "{compiled} compiled"
    );
    for &op in Opcode::ALL {
        let has_operands = !signatures(op).iter().all(|(_, t)| t.is_empty())
            || matches!(op, Opcode::Jump | Opcode::Return | Opcode::Call);
        if has_operands && !matches!(op, Opcode::Jump | Opcode::Return | Opcode::Call) {
            assert!(
                covered_opcodes.contains(op.name()),
                "no function using `{op}` with a loaded operand compiled"
            );
        }
    }
}
