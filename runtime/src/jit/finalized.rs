//! Finalization (memory layout and linking) and the [`FinalizedModule`] it produces.

use super::error::JitError;
use super::module::{Decl, JitModule};
use super::typed::{JitFunc, JitParams, JitReturn};
use super::{DataId, FuncId, Linkage, DATA_NAMESPACE, FUNC_NAMESPACE};
use crate::code_memory::CodeBuilder;
use crate::compiler::RelocKind;
use crate::mmap::{page_size, Mmap};
use crate::traps::{CodeInfo, FunctionInfo, RegisteredCode};
use kiln_backend_x64::isa::x64::libcalls::LibCall;
use kiln_ir::types::Type;
use kiln_ir::{Signature, UserFuncName};
use std::collections::HashMap;

/// Alignment of every data object.
const DATA_ALIGN: usize = 16;

/// A function of a finalized module.
struct FuncEntry {
    name: String,
    linkage: Linkage,
    signature: Signature,
    /// Its address: in the module's code, or the host symbol of an import.
    address: *const u8,
}

/// A data object of a finalized module.
struct DataEntry {
    name: String,
    address: *mut u8,
    size: usize,
}

/// The code and data of a [`JitModule`], in memory and linked: functions are called through
/// typed handles ([`get_func`](Self::get_func)). Dropping it unmaps the code and data, and
/// the borrow of every handle makes sure no call outlives them.
///
/// It is `Send` but not `Sync`: JIT code may write its data objects, so calls must not run on
/// two threads at once.
pub struct FinalizedModule {
    funcs: Vec<FuncEntry>,
    data: Vec<DataEntry>,
    exports: HashMap<String, Decl>,
    /// The code, registered so faults in it are recognised as traps.
    _code: Option<RegisteredCode>,
    /// Read-only data first, then writable data, each part page-aligned.
    _data_memory: Option<Mmap>,
}

// SAFETY: the raw pointers point into mappings the module owns (or host symbols, which
// `define_symbol`'s contract keeps valid); nothing in the module is tied to a thread.
unsafe impl Send for FinalizedModule {}

impl std::fmt::Debug for FinalizedModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FinalizedModule")
            .field("functions", &self.funcs.len())
            .field("data", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl FinalizedModule {
    /// A typed handle on function `id` (local, exported or imported), with parameters `P` (a
    /// tuple such as `(i64, i64)`) and result `R` (`()` or one type). Fails if they are not
    /// exactly the declared parameter and result types.
    pub fn get_func<P: JitParams, R: JitReturn>(&self, id: FuncId) -> Result<JitFunc<'_, P, R>, JitError> {
        let f = self.funcs.get(id.0 as usize).ok_or(JitError::UnknownId {
            what: "function",
            index: id.0,
        })?;
        let declared = |s: &Signature| -> (Vec<Type>, Vec<Type>) {
            (
                s.params.iter().map(|p| p.value_type).collect(),
                s.returns.iter().map(|p| p.value_type).collect(),
            )
        };
        let wanted = (P::types(), R::types());
        if declared(&f.signature) != wanted {
            return Err(JitError::SignatureMismatch {
                name: f.name.clone(),
                declared: f.signature.to_string(),
                found: format!("{}", TypesDisplay(&wanted.0, &wanted.1)),
            });
        }
        // SAFETY: the types match the declaration, which the code was compiled for (or, for an
        // import, which the host symbol was checked against or promised to have); the handle
        // borrows `self`, which owns the code.
        Ok(unsafe { JitFunc::new(f.address) })
    }

    /// A typed handle on the exported function `name`; see [`get_func`](Self::get_func).
    pub fn get_func_by_name<P: JitParams, R: JitReturn>(
        &self,
        name: &str,
    ) -> Result<JitFunc<'_, P, R>, JitError> {
        match self.exports.get(name) {
            Some(&Decl::Func(id)) => self.get_func(id),
            _ => Err(JitError::UnknownName {
                what: "exported function",
                name: name.to_string(),
            }),
        }
    }

    /// The exported function `name`.
    pub fn exported_func(&self, name: &str) -> Option<FuncId> {
        match self.exports.get(name) {
            Some(&Decl::Func(id)) => Some(id),
            _ => None,
        }
    }

    /// The exported data object `name`.
    pub fn exported_data(&self, name: &str) -> Option<DataId> {
        match self.exports.get(name) {
            Some(&Decl::Data(id)) => Some(id),
            _ => None,
        }
    }

    /// The address of function `id`'s code. Calling it directly does not catch traps.
    pub fn func_ptr(&self, id: FuncId) -> Result<*const u8, JitError> {
        Ok(self
            .funcs
            .get(id.0 as usize)
            .ok_or(JitError::UnknownId {
                what: "function",
                index: id.0,
            })?
            .address)
    }

    /// The address and size of data object `id` (for an import: its symbol, size 0).
    pub fn data_ptr(&self, id: DataId) -> Result<(*mut u8, usize), JitError> {
        let d = self.data_entry(id)?;
        Ok((d.address, d.size))
    }

    /// A copy of the current contents of the defined data object `id` (empty for an import).
    pub fn read_data(&self, id: DataId) -> Result<Vec<u8>, JitError> {
        let d = self.data_entry(id)?;
        if d.size == 0 {
            return Ok(Vec::new());
        }
        // SAFETY: a defined object's `size` bytes are mapped readable while `self` lives; the
        // module is not `Sync` and calls are synchronous, so no JIT code writes them now.
        Ok(unsafe { std::slice::from_raw_parts(d.address, d.size) }.to_vec())
    }

    fn data_entry(&self, id: DataId) -> Result<&DataEntry, JitError> {
        self.data.get(id.0 as usize).ok_or(JitError::UnknownId {
            what: "data object",
            index: id.0,
        })
    }

    /// The name of data object `id`.
    pub fn data_name(&self, id: DataId) -> Result<&str, JitError> {
        Ok(&self.data_entry(id)?.name)
    }

    /// The name of function `id`.
    pub fn func_name(&self, id: FuncId) -> Result<&str, JitError> {
        self.funcs
            .get(id.0 as usize)
            .map(|f| f.name.as_str())
            .ok_or(JitError::UnknownId {
                what: "function",
                index: id.0,
            })
    }

    /// Whether function `id` is local, exported or imported.
    pub fn func_linkage(&self, id: FuncId) -> Result<Linkage, JitError> {
        self.funcs
            .get(id.0 as usize)
            .map(|f| f.linkage)
            .ok_or(JitError::UnknownId {
                what: "function",
                index: id.0,
            })
    }
}

