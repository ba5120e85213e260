//! Snapshots of the IR after every pass and of the bytecode text, for the
//! small examples in all three passes and for AlexNet CONV3.
//! IR snapshots live in `snapshots/ir/`, bytecode in `snapshots/signals/`.

use cnnc::bytecode::print_program;
use cnnc::frontend::parse_and_check;
use cnnc::ir::Module;
use cnnc::model::{Arch, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, run_pipeline_dumping, PassOptions};

fn example_layer(file: &str, name: &str) -> Layer {
    let path = format!("{}/examples/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap();
    let desc = parse_and_check(&src).unwrap_or_else(|d| panic!("{path}: {d:?}"));
    desc.layer(name)
        .unwrap_or_else(|| panic!("{path}: no layer {name}"))
        .clone()
}

const PASSES: [(PassKind, &str); 3] = [
    (PassKind::Forward, "forward"),
    (PassKind::Igrad, "igrad"),
    (PassKind::Fgrad, "fgrad"),
];

/// The IR after each pass of the pipeline, one section per pass, from one
/// run that dumps the IR after every pass.
fn ir_after_every_pass(l: &Layer, pass: PassKind, df: Dataflow, physical: bool) -> String {
    let mut m = Module::new(l.clone(), Arch::eyeriss(), pass, df);
    m.physical = physical;
    let dumps = run_pipeline_dumping(&mut m, &PassOptions::default()).unwrap();
    dumps
        .into_iter()
        .map(|(name, ir)| format!("==== after {name} ====\n{ir}"))
        .collect()
}

fn snap(dir: &str, name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => format!("{}/snapshots/{dir}", env!("CARGO_MANIFEST_DIR")),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn pin(file: &str, name: &str, df: Dataflow) {
    let l = example_layer(file, name);
    let short = name.rsplit('.').next().unwrap();
    let dfname = if df == Dataflow::Rs { "rs" } else { "gflow" };
    for (pass, pname) in PASSES {
        if df == Dataflow::Gflow && pass == PassKind::Forward {
            continue;
        }
        snap(
            "ir",
            &format!("{short}-{pname}-{dfname}"),
            &ir_after_every_pass(&l, pass, df, false),
        );
        let m = compile(
            &l,
            &Arch::eyeriss(),
            pass,
            df,
            &PassOptions::default(),
            None,
        )
        .unwrap();
        snap(
            "signals",
            &format!("{short}-{pname}-{dfname}"),
            &print_program(m.program.as_ref().unwrap()),
        );
    }
}

/// The small examples: strides 1 and 2, a non-square one, a padded one.
const SMALL_EXAMPLES: [(&str, &str); 5] = [
    ("tiny_s1.cnn", "tiny_s1"),
    ("small_s2.cnn", "small_s2"),
    ("tiny_s2.cnn", "tiny_s2"),
    ("nonsquare.cnn", "nonsquare"),
    ("padded.cnn", "padded"),
];

#[test]
fn rs_small_examples() {
    for (file, name) in SMALL_EXAMPLES {
        pin(file, name, Dataflow::Rs);
    }
}

#[test]
fn gflow_small_examples() {
    for (file, name) in SMALL_EXAMPLES {
        pin(file, name, Dataflow::Gflow);
    }
}

/// The physical pass: the IR after every pass of the physical pipeline and
/// its bytecode (with the deliveries).
#[test]
fn physical_small_examples() {
    for (file, name) in [
        ("tiny_s1.cnn", "tiny_s1"),
        ("nonsquare.cnn", "nonsquare"),
        ("padded.cnn", "padded"),
    ] {
        let l = example_layer(file, name);
        for (pass, pname) in PASSES {
            let s = ir_after_every_pass(&l, pass, Dataflow::Rs, true);
            snap("ir", &format!("{name}-{pname}-physical"), &s);
            let m = cnnc::passes::compile_physical(&l, &Arch::eyeriss(), pass).unwrap();
            snap(
                "signals",
                &format!("{name}-{pname}-physical"),
                &print_program(m.program.as_ref().unwrap()),
            );
        }
    }
}

#[test]
fn rs_alexnet_conv3() {
    pin("alexnet.cnn", "alexnet.conv3", Dataflow::Rs);
}
