//! With guard pages, bounds checks may be dropped only when the reservation plus guard covers
//! every 32-bit index plus the access's offset and size.

use kiln_frontend_wasm::{
    translate_module, BoundsChecks, FuncTranslator, HeapConfig, StandardEnvironment, VMOffsets,
};

fn ir(wat: &str, reservation: u64, guard_size: u64) -> String {
    let bytes = wat::parse_str(wat).unwrap();
    let t = translate_module(&bytes).unwrap();
    let env = StandardEnvironment {
        offsets: VMOffsets::new(&t.info),
        heap: HeapConfig {
            bounds_checks: BoundsChecks::GuardPages {
                reservation,
                guard_size,
            },
            spectre_mitigation: true,
        },
    };
    let mut func = kiln_ir::Function::new();
    let mut out = String::new();
    for body in t.bodies {
        FuncTranslator::new()
            .translate(&t.info, &env, body, &mut func)
            .unwrap();
        out += &func.display().to_string();
    }
    out
}

const LOAD: &str =
    "(module (memory 1) (func (param i32) (result i64) (i64.load offset=100 (local.get 0))))";

#[test]
fn guard_covering_the_access_needs_no_check() {
    let text = ir(LOAD, 1 << 32, 108);
    assert!(!text.contains("icmp"), "{text}");
}

#[test]
fn guard_one_byte_short_is_checked() {
    let text = ir(LOAD, 1 << 32, 107);
    assert!(
        text.contains("icmp ugt") && text.contains("select_spectre_guard"),
        "{text}"
    );
}

#[test]
fn reservation_beyond_4_gib_counts_as_guard() {
    let text = ir(LOAD, (1 << 32) + 100, 8);
    assert!(!text.contains("icmp"), "{text}");
}

#[test]
fn reservation_below_4_gib_is_always_checked() {
    let text = ir(LOAD, 1 << 30, 1 << 33);
    assert!(text.contains("icmp ugt"), "{text}");
}
