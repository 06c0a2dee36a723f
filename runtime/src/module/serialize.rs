//! The serialized form of a compiled module: [`Module::serialize`] and
//! [`Module::deserialize`].
//!
//! A serialized module is a fixed header followed by a payload. All integers are
//! little-endian.
//!
//! | size     | field                                                                  |
//! |----------|------------------------------------------------------------------------|
//! | 8        | magic bytes [`MAGIC`]                                                  |
//! | 4        | format version ([`FORMAT_VERSION`])                                    |
//! | 4        | CRC-32 (IEEE) of every byte after this field                           |
//! | 8        | length of the whole serialized module in bytes                         |
//! | 1 + n    | Kiln version (a length byte, then UTF-8)                               |
//! | 1 + n    | target architecture (`x86_64`)                                         |
//! | 4        | CPU features the code uses: bit `i` is `Flags::NAMES[i]` of the backend |
//! | 1        | bounds checks: 0 guard pages, 1 explicit                               |
//! | 8        | memory reservation in bytes (guard pages only, else 0)                 |
//! | 8        | memory guard size in bytes (guard pages only, else 0)                  |
//! | 1        | Spectre mitigation (0 or 1)                                            |
//! | 1        | stack-limit checks in prologues (0 or 1)                               |
//! | rest     | payload: the module metadata and its unlinked code, in `postcard`      |
//!
//! Loading checks, in order: the magic, the format version, the length, the checksum (so a
//! flipped bit anywhere after the format version is caught), then that the Kiln version,
//! target, CPU features and every code-generation setting equal the engine's, then decodes
//! the payload and validates it structurally (indices in range, relocations and trap sites
//! inside their function, ...) before any code is mapped executable.
//!
//! The checksum detects accidental corruption, not tampering: the payload is machine code,
//! so an artifact must come from a trusted source, like any native library.

use super::{assemble, compile_ir, publish, Artifact, Compiled, CompiledStub, Module};
use crate::collections::{TryArc, TryClone, TryMap};
use crate::compiler::RelocKind;
use crate::config::BoundsCheckStrategy;
use crate::engine::Engine;
use crate::error::Error;
use crate::trampolines;
use kiln_backend_x64::isa::x64::Flags;
use kiln_frontend_wasm::{
    fallible_serde, ConstExpr, ConstOp, ElementItems, ElementMode, EntityIndex, ModuleInfo, WasmFuncType,
};
use kiln_ir::{OutOfMemory, UserFuncName};
use std::collections::HashSet;
use std::path::Path;

/// The first bytes of every serialized module.
pub(crate) const MAGIC: [u8; 8] = *b"\0KILNMOD";

/// The version of the layout described in this module's documentation.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Bytes before the variable-length part of the header: magic, format version, checksum,
/// length.
const FIXED_PREFIX: usize = 24;

/// Why a serialized module could not be loaded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DeserializeError {
    /// The bytes do not start with [`Module::SERIALIZED_MAGIC`].
    #[error("not a serialized Kiln module (wrong magic bytes)")]
    BadMagic,
    /// The data ends before the length its header announces (or before the header does).
    #[error("truncated serialized module: {found} bytes, expected at least {expected}")]
    Truncated {
        /// Bytes present.
        found: u64,
        /// Bytes needed.
        expected: u64,
    },
    /// There are bytes after the length the header announces.
    #[error("corrupted serialized module: {found} bytes, but its header says {expected}")]
    TrailingBytes {
        /// Bytes present.
        found: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// Another layout version.
    #[error(
        "serialized module has format version {found}, but this Kiln reads version {expected}"
    )]
    FormatVersion {
        /// The artifact's version.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The checksum does not match the contents.
    #[error(
        "corrupted serialized module: checksum mismatch (stored {stored:#010x}, computed {computed:#010x})"
    )]
    Checksum {
        /// The checksum in the header.
        stored: u32,
        /// The checksum of the contents.
        computed: u32,
    },
    /// Compiled by another version of Kiln.
    #[error("serialized module was compiled by Kiln {found}, but this is Kiln {expected}")]
    KilnVersion {
        /// The artifact's Kiln version.
        found: String,
        /// This build's version.
        expected: String,
    },
    /// Compiled for another architecture.
    #[error("serialized module was compiled for target {found}, but this engine targets {expected}")]
    Target {
        /// The artifact's target.
        found: String,
        /// The engine's target.
        expected: String,
    },
    /// Compiled for other CPU features than the engine's.
    #[error(
        "serialized module was compiled for CPU features [{found}], but the engine uses [{expected}]"
    )]
    CpuFeatures {
        /// The artifact's features (`has_avx has_bmi2`, or `baseline`).
        found: String,
        /// The engine's features.
        expected: String,
    },
    /// Compiled with another value of a setting that changes the generated code.
    #[error(
        "serialized module was compiled with {setting} = {found}, but the engine has {expected}"
    )]
    Setting {
        /// The setting.
        setting: &'static str,
        /// The artifact's value.
        found: String,
        /// The engine's value.
        expected: String,
    },
    /// The payload does not decode, or its contents are inconsistent.
    #[error("invalid serialized module: {0}")]
    Invalid(String),
    /// A file could not be read.
    #[error("cannot read serialized module {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

