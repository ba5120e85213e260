//! `--pe-stats FILE.csv`: one line per PE.

use std::fmt::Write;

use super::PeRow;

pub fn pe_csv(rows: &[PeRow]) -> String {
    let mut s = String::from(
        "x,y,macs,zero_macs,ifmap_reads,ifmap_writes,filter_reads,filter_writes,psum_reads,psum_writes,in_psum_puts,in_psum_gets,out_psum_puts,out_psum_gets,glb_writes,busy_span,utilisation\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.4}",
            r.x,
            r.y,
            r.macs,
            r.zero_macs,
            r.ifmap_reads,
            r.ifmap_writes,
            r.filter_reads,
            r.filter_writes,
            r.psum_reads,
            r.psum_writes,
            r.in_psum_puts,
            r.in_psum_gets,
            r.out_psum_puts,
            r.out_psum_gets,
            r.glb_writes,
            r.busy_span,
            r.utilisation
        );
    }
    s
}
