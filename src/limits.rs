//! Checks that a report holds only finite numbers, so that no energy, time
//! or ratio reaches a user as `inf`, `NaN` or JSON `null`: a run whose
//! figures overflow (`energy.glb = 1e307 pJ` times a billion bytes) is
//! refused with E0211 instead.

use serde::Serialize;
use serde_json::Value;

use crate::bytecode::Program;
use crate::diag::{Code, Diagnostic};
use crate::model::Layer;

/// Most simulation steps one run may take: per cycle the interpreter
/// scans every 64 PEs once (one bit word each) and steps every group of
/// PEs that share a code and start, so the work is known before it starts:
/// `length x (words + groups)`. About 7 s at the rate measured on a 1-D
/// layer of 80 000 PEs (docs/language.md, "Limits").
pub const MAX_SIM_STEPS: u64 = 1_000_000_000;

/// Most bytes of the per-cycle output bitmap (`length x words x 8`).
pub const MAX_SIM_BITMAP_BYTES: u64 = 512 << 20;

/// Most bytes of the MAC pipelines' stage registers: one value of 8 bytes
/// per stage (multiplier and adder) per PE.
pub const MAX_SIM_PIPELINE_BYTES: u64 = 256 << 20;

/// Most PEs of a logical PE set: its schedule and the interpreter keep
/// about 1.5 KiB per PE, so this bounds a pass to about 400 MiB.
pub const MAX_SET_PES: u64 = 1 << 18;

/// Refuses, right after `select` and before any mapping allocates per-PE
/// state, a pass whose logical PE set would exceed [`MAX_SET_PES`]. The
/// set of a 2-D convolution is (kernel rows) x (output rows), which the
/// smallest and largest tensor heights of the pass bound from above.
pub fn check_pass_size(m: &crate::ir::Module) -> Result<(), Diagnostic> {
    let Some(g) = &m.graph else { return Ok(()) };
    let heights: Vec<u64> =
        g.g.node_indices()
            .filter_map(|n| g.tensor_info(n))
            .map(|t| t.shape.h)
            .collect();
    let (Some(&lo), Some(&hi)) = (heights.iter().min(), heights.iter().max()) else {
        return Ok(());
    };
    let pes = lo.saturating_mul(hi);
    if pes <= MAX_SET_PES {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::Limit,
        format!(
            "layer `{}` needs a logical PE set of up to {lo} x {hi} = {pes} PEs, over the limit of {MAX_SET_PES}",
            m.layer.name
        ),
    )
    .with_primary(m.layer.span, "this layer")
    .with_note("each PE of the set is scheduled and simulated; the bound keeps one pass under about 400 MiB")
    .with_help("simulate a tile of the layer (fewer rows), or split a long 1-D input"))
}

/// Most PE-cycles a Grad-Flow schedule is built for. Its per-PE timelines
/// hold about three control events of 48 bytes per read before the set's
/// exact length is known, so this bounds them to about 1.2 GiB (the limit
/// of 50 M PE-cycles alone let a padded layer take 8 GB before refusal).
pub const MAX_GFLOW_PE_CYCLES: u64 = 1 << 23;

/// Refuses a Grad-Flow set of `pe_cycles` (rows x cols x a lower bound on
/// the cycles, which the reads cannot exceed) before its timelines exist.
pub fn check_gflow_events(layer: &Layer, what: &str, pe_cycles: u64) -> Result<(), Diagnostic> {
    if pe_cycles <= MAX_GFLOW_PE_CYCLES {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::Limit,
        format!(
            "Grad-Flow {what}: the schedule needs at least {pe_cycles} PE-cycles, over the limit of {MAX_GFLOW_PE_CYCLES} for Grad-Flow"
        ),
    )
    .with_primary(layer.span, "this layer")
    .with_note("a Grad-Flow schedule keeps its control events per PE until the set is complete; the bound keeps them near 1 GiB")
    .with_help("use a grouping that needs fewer PE-cycles, a smaller layer, or `--dataflow rs`"))
}

/// Refuses a program whose simulation would exceed the work or memory
/// bound, before anything is allocated (E0210).
pub fn check_simulation(p: &Program, layer: &Layer) -> Result<(), Diagnostic> {
    let words = (p.pes.len() as u64).div_ceil(64);
    let groups = p
        .pes
        .iter()
        .map(|e| (e.code, e.start))
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    let length = u64::from(p.length);
    let steps = length.saturating_mul(words.saturating_add(groups));
    let bitmap = length.saturating_mul(words).saturating_mul(8);
    let stages = u64::from(p.pipeline_mul).saturating_add(u64::from(p.pipeline_add));
    let pipes = stages.saturating_mul(p.pes.len() as u64).saturating_mul(8);
    let over = if steps > MAX_SIM_STEPS {
        Some(format!(
            "{length} cycles x ({words} PE words + {groups} PE groups) = {steps} simulation steps, over the limit of {MAX_SIM_STEPS}"
        ))
    } else if bitmap > MAX_SIM_BITMAP_BYTES {
        Some(format!(
            "{length} cycles x {words} PE words need {bitmap} bytes of output bitmap, over the limit of {MAX_SIM_BITMAP_BYTES}"
        ))
    } else if pipes > MAX_SIM_PIPELINE_BYTES {
        Some(format!(
            "{stages} pipeline stages x {} PEs need {pipes} bytes of stage registers, over the limit of {MAX_SIM_PIPELINE_BYTES}",
            p.pes.len()
        ))
    } else {
        None
    };
    match over {
        None => Ok(()),
        Some(why) => Err(Diagnostic::error(
            Code::Limit,
            format!("layer `{}` is too large to simulate: {why}", layer.name),
        )
        .with_primary(layer.span, "this layer")
        .with_note(format!(
            "the logical PE set has {} PEs ({} x {})",
            p.pes.len(),
            p.rows,
            p.cols
        ))
        .with_help("simulate a tile of the layer (a smaller ifmap), or split a long 1-D input")),
    }
}

/// The fields of `v` that serialise to JSON `null`. For a report type
/// without `Option` fields (e.g. `LayerStats`) these are exactly its
/// non-finite floats, which serde_json writes as `null`.
pub fn null_fields(v: &impl Serialize) -> Vec<String> {
    let mut out = Vec::new();
    match serde_json::to_value(v) {
        Ok(value) => walk(&value, String::new(), &mut out),
        Err(e) => out.push(format!("(not serialisable: {e})")),
    }
    out
}

fn walk(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct R {
        a: f64,
        b: Vec<f64>,
    }

    #[test]
    fn finds_infinities_and_nans() {
        let r = R {
            a: f64::INFINITY,
            b: vec![1.0, f64::NAN],
        };
        assert_eq!(null_fields(&r), ["a", "b[1]"]);
        assert!(null_fields(&R { a: 1.0, b: vec![] }).is_empty());
    }
}
