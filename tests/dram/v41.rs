//! `cnnc dram` against DRAMPower v4.1's own figures (docs/energy.md, "cnnc
//! dram on traces with and without a final NOP"): the window with and
//! without a final NOP, per-device and per-rank figures, and streaming.

use cnnc::dram::{analyse, memspec};
use cnnc::driver::dram_cmd::{run_cli, DramArgs};
use cnnc::options::Format;

fn read128(nop: bool) -> String {
    let mut s = String::from("0,ACT,0\n");
    for i in 0..128 {
        s += &format!("{},RD,0\n", 20 + 4 * i);
    }
    s += &format!("{},PRE,0\n", 20 + 4 * 128 + 20);
    if nop {
        s += &format!("{},NOP,0\n", 20 + 4 * 128 + 20 + 1000);
    }
    s
}

fn json_of(trace: &str, tag: &str) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("cnnc-v41-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("t.trace");
    std::fs::write(&p, trace).unwrap();
    let out = run_cli(&DramArgs {
        trace: p,
        memspec: "ddr4-1866".into(),
        format: Format::Json,
    })
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_str(&out).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01
}

#[test]
fn the_window_with_and_without_a_final_nop_is_v41s() {
    // DRAMPower v4.1, MICRON_4Gb_DDR4-1866_8bit_A.xml: 564 cycles and
    // 107824.04 pJ without the NOP; 2551 cycles and 194076.45 pJ with it
    // (the tail counted twice, as v4.1's handleNopEnd does).
    let v = json_of(&read128(false), "plain");
    assert_eq!(v["cycles"], 564);
    assert!(
        close(v["per_device"]["total"].as_f64().unwrap(), 107824.04),
        "{v}"
    );
    assert!(close(
        v["per_device"]["background"].as_f64().unwrap(),
        28564.63
    ));
    let v = json_of(&read128(true), "nop");
    assert_eq!(v["cycles"], 2551);
    assert_eq!(
        (v["active_cycles"].clone(), v["precharged_cycles"].clone()),
        (552.into(), 1999.into())
    );
    assert!(
        close(v["per_device"]["total"].as_f64().unwrap(), 194076.45),
        "{v}"
    );
    assert!(close(v["per_device"]["rd"].as_f64().unwrap(), 77705.47));
    // The rank is the device times 8.
    let rank = v["per_rank"]["total"].as_f64().unwrap();
    assert!((rank - 8.0 * 194076.45).abs() < 0.1, "{rank}");
    assert_eq!(v["total"], v["per_rank"]["total"]);
}

