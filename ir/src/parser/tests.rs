use super::*;
use crate::entities::{Block, Value};
use crate::entity::EntityRef;
use crate::opcodes::Opcode;
use crate::types::*;
use crate::{InstructionData, ValueDef};

/// Every opcode and format, in the printer's exact form.
const SAMPLE: &str = "function %ints(i32, i32, i64, i8 sext, i128, i16 uext) -> i32, i8 system_v {
block0(v0: i32, v1: i32, v2: i64, v3: i8, v4: i128, v5: i16):
    v6 = iconst.i32 7
    v7 = iconst.i8 255
    v8 = iconst.i64 -1
    v9 = iconst.i16 0x8000
    v10 = iadd v0, v1
    v11 = isub v0, v1
    v12 = imul v0, v1
    v13 = umulhi v0, v1
    v14 = smulhi v0, v1
    v15 = udiv v0, v1
    v16 = sdiv v0, v1
    v17 = urem v0, v1
    v18 = srem v0, v1
    v19 = ineg v0
    v20 = iabs v0
    v21 = smin v0, v1
    v22 = smax v0, v1
    v23 = umin v0, v1
    v24 = umax v0, v1
    v25 = iadd_imm v0, 5
    v26 = imul_imm v0, -3
    v27 = udiv_imm v0, 0x7fff_ffff
    v28 = sdiv_imm v0, -0x4e20
    v29 = urem_imm v0, 10000
    v30 = srem_imm v0, -10000
    v31 = irsub_imm v0, 1
    v32 = band_imm v0, 255
    v33 = bor_imm v0, 0
    v34 = bxor_imm v0, -1
    v35 = ishl_imm v0, 3
    v36 = ushr_imm v0, 33
    v37 = sshr_imm v0, 1
    v38 = rotl_imm v0, 2
    v39 = rotr_imm v0, 31
    v40 = icmp_imm ule v0, 10
    v41, v42 = uadd_overflow v0, v1
    v43, v44 = sadd_overflow v0, v1
    v45, v46 = usub_overflow v0, v1
    v47, v48 = ssub_overflow v0, v1
    v49, v50 = umul_overflow v0, v1
    v51, v52 = smul_overflow v0, v1
    v53 = uadd_overflow_trap v0, v1, int_ovf
    v54 = band v0, v1
    v55 = bor v0, v1
    v56 = bxor v0, v1
    v57 = bnot v0
    v58 = band_not v0, v1
    v59 = bor_not v0, v1
    v60 = bxor_not v0, v1
    v61 = ishl v0, v3
    v62 = ushr v0, v3
    v63 = sshr v2, v0
    v64 = rotl v0, v3
    v65 = rotr v0, v3
    v66 = clz v0
    v67 = cls v3
    v68 = ctz v2
    v69 = popcnt v4
    v70 = bitrev v0
    v71 = bswap v5
    v72 = icmp eq v0, v1
    v73 = icmp ne v0, v1
    v74 = icmp slt v0, v1
    v75 = icmp sge v0, v1
    v76 = icmp sgt v0, v1
    v77 = icmp sle v0, v1
    v78 = icmp ult v0, v1
    v79 = icmp uge v0, v1
    v80 = icmp ugt v0, v1
    v81 = icmp ule v4, v4
    v82 = select v3, v0, v1
    v83 = select_spectre_guard v0, v2, v2
    v84 = uextend.i64 v0
    v85 = sextend.i128 v3
    v86 = ireduce.i8 v2
    v87 = iconcat v2, v2
    v88, v89 = isplit v4
    v90 = bitcast.f32 v0
    trapz v0, user1
    trapnz v3, int_divz
    return v10, v72
}

