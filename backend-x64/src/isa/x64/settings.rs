//! CPU features the x86-64 backend may use beyond the SSE2 baseline.

use core::fmt;

/// The optional instruction-set extensions code may use. The default is the x86-64 baseline
/// (SSE2 only).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Flags {
    /// SSE4.1 (`roundss`/`roundsd`).
    pub has_sse41: bool,
    /// AVX (VEX-encoded SSE instructions).
    pub has_avx: bool,
    /// AVX2.
    pub has_avx2: bool,
    /// BMI1 (`andn`, `tzcnt`).
    pub has_bmi1: bool,
    /// BMI2 (`shlx`, `shrx`, `sarx`).
    pub has_bmi2: bool,
    /// `lzcnt`.
    pub has_lzcnt: bool,
    /// `popcnt`.
    pub has_popcnt: bool,
    /// FMA3 (`vfmadd213ss`, ...).
    pub has_fma: bool,
}

/// An unknown word in a `target x86_64 ...` line.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("unknown x86_64 feature `{0}` (expected one of: {names})", names = Flags::NAMES.join(" "))]
pub struct UnknownFeature(pub String);

/// Why a `target` line cannot be used by this backend.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TargetError {
    /// The line names another instruction set.
    #[error("line {line}: unsupported target `{isa}` (this backend compiles for x86_64)")]
    UnsupportedIsa {
        /// 1-based line of the `target` line.
        line: u32,
        /// The name given.
        isa: String,
    },
    /// An unknown feature word.
    #[error("line {line}: {err}")]
    UnknownFeature {
        /// 1-based line of the `target` line.
        line: u32,
        /// The word.
        err: UnknownFeature,
    },
}

impl Flags {
    /// The flags of a parsed `target x86_64 has_avx ...` line.
    pub fn from_target_line(t: &kiln_ir::parser::TargetLine) -> Result<Flags, TargetError> {
        if t.isa != "x86_64" {
            return Err(TargetError::UnsupportedIsa {
                line: t.line,
                isa: t.isa.clone(),
            });
        }
        Flags::parse(t.flags.iter().map(String::as_str))
            .map_err(|err| TargetError::UnknownFeature { line: t.line, err })
    }

    /// The feature words, as written after `target x86_64`.
    pub const NAMES: [&'static str; 8] = [
        "has_sse41",
        "has_avx",
        "has_avx2",
        "has_bmi1",
        "has_bmi2",
        "has_lzcnt",
        "has_popcnt",
        "has_fma",
    ];

    fn field(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "has_sse41" => &mut self.has_sse41,
            "has_avx" => &mut self.has_avx,
            "has_avx2" => &mut self.has_avx2,
            "has_bmi1" => &mut self.has_bmi1,
            "has_bmi2" => &mut self.has_bmi2,
            "has_lzcnt" => &mut self.has_lzcnt,
            "has_popcnt" => &mut self.has_popcnt,
            "has_fma" => &mut self.has_fma,
            _ => return None,
        })
    }

    /// Whether the named feature is on (`None` for an unknown name).
    pub fn get(&self, name: &str) -> Option<bool> {
        let mut copy = *self;
        copy.field(name).map(|b| *b)
    }

    /// Parses the feature words that follow `target x86_64` (e.g. `["has_avx", "has_bmi2"]`),
    /// starting from the baseline.
    pub fn parse<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Flags, UnknownFeature> {
        let mut flags = Flags::default();
        for w in words {
            *flags
                .field(w)
                .ok_or_else(|| UnknownFeature(w.to_string()))? = true;
        }
        Ok(flags)
    }

    /// The features of the machine running this code (the baseline on other architectures).
    pub fn detect_host() -> Flags {
        #[cfg(target_arch = "x86_64")]
        {
            Flags {
                has_sse41: std::is_x86_feature_detected!("sse4.1"),
                has_avx: std::is_x86_feature_detected!("avx"),
                has_avx2: std::is_x86_feature_detected!("avx2"),
                has_bmi1: std::is_x86_feature_detected!("bmi1"),
                has_bmi2: std::is_x86_feature_detected!("bmi2"),
                has_lzcnt: std::is_x86_feature_detected!("lzcnt"),
                has_popcnt: std::is_x86_feature_detected!("popcnt"),
                has_fma: std::is_x86_feature_detected!("fma"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Flags::default()
        }
    }

    /// Whether every feature on in `self` is also on in `host` (code compiled for `self` can
    /// run there).
    pub fn is_subset_of(&self, host: &Flags) -> bool {
        Flags::NAMES
            .iter()
            .all(|n| !self.get(n).unwrap_or(false) || host.get(n).unwrap_or(false))
    }
}

/// Prints the enabled features as in a `target` line: `has_avx has_bmi2` (empty for the
/// baseline).
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for n in Flags::NAMES {
            if self.get(n) == Some(true) {
                if !first {
                    f.write_str(" ")?;
                }
                f.write_str(n)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        let f = Flags::parse(["has_avx", "has_fma"]).unwrap();
        assert!(f.has_avx && f.has_fma && !f.has_sse41 && !f.has_bmi2);
        assert_eq!(f.to_string(), "has_avx has_fma");
        assert_eq!(Flags::parse([]).unwrap(), Flags::default());
        assert_eq!(Flags::default().to_string(), "");
        let e = Flags::parse(["has_avx", "has_sse5"]).unwrap_err();
        assert_eq!(e, UnknownFeature("has_sse5".into()));
        assert!(e.to_string().contains("has_sse5"));
        for n in Flags::NAMES {
            assert_eq!(Flags::parse([n]).unwrap().to_string(), n);
        }
    }

    #[test]
    fn target_lines() {
        use kiln_ir::parser::TargetLine;
        let line = |isa: &str, flags: &[&str]| TargetLine {
            isa: isa.to_string(),
            flags: flags.iter().map(|s| s.to_string()).collect(),
            line: 3,
        };
        let f = Flags::from_target_line(&line("x86_64", &["has_bmi2", "has_lzcnt"])).unwrap();
        assert!(f.has_bmi2 && f.has_lzcnt && !f.has_avx);
        let e = Flags::from_target_line(&line("aarch64", &[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: unsupported target `aarch64` (this backend compiles for x86_64)"
        );
        let e = Flags::from_target_line(&line("x86_64", &["has_avx512"])).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("line 3: unknown x86_64 feature `has_avx512`"));
    }

    #[test]
    fn subset() {
        let avx = Flags::parse(["has_avx"]).unwrap();
        let both = Flags::parse(["has_avx", "has_bmi1"]).unwrap();
        assert!(avx.is_subset_of(&both));
        assert!(!both.is_subset_of(&avx));
        assert!(Flags::default().is_subset_of(&avx));
        // The host's own features are a subset of themselves, whatever they are.
        let host = Flags::detect_host();
        assert!(host.is_subset_of(&host));
    }
}
