//! Instruction lines: results, opcode, type suffix and the operands of each format; result
//! types, including those that wait for a value defined later in the text.

use super::function::{Parser, Pending};
use super::lexer::{Pos, Tok};
use super::ParseError;
use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, FuncRef, Inst, SigRef, StackSlot, Value};
use crate::entity::EntityRef;
use crate::immediates::{Ieee32, Ieee64, Imm64, IntLiteral, Offset32};
use crate::instructions::{BlockCall, InstructionData};
use crate::jumptable::JumpTableData;
use crate::memflags::MemFlags;
use crate::opcodes::{CtrlType, InstructionFormat, Opcode, ResultType};
use crate::trapcode::TrapCode;
use crate::types::{self, Type};
use smallvec::SmallVec;
use std::sync::OnceLock;

/// Finds an opcode by name with a binary search over a table sorted once.
fn opcode_by_name(name: &str) -> Option<Opcode> {
    static TABLE: OnceLock<Vec<(&'static str, Opcode)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: Vec<_> = Opcode::ALL.iter().map(|&op| (op.name(), op)).collect();
        t.sort_unstable_by_key(|e| e.0);
        t
    });
    table
        .binary_search_by(|e| e.0.cmp(name))
        .ok()
        .map(|i| table[i].1)
}

impl Parser<'_> {
    /// One instruction line, or an alias line `v3 -> v2`.
    pub fn inst_line(&mut self) -> Result<(), ParseError> {
        while self.tok.tok == Tok::SrcLoc {
            self.bump()?;
        }
        let start = self.tok.pos;
        let mut results: SmallVec<[(u32, Pos); 4]> = SmallVec::new();
        if let Tok::Word(w) = self.tok.tok {
            if let Some(("v", _)) = super::function::split_entity(w) {
                let first = self.entity("v", "a value")?;
                if self.tok.tok == Tok::Arrow {
                    return self.alias_line(first.0, first.1);
                }
                results.push(first);
                while self.eat(Tok::Comma)? {
                    results.push(self.entity("v", "a value")?);
                }
                self.expect(Tok::Equal, "`=` or `,`")?;
            }
        }
        let op_pos = self.tok.pos;
        let opcode = match self.tok.tok {
            Tok::Word(w) => {
                opcode_by_name(w).ok_or_else(|| op_pos.error(format!("unknown opcode `{w}`")))?
            }
            _ => return Err(self.expected("an opcode")),
        };
        self.bump()?;
        let info = opcode.info();
        let mut suffix = None;
        if self.tok.tok == Tok::Dot {
            self.bump()?;
            let pos = self.tok.pos;
            let ty = self.ty()?;
            if info.ctrl == CtrlType::None {
                return Err(pos.error(format!("`{opcode}` takes no type suffix")));
            }
            if !info.ctrl_types.contains(ty) {
                return Err(pos.error(format!(
                    "type {ty} is not allowed for `{opcode}` (expected {})",
                    info.ctrl_types
                )));
            }
            suffix = Some(ty);
        } else if info.ctrl == CtrlType::Explicit {
            return Err(op_pos.error(format!(
                "`{opcode}` needs a type suffix, e.g. `{opcode}.{}`",
                first_type(info.ctrl_types)
            )));
        }

        // Results are defined before the operands are read: a duplicate definition is reported
        // at its name, and `v1 = iadd v1, v1` is a circular type rather than an undefined value.
        let mut result_values: SmallVec<[Value; 4]> = SmallVec::new();
        for &(n, pos) in &results {
            result_values.push(self.define_value(n, pos)?);
        }

        let data = self.operands(opcode, suffix)?;
        let expected = self.result_count(&data);
        if expected != results.len() {
            let s = |n: usize| if n == 1 { "" } else { "s" };
            return Err(start.error(format!(
                "`{opcode}` has {expected} result{}, but {} value{} named",
                s(expected),
                results.len(),
                if results.len() == 1 { " is" } else { "s are" }
            )));
        }
        if self.same_line() && self.tok.tok != Tok::RBrace {
            return Err(self.expected("end of line after the instruction"));
        }

        let Some(block) = self.st.current_block else {
            return Err(start.error("instruction outside of a block"));
        };
        let dfg = &mut self.st.func.dfg;
        let inst = dfg.make_inst(data);
        self.st.func.layout.append_inst(inst, block);
        self.st.inst_lines.insert(inst, start.line);

        // Results: typed now if the controlling type is known, else when its operand is.
        let depends_on_ctrl = !info.is_call()
            && info
                .results
                .iter()
                .any(|r| !matches!(r, ResultType::Fixed(_)));
        let ctrl = match (info.ctrl, suffix) {
            (_, Some(t)) => Some(t),
            (CtrlType::Operand(i), None) if depends_on_ctrl => {
                match data
                    .arguments(&self.st.func.dfg.value_lists)
                    .get(i as usize)
                {
                    Some(&v) => self.known_type(v),
                    None => Some(types::INVALID),
                }
            }
            _ => Some(types::INVALID),
        };
        match ctrl {
            Some(ctrl) => self.attach_results(inst, &result_values, ctrl, start)?,
            None => {
                let from = self.st.pending_results.len() as u32;
                self.st.pending_results.extend_from_slice(&result_values);
                self.st.pending.push(Pending {
                    inst,
                    results: (from, result_values.len() as u32),
                    pos: start,
                    done: false,
                });
                self.wait(self.st.pending.len() - 1)?;
            }
        }
        self.drain_ready()
    }

    /// How many results the text must name for `data`.
    fn result_count(&self, data: &InstructionData) -> usize {
        let dfg = &self.st.func.dfg;
        let sig = match *data {
            InstructionData::Call { func_ref, .. } => Some(dfg.ext_funcs[func_ref].signature),
            InstructionData::CallIndirect { sig_ref, .. } => Some(sig_ref),
            _ => None,
        };
        match sig {
            Some(sig) => dfg.signatures[sig].returns.len(),
            None => data.opcode().info().results.len(),
        }
    }

    /// Gives `inst` its results with controlling type `ctrl`.
    fn attach_results(
        &mut self,
        inst: Inst,
        values: &[Value],
        ctrl: Type,
        pos: Pos,
    ) -> Result<(), ParseError> {
        let dfg = &mut self.st.func.dfg;
        let tys = dfg.result_types(&dfg.insts[inst], ctrl);
        for (&v, &ty) in values.iter().zip(&tys) {
            if ty == types::INVALID {
                let op = dfg.insts[inst].opcode();
                return Err(pos.error(format!(
                    "`{op}` has no result type for controlling type {ctrl}"
                )));
            }
            dfg.attach_result(inst, v, ty);
            self.st.ready.push(v);
        }
        Ok(())
    }

    /// Tries to type pending instruction `idx`; if its operand's type is still unknown,
    /// registers it to be retried when that value gets a type.
    fn wait(&mut self, idx: usize) -> Result<(), ParseError> {
        let p = &self.st.pending[idx];
        let inst = p.inst;
        let data = self.st.func.dfg.insts[inst];
        let CtrlType::Operand(i) = data.opcode().info().ctrl else {
            return Ok(());
        };
        let Some(&v) = data
            .arguments(&self.st.func.dfg.value_lists)
            .get(i as usize)
        else {
            return Ok(());
        };
        let v = self.resolve_alias(v);
        match self.known_type(v) {
            Some(ty) => {
                let (from, len) = p.results;
                let pos = p.pos;
                self.st.pending[idx].done = true;
                let vals: SmallVec<[Value; 4]> = self.st.pending_results
                    [from as usize..(from + len) as usize]
                    .iter()
                    .copied()
                    .collect();
                self.attach_results(inst, &vals, ty, pos)
            }
            None => {
                self.st.waiters.entry(v).or_default().push(idx as u32);
                Ok(())
            }
        }
    }

    /// Retries the instructions waiting for values that just got a type (or became aliases).
    pub fn drain_ready(&mut self) -> Result<(), ParseError> {
        while let Some(v) = self.st.ready.pop() {
            if let Some(list) = self.st.waiters.remove(&v) {
                for idx in list {
                    if !self.st.pending[idx as usize].done {
                        self.wait(idx as usize)?;
                    }
                }
            }
        }
        Ok(())
    }

    // ---- Operands ----

    /// A value operand `vN`.
    fn value(&mut self) -> Result<Value, ParseError> {
        let (n, pos) = self.entity("v", "a value")?;
        Ok(self.use_value(n, pos))
    }

    fn comma(&mut self) -> Result<(), ParseError> {
        self.expect(Tok::Comma, "`,`").map(|_| ())
    }

    /// Comma-separated values up to `)` (the `(` already consumed).
    fn value_list_paren(&mut self, out: &mut SmallVec<[Value; 8]>) -> Result<(), ParseError> {
        if self.eat(Tok::RParen)? {
            return Ok(());
        }
        loop {
            out.push(self.value()?);
            if self.eat(Tok::RParen)? {
                return Ok(());
            }
            self.expect(Tok::Comma, "`,` or `)`")?;
        }
    }

    /// `block3` or `block3(v1, v2)`.
    fn block_call(&mut self) -> Result<BlockCall, ParseError> {
        let (n, pos) = self.entity("block", "a block")?;
        let block = Block::new(n as usize);
        if !self
            .st
            .block_defined
            .get(n as usize)
            .copied()
            .unwrap_or(false)
        {
            self.st.early_block_uses.push((block, pos));
        }
        let mut args = SmallVec::new();
        if self.eat(Tok::LParen)? {
            self.value_list_paren(&mut args)?;
        }
        Ok(BlockCall::new(
            block,
            &args,
            &mut self.st.func.dfg.value_lists,
        ))
    }

    /// An integer immediate that fits in 64 bits (as signed or unsigned).
    fn imm64(&mut self) -> Result<Imm64, ParseError> {
        let Tok::Number(s) = self.tok.tok else {
            return Err(self.expected("an integer"));
        };
        let lit = IntLiteral::parse(s).ok_or_else(|| self.expected("an integer"))?;
        let x = lit.to_i64().ok_or_else(|| {
            self.tok
                .pos
                .error(format!("integer {s} does not fit in 64 bits"))
        })?;
        self.bump()?;
        Ok(Imm64::new(x))
    }

    /// An optional `+8` / `-4` right after an address.
    fn offset(&mut self) -> Result<Offset32, ParseError> {
        let Tok::Number(s) = self.tok.tok else {
            return Ok(Offset32::new(0));
        };
        if !self.same_line() || !(s.starts_with('+') || s.starts_with('-')) {
            return Ok(Offset32::new(0));
        }
        let lit = IntLiteral::parse(s).ok_or_else(|| self.expected("an offset"))?;
        let fits = if lit.negative {
            lit.magnitude <= 1 << 31
        } else {
            lit.magnitude < 1 << 31
        };
        if !fits {
            return Err(self
                .tok
                .pos
                .error(format!("offset {s} does not fit in 32 bits")));
        }
        self.bump()?;
        let m = lit.magnitude as i64;
        Ok(Offset32::new(if lit.negative { -m } else { m } as i32))
    }

    fn word_as<T>(
        &mut self,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ParseError> {
        let Tok::Word(w) = self.tok.tok else {
            return Err(self.expected(what));
        };
        let x = parse(w).ok_or_else(|| self.tok.pos.error(format!("unknown {what} `{w}`")))?;
        self.bump()?;
        Ok(x)
    }

    fn trap_code(&mut self) -> Result<TrapCode, ParseError> {
        self.word_as("trap code", |w| w.parse().ok())
    }

    /// Memory flags and an optional trap code, up to the address value.
    fn memflags(&mut self) -> Result<MemFlags, ParseError> {
        let mut flags = MemFlags::new();
        while let Tok::Word(w) = self.tok.tok {
            if matches!(super::function::split_entity(w), Some(("v", _))) {
                break;
            }
            if !flags.set_by_name(w) {
                match w.parse::<TrapCode>() {
                    Ok(code) => flags.set_trap_code(code),
                    Err(()) => {
                        return Err(self.tok.pos.error(format!("unknown memory flag `{w}`")));
                    }
                }
            }
            self.bump()?;
        }
        Ok(flags)
    }

    fn stack_slot(&mut self) -> Result<StackSlot, ParseError> {
        let (n, pos) = self.entity("ss", "a stack slot")?;
        let count = self.counts().0;
        self.declared(n, pos, count, "stack slot ss")
    }

    fn func_ref(&mut self) -> Result<FuncRef, ParseError> {
        let (n, pos) = self.entity("fn", "a function reference")?;
        let count = self.counts().2;
        self.declared(n, pos, count, "function reference fn")
    }

    fn sig_ref(&mut self) -> Result<SigRef, ParseError> {
        let (n, pos) = self.entity("sig", "a signature")?;
        let count = self.counts().1;
        self.declared(n, pos, count, "signature sig")
    }

    /// A float literal token (a number, or `Inf`/`NaN` written without a sign).
    fn float_text(&mut self) -> Result<(&str, Pos), ParseError> {
        match self.tok.tok {
            Tok::Number(s) | Tok::Word(s) => {
                let pos = self.tok.pos;
                self.bump()?;
                Ok((s, pos))
            }
            _ => Err(self.expected("a float literal")),
        }
    }

    /// The operands of `opcode` in its format.
    fn operands(
        &mut self,
        opcode: Opcode,
        suffix: Option<Type>,
    ) -> Result<InstructionData, ParseError> {
        use InstructionFormat as F;
        Ok(match opcode.format() {
            F::UnaryImm => {
                let Tok::Number(s) = self.tok.tok else {
                    return Err(self.expected("an integer"));
                };
                let lit = IntLiteral::parse(s).ok_or_else(|| self.expected("an integer"))?;
                // The suffix is required for `iconst`, so this is its type.
                let ty = suffix.unwrap_or(types::I64);
                let bits = lit.to_bits(ty.bits()).ok_or_else(|| {
                    self.tok
                        .pos
                        .error(format!("integer {s} does not fit in {ty}"))
                })?;
                self.bump()?;
                InstructionData::UnaryImm {
                    opcode,
                    imm: Imm64::new(bits as u64 as i64),
                }
            }
            F::UnaryIeee32 => {
                let (s, pos) = self.float_text()?;
                let imm = s
                    .parse::<Ieee32>()
                    .map_err(|e| pos.error(format!("invalid f32 literal `{s}`: {e}")))?;
                InstructionData::UnaryIeee32 { opcode, imm }
            }
            F::UnaryIeee64 => {
                let (s, pos) = self.float_text()?;
                let imm = s
                    .parse::<Ieee64>()
                    .map_err(|e| pos.error(format!("invalid f64 literal `{s}`: {e}")))?;
                InstructionData::UnaryIeee64 { opcode, imm }
            }
            F::Unary => InstructionData::Unary {
                opcode,
                arg: self.value()?,
            },
            F::Binary => {
                let a = self.value()?;
                self.comma()?;
                InstructionData::Binary {
                    opcode,
                    args: [a, self.value()?],
                }
            }
            F::BinaryImm64 => {
                let arg = self.value()?;
                self.comma()?;
                InstructionData::BinaryImm64 {
                    opcode,
                    arg,
                    imm: self.imm64()?,
                }
            }
            F::Ternary => {
                let a = self.value()?;
                self.comma()?;
                let b = self.value()?;
                self.comma()?;
                InstructionData::Ternary {
                    opcode,
                    args: [a, b, self.value()?],
                }
            }
            F::IntCompare => {
                let cond = self.word_as("integer condition code", |w| w.parse::<IntCC>().ok())?;
                let a = self.value()?;
                self.comma()?;
                InstructionData::IntCompare {
                    opcode,
                    cond,
                    args: [a, self.value()?],
                }
            }
            F::IntCompareImm => {
                let cond = self.word_as("integer condition code", |w| w.parse::<IntCC>().ok())?;
                let arg = self.value()?;
                self.comma()?;
                InstructionData::IntCompareImm {
                    opcode,
                    cond,
                    arg,
                    imm: self.imm64()?,
                }
            }
            F::FloatCompare => {
                let cond = self.word_as("float condition code", |w| w.parse::<FloatCC>().ok())?;
                let a = self.value()?;
                self.comma()?;
                InstructionData::FloatCompare {
                    opcode,
                    cond,
                    args: [a, self.value()?],
                }
            }
            F::Load => {
                let flags = self.memflags()?;
                let arg = self.value()?;
                InstructionData::Load {
                    opcode,
                    flags,
                    arg,
                    offset: self.offset()?,
                }
            }
            F::Store => {
                let flags = self.memflags()?;
                let x = self.value()?;
                self.comma()?;
                let p = self.value()?;
                InstructionData::Store {
                    opcode,
                    flags,
                    args: [x, p],
                    offset: self.offset()?,
                }
            }
            F::StackLoad => {
                let stack_slot = self.stack_slot()?;
                InstructionData::StackLoad {
                    opcode,
                    stack_slot,
                    offset: self.offset()?,
                }
            }
            F::StackStore => {
                let arg = self.value()?;
                self.comma()?;
                let stack_slot = self.stack_slot()?;
                InstructionData::StackStore {
                    opcode,
                    arg,
                    stack_slot,
                    offset: self.offset()?,
                }
            }
            F::Jump => InstructionData::Jump {
                opcode,
                destination: self.block_call()?,
            },
            F::Brif => {
                let arg = self.value()?;
                self.comma()?;
                let then = self.block_call()?;
                self.comma()?;
                InstructionData::Brif {
                    opcode,
                    arg,
                    blocks: [then, self.block_call()?],
                }
            }
            F::BranchTable => {
                let arg = self.value()?;
                self.comma()?;
                let default = self.block_call()?;
                self.comma()?;
                self.expect(Tok::LBracket, "`[`")?;
                let mut table = Vec::new();
                if !self.eat(Tok::RBracket)? {
                    loop {
                        table.push(self.block_call()?);
                        if self.eat(Tok::RBracket)? {
                            break;
                        }
                        self.expect(Tok::Comma, "`,` or `]`")?;
                    }
                }
                let table = self
                    .st
                    .func
                    .create_jump_table(JumpTableData::new(default, &table));
                InstructionData::BranchTable { opcode, arg, table }
            }
            F::MultiAry => {
                let mut args = SmallVec::<[Value; 8]>::new();
                // Arguments must start on the opcode's line: a bare `return` ends there.
                if self.same_line() && matches!(self.tok.tok, Tok::Word(_)) {
                    loop {
                        args.push(self.value()?);
                        if !self.eat(Tok::Comma)? {
                            break;
                        }
                    }
                }
                InstructionData::MultiAry {
                    opcode,
                    args: self.st.func.dfg.value_lists.alloc(&args),
                }
            }
            F::Call => {
                let func_ref = self.func_ref()?;
                self.expect(Tok::LParen, "`(`")?;
                let mut args = SmallVec::new();
                self.value_list_paren(&mut args)?;
                InstructionData::Call {
                    opcode,
                    func_ref,
                    args: self.st.func.dfg.value_lists.alloc(&args),
                }
            }
            F::CallIndirect => {
                let sig_ref = self.sig_ref()?;
                self.comma()?;
                let mut args = SmallVec::new();
                args.push(self.value()?);
                self.expect(Tok::LParen, "`(`")?;
                self.value_list_paren(&mut args)?;
                InstructionData::CallIndirect {
                    opcode,
                    sig_ref,
                    args: self.st.func.dfg.value_lists.alloc(&args),
                }
            }
            F::FuncAddr => InstructionData::FuncAddr {
                opcode,
                func_ref: self.func_ref()?,
            },
            F::Trap => InstructionData::Trap {
                opcode,
                code: self.trap_code()?,
            },
            F::CondTrap => {
                let arg = self.value()?;
                self.comma()?;
                InstructionData::CondTrap {
                    opcode,
                    arg,
                    code: self.trap_code()?,
                }
            }
            F::IntAddTrap => {
                let a = self.value()?;
                self.comma()?;
                let b = self.value()?;
                self.comma()?;
                InstructionData::IntAddTrap {
                    opcode,
                    args: [a, b],
                    code: self.trap_code()?,
                }
            }
        })
    }
}

/// The first type of a set, for "e.g. `iconst.i32`" hints.
fn first_type(set: crate::opcodes::TypeSet) -> Type {
    [types::I32, types::I64, types::F32, types::F64]
        .into_iter()
        .find(|&t| set.contains(t))
        .unwrap_or(types::I32)
}
