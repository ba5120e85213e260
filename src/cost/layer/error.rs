//! The layer cost model's own errors: [`CostError`] says why a layer could
//! not be costed, with the data its message needs, and [`Limit`] is the
//! limit a blocking breaks. The stage returns them; the one conversion to
//! the user's diagnostic is `impl IntoDiagnostic for CostError`, at the
//! stage's edge (the back end and the sweep call it).

use std::fmt;

use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::dram::DramError;
use crate::model::{Hw, SrcSpan};

/// A layer or arch as a refusal names it: its name and where it is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub span: SrcSpan,
}

/// The pass the mapping search worked on, for the refusal's note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassShape {
    pub images: u64,
    pub filters: u64,
    pub channels: u64,
    pub groups: u64,
    /// The logical PE set, the pieces it is folded into and one piece.
    pub set: Hw,
    pub pieces: u64,
    pub piece: Hw,
}

/// Which refusal of the mapping search: no blocking fits the arch at all
/// (E0301), or the hand-fixed `mapping { ... }` is what does not fit (E0302).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingFault {
    NoneFits,
    Hint,
}

/// The first limit a blocking (or a hand-given value) breaks; its
/// [`Display`](fmt::Display) is the sentence the refusal quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// A window of `window` values x q needs `need` ifmap entries.
    IfmapRf {
        window: u64,
        q: u64,
        need: u128,
        rf: u64,
    },
    /// A row of `row` weights x q x p needs `need` filter entries.
    FilterRf {
        row: u64,
        q: u64,
        p: u64,
        need: u128,
        rf: u64,
    },
    /// `psums` psums x p need `need` psum entries.
    PsumRf {
        psums: u64,
        p: u64,
        need: u128,
        rf: u64,
    },
    /// r x t PE sets do not fit on the array.
    Array {
        r: u64,
        t: u64,
        piece: Hw,
        replicas: u64,
        array: Hw,
    },
    /// Zero ifmap banks, or more than the global buffer has.
    IfmapBanks { asked: u64, banks: u64 },
    /// The ifmaps of a pass need more banks than are given to them.
    IfmapBuffer {
        n: u64,
        q: u64,
        r: u64,
        slice: u128,
        bytes: u128,
        need: u128,
        bank: u64,
        given: u64,
        banks: u64,
    },
    /// The filters of a pass do not fit the filter banks.
    FilterBuffer {
        p: u64,
        t: u64,
        q: u64,
        r: u64,
        slices: u128,
        slice: u128,
        bytes: u128,
        filter_banks: u64,
        bank: u64,
    },
    /// The psums of a filter block do not fit the psum banks, and the arch
    /// forbids them to leave the chip before they are final (`psum_spill =
    /// off`).
    PsumSpill {
        spilled_bytes: u128,
        psum_banks: u64,
        bank: u64,
    },
    /// A hand-given mapping value of 0.
    HintZero { name: &'static str },
    /// A hand-given mapping value beyond its dimension.
    HintTooLarge {
        name: &'static str,
        value: u64,
        max: u64,
        what: &'static str,
    },
    /// The search found nothing, yet the smallest blocking breaks no limit.
    NoCandidate,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Limit::IfmapRf { window, q, need, rf } => write!(
                f,
                "ifmap scratchpad: a window of {window} values x q={q} needs {need} entries, rf.ifmap = {rf}"
            ),
            Limit::FilterRf { row, q, p, need, rf } => write!(
                f,
                "filter scratchpad: a row of {row} weights x q={q} x p={p} needs {need} entries, rf.filter = {rf}"
            ),
            Limit::PsumRf { psums, p, need, rf } => write!(
                f,
                "psum scratchpad: {psums} psums x p={p} needs {need} entries, rf.psum = {rf}"
            ),
            Limit::Array { r, t, piece, replicas, array } => write!(
                f,
                "PE array: r={r} x t={t} = {} PE sets of {piece} PEs, but only {replicas} fit on the {array} array",
                r as u128 * t as u128
            ),
            Limit::IfmapBanks { asked, banks } => write!(
                f,
                "global buffer: {asked} ifmap banks asked for, glb.banks = {banks}"
            ),
            Limit::IfmapBuffer { n, q, r, slice, bytes, need, bank, given, banks } => write!(
                f,
                "global buffer: the ifmaps of a pass (n={n} x q={q} x r={r} slices of {slice} elements, {bytes} bytes) need {need} banks of {bank} bytes, {given} given (glb.banks = {banks})"
            ),
            Limit::FilterBuffer { p, t, q, r, slices, slice, bytes, filter_banks, bank } => write!(
                f,
                "filter buffer: the filters of a pass (p={p} x t={t} x q={q} x r={r} = {slices} slices of {slice} weights) need {bytes} bytes, glb.filter_banks = {filter_banks} x {bank} bytes"
            ),
            Limit::PsumSpill { spilled_bytes, psum_banks, bank } => write!(
                f,
                "global buffer: the psums of a pass's images and filters need more than its {psum_banks} psum banks of {bank} bytes ({spilled_bytes} bytes would go to DRAM and back), and psum_spill = off keeps psums on chip"
            ),
            Limit::HintZero { name } => write!(f, "mapping: {name} = 0, it must be at least 1"),
            Limit::HintTooLarge { name, value, max, what } => {
                write!(f, "mapping: {name} = {value} exceeds the {max} {what}")
            }
            Limit::NoCandidate => f.write_str("no candidate blocking passes every limit"),
        }
    }
}

