//! `wasm-smith` configuration: valid modules of the Wasm 2.0 subset Kiln implements (no SIMD).

use arbitrary::{Result, Unstructured};
use wasm_smith::{Config, Module};

/// The fuel every generated module starts with: each loop iteration and function entry
/// costs one unit, and running out traps (`unreachable`) in every engine alike.
pub const FUEL: u32 = 200;

/// The generator's configuration: Wasm 2.0 without SIMD and everything after 2.0 off.
pub fn config() -> Config {
    Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        compact_imports_enabled: false,
        custom_descriptors_enabled: false,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        max_memories: 1,
        max_tables: 2,
        // Small memories and tables, with a declared maximum so `memory.grow` cannot reach
        // 4 GiB (both engines would commit it and the final comparison would copy it).
        max_memory32_bytes: 4 << 16,
        memory_max_size_required: true,
        table_max_size_required: true,
        max_funcs: 20,
        max_instructions: 200,
        max_table_elements: 100,
        max_data_segments: 10,
        max_element_segments: 10,
        max_globals: 20,
        max_imports: 0,
        min_funcs: 1,
        export_everything: true,
        ..Config::default()
    }
}

/// A valid module, loops and all (for compile-only targets).
pub fn any_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(Module::new(config(), u)?.to_bytes())
}

/// A module for the differential target: terminating, with canonical NaNs (Wasm leaves NaN
/// bits unspecified, so engines may differ in them without being wrong).
pub fn differential_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let config = Config {
        canonicalize_nans: true,
        ..config()
    };
    let mut m = Module::new(config, u)?;
    m.ensure_termination(FUEL)
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(m.to_bytes())
}
