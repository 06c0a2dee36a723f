//! The workloads: the shared benchmark modules (checksums from their README) and this
//! folder's own `.wat` modules (checksums from `workloads/model.py`, in `checksums.txt`).

use std::path::{Path, PathBuf};

/// One module to measure.
pub struct Workload {
    /// Short name (the file stem).
    pub name: String,
    /// The Wasm binary.
    pub wasm: Vec<u8>,
    /// Where it came from.
    pub path: PathBuf,
    /// `run(n)` values with independently known results: every engine must reproduce them.
    pub checks: Vec<(i32, i64)>,
    /// The `n` of the timed runs.
    pub n: i32,
    /// One of the shared real-program modules (not this folder's single-feature ones).
    pub shared: bool,
}

/// `n` of the timed runs, chosen so the fastest engine needs at least 100 ms (the report
/// marks any workload where it did not).
fn timed_n(name: &str) -> i32 {
    match name {
        "markdown" => 25,
        "json" => 25,
        "sha2" => 30,
        "nbody" => 25,
        "calls" => 700,
        "float" => 130,
        "memory" => 170,
        "br_table" => 20,
        "call_indirect" => 14,
        _ => 10,
    }
}

/// Loads the shared modules from `shared` and this folder's `.wat` workloads.
pub fn load(shared: &Path, own: &Path) -> Result<Vec<Workload>, String> {
    let mut out = Vec::new();
    let readme = shared.join("README.md");
    let text =
        std::fs::read_to_string(&readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    for (file, checks) in parse_shared_readme(&text)? {
        let path = shared.join(&file);
        let wasm = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = file.trim_end_matches(".wasm").to_string();
        out.push(Workload {
            n: timed_n(&name),
            name,
            wasm,
            path,
            checks,
            shared: true,
        });
    }
    let sums_path = own.join("checksums.txt");
    let sums =
        std::fs::read_to_string(&sums_path).map_err(|e| format!("{}: {e}", sums_path.display()))?;
    let mut own_checks: Vec<(String, i32, i64)> = Vec::new();
    for (i, line) in sums.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            format!(
                "{}:{}: expected `NAME N CHECKSUM`",
                sums_path.display(),
                i + 1
            )
        };
        if parts.len() != 3 {
            return Err(bad());
        }
        own_checks.push((
            parts[0].to_string(),
            parts[1].parse().map_err(|_| bad())?,
            parts[2].parse().map_err(|_| bad())?,
        ));
    }
    let mut wats: Vec<PathBuf> = std::fs::read_dir(own)
        .map_err(|e| format!("{}: {e}", own.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    wats.sort();
    for path in wats {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let wasm = wat::parse_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let checks: Vec<(i32, i64)> = own_checks
            .iter()
            .filter(|(w, _, _)| *w == name)
            .map(|&(_, n, c)| (n, c))
            .collect();
        if checks.is_empty() {
            return Err(format!("{}: no checksum in checksums.txt", path.display()));
        }
        out.push(Workload {
            n: timed_n(&name),
            name,
            wasm,
            path,
            checks,
            shared: false,
        });
    }
    Ok(out)
}

/// `run(n)` values with known results.
type Checks = Vec<(i32, i64)>;

/// The module files and their `run(1)`/`run(10)` checksums from the shared README's table.
fn parse_shared_readme(text: &str) -> Result<Vec<(String, Checks)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let cells: Vec<&str> = rest.split('|').map(|c| c.trim()).collect();
        let file = cells[0].trim_end_matches('`');
        if !file.ends_with(".wasm") {
            continue;
        }
        let bad = || format!("shared README line {}: expected run(1) and run(10)", i + 1);
        // module | what | bytes | functions | run(1) | run(10) |
        if cells.len() < 6 {
            return Err(bad());
        }
        let one: i64 = cells[4].parse().map_err(|_| bad())?;
        let ten: i64 = cells[5].parse().map_err(|_| bad())?;
        out.push((file.to_string(), vec![(1, one), (10, ten)]));
    }
    if out.is_empty() {
        return Err("shared README: no module table found".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_readme_table() {
        let text = "| module | what | bytes | functions | `run(1)` | `run(10)` |\n\
                    |---|---|---:|---:|---|---|\n\
                    | `a.wasm` | x | 1 | 2 | 3 | -4 |\n";
        let rows = parse_shared_readme(text).unwrap();
        assert_eq!(rows, vec![("a.wasm".to_string(), vec![(1, 3), (10, -4)])]);
    }
}
