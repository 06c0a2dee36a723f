//! `kiln-bench`: Kiln side by side with Wasmtime (Cranelift, Winch) and wasmi.
//!
//! ```text
//! kiln-bench [--out FILE] [--reps N] [--only W1,W2] [--engines E1,E2] [--shared DIR]
//!                                          everything; writes the Markdown table
//! kiln-bench mem --engine E --wasm FILE    (child) peak heap and RSS growth of one compile
//! kiln-bench disas --engine kiln|cranelift --wasm FILE [--func N|all]
//!                                          listing of function N (or all), or sizes of all functions
//! kiln-bench compile-loop --wasm FILE --reps N [--engine E]   for profilers
//! kiln-bench run-once --wasm FILE --n N [--engine E]          for profilers
//! kiln-bench instantiate-loop --wasm FILE --reps N [--engine E]   for profilers
//! kiln-bench profile-kiln --wasm FILE --n N    Kiln, with /tmp/perf-PID.map for `perf record`
//! ```

mod alloc;
mod disas;
mod engines;
mod measure;
mod report;
mod workloads;

use engines::EngineKind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Command-line options: `--key value` pairs after an optional subcommand.
struct Args {
    cmd: String,
    opts: HashMap<String, String>,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut it = std::env::args().skip(1).peekable();
        let cmd = match it.peek() {
            Some(a) if !a.starts_with("--") => it.next().unwrap(),
            _ => "bench".to_string(),
        };
        let mut opts = HashMap::new();
        while let Some(k) = it.next() {
            let Some(key) = k.strip_prefix("--") else {
                return Err(format!("unexpected argument `{k}`"));
            };
            let v = it
                .next()
                .ok_or_else(|| format!("`--{key}` needs a value"))?;
            opts.insert(key.to_string(), v);
        }
        Ok(Args { cmd, opts })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.opts.get(key).map(|s| s.as_str())
    }

    fn need(&self, key: &str) -> Result<&str, String> {
        self.get(key)
            .ok_or_else(|| format!("`--{key}` is required"))
    }

    fn num<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("`--{key} {v}`: not a number")),
        }
    }

    fn engine(&self, default: EngineKind) -> Result<EngineKind, String> {
        match self.get("engine") {
            None => Ok(default),
            Some(e) => EngineKind::parse(e).ok_or_else(|| format!("unknown engine `{e}`")),
        }
    }
}

