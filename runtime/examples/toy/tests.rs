//! The language end to end: source in, JIT code run, results and printed values compared
//! with values worked out by hand.

use crate::driver::compile;
use kiln_runtime::{Config, Engine};

/// Compiles and runs `src`: `main`'s result and what it printed.
fn run(src: &str) -> (Result<i64, String>, Vec<i64>) {
    let engine = Engine::new(&Config::new()).unwrap();
    let program = compile(&engine, src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let (result, printed) = program.run_captured();
    (result.map_err(|e| e.to_string()), printed)
}

/// The compile error of `src`, as the user sees it.
fn compile_error(src: &str) -> String {
    let engine = Engine::new(&Config::new()).unwrap();
    match compile(&engine, src) {
        Ok(_) => panic!("compiled:\n{src}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn demo_program() {
    let (result, printed) = run(super::DEMO);
    // fib(0..10), then 1 + 4 + 9 + ... + 100 = 385; main returns fib(20) = 6765.
    assert_eq!(printed, vec![0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 385]);
    assert_eq!(result, Ok(6765));
}

#[test]
fn recursive_fibonacci() {
    let src = "fn fib(n) { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }
               fn main() { return fib(25); }";
    assert_eq!(run(src).0, Ok(75025));
}

#[test]
fn loop_sums_and_factorial() {
    let src = "
        fn main() {
            let sum = 0;
            let i = 1;
            while i <= 100 { sum = sum + i; i = i + 1; }
            print(sum);
            let f = 1;
            let n = 10;
            while n > 1 { f = f * n; n = n - 1; }
            print(f);
            return sum + f;
        }";
    // 1 + ... + 100 = 5050; 10! = 3628800.
    assert_eq!(run(src), (Ok(3633850), vec![5050, 3628800]));
}

#[test]
fn nested_loops_and_branches() {
    // Primes below 30 by trial division: 2 3 5 7 11 13 17 19 23 29 (10 of them).
    let src = "
        fn is_prime(n) {
            if n < 2 { return 0; }
            let d = 2;
            while d * d <= n {
                if n % d == 0 { return 0; }
                d = d + 1;
            }
            return 1;
        }
        fn main() {
            let count = 0;
            let n = 0;
            while n < 30 {
                if is_prime(n) { print(n); count = count + 1; }
                n = n + 1;
            }
            return count;
        }";
    assert_eq!(run(src), (Ok(10), vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29]));
}

#[test]
fn operators() {
    let src = "fn main() {
        print(7 / 2); print(-7 / 2); print(-7 % 3); print(2 + 3 * 4); print((2 + 3) * 4);
        print(3 == 3); print(3 != 3); print(2 < 3); print(3 <= 2); print(-1 > -2); print(5 >= 5);
        print(!0); print(!7); print(--5);
        print(9223372036854775807 + 1 == 0 - 9223372036854775807 - 1);
        return 0;
    }";
    assert_eq!(
        run(src).1,
        vec![3, -3, -1, 14, 20, 1, 0, 1, 0, 1, 1, 1, 0, 5, 1]
    );
}

#[test]
fn else_if_chains_and_scopes() {
    let src = "
        fn sign(x) {
            if x < 0 { return -1; } else if x == 0 { return 0; } else { return 1; }
        }
        fn main() {
            let x = 1;
            if 1 { let x = 2; print(x); x = 3; print(x); }
            print(x);
            print(sign(-5)); print(sign(0)); print(sign(8));
            return 0;
        }";
    assert_eq!(run(src).1, vec![2, 3, 1, -1, 0, 1]);
}

#[test]
fn mutual_recursion_and_calls_before_definitions() {
    let src = "fn main() { return is_even(10) * 10 + is_even(7); }
               fn is_even(n) { if n == 0 { return 1; } return is_odd(n - 1); }
               fn is_odd(n) { if n == 0 { return 0; } return is_even(n - 1); }";
    assert_eq!(run(src).0, Ok(10));
}

#[test]
fn functions_without_return_give_zero() {
    let src = "fn f(a, b, c) { print(a - b - c); } fn main() { return f(10, 3, 2) + 4; }";
    assert_eq!(run(src), (Ok(4), vec![5]));
}

#[test]
fn code_after_return_is_checked_but_not_run() {
    let src = "fn main() { return 1; print(2); }";
    assert_eq!(run(src), (Ok(1), vec![]));
    assert_eq!(
        compile_error("fn main() { return 1; nope(); }"),
        "1:23: undefined function `nope`"
    );
}

#[test]
fn runtime_errors_are_reported() {
    let src = "fn div(a, b) { return a / b; } fn main() { print(1); return div(1, 0); }";
    let (result, printed) = run(src);
    assert_eq!(printed, vec![1]);
    let err = result.unwrap_err();
    assert!(
        err.starts_with("runtime error: integer divide by zero in `div`"),
        "{err}"
    );
    // Infinite recursion runs out of stack: an error, not a crash.
    let (result, _) = run("fn f(n) { return f(n + 1) + 1; } fn main() { return f(0); }");
    assert!(
        result
            .as_ref()
            .unwrap_err()
            .starts_with("runtime error: call stack exhausted"),
        "{result:?}"
    );
}

#[test]
fn parse_errors_have_line_and_column() {
    assert_eq!(
        compile_error("fn main() {\n    let x = 1\n    return x;\n}"),
        "3:5: expected `;`, found `return`"
    );
    assert_eq!(
        compile_error("fn main() {\n  x = 2 $ 3;\n}"),
        "2:9: unexpected character `$`"
    );
    assert_eq!(
        compile_error("fn main() { if { } }"),
        "1:16: expected an expression, found `{`"
    );
}

#[test]
fn name_errors_have_line_and_column() {
    assert_eq!(
        compile_error("fn main() {\n  print(1);\n  return foo(2);\n}"),
        "3:10: undefined function `foo`"
    );
    assert_eq!(
        compile_error("fn main() { return y; }"),
        "1:20: undefined variable `y`"
    );
    assert_eq!(
        compile_error("fn main() { y = 1; }"),
        "1:13: undefined variable `y`"
    );
    assert_eq!(
        compile_error("fn main() { if 1 { let y = 1; } return y; }"),
        "1:40: undefined variable `y`"
    );
    assert_eq!(
        compile_error("fn main() { let a = 1; let a = 2; }"),
        "1:28: `a` is already declared in this block"
    );
    assert_eq!(
        compile_error("fn f(a) { return a; } fn main() { return f(1, 2); }"),
        "1:42: `f` takes 1 argument, but 2 were given"
    );
    assert_eq!(
        compile_error("fn main() { print(); }"),
        "1:13: `print` takes 1 argument, but 0 were given"
    );
    assert_eq!(
        compile_error("fn main() { } fn main() { }"),
        "1:18: function `main` is already defined"
    );
    assert_eq!(
        compile_error("fn start() { }"),
        "the program has no `main` function"
    );
    assert_eq!(
        compile_error("fn main(x) { }"),
        "1:4: `main` must not take parameters"
    );
}

/// The README walks through `square.toy`: its program, IR listing and output must be what the
/// example really does.
#[test]
fn readme_walkthrough_is_accurate() {
    let readme = include_str!("../../README.md");
    let block_after = |marker: &str| -> &str {
        let start = readme
            .find(marker)
            .unwrap_or_else(|| panic!("no `{marker}` in the README"));
        let rest = &readme[start..];
        let open = rest.find("```text\n").unwrap() + "```text\n".len();
        let len = rest[open..].find("```").unwrap();
        &rest[open..open + len]
    };
    let src = block_after("Save this as `square.toy`:");
    let engine = Engine::new(&Config::new()).unwrap();
    let program = compile(&engine, src).unwrap();
    let (result, printed) = program.run_captured();
    assert_eq!(result, Ok(14)); // 0 + 1 + 4 + 9
    assert_eq!(printed, vec![14]);
    let main_ir = program.ir.last().unwrap();
    assert_eq!(
        block_after("for\n`main` above:").trim_end(),
        main_ir.trim_end()
    );
    // The parse error the README quotes.
    let broken = src.replacen("return x * x;", "return x * x", 1);
    assert_eq!(compile_error(&broken), "3:1: expected `;`, found `}`");
}
