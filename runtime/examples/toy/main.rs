//! `toy`: a small language compiled with Kiln's JIT — the worked example of the runtime's
//! README.
//!
//! ```text
//! cargo run -p kiln-runtime --example toy                  # the built-in demo.toy
//! cargo run -p kiln-runtime --example toy -- FILE.toy      # a program of yours
//! cargo run -p kiln-runtime --example toy -- --ir FILE.toy # also print the IR
//! ```
//!
//! A program is a list of functions; `main()` runs and its result is printed last. Values are
//! 64-bit integers: `+ - * / %` (division by zero is a runtime error), comparisons `== != <
//! <= > >=` (1 or 0), `-x`, `!x`, `let x = e;`, `x = e;`, `if c { } else { }`, `while c { }`,
//! `return e;`, calls (recursion included) and the host function `print(x)`.
//!
//! lexer → parser (syntax tree, errors at line:col) → translator (IR through
//! `FunctionBuilder`) → driver (JIT module: declare, define, finalize, call).

mod ast;
mod driver;
mod error;
mod lexer;
mod parser;
mod translator;

use kiln_runtime::{Config, Engine};
use std::process::ExitCode;

const DEMO: &str = include_str!("demo.toy");

fn main() -> ExitCode {
    let mut show_ir = false;
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--ir" => show_ir = true,
            "-h" | "--help" => {
                println!("usage: toy [--ir] [FILE]   (without FILE: the built-in demo)");
                return ExitCode::SUCCESS;
            }
            _ if path.is_none() => path = Some(arg),
            _ => {
                eprintln!("error: unexpected argument `{arg}` (usage: toy [--ir] [FILE])");
                return ExitCode::from(2);
            }
        }
    }
    let (name, src) = match &path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(src) => (p.as_str(), src),
            Err(e) => {
                eprintln!("error: cannot read {p}: {e}");
                return ExitCode::from(2);
            }
        },
        None => ("demo.toy", DEMO.to_string()),
    };
    let engine = match Engine::new(&Config::new()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = driver::compile(&engine, &src).and_then(|program| {
        if show_ir {
            for f in &program.ir {
                println!("{f}");
            }
        }
        program.run()
    });
    match result {
        Ok(value) => {
            println!("main returned {value}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            match e.pos {
                Some(_) => eprintln!("{name}:{e}"),
                None => eprintln!("{name}: {e}"),
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests;
