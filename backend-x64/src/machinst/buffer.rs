//! The code buffer: bytes, labels, branch simplification, a constant pool, traps and
//! relocations.
//!
//! An emitter appends bytes and records, next to them, what cannot be known yet: references
//! to labels (fixups), branches, constants, trap sites and relocations. [`CodeBuffer::finish`]
//! then simplifies branches and lays everything out:
//!
//! 1. **Threading**: a branch to a label bound where an unconditional branch starts goes
//!    straight to that branch's target (followed transitively; cycles stop).
//! 2. **Inversion**: `jcc a; jmp b; a:` becomes `j!cc b; a:` when the branch form knows its
//!    opposite ([`BranchForm::with_inverse`]).
//! 3. **Fallthrough removal**: a branch whose target is the code right after it (possibly past
//!    other removed branches) is deleted.
//! 4. **Short forms**: every remaining branch starts in its short (8-bit displacement) form;
//!    those out of range are widened until nothing changes (sizes only grow, so this ends).
//! 5. The constant pool is placed after the code, each constant aligned to its size, and all
//!    fixups, traps and relocations are moved to their final offsets.
//!
//! The buffer is target-independent: a branch is described by its two encodings
//! ([`BranchForm`]: opcode bytes followed by an 8-bit or a 32-bit displacement measured from
//! the end of the instruction).

use kiln_ir::{FuncRef, TrapCode, UserFuncName};
use std::collections::HashMap;

/// A position in the code, bound once with [`CodeBuffer::bind_label`] (or a constant of the
/// pool, see [`CodeBuffer::constant`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Label(u32);

impl Label {
    /// The label numbered `n` (labels are numbered in creation order; the lowering numbers
    /// block labels before the buffer creates any other).
    pub const fn new(n: u32) -> Label {
        Label(n)
    }

    /// The label's number within its buffer.
    pub const fn index(self) -> u32 {
        self.0
    }
}

/// How a reference to a label is written into the code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FixupKind {
    /// One byte: `target - field_offset + addend`, which must fit an `i8`.
    PcRel8,
    /// Four bytes: `target - field_offset + addend`. With `addend = -4` this is the
    /// displacement from the end of the field, as x86 branches and RIP-relative operands use.
    PcRel32,
    /// Four bytes: `target - base + addend`, where `base` is another label (jump tables of
    /// offsets relative to the table).
    Delta32 {
        /// The label the distance is measured from.
        base: Label,
    },
}

impl FixupKind {
    fn size(self) -> usize {
        match self {
            FixupKind::PcRel8 => 1,
            FixupKind::PcRel32 | FixupKind::Delta32 { .. } => 4,
        }
    }
}

/// The two encodings of one branch: opcode bytes followed by a signed 8-bit (short) or 32-bit
/// (long) displacement relative to the end of the instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BranchForm {
    short: [u8; 3],
    short_len: u8,
    long: [u8; 3],
    long_len: u8,
    conditional: bool,
    /// The opposite condition's short and long opcodes (lengths 0: none).
    inv_short: [u8; 3],
    inv_short_len: u8,
    inv_long: [u8; 3],
    inv_long_len: u8,
}

const fn copy3(b: &[u8]) -> [u8; 3] {
    assert!(!b.is_empty() && b.len() <= 3);
    let mut a = [0; 3];
    let mut i = 0;
    while i < b.len() {
        a[i] = b[i];
        i += 1;
    }
    a
}

impl BranchForm {
    /// A branch whose short form is `short` + rel8 and long form `long` + rel32 (opcode parts
    /// of 1 to 3 bytes). `conditional` branches may fall through, so they are never threaded
    /// through.
    pub const fn new(short: &[u8], long: &[u8], conditional: bool) -> BranchForm {
        BranchForm {
            short: copy3(short),
            short_len: short.len() as u8,
            long: copy3(long),
            long_len: long.len() as u8,
            conditional,
            inv_short: [0; 3],
            inv_short_len: 0,
            inv_long: [0; 3],
            inv_long_len: 0,
        }
    }

    /// A conditional branch that also knows the opcodes of the opposite condition, so that
    /// `jcc a; jmp b; a:` can become `j!cc b; a:`.
    pub const fn with_inverse(self, short: &[u8], long: &[u8]) -> BranchForm {
        BranchForm {
            inv_short: copy3(short),
            inv_short_len: short.len() as u8,
            inv_long: copy3(long),
            inv_long_len: long.len() as u8,
            ..self
        }
    }

    /// The branch on the opposite condition, if known.
    fn inverted(&self) -> Option<BranchForm> {
        if self.inv_short_len == 0 {
            return None;
        }
        Some(BranchForm {
            short: self.inv_short,
            short_len: self.inv_short_len,
            long: self.inv_long,
            long_len: self.inv_long_len,
            inv_short: self.short,
            inv_short_len: self.short_len,
            inv_long: self.long,
            inv_long_len: self.long_len,
            conditional: self.conditional,
        })
    }

    fn short_size(&self) -> u32 {
        self.short_len as u32 + 1
    }

    fn long_size(&self) -> u32 {
        self.long_len as u32 + 4
    }
}