function u1:2(f32, f64) -> f64 fast {
block0(v0: f32, v1: f64):
    v2 = f32const 0x1.800000p1
    v3 = f32const -0.0
    v4 = f32const +Inf
    v5 = f32const -NaN:0x1
    v6 = f64const -0x1.4000000000000p1
    v7 = f64const +sNaN:0x1
    v8 = f64const 0x0.0000000000001p-1022
    v9 = fadd v0, v2
    v10 = fsub v1, v6
    v11 = fmul v0, v0
    v12 = fdiv v1, v1
    v13 = sqrt v0
    v14 = fma v1, v1, v6
    v15 = fabs v0
    v16 = fneg v1
    v17 = fcopysign v0, v3
    v18 = fmin v1, v6
    v19 = fmax v0, v2
    v20 = ceil v0
    v21 = floor v1
    v22 = trunc v0
    v23 = nearest v1
    v24 = fcmp ord v0, v2
    v25 = fcmp uno v0, v2
    v26 = fcmp eq v1, v6
    v27 = fcmp ne v1, v6
    v28 = fcmp one v1, v6
    v29 = fcmp ueq v1, v6
    v30 = fcmp lt v0, v2
    v31 = fcmp le v0, v2
    v32 = fcmp gt v0, v2
    v33 = fcmp ge v0, v2
    v34 = fcmp ult v0, v2
    v35 = fcmp ule v0, v2
    v36 = fcmp ugt v0, v2
    v37 = fcmp uge v0, v2
    v38 = fpromote.f64 v0
    v39 = fdemote.f32 v1
    v40 = fcvt_to_uint.i32 v0
    v41 = fcvt_to_sint.i64 v1
    v42 = fcvt_to_uint_sat.i8 v0
    v43 = fcvt_to_sint_sat.i16 v1
    v44 = fcvt_from_uint.f64 v40
    v45 = fcvt_from_sint.f32 v41
    return v38
}

function %mem(i64 vmctx, i32) -> i64 tail {
    ss0 = explicit_slot 16
    ss1 = explicit_slot 8, align = 8
    ss2 = explicit_slot 0, align = 4096
    sig0 = (i64, i32 uext) -> i64 sext system_v
    sig1 = () fast
    sig2 = (f32) -> f32, i8 cold
    fn0 = %callee sig0
    fn1 = colocated u0:7 sig1
    fn2 = colocated %other sig2

block0(v0: i64, v1: i32):
    v2 = load.i64 v0
    v3 = load.i32 notrap aligned v0+8
    v4 = load.f64 readonly little heap table_oob v0-4
    v5 = uload8.i32 big table vmctx v0+2147483647
    v6 = sload8.i16 v0-2147483648
    v7 = uload16.i64 v0
    v8 = sload16.i32 v0
    v9 = uload32.i64 v0
    v10 = sload32.i64 v0
    v11 = load.i32x4 v0+16
    store v2, v0
    store notrap aligned v3, v0+4
    istore8 user7 v5, v0-1
    istore16 v5, v0
    istore32 v2, v0
    v12 = stack_load.i32 ss0
    v13 = stack_load.i64 ss1+4
    stack_store v12, ss0+12
    stack_store v2, ss1
    v14 = stack_addr.i64 ss2
    v15 = stack_addr.i32 ss0-8
    v16 = func_addr.i64 fn1
    v17 = call fn0(v0, v1)
    call fn1()
    v18, v19 = call_indirect sig2, v16(v4)
    call_indirect sig1, v15()
    brif v1, block1(v17, v1), block2

block1(v20: i64, v21: i32):
    jump block3(v20)

block2:
    br_table v1, block3(v0), [block1(v0, v1), block2, block3(v2)]

block3(v22: i64):
    v23 = iconst.i32 0
    brif v23, block4, block6

block4:
    br_table v23, block5, []

block5:
    return v22

block6:
    trap unreachable
}

function %empty() fast {
}

function %noret() fast {
block0:
    return
}
";

const COMMON: &str = "; comment
test interpret
test run
target x86_64
target x86_64 has_avx
set opt_level=speed

function %f(i32, i64 uext) -> i32, i8 system_v {
    ss0 = explicit_slot 16
    ss1 = explicit_slot 8, align = 8
    sig0 = (i32) -> i32 system_v
    fn0 = %g sig0
    fn1 = colocated %h(i64) -> i64      ; inline signature: creates a sigN
    fn2 = u0:1 sig0

block0(v0: i32, v1: i64):
    v2 = iconst.i32 -5
    v3 = iadd v0, v2
    v4, v5 = uadd_overflow v3, v0
    v6 = load.i32 notrap aligned v1+8
    store v6, v1-4
    v7 = icmp_imm slt v3, 10
    brif v7, block1(v3), block2
block1(v8: i32):
    v9 = call fn0(v8)
    return v9, v5
block2:
    br_table v0, block1(v0), [block1(v3), block2]
}
";

#[test]
fn parses_the_common_example() {
    let t = parse_test(COMMON).unwrap();
    assert_eq!(t.functions.len(), 1);
    assert_eq!(t.commands.len(), 2);
    assert_eq!(t.functions[0].comments.len(), 1);
}

/// Prints functions the way a test file separates them.
fn print_all(funcs: &[Function]) -> String {
    let texts: Vec<String> = funcs.iter().map(|f| f.to_string()).collect();
    texts.join("\n")
}