/// Prints a signature given as types only: `(i64, i64) -> i64`.
struct TypesDisplay<'a>(&'a [Type], &'a [Type]);

impl std::fmt::Display for TypesDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[Type]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        write!(f, "({})", list(self.0))?;
        if !self.1.is_empty() {
            write!(f, " -> {}", list(self.1))?;
        }
        Ok(())
    }
}

fn memory_error(e: impl std::fmt::Display) -> JitError {
    JitError::Memory(e.to_string())
}

/// The data mapping (if any data is defined) and the address and size of each object.
type PlacedData = (Option<Mmap>, Vec<(*mut u8, usize)>);

/// Lays out, copies and protects the data.
fn place_data(module: &JitModule) -> Result<PlacedData, JitError> {
    let page = page_size();
    // Offsets: read-only objects from 0, writable ones from the page after them.
    let mut offsets = vec![0usize; module.data.len()];
    let mut end = [0usize; 2];
    for writable in [false, true] {
        let part = writable as usize;
        if writable {
            end[1] = end[0].next_multiple_of(page);
        }
        for (i, d) in module.data.iter().enumerate() {
            if let (Some(bytes), true) = (&d.contents, d.writable == writable) {
                let at = end[part].next_multiple_of(DATA_ALIGN);
                offsets[i] = at;
                end[part] = at + bytes.len();
            }
        }
    }
    if module.data.iter().all(|d| d.contents.is_none()) {
        // Nothing defined: no mapping (imports are resolved by the caller).
        return Ok((None, vec![(std::ptr::null_mut(), 0); module.data.len()]));
    }
    // At least a page, so even an empty object has a valid address.
    let total = end[1].next_multiple_of(page).max(page);
    let mut addresses = Vec::with_capacity(module.data.len());
    let mmap = Mmap::reserve(total).map_err(memory_error)?;
    mmap.make_accessible(0, mmap.len()).map_err(memory_error)?;
    for (i, d) in module.data.iter().enumerate() {
        match &d.contents {
            Some(bytes) => {
                // SAFETY: offsets[i] + len is inside the read-write mapping (computed above).
                let at = unsafe { mmap.as_ptr().add(offsets[i]) };
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, bytes.len()) };
                addresses.push((at, bytes.len()));
            }
            None => addresses.push((std::ptr::null_mut(), 0)),
        }
    }
    let read_only = end[0].next_multiple_of(page);
    mmap.make_read_only(0, read_only).map_err(memory_error)?;
    Ok((Some(mmap), addresses))
}