/// The kind of a relocation: how the linker or loader patches the field.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RelocKind {
    /// A 32-bit PC-relative field: `S + A - P` (x86 `call rel32`, with `A = -4`).
    X86CallPCRel4,
    /// A 64-bit absolute address: `S + A`.
    Abs8,
}

impl RelocKind {
    /// The size of the patched field in bytes.
    pub const fn size(self) -> usize {
        match self {
            RelocKind::X86CallPCRel4 => 4,
            RelocKind::Abs8 => 8,
        }
    }
}

/// What a relocation refers to.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum RelocTarget {
    /// A function referenced by the compiled function (`fnN`).
    Func(FuncRef),
    /// A function known by name (e.g. a runtime helper).
    Name(UserFuncName),
}

/// A relocation of the finished code.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reloc {
    /// Offset of the patched field in the code.
    pub offset: u32,
    /// How to patch it.
    pub kind: RelocKind,
    /// The symbol.
    pub target: RelocTarget,
    /// Added to the symbol's address.
    pub addend: i64,
}

/// An instruction that may trap, and why.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TrapRecord {
    /// Offset of the instruction's first byte.
    pub offset: u32,
    /// The trap code reported when it faults.
    pub code: TrapCode,
}

/// Why [`CodeBuffer::finish`] failed (always a bug of the emitter, reported instead of a
/// panic).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum BufferError {
    /// A label was referenced but never bound.
    #[error("label {0:?} is used but never bound")]
    UnboundLabel(Label),
    /// A label was bound twice.
    #[error("label {0:?} is bound twice")]
    LabelBoundTwice(Label),
    /// A label reference does not fit its field.
    #[error("reference to label {label:?} at offset {offset} does not fit its field")]
    FixupOutOfRange {
        /// Final offset of the field.
        offset: u32,
        /// The label referenced.
        label: Label,
    },
    /// The code is larger than 4 GiB.
    #[error("code too large")]
    TooLarge,
}

/// The finished code of one function.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MachBufferFinalized {
    /// Code followed by the constant pool. The pool is aligned relative to the start of
    /// `data`, so the code must be placed at a 16-byte aligned address.
    pub data: Vec<u8>,
    /// Length of the code proper; the constant pool starts at or after it.
    pub code_len: u32,
    /// Trap sites, sorted by offset.
    pub traps: Vec<TrapRecord>,
    /// Relocations, sorted by offset.
    pub relocs: Vec<Reloc>,
    /// The final offset of every label, by index (`None` if never bound or unused constant).
    pub label_offsets: Vec<Option<u32>>,
}

impl MachBufferFinalized {
    /// The final offset of `label`.
    pub fn label_offset(&self, label: Label) -> Option<u32> {
        self.label_offsets.get(label.0 as usize).copied().flatten()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LabelState {
    Unbound,
    Code(u32),
    Const(u32),
}

#[derive(Clone, Copy, Debug)]
struct Fixup {
    offset: u32,
    label: Label,
    kind: FixupKind,
    addend: i32,
}

#[derive(Clone, Copy, Debug)]
struct Branch {
    start: u32,
    /// Length as emitted (the long form).
    len: u32,
    target: Label,
    form: BranchForm,
}

#[derive(Clone, Copy, Debug)]
struct Constant {
    bytes: [u8; 16],
    len: u8,
    label: Label,
}

/// Accumulates the machine code of one function. Reuse it across functions with
/// [`CodeBuffer::clear`] (its allocations are kept).
#[derive(Default, Debug)]
pub struct CodeBuffer {
    data: Vec<u8>,
    labels: Vec<LabelState>,
    fixups: Vec<Fixup>,
    branches: Vec<Branch>,
    constants: Vec<Constant>,
    const_index: HashMap<([u8; 16], u8), Label>,
    traps: Vec<TrapRecord>,
    relocs: Vec<Reloc>,
    error: Option<BufferError>,
}

impl CodeBuffer {
    /// An empty buffer.
    pub fn new() -> CodeBuffer {
        CodeBuffer::default()
    }

    /// Empties the buffer, keeping its allocations.
    pub fn clear(&mut self) {
        self.data.clear();
        self.labels.clear();
        self.fixups.clear();
        self.branches.clear();
        self.constants.clear();
        self.const_index.clear();
        self.traps.clear();
        self.relocs.clear();
        self.error = None;
    }

    /// The current offset (the length of the code emitted so far).
    pub fn cur_offset(&self) -> u32 {
        self.data.len() as u32
    }

    /// The bytes emitted so far (branches in their long form, fixups still zero).
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// A fresh, unbound label.
    pub fn new_label(&mut self) -> Label {
        self.labels.push(LabelState::Unbound);
        Label(self.labels.len() as u32 - 1)
    }

    /// Binds `label` to the current offset.
    pub fn bind_label(&mut self, label: Label) {
        let off = self.cur_offset();
        match self.labels.get_mut(label.0 as usize) {
            Some(s @ LabelState::Unbound) => *s = LabelState::Code(off),
            _ => self.fail(BufferError::LabelBoundTwice(label)),
        }
    }

    fn fail(&mut self, e: BufferError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Appends one byte.
    pub fn put1(&mut self, b: u8) {
        self.data.push(b);
    }

    /// Appends a little-endian 16-bit value.
    pub fn put2(&mut self, v: u16) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }

    /// Appends a little-endian 32-bit value.
    pub fn put4(&mut self, v: u32) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }

    /// Appends a little-endian 64-bit value.
    pub fn put8(&mut self, v: u64) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }

    /// Appends bytes.
    pub fn put_bytes(&mut self, b: &[u8]) {
        self.data.extend_from_slice(b);
    }

    /// Appends a placeholder field (1 or 4 bytes) referring to `label`, resolved by
    /// [`finish`](Self::finish) as described by `kind` with `addend`.
    pub fn put_label_ref(&mut self, label: Label, kind: FixupKind, addend: i32) {
        let offset = self.cur_offset();
        self.fixups.push(Fixup {
            offset,
            label,
            kind,
            addend,
        });
        self.data.resize(self.data.len() + kind.size(), 0);
    }

    /// Appends a branch to `target` (in its long form for now; see the module docs).
    pub fn put_branch(&mut self, form: BranchForm, target: Label) {
        self.branches.push(Branch {
            start: self.cur_offset(),
            len: form.long_size(),
            target,
            form,
        });
        self.data
            .extend_from_slice(&form.long[..form.long_len as usize]);
        self.put4(0);
    }

    /// A label for a constant of 4, 8 or 16 bytes in the pool after the code, aligned to its
    /// size; equal constants share one label. Refer to it like any label (e.g. RIP-relative).
    /// Other sizes are padded with zeros to the next of these sizes.
    pub fn constant(&mut self, bytes: &[u8]) -> Label {
        let len: u8 = match bytes.len() {
            0..=4 => 4,
            5..=8 => 8,
            _ => 16,
        };
        let mut b = [0u8; 16];
        let n = bytes.len().min(16);
        b[..n].copy_from_slice(&bytes[..n]);
        if let Some(&l) = self.const_index.get(&(b, len)) {
            return l;
        }
        let label = self.new_label();
        self.labels[label.0 as usize] = LabelState::Const(self.constants.len() as u32);
        self.constants.push(Constant {
            bytes: b,
            len,
            label,
        });
        self.const_index.insert((b, len), label);
        label
    }

    /// Records that the instruction starting at the current offset may trap with `code`.
    pub fn add_trap(&mut self, code: TrapCode) {
        let offset = self.cur_offset();
        self.add_trap_at(offset, code);
    }

    /// Records that the instruction starting at `offset` may trap with `code`.
    pub fn add_trap_at(&mut self, offset: u32, code: TrapCode) {
        self.traps.push(TrapRecord { offset, code });
    }

    /// Appends a zeroed field of `kind`'s size that the loader patches to refer to `target`.
    pub fn put_reloc(&mut self, kind: RelocKind, target: RelocTarget, addend: i64) {
        self.relocs.push(Reloc {
            offset: self.cur_offset(),
            kind,
            target,
            addend,
        });
        self.data.resize(self.data.len() + kind.size(), 0);
    }

