//! Checks of one instruction: format, references, operands, types, calls and branches.

use super::{describe_def, Verifier};
use crate::dfg::ValueDef;
use crate::entities::{Block, Inst, Value};
use crate::entity::EntityRef;
use crate::flowgraph::branch_destinations;
use crate::instructions::InstructionData;
use crate::opcodes::{CtrlType, InstructionFormat, OpcodeInfo, OperandType};
use crate::types::{self, Type};

/// The format an instruction's data actually has (whatever its opcode says).
fn data_format(data: &InstructionData) -> InstructionFormat {
    use InstructionData as D;
    use InstructionFormat as F;
    match data {
        D::UnaryImm { .. } => F::UnaryImm,
        D::UnaryIeee32 { .. } => F::UnaryIeee32,
        D::UnaryIeee64 { .. } => F::UnaryIeee64,
        D::Unary { .. } => F::Unary,
        D::Binary { .. } => F::Binary,
        D::BinaryImm64 { .. } => F::BinaryImm64,
        D::Ternary { .. } => F::Ternary,
        D::IntCompare { .. } => F::IntCompare,
        D::IntCompareImm { .. } => F::IntCompareImm,
        D::FloatCompare { .. } => F::FloatCompare,
        D::Load { .. } => F::Load,
        D::Store { .. } => F::Store,
        D::StackLoad { .. } => F::StackLoad,
        D::StackStore { .. } => F::StackStore,
        D::Jump { .. } => F::Jump,
        D::Brif { .. } => F::Brif,
        D::BranchTable { .. } => F::BranchTable,
        D::MultiAry { .. } => F::MultiAry,
        D::Call { .. } => F::Call,
        D::CallIndirect { .. } => F::CallIndirect,
        D::FuncAddr { .. } => F::FuncAddr,
        D::Trap { .. } => F::Trap,
        D::CondTrap { .. } => F::CondTrap,
        D::IntAddTrap { .. } => F::IntAddTrap,
    }
}

/// Whether the format takes a variable number of value operands after the fixed ones.
fn has_variable_args(format: InstructionFormat) -> bool {
    matches!(
        format,
        InstructionFormat::MultiAry | InstructionFormat::Call | InstructionFormat::CallIndirect
    )
}

/// Integer or float scalars of the same kind.
fn same_kind(a: Type, b: Type) -> bool {
    (a.is_int() && b.is_int()) || (a.is_float() && b.is_float())
}

fn kind_name(t: Type) -> &'static str {
    if t.is_float() {
        "float"
    } else {
        "integer"
    }
}

