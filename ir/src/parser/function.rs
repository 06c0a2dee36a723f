//! Functions: the token stream, the function header and signature, preamble declarations,
//! blocks, and the checks once a function's text has been read.

use super::lexer::{Lexer, Pos, Tok, Token};
use super::{ParseError, ParsedFunction};
use crate::entities::{Block, Inst, SigRef, Value};
use crate::entity::{EntityRef, SecondaryMap};
use crate::extfunc::{ExtFuncData, UserFuncName};
use crate::function::Function;
use crate::signature::{AbiParam, ArgumentExtension, ArgumentPurpose, CallConv, Signature};
use crate::stackslot::StackSlotData;
use crate::types::{self, Type};
use std::collections::HashMap;

/// Values and blocks may be numbered up to this; larger numbers are refused rather than
/// allocated for.
pub(super) const MAX_ENTITY: u32 = 10_000_000;

/// Numbers up to this are accepted in any input; above it, only up to the input's length in
/// bytes (a function really using such numbers is at least that long), so memory stays
/// proportional to the input.
const SMALL_ENTITY_LIMIT: u32 = 1 << 20;

/// An instruction whose results wait for the type of a value defined later in the text.
pub(super) struct Pending {
    pub inst: Inst,
    /// Range of its result values in `FuncState::pending_results`.
    pub results: (u32, u32),
    pub pos: Pos,
    pub done: bool,
}

/// What is known about the function being parsed.
#[derive(Default)]
pub(super) struct FuncState {
    pub func: Function,
    pub inst_lines: SecondaryMap<Inst, u32>,
    /// Whether each value number has a definition (result, parameter or alias) so far.
    pub value_defined: Vec<bool>,
    /// Uses of values not defined at the time, checked at the end of the function.
    pub early_uses: Vec<(Value, Pos)>,
    pub block_defined: Vec<bool>,
    pub early_block_uses: Vec<(Block, Pos)>,
    /// `dest -> src` alias lines, applied once every result exists.
    pub aliases: HashMap<Value, Value>,
    pub alias_order: Vec<(Value, Value)>,
    pub pending: Vec<Pending>,
    pub pending_results: Vec<Value>,
    /// Pending instructions waiting for each value's type.
    pub waiters: HashMap<Value, Vec<u32>>,
    /// Values that just got a type, whose waiters must be retried.
    pub ready: Vec<Value>,
    pub current_block: Option<Block>,
}

/// The parser of the function part of a file.
pub(super) struct Parser<'a> {
    pub lex: Lexer<'a>,
    pub tok: Token<'a>,
    /// Line of the last consumed token.
    pub prev_line: u32,
    pub st: FuncState,
    /// The largest value or block number accepted for this input.
    entity_limit: u32,
}

/// Where a function reference's signature comes from.
enum SigSource {
    Named(u32, Pos),
    Inline(Signature),
}

/// Splits `v12` into `("v", Some(12))`; `None` if the word is not letters then digits.
/// Numbers that do not fit in `u32` give `Some((prefix, None))`; leading zeros are refused.
pub(super) fn split_entity(word: &str) -> Option<(&str, Option<u32>)> {
    let split = word.find(|c: char| c.is_ascii_digit())?;
    let (prefix, digits) = word.split_at(split);
    if prefix.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    let n = digits.parse::<u32>().ok();
    Some((prefix, n))
}

impl<'a> Parser<'a> {
    /// A parser of `src` from byte `start` (line `line`).
    pub fn new(src: &'a str, start: usize, line: u32) -> Result<Self, ParseError> {
        let mut lex = Lexer::new(src, start, line);
        let tok = lex.next_token()?;
        let size = u32::try_from(src.len()).unwrap_or(u32::MAX);
        Ok(Parser {
            lex,
            tok,
            prev_line: line,
            st: FuncState::default(),
            entity_limit: size.clamp(SMALL_ENTITY_LIMIT, MAX_ENTITY),
        })
    }

    // ---- Token helpers ----

