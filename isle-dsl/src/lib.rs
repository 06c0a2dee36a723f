//! The Kiln rule DSL: an ISLE-style term-rewriting language compiled to Rust.
//!
//! A program is a set of `.isle` files declaring types, terms, extern
//! constructors/extractors and prioritised rules. [`compile_files`] (or
//! [`compile_sources`]) checks the program as a whole and returns Rust source
//! for a `Context` trait, the program's enums and one `constructor_<term>`
//! function per term defined by rules. [`build::compile_to_out_dir`] wraps it
//! for `build.rs`. See the crate README for the language and the conventions
//! of the generated code.

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
    // Terms without rules still need a constructor if they are called.
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
