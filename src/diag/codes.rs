//! The table of diagnostic codes. Codes are stable: a code is never reused
//! for a different problem. `docs/language.md` lists the same table.
//! E0001-E0099 belong to the front end (lexer, parser, checker, driver);
//! E0100 and above are left to the later stages.

pub const UNEXPECTED_CHAR: &str = "E0001";
pub const UNTERMINATED_COMMENT: &str = "E0002";
pub const UNTERMINATED_STRING: &str = "E0003";
pub const BAD_ESCAPE: &str = "E0004";
pub const SYNTAX: &str = "E0005";
pub const UNEXPECTED_EOF: &str = "E0006";
pub const UNKNOWN_KEY: &str = "E0007";
pub const DUPLICATE_KEY: &str = "E0008";
pub const MISSING_KEY: &str = "E0009";
pub const WRONG_UNIT: &str = "E0010";
pub const UNEXPECTED_UNIT: &str = "E0011";
pub const MISSING_UNIT: &str = "E0012";
pub const UNKNOWN_UNIT: &str = "E0013";
pub const WRONG_TYPE: &str = "E0014";
pub const OUT_OF_RANGE: &str = "E0015";
pub const INT_TOO_LARGE: &str = "E0016";
pub const TOO_LARGE: &str = "E0017";
pub const FILTER_TOO_LARGE: &str = "E0018";
pub const STRIDE_LEFTOVER: &str = "E0019";
pub const OFMAP_MISMATCH: &str = "E0020";
pub const GROUPS_DIVIDE: &str = "E0021";
pub const DUPLICATE_NAME: &str = "E0022";
pub const UNKNOWN_BASE: &str = "E0023";
pub const INHERITANCE_CYCLE: &str = "E0024";
pub const EYERISS_WITHOUT_BASE: &str = "E0025";
pub const EYERISS_SHADOW: &str = "E0026";
pub const MISPLACED: &str = "E0027";
pub const BAD_NAME: &str = "E0028";
pub const EMPTY_NETWORK: &str = "E0029";
pub const NOT_UTF8: &str = "E0030";
pub const FILE_TOO_LARGE: &str = "E0031";
pub const TOO_MANY_ERRORS: &str = "E0032";
pub const AMBIGUOUS_TARGET: &str = "E0040";
pub const UNKNOWN_LAYER: &str = "E0041";
pub const UNKNOWN_ARCH: &str = "E0042";
pub const NOTHING_TO_RUN: &str = "E0043";
/// `output_pad` on a layer that is not `transposed = true`.
pub const OUTPUT_PAD_NOT_TRANSPOSED: &str = "E0044";
/// `output_pad` not smaller than the stride or the dilation (PyTorch's rule).
pub const OUTPUT_PAD_TOO_LARGE: &str = "E0045";
/// The padding of a transposed convolution removes its whole output.
pub const TRANSPOSED_NO_OUTPUT: &str = "E0046";
/// Grad-Flow asked for a pass of a transposed or dilated layer that is not
/// one of its schedules (raised by gflow-map; row-stationary runs these).
pub const GFLOW_NOT_ORDINARY: &str = "E0090";
pub const CONFLICTING_OPTIONS: &str = "E0050";
pub const LIMIT: &str = "E0210";
pub const NOT_FINITE: &str = "E0211";
pub const CANNOT_WRITE: &str = "E0920";
pub const CANNOT_READ: &str = "E0921";
pub const OUTPUT_IS_INPUT: &str = "E0922";
pub const BAD_TRACE: &str = "E0923";
pub const BAD_MEMSPEC: &str = "E0924";
pub const BAD_SET: &str = "E0070";
pub const BAD_VARY: &str = "E0071";
pub const BAD_SHARD: &str = "E0072";
pub const SWEEP_TOO_LARGE: &str = "E0073";
pub const VARIED_TWICE: &str = "E0074";
pub const BAD_MERGE: &str = "E0075";
pub const IMPORT_UNREADABLE: &str = "E0400";
pub const IMPORT_NO_SHAPE: &str = "E0401";
pub const IMPORT_UNSUPPORTED: &str = "E0402";
pub const IMPORT_NO_CONV: &str = "E0403";
pub const IMPORT_BAD_TOPOLOGY: &str = "E0404";
pub const IMPORT_BAD_BATCH: &str = "E0405";
pub const PLOT_FAILED: &str = "E0420";

