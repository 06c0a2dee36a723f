//! Execution tests: small machine-code functions are published, registered with trap tables,
//! and called through `catch_traps`; they really fault.

use super::*;
use crate::code_memory::CodeBuilder;
use crate::mmap::{page_size, Mmap};
use std::cell::Cell;
use std::process::Command;

/// Publishes `bytes` as the single function `name` with the given trap records.
fn publish(name: &str, bytes: &[u8], traps: &[(u32, TrapCode)]) -> RegisteredCode {
    let code = CodeBuilder::new(bytes).unwrap().publish().unwrap();
    RegisteredCode::new(code, CodeInfo::single(name, bytes.len() as u32, traps)).unwrap()
}

/// The code as `extern "C" fn(u64, u64) -> u64`.
fn func(code: &RegisteredCode) -> extern "C" fn(u64, u64) -> u64 {
    // SAFETY: every test function below is a System V function of (at most) two integer
    // arguments returning an integer; calling it is still only done inside `catch_traps`.
    unsafe { std::mem::transmute(code.code().base()) }
}

/// Calls `code(a, b)` under `catch_traps`.
fn run(code: &RegisteredCode, a: u64, b: u64) -> Result<u64, Trap> {
    let f = func(code);
    catch_traps(|| f(a, b))
}

// lea rax, [rdi + 42] ; ret
const ADD42: &[u8] = &[0x48, 0x8d, 0x47, 0x2a, 0xc3];
// xor eax, eax ; ud2 (offset 2) ; ret
const UD2_AT_2: &[u8] = &[0x31, 0xc0, 0x0f, 0x0b, 0xc3];
// mov eax, dword ptr [rdi + rsi] (offset 0) ; ret
const LOAD32: &[u8] = &[0x8b, 0x04, 0x37, 0xc3];
// mov dword ptr [rdi], esi (offset 0) ; ret
const STORE32: &[u8] = &[0x89, 0x37, 0xc3];
// mov eax, edi ; cdq ; idiv esi (offset 3) ; ret
const IDIV32: &[u8] = &[0x89, 0xf8, 0x99, 0xf7, 0xfe, 0xc3];
// sub rsp, 8 ; call rsi ; add rsp, 8 ; ret       (calls the host function rsi(rdi))
const CALL_HOST: &[u8] = &[
    0x48, 0x83, 0xec, 0x08, 0xff, 0xd6, 0x48, 0x83, 0xc4, 0x08, 0xc3,
];
// sub rsp, 8 ; call rsi ; add rsp, 8 ; ud2 (offset 10) ; ret
const CALL_HOST_THEN_UD2: &[u8] = &[
    0x48, 0x83, 0xec, 0x08, 0xff, 0xd6, 0x48, 0x83, 0xc4, 0x08, 0x0f, 0x0b, 0xc3,
];
// mov rsp, rdi ; push rax (offset 3) ; ret      (runs with the stack pointer at rdi)
const PUSH_AT_RDI: &[u8] = &[0x48, 0x89, 0xfc, 0x50, 0xc3];

// mov eax, 200 (SYS_tkill) ; syscall ; ret      -- tkill(rdi, rsi)
const TKILL: &[u8] = &[0xb8, 0xc8, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3];

/// A reservation whose pages are all inaccessible, and the address of its second page.
fn inaccessible() -> (Mmap, u64) {
    let m = Mmap::reserve(2 * page_size()).unwrap();
    let addr = m.as_ptr() as u64 + page_size() as u64;
    (m, addr)
}

/// The action currently installed for `sig`.
fn current_handler(sig: libc::c_int) -> usize {
    // SAFETY: querying only.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut old), 0);
        old.sa_sigaction
    }
}

#[test]
fn normal_return_passes_the_value_through() {
    let code = publish("add42", ADD42, &[]);
    assert_eq!(run(&code, 100, 0), Ok(142));
    assert_eq!(
        catch_traps(|| "not even generated code"),
        Ok("not even generated code")
    );
    assert_eq!(activation_depth(), 0);
}

