//! Tests of the function builder.
