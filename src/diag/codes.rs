//! The table of diagnostic codes: one [`Code`] per problem, each with its
//! code string and the line `docs/language.md` gives it. Codes are stable: a
//! code is never reused for a different problem.
//! E0001-E0099 belong to the front end (lexer, parser, checker, driver);
//! E0100 and above are left to the later stages (E02xx passes, E03xx cost,
//! E04xx import and figures, E09xx internal errors and files).
//!
//! A diagnostic takes a [`Code`], so a code that is not in this table cannot
//! be raised; the table is checked when cnnc is compiled: every code is `E`
//! and four digits, listed once and in ascending order (see [`check`]), and
//! `tests/codes.rs` checks that `docs/language.md` documents each code with
//! the same line.

use std::fmt;

/// Defines [`Code`] from `Variant = "E0000": "docs line",` rows, with
/// `as_str`, `doc` and `ALL`, and checks the rows at compile time.
macro_rules! codes {
    ($($name:ident = $code:literal : $doc:literal,)*) => {
        /// A diagnostic code. [`Code::as_str`] is what diagnostics print.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = concat!("`", $code, "`: ", $doc)] $name,)*
        }

        impl Code {
            /// Every code, in ascending order of its string.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed, e.g. `"E0007"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }

            /// The code's line in the table of `docs/language.md` (Markdown).
            pub const fn doc(self) -> &'static str {
                match self {
                    $(Code::$name => $doc,)*
                }
            }

            /// The variant's name, e.g. `"UnknownKey"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Code::$name => stringify!($name),)*
                }
            }
        }

        // A duplicated, malformed or misplaced code string fails the build.
        const _: () = check(&[$($code,)*]);
    };
}

codes! {
    UnexpectedChar = "E0001": "unexpected character",
    UnterminatedComment = "E0002": "unterminated block comment",
    UnterminatedString = "E0003": "unterminated string",
    BadEscape = "E0004": "unknown escape in a string",
    Syntax = "E0005": "syntax error: unexpected token",
    UnexpectedEof = "E0006": "unexpected end of file",
    UnknownKey = "E0007": "unknown key or block",
    DuplicateKey = "E0008": "key given twice",
    MissingKey = "E0009": "required key missing",
    WrongUnit = "E0010": "unit of the wrong kind",
    UnexpectedUnit = "E0011": "unit on a key that takes a plain number",
    MissingUnit = "E0012": "number without the unit its key needs",
    UnknownUnit = "E0013": "unknown unit",
    WrongType = "E0014": "value of the wrong type",
    OutOfRange = "E0015": "value out of range",
    IntTooLarge = "E0016": "integer literal does not fit in 64 bits",
    TooLarge = "E0017": "sizes too large to compute with",
    FilterTooLarge = "E0018": "filter larger than the padded input",
    StrideLeftover = "E0019": "stride leaves input rows or columns over (no longer raised: the floor rule applies)",
    OfmapMismatch = "E0020": "ofmap differs from the computed output size",
    GroupsDivide = "E0021": "channels or filters not divisible by groups",
    DuplicateName = "E0022": "name declared twice",
    UnknownBase = "E0023": "unknown base arch",
    InheritanceCycle = "E0024": "arch inheritance cycle",
    EyerissWithoutBase = "E0025": "arch `eyeriss` declared without a base",
    EyerissShadow = "E0026": "arch `eyeriss : eyeriss` shadows the built-in",
    Misplaced = "E0027": "item not allowed here",
    BadName = "E0028": "invalid declaration name",
    EmptyNetwork = "E0029": "network without layers",
    NotUtf8 = "E0030": "input is not UTF-8",
    FileTooLarge = "E0031": "input file too large",
    TooManyErrors = "E0032": "too many errors",
    AmbiguousTarget = "E0040": "no `--layer` given and the file has several choices",
    UnknownLayer = "E0041": "unknown layer or network name",
    UnknownArch = "E0042": "unknown arch name",
    NothingToRun = "E0043": "the file declares no layer",
    OutputPadNotTransposed = "E0044": "`output_pad` on a layer that is not `transposed = true`",
    OutputPadTooLarge = "E0045": "`output_pad` not smaller than the stride or the dilation",
    TransposedNoOutput = "E0046": "the padding removes the whole output of a transposed convolution",
    ConflictingOptions = "E0050": "command-line options that conflict or mean nothing together (exit status 2)",
    BadSet = "E0070": "`--set` is not `KEY=VALUE` with one value",
    BadVary = "E0071": "`--vary` is not `KEY=V1,V2,...` with values",
    BadShard = "E0072": "`--shard` is not `K/N` with 1 <= K <= N",
    SweepTooLarge = "E0073": "the sweep has more than 100000 design points",
    VariedTwice = "E0074": "a key is varied or set twice",
    BadMerge = "E0075": "`sweep-merge` inputs are not the shards of one sweep, in order",
    NoJobArray = "E0076": "`--shard auto` outside a job array (no Slurm, SGE, LSF or PBS array index is set)",
    BadJobArray = "E0077": "`--shard auto` in a job array whose variables do not give K/N (a list of indices, PBS, a variable that is not a number)",
    GflowNotOrdinary = "E0090": "Grad-Flow asked for a pass of a transposed or dilated layer it does not map (the pass runs row-stationary and the report carries this as `gflow_fallback`)",
    GflowAdder = "E0201": "Grad-Flow needs a single-cycle adder (`pipeline.add = 1`); row-stationary takes any",
    GflowForward = "E0202": "Grad-Flow asked for the forward pass (use `--dataflow rs`)",
    GroupingOutOfRange = "E0203": "Grad-Flow grouping (`--gflow-group`) out of range for the layer",
    ScheduleTooLarge = "E0204": "too large to simulate: a tensor slice above 4096 x 4096 elements, or a schedule of one 2-D convolution above 50 M PE-cycles",
    CompareForward = "E0205": "`--compare` asked for the forward pass",
    QueueOverflow = "E0206": "the schedule overflows a PE queue (`fifo.depth`); names the PE and cycle. A PE's output buffer holds the outputs it produces in one pass (at least 256, the original's), so it never refuses a layer: the ofmap network drains it at `noc.ofmap` per cycle and the cycle counts include the drain",
    PhysicalNoFit = "E0207": "no physical pass (`physical_stats`): the `row-stationary-physical` strip does not fit the arch (kernel rows beyond the array's rows, a kernel row beyond `rf.filter`, a window beyond `rf.ifmap`, or networks that cannot feed it), or no processing pass of the whole layer ran on the array",
    VerifyTooLarge = "E0208": "`--verify full` would simulate more PE-cycles than its limit (2e11 per layer pass)",
    Limit = "E0210": "the run would exceed a documented bound on work or memory (section 5)",
    NotFinite = "E0211": "a computed energy, time or count is not a finite number (e.g. `energy.glb = 1e307 pJ`)",
    NoMappingFits = "E0301": "no processing-pass mapping fits the arch (names the tightest limit)",
    BadHint = "E0302": "the layer's `mapping { ... }` block does not fit the arch",
    CostTooLarge = "E0303": "layer counts too large for the cost model",
    UnknownDram = "E0304": "unknown DRAM model (`dram = \"...\"`): at check time a name that is neither built in nor a path ending in `.json`; at run time a `.json` path that cannot be read as a memspec",
    ImportUnreadable = "E0400": "the model file cannot be read as ONNX",
    ImportNoShape = "E0401": "a tensor's shape cannot be inferred (names the node)",
    ImportUnsupported = "E0402": "an operator or attribute cnnc cannot import",
    ImportNoConv = "E0403": "the model (or topology) has no convolution to import",
    ImportBadTopology = "E0404": "a SCALE-Sim topology row is malformed",
    ImportBadBatch = "E0405": "batch size unknown (symbolic) or zero; give `--batch N`",
    PlotFailed = "E0420": "a figure cannot be drawn or written (`--plot`)",
    Internal = "E0900": "internal error in a pass (a bug in cnnc)",
    NoSuchPass = "E0901": "`--after` names no pass of the pipeline",
    SimInvariant = "E0910": "the simulation broke a hardware invariant (a bug in cnnc)",
    WrongOutputs = "E0911": "simulated outputs differ from the reference (a bug in cnnc)",
    CannotWrite = "E0920": "cannot write an output file (`-o`, `--pe-stats`, `--summary`, `--dram-trace`) or standard output",
    CannotRead = "E0921": "cannot read an input file (missing, unreadable, or not a regular file)",
    OutputIsInput = "E0922": "an output file is the input file",
    BadTrace = "E0923": "a DRAM trace line that cannot be read (`cnnc dram`; names the line)",
    BadMemspec = "E0924": "a memspec that cannot be read or has a value out of range (names the field)",
    BadLspMessage = "E0925": "a language-server message that cannot be read (a header or `Content-Length` over its cap, or not JSON-RPC)",
}

