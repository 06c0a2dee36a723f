//! Syntax tree to Kiln IR, through `FunctionBuilder` with one IR variable per source variable.
//!
//! Every function takes and returns `i64`s with the System V convention. Control flow maps to
//! blocks: `if` to a `brif` between a then- and an else-block that both jump to a merge
//! block, `while` to a header block (the condition) with a back edge from the body. The
//! builder inserts the block parameters (SSA phis) where a variable is assigned in a branch or
//! a loop.

use crate::ast::{BinOp, Expr, ExprKind, FunctionDef, Stmt, UnOp};
use crate::error::Error;
use kiln_ir::frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use kiln_ir::types::I64;
use kiln_ir::{
    AbiParam, CallConv, FuncRef, Function, InstBuilder, IntCC, Signature, UserFuncName, Value,
};
use kiln_runtime::jit::{FuncId, JitModule};
use std::collections::HashMap;

/// The signature of a function with `params` parameters: `(i64, ...) -> i64 system_v`.
pub fn signature(params: usize) -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params = vec![AbiParam::new(I64); params];
    sig.returns.push(AbiParam::new(I64));
    sig
}

/// A function that may be called: the program's own functions and the host's `print`.
#[derive(Clone, Copy, Debug)]
pub struct Callee {
    pub id: FuncId,
    pub arity: usize,
}

/// Translates function definitions; reuses its builder context from one function to the next.
pub struct Translator {
    ctx: FunctionBuilderContext,
}

impl Translator {
    pub fn new() -> Self {
        Translator {
            ctx: FunctionBuilderContext::new(),
        }
    }

    /// The IR of `def`. Calls are resolved in `callees` and declared in the function through
    /// `module`.
    pub fn translate(
        &mut self,
        def: &FunctionDef,
        callees: &HashMap<String, Callee>,
        module: &JitModule,
    ) -> Result<Function, Error> {
        let name = UserFuncName::testcase(def.name.as_str());
        let mut func = Function::with_name_signature(name, signature(def.params.len()));
        let mut builder = FunctionBuilder::new(&mut func, &mut self.ctx);
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        builder.seal_block(entry);
        let mut t = FunctionTranslator {
            builder,
            scopes: vec![HashMap::new()],
            callees,
            module,
            refs: HashMap::new(),
        };
        for (i, (param, pos)) in def.params.iter().enumerate() {
            let value = t.builder.block_params(entry)[i];
            let var = t.declare(param, *pos)?;
            t.builder.def_var(var, value);
        }
        t.stmts(&def.body)?;
        // Falling off the end returns 0.
        if !t.builder.is_filled() {
            let zero = t.builder.ins().iconst(I64, 0);
            t.builder.ins().return_(&[zero]);
        }
        t.builder.finalize().map_err(|e| {
            Error::at(
                def.pos,
                format!("internal error building `{}`: {e}", def.name),
            )
        })?;
        Ok(func)
    }
}

struct FunctionTranslator<'a, 'f> {
    builder: FunctionBuilder<'f>,
    /// Variables by name, innermost `{ }` block last.
    scopes: Vec<HashMap<String, Variable>>,
    callees: &'a HashMap<String, Callee>,
    module: &'a JitModule,
    /// The reference of each callee already declared in this function.
    refs: HashMap<FuncId, FuncRef>,
}

impl FunctionTranslator<'_, '_> {
    fn declare(&mut self, name: &str, pos: crate::error::Pos) -> Result<Variable, Error> {
        let scope = self.scopes.last_mut().expect("a scope is always open");
        if scope.contains_key(name) {
            return Err(Error::at(
                pos,
                format!("`{name}` is already declared in this block"),
            ));
        }
        let var = self.builder.declare_var(I64);
        scope.insert(name.to_string(), var);
        Ok(var)
    }

