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
    // The example holds the convolutions; the import adds the classifier.
    assert_eq!(imported.len(), example.len() + 1);
    assert_eq!(imported.len(), 21);
    let fc = &imported[20];
    assert_eq!(
        (
            fc.name.as_str(),
            fc.channels,
            fc.filters,
            fc.ifmap,
            fc.filter
        ),
        ("fc", 512, 1000, (1, 1), (1, 1))
    );
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
/// examples/vgg16.cnn layer for layer (names aside), then its three fully
/// connected layers as the convolutions they are; its ReLUs and pools are
/// `not_costed` blocks.
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
    // The example describes the convolutions; the import adds the three
    // fully connected layers, as the convolutions they are.
    let imported_layers = strip(&imported);
    let (convs, fcs) = imported_layers.split_at(13);
    assert_eq!(convs, &strip(&example)[..]);
    let fc: Vec<_> = fcs
        .iter()
        .map(|l| (l.ifmap.h, l.channels, l.filter.h, l.filters, l.ofmap.h))
        .collect();
    assert_eq!(
        fc,
        [
            (7, 512, 7, 4096, 1),
            (1, 4096, 1, 4096, 1),
            (1, 4096, 1, 1000, 1)
        ]
    );
    assert_eq!(text.matches("op = \"MaxPool\"").count(), 5);
    assert_eq!(text.matches("not_costed { op = \"Gemm\"").count(), 0);
    assert!(text.contains("not_costed { op = \"Flatten\"; name = \"/Flatten\"; inputs = \"1 x 512 x 7 x 7\"; outputs = \"1 x 25088\"; }"));
    // ReLUs, max pools, the average pool, the Flatten.
    assert_eq!(imported.networks[0].not_costed.len(), 15 + 5 + 1 + 1);
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
        (
            "tests/import/vgg16.onnx",
            vec![],
            "tests/import/vgg16.expected.cnn",
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
    for f in ["resnet18", "dcgan_generator", "features", "vgg16"] {
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

mod matrix_products {
    //! Fully connected layers: a small model built here node by node
    //! (onnx-protobuf), so no tool outside cargo is needed to make it.
    use cnnc::import::{onnx, Item};
    use onnx_protobuf::{
        tensor_shape_proto::{dimension::Value as Dim, Dimension},
        type_proto::{Tensor, Value},
        AttributeProto, GraphProto, Message, ModelProto, NodeProto, TensorProto, TensorShapeProto,
        TypeProto, ValueInfoProto,
    };

    fn node(op: &str, name: &str, inputs: &[&str], ints: &[(&str, i64)]) -> NodeProto {
        let mut n = NodeProto::new();
        n.op_type = op.into();
        n.name = name.into();
        n.input = inputs.iter().map(|s| s.to_string()).collect();
        n.output = vec![format!("{name}_out")];
        for (k, v) in ints {
            let mut a = AttributeProto::new();
            a.name = k.to_string();
            a.i = *v;
            n.attribute.push(a);
        }
        n
    }

    fn weight(name: &str, dims: &[i64]) -> TensorProto {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = dims.to_vec();
        t
    }

    /// input 2 x 8 x 4 x 4 -> Flatten -> Gemm (128 -> 10, transB) -> Relu
    /// -> MatMul (10 -> 6) -> MatMul by a 3-D tensor (not a layer).
    fn model() -> Vec<u8> {
        let mut g = GraphProto::new();
        g.name = "fc".into();
        let mut shape = TensorShapeProto::new();
        for d in [2, 8, 4, 4] {
            let mut dim = Dimension::new();
            dim.value = Some(Dim::DimValue(d));
            shape.dim.push(dim);
        }
        let mut t = Tensor::new();
        t.shape = Some(shape).into();
        let mut ty = TypeProto::new();
        ty.value = Some(Value::TensorType(t));
        let mut x = ValueInfoProto::new();
        x.name = "x".into();
        x.type_ = Some(ty).into();
        g.input.push(x);
        g.initializer = vec![
            weight("w1", &[10, 128]),
            weight("w2", &[10, 6]),
            weight("w3", &[3, 6, 5]),
        ];
        g.node = vec![
            node("Flatten", "/Flatten", &["x"], &[("axis", 1)]),
            node(
                "Gemm",
                "/fc1/Gemm",
                &["/Flatten_out", "w1"],
                &[("transB", 1)],
            ),
            node("Relu", "/relu/Relu", &["/fc1/Gemm_out"], &[]),
            node("MatMul", "/fc2/MatMul", &["/relu/Relu_out", "w2"], &[]),
            node("MatMul", "/bmm/MatMul", &["/fc2/MatMul_out", "w3"], &[]),
        ];
        let mut m = ModelProto::new();
        m.graph = Some(g).into();
        m.write_to_bytes().unwrap()
    }

    #[test]
    fn gemm_and_matmul_are_convolutions() {
        let m = onnx::import(&model(), None).unwrap();
        let convs: Vec<_> = m
            .items
            .iter()
            .filter_map(|i| if let Item::Conv(c) = i { Some(c) } else { None })
            .collect();
        assert_eq!(convs.len(), 2);
        // After Flatten: a 4 x 4 filter over the 8-channel 4 x 4 tensor.
        let fc1 = convs[0];
        assert_eq!(
            (fc1.name.as_str(), fc1.batch, fc1.ifmap, fc1.channels),
            ("fc1", 2, (4, 4), 8)
        );
        assert_eq!((fc1.filter, fc1.filters, fc1.ofmap), ((4, 4), 10, (1, 1)));
        // On a 2-D input: 1 x 1 over the 10 inputs.
        let fc2 = convs[1];
        assert_eq!(
            (fc2.ifmap, fc2.channels, fc2.filter, fc2.filters, fc2.batch),
            ((1, 1), 10, (1, 1), 6, 2)
        );
        // The batched product is not a layer: it is listed with its shapes.
        let skipped: Vec<_> = m
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Skipped { op, inputs, .. } => Some((op.as_str(), inputs.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            skipped,
            [
                ("Flatten", vec![Some(vec![2, 8, 4, 4])]),
                ("Relu", vec![Some(vec![2, 10])]),
                ("MatMul", vec![Some(vec![2, 6])]),
            ]
        );
    }

    /// The imported text checks, every layer runs all three passes, and the
    /// operators not costed are in the totals (text, JSON, CSV).
    #[test]
    fn imported_fc_network_runs_and_lists_what_is_left_out() {
        let dir = std::env::temp_dir().join(format!("cnnc-fc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model_path = dir.join("fc.onnx");
        std::fs::write(&model_path, model()).unwrap();
        let (code, text, err) = crate::common::run(&["import", model_path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(text.contains("layer fc1 { ifmap = 4 x 4; channels = 8; filter = 4 x 4; filters = 10; batch = 2; ofmap = 1 x 1; }"), "{text}");
        assert!(text.contains(
            "not_costed { op = \"MatMul\"; name = \"/bmm/MatMul\"; inputs = \"2 x 6\"; outputs = \"3 x 2 x 5\"; }"
        ), "{text}");
        let cnn = dir.join("fc.cnn");
        std::fs::write(&cnn, &text).unwrap();
        let f = cnn.to_str().unwrap();
        let (code, out, err) = crate::common::run(&[f, "--pass", "all"]);
        assert_eq!(code, 0, "{err}");
        for l in ["fc.fc1", "fc.fc2"] {
            for p in ["forward", "igrad", "fgrad"] {
                assert!(
                    out.lines()
                        .any(|r| r.starts_with(l) && r.contains(p) && r.ends_with("true")),
                    "{l} {p}:\n{out}"
                );
            }
        }
        assert!(
            out.contains("not in the total (3 operators cnnc does not cost"),
            "{out}"
        );
        assert!(
            out.contains("  MatMul /bmm/MatMul: 2 x 6 -> 3 x 2 x 5\n"),
            "{out}"
        );
        let (code, json, _) = crate::common::run(&[f, "--format", "json"]);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["schema_version"], cnnc::schema::SCHEMA_VERSION);
        let ni = v["totals"]["not_included"].as_array().unwrap();
        assert_eq!(ni.len(), 3);
        assert_eq!(ni[0]["item"], "operator");
        assert_eq!(ni[0]["op"], "Flatten");
        assert_eq!(ni[0]["inputs"], serde_json::json!([[2, 8, 4, 4]]));
        assert_eq!(ni[0]["outputs"], serde_json::json!([[2, 128]]));
        assert_eq!(ni[2]["outputs"], serde_json::json!([[3, 2, 5]]));
        let (code, csv, _) = crate::common::run(&[f, "--format", "csv"]);
        assert_eq!(code, 0);
        assert!(
            csv.lines().any(|l| l.starts_with("/relu/Relu,")
                && l.ends_with("not costed: Relu /relu/Relu: 2 x 10 -> 2 x 10")),
            "{csv}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The `.cnn` examples of docs/language.md (blocks that open with `layer`,
/// `arch` or `network`) check as written: the fully connected layers and
/// `not_costed` blocks shown there included.
#[test]
fn language_doc_examples_check() {
    let text = std::fs::read_to_string(path("docs/language.md")).unwrap();
    let mut checked = 0;
    for block in text.split("```").skip(1).step_by(2) {
        let body = block.trim_start_matches(|c: char| c != '\n');
        let first = body.trim_start();
        if !["layer ", "arch ", "network "]
            .iter()
            .any(|k| first.starts_with(k))
        {
            continue;
        }
        cnnc::frontend::parse_and_check(body).unwrap_or_else(|d| panic!("{body}\n{d:#?}"));
        checked += 1;
    }
    assert!(checked >= 4, "{checked}");
}
