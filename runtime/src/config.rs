//! Engine configuration.

use crate::collections::{OutOfMemory, TryClone};
use kiln_frontend_wasm::{BoundsChecks, HeapConfig};

/// How linear-memory accesses are bounds-checked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoundsCheckStrategy {
    /// Reserve the whole 32-bit index space plus a guard region; most accesses need no check.
    Guard,
    /// Compare every access with the current length; memories map only what they use.
    Explicit,
}

/// Which CPU features generated code may use.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CpuFeatures {
    /// Whatever the host supports.
    Native,
    /// SSE2 only.
    Baseline,
    /// Exactly these features (names as in `target x86_64 has_avx ...`, e.g. `avx`, `popcnt`).
    List(Vec<String>),
}

impl CpuFeatures {
    /// Parses `native`, `baseline` or a comma-separated list such as `avx,popcnt`.
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "native" => CpuFeatures::Native,
            "baseline" | "" => CpuFeatures::Baseline,
            list => CpuFeatures::List(
                list.split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect(),
            ),
        }
    }
}

impl TryClone for CpuFeatures {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(match self {
            CpuFeatures::Native => CpuFeatures::Native,
            CpuFeatures::Baseline => CpuFeatures::Baseline,
            CpuFeatures::List(names) => CpuFeatures::List(names.try_clone()?),
        })
    }
}

/// Configuration of an [`Engine`](crate::Engine): compiler settings and memory strategy.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) bounds_checks: BoundsCheckStrategy,
    pub(crate) spectre: bool,
    pub(crate) cpu: CpuFeatures,
    pub(crate) max_wasm_stack: usize,
    pub(crate) parallel_compilation: bool,
    pub(crate) memory_reservation: u64,
    pub(crate) memory_guard_size: u64,
}

impl Default for Config {
    /// Guard pages (4 GiB reservation, 2 GiB guard), Spectre mitigation on, native CPU
    /// features, 512 KiB of Wasm stack, parallel compilation.
    fn default() -> Self {
        Config {
            bounds_checks: BoundsCheckStrategy::Guard,
            spectre: true,
            cpu: CpuFeatures::Native,
            max_wasm_stack: 512 << 10,
            parallel_compilation: true,
            memory_reservation: 1 << 32,
            memory_guard_size: 1 << 31,
        }
    }
}

impl TryClone for Config {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(Config {
            cpu: self.cpu.try_clone()?,
            ..*self
        })
    }
}

impl Config {
    /// The default configuration. Allocates nothing, so it cannot fail.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the bounds-check strategy.
    pub fn bounds_checks(&mut self, strategy: BoundsCheckStrategy) -> &mut Self {
        self.bounds_checks = strategy;
        self
    }

    /// Turns Spectre mitigation of bounds checks on or off.
    pub fn spectre_mitigation(&mut self, on: bool) -> &mut Self {
        self.spectre = on;
        self
    }

    /// Sets the CPU features generated code may use.
    pub fn cpu_features(&mut self, features: CpuFeatures) -> &mut Self {
        self.cpu = features;
        self
    }

    /// Sets how many bytes of native stack Wasm code may use before it traps with
    /// `call stack exhausted`.
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// Compiles a module's functions on several threads.
    pub fn parallel_compilation(&mut self, on: bool) -> &mut Self {
        self.parallel_compilation = on;
        self
    }

    /// Bytes of address space reserved per memory in the guard strategy (at most 4 GiB is
    /// meaningful for 32-bit memories; less means growth beyond it fails).
    pub fn memory_reservation(&mut self, bytes: u64) -> &mut Self {
        self.memory_reservation = bytes;
        self
    }

    /// Bytes of inaccessible guard after each memory's reservation in the guard strategy.
    pub fn memory_guard_size(&mut self, bytes: u64) -> &mut Self {
        self.memory_guard_size = bytes;
        self
    }

    /// The bounds-check strategy.
    pub fn bounds_check_strategy(&self) -> BoundsCheckStrategy {
        self.bounds_checks
    }

    /// The CPU features.
    pub fn cpu(&self) -> &CpuFeatures {
        &self.cpu
    }

    /// Whether Spectre mitigation is on.
    pub fn spectre(&self) -> bool {
        self.spectre
    }

    /// The heap configuration the translator uses. Accesses may skip their bounds check
    /// only if every 32-bit index lands in the reservation or its guard, so a reservation
    /// smaller than 4 GiB makes the code check explicitly (memories still never move).
    pub fn heap_config(&self) -> HeapConfig {
        HeapConfig {
            bounds_checks: match self.bounds_checks {
                BoundsCheckStrategy::Guard if self.memory_reservation < 1 << 32 => {
                    BoundsChecks::Explicit
                }
                BoundsCheckStrategy::Guard => BoundsChecks::GuardPages {
                    reservation: self.memory_reservation,
                    guard_size: self.memory_guard_size,
                },
                BoundsCheckStrategy::Explicit => BoundsChecks::Explicit,
            },
            spectre_mitigation: self.spectre,
        }
    }

    /// The memory layout for linear memories.
    pub(crate) fn memory_style(&self) -> crate::memory::MemoryStyle {
        match self.bounds_checks {
            BoundsCheckStrategy::Guard => crate::memory::MemoryStyle::Guarded {
                reservation: self.memory_reservation as usize,
                guard: self.memory_guard_size as usize,
            },
            BoundsCheckStrategy::Explicit => crate::memory::MemoryStyle::Explicit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_feature_strings() {
        assert_eq!(CpuFeatures::parse("native"), CpuFeatures::Native);
        assert_eq!(CpuFeatures::parse("baseline"), CpuFeatures::Baseline);
        assert_eq!(
            CpuFeatures::parse("avx, popcnt"),
            CpuFeatures::List(vec!["avx".into(), "popcnt".into()])
        );
    }

    #[test]
    fn explicit_checks_reach_the_translator() {
        let mut c = Config::new();
        c.bounds_checks(BoundsCheckStrategy::Explicit)
            .spectre_mitigation(false);
        let h = c.heap_config();
        assert_eq!(h.bounds_checks, BoundsChecks::Explicit);
        assert!(!h.spectre_mitigation);
        let mut small = Config::new();
        small.memory_reservation(1 << 20);
        assert_eq!(small.heap_config().bounds_checks, BoundsChecks::Explicit);
        let d = Config::new().heap_config();
        assert_eq!(
            d.bounds_checks,
            BoundsChecks::GuardPages {
                reservation: 1 << 32,
                guard_size: 1 << 31
            }
        );
    }
}
