//! Pieces shared by the two Grad-Flow schedules: the grouping and size
//! diagnostics, and a per-PE timeline that collects the control events of a
//! PE sparsely and is turned into dense words only once the whole set is
//! known to fit under [`MAX_PE_CYCLES`].

use super::MAX_PE_CYCLES;
use crate::diag::Diagnostic;
use crate::ir::Slot;
use crate::ir::Word;
use crate::model::Layer;

/// Refuses a grouping that is not `valid`; `range` spells the valid values
/// for the help note and `meaning` says what the grouping does.
pub fn check_grouping(
    layer: &Layer,
    what: &str,
    g: i64,
    valid: bool,
    range: &str,
    meaning: &str,
) -> Result<(), Diagnostic> {
    if valid {
        return Ok(());
    }
    Err(Diagnostic::error(
        crate::diag::Code::GroupingOutOfRange,
        format!("Grad-Flow {what}: grouping {g} is out of range for this layer"),
    )
    .with_primary(layer.span, "this layer")
    .with_note(meaning.to_string())
    .with_help(format!("choose a grouping in {range}")))
}

/// Refuses a set whose `rows x cols x cycles` exceeds [`MAX_PE_CYCLES`].
/// `cycles` may be a lower bound: it is checked again once exact.
pub fn check_size(
    layer: &Layer,
    what: &str,
    rows: u64,
    cols: u64,
    cycles: u64,
) -> Result<(), Diagnostic> {
    let total = rows.checked_mul(cols).and_then(|p| p.checked_mul(cycles));
    crate::limits::check_gflow_events(layer, what, total.unwrap_or(u64::MAX))?;
    match total {
        Some(t) if t <= MAX_PE_CYCLES => Ok(()),
        _ => Err(Diagnostic::error(
            crate::diag::Code::ScheduleTooLarge,
            format!(
                "Grad-Flow {what}: the schedule needs {rows} x {cols} PEs x {cycles} cycles, more than the limit of {MAX_PE_CYCLES} PE-cycles"
            ),
        )
        .with_primary(layer.span, "this layer")
        .with_help("use a grouping that needs fewer PE-cycles, or `--dataflow rs`")),
    }
}

/// The control events of one PE, keyed by cycle; several events may touch
/// the same cycle (a read and an older product's adder step).
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    events: Vec<(u64, Word)>,
}

impl Timeline {
    /// Issues a multiplication at cycle `t`.
    pub fn read(&mut self, t: u64, ifm: u32, fil: u32) {
        self.events.push((
            t,
            Word {
                ifm: Slot::new(ifm),
                fil: Slot::new(fil),
                ..Word::default()
            },
        ));
    }

    /// Sets the adder-side fields of cycle `t`.
    pub fn adder(&mut self, t: u64, w: Word) {
        self.events.push((t, w));
    }

    /// The global buffer takes this PE's OUT_PSUM head at cycle `t` as
    /// output element `idx`.
    pub fn out(&mut self, t: u64, idx: u32) {
        self.events.push((
            t,
            Word {
                out: Slot::new(idx),
                ..Word::default()
            },
        ));
    }

    /// One past the last cycle with an event.
    pub fn end(&self) -> u64 {
        self.events.iter().map(|e| e.0 + 1).max().unwrap_or(0)
    }

    /// Dense words for cycles `0..len`.
    pub fn words(&self, len: usize) -> Vec<Word> {
        let mut words = vec![Word::default(); len];
        for (t, e) in &self.events {
            if let Some(w) = words.get_mut(*t as usize) {
                merge(w, e);
            }
        }
        words
    }
}

/// Copies the fields `e` sets into `w` (schedules never set one field twice).
fn merge(w: &mut Word, e: &Word) {
    w.ifm = w.ifm.or(e.ifm);
    w.fil = w.fil.or(e.fil);
    w.psum_rd = w.psum_rd.or(e.psum_rd);
    w.psum_wr = w.psum_wr.or(e.psum_wr);
    w.take_in |= e.take_in;
    w.push |= e.push;
    w.out = w.out.or(e.out);
}

/// The control length of a set of timelines, checked against the limit.
pub fn set_length(
    layer: &Layer,
    what: &str,
    rows: u64,
    cols: u64,
    lines: &[Timeline],
) -> Result<usize, Diagnostic> {
    let len = lines.iter().map(Timeline::end).max().unwrap_or(0);
    check_size(layer, what, rows, cols, len)?;
    Ok(len as usize)
}
