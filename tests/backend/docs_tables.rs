//! The pipeline and pass tables of docs/architecture.md are the registry's
//! (`cnnc::passes::docs_tables`), between the two marker comments; and the
//! registry's pipelines are well formed.

use cnnc::ir::Module;
use cnnc::model::{Arch, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{docs_tables, pipeline_for, pipelines, registry};

const BEGIN: &str = "<!-- generated from the pass registry: cnnc::passes::docs_tables -->\n";
const END: &str = "<!-- end of the generated tables -->\n";

#[test]
fn docs_pass_tables_are_the_registry() {
    let path = format!("{}/docs/architecture.md", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, rest) = text
        .split_once(BEGIN)
        .unwrap_or_else(|| panic!("{path} has no line {BEGIN:?}"));
    let (tables, _) = rest
        .split_once(END)
        .unwrap_or_else(|| panic!("{path} has no line {END:?}"));
    let want = format!("\n{}\n", docs_tables());
    assert!(
        tables == want,
        "the tables of {path} differ from the pass registry; between the marker lines they should read:\n{want}"
    );
}

#[test]
fn every_dataflow_has_its_two_pipelines_and_every_pass_is_registered() {
    for df in [Dataflow::Rs, Dataflow::Gflow] {
        for physical in [false, true] {
            let n = pipelines()
                .iter()
                .filter(|p| p.dataflow == df && p.physical == physical)
                .count();
            assert_eq!(n, 1, "{df:?} physical={physical}");
            assert_eq!(pipeline_for(df, physical).physical, physical);
        }
    }
    let names: Vec<&str> = registry().iter().map(|p| p.name()).collect();
    for p in pipelines() {
        for q in p.passes {
            assert!(names.contains(&q.name()), "{}: {}", p.name, q.name());
        }
    }
}

/// Each pipeline's needs are met in order from an empty module (the
/// manager's check refuses nothing), and a module missing a part a pass
/// needs is an internal error naming that pass, not a panic.
#[test]
fn pipelines_meet_their_needs_and_a_missing_part_is_an_internal_error() {
    use cnnc::passes::Part;
    for p in pipelines() {
        let mut have = Vec::new();
        for q in p.passes {
            for n in q.needs() {
                assert!(have.contains(n), "{}: {} needs {n}", p.name, q.name());
            }
            have.extend(q.provides());
        }
        assert!(have.contains(&Part::Program), "{} lowers nothing", p.name);
    }
    let l = Layer::from_sizes(
        "l",
        cnnc::model::Hw::square(5),
        1,
        cnnc::model::Hw::square(3),
        1,
        cnnc::model::Hw::square(1),
        cnnc::model::Hw::default(),
        1,
        1,
    )
    .unwrap();
    let m = Module::new(l, Arch::eyeriss(), PassKind::Forward, Dataflow::Rs);
    let d = cnnc::passes::refit(&m).expect_err("no set to fit");
    assert_eq!(d.code, cnnc::diag::Code::Internal);
    assert!(d.message.contains("pass `gflow-fit`"), "{}", d.message);
    assert!(
        d.message.contains("needs the module's set"),
        "{}",
        d.message
    );
}
