//! The linker: definitions by `module::name`, resolved against a module's imports.

use crate::collections::{try_string, try_vec, TryClone, TryMap};
use crate::engine::Engine;
use crate::error::{Error, LinkError};
use crate::externals::Extern;
use crate::func::{new_host_func, raw_from_vals, Caller, IntoFunc, RawHostFn};
use crate::instance::Instance;
use crate::module::Module;
use crate::store::AsContextMut;
use crate::values::{FuncType, Val};
use std::collections::HashMap;

enum Definition<T> {
    Extern(Extern),
    /// A host function, created in the store at each instantiation that imports it.
    HostFunc(FuncType, RawHostFn<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(ty, f) => Definition::HostFunc(ty.clone(), f.clone()),
        }
    }
}

/// Named definitions for instantiating modules in stores with data `T`.
pub struct Linker<T> {
    engine: Engine,
    /// By module name, then field name (so lookups by `&str` allocate nothing).
    defs: HashMap<String, HashMap<String, Definition<T>>>,
    allow_shadowing: bool,
}

impl<T: 'static> Linker<T> {
    /// An empty linker for `engine`. Allocates nothing, so it cannot fail.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// Whether a definition may replace an earlier one of the same name (default: no, it is
    /// a [`LinkError::Duplicate`]).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Adds a definition; on failure (a duplicate, or out of memory) the linker is unchanged.
    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self, Error> {
        if let Some(names) = self.defs.get_mut(module) {
            if let Some(slot) = names.get_mut(name) {
                if !self.allow_shadowing {
                    return Err(LinkError::Duplicate {
                        module: module.into(),
                        name: name.into(),
                    }
                    .into());
                }
                *slot = def;
            } else {
                names.try_put(try_string(name)?, def)?;
            }
            return Ok(self);
        }
        let mut names = HashMap::new();
        names.try_put(try_string(name)?, def)?;
        self.defs.try_put(try_string(module)?, names)?;
        Ok(self)
    }

    /// Defines `module::name` as `item` (of a store: use the linker with that store only).
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines `module::name` as a host function from a typed Rust closure (optionally taking
    /// a [`Caller`] first).
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        let (ty, raw) = f.into_raw()?;
        self.insert(module, name, Definition::HostFunc(ty, raw))
    }

    /// Defines `module::name` as a host function of type `ty` working on [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        let raw = raw_from_vals(ty.try_clone()?, f)?;
        self.insert(module, name, Definition::HostFunc(ty, raw))
    }

    /// Defines every export of `instance` under `module` (if one fails, the earlier ones
    /// stay defined).
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        let s = store.store_opaque();
        let inst = s.instance(instance)?;
        for export in &inst.module.info().exports {
            self.define(module, &export.name, inst.export(export.index))?;
        }
        Ok(self)
    }

    /// The definition of `module::name` as an extern of `store` (host functions are created).
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Result<Extern, Error>> {
        let def = self.defs.get(module)?.get(name)?;
        Some(match def {
            Definition::Extern(e) => Ok(*e),
            Definition::HostFunc(ty, f) => {
                let ty = match ty.try_clone() {
                    Ok(ty) => ty,
                    Err(e) => return Some(Err(e.into())),
                };
                new_host_func(store.store_inner_mut(), ty, f.clone()).map(Extern::Func)
            }
        })
    }

    /// Instantiates `module` with the definitions of its imports.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let mut imports = try_vec(module.info().imports.len())?;
        for import in &module.info().imports {
            let ext = self
                .get(&mut store, &import.module, &import.field)
                .ok_or_else(|| LinkError::MissingImport {
                    module: import.module.clone(),
                    name: import.field.clone(),
                })??;
            imports.push(ext);
        }
        Instance::new(store, module, &imports)
    }
}
