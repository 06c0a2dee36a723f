//! Kiln's x86-64 backend. Filled in by the backend issue.
