//! The text form of a program (`--emit signals`), documented in
//! `docs/architecture.md`. Stable: the same program prints the same bytes.

use std::fmt::Write;

use super::isa::{Ctl, Delta, InitRun, Insn, Program, FLAG_PUSH, FLAG_TAKE_IN, NONE};

fn ctl_text(c: &Ctl) -> String {
    let mut s = String::from("step");
    let names = ["ifm", "fil", "prd", "pwr", "out"];
    for (name, v) in names.iter().zip(c.fields()) {
        if v != NONE {
            let _ = write!(s, " {name}={v}");
        }
    }
    if c.flags & FLAG_TAKE_IN != 0 {
        s.push_str(" take_in");
    }
    if c.flags & FLAG_PUSH != 0 {
        s.push_str(" push");
    }
    s
}

fn delta_text(d: &Delta) -> String {
    let names = ["ifm", "fil", "prd", "pwr", "out"];
    let parts: Vec<String> = names
        .iter()
        .zip(d.0)
        .filter(|(_, v)| *v != 0)
        .map(|(n, v)| format!("{n}{v:+}"))
        .collect();
    if parts.is_empty() {
        "same".to_string()
    } else {
        parts.join(" ")
    }
}

fn runs_text(runs: &[InitRun]) -> String {
    let parts: Vec<String> = runs
        .iter()
        .map(|r| {
            let line = line_text(r);
            if r.reps > 1 {
                format!("{{{line}}} step({},{}) x{}", r.rep_dr, r.rep_dc, r.reps)
            } else {
                line
            }
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Preloaded runs, or the capacity that deliveries fill.
fn contents_text(runs: &[InitRun], capacity: u32) -> String {
    if runs.is_empty() && capacity > 0 {
        format!("streamed({capacity})")
    } else {
        runs_text(runs)
    }
}

fn line_text(r: &InitRun) -> String {
    if r.count == 1 {
        format!("{}", r.src)
    } else if r.src.is_zero() {
        format!("0 x{}", r.count)
    } else if r.gap == 0 {
        format!("{} step({},{}) x{}", r.src, r.dr, r.dc, r.count)
    } else {
        format!(
            "{} step({},{}) gap {} x{}",
            r.src, r.dr, r.dc, r.gap, r.count
        )
    }
}

/// Prints the program.
pub fn print_program(p: &Program) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "cnnc-signals v{}", p.version);
    let _ = writeln!(
        s,
        "set {} x {}; length {} cycles; output {:?} {}; pipeline mul {} add {}",
        p.rows, p.cols, p.length, p.out_kind, p.out_shape, p.pipeline_mul, p.pipeline_add
    );
    for (i, code) in p.codes.iter().enumerate() {
        let _ = writeln!(s, "code {i}:");
        // Open repeat bodies: instructions left in each, innermost last.
        let mut open: Vec<u32> = Vec::new();
        for insn in code {
            let indent = "  ".repeat(open.len() + 1);
            match insn {
                Insn::Idle { cycles } => {
                    let _ = writeln!(s, "{indent}idle {cycles}");
                }
                Insn::Step(c) => {
                    let _ = writeln!(s, "{indent}{}", ctl_text(c));
                }
                Insn::Repeat { count, len, delta } => {
                    let _ = writeln!(s, "{indent}repeat {count} x {len} ({})", delta_text(delta));
                }
            }
            // This instruction uses up one slot of every open body.
            for left in open.iter_mut() {
                *left = left.saturating_sub(1);
            }
            if let Insn::Repeat { len, .. } = insn {
                open.push(*len);
            }
            while open.last() == Some(&0) {
                open.pop();
            }
        }
    }
    for (i, pe) in p.pes.iter().enumerate() {
        let (x, y) = (i as u32 / p.cols.max(1), i as u32 % p.cols.max(1));
        let _ = writeln!(
            s,
            "pe ({x},{y}): code {} start {} out_base {} psum {} ifmap {} filter {}",
            pe.code,
            pe.start,
            pe.out_base,
            pe.psum_entries,
            contents_text(&pe.ifmap_init, pe.ifmap_capacity),
            contents_text(&pe.filter_init, pe.filter_capacity)
        );
    }
    for d in &p.deliveries {
        let targets: Vec<String> = d
            .targets
            .iter()
            .map(|(pe, a)| format!("{pe}@{a}"))
            .collect();
        let repeat = if d.count > 1 {
            format!(
                " x{} every {} cycles, source step({},{}), address +{}",
                d.count, d.cycle_step, d.dr, d.dc, d.addr_step
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "deliver {} {:?}{} {} -> {}{repeat}",
            d.cycle,
            d.net,
            if d.local { " local" } else { "" },
            d.src,
            targets.join(" ")
        );
    }
    s
}
