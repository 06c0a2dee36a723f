//! `FunctionBuilder`: building SSA functions from a frontend with mutable variables.
