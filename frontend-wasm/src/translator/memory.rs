//! Linear memory, tables and globals, and the runtime helpers for bulk operations.
//!
//! Heap accesses follow the configured [`BoundsChecks`] strategy:
//!
//! | strategy | access | emitted |
//! |---|---|---|
//! | guard pages | `offset + size <= guard` | `base + uextend(index)`, no check: a fault is the trap |
//! | guard pages | larger offsets | as explicit |
//! | explicit | constant index in bounds of the minimum size | no check |
//! | explicit | otherwise | `index + offset + size > length` checked (no overflow: 64-bit sum of 32-bit values) |
//!
//! With Spectre mitigation the checked address goes through `select_spectre_guard` (null on
//! failure, so even a mispredicted check faults instead of reading out of bounds); without it, a
//! `trapnz` guards the access.

use super::Translation;
use crate::environ::BoundsChecks;
use crate::error::{unsupported, WasmResult};
use crate::vmoffsets::{Builtin, VmLocation, DEFINITION_BASE, DEFINITION_LENGTH};
use kiln_ir::types::{F32, F64, I32, I64};
use kiln_ir::{
    InstBuilder, InstBuilderBase, InstructionData, IntCC, MemFlags, Opcode, TrapCode, Type, Value,
    ValueDef,
};
use wasmparser::{MemArg, Operator as O};

/// Byte size of one Wasm page.
const PAGE_SIZE: u64 = 65536;

impl Translation<'_, '_> {
    /// Memory, table and global operators; anything else is unsupported (SIMD, for now).
    pub(super) fn translate_memory(&mut self, op: &O<'_>, offset: u64) -> WasmResult<()> {
        match *op {
            O::I32Load { memarg } => self.load(Opcode::Load, I32, 4, memarg),
            O::I64Load { memarg } => self.load(Opcode::Load, I64, 8, memarg),
            O::F32Load { memarg } => self.load(Opcode::Load, F32, 4, memarg),
            O::F64Load { memarg } => self.load(Opcode::Load, F64, 8, memarg),
            O::I32Load8S { memarg } => self.load(Opcode::Sload8, I32, 1, memarg),
            O::I32Load8U { memarg } => self.load(Opcode::Uload8, I32, 1, memarg),
            O::I32Load16S { memarg } => self.load(Opcode::Sload16, I32, 2, memarg),
            O::I32Load16U { memarg } => self.load(Opcode::Uload16, I32, 2, memarg),
            O::I64Load8S { memarg } => self.load(Opcode::Sload8, I64, 1, memarg),
            O::I64Load8U { memarg } => self.load(Opcode::Uload8, I64, 1, memarg),
            O::I64Load16S { memarg } => self.load(Opcode::Sload16, I64, 2, memarg),
            O::I64Load16U { memarg } => self.load(Opcode::Uload16, I64, 2, memarg),
            O::I64Load32S { memarg } => self.load(Opcode::Sload32, I64, 4, memarg),
            O::I64Load32U { memarg } => self.load(Opcode::Uload32, I64, 4, memarg),
            O::I32Store { memarg } | O::F32Store { memarg } => self.store(Opcode::Store, 4, memarg),
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(Opcode::Store, 8, memarg),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                self.store(Opcode::Istore8, 1, memarg)
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store(Opcode::Istore16, 2, memarg)
            }
            O::I64Store32 { memarg } => self.store(Opcode::Istore32, 4, memarg),

            O::MemorySize { mem } => {
                let (_, length_ptr) = self.memory_definition(mem);
                let length =
                    self.builder
                        .ins()
                        .load(I64, MemFlags::trusted(), length_ptr.0, length_ptr.1);
                let pages = self.builder.ins().ushr_imm(length, 16);
                let v = self.builder.ins().ireduce(I32, pages);
                self.stack.push(v);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let mem = self.builder.ins().iconst(I32, i64::from(mem));
                let r = self.call_builtin(Builtin::MemoryGrow, &[mem, delta]);
                self.stack.push(r[0]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let d = self.builder.ins().iconst(I32, i64::from(dst_mem));
                let s = self.builder.ins().iconst(I32, i64::from(src_mem));
                self.checked_builtin(
                    Builtin::MemoryCopy,
                    &[d, s, dst, src, len],
                    TrapCode::HeapOutOfBounds,
                );
            }
            O::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let m = self.builder.ins().iconst(I32, i64::from(mem));
                self.checked_builtin(
                    Builtin::MemoryFill,
                    &[m, dst, val, len],
                    TrapCode::HeapOutOfBounds,
                );
            }
            O::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let m = self.builder.ins().iconst(I32, i64::from(mem));
                let d = self.builder.ins().iconst(I32, i64::from(data_index));
                self.checked_builtin(
                    Builtin::MemoryInit,
                    &[m, d, dst, src, len],
                    TrapCode::HeapOutOfBounds,
                );
            }
            O::DataDrop { data_index } => {
                let d = self.builder.ins().iconst(I32, i64::from(data_index));
                self.call_builtin(Builtin::DataDrop, &[d]);
            }

