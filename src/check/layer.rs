//! `layer` declarations: keys, defaults, the mapping block, and the shape
//! arithmetic (output size, tiling, groups), all with checked integers.

use crate::diag::{Code, Diagnostic};
use crate::model::{Hw, Layer, MappingHint, SrcSpan};
use crate::syntax::ast::{Block, Decl, Entry};

use super::entries::{collect, unknown_key, Entries};
use super::suggest::suggestion;
use super::units::Conv;

pub const LAYER_KEYS: &[&str] = &[
    "ifmap",
    "channels",
    "filter",
    "filters",
    "stride",
    "pad",
    "batch",
    "groups",
    "ofmap",
    "dilation",
    "transposed",
    "output_pad",
];
pub const MAPPING_KEYS: &[&str] = &["n", "p", "q", "r", "t", "e", "ifmap_banks"];
const LAYER_BLOCKS: &[&str] = &["mapping"];

/// Checks one layer; `name` is its qualified name (`net.layer` in a network).
pub fn check_layer(decl: &Decl, name: String, diags: &mut Vec<Diagnostic>) -> Option<Layer> {
    let before = diags.len();
    let entries = collect(&decl.body, LAYER_KEYS, "a layer", diags);
    for nested in &entries.decls {
        diags.push(
            Diagnostic::error(
                Code::Misplaced,
                format!(
                    "a {} cannot be declared inside a layer",
                    nested.kind.keyword()
                ),
            )
            .with_primary(nested.kind_span, "not allowed here")
            .with_help("declare it at the top level of the file"),
        );
    }
    let mapping = check_mapping_blocks(&entries.blocks, diags);

    let mut conv = Conv { diags };
    let hw = |conv: &mut Conv, key: &str, default: Hw, zero_ok: bool| -> Option<Hw> {
        match entries.get(key) {
            Some(e) => conv.hw(&e.key, &e.value, zero_ok),
            None => Some(default),
        }
    };
    let ifmap =
        required(&entries, "ifmap", decl, &mut conv).and_then(|e| conv.hw(&e.key, &e.value, false));
    let filter = required(&entries, "filter", decl, &mut conv)
        .and_then(|e| conv.hw(&e.key, &e.value, false));
    let stride = hw(&mut conv, "stride", Hw::square(1), false);
    let pad = hw(&mut conv, "pad", Hw::square(0), true);
    let dilation = hw(&mut conv, "dilation", Hw::square(1), false);
    let output_pad = hw(&mut conv, "output_pad", Hw::square(0), true);
    let transposed = match entries.get("transposed") {
        Some(e) => conv.boolean(&e.key, &e.value),
        None => Some(false),
    };
    let ofmap_given = entries
        .get("ofmap")
        .map(|e| (e, conv.hw(&e.key, &e.value, false)));
    let count = |conv: &mut Conv, key: &str| -> Option<u64> {
        match entries.get(key) {
            Some(e) => conv.positive(&e.key, &e.value),
            None => Some(1),
        }
    };
    let channels = count(&mut conv, "channels");
    let filters = count(&mut conv, "filters");
    let batch = count(&mut conv, "batch");
    let groups = count(&mut conv, "groups");

    let shapes = Shapes {
        entries: &entries,
        decl,
    };
    let kind = match (dilation, transposed, output_pad) {
        (Some(d), Some(t), Some(op)) => shapes.kind(d, t, op, stride, diags),
        _ => None,
    };
    let ofmap = match (ifmap, filter, stride, pad, kind) {
        (Some(i), Some(f), Some(s), Some(p), Some(k)) => shapes.output(i, f, s, p, k, diags),
        _ => None,
    };
    if let (Some(o), Some((e, Some(given))), Some(k)) = (ofmap, ofmap_given, kind) {
        if o != given {
            let axes = (ifmap, filter, stride, pad);
            diags.push(shapes.ofmap_mismatch(e, given, o, axes, k));
        }
    }
    if let (Some(c), Some(m), Some(g)) = (channels, filters, groups) {
        check_groups(&entries, c, m, g, diags);
    }
    if diags.len() > before {
        return None;
    }
    let (ifmap, filter, stride, pad, ofmap) = (ifmap?, filter?, stride?, pad?, ofmap?);
    let (channels, filters, batch, groups) = (channels?, filters?, batch?, groups?);
    let kind = kind?;
    // The model's helpers multiply without checks; make sure they cannot overflow.
    let fits = ifmap
        .h
        .checked_add(pad.h.checked_mul(2)?)
        .zip(ifmap.w.checked_add(pad.w.checked_mul(2)?))
        .and_then(|(h, w)| h.checked_mul(w)?.checked_mul(channels)?.checked_mul(batch))
        .and_then(|_| {
            batch
                .checked_mul(filters)?
                .checked_mul(channels / groups)?
                .checked_mul(ofmap.h)?
                .checked_mul(ofmap.w)?
                .checked_mul(filter.h)?
                .checked_mul(filter.w)
        })
        .and_then(|_| {
            filters
                .checked_mul(channels)?
                .checked_mul(filter.h)?
                .checked_mul(filter.w)
        })
        // A transposed layer multiplies every input by every tap, and its
        // outputs must fit too.
        .and_then(|_| {
            batch
                .checked_mul(filters)?
                .checked_mul(channels / groups)?
                .checked_mul(ifmap.h.max(ofmap.h))?
                .checked_mul(ifmap.w.max(ofmap.w))?
                .checked_mul(filter.h)?
                .checked_mul(filter.w)
        })
        .is_some();
    if !fits {
        diags.push(
            Diagnostic::error(
                Code::TooLarge,
                format!("layer `{name}` is too large to compute with"),
            )
            .with_primary(
                decl.name.span,
                "its tensor sizes or multiplication count overflow 64 bits",
            )
            .with_note("batch x filters x channels/groups x E x F x R x S must fit in 64 bits")
            .with_help("use realistic sizes; the simulator refuses layers far smaller than this"),
        );
        return None;
    }
    Some(Layer {
        name,
        span: decl.span,
        ifmap,
        channels,
        filter,
        filters,
        stride,
        pad,
        batch,
        groups,
        ofmap,
        dilation: kind.dilation,
        transposed: kind.transposed,
        output_pad: kind.output_pad,
        mapping,
    })
}

