//! `--pe-stats FILE.csv`: one line per PE.

use std::fmt::Write;

use super::PeRow;

pub fn pe_csv(rows: &[PeRow]) -> String {
    let mut s = String::from(
        "x,y,macs,zero_macs,ifmap_reads,ifmap_writes,filter_reads,filter_writes,psum_reads,psum_writes,in_psum_puts,in_psum_gets,out_psum_puts,out_psum_gets,glb_writes,busy_span,utilisation,mac_slot_use\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.4},{:.4}",
            r.x,
            r.y,
            r.n.macs,
            r.n.zero_macs,
            r.n.ifmap_reads,
            r.n.ifmap_writes,
            r.n.filter_reads,
            r.n.filter_writes,
            r.n.psum_reads,
            r.n.psum_writes,
            r.n.in_psum_puts,
            r.n.in_psum_gets,
            r.n.out_psum_puts,
            r.n.out_psum_gets,
            r.n.glb_writes,
            r.busy_span,
            r.utilisation,
            r.mac_slot_use
        );
    }
    s
}
