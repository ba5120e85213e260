//! The text form of the IR (`--emit ir`): stable and readable. Everything a
//! pass has added so far is printed, in pipeline order.

use std::fmt::Write;

use super::{Module, Node};
use crate::options::PassOptions;

/// The module as text; the header names the options of the run (`opts`),
/// which the module does not keep.
pub fn print_module(m: &Module, opts: &PassOptions) -> String {
    let mut s = String::new();
    let l = &m.layer;
    let _ = writeln!(
        s,
        "module {} pass={:?} dataflow={:?} gflow_group={} arch={}",
        l.name, m.pass, m.dataflow, opts.gflow_map.group, m.arch.name
    );
    let _ = writeln!(
        s,
        "  layer ifmap {} x{} filter {} x{} stride {} pad {} batch {} groups {} ofmap {}",
        l.ifmap, l.channels, l.filter, l.filters, l.stride, l.pad, l.batch, l.groups, l.ofmap
    );
    // Only layers that are not ordinary convolutions say what they are.
    if !l.dilation.is_one() || l.transposed {
        let _ = writeln!(
            s,
            "  kind {} dilation {} output_pad {}",
            if l.transposed {
                "transposed"
            } else {
                "dilated"
            },
            l.dilation,
            l.output_pad
        );
    }
    if let Some(g) = &m.graph {
        let _ = writeln!(s, "graph:");
        for n in g.g.node_indices() {
            match &g.g[n] {
                Node::Tensor(t) => {
                    let from = match g.producer(n) {
                        Some((op, ins)) => {
                            let args: Vec<String> =
                                ins.iter().map(|i| format!("%{}", i.index())).collect();
                            let detail = match op {
                                super::Op::Conv2d { stride } => format!(" stride {stride}"),
                                super::Op::Pad { amount } => format!(" by {amount}"),
                                super::Op::Dilate { factor } => format!(" by {factor}"),
                                super::Op::Crop { amount } => format!(" by {amount}"),
                                super::Op::PadEnd { amount } => format!(" by {amount}"),
                                super::Op::CropEnd { amount } => format!(" by {amount}"),
                                super::Op::Rotate180 => String::new(),
                            };
                            format!(" = {}({}){}", op.name(), args.join(", "), detail)
                        }
                        None => " (input)".to_string(),
                    };
                    let _ = writeln!(
                        s,
                        "  %{} {:?} {} : {} {}{}",
                        n.index(),
                        t.role,
                        t.name,
                        t.elem,
                        t.shape,
                        from
                    );
                }
                Node::Op { .. } => {}
            }
        }
    }
    if let Some(set) = &m.set {
        let _ = writeln!(
            s,
            "mapping: set {} x {}, {} cycles of control, output {:?} {}, {} MACs (analytic {})",
            set.rows,
            set.cols,
            set.length(),
            set.out_kind,
            set.out_shape,
            set.scheduled_macs(),
            set.analytic_macs
        );
        for r in &set.placement.rules {
            let _ = writeln!(s, "  {r}");
        }
    }
    if let Some(a) = &m.alloc {
        let _ = writeln!(
            s,
            "allocation: array {}, set {} -> {} row folds x {} column folds of {}, {} replicas, {} active PEs",
            a.array,
            a.set,
            a.row_folds,
            a.col_folds,
            a.piece,
            a.replicas,
            a.active_pes
        );
    }
    if let Some(p) = &m.plan {
        let _ = writeln!(
            s,
            "networks: ifmap {} sends / {} receives ({} cycles), filter {} / {} ({} cycles), ofmap {} writes ({} cycles), {} psum hops",
            p.ifmap_sends,
            p.ifmap_receives,
            p.ifmap_cycles,
            p.filter_sends,
            p.filter_receives,
            p.filter_cycles,
            p.ofmap_writes,
            p.ofmap_cycles,
            p.psum_hops
        );
        let _ = writeln!(
            s,
            "  scratchpads needed: ifmap {}, filter {}, psum {} entries (arch: {}, {}, {})",
            p.rf_ifmap_need,
            p.rf_filter_need,
            p.rf_psum_need,
            m.arch.rf_ifmap,
            m.arch.rf_filter,
            m.arch.rf_psum
        );
    }
    if let Some(p) = &m.program {
        let insns: usize = p.codes.iter().map(|c| c.len()).sum();
        let _ = writeln!(
            s,
            "program: v{}, {} codes, {} instructions, {} PEs, {} bytes",
            p.version,
            p.codes.len(),
            insns,
            p.pes.len(),
            p.encoded_len()
        );
    }
    s
}