#[test]
fn sample_round_trips_exactly() {
    let funcs = parse_functions(SAMPLE).unwrap();
    assert_eq!(funcs.len(), 5);
    let printed = print_all(&funcs);
    if printed != SAMPLE {
        for (a, b) in printed.lines().zip(SAMPLE.lines()) {
            assert_eq!(a, b);
        }
    }
    assert_eq!(printed, SAMPLE);
    // And once more from the printed text.
    assert_eq!(print_all(&parse_functions(&printed).unwrap()), SAMPLE);
}

/// The instruction defining `v`.
fn def_inst(f: &Function, v: u32) -> crate::Inst {
    match f.dfg.value_def(Value::new(v as usize)) {
        ValueDef::Result(inst, _) => inst,
        d => panic!("v{v} is {d:?}"),
    }
}

fn ty(f: &Function, v: u32) -> Type {
    f.dfg.value_type(Value::new(v as usize))
}

#[test]
fn sample_covers_every_opcode_with_the_right_types() {
    let funcs = parse_functions(SAMPLE).unwrap();
    let seen: std::collections::BTreeSet<Opcode> = funcs
        .iter()
        .flat_map(|f| f.dfg.insts.values().map(|d| d.opcode()))
        .collect();
    for op in Opcode::ALL {
        assert!(seen.contains(op), "{op} is missing from the sample");
    }

    let ints = &funcs[0];
    assert_eq!(ints.name.to_string(), "%ints");
    let b0 = Block::new(0);
    let params: Vec<u32> = ints
        .dfg
        .block_params(b0)
        .iter()
        .map(|v| v.as_u32())
        .collect();
    assert_eq!(params, [0, 1, 2, 3, 4, 5]);
    let ptypes: Vec<Type> = ints.dfg.block_param_types(b0).collect();
    assert_eq!(ptypes, [I32, I32, I64, I8, I128, I16]);
    let expect = [
        (7, I8),
        (10, I32),
        (40, I8),
        (41, I32),
        (42, I8),
        (63, I64),
        (69, I128),
        (71, I16),
        (81, I8),
        (83, I64),
        (84, I64),
        (85, I128),
        (86, I8),
        (87, I128),
        (88, I64),
        (89, I64),
        (90, F32),
    ];
    for (v, t) in expect {
        assert_eq!(ty(ints, v), t, "v{v}");
    }
    // Two results of one instruction, numbered as written.
    assert_eq!(def_inst(ints, 51), def_inst(ints, 52));
    assert_eq!(
        ints.dfg.value_def(Value::new(52)),
        ValueDef::Result(def_inst(ints, 51), 1)
    );
    // `iconst` stores its immediate zero-extended from the type's width.
    let imm = |v| match ints.dfg.insts[def_inst(ints, v)] {
        InstructionData::UnaryImm { imm, .. } => imm.bits(),
        d => panic!("{d:?}"),
    };
    assert_eq!((imm(7), imm(8), imm(9)), (255, -1, 0x8000));
    match ints.dfg.insts[def_inst(ints, 28)] {
        InstructionData::BinaryImm64 { imm, .. } => assert_eq!(imm.bits(), -20000),
        d => panic!("{d:?}"),
    }

    let floats = &funcs[1];
    assert_eq!(floats.name, crate::UserFuncName::user(1, 2));
    let fbits = |v| match floats.dfg.insts[def_inst(floats, v)] {
        InstructionData::UnaryIeee32 { imm, .. } => u64::from(imm.bits()),
        InstructionData::UnaryIeee64 { imm, .. } => imm.bits(),
        d => panic!("{d:?}"),
    };
    assert_eq!(fbits(2), 0x4040_0000);
    assert_eq!(fbits(3), 0x8000_0000);
    assert_eq!(fbits(5), 0xffc0_0001);
    assert_eq!(fbits(6), (-2.5f64).to_bits());
    assert_eq!(fbits(7), 0x7ff0_0000_0000_0001);
    assert_eq!(fbits(8), 1);
    for (v, t) in [
        (24, I8),
        (38, F64),
        (39, F32),
        (40, I32),
        (41, I64),
        (42, I8),
    ] {
        assert_eq!(ty(floats, v), t, "v{v}");
    }
    for (v, t) in [(43, I16), (44, F64), (45, F32), (14, F64), (9, F32)] {
        assert_eq!(ty(floats, v), t, "v{v}");
    }

    let mem = &funcs[2];
    assert_eq!(mem.signature.call_conv, crate::CallConv::Tail);
    assert_eq!(
        mem.signature.params[0].purpose,
        crate::ArgumentPurpose::VMContext
    );
    let aligns: Vec<u8> = mem.stack_slots.values().map(|s| s.align_shift).collect();
    assert_eq!(aligns, [0, 3, 12]);
    assert_eq!(mem.dfg.signatures.len(), 3);
    assert_eq!(mem.dfg.ext_funcs.len(), 3);
    for (v, t) in [
        (5, I32),
        (6, I16),
        (11, I32X4),
        (17, I64),
        (18, F32),
        (19, I8),
    ] {
        assert_eq!(ty(mem, v), t, "v{v}");
    }
    match mem.dfg.insts[def_inst(mem, 4)] {
        InstructionData::Load { flags, offset, .. } => {
            assert!(flags.readonly() && !flags.notrap());
            assert_eq!(flags.trap_code(), crate::TrapCode::TableOutOfBounds);
            assert_eq!(offset.bits(), -4);
        }
        d => panic!("{d:?}"),
    }
    let order: Vec<u32> = mem.layout.blocks().map(|b| b.as_u32()).collect();
    assert_eq!(order, [0, 1, 2, 3, 4, 5, 6]);
    let b2 = Block::new(2);
    let br = mem.layout.last_inst(b2).unwrap();
    let dests: Vec<(u32, usize)> = mem
        .dfg
        .branch_destinations(br)
        .iter()
        .map(|d| (d.block.as_u32(), mem.dfg.block_call_args(d).len()))
        .collect();
    assert_eq!(dests, [(3, 1), (1, 2), (2, 0), (3, 1)]);

    assert_eq!(funcs[3].layout.entry_block(), None);
    assert_eq!(funcs[4].dfg.num_insts(), 1);
}

