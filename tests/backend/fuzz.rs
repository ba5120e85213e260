//! A fuzz loop over the whole backend, run by `cargo test` for a fixed
//! number of seeded iterations on stable Rust: random layers (sizes,
//! strides, padding, batch, channels, groups, mapping hints), random archs,
//! every pass, both dataflows, random Grad-Flow groupings, every output
//! kind. Each request must end in an output or diagnostics, never a panic;
//! a report's numbers must be finite, and every report verifies.

use cnnc::backend::{run, Request, Target};
use cnnc::model::{Arch, Hw, Layer, MappingHint};
use cnnc::options::{Dataflow, Emit, Format, Objective, PassKind};

use crate::common::Rng;

fn layer(r: &mut Rng) -> Option<Layer> {
    let (h, w) = (r.range(1, 14), r.range(1, 14));
    let (fr, fs) = (r.range(1, 5), r.range(1, 5));
    let (sh, sw) = (r.range(1, 3), r.range(1, 3));
    let (ph, pw) = (r.below(4), r.below(4));
    let groups = r.range(1, 2);
    let channels = groups * r.range(1, 3);
    let filters = groups * r.range(1, 3);
    let (hp, wp) = (h + 2 * ph, w + 2 * pw);
    if fr > hp || fs > wp {
        return None;
    }
    // Trim so the stride tiles the padded input.
    let h = h.checked_sub((hp - fr) % sh).filter(|&x| x > 0)?;
    let w = w.checked_sub((wp - fs) % sw).filter(|&x| x > 0)?;
    let mut l = Layer::from_sizes(
        "fuzz",
        Hw::new(h, w),
        channels,
        Hw::new(fr, fs),
        filters,
        Hw::new(sh, sw),
        Hw::new(ph, pw),
        r.range(1, 3),
        groups,
    )?;
    if r.below(3) == 0 {
        l.mapping = Some(MappingHint {
            n: Some(r.range(1, 2)),
            p: Some(r.range(1, 4)),
            q: Some(r.range(1, 3)),
            ..MappingHint::default()
        });
    }
    Some(l)
}

fn arch(r: &mut Rng) -> Arch {
    let mut a = Arch::eyeriss();
    a.name = "fuzz".into();
    a.array = Hw::new(r.range(1, 14), r.range(1, 14));
    a.rf_ifmap = r.range(1, 24);
    a.rf_filter = r.range(1, 256);
    a.rf_psum = r.range(1, 32);
    a.glb_banks = r.range(1, 26);
    a.glb_filter_banks = r.range(1, 3);
    a.glb_bank = r.range(16, 8192);
    a.pipeline_mul = r.range(1, 4);
    a.pipeline_add = r.range(1, 2);
    a.fifo_depth = r.range(1, 64);
    a.noc_ofmap = r.range(1, 3);
    a.noc_ifmap = r.range(1, 3);
    a.noc_filter = r.range(1, 3);
    a.zero_gating = r.below(2) == 0;
    a.precision = [4, 8, 16, 32][r.below(4) as usize];
    a.glb_width_bits = [1, 16, 64, 512][r.below(4) as usize];
    a.energy_rf = [0.0, 0.9, 1e6][r.below(3) as usize];
    a
}

#[test]
fn the_backend_never_panics_and_reports_only_finite_numbers() {
    let mut r = Rng(0x5eed_cafe_f00d_1234);
    let mut runs = 0;
    for _ in 0..300 {
        let Some(l) = layer(&mut r) else { continue };
        let a = arch(&mut r);
        let pass = [
            PassKind::Forward,
            PassKind::Igrad,
            PassKind::Fgrad,
            PassKind::All,
        ][r.below(4) as usize];
        let dataflow = if r.below(2) == 0 {
            Dataflow::Rs
        } else {
            Dataflow::Gflow
        };
        let emit = [Emit::Stats, Emit::Stats, Emit::Ir, Emit::Signals][r.below(4) as usize];
        let gflow_group = [1, 2, -1, -2, 3][r.below(5) as usize];
        let objective =
            [Objective::Energy, Objective::Latency, Objective::Edp][r.below(3) as usize];
        let req = Request {
            pass,
            dataflow,
            gflow_group: cnnc::options::GflowGroup::Fixed(gflow_group),
            emit,
            format: if r.below(2) == 0 {
                Format::Text
            } else {
                Format::Json
            },
            seed: r.below(100),
            after: None,
            compare: emit == Emit::Stats && r.below(6) == 0,
            objective,
            ..Request::new(Target::Layer(&l), &a)
        };
        runs += 1;
        match run(&req) {
            Ok(out) => {
                let t = &out.text;
                assert!(
                    !t.contains("verified         false") && !t.contains("\"verified\": false"),
                    "{l:?} {a:?}\n{t}"
                );
                let bad = t
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .any(|w| w == "inf" || w == "-inf" || w.contains("NaN"));
                assert!(!bad, "{l:?} {a:?}\n{t}");
                for d in &out.refusals {
                    assert!(d.code.as_str().starts_with("E0"), "{d:?}");
                }
            }
            Err(diags) => assert!(!diags.is_empty()),
        }
    }
    assert!(runs > 150, "only {runs} runs");
}
