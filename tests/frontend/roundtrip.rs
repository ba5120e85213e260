//! Property: printing a checked description and reading it back gives the
//! same description (spans aside), for random valid layers, archs and
//! networks.

use cnnc::frontend::{parse_and_check, print, without_spans};
use cnnc::model::{Arch, Description, Hw, Layer, MappingHint, Network, NotCosted};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    // Keywords and the shape separator `x` are not names.
    "[a-wyz_][a-z0-9_]{0,8}".prop_filter("keyword", |s| {
        !matches!(s.as_str(), "layer" | "arch" | "network" | "eyeriss")
    })
}

fn layer(name: String) -> impl Strategy<Value = Layer> {
    (
        (
            1u64..40,
            1u64..40,
            1u64..6,
            1u64..6,
            1u64..4,
            1u64..4,
            0u64..3,
            0u64..3,
        ),
        (1u64..5, 1u64..5, 1u64..5, 1u64..4),
        proptest::option::of((
            proptest::option::of(1u64..9),
            proptest::option::of(1u64..9),
            proptest::option::of(1u64..9),
            proptest::option::of(1u64..9),
            proptest::option::of(1u64..9),
            proptest::option::of(1u64..30),
        )),
        // Kind (0 ordinary, 1 dilated, 2 transposed), dilation, output padding,
        // and whether to leave rows the stride does not reach (floor rule).
        (0u8..3, 1u64..4, 1u64..4, 0u64..3, 0u64..3, any::<bool>()),
    )
        .prop_filter_map(
            "not a valid layer",
            move |(
                (ih, iw, fh, fw, sh, sw, ph, pw),
                (cg, mg, batch, groups),
                map,
                (kind, dh, dw, oh, ow, floor),
            )| {
                // Grow the input until the stride tiles it exactly, unless
                // the layer is to have unused rows.
                let fix = |i: u64, f: u64, s: u64, p: u64| {
                    let padded = (i + 2 * p).max(f);
                    let left = (padded - f) % s;
                    if floor {
                        padded - 2 * p
                    } else {
                        padded + (s - left) % s - 2 * p
                    }
                };
                let ifmap = Hw::new(fix(ih, fh, sh, ph), fix(iw, fw, sw, pw));
                let mut l = Layer::from_sizes(
                    &name,
                    ifmap,
                    cg * groups,
                    Hw::new(fh, fw),
                    mg * groups,
                    Hw::new(sh, sw),
                    Hw::new(ph, pw),
                    batch,
                    groups,
                )?;
                l.mapping = map.map(|(n, p, q, r, t, b)| MappingHint {
                    n,
                    p,
                    q,
                    r,
                    t,
                    ifmap_banks: b,
                    e: n.map(|n| n % 5 + 1),
                });
                match kind {
                    1 => l.with_dilation(Hw::new(dh, dw)),
                    2 => {
                        l.dilation = Hw::new(dh, dw);
                        l.with_transposed(Hw::new(oh, ow))
                    }
                    _ => Some(l),
                }
            },
        )
}

fn energy() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..100.0,
        (0u32..1000).prop_map(|n| f64::from(n) / 10.0),
        Just(1e-7),
        Just(3e20)
    ]
}

fn arch(name: String) -> impl Strategy<Value = Arch> {
    (
        (
            1u64..20,
            1u64..20,
            1u64..500,
            1u64..500,
            1u64..500,
            1u64..100_000,
            1u64..40,
            1u64..8,
        ),
        (
            1u64..=64,
            1u64..3_000_000_000,
            1u64..5,
            1u64..5,
            1u64..128,
            1u64..4,
            1u64..4,
            1u64..4,
        ),
        (
            any::<bool>(),
            energy(),
            energy(),
            energy(),
            energy(),
            energy(),
            // Any printable name; the checker accepts built-in names and
            // paths ending in `.json` (others are E0304).
            "[ -~]{1,12}\\.json",
        ),
    )
        .prop_map(move |(a, b, c)| Arch {
            name: name.clone(),
            span: Default::default(),
            array: Hw::new(a.0, a.1),
            rf_ifmap: a.2,
            rf_filter: a.3,
            rf_psum: a.4,
            glb_bank: a.5,
            glb_banks: a.6,
            glb_filter_banks: a.7,
            glb_width_bits: b.0 * 2,
            precision: b.0,
            clock_hz: b.1,
            pipeline_mul: b.2,
            pipeline_add: b.3,
            fifo_depth: b.4,
            noc_ifmap: b.5,
            noc_filter: b.6,
            noc_ofmap: b.7,
            noc_psum: b.5 % 7 + 1,
            zero_gating: c.0,
            psum_across_sets: !c.0,
            psum_spill: c.0 == (b.2 % 2 == 0),
            search_prices: (b.3 % 2 == 0).then_some(cnnc::model::SearchPrices {
                rf: b.3,
                noc: b.4,
                glb: b.5,
                dram: b.6,
                mac: b.7,
            }),
            energy_rf: c.1,
            energy_noc: c.2,
            energy_mul: c.3,
            energy_add: c.4,
            energy_glb: c.5,
            power_static_uw: c.1 * 1000.0,
            dram: c.6,
            dram_width_bits: b.0 * 4,
            dram_clock_hz: b.1 / 3 + 1,
        })
}

fn unique(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn description() -> impl Strategy<Value = Description> {
    (
        proptest::collection::vec(name(), 0..4).prop_map(unique),
        proptest::collection::vec(name(), 0..4).prop_map(unique),
        proptest::collection::vec(
            (
                name(),
                proptest::collection::vec(name(), 1..4).prop_map(unique),
            ),
            0..3,
        ),
    )
        .prop_flat_map(|(arch_names, layer_names, nets)| {
            let archs: Vec<_> = arch_names.into_iter().map(arch).collect();
            let layers: Vec<_> = layer_names.into_iter().map(layer).collect();
            let mut seen = std::collections::HashSet::new();
            let networks: Vec<_> = nets
                .into_iter()
                .filter(|(n, _)| seen.insert(n.clone()))
                .map(|(net, members)| {
                    let ls: Vec<_> = members
                        .into_iter()
                        .map(|m| layer(format!("{net}.{m}")))
                        .collect();
                    (ls, proptest::collection::vec(not_costed(), 0..3)).prop_map(
                        move |(layers, not_costed)| Network {
                            name: net.clone(),
                            span: Default::default(),
                            layers,
                            not_costed,
                        },
                    )
                })
                .collect();
            (archs, layers, networks).prop_map(|(archs, layers, networks)| Description {
                archs,
                layers,
                networks,
            })
        })
}

/// An operator not costed: any kind and name (quotes and backslashes
/// included), tensors of known or unknown shape.
fn not_costed() -> impl Strategy<Value = NotCosted> {
    let shape = proptest::option::of(proptest::collection::vec(0u64..100_000, 1..5));
    let shapes = proptest::collection::vec(shape, 0..4);
    (
        "[A-Za-z\"\\\\ /._-]{1,12}",
        proptest::option::of("[A-Za-z0-9\"\\\\ /._,-]{0,12}"),
        shapes.clone(),
        shapes,
    )
        .prop_map(|(op, name, inputs, outputs)| NotCosted {
            op,
            name,
            inputs,
            outputs,
            span: Default::default(),
        })
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 200, ..ProptestConfig::default() }))]

    #[test]
    fn print_then_check_is_identity(desc in description()) {
        let text = print(&desc);
        let again = parse_and_check(&text).map_err(|d| TestCaseError::fail(format!("{d:#?}\n{text}")))?;
        prop_assert_eq!(without_spans(&again), without_spans(&desc), "{}", text);
    }
}