#[test]
fn forward_references_are_typed_when_their_definition_is_read() {
    // block1 comes first in the text but uses values of block2 (which dominates it): v3's
    // type comes from v2, v4's from v3, v6's from block2's parameter v5.
    let text = "function %fwd(i32) -> i64 fast {
block0(v0: i32):
    jump block2(v0)

block1:
    v3 = iadd v2, v0
    v4 = imul v3, v3
    v6, v7 = isplit v5
    v8 = icmp ult v4, v2
    return v6

block2(v5: i128):
    v2 = iconst.i32 1
    jump block1
}
";
    let f = &parse_functions(text).unwrap()[0];
    assert_eq!(f.to_string(), text);
    for (v, t) in [(3, I32), (4, I32), (6, I64), (7, I64), (8, I8)] {
        assert_eq!(ty(f, v), t, "v{v}");
    }
    let b1: Vec<u32> = f.layout.blocks().map(|b| b.as_u32()).collect();
    assert_eq!(b1, [0, 1, 2]);

    // An explicit suffix types the instruction without waiting.
    let f = &parse_functions(
        "function %s() {
block0:
    v1 = iadd.i16 v2, v2
    v2 = iconst.i16 3
    return v1
}",
    )
    .unwrap()[0];
    assert_eq!(ty(f, 1), I16);
}

#[test]
fn alias_lines_make_aliases_printed_as_their_original() {
    let text = "function %a(i32) -> i32 {
block0(v0: i32):
    v5 -> v4
    v4 -> v1
    v2 = iadd v5, v0
    v1 = iconst.i32 2
    return v2
}";
    let f = &parse_functions(text).unwrap()[0];
    assert!(f.dfg.is_alias(Value::new(5)));
    assert_eq!(f.dfg.resolve_aliases(Value::new(5)), Value::new(1));
    assert_eq!(ty(f, 5), I32);
    assert_eq!(ty(f, 2), I32);
    assert_eq!(
        f.to_string(),
        "function %a(i32) -> i32 fast {
block0(v0: i32):
    v2 = iadd v1, v0
    v1 = iconst.i32 2
    return v2
}
"
    );
}

