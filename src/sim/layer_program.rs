//! The programs the whole-layer simulation is given: each processing pass
//! compiled to bytecode by the caller's compiler (`passes::rs_pass`, handed
//! in by the layer evaluation), checked and loaded onto the machine here.
//! The simulator runs programs; it does not build them.

use super::{ArrayParams, Machine, PeSet, PhysicalStats, Run};
use crate::bytecode::{verify_structure, Program, VerifyError};
use crate::ir::{PassJob, SrcMatrix};
use crate::model::{Arch, Hw};

use super::layer_simulation::NotSimulated;

/// A processing pass compiled to bytecode, with the timing it was built
/// for.
#[derive(Debug, Clone)]
pub struct PassProgram {
    pub program: Program,
    pub window_period: u64,
    /// The least window period the compute allows (a longer one is the
    /// networks' stretch).
    pub min_window_period: u64,
    /// Idle cycles before the first window, waiting for the first data.
    pub start: u64,
    pub pes_used: u64,
}

/// The compiler of a plan's passes: a pass and the operands of its chunk
/// to its program, or why the pass does not fit the array.
pub type Compiler<'a> =
    dyn Fn(&PassJob, &(SrcMatrix, SrcMatrix)) -> Result<PassProgram, String> + Sync + 'a;

/// A processing pass loaded onto the machine.
pub(super) struct Compiled {
    pub(super) machine: Machine,
    /// Window period, least window period and start.
    pub(super) params: (u64, u64, u64),
    rows: u64,
    /// Columns of the program: its PE `i` is the array's (`i / cols`,
    /// `i % cols`).
    pub(super) cols: u64,
    pub(super) out_shape: Hw,
    pub(super) pes_used: u64,
    /// Cycles of control, and the most ifmap, filter and psum scratchpad
    /// entries a PE uses.
    control_cycles: u64,
    rf_used: (u64, u64, u64),
}

impl Compiled {
    /// `physical_stats` of this pass run as `run` (`strip` output rows of
    /// the problem's `output_rows`).
    pub(super) fn physical(
        &self,
        run: &Run,
        strip: u64,
        output_rows: u64,
        verified: bool,
    ) -> PhysicalStats {
        let (period, min_period, start) = self.params;
        PhysicalStats {
            pe_set: PeSet {
                rows: self.rows as u32,
                cols: self.cols as u32,
            },
            strip_rows: strip as u32,
            output_rows,
            cycles: run.cycles(),
            control_cycles: self.control_cycles,
            busy_cycles: run.busy_cycles(),
            window_period: period,
            min_window_period: min_period,
            start_cycles: start,
            macs: run.macs(),
            zero_macs: run.zero_macs(),
            ifmap_sends: run.ifmap_sends,
            filter_sends: run.filter_sends,
            local_fills: run.local_fills,
            rf_ifmap_used: self.rf_used.0,
            rf_filter_used: self.rf_used.1,
            rf_psum_used: self.rf_used.2,
            verified,
        }
    }
}

/// Pass `j` compiled by `compiler` and loaded onto the machine of `arch`.
pub(super) fn load(
    compiler: &Compiler,
    j: &PassJob,
    operands: &(SrcMatrix, SrcMatrix),
    arch: &Arch,
) -> Result<Compiled, NotSimulated> {
    let name = || format!("{:?}", j.shape);
    let pass = compiler(j, operands).map_err(|what| NotSimulated::NoFit { pass: name(), what })?;
    let program = pass.program;
    // The queues are checked by the run itself, cycle by cycle: a dry run
    // of them first would do the run's work twice.
    let expanded = match verify_structure(&program) {
        Ok(e) => e,
        Err(VerifyError::Capacity(w) | VerifyError::Malformed(w)) => {
            return Err(NotSimulated::NoFit {
                pass: name(),
                what: w,
            })
        }
    };
    let params = ArrayParams::of(arch);
    let machine =
        Machine::from_expanded(&program, expanded, params).map_err(|e| NotSimulated::Broken {
            pass: name(),
            what: e.to_string(),
        })?;
    Ok(Compiled {
        machine,
        params: (pass.window_period, pass.min_window_period, pass.start),
        rows: program.rows as u64,
        cols: program.cols as u64,
        out_shape: program.out_shape,
        pes_used: pass.pes_used,
        control_cycles: program.length as u64,
        rf_used: program.pes.iter().fold((0, 0, 0), |(i, f, p), e| {
            (
                i.max(e.ifmap_capacity as u64),
                f.max(e.filter_capacity as u64),
                p.max(e.psum_entries as u64),
            )
        }),
    })
}
