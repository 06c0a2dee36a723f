//! Register allocation with `regalloc2`.

use crate::machinst::vcode::{VCode, VCodeInst};
use regalloc2::{Algorithm, MachineEnv, Output, PReg, PRegSet, RegallocOptions};

/// Which registers the allocator may use, by preference.
#[derive(Clone, Debug)]
pub struct RegEnv {
    env: MachineEnv,
}

impl RegEnv {
    /// An environment: `preferred` registers are tried first (e.g. caller-saved ones, which
    /// cost nothing to use), then `others` (callee-saved, which must be saved).
    pub fn new(
        int_preferred: &[PReg],
        int_others: &[PReg],
        float_preferred: &[PReg],
        float_others: &[PReg],
    ) -> Self {
        let set = |ps: &[PReg]| ps.iter().copied().collect::<PRegSet>();
        RegEnv {
            env: MachineEnv {
                preferred_regs_by_class: [
                    set(int_preferred),
                    set(float_preferred),
                    PRegSet::empty(),
                ],
                non_preferred_regs_by_class: [set(int_others), set(float_others), PRegSet::empty()],
                scratch_by_class: [None, None, None],
                fixed_stack_slots: Vec::new(),
            },
        }
    }
}

/// Allocation options.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegallocConfig {
    /// Use the fast single-pass allocator instead of Ion (faster compile, worse code).
    pub fast: bool,
}

/// Runs the allocator on `vcode`; the result lives in `ctx` (reused by the next run).
pub fn allocate<'c, I: VCodeInst>(
    vcode: &VCode<I>,
    env: &RegEnv,
    config: RegallocConfig,
    ctx: &'c mut regalloc2::Ctx,
) -> Result<&'c Output, regalloc2::RegAllocError> {
    let opts = RegallocOptions {
        verbose_log: false,
        validate_ssa: cfg!(debug_assertions),
        algorithm: if config.fast {
            Algorithm::Fastalloc
        } else {
            Algorithm::Ion
        },
    };
    regalloc2::run_with_ctx(vcode, &env.env, &opts, ctx)
}
