//! Simulator throughput in simulated PE-cycles per second (PEs of the
//! logical set x simulated cycles), on one core. See docs/performance.md.

use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::simulate;
use cnnc::sim::{data::Slices, ArrayParams, Machine};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench_layer(c: &mut Criterion, name: &str, l: &Layer, pass: PassKind) {
    let m = compile(
        l,
        &Arch::eyeriss(),
        pass,
        Dataflow::Rs,
        &PassOptions::default(),
        None,
    )
    .unwrap();
    let p = m.program.as_ref().unwrap();
    // Simulated PE-cycles: every PE of the set over every simulated cycle,
    // the output drain included (idle PEs are simulated by skipping them).
    let cycles = simulate(m.clone(), 0).unwrap().stats.cycles;
    let pe_cycles = p.rows as u64 * p.cols as u64 * cycles;
    eprintln!(
        "{name}: set {} x {}, {} control cycles, {cycles} cycles, {pe_cycles} PE-cycles",
        p.rows, p.cols, p.length
    );
    let mut g = c.benchmark_group("simulate");
    g.throughput(Throughput::Elements(pe_cycles));
    // The interpreter alone, on a compiled program and generated data.
    let l = &m.layer;
    let slices = Slices::generate(0, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
    let params = ArrayParams {
        fifo_depth: 64,
        ofmap_bw: 1,
        zero_gating: true,
    };
    // The flattened program is built once, as a whole-layer run would reuse it.
    let machine = Machine::new(p, params).unwrap();
    g.bench_function(format!("{name}/interpreter"), |b| {
        b.iter(|| machine.run(&|s| slices.resolve(s)).unwrap())
    });
    // Everything after compilation: data, run, reference, check, statistics.
    g.bench_function(format!("{name}/simulate"), |b| {
        b.iter(|| simulate(m.clone(), 0).unwrap())
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    // VGG-16 conv3_x: 56 x 56, 3 x 3, pad 1 -> a 3 x 56 row-stationary set.
    let vgg = Layer::from_sizes(
        "vgg.conv3",
        Hw::square(56),
        256,
        Hw::square(3),
        256,
        Hw::square(1),
        Hw::square(1),
        1,
        1,
    )
    .unwrap();
    bench_layer(c, "rs_3x56_forward", &vgg, PassKind::Forward);
    let conv3 = Layer::from_sizes(
        "alexnet.conv3",
        Hw::square(13),
        256,
        Hw::square(3),
        384,
        Hw::square(1),
        Hw::square(1),
        4,
        1,
    )
    .unwrap();
    bench_layer(c, "alexnet_conv3_forward", &conv3, PassKind::Forward);
}

criterion_group!(name = sim; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(sim);
