//! `arch` declarations: key conversion, inheritance (`: base`), the rules
//! around the built-in `eyeriss`, and cycle detection. Resolution is
//! iterative and memoised, so a long chain of bases costs linear time.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::model::{Arch, Hw};
use crate::syntax::ast::{Decl, Entry};

use super::entries::collect;
use super::units::{Conv, Dim};

pub const ARCH_KEYS: &[&str] = &[
    "array",
    "rf.ifmap",
    "rf.filter",
    "rf.psum",
    "glb.bank",
    "glb.banks",
    "glb.filter_banks",
    "glb.width",
    "precision",
    "clock",
    "pipeline.mul",
    "pipeline.add",
    "fifo.depth",
    "noc.ifmap",
    "noc.filter",
    "noc.ofmap",
    "noc.psum",
    "zero_gating",
    "psum_across_sets",
    "psum_spill",
    "search.rf",
    "search.noc",
    "search.glb",
    "search.dram",
    "search.mac",
    "energy.rf",
    "energy.noc",
    "energy.mul",
    "energy.add",
    "energy.glb",
    "power.static",
    "dram",
    "dram.width",
    "dram.clock",
];

/// Keys a base-less arch may leave out: they default to the behaviour of
/// an arch without them (psums may spill; the search prices by cnnc's
/// energy model).
pub const OPTIONAL_ARCH_KEYS: &[&str] = &[
    "psum_spill",
    "search.rf",
    "search.noc",
    "search.glb",
    "search.dram",
    "search.mac",
];

pub const BUILTIN: &str = "eyeriss";
/// The second built-in: the chip's published parameters. A file may declare
/// an arch of this name; it then replaces the built-in in that file.
pub const CHIP: &str = "eyeriss_chip";

/// The most bits per element the simulator's values can hold.
const MAX_PRECISION: u64 = 64;

/// The most stages of the multiplier or the adder pipeline. Real MAC units
/// have a few; the bound keeps every schedule sum over them (a read time
/// plus both depths) far from wrapping, whatever the layer, and the cost
/// of a deep adder bounded: the row-stationary schedule grows faster than
/// linearly with it (a 6 x 6 layer, batch 1000: `pipeline.add = 64` runs in
/// 2.9 s and 365 MB, `1024` in 50 s and 3 GB).
pub const MAX_PIPELINE_STAGES: u64 = 64;

