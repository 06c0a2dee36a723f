//! Smoke tests of the `oom` target. Their own test binary: it replaces the global allocator,
//! and other targets' tests running on other threads would free blocks this thread allocated
//! in shared structures (the code registry), upsetting its balance.

use kiln_fuzz_lib::oom::{oom, FailingAllocator};

#[global_allocator]
static ALLOCATOR: FailingAllocator = FailingAllocator;

/// Encodes operations as `oom` decodes them: a tag byte (taken modulo 10), then its arguments.
fn ops() -> Vec<u8> {
    let mut ops = Vec::new();
    // NewStore, Deserialize, Instantiate (store 0, deserialized module), LinkerInstantiate
    // (store 0, compiled module), CallTyped, CallDynamic, FuncNew, FuncTypeNew, NewStore,
    // Instantiate in it, DropModule, DropStore.
    for (tag, args) in [
        (0u8, &[][..]),
        (8, &[]),
        (2, &[0, 1]),
        (3, &[0, 0]),
        (4, &[0, 7, 0, 0, 0]),
        (5, &[1, 17]),
        (6, &[0, 9, 0, 0, 0]),
        (7, &[5]),
        (0, &[]),
        (2, &[1, 0]),
        (9, &[0]),
        (1, &[0]),
    ] {
        ops.push(tag);
        ops.extend_from_slice(args);
    }
    ops
}

/// Every allocation of a fixed sequence that uses each operation fails in turn.
#[test]
fn every_allocation_of_a_full_sequence() {
    let ops = ops();
    let mut fail_at = 0u16;
    loop {
        let mut data = fail_at.to_le_bytes().to_vec();
        data.extend_from_slice(&ops);
        if !oom(&data) {
            break;
        }
        fail_at += 1;
    }
    eprintln!("oom smoke: {fail_at} allocation points in the full sequence");
    assert!(fail_at > 150, "only {fail_at} allocation points");
}

/// Pseudo-random sequences, with the failing allocation among the first 256.
#[test]
fn seeded_sequences() {
    for (i, mut data) in kiln_fuzz_lib::seeded_inputs(11, 300, 80).enumerate() {
        if data.len() >= 2 {
            data[0] = (i % 256) as u8;
            data[1] = 0;
        }
        oom(&data);
    }
}
