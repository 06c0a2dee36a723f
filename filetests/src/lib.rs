//! The Kiln filetest runner.
