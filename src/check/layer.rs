//! `layer` declarations: keys, defaults, the mapping block, and the shape
//! arithmetic (output size, tiling, groups), all with checked integers.

use crate::diag::{codes, Diagnostic};
use crate::model::{Hw, Layer, MappingHint, SrcSpan};
use crate::syntax::ast::{Block, Decl, Entry};

use super::entries::{collect, unknown_key, Entries};
use super::suggest::suggestion;
use super::units::Conv;

pub const LAYER_KEYS: &[&str] = &[
    "ifmap", "channels", "filter", "filters", "stride", "pad", "batch", "groups", "ofmap",
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
                codes::MISPLACED,
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
    let ofmap = match (ifmap, filter, stride, pad) {
        (Some(i), Some(f), Some(s), Some(p)) => shapes.output(i, f, s, p, diags),
        _ => None,
    };
    if let (Some(o), Some((e, Some(given)))) = (ofmap, ofmap_given) {
        if o != given {
            diags.push(shapes.ofmap_mismatch(e, given, o, ifmap, filter, stride, pad));
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
        .is_some();
    if !fits {
        diags.push(
            Diagnostic::error(
                codes::TOO_LARGE,
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
                codes::MISSING_KEY,
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
                codes::UNKNOWN_KEY,
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
                Diagnostic::error(codes::DUPLICATE_KEY, "`mapping` is given twice")
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
                codes::GROUPS_DIVIDE,
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

#[derive(Clone, Copy)]
struct Axis {
    input: u64,
    filter: u64,
    stride: u64,
    pad: u64,
    /// Singular and plural of what this axis counts.
    row: &'static str,
    rows: &'static str,
}

impl Axis {
    /// The height and width axes of an input, filter, stride and padding.
    fn both(i: Hw, f: Hw, s: Hw, p: Hw) -> (Axis, Axis) {
        let axis = |input, filter, stride, pad, row, rows| Axis {
            input,
            filter,
            stride,
            pad,
            row,
            rows,
        };
        (
            axis(i.h, f.h, s.h, p.h, "row", "rows"),
            axis(i.w, f.w, s.w, p.w, "column", "columns"),
        )
    }
}

fn count_of(n: u64, a: &Axis) -> String {
    format!("{n} {}", if n == 1 { a.row } else { a.rows })
}

impl Axis {
    fn derivation(&self) -> String {
        let Axis {
            input,
            filter,
            stride,
            pad,
            ..
        } = *self;
        format!("({input} + 2*{pad} - {filter}) / {stride} + 1")
    }
}

impl Shapes<'_, '_> {
    fn label(&self, d: Diagnostic, key: &str, text: String) -> Diagnostic {
        match self.entries.get(key) {
            Some(e) => d.with_secondary(e.value.span, text),
            None => d,
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

    fn output(&self, i: Hw, f: Hw, s: Hw, p: Hw, diags: &mut Vec<Diagnostic>) -> Option<Hw> {
        let (h, w) = Axis::both(i, f, s, p);
        // A square layer fails the same way on both axes: say it once.
        let square = (h.input, h.filter, h.stride, h.pad) == (w.input, w.filter, w.stride, w.pad);
        let both = Axis {
            row: "row and column",
            rows: "rows and columns",
            ..h
        };
        let axes: Vec<Axis> = if square { vec![both] } else { vec![h, w] };
        let mut out = Vec::with_capacity(2);
        for a in &axes {
            let Some(padded) = a.pad.checked_mul(2).and_then(|x| x.checked_add(a.input)) else {
                diags.push(
                    Diagnostic::error(codes::TOO_LARGE, "padded input size overflows 64 bits")
                        .with_primary(self.decl.name.span, "in this layer")
                        .with_help("use realistic sizes"),
                );
                return None;
            };
            if a.filter > padded {
                let d = Diagnostic::error(
                    codes::FILTER_TOO_LARGE,
                    format!(
                        "filter is larger than the padded input: {} vs {padded}",
                        count_of(a.filter, a)
                    ),
                );
                let d = match self.entries.get("filter") {
                    Some(e) => d.with_primary(e.value.span, count_of(a.filter, a)),
                    None => d.with_primary(self.decl.name.span, "in this layer"),
                };
                let d = self.label(d, "ifmap", format!("input has {}", count_of(a.input, a)));
                let d = self.label(d, "pad", format!("pad {} on each side", a.pad));
                diags.push(
                    d.with_note(format!(
                        "padded input: {} + 2*{} = {}",
                        a.input,
                        a.pad,
                        count_of(padded, a)
                    ))
                    .with_help("use a smaller filter, a larger ifmap, or more padding"),
                );
                continue;
            }
            let span = padded - a.filter;
            let left = span % a.stride;
            if left != 0 {
                diags.push(self.leftover(a, padded, left));
                continue;
            }
            out.push(span / a.stride + 1);
        }
        match out.as_slice() {
            [e] if square => Some(Hw::square(*e)),
            [e, f] => Some(Hw::new(*e, *f)),
            _ => None,
        }
    }

    fn leftover(&self, a: &Axis, padded: u64, left: u64) -> Diagnostic {
        let d = Diagnostic::error(
            codes::STRIDE_LEFTOVER,
            format!(
                "stride {} leaves {} of the input over",
                a.stride,
                count_of(left, a)
            ),
        );
        let d = match self.entries.get("stride") {
            Some(e) => d.with_primary(
                e.value.span,
                format!(
                    "the last {} of the padded input are never used",
                    count_of(left, a)
                ),
            ),
            None => d.with_primary(self.decl.name.span, "in this layer"),
        };
        let d = self.label(d, "ifmap", format!("input has {}", count_of(a.input, a)));
        let d = self.label(d, "filter", format!("filter has {}", count_of(a.filter, a)));
        let d = self.label(d, "pad", format!("pad {} on each side", a.pad));
        let exact = (padded - a.filter) as f64 / a.stride as f64 + 1.0;
        let grow = a.stride - left;
        self.defaults_note(d.with_note(format!("{} = {exact}: not a whole number of outputs", a.derivation())))
            .with_help(format!(
                "make the padded input ({} + 2*pad) {} longer or {} shorter so that the stride tiles it exactly",
                a.input,
                count_of(grow, a),
                count_of(left, a)
            ))
    }

    #[allow(clippy::too_many_arguments)]
    fn ofmap_mismatch(
        &self,
        e: &Entry,
        given: Hw,
        computed: Hw,
        i: Option<Hw>,
        f: Option<Hw>,
        s: Option<Hw>,
        p: Option<Hw>,
    ) -> Diagnostic {
        let d = Diagnostic::error(
            codes::OFMAP_MISMATCH,
            format!("ofmap is {given}, but the layer computes {computed}"),
        )
        .with_primary(e.value.span, format!("the output is {computed}"));
        let d = self.label(d, "ifmap", format!("ifmap {}", i.unwrap_or_default()));
        let d = self.label(d, "filter", format!("filter {}", f.unwrap_or_default()));
        let d = self.label(d, "stride", format!("stride {}", s.unwrap_or_default()));
        let d = self.label(d, "pad", format!("pad {}", p.unwrap_or_default()));
        let (i, f, s, p) = (
            i.unwrap_or_default(),
            f.unwrap_or_default(),
            s.unwrap_or_default(),
            p.unwrap_or_default(),
        );
        let (h, w) = Axis::both(i, f, s, p);
        let d = d
            .with_note(format!("height: {} = {}", h.derivation(), computed.h))
            .with_note(format!("width: {} = {}", w.derivation(), computed.w));
        self.defaults_note(d).with_help(format!(
            "write `ofmap = {computed};`, or leave `ofmap` out: it is optional"
        ))
    }
}
