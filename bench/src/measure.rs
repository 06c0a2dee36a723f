//! The measurements of one workload on every engine: checks first, then interleaved
//! repetitions so that ratios are taken between runs made at nearly the same time.

use crate::engines::{Compiled, Engine, EngineKind};
use crate::workloads::Workload;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one engine did with one workload.
#[derive(Default, Clone)]
pub struct Figures {
    /// Why no figures are reported (a failed check or an error), if so.
    pub failure: Option<String>,
    /// Compile times, one per repetition.
    pub compile: Vec<Duration>,
    /// Instantiation times.
    pub instantiate: Vec<Duration>,
    /// `run(n)` times.
    pub run: Vec<Duration>,
    /// Kiln's time divided by this engine's, per repetition (compile).
    pub compile_ratio: Vec<f64>,
    /// The same for `run(n)`.
    pub run_ratio: Vec<f64>,
    /// Result of `run(n)` (agreed by the engines).
    pub checksum: Option<i64>,
    /// Peak heap bytes while compiling (child process).
    pub peak_heap: Option<u64>,
    /// Growth of peak RSS while compiling (child process).
    pub peak_rss: Option<u64>,
}

/// Measures `w` on `kinds`; `reps` repetitions after a warm-up.
pub fn measure(
    w: &Workload,
    kinds: &[EngineKind],
    engines: &HashMap<EngineKind, Box<dyn Engine>>,
    reps: usize,
    log: &mut dyn FnMut(&str),
) -> HashMap<EngineKind, Figures> {
    let mut figs: HashMap<EngineKind, Figures> = HashMap::new();
    let mut compiled: HashMap<EngineKind, Arc<dyn Compiled>> = HashMap::new();
    // Warm-up compile and the independent checks.
    for &k in kinds {
        let f = figs.entry(k).or_default();
        match check(engines[&k].as_ref(), w, k.executes()) {
            Ok(c) => {
                compiled.insert(k, c);
            }
            Err(e) => {
                log(&format!("  {}: {e}", k.name()));
                f.failure = Some(e);
            }
        }
    }
    let ok: Vec<EngineKind> = kinds
        .iter()
        .copied()
        .filter(|k| figs[k].failure.is_none())
        .collect();
    // Compile, interleaved.
    for rep in 0..reps {
        let mut times = HashMap::new();
        for &k in &ok {
            let t = Instant::now();
            let c = engines[&k].compile(&w.wasm);
            let d = t.elapsed();
            drop(c);
            times.insert(k, d);
            figs.get_mut(&k).unwrap().compile.push(d);
        }
        pair_ratios(
            &times,
            &mut figs,
            |f| &mut f.compile_ratio,
            |k| match k {
                EngineKind::Kiln1 | EngineKind::Cranelift1 => EngineKind::Kiln1,
                _ => EngineKind::Kiln,
            },
        );
        log(&format!("  compile rep {}/{reps} done", rep + 1));
    }
    let runners: Vec<EngineKind> = ok.iter().copied().filter(|k| k.executes()).collect();
    // Instantiate, interleaved (many repetitions: it is fast).
    for _ in 0..reps * 4 {
        for &k in &runners {
            let t = Instant::now();
            let i = compiled[&k].instantiate();
            let d = t.elapsed();
            drop(i);
            figs.get_mut(&k).unwrap().instantiate.push(d);
        }
    }
    // Execute run(n), interleaved; all engines must agree on the result.
    let mut results: HashMap<EngineKind, Vec<i64>> = HashMap::new();
    for rep in 0..reps {
        let mut times = HashMap::new();
        for &k in &runners {
            let mut inst = match compiled[&k].instantiate() {
                Ok(i) => i,
                Err(e) => {
                    figs.get_mut(&k).unwrap().failure = Some(e);
                    continue;
                }
            };
            let t = Instant::now();
            let r = inst.run(w.n);
            let d = t.elapsed();
            match r {
                Ok(v) => {
                    results.entry(k).or_default().push(v);
                    times.insert(k, d);
                    figs.get_mut(&k).unwrap().run.push(d);
                }
                Err(e) => figs.get_mut(&k).unwrap().failure = Some(format!("run({}): {e}", w.n)),
            }
        }
        pair_ratios(
            &times,
            &mut figs,
            |f| &mut f.run_ratio,
            |_| EngineKind::Kiln,
        );
        log(&format!("  run({}) rep {}/{reps} done", w.n, rep + 1));
    }
    // Agreement: the value every repetition of a majority of engines gave.
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for v in results.values() {
        if v.iter().all(|x| *x == v[0]) {
            *votes.entry(v[0]).or_default() += 1;
        }
    }
    let agreed = votes
        .iter()
        .max_by_key(|(_, c)| **c)
        .filter(|(_, c)| **c * 2 > runners.len())
        .map(|(v, _)| *v);
    for &k in &runners {
        let f = figs.get_mut(&k).unwrap();
        let mine = results.get(&k);
        match (agreed, mine) {
            (Some(a), Some(v)) if v.iter().all(|x| *x == a) => f.checksum = Some(a),
            (_, _) if f.failure.is_some() => {}
            _ => {
                f.failure = Some(format!(
                    "run({}) results {:?} disagree with the other engines ({agreed:?})",
                    w.n, mine
                ))
            }
        }
    }
    figs
}