#[test]
fn builder_made_function_round_trips() {
    use crate::{FuncCursor, InstBuilder, MemFlags, StackSlotData};
    let mut sig = crate::Signature::new(crate::CallConv::SystemV);
    sig.params.push(crate::AbiParam::new(I64));
    sig.returns.push(crate::AbiParam::new(I64).sext());
    let mut func = Function::with_name_signature(crate::UserFuncName::testcase("b"), sig);
    let ss = func.create_stack_slot(StackSlotData::new(8, 2));
    let mut cur = FuncCursor::new(&mut func);
    let b0 = cur.append_new_block();
    let b1 = cur.append_new_block();
    let b2 = cur.append_new_block();
    let p = cur.func.dfg.append_block_param(b0, I64);
    let q = cur.func.dfg.append_block_param(b2, I64);
    let e = cur.func.dfg.append_block_param(b2, I64);
    let r = cur.func.dfg.append_block_param(b1, I64);
    cur.goto_bottom(b0);
    let c = cur.ins().iconst(I64, -7);
    let l = cur.ins().load(I64, MemFlags::trusted(), p, 16);
    let s = cur.ins().iadd(c, l);
    cur.ins().stack_store(s, ss, 0);
    let j = cur.ins().jump(b2, &[s, l]);
    cur.goto_bottom(b2);
    let t = cur.ins().iadd_imm(e, 1);
    cur.ins().jump(b1, &[t]);
    cur.goto_bottom(b1);
    cur.ins().return_(&[r]);
    // Drop b2's second parameter and alias it to the first: the printer shows the original.
    cur.func.dfg.remove_branch_arg(j, b2, 1);
    cur.func.dfg.remove_block_param(e);
    cur.func.dfg.change_to_alias(e, q);
    let printed = func.to_string();
    assert!(printed.contains("iadd_imm v1, 1"), "{printed}");
    let parsed = &parse_functions(&printed).unwrap()[0];
    assert_eq!(parsed.to_string(), printed);
    assert_eq!(parsed.dfg.num_blocks(), 3);
    assert_eq!(
        parsed.dfg.block_params(b1),
        [r],
        "parameters keep their numbers"
    );
}

#[test]
fn header_lines_and_comments() {
    let text = "; leading
test interpret
test compile precise-output ; why
target x86_64 has_avx has_sse41
set opt_level=speed enable_verifier
set a = 1 b= 2 c =3

function %f(i32) -> i32 { ; on the header line
block0(v0: i32):
    ; inside
    v1 = iadd v0, v0
    @001a return v1
}
; run: %f(1) == 2

function %g() {
block0:
    return ; at the end
}
; trailing
";
    let t = parse_test(text).unwrap();
    let cmds: Vec<(&str, Vec<String>, u32)> = t
        .commands
        .iter()
        .map(|c| (c.name.as_str(), c.options.clone(), c.line))
        .collect();
    assert_eq!(
        cmds,
        [
            ("interpret", vec![], 2),
            ("compile", vec!["precise-output".to_string()], 3)
        ]
    );
    assert_eq!(t.targets.len(), 1);
    assert_eq!(t.targets[0].isa, "x86_64");
    assert_eq!(t.targets[0].flags, ["has_avx", "has_sse41"]);
    assert_eq!(t.targets[0].line, 4);
    let sets: Vec<(&str, Option<&str>, u32)> = t
        .settings
        .iter()
        .map(|s| (s.name.as_str(), s.value.as_deref(), s.line))
        .collect();
    assert_eq!(
        sets,
        [
            ("opt_level", Some("speed"), 5),
            ("enable_verifier", None, 5),
            ("a", Some("1"), 6),
            ("b", Some("2"), 6),
            ("c", Some("3"), 6),
        ]
    );
    let c = |line, text: &str| Comment {
        line,
        text: text.to_string(),
    };
    assert_eq!(t.preamble_comments, [c(1, "leading"), c(3, "why")]);
    assert_eq!(t.functions.len(), 2);
    let (f, g) = (&t.functions[0], &t.functions[1]);
    assert_eq!((f.line, g.line), (8, 16));
    assert_eq!(
        f.comments,
        [
            c(8, "on the header line"),
            c(10, "inside"),
            c(14, "run: %f(1) == 2")
        ]
    );
    assert_eq!(g.comments, [c(18, "at the end"), c(20, "trailing")]);
    let lines: Vec<u32> = f
        .func
        .layout
        .block_insts(Block::new(0))
        .map(|i| f.inst_lines[i])
        .collect();
    assert_eq!(lines, [11, 12]);
    let lines: Vec<u32> = g
        .func
        .layout
        .block_insts(Block::new(0))
        .map(|i| g.inst_lines[i])
        .collect();
    assert_eq!(lines, [18]);

    // No functions: everything is preamble; parse_functions refuses header lines.
    let t = parse_test("test cat\n; only\n").unwrap();
    assert_eq!(t.preamble_comments, [c(2, "only")]);
    assert!(t.functions.is_empty());
    let e = parse_functions("test cat\n").unwrap_err();
    assert_eq!((e.line, e.col), (1, 1));
    assert_eq!(e.message, "expected `function`, found `test`");
    assert!(parse_functions("").unwrap().is_empty());
}

