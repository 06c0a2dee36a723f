//! The benchmark modules of `shared/bench` survive serialization: compiled, serialized,
//! loaded into an engine that cannot compile, they return the checksums of
//! `shared/bench/README.md`.

use kiln_runtime::{Config, Engine, Instance, Module, Store, UnavailableCompiler};
use std::path::Path;
use std::sync::Arc;

/// `run(1)` of each module, from `shared/bench/README.md`.
const BENCH: [(&str, i64); 4] = [
    ("nbody", -1301645539092333391),
    ("sha2", 7257687663034080037),
    ("json", 6700200062579579189),
    ("markdown", 3158684568303957459),
];

#[test]
fn bench_modules_round_trip_and_run() {
    let config = Config::new();
    let engine = Engine::new(&config).unwrap();
    let loader = Engine::with_compiler(&config, Arc::new(UnavailableCompiler));
    for (name, checksum) in BENCH {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/bench")
            .join(format!("{name}.wasm"));
        let wasm = std::fs::read(&path).unwrap();
        let bytes = Module::new(&engine, &wasm).unwrap().serialize().unwrap();
        assert!(Module::is_serialized(&bytes));
        let module = Module::deserialize(&loader, &bytes).unwrap();
        let mut store = Store::new(&loader, ()).unwrap();
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let run = instance.get_typed_func::<i32, i64>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 1).unwrap(), checksum, "{name}");
        eprintln!(
            "{name}: {} bytes of Wasm, {} serialized",
            wasm.len(),
            bytes.len()
        );
    }
}
