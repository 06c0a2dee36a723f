//! `kiln run FILE --invoke NAME [ARGS...]`: instantiate a module without imports and call one
//! of its exports, printing each result on its own line. FILE is a Wasm binary, Wasm text, or
//! a module serialized by `kiln compile` (recognised by its magic bytes).

use crate::engine_args::EngineArgs;
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use kiln_runtime::{Engine, Linker, Module, Store, Val, ValType};
use std::path::{Path, PathBuf};

/// Arguments of `kiln run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The module: binary `.wasm`, text `.wat`, or serialized by `kiln compile` (`.kwasm`).
    pub file: PathBuf,
    /// The exported function to call.
    #[arg(long, required = true)]
    pub invoke: String,
    /// The call's arguments, parsed by the function's parameter types.
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Engine configuration.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Runs the command; `Ok(false)` means the call trapped (the message is already on stderr).
pub fn run_command(args: &RunArgs) -> Result<bool> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?;
    let engine = Engine::new(&args.engine.config())?;
    let started = std::time::Instant::now();
    let module = if Module::is_serialized(&bytes) {
        Module::deserialize(&engine, &bytes)
    } else {
        Module::new(&engine, wasm_binary(&args.file, &bytes)?)
    }
    .map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    log::info!("{}: loaded in {:?}", args.file.display(), started.elapsed());
    let mut store = Store::new(&engine, ())?;
    let linker = Linker::new(&engine);
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_func(&store, &args.invoke)
        .ok_or_else(|| anyhow!("no exported function `{}`", args.invoke))?;
    let ty = func.ty(&store)?;
    let params: Vec<ValType> = ty.params().collect();
    if params.len() != args.args.len() {
        bail!(
            "`{}` takes {} argument(s), {} given",
            args.invoke,
            params.len(),
            args.args.len()
        );
    }
    let vals = params
        .iter()
        .zip(&args.args)
        .map(|(t, s)| parse_arg(*t, s))
        .collect::<Result<Vec<_>>>()?;
    let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
    match func.call(&mut store, &vals, &mut results) {
        Ok(()) => {
            for r in &results {
                println!("{}", format_val(r));
            }
            Ok(true)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(false)
        }
    }
}

/// `bytes` (read from `path`) as a Wasm binary: text is assembled, binaries pass through
/// unchanged.
pub fn wasm_binary<'a>(path: &Path, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>> {
    wat::parse_bytes(bytes).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parses a command-line argument as a value of type `ty`.
fn parse_arg(ty: ValType, s: &str) -> Result<Val> {
    let bad = || anyhow!("`{s}` is not a valid {ty:?} argument");
    Ok(match ty {
        ValType::I32 => Val::I32(
            parse_int(s)
                .and_then(|v| {
                    i32::try_from(v)
                        .ok()
                        .or_else(|| u32::try_from(v).ok().map(|u| u as i32))
                })
                .ok_or_else(bad)?,
        ),
        ValType::I64 => Val::I64(
            parse_int(s)
                .and_then(|v| {
                    i64::try_from(v)
                        .ok()
                        .or_else(|| u64::try_from(v).ok().map(|u| u as i64))
                })
                .ok_or_else(bad)?,
        ),
        ValType::F32 => Val::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Val::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
        _ => bail!("arguments of type {ty:?} are not supported on the command line"),
    })
}

/// Parses a decimal or `0x` hexadecimal integer, either sign, into an `i128`.
fn parse_int(s: &str) -> Option<i128> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Formats a result like `wasmtime run --invoke`: integers in decimal, floats as Rust prints them.
fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::V128(x) => format!("{x:#034x}"),
        Val::FuncRef(f) => if f.is_some() { "<funcref>" } else { "null" }.to_string(),
        Val::ExternRef(e) => if e.is_some() { "<externref>" } else { "null" }.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_signed_unsigned_and_hex() {
        assert!(matches!(
            parse_arg(ValType::I32, "-1").unwrap(),
            Val::I32(-1)
        ));
        assert!(matches!(
            parse_arg(ValType::I32, "4294967295").unwrap(),
            Val::I32(-1)
        ));
        assert!(matches!(
            parse_arg(ValType::I64, "0x10").unwrap(),
            Val::I64(16)
        ));
        assert!(parse_arg(ValType::I32, "4294967296").is_err());
        assert!(parse_arg(ValType::I32, "abc").is_err());
    }

    #[test]
    fn floats_print_in_rust_format() {
        assert_eq!(format_val(&Val::F64(1.5f64.to_bits())), "1.5");
        assert_eq!(format_val(&Val::F32(2.0f32.to_bits())), "2");
        assert_eq!(format_val(&Val::I64(-7)), "-7");
    }
}
