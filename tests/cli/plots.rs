//! `--plot DIR`: each figure is written, parses as SVG, and holds what a
//! reader needs (axis labels with units, legend entries, one mark per
//! layer, per PE or per design point).

use crate::common::{example, run};

/// The texts and the number of elements named `tag` of an SVG file.
fn svg(path: &std::path::Path, tag: &str) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    let count = doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    (texts, count)
}

fn dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("cnnc-plots-{}-{name}", std::process::id()))
}

#[test]
fn layer_figures() {
    let d = dir("layers");
    let (code, out, err) = run(&[
        &example("alexnet.cnn"),
        "--layer",
        "alexnet.conv3",
        "--pass",
        "all",
        "--plot",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty(), "the results are still printed");
    let (texts, rects) = svg(&d.join("energy.svg"), "rect");
    for t in [
        "energy (mJ)",
        "RF",
        "NoC",
        "GLB",
        "DRAM ifmap",
        "DRAM static",
        "alexnet.conv3 igrad",
        "Energy per layer: arch eyeriss, passes forward, igrad, fgrad",
    ] {
        assert!(
            texts.iter().any(|x| x == t),
            "energy.svg lacks `{t}`: {texts:?}"
        );
    }
    assert!(
        rects >= 3 * 9,
        "a bar segment per pass, level and type: {rects}"
    );
    let (texts, _) = svg(&d.join("cycles.svg"), "rect");
    for t in [
        "cycles (million cycles)",
        "compute",
        "stall: pass_start",
        "stall: dram (waiting for DRAM)",
        "alexnet.conv3 fgrad",
        "Cycles per layer: arch eyeriss, passes forward, igrad, fgrad",
    ] {
        assert!(
            texts.iter().any(|x| x == t),
            "cycles.svg lacks `{t}`: {texts:?}"
        );
    }
    let heat = d.join("pe_utilisation_alexnet_conv3_forward_rs.svg");
    let (texts, _) = svg(&heat, "rect");
    assert!(texts.iter().any(|x| x == "PE row") && texts.iter().any(|x| x == "utilisation"));
    // The whole layer on the physical array (eyeriss: 12 x 14), not the
    // logical set of one 2-D convolution: one labelled cell per PE, and
    // the cells average to the layer's utilisation.
    assert!(
        texts.iter().any(|x| x
            == "PE utilisation, whole layer, 12 x 14 array (simulated): alexnet.conv3 forward rs, arch eyeriss"),
        "{texts:?}"
    );
    let cells: Vec<f64> = texts
        .iter()
        .filter(|x| x.len() == 4 && (x.starts_with("0.") || x.starts_with("1.")))
        .filter_map(|x| x.parse().ok())
        .collect();
    assert_eq!(cells.len(), 12 * 14, "one cell per PE: {texts:?}");
    let (_, json, _) = run(&[
        &example("alexnet.cnn"),
        "--layer",
        "alexnet.conv3",
        "--format",
        "json",
    ]);
    let v = serde_json::from_str::<serde_json::Value>(&json).unwrap();
    let layer = v["layer_stats"]["utilisation"].as_f64().unwrap();
    let mean = cells.iter().sum::<f64>() / cells.len() as f64;
    assert!(
        (mean - layer).abs() < 0.006,
        "cells average {mean}, layer_stats.utilisation {layer}"
    );
}

#[test]
fn sweep_figure() {
    let d = dir("sweep");
    let (code, _, err) = run(&[
        "sweep",
        &example("conv4.cnn"),
        "--vary",
        "array=6x7,12x14,16x16",
        "--pass",
        "igrad",
        "--dataflow",
        "rs,gflow",
        "--plot",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (texts, circles) = svg(&d.join("pareto.svg"), "circle");
    for t in [
        "time (ms)",
        "energy (mJ)",
        "Pareto front",
        "design point",
        "16x16 gflow",
    ] {
        assert!(
            texts.iter().any(|x| x == t),
            "pareto.svg lacks `{t}`: {texts:?}"
        );
    }
    assert!(circles >= 6, "six design points: {circles}");
}

#[test]
fn plot_of_the_ir_is_a_usage_error() {
    let d = dir("ir");
    let (code, out, err) = run(&[
        &example("tiny_s1.cnn"),
        "--emit",
        "ir",
        "--plot",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("E0050"), "{err}");
    assert!(!d.exists());
}

#[test]
fn unwritable_plot_directory_is_a_diagnostic() {
    let file = dir("file");
    std::fs::write(&file, "not a directory").unwrap();
    let (code, out, err) = run(&[&example("tiny_s1.cnn"), "--plot", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("E0420"), "{err}");
}

#[test]
fn merged_shards_plot_the_whole_sweep() {
    let conv4 = example("conv4.cnn");
    let base = [
        "sweep",
        conv4.as_str(),
        "--vary",
        "array=6x7,12x14,16x16",
        "--pass",
        "igrad",
        "--dataflow",
        "rs,gflow",
    ];
    let mut files = Vec::new();
    for k in 1..=2 {
        let f = dir(&format!("part{k}.csv"));
        let shard = format!("{k}/2");
        let mut a = base.to_vec();
        a.extend(["--shard", shard.as_str(), "-o", f.to_str().unwrap()]);
        assert_eq!(run(&a).0, 0);
        files.push(f.display().to_string());
    }
    // A shard alone cannot know the front.
    let mut a = base.to_vec();
    let d = dir("shard-plot");
    a.extend(["--shard", "1/2", "--plot", d.to_str().unwrap()]);
    let (code, _, err) = run(&a);
    assert_eq!(code, 1);
    assert!(err.contains("sweep-merge"), "{err}");
    let d = dir("merged");
    let (code, _, err) = run(&[
        "sweep-merge",
        &files[0],
        &files[1],
        "--plot",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let whole = dir("whole");
    let mut a = base.to_vec();
    a.extend(["--plot", whole.to_str().unwrap()]);
    assert_eq!(run(&a).0, 0);
    let merged = std::fs::read_to_string(d.join("pareto.svg")).unwrap();
    assert_eq!(
        merged,
        std::fs::read_to_string(whole.join("pareto.svg")).unwrap()
    );
    let (texts, _) = svg(&d.join("pareto.svg"), "circle");
    assert!(texts.iter().any(|t| t == "Sweep over array"), "{texts:?}");
}

#[test]
fn compare_figure_per_layer_pass() {
    let d = dir("compare");
    let (code, _, err) = run(&[
        &example("conv4.cnn"),
        "--pass",
        "all",
        "--compare",
        "--plot",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for pass in ["igrad", "fgrad"] {
        let (texts, _) = svg(&d.join(format!("compare_alexnet_conv4_{pass}.svg")), "rect");
        for t in [
            format!("alexnet_conv4: every dataflow, arch eyeriss, pass {pass}"),
            "rs-split (simulated)".to_string(),
            "rs (simulated)".to_string(),
            "on-chip".to_string(),
            "DRAM".to_string(),
            "utilisation".to_string(),
            "dram_bytes (MB)".to_string(),
        ] {
            assert!(texts.contains(&t), "compare {pass} lacks `{t}`: {texts:?}");
        }
    }
    // Forward is row-stationary on every side: nothing to compare.
    assert!(!d.join("compare_alexnet_conv4_forward.svg").exists());
}