fn required<'a>(
    entries: &Entries<'a>,
    key: &str,
    decl: &Decl,
    conv: &mut Conv,
) -> Option<&'a Entry> {
    let e = entries.get(key);
    // A body that did not fully parse may have held the key: stay quiet.
    if e.is_none() && !decl.body.has_errors() && !entries.misspelt(key, LAYER_KEYS) {
        let example = if key == "ifmap" { "13 x 13" } else { "3 x 3" };
        conv.diags.push(
            Diagnostic::error(
                Code::MissingKey,
                format!("layer `{}` has no `{key}`", decl.name.name),
            )
            .with_primary(decl.name.span, format!("`{key}` is required"))
            .with_help(format!("add `{key} = {example};`")),
        );
    }
    e
}

fn check_mapping_blocks(blocks: &[&Block], diags: &mut Vec<Diagnostic>) -> Option<MappingHint> {
    let mut hint = None;
    let mut first: Option<SrcSpan> = None;
    for b in blocks {
        if b.name.name != "mapping" {
            let mut d = Diagnostic::error(
                Code::UnknownKey,
                format!("unknown block `{}` in a layer", b.name.name),
            )
            .with_primary(b.name.span, "unknown block");
            d = match suggestion(&b.name.name, LAYER_BLOCKS.iter().copied()) {
                Some((c, s)) => d.with_help(s).with_replacement(c),
                None => d.with_help("a layer may hold one `mapping { ... }` block"),
            };
            diags.push(d);
            continue;
        }
        if let Some(f) = first {
            diags.push(
                Diagnostic::error(Code::DuplicateKey, "`mapping` is given twice")
                    .with_primary(b.name.span, "given again here")
                    .with_secondary(f, "first given here")
                    .with_help("merge the two blocks"),
            );
            continue;
        }
        first = Some(b.name.span);
        hint = check_mapping(b, diags);
    }
    hint
}

