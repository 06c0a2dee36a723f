//! The Kiln rule DSL: an ISLE-style term-rewriting language compiled to Rust.
