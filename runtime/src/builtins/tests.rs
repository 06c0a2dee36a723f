//! The builtins called directly, as generated code would, with a real instance's vmctx.

use super::*;
use crate::testing::{engine, wat};
use crate::*;

const MODULE: &str = r#"(module
    (memory (export "m") 1 2)
    (table (export "t") 4 10 funcref)
    (table (export "t2") 2 funcref)
    (func $a (export "a"))
    (func $b (export "b"))
    (elem funcref (ref.func $a) (ref.func $b) (ref.null func))
    (data "abcdef"))"#;

struct Fixture {
    store: Store<()>,
    instance: Instance,
    vmctx: *mut u8,
}

fn fixture(config: &Config) -> Fixture {
    let engine = engine(config);
    let module = Module::new(&engine, wat(MODULE)).unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let vmctx = store.store_opaque().instance(instance).unwrap().vmctx();
    Fixture {
        store,
        instance,
        vmctx,
    }
}

impl Fixture {
    fn bytes(&self, at: usize, n: usize) -> Vec<u8> {
        let m = self.instance.get_memory(&self.store, "m").unwrap();
        let mut buf = vec![0; n];
        m.read(&self.store, at, &mut buf).unwrap();
        buf
    }
    fn write(&mut self, at: usize, bytes: &[u8]) {
        let m = self.instance.get_memory(&self.store, "m").unwrap();
        m.write(&mut self.store, at, bytes).unwrap();
    }
    fn func(&self, name: &str) -> Option<Func> {
        Some(self.instance.get_func(&self.store, name).unwrap())
    }
    fn elements(&self, table: &str) -> Vec<Option<Func>> {
        let t = self.instance.get_table(&self.store, table).unwrap();
        (0..t.size(&self.store).unwrap())
            .map(|i| match t.get(&self.store, i) {
                Some(Val::FuncRef(f)) => f,
                other => panic!("{other:?}"),
            })
            .collect()
    }
    /// The raw funcref of export `name`, as generated code would pass it.
    fn raw(&mut self, name: &str) -> u64 {
        let f = self.func(name);
        Val::FuncRef(f).to_raw(self.store.store_opaque_mut()).unwrap() as u64
    }
}

#[test]
fn memory_grow_respects_the_maximum_and_updates_the_definition() {
    for explicit in [false, true] {
        let mut c = Config::new();
        if explicit {
            c.bounds_checks(BoundsCheckStrategy::Explicit);
        }
        let mut fx = fixture(&c);
        fx.write(65535, &[7]);
        let v = fx.vmctx;
        unsafe {
            assert_eq!(memory_grow(v, 0, 1), 1);
            assert_eq!(memory_grow(v, 0, 1), -1);
            assert_eq!(memory_grow(v, 0, 0), 2);
        }
        let m = fx.instance.get_memory(&fx.store, "m").unwrap();
        assert_eq!(m.size(&fx.store).unwrap(), 2);
        assert_eq!(fx.bytes(65535, 2), [7, 0]);
        let inst = fx.store.store_opaque().instance(fx.instance).unwrap();
        let kiln_frontend_wasm::VmLocation::Inline(off) = inst.module.inner.offsets.memory(0)
        else {
            panic!("defined memories are inline")
        };
        let def = unsafe { *v.add(off as usize).cast::<crate::vm::VMMemoryDefinition>() };
        assert_eq!(def.current_length, 2 * 65536);
    }
}

#[test]
fn memory_grow_stops_at_4_gib() {
    let engine = engine(&Config::new());
    let module = Module::new(&engine, wat("(module (memory 1))")).unwrap();
    let mut store = Store::new(&engine, ()).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let v = store.store_opaque().instance(instance).unwrap().vmctx();
    unsafe {
        assert_eq!(memory_grow(v, 0, 65536), -1);
        assert_eq!(memory_grow(v, 0, u32::MAX), -1);
        assert_eq!(memory_grow(v, 0, 0), 1);
    }
}

#[test]
fn memory_fill_writes_the_low_byte_within_bounds_only() {
    let mut fx = fixture(&Config::new());
    let v = fx.vmctx;
    unsafe {
        assert_eq!(memory_fill(v, 0, 10, 0x1ff, 3), 0);
        assert_eq!(memory_fill(v, 0, 65535, 1, 2), 1);
        assert_eq!(memory_fill(v, 0, 65536, 1, 0), 0);
        assert_eq!(memory_fill(v, 0, 65537, 1, 0), 1);
        assert_eq!(memory_fill(v, 0, u32::MAX, 1, 2), 1);
    }
    assert_eq!(fx.bytes(9, 5), [0, 0xff, 0xff, 0xff, 0]);
    assert_eq!(fx.bytes(65535, 1), [0]);
    fx.write(0, &[1]);
}

