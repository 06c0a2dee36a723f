//! Structured control flow: blocks, loops, ifs and branches.

use super::Translation;
use crate::error::WasmResult;
use kiln_ir::{types, BlockCall, InstBuilder, JumpTableData, TrapCode, Value};
use wasmparser::{BlockType, Operator};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FrameKind {
    /// The function body or a `block`.
    Block,
    /// A `loop`; branches go to its header.
    Loop { header: kiln_ir::Block },
    /// An `if`: `else_block` runs when the condition is zero.
    If {
        else_block: kiln_ir::Block,
        /// Whether the `if` itself was reachable (so its else path is).
        head_reachable: bool,
        else_seen: bool,
    },
    /// A block opened inside unreachable code: nothing was emitted for it.
    Dead,
}

/// One open Wasm block.
#[derive(Clone, Debug)]
pub(crate) struct ControlFrame {
    pub kind: FrameKind,
    /// Where control goes at the end: a block with one parameter per result.
    pub destination: kiln_ir::Block,
    pub num_params: usize,
    pub num_results: usize,
    /// Operand stack height below the block's parameters.
    pub stack_height: usize,
    /// Whether anything jumps to `destination`.
    pub exit_reached: bool,
    /// For `if`: the parameter values, restored at `else`.
    pub params: Vec<Value>,
}

impl ControlFrame {
    pub fn function(ret: kiln_ir::Block, num_results: usize) -> Self {
        ControlFrame {
            kind: FrameKind::Block,
            destination: ret,
            num_params: 0,
            num_results,
            stack_height: 0,
            exit_reached: false,
            params: Vec::new(),
        }
    }

    /// Number of values a branch to this frame carries.
    fn branch_arity(&self) -> usize {
        match self.kind {
            FrameKind::Loop { .. } => self.num_params,
            _ => self.num_results,
        }
    }

    fn branch_target(&self) -> kiln_ir::Block {
        match self.kind {
            FrameKind::Loop { header } => header,
            _ => self.destination,
        }
    }
}