/// Everything in the header that must equal the engine's for the code to be usable. The
/// strings borrow the serialized bytes (or are this build's constants): loading allocates
/// nothing for the header.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct CodegenSettings<'a> {
    pub(crate) kiln_version: &'a str,
    pub(crate) target: &'a str,
    pub(crate) cpu_features: u32,
    pub(crate) bounds_checks: u8,
    pub(crate) memory_reservation: u64,
    pub(crate) memory_guard_size: u64,
    pub(crate) spectre: bool,
    pub(crate) stack_limit_checks: bool,
}

fn flags_to_bits(flags: &Flags) -> u32 {
    Flags::NAMES
        .iter()
        .enumerate()
        .filter(|(_, n)| flags.get(n) == Some(true))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

fn bits_to_names(bits: u32) -> String {
    let mut names: Vec<String> = Flags::NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let unknown = bits & !((1u32 << Flags::NAMES.len()) - 1);
    if unknown != 0 {
        names.push(format!("unknown bits {unknown:#x}"));
    }
    if names.is_empty() {
        "baseline".to_string()
    } else {
        names.join(" ")
    }
}

impl<'a> CodegenSettings<'a> {
    /// The settings of code `engine` generates.
    pub(crate) fn of_engine(engine: &Engine) -> Result<CodegenSettings<'static>, Error> {
        let config = engine.config();
        // Cheap: the compiler's state is created lazily.
        let flags = crate::x64::X64Compiler::new(config)?.flags();
        let (bounds_checks, memory_reservation, memory_guard_size) = match config.bounds_checks {
            BoundsCheckStrategy::Guard => (0, config.memory_reservation, config.memory_guard_size),
            BoundsCheckStrategy::Explicit => (1, 0, 0),
        };
        Ok(CodegenSettings {
            kiln_version: env!("CARGO_PKG_VERSION"),
            target: "x86_64",
            cpu_features: flags_to_bits(&flags),
            bounds_checks,
            memory_reservation,
            memory_guard_size,
            spectre: config.spectre,
            stack_limit_checks: crate::x64::STACK_LIMIT_CHECKS,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        for s in [self.kiln_version, self.target] {
            // Both are short constants of this build.
            out.push(s.len().min(255) as u8);
            out.extend_from_slice(&s.as_bytes()[..s.len().min(255)]);
        }
        out.extend_from_slice(&self.cpu_features.to_le_bytes());
        out.push(self.bounds_checks);
        out.extend_from_slice(&self.memory_reservation.to_le_bytes());
        out.extend_from_slice(&self.memory_guard_size.to_le_bytes());
        out.push(self.spectre as u8);
        out.push(self.stack_limit_checks as u8);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, DeserializeError> {
        let string = |r: &mut Reader<'a>, what: &str| {
            let len = r.u8()? as usize;
            std::str::from_utf8(r.take(len)?)
                .map_err(|_| DeserializeError::Invalid(format!("the {what} is not UTF-8")))
        };
        let kiln_version = string(r, "Kiln version")?;
        let target = string(r, "target")?;
        let cpu_features = r.u32()?;
        let bounds_checks = r.u8()?;
        let memory_reservation = r.u64()?;
        let memory_guard_size = r.u64()?;
        let spectre = r.bool()?;
        let stack_limit_checks = r.bool()?;
        Ok(CodegenSettings {
            kiln_version,
            target,
            cpu_features,
            bounds_checks,
            memory_reservation,
            memory_guard_size,
            spectre,
            stack_limit_checks,
        })
    }

    /// Checks that code compiled with `self` can run in an engine generating `engine`'s code.
    /// Compares the raw values, so that only a mismatch allocates (for its message).
    fn check_matches(&self, engine: &CodegenSettings<'_>) -> Result<(), DeserializeError> {
        if self.kiln_version != engine.kiln_version {
            return Err(DeserializeError::KilnVersion {
                found: self.kiln_version.to_string(),
                expected: engine.kiln_version.to_string(),
            });
        }
        if self.target != engine.target {
            return Err(DeserializeError::Target {
                found: self.target.to_string(),
                expected: engine.target.to_string(),
            });
        }
        if self.cpu_features != engine.cpu_features {
            return Err(DeserializeError::CpuFeatures {
                found: bits_to_names(self.cpu_features),
                expected: bits_to_names(engine.cpu_features),
            });
        }
        let setting = |setting: &'static str, found: String, expected: String| {
            Err(DeserializeError::Setting {
                setting,
                found,
                expected,
            })
        };
        let strategy = |b: u8| match b {
            0 => "guard".to_string(),
            1 => "explicit".to_string(),
            other => format!("unknown ({other})"),
        };
        let on_off = |b: bool| if b { "on" } else { "off" }.to_string();
        if self.bounds_checks != engine.bounds_checks {
            return setting(
                "bounds checks",
                strategy(self.bounds_checks),
                strategy(engine.bounds_checks),
            );
        }
        if self.memory_reservation != engine.memory_reservation {
            return setting(
                "memory reservation",
                self.memory_reservation.to_string(),
                engine.memory_reservation.to_string(),
            );
        }
        if self.memory_guard_size != engine.memory_guard_size {
            return setting(
                "memory guard size",
                self.memory_guard_size.to_string(),
                engine.memory_guard_size.to_string(),
            );
        }
        if self.spectre != engine.spectre {
            return setting(
                "Spectre mitigation",
                on_off(self.spectre),
                on_off(engine.spectre),
            );
        }
        if self.stack_limit_checks != engine.stack_limit_checks {
            return setting(
                "stack-limit checks",
                on_off(self.stack_limit_checks),
                on_off(engine.stack_limit_checks),
            );
        }
        Ok(())
    }
}

/// Reads the header fields in order; running out of bytes is an error, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DeserializeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| DeserializeError::Invalid("the header ends early".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DeserializeError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, DeserializeError> {
        Ok(self.array::<1>()?[0])
    }

    fn bool(&mut self) -> Result<bool, DeserializeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DeserializeError::Invalid(format!(
                "a flag of the header is {b}, not 0 or 1"
            ))),
        }
    }

    fn u32(&mut self) -> Result<u32, DeserializeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, DeserializeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
}

