//! Machine code of one Wasm function from Kiln and from Cranelift, for comparing hot loops,
//! and code sizes per function.

use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
use kiln_runtime::{CompiledFunction, Compiler};
use object::{Object, ObjectSection, ObjectSymbol};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Kiln's compiler, keeping a copy of every defined function's code (by Wasm index).
struct Recorder {
    inner: kiln_runtime::x64::X64Compiler,
    code: Mutex<BTreeMap<u32, Vec<u8>>>,
    /// Offset of each function's first relocation (bytes before it are final).
    first_reloc: Mutex<BTreeMap<u32, usize>>,
}

impl Compiler for Recorder {
    fn compile(
        &self,
        func: &kiln_ir::Function,
    ) -> Result<CompiledFunction, kiln_runtime::CompileError> {
        let out = self.inner.compile(func)?;
        if let kiln_ir::UserFuncName::User {
            namespace: 0,
            index,
        } = func.name
        {
            self.code.lock().unwrap().insert(index, out.code.clone());
            let first = out.relocs.iter().map(|r| r.offset as usize).min();
            self.first_reloc
                .lock()
                .unwrap()
                .insert(index, first.unwrap_or(out.code.len()));
        }
        Ok(out)
    }
}

/// Kiln's machine code of every defined function, by function index (imports included in
/// the numbering).
pub fn kiln_code(wasm: &[u8]) -> Result<BTreeMap<u32, Vec<u8>>, String> {
    Ok(kiln_compile(wasm)?.1)
}

type KilnCompiled = (
    kiln_runtime::Module,
    BTreeMap<u32, Vec<u8>>,
    BTreeMap<u32, usize>,
);

fn kiln_compile(wasm: &[u8]) -> Result<KilnCompiled, String> {
    let mut config = kiln_runtime::Config::new();
    config.parallel_compilation(false);
    let rec = Arc::new(Recorder {
        inner: kiln_runtime::x64::X64Compiler::new(&config).map_err(|e| e.to_string())?,
        code: Mutex::new(BTreeMap::new()),
        first_reloc: Mutex::new(BTreeMap::new()),
    });
    let engine = kiln_runtime::Engine::with_compiler(&config, rec.clone());
    let module = kiln_runtime::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
    let code = std::mem::take(&mut *rec.code.lock().unwrap());
    let first = std::mem::take(&mut *rec.first_reloc.lock().unwrap());
    Ok((module, code, first))
}

/// Compiles `wasm` with Kiln, writes `/tmp/perf-PID.map` naming each function's code
/// (found by searching the process's executable mappings for its bytes up to its first
/// relocation), then runs `run(n)`: under `perf record`, samples in Kiln's code get names.
pub fn kiln_profile_run(wasm: &[u8], n: i32) -> Result<i64, String> {
    let (module, code, first) = kiln_compile(wasm)?;
    let engine = module.engine().clone();
    let mut store = kiln_runtime::Store::new(&engine, ()).map_err(|e| e.to_string())?;
    let instance =
        kiln_runtime::Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
    let run = instance
        .get_typed_func::<i32, i64>(&store, "run")
        .map_err(|e| e.to_string())?;
    let maps = std::fs::read_to_string("/proc/self/maps").map_err(|e| e.to_string())?;
    let mut regions = Vec::new();
    for line in maps.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // Anonymous executable mappings only.
        if f.len() == 5 && f[1].starts_with("r-x") {
            let (a, b) = f[0].split_once('-').unwrap();
            let a = usize::from_str_radix(a, 16).unwrap();
            let b = usize::from_str_radix(b, 16).unwrap();
            regions.push((a, b));
        }
    }
    let mut map = String::new();
    for (idx, bytes) in &code {
        let len = first[idx].min(bytes.len()).min(96);
        if len < 12 {
            continue;
        }
        let needle = &bytes[..len];
        for &(a, b) in &regions {
            // SAFETY: the region is mapped readable for the life of the module, which is alive.
            let hay = unsafe { std::slice::from_raw_parts(a as *const u8, b - a) };
            if let Some(pos) = hay.windows(len).position(|w| w == needle) {
                map.push_str(&format!(
                    "{:x} {:x} wasm_function_{idx}\n",
                    a + pos,
                    bytes.len()
                ));
                break;
            }
        }
    }
    std::fs::write(format!("/tmp/perf-{}.map", std::process::id()), map)
        .map_err(|e| e.to_string())?;
    run.call(&mut store, n).map_err(|e| e.to_string())
}

/// Cranelift's machine code of every defined function, by function index, from the symbols
/// (`wasm[0]::function[N]...`) of Wasmtime's precompiled object.
pub fn cranelift_code(wasm: &[u8]) -> Result<BTreeMap<u32, Vec<u8>>, String> {
    let mut config = crate::engines::wasmtime_config(crate::engines::EngineKind::Cranelift1);
    config.parallel_compilation(false);
    let engine = wasmtime::Engine::new(&config).map_err(|e| e.to_string())?;
    let elf = engine.precompile_module(wasm).map_err(|e| e.to_string())?;
    let file = object::File::parse(&*elf).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        let Some(rest) = name.strip_prefix("wasm[0]::function[") else {
            continue;
        };
        let Some(idx) = rest.split(']').next().and_then(|i| i.parse::<u32>().ok()) else {
            continue;
        };
        let Some(section) = sym
            .section_index()
            .and_then(|i| file.section_by_index(i).ok())
        else {
            continue;
        };
        let data = section.data().map_err(|e| e.to_string())?;
        let start = (sym.address() - section.address()) as usize;
        let end = start + sym.size() as usize;
        if end <= data.len() {
            out.insert(idx, data[start..end].to_vec());
        }
    }
    if out.is_empty() {
        return Err("no `wasm[0]::function[N]` symbols in Wasmtime's object".into());
    }
    Ok(out)
}

/// An Intel-syntax listing of `code` with offsets.
pub fn listing(code: &[u8]) -> String {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut out = String::new();
    let mut text = String::new();
    let mut inst = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut inst);
        text.clear();
        formatter.format(&inst, &mut text);
        out.push_str(&format!("{:6x}  {text}\n", inst.ip()));
    }
    out
}

/// Instruction count of `code`.
pub fn count(code: &[u8]) -> usize {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut n = 0;
    let mut inst = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut inst);
        n += 1;
    }
    n
}
