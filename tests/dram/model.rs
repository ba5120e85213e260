//! DRAM power model against hand-computed values. Expected numbers are
//! written out from the memspec values below, not computed by the code
//! under test.

use cnnc::dram::{
    builtin_memspecs, energy, memspec, parse_memspec, parse_trace, trace_end_cycle, write_trace,
    Command, CommandKind,
};
use cnnc::driver::dram_cmd::{run_cli, DramArgs};
use cnnc::options::Format;

/// Round numbers: VDD 1.5 V, tCK 1 ns, one device, no VPP.
const SIMPLE: &str = r#"{"memspec": {
  "memoryId": "simple", "memoryType": "DDR4",
  "memarchitecturespec": {"width": 8, "nbrOfBanks": 4, "nbrOfBankGroups": 2,
    "nbrOfRanks": 1, "nbrOfDevices": 1, "nbrOfColumns": 64, "nbrOfRows": 16,
    "burstLength": 8, "dataRate": 2},
  "mempowerspec": {"vdd": 1.5, "idd0": 60e-3, "idd2n": 30e-3, "idd3n": 40e-3,
    "idd4r": 140e-3, "idd4w": 130e-3, "idd5B": 240e-3},
  "memtimingspec": {"tCK": 1e-9, "RAS": 20, "RP": 10, "RC": 30, "RCD": 10,
    "RL": 10, "WL": 8, "WR": 12, "RTP": 6, "RFC1": 100, "REFI": 1000,
    "CCD_S": 4, "CCD_L": 5, "RRD_S": 4, "RRD_L": 5, "FAW": 20, "WTR_S": 2, "WTR_L": 6}
}}"#;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn cmd(cycle: u64, kind: CommandKind, bank: u32) -> Command {
    Command::new(cycle, kind, bank)
}

#[test]
fn simple_trace_by_hand() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let cmds = [
        cmd(0, CommandKind::Act, 0),
        cmd(20, CommandKind::Rd, 0),
        cmd(40, CommandKind::Wr, 0),
        cmd(60, CommandKind::Pre, 0),
        cmd(100, CommandKind::Ref, 0),
    ];
    let e = energy(&spec, &cmds, 300);
    // ACT: (IDD0 - IDD3N) * VDD * tRAS = 20 mA * 1.5 V * 20 ns
    assert!(close(e.act, 600.0), "act {}", e.act);
    // PRE: (IDD0 - IDD2N) * VDD * tRP = 30 * 1.5 * 10
    assert!(close(e.pre, 450.0), "pre {}", e.pre);
    // RD: (IDD4R - IDD3N) * VDD * BL/2 = 100 * 1.5 * 4
    assert!(close(e.rd, 600.0), "rd {}", e.rd);
    // WR: (IDD4W - IDD3N) * VDD * BL/2 = 90 * 1.5 * 4
    assert!(close(e.wr, 540.0), "wr {}", e.wr);
    // REF: (IDD5 - IDD3N) * VDD * tRFC = 200 * 1.5 * 100
    assert!(close(e.refresh, 30000.0), "ref {}", e.refresh);
    // Active: [0,60) and tRFC - tRP = 90 for the refresh -> 150 cycles.
    // Precharged: [60,100) and [190,300) -> 150 cycles.
    assert_eq!((e.active_cycles, e.precharged_cycles), (150, 150));
    // 150 * 40 * 1.5 + 150 * 30 * 1.5
    assert!(close(e.background, 15750.0), "bg {}", e.background);
    assert!(close(e.total, 47940.0), "total {}", e.total);
    assert!(close(e.duration_ns, 300.0));
    assert!(close(e.avg_power_mw, 47940.0 / 300.0));
}

#[test]
fn idle_only_is_precharged_background() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let e = energy(&spec, &[], 1000);
    // 1000 cycles * 30 mA * 1.5 V * 1 ns
    assert!(close(e.background, 45000.0));
    assert!(close(e.total, 45000.0));
}

