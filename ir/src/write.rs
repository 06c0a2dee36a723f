//! The printer of the text format (compatible with Cranelift's CLIF).

use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, InstructionData};
use crate::opcodes::CtrlType;
use core::fmt::{self, Write};

/// Writes `func` in the text format.
pub fn write_function(w: &mut dyn Write, func: &Function) -> fmt::Result {
    writeln!(w, "function {}{} {{", func.name, func.signature)?;
    let mut preamble = false;
    for (slot, data) in func.stack_slots.iter() {
        writeln!(w, "    {slot} = {data}")?;
        preamble = true;
    }
    for (sig, data) in func.dfg.signatures.iter() {
        writeln!(w, "    {sig} = {data}")?;
        preamble = true;
    }
    for (fref, data) in func.dfg.ext_funcs.iter() {
        writeln!(w, "    {fref} = {data}")?;
        preamble = true;
    }
    for (i, block) in func.layout.blocks().enumerate() {
        if i > 0 || preamble {
            writeln!(w)?;
        }
        write_block_header(w, func, block)?;
        for inst in func.layout.block_insts(block) {
            w.write_str("    ")?;
            write_inst(w, func, inst)?;
            writeln!(w)?;
        }
    }
    writeln!(w, "}}")
}

/// Writes `block0(v0: i32, v1: i64):`.
pub fn write_block_header(w: &mut dyn Write, func: &Function, block: Block) -> fmt::Result {
    write!(w, "{block}")?;
    let params = func.dfg.block_params(block);
    if !params.is_empty() {
        w.write_str("(")?;
        for (i, &p) in params.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{}: {}", p, func.dfg.value_type(p))?;
        }
        w.write_str(")")?;
    }
    writeln!(w, ":")
}

struct Args<'a>(&'a Function, &'a [Value]);

impl fmt::Display for Args<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &v) in self.1.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", self.0.dfg.resolve_aliases(v))?;
        }
        Ok(())
    }
}

struct Dest<'a>(&'a Function, BlockCall);

impl fmt::Display for Dest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.1.block)?;
        let args = self.0.dfg.block_call_args(&self.1);
        if !args.is_empty() {
            write!(f, "({})", Args(self.0, args))?;
        }
        Ok(())
    }
}

/// Writes one instruction, results included, without indentation or newline.
pub fn write_inst(w: &mut dyn Write, func: &Function, inst: Inst) -> fmt::Result {
    let dfg = &func.dfg;
    let results = dfg.inst_results(inst);
    if !results.is_empty() {
        write!(w, "{} = ", Args(func, results))?;
    }
    let data = &dfg.insts[inst];
    let opcode = data.opcode();
    write!(w, "{opcode}")?;
    if opcode.info().ctrl == CtrlType::Explicit {
        write!(w, ".{}", dfg.ctrl_typevar(inst))?;
    }
    let v = |x: Value| dfg.resolve_aliases(x);
    use InstructionData::*;
    match *data {
        UnaryImm { imm, .. } => write!(w, " {imm}"),
        UnaryIeee32 { imm, .. } => write!(w, " {imm}"),
        UnaryIeee64 { imm, .. } => write!(w, " {imm}"),
        Unary { arg, .. } => write!(w, " {}", v(arg)),
        Binary { args, .. } => write!(w, " {}, {}", v(args[0]), v(args[1])),
        BinaryImm64 { arg, imm, .. } => write!(w, " {}, {imm}", v(arg)),
        Ternary { args, .. } => write!(w, " {}, {}, {}", v(args[0]), v(args[1]), v(args[2])),
        IntCompare { cond, args, .. } => write!(w, " {cond} {}, {}", v(args[0]), v(args[1])),
        IntCompareImm { cond, arg, imm, .. } => write!(w, " {cond} {}, {imm}", v(arg)),
        FloatCompare { cond, args, .. } => write!(w, " {cond} {}, {}", v(args[0]), v(args[1])),
        Load {
            flags, arg, offset, ..
        } => write!(w, "{flags} {}{offset}", v(arg)),
        Store {
            flags,
            args,
            offset,
            ..
        } => {
            write!(w, "{flags} {}, {}{offset}", v(args[0]), v(args[1]))
        }
        StackLoad {
            stack_slot, offset, ..
        } => write!(w, " {stack_slot}{offset}"),
        StackStore {
            arg,
            stack_slot,
            offset,
            ..
        } => {
            write!(w, " {}, {stack_slot}{offset}", v(arg))
        }
        Jump { destination, .. } => write!(w, " {}", Dest(func, destination)),
        Brif { arg, blocks, .. } => write!(
            w,
            " {}, {}, {}",
            v(arg),
            Dest(func, blocks[0]),
            Dest(func, blocks[1])
        ),
        BranchTable { arg, table, .. } => {
            let jt = &dfg.jump_tables[table];
            write!(w, " {}, {}, [", v(arg), Dest(func, jt.default_block()))?;
            for (i, d) in jt.as_slice().iter().enumerate() {
                if i > 0 {
                    w.write_str(", ")?;
                }
                write!(w, "{}", Dest(func, *d))?;
            }
            w.write_str("]")
        }
        MultiAry { args, .. } => {
            let args = dfg.value_lists.get(args);
            if args.is_empty() {
                Ok(())
            } else {
                write!(w, " {}", Args(func, args))
            }
        }
        Call { func_ref, args, .. } => {
            write!(w, " {func_ref}({})", Args(func, dfg.value_lists.get(args)))
        }
        CallIndirect { sig_ref, args, .. } => {
            let args = dfg.value_lists.get(args);
            write!(w, " {sig_ref}, {}({})", v(args[0]), Args(func, &args[1..]))
        }
        FuncAddr { func_ref, .. } => write!(w, " {func_ref}"),
        Trap { code, .. } => write!(w, " {code}"),
        CondTrap { arg, code, .. } => write!(w, " {}, {code}", v(arg)),
        IntAddTrap { args, code, .. } => write!(w, " {}, {}, {code}", v(args[0]), v(args[1])),
    }
}

