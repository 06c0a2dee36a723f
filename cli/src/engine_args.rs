//! The configuration options shared by `kiln run` and `kiln wast`.

use clap::{Args, ValueEnum};
use kiln_runtime::{BoundsCheckStrategy, Config, CpuFeatures};

/// How linear-memory accesses are checked (`--bounds-checks`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BoundsChecks {
    /// A 4 GiB reservation plus guard pages: most accesses need no check.
    Guard,
    /// Compare every access with the memory's current length.
    Explicit,
}

/// On or off (`--spectre`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// Engine options common to the subcommands that run Wasm.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// Bounds-check strategy for linear memory.
    #[arg(long = "bounds-checks", value_enum, default_value = "guard")]
    pub bounds_checks: BoundsChecks,
    /// Spectre mitigations (bounds checks that are also speculation barriers).
    #[arg(long, value_enum, default_value = "on")]
    pub spectre: OnOff,
    /// CPU features generated code may use: `native`, `baseline` (SSE2) or a list like `avx,popcnt`.
    #[arg(long, default_value = "native")]
    pub cpu: String,
}

impl EngineArgs {
    /// The runtime configuration these options describe.
    pub fn config(&self) -> Config {
        let mut config = Config::new();
        config
            .bounds_checks(match self.bounds_checks {
                BoundsChecks::Guard => BoundsCheckStrategy::Guard,
                BoundsChecks::Explicit => BoundsCheckStrategy::Explicit,
            })
            .spectre_mitigation(matches!(self.spectre, OnOff::On))
            .cpu_features(CpuFeatures::parse(&self.cpu));
        config
    }
}