/// The payload, as written (borrowing the module).
#[derive(serde::Serialize)]
struct PayloadRef<'a> {
    info: &'a ModuleInfo,
    artifact: ArtifactRef<'a>,
}

#[derive(serde::Serialize)]
struct ArtifactRef<'a> {
    functions: &'a [Compiled],
    trampoline_slots: &'a [u32],
    host_shims: &'a [(WasmFuncType, Compiled)],
}

/// The payload, as read. Same fields, in the same order, as `PayloadRef`.
#[derive(serde::Deserialize)]
struct Payload {
    info: ModuleInfo,
    artifact: Artifact,
}

/// Name of the host shim compiled into serialized modules (as `module::host_shim` names it).
fn host_shim_name() -> UserFuncName {
    UserFuncName::user(super::HOST_SHIM_NAMESPACE, 0)
}

/// Header and payload together: fills in the length and the checksum.
pub(crate) fn seal(settings: &CodegenSettings<'_>, payload: &[u8]) -> Result<Vec<u8>, OutOfMemory> {
    let size = FIXED_PREFIX + 64 + payload.len();
    let mut out = Vec::new();
    out.try_reserve_exact(size)
        .map_err(|_| OutOfMemory::new(size))?;
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // checksum, below
    out.extend_from_slice(&[0; 8]); // length, below
    settings.write(&mut out);
    out.extend_from_slice(payload);
    let len = out.len() as u64;
    out[16..24].copy_from_slice(&len.to_le_bytes());
    let crc = crc32fast::hash(&out[16..]);
    out[12..16].copy_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Checks the magic, version, length and checksum, and splits the rest into header settings
/// and payload.
pub(crate) fn unseal(bytes: &[u8]) -> Result<(CodegenSettings<'_>, &[u8]), DeserializeError> {
    let found = bytes.len() as u64;
    let truncated = |expected: u64| DeserializeError::Truncated { found, expected };
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(DeserializeError::BadMagic);
    }
    if bytes.len() < 12 {
        return Err(truncated(FIXED_PREFIX as u64));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(DeserializeError::FormatVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    if bytes.len() < FIXED_PREFIX {
        return Err(truncated(FIXED_PREFIX as u64));
    }
    let expected = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    if found < expected {
        return Err(truncated(expected));
    }
    // Also catches a length shorter than the fixed prefix itself.
    if found > expected {
        return Err(DeserializeError::TrailingBytes { found, expected });
    }
    let stored = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
    let computed = crc32fast::hash(&bytes[16..]);
    if stored != computed {
        return Err(DeserializeError::Checksum { stored, computed });
    }
    let mut r = Reader {
        bytes,
        pos: FIXED_PREFIX,
    };
    let settings = CodegenSettings::read(&mut r)?;
    Ok((settings, &bytes[r.pos..]))
}

impl Module {
    /// The first bytes of every serialized module.
    pub const SERIALIZED_MAGIC: [u8; 8] = MAGIC;

    /// The version of the serialized format this build writes and reads; loading another is
    /// a [`DeserializeError::FormatVersion`].
    pub const SERIALIZED_FORMAT_VERSION: u32 = FORMAT_VERSION;

    /// Whether `bytes` look like a serialized module (they start with its magic bytes), as
    /// opposed to a Wasm binary or text.
    pub fn is_serialized(bytes: &[u8]) -> bool {
        bytes.starts_with(&MAGIC)
    }

    /// The module's compiled code and metadata in Kiln's serialized format, for
    /// [`Module::deserialize`] by an engine with the same configuration, on a machine with
    /// the same CPU features, with the same version of Kiln.
    ///
    /// The format is a fixed header — [`Module::SERIALIZED_MAGIC`], the format version, a
    /// CRC-32 of everything after it, the total length, the Kiln version, the target, the CPU
    /// features the code uses and every setting that changes generated code (bounds checks,
    /// memory reservation and guard size, Spectre mitigation, stack-limit checks) — followed
    /// by a `postcard` payload: the module's metadata and its code before linking.
    ///
    /// ```
    /// use kiln_runtime::*;
    /// # fn main() -> Result<(), Error> {
    /// let engine = Engine::new(&Config::new())?;
    /// let wasm = wat::parse_str(r#"(module (func (export "seven") (result i32) i32.const 7))"#)
    ///     .unwrap();
    /// let bytes = Module::new(&engine, wasm)?.serialize()?;
    /// assert!(Module::is_serialized(&bytes));
    /// // Later, perhaps in another process: no compilation.
    /// let module = Module::deserialize(&engine, &bytes)?;
    /// let mut store = Store::new(&engine, ())?;
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let seven = instance.get_typed_func::<(), i32>(&store, "seven")?;
    /// assert_eq!(seven.call(&mut store, ())?, 7);
    /// // Another configuration cannot use this code.
    /// let mut config = Config::new();
    /// config.bounds_checks(BoundsCheckStrategy::Explicit);
    /// let err = Module::deserialize(&Engine::new(&config)?, &bytes).unwrap_err();
    /// assert!(err.to_string().contains("bounds checks = guard"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Host-function glue for the module's imported function types is compiled now (with the
    /// module's engine) and included, so the deserialized module needs no compiler.
    pub fn serialize(&self) -> Result<Vec<u8>, Error> {
        let engine = &self.inner.engine;
        let settings = CodegenSettings::of_engine(engine)?;
        let artifact = &self.inner.artifact;
        let info = &self.inner.info;
        let host_shims = if artifact.host_shims.is_empty() {
            let mut shims: Vec<(WasmFuncType, Compiled)> = Vec::new();
            for import in &info.imports {
                let EntityIndex::Function(f) = import.index else {
                    continue;
                };
                let ty = info.function_type(f);
                if shims.iter().any(|(t, _)| t == ty) {
                    continue;
                }
                let name = host_shim_name();
                let display = "host-shim".to_string();
                let func = compile_ir(
                    &*engine.inner.compiler,
                    &trampolines::host_shim(ty, name.clone()),
                    &display,
                )?;
                shims.push((ty.clone(), Compiled { name, display, func }));
            }
            shims
        } else {
            Vec::new()
        };
        let payload = PayloadRef {
            info,
            artifact: ArtifactRef {
                functions: &artifact.functions,
                trampoline_slots: &artifact.trampoline_slots,
                host_shims: if host_shims.is_empty() {
                    &artifact.host_shims
                } else {
                    &host_shims
                },
            },
        };
        let payload = postcard::to_allocvec(&payload)
            .map_err(|e| Error::Usage(format!("cannot serialize the module: {e}")))?;
        let out = seal(&settings, &payload)?;
        log::debug!(
            "module {}: serialized into {} bytes",
            info.name.as_deref().unwrap_or("<unnamed>"),
            out.len()
        );
        Ok(out)
    }

    /// Loads a module that [`Module::serialize`] wrote, without compiling anything.
    ///
    /// Fails with a [`DeserializeError`] naming the problem if the bytes are not a
    /// serialized module, are truncated or corrupted, or were made by another version of
    /// Kiln, for other CPU features or with code-generation settings (bounds checks,
    /// memory reservation and guard, Spectre mitigation, stack-limit checks) other than
    /// `engine`'s. The metadata and code layout are validated before the code is mapped
    /// executable; the machine code itself is trusted, so only load artifacts you or a
    /// trusted party produced (the checksum catches accidents, not attacks).
    ///
    /// Running out of memory is an [`Error::OutOfMemory`], never an abort.
    pub fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let started = std::time::Instant::now();
        let (settings, payload) = unseal(bytes)?;
        settings.check_matches(&CodegenSettings::of_engine(engine)?)?;
        // Collections in the payload grow fallibly (`fallible_serde`); a failed allocation
        // stops decoding with a custom error and is recorded, so clear any stale record first.
        fallible_serde::take_failure();
        let payload: Payload = match postcard::take_from_bytes(payload) {
            Ok((p, [])) => p,
            Ok((_, rest)) => {
                return Err(DeserializeError::Invalid(format!(
                    "{} bytes after the payload",
                    rest.len()
                ))
                .into())
            }
            Err(e) => {
                if let Some(oom) = fallible_serde::take_failure() {
                    return Err(oom.into());
                }
                return Err(
                    DeserializeError::Invalid(format!("the payload does not decode: {e}")).into(),
                );
            }
        };
        validate(&payload)?;
        let Payload { info, artifact } = payload;
        for (ty, shim) in &artifact.host_shims {
            install_host_shim(engine, ty, shim)?;
        }
        let module = assemble(engine, info, artifact)?;
        log::info!(
            "module {}: deserialized {} bytes in {:?}",
            module.name().unwrap_or("<unnamed>"),
            bytes.len(),
            started.elapsed()
        );
        Ok(module)
    }

    /// [`Module::deserialize`] of the contents of the file at `path`.
    pub fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        // `fs::read` allocates its buffer fallibly and reports failure as `OutOfMemory`.
        let bytes = std::fs::read(path).map_err(|e| -> Error {
            if e.kind() == std::io::ErrorKind::OutOfMemory {
                let size = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
                return OutOfMemory::new(size.max(1)).into();
            }
            DeserializeError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            }
            .into()
        })?;
        Module::deserialize(engine, &bytes)
    }
}

