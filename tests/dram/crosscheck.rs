//! Writes the traces used for the cross-check against DRAMPower v4.1
//! (docs/energy.md) together with cnnc's per-device figures. Ignored by
//! default; run with
//!
//! ```text
//! CNNC_DRAM_XCHECK_DIR=target/xcheck cargo test --test dram_crosscheck -- --ignored
//! ```
//!
//! then `drampower -m MICRON_4Gb_DDR4-1866_8bit_A.xml -c target/xcheck/NAME.trace`
//! for each trace and compare with NAME.cnnc.json.

use cnnc::dram::{
    energy, generate_for, memspec, parse_trace, trace_end_cycle, write_trace, Command, GenOptions,
    MemSpec, Pacing, Transfer,
};

fn cases() -> Vec<(&'static str, Vec<Transfer>, GenOptions)> {
    let greedy = |cover_cycles| GenOptions {
        cover_cycles,
        pacing: Pacing::Greedy,
    };
    // A small conv layer: ifmap and filter reads, ofmap writes.
    let layer = vec![
        Transfer::read(0, 64 * 1024),
        Transfer::read(1 << 20, 16 * 1024),
        Transfer::write(2 << 20, 32 * 1024),
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = Vec::new();
    for i in 0..400 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (addr, len) = (x % (1 << 26), 1 + (x >> 44) % 4096);
        random.push(if i % 4 == 0 {
            Transfer::write(addr, len)
        } else {
            Transfer::read(addr, len)
        });
    }
    vec![
        ("layer_greedy", layer.clone(), greedy(20_000)),
        ("random_mix", random, greedy(100_000)),
        (
            "layer_spread",
            layer,
            GenOptions {
                cover_cycles: 400_000,
                pacing: Pacing::Spread,
            },
        ),
    ]
}

fn per_device_json(spec: &MemSpec, cmds: &[Command]) -> String {
    // DRAMPower v4.1 ends a trace at its last command plus completion time
    // and reports one device; do the same here.
    let e = energy(spec, cmds, trace_end_cycle(spec, cmds));
    let d = f64::from(e.devices);
    serde_json::json!({
        "act": e.act / d, "pre": e.pre / d, "rd": e.rd / d, "wr": e.wr / d,
        "refresh": e.refresh / d, "background": e.background / d,
        "total": e.total / d, "avg_power_mw": e.avg_power_mw / d,
        "cycles": e.cycles, "active_cycles": e.active_cycles,
        "precharged_cycles": e.precharged_cycles,
        "acts": e.acts, "pres": e.pres, "reads": e.reads, "writes": e.writes, "refs": e.refs,
    })
    .to_string()
}

#[test]
#[ignore]
fn write_crosscheck_traces() {
    let Ok(dir) = std::env::var("CNNC_DRAM_XCHECK_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = memspec("ddr4-1866").unwrap();
    for (name, reqs, opts) in cases() {
        let g = generate_for(&spec, &reqs, &opts).unwrap();
        let mut f = std::fs::File::create(dir.join(format!("{name}.trace"))).unwrap();
        write_trace(&g.commands, &mut f).unwrap();
    }
    // Every trace in the directory, including hand-written ones, as the
    // `cnnc dram` command would read it.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("trace") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let trace = parse_trace(&spec, &text).unwrap();
        let json = per_device_json(&spec, &trace.commands);
        std::fs::write(path.with_extension("cnnc.json"), json).unwrap();
    }
}