#[test]
fn ddr4_1866_vpp_and_devices() {
    let spec = memspec("ddr4-1866").unwrap();
    assert_eq!((spec.devices, spec.burst_bytes()), (8, 64));
    let cmds = [cmd(0, CommandKind::Act, 3), cmd(32, CommandKind::Pre, 3)];
    let e = energy(&spec, &cmds, 45);
    let tck = 1000.0 / 933.0;
    // VDD: (56.25 - 39.5) mA * 1.2 V; VPP: (4.05 - 0) mA * 2.5 V; tRAS = 32.
    let act = 8.0 * (16.75 * 1.2 + 4.05 * 2.5) * 32.0 * tck;
    // VDD: (56.25 - 33.75) * 1.2; VPP: 4.05 * 2.5; tRP = 13.
    let pre = 8.0 * (22.5 * 1.2 + 4.05 * 2.5) * 13.0 * tck;
    // 32 active cycles at IDD3N, 13 precharged at IDD2N (VPP standby 0).
    let bg = 8.0 * (32.0 * 39.5 + 13.0 * 33.75) * 1.2 * tck;
    assert!(close(e.act, act), "{} vs {act}", e.act);
    assert!(close(e.pre, pre), "{} vs {pre}", e.pre);
    assert!(close(e.background, bg), "{} vs {bg}", e.background);
    assert!(close(e.total, act + pre + bg));
}

#[test]
fn builtins_load() {
    assert_eq!(
        builtin_memspecs(),
        &["ddr4-1866", "ddr4-2400", "lpddr4-3200"]
    );
    for name in builtin_memspecs() {
        let m = memspec(name).unwrap();
        assert_eq!(m.rank_width_bits(), 64, "{name}");
        assert!(m.timing.tck_ns > 0.5 && m.timing.tck_ns < 1.1, "{name}");
    }
    let lp = memspec("LPDDR4-3200").unwrap();
    assert_eq!(lp.domains.len(), 2);
    assert_eq!((lp.timing.rp, lp.timing.rfc), (29, 448));
    assert!(memspec("ddr9").is_err());
    assert!(memspec("/nonexistent/x.json").is_err());
    assert!(parse_memspec("{").is_err());
    assert!(parse_memspec(r#"{"memspec": {}}"#).is_err());
}

#[test]
fn trace_forms_agree_and_round_trip() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let v4 = "0,ACT,1\n10,RD,1\n 30 , PRE , 1 \n\n# comment\n";
    let v5 = "0,ACT,0,0,1,0,0\n10,RD,0,0,1,0,0,0x0102\n30,PRE,0,0,1,0,0\n50,END_OF_SIMULATION,0,0,0,0,0\n";
    let a = parse_trace(&spec, v4).unwrap();
    let b = parse_trace(&spec, v5).unwrap();
    assert_eq!(a.commands, b.commands);
    assert_eq!((a.end, b.end), (None, Some(50)));
    // v4.1 end: last PRE at 30 + tRP 10 - 1.
    assert_eq!(trace_end_cycle(&spec, &a.commands), 39);
    let mut out = Vec::new();
    write_trace(&a.commands, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "0,ACT,1\n10,RD,1\n30,PRE,1\n"
    );
}

#[test]
fn auto_precharge_expands() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let t = parse_trace(&spec, "0,ACT,2\n10,RDA,2\n40,ACT,0\n50,WRA,0\n").unwrap();
    // RDA: max(10 + tRTP 6, 0 + tRAS 20) = 20. WRA: 50 + BL/2 4 + WL 8 + WR 12 = 74.
    assert!(t.commands.contains(&cmd(20, CommandKind::Pre, 2)));
    assert!(t.commands.contains(&cmd(74, CommandKind::Pre, 0)));
}

#[test]
fn malformed_traces_name_the_line() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let cases = [
        ("0,ACT,0\n5,FOO,0\n", "line 2"),
        ("0,ACT,0\n\nx,RD,0\n", "line 3"),
        ("0,ACT,9\n", "line 1"),
        ("0,ACT\n", "line 1"),
        ("0,RD,0,0\n", "line 1"),
        ("-1,ACT,0\n", "line 1"),
        ("0,ACT,1,0,0,0,0\n", "line 1"),
    ];
    for (text, want) in cases {
        let err = parse_trace(&spec, text).unwrap_err().to_string();
        assert!(err.contains(want), "{text:?}: {err}");
    }
}