#[test]
fn ud2_with_a_record_reports_its_code() {
    let unreachable = publish(
        "unreachable_fn",
        UD2_AT_2,
        &[(2, TrapCode::UnreachableCodeReached)],
    );
    let trap = run(&unreachable, 0, 0).unwrap_err();
    let pc = unreachable.code().base() as usize + 2;
    assert_eq!(trap.code, TrapCode::UnreachableCodeReached);
    assert_eq!(trap.reason, TrapReason::Recorded);
    assert_eq!(trap.pc, Some(pc));
    assert_eq!(trap.function.as_deref(), Some("unreachable_fn"));
    assert_eq!(trap.fault_address, None);
    assert_eq!(
        trap.to_string(),
        format!("wasm `unreachable` instruction executed in `unreachable_fn` at pc {pc:#x}")
    );
    // The same bytes with another record report the other code.
    let sig = publish("sig", UD2_AT_2, &[(2, TrapCode::BadSignature)]);
    assert_eq!(run(&sig, 0, 0).unwrap_err().code, TrapCode::BadSignature);
    let user = publish("user", UD2_AT_2, &[(2, TrapCode::User(65535))]);
    assert_eq!(run(&user, 0, 0).unwrap_err().code, TrapCode::User(65535));
}

#[test]
fn ud2_without_a_record_is_still_a_trap() {
    let code = publish("bare_ud2", UD2_AT_2, &[]);
    let trap = run(&code, 0, 0).unwrap_err();
    assert_eq!(trap.code, TrapCode::UnreachableCodeReached);
    assert_eq!(trap.reason, TrapReason::UnrecordedIllegalInstruction);
    assert!(trap
        .to_string()
        .contains("illegal instruction without a trap record"));
}

#[test]
fn load_from_an_inaccessible_page_is_heap_oob() {
    let code = publish("load", LOAD32, &[(0, TrapCode::HeapOutOfBounds)]);
    let memory = Mmap::reserve(4 * page_size()).unwrap();
    memory.make_accessible(0, page_size()).unwrap();
    let base = memory.as_ptr() as u64;
    // SAFETY: the first page is read-write.
    unsafe { memory.as_ptr().add(8).cast::<u32>().write(0xdead_beef) };
    assert_eq!(run(&code, base, 8), Ok(0xdead_beef));
    // The last accessible word, then one byte further (straddling into the guard page).
    assert_eq!(run(&code, base, page_size() as u64 - 4), Ok(0));
    for offset in [
        page_size() as u64 - 3,
        page_size() as u64,
        3 * page_size() as u64 + 100,
    ] {
        let trap = run(&code, base, offset).unwrap_err();
        assert_eq!(trap.code, TrapCode::HeapOutOfBounds);
        assert_eq!(trap.reason, TrapReason::Recorded);
        assert_eq!(trap.pc, Some(code.code().base() as usize));
        assert_eq!(trap.function.as_deref(), Some("load"));
        // The kernel reports the first inaccessible byte touched.
        let first_bad = (base + offset).max(base + page_size() as u64);
        assert_eq!(
            trap.fault_address,
            Some(first_bad as usize),
            "offset {offset:#x}"
        );
        assert!(trap
            .to_string()
            .starts_with("out of bounds memory access in `load`"));
    }
}

#[test]
fn memory_fault_without_a_record_is_reported_with_a_note() {
    let code = publish("store", STORE32, &[]);
    let (_m, addr) = inaccessible();
    let trap = run(&code, addr + 12, 5).unwrap_err();
    assert_eq!(trap.code, TrapCode::HeapOutOfBounds);
    assert_eq!(trap.reason, TrapReason::UnrecordedMemoryFault);
    assert_eq!(trap.fault_address, Some(addr as usize + 12));
    let text = trap.to_string();
    assert!(
        text.contains(&format!(
            "memory fault at {:#x} at an instruction without a trap record",
            addr + 12
        )),
        "{text}"
    );
}

#[test]
fn division_faults_are_sigfpe_traps() {
    let div = publish("div", IDIV32, &[]);
    assert_eq!(run(&div, 7, 2), Ok(3));
    assert_eq!(
        run(&div, (-7i32) as u32 as u64, 2),
        Ok((-3i32) as u32 as u64)
    );
    let trap = run(&div, 7, 0).unwrap_err();
    assert_eq!(trap.code, TrapCode::IntegerDivisionByZero);
    assert_eq!(trap.reason, TrapReason::UnrecordedArithmetic);
    assert_eq!(trap.pc, Some(div.code().base() as usize + 3));
    assert!(trap
        .to_string()
        .starts_with("integer divide by zero in `div`"));
    // MIN / -1 faults too (#DE); without a record it is reported as a division trap.
    let min = i32::MIN as u32 as u64;
    let minus_one = u32::MAX as u64;
    assert_eq!(
        run(&div, min, minus_one).unwrap_err().code,
        TrapCode::IntegerDivisionByZero
    );
    // A record at the idiv decides the code.
    let ovf = publish("div_ovf", IDIV32, &[(3, TrapCode::IntegerOverflow)]);
    let trap = run(&ovf, min, minus_one).unwrap_err();
    assert_eq!(
        (trap.code, trap.reason),
        (TrapCode::IntegerOverflow, TrapReason::Recorded)
    );
}

