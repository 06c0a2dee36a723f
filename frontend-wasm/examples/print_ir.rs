//! Prints the IR of every function of a `.wat` or `.wasm` file:
//! `cargo run -p kiln-frontend-wasm --example print_ir -- FILE [explicit]`.

use kiln_frontend_wasm::{
    translate_module, BoundsChecks, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: print_ir FILE [explicit]")?;
    let bytes = wat::parse_file(&path)?;
    let mut heap = HeapConfig::default();
    if args.next().as_deref() == Some("explicit") {
        heap.bounds_checks = BoundsChecks::Explicit;
    }
    let translation = translate_module(&bytes)?;
    let env = StandardEnvironment {
        offsets: VMOffsets::new(&translation.info),
        heap,
    };
    let mut translator = FuncTranslator::new();
    let mut func = kiln_ir::Function::new();
    let info = translation.info;
    for body in translation.bodies {
        translator.translate(&info, &env, body, &mut func)?;
        println!("{}", func.display());
    }
    Ok(())
}
