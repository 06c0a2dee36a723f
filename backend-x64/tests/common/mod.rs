//! Shared by the width-audit tests: compile a CLIF function, decode the machine code with
//! iced-x86 and report every memory access near the tested load's displacement.

#![allow(dead_code)]

use iced_x86::{
    Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic, Register,
};
use kiln_backend_x64::isa::x64::{compile_function, CompileOptions, Flags};
use kiln_backend_x64::machinst::compile::CompileContext;

/// The displacement every tested load uses (`load.T v0+DISP`): no frame, spill or argument
/// offset of these small functions comes near it, so an access whose displacement lies in
/// `DISP - WINDOW .. DISP + WINDOW` can only come from the tested load.
pub const DISP: i64 = 0x5a50;
/// Half the width of the displacement window attributed to the tested load.
pub const WINDOW: i64 = 256;

/// One decoded memory access attributed to the tested load.
#[derive(Clone, Debug)]
pub struct Access {
    /// Displacement of the operand.
    pub disp: i64,
    /// Bytes the instruction reads or writes there.
    pub size: u32,
    /// The instruction's mnemonic.
    pub mnemonic: Mnemonic,
    /// The instruction in Intel syntax, for messages.
    pub text: String,
}

/// The CPU-feature sets every function is compiled with: the SSE2 baseline, everything
/// but AVX, and everything (VEX encodings). Compiling needs no host support.
pub fn flag_sets() -> Vec<(&'static str, Flags)> {
    let all = Flags {
        has_sse41: true,
        has_avx: true,
        has_avx2: true,
        has_bmi1: true,
        has_bmi2: true,
        has_lzcnt: true,
        has_popcnt: true,
        has_fma: true,
    };
    let no_avx = Flags {
        has_avx: false,
        has_avx2: false,
        has_fma: false,
        ..all
    };
    vec![
        ("baseline", Flags::default()),
        ("no-avx", no_avx),
        ("all", all),
    ]
}

/// Why a case produced no code.
#[derive(Debug)]
pub enum Outcome {
    /// Compiled: the accesses in the load's window, and the whole listing for messages.
    Compiled(Vec<Access>, String),
    /// The backend has no lowering for something in the function (`not lowered yet`).
    NotLowered(String),
}

/// Parses, verifies and compiles `text` (one function), then decodes it.
pub fn compile_and_decode(
    ctx: &mut CompileContext<kiln_backend_x64::isa::x64::MInst>,
    text: &str,
    flags: Flags,
) -> Outcome {
    let func = match kiln_ir::parser::parse_functions(text) {
        Ok(mut fs) => fs.remove(0),
        Err(e) => panic!("generated text does not parse: {e}\n{text}"),
    };
    if let Err(e) = kiln_ir::verifier::verify_function(&func) {
        panic!("generated function does not verify: {e}\n{text}");
    }
    let opts = CompileOptions {
        flags,
        ..CompileOptions::default()
    };
    let compiled = match compile_function(ctx, &func, opts) {
        Ok(c) => c,
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("not lowered yet"),
                "unexpected compile error `{msg}` for\n{text}"
            );
            return Outcome::NotLowered(msg);
        }
    };
    let code = &compiled.code[..compiled.code_len as usize];
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut fmt = IntelFormatter::new();
    let mut listing = String::new();
    let mut accesses = Vec::new();
    let mut inst = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut inst);
        assert!(!inst.is_invalid(), "undecodable code for\n{text}");
        let mut s = String::new();
        fmt.format(&inst, &mut s);
        listing.push_str(&s);
        listing.push('\n');
        if inst.mnemonic() == Mnemonic::Lea || inst.memory_base() == Register::RIP {
            continue;
        }
        let has_mem = (0..inst.op_count()).any(|i| inst.op_kind(i) == iced_x86::OpKind::Memory);
        if !has_mem {
            continue;
        }
        let disp = inst.memory_displacement64() as i64;
        if (DISP - WINDOW..DISP + WINDOW).contains(&disp) {
            accesses.push(Access {
                disp,
                size: inst.memory_size().size() as u32,
                mnemonic: inst.mnemonic(),
                text: s,
            });
        }
    }
    Outcome::Compiled(accesses, listing)
}

/// Checks that every access in the window lies inside `[DISP, DISP + width)` and that there
/// is at least one; returns the problem otherwise.
pub fn check_accesses(accesses: &[Access], width: u32) -> Result<(), String> {
    if accesses.is_empty() {
        return Err(format!(
            "no access at displacement {DISP:#x} (the load vanished?)"
        ));
    }
    for a in accesses {
        if a.size == 0 {
            return Err(format!("`{}`: access of unknown size", a.text));
        }
        if a.disp < DISP || a.disp + a.size as i64 > DISP + width as i64 {
            return Err(format!(
                "`{}` accesses bytes {}..{} of a {width}-byte load",
                a.text,
                a.disp - DISP,
                a.disp - DISP + a.size as i64
            ));
        }
    }
    Ok(())
}
