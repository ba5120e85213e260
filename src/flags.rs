//! Command-line options that conflict or that the chosen output ignores:
//! each is diagnostic E0050 (a usage error, exit status 2) before any work,
//! instead of being silently dropped.

use std::path::{Path, PathBuf};

use crate::cli::RunArgs;
use crate::diag::{Code, Diagnostic};
use crate::io::file_id;
use crate::options::{Dataflow, Emit, Format, Verify};

fn conflict(message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::ConflictingOptions, message).with_help(help)
}

/// Every conflict among `args`, in a fixed order.
pub fn conflicts(args: &RunArgs) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let emit = format!("{:?}", args.emit).to_lowercase();
    if args.after.is_some() && args.emit != Emit::Ir {
        out.push(conflict(
            format!("`--after` selects the IR to print, but the output is `--emit {emit}`"),
            "add `--emit ir`, or drop `--after`",
        ));
    }
    if args.compare && args.dataflow != Dataflow::Rs {
        out.push(conflict(
            format!(
                "`--compare` runs every dataflow; `--dataflow {}` picks one",
                crate::options::dataflow_name(args.dataflow)
            ),
            "drop `--dataflow` with `--compare`",
        ));
    }
    if matches!(args.dataflow, Dataflow::RsSplit | Dataflow::Auto)
        && matches!(args.emit, Emit::Ir | Emit::Signals)
    {
        out.push(conflict(
            format!(
                "`--dataflow {}` runs a pass as other layers or dataflows, but `--emit {emit}` prints one compiled module",
                crate::options::dataflow_name(args.dataflow)
            ),
            "use `--dataflow rs` or `gflow` with `--emit ir|signals` (a phase of `rs-split` is an ordinary layer: write it as one), or `--emit stats`",
        ));
    }
    if args.compare && args.emit != Emit::Stats {
        out.push(conflict(
            format!("`--compare` compares statistics, but the output is `--emit {emit}`"),
            "drop `--compare`, or use `--emit stats`",
        ));
    }
    let fixed = matches!(args.search.gflow_group, crate::options::GflowGroup::Fixed(g) if g != 1);
    if fixed && args.dataflow == Dataflow::Rs && !args.compare {
        out.push(conflict(
            format!(
                "`--gflow-group {}` groups Grad-Flow passes, but the dataflow is row-stationary",
                args.search.gflow_group
            ),
            "add `--dataflow gflow` (or `--compare`), or drop `--gflow-group`",
        ));
    }
    if args.plot.is_some() && matches!(args.emit, Emit::Ir | Emit::Signals) {
        out.push(conflict(
            format!("`--plot` draws the statistics, but the output is `--emit {emit}`"),
            "drop `--plot`, or use `--emit stats`",
        ));
    }
    if args.seed != 0 && matches!(args.emit, Emit::Ast | Emit::Ir | Emit::Signals) {
        out.push(conflict(
            format!("`--seed` chooses simulation data, but `--emit {emit}` simulates nothing"),
            "drop `--seed`, or use `--emit stats`",
        ));
    }
    // IR and signals are text formats of their own: a JSON or CSV consumer
    // must not get them with exit status 0.
    let format = format!("{:?}", args.format).to_lowercase();
    let textual = matches!(args.emit, Emit::Ir | Emit::Signals) && args.format != Format::Text;
    if textual || (args.emit == Emit::Ast && args.format == Format::Csv) {
        let allowed = if args.emit == Emit::Ast {
            "text or json"
        } else {
            "text only"
        };
        out.push(conflict(
            format!("`--emit {emit}` prints {allowed}, not `--format {format}`"),
            "drop `--format`, or use `--emit stats` for JSON or CSV",
        ));
    }
    if args.verify != Verify::Sample && args.emit != Emit::Stats {
        out.push(conflict(
            format!("`--verify full` checks a simulation, but `--emit {emit}` simulates nothing"),
            "drop `--verify`, or use `--emit stats`",
        ));
    }
    let sides = [
        ("--pe-stats", &args.pe_stats),
        ("--summary", &args.summary),
        ("--dram-trace", &args.dram_trace),
    ];
    for (flag, path) in sides {
        if path.is_none() {
            continue;
        }
        if args.emit != Emit::Stats {
            out.push(conflict(
                format!(
                    "`{flag}` writes statistics of a simulation, but the output is `--emit {emit}`"
                ),
                "use `--emit stats`, or drop the side file",
            ));
        } else if args.compare {
            out.push(conflict(
                format!("`{flag}` writes the files of one dataflow; `--compare` runs two"),
                "run each dataflow on its own with `--dataflow rs|gflow`",
            ));
        }
    }
    out
}

/// Two outputs of one run naming the same file: the second would replace
/// the first. (Linear: a network's side files can be many.)
pub fn clashing_outputs(main: Option<&Path>, sides: &[PathBuf]) -> Option<Diagnostic> {
    let mut names = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for p in main.into_iter().chain(sides.iter().map(PathBuf::as_path)) {
        let again = !names.insert(p) || file_id(p).is_some_and(|id| !ids.insert(id));
        if again {
            return Some(conflict(
                format!(
                    "two outputs of this run are the same file `{}`",
                    p.display()
                ),
                "give `-o`, `--pe-stats`, `--summary` and `--dram-trace` different paths",
            ));
        }
    }
    None
}