#[test]
fn accepted_variants_of_the_syntax() {
    // Cold blocks, non-canonical literals, hex offsets, `u` names, default calling convention,
    // `block()` and `call` without results, CRLF line ends.
    let text = "function u0:3(i64) -> i8 {\r
    ss0 = explicit_slot 0x10, align = 1\r
    fn0 = u0:1(i64)\r
block0(v0: i64):\r
    v1 = iconst.i8 -128\r
    v2 = load.i8 v0+0x10\r
    v3 = f32const 1.5\r
    v4 = f64const -Inf\r
    v5 = iadd_imm v0, 0xffff_ffff_ffff_ffff\r
    call fn0(v0)\r
    jump block1()\r
block1 cold:\r
    return v1\r
}";
    let f = &parse_functions(text).unwrap()[0];
    assert_eq!(
        f.to_string(),
        "function u0:3(i64) -> i8 fast {
    ss0 = explicit_slot 16
    sig0 = (i64) fast
    fn0 = u0:1 sig0

block0(v0: i64):
    v1 = iconst.i8 128
    v2 = load.i8 v0+16
    v3 = f32const 0x1.800000p0
    v4 = f64const -Inf
    v5 = iadd_imm v0, -1
    call fn0(v0)
    jump block1

block1:
    return v1
}
"
    );
}

#[test]
fn large_entity_numbers_need_a_large_input() {
    let short = body("    v1100000 = iconst.i32 1\n    return v1100000");
    let e = parse_test(&short).unwrap_err();
    assert_eq!((e.line, e.col), (3, 5));
    let long = format!("{short}; {}\n", "x".repeat(1_200_000));
    let f = &parse_functions(&long).unwrap()[0];
    assert_eq!(ty(f, 1_100_000), I32);
}

/// A function with parameters v0: i32 and v1: i64 whose block0 holds `insts` from line 3.
fn body(insts: &str) -> String {
    format!("function %e(i32, i64) {{\nblock0(v0: i32, v1: i64):\n{insts}\n}}\n")
}

/// One test per error: the text, then the expected line, column and message.
macro_rules! error_tests {
    ($($name:ident: $text:expr => $line:expr, $col:expr, $msg:expr;)*) => {$(
        #[test]
        fn $name() {
            let text: String = $text.into();
            let e = parse_test(&text).expect_err("should not parse");
            assert_eq!((e.line, e.col, e.message.as_str()), ($line, $col, $msg), "{text}");
        }
    )*};
}

