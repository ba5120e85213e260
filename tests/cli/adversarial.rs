//! Layers and archs at the edges: huge slices, extreme strides, very long
//! filter rows, a 1 x 1 array with one-entry scratchpads, a deep
//! multiplier, a multi-cycle adder. Every pass and dataflow must end in
//! verified outputs or a diagnostic, never a panic or an unbounded
//! allocation.

use cnnc::cost::layer::layer_stats;
use cnnc::diag::IntoDiagnostic;
use cnnc::frontend::parse_and_check;
use cnnc::options::{Dataflow, Objective, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::simulate;

const SOURCE: &str = r#"
arch deep : eyeriss { pipeline.mul = 9; }
arch slow_add : eyeriss { pipeline.add = 2; }
arch one : eyeriss { array = 1 x 1; rf.ifmap = 1; rf.filter = 1; rf.psum = 1; glb.banks = 1; glb.filter_banks = 1; }
arch narrow : eyeriss { precision = 3 bit; fifo.depth = 1; }
layer odd { ifmap = 9 x 7; filter = 3 x 2; stride = 2 x 1; pad = 1 x 0; channels = 4; filters = 6; groups = 2; batch = 2; }
layer big { ifmap = 100000 x 100000; filter = 3; }
layer sparse { ifmap = 4000 x 4000; filter = 3; stride = 3997; }
layer longk { ifmap = 5 x 4000; filter = 5 x 3999; }
layer wide { ifmap = 3 x 4000; filter = 3 x 3; }
"#;

#[test]
fn every_edge_case_verifies_or_is_refused() {
    let desc = parse_and_check(SOURCE).unwrap();
    let mut archs: Vec<_> = desc.archs.clone();
    archs.push(desc.arch("eyeriss").unwrap());
    let (mut verified, mut refused) = (0, 0);
    for arch in &archs {
        for l in desc.all_layers() {
            for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
                for df in [Dataflow::Rs, Dataflow::Gflow] {
                    let m = match compile(l, arch, pass, df, &PassOptions::default(), None) {
                        Ok(m) => m,
                        Err(d) => {
                            assert!(
                                d.code.as_str().starts_with("E02"),
                                "{} {pass:?} {df:?} on {}: {d:?}",
                                l.name,
                                arch.name
                            );
                            refused += 1;
                            continue;
                        }
                    };
                    let o = simulate(m, 3).unwrap_or_else(|d| {
                        panic!("{} {pass:?} {df:?} on {}: {d:?}", l.name, arch.name)
                    });
                    assert!(
                        o.stats.verified,
                        "{} {pass:?} {df:?} on {}",
                        l.name, arch.name
                    );
                    verified += 1;
                    if let Err(d) =
                        layer_stats(&o, Objective::Energy).map_err(IntoDiagnostic::into_diagnostic)
                    {
                        assert!(d.code.as_str().starts_with("E03"), "{d:?}");
                    }
                }
            }
        }
    }
    assert!(
        verified > 20 && refused > 20,
        "verified {verified}, refused {refused}"
    );
}