/// Publishes a deserialized host shim into the engine's cache, unless the engine already
/// has one for `ty`.
fn install_host_shim(engine: &Engine, ty: &WasmFuncType, shim: &Compiled) -> Result<(), Error> {
    let mut cache = engine
        .inner
        .host_shims
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if !cache.contains_key(ty) {
        let ty = ty.try_clone()?;
        cache.try_reserve_oom(1)?;
        let (code, _) = publish(std::slice::from_ref(shim))?;
        let stub = TryArc::try_new(CompiledStub { code })?;
        cache.insert(ty, stub); // within the reserved room
    }
    Ok(())
}

/// The most types, functions, tables, memories or globals a module may have.
const MAX_ENTITIES: usize = 1_000_000;

/// Checks that the payload is internally consistent, so that instantiating and running it
/// indexes nothing out of range. Returns what is wrong (`DeserializeError::Invalid`), or
/// `Error::OutOfMemory`.
fn validate(p: &Payload) -> Result<(), Error> {
    validate_inner(p).map_err(|e| match e {
        Invalid::Oom(oom) => Error::OutOfMemory(oom),
        Invalid::What(what) => DeserializeError::Invalid(what).into(),
    })
}

/// Why `validate` failed.
enum Invalid {
    What(String),
    Oom(OutOfMemory),
}

