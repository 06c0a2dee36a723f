//! `kiln compile FILE [-o OUT]`: compile a module ahead of time into Kiln's serialized format
//! (for `kiln run OUT`); with `--emit clif|asm`, print each function's IR after translation or
//! its disassembly instead.

use crate::engine_args::EngineArgs;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};
use kiln_backend_x64::isa::x64::{compile_function, CompileOptions};
use kiln_backend_x64::machinst::compile::CompileContext;
use kiln_backend_x64::machinst::RelocTarget;
use kiln_frontend_wasm::{translate_module, FuncTranslator, StandardEnvironment, VMOffsets};
use kiln_ir::{Function, UserFuncName};
use kiln_runtime::{Engine, Module};
use std::fmt::Write as _;
use std::path::PathBuf;

/// What `--emit` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The Kiln IR of every function, as the Wasm frontend translated it.
    Clif,
    /// The x86-64 disassembly of every function's compiled code.
    Asm,
}

/// Arguments of `kiln compile`.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// The module: binary `.wasm` or text `.wat`.
    pub file: PathBuf,
    /// Output file (default: FILE with the extension `.kwasm`; with `--emit`, standard output).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Print the functions' IR (`clif`) or disassembly (`asm`) instead of serializing.
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,
    /// Engine configuration (recorded in the serialized module: `kiln run` must use the same).
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Runs the command.
pub fn compile_command(args: &CompileArgs) -> Result<bool> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?;
    if Module::is_serialized(&bytes) {
        bail!(
            "{}: already a serialized module (`kiln run` runs it)",
            args.file.display()
        );
    }
    let wasm = crate::run_cmd::wasm_binary(&args.file, &bytes)?;
    let config = args.engine.config();
    let text = match args.emit {
        None => {
            let engine = Engine::new(&config)?;
            let started = std::time::Instant::now();
            let module =
                Module::new(&engine, &wasm).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
            let bytes = module.serialize()?;
            let out = args
                .output
                .clone()
                .unwrap_or_else(|| args.file.with_extension("kwasm"));
            std::fs::write(&out, &bytes).with_context(|| format!("{}", out.display()))?;
            log::info!(
                "{}: {} bytes of Wasm compiled and written to {} ({} bytes) in {:?}",
                args.file.display(),
                wasm.len(),
                out.display(),
                bytes.len(),
                started.elapsed()
            );
            return Ok(true);
        }
        Some(emit) => emit_text(&wasm, &config, emit)
            .map_err(|e| anyhow!("{}: {e:#}", args.file.display()))?,
    };
    match &args.output {
        Some(out) => std::fs::write(out, text).with_context(|| format!("{}", out.display()))?,
        None => print!("{text}"),
    }
    Ok(true)
}

/// The IR or the disassembly of every function defined by `wasm`, in index order.
fn emit_text(wasm: &[u8], config: &kiln_runtime::Config, emit: Emit) -> Result<String> {
    let translation = translate_module(wasm)?;
    let info = &translation.info;
    let env = StandardEnvironment {
        offsets: VMOffsets::new(info),
        heap: config.heap_config(),
    };
    let flags = kiln_runtime::x64::X64Compiler::new(config)?.flags();
    let mut translator = FuncTranslator::new();
    let mut ctx = CompileContext::new();
    let mut out = String::new();
    for body in translation.bodies {
        let index = body.index;
        let name = info.function_name(index);
        let mut func = Function::new();
        translator.translate(info, &env, body, &mut func)?;
        match emit {
            Emit::Clif => {
                writeln!(out, "; function {index}: {name}")?;
                writeln!(out, "{}", func.display())?;
            }
            Emit::Asm => {
                kiln_ir::verifier::verify_function(&func)
                    .map_err(|e| anyhow!("function `{name}` does not verify: {e}"))?;
                let opts = CompileOptions {
                    flags,
                    listing: true,
                    fast_regalloc: false,
                    stack_limit_check: true,
                };
                let compiled = compile_function(&mut ctx, &func, opts)
                    .map_err(|e| anyhow!("cannot compile `{name}`: {e}"))?;
                let listing = compiled.listing.unwrap_or_default();
                let disassembly = listing
                    .split_once("; disassembly\n")
                    .map_or(listing.as_str(), |(_, d)| d);
                writeln!(
                    out,
                    "; function {index}: {name} ({} bytes)",
                    compiled.code_len
                )?;
                writeln!(out, "{name}:")?;
                write!(out, "{disassembly}")?;
                // Calls are linked later: name their targets.
                for r in &compiled.relocs {
                    let target = match &r.target {
                        RelocTarget::Func(f) => func.dfg.ext_funcs[*f].name.clone(),
                        RelocTarget::Name(n) => n.clone(),
                    };
                    let target = match target {
                        UserFuncName::User {
                            namespace: 0,
                            index,
                        } => info.function_name(index),
                        other => other.to_string(),
                    };
                    writeln!(
                        out,
                        "  ; relocation at {:#x}: {:?} -> {target}",
                        r.offset, r.kind
                    )?;
                }
                writeln!(out)?;
            }
        }
    }
    log::debug!(
        "{:?} of {} functions emitted",
        emit,
        info.num_defined_functions()
    );
    Ok(out)
}
