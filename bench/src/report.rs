//! The Markdown report: one row per workload × engine, then the geometric means.

use crate::engines::EngineKind;
use crate::measure::{geomean, median, median_secs, Figures};
use crate::workloads::Workload;
use std::collections::HashMap;
use std::fmt::Write;

/// The measurements of a whole run.
pub struct Run {
    /// Workloads in order, with their figures per engine.
    pub results: Vec<(Workload, HashMap<EngineKind, Figures>)>,
    /// Engines measured, in order.
    pub kinds: Vec<EngineKind>,
    /// Repetitions per figure.
    pub reps: usize,
    /// Lines of the header: date, machine, versions, load.
    pub header: Vec<String>,
}

fn ms(s: f64) -> String {
    if s >= 0.1 {
        format!("{:.0}", s * 1e3)
    } else if s >= 0.01 {
        format!("{:.1}", s * 1e3)
    } else {
        format!("{:.2}", s * 1e3)
    }
}

fn ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.2}"))
}

fn mb(b: Option<u64>) -> String {
    b.map_or("–".into(), |b| {
        format!("{:.1}", b as f64 / (1 << 20) as f64)
    })
}

/// Renders the report.
pub fn render(run: &Run) -> String {
    let mut s = String::new();
    for line in &run.header {
        let _ = writeln!(s, "{line}  ");
    }
    let _ = writeln!(
        s,
        "\n{} repetitions after a warm-up, medians. Ratios are Kiln's time ÷ the engine's time, taken \
         pair by pair within one repetition and then the median (< 1: Kiln is faster); `kiln-1t` and \
         `cranelift-1t` compile on one thread and are compared with each other; `kiln-fastra` is Kiln with \
         regalloc2's single-pass allocator instead of Ion (`X64Compiler::with_fast_regalloc`, not a `Config` option), to price \
         the allocator. Compile = validate + \
         translate + compile the whole module (wasmi: eager translation to its bytecode). Instantiate = \
         fresh store + instance + export lookup. Peak heap/RSS: growth while compiling once, in a child \
         process per measurement (RSS includes compiler threads' stacks and code memory). Every figure's \
         engine reproduced the module's known checksums (`run(1)`/`run(10)` from the shared README, or \
         `workloads/checksums.txt` from `workloads/model.py`) and agreed with the other engines on `run(n)`.\n",
        run.reps
    );
    let _ = writeln!(
        s,
        "| workload | KiB | engine | compile ms | MB/s | Kiln ÷ it (compile) | instantiate µs | run(n) ms | Kiln ÷ it (run) | peak heap MiB | peak RSS MiB | run(n) checksum |"
    );
    let _ = writeln!(
        s,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for (w, figs) in &run.results {
        for k in &run.kinds {
            let Some(f) = figs.get(k) else { continue };
            let kib = format!("{:.0}", w.wasm.len() as f64 / 1024.0);
            let label = format!("{} (n={})", w.name, w.n);
            if let Some(fail) = &f.failure {
                let _ = writeln!(
                    s,
                    "| {label} | {kib} | {} | NOT REPORTED: {} | | | | | | | | |",
                    k.name(),
                    fail.replace('|', "/")
                );
                continue;
            }
            let c = median_secs(&f.compile);
            let mbs = c.map_or("–".into(), |c| {
                format!("{:.2}", w.wasm.len() as f64 / 1e6 / c)
            });
            let inst =
                median_secs(&f.instantiate).map_or("–".into(), |t| format!("{:.0}", t * 1e6));
            let runt = median_secs(&f.run).map_or("–".into(), ms);
            let is_base = matches!(k, EngineKind::Kiln | EngineKind::Kiln1);
            let cr = if is_base {
                "1".into()
            } else {
                ratio(median(&f.compile_ratio))
            };
            let rr = if !k.executes() {
                "".into()
            } else if is_base {
                "1".into()
            } else {
                ratio(median(&f.run_ratio))
            };
            let _ = writeln!(
                s,
                "| {label} | {kib} | {} | {} | {mbs} | {cr} | {inst} | {runt} | {rr} | {} | {} | {} |",
                k.name(),
                c.map_or("–".into(), ms),
                mb(f.peak_heap),
                mb(f.peak_rss),
                f.checksum.map_or(String::new(), |c| c.to_string()),
            );
        }
    }
    let _ = writeln!(s, "\n### Geometric means over the workloads\n");
    let _ = writeln!(
        s,
        "Kiln's time ÷ the engine's (< 1: Kiln is faster), geometric mean of the per-workload medians \
         of pairwise ratios over all workloads and over the four shared real programs (the single-feature \
         workloads are tiny modules, whose compile times are dominated by fixed per-module costs); in \
         parentheses the number of workloads where both engines have figures.\n"
    );
    let _ = writeln!(
        s,
        "| versus | compile, all | run(n), all | compile, shared programs | run(n), shared programs |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for k in &run.kinds {
        if matches!(k, EngineKind::Kiln | EngineKind::Kiln1) {
            continue;
        }
        let means = |shared_only: bool| {
            let mut cs = Vec::new();
            let mut rs = Vec::new();
            for (w, figs) in &run.results {
                let Some(f) = figs.get(k) else { continue };
                if f.failure.is_some() || (shared_only && !w.shared) {
                    continue;
                }
                cs.extend(median(&f.compile_ratio));
                rs.extend(median(&f.run_ratio));
            }
            let n = cs.len();
            let c = format!("{} ({n})", ratio(geomean(&cs)));
            let r = if k.executes() {
                format!("{} ({})", ratio(geomean(&rs)), rs.len())
            } else {
                String::new()
            };
            (c, r)
        };
        let (ca, ra) = means(false);
        let (cs, rs) = means(true);
        let base = match k {
            EngineKind::Cranelift1 => " (kiln-1t ÷ it)",
            EngineKind::KilnFastRa => " (not a peer: Kiln with the single-pass allocator)",
            _ => "",
        };
        let _ = writeln!(s, "| {}{base} | {ca} | {ra} | {cs} | {rs} |", k.name());
    }
    let mut slow = Vec::new();
    for (w, figs) in &run.results {
        let fastest = figs
            .values()
            .filter(|f| f.failure.is_none())
            .filter_map(|f| median_secs(&f.run))
            .fold(f64::INFINITY, f64::min);
        if fastest < 0.1 {
            slow.push(format!("{} ({} ms)", w.name, ms(fastest)));
        }
    }
    if !slow.is_empty() {
        let _ = writeln!(
            s,
            "\nWarning: the fastest engine took under 100 ms on: {}.",
            slow.join(", ")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn failed_figures_are_not_printed() {
        let w = Workload {
            name: "w".into(),
            wasm: vec![0; 2048],
            path: "w".into(),
            checks: vec![],
            n: 1,
            shared: false,
        };
        let ok = Figures {
            compile: vec![Duration::from_millis(2)],
            run: vec![Duration::from_millis(200)],
            checksum: Some(42),
            ..Figures::default()
        };
        let bad = Figures {
            failure: Some("WRONG CHECKSUM: run(1) = 1, expected 2".into()),
            compile: vec![Duration::from_millis(9)],
            run: vec![Duration::from_millis(999)],
            ..Figures::default()
        };
        let figs = HashMap::from([(EngineKind::Kiln, ok), (EngineKind::Winch, bad)]);
        let text = render(&Run {
            results: vec![(w, figs)],
            kinds: vec![EngineKind::Kiln, EngineKind::Winch],
            reps: 1,
            header: vec![],
        });
        assert!(
            text.contains("| w (n=1) | 2 | kiln | 2.00 | 1.02 | 1 |"),
            "{text}"
        );
        assert!(
            text.contains("| winch | NOT REPORTED: WRONG CHECKSUM"),
            "{text}"
        );
        assert!(!text.contains("999"), "{text}");
    }
}