#[test]
fn odd_command_orders_do_not_panic() {
    let spec = parse_memspec(SIMPLE).unwrap();
    // PRE of a closed bank, double ACT, RD to a closed bank, REF with an
    // open bank, unsorted, end before the last command.
    let cmds = [
        cmd(50, CommandKind::Pre, 1),
        cmd(10, CommandKind::Act, 1),
        cmd(5, CommandKind::Act, 1),
        cmd(7, CommandKind::Rd, 3),
        cmd(60, CommandKind::Ref, 0),
        cmd(u64::MAX / 4, CommandKind::PreA, 0),
    ];
    let e = energy(&spec, &cmds, 3);
    assert!(e.total.is_finite());
    assert_eq!((e.acts, e.pres, e.reads, e.refs), (1, 1, 1, 1));
}

#[test]
fn cli_text_and_json() {
    let dir = std::env::temp_dir().join(format!("cnnc-dram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("t.trace");
    std::fs::write(&trace, "0,ACT,0\n13,RD,0\n40,PRE,0\n100,REF,0\n").unwrap();
    let mut args = DramArgs {
        trace: trace.clone(),
        memspec: "ddr4-1866".into(),
        format: Format::Json,
    };
    let out = run_cli(&args).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // DRAMPower v4.1 on this trace (one device) reports ACT 1036.66 pJ,
    // PRE 517.28, RD 607.07, REF 24534.41, total 43016.96 pJ, 330 cycles.
    let per_dev = |k: &str| v[k].as_f64().unwrap() / 8.0;
    assert!((per_dev("act") - 1036.66).abs() < 0.01);
    assert!((per_dev("pre") - 517.28).abs() < 0.01);
    assert!((per_dev("rd") - 607.07).abs() < 0.01);
    assert!((per_dev("refresh") - 24534.41).abs() < 0.01);
    assert!((per_dev("total") - 43016.96).abs() < 0.01);
    assert_eq!(v["cycles"], 330);
    args.format = Format::Text;
    let text = run_cli(&args).unwrap();
    assert!(text.contains("total") && text.contains("mW"), "{text}");
    std::fs::write(&trace, "0,ACT,0\n1,BOGUS,0\n").unwrap();
    assert!(run_cli(&args).unwrap_err().message.contains("line 2"));
    args.memspec = "nope".into();
    assert!(run_cli(&args).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The DRAM stage's typed errors print exactly the sentences they did as
/// strings (the `cnnc dram` diagnostics quote them).
#[test]
fn dram_error_sentences_are_pinned() {
    let spec = parse_memspec(SIMPLE).unwrap();
    let banks = spec.banks;
    let cases = [
        (
            "0,ACT,0\n5,FOO,0\n",
            "line 2: unsupported command `FOO`".to_string(),
        ),
        (
            "0,ACT,0\n\nx,RD,0\n",
            "line 3: cycle `x` is not a non-negative integer".into(),
        ),
        (
            "0,ACT,9\n",
            format!("line 1: bank 9 out of range (the memspec has {banks} banks)"),
        ),
        (
            "0,ACT\n",
            "line 1: expected 3 fields (cycle,CMD,bank) or at least 7 \
             (cycle,CMD,rank,bankgroup,bank,row,column), got 2"
                .into(),
        ),
        ("0\n", "line 1: expected `cycle,CMD,bank`, got `0`".into()),
        (
            "0,ACT,1,0,0,0,0\n",
            "line 1: rank 1: only single-rank traces are modelled".into(),
        ),
        (
            // 2^53 itself: docs/language.md §5 says "below 2^53".
            "9007199254740992,ACT,0\n",
            "line 1: cycle 9007199254740992 is not below 9007199254740992 (2^53), the end a \
             trace may reach"
                .into(),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            parse_trace(&spec, text).unwrap_err().to_string(),
            want,
            "{text:?}"
        );
    }
    assert_eq!(
        parse_memspec(r#"{"memspec": {}}"#).unwrap_err().to_string(),
        "missing object `memarchitecturespec`"
    );
    assert!(parse_memspec("{")
        .unwrap_err()
        .to_string()
        .starts_with("invalid JSON: "));
    assert_eq!(
        memspec("ddr9").unwrap_err().to_string(),
        format!(
            "unknown memspec `ddr9` (built-in: {}; or give a path to a .json file)",
            builtin_memspecs().join(", ")
        )
    );
    let width = spec.width;
    assert_eq!(
        spec.with_rank_width(width + 1).unwrap_err().to_string(),
        format!(
            "rank width {} bits is not a positive multiple of the device width {width}",
            width + 1
        )
    );
}