#[test]
fn text_report_is_labelled_per_device_and_per_rank() {
    let dir = std::env::temp_dir().join(format!("cnnc-v41-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("t.trace");
    std::fs::write(&p, read128(true)).unwrap();
    let text = run_cli(&DramArgs {
        trace: p,
        memspec: "ddr4-1866".into(),
        format: Format::Text,
    })
    .unwrap();
    assert!(
        text.contains("per device") && text.contains("rank (x8)"),
        "{text}"
    );
    assert!(text.contains("194076.45 pJ per device"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_long_trace_streams_in_windows() {
    // 2.5 windows of lines, generated on the fly: nothing holds the trace.
    let spec = memspec("ddr4-1866").unwrap();
    struct Gen {
        i: u64,
        n: u64,
        buf: Vec<u8>,
        pos: usize,
    }
    impl std::io::Read for Gen {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                if self.i == self.n {
                    return Ok(0);
                }
                let t = self.i * 8;
                let line = match self.i % 4 {
                    0 => format!("{t},ACT,{}\n", self.i % 16),
                    1 | 2 => format!("{t},RD,{}\n", (self.i - 1) % 16),
                    _ => format!("{t},PRE,{}\n", (self.i - 3) % 16),
                };
                self.buf = line.into_bytes();
                self.pos = 0;
                self.i += 1;
            }
            let k = out.len().min(self.buf.len() - self.pos);
            out[..k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            Ok(k)
        }
    }
    let n = 2_500_000;
    let g = Gen {
        i: 0,
        n,
        buf: Vec::new(),
        pos: 0,
    };
    let c = analyse(&spec, std::io::BufReader::new(g)).unwrap();
    assert_eq!(c.acts, n / 4);
    assert_eq!(c.reads, n / 2);
    assert_eq!(c.pres, n / 4);
}

#[test]
fn bad_lines_are_refused_with_their_number() {
    let spec = memspec("ddr4-1866").unwrap();
    let long = format!("0,ACT,0\n{}\n", "9".repeat(10_000));
    let e = analyse(&spec, long.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("4096"), "{e}");
    let e = analyse(&spec, "0,ACT,0\n99999999999999999999,RD,0\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
    let e = analyse(&spec, "18014398509481984,RD,0\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not below"), "{e}");
}

#[test]
fn memspec_values_are_range_checked_by_name() {
    let base = include_str!("../../memspecs/ddr4-1866.json");
    let v: serde_json::Value = serde_json::from_str(base).unwrap();
    for (section, key, value) in [
        ("memtimingspec", "RCD", serde_json::json!(2147483648u64)),
        (
            "memtimingspec",
            "REFI",
            serde_json::json!(9223372036854775807u64),
        ),
        ("mempowerspec", "idd0", serde_json::json!(1e300)),
        (
            "memarchitecturespec",
            "nbrOfDevices",
            serde_json::json!(4000000),
        ),
    ] {
        let mut bad = v.clone();
        bad["memspec"][section][key] = value;
        let e = cnnc::dram::parse_memspec(&bad.to_string())
            .unwrap_err()
            .to_string();
        assert!(e.contains(key), "{key}: {e}");
    }
    for p in ["/dev/zero", "/dev/stdin", "/"] {
        assert!(memspec(p).is_err(), "{p}");
    }
}

fn pattern(iterations: u64) -> String {
    let mut s = String::new();
    for i in 0..iterations {
        let (t, b) = (i * 40, i % 16);
        s += &format!(
            "{t},ACT,{b}\n{},RD,{b}\n{},RD,{b}\n{},PRE,{b}\n",
            t + 14,
            t + 18,
            t + 36
        );
    }
    s
}

#[test]
fn a_trace_of_whole_windows_gets_no_closing_nop() {
    // DRAMPower v4.1 on these two traces: 9 999 996 cycles and
    // 1192664617.36 pJ for exactly 1 000 000 lines (the last window is empty:
    // no closing NOP, the trace ends at its last PRE), 9 999 968 cycles and
    // 1192660367.60 pJ for 999 996 lines (closing NOP at PRE + tRP - 1).
    let spec = memspec("ddr4-1866").unwrap();
    let full = pattern(250_000);
    let c = analyse(&spec, full.as_bytes()).unwrap();
    assert_eq!(c.active_cycles + c.precharged_cycles, 9_999_996);
    let e = cnnc::dram::energy_from_counters(&spec, &c);
    assert!(
        (e.total / 8.0 - 1192664617.36).abs() < 0.01,
        "{}",
        e.total / 8.0
    );
    let short: String = full
        .lines()
        .take(999_996)
        .map(|l| format!("{l}\n"))
        .collect();
    let c = analyse(&spec, short.as_bytes()).unwrap();
    assert_eq!(c.active_cycles + c.precharged_cycles, 9_999_968);
    let e = cnnc::dram::energy_from_counters(&spec, &c);
    assert!(
        (e.total / 8.0 - 1192660367.60).abs() < 0.01,
        "{}",
        e.total / 8.0
    );
}

#[test]
fn drampower5_traces_end_at_end_of_simulation() {
    // The long form: no double-counted tail; the window ends at the END line.
    let spec = memspec("ddr4-1866").unwrap();
    let t =
        "0,ACT,0,0,0,0,0\n20,RD,0,0,0,0,0\n40,PRE,0,0,0,0,0\n1000,END_OF_SIMULATION,0,0,0,0,0\n";
    let c = analyse(&spec, t.as_bytes()).unwrap();
    assert_eq!((c.acts, c.reads, c.pres), (1, 1, 1));
    assert_eq!(c.active_cycles + c.precharged_cycles, 1000);
}
