//! The research workflow on the command line: `--set`, `cnnc sweep` (with
//! shards and `sweep-merge`), `--format csv`.

use crate::common::{example, run};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cnnc-workflow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn set_is_the_same_as_an_arch_block() {
    let file = scratch("set.cnn");
    let text = std::fs::read_to_string(example("conv4.cnn")).unwrap()
        + "\narch eyeriss_b : eyeriss { array = 6 x 7; glb.bank = 2 KiB; clock = 250 MHz; }\n";
    std::fs::write(&file, text).unwrap();
    let f = file.to_str().unwrap();
    let (c1, by_block, _) = run(&[
        f,
        "--layer",
        "alexnet_conv4",
        "--arch",
        "eyeriss_b",
        "--format",
        "json",
    ]);
    let (c2, by_set, e2) = run(&[
        f,
        "--layer",
        "alexnet_conv4",
        "--set",
        "array=6x7",
        "--set",
        "glb.bank=2KiB",
        "--set",
        "clock = 250 MHz",
        "--format",
        "json",
    ]);
    assert_eq!((c1, c2), (0, 0), "{e2}");
    assert_eq!(by_block.replace("\"eyeriss_b\"", "\"eyeriss\""), by_set);
    let (_, plain, _) = run(&[f, "--layer", "alexnet_conv4", "--format", "json"]);
    assert_ne!(plain, by_set, "the overrides changed nothing");
}

#[test]
fn bad_sets_are_diagnostics_with_help() {
    let conv4 = example("conv4.cnn");
    for (set, code) in [
        ("array", "E0070"),
        ("arrray=6x7", "E0007"),
        ("clock=4KiB", "E0010"),
        ("array=6x7x2", "E0014"),
        ("rf.psum=0", "E0015"),
        ("array=3; } layer x {", "E0070"),
    ] {
        let (c, out, err) = run(&[&conv4, "--set", set, "--diagnostics", "short"]);
        assert_eq!(c, 1, "{set}");
        assert!(out.is_empty());
        assert!(err.contains(code), "{set}: {err}");
    }
    let (_, _, err) = run(&[&conv4, "--set", "arrray=6x7"]);
    assert!(err.contains("help: did you mean `array`?"), "{err}");
}

fn sweep(extra: &[&str]) -> (i32, String, String) {
    let conv4 = example("conv4.cnn");
    let mut args = vec![
        "sweep",
        &conv4,
        "--vary",
        "array=6x7,12x14,8x8",
        "--vary",
        "glb.bank=2KiB,4KiB",
        "--pass",
        "igrad",
        "--dataflow",
        "rs,gflow",
    ];
    args.extend_from_slice(extra);
    let (c, o, e) = run(&args);
    (c, o, e)
}

#[test]
fn shards_concatenate_to_the_whole_sweep() {
    for format in ["csv", "json"] {
        let (c, whole_raw, e) = sweep(&["--format", format, "--no-pareto"]);
        assert_eq!(c, 0, "{e}");
        let (_, whole, _) = sweep(&["--format", format]);
        let rows = whole.lines().count() - usize::from(format == "csv");
        assert_eq!(rows, 12);
        for n in [1, 2, 5, 12, 13] {
            let mut parts = Vec::new();
            let mut files = Vec::new();
            for k in 1..=n {
                let (c, out, e) = sweep(&["--format", format, "--shard", &format!("{k}/{n}")]);
                assert_eq!(c, 0, "{e}");
                let f = scratch(&format!("shard-{format}-{k}-of-{n}"));
                std::fs::write(&f, &out).unwrap();
                files.push(f.display().to_string());
                parts.push(out);
            }
            assert_eq!(parts.concat(), whole_raw, "{format}, {n} shards");
            let mut args = vec!["sweep-merge"];
            args.extend(files.iter().map(String::as_str));
            let (c, merged, e) = run(&args);
            assert_eq!(c, 0, "{e}");
            assert_eq!(merged, whole, "{format}, {n} shards merged");
        }
    }
}