impl Verifier<'_> {
    pub(super) fn check_inst(&mut self, block: Block, inst: Inst) {
        let func = self.func;
        let dfg = &func.dfg;
        let data = dfg.insts[inst];
        let opcode = data.opcode();
        let info = opcode.info();
        if data_format(&data) != info.format {
            let (want, got) = (info.format, data_format(&data));
            self.report_inst(
                inst,
                format!("{opcode} has format {want:?}, but the instruction holds {got:?} data"),
            );
            return;
        }
        let results = dfg.inst_results(inst);
        for (i, &r) in results.iter().enumerate() {
            let def = dfg.value_def(r);
            if def != ValueDef::Result(inst, i) {
                let d = describe_def(def);
                self.report_inst(
                    inst,
                    format!("result {i} of {inst} is {r}, which is recorded as {d}"),
                );
            }
        }
        let refs_ok = self.check_references(inst, &data);
        let args = dfg.inst_args(inst);
        for &v in args {
            self.check_use(block, inst, v);
        }
        self.check_branches(block, inst);
        self.check_types(inst, &data, info, args, results, refs_ok);
        self.check_signatures(inst, &data, args);
    }

    /// Stack slots, function and signature references and jump tables exist; false if not.
    fn check_references(&mut self, inst: Inst, data: &InstructionData) -> bool {
        let func = self.func;
        let dfg = &func.dfg;
        let op = data.opcode();
        match *data {
            InstructionData::StackLoad { stack_slot, .. }
            | InstructionData::StackStore { stack_slot, .. } => {
                if !func.stack_slots.is_valid(stack_slot) {
                    self.report_inst(
                        inst,
                        format!("{op} uses {stack_slot}, which does not exist"),
                    );
                    return false;
                }
                self.check_stack_bounds(inst, data);
            }
            InstructionData::Call { func_ref, .. } | InstructionData::FuncAddr { func_ref, .. } => {
                let Some(ext) = dfg.ext_funcs.get(func_ref) else {
                    self.report_inst(inst, format!("{op} uses {func_ref}, which does not exist"));
                    return false;
                };
                if !dfg.signatures.is_valid(ext.signature) {
                    let sig = ext.signature;
                    self.report_inst(
                        inst,
                        format!("{func_ref} has signature {sig}, which does not exist"),
                    );
                    return false;
                }
            }
            InstructionData::CallIndirect { sig_ref, .. } if !dfg.signatures.is_valid(sig_ref) => {
                self.report_inst(inst, format!("{op} uses {sig_ref}, which does not exist"));
                return false;
            }
            InstructionData::BranchTable { table, .. } if !dfg.jump_tables.is_valid(table) => {
                self.report_inst(inst, format!("{op} uses {table}, which does not exist"));
                return false;
            }
            _ => {}
        }
        true
    }

    /// A use of `v` by `inst` in `block`: `v` exists, is defined in the layout and, if `block`
    /// is reachable, its definition dominates the use.
    fn check_use(&mut self, block: Block, inst: Inst, v: Value) {
        let func = self.func;
        let (dfg, layout) = (&func.dfg, &func.layout);
        if v.index() >= dfg.num_values() {
            self.report_inst(inst, format!("{v} does not exist"));
            return;
        }
        let dominated = match dfg.value_def(v) {
            ValueDef::Other => {
                self.report_inst(inst, format!("{v} is used but never defined"));
                return;
            }
            ValueDef::Result(def, _) => {
                let def_block = if dfg.insts.is_valid(def) {
                    layout.inst_block(def)
                } else {
                    None
                };
                let Some(def_block) = def_block else {
                    self.report_inst(
                        inst,
                        format!("{v} is defined by {def}, which is not in the layout"),
                    );
                    return;
                };
                if def == inst {
                    if self.domtree.is_reachable(block) {
                        self.report_inst(inst, format!("{v} is used by its own definition"));
                    }
                    return;
                }
                if def_block == block {
                    self.inst_pos[def] < self.inst_pos[inst]
                } else {
                    self.domtree.block_dominates(def_block, block)
                }
            }
            ValueDef::Param(def_block, _) => {
                if !dfg.block_is_valid(def_block) || !layout.is_block_inserted(def_block) {
                    self.report_inst(
                        inst,
                        format!("{v} is a parameter of {def_block}, which is not in the layout"),
                    );
                    return;
                }
                self.domtree.block_dominates(def_block, block)
            }
        };
        // Code that can never run only needs its values to exist.
        if !dominated && self.domtree.is_reachable(block) {
            let d = describe_def(dfg.value_def(v));
            self.report_inst(
                inst,
                format!("use of {v} is not dominated by its definition ({d})"),
            );
        }
    }

    /// Branch destinations: blocks in the layout, not the entry, with matching arguments.
    fn check_branches(&mut self, block: Block, inst: Inst) {
        let func = self.func;
        let (dfg, layout) = (&func.dfg, &func.layout);
        let op = dfg.insts[inst].opcode();
        for dest in branch_destinations(func, inst) {
            let target = dest.block;
            let args = dfg.block_call_args(dest);
            for &v in args {
                self.check_use(block, inst, v);
            }
            if !dfg.block_is_valid(target) || !layout.is_block_inserted(target) {
                self.report_inst(
                    inst,
                    format!("{op} targets {target}, which is not in the layout"),
                );
                continue;
            }
            if layout.entry_block() == Some(target) {
                self.report_inst(
                    inst,
                    format!(
                        "{op} targets the entry block {target}, which cannot be a branch target"
                    ),
                );
            }
            let params = dfg.block_params(target);
            if args.len() != params.len() {
                let (n, m) = (args.len(), params.len());
                self.report_inst(
                    inst,
                    format!("{op} passes {n} arguments to {target}, which has {m} parameters"),
                );
                continue;
            }
            for (&a, &p) in args.iter().zip(params) {
                let (ta, tp) = (dfg.value_type(a), dfg.value_type(p));
                if ta != tp && !ta.is_invalid() {
                    self.report_inst(
                        inst,
                        format!(
                            "argument {a} to {target} has type {ta}, but parameter {p} is {tp}"
                        ),
                    );
                }
            }
        }
    }

    /// Operand count, controlling type, operand constraints and results, from the table.
    fn check_types(
        &mut self,
        inst: Inst,
        data: &InstructionData,
        info: &OpcodeInfo,
        args: &[Value],
        results: &[Value],
        refs_ok: bool,
    ) {
        let dfg = &self.func.dfg;
        let op = data.opcode();
        let fixed = info.operands.len();
        let count_ok = if has_variable_args(info.format) {
            args.len() >= fixed
        } else {
            args.len() == fixed
        };
        if !count_ok {
            let n = args.len();
            self.report_inst(
                inst,
                format!("{op} needs {fixed} fixed operands, but has {n}"),
            );
            return;
        }

        let ctrl = match info.ctrl {
            CtrlType::None => types::INVALID,
            CtrlType::Explicit => results
                .first()
                .map_or(types::INVALID, |&r| dfg.value_type(r)),
            CtrlType::Operand(i) => dfg.value_type(args[i as usize]),
        };
        let mut ctrl_ok = info.ctrl == CtrlType::None;
        if info.ctrl != CtrlType::None && !ctrl.is_invalid() {
            if info.ctrl_types.contains(ctrl) {
                ctrl_ok = true;
            } else {
                let allowed = info.ctrl_types;
                self.report_inst(
                    inst,
                    format!("{op} does not accept type {ctrl} (allowed: {allowed})"),
                );
            }
        }

        for (i, &constraint) in info.operands.iter().enumerate() {
            if info.ctrl == CtrlType::Operand(i as u8) {
                continue; // It is the controlling type.
            }
            let v = args[i];
            let t = dfg.value_type(v);
            if t.is_invalid() {
                continue; // Undefined: reported by `check_use`.
            }
            let expected = match constraint {
                OperandType::Ctrl if ctrl_ok && t != ctrl => Some(format!("{ctrl}")),
                OperandType::Set(set) if !set.contains(t) => Some(format!("one of {set}")),
                OperandType::Narrower
                    if ctrl_ok && !(same_kind(t, ctrl) && t.bits() < ctrl.bits()) =>
                {
                    Some(format!("{} type narrower than {ctrl}", kind_name(ctrl)))
                }
                OperandType::Wider
                    if ctrl_ok && !(same_kind(t, ctrl) && t.bits() > ctrl.bits()) =>
                {
                    Some(format!("{} type wider than {ctrl}", kind_name(ctrl)))
                }
                OperandType::SameWidth if ctrl_ok && t.bits() != ctrl.bits() => {
                    Some(format!("type of {} bits like {ctrl}", ctrl.bits()))
                }
                _ => None,
            };
            if let Some(expected) = expected {
                self.report_inst(
                    inst,
                    format!("operand {v} of {op} has type {t}, expected {expected}"),
                );
            }
        }

        // Calls take their result types from a signature, which must exist.
        if info.is_call() && !refs_ok {
            return;
        }
        let expected = dfg.result_types(data, ctrl);
        if expected.len() != results.len() {
            let (n, m) = (results.len(), expected.len());
            self.report_inst(inst, format!("{op} has {n} results but should have {m}"));
        } else if ctrl_ok {
            for (&r, &e) in results.iter().zip(&expected) {
                let t = dfg.value_type(r);
                if t != e {
                    self.report_inst(
                        inst,
                        format!("result {r} of {op} has type {t}, but {op} produces {e}"),
                    );
                }
            }
        }

        // `iconst` immediates are stored zero-extended from the type's width.
        if let InstructionData::UnaryImm { imm, .. } = *data {
            let bits = ctrl.bits();
            if ctrl_ok && bits < 64 && (imm.bits() as u64) >> bits != 0 {
                let max = (1u64 << bits) - 1;
                self.report_inst(
                    inst,
                    format!(
                        "immediate {imm} is out of range for {ctrl}: it must be stored \
                         zero-extended, 0 to {max:#x}"
                    ),
                );
            }
        }
    }

    /// Call arguments against the callee's signature and return values against the function's.
    fn check_signatures(&mut self, inst: Inst, data: &InstructionData, args: &[Value]) {
        let func = self.func;
        let dfg = &func.dfg;
        let param_types = |sig: &crate::Signature| -> Vec<Type> {
            sig.params.iter().map(|p| p.value_type).collect()
        };
        match *data {
            InstructionData::Call { func_ref, .. } => {
                let Some(ext) = dfg.ext_funcs.get(func_ref) else {
                    return;
                };
                let sig_ref = ext.signature;
                if let Some(sig) = dfg.signatures.get(sig_ref) {
                    self.check_value_list(
                        inst,
                        args,
                        &param_types(sig),
                        |n, m| {
                            format!("call to {func_ref} has {n} arguments, but {sig_ref} takes {m}")
                        },
                        |i, a, t, e| {
                            format!(
                                "argument {i} ({a}) of call to {func_ref} has type {t}, but \
                                 {sig_ref} takes {e}"
                            )
                        },
                    );
                }
            }
            InstructionData::CallIndirect { sig_ref, .. } => {
                if let (Some(sig), [_, args @ ..]) = (dfg.signatures.get(sig_ref), args) {
                    self.check_value_list(
                        inst,
                        args,
                        &param_types(sig),
                        |n, m| format!("call_indirect has {n} arguments, but {sig_ref} takes {m}"),
                        |i, a, t, e| {
                            format!(
                                "argument {i} ({a}) of call_indirect has type {t}, but {sig_ref} \
                                 takes {e}"
                            )
                        },
                    );
                }
            }
            InstructionData::MultiAry { opcode, .. } if opcode.info().is_return() => {
                let tys: Vec<Type> = func
                    .signature
                    .returns
                    .iter()
                    .map(|p| p.value_type)
                    .collect();
                self.check_value_list(
                    inst,
                    args,
                    &tys,
                    |n, m| format!("{opcode} has {n} values, but the function returns {m}"),
                    |i, a, t, e| {
                        format!("return value {i} ({a}) has type {t}, but the function returns {e}")
                    },
                );
            }
            _ => {}
        }
    }

    /// `args` against `tys`: the count, then each type (undefined values are reported
    /// elsewhere).
    fn check_value_list(
        &mut self,
        inst: Inst,
        args: &[Value],
        tys: &[Type],
        count_message: impl Fn(usize, usize) -> String,
        type_message: impl Fn(usize, Value, Type, Type) -> String,
    ) {
        if args.len() != tys.len() {
            self.report_inst(inst, count_message(args.len(), tys.len()));
            return;
        }
        for (i, (&a, &e)) in args.iter().zip(tys).enumerate() {
            let t = self.func.dfg.value_type(a);
            if t != e && !t.is_invalid() {
                self.report_inst(inst, type_message(i, a, t, e));
            }
        }
    }

    /// Stack slot loads and stores at constant offsets stay inside the slot (Cranelift does
    /// not check this; it is cheap and catches frontend bugs early).
    fn check_stack_bounds(&mut self, inst: Inst, data: &InstructionData) {
        let func = self.func;
        let dfg = &func.dfg;
        let (slot, offset, ty) = match *data {
            InstructionData::StackLoad {
                opcode,
                stack_slot,
                offset,
            } if opcode.info().can_load() => (
                stack_slot,
                offset,
                dfg.inst_results(inst)
                    .first()
                    .map_or(types::INVALID, |&r| dfg.value_type(r)),
            ),
            InstructionData::StackStore {
                arg,
                stack_slot,
                offset,
                ..
            } => (stack_slot, offset, dfg.value_type(arg)),
            _ => return,
        };
        let Some(slot_data) = func.stack_slots.get(slot) else {
            return;
        };
        if ty.is_invalid() {
            return;
        }
        let start = i64::from(offset.bits());
        let end = start + i64::from(ty.bytes());
        if start < 0 || end > i64::from(slot_data.size) {
            let (op, size) = (data.opcode(), slot_data.size);
            self.report_inst(
                inst,
                format!(
                    "{op} accesses bytes {start}..{end} of {slot}, which has only {size} bytes"
                ),
            );
        }
    }
}
