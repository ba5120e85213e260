//! The IR verifier, run between passes in debug builds. Returns the first
//! broken invariant as a message.

use super::{Module, Node};

pub fn verify_module(m: &Module) -> Result<(), String> {
    if let Some(g) = &m.graph {
        for n in g.g.node_indices() {
            if let Node::Tensor(_) = &g.g[n] {
                if let Some((op, ins)) = g.producer(n) {
                    if ins.len() != op.arity() {
                        return Err(format!(
                            "{} has {} operands, needs {}",
                            op.name(),
                            ins.len(),
                            op.arity()
                        ));
                    }
                    let shapes: Option<Vec<_>> = ins.iter().map(|&i| g.shape(i)).collect();
                    let want = shapes.and_then(|s| op.result_shape(&s));
                    if want != g.shape(n) {
                        return Err(format!(
                            "{} result %{} has the wrong shape",
                            op.name(),
                            n.index()
                        ));
                    }
                }
            }
        }
    }
    if let Some(set) = &m.set {
        if set.pes.len() != (set.rows as usize) * (set.cols as usize) {
            return Err(format!(
                "set {} x {} has {} PEs",
                set.rows,
                set.cols,
                set.pes.len()
            ));
        }
        let macs = set.scheduled_macs();
        if macs != set.analytic_macs {
            return Err(format!(
                "{macs} MACs scheduled, the convolution needs {}",
                set.analytic_macs
            ));
        }
        let n_out = (set.out_shape.h * set.out_shape.w) as usize;
        let mut written = vec![0u32; n_out];
        for (i, pe) in set.pes.iter().enumerate() {
            for (t, w) in pe.words.iter().enumerate() {
                let range = |v: Option<u32>, n: usize, what: &str| match v {
                    Some(a) if a as usize >= n => {
                        Err(format!("PE {i} cycle {t}: {what} address {a} >= {n}"))
                    }
                    _ => Ok(()),
                };
                range(w.ifm.get(), pe.ifmap_entries(), "ifmap")?;
                range(w.fil.get(), pe.filter_entries(), "filter")?;
                range(w.psum_rd.get(), pe.psum_entries as usize, "psum")?;
                range(w.psum_wr.get(), pe.psum_entries as usize, "psum")?;
                if let Some(o) = w.out.get() {
                    *written
                        .get_mut(o as usize)
                        .ok_or_else(|| format!("PE {i}: output {o} out of range"))? += 1;
                }
            }
        }
        if let Some(o) = written.iter().position(|&c| c > 1) {
            return Err(format!(
                "output element {o} is written {} times",
                written[o]
            ));
        }
    }
    if let Some(p) = &m.program {
        crate::bytecode::verify_program(p, m.arch.fifo_depth, m.arch.noc_ofmap)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
