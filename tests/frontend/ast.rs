//! Every example checks, and its canonical text (`--emit ast`) is a
//! snapshot in snapshots/ast/. The text also reads back to the same model.

use std::path::Path;

use cnnc::frontend::{parse_and_check, print, without_spans};

#[test]
fn examples_check_and_print() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cnn"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let desc = parse_and_check(&source).unwrap_or_else(|d| panic!("{stem}: {d:#?}"));
        let text = print(&desc);
        let again = parse_and_check(&text).unwrap_or_else(|d| panic!("{stem} reprinted: {d:#?}"));
        assert_eq!(without_spans(&again), without_spans(&desc), "{stem}");
        insta::with_settings!({ snapshot_path => "../../snapshots/ast", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem, text);
        });
    }
}

#[test]
fn known_output_sizes() {
    let read = |f: &str| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(f);
        parse_and_check(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let alex = read("alexnet.cnn");
    let conv1 = alex.layer("alexnet.conv1").unwrap();
    assert_eq!((conv1.ofmap.h, conv1.ofmap.w, conv1.batch), (55, 55, 4));
    let conv4 = read("conv4.cnn");
    assert_eq!(
        conv4.layer("alexnet_conv4").unwrap().ofmap,
        cnnc::model::Hw::new(6, 6)
    );
    let ns = read("nonsquare.cnn");
    assert_eq!(
        ns.layer("nonsquare").unwrap().ofmap,
        cnnc::model::Hw::new(3, 4)
    );
    let archs = read("small_arch.cnn");
    let tiny = archs.arch("tiny").unwrap();
    assert_eq!(tiny.array, cnnc::model::Hw::new(3, 3));
    assert_eq!(tiny.glb_banks, 12, "inherited from small");
    assert_eq!(tiny.glb_bank, 1024);
    assert!(!tiny.zero_gating);
    assert_eq!(archs.arch("eyeriss"), Some(cnnc::model::Arch::eyeriss()));
}

#[test]
fn lexical_corners() {
    let src = r#"
        /* a /* nested */ comment */ // line comment
        arch s : eyeriss { dram = "a\"b\\c.json"; energy.rf = 1e-3 pJ; clock = 1_000 MHz; glb.bank = 0.5 KiB; }
        layer l { ifmap = 13x13; filter = 3 x3; mapping { ifmap_banks = 12; } }
    "#;
    let d = parse_and_check(src).unwrap();
    let s = d.arch("s").unwrap();
    assert_eq!(s.dram, "a\"b\\c.json");
    assert_eq!(s.energy_rf, 1e-3);
    assert_eq!(s.clock_hz, 1_000_000_000);
    assert_eq!(s.glb_bank, 512);
    let l = d.layer("l").unwrap();
    assert_eq!(l.ofmap, cnnc::model::Hw::new(11, 11));
    assert_eq!(l.mapping.unwrap().ifmap_banks, Some(12));
}