    /// Simplifies branches, lays out the constant pool and resolves every label reference.
    pub fn finish(&mut self) -> Result<MachBufferFinalized, BufferError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.data.len() >= (u32::MAX / 2) as usize {
            return Err(BufferError::TooLarge);
        }
        let code_offset = |labels: &[LabelState], l: Label| match labels.get(l.0 as usize) {
            Some(LabelState::Code(o)) => Ok(Some(*o)),
            Some(LabelState::Const(_)) => Ok(None),
            _ => Err(BufferError::UnboundLabel(l)),
        };
        for f in &self.fixups {
            code_offset(&self.labels, f.label)?;
            if let FixupKind::Delta32 { base } = f.kind {
                code_offset(&self.labels, base)?;
            }
        }
        let n = self.branches.len();
        // Where each branch starts, for "is there a branch at offset X".
        let branch_at: HashMap<u32, usize> = self
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| (b.start, i))
            .collect();

        // 1. Threading: the original offset each branch finally goes to.
        let mut targets = Vec::with_capacity(n);
        for b in &self.branches {
            let mut off = match code_offset(&self.labels, b.target)? {
                Some(o) => o,
                // A branch to a constant is nonsense; report it as unbound code.
                None => return Err(BufferError::UnboundLabel(b.target)),
            };
            for _ in 0..n {
                match branch_at.get(&off) {
                    Some(&j) if !self.branches[j].form.conditional => {
                        match code_offset(&self.labels, self.branches[j].target)? {
                            Some(next) if next != off => off = next,
                            _ => break,
                        }
                    }
                    _ => break,
                }
            }
            targets.push(off);
        }

        let long_end = |b: &Branch| b.start + b.len;
        let mut forms: Vec<BranchForm> = self.branches.iter().map(|b| b.form).collect();
        let mut removed = vec![false; n];

        // 2a. Inversion: `jcc a; jmp b; a:` becomes `j!cc b; a:`, unless a label is bound at
        // the `jmp` (something else may still go there).
        let bound: std::collections::HashSet<u32> = self
            .labels
            .iter()
            .filter_map(|s| match s {
                LabelState::Code(o) => Some(*o),
                _ => None,
            })
            .collect();
        for i in 0..n.saturating_sub(1) {
            let (bi, bj) = (&self.branches[i], &self.branches[i + 1]);
            if removed[i] || !bi.form.conditional || bj.form.conditional {
                continue;
            }
            let Some(inv) = forms[i].inverted() else {
                continue;
            };
            if long_end(bi) == bj.start
                && targets[i] == long_end(bj)
                && !bound.contains(&bj.start)
                && inv.long_size() == bi.len
            {
                forms[i] = inv;
                targets[i] = targets[i + 1];
                removed[i + 1] = true;
            }
        }

        // 2b. Fallthrough removal, last branch first: branch i goes away when only removed
        // branches lie between its end and its target.
        for i in (0..n).rev() {
            if removed[i] {
                continue;
            }
            let mut pos = long_end(&self.branches[i]);
            let mut j = i + 1;
            while pos < targets[i] && j < n && self.branches[j].start == pos && removed[j] {
                pos = long_end(&self.branches[j]);
                j += 1;
            }
            removed[i] = pos == targets[i];
        }

        // 3. Sizes: start short, widen what does not reach.
        let mut size: Vec<u32> = (0..n)
            .map(|i| if removed[i] { 0 } else { forms[i].short_size() })
            .collect();
        let mut shift = vec![0i64; n + 1];
        loop {
            for i in 0..n {
                shift[i + 1] = shift[i] + size[i] as i64 - self.branches[i].len as i64;
            }
            let mut changed = false;
            for i in 0..n {
                let b = &self.branches[i];
                if removed[i] || size[i] != forms[i].short_size() {
                    continue;
                }
                let end = Self::map(&self.branches, &shift, b.start) + size[i] as i64;
                let disp = Self::map(&self.branches, &shift, targets[i]) - end;
                if i8::try_from(disp).is_err() {
                    size[i] = forms[i].long_size();
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        // 4. Emit the code with the chosen forms.
        let mut out = Vec::with_capacity(self.data.len() + 64);
        let mut pos = 0usize;
        for (i, b) in self.branches.iter().enumerate() {
            out.extend_from_slice(&self.data[pos..b.start as usize]);
            pos = long_end(b) as usize;
            if removed[i] {
                continue;
            }
            let start = out.len() as i64;
            let target = Self::map(&self.branches, &shift, targets[i]);
            let form = &forms[i];
            if size[i] == form.short_size() {
                out.extend_from_slice(&form.short[..form.short_len as usize]);
                let disp = target - (start + size[i] as i64);
                out.push(disp as i8 as u8);
            } else {
                out.extend_from_slice(&form.long[..form.long_len as usize]);
                let disp = target - (start + size[i] as i64);
                out.extend_from_slice(&(disp as i32).to_le_bytes());
            }
        }
        out.extend_from_slice(&self.data[pos..]);
        let code_len = out.len() as u32;

        // Label positions: code labels move with the code; constants go to the pool.
        let mut label_offsets: Vec<Option<u32>> = self
            .labels
            .iter()
            .map(|s| match *s {
                LabelState::Code(o) => Some(Self::map(&self.branches, &shift, o) as u32),
                _ => None,
            })
            .collect();
        let mut order: Vec<usize> = (0..self.constants.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.constants[i].len));
        for i in order {
            let c = &self.constants[i];
            let align = c.len as usize;
            out.resize(out.len().next_multiple_of(align), 0);
            label_offsets[c.label.0 as usize] = Some(out.len() as u32);
            out.extend_from_slice(&c.bytes[..c.len as usize]);
        }

        // Non-branch references.
        for f in &self.fixups {
            let field = Self::map(&self.branches, &shift, f.offset);
            let target = label_offsets[f.label.0 as usize].expect("checked above") as i64;
            let value = match f.kind {
                FixupKind::PcRel8 | FixupKind::PcRel32 => target - field + f.addend as i64,
                FixupKind::Delta32 { base } => {
                    let base = label_offsets[base.0 as usize].expect("checked above") as i64;
                    target - base + f.addend as i64
                }
            };
            let at = field as usize;
            let out_of_range = BufferError::FixupOutOfRange {
                offset: field as u32,
                label: f.label,
            };
            match f.kind {
                FixupKind::PcRel8 => {
                    out[at] = i8::try_from(value).map_err(|_| out_of_range)? as u8;
                }
                _ => {
                    let v = i32::try_from(value).map_err(|_| out_of_range)?;
                    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
        }

        let mut traps: Vec<TrapRecord> = self
            .traps
            .iter()
            .map(|t| TrapRecord {
                offset: Self::map(&self.branches, &shift, t.offset) as u32,
                code: t.code,
            })
            .collect();
        traps.sort_by_key(|t| t.offset);
        let mut relocs: Vec<Reloc> = self
            .relocs
            .iter()
            .map(|r| Reloc {
                offset: Self::map(&self.branches, &shift, r.offset) as u32,
                ..r.clone()
            })
            .collect();
        relocs.sort_by_key(|r| r.offset);
        Ok(MachBufferFinalized {
            data: out,
            code_len,
            traps,
            relocs,
            label_offsets,
        })
    }

    /// The final offset of original offset `off` (not inside a branch): shifted by the size
    /// change of every branch that starts before it.
    fn map(branches: &[Branch], shift: &[i64], off: u32) -> i64 {
        let k = branches.partition_point(|b| b.start < off);
        off as i64 + shift[k]
    }
}

#[cfg(test)]
mod tests {
    //! The buffer is target-independent, but its tests use x86 branch encodings so that the
    //! result can be decoded with `iced-x86` and every branch target checked.

    use super::*;
    use iced_x86::{Code, Decoder, DecoderOptions, Formatter, IntelFormatter};

    const JMP: BranchForm = BranchForm::new(&[0xeb], &[0xe9], false);
    /// `je`
    const JE: BranchForm =
        BranchForm::new(&[0x74], &[0x0f, 0x84], true).with_inverse(&[0x75], &[0x0f, 0x85]);
    const NOP: u8 = 0x90;
    const RET: u8 = 0xc3;

    /// Disassembles the code part: `(offset, text)` per instruction, branch targets and
    /// RIP-relative operands shown as absolute offsets.
    fn listing(done: &MachBufferFinalized) -> Vec<(u32, String)> {
        let code = &done.data[..done.code_len as usize];
        let mut f = IntelFormatter::new();
        let o = f.options_mut();
        o.set_hex_prefix("0x");
        o.set_hex_suffix("");
        o.set_uppercase_hex(false);
        o.set_space_after_operand_separator(true);
        o.set_branch_leading_zeros(false);
        o.set_show_branch_size(false);
        o.set_small_hex_numbers_in_decimal(false);
        o.set_leading_zeros(false);
        o.set_memory_size_options(iced_x86::MemorySizeOptions::Always);
        let mut d = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
        let mut out = Vec::new();
        while d.can_decode() {
            let i = d.decode();
            assert_ne!(i.code(), Code::INVALID, "bad code {code:02x?}");
            let mut s = String::new();
            f.format(&i, &mut s);
            out.push((i.ip() as u32, s));
        }
        out
    }

    /// The listing without the `nop`s.
    fn branches(done: &MachBufferFinalized) -> Vec<(u32, String)> {
        listing(done)
            .into_iter()
            .filter(|(_, s)| s != "nop")
            .collect()
    }

    fn nops(b: &mut CodeBuffer, n: usize) {
        for _ in 0..n {
            b.put1(NOP);
        }
    }

    fn l(items: &[(u32, &str)]) -> Vec<(u32, String)> {
        items.iter().map(|(o, s)| (*o, s.to_string())).collect()
    }

    #[test]
    fn forward_and_backward_short_branches() {
        let mut b = CodeBuffer::new();
        let (top, end) = (b.new_label(), b.new_label());
        b.bind_label(top);
        b.put_branch(JE, end); // 0: je end (short, 2 bytes)
        nops(&mut b, 10); // 2..12
        b.put_branch(JMP, top); // 12: jmp top (short)
        b.bind_label(end);
        b.put1(RET); // 14
        let done = b.finish().unwrap();
        assert_eq!(
            branches(&done),
            l(&[(0, "je 0xe"), (12, "jmp 0x0"), (14, "ret")])
        );
        assert_eq!(done.data.len(), 15);
        assert_eq!(&done.data[12..14], &[0xeb, 0xf2]);
        assert_eq!(done.label_offset(end), Some(14));
        assert_eq!(done.label_offset(top), Some(0));
    }

    #[test]
    fn short_form_range_limits() {
        // Forward: 127 bytes between the short branch and its target still fit, 128 do not.
        for (gap, short) in [(127usize, true), (128, false)] {
            let mut b = CodeBuffer::new();
            let t = b.new_label();
            b.put_branch(JMP, t);
            nops(&mut b, gap);
            b.bind_label(t);
            b.put1(RET);
            let done = b.finish().unwrap();
            let len = if short { 2 } else { 5 };
            let target = (len + gap) as u32;
            assert_eq!(
                branches(&done),
                l(&[(0, &format!("jmp {target:#x}")), (target, "ret")])
            );
            assert_eq!(done.data[0], if short { 0xeb } else { 0xe9 });
        }
        // Backward: displacement -128 fits, -129 does not.
        for (gap, short) in [(126usize, true), (127, false)] {
            let mut b = CodeBuffer::new();
            let t = b.new_label();
            b.bind_label(t);
            nops(&mut b, gap);
            b.put_branch(JE, t);
            let done = b.finish().unwrap();
            assert_eq!(branches(&done), l(&[(gap as u32, "je 0x0")]), "gap {gap}");
            assert_eq!(done.data.len(), gap + if short { 2 } else { 6 });
        }
    }

    #[test]
    fn long_branches_shift_everything_after_short_ones() {
        // A short branch, then a far one that must stay long, with traps, relocations and
        // RIP-relative references behind them.
        let mut b = CodeBuffer::new();
        let (near, far, data) = (b.new_label(), b.new_label(), b.new_label());
        b.put_branch(JMP, near); // 0: short (2)
        b.put_branch(JE, far); // 2: long (6)
        b.bind_label(near);
        // 8: lea rax, [rip+data]
        b.put_bytes(&[0x48, 0x8d, 0x05]);
        b.put_label_ref(data, FixupKind::PcRel32, -4);
        b.add_trap(TrapCode::HeapOutOfBounds); // at 15
        b.put_bytes(&[0x8b, 0x07]); // 15: mov eax, [rdi]
        b.put1(0xe8); // 17: call rel32
        b.put_reloc(
            RelocKind::X86CallPCRel4,
            RelocTarget::Name(UserFuncName::testcase("g")),
            -4,
        ); // field at 18
        nops(&mut b, 300);
        b.bind_label(far);
        b.bind_label(data);
        b.put1(RET);
        let done = b.finish().unwrap();
        let far_at = 22 + 300;
        let list = branches(&done);
        assert_eq!(list[0], (0, "jmp 0x8".to_string()));
        assert_eq!(list[1], (2, format!("je {far_at:#x}")));
        assert_eq!(list[2], (8, format!("lea rax, [{far_at:#x}]")));
        assert_eq!(list[3], (15, "mov eax, dword ptr [rdi]".to_string()));
        assert_eq!(list[5], (far_at, "ret".to_string()));
        assert_eq!(
            done.traps,
            [TrapRecord {
                offset: 15,
                code: TrapCode::HeapOutOfBounds
            }]
        );
        assert_eq!(done.relocs.len(), 1);
        assert_eq!(done.relocs[0].offset, 18);
        assert_eq!(done.relocs[0].addend, -4);
    }

    #[test]
    fn jumps_to_the_next_instruction_disappear() {
        let mut b = CodeBuffer::new();
        let (a, c) = (b.new_label(), b.new_label());
        b.put1(NOP);
        b.put_branch(JMP, a); // to the next instruction: removed
        b.bind_label(a);
        b.put_branch(JE, c); // a conditional to the next one: removed too
        b.put_branch(JMP, c); // after the previous two went away, still to next: removed
        b.bind_label(c);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(listing(&done), l(&[(0, "nop"), (1, "ret")]));
        assert_eq!(done.label_offset(a), Some(1));
        assert_eq!(done.label_offset(c), Some(1));
    }

    #[test]
    fn branches_past_removed_ones() {
        // jmp c; jmp c; c: — the second goes away, then the first also targets the next
        // instruction.
        let mut b = CodeBuffer::new();
        let c = b.new_label();
        b.put_branch(JMP, c);
        b.put_branch(JMP, c);
        b.bind_label(c);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(listing(&done), l(&[(0, "ret")]));
    }

    #[test]
    fn conditional_over_jump_is_inverted() {
        // je a; jmp b; a: nop; ret; b: ret  =>  jne b; a: nop; ret; b: ret
        let mut b = CodeBuffer::new();
        let (a, bl) = (b.new_label(), b.new_label());
        b.put_branch(JE, a);
        b.put_branch(JMP, bl);
        b.bind_label(a);
        b.put1(NOP);
        b.put1(RET);
        b.bind_label(bl);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(
            listing(&done),
            l(&[(0, "jne 0x4"), (2, "nop"), (3, "ret"), (4, "ret")])
        );
        assert_eq!(done.label_offset(a), Some(2));

        // Not when something else jumps to the `jmp`.
        let mut b = CodeBuffer::new();
        let (a, bl, j) = (b.new_label(), b.new_label(), b.new_label());
        b.put_branch(JE, a); // 0
        b.bind_label(j);
        b.put_branch(JMP, bl); // 2
        b.bind_label(a);
        b.put1(RET); // 4
        b.put_label_ref(j, FixupKind::Delta32 { base: a }, 0); // 5: a table entry
        b.bind_label(bl);
        b.put1(RET); // 9
        let done = b.finish().unwrap();
        // (The table entry is data, so check bytes: je +2 -> 4, jmp +5 -> 9.)
        assert_eq!(&done.data[..5], &[0x74, 0x02, 0xeb, 0x05, RET]);
        assert_eq!(&done.data[5..9], &(-2i32).to_le_bytes());

        // Nor without a known inverse.
        let plain = BranchForm::new(&[0x74], &[0x0f, 0x84], true);
        let mut b = CodeBuffer::new();
        let (a, bl) = (b.new_label(), b.new_label());
        b.put_branch(plain, a);
        b.put_branch(JMP, bl);
        b.bind_label(a);
        b.put1(RET);
        b.bind_label(bl);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(
            listing(&done),
            l(&[(0, "je 0x4"), (2, "jmp 0x5"), (4, "ret"), (5, "ret")])
        );
    }

    #[test]
    fn threading_through_jump_only_blocks() {
        // je a; ret; a: jmp b; <nops>; b: ret  =>  je goes straight to b.
        let mut b = CodeBuffer::new();
        let (a, bl) = (b.new_label(), b.new_label());
        b.put_branch(JE, a); // 0
        b.put1(RET); // 2
        b.bind_label(a);
        b.put_branch(JMP, bl); // 3
        nops(&mut b, 20); // 5..25
        b.bind_label(bl);
        b.put1(RET); // 25
        let done = b.finish().unwrap();
        assert_eq!(
            branches(&done),
            l(&[(0, "je 0x19"), (2, "ret"), (3, "jmp 0x19"), (25, "ret")])
        );
    }

    #[test]
    fn threading_stops_at_cycles_and_conditionals() {
        // a: jmp b; b: jmp a — an infinite loop stays one (and finish terminates).
        let mut b = CodeBuffer::new();
        let (a, bl, c) = (b.new_label(), b.new_label(), b.new_label());
        b.put1(NOP);
        b.bind_label(a);
        b.put_branch(JMP, bl); // 1
        b.bind_label(bl);
        b.put_branch(JMP, a); // 3
                              // A conditional branch is not a jump-only block: jumps to it stay.
        b.bind_label(c);
        b.put_branch(JE, a); // 5
        b.put_branch(JMP, c); // 7
        let done = b.finish().unwrap();
        // `a: jmp b` falls through to `b` once threaded, so it goes away; `b: jmp a` then
        // jumps to itself (the loop stays a loop), and `je a` lands on it. The jump to the
        // conditional branch is kept as is.
        assert_eq!(
            branches(&done),
            l(&[(1, "jmp 0x1"), (3, "je 0x1"), (5, "jmp 0x3")])
        );
        assert_eq!(done.label_offset(a), Some(1));
        assert_eq!(done.label_offset(bl), Some(1));

        let mut b = CodeBuffer::new();
        let a = b.new_label();
        b.bind_label(a);
        b.put_branch(JMP, a);
        let done = b.finish().unwrap();
        assert_eq!(listing(&done), l(&[(0, "jmp 0x0")]));
    }

    #[test]
    fn constant_pool() {
        let mut b = CodeBuffer::new();
        let c8 = b.constant(&0x8000_0000_0000_0000u64.to_le_bytes());
        let c4 = b.constant(&0x7fff_ffffu32.to_le_bytes());
        let c16 = b.constant(&[0xab; 16]);
        assert_eq!(b.constant(&0x8000_0000_0000_0000u64.to_le_bytes()), c8);
        // movsd xmm0, [rip+c8]; movss xmm1, [rip+c4]; andps xmm2, [rip+c16]; ret
        b.put_bytes(&[0xf2, 0x0f, 0x10, 0x05]);
        b.put_label_ref(c8, FixupKind::PcRel32, -4);
        b.put_bytes(&[0xf3, 0x0f, 0x10, 0x0d]);
        b.put_label_ref(c4, FixupKind::PcRel32, -4);
        b.put_bytes(&[0x0f, 0x54, 0x15]);
        b.put_label_ref(c16, FixupKind::PcRel32, -4);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(done.code_len, 8 + 8 + 7 + 1);
        let (o16, o8, o4) = (
            done.label_offset(c16).unwrap(),
            done.label_offset(c8).unwrap(),
            done.label_offset(c4).unwrap(),
        );
        // Aligned, after the code, not overlapping, and holding the bytes.
        assert_eq!((o16 % 16, o8 % 8, o4 % 4), (0, 0, 0));
        assert!(o16 >= done.code_len && o8 >= o16 + 16 && o4 >= o8 + 8);
        assert_eq!(o16, 32);
        assert_eq!(&done.data[o16 as usize..o16 as usize + 16], &[0xab; 16]);
        assert_eq!(
            &done.data[o8 as usize..o8 as usize + 8],
            &0x8000_0000_0000_0000u64.to_le_bytes()
        );
        assert_eq!(
            &done.data[o4 as usize..o4 as usize + 4],
            &0x7fff_ffffu32.to_le_bytes()
        );
        assert_eq!(done.data.len() as u32, o4 + 4);
        assert_eq!(
            listing(&done),
            l(&[
                (0, &format!("movsd xmm0, qword ptr [{o8:#x}]")),
                (8, &format!("movss xmm1, dword ptr [{o4:#x}]")),
                (16, &format!("andps xmm2, xmmword ptr [{o16:#x}]")),
                (23, "ret"),
            ])
        );
    }

    #[test]
    fn jump_table_deltas() {
        let mut b = CodeBuffer::new();
        let (table, t0, t1) = (b.new_label(), b.new_label(), b.new_label());
        b.put_branch(JMP, t1); // 0: short jmp over the table
        b.bind_label(table); // 2
        b.put_label_ref(t0, FixupKind::Delta32 { base: table }, 0);
        b.put_label_ref(t1, FixupKind::Delta32 { base: table }, 0);
        b.bind_label(t0); // 10
        b.put1(NOP);
        b.bind_label(t1); // 11
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(&done.data[..2], &[0xeb, 9]);
        assert_eq!(&done.data[2..6], &8i32.to_le_bytes());
        assert_eq!(&done.data[6..10], &9i32.to_le_bytes());
    }

    #[test]
    fn errors_instead_of_panics() {
        let mut b = CodeBuffer::new();
        let a = b.new_label();
        b.put_branch(JMP, a);
        assert_eq!(b.finish(), Err(BufferError::UnboundLabel(a)));

        let mut b = CodeBuffer::new();
        let a = b.new_label();
        b.bind_label(a);
        b.bind_label(a);
        assert_eq!(b.finish(), Err(BufferError::LabelBoundTwice(a)));

        let mut b = CodeBuffer::new();
        let a = b.new_label();
        b.put_label_ref(a, FixupKind::PcRel8, -1);
        nops(&mut b, 200);
        b.bind_label(a);
        assert!(matches!(
            b.finish(),
            Err(BufferError::FixupOutOfRange { offset: 0, .. })
        ));
        assert!(BufferError::UnboundLabel(a)
            .to_string()
            .contains("never bound"));
    }

    #[test]
    fn clear_reuses_the_buffer() {
        let mut b = CodeBuffer::new();
        let a = b.new_label();
        b.put_branch(JMP, a);
        b.add_trap(TrapCode::Interrupt);
        b.clear();
        let a = b.new_label();
        assert_eq!(a.index(), 0);
        b.bind_label(a);
        b.put1(RET);
        let done = b.finish().unwrap();
        assert_eq!(done.data, [RET]);
        assert!(done.traps.is_empty() && done.relocs.is_empty());
    }

    /// A program for the random equivalence test.
    #[derive(Clone, Copy, Debug)]
    enum Item {
        /// `mov eax, id`: an observable step.
        Marker(u32),
        /// `n` nops.
        Pad(usize),
        Jmp(usize),
        /// Conditional on flag `f` (0: ZF with je/jne, 1: CF with jb/jae), `neg` = the
        /// opposite condition.
        Jcc(u8, bool, usize),
        Bind(usize),
    }

    fn jcc_form(flag: u8, neg: bool) -> BranchForm {
        let cc = [0x4u8, 0x2][flag as usize] ^ neg as u8;
        BranchForm::new(&[0x70 | cc], &[0x0f, 0x80 | cc], true)
            .with_inverse(&[0x70 | (cc ^ 1)], &[0x0f, 0x80 | (cc ^ 1)])
    }

    /// The markers visited from the start under `flags`, directly from the item list.
    fn run_items(items: &[Item], flags: [bool; 2]) -> Vec<u32> {
        let at = |l: usize| {
            items
                .iter()
                .position(|i| matches!(i, Item::Bind(x) if *x == l))
                .unwrap()
        };
        let (mut pc, mut seen) = (0usize, Vec::new());
        for _ in 0..3_000 {
            let Some(item) = items.get(pc) else { break };
            pc = match *item {
                Item::Marker(id) => {
                    seen.push(id);
                    pc + 1
                }
                Item::Jmp(l) => at(l),
                Item::Jcc(f, neg, l) if flags[f as usize] != neg => at(l),
                _ => pc + 1,
            };
            if seen.len() >= 20 {
                break;
            }
        }
        seen
    }

    /// The markers visited by the finished machine code under `flags`.
    fn run_code(code: &[u8], flags: [bool; 2]) -> Vec<u32> {
        let mut d = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
        let (mut seen, mut pc) = (Vec::new(), 0u64);
        let mut steps = 0;
        // Nops are not counted as steps, so that padding does not shorten the run.
        while steps < 3_000 {
            if pc as usize >= code.len() {
                break;
            }
            d.set_position(pc as usize).unwrap();
            d.set_ip(pc);
            let i = d.decode();
            assert_ne!(i.code(), Code::INVALID);
            use iced_x86::Mnemonic as M;
            steps += (i.mnemonic() != M::Nop) as u32;
            pc = match i.mnemonic() {
                M::Mov => {
                    seen.push(i.immediate32());
                    i.next_ip()
                }
                M::Jmp => i.near_branch_target(),
                M::Je | M::Jne | M::Jb | M::Jae => {
                    let taken = match i.mnemonic() {
                        M::Je => flags[0],
                        M::Jne => !flags[0],
                        M::Jb => flags[1],
                        _ => !flags[1],
                    };
                    if taken {
                        i.near_branch_target()
                    } else {
                        i.next_ip()
                    }
                }
                M::Nop => i.next_ip(),
                m => panic!("unexpected {m:?}"),
            };
            if seen.len() >= 20 {
                break;
            }
        }
        seen
    }

    #[test]
    fn random_programs_keep_their_behaviour() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..250 {
            let labels = 1 + rnd(6);
            let len = 2 + rnd(30);
            let mut items: Vec<Item> = (0..len)
                .map(|k| match rnd(10) {
                    0..=2 => Item::Marker(k as u32),
                    3 => Item::Pad([1, 60, 130, 250][rnd(4)]),
                    4..=6 => Item::Jmp(rnd(labels)),
                    _ => Item::Jcc(rnd(2) as u8, rnd(2) == 1, rnd(labels)),
                })
                .collect();
            for l in 0..labels {
                let at = rnd(items.len() + 1);
                items.insert(at, Item::Bind(l));
            }
            let mut b = CodeBuffer::new();
            let ls: Vec<Label> = (0..labels).map(|_| b.new_label()).collect();
            for item in &items {
                match *item {
                    Item::Marker(id) => {
                        b.put1(0xb8);
                        b.put4(id);
                    }
                    Item::Pad(n) => nops(&mut b, n),
                    Item::Jmp(l) => b.put_branch(JMP, ls[l]),
                    Item::Jcc(f, neg, l) => b.put_branch(jcc_form(f, neg), ls[l]),
                    Item::Bind(l) => b.bind_label(ls[l]),
                }
            }
            let done = b.finish().unwrap();
            for flags in [[false, false], [false, true], [true, false], [true, true]] {
                assert_eq!(
                    run_code(&done.data, flags),
                    run_items(&items, flags),
                    "{items:?} {flags:?} -> {:02x?}",
                    done.data
                );
            }
        }
    }
}