#[test]
fn sweep_rows_hold_the_varied_values_and_the_front() {
    let (c, out, _) = sweep(&[]);
    assert_eq!(c, 0);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..4], &["point", "array", "glb.bank", "dataflow"]);
    assert_eq!(header.last(), Some(&"pareto"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    // Point order: first --vary slowest, dataflow fastest.
    assert_eq!((rows[0][1], rows[0][2], rows[0][3]), ("6x7", "2KiB", "rs"));
    assert_eq!(
        (rows[3][1], rows[3][2], rows[3][3]),
        ("6x7", "4KiB", "gflow")
    );
    assert_eq!(rows[4][1], "12x14");
    // The front: exactly the points no other point beats on time and energy.
    let te: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r[col("time_us")].parse().unwrap(),
                r[col("energy_pj")].parse().unwrap(),
            )
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let dominated = te
            .iter()
            .any(|&(t, e)| t <= te[i].0 && e <= te[i].1 && (t < te[i].0 || e < te[i].1));
        assert_eq!(r[col("pareto")], (!dominated).to_string(), "point {i}");
    }
    assert!(rows.iter().any(|r| r[col("pareto")] == "true"));
    // A bigger array changes the cycles; the same input gives the same bytes.
    assert_ne!(rows[0][col("cycles")], rows[4][col("cycles")]);
    assert_eq!(sweep(&[]).1, out);
}

#[test]
fn bad_sweeps_are_refused_before_running() {
    let conv4 = example("conv4.cnn");
    for (args, code) in [
        (vec!["--vary", "array"], "E0071"),
        (vec!["--vary", "array=6x7,"], "E0071"),
        (vec!["--vary", "array=6x7,7x7x7"], "E0014"),
        (vec!["--vary", "arry=6x7"], "E0007"),
        (vec!["--vary", "array=6x7", "--shard", "3/2"], "E0072"),
        (vec!["--vary", "array=6x7", "--vary", "array=8x8"], "E0074"),
        (vec!["--vary", "array=6x7", "--set", "array=8x8"], "E0074"),
    ] {
        let mut a = vec!["sweep", conv4.as_str()];
        a.extend(args.iter().copied());
        a.extend(["--diagnostics", "short"]);
        let (c, out, err) = run(&a);
        assert_eq!(c, 1, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(code), "{args:?}: {err}");
    }
    let (c, _, err) = run(&["sweep-merge", "/nonexistent/shard.csv"]);
    assert_eq!(c, 1);
    assert!(err.contains("cannot read"));
}

#[test]
fn refused_points_are_rows_not_failures() {
    // Grad-Flow needs a single-cycle adder: those points say why.
    let (c, out, e) = sweep(&["--set", "pipeline.add=2"]);
    assert_eq!(c, 0, "{e}");
    let gflow: Vec<&str> = out.lines().filter(|l| l.contains(",gflow,")).collect();
    assert_eq!(gflow.len(), 6);
    assert!(
        gflow
            .iter()
            .all(|l| l.contains("E0201") && l.ends_with(",false")),
        "{out}"
    );
}