/// The mapping search's refusal: `limit` is the tightest limit broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRefusal {
    pub fault: MappingFault,
    pub layer: Named,
    pub arch: Named,
    pub limit: Limit,
    pub pass: PassShape,
}

/// Why the cost model could not cost a layer.
#[derive(Debug, Clone, PartialEq)]
pub enum CostError {
    /// A count of the layer (`what`: "traffic", "cycles", ...) exceeds 64 bits.
    TooLarge { what: &'static str },
    /// The arch's DRAM model (`arch.dram`) cannot be loaded.
    UnknownDram {
        dram: String,
        arch: SrcSpan,
        why: Box<DramError>,
    },
    /// The layer's DRAM command stream is too large to generate.
    DramTooLarge { layer: SrcSpan, why: Box<DramError> },
    /// Figures of the layer's statistics are not finite (`fields`, in order).
    NotFinite { layer: Named, fields: Vec<String> },
    /// The hand-fixed strip width `e` exceeds the set's or the array's columns.
    StripWidth {
        layer: Named,
        arch: Named,
        e: u64,
        set_cols: u64,
        array_cols: u64,
    },
    /// The mapping search refused the layer (boxed: the rest stay small).
    NoMapping(Box<MappingRefusal>),
    /// The simulated pass lacks a part the model reads (a bug in cnnc).
    MissingPart { what: &'static str },
    /// The strip search tried no width or gave no candidate (a bug in cnnc).
    NoStripWidth,
}

impl IntoDiagnostic for CostError {
    fn into_diagnostic(self) -> Diagnostic {
        match self {
            CostError::TooLarge { what } => Diagnostic::error(
                Code::CostTooLarge,
                format!("layer too large for the cost model: {what} exceeds 64 bits"),
            ),
            CostError::UnknownDram { dram, arch, why } => {
                Diagnostic::error(Code::UnknownDram, format!("DRAM model `{dram}`: {why}"))
                    .with_primary(arch, "this arch")
            }
            CostError::DramTooLarge { layer, why } => Diagnostic::error(
                Code::CostTooLarge,
                format!("layer too large for the DRAM model: {why}"),
            )
            .with_primary(layer, "this layer"),
            CostError::NotFinite { layer, fields } => Diagnostic::error(
                Code::NotFinite,
                format!(
                    "`{}` of layer `{}` is not a finite number",
                    fields.first().map_or("", String::as_str),
                    layer.name
                ),
            )
            .with_primary(layer.span, "this layer")
            .with_note(format!(
                "{} figures overflow: {}",
                fields.len(),
                fields.join(", ")
            ))
            .with_help("check the arch's energies and clock: a product of them overflows"),
            CostError::StripWidth {
                layer,
                arch,
                e,
                set_cols,
                array_cols,
            } => Diagnostic::error(
                Code::BadHint,
                format!(
                    "the hand-fixed mapping of layer `{}` does not fit arch `{}`: strip width e = {e} exceeds the {set_cols} PE-set columns or the array's {array_cols} columns",
                    layer.name, arch.name
                ),
            )
            .with_primary(layer.span, "this layer")
            .with_secondary(arch.span, "on this arch")
            .with_help(format!("choose e between 1 and {}", set_cols.min(array_cols))),
            CostError::NoMapping(r) => {
                let MappingRefusal {
                    fault,
                    layer,
                    arch,
                    limit,
                    pass: s,
                } = *r;
                let (code, title) = match fault {
                    MappingFault::NoneFits => (
                        Code::NoMappingFits,
                        format!(
                            "no mapping fits layer `{}` on arch `{}`: {limit}",
                            layer.name, arch.name
                        ),
                    ),
                    MappingFault::Hint => (
                        Code::BadHint,
                        format!(
                            "the hand-fixed mapping of layer `{}` does not fit arch `{}`: {limit}",
                            layer.name, arch.name
                        ),
                    ),
                };
                Diagnostic::error(code, title)
                    .with_primary(layer.span, "this layer")
                    .with_declared(arch.span, "on this arch")
                    .with_note(format!(
                        "the pass is {} x {} x {} 2-D convolutions per group (images x filters x channels), {} group(s); one PE set is {} PEs in {} piece(s) of {}",
                        s.images, s.filters, s.channels, s.groups, s.set, s.pieces, s.piece
                    ))
            }
            CostError::MissingPart { what } => Diagnostic::error(
                Code::Internal,
                format!("internal error: layer cost model: {what}"),
            ),
            CostError::NoStripWidth => {
                Diagnostic::error(Code::Internal, "internal error: the strip search gave no candidate")
            }
        }
    }
}
