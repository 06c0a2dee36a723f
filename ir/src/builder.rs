//! Typed instruction builders: `ins().iadd(a, b)`.
//!
//! [`InstBuilderBase`] is the one method a place that can receive instructions implements
//! (a cursor, or the frontend's `FunctionBuilder`); [`InstBuilder`] then provides one method
//! per opcode, named as in the text format.

use crate::condcodes::{FloatCC, IntCC};
use crate::dfg::DataFlowGraph;
use crate::entities::{Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
use crate::immediates::{Ieee32, Ieee64, Imm64, Offset32};
use crate::instructions::{BlockCall, InstructionData};
use crate::memflags::MemFlags;
use crate::opcodes::Opcode;
use crate::trapcode::TrapCode;
use crate::types::{self, Type};

/// Something instructions can be inserted into.
pub trait InstBuilderBase<'f>: Sized {
    /// The data-flow graph the instructions go into.
    fn data_flow_graph(&self) -> &DataFlowGraph;
    /// The data-flow graph, for writing (to allocate value lists before `build`).
    fn data_flow_graph_mut(&mut self) -> &mut DataFlowGraph;
    /// Creates the instruction with its results for controlling type `ctrl`, inserts it, and
    /// returns it with the graph.
    fn build(self, data: InstructionData, ctrl: Type) -> (Inst, &'f mut DataFlowGraph);
}

macro_rules! unary {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, x: Value) -> Value {
            let ctrl = self.data_flow_graph().value_type(x);
            self.value(InstructionData::Unary { opcode: Opcode::$op, arg: x }, ctrl)
        }
    )*};
}

macro_rules! unary_to {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, ty: Type, x: Value) -> Value {
            self.value(InstructionData::Unary { opcode: Opcode::$op, arg: x }, ty)
        }
    )*};
}

macro_rules! binary {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, x: Value, y: Value) -> Value {
            let ctrl = self.data_flow_graph().value_type(x);
            self.value(InstructionData::Binary { opcode: Opcode::$op, args: [x, y] }, ctrl)
        }
    )*};
}

macro_rules! binary2 {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, x: Value, y: Value) -> (Value, Value) {
            let ctrl = self.data_flow_graph().value_type(x);
            self.values2(InstructionData::Binary { opcode: Opcode::$op, args: [x, y] }, ctrl)
        }
    )*};
}

macro_rules! binary_imm {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, x: Value, imm: impl Into<Imm64>) -> Value {
            let ctrl = self.data_flow_graph().value_type(x);
            let data = InstructionData::BinaryImm64 { opcode: Opcode::$op, arg: x, imm: imm.into() };
            self.value(data, ctrl)
        }
    )*};
}

macro_rules! load {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, ty: Type, flags: MemFlags, addr: Value, offset: impl Into<Offset32>) -> Value {
            let data = InstructionData::Load { opcode: Opcode::$op, flags, arg: addr, offset: offset.into() };
            self.value(data, ty)
        }
    )*};
}