#[test]
fn csv_has_one_row_per_layer_and_pass() {
    let (c, out, e) = run(&[&example("conv4.cnn"), "--pass", "all", "--format", "csv"]);
    assert_eq!(c, 0, "{e}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "layer",
        "pass",
        "cycles",
        "time_us",
        "energy_pj",
        "dram_bytes",
        "utilisation",
    ] {
        assert!(header.contains(&col), "{col}");
    }
    let n = header.len();
    for (l, pass) in lines[1..].iter().zip(["forward", "igrad", "fgrad"]) {
        assert_eq!(l.split(',').count(), n, "{l}");
        assert!(l.starts_with(&format!("alexnet_conv4,{pass},rs,")), "{l}");
    }
    // The CSV figures are the JSON ones.
    let (_, json, _) = run(&[&example("conv4.cnn"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cycles = v["layer_stats"]["cycles"].as_u64().unwrap().to_string();
    let col = header.iter().position(|h| *h == "cycles").unwrap();
    assert_eq!(lines[1].split(',').nth(col), Some(cycles.as_str()));

    let (c, out, _) = run(&[
        &example("conv4.cnn"),
        "--pass",
        "all",
        "--compare",
        "--format",
        "csv",
    ]);
    // Every side of this layer runs (Grad-Flow's fgrad on the set fitted
    // to eyeriss's scratchpads).
    assert_eq!(c, 0);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        rows.len(),
        9,
        "forward (rs), then igrad and fgrad under rs, gflow, rs-split and auto:\n{out}"
    );
    assert!(rows[0].starts_with("alexnet_conv4,forward,rs,"));
    assert!(rows[2].starts_with("alexnet_conv4,igrad,gflow,"));
    assert!(rows[3].starts_with("alexnet_conv4,igrad,rs-split,"));
    assert!(rows[4].starts_with("alexnet_conv4,igrad,auto,"));

    let (c, out, _) = run(&[
        &example("alexnet.cnn"),
        "--layer",
        "alexnet",
        "--format",
        "csv",
    ]);
    assert_eq!(c, 0);
    assert_eq!(out.lines().count(), 6, "header and CONV1-5");
}

/// `cnnc sweep --shard auto` as a process, with only the given job-array
/// variables of the schedulers set.
fn sweep_in_array(vars: &[(&str, &str)]) -> (i32, String, String) {
    let conv4 = example("conv4.cnn");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cnnc"));
    cmd.args(["sweep", &conv4, "--vary", "array=6x7,12x14,8x8"])
        .args(["--vary", "glb.bank=2KiB,4KiB", "--shard", "auto"]);
    for (name, _) in std::env::vars() {
        if ["SLURM_", "SGE_", "LSB_", "PBS_"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            cmd.env_remove(name);
        }
    }
    cmd.envs(vars.iter().copied());
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn shard_auto_reads_the_job_array() {
    let conv4 = example("conv4.cnn");
    let explicit = |k: &str| {
        run(&[
            "sweep",
            &conv4,
            "--vary",
            "array=6x7,12x14,8x8",
            "--vary",
            "glb.bank=2KiB,4KiB",
            "--shard",
            k,
        ])
        .1
    };
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    let (c, out, err) = sweep_in_array(&slurm);
    assert_eq!(c, 0, "{err}");
    assert_eq!(out, explicit("2/4"));
    assert!(err.contains("Slurm") && err.contains("shard 2/4"), "{err}");
    let sge = [
        ("SGE_TASK_ID", "10"),
        ("SGE_TASK_FIRST", "1"),
        ("SGE_TASK_LAST", "10"),
        ("SGE_TASK_STEPSIZE", "3"),
    ];
    let (c, out, err) = sweep_in_array(&sge);
    assert_eq!(c, 0, "{err}");
    assert_eq!(out, explicit("4/4"));
    assert!(err.contains("SGE"), "{err}");
    let (c, out, err) = sweep_in_array(&[("LSB_JOBINDEX", "1"), ("LSB_JOBINDEX_END", "3")]);
    assert_eq!(c, 0, "{err}");
    assert_eq!(out, explicit("1/3"));
    assert!(err.contains("LSF"), "{err}");
}

#[test]
fn shard_auto_outside_a_job_array_is_an_error() {
    let (c, out, err) = sweep_in_array(&[]);
    assert_eq!(c, 1);
    assert!(out.is_empty());
    assert!(err.contains("E0076") && err.contains("help:"), "{err}");
    let (c, _, err) = sweep_in_array(&[("PBS_ARRAY_INDEX", "3")]);
    assert_eq!(c, 1);
    assert!(
        err.contains("E0077") && err.contains("$PBS_ARRAY_INDEX/N"),
        "{err}"
    );
}

/// docs/workflow.md shows the Slurm scripts `.ci/slurm-test` runs: each
/// file, whole, is a fenced block of the page.
#[test]
fn the_documented_slurm_scripts_are_the_tested_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/workflow.md")).unwrap();
    for name in ["sweep-array.sh", "merge.sh", "submit.sh"] {
        let file = std::fs::read_to_string(root.join("docs/slurm").join(name)).unwrap();
        let block = format!("```bash\n{file}```\n");
        assert!(
            page.contains(&block),
            "docs/workflow.md does not show docs/slurm/{name} as it is"
        );
    }
    let test = std::fs::read_to_string(root.join(".ci/slurm-test")).unwrap();
    assert!(test.contains("docs/slurm/submit.sh") && test.contains("docs/slurm/sweep-array.sh"));
}

/// The CSV's energy columns add up: by level and by type, each to
/// `energy_pj`; the stall columns and the computing cycles to `cycles`
/// when simulated.
#[test]
fn csv_energy_columns_add_up() {
    let (c, out, e) = run(&[
        &example("conv4.cnn"),
        "--pass",
        "all",
        "--compare",
        "--format",
        "csv",
    ]);
    assert_eq!(c, 0, "{e}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut rows = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let num = |name: &str| f[col(name)].parse::<f64>().unwrap();
        let total = num("energy_pj");
        let sum = |names: &[&str]| names.iter().map(|n| num(n)).sum::<f64>();
        let level = sum(&[
            "energy_rf_pj",
            "energy_noc_pj",
            "energy_mac_pj",
            "energy_glb_pj",
            "energy_dram_pj",
            "energy_static_pj",
        ]);
        let by_type = sum(&[
            "energy_ifmap_pj",
            "energy_filter_pj",
            "energy_psum_pj",
            "energy_ofmap_pj",
            "energy_compute_pj",
            "energy_dram_static_pj",
            "energy_chip_static_pj",
        ]);
        assert!((level - total).abs() <= 1e-9 * total, "{l}");
        assert!((by_type - total).abs() <= 1e-9 * total, "{l}");
        let from = f[col("cycles_from")];
        assert!(["simulation", "estimate"].contains(&from), "{l}");
        assert!(!f[col("mapping")].is_empty() && !f[col("bound")].is_empty());
        if from == "simulation" {
            let stalls = sum(&[
                "stall_pass_start_cycles",
                "stall_networks_cycles",
                "stall_drain_cycles",
                "stall_glb_bank_cycles",
                "stall_dram_cycles",
            ]);
            assert!(stalls <= num("cycles"), "{l}");
        }
        rows += 1;
    }
    // Forward once, igrad and fgrad under rs, gflow, rs-split and auto.
    assert_eq!(rows, 9);
}

/// A sweep row says where its cycles come from, the mapping chosen and
/// what bound the point.
#[test]
fn sweep_rows_say_why() {
    let (c, out, _) = sweep(&[]);
    assert_eq!(c, 0);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert!(f[col("mapping")].starts_with("n="), "{l}");
        assert!(!f[col("bound")].is_empty(), "{l}");
        let from = f[col("cycles_from")];
        match f[col("dataflow")] {
            "rs" => assert_eq!(from, "simulation", "{l}"),
            _ => assert!(["simulation", "estimate"].contains(&from), "{l}"),
        }
        let e: f64 = f[col("energy_pj")].parse().unwrap();
        let parts: f64 = [
            "energy_rf_pj",
            "energy_noc_pj",
            "energy_mac_pj",
            "energy_glb_pj",
            "energy_dram_pj",
            "energy_static_pj",
        ]
        .iter()
        .map(|n| f[col(n)].parse::<f64>().unwrap())
        .sum();
        assert!((parts - e).abs() <= 1e-9 * e, "{l}");
    }
}
