//! Generators and comparisons shared by Kiln's fuzz targets (`fuzz/fuzz_targets/*.rs`) and
//! their smoke tests (`cargo test --manifest-path fuzz/Cargo.toml -p kiln-fuzz-lib`), so CI
//! runs the same code on stable Rust without libFuzzer. See `fuzz/README.md`.

pub mod clif_diff;
pub mod clif_gen;
pub mod compile;
pub mod oom;
pub mod parse;
pub mod wasm_diff;
pub mod wasm_gen;

#[cfg(test)]
mod smoke;

/// Deterministic pseudo-random inputs for the smoke tests (splitmix64): `count` buffers
/// of up to `max_len` bytes, the same on every run.
pub fn seeded_inputs(seed: u64, count: usize, max_len: usize) -> impl Iterator<Item = Vec<u8>> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..count).map(move |_| {
        let len = (next() % (max_len as u64 + 1)) as usize;
        let mut v = Vec::with_capacity(len + 8);
        while v.len() < len {
            v.extend_from_slice(&next().to_le_bytes());
        }
        v.truncate(len);
        v
    })
}

/// The files of a seed corpus (`fuzz/corpus/<target>/`), sorted by name.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}