/// Applies the keys written in one arch body onto `arch`; returns false if
/// any value was bad (diagnostics pushed).
pub(super) fn apply(
    arch: &mut Arch,
    entries: &[(&str, &Entry)],
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let before = diags.len();
    let mut conv = Conv { diags };
    for &(key, e) in entries {
        let (k, v) = (&e.key, &e.value);
        let count = |conv: &mut Conv, slot: &mut u64| {
            if let Some(n) = conv.positive(k, v) {
                *slot = n;
            }
        };
        match key {
            "array" => {
                if let Some(hw) = conv.hw(k, v, false) {
                    arch.array = hw;
                }
            }
            "rf.ifmap" => count(&mut conv, &mut arch.rf_ifmap),
            "rf.filter" => count(&mut conv, &mut arch.rf_filter),
            "rf.psum" => count(&mut conv, &mut arch.rf_psum),
            "glb.bank" => {
                if let Some(n) = conv.whole_quantity(k, v, Dim::Bytes) {
                    arch.glb_bank = n;
                }
            }
            "glb.banks" => count(&mut conv, &mut arch.glb_banks),
            "glb.filter_banks" => count(&mut conv, &mut arch.glb_filter_banks),
            "precision" => {
                if let Some(n) = conv.whole_quantity(k, v, Dim::Bits) {
                    if n > MAX_PRECISION {
                        conv.diags.push(
                            Diagnostic::error(
                                Code::OutOfRange,
                                format!("precision of {n} bits is more than {MAX_PRECISION}"),
                            )
                            .with_primary(v.span, "too wide")
                            .with_help(format!(
                                "the simulator holds values of 1 to {MAX_PRECISION} bits"
                            )),
                        );
                    } else {
                        arch.precision = n;
                    }
                }
            }
            "clock" => {
                if let Some(n) = conv.whole_quantity(k, v, Dim::Freq) {
                    arch.clock_hz = n;
                }
            }
            "pipeline.mul" | "pipeline.add" => {
                if let Some(n) = conv.positive(k, v) {
                    if n > MAX_PIPELINE_STAGES {
                        conv.diags.push(
                            Diagnostic::error(
                                Code::OutOfRange,
                                format!("`{key}` of {n} stages is more than {MAX_PIPELINE_STAGES}"),
                            )
                            .with_primary(v.span, "too deep")
                            .with_help(format!(
                                "a pipeline has 1 to {MAX_PIPELINE_STAGES} stages (Eyeriss: mul 2, add 1)"
                            )),
                        );
                    } else if key == "pipeline.mul" {
                        arch.pipeline_mul = n;
                    } else {
                        arch.pipeline_add = n;
                    }
                }
            }
            "fifo.depth" => count(&mut conv, &mut arch.fifo_depth),
            "noc.ifmap" => count(&mut conv, &mut arch.noc_ifmap),
            "noc.filter" => count(&mut conv, &mut arch.noc_filter),
            "noc.ofmap" => count(&mut conv, &mut arch.noc_ofmap),
            "noc.psum" => count(&mut conv, &mut arch.noc_psum),
            "dram.width" => {
                let help = "give the DRAM link's width, e.g. `dram.width = 64 bit;`";
                if let Some(n) = conv.bits_at_least_one(k, v, help) {
                    arch.dram_width_bits = n;
                }
            }
            "glb.width" => {
                let help =
                    "give the bits a bank reads or writes at once, e.g. `glb.width = 64 bit;`";
                if let Some(n) = conv.bits_at_least_one(k, v, help) {
                    arch.glb_width_bits = n;
                }
            }
            "dram.clock" => {
                if let Some(n) = conv.whole_quantity(k, v, Dim::Freq) {
                    if n == 0 {
                        conv.diags.push(
                            Diagnostic::error(
                                Code::OutOfRange,
                                "`dram.clock` must be above 0 Hz",
                            )
                            .with_primary(v.span, "zero")
                            .with_help(
                                "give the DRAM link's transfer rate, e.g. `dram.clock = 60 MHz;`",
                            ),
                        );
                    } else {
                        arch.dram_clock_hz = n;
                    }
                }
            }
            "zero_gating" => {
                if let Some(b) = conv.switch(k, v) {
                    arch.zero_gating = b;
                }
            }
            "psum_across_sets" => {
                if let Some(b) = conv.switch(k, v) {
                    arch.psum_across_sets = b;
                }
            }
            "psum_spill" => {
                if let Some(b) = conv.switch(k, v) {
                    arch.psum_spill = b;
                }
            }
            "search.rf" | "search.noc" | "search.glb" | "search.dram" | "search.mac" => {
                if let Some(n) = conv.positive(k, v) {
                    // The first `search.*` key switches the search to
                    // relative prices; the others keep the ISCA 2016 values.
                    let p = arch
                        .search_prices
                        .get_or_insert(crate::model::SearchPrices::ISCA2016);
                    *match key {
                        "search.rf" => &mut p.rf,
                        "search.noc" => &mut p.noc,
                        "search.glb" => &mut p.glb,
                        "search.dram" => &mut p.dram,
                        _ => &mut p.mac,
                    } = n;
                }
            }
            "energy.rf" | "energy.noc" | "energy.mul" | "energy.add" | "energy.glb" => {
                if let Some(x) = conv.energy(k, v) {
                    *match key {
                        "energy.rf" => &mut arch.energy_rf,
                        "energy.noc" => &mut arch.energy_noc,
                        "energy.mul" => &mut arch.energy_mul,
                        "energy.add" => &mut arch.energy_add,
                        _ => &mut arch.energy_glb,
                    } = x;
                }
            }
            "power.static" => {
                if let Some(x) = conv.real_quantity(k, v, Dim::Power) {
                    arch.power_static_uw = x;
                }
            }
            "dram" => {
                if let Some(s) = conv.string(k, v) {
                    if s.is_empty() {
                        conv.diags.push(
                            Diagnostic::error(Code::OutOfRange, "`dram` names no device")
                                .with_primary(v.span, "empty string")
                                .with_help(
                                    "name a DRAM device model, e.g. `dram = \"ddr4-1866\";`",
                                ),
                        );
                    } else if !crate::model::memspec_names::is_memspec_name(&s) {
                        // Unknown at check time already: `cnnc check` says so.
                        conv.diags.push(
                            Diagnostic::error(Code::UnknownDram, format!("unknown DRAM model `{s}`"))
                                .with_primary(v.span, "not a built-in memspec or a .json path")
                                .with_help(format!(
                                    "use one of {}, or the path of a DRAMPower JSON memspec ending in `.json`",
                                    crate::model::memspec_names::BUILTIN_MEMSPECS.join(", ")
                                )),
                        );
                    } else {
                        arch.dram = s;
                    }
                }
            }
            _ => {}
        }
    }
    diags.len() == before
}

/// Where an arch's base leads.
#[derive(Clone, Copy)]
enum Base {
    None,
    Builtin(&'static str),
    Decl(usize),
    /// Unknown or otherwise broken (already reported).
    Broken,
}

/// Checks every top-level arch declaration; returns the resolved archs in
/// declaration order (only the good ones).
pub fn check_archs(decls: &[&Decl], diags: &mut Vec<Diagnostic>) -> Vec<Arch> {
    // First declaration of each name (duplicates are reported elsewhere).
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, d) in decls.iter().enumerate() {
        index.entry(d.name.name.as_str()).or_insert(i);
    }
    let user_eyeriss = index.contains_key(BUILTIN);