impl From<String> for Invalid {
    fn from(what: String) -> Self {
        Invalid::What(what)
    }
}

fn validate_inner(p: &Payload) -> Result<(), Invalid> {
    let info = &p.info;
    let a = &p.artifact;
    let n_types = info.types.len();
    let n_funcs = info.functions.len();
    let n_tables = info.tables.len();
    let n_memories = info.memories.len();
    let n_globals = info.globals.len();
    let check = |ok: bool, what: &dyn Fn() -> String| if ok { Ok(()) } else { Err(what()) };

    // Index spaces.
    check(n_types <= MAX_ENTITIES, &|| format!("{n_types} types"))?;
    check(info.canonical_types.len() == n_types, &|| {
        "canonical types do not match the types".into()
    })?;
    for (i, &c) in info.canonical_types.iter().enumerate() {
        check((c as usize) <= i, &|| format!("canonical type of type {i} is {c}"))?;
    }
    for (f, &t) in info.functions.iter().enumerate() {
        check((t as usize) < n_types, &|| {
            format!("function {f} has type {t}, but there are {n_types} types")
        })?;
    }
    for (what, imported, total) in [
        ("functions", info.num_imported_functions, n_funcs),
        ("tables", info.num_imported_tables, n_tables),
        ("memories", info.num_imported_memories, n_memories),
        ("globals", info.num_imported_globals, n_globals),
    ] {
        check(imported as usize <= total, &|| {
            format!("{imported} imported {what} of {total}")
        })?;
        // Wasm implementations' limits (wasmparser's too); they keep the vmctx layout's
        // 32-bit offsets from overflowing.
        check(total <= MAX_ENTITIES, &|| format!("{total} {what}"))?;
    }
    check(
        info.table_inits.len() == n_tables - info.num_imported_tables as usize,
        &|| "table initialisers do not match the tables".into(),
    )?;
    check(
        info.global_inits.len() == n_globals - info.num_imported_globals as usize,
        &|| "global initialisers do not match the globals".into(),
    )?;
    let in_range = |index: EntityIndex| match index {
        EntityIndex::Function(i) => (i as usize) < n_funcs,
        EntityIndex::Table(i) => (i as usize) < n_tables,
        EntityIndex::Memory(i) => (i as usize) < n_memories,
        EntityIndex::Global(i) => (i as usize) < n_globals,
    };
    // Imports define the imported entities in order.
    let mut next = [0u32; 4];
    for import in &info.imports {
        let (slot, index, limit) = match import.index {
            EntityIndex::Function(i) => (0, i, info.num_imported_functions),
            EntityIndex::Table(i) => (1, i, info.num_imported_tables),
            EntityIndex::Memory(i) => (2, i, info.num_imported_memories),
            EntityIndex::Global(i) => (3, i, info.num_imported_globals),
        };
        check(index == next[slot] && index < limit, &|| {
            format!("import `{}::{}` has index {index}", import.module, import.field)
        })?;
        next[slot] += 1;
    }
    check(
        next == [
            info.num_imported_functions,
            info.num_imported_tables,
            info.num_imported_memories,
            info.num_imported_globals,
        ],
        &|| "the imports do not match the imported counts".into(),
    )?;
    for export in &info.exports {
        check(in_range(export.index), &|| {
            format!("export `{}` refers to {:?}", export.name, export.index)
        })?;
    }
    if let Some(s) = info.start {
        check((s as usize) < n_funcs, &|| format!("start function {s}"))?;
    }
    let const_expr = |e: &ConstExpr| -> Result<(), String> {
        for op in &e.0 {
            match *op {
                ConstOp::RefFunc(f) => {
                    check((f as usize) < n_funcs, &|| format!("ref.func {f}"))?;
                }
                ConstOp::GlobalGet(g) => {
                    check(g < info.num_imported_globals, &|| format!("global.get {g}"))?;
                }
                _ => {}
            }
        }
        Ok(())
    };
    for e in info.table_inits.iter().flatten().chain(&info.global_inits) {
        const_expr(e)?;
    }
    for (i, seg) in info.elements.iter().enumerate() {
        if let ElementMode::Active { table, offset } = &seg.mode {
            check((*table as usize) < n_tables, &|| {
                format!("element segment {i} targets table {table}")
            })?;
            const_expr(offset)?;
        }
        match &seg.items {
            ElementItems::Functions(fs) => {
                for &f in fs {
                    check((f as usize) < n_funcs, &|| {
                        format!("element segment {i} holds function {f}")
                    })?;
                }
            }
            ElementItems::Expressions(es) => es.iter().try_for_each(&const_expr)?,
        }
    }
    for (i, seg) in info.data.iter().enumerate() {
        if let Some((memory, offset)) = &seg.active {
            check((*memory as usize) < n_memories, &|| {
                format!("data segment {i} targets memory {memory}")
            })?;
            const_expr(offset)?;
        }
    }
    for (i, m) in info.memories.iter().enumerate() {
        check(
            m.minimum <= 1 << 16 && m.maximum.is_none_or(|x| m.minimum <= x && x <= 1 << 16),
            &|| format!("memory {i} has limits {:?}", (m.minimum, m.maximum)),
        )?;
    }
    for (i, t) in info.tables.iter().enumerate() {
        check(t.maximum.is_none_or(|x| t.minimum <= x), &|| {
            format!("table {i} has limits {:?}", (t.minimum, t.maximum))
        })?;
    }

    // Code: the defined functions in order, then the trampolines.
    let num_defined = n_funcs - info.num_imported_functions as usize;
    check(a.functions.len() >= num_defined, &|| {
        format!(
            "{} compiled functions for {num_defined} defined functions",
            a.functions.len()
        )
    })?;
    for (i, f) in a.functions[..num_defined].iter().enumerate() {
        let index = info.num_imported_functions + i as u32;
        check(f.name == kiln_frontend_wasm::function_name(index), &|| {
            format!("compiled function {i} is named `{}`", f.name)
        })?;
    }
    check(a.trampoline_slots.len() == n_types, &|| {
        "trampolines do not match the types".into()
    })?;
    for (t, &s) in a.trampoline_slots.iter().enumerate() {
        check(
            (s as usize) >= num_defined && (s as usize) < a.functions.len(),
            &|| format!("the trampoline of type {t} is function {s}"),
        )?;
    }
    let total: usize = a.functions.iter().map(|f| f.func.code.len() + 15).sum();
    check(total < 1 << 31, &|| format!("{total} bytes of code"))?;
    check(
        info.function_names.windows(2).all(|w| w[0].0 < w[1].0),
        &|| "function names are not sorted by index".into(),
    )?;
    let mut names: HashSet<&UserFuncName> = HashSet::new();
    names
        .try_reserve(a.functions.len())
        .map_err(|_| Invalid::Oom(OutOfMemory::new(a.functions.len() * size_of::<usize>())))?;
    names.extend(a.functions.iter().map(|f| &f.name)); // within the reserved room
    for f in &a.functions {
        check_code(f, |t| names.contains(t))?;
    }
    for (_, shim) in &a.host_shims {
        check(shim.name == host_shim_name(), &|| {
            format!("a host shim is named `{}`", shim.name)
        })?;
        check_code(shim, |t| *t == shim.name)?;
    }
    Ok(())
}

/// Relocations and trap sites of `f` lie inside its code, and relocations target known
/// functions.
fn check_code(f: &Compiled, known: impl Fn(&UserFuncName) -> bool) -> Result<(), String> {
    let len = f.func.code.len();
    for r in &f.func.relocs {
        let width = match r.kind {
            RelocKind::X86CallPCRel4 => 4,
            RelocKind::Abs8 => 8,
        };
        if (r.offset as usize).saturating_add(width) > len {
            return Err(format!(
                "relocation at offset {:#x} is outside `{}` ({len} bytes)",
                r.offset, f.display
            ));
        }
        if !known(&r.target) {
            return Err(format!(
                "relocation in `{}` targets unknown function `{}`",
                f.display, r.target
            ));
        }
    }
    for &(off, code) in &f.func.traps {
        if off as usize >= len {
            return Err(format!(
                "trap site {code} at offset {off:#x} is outside `{}` ({len} bytes)",
                f.display
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
