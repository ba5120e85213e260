//! Canonical `.cnn` text for a checked description (`--emit ast`). Every
//! value is written out (the keys of dilated and transposed convolutions
//! when they are not the defaults), so the text does not depend on defaults, and
//! reading it back gives the same description (the round-trip property test
//! holds this printer and the checker to each other).

use std::fmt::Write;

use crate::model::{shapes_text, Arch, Description, Hw, Layer, MappingHint};

pub fn print(desc: &Description) -> String {
    let mut out = String::new();
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push('\n');
        }
        first = false;
    };
    for a in &desc.archs {
        sep(&mut out);
        print_arch(&mut out, a, desc);
    }
    for l in &desc.layers {
        sep(&mut out);
        print_layer(&mut out, l, &l.name, "");
    }
    for n in &desc.networks {
        sep(&mut out);
        let _ = writeln!(out, "network {} {{", n.name);
        let prefix = format!("{}.", n.name);
        for (i, l) in n.layers.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let short = l.name.strip_prefix(&prefix).unwrap_or(&l.name);
            print_layer(&mut out, l, short, "    ");
        }
        // Operators not costed follow the layers (their order kept): they
        // cost nothing, so where they stood does not change any figure.
        for o in &n.not_costed {
            let _ = write!(out, "\n    not_costed {{ op = {};", quote(&o.op));
            if let Some(name) = &o.name {
                let _ = write!(out, " name = {};", quote(name));
            }
            let _ = writeln!(
                out,
                " inputs = {}; outputs = {}; }}",
                quote(&shapes_text(&o.inputs)),
                quote(&shapes_text(&o.outputs))
            );
        }
        out.push_str("}\n");
    }
    out
}

fn print_layer(out: &mut String, l: &Layer, name: &str, indent: &str) {
    let _ = writeln!(out, "{indent}layer {name} {{");
    let line = |out: &mut String, key: &str, value: String| {
        let _ = writeln!(out, "{indent}    {key} = {value};");
    };
    line(out, "ifmap", l.ifmap.to_string());
    line(out, "channels", l.channels.to_string());
    line(out, "filter", l.filter.to_string());
    line(out, "filters", l.filters.to_string());
    line(out, "stride", l.stride.to_string());
    line(out, "pad", l.pad.to_string());
    line(out, "batch", l.batch.to_string());
    line(out, "groups", l.groups.to_string());
    // The keys of dilated and transposed convolutions are written only when
    // they differ from their defaults: ordinary layers print as they always did.
    if !l.dilation.is_one() {
        line(out, "dilation", l.dilation.to_string());
    }
    if l.transposed {
        line(out, "transposed", "true".to_string());
        line(out, "output_pad", l.output_pad.to_string());
    }
    line(out, "ofmap", l.ofmap.to_string());
    let unused = l.unused();
    if !unused.is_zero() {
        let _ = writeln!(
            out,
            "{indent}    // floor rule: the last {} of the padded input are unused",
            unused_text(unused)
        );
    }
    if let Some(m) = &l.mapping {
        print_mapping(out, m, indent);
    }
    let _ = writeln!(out, "{indent}}}");
}

/// "1 row and 1 column", "2 rows", ...: what the floor rule leaves unused.
fn unused_text(u: Hw) -> String {
    let part = |n: u64, one: &str, many: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    };
    [part(u.h, "row", "rows"), part(u.w, "column", "columns")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
}

fn print_mapping(out: &mut String, m: &MappingHint, indent: &str) {
    let _ = write!(out, "{indent}    mapping {{");
    let keys = [
        ("n", m.n),
        ("p", m.p),
        ("q", m.q),
        ("r", m.r),
        ("t", m.t),
        ("e", m.e),
        ("ifmap_banks", m.ifmap_banks),
    ];
    for (k, v) in keys {
        if let Some(v) = v {
            let _ = write!(out, " {k} = {v};");
        }
    }
    out.push_str(" }\n");
}

fn print_arch(out: &mut String, a: &Arch, desc: &Description) {
    // Every key is written, so the base only matters for `eyeriss`, which
    // must have one other than itself; any other arch of the file will do.
    let base = if a.name == "eyeriss" {
        desc.archs
            .iter()
            .find(|o| o.name != a.name)
            .map(|o| format!(" : {}", o.name))
    } else {
        None
    };
    let _ = writeln!(out, "arch {}{} {{", a.name, base.unwrap_or_default());
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "    {key} = {value};");
    };
    line("array", hw(a.array));
    line("rf.ifmap", a.rf_ifmap.to_string());
    line("rf.filter", a.rf_filter.to_string());
    line("rf.psum", a.rf_psum.to_string());
    line(
        "glb.bank",
        scaled(a.glb_bank, &[("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]),
    );
    line("glb.banks", a.glb_banks.to_string());
    line("glb.filter_banks", a.glb_filter_banks.to_string());
    line("glb.width", format!("{} bit", a.glb_width_bits));
    line("precision", format!("{} bit", a.precision));
    line(
        "clock",
        scaled(
            a.clock_hz,
            &[
                ("GHz", 1_000_000_000),
                ("MHz", 1_000_000),
                ("kHz", 1_000),
                ("Hz", 1),
            ],
        ),
    );
    line("pipeline.mul", a.pipeline_mul.to_string());
    line("pipeline.add", a.pipeline_add.to_string());
    line("fifo.depth", a.fifo_depth.to_string());
    line("noc.ifmap", a.noc_ifmap.to_string());
    line("noc.filter", a.noc_filter.to_string());
    line("noc.ofmap", a.noc_ofmap.to_string());
    line("noc.psum", a.noc_psum.to_string());
    line(
        "zero_gating",
        if a.zero_gating { "on" } else { "off" }.to_string(),
    );
    line(
        "psum_across_sets",
        if a.psum_across_sets { "on" } else { "off" }.to_string(),
    );
    line(
        "psum_spill",
        if a.psum_spill { "on" } else { "off" }.to_string(),
    );
    if let Some(p) = a.search_prices {
        line("search.rf", p.rf.to_string());
        line("search.noc", p.noc.to_string());
        line("search.glb", p.glb.to_string());
        line("search.dram", p.dram.to_string());
        line("search.mac", p.mac.to_string());
    }
    line("energy.rf", energy(a.energy_rf));
    line("energy.noc", energy(a.energy_noc));
    line("energy.mul", energy(a.energy_mul));
    line("energy.add", energy(a.energy_add));
    line("energy.glb", energy(a.energy_glb));
    line("power.static", format!("{:?} uW", a.power_static_uw));
    line("dram", quote(&a.dram));
    line("dram.width", format!("{} bit", a.dram_width_bits));
    line(
        "dram.clock",
        scaled(
            a.dram_clock_hz,
            &[
                ("GHz", 1_000_000_000),
                ("MHz", 1_000_000),
                ("kHz", 1_000),
                ("Hz", 1),
            ],
        ),
    );
    out.push_str("}\n");
}

fn hw(v: Hw) -> String {
    v.to_string()
}

/// `n` in the largest unit that divides it exactly.
fn scaled(n: u64, units: &[(&str, u64)]) -> String {
    for &(name, factor) in units {
        if n.is_multiple_of(factor) {
            return format!("{} {name}", n / factor);
        }
    }
    format!("{n}")
}

/// Shortest text that reads back as the same f64 (`{:?}` always has a `.`
/// or an exponent, so it lexes as a decimal).
fn energy(x: f64) -> String {
    format!("{x:?} pJ")
}

pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
