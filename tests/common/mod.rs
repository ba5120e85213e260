//! Helpers shared by the integration tests.
// Each test crate uses a different subset of these.
#![allow(dead_code)]

use std::path::PathBuf;

use cnnc::model::{Hw, Layer};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `config` with its failing cases saved next to the test's source file
/// (`tests/SUITE/NAME.proptest-regressions`). Proptest's default puts them
/// in `tests/proptest-regressions/NAME.txt` once a suite has a `main.rs`,
/// one folder shared by all suites.
pub fn regressions_beside_source(config: ProptestConfig) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..config
    }
}

/// Every `.cnn` file of `examples/`, sorted.
pub fn example_files() -> Vec<PathBuf> {
    let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cnn"))
        .collect();
    files.sort();
    files
}

/// The example networks whose every layer, simulated whole for each pass
/// and dataflow, takes minutes: their snapshot tests are `#[ignore]`d
/// (`cargo test --release -- --ignored`), the suite keeps the rest.
pub const LARGE_EXAMPLES: &[&str] = &["alexnet", "dcgan", "deeplab", "resnet18", "vgg16"];

/// The example files, large (`LARGE_EXAMPLES`) or the others, sorted.
pub fn examples_sized(large: bool) -> Vec<PathBuf> {
    example_files()
        .into_iter()
        .filter(|p| {
            let stem = p.file_stem().unwrap_or_default().to_string_lossy();
            LARGE_EXAMPLES.contains(&stem.as_ref()) == large
        })
        .collect()
}

/// A small single-channel layer with random sizes, strides and padding
/// (non-square everywhere), trimmed so that the stride tiles the input, or
/// `None` when the sizes do not make a layer.
pub fn small_layer(max_in: u64) -> impl Strategy<Value = Option<Layer>> {
    (
        1..max_in,
        1..max_in,
        1u64..5,
        1u64..5,
        1u64..4,
        1u64..4,
        0u64..3,
        0u64..3,
    )
        .prop_map(|(h, w, r, s, sh, sw, ph, pw)| {
            let (hp, wp) = (h + 2 * ph, w + 2 * pw);
            if r > hp || s > wp {
                return None;
            }
            let h = h.checked_sub((hp - r) % sh).filter(|&h| h > 0)?;
            let w = w.checked_sub((wp - s) % sw).filter(|&w| w > 0)?;
            Layer::from_sizes(
                "p",
                Hw::new(h, w),
                1,
                Hw::new(r, s),
                1,
                Hw::new(sh, sw),
                Hw::new(ph, pw),
                1,
                1,
            )
        })
}

/// The path of `examples/NAME`.
pub fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The path of NAME under the repository root.
pub fn path(name: &str) -> String {
    format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs cnnc in-process with `args`; returns (status, stdout, stderr). A
/// usage error is clap's status and message.
pub fn run(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let cli =
        match cnnc::cli::Cli::try_parse_from(std::iter::once("cnnc").chain(args.iter().copied())) {
            Ok(c) => c,
            Err(e) => return (e.exit_code(), String::new(), e.to_string()),
        };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cnnc::driver::run_with(
        &cli,
        &mut cnnc::driver::Io {
            out: &mut out,
            err: &mut err,
            color: false,
        },
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// xorshift64*: deterministic pseudo-random numbers, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// Compiles one pass of `l` with Grad-Flow grouped by `g` on `arch`.
pub fn compile_gflow(
    l: &Layer,
    arch: &cnnc::model::Arch,
    pass: cnnc::options::PassKind,
    g: i64,
) -> Result<cnnc::ir::Module, cnnc::diag::Diagnostic> {
    cnnc::passes::compile(
        l,
        arch,
        pass,
        cnnc::options::Dataflow::Gflow,
        &cnnc::options::PassOptions::gflow_group(g),
        None,
    )
}