impl Translation<'_, '_> {
    /// Parameter and result IR types of a block type.
    fn block_signature(&self, ty: BlockType) -> (Vec<kiln_ir::Type>, Vec<kiln_ir::Type>) {
        match ty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => {
                let t = crate::module::WasmValType::from_wasmparser(t, 0)
                    .map(|t| t.ir_type())
                    .unwrap_or(types::I64);
                (vec![], vec![t])
            }
            BlockType::FuncType(i) => {
                let f = &self.module.types[i as usize];
                (
                    f.params.iter().map(|t| t.ir_type()).collect(),
                    f.results.iter().map(|t| t.ir_type()).collect(),
                )
            }
        }
    }

    fn new_destination(&mut self, results: &[kiln_ir::Type]) -> kiln_ir::Block {
        let block = self.builder.create_block();
        for &t in results {
            self.builder.append_block_param(block, t);
        }
        block
    }

    /// Translates one operator; the validator has accepted it already.
    pub fn translate_operator(&mut self, op: &Operator<'_>, offset: u64) -> WasmResult<()> {
        if !self.reachable {
            return self.translate_unreachable(op);
        }
        match *op {
            Operator::Block { blockty } => {
                let (params, results) = self.block_signature(blockty);
                let destination = self.new_destination(&results);
                self.control.push(ControlFrame {
                    kind: FrameKind::Block,
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_height: self.stack.len() - params.len(),
                    exit_reached: false,
                    params: Vec::new(),
                });
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_signature(blockty);
                let destination = self.new_destination(&results);
                let header = self.new_destination(&params);
                let args = self.pop_n(params.len());
                self.builder.ins().jump(header, &args);
                self.builder.switch_to_block(header);
                let header_params = self.builder.block_params(header).to_vec();
                self.stack.extend_from_slice(&header_params);
                self.control.push(ControlFrame {
                    kind: FrameKind::Loop { header },
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_height: self.stack.len() - params.len(),
                    exit_reached: false,
                    params: Vec::new(),
                });
            }
            Operator::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_signature(blockty);
                let destination = self.new_destination(&results);
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                self.builder
                    .ins()
                    .brif(cond, then_block, &[], else_block, &[]);
                self.builder.seal_block(then_block);
                self.builder.seal_block(else_block);
                self.builder.switch_to_block(then_block);
                let param_values = self.peek(params.len()).to_vec();
                self.control.push(ControlFrame {
                    kind: FrameKind::If {
                        else_block,
                        head_reachable: true,
                        else_seen: false,
                    },
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_height: self.stack.len() - params.len(),
                    exit_reached: false,
                    params: param_values,
                });
            }
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::Br { relative_depth } => {
                self.branch(relative_depth);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let cond = self.pop();
                let frame = self.frame_mut(relative_depth);
                frame.exit_reached |= !matches!(frame.kind, FrameKind::Loop { .. });
                let (target, arity) = (frame.branch_target(), frame.branch_arity());
                let args = self.peek(arity).to_vec();
                let next = self.builder.create_block();
                self.builder.ins().brif(cond, target, &args, next, &[]);
                self.builder.seal_block(next);
                self.builder.switch_to_block(next);
            }
            Operator::BrTable { ref targets } => {
                let index = self.pop();
                let default_depth = targets.default();
                let arity = self.frame_mut(default_depth).branch_arity();
                let args = self.peek(arity).to_vec();
                let mut calls = Vec::with_capacity(targets.len() as usize);
                for depth in targets.targets() {
                    let depth = depth?;
                    let target = self.branch_target_marking(depth);
                    calls.push(BlockCall::new(
                        target,
                        &args,
                        &mut self.builder.func.dfg.value_lists,
                    ));
                }
                let default_target = self.branch_target_marking(default_depth);
                let default = BlockCall::new(
                    default_target,
                    &args,
                    &mut self.builder.func.dfg.value_lists,
                );
                let jt = self
                    .builder
                    .create_jump_table(JumpTableData::new(default, &calls));
                self.builder.ins().br_table(index, jt);
                self.reachable = false;
            }
            Operator::Return => {
                let n = self.control[0].num_results;
                let values = self.pop_n(n);
                self.builder.ins().return_(&values);
                self.reachable = false;
            }
            Operator::Unreachable => {
                self.builder.ins().trap(TrapCode::UnreachableCodeReached);
                self.reachable = false;
            }
            _ => return self.translate_plain(op, offset),
        }
        Ok(())
    }

    fn frame_mut(&mut self, depth: u32) -> &mut ControlFrame {
        let i = self.control.len() - 1 - depth as usize;
        &mut self.control[i]
    }

    /// The branch target of the frame at `depth`, noting that its exit is reached.
    fn branch_target_marking(&mut self, depth: u32) -> kiln_ir::Block {
        let frame = self.frame_mut(depth);
        if !matches!(frame.kind, FrameKind::Loop { .. }) {
            frame.exit_reached = true;
        }
        frame.branch_target()
    }

    fn branch(&mut self, depth: u32) {
        let arity = self.frame_mut(depth).branch_arity();
        let target = self.branch_target_marking(depth);
        let args = self.peek(arity).to_vec();
        self.builder.ins().jump(target, &args);
    }

    fn translate_else(&mut self) {
        let frame = self.control.last_mut().expect("validated: else inside if");
        let FrameKind::If {
            else_block,
            head_reachable,
            ref mut else_seen,
        } = frame.kind
        else {
            unreachable!("validated: else belongs to an if")
        };
        *else_seen = true;
        let destination = frame.destination;
        let (height, num_results) = (frame.stack_height, frame.num_results);
        let params = frame.params.clone();
        if self.reachable {
            frame.exit_reached = true;
            let results = self.peek(num_results).to_vec();
            self.builder.ins().jump(destination, &results);
        }
        self.stack.truncate(height);
        self.stack.extend_from_slice(&params);
        self.builder.switch_to_block(else_block);
        self.reachable = head_reachable;
    }

    fn translate_end(&mut self) {
        let mut frame = self.control.pop().expect("validated: end closes a block");
        if frame.kind == FrameKind::Dead {
            return;
        }
        if self.reachable {
            let results = self.peek(frame.num_results).to_vec();
            self.builder.ins().jump(frame.destination, &results);
            frame.exit_reached = true;
        }
        self.stack.truncate(frame.stack_height);
        match frame.kind {
            FrameKind::If {
                else_block,
                head_reachable: true,
                else_seen: false,
            } => {
                // No `else`: the false path passes the parameters through as results.
                self.builder.switch_to_block(else_block);
                self.builder.ins().jump(frame.destination, &frame.params);
                frame.exit_reached = true;
            }
            FrameKind::Loop { header } => self.builder.seal_block(header),
            _ => {}
        }
        if frame.exit_reached {
            self.builder.switch_to_block(frame.destination);
            self.builder.seal_block(frame.destination);
            let results = self.builder.block_params(frame.destination).to_vec();
            self.stack.extend_from_slice(&results);
            self.reachable = true;
        } else {
            self.reachable = false;
        }
        if self.control.is_empty() && self.reachable {
            // The end of the function body returns its results.
            let values = self.pop_n(frame.num_results);
            self.builder.ins().return_(&values);
            self.reachable = false;
        }
    }

    /// In unreachable code only the block structure matters.
    fn translate_unreachable(&mut self, op: &Operator<'_>) -> WasmResult<()> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.control.push(ControlFrame {
                    kind: FrameKind::Dead,
                    destination: kiln_ir::Block::from_u32(0),
                    num_params: 0,
                    num_results: 0,
                    stack_height: self.stack.len(),
                    exit_reached: false,
                    params: Vec::new(),
                });
            }
            Operator::Else => {
                if let Some(ControlFrame {
                    kind: FrameKind::If { .. },
                    ..
                }) = self.control.last()
                {
                    self.translate_else();
                }
            }
            Operator::End => self.translate_end(),
            _ => {}
        }
        Ok(())
    }
}