    /// Consumes the current token and returns it.
    pub fn bump(&mut self) -> Result<Token<'a>, ParseError> {
        let t = self.tok;
        self.prev_line = t.pos.line;
        self.tok = self.lex.next_token()?;
        Ok(t)
    }

    /// An error at the current token: "expected WHAT, found TOKEN".
    pub fn expected(&self, what: &str) -> ParseError {
        self.tok
            .pos
            .error(format!("expected {what}, found {}", self.tok.tok))
    }

    /// Consumes `t` or reports what was found instead.
    pub fn expect(&mut self, t: Tok<'_>, what: &str) -> Result<Pos, ParseError> {
        if self.tok.tok == t {
            Ok(self.bump()?.pos)
        } else {
            Err(self.expected(what))
        }
    }

    /// Consumes `t` if it is the current token.
    pub fn eat(&mut self, t: Tok<'_>) -> Result<bool, ParseError> {
        if self.tok.tok == t {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Whether the current token is on the line of the last consumed one.
    pub fn same_line(&self) -> bool {
        self.tok.tok != Tok::Eof && self.tok.pos.line == self.prev_line
    }

    /// Consumes an entity word `PREFIXn` (for example `ss3`) and returns `n`.
    pub fn entity(&mut self, prefix: &str, what: &str) -> Result<(u32, Pos), ParseError> {
        if let Tok::Word(w) = self.tok.tok {
            if let Some((p, n)) = split_entity(w) {
                if p == prefix {
                    let pos = self.tok.pos;
                    let limit = self.entity_limit;
                    let Some(n) = n.filter(|&n| n <= limit) else {
                        return Err(pos.error(format!(
                            "`{w}`: entity numbers above {limit} are not supported"
                        )));
                    };
                    self.bump()?;
                    return Ok((n, pos));
                }
            }
        }
        Err(self.expected(what))
    }

    /// Consumes a type name.
    pub fn ty(&mut self) -> Result<Type, ParseError> {
        match self.tok.tok {
            Tok::Word(w) => match Type::by_name(w) {
                Some(t) => {
                    self.bump()?;
                    Ok(t)
                }
                None => Err(self.tok.pos.error(format!("unknown type `{w}`"))),
            },
            _ => Err(self.expected("a type")),
        }
    }

    /// Consumes a non-negative decimal or hexadecimal integer that fits in `u32`.
    pub fn u32_literal(&mut self, what: &str) -> Result<u32, ParseError> {
        let Tok::Number(s) = self.tok.tok else {
            return Err(self.expected(what));
        };
        let lit = crate::immediates::IntLiteral::parse(s)
            .filter(|l| !l.negative && !s.starts_with('+'))
            .ok_or_else(|| self.expected(what))?;
        let n = u32::try_from(lit.magnitude).map_err(|_| {
            self.tok
                .pos
                .error(format!("integer {s} does not fit in 32 bits"))
        })?;
        self.bump()?;
        Ok(n)
    }

    // ---- Function header ----

    /// `%name` or `u0:1`.
    pub fn func_name(&mut self) -> Result<UserFuncName, ParseError> {
        match self.tok.tok {
            Tok::Name(n) => {
                self.bump()?;
                Ok(UserFuncName::testcase(n))
            }
            Tok::Word(w) if w.starts_with('u') => {
                let ns = w[1..]
                    .parse::<u32>()
                    .ok()
                    .filter(|_| w[1..].bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| self.expected("a function name (`%name` or `uN:M`)"))?;
                self.bump()?;
                self.expect(Tok::Colon, "`:`")?;
                let Tok::Number(s) = self.tok.tok else {
                    return Err(self.expected("a function index"));
                };
                let index = s
                    .parse::<u32>()
                    .ok()
                    .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| self.expected("a function index"))?;
                self.bump()?;
                Ok(UserFuncName::user(ns, index))
            }
            _ => Err(self.expected("a function name (`%name` or `uN:M`)")),
        }
    }

    /// A parameter or return: a type and its attributes.
    fn abi_param(&mut self) -> Result<AbiParam, ParseError> {
        let mut p = AbiParam::new(self.ty()?);
        while let Tok::Word(w) = self.tok.tok {
            match w {
                "uext" => p.extension = ArgumentExtension::Uext,
                "sext" => p.extension = ArgumentExtension::Sext,
                "vmctx" => p.purpose = ArgumentPurpose::VMContext,
                _ => break,
            }
            self.bump()?;
        }
        Ok(p)
    }

    /// `(i32, i64 uext) -> i32 system_v`; the calling convention defaults to `fast`.
    pub fn signature(&mut self) -> Result<Signature, ParseError> {
        let mut sig = Signature::new(CallConv::Fast);
        self.expect(Tok::LParen, "`(`")?;
        if !self.eat(Tok::RParen)? {
            loop {
                sig.params.push(self.abi_param()?);
                if self.eat(Tok::RParen)? {
                    break;
                }
                self.expect(Tok::Comma, "`,` or `)`")?;
            }
        }
        if self.eat(Tok::Arrow)? {
            loop {
                sig.returns.push(self.abi_param()?);
                if !self.eat(Tok::Comma)? {
                    break;
                }
            }
        }
        if let Tok::Word(w) = self.tok.tok {
            if self.same_line() {
                sig.call_conv = w.parse().map_err(|()| {
                    self.tok
                        .pos
                        .error(format!("unknown calling convention `{w}`"))
                })?;
                self.bump()?;
            }
        }
        Ok(sig)
    }

    /// `function NAME SIGNATURE { PREAMBLE BLOCKS }`.
    pub fn function(&mut self) -> Result<ParsedFunction, ParseError> {
        self.st = FuncState::default();
        let line = self.expect(Tok::Word("function"), "`function`")?.line;
        self.st.func.name = self.func_name()?;
        self.st.func.signature = self.signature()?;
        self.expect(Tok::LBrace, "`{`")?;
        self.preamble()?;
        self.body()?;
        self.finish()?;
        let st = core::mem::take(&mut self.st);
        Ok(ParsedFunction {
            func: st.func,
            line,
            inst_lines: st.inst_lines,
            comments: Vec::new(),
        })
    }

    // ---- Preamble ----

    /// `ssN = ...`, `sigN = ...` and `fnN = ...` lines, in any order; each kind must be
    /// numbered from 0 without gaps.
    fn preamble(&mut self) -> Result<(), ParseError> {
        let mut slots: Vec<(u32, Pos, StackSlotData)> = Vec::new();
        let mut sigs: Vec<(u32, Pos, Signature)> = Vec::new();
        let mut funcs: Vec<(u32, Pos, bool, UserFuncName, SigSource)> = Vec::new();
        while let Tok::Word(w) = self.tok.tok {
            let Some((prefix, _)) = split_entity(w) else {
                break;
            };
            match prefix {
                "ss" => {
                    let (n, pos) = self.entity("ss", "a stack slot")?;
                    self.expect(Tok::Equal, "`=`")?;
                    slots.push((n, pos, self.stack_slot_data()?));
                }
                "sig" => {
                    let (n, pos) = self.entity("sig", "a signature")?;
                    self.expect(Tok::Equal, "`=`")?;
                    sigs.push((n, pos, self.signature()?));
                }
                "fn" => {
                    let (n, pos) = self.entity("fn", "a function reference")?;
                    self.expect(Tok::Equal, "`=`")?;
                    let colocated = self.eat(Tok::Word("colocated"))?;
                    let name = self.func_name()?;
                    let sig = if self.tok.tok == Tok::LParen {
                        SigSource::Inline(self.signature()?)
                    } else {
                        let (s, spos) = self.entity("sig", "`(` or a signature `sigN`")?;
                        SigSource::Named(s, spos)
                    };
                    funcs.push((n, pos, colocated, name, sig));
                }
                _ => break,
            }
        }
        check_dense(&mut slots, "ss", "stack slots", |e| (e.0, e.1))?;
        check_dense(&mut sigs, "sig", "signatures", |e| (e.0, e.1))?;
        check_dense(&mut funcs, "fn", "function references", |e| (e.0, e.1))?;
        let func = &mut self.st.func;
        for (_, _, data) in slots {
            func.create_stack_slot(data);
        }
        let named = sigs.len();
        for (_, _, sig) in sigs {
            func.import_signature(sig);
        }
        for (_, _, colocated, name, source) in funcs {
            let signature = match source {
                SigSource::Named(s, pos) => {
                    if s as usize >= named {
                        return Err(pos.error(format!("undefined signature sig{s}")));
                    }
                    SigRef::new(s as usize)
                }
                SigSource::Inline(sig) => func.import_signature(sig),
            };
            func.import_function(ExtFuncData {
                name,
                signature,
                colocated,
            });
        }
        Ok(())
    }

    /// `explicit_slot 16` or `explicit_slot 16, align = 8`.
    fn stack_slot_data(&mut self) -> Result<StackSlotData, ParseError> {
        match self.tok.tok {
            Tok::Word("explicit_slot") => {
                self.bump()?;
            }
            Tok::Word(w) => {
                return Err(self.tok.pos.error(format!("unknown stack slot kind `{w}`")));
            }
            _ => return Err(self.expected("`explicit_slot`")),
        }
        let size = self.u32_literal("a stack slot size")?;
        let mut align_shift = 0;
        if self.eat(Tok::Comma)? {
            self.expect(Tok::Word("align"), "`align`")?;
            self.expect(Tok::Equal, "`=`")?;
            let pos = self.tok.pos;
            let align = self.u32_literal("an alignment")?;
            if !align.is_power_of_two() {
                return Err(pos.error(format!("alignment {align} is not a power of two")));
            }
            align_shift = align.trailing_zeros() as u8;
        }
        Ok(StackSlotData::new(size, align_shift))
    }

    // ---- Blocks ----

    /// Blocks and their instructions, up to and including the closing `}`.
    fn body(&mut self) -> Result<(), ParseError> {
        loop {
            match self.tok.tok {
                Tok::RBrace => {
                    self.bump()?;
                    return Ok(());
                }
                // A missing `}` shows up when the next function starts.
                Tok::Word("function") => return Err(self.expected("`}`")),
                Tok::Word(w) => match split_entity(w) {
                    Some(("block", _)) => self.block_header()?,
                    Some(("ss" | "sig" | "fn", _)) if self.st.current_block.is_some() => {
                        return Err(self.tok.pos.error(format!(
                            "`{w}`: declarations must come before the first block"
                        )));
                    }
                    _ if self.st.current_block.is_none() => {
                        return Err(self.expected("a block header"));
                    }
                    _ => self.inst_line()?,
                },
                Tok::SrcLoc if self.st.current_block.is_some() => self.inst_line()?,
                Tok::Eof => return Err(self.expected("`}`")),
                _ if self.st.current_block.is_none() => {
                    return Err(self.expected("a block header or `}`"));
                }
                _ => return Err(self.expected("an instruction, a block header or `}`")),
            }
        }
    }

    /// `block3(v1: i32, v2: i64):`, also `block3 cold:`.
    fn block_header(&mut self) -> Result<(), ParseError> {
        let (n, pos) = self.entity("block", "a block")?;
        let idx = n as usize;
        if self.st.block_defined.get(idx).copied().unwrap_or(false) {
            return Err(pos.error(format!("block{n} is defined twice")));
        }
        if self.st.block_defined.len() <= idx {
            self.st.block_defined.resize(idx + 1, false);
        }
        self.st.block_defined[idx] = true;
        let dfg = &mut self.st.func.dfg;
        while dfg.num_blocks() <= idx {
            dfg.make_block();
        }
        let block = Block::new(idx);
        self.st.func.layout.append_block(block);
        self.st.current_block = Some(block);
        // `block1()` is accepted as a block without parameters.
        if self.eat(Tok::LParen)? && !self.eat(Tok::RParen)? {
            loop {
                let (v, vpos) = self.entity("v", "a block parameter `vN`")?;
                self.expect(Tok::Colon, "`:`")?;
                let ty = self.ty()?;
                let v = self.define_value(v, vpos)?;
                self.st.func.dfg.attach_block_param(block, v, ty);
                self.st.ready.push(v);
                if self.eat(Tok::RParen)? {
                    break;
                }
                self.expect(Tok::Comma, "`,` or `)`")?;
            }
        }
        self.eat(Tok::Word("cold"))?;
        self.expect(Tok::Colon, "`:`")?;
        self.drain_ready()
    }

    // ---- Values ----

    /// Records a definition of value number `n`, creating placeholders up to it.
    pub fn define_value(&mut self, n: u32, pos: Pos) -> Result<Value, ParseError> {
        let idx = n as usize;
        let st = &mut self.st;
        if st.value_defined.get(idx).copied().unwrap_or(false) {
            return Err(pos.error(format!("value v{n} is defined twice")));
        }
        if st.value_defined.len() <= idx {
            st.value_defined.resize(idx + 1, false);
        }
        st.value_defined[idx] = true;
        while st.func.dfg.num_values() <= idx {
            st.func.dfg.make_placeholder_value();
        }
        Ok(Value::new(idx))
    }

    /// Records a use of value number `n`.
    pub fn use_value(&mut self, n: u32, pos: Pos) -> Value {
        let v = Value::new(n as usize);
        if !self.is_defined(v) {
            self.st.early_uses.push((v, pos));
        }
        v
    }

    fn is_defined(&self, v: Value) -> bool {
        self.st
            .value_defined
            .get(v.index())
            .copied()
            .unwrap_or(false)
    }

    /// Follows the alias lines read so far from `v`.
    pub fn resolve_alias(&self, mut v: Value) -> Value {
        // Cycles are refused when alias lines are read, so this terminates.
        while let Some(&src) = self.st.aliases.get(&v) {
            v = src;
        }
        v
    }

    /// `v3 -> v2`: `dest` (already consumed) is an alias of the value named next.
    pub fn alias_line(&mut self, dest: u32, dest_pos: Pos) -> Result<(), ParseError> {
        self.expect(Tok::Arrow, "`->`")?;
        let (src, src_pos) = self.entity("v", "a value")?;
        let dest = self.define_value(dest, dest_pos)?;
        let src = self.use_value(src, src_pos);
        if self.resolve_alias(src) == dest {
            return Err(src_pos.error(format!("alias cycle: {dest} -> {src} leads back to {dest}")));
        }
        self.st.aliases.insert(dest, src);
        self.st.alias_order.push((dest, src));
        self.st.ready.push(dest);
        self.drain_ready()
    }

    // ---- End of function ----

    /// Reports what is still undefined or untyped, then applies the alias lines.
    fn finish(&mut self) -> Result<(), ParseError> {
        for &(v, pos) in &self.st.early_uses {
            if !self.is_defined(v) {
                return Err(pos.error(format!("undefined value {v}")));
            }
        }
        for &(b, pos) in &self.st.early_block_uses {
            if !self
                .st
                .block_defined
                .get(b.index())
                .copied()
                .unwrap_or(false)
            {
                return Err(pos.error(format!("undefined block {b}")));
            }
        }
        if let Some(p) = self.st.pending.iter().find(|p| !p.done) {
            let data = &self.st.func.dfg.insts[p.inst];
            let op = data.opcode();
            let from = match op.info().ctrl {
                crate::opcodes::CtrlType::Operand(i) => data
                    .arguments(&self.st.func.dfg.value_lists)
                    .get(i as usize)
                    .map(|&v| self.resolve_alias(v)),
                _ => None,
            };
            let from = from.map_or(String::new(), |v| format!(" from {v}"));
            return Err(p.pos.error(format!(
                "cannot infer the controlling type of `{op}`{from}: its type depends on this \
                 instruction; write a type suffix such as `{op}.i32`"
            )));
        }
        for i in 0..self.st.alias_order.len() {
            let (dest, src) = self.st.alias_order[i];
            let original = self.resolve_alias(src);
            self.st.func.dfg.change_to_alias(dest, original);
        }
        Ok(())
    }

    /// The type of `v` after following aliases, if it is known yet.
    pub fn known_type(&self, v: Value) -> Option<Type> {
        let t = self.st.func.dfg.value_type(self.resolve_alias(v));
        (t != types::INVALID).then_some(t)
    }

    /// Checks that a `StackSlot`, `FuncRef` or `SigRef` number is declared.
    pub fn declared<E: EntityRef>(
        &self,
        n: u32,
        pos: Pos,
        count: usize,
        name: &str,
    ) -> Result<E, ParseError> {
        if (n as usize) < count {
            Ok(E::new(n as usize))
        } else {
            Err(pos.error(format!("undefined {name}{n}")))
        }
    }

    /// The number of declared stack slots, signatures and function references.
    pub fn counts(&self) -> (usize, usize, usize) {
        let f = &self.st.func;
        (
            f.stack_slots.len(),
            f.dfg.signatures.len(),
            f.dfg.ext_funcs.len(),
        )
    }
}

/// Sorts declarations by number and checks they are `0, 1, 2, ...` without repeats.
fn check_dense<T>(
    decls: &mut [T],
    prefix: &str,
    what: &str,
    key: impl Fn(&T) -> (u32, Pos),
) -> Result<(), ParseError> {
    decls.sort_by_key(|d| key(d).0);
    for (i, d) in decls.iter().enumerate() {
        let (n, pos) = key(d);
        if n as usize != i {
            if i > 0 && key(&decls[i - 1]).0 == n {
                // The later of two equal declarations in the text is the duplicate.
                return Err(pos.error(format!("{prefix}{n} is declared twice")));
            }
            return Err(pos.error(format!(
                "{prefix}{n} is declared but {prefix}{i} is not ({what} are numbered from \
                 {prefix}0 without gaps)"
            )));
        }
    }
    Ok(())
}