error_tests! {
    err_expected_token: body("    v2 = iadd v0 v3") => 3, 18, "expected `,`, found `v3`";
    err_unknown_opcode: body("    v2 = iad v0, v0") => 3, 10, "unknown opcode `iad`";
    err_value_defined_twice: body("    v7 = iconst.i32 1\n    v7 = iconst.i32 2")
        => 4, 5, "value v7 is defined twice";
    err_param_defined_twice: body("    v1 = iconst.i32 1") => 3, 5, "value v1 is defined twice";
    err_block_defined_twice: "function %e() {\nblock4:\n    jump block4\nblock4:\n    return\n}"
        => 4, 1, "block4 is defined twice";
    err_undefined_value: body("    v2 = iadd v0, v9") => 3, 19, "undefined value v9";
    err_undefined_block: body("    jump block9") => 3, 10, "undefined block block9";
    err_unknown_type: body("    v2 = iconst.i33 1") => 3, 17, "unknown type `i33`";
    err_unknown_param_type: "function %e(i32, f16) {\n}" => 1, 18, "unknown type `f16`";
    err_int_does_not_fit: body("    v2 = iconst.i8 300") => 3, 20, "integer 300 does not fit in i8";
    err_negative_int_does_not_fit: body("    v2 = iconst.i16 -32769")
        => 3, 21, "integer -32769 does not fit in i16";
    err_int_does_not_fit_64: body("    v2 = iadd_imm v0, 0x1_0000_0000_0000_0000")
        => 3, 23, "integer 0x1_0000_0000_0000_0000 does not fit in 64 bits";
    err_not_an_integer: body("    v2 = iconst.i32 v0") => 3, 21, "expected an integer, found `v0`";
    err_result_count: body("    v2, v3 = iadd v0, v0")
        => 3, 5, "`iadd` has 1 result, but 2 values are named";
    err_result_count_none: body("    v2 = store v0, v1")
        => 3, 5, "`store` has 0 results, but 1 value is named";
    err_result_count_call: "function %e() {\n    fn0 = %g() -> i32, i32\nblock0:\n    v1 = call fn0()\n}"
        => 4, 5, "`call` has 2 results, but 1 value is named";
    err_missing_suffix: body("    v2 = iconst 1")
        => 3, 10, "`iconst` needs a type suffix, e.g. `iconst.i32`";
    err_suffix_not_allowed: body("    v2 = iconst.f32 1")
        => 3, 17, "type f32 is not allowed for `iconst` (expected i8|i16|i32|i64)";
    err_suffix_on_untyped: body("    jump.i32 block0") => 3, 10, "`jump` takes no type suffix";
    err_entity_too_large: body("    v4000000000 = iconst.i32 1")
        => 3, 5, "`v4000000000`: entity numbers above 1048576 are not supported";
    err_block_too_large: "function %e() {\nblock1048577:\n}"
        => 2, 1, "`block1048577`: entity numbers above 1048576 are not supported";
    err_unknown_trap_code: body("    trap oops") => 3, 10, "unknown trap code `oops`";
    err_unknown_memflag: body("    v2 = load.i32 fast v1") => 3, 19, "unknown memory flag `fast`";
    err_unknown_intcc: body("    v2 = icmp lt v0, v0")
        => 3, 15, "unknown integer condition code `lt`";
    err_unknown_floatcc: body("    v2 = fcmp slt v0, v0")
        => 3, 15, "unknown float condition code `slt`";
    err_offset_too_large: body("    v2 = load.i32 v1+2147483648")
        => 3, 21, "offset +2147483648 does not fit in 32 bits";
    err_undefined_stack_slot: body("    v2 = stack_load.i32 ss0") => 3, 25, "undefined stack slot ss0";
    err_undefined_func_ref: body("    call fn1()") => 3, 10, "undefined function reference fn1";
    err_undefined_sig_ref: "function %e() {\n    fn0 = %g sig3\n}" => 2, 14, "undefined signature sig3";
    err_declared_twice: "function %e() {\n    ss0 = explicit_slot 4\n    ss0 = explicit_slot 8\n}"
        => 3, 5, "ss0 is declared twice";
    err_declaration_gap: "function %e() {\n    sig1 = () fast\n}"
        => 2, 5, "sig1 is declared but sig0 is not (signatures are numbered from sig0 without gaps)";
    err_unknown_slot_kind: "function %e() {\n    ss0 = dynamic_slot 4\n}"
        => 2, 11, "unknown stack slot kind `dynamic_slot`";
    err_bad_alignment: "function %e() {\n    ss0 = explicit_slot 4, align = 3\n}"
        => 2, 36, "alignment 3 is not a power of two";
    err_declaration_after_block: "function %e() {\nblock0:\n    ss0 = explicit_slot 4\n}"
        => 3, 5, "`ss0`: declarations must come before the first block";
    err_alias_cycle: body("    v2 -> v3\n    v3 -> v2") => 4, 11, "alias cycle: v3 -> v2 leads back to v3";
    err_cannot_infer: body("    v2 = iadd v3, v3\n    v3 = iadd v2, v2")
        => 3, 5, "cannot infer the controlling type of `iadd` from v3: its type depends on this \
                  instruction; write a type suffix such as `iadd.i32`";
    err_no_result_type: body("    v3 = ireduce.i8 v0\n    v4, v5 = isplit v3")
        => 4, 5, "`isplit` has no result type for controlling type i8";
    err_invalid_float: body("    v2 = f32const 1.5x")
        => 3, 19, "invalid f32 literal `1.5x`: invalid float literal";
    err_unexpected_character: body("    v2 = iadd v0, $") => 3, 19, "unexpected character `$`";
    err_unexpected_eof: "function %e() {\nblock0:\n    return" => 3, 11, "expected `}`, found end of file";
    err_missing_brace: "function %e() {\nblock0:\n    return\nfunction %f() {\n}"
        => 4, 1, "expected `}`, found `function`";
    err_inst_before_block: "function %e() {\n    return\n}"
        => 2, 5, "expected a block header, found `return`";
    err_trailing_tokens: body("    v2 = iadd v0, v0 v0")
        => 3, 22, "expected end of line after the instruction, found `v0`";
    err_unknown_call_conv: "function %e() windows {\n}" => 1, 15, "unknown calling convention `windows`";
    err_bad_function_name: "function f() {\n}"
        => 1, 10, "expected a function name (`%name` or `uN:M`), found `f`";
    err_test_without_name: "test\nfunction %e() {\n}" => 1, 5, "expected a test name";
    err_set_without_value: "set opt_level=\n" => 1, 15, "expected a value for `opt_level`";
    err_unknown_header: "frob x\n" => 1, 1, "expected `test`, `target`, `set` or `function`, found `frob`";
    err_header_after_function: "function %e() {\n}\ntest cat\n" => 3, 1, "expected `function`, found `test`";
}