            O::TableGet { table } => {
                let index = self.pop();
                let v = self.table_element(table, index);
                self.stack.push(v);
            }
            O::TableSet { table } => {
                let (index, value) = self.pop2();
                let addr = self.table_element_addr(table, index);
                self.builder
                    .ins()
                    .store(MemFlags::trusted(), value, addr, 0);
            }
            O::TableSize { table } => {
                let (_, length) = self.table_definition(table);
                let len = self
                    .builder
                    .ins()
                    .load(I64, MemFlags::trusted(), length.0, length.1);
                let v = self.builder.ins().ireduce(I32, len);
                self.stack.push(v);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let t = self.builder.ins().iconst(I32, i64::from(table));
                let r = self.call_builtin(Builtin::TableGrow, &[t, init, delta]);
                self.stack.push(r[0]);
            }
            O::TableFill { table } => {
                let (dst, val, len) = self.pop3();
                let t = self.builder.ins().iconst(I32, i64::from(table));
                self.checked_builtin(
                    Builtin::TableFill,
                    &[t, dst, val, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, len) = self.pop3();
                let d = self.builder.ins().iconst(I32, i64::from(dst_table));
                let s = self.builder.ins().iconst(I32, i64::from(src_table));
                self.checked_builtin(
                    Builtin::TableCopy,
                    &[d, s, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let t = self.builder.ins().iconst(I32, i64::from(table));
                let e = self.builder.ins().iconst(I32, i64::from(elem_index));
                self.checked_builtin(
                    Builtin::TableInit,
                    &[t, e, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::ElemDrop { elem_index } => {
                let e = self.builder.ins().iconst(I32, i64::from(elem_index));
                self.call_builtin(Builtin::ElemDrop, &[e]);
            }

            _ => return unsupported(offset, format!("operator {op:?}")),
        }
        Ok(())
    }

    /// Calls a builtin that returns a non-zero status on failure, trapping with `code` then.
    fn checked_builtin(&mut self, b: Builtin, args: &[Value], code: TrapCode) {
        let status = self.call_builtin(b, args)[0];
        self.builder.ins().trapnz(status, code);
    }

    /// The pointer to a definition (memory, table or global storage) and the flags for
    /// reading it.
    fn definition_base(&mut self, loc: VmLocation) -> (Value, i32) {
        let vmctx = self.vmctx;
        match loc {
            VmLocation::Inline(off) => (vmctx, off as i32),
            VmLocation::Indirect(off) => {
                let p = self
                    .builder
                    .ins()
                    .load(I64, super::readonly_flags(), vmctx, off as i32);
                (p, 0)
            }
        }
    }

    /// `(base field, length field)` of memory `index`, each as (pointer, offset).
    fn memory_definition(&mut self, index: u32) -> ((Value, i32), (Value, i32)) {
        let loc = self.env.memory(index);
        let (p, off) = self.definition_base(loc);
        (
            (p, off + DEFINITION_BASE as i32),
            (p, off + DEFINITION_LENGTH as i32),
        )
    }

    fn table_definition(&mut self, index: u32) -> ((Value, i32), (Value, i32)) {
        let loc = self.env.table(index);
        let (p, off) = self.definition_base(loc);
        (
            (p, off + DEFINITION_BASE as i32),
            (p, off + DEFINITION_LENGTH as i32),
        )
    }

    /// The constant value of `v` if an `iconst` defines it.
    fn constant(&self, v: Value) -> Option<u64> {
        let dfg = &self.builder.func.dfg;
        match dfg.value_def(v) {
            ValueDef::Result(inst, 0) => match dfg.insts[inst] {
                InstructionData::UnaryImm {
                    opcode: Opcode::Iconst,
                    imm,
                } => Some(imm.bits() as u64),
                _ => None,
            },
            _ => None,
        }
    }

    /// Computes the address of an access of `size` bytes at `index + offset` in memory `mem`,
    /// with the bounds check the strategy needs. Returns the address and the offset to put in
    /// the access instruction.
    fn heap_address(&mut self, mem: u32, index: Value, offset: u64, size: u64) -> (Value, i32) {
        let config = self.env.heap_config();
        let (base_field, length_field) = self.memory_definition(mem);
        let mut base_flags = MemFlags::trusted();
        let guard_covers = match config.bounds_checks {
            BoundsChecks::GuardPages {
                reservation,
                guard_size,
            } => {
                // With guard pages the memory never moves, so its base is read-only.
                base_flags.set_readonly();
                // Any 32-bit index plus offset + size must land in the reservation or guard:
                // index <= 2^32 - 1, so offset + size may use what the reservation has beyond
                // 4 GiB plus the guard. A smaller reservation covers nothing: check explicitly.
                (reservation + guard_size)
                    .checked_sub(1 << 32)
                    .is_some_and(|slack| reservation >= 1 << 32 && offset + size <= slack)
            }
            BoundsChecks::Explicit => false,
        };
        let base = self
            .builder
            .ins()
            .load(I64, base_flags, base_field.0, base_field.1);
        let index64 = self.builder.ins().uextend(I64, index);

        let min_bytes = u64::from(self.module.memories[mem as usize].minimum) * PAGE_SIZE;
        let statically_in_bounds = self
            .constant(index)
            .is_some_and(|c| (c & 0xffff_ffff) + offset + size <= min_bytes);
        if guard_covers || statically_in_bounds {
            let addr = self.builder.ins().iadd(base, index64);
            return self.fold_offset(addr, offset);
        }

        let length =
            self.builder
                .ins()
                .load(I64, MemFlags::trusted(), length_field.0, length_field.1);
        // index < 2^32 and offset + size <= 2^32 + 16: the 64-bit sum cannot overflow.
        let end = self.builder.ins().iadd_imm(index64, (offset + size) as i64);
        let oob = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThan, end, length);
        if config.spectre_mitigation {
            let addr = self.builder.ins().iadd(base, index64);
            let addr = if offset == 0 {
                addr
            } else {
                self.builder.ins().iadd_imm(addr, offset as i64)
            };
            let null = self.builder.ins().iconst(I64, 0);
            let addr = self.builder.ins().select_spectre_guard(oob, null, addr);
            (addr, 0)
        } else {
            self.builder.ins().trapnz(oob, TrapCode::HeapOutOfBounds);
            let addr = self.builder.ins().iadd(base, index64);
            self.fold_offset(addr, offset)
        }
    }

    /// Puts `offset` into the instruction when it fits its signed 32-bit field.
    fn fold_offset(&mut self, addr: Value, offset: u64) -> (Value, i32) {
        match i32::try_from(offset) {
            Ok(off) => (addr, off),
            Err(_) => (self.builder.ins().iadd_imm(addr, offset as i64), 0),
        }
    }

    fn load(&mut self, opcode: Opcode, ty: Type, size: u64, memarg: MemArg) {
        let index = self.pop();
        let (addr, offset) = self.heap_address(memory_index(memarg), index, memarg.offset, size);
        let data = InstructionData::Load {
            opcode,
            flags: MemFlags::new(),
            arg: addr,
            offset: offset.into(),
        };
        let v = self.builder.ins().value(data, ty);
        self.stack.push(v);
    }

    fn store(&mut self, opcode: Opcode, size: u64, memarg: MemArg) {
        let (index, value) = self.pop2();
        let (addr, offset) = self.heap_address(memory_index(memarg), index, memarg.offset, size);
        let ty = self.builder.func.dfg.value_type(value);
        let data = InstructionData::Store {
            opcode,
            flags: MemFlags::new(),
            args: [value, addr],
            offset: offset.into(),
        };
        self.builder.ins().build(data, ty);
    }

    /// The address of element `index` of `table`, trapping `table_oob` when out of bounds.
    fn table_element_addr(&mut self, table: u32, index: Value) -> Value {
        let (base_field, length_field) = self.table_definition(table);
        let length =
            self.builder
                .ins()
                .load(I64, MemFlags::trusted(), length_field.0, length_field.1);
        let index64 = self.builder.ins().uextend(I64, index);
        let oob = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index64, length);
        self.builder.ins().trapnz(oob, TrapCode::TableOutOfBounds);
        let base = self
            .builder
            .ins()
            .load(I64, MemFlags::trusted(), base_field.0, base_field.1);
        let scaled = self.builder.ins().ishl_imm(index64, 3);
        self.builder.ins().iadd(base, scaled)
    }

    /// Element `index` of `table` (a `VMFuncRef` pointer or an externref), bounds-checked.
    pub(super) fn table_element(&mut self, table: u32, index: Value) -> Value {
        let addr = self.table_element_addr(table, index);
        self.builder.ins().load(I64, MemFlags::trusted(), addr, 0)
    }

    pub(super) fn global_get(&mut self, index: u32) -> Value {
        let ty = self.module.globals[index as usize].ty.ir_type();
        let loc = self.env.global(index);
        let (p, off) = self.definition_base(loc);
        self.builder.ins().load(ty, MemFlags::trusted(), p, off)
    }

    pub(super) fn global_set(&mut self, index: u32, value: Value) {
        let loc = self.env.global(index);
        let (p, off) = self.definition_base(loc);
        self.builder.ins().store(MemFlags::trusted(), value, p, off);
    }
}

/// The memory a (validated, Wasm 2.0) memory argument refers to.
fn memory_index(memarg: MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(i) => i,
        // GC array accesses are rejected by validation without the GC feature.
        wasmparser::MemArgTarget::Array(_) => unreachable!("validated: GC is disabled"),
    }
}
