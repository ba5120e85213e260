//! Whole commands as a user runs them (the release binary, one process per
//! run, all cores): the figures docs/performance.md records. `cargo bench
//! --bench commands`.

use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};

fn cnnc(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cnnc runs");
    // A refused side exits 1 with its figures still printed; anything else
    // is a failed run, which must not be timed as a result.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "cnnc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("commands");
    g.sample_size(10);
    let runs: [(&str, &[&str]); 3] = [
        (
            "alexnet_conv1_5_forward",
            &["examples/alexnet.cnn", "--layer", "alexnet"],
        ),
        (
            "resnet18_training_step_compare",
            &[
                "examples/resnet18.cnn",
                "--layer",
                "resnet18",
                "--pass",
                "all",
                "--compare",
            ],
        ),
        (
            "dcgan_gan_step_compare",
            &[
                "examples/dcgan.cnn",
                "--layer",
                "dcgan",
                "--pass",
                "all",
                "--compare",
            ],
        ),
    ];
    for (name, args) in runs {
        g.bench_function(name, |b| b.iter(|| cnnc(args)));
    }
    g.finish();
}

criterion_group!(commands, benches);
criterion_main!(commands);
