//! The reproducers of issue 33 (a fuzzing and adversarial campaign), each
//! under the resource suite's limits (`ulimit -v`, a timeout): a bounded
//! run, a diagnostic naming the limit, and an exit status that tells the
//! truth. Unix only (uses `sh` and `ulimit`).

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::resources::{clean, scratch, write, MEMORY_KIB, TIMEOUT};

/// Runs `cnnc ARGS REDIRECT` under the limits through `sh`; returns
/// (status, stdout, stderr). `redirect` is shell text such as `>&-`.
fn shell(dir: &Path, args: &[&str], redirect: &str) -> (Option<i32>, String, String) {
    shell_within(dir, args, redirect, MEMORY_KIB)
}

/// [`shell`] under `kib` KiB of address space.
fn shell_within(
    dir: &Path,
    args: &[&str],
    redirect: &str,
    kib: u64,
) -> (Option<i32>, String, String) {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib} && exec \"$0\" {} {redirect}",
            quoted.join(" ")
        ))
        .arg(env!("CARGO_BIN_EXE_cnnc"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("timed out after {TIMEOUT:?}: {args:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LAYER: &str = "layer l { ifmap = 5; filter = 3; }\n";

#[test]
fn a_closed_stdout_is_e0920_and_a_redirected_one_is_not() {
    let d = scratch("closed-stdout");
    write(&d, "l.cnn", LAYER);
    let (status, _, err) = shell(&d, &["l.cnn"], ">&-");
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0920"), "{err}");
    // The report to a file needs no stdout; /dev/null is a place to write.
    let (status, _, err) = shell(&d, &["l.cnn", "-o", "r.txt"], ">&-");
    assert_eq!(status, Some(0), "{err}");
    assert!(d.join("r.txt").exists());
    let (status, _, err) = shell(&d, &["l.cnn"], ">/dev/null");
    assert_eq!(status, Some(0), "{err}");
    let (status, _, err) = shell(&d, &["l.cnn"], ">/dev/full");
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0920"), "{err}");
}

#[test]
fn text_only_outputs_refuse_json_and_csv() {
    let d = scratch("text-only");
    write(&d, "l.cnn", LAYER);
    for emit in ["ir", "signals"] {
        for format in ["json", "csv"] {
            let (status, out, err) = shell(&d, &["l.cnn", "--emit", emit, "--format", format], "");
            assert_eq!(status, Some(2), "{emit} {format}: {err}");
            assert!(err.contains("E0050"), "{emit} {format}: {err}");
            assert!(out.is_empty(), "{emit} {format}: {out}");
        }
    }
    let (status, _, err) = shell(&d, &["l.cnn", "--emit", "ast", "--format", "csv"], "");
    assert_eq!(status, Some(2), "{err}");
    assert!(err.contains("E0050"), "{err}");
    let (status, _, err) = shell(&d, &["l.cnn", "--emit", "ir", "--verify", "full"], "");
    assert_eq!(status, Some(2), "{err}");
    assert!(err.contains("E0050"), "{err}");
}

#[test]
fn subcommand_inputs_are_regular_files_and_outputs_are_checked_first() {
    let d = scratch("subcommand-inputs");
    write(&d, "l.cnn", LAYER);
    for args in [
        &["import", "/dev/zero"][..],
        &["sweep-merge", "/dev/zero"],
        &["sweep-merge", "l.cnn", "/dev/zero"],
    ] {
        clean(&d, args, Some("E0921"));
    }
    let fifo = d.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        clean(&d, &["import", "fifo"], Some("E0921"));
        clean(&d, &["sweep-merge", "fifo"], Some("E0921"));
    }
    // An unwritable `-o` is refused before the sweep runs.
    let start = Instant::now();
    let args = [
        "sweep",
        "l.cnn",
        "--vary",
        "array=8x8,12x14,16x16",
        "-o",
        "no/such/dir/x.csv",
    ];
    let (status, out, err) = shell(&d, &args, "");
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0920"), "{err}");
    assert!(out.is_empty() && !err.contains("design points"), "{err}");
    assert!(start.elapsed() < TIMEOUT);
    clean(
        &d,
        &["import", "l.cnn", "-o", "no/such/dir/x.cnn"],
        Some("E0920"),
    );
}

#[test]
fn a_trace_cycle_of_2_pow_53_is_refused() {
    let d = scratch("trace-2-53");
    write(&d, "t.trace", "0,ACT,0\n9007199254740992,RD,0\n");
    clean(&d, &["dram", "t.trace"], Some("E0923"));
    write(&d, "u.trace", "0,ACT,0\n9007199254740991,PRE,0\n");
    clean(&d, &["dram", "u.trace"], None);
}

#[test]
fn the_language_server_does_not_trust_content_length() {
    let d = scratch("lsp-length");
    let cases: [&[u8]; 4] = [
        b"Content-Length: 4294967296\r\n\r\n{}",
        b"Content-Length: 18446744073709551615\r\n\r\n{}",
        b"Content-Length: 3000000000\r\n\r\n{\"jsonrpc\":\"2.0\"}",
        b"Content-Length: 100000000\r\n\r\n{}",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(d.join(format!("m{i}")), bytes).unwrap();
        let (status, _, err) = shell(&d, &["lsp"], &format!("<m{i}"));
        assert_eq!(status, Some(1), "case {i}: {err}");
        assert!(err.contains("E0925"), "case {i}: {err}");
        assert!(!err.contains("panicked"), "case {i}: {err}");
    }
    // A header line that never ends.
    std::fs::write(d.join("long"), vec![b'a'; 50 << 20]).unwrap();
    let (status, _, err) = shell(&d, &["lsp"], "<long");
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0925"), "{err}");
}

#[test]
fn deep_pipelines_are_refused_by_the_checker_and_the_rest_runs() {
    let d = scratch("pipeline");
    let max = "18446744073709551615";
    write(
        &d,
        "p.cnn",
        &format!(
            "layer l {{ ifmap = 1; filter = 1; }}\narch a : eyeriss {{ pipeline.mul = {max}; }}\n"
        ),
    );
    for extra in [&[][..], &["--pass", "fgrad", "--dataflow", "gflow"]] {
        let mut args = vec!["p.cnn", "--arch", "a"];
        args.extend(extra);
        clean(&d, &args, Some("E0015"));
    }
    write(&d, "l.cnn", "layer l { ifmap = 1; filter = 1; }\n");
    for key in ["pipeline.mul", "pipeline.add"] {
        let set = format!("{key}={max}");
        clean(&d, &["l.cnn", "--set", &set], Some("E0015"));
        let vary = format!("{key}=2,{max}");
        clean(&d, &["sweep", "l.cnn", "--vary", &vary], Some("E0015"));
        // The largest accepted depth runs.
        let set = format!("{key}=64");
        clean(&d, &["l.cnn", "--set", &set, "--pass", "all"], None);
    }
}

#[test]
fn full_verification_counts_before_it_lists() {
    let d = scratch("verify-full");
    for (batch, pass) in [
        ("1000000000000", "forward"),
        ("1000000000000", "fgrad"),
        ("100000000", "forward"),
    ] {
        write(
            &d,
            "v.cnn",
            &format!("layer l {{ ifmap = 1; filter = 1; batch = {batch}; }}\n"),
        );
        let start = Instant::now();
        clean(
            &d,
            &["v.cnn", "--verify", "full", "--pass", pass],
            Some("E0208"),
        );
        // Refused at once, not after listing the slices.
        assert!(start.elapsed().as_secs() < 10, "{batch} {pass}");
    }
    // A batch that fits still verifies every output.
    write(
        &d,
        "ok.cnn",
        "layer l { ifmap = 5; filter = 3; channels = 2; filters = 3; batch = 5000; }\n",
    );
    clean(&d, &["ok.cnn", "--verify", "full"], None);
}

#[test]
fn a_low_clock_does_not_walk_the_dram_idle_time() {
    let d = scratch("low-clock");
    write(
        &d,
        "c.cnn",
        "arch ext : eyeriss { clock = 1 Hz; array = 1; glb.width = 1 bit; noc.ofmap = 1; }\n\
         layer l { ifmap = 6; filter = 3; channels = 2; filters = 2; batch = 3; }\n",
    );
    // 2.2 s (and minutes on larger layers) before the refreshes of an idle
    // gap were skipped in closed form; 0.02 s after.
    let start = Instant::now();
    clean(&d, &["c.cnn", "--arch", "ext", "--pass", "igrad"], None);
    clean(
        &d,
        &[
            "c.cnn",
            "--arch",
            "ext",
            "--pass",
            "fgrad",
            "--dataflow",
            "gflow",
        ],
        None,
    );
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}

/// A network's report is written as its rows finish: 3 000 layers print
/// 45 MB of JSON, which took 530 MB held whole (10 000 layers: 1.75 GB;
/// 100 000: 17 GB); under 400 MiB of address space each format runs, and
/// the JSON is one document with every layer and the totals.
#[test]
fn a_large_network_report_is_streamed() {
    let d = scratch("network-stream");
    let mut net = String::from("network big {\n");
    for i in 0..3_000 {
        net += &format!("  layer l{i} {{ ifmap = 5; filter = 3; }}\n");
    }
    net += "}\n";
    write(&d, "net.cnn", &net);
    for format in ["json", "text", "csv"] {
        let out = format!("net.{format}");
        let (status, _, err) = shell_within(
            &d,
            &["net.cnn", "--format", format, "-o", &out],
            "",
            400 * 1024,
        );
        assert_eq!(status, Some(0), "{format}: {err}");
    }
    let json = std::fs::read_to_string(d.join("net.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["layers"].as_array().unwrap().len(), 3_000);
    assert_eq!(v["totals"]["macs"], 3_000 * 81);
    let csv = std::fs::read_to_string(d.join("net.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3_001);
    // A stdout that fails part-way is E0920, and the run stops.
    let (status, _, err) = shell_within(
        &d,
        &["net.cnn", "--format", "json"],
        ">/dev/full",
        400 * 1024,
    );
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0920"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

/// A file of syntax errors keeps the first fifty the parser recovered
/// from and counts the rest: 6 MB of broken layers took 240 MB and does
/// not fit 240 MiB of address space; now 170 MB (the partial tree).
#[test]
fn syntax_errors_are_counted_not_held() {
    let d = scratch("syntax-errors");
    let errs: String = (0..150_000)
        .map(|i| format!("layer l{i} {{ ifmap = ; filter = 9; }}\n"))
        .collect();
    write(&d, "errs.cnn", &errs);
    let (status, _, err) = shell_within(&d, &["check", "errs.cnn"], "", 240 * 1024);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("E0032"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