macro_rules! store {
    ($($(#[$m:meta])* $name:ident = $op:ident;)*) => {$(
        $(#[$m])*
        fn $name(self, flags: MemFlags, x: Value, addr: Value, offset: impl Into<Offset32>) -> Inst {
            let ctrl = self.data_flow_graph().value_type(x);
            let data = InstructionData::Store { opcode: Opcode::$op, flags, args: [x, addr], offset: offset.into() };
            self.build(data, ctrl).0
        }
    )*};
}

/// One method per opcode. Implemented for every [`InstBuilderBase`].
pub trait InstBuilder<'f>: InstBuilderBase<'f> {
    /// Builds `data` and returns its first result.
    fn value(self, data: InstructionData, ctrl: Type) -> Value {
        let (inst, dfg) = self.build(data, ctrl);
        dfg.first_result(inst)
    }

    /// Builds `data` and returns its two results.
    fn values2(self, data: InstructionData, ctrl: Type) -> (Value, Value) {
        let (inst, dfg) = self.build(data, ctrl);
        let r = dfg.inst_results(inst);
        (r[0], r[1])
    }

    /// Integer constant of type `ty` (stored zero-extended from the type's width).
    fn iconst(self, ty: Type, imm: impl Into<Imm64>) -> Value {
        let imm = imm.into().zero_extend_from_width(ty.bits());
        self.value(
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            },
            ty,
        )
    }

    /// `f32` constant.
    fn f32const(self, imm: impl Into<Ieee32>) -> Value {
        let data = InstructionData::UnaryIeee32 {
            opcode: Opcode::F32const,
            imm: imm.into(),
        };
        self.value(data, types::INVALID)
    }

    /// `f64` constant.
    fn f64const(self, imm: impl Into<Ieee64>) -> Value {
        let data = InstructionData::UnaryIeee64 {
            opcode: Opcode::F64const,
            imm: imm.into(),
        };
        self.value(data, types::INVALID)
    }

    unary! {
        /// Wrapping negation.
        ineg = Ineg;
        /// Absolute value.
        iabs = Iabs;
        /// Bitwise not.
        bnot = Bnot;
        /// Count leading zeros.
        clz = Clz;
        /// Count leading sign bits.
        cls = Cls;
        /// Count trailing zeros.
        ctz = Ctz;
        /// Population count.
        popcnt = Popcnt;
        /// Bit reversal.
        bitrev = Bitrev;
        /// Byte swap.
        bswap = Bswap;
        /// Square root.
        sqrt = Sqrt;
        /// Float absolute value.
        fabs = Fabs;
        /// Float negation.
        fneg = Fneg;
        /// Round up.
        ceil = Ceil;
        /// Round down.
        floor = Floor;
        /// Round toward zero.
        trunc = Trunc;
        /// Round to nearest even.
        nearest = Nearest;
    }

    unary_to! {
        /// Zero-extend to `ty`.
        uextend = Uextend;
        /// Sign-extend to `ty`.
        sextend = Sextend;
        /// Truncate to `ty`.
        ireduce = Ireduce;
        /// Reinterpret as `ty`.
        bitcast = Bitcast;
        /// `f32` to `f64`.
        fpromote = Fpromote;
        /// `f64` to `f32`.
        fdemote = Fdemote;
        /// Float to unsigned `ty`, trapping.
        fcvt_to_uint = FcvtToUint;
        /// Float to signed `ty`, trapping.
        fcvt_to_sint = FcvtToSint;
        /// Float to unsigned `ty`, saturating.
        fcvt_to_uint_sat = FcvtToUintSat;
        /// Float to signed `ty`, saturating.
        fcvt_to_sint_sat = FcvtToSintSat;
        /// Unsigned integer to float `ty`.
        fcvt_from_uint = FcvtFromUint;
        /// Signed integer to float `ty`.
        fcvt_from_sint = FcvtFromSint;
    }

    binary! {
        /// Wrapping add.
        iadd = Iadd;
        /// Wrapping subtract.
        isub = Isub;
        /// Wrapping multiply.
        imul = Imul;
        /// Unsigned high multiply.
        umulhi = Umulhi;
        /// Signed high multiply.
        smulhi = Smulhi;
        /// Unsigned divide.
        udiv = Udiv;
        /// Signed divide.
        sdiv = Sdiv;
        /// Unsigned remainder.
        urem = Urem;
        /// Signed remainder.
        srem = Srem;
        /// Signed minimum.
        smin = Smin;
        /// Signed maximum.
        smax = Smax;
        /// Unsigned minimum.
        umin = Umin;
        /// Unsigned maximum.
        umax = Umax;
        /// Bitwise and.
        band = Band;
        /// Bitwise or.
        bor = Bor;
        /// Bitwise xor.
        bxor = Bxor;
        /// `x & !y`.
        band_not = BandNot;
        /// `x | !y`.
        bor_not = BorNot;
        /// `x ^ !y`.
        bxor_not = BxorNot;
        /// Shift left.
        ishl = Ishl;
        /// Logical shift right.
        ushr = Ushr;
        /// Arithmetic shift right.
        sshr = Sshr;
        /// Rotate left.
        rotl = Rotl;
        /// Rotate right.
        rotr = Rotr;
        /// Concatenate halves (low first).
        iconcat = Iconcat;
        /// Float add.
        fadd = Fadd;
        /// Float subtract.
        fsub = Fsub;
        /// Float multiply.
        fmul = Fmul;
        /// Float divide.
        fdiv = Fdiv;
        /// Copy sign.
        fcopysign = Fcopysign;
        /// Float minimum.
        fmin = Fmin;
        /// Float maximum.
        fmax = Fmax;
    }

    binary2! {
        /// Unsigned add with carry flag.
        uadd_overflow = UaddOverflow;
        /// Signed add with overflow flag.
        sadd_overflow = SaddOverflow;
        /// Unsigned subtract with borrow flag.
        usub_overflow = UsubOverflow;
        /// Signed subtract with overflow flag.
        ssub_overflow = SsubOverflow;
        /// Unsigned multiply with overflow flag.
        umul_overflow = UmulOverflow;
        /// Signed multiply with overflow flag.
        smul_overflow = SmulOverflow;
    }

    binary_imm! {
        /// Add immediate.
        iadd_imm = IaddImm;
        /// Multiply by immediate.
        imul_imm = ImulImm;
        /// Unsigned divide by immediate.
        udiv_imm = UdivImm;
        /// Signed divide by immediate.
        sdiv_imm = SdivImm;
        /// Unsigned remainder by immediate.
        urem_imm = UremImm;
        /// Signed remainder by immediate.
        srem_imm = SremImm;
        /// Immediate minus operand.
        irsub_imm = IrsubImm;
        /// And with immediate.
        band_imm = BandImm;
        /// Or with immediate.
        bor_imm = BorImm;
        /// Xor with immediate.
        bxor_imm = BxorImm;
        /// Shift left by immediate.
        ishl_imm = IshlImm;
        /// Logical shift right by immediate.
        ushr_imm = UshrImm;
        /// Arithmetic shift right by immediate.
        sshr_imm = SshrImm;
        /// Rotate left by immediate.
        rotl_imm = RotlImm;
        /// Rotate right by immediate.
        rotr_imm = RotrImm;
    }

    /// Split into low and high halves.
    fn isplit(self, x: Value) -> (Value, Value) {
        let ctrl = self.data_flow_graph().value_type(x);
        self.values2(
            InstructionData::Unary {
                opcode: Opcode::Isplit,
                arg: x,
            },
            ctrl,
        )
    }

    /// Add that traps with `code` on unsigned overflow.
    fn uadd_overflow_trap(self, x: Value, y: Value, code: TrapCode) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        let data = InstructionData::IntAddTrap {
            opcode: Opcode::UaddOverflowTrap,
            args: [x, y],
            code,
        };
        self.value(data, ctrl)
    }

    /// Integer comparison, giving an `i8` 0 or 1.
    fn icmp(self, cond: IntCC, x: Value, y: Value) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        self.value(
            InstructionData::IntCompare {
                opcode: Opcode::Icmp,
                cond,
                args: [x, y],
            },
            ctrl,
        )
    }

    /// Integer comparison with an immediate.
    fn icmp_imm(self, cond: IntCC, x: Value, imm: impl Into<Imm64>) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        let data = InstructionData::IntCompareImm {
            opcode: Opcode::IcmpImm,
            cond,
            arg: x,
            imm: imm.into(),
        };
        self.value(data, ctrl)
    }

    /// Float comparison, giving an `i8` 0 or 1.
    fn fcmp(self, cond: FloatCC, x: Value, y: Value) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        self.value(
            InstructionData::FloatCompare {
                opcode: Opcode::Fcmp,
                cond,
                args: [x, y],
            },
            ctrl,
        )
    }

    /// `c != 0 ? x : y`.
    fn select(self, c: Value, x: Value, y: Value) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        self.value(
            InstructionData::Ternary {
                opcode: Opcode::Select,
                args: [c, x, y],
            },
            ctrl,
        )
    }

    /// A `select` that is never speculated.
    fn select_spectre_guard(self, c: Value, x: Value, y: Value) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        let data = InstructionData::Ternary {
            opcode: Opcode::SelectSpectreGuard,
            args: [c, x, y],
        };
        self.value(data, ctrl)
    }

    /// Fused multiply-add.
    fn fma(self, x: Value, y: Value, z: Value) -> Value {
        let ctrl = self.data_flow_graph().value_type(x);
        self.value(
            InstructionData::Ternary {
                opcode: Opcode::Fma,
                args: [x, y, z],
            },
            ctrl,
        )
    }

    load! {
        /// Load a `ty`.
        load = Load;
        /// Load 8 bits, zero-extended to `ty`.
        uload8 = Uload8;
        /// Load 8 bits, sign-extended to `ty`.
        sload8 = Sload8;
        /// Load 16 bits, zero-extended to `ty`.
        uload16 = Uload16;
        /// Load 16 bits, sign-extended to `ty`.
        sload16 = Sload16;
        /// Load 32 bits, zero-extended to `ty`.
        uload32 = Uload32;
        /// Load 32 bits, sign-extended to `ty`.
        sload32 = Sload32;
    }

    store! {
        /// Store `x` at `addr + offset`.
        store = Store;
        /// Store the low 8 bits.
        istore8 = Istore8;
        /// Store the low 16 bits.
        istore16 = Istore16;
        /// Store the low 32 bits.
        istore32 = Istore32;
    }

    /// Load a `ty` from a stack slot.
    fn stack_load(self, ty: Type, slot: StackSlot, offset: impl Into<Offset32>) -> Value {
        let data = InstructionData::StackLoad {
            opcode: Opcode::StackLoad,
            stack_slot: slot,
            offset: offset.into(),
        };
        self.value(data, ty)
    }

    /// Store to a stack slot.
    fn stack_store(self, x: Value, slot: StackSlot, offset: impl Into<Offset32>) -> Inst {
        let ctrl = self.data_flow_graph().value_type(x);
        let data = InstructionData::StackStore {
            opcode: Opcode::StackStore,
            arg: x,
            stack_slot: slot,
            offset: offset.into(),
        };
        self.build(data, ctrl).0
    }

    /// The address of a stack slot, as a `ty`.
    fn stack_addr(self, ty: Type, slot: StackSlot, offset: impl Into<Offset32>) -> Value {
        let data = InstructionData::StackLoad {
            opcode: Opcode::StackAddr,
            stack_slot: slot,
            offset: offset.into(),
        };
        self.value(data, ty)
    }

    /// Jump to `block` with `args`.
    fn jump(mut self, block: Block, args: &[Value]) -> Inst {
        let destination = BlockCall::new(block, args, &mut self.data_flow_graph_mut().value_lists);
        self.build(
            InstructionData::Jump {
                opcode: Opcode::Jump,
                destination,
            },
            types::INVALID,
        )
        .0
    }

    /// Branch to `then` if `c` is non-zero, else to `else_`.
    fn brif(
        mut self,
        c: Value,
        then: Block,
        then_args: &[Value],
        else_: Block,
        else_args: &[Value],
    ) -> Inst {
        let pool = &mut self.data_flow_graph_mut().value_lists;
        let blocks = [
            BlockCall::new(then, then_args, pool),
            BlockCall::new(else_, else_args, pool),
        ];
        let ctrl = self.data_flow_graph().value_type(c);
        self.build(
            InstructionData::Brif {
                opcode: Opcode::Brif,
                arg: c,
                blocks,
            },
            ctrl,
        )
        .0
    }

    /// Jump through table `table` with index `x`.
    fn br_table(self, x: Value, table: JumpTable) -> Inst {
        let ctrl = self.data_flow_graph().value_type(x);
        self.build(
            InstructionData::BranchTable {
                opcode: Opcode::BrTable,
                arg: x,
                table,
            },
            ctrl,
        )
        .0
    }

    /// Return `args`.
    fn return_(mut self, args: &[Value]) -> Inst {
        let args = self.data_flow_graph_mut().value_lists.alloc(args);
        self.build(
            InstructionData::MultiAry {
                opcode: Opcode::Return,
                args,
            },
            types::INVALID,
        )
        .0
    }

    /// Call `func` with `args`; the results are the instruction's results.
    fn call(mut self, func: FuncRef, args: &[Value]) -> Inst {
        let args = self.data_flow_graph_mut().value_lists.alloc(args);
        self.build(
            InstructionData::Call {
                opcode: Opcode::Call,
                func_ref: func,
                args,
            },
            types::INVALID,
        )
        .0
    }

    /// Call the function at address `callee` with signature `sig`.
    fn call_indirect(mut self, sig: SigRef, callee: Value, args: &[Value]) -> Inst {
        let pool = &mut self.data_flow_graph_mut().value_lists;
        let mut list = pool.alloc(&[callee]);
        for &a in args {
            pool.push(&mut list, a);
        }
        let ctrl = self.data_flow_graph().value_type(callee);
        self.build(
            InstructionData::CallIndirect {
                opcode: Opcode::CallIndirect,
                sig_ref: sig,
                args: list,
            },
            ctrl,
        )
        .0
    }

    /// The address of `func`, as a `ty`.
    fn func_addr(self, ty: Type, func: FuncRef) -> Value {
        self.value(
            InstructionData::FuncAddr {
                opcode: Opcode::FuncAddr,
                func_ref: func,
            },
            ty,
        )
    }

    /// Trap unconditionally.
    fn trap(self, code: TrapCode) -> Inst {
        self.build(
            InstructionData::Trap {
                opcode: Opcode::Trap,
                code,
            },
            types::INVALID,
        )
        .0
    }

    /// Trap if `c` is zero.
    fn trapz(self, c: Value, code: TrapCode) -> Inst {
        let ctrl = self.data_flow_graph().value_type(c);
        self.build(
            InstructionData::CondTrap {
                opcode: Opcode::Trapz,
                arg: c,
                code,
            },
            ctrl,
        )
        .0
    }

    /// Trap if `c` is non-zero.
    fn trapnz(self, c: Value, code: TrapCode) -> Inst {
        let ctrl = self.data_flow_graph().value_type(c);
        self.build(
            InstructionData::CondTrap {
                opcode: Opcode::Trapnz,
                arg: c,
                code,
            },
            ctrl,
        )
        .0
    }
}

impl<'f, T: InstBuilderBase<'f>> InstBuilder<'f> for T {}
