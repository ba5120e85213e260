//! `cnnc import` on the models in tests/import/ (made by
//! tests/import/make_models.py with onnx.helper, mirroring torchvision's
//! ResNet-18 and the PyTorch DCGAN generator, weights stripped).

use cnnc::import::{onnx, Item};

use crate::common::{path, run};

fn convs(file: &str) -> Vec<cnnc::import::ConvLayer> {
    let bytes = std::fs::read(path(file)).unwrap();
    onnx::import(&bytes, None)
        .unwrap()
        .items
        .into_iter()
        .filter_map(|i| match i {
            Item::Conv(c) => Some(c),
            Item::Skipped { .. } => None,
        })
        .collect()
}

/// ResNet-18 as imported is what the framework computes; examples/resnet18.cnn
/// describes the same convolutions with the never-read zero rows of the
/// strided layers folded away (see the comment at its top). So every layer
/// agrees on channels, filters, filter, stride and output, and the rows
/// each reads differ by exactly the rows the stride leaves unused.
#[test]
fn resnet18_matches_the_example() {
    let imported = convs("tests/import/resnet18.onnx");
    let text = std::fs::read_to_string(path("examples/resnet18.cnn")).unwrap();
    let desc = cnnc::frontend::parse_and_check(&text).unwrap();
    let example = &desc.networks[0].layers;
    assert_eq!(imported.len(), example.len());
    assert_eq!(imported.len(), 20);
    for (i, e) in imported.iter().zip(example) {
        assert_eq!(i.channels, e.channels, "{}", e.name);
        assert_eq!(i.filters, e.filters, "{}", e.name);
        assert_eq!(i.filter, (e.filter.h, e.filter.w), "{}", e.name);
        assert_eq!(i.stride, (e.stride.h, e.stride.w), "{}", e.name);
        assert_eq!(i.ofmap, (e.ofmap.h, e.ofmap.w), "{}", e.name);
        assert_eq!((i.groups, i.batch, i.dilation), (e.groups, e.batch, (1, 1)));
        // The example now states the framework's true shapes (the language
        // floors a stride's leftover rows as PyTorch does), so the import
        // equals it exactly.
        assert_eq!(i.ifmap, (e.ifmap.h, e.ifmap.w), "{}", e.name);
        assert_eq!(i.pad, (e.pad.h, e.pad.w), "{}", e.name);
    }
    // The framework's true description of conv1.
    let c1 = &imported[0];
    assert_eq!(
        (c1.ifmap, c1.pad, c1.name.as_str()),
        ((224, 224), (3, 3), "conv1")
    );
    assert_eq!(imported[7].name, "layer2_0_downsample_0");
}

/// VGG-16 has no strided convolution: its import checks today and is
/// examples/vgg16.cnn layer for layer (names aside); its pools and fully
/// connected layers are the comments.
#[test]
fn vgg16_import_is_the_example() {
    let (code, text, err) = run(&["import", &path("tests/import/vgg16.onnx")]);
    assert_eq!(code, 0, "{err}");
    let imported = cnnc::frontend::parse_and_check(&text).unwrap();
    let example = cnnc::frontend::parse_and_check(
        &std::fs::read_to_string(path("examples/vgg16.cnn")).unwrap(),
    )
    .unwrap();
    let strip = |d: &cnnc::model::Description| {
        let mut layers = cnnc::frontend::without_spans(d).networks[0].layers.clone();
        for l in &mut layers {
            l.name.clear();
        }
        layers
    };
    assert_eq!(strip(&imported), strip(&example));
    assert_eq!(text.matches("not costed: MaxPool").count(), 5);
    assert_eq!(text.matches("not costed: Gemm").count(), 3);
    assert!(text.contains("not costed: Flatten /Flatten: 1 x 512 x 7 x 7 -> 1 x 25088"));
}

#[test]
fn imports_equal_their_snapshots() {
    for (model, args, expected) in [
        (
            "tests/import/resnet18.onnx",
            vec![],
            "tests/import/resnet18.expected.cnn",
        ),
        (
            "tests/import/dcgan_generator.onnx",
            vec![],
            "tests/import/dcgan_generator.expected.cnn",
        ),
        (
            "tests/import/features.onnx",
            vec!["--batch", "2"],
            "tests/import/features.expected.cnn",
        ),
    ] {
        let m = path(model);
        let mut a = vec!["import", m.as_str()];
        a.extend(args);
        let (code, out, err) = run(&a);
        assert_eq!(code, 0, "{model}: {err}");
        assert_eq!(
            out,
            std::fs::read_to_string(path(expected)).unwrap(),
            "{model}"
        );
    }
}

#[test]
fn dcgan_generator_is_transposed_convolutions() {
    let c = convs("tests/import/dcgan_generator.onnx");
    let shapes: Vec<_> = c
        .iter()
        .map(|l| (l.channels, l.filters, l.ifmap.0, l.ofmap.0))
        .collect();
    assert_eq!(
        shapes,
        [
            (100, 512, 1, 4),
            (512, 256, 4, 8),
            (256, 128, 8, 16),
            (128, 64, 16, 32),
            (64, 3, 32, 64)
        ]
    );
    assert!(c.iter().all(|l| l.transposed && l.filter == (4, 4)));
    assert_eq!(c[1].stride, (2, 2));
    assert_eq!(c[1].pad, (1, 1));
}