    let mut bases = Vec::with_capacity(decls.len());
    let mut unknown_bases = 0usize;
    for (i, d) in decls.iter().enumerate() {
        let base = match &d.base {
            None if d.name.name == BUILTIN => {
                diags.push(
                    Diagnostic::error(Code::EyerissWithoutBase, "arch `eyeriss` is built in and cannot be redeclared")
                        .with_primary(d.name.span, "declares `eyeriss` without a base")
                        .with_note("a file may declare `eyeriss` only with a base other than `eyeriss` itself")
                        .with_help("give your arch a new name and derive it: `arch my_eyeriss : eyeriss { ... }`"),
                );
                Base::Broken
            }
            None => Base::None,
            Some(b) if b.name == BUILTIN && d.name.name == BUILTIN => {
                diags.push(
                    Diagnostic::error(
                        Code::EyerissShadow,
                        "`arch eyeriss : eyeriss` would shadow the built-in `eyeriss`",
                    )
                    .with_primary(b.span, "this base is the arch being declared")
                    .with_secondary(d.name.span, "declared here")
                    .with_help("give your arch a new name: `arch my_eyeriss : eyeriss { ... }`"),
                );
                Base::Broken
            }
            // A declared `eyeriss` replaces the built-in everywhere in the file.
            Some(b) if b.name == BUILTIN && !user_eyeriss => Base::Builtin(BUILTIN),
            Some(b) if b.name == CHIP && !index.contains_key(CHIP) => Base::Builtin(CHIP),
            Some(b) => {
                match index.get(b.name.as_str()) {
                    Some(&j) if j == i => {
                        diags.push(
                            Diagnostic::error(
                                Code::InheritanceCycle,
                                format!("arch `{}` derives from itself", b.name),
                            )
                            .with_primary(b.span, "this base is the arch being declared")
                            .with_help("derive from another arch, e.g. `eyeriss`"),
                        );
                        Base::Broken
                    }
                    Some(&j) => Base::Decl(j),
                    None => {
                        let names = index.keys().copied().chain([BUILTIN, CHIP]);
                        let mut diag = Diagnostic::error(
                            Code::UnknownBase,
                            format!("unknown base arch `{}`", b.name),
                        )
                        .with_primary(b.span, "no arch of this name");
                        // Each suggestion compares against every name: only
                        // the first ones (all a report shows) get one, so
                        // thousands of unknown bases stay linear.
                        unknown_bases += 1;
                        let suggestion = if unknown_bases <= crate::diag::MAX_DIAGNOSTICS {
                            super::suggest::suggestion(&b.name, names)
                        } else {
                            None
                        };
                        diag = match suggestion {
                        Some((c, s)) => diag.with_help(s).with_replacement(c),
                        None => diag.with_help("derive from the built-in `eyeriss` or an arch declared in this file"),
                    };
                        diags.push(diag);
                        Base::Broken
                    }
                }
            }
        };
        bases.push(base);
    }
    report_cycles(decls, &bases, diags);

    // Own keys of each arch, checked once.
    let mut keyed = Vec::with_capacity(decls.len());
    for d in decls {
        let entries = collect(&d.body, ARCH_KEYS, "an arch", diags);
        for b in &entries.blocks {
            diags.push(
                Diagnostic::error(
                    Code::Misplaced,
                    format!("an arch holds keys only, not a `{}` block", b.name.name),
                )
                .with_primary(b.name.span, "not allowed here")
                .with_help("write the values as `key = value;`"),
            );
        }
        for n in &entries.decls {
            diags.push(
                Diagnostic::error(
                    Code::Misplaced,
                    format!(
                        "{} cannot be declared inside an arch",
                        super::article(n.kind)
                    ),
                )
                .with_primary(n.kind_span, "not allowed here")
                .with_help("declare it at the top level of the file"),
            );
        }
        // Apply in source order so that diagnostics come out in file order.
        let mut list: Vec<(&str, &Entry)> = entries.by_key.iter().map(|(k, e)| (*k, *e)).collect();
        list.sort_by_key(|(_, e)| e.span.start);
        keyed.push(list);
    }