impl Code {
    /// The code whose string is `s`, if there is one.
    pub fn from_code(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.as_str())
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Codes serialize as their string, as they did when they were strings.
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A code equals its string, so callers can still compare with `"E0007"`.
impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The compile-time check of the table: each code is `E` and four digits,
/// no code is listed twice and the codes ascend. Runs in a `const`, so a
/// violation is a build error naming the code, e.g. "evaluation panicked:
/// diagnostic code E0204 is listed twice".
const fn check(codes: &[&str]) {
    let mut i = 0;
    while i < codes.len() {
        let c = codes[i].as_bytes();
        assert!(
            c.len() == 5
                && c[0] == b'E'
                && c[1].is_ascii_digit()
                && c[2].is_ascii_digit()
                && c[3].is_ascii_digit()
                && c[4].is_ascii_digit(),
            "a diagnostic code is `E` and four digits"
        );
        let mut j = 0;
        while j < i {
            if same(codes[j].as_bytes(), c) {
                panic_naming(c, *b"diagnostic code ????? is listed twice");
            }
            j += 1;
        }
        if i > 0 && !before(codes[i - 1].as_bytes(), c) {
            panic_naming(c, *b"diagnostic code ????? is out of ascending order");
        }
        i += 1;
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && !before(a, b) && !before(b, a)
}

/// `a < b` for two codes of five ASCII bytes.
const fn before(a: &[u8], b: &[u8]) -> bool {
    let mut k = 0;
    while k < a.len() && k < b.len() {
        if a[k] != b[k] {
            return a[k] < b[k];
        }
        k += 1;
    }
    a.len() < b.len()
}

/// Panics with `msg`, its `?????` replaced by the five bytes of `code`.
const fn panic_naming<const N: usize>(code: &[u8], mut msg: [u8; N]) {
    let mut k = 0;
    while k < 5 {
        msg[16 + k] = code[k];
        k += 1;
    }
    match std::str::from_utf8(&msg) {
        Ok(m) => panic!("{}", m),
        Err(_) => panic!("a diagnostic code is wrong"),
    }
}