/// A small deterministic generator for the robustness tests.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const VOCABULARY: &[&str] = &[
    "v0",
    "v1",
    "v2",
    "v3",
    "v77",
    "block0",
    "block1",
    "block2",
    "(",
    ")",
    ",",
    ":",
    "=",
    "->",
    ".",
    "i32",
    "i8",
    "i128",
    "f64",
    "iadd",
    "iconst",
    "iconst.i8",
    "jump",
    "brif",
    "br_table",
    "[",
    "]",
    "{",
    "}",
    "function",
    "%f",
    "u0:1",
    "ss0",
    "sig0",
    "fn0",
    "explicit_slot",
    "call",
    "call_indirect",
    "\n",
    "    ",
    " ",
    "+8",
    "-4",
    "0x1p3",
    "-NaN:0x1",
    "+Inf",
    "1.5",
    "300",
    "-1",
    "load",
    "store",
    "notrap",
    "user1",
    "; c",
    "test",
    "set",
    "target",
    "cold",
    "isplit",
    "return",
    "v4294967295",
    "block99999999999",
    "@01",
    "é",
    "\0",
    "fcmp",
    "uno",
    "trap",
    "stack_store",
    "func_addr.i64",
    "align",
    "colocated",
    "uext",
    "system_v",
    "sig0 = (i32)",
    "fn0 = %g sig0",
    "v2 -> v1",
    "v1, v2 =",
    "+",
    "-",
    "%",
    "@",
    "0x",
    "-0x8000_0000",
];

/// Parses `text`, which must not panic; if it parses, printing must be stable.
fn check_no_panic(text: &str) {
    if let Ok(funcs) = parse_functions(text) {
        let printed = print_all(&funcs);
        // Text only a type suffix made parsable (suffixes of inferred types are not printed)
        // may not parse back; when it does, it prints the same.
        if let Ok(again) = parse_functions(&printed) {
            assert_eq!(print_all(&again), printed, "from {text:?}");
        }
    }
}

#[test]
fn truncated_input_gives_errors_not_panics() {
    // Every cut inside the function leaves it unfinished.
    let (start, end) = (COMMON.find("function").unwrap(), COMMON.rfind('}').unwrap());
    for (i, _) in COMMON.char_indices() {
        let r = parse_test(&COMMON[..i]);
        if i > start && i <= end {
            assert!(r.is_err(), "{:?}", &COMMON[..i]);
        }
    }
    for (i, _) in SAMPLE.char_indices().step_by(3) {
        check_no_panic(&SAMPLE[..i]);
    }
}

#[test]
fn garbage_gives_errors_not_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let prefix =
        "function %f(i32, i64) {\n    ss0 = explicit_slot 8\n    sig0 = (i32) -> i32\n    \
                  fn0 = %g sig0\nblock0(v0: i32, v1: i64):\n";
    for round in 0..3000 {
        let mut s = String::new();
        if round % 2 == 0 {
            s.push_str(prefix);
        }
        for _ in 0..rng.below(40) {
            if rng.below(8) == 0 {
                // A random byte, kept valid UTF-8.
                s.push(char::from(rng.below(128) as u8));
            } else {
                s.push_str(VOCABULARY[rng.below(VOCABULARY.len())]);
                if rng.below(3) == 0 {
                    s.push(' ');
                }
            }
        }
        check_no_panic(&s);
        let _ = parse_test(&s);
    }
    // Mutations of a valid file: replace a random span with random tokens.
    for _ in 0..300 {
        let mut s = SAMPLE.to_string();
        for _ in 0..1 + rng.below(3) {
            let a = rng.below(s.len());
            let b = (a + rng.below(8)).min(s.len());
            if s.is_char_boundary(a) && s.is_char_boundary(b) {
                s.replace_range(a..b, VOCABULARY[rng.below(VOCABULARY.len())]);
            }
        }
        check_no_panic(&s);
    }
    // Lines of the sample in random order and combination: forward references, undefined
    // values, duplicate definitions, aliases and missing declarations.
    let mut lines: Vec<&str> = SAMPLE
        .lines()
        .filter(|l| !l.starts_with("function") && !l.starts_with('}'))
        .collect();
    lines.extend([
        "    v3 -> v2",
        "    v9 -> v90",
        "block7 cold:",
        "    v2 = iadd.i32 v3, v3",
    ]);
    for _ in 0..1000 {
        let mut s = String::from("function %f(i32, i64) {\n");
        if rng.below(2) == 0 {
            s.push_str("block100(v0: i32, v1: i64):\n");
        }
        for _ in 0..1 + rng.below(30) {
            s.push_str(lines[rng.below(lines.len())]);
            s.push('\n');
        }
        s.push_str("}\n");
        check_no_panic(&s);
    }
}