    // Resolve each arch: walk to a resolved ancestor, then apply downwards.
    let mut resolved: Vec<Option<Option<Arch>>> = vec![None; decls.len()];
    let mut on_chain = vec![false; decls.len()];
    let mut out = Vec::new();
    for start in 0..decls.len() {
        let mut chain = vec![start];
        on_chain[start] = true;
        let mut root: Option<Arch>;
        loop {
            let cur = chain[chain.len() - 1];
            match bases[cur] {
                Base::None => {
                    root = Some(blank());
                    break;
                }
                Base::Builtin(name) => {
                    root = Arch::builtin(name);
                    break;
                }
                Base::Broken => {
                    root = None;
                    break;
                }
                Base::Decl(j) => {
                    if let Some(r) = &resolved[j] {
                        root = r.clone();
                        break;
                    }
                    if on_chain[j] {
                        root = None; // a cycle, reported above
                        break;
                    }
                    on_chain[j] = true;
                    chain.push(j);
                }
            }
        }
        // Apply from the deepest ancestor down to `start`.
        while let Some(cur) = chain.pop() {
            on_chain[cur] = false;
            if resolved[cur].is_some() {
                root = resolved[cur].clone().flatten();
                continue;
            }
            let d = decls[cur];
            // With a broken base there is nothing to inherit, but the
            // arch's own keys are still checked (on a scratch copy).
            let inherited = root.is_some();
            let mut a = root.take().unwrap_or_else(Arch::eyeriss);
            let baseless = matches!(bases[cur], Base::None);
            let ok = apply_checked(&mut a, d, &keyed[cur], baseless, diags);
            a.name = d.name.name.clone();
            a.span = d.span;
            let this = (ok && inherited).then_some(a);
            resolved[cur] = Some(this.clone());
            root = this;
        }
        if let Some(Some(a)) = &resolved[start] {
            if index.get(decls[start].name.name.as_str()) == Some(&start) {
                out.push(a.clone());
            }
        }
    }
    out
}

/// Applies the keys of `d`; a base-less arch must give every key.
fn apply_checked(
    arch: &mut Arch,
    d: &Decl,
    keys: &[(&str, &Entry)],
    baseless: bool,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = apply(arch, keys, diags);
    if baseless && d.body.has_errors() {
        ok = false;
    } else if baseless {
        let missing: Vec<&str> = ARCH_KEYS
            .iter()
            .copied()
            .filter(|k| !OPTIONAL_ARCH_KEYS.contains(k))
            .filter(|k| !keys.iter().any(|(g, _)| g == k))
            .collect();
        if !missing.is_empty() {
            diags.push(
                Diagnostic::error(Code::MissingKey, format!("arch `{}` has no base, so every key is required", d.name.name))
                    .with_primary(d.name.span, format!("missing: {}", missing.join(", ")))
                    .with_help(format!("derive it from the built-in to start from its values: `arch {} : eyeriss {{ ... }}`", d.name.name)),
            );
            ok = false;
        }
    }
    ok
}

/// An arch with every value zero, filled in by a base-less declaration.
fn blank() -> Arch {
    Arch {
        array: Hw::new(0, 0),
        ..Arch::eyeriss()
    }
}

/// Reports each inheritance cycle once, at its first-declared member.
fn report_cycles(decls: &[&Decl], bases: &[Base], diags: &mut Vec<Diagnostic>) {
    // state: 0 unvisited, 1 on the current walk, 2 done.
    let mut state = vec![0u8; decls.len()];
    for start in 0..decls.len() {
        let mut walk = Vec::new();
        let mut cur = start;
        loop {
            if state[cur] == 2 {
                break;
            }
            if state[cur] == 1 {
                // `cur` starts a cycle: the walk from its position on.
                let pos = walk.iter().position(|&w| w == cur).unwrap_or(0);
                let cycle = &walk[pos..];
                let first = cycle.iter().copied().min().unwrap_or(cur);
                let names: Vec<&str> = cycle
                    .iter()
                    .chain(std::iter::once(&cur))
                    .map(|&i| decls[i].name.name.as_str())
                    .collect();
                let base_span = |i: usize| {
                    decls[i]
                        .base
                        .as_ref()
                        .map(|b| b.span)
                        .unwrap_or(decls[i].name.span)
                };
                let mut d = Diagnostic::error(
                    Code::InheritanceCycle,
                    format!("arch inheritance cycle: {}", names.join(" -> ")),
                )
                .with_primary(
                    base_span(first),
                    format!(
                        "`{}` derives from `{}`",
                        decls[first].name.name,
                        decls[first].base.as_ref().map_or("", |b| b.name.as_str())
                    ),
                );
                for &i in cycle.iter().filter(|&&i| i != first) {
                    d = d.with_secondary(
                        base_span(i),
                        format!(
                            "`{}` derives from `{}`",
                            decls[i].name.name,
                            decls[i].base.as_ref().map_or("", |b| b.name.as_str())
                        ),
                    );
                }
                diags.push(d.with_help(
                    "break the cycle: let one of them derive from `eyeriss` or give it no base",
                ));
                break;
            }
            state[cur] = 1;
            walk.push(cur);
            match bases[cur] {
                Base::Decl(j) => cur = j,
                _ => break,
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
}