/// Compiles `w` (warm-up), and if `execute`, instantiates it and checks every known result.
fn check(engine: &dyn Engine, w: &Workload, execute: bool) -> Result<Arc<dyn Compiled>, String> {
    let compiled = engine
        .compile(&w.wasm)
        .map_err(|e| format!("compile: {e}"))?;
    if execute {
        for &(n, want) in &w.checks {
            let mut inst = compiled
                .instantiate()
                .map_err(|e| format!("instantiate: {e}"))?;
            let got = inst.run(n).map_err(|e| format!("run({n}): {e}"))?;
            if got != want {
                return Err(format!("WRONG CHECKSUM: run({n}) = {got}, expected {want}"));
            }
        }
    }
    Ok(compiled)
}

/// Appends Kiln's time over each engine's for this repetition; `base` names the Kiln
/// configuration an engine is compared with.
fn pair_ratios(
    times: &HashMap<EngineKind, Duration>,
    figs: &mut HashMap<EngineKind, Figures>,
    slot: impl Fn(&mut Figures) -> &mut Vec<f64>,
    base: impl Fn(EngineKind) -> EngineKind,
) {
    for (&k, &t) in times {
        if let Some(&b) = times.get(&base(k)) {
            slot(figs.get_mut(&k).unwrap()).push(b.as_secs_f64() / t.as_secs_f64());
        }
    }
}

/// The median of `xs` (mean of the middle two for an even count); `None` if empty.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// The median of durations, in seconds.
pub fn median_secs(ds: &[Duration]) -> Option<f64> {
    median(&ds.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>())
}

/// The geometric mean of `xs`; `None` if empty.
pub fn geomean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some((xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::Instance;

    /// An engine whose `run(n)` is `7 n`, plus `wrong` when `n` is in `bad_at`.
    struct Fake {
        wrong: i64,
        bad_at: Vec<i32>,
    }

    impl Engine for Fake {
        fn compile(&self, _: &[u8]) -> Result<Arc<dyn Compiled>, String> {
            Ok(Arc::new(FakeModule(self.wrong, self.bad_at.clone())))
        }
    }

    struct FakeModule(i64, Vec<i32>);

    impl Compiled for FakeModule {
        fn instantiate(&self) -> Result<Box<dyn Instance>, String> {
            Ok(Box::new(FakeModule(self.0, self.1.clone())))
        }
    }

    impl Instance for FakeModule {
        fn run(&mut self, n: i32) -> Result<i64, String> {
            let bad = if self.1.contains(&n) { self.0 } else { 0 };
            Ok(7 * n as i64 + bad)
        }
    }

    fn run_fakes(fakes: Vec<(EngineKind, Fake)>) -> HashMap<EngineKind, Figures> {
        let w = Workload {
            name: "fake".into(),
            wasm: vec![],
            path: "fake".into(),
            checks: vec![(1, 7), (10, 70)],
            n: 3,
            shared: false,
        };
        let kinds: Vec<EngineKind> = fakes.iter().map(|(k, _)| *k).collect();
        let engines: HashMap<EngineKind, Box<dyn Engine>> = fakes
            .into_iter()
            .map(|(k, f)| (k, Box::new(f) as Box<dyn Engine>))
            .collect();
        measure(&w, &kinds, &engines, 3, &mut |_| {})
    }

    fn fake(wrong: i64, bad_at: &[i32]) -> Fake {
        Fake {
            wrong,
            bad_at: bad_at.to_vec(),
        }
    }

    #[test]
    fn a_wrong_known_checksum_is_not_reported() {
        let figs = run_fakes(vec![
            (EngineKind::Kiln, fake(0, &[])),
            (EngineKind::Cranelift, fake(0, &[])),
            (EngineKind::Winch, fake(1, &[10])),
        ]);
        assert_eq!(figs[&EngineKind::Kiln].checksum, Some(21));
        assert_eq!(figs[&EngineKind::Cranelift].checksum, Some(21));
        assert_eq!(figs[&EngineKind::Kiln].run.len(), 3);
        let winch = &figs[&EngineKind::Winch];
        assert!(winch
            .failure
            .as_deref()
            .unwrap()
            .contains("run(10) = 71, expected 70"));
        assert!(winch.run.is_empty() && winch.compile.is_empty());
    }

    #[test]
    fn disagreeing_on_the_timed_n_is_not_reported() {
        let figs = run_fakes(vec![
            (EngineKind::Kiln, fake(5, &[3])),
            (EngineKind::Cranelift, fake(0, &[])),
            (EngineKind::Wasmi, fake(0, &[])),
        ]);
        assert_eq!(figs[&EngineKind::Cranelift].checksum, Some(21));
        let kiln = &figs[&EngineKind::Kiln];
        assert_eq!(kiln.checksum, None);
        assert!(kiln.failure.as_deref().unwrap().contains("disagree"));
        // Without a majority nobody's figure stands.
        let figs = run_fakes(vec![
            (EngineKind::Kiln, fake(5, &[3])),
            (EngineKind::Cranelift, fake(0, &[])),
        ]);
        assert!(figs.values().all(|f| f.failure.is_some()));
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        let g = geomean(&[1.0, 4.0]).unwrap();
        assert!((g - 2.0).abs() < 1e-12);
    }
}
