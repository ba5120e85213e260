//! Adversarial inputs against the `cnnc` binary under a memory limit
//! (`ulimit -v`, 3 GiB of address space) and a generous timeout (60 s, a
//! guard against hangs, not a speed measurement): each must end with exit
//! status 0, or 1 with a diagnostic on stderr, never a signal, an abort or
//! a timeout. Unix only (uses `sh` and `ulimit`).

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(super) const MEMORY_KIB: u64 = 3 * 1024 * 1024;
pub(super) const TIMEOUT: Duration = Duration::from_secs(60);

pub(super) fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cnnc-resources-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs cnnc under the limits; returns (status, stderr).
pub(super) fn limited(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cnnc"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            return (status.code(), err);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("timed out after {TIMEOUT:?}: {args:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(super) fn clean(dir: &Path, args: &[&str], want_code: Option<&str>) {
    let (status, err) = limited(dir, args);
    match status {
        Some(0) => assert!(
            want_code.is_none(),
            "{args:?}: exit 0, expected {want_code:?}"
        ),
        Some(1) => {
            assert!(
                err.contains("error[E"),
                "{args:?}: exit 1 without a diagnostic: {err}"
            );
            if let Some(c) = want_code {
                assert!(err.contains(c), "{args:?}: expected {c}: {err}");
            }
        }
        other => panic!("{args:?}: {other:?}: {err}"),
    }
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "{args:?}: {err}"
    );
}

pub(super) fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

#[test]
fn adversarial_inputs_end_cleanly_within_the_limits() {
    let d = scratch("adversarial");
    let small = "arch small : eyeriss { glb.bank = 64 B; glb.banks = 2; }\n";
    let cases: Vec<(String, Vec<&str>, Option<&str>)> = vec![
        (write(&d, "oned.cnn", "layer l { ifmap = 1000000 x 1; filter = 1; }\n"), vec![], Some("E0210")),
        (write(&d, "oned5.cnn", "layer l { ifmap = 100000 x 1; filter = 1; }\n"), vec![], None),
        (
            write(&d, "batch.cnn", "layer l { ifmap = 56; filter = 3; pad = 1; channels = 64; filters = 64; batch = 1000000000; }\n"),
            vec![],
            None,
        ),
        (
            write(&d, "chan.cnn", &format!("{small}layer l {{ ifmap = 5; filter = 3; channels = 100000000; }}\n")),
            vec!["--arch", "small"],
            None,
        ),
        (
            write(&d, "pad.cnn", "layer l { ifmap = 5; filter = 3; pad = 1000; }\n"),
            vec!["--pass", "igrad", "--dataflow", "gflow"],
            Some("E0210"),
        ),
        // These took 8 GB and 6.3 GB (40 s) before the Grad-Flow bound.
        ("pad.cnn".to_string(), vec!["--pass", "igrad", "--dataflow", "gflow", "--gflow-group", "2"], Some("E0210")),
        ("pad.cnn".to_string(), vec!["--pass", "fgrad", "--dataflow", "gflow"], Some("E0210")),
        (write(&d, "clock.cnn", "arch a : eyeriss { clock = 1e400 Hz; }\nlayer l { ifmap = 5; filter = 3; }\n"), vec![], Some("E0016")),
    ];
    for (file, extra, code) in &cases {
        let mut args = vec![file.as_str()];
        args.extend(extra.iter().copied());
        clean(&d, &args, *code);
    }
    clean(&d, &["/dev/zero"], Some("E0921"));
    clean(&d, &["dram", "/dev/zero"], Some("E0921"));
    write(
        &d,
        "m.cnn",
        "arch a : eyeriss { dram = \"/dev/stdin\"; }\nlayer l { ifmap = 5; filter = 3; }\n",
    );
    clean(&d, &["check", "m.cnn"], Some("E0304"));
}

#[test]
fn huge_files_stay_linear_and_bounded() {
    let d = scratch("huge");
    // 20 000 archs with unknown bases (did-you-mean was quadratic).
    let archs: String = (0..20_000)
        .map(|i| format!("arch a{i} : nob{i} {{ }}\n"))
        .collect();
    write(&d, "archs.cnn", &archs);
    clean(&d, &["check", "archs.cnn"], Some("E0032"));
    // A few MB of erroneous layers: diagnostics are capped as they are found.
    let errs: String = (0..100_000)
        .map(|i| format!("layer l{i} {{ ifmap = 5; filter = 9; bogus = 1; }}\n"))
        .collect();
    write(&d, "errs.cnn", &errs);
    clean(&d, &["check", "errs.cnn"], Some("E0032"));
    // A network of 20 000 layers checks.
    let mut net = String::from("network big {\n");
    for i in 0..20_000 {
        net += &format!("  layer l{i} {{ ifmap = 5; filter = 3; }}\n");
    }
    net += "}\n";
    write(&d, "net.cnn", &net);
    clean(&d, &["check", "net.cnn"], None);
    // A trace of 3 million lines (~45 MB) streams through `cnnc dram`.
    let mut trace = String::with_capacity(50 << 20);
    for i in 0..750_000u64 {
        let t = i * 40;
        let b = i % 16;
        trace += &format!(
            "{t},ACT,{b}\n{},RD,{b}\n{},RD,{b}\n{},PRE,{b}\n",
            t + 14,
            t + 18,
            t + 36
        );
    }
    write(&d, "big.trace", &trace);
    drop(trace);
    let (status, err) = {
        // The trace is streamed: 200 MiB of address space is plenty.
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("ulimit -v 204800 && exec \"$0\" dram big.trace")
            .arg(env!("CARGO_BIN_EXE_cnnc"))
            .current_dir(&d)
            .stdout(Stdio::null());
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(status, Some(0), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