    fn lookup(&self, name: &str, pos: crate::error::Pos) -> Result<Variable, Error> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.get(name).copied())
            .ok_or_else(|| Error::at(pos, format!("undefined variable `{name}`")))
    }

    /// Translates a `{ }` block: its `let`s end with it.
    fn block(&mut self, stmts: &[Stmt]) -> Result<(), Error> {
        self.scopes.push(HashMap::new());
        let r = self.stmts(stmts);
        self.scopes.pop();
        r
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> Result<(), Error> {
        stmts.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, stmt: &Stmt) -> Result<(), Error> {
        if self.builder.is_filled() {
            // Statements after a `return` are still checked and translated, into a block
            // nothing branches to.
            let dead = self.builder.create_block();
            self.builder.switch_to_block(dead);
            self.builder.seal_block(dead);
        }
        match stmt {
            Stmt::Let { name, pos, value } => {
                // The value is computed before the name exists: `let x = x + 1;` reads an
                // outer `x`.
                let v = self.expr(value)?;
                let var = self.declare(name, *pos)?;
                self.builder.def_var(var, v);
            }
            Stmt::Assign { name, pos, value } => {
                let var = self.lookup(name, *pos)?;
                let v = self.expr(value)?;
                self.builder.def_var(var, v);
            }
            Stmt::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => self.builder.ins().iconst(I64, 0),
                };
                self.builder.ins().return_(&[v]);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond)?;
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                let merge = self.builder.create_block();
                self.builder.ins().brif(c, then_block, &[], else_block, &[]);
                for (block, body) in [(then_block, then), (else_block, otherwise)] {
                    self.builder.switch_to_block(block);
                    self.builder.seal_block(block);
                    self.block(body)?;
                    if !self.builder.is_filled() {
                        self.builder.ins().jump(merge, &[]);
                    }
                }
                self.builder.switch_to_block(merge);
                self.builder.seal_block(merge);
            }
            Stmt::While { cond, body } => {
                let header = self.builder.create_block();
                let body_block = self.builder.create_block();
                let exit = self.builder.create_block();
                self.builder.ins().jump(header, &[]);
                // The header is sealed only after the body: the back edge is a predecessor.
                self.builder.switch_to_block(header);
                let c = self.expr(cond)?;
                self.builder.ins().brif(c, body_block, &[], exit, &[]);
                self.builder.switch_to_block(body_block);
                self.builder.seal_block(body_block);
                self.block(body)?;
                if !self.builder.is_filled() {
                    self.builder.ins().jump(header, &[]);
                }
                self.builder.seal_block(header);
                self.builder.switch_to_block(exit);
                self.builder.seal_block(exit);
            }
            Stmt::Expr(e) => {
                self.expr(e)?;
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<Value, Error> {
        Ok(match &e.kind {
            ExprKind::Int(n) => self.builder.ins().iconst(I64, *n),
            ExprKind::Var(name) => {
                let var = self.lookup(name, e.pos)?;
                self.builder.use_var(var)
            }
            ExprKind::Unary(op, operand) => {
                let x = self.expr(operand)?;
                match op {
                    UnOp::Neg => self.builder.ins().ineg(x),
                    UnOp::Not => {
                        let is_zero = self.builder.ins().icmp_imm(IntCC::Equal, x, 0);
                        self.builder.ins().uextend(I64, is_zero)
                    }
                }
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let x = self.expr(lhs)?;
                let y = self.expr(rhs)?;
                let ins = self.builder.ins();
                let cc = match op {
                    BinOp::Add => return Ok(ins.iadd(x, y)),
                    BinOp::Sub => return Ok(ins.isub(x, y)),
                    BinOp::Mul => return Ok(ins.imul(x, y)),
                    BinOp::Div => return Ok(ins.sdiv(x, y)),
                    BinOp::Rem => return Ok(ins.srem(x, y)),
                    BinOp::Eq => IntCC::Equal,
                    BinOp::Ne => IntCC::NotEqual,
                    BinOp::Lt => IntCC::SignedLessThan,
                    BinOp::Le => IntCC::SignedLessThanOrEqual,
                    BinOp::Gt => IntCC::SignedGreaterThan,
                    BinOp::Ge => IntCC::SignedGreaterThanOrEqual,
                };
                // `icmp` gives an `i8` 0 or 1; every value of the language is an `i64`.
                let flag = ins.icmp(cc, x, y);
                self.builder.ins().uextend(I64, flag)
            }
            ExprKind::Call(name, args) => {
                let callee = *self
                    .callees
                    .get(name)
                    .ok_or_else(|| Error::at(e.pos, format!("undefined function `{name}`")))?;
                if args.len() != callee.arity {
                    return Err(Error::at(
                        e.pos,
                        format!(
                            "`{name}` takes {} argument{}, but {} {} given",
                            callee.arity,
                            if callee.arity == 1 { "" } else { "s" },
                            args.len(),
                            if args.len() == 1 { "was" } else { "were" }
                        ),
                    ));
                }
                let values = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let func_ref = match self.refs.get(&callee.id) {
                    Some(&r) => r,
                    None => {
                        let r = self
                            .module
                            .declare_func_in_func(callee.id, self.builder.func)
                            .map_err(|err| Error::at(e.pos, err.to_string()))?;
                        self.refs.insert(callee.id, r);
                        r
                    }
                };
                let call = self.builder.ins().call(func_ref, &values);
                self.builder.func.dfg.inst_results(call)[0]
            }
        })
    }
}
