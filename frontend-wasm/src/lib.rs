//! Translation of WebAssembly into Kiln IR. Filled in by the frontend issue.
