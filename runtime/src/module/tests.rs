use super::*;
use crate::compiler::Reloc;
use crate::testing::{engine, wat, MockCompiler};
use crate::{Config, Error};
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn compiled(name: UserFuncName, code: Vec<u8>, relocs: Vec<Reloc>) -> Compiled {
    Compiled {
        display: name.to_string(),
        name,
        func: CompiledFunction {
            code,
            relocs,
            traps: Vec::new(),
        },
    }
}

#[test]
fn functions_are_laid_out_16_byte_aligned_and_relocated() {
    let f0 = UserFuncName::user(0, 0);
    let f1 = UserFuncName::user(0, 1);
    let funcs = [
        // call rel32 to f1 at offset 1, then an 8-byte absolute address of f0 at offset 5.
        compiled(
            f0.clone(),
            vec![0xe8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc3],
            vec![
                Reloc {
                    offset: 1,
                    kind: RelocKind::X86CallPCRel4,
                    target: f1.clone(),
                    addend: -4,
                },
                Reloc {
                    offset: 5,
                    kind: RelocKind::Abs8,
                    target: f0.clone(),
                    addend: 2,
                },
            ],
        ),
        compiled(f1.clone(), vec![0xc3; 3], vec![]),
    ];
    let (mut bytes, starts) = layout(&funcs).unwrap();
    assert_eq!(starts, vec![0, 16]);
    assert_eq!(bytes.len(), 19);
    assert_eq!(&bytes[14..16], &[0xcc, 0xcc]);
    let base = 0x1000_0000usize;
    apply_relocs(&mut bytes, base, &funcs, &starts).unwrap();
    // The call at 0 is 5 bytes long; f1 is at 16: displacement 16 - 5 = 11.
    assert_eq!(&bytes[1..5], &11i32.to_le_bytes());
    assert_eq!(&bytes[5..13], &(base as u64 + 2).to_le_bytes());
}

#[test]
fn unknown_relocation_targets_are_errors() {
    let funcs = [compiled(
        UserFuncName::user(0, 0),
        vec![0xe8, 0, 0, 0, 0],
        vec![Reloc {
            offset: 1,
            kind: RelocKind::X86CallPCRel4,
            target: UserFuncName::user(0, 9),
            addend: -4,
        }],
    )];
    let (mut bytes, starts) = layout(&funcs).unwrap();
    let err = apply_relocs(&mut bytes, 0, &funcs, &starts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "relocation in `u0:0` at offset 0x1: unknown target `u0:9`"
    );
    let funcs = [compiled(
        UserFuncName::user(0, 0),
        vec![0xe8, 0],
        vec![Reloc {
            offset: 1,
            kind: RelocKind::X86CallPCRel4,
            target: UserFuncName::user(0, 0),
            addend: -4,
        }],
    )];
    let (mut bytes, starts) = layout(&funcs).unwrap();
    assert!(apply_relocs(&mut bytes, 0, &funcs, &starts).is_err());
}

#[test]
fn invalid_modules_report_the_byte_offset() {
    let engine = engine(&Config::new());
    // The magic number is wrong at offset 0.
    match Module::new(&engine, b"\0asn\x01\0\0\0") {
        Err(Error::Compile(CompileError::Wasm(kiln_frontend_wasm::WasmError::Invalid {
            offset,
            ..
        }))) => assert_eq!(offset, 0),
        other => panic!("{other:?}"),
    }
    // A body whose result is missing: the frontend validates it during translation.
    let bytes = wat(r#"(module (func (result i32) i32.const 1))"#);
    let mut broken = bytes.clone();
    let at = broken.iter().rposition(|&b| b == 0x41).unwrap(); // i32.const
    broken[at] = 0x01; // nop
    broken[at + 1] = 0x01;
    let err = Module::new(&engine, &broken).unwrap_err();
    assert!(err.to_string().contains("invalid module at byte offset"), "{err}");
}

#[test]
fn without_a_code_generator_compilation_fails_cleanly() {
    let engine =
        crate::Engine::with_compiler(&Config::new(), Arc::new(crate::UnavailableCompiler));
    let err = Module::new(&engine, wat(r#"(module (func $f))"#)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot compile `f`: no code generator is available in this build"
    );
    // A module without functions needs no code.
    assert!(Module::new(&engine, wat("(module (memory 1))")).is_ok());
}

fn many_functions() -> Vec<u8> {
    let mut text = String::from("(module (type $t (func (result i32))) (type $u (func (result i32)))");
    for i in 0..20 {
        text += &format!("(func (export \"f{i}\") (type $t) i32.const {i})");
    }
    text += "(func (export \"g\") (type $u) i32.const 100))";
    wat(&text)
}

#[test]
fn parallel_and_sequential_compilation_agree() {
    for parallel in [false, true] {
        let mock = Arc::new(MockCompiler::default());
        let mut config = Config::new();
        config.parallel_compilation(parallel);
        let engine = crate::Engine::with_compiler(&config, mock.clone());
        let module = Module::new(&engine, many_functions()).unwrap();
        // 21 functions and one trampoline: the two types are identical, so they share it.
        assert_eq!(mock.compiled.load(Ordering::Relaxed), 22);
        assert_eq!(module.inner.trampolines[0], module.inner.trampolines[1]);
        let mut store = crate::Store::new(&engine, ()).unwrap();
        let instance = crate::Instance::new(&mut store, &module, &[]).unwrap();
        for i in 0..20 {
            let f = instance
                .get_typed_func::<(), i32>(&store, &format!("f{i}"))
                .unwrap();
            assert_eq!(f.call(&mut store, ()).unwrap(), i);
        }
        let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
        assert_eq!(g.call(&mut store, ()).unwrap(), 100);
    }
}

#[test]
fn module_types_are_registered_with_the_engine_while_the_module_lives() {
    let engine = engine(&Config::new());
    let module = Module::new(&engine, many_functions()).unwrap();
    let ids: Vec<u32> = module.inner.types.iter().map(|t| t.id()).collect();
    assert_eq!(ids[0], ids[1]);
    let other = Module::new(&engine, wat("(module (type (func (result i32))))")).unwrap();
    assert_eq!(other.inner.types[0].id(), ids[0]);
    assert_eq!(engine.inner.types.lookup(ids[0]).unwrap().results.len(), 1);
    drop(module);
    drop(other);
    assert_eq!(engine.inner.types.lookup(ids[0]), None);
}

#[test]
fn validation_without_compiling() {
    let engine =
        crate::Engine::with_compiler(&Config::new(), Arc::new(crate::UnavailableCompiler));
    Module::validate(&engine, wat("(module (func (result i32) i32.const 1))")).unwrap();
    // The body's type error is found at the `end` of the body, with its byte offset.
    let err = Module::validate(&engine, wat("(module (func (result i32) i64.const 1))"))
        .unwrap_err();
    assert!(err.to_string().starts_with("invalid module at byte offset 0x"), "{err}");
    assert!(err.to_string().contains("type mismatch"), "{err}");
}

struct PanickingCompiler;

impl Compiler for PanickingCompiler {
    fn compile(&self, _: &Function) -> Result<CompiledFunction, CompileError> {
        panic!("lowering bug")
    }
}

#[test]
fn a_panicking_code_generator_is_a_compile_error() {
    for parallel in [false, true] {
        let mut config = Config::new();
        config.parallel_compilation(parallel);
        let engine = crate::Engine::with_compiler(&config, Arc::new(PanickingCompiler));
        let err = Module::new(&engine, wat("(module (func $a) (func $b))")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot compile `a`: the code generator panicked: lowering bug"
        );
    }
}