#[test]
fn traps_in_a_loop_leave_nothing_behind() {
    let ud2 = publish("ud2", UD2_AT_2, &[(2, TrapCode::UnreachableCodeReached)]);
    let load = publish("load", LOAD32, &[(0, TrapCode::HeapOutOfBounds)]);
    let div = publish("div", IDIV32, &[]);
    let (_m, addr) = inaccessible();
    let (ud2_f, load_f, div_f) = (func(&ud2), func(&load), func(&div));
    let mut frame = None;
    for i in 0..1500u64 {
        let r = catch_traps(|| {
            // The closure's frame sits at the same place every time: traps do not leak
            // stack.
            let marker = 0u8;
            let at = std::hint::black_box(&marker) as *const u8 as usize;
            assert_eq!(*frame.get_or_insert(at), at);
            match i % 4 {
                0 => ud2_f(0, 0),
                1 => load_f(addr, i),
                2 => div_f(i, 0),
                _ => div_f(i, 1),
            }
        });
        let expected = match i % 4 {
            0 => Err(TrapCode::UnreachableCodeReached),
            1 => Err(TrapCode::HeapOutOfBounds),
            2 => Err(TrapCode::IntegerDivisionByZero),
            _ => Ok(i),
        };
        assert_eq!(r.map_err(|t| t.code), expected, "iteration {i}");
    }
    assert_eq!(activation_depth(), 0);
    for sig in [libc::SIGSEGV, libc::SIGILL, libc::SIGFPE, libc::SIGBUS] {
        assert_eq!(current_handler(sig), signals::handler_address());
    }
}

thread_local! {
    /// The function the host callbacks below call back into.
    static INNER: Cell<Option<extern "C" fn(u64, u64) -> u64>> = const { Cell::new(None) };
    /// Activation depth seen by the host callback.
    static DEPTH_IN_HOST: Cell<usize> = const { Cell::new(0) };
}

/// A host function called from generated code: calls `INNER(x)` under its own
/// `catch_traps` and reports a trap as a status value instead of letting it cross the
/// generated code's frames.
extern "C" fn host_calls_inner(x: u64) -> u64 {
    DEPTH_IN_HOST.with(|d| d.set(activation_depth()));
    let inner = INNER.with(|c| c.get()).unwrap();
    match catch_traps(|| inner(x, 0)) {
        Ok(v) => v,
        Err(t) if t.code == TrapCode::UnreachableCodeReached => 1_000_000,
        Err(_) => 2_000_000,
    }
}

#[test]
fn nested_activations() {
    let outer = publish("outer", CALL_HOST, &[]);
    let outer_then_trap = publish(
        "outer_then_trap",
        CALL_HOST_THEN_UD2,
        &[(10, TrapCode::User(3))],
    );
    let ud2 = publish(
        "inner_ud2",
        UD2_AT_2,
        &[(2, TrapCode::UnreachableCodeReached)],
    );
    let add = publish("inner_add", ADD42, &[]);
    let host = host_calls_inner as *const () as usize as u64;

    // host -> wasm -> host -> wasm (traps): the inner trap returns to the inner catch_traps,
    // the host turns it into a status, and the outer code returns normally.
    INNER.with(|c| c.set(Some(func(&ud2))));
    assert_eq!(run(&outer, 5, host), Ok(1_000_000));
    assert_eq!(DEPTH_IN_HOST.with(|d| d.get()), 1);

    // The inner call succeeds, then the outer code traps: the outer activation catches it
    // even though an inner one came and went.
    INNER.with(|c| c.set(Some(func(&add))));
    assert_eq!(run(&outer, 5, host), Ok(47));
    let trap = run(&outer_then_trap, 5, host).unwrap_err();
    assert_eq!(trap.code, TrapCode::User(3));
    assert_eq!(trap.function.as_deref(), Some("outer_then_trap"));
    assert_eq!(trap.pc, Some(outer_then_trap.code().base() as usize + 10));

    // Both levels trap.
    INNER.with(|c| c.set(Some(func(&ud2))));
    assert_eq!(
        run(&outer_then_trap, 5, host).unwrap_err().code,
        TrapCode::User(3)
    );
    assert_eq!(activation_depth(), 0);
}

