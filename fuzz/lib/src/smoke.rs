//! Each fuzz target over its seed corpus and a fixed set of pseudo-random inputs.

use crate::{corpus, seeded_inputs};

/// Mutations of the corpus: each file, then truncated and with a flipped byte, so the
/// parsers also see broken versions of real input.
fn corpus_variants(target: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, (_, bytes)) in corpus(target).into_iter().enumerate() {
        let n = bytes.len();
        out.push(bytes.clone());
        for (j, cut) in [n / 3, n / 2, n * 9 / 10].into_iter().enumerate() {
            let mut b = bytes[..cut].to_vec();
            if let Some(x) = b.get_mut(cut.saturating_sub(1 + i + j) % cut.max(1)) {
                *x ^= 0x20;
            }
            out.push(b);
        }
    }
    out
}

#[test]
fn parse_clif_corpus_and_random() {
    for b in corpus_variants("parse_clif") {
        crate::parse::parse_clif(&b);
    }
    for b in seeded_inputs(1, 2000, 200) {
        crate::parse::parse_clif(&b);
    }
}

#[test]
fn parse_isle_corpus_and_random() {
    for b in corpus_variants("parse_isle") {
        crate::parse::parse_isle(&b);
    }
    for b in seeded_inputs(2, 2000, 200) {
        crate::parse::parse_isle(&b);
    }
}

#[test]
fn compile_wasm_corpus_and_random() {
    for b in corpus_variants("compile_wasm") {
        crate::compile::compile_wasm(&b);
    }
    for b in seeded_inputs(3, 200, 2000) {
        crate::compile::compile_wasm(&b);
    }
}

/// Also checks that the generator is not degenerate: most programs run (not out of fuel),
/// many return values and some trap.
#[test]
fn clif_differential_random() {
    let (mut ran, mut returned, mut trapped) = (0, 0, 0);
    let n = 1000;
    for b in seeded_inputs(4, n, 4000) {
        match crate::clif_diff::clif_differential(&b) {
            Some(Ok(_)) => returned += 1,
            Some(Err(_)) => trapped += 1,
            None => continue,
        }
        ran += 1;
    }
    eprintln!("clif_differential: {ran} of {n} compared, {returned} returned, {trapped} trapped");
    assert!(ran >= n * 9 / 10, "{ran} of {n} compared");
    assert!(returned >= n / 3 && trapped >= n / 20);
}

/// Also checks that modules do something: most are compared and export functions that
/// get called.
#[test]
fn wasm_differential_random() {
    use crate::wasm_diff::Event;
    let (mut compared, mut calls, mut returned) = (0, 0, 0);
    let n = 300;
    for (name, b) in corpus("wasm_differential") {
        eprintln!("{name}");
        crate::wasm_diff::wasm_differential(&b);
    }
    for b in seeded_inputs(5, n, 3000) {
        let Some(trace) = crate::wasm_diff::wasm_differential(&b) else {
            continue;
        };
        compared += 1;
        for e in trace {
            if let Event::Call(_, r) = e {
                calls += 1;
                returned += r.is_ok() as usize;
            }
        }
    }
    eprintln!("wasm_differential: {compared} of {n} compared, {calls} calls, {returned} returned");
    assert!(compared >= n * 9 / 10, "{compared} of {n} compared");
    assert!(calls >= n / 2 && returned >= n / 10);
}

/// The generator reaches every opcode of the table (the generic path reads the table, so a
/// new opcode is either generated or deliberately left out here).
#[test]
fn clif_generator_covers_the_opcode_table() {
    use kiln_ir::Opcode;
    use std::collections::BTreeSet;
    let mut seen = BTreeSet::new();
    for b in seeded_inputs(6, 1000, 4000) {
        let mut u = arbitrary::Unstructured::new(&b);
        let Ok(p) = crate::clif_gen::generate(&mut u) else {
            continue;
        };
        for f in &p.funcs {
            for block in f.layout.blocks() {
                for inst in f.layout.block_insts(block) {
                    seen.insert(f.dfg.insts[inst].opcode());
                }
            }
        }
    }
    let missing: Vec<Opcode> = Opcode::ALL
        .iter()
        .copied()
        .filter(|op| !seen.contains(op))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}
