//! The compile context (buffers reused across functions) and the compiled result.

use crate::machinst::lower::{Analysis, LowerBuffers};
use crate::machinst::vcode::VCode;
use crate::machinst::{CodeBuffer, Reloc, TrapRecord};
use kiln_ir::dominator_tree::DominatorTree;
use kiln_ir::flowgraph::ControlFlowGraph;

/// One compiled function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompiledFunction {
    /// The code followed by its constant pool; place it at a 16-byte aligned address.
    pub code: Vec<u8>,
    /// Length of the code proper (the constant pool follows).
    pub code_len: u32,
    /// Relocations to apply once the code's address (and its callees') are known.
    pub relocs: Vec<Reloc>,
    /// Instructions that may trap, with their codes, sorted by offset.
    pub traps: Vec<TrapRecord>,
    /// Bytes the prologue subtracts from `rsp` (after pushing `rbp`).
    pub frame_size: u32,
    /// The listing (machine instructions after register allocation, then a
    /// disassembly), if requested.
    pub listing: Option<String>,
}

/// Buffers reused from one function to the next: clear, never drop.
pub struct CompileContext<I> {
    /// Control-flow graph.
    pub cfg: ControlFlowGraph,
    /// Dominator tree (for the reverse postorder).
    pub domtree: DominatorTree,
    /// Use counts and colours.
    pub analysis: Analysis,
    /// The lowering driver's vectors.
    pub lower: LowerBuffers<I>,
    /// The machine code over virtual registers.
    pub vcode: VCode<I>,
    /// The allocator's reusable state.
    pub regalloc: regalloc2::Ctx,
    /// The code buffer.
    pub buffer: CodeBuffer,
}

impl<I: crate::machinst::vcode::VCodeInst> CompileContext<I> {
    /// Empty buffers.
    pub fn new() -> Self {
        CompileContext {
            cfg: ControlFlowGraph::new(),
            domtree: DominatorTree::new(),
            analysis: Analysis::default(),
            lower: LowerBuffers::default(),
            vcode: VCode::new(),
            regalloc: regalloc2::Ctx::default(),
            buffer: CodeBuffer::new(),
        }
    }
}