#[test]
fn traps_on_several_threads_at_once() {
    let shared = std::sync::Arc::new(publish(
        "shared_ud2",
        UD2_AT_2,
        &[(2, TrapCode::TableOutOfBounds)],
    ));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let shared = std::sync::Arc::clone(&shared);
            std::thread::spawn(move || {
                let (_m, addr) = inaccessible();
                for i in 0..150u64 {
                    // Registration churn on every thread while others fault.
                    let own = publish("own_div", IDIV32, &[(3, TrapCode::User(t as u16))]);
                    assert_eq!(run(&own, 10 * i, 10), Ok(i));
                    assert_eq!(run(&own, i, 0).unwrap_err().code, TrapCode::User(t as u16));
                    assert_eq!(
                        run(&shared, 0, 0).unwrap_err().code,
                        TrapCode::TableOutOfBounds
                    );
                    let load = publish("own_load", LOAD32, &[(0, TrapCode::HeapOutOfBounds)]);
                    let trap = run(&load, addr, i).unwrap_err();
                    assert_eq!(trap.fault_address, Some((addr + i) as usize));
                    assert_eq!(trap.function.as_deref(), Some("own_load"));
                }
                assert_eq!(activation_depth(), 0);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn a_fault_with_an_unusable_stack_pointer_is_handled_on_the_alternate_stack() {
    // On a fresh thread: Kiln gives it an alternate stack of at least ALT_STACK_SIZE on its
    // first entry (Rust's own is smaller, so it is replaced), and a fault whose stack pointer
    // points at inaccessible memory can only be delivered there.
    std::thread::spawn(|| {
        let code = publish("push", PUSH_AT_RDI, &[(3, TrapCode::StackOverflow)]);
        let (_m, addr) = inaccessible();
        let trap = run(&code, addr, 0).unwrap_err();
        assert_eq!(trap.code, TrapCode::StackOverflow);
        assert_eq!(trap.fault_address, Some(addr as usize - 8));
        assert_eq!(
            trap.to_string().split(" in ").next(),
            Some("call stack exhausted")
        );
        // SAFETY: querying only.
        let mut stack: libc::stack_t = unsafe { std::mem::zeroed() };
        assert_eq!(
            unsafe { libc::sigaltstack(std::ptr::null(), &mut stack) },
            0
        );
        assert_eq!(stack.ss_flags & libc::SS_DISABLE, 0);
        assert!(stack.ss_size >= ALT_STACK_SIZE, "{}", stack.ss_size);
        assert!(signals::alt_stack_is_kilns());
        // The thread goes on normally afterwards.
        let add = publish("add", ADD42, &[]);
        assert_eq!(run(&add, 1, 0), Ok(43));
    })
    .join()
    .unwrap();
}

// f: cmp rsp, [rdi] ; jae ok ; ud2 (offset 5) ; ok: sub rsp, 8 ; call f ; add rsp, 8 ; ret
// Recurses until the stack pointer drops below the limit stored at vmctx+0 (rdi).
const RECURSE_CHECKED: &[u8] = &[
    0x48, 0x3b, 0x27, 0x73, 0x02, 0x0f, 0x0b, 0x48, 0x83, 0xec, 0x08, 0xe8, 0xf0, 0xff, 0xff, 0xff,
    0x48, 0x83, 0xc4, 0x08, 0xc3,
];
// f: sub rsp, 8 ; call f (offset 4) ; add rsp, 8 ; ret      -- recurses without a check.
const RECURSE_UNCHECKED: &[u8] = &[
    0x48, 0x83, 0xec, 0x08, 0xe8, 0xf7, 0xff, 0xff, 0xff, 0x48, 0x83, 0xc4, 0x08, 0xc3,
];

#[test]
fn deep_recursion_stopped_by_the_stack_limit_check() {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let code = publish("recurse", RECURSE_CHECKED, &[(5, TrapCode::StackOverflow)]);
            let here = 0u8;
            // The vmctx: the stack limit at offset 0, 256 KiB below the current frame.
            let vmctx = [std::hint::black_box(&here) as *const u8 as u64 - (256 << 10)];
            let trap = run(&code, vmctx.as_ptr() as u64, 0).unwrap_err();
            assert_eq!(
                (trap.code, trap.reason),
                (TrapCode::StackOverflow, TrapReason::Recorded)
            );
            assert_eq!(trap.pc, Some(code.code().base() as usize + 5));
            assert!(trap
                .to_string()
                .starts_with("call stack exhausted in `recurse`"));
            // Thousands of frames were discarded; the thread carries on.
            assert_eq!(
                run(&code, vmctx.as_ptr() as u64, 0).unwrap_err().code,
                TrapCode::StackOverflow
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn recursion_into_the_guard_page_is_a_stack_overflow() {
    // No limit check: the recursion runs into the thread's guard page, and the fault, with
    // no stack left, is handled on the alternate stack.
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let code = publish("runaway", RECURSE_UNCHECKED, &[]);
            let trap = run(&code, 0, 0).unwrap_err();
            assert_eq!(trap.code, TrapCode::StackOverflow);
            assert_eq!(trap.reason, TrapReason::UnrecordedStackFault);
            assert_eq!(trap.pc, Some(code.code().base() as usize + 4));
            assert!(trap.to_string().contains("stack fault at"));
            let add = publish("add", ADD42, &[]);
            assert_eq!(run(&add, 1, 0), Ok(43));
        })
        .unwrap()
        .join()
        .unwrap();
    // The same heuristic for a `push` with the stack pointer on an inaccessible page.
    let code = publish("push", PUSH_AT_RDI, &[]);
    let (_m, addr) = inaccessible();
    let trap = run(&code, addr, 0).unwrap_err();
    assert_eq!(
        (trap.code, trap.reason),
        (TrapCode::StackOverflow, TrapReason::UnrecordedStackFault)
    );
}

#[test]
fn sigbus_from_a_mapping_past_the_end_of_its_file() {
    let code = publish("load", LOAD32, &[(0, TrapCode::HeapOutOfBounds)]);
    // SAFETY: an empty memfd mapped shared: touching the page raises SIGBUS.
    unsafe {
        let fd = libc::memfd_create(c"kiln-sigbus".as_ptr(), 0);
        assert!(fd >= 0);
        let p = libc::mmap(
            std::ptr::null_mut(),
            page_size(),
            libc::PROT_READ,
            libc::MAP_SHARED,
            fd,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        let trap = run(&code, p as u64, 4).unwrap_err();
        assert_eq!(
            (trap.code, trap.reason),
            (TrapCode::HeapOutOfBounds, TrapReason::Recorded)
        );
        assert_eq!(trap.fault_address, Some(p as usize + 4));
        // Growing the file makes the same access work.
        assert_eq!(libc::ftruncate(fd, page_size() as libc::off_t), 0);
        assert_eq!(run(&code, p as u64, 4), Ok(0));
        libc::munmap(p, page_size());
        libc::close(fd);
    }
}

#[test]
fn the_stack_pointer_is_inside_this_threads_stack() {
    let here = 0u8;
    let local = std::hint::black_box(&here) as *const u8 as usize;
    let sp = current_stack_pointer();
    assert!(
        sp <= local && local - sp < 64 * 1024,
        "sp {sp:#x}, local {local:#x}"
    );
}

#[test]
fn a_panic_in_the_closure_propagates() {
    let r = std::panic::catch_unwind(|| catch_traps(|| -> u32 { panic!("boom") }));
    let payload = r.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    assert_eq!(activation_depth(), 0);
}

#[test]
fn messages_match_the_wasm_spec_wording() {
    let cases = [
        (TrapCode::StackOverflow, "call stack exhausted"),
        (TrapCode::HeapOutOfBounds, "out of bounds memory access"),
        (TrapCode::IntegerOverflow, "integer overflow"),
        (TrapCode::IntegerDivisionByZero, "integer divide by zero"),
        (
            TrapCode::BadConversionToInteger,
            "invalid conversion to integer",
        ),
        (TrapCode::TableOutOfBounds, "undefined element"),
        (TrapCode::IndirectCallToNull, "uninitialized element"),
        (TrapCode::BadSignature, "indirect call type mismatch"),
        (TrapCode::UnreachableCodeReached, "unreachable"),
        (TrapCode::Interrupt, "interrupt"),
    ];
    for (code, spec) in cases {
        let text = Trap::new(code).to_string();
        assert!(text.contains(spec), "{code}: {text}");
    }
    assert_eq!(
        Trap::new(TrapCode::TableOutOfBounds).to_string(),
        "undefined element: out of bounds table access"
    );
    assert_eq!(Trap::new(TrapCode::User(9)).to_string(), "user trap 9");
    let unnamed = Trap {
        pc: Some(0x1234),
        ..Trap::new(TrapCode::IntegerOverflow)
    };
    assert_eq!(unnamed.to_string(), "integer overflow at pc 0x1234");
}

#[cfg(feature = "compiler")]
#[test]
fn code_from_the_backend_encoder_with_its_trap_table() {
    use kiln_backend_x64::isa::x64::{regs::gpr, GprMem32, MInst, OperandSize};
    use kiln_backend_x64::machinst::{CodeBuffer, Writable};
    let mut b = CodeBuffer::new();
    // `mov eax, edi` (raw bytes), then encoded `cdq ; idiv esi` with the division recorded
    // as int_divz, then `ud2` recorded as bad_sig when the quotient is 100.
    b.put_bytes(&[0x89, 0xf8]);
    MInst::SignExtendData {
        size: OperandSize::S32,
        src: gpr(0),
        dst: Writable::from_reg(gpr(2)),
    }
    .emit(&mut b, None);
    MInst::Div {
        signed: true,
        dividend_lo: gpr(0),
        dividend_hi: gpr(2),
        divisor: GprMem32::Reg(gpr(6)).into(),
        dst_quot: Writable::from_reg(gpr(0)),
        dst_rem: Writable::from_reg(gpr(2)),
    }
    .emit(&mut b, Some(TrapCode::IntegerDivisionByZero));
    // cmp eax, 100 ; jne +2 ; ud2 ; ret  -- traps bad_sig when the quotient is 100.
    b.put_bytes(&[0x83, 0xf8, 0x64, 0x75, 0x02]);
    MInst::Ud2 {
        code: TrapCode::BadSignature,
    }
    .emit(&mut b, None);
    MInst::Ret.emit(&mut b, None);
    let done = b.finish().unwrap();
    assert_eq!(done.traps.len(), 2);
    let traps: Vec<_> = done.traps.iter().map(|t| (t.offset, t.code)).collect();
    let code = CodeBuilder::new(&done.data).unwrap().publish().unwrap();
    let code =
        RegisteredCode::new(code, CodeInfo::single("encoded", done.code_len, &traps)).unwrap();
    assert_eq!(run(&code, 84, 4), Ok(21));
    assert_eq!(
        run(&code, 84, 0).unwrap_err().code,
        TrapCode::IntegerDivisionByZero
    );
    let trap = run(&code, 500, 5).unwrap_err();
    assert_eq!(trap.code, TrapCode::BadSignature);
    assert_eq!(
        trap.pc,
        Some(code.code().base() as usize + traps[1].0 as usize)
    );
}

// ---- Behaviour outside Kiln code, checked in child processes ----------------------------
//
// Installing signal handlers is process-wide and once-only, and the real outcome of an
// unhandled fault is the death of the process, so these run in a fresh copy of the test
// binary: `child_process` (ignored in normal runs) does what the KILN_TRAPS_CHILD variable
// says and prints a marker the parent checks.

const CHILD_ENV: &str = "KILN_TRAPS_CHILD";

fn run_child(scenario: &str) -> std::process::Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "traps::tests::child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, scenario)
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Calls to the test's own "previous" handler.
static PREVIOUS_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The page the previous handler makes accessible when a fault touches it.
static FIX_PAGE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

extern "C" fn previous_handler(
    _sig: libc::c_int,
    info: *mut libc::siginfo_t,
    _ctx: *mut libc::c_void,
) {
    PREVIOUS_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let page = FIX_PAGE.load(std::sync::atomic::Ordering::SeqCst);
    // SAFETY: SIGSEGV info carries the address; mprotect is async-signal-safe.
    unsafe {
        let addr = (*info).si_addr() as usize;
        if (*info).si_code > 0 && page != 0 && (page..page + page_size()).contains(&addr) {
            libc::mprotect(
                page as *mut libc::c_void,
                page_size(),
                libc::PROT_READ | libc::PROT_WRITE,
            );
        }
    }
}

fn install_previous_handler() {
    // SAFETY: installing a handler for SIGSEGV in this (child) process.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = previous_handler as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut()),
            0
        );
    }
}

#[test]
#[ignore = "run in a child process by the tests below"]
fn child_process() {
    use std::sync::atomic::Ordering::SeqCst;
    let Ok(scenario) = std::env::var(CHILD_ENV) else {
        return;
    };
    // No core files from the scenarios that die.
    // SAFETY: plain setrlimit.
    unsafe {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
    }
    match scenario.as_str() {
        "raise" => {
            install_previous_handler();
            ensure_installed();
            assert_eq!(current_handler(libc::SIGSEGV), signals::handler_address());
            // SAFETY: raising a signal our previous handler returns from.
            unsafe { libc::raise(libc::SIGSEGV) };
            assert_eq!(PREVIOUS_CALLS.load(SeqCst), 1);
            // Inside an activation but in host code: still not a Kiln trap.
            let r = catch_traps(|| unsafe { libc::raise(libc::SIGSEGV) });
            assert_eq!(r, Ok(0));
            assert_eq!(PREVIOUS_CALLS.load(SeqCst), 2);
            // A SIGSEGV sent (not caused) while the pc is in Kiln code is not a trap either:
            // the signal arrives right after the `syscall` instruction.
            let tkill = publish("tkill", TKILL, &[]);
            // SAFETY: gettid cannot fail.
            let tid = unsafe { libc::gettid() } as u64;
            assert_eq!(run(&tkill, tid, libc::SIGSEGV as u64), Ok(0));
            assert_eq!(PREVIOUS_CALLS.load(SeqCst), 3);
            // A real Kiln trap does not reach the previous handler.
            let (_m, addr) = inaccessible();
            let load = publish("load", LOAD32, &[(0, TrapCode::HeapOutOfBounds)]);
            assert_eq!(
                run(&load, addr, 0).unwrap_err().code,
                TrapCode::HeapOutOfBounds
            );
            assert_eq!(PREVIOUS_CALLS.load(SeqCst), 3);
            println!("scenario raise: ok");
        }
        "fault" => {
            install_previous_handler();
            ensure_installed();
            let (m, addr) = inaccessible();
            FIX_PAGE.store(addr as usize, SeqCst);
            // A real fault in Rust code outside any activation: the previous handler makes
            // the page accessible and the read is retried.
            // SAFETY: the page is mapped (inaccessible until the handler fixes it).
            let v = unsafe { std::ptr::read_volatile((addr + 16) as *const u64) };
            assert_eq!((v, PREVIOUS_CALLS.load(SeqCst)), (0, 1));
            // The same inside an activation, in host code.
            m.make_inaccessible(page_size(), page_size()).unwrap();
            let r = catch_traps(|| unsafe { std::ptr::read_volatile((addr + 24) as *const u64) });
            assert_eq!((r, PREVIOUS_CALLS.load(SeqCst)), (Ok(0), 2));
            println!("scenario fault: ok");
        }
        "default" => {
            ensure_installed();
            let (_m, addr) = inaccessible();
            println!("scenario default: before fault");
            // SAFETY: not safe at all: this kills the (child) process with SIGSEGV.
            let v = unsafe { std::ptr::read_volatile(addr as *const u64) };
            println!("scenario default: after fault {v}");
        }
        "kiln-outside-activation" => {
            ensure_installed();
            let code = publish("ud2", UD2_AT_2, &[(2, TrapCode::UnreachableCodeReached)]);
            println!("scenario kiln-outside-activation: before trap");
            // Not under catch_traps: nowhere to return to, so the process dies with SIGILL.
            let v = func(&code)(0, 0);
            println!("scenario kiln-outside-activation: after trap {v}");
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[test]
fn signals_outside_kiln_code_reach_the_previous_handler() {
    for scenario in ["raise", "fault"] {
        let out = run_child(scenario);
        assert!(
            out.status.success() && stdout(&out).contains(&format!("scenario {scenario}: ok")),
            "{scenario}: {out:?}"
        );
    }
}

#[test]
fn unhandled_faults_still_kill_the_process() {
    use std::os::unix::process::ExitStatusExt;
    for (scenario, signal) in [
        ("default", libc::SIGSEGV),
        ("kiln-outside-activation", libc::SIGILL),
    ] {
        let out = run_child(scenario);
        let text = stdout(&out);
        assert_eq!(out.status.signal(), Some(signal), "{scenario}: {out:?}");
        assert!(text.contains("before"), "{scenario}: {text}");
        assert!(!text.contains("after"), "{scenario}: {text}");
    }
}
