//! Kiln's SSA intermediate representation.
