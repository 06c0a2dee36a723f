//! Compiles the lowering rules (`src/isa/x64/*.isle`) to Rust.

fn main() {
    kiln_isle_dsl::build::compile_to_out_dir(
        &[
            "src/isa/x64/prelude.isle".into(),
            "src/isa/x64/lower.isle".into(),
        ],
        "x64_lower.rs",
    );
}