pub(super) fn finalize(module: JitModule) -> Result<FinalizedModule, JitError> {
    // Everything declared must be defined, and every import resolvable.
    for f in &module.funcs {
        match f.linkage {
            Linkage::Import => {
                let symbol = module
                    .symbols
                    .get(&f.name)
                    .ok_or_else(|| JitError::UnresolvedImport { name: f.name.clone() })?;
                if let Some((params, returns)) = &symbol.types {
                    let declared: Vec<Type> = f.signature.params.iter().map(|p| p.value_type).collect();
                    let declared_ret: Vec<Type> =
                        f.signature.returns.iter().map(|p| p.value_type).collect();
                    if *params != declared || *returns != declared_ret {
                        return Err(JitError::SignatureMismatch {
                            name: f.name.clone(),
                            declared: f.signature.to_string(),
                            found: TypesDisplay(params, returns).to_string(),
                        });
                    }
                }
            }
            _ if f.compiled.is_none() => {
                return Err(JitError::UndefinedFunction { name: f.name.clone() })
            }
            _ => {}
        }
    }
    for d in &module.data {
        match d.linkage {
            Linkage::Import if !module.symbols.contains_key(&d.name) => {
                return Err(JitError::UnresolvedImport { name: d.name.clone() })
            }
            Linkage::Local | Linkage::Export if d.contents.is_none() => {
                return Err(JitError::UndefinedData { name: d.name.clone() })
            }
            _ => {}
        }
    }

    let (data_memory, mut data_addresses) = place_data(&module)?;
    for (d, slot) in module.data.iter().zip(&mut data_addresses) {
        if d.linkage == Linkage::Import {
            *slot = (module.symbols[&d.name].address.cast_mut(), 0);
        }
    }

    // Code: the defined functions in id order, 16-byte aligned, int3 between them.
    let mut bytes = Vec::new();
    let mut starts = vec![None; module.funcs.len()];
    for (i, f) in module.funcs.iter().enumerate() {
        if let Some(c) = &f.compiled {
            bytes.resize(bytes.len().next_multiple_of(16), 0xcc);
            starts[i] = Some(bytes.len());
            bytes.extend_from_slice(&c.code);
        }
    }
    let code = if bytes.is_empty() {
        None
    } else {
        let mut builder = CodeBuilder::new(&bytes).map_err(memory_error)?;
        let base = builder.base() as usize;
        let address_of = |target: &UserFuncName| -> Option<usize> {
            match *target {
                UserFuncName::User { namespace, index } if namespace == FUNC_NAMESPACE => {
                    let f = module.funcs.get(index as usize)?;
                    match starts[index as usize] {
                        Some(start) => Some(base + start),
                        None => Some(module.symbols.get(&f.name)?.address as usize),
                    }
                }
                UserFuncName::User { namespace, index } if namespace == DATA_NAMESPACE => {
                    Some(data_addresses.get(index as usize)?.0 as usize)
                }
                UserFuncName::User { .. } => None,
                UserFuncName::Testcase(ref name) => Some(LibCall::from_name(name)?.address()),
            }
        };
        let code = builder.as_mut_slice();
        for (i, f) in module.funcs.iter().enumerate() {
            let (Some(c), Some(start)) = (&f.compiled, starts[i]) else {
                continue;
            };
            for r in &c.relocs {
                let err = |message: String| JitError::Relocation {
                    function: f.name.clone(),
                    offset: r.offset,
                    message,
                };
                let target = address_of(&r.target).ok_or_else(|| {
                    err(format!(
                        "`{}` is not a function or data object of this module",
                        r.target
                    ))
                })?;
                let value = (target as i64).wrapping_add(r.addend);
                let at = start + r.offset as usize;
                let width = match r.kind {
                    RelocKind::X86CallPCRel4 => 4,
                    RelocKind::Abs8 => 8,
                };
                if r.offset as usize + width > c.code.len() {
                    return Err(err("outside the function".into()));
                }
                match r.kind {
                    RelocKind::X86CallPCRel4 => {
                        let delta = i32::try_from(value - (base + at) as i64)
                            .map_err(|_| err(format!("`{}` is out of reach of a 32-bit call", r.target)))?;
                        code[at..at + 4].copy_from_slice(&delta.to_le_bytes());
                    }
                    RelocKind::Abs8 => code[at..at + 8].copy_from_slice(&value.to_le_bytes()),
                }
            }
        }
        let published = builder.publish().map_err(memory_error)?;
        let mut info = CodeInfo::default();
        for (i, f) in module.funcs.iter().enumerate() {
            if let (Some(c), Some(start)) = (&f.compiled, starts[i]) {
                info.functions.push(FunctionInfo {
                    start: start as u32,
                    end: (start + c.code.len()) as u32,
                    name: f.name.clone(),
                });
                info.traps
                    .extend(c.traps.iter().map(|&(off, code)| (start as u32 + off, code)));
            }
        }
        Some(RegisteredCode::new(published, info).map_err(memory_error)?)
    };

    let code_base = code.as_ref().map_or(std::ptr::null(), |c| c.code().base());
    let funcs = module
        .funcs
        .iter()
        .zip(&starts)
        .map(|(f, start)| FuncEntry {
            name: f.name.clone(),
            linkage: f.linkage,
            signature: f.signature.clone(),
            address: match start {
                // SAFETY: the start is inside the published code.
                Some(s) => unsafe { code_base.add(*s) },
                None => module.symbols[&f.name].address,
            },
        })
        .collect();
    let data = module
        .data
        .iter()
        .zip(data_addresses)
        .map(|(d, (address, size))| DataEntry {
            name: d.name.clone(),
            address,
            size,
        })
        .collect();
    let exports = module
        .names
        .iter()
        .filter(|(_, decl)| {
            let linkage = match **decl {
                Decl::Func(id) => module.funcs[id.0 as usize].linkage,
                Decl::Data(id) => module.data[id.0 as usize].linkage,
            };
            linkage == Linkage::Export
        })
        .map(|(name, decl)| (name.clone(), *decl))
        .collect();
    Ok(FinalizedModule {
        funcs,
        data,
        exports,
        _code: code,
        _data_memory: data_memory,
    })
}