fn check_mapping(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<MappingHint> {
    let before = diags.len();
    let entries = collect(&b.body, MAPPING_KEYS, "a mapping block", diags);
    for nb in &entries.blocks {
        diags.push(unknown_key(
            &nb.name.name,
            nb.name.span,
            MAPPING_KEYS,
            "a mapping block",
        ));
    }
    let mut conv = Conv { diags };
    let mut get = |key: &str| {
        entries
            .get(key)
            .and_then(|e| conv.positive(&e.key, &e.value))
    };
    let hint = MappingHint {
        n: get("n"),
        p: get("p"),
        q: get("q"),
        r: get("r"),
        t: get("t"),
        ifmap_banks: get("ifmap_banks"),
        e: get("e"),
    };
    (diags.len() == before).then_some(hint)
}

fn check_groups(
    entries: &Entries,
    channels: u64,
    filters: u64,
    groups: u64,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(g) = entries.get("groups") else {
        return;
    };
    for (key, n) in [("channels", channels), ("filters", filters)] {
        if !n.is_multiple_of(groups) {
            let mut d = Diagnostic::error(
                Code::GroupsDivide,
                format!("{key} ({n}) is not divisible by groups ({groups})"),
            )
            .with_primary(g.value.span, format!("{groups} groups"));
            if let Some(e) = entries.get(key) {
                d = d.with_secondary(e.value.span, format!("{n} {key}"));
            } else {
                d = d.with_note(format!("`{key}` defaults to 1"));
            }
            diags.push(d.with_help(format!("each group takes {key} / groups; pick groups that divide both channels and filters")));
        }
    }
}

/// Shape arithmetic of one layer, with access to where each value was written.
struct Shapes<'a, 'b> {
    entries: &'b Entries<'a>,
    decl: &'b Decl,
}

/// What kind of convolution a layer is: the spacing of its filter taps and
/// whether it is transposed (with the rows added after its last output).
#[derive(Clone, Copy)]
struct Kind {
    dilation: Hw,
    transposed: bool,
    output_pad: Hw,
}

#[derive(Clone, Copy)]
struct Axis {
    input: u64,
    filter: u64,
    stride: u64,
    pad: u64,
    dilation: u64,
    output_pad: u64,
    transposed: bool,
    /// Singular and plural of what this axis counts.
    row: &'static str,
    rows: &'static str,
}

impl Axis {
    /// The height and width axes of an input, filter, stride and padding.
    fn both(i: Hw, f: Hw, s: Hw, p: Hw, k: Kind) -> (Axis, Axis) {
        let axis = |input, filter, stride, pad, dilation, output_pad, row, rows| Axis {
            input,
            filter,
            stride,
            pad,
            dilation,
            output_pad,
            transposed: k.transposed,
            row,
            rows,
        };
        let (d, op) = (k.dilation, k.output_pad);
        (
            axis(i.h, f.h, s.h, p.h, d.h, op.h, "row", "rows"),
            axis(i.w, f.w, s.w, p.w, d.w, op.w, "column", "columns"),
        )
    }

    fn same(&self, o: &Axis) -> bool {
        (
            self.input,
            self.filter,
            self.stride,
            self.pad,
            self.dilation,
            self.output_pad,
        ) == (o.input, o.filter, o.stride, o.pad, o.dilation, o.output_pad)
    }

    /// Extent of the filter with its taps `dilation` apart.
    fn extent(&self) -> Option<u64> {
        self.dilation.checked_mul(self.filter - 1)?.checked_add(1)
    }

    /// Rows at the end of the padded input that no window reaches (an
    /// ordinary convolution whose sizes fit; 0 otherwise).
    fn unused(&self) -> u64 {
        let padded = self.input.saturating_add(self.pad.saturating_mul(2));
        match self.extent() {
            Some(k) if !self.transposed && k <= padded && self.stride > 0 => {
                (padded - k) % self.stride
            }
            _ => 0,
        }
    }
}

impl Axis {
    /// The output size along this axis, `None` if there is none or it
    /// overflows.
    fn output(&self) -> Option<u64> {
        let k = self.extent()?;
        if self.transposed {
            let full = self
                .input
                .checked_sub(1)?
                .checked_mul(self.stride)?
                .checked_add(k)?
                .checked_add(self.output_pad)?;
            return full
                .checked_sub(self.pad.checked_mul(2)?)
                .filter(|&o| o > 0);
        }
        let padded = self.input.checked_add(self.pad.checked_mul(2)?)?;
        (self.stride > 0 && k <= padded).then(|| (padded - k) / self.stride + 1)
    }

    /// The smallest pad under which this axis's output is `want`, if one
    /// up to the filter's extent gives it.
    fn pad_for(&self, want: u64) -> Option<u64> {
        (0..=self.extent()?.min(1 << 16)).find(|&pad| Axis { pad, ..*self }.output() == Some(want))
    }
}

fn count_of(n: u64, a: &Axis) -> String {
    format!("{n} {}", if n == 1 { a.row } else { a.rows })
}

impl Axis {
    /// The framework's output-size formula with this axis's numbers.
    fn derivation(&self) -> String {
        let Axis {
            input,
            filter,
            stride,
            pad,
            dilation,
            output_pad,
            ..
        } = *self;
        if self.transposed {
            return format!(
                "({input} - 1)*{stride} - 2*{pad} + {dilation}*({filter} - 1) + {output_pad} + 1"
            );
        }
        let span = if dilation == 1 {
            format!("{input} + 2*{pad} - {filter}")
        } else {
            format!("{input} + 2*{pad} - {dilation}*({filter} - 1) - 1")
        };
        // Exact tilings keep the plain form; the floor shows only where it bites.
        if self.unused() == 0 {
            format!("({span}) / {stride} + 1")
        } else {
            format!("floor(({span}) / {stride}) + 1")
        }
    }
}

impl Shapes<'_, '_> {
    fn label(&self, d: Diagnostic, key: &str, text: String) -> Diagnostic {
        match self.entries.get(key) {
            Some(e) => d.with_secondary(e.value.span, text),
            None => d,
        }
    }

    /// Primary label on `key`'s value, or on the layer's name if defaulted.
    fn primary(&self, d: Diagnostic, key: &str, text: String) -> Diagnostic {
        match self.entries.get(key) {
            Some(e) => d.with_primary(e.value.span, text),
            None => d.with_primary(self.decl.name.span, "in this layer"),
        }
    }

    fn defaults_note(&self, mut d: Diagnostic) -> Diagnostic {
        let defaulted: Vec<&str> = [
            ("stride", "`stride` defaults to 1"),
            ("pad", "`pad` defaults to 0"),
        ]
        .into_iter()
        .filter(|(k, _)| self.entries.get(k).is_none())
        .map(|(_, n)| n)
        .collect();
        if !defaulted.is_empty() {
            d = d.with_note(defaulted.join("; "));
        }
        d
    }

    /// Checks `dilation`, `transposed` and `output_pad` against each other
    /// (and the stride, for the output padding).
    fn kind(
        &self,
        dilation: Hw,
        transposed: bool,
        output_pad: Hw,
        stride: Option<Hw>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Kind> {
        let kind = Kind {
            dilation,
            transposed,
            output_pad,
        };
        if !transposed {
            if output_pad == Hw::default() {
                return Some(kind);
            }
            let d = Diagnostic::error(
                Code::OutputPadNotTransposed,
                "`output_pad` applies only to a transposed convolution",
            );
            let d = self.primary(d, "output_pad", format!("output padding {output_pad}"));
            let d = self.label(d, "transposed", "not transposed".to_string());
            diags.push(
                d.with_note("an ordinary convolution's output size follows from ifmap, filter, stride, pad and dilation alone")
                    .with_help("add `transposed = true;` for a transposed convolution, or remove `output_pad`"),
            );
            return None;
        }
        let s = stride?;
        let bad = |op: u64, s: u64, d: u64| op >= s.max(d);
        let (h, w) = (
            bad(output_pad.h, s.h, dilation.h),
            bad(output_pad.w, s.w, dilation.w),
        );
        if !h && !w {
            return Some(kind);
        }
        // Report the first offending axis; a square layer fails once.
        let (op, st, dl, axis) = if h {
            (output_pad.h, s.h, dilation.h, "height")
        } else {
            (output_pad.w, s.w, dilation.w, "width")
        };
        let d = Diagnostic::error(
            Code::OutputPadTooLarge,
            format!(
                "output_pad {op} must be smaller than the stride ({st}) or the dilation ({dl})"
            ),
        );
        let d = self.primary(d, "output_pad", format!("{axis}: output padding {op}"));
        let d = self.label(d, "stride", format!("stride {s}"));
        let d = self.label(d, "dilation", format!("dilation {dilation}"));
        diags.push(
            d.with_note("as in PyTorch's ConvTranspose2d: output_padding < stride or output_padding < dilation; it only picks one of the input sizes a strided convolution maps to the same output")
                .with_help(format!("use `output_pad` below {} in the {axis}", st.max(dl))),
        );
        None
    }

    fn output(
        &self,
        i: Hw,
        f: Hw,
        s: Hw,
        p: Hw,
        k: Kind,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Hw> {
        let (h, w) = Axis::both(i, f, s, p, k);
        // A square layer fails the same way on both axes: say it once.
        let square = h.same(&w);
        let both = Axis {
            row: "row and column",
            rows: "rows and columns",
            ..h
        };
        let axes: Vec<Axis> = if square { vec![both] } else { vec![h, w] };
        let mut out = Vec::with_capacity(2);
        for a in &axes {
            let size = if a.transposed {
                self.transposed_axis(a, diags)
            } else {
                self.ordinary_axis(a, diags)
            };
            match size {
                Ok(Some(e)) => out.push(e),
                Ok(None) => continue,
                Err(()) => return None,
            }
        }
        match out.as_slice() {
            [e] if square => Some(Hw::square(*e)),
            [e, f] => Some(Hw::new(*e, *f)),
            _ => None,
        }
    }

    fn overflow(&self, diags: &mut Vec<Diagnostic>, what: &str) {
        diags.push(
            Diagnostic::error(Code::TooLarge, format!("{what} overflows 64 bits"))
                .with_primary(self.decl.name.span, "in this layer")
                .with_help("use realistic sizes"),
        );
    }

    /// Output size of an ordinary (possibly dilated) convolution on one
    /// axis: `Ok(None)` after reporting a problem, `Err` on overflow.
    fn ordinary_axis(&self, a: &Axis, diags: &mut Vec<Diagnostic>) -> Result<Option<u64>, ()> {
        let Some(padded) = a.pad.checked_mul(2).and_then(|x| x.checked_add(a.input)) else {
            self.overflow(diags, "padded input size");
            return Err(());
        };
        let Some(extent) = a.extent() else {
            self.overflow(diags, "dilated filter size");
            return Err(());
        };
        if extent > padded {
            let dilated = a.dilation != 1;
            let d = Diagnostic::error(
                Code::FilterTooLarge,
                format!(
                    "{} is larger than the padded input: {} vs {padded}",
                    if dilated { "dilated filter" } else { "filter" },
                    count_of(extent, a)
                ),
            );
            let d = self.primary(d, "filter", count_of(a.filter, a));
            let d = self.label(d, "ifmap", format!("input has {}", count_of(a.input, a)));
            let d = self.label(d, "pad", format!("pad {} on each side", a.pad));
            let mut d = self.label(d, "dilation", format!("taps {} apart", a.dilation));
            if dilated {
                d = d.with_note(format!(
                    "dilated filter: {}*({} - 1) + 1 = {}",
                    a.dilation,
                    a.filter,
                    count_of(extent, a)
                ));
            }
            diags.push(
                d.with_note(format!(
                    "padded input: {} + 2*{} = {}",
                    a.input,
                    a.pad,
                    count_of(padded, a)
                ))
                .with_help(if dilated {
                    "use a smaller filter or dilation, a larger ifmap, or more padding"
                } else {
                    "use a smaller filter, a larger ifmap, or more padding"
                }),
            );
            return Ok(None);
        }
        // Framework rule (floor): the last rows no window reaches are unused.
        Ok(Some((padded - extent) / a.stride + 1))
    }

    /// Output size of a transposed convolution on one axis.
    fn transposed_axis(&self, a: &Axis, diags: &mut Vec<Diagnostic>) -> Result<Option<u64>, ()> {
        let full = (a.input - 1)
            .checked_mul(a.stride)
            .zip(a.dilation.checked_mul(a.filter - 1))
            .and_then(|(x, y)| x.checked_add(y)?.checked_add(a.output_pad)?.checked_add(1));
        let (Some(full), Some(cut)) = (full, a.pad.checked_mul(2)) else {
            self.overflow(diags, "transposed output size");
            return Err(());
        };
        if full > cut {
            return Ok(Some(full - cut));
        }
        let d = Diagnostic::error(
            Code::TransposedNoOutput,
            format!(
                "pad {} removes the whole output of the transposed convolution",
                a.pad
            ),
        );
        let d = self.primary(
            d,
            "pad",
            format!("removes {} on each side", count_of(a.pad, a)),
        );
        let d = self.label(d, "ifmap", format!("input has {}", count_of(a.input, a)));
        let d = self.label(d, "filter", format!("filter has {}", count_of(a.filter, a)));
        let d = self.label(d, "stride", format!("stride {}", a.stride));
        diags.push(
            d.with_note(format!(
                "{} = {}: no output {} left",
                a.derivation(),
                full as i128 - cut as i128,
                a.rows
            ))
            .with_help(format!(
                "use `pad` at most {} (the unpadded output has {})",
                (full - 1) / 2,
                count_of(full, a)
            )),
        );
        Ok(None)
    }

    fn ofmap_mismatch(
        &self,
        e: &Entry,
        given: Hw,
        computed: Hw,
        (i, f, s, p): (Option<Hw>, Option<Hw>, Option<Hw>, Option<Hw>),
        k: Kind,
    ) -> Diagnostic {
        let d = Diagnostic::error(
            Code::OfmapMismatch,
            format!("ofmap is {given}, but the layer computes {computed}"),
        )
        .with_primary(e.value.span, format!("the output is {computed}"));
        let d = self.label(d, "ifmap", format!("ifmap {}", i.unwrap_or_default()));
        let d = self.label(d, "filter", format!("filter {}", f.unwrap_or_default()));
        let d = self.label(d, "stride", format!("stride {}", s.unwrap_or_default()));
        let d = self.label(d, "pad", format!("pad {}", p.unwrap_or_default()));
        let d = self.label(d, "dilation", format!("dilation {}", k.dilation));
        let d = self.label(d, "transposed", "transposed".to_string());
        let d = self.label(d, "output_pad", format!("output padding {}", k.output_pad));
        let (i, f, s, p) = (
            i.unwrap_or_default(),
            f.unwrap_or_default(),
            s.unwrap_or_default(),
            p.unwrap_or_default(),
        );
        let (h, w) = Axis::both(i, f, s, p, k);
        let mut d = d
            .with_note(format!("height: {} = {}", h.derivation(), computed.h))
            .with_note(format!("width: {} = {}", w.derivation(), computed.w));
        let unused = Hw::new(h.unused(), w.unused());
        if unused != Hw::default() {
            let part = |n: u64, one: &str, many: &str| match n {
                0 => None,
                1 => Some(format!("1 {one}")),
                n => Some(format!("{n} {many}")),
            };
            let what: Vec<String> = [
                part(unused.h, "row", "rows"),
                part(unused.w, "column", "columns"),
            ]
            .into_iter()
            .flatten()
            .collect();
            d = d.with_note(format!(
                "as in the frameworks, the last {} of the padded input, which no window reaches, are unused",
                what.join(" and ")
            ));
        }
        // A stride-1 layer whose ofmap a larger pad would give (a `pad = 1`
        // left out of a 3 x 3 layer that keeps its size) most likely lacks
        // that padding.
        let pads = h.pad_for(given.h).zip(w.pad_for(given.w));
        let help = match pads {
            Some((ph, pw))
                if s == Hw::square(1) && ph >= p.h && pw >= p.w && Hw::new(ph, pw) != p =>
            {
                let pad = if ph == pw {
                    ph.to_string()
                } else {
                    format!("{ph} x {pw}")
                };
                format!(
                    "with `pad = {pad};` the layer computes {given}: give it that padding, \
                     or write `ofmap = {computed};` (or leave `ofmap` out: it is optional)"
                )
            }
            _ => format!("write `ofmap = {computed};`, or leave `ofmap` out: it is optional"),
        };
        self.defaults_note(d).with_help(help)
    }
}