#[test]
fn memory_copy_handles_overlap_and_bounds() {
    let mut fx = fixture(&Config::new());
    fx.write(100, b"abcdef");
    let v = fx.vmctx;
    unsafe {
        assert_eq!(memory_copy(v, 0, 0, 102, 100, 4), 0);
        assert_eq!(memory_copy(v, 0, 0, 0, 65533, 4), 1);
        assert_eq!(memory_copy(v, 0, 0, 65533, 0, 4), 1);
        assert_eq!(memory_copy(v, 0, 0, 65536, 0, 0), 0);
    }
    assert_eq!(fx.bytes(100, 6), b"ababcd");
    assert_eq!(fx.bytes(0, 4), [0; 4]);
}

#[test]
fn memory_init_copies_from_a_passive_segment_until_dropped() {
    let fx = fixture(&Config::new());
    let v = fx.vmctx;
    unsafe {
        assert_eq!(memory_init(v, 0, 0, 200, 2, 3), 0);
        assert_eq!(memory_init(v, 0, 0, 200, 4, 3), 1);
        assert_eq!(memory_init(v, 0, 0, 65535, 0, 2), 1);
        assert_eq!(memory_init(v, 0, 0, 0, 6, 0), 0);
        data_drop(v, 0);
        assert_eq!(memory_init(v, 0, 0, 0, 0, 0), 0);
        assert_eq!(memory_init(v, 0, 0, 0, 0, 1), 1);
    }
    assert_eq!(fx.bytes(199, 5), [0, b'c', b'd', b'e', 0]);
    assert_eq!(fx.bytes(0, 1), [0]);
}

#[test]
fn table_grow_and_fill() {
    let mut fx = fixture(&Config::new());
    let a = fx.raw("a");
    let v = fx.vmctx;
    unsafe {
        assert_eq!(table_grow(v, 0, a, 2), 4);
        assert_eq!(table_grow(v, 0, 0, 5), -1);
        assert_eq!(table_grow(v, 0, 0, 4), 6);
        assert_eq!(table_fill(v, 0, 3, a, 2), 0);
        assert_eq!(table_fill(v, 0, 9, a, 2), 1);
        assert_eq!(table_fill(v, 0, 10, a, 0), 0);
    }
    let fa = fx.func("a");
    let mut expected = vec![None; 10];
    expected[3] = fa;
    expected[4] = fa;
    expected[5] = fa;
    assert_eq!(fx.elements("t"), expected);
}

#[test]
fn table_init_and_elem_drop() {
    let fx = fixture(&Config::new());
    let v = fx.vmctx;
    unsafe {
        assert_eq!(table_init(v, 0, 0, 1, 0, 3), 0);
        assert_eq!(table_init(v, 0, 0, 0, 1, 3), 1);
        assert_eq!(table_init(v, 0, 0, 2, 0, 3), 1);
        assert_eq!(table_init(v, 1, 0, 0, 1, 1), 0);
        elem_drop(v, 0);
        assert_eq!(table_init(v, 0, 0, 0, 0, 0), 0);
        assert_eq!(table_init(v, 0, 0, 0, 0, 1), 1);
    }
    let (a, b) = (fx.func("a"), fx.func("b"));
    assert_eq!(fx.elements("t"), vec![None, a, b, None]);
    assert_eq!(fx.elements("t2"), vec![b, None]);
}

#[test]
fn table_copy_within_and_between_tables() {
    let fx = fixture(&Config::new());
    let v = fx.vmctx;
    unsafe {
        assert_eq!(table_init(v, 0, 0, 0, 0, 2), 0);
        // Overlapping, forwards: [a, b, -, -] -> [a, a, b, -].
        assert_eq!(table_copy(v, 0, 0, 1, 0, 2), 0);
        assert_eq!(table_copy(v, 1, 0, 0, 1, 2), 0);
        assert_eq!(table_copy(v, 1, 0, 1, 0, 2), 1);
        assert_eq!(table_copy(v, 0, 1, 0, 1, 2), 1);
    }
    let (a, b) = (fx.func("a"), fx.func("b"));
    assert_eq!(fx.elements("t"), vec![a, a, b, None]);
    assert_eq!(fx.elements("t2"), vec![a, b]);
}
