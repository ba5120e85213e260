//! PE allocation: places the logical set on the physical array. A set taller
//! or wider than the array is folded into balanced pieces (the psums of a
//! folded column pass through the global buffer between pieces); pieces
//! smaller than the array are replicated to run several 2-D convolutions
//! (channels, filters or images) at once.

use super::{Part, Pass, PassError, PassOptions};
use crate::ir::{Allocation, Module};
use crate::model::Hw;

pub struct Allocate;

impl Pass for Allocate {
    fn name(&self) -> &'static str {
        "allocate"
    }
    fn description(&self) -> &'static str {
        "fold (strip-mine) the logical PE set onto the physical array and replicate small sets"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Alloc]
    }
    fn files(&self) -> &'static [&'static str] {
        &["allocate.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"folds a set taller or wider than the array into balanced pieces (ceil division) and counts the replicas of a piece that fit."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        let set = super::needed(m.set.as_ref());
        m.alloc = Some(allocate(
            Hw::new(set.rows as u64, set.cols as u64),
            m.arch.array,
        ));
        Ok(())
    }
}

/// Folds `set` onto `array` and counts the copies that fit.
pub fn allocate(set: Hw, array: Hw) -> Allocation {
    allocate_strips(set, array, array.w)
}

/// Folds `set` onto `array` in strips of at most `width` columns (the
/// strip width `e` of a mapping; balanced, so pieces differ by at most one
/// column) and counts the copies of a piece that fit.
pub fn allocate_strips(set: Hw, array: Hw, width: u64) -> Allocation {
    let width = width.clamp(1, array.w.max(1));
    let row_folds = set.h.div_ceil(array.h).max(1);
    let col_folds = set.w.div_ceil(width).max(1);
    let piece = Hw::new(set.h.div_ceil(row_folds), set.w.div_ceil(col_folds));
    let replicas = ((array.h / piece.h.max(1)) * (array.w / piece.w.max(1))).max(1);
    Allocation {
        array,
        set,
        piece,
        row_folds,
        col_folds,
        replicas,
        active_pes: replicas * piece.area(),
    }
}