fn main() -> ExitCode {
    let result = Args::parse().and_then(|args| match args.cmd.as_str() {
        "bench" => bench(&args),
        "mem" => mem(&args),
        "disas" => disas_cmd(&args),
        "compile-loop" => compile_loop(&args),
        "run-once" => run_once(&args),
        "instantiate-loop" => {
            let wasm = read(args.need("wasm")?)?;
            let compiled = args.engine(EngineKind::Kiln)?.build()?.compile(&wasm)?;
            for _ in 0..args.num("reps", 1usize)? {
                drop(compiled.instantiate()?);
            }
            Ok(())
        }
        "profile-kiln" => {
            let wasm = read(args.need("wasm")?)?;
            println!("{}", disas::kiln_profile_run(&wasm, args.num("n", 1)?)?);
            Ok(())
        }
        c => Err(format!("unknown command `{c}`")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    if path.ends_with(".wat") {
        wat::parse_file(path).map_err(|e| format!("{path}: {e}"))
    } else {
        std::fs::read(path).map_err(|e| format!("{path}: {e}"))
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = args
        .get("shared")
        .map(PathBuf::from)
        .unwrap_or_else(|| here.join("../../shared/bench"));
    let reps: usize = args.num("reps", 10)?;
    let mut work = workloads::load(&shared, &here.join("workloads"))?;
    if let Some(only) = args.get("only") {
        let names: Vec<&str> = only.split(',').collect();
        work.retain(|w| names.contains(&w.name.as_str()));
    }
    let kinds: Vec<EngineKind> = match args.get("engines") {
        None => EngineKind::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|e| EngineKind::parse(e).ok_or_else(|| format!("unknown engine `{e}`")))
            .collect::<Result<_, _>>()?,
    };
    let mut header = vec![
        format!("Date: {}", shell("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        format!(
            "Machine: {}, {} logical cores (`/proc/cpuinfo`)",
            cpu_model(),
            num_cpus()
        ),
        format!(
            "Versions: {}, wasmtime {}, wasmi {}, Kiln commit {}",
            shell("rustc", &["-V"]),
            locked_version("wasmtime"),
            locked_version("wasmi"),
            kiln_commit(here)
        ),
        format!("Load average at start: {}", loadavg()),
    ];
    let engines: HashMap<EngineKind, Box<dyn engines::Engine>> = kinds
        .iter()
        .map(|&k| k.build().map(|e| (k, e)))
        .collect::<Result<_, _>>()?;
    let mut results = Vec::new();
    for w in work {
        eprintln!("{} ({} bytes, run({}))", w.name, w.wasm.len(), w.n);
        let mut figs = measure::measure(&w, &kinds, &engines, reps, &mut |m| eprintln!("{m}"));
        for &k in &kinds {
            let f = figs.get_mut(&k).unwrap();
            if f.failure.is_some() {
                continue;
            }
            match mem_child(k, &w.path) {
                Ok((heap, rss)) => {
                    f.peak_heap = Some(heap);
                    f.peak_rss = Some(rss);
                }
                Err(e) => eprintln!("  memory of {}: {e}", k.name()),
            }
        }
        results.push((w, figs));
    }
    header.push(format!("Load average at end: {}", loadavg()));
    let text = report::render(&report::Run {
        results,
        kinds,
        reps,
        header,
    });
    match args.get("out") {
        Some(path) => std::fs::write(path, &text).map_err(|e| format!("{path}: {e}"))?,
        None => print!("{text}"),
    }
    Ok(())
}

/// Runs `mem` in a child process so each measurement starts from a fresh heap and RSS.
fn mem_child(kind: EngineKind, wasm: &Path) -> Result<(u64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["mem", "--engine", kind.name(), "--wasm"])
        .arg(wasm)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<u64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match v[..] {
        [heap, rss] => Ok((heap, rss)),
        _ => Err(format!("unexpected output `{text}`")),
    }
}

/// Child: compiles once and prints the heap peak and the RSS peak growth, in bytes.
fn mem(args: &Args) -> Result<(), String> {
    let kind = args.engine(EngineKind::Kiln)?;
    let wasm = read(args.need("wasm")?)?;
    let engine = kind.build()?;
    let base = alloc::live();
    alloc::reset_peak();
    let rss0 = alloc::max_rss();
    let compiled = engine.compile(&wasm)?;
    let heap = alloc::peak() - base;
    let rss = alloc::max_rss().saturating_sub(rss0);
    drop(compiled);
    println!("{heap} {rss}");
    Ok(())
}

fn disas_cmd(args: &Args) -> Result<(), String> {
    let wasm = read(args.need("wasm")?)?;
    let code = match args.engine(EngineKind::Kiln)? {
        EngineKind::Kiln | EngineKind::Kiln1 => disas::kiln_code(&wasm)?,
        EngineKind::Cranelift | EngineKind::Cranelift1 => disas::cranelift_code(&wasm)?,
        e => return Err(format!("no disassembly for {}", e.name())),
    };
    match args.get("func") {
        Some("all") => {
            for (i, c) in &code {
                println!("; function {i}");
                print!("{}", disas::listing(c));
            }
        }
        Some(f) => {
            let idx: u32 = f.parse().map_err(|_| format!("bad function index `{f}`"))?;
            let c = code
                .get(&idx)
                .ok_or_else(|| format!("no defined function {idx}"))?;
            print!("{}", disas::listing(c));
        }
        None => {
            // Sizes side by side: the same index from both compilers.
            let other = match args.engine(EngineKind::Kiln)? {
                EngineKind::Kiln | EngineKind::Kiln1 => disas::cranelift_code(&wasm)?,
                _ => disas::kiln_code(&wasm)?,
            };
            println!("func  bytes  insts  | other: bytes  insts");
            let (mut a, mut b) = (0, 0);
            for (i, c) in &code {
                let o = other.get(i).map(|o| o.as_slice()).unwrap_or(&[]);
                a += c.len();
                b += o.len();
                println!(
                    "{i:4} {:6} {:6}  | {:6} {:6}",
                    c.len(),
                    disas::count(c),
                    o.len(),
                    disas::count(o)
                );
            }
            println!("total {a} bytes | other {b} bytes");
        }
    }
    Ok(())
}

fn compile_loop(args: &Args) -> Result<(), String> {
    let wasm = read(args.need("wasm")?)?;
    let engine = args.engine(EngineKind::Kiln1)?.build()?;
    for _ in 0..args.num("reps", 1usize)? {
        drop(engine.compile(&wasm)?);
    }
    Ok(())
}

fn run_once(args: &Args) -> Result<(), String> {
    let wasm = read(args.need("wasm")?)?;
    let engine = args.engine(EngineKind::Kiln)?.build()?;
    let compiled = engine.compile(&wasm)?;
    let mut inst = compiled.instantiate()?;
    println!("{}", inst.run(args.num("n", 1)?)?);
    Ok(())
}

fn shell(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The version of `name` in this workspace's lock file.
fn locked_version(name: &str) -> String {
    let lock = include_str!("../Cargo.lock");
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == format!("name = \"{name}\"") {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = ")) {
                return v.trim_matches('"').to_string();
            }
        }
    }
    "?".into()
}

fn kiln_commit(dir: &Path) -> String {
    let head = shell(
        "git",
        &["-C", &dir.to_string_lossy(), "rev-parse", "--short", "HEAD"],
    );
    let dirty = Command::new("git")
        .args([
            "-C",
            &dir.to_string_lossy(),
            "diff",
            "--quiet",
            "HEAD",
            "--",
            "..",
        ])
        .status()
        .map(|s| !s.success())
        .unwrap_or(false);
    if dirty {
        format!("{head} (with uncommitted changes)")
    } else {
        head
    }
}
