//! Jump tables: the destinations of a `br_table`.

use crate::instructions::BlockCall;

/// The destinations of a `br_table`: a default and the indexed entries.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct JumpTableData {
    // The default first, then the table, so every destination is one slice.
    all: Vec<BlockCall>,
}

impl JumpTableData {
    /// A table with `default` for out-of-range indices and `table` for indices 0, 1, ...
    pub fn new(default: BlockCall, table: &[BlockCall]) -> Self {
        let mut all = Vec::with_capacity(table.len() + 1);
        all.push(default);
        all.extend_from_slice(table);
        Self { all }
    }

    /// The destination for out-of-range indices.
    pub fn default_block(&self) -> BlockCall {
        self.all[0]
    }

    /// The indexed destinations.
    pub fn as_slice(&self) -> &[BlockCall] {
        &self.all[1..]
    }

    /// The default followed by the indexed destinations.
    pub fn all_branches(&self) -> &[BlockCall] {
        &self.all
    }

    /// The default followed by the indexed destinations, for writing.
    pub fn all_branches_mut(&mut self) -> &mut [BlockCall] {
        &mut self.all
    }
}