/// One instruction as a string, for error messages.
pub fn inst_to_string(func: &Function, inst: Inst) -> String {
    let mut s = String::new();
    let _ = write_inst(&mut s, func, inst);
    s
}

#[cfg(test)]
mod tests {
    use crate::builder::InstBuilder;
    use crate::condcodes::IntCC;
    use crate::cursor::FuncCursor;
    use crate::extfunc::{ExtFuncData, UserFuncName};
    use crate::instructions::BlockCall;
    use crate::jumptable::JumpTableData;
    use crate::memflags::MemFlags;
    use crate::signature::{AbiParam, CallConv, Signature};
    use crate::stackslot::StackSlotData;
    use crate::trapcode::TrapCode;
    use crate::types::*;
    use crate::Function;

    #[test]
    fn prints_clif() {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(I32));
        sig.params.push(AbiParam::new(I64));
        sig.returns.push(AbiParam::new(I32));
        let mut func = Function::with_name_signature(UserFuncName::testcase("f"), sig.clone());
        let ss = func.create_stack_slot(StackSlotData::new(16, 3));
        let sig0 = func.import_signature(sig);
        let fn0 = func.import_function(ExtFuncData {
            name: UserFuncName::testcase("g"),
            signature: sig0,
            colocated: true,
        });
        let mut cur = FuncCursor::new(&mut func);
        let b0 = cur.append_new_block();
        let b1 = cur.append_new_block();
        let b2 = cur.append_new_block();
        let x = cur.func.dfg.append_block_param(b0, I32);
        let p = cur.func.dfg.append_block_param(b0, I64);
        let y = cur.func.dfg.append_block_param(b1, I32);
        cur.goto_bottom(b0);
        let c = cur.ins().iconst(I32, -1);
        let s = cur.ins().iadd(x, c);
        let f = cur.ins().f64const(-2.5);
        let _ = cur.ins().fneg(f);
        let mut flags = MemFlags::new();
        flags.set_notrap();
        let l = cur.ins().load(I32, flags, p, 8);
        cur.ins().store(MemFlags::new(), l, p, -4);
        cur.ins().stack_store(s, ss, 4);
        let cmp = cur.ins().icmp_imm(IntCC::SignedLessThan, s, 10);
        let call = cur.ins().call(fn0, &[s, p]);
        let r = cur.func.dfg.first_result(call);
        cur.ins().trapnz(cmp, TrapCode::User(1));
        cur.ins().brif(cmp, b1, &[r], b2, &[]);
        cur.goto_bottom(b1);
        cur.ins().return_(&[y]);
        cur.goto_bottom(b2);
        let pool = &mut cur.func.dfg.value_lists;
        let jt = JumpTableData::new(
            BlockCall::new(b1, &[x], pool),
            &[BlockCall::new(b2, &[], pool)],
        );
        let jt = cur.func.create_jump_table(jt);
        cur.ins().br_table(x, jt);
        assert_eq!(
            func.to_string(),
            "function %f(i32, i64) -> i32 system_v {
    ss0 = explicit_slot 16, align = 8
    sig0 = (i32, i64) -> i32 system_v
    fn0 = colocated %g sig0

block0(v0: i32, v1: i64):
    v3 = iconst.i32 0xffff_ffff
    v4 = iadd v0, v3
    v5 = f64const -0x1.4000000000000p1
    v6 = fneg v5
    v7 = load.i32 notrap v1+8
    store v7, v1-4
    stack_store v4, ss0+4
    v8 = icmp_imm slt v4, 10
    v9 = call fn0(v4, v1)
    trapnz v8, user1
    brif v8, block1(v9), block2

block1(v2: i32):
    return v2

block2:
    br_table v0, block1(v0), [block2]
}
"
        );
    }
}
