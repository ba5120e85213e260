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
    let runs: [(&str, &[&str]); 6] = [
        // A single filter-gradient layer: chunked rows, many short passes.
        ("conv4_fgrad", &["examples/conv4.cnn", "--pass", "fgrad"]),
        (
            "alexnet_conv1_5_forward_chip",
            &[
                "examples/alexnet.cnn",
                "--layer",
                "alexnet",
                "--arch",
                "eyeriss_chip",
            ],
        ),
        // Full mode: every processing pass simulated with its values.
        (
            "alexnet_conv1_5_full_chip",
            &[
                "examples/alexnet.cnn",
                "--layer",
                "alexnet",
                "--arch",
                "eyeriss_chip",
                "--verify",
                "full",
            ],
        ),
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
    // A network import: the ONNX ResNet-18 turned into a .cnn file, then
    // that network costed forward, as a user of `cnnc import` runs it.
    let imported = std::env::temp_dir().join(format!("cnnc-bench-{}.cnn", std::process::id()));
    let imported_arg = imported.to_str().expect("temporary path is UTF-8");
    g.bench_function("resnet18_onnx_import_forward", |b| {
        b.iter(|| {
            cnnc(&["import", "tests/import/resnet18.onnx", "-o", imported_arg]);
            cnnc(&[imported_arg, "--layer", "resnet18"]);
        })
    });
    let _ = std::fs::remove_file(&imported);
    g.finish();
}

criterion_group!(commands, benches);
criterion_main!(commands);
