//! Measures translation speed: `cargo run --release -p kiln-frontend-wasm --example
//! translate_speed -- FILE.wasm...` translates every function of each module several times and
//! prints the best time and MB/s (of the whole module's bytes).

use kiln_frontend_wasm::{
    translate_module, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        let mut best = f64::INFINITY;
        let mut functions = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let translation = translate_module(&bytes)?;
            let env = StandardEnvironment {
                offsets: VMOffsets::new(&translation.info),
                heap: HeapConfig::default(),
            };
            let mut translator = FuncTranslator::new();
            let mut func = kiln_ir::Function::new();
            functions = translation.bodies.len();
            for body in translation.bodies {
                translator.translate(&translation.info, &env, body, &mut func)?;
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{path}: {} bytes, {functions} functions, {:.2} ms, {:.1} MB/s",
            bytes.len(),
            best * 1e3,
            bytes.len() as f64 / best / 1e6
        );
    }
    Ok(())
}