#[test]
fn features_dilation_groups_and_padding() {
    let (code, out, err) = run(&["import", &path("tests/import/features.onnx")]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("E0405") && err.contains("--batch"), "{err}");
    let bytes = std::fs::read(path("tests/import/features.onnx")).unwrap();
    let m = onnx::import(&bytes, Some(3)).unwrap();
    let c: Vec<_> = m
        .items
        .iter()
        .filter_map(|i| if let Item::Conv(c) = i { Some(c) } else { None })
        .collect();
    assert_eq!((c[0].dilation, c[0].ofmap), ((2, 2), (33, 33)));
    assert_eq!(
        (c[1].groups, c[1].ifmap, c[1].pad, c[1].ofmap),
        (16, (34, 34), (0, 0), (16, 16))
    );
    assert!(c[1].note.as_deref().unwrap().contains("folded"));
    // SAME_UPPER on 16 with 3x3/2: total pad 1, at the end.
    assert_eq!(
        (c[2].ifmap, c[2].pad, c[2].ofmap),
        ((17, 17), (0, 0), (8, 8))
    );
    assert_eq!(
        (c[3].output_pad, c[3].ofmap, c[3].channels),
        ((1, 1), (8, 8), 32)
    );
    assert!(c.iter().all(|l| l.batch == 3));
}

#[test]
fn scalesim_topology_imports_and_checks() {
    let (code, out, err) = run(&[
        "import",
        &path("tests/import/alexnet_scalesim.csv"),
        "--batch",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let desc = cnnc::frontend::parse_and_check(&out).unwrap();
    let layers = &desc.networks[0].layers;
    assert_eq!(layers.len(), 5);
    // The padded inputs of examples/alexnet.cnn give the same outputs.
    let example = cnnc::frontend::parse_and_check(
        &std::fs::read_to_string(path("examples/alexnet.cnn")).unwrap(),
    )
    .unwrap();
    for (i, e) in layers.iter().zip(&example.networks[0].layers) {
        assert_eq!(
            (i.ofmap, i.filters, i.batch),
            (e.ofmap, e.filters, e.batch),
            "{}",
            e.name
        );
        assert_eq!(i.ifmap.h, e.ifmap.h + 2 * e.pad.h);
    }
}

#[test]
fn broken_models_get_diagnostics() {
    let dir = std::env::temp_dir().join(format!("cnnc-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read(path("tests/import/resnet18.onnx")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "garbage.onnx",
            b"\xff\xff\xff\xff not protobuf".to_vec(),
            "E0400",
        ),
        // Cut at a field boundary, protobuf may still decode a (partial) model.
        ("truncated.onnx", good[..good.len() / 2].to_vec(), "E040"),
        ("empty.onnx", Vec::new(), "E0400"),
        (
            "bad.csv",
            b"h\nConv1, 10, 10, 20, 3, 3, 8, 1,\n".to_vec(),
            "E0404",
        ),
        ("short.csv", b"h\nConv1, 10, 10\n".to_vec(), "E0404"),
        ("none.csv", b"Layer name, IFMAP Height\n".to_vec(), "E0403"),
    ];
    for (name, bytes, code) in cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let (c, out, err) = run(&["import", p.to_str().unwrap()]);
        assert_eq!(c, 1, "{name}");
        assert!(out.is_empty(), "{name}");
        assert!(err.contains(code) && err.contains("help"), "{name}: {err}");
    }
    let (c, _, err) = run(&["import", "/nonexistent/model.onnx"]);
    assert_eq!((c, err.contains("cannot read")), (1, true));
    let out = dir.join("out.cnn");
    let (c, _, _) = run(&[
        "import",
        &path("tests/import/resnet18.onnx"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(c, 0);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("// Imported by `cnnc import`"));
}

/// The imported files check end to end: the language has the framework's
/// floor rule and the `transposed`, `output_pad` and `dilation` keys.
#[test]
fn imported_models_check() {
    for f in ["resnet18", "dcgan_generator", "features"] {
        let text =
            std::fs::read_to_string(path(&format!("tests/import/{f}.expected.cnn"))).unwrap();
        cnnc::frontend::parse_and_check(&text).unwrap_or_else(|d| panic!("{f}: {d:?}"));
    }
}

/// Corrupted models never panic: every byte position of a small model, set
/// to a few values, gives a model or a diagnostic.
#[test]
fn corrupted_models_never_panic() {
    let good = std::fs::read(path("tests/import/features.onnx")).unwrap();
    for i in 0..good.len() {
        for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[i] = v;
            if let Err(d) = onnx::import(&bytes, Some(1)) {
                assert!(d.code.as_str().starts_with("E040"), "{}", d.code);
                assert!(d.help.is_some());
            }
        }
    }
}