/// Every code with a one-line title, in order (for docs and `--explain`-like tools).
pub const TABLE: &[(&str, &str)] = &[
    (UNEXPECTED_CHAR, "unexpected character"),
    (UNTERMINATED_COMMENT, "unterminated block comment"),
    (UNTERMINATED_STRING, "unterminated string"),
    (BAD_ESCAPE, "unknown escape in a string"),
    (SYNTAX, "syntax error: unexpected token"),
    (UNEXPECTED_EOF, "unexpected end of file"),
    (UNKNOWN_KEY, "unknown key or block"),
    (DUPLICATE_KEY, "key given twice"),
    (MISSING_KEY, "required key missing"),
    (WRONG_UNIT, "unit of the wrong kind"),
    (UNEXPECTED_UNIT, "unit on a key that takes a plain number"),
    (MISSING_UNIT, "number without the unit its key needs"),
    (UNKNOWN_UNIT, "unknown unit"),
    (WRONG_TYPE, "value of the wrong type"),
    (OUT_OF_RANGE, "value out of range"),
    (INT_TOO_LARGE, "integer literal does not fit in 64 bits"),
    (TOO_LARGE, "sizes too large to compute with"),
    (FILTER_TOO_LARGE, "filter larger than the padded input"),
    (
        STRIDE_LEFTOVER,
        "stride leaves input rows or columns over (no longer raised: unused rows follow the floor rule)",
    ),
    (
        OFMAP_MISMATCH,
        "ofmap differs from the computed output size",
    ),
    (GROUPS_DIVIDE, "channels or filters not divisible by groups"),
    (DUPLICATE_NAME, "name declared twice"),
    (UNKNOWN_BASE, "unknown base arch"),
    (INHERITANCE_CYCLE, "arch inheritance cycle"),
    (
        EYERISS_WITHOUT_BASE,
        "arch `eyeriss` declared without a base",
    ),
    (
        EYERISS_SHADOW,
        "arch `eyeriss : eyeriss` shadows the built-in",
    ),
    (MISPLACED, "item not allowed here"),
    (BAD_NAME, "invalid declaration name"),
    (EMPTY_NETWORK, "network without layers"),
    (NOT_UTF8, "input is not UTF-8"),
    (FILE_TOO_LARGE, "input file too large"),
    (TOO_MANY_ERRORS, "too many errors"),
    (
        AMBIGUOUS_TARGET,
        "no --layer given and the file has several choices",
    ),
    (UNKNOWN_LAYER, "unknown layer or network name"),
    (UNKNOWN_ARCH, "unknown arch name"),
    (NOTHING_TO_RUN, "the file declares no layer"),
    (
        OUTPUT_PAD_NOT_TRANSPOSED,
        "`output_pad` on a layer that is not transposed",
    ),
    (
        OUTPUT_PAD_TOO_LARGE,
        "`output_pad` not smaller than the stride or the dilation",
    ),
    (
        TRANSPOSED_NO_OUTPUT,
        "padding removes the whole output of a transposed convolution",
    ),
    (
        GFLOW_NOT_ORDINARY,
        "Grad-Flow asked for a pass of a transposed or dilated layer it does not map",
    ),
    (
        CONFLICTING_OPTIONS,
        "command-line options that conflict or mean nothing together",
    ),
    (
        NOT_FINITE,
        "a value or a result that is not a finite number",
    ),
    (BAD_SET, "--set is not KEY=VALUE with one value"),
    (BAD_VARY, "--vary is not KEY=V1,V2,... with values"),
    (BAD_SHARD, "--shard is not K/N with 1 <= K <= N"),
    (SWEEP_TOO_LARGE, "the sweep has too many design points"),
    (VARIED_TWICE, "a key is varied or set twice"),
    (
        BAD_MERGE,
        "sweep-merge inputs are not the shards of one sweep",
    ),
    (IMPORT_UNREADABLE, "the model file cannot be read as ONNX"),
    (IMPORT_NO_SHAPE, "a tensor's shape cannot be inferred"),
    (
        IMPORT_UNSUPPORTED,
        "an operator or attribute cnnc cannot import",
    ),
    (IMPORT_NO_CONV, "the model has no convolution to import"),
    (IMPORT_BAD_TOPOLOGY, "a SCALE-Sim topology row is malformed"),
    (IMPORT_BAD_BATCH, "batch size unknown or zero"),
    (PLOT_FAILED, "a figure cannot be drawn or written"),
    // Back end (passes, simulation, cost). The stages that raise these use
    // the same literals; `tests/codes.rs` checks that every code they use is here.
    ("E0201", "Grad-Flow needs a single-cycle adder"),
    ("E0202", "Grad-Flow asked for the forward pass"),
    ("E0203", "Grad-Flow grouping out of range"),
    ("E0204", "schedule too large to simulate"),
    ("E0205", "--compare asked for the forward pass"),
    (
        "E0206",
        "the schedule overflows a queue or buffer of the arch",
    ),
    (
        "E0207",
        "the physical pass does not fit the arch's array, scratchpads or networks",
    ),
    ("E0208", "--verify full would simulate more than its limit"),
    ("E0301", "no processing-pass mapping fits the arch"),
    ("E0302", "hand-fixed mapping does not fit the arch"),
    ("E0303", "layer counts too large for the cost model"),
    ("E0304", "unknown DRAM model"),
    ("E0900", "internal error in a pass"),
    ("E0901", "no pass of that name in the pipeline"),
    ("E0910", "the simulation broke a hardware invariant"),
    ("E0911", "simulated outputs differ from the reference"),
    (
        CANNOT_WRITE,
        "cannot write an output file or standard output",
    ),
    (CANNOT_READ, "cannot read an input file"),
    (OUTPUT_IS_INPUT, "an output file is the input file"),
    (BAD_TRACE, "a DRAM trace line that cannot be read"),
    (
        BAD_MEMSPEC,
        "a memspec that cannot be read or is out of range",
    ),
];
