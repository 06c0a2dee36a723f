//! The code buffer: bytes, labels, branch simplification, a constant pool, traps and
//! relocations.
//!
//! An emitter appends bytes and records, next to them, what cannot be known yet: references
//! to labels (fixups), branches, constants, trap sites and relocations. [`CodeBuffer::finish`]
//! then simplifies branches and lays everything out:
//!
//! 1. **Threading**: a branch to a label bound where an unconditional branch starts goes
//!    straight to that branch's target (followed transitively; cycles stop).
//! 2. **Fallthrough removal**: a branch whose target is the code right after it (possibly past
//!    other removed branches) is deleted.
//! 3. **Short forms**: every remaining branch starts in its short (8-bit displacement) form;
//!    those out of range are widened until nothing changes (sizes only grow, so this ends).
//! 4. The constant pool is placed after the code, each constant aligned to its size, and all
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
}

impl BranchForm {
    /// A branch whose short form is `short` + rel8 and long form `long` + rel32 (opcode parts
    /// of 1 to 3 bytes). `conditional` branches may fall through, so they are never threaded
    /// through.
    pub const fn new(short: &[u8], long: &[u8], conditional: bool) -> BranchForm {
        assert!(!short.is_empty() && short.len() <= 3 && !long.is_empty() && long.len() <= 3);
        let mut s = [0; 3];
        let mut l = [0; 3];
        let mut i = 0;
        while i < short.len() {
            s[i] = short[i];
            i += 1;
        }
        i = 0;
        while i < long.len() {
            l[i] = long[i];
            i += 1;
        }
        BranchForm {
            short: s,
            short_len: short.len() as u8,
            long: l,
            long_len: long.len() as u8,
            conditional,
        }
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

        // 2. Fallthrough removal, last branch first: branch i goes away when only removed
        // branches lie between its end and its target.
        let long_end = |b: &Branch| b.start + b.form.long_size();
        let mut removed = vec![false; n];
        for i in (0..n).rev() {
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
            .map(|i| {
                if removed[i] {
                    0
                } else {
                    self.branches[i].form.short_size()
                }
            })
            .collect();
        let mut shift = vec![0i64; n + 1];
        loop {
            for i in 0..n {
                shift[i + 1] = shift[i] + size[i] as i64 - self.branches[i].form.long_size() as i64;
            }
            let mut changed = false;
            for i in 0..n {
                let b = &self.branches[i];
                if removed[i] || size[i] != b.form.short_size() {
                    continue;
                }
                let end = Self::map(&self.branches, &shift, b.start) + size[i] as i64;
                let disp = Self::map(&self.branches, &shift, targets[i]) - end;
                if i8::try_from(disp).is_err() {
                    size[i] = b.form.long_size();
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
            if size[i] == b.form.short_size() {
                out.extend_from_slice(&b.form.short[..b.form.short_len as usize]);
                let disp = target - (start + size[i] as i64);
                out.push(disp as i8 as u8);
            } else {
                out.extend_from_slice(&b.form.long[..b.form.long_len as usize]);
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
