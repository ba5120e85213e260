//! The whole-layer statistics of every example layer, every pass, both
//! dataflows where they apply, pinned as one snapshot per example file in
//! `snapshots/layer/`.

use std::fmt::Write;

use cnnc::cost::layer::layer_stats;
use cnnc::diag::IntoDiagnostic;
use cnnc::frontend::parse_and_check;
use cnnc::model::Arch;
use cnnc::options::{Dataflow, Objective, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::simulate;

use crate::common;

fn row(l: &cnnc::model::Layer, pass: PassKind, df: Dataflow) -> String {
    let name = format!("{} {:?} {:?}", l.name, pass, df).to_lowercase();
    let m = match compile(l, &Arch::eyeriss(), pass, df, &PassOptions::default(), None) {
        Ok(m) => m,
        Err(d) => return format!("{name}: refused {}\n", d.code),
    };
    let o = simulate(m, 0).unwrap();
    assert!(o.stats.verified, "{name}");
    match layer_stats(&o, Objective::Energy).map_err(IntoDiagnostic::into_diagnostic) {
        Ok(s) => {
            let mp = &s.mapping;
            format!(
                "{name}: cycles {} macs {} zero {} passes {} util {:.4} glb_bytes {} dram_bytes {} energy_pj {:.1} (rf {:.1} noc {:.1} mac {:.1} glb {:.1} dram {:.1}) n{} p{} q{} r{} t{} banks {}/{}\n",
                s.cycles,
                s.macs,
                s.zero_macs,
                s.physical_passes,
                s.utilisation,
                s.glb_bytes,
                s.dram_bytes,
                s.energy_pj.total,
                s.energy_pj.rf,
                s.energy_pj.noc,
                s.energy_pj.mac,
                s.energy_pj.glb,
                s.energy_pj.dram,
                mp.n,
                mp.p,
                mp.q,
                mp.r,
                mp.t,
                mp.ifmap_banks,
                mp.psum_banks
            )
        }
        Err(d) => format!("{name}: layer refused {}\n", d.code),
    }
}

#[test]
fn layer_stats_of_the_small_examples() {
    layer_stats_of(false);
}

/// Minutes: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn layer_stats_of_the_large_examples() {
    layer_stats_of(true);
}

fn layer_stats_of(large: bool) {
    for path in common::examples_sized(large) {
        let desc = parse_and_check(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut text = String::new();
        for l in desc.all_layers() {
            for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
                text.push_str(&row(l, pass, Dataflow::Rs));
                // Grad-Flow maps the forward pass of some transposed and
                // dilated layers too.
                if pass != PassKind::Forward || !l.is_ordinary() {
                    text.push_str(&row(l, pass, Dataflow::Gflow));
                }
            }
        }
        let _ = writeln!(text);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_path => format!("{}/snapshots/layer", env!("CARGO_MANIFEST_DIR")),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem, text);
        });
    }
}
