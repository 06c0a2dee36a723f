//! The Kiln rule DSL: an ISLE-style term-rewriting language compiled to Rust.
//!
//! A program is a set of `.isle` files declaring types, terms, extern
//! constructors/extractors and prioritised rules. [`compile_files`] (or
//! [`compile_sources`]) checks the program as a whole and returns Rust source
//! for a `Context` trait, the program's enums and one `constructor_<term>`
//! function per term defined by rules. [`build::compile_to_out_dir`] wraps it
//! for `build.rs`. See the crate README for the language and the conventions
//! of the generated code.
//!
//! ```
//! let code = kiln_isle_dsl::compile_str(
//!     "double.isle",
//!     "(type u32 (primitive u32))
//!      (decl pure add (u32 u32) u32)
//!      (extern constructor add add)
//!      (decl double (u32) u32)
//!      (rule (double x) (add x x))",
//! )
//! .unwrap();
//! assert!(code.contains("fn add(&mut self, arg0: u32, arg1: u32) -> u32;"));
//! assert!(code.contains("pub fn constructor_double(ctx: &mut impl Context, v0: u32) -> u32 {"));
//!
//! // Errors carry positions and render with the offending line.
//! let err = kiln_isle_dsl::compile_str("bad.isle", "(decl f (u32) u32)").unwrap_err();
//! assert_eq!(err.location(0), "bad.isle:1:10");
//! assert!(err.to_string().starts_with("bad.isle:1:10: error: unknown type `u32`"));
//! ```

pub mod ast;
pub mod build;
pub mod codegen;
pub mod error;
pub mod lexer;
pub mod overlap;
pub mod parser;
pub mod sema;
pub mod trie;

use std::path::{Path, PathBuf};

pub use error::{Error, Errors, SourceFile, Span};

/// Compiles the named files as one program, returning the generated Rust code.
///
/// Files that cannot be read are reported as errors alongside any others.
pub fn compile_files(files: &[PathBuf]) -> Result<String, Errors> {
    let mut sources = Vec::new();
    let mut io_errors = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match std::fs::read_to_string(f) {
            Ok(text) => sources.push(SourceFile { name, text }),
            Err(e) => {
                io_errors.push(Error {
                    message: format!("cannot read `{name}`: {e}"),
                    span: None,
                });
                sources.push(SourceFile {
                    name,
                    text: String::new(),
                });
            }
        }
    }
    if !io_errors.is_empty() {
        return Err(Errors {
            files: sources,
            errors: io_errors,
        });
    }
    compile_sources(sources)
}

/// Compiles in-memory sources as one program. Names are used in diagnostics,
/// and their final path component in the generated file's header.
pub fn compile_sources(files: Vec<SourceFile>) -> Result<String, Errors> {
    match compile_inner(&files) {
        Ok(code) => Ok(code),
        Err(errors) => Err(Errors { files, errors }),
    }
}

/// Compiles a single in-memory source named `name`.
pub fn compile_str(name: &str, text: &str) -> Result<String, Errors> {
    compile_sources(vec![SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    }])
}

fn compile_inner(files: &[SourceFile]) -> Result<String, Vec<Error>> {
    let mut defs = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match lexer::lex(i, &f.text).and_then(|t| parser::parse(&t)) {
            Ok(d) => defs.extend(d),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let prog = sema::check(&defs)?;
    let mut terms = Vec::new();
    for (term, rule_ids) in sema::rules_by_term(&prog) {
        let tr = trie::lower_term(&prog, term, &rule_ids);
        let tree = trie::build(&prog, &tr);
        let pair_errors = overlap::check_pairs(&prog, &tr, files);
        if pair_errors.is_empty() {
            // Tree checks would repeat what the pairwise check already said.
            errors.extend(overlap::check_tree(&prog, &tr, &tree));
        }
        errors.extend(pair_errors);
        terms.push((tr, tree));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.span);
        return Err(errors);
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            Path::new(&f.name)
                .file_name()
                .map_or(f.name.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    Ok(codegen::generate(&prog, &terms, &names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn several_files_form_one_program() {
        let types = src(
            "dir/types.isle",
            "(type u32 (primitive u32))\n(decl f (u32) u32)\n",
        );
        let rules = src("rules.isle", ";; rules\n(rule (f x) x)\n");
        let code = compile_sources(vec![types, rules]).unwrap();
        assert!(code.starts_with("// Generated by kiln-isle-dsl from types.isle, rules.isle."));
        assert!(code.contains(
            "pub fn constructor_f(_ctx: &mut impl Context, v0: u32) -> u32 {\n    v0\n}"
        ));
    }

    #[test]
    fn errors_name_the_right_file_and_are_all_rendered() {
        let types = src(
            "types.isle",
            "(type u32 (primitive u32))\n(decl f (u32) u32)\n",
        );
        let rules = src("rules.isle", "(rule (f x) y)\n(rule (g) 1)\n");
        let e = compile_sources(vec![types, rules]).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e.location(0), "rules.isle:1:13");
        assert_eq!(e.location(1), "rules.isle:2:8");
        let shown = e.to_string();
        assert!(shown.contains("rules.isle:1:13: error: unknown variable `y`\n  |\n1 | (rule (f x) y)\n  |             ^\n"));
        assert!(shown.ends_with("2 errors"));
    }

    #[test]
    fn lex_and_parse_errors_of_all_files_are_reported() {
        let e = compile_sources(vec![src("a.isle", "(type"), src("b.isle", "(decl f 12z)")])
            .unwrap_err();
        let msgs: Vec<String> = (0..e.len())
            .map(|i| format!("{}: {}", e.location(i), e.errors[i].message))
            .collect();
        assert_eq!(
            msgs,
            [
                "a.isle:1:1: unclosed `(`: missing `)`",
                "b.isle:1:9: invalid integer literal `12z`"
            ]
        );
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let e = compile_files(&[PathBuf::from("/nonexistent/kiln/x.isle")]).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e.errors[0]
            .message
            .starts_with("cannot read `/nonexistent/kiln/x.isle`"));
        assert!(e.to_string().starts_with("error: cannot read"));
    }
}
