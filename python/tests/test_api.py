"""The Python module against the command line: each call returns what
`cnnc ... --format json` prints, errors carry its diagnostics, and long
calls leave the GIL free and stop on Ctrl-C.

The command line is `$CNNC_BIN`, or `target/release/cnnc` of this clone
(`$CARGO_TARGET_DIR/release/cnnc` when that is set); .ci/run builds it
with `cargo test --release` before it runs these tests.
"""

import json
import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

import cnnc

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CONV4 = EXAMPLES / "conv4.cnn"

# A small network (two layers of a few thousand MACs), as source text.
NET = """
network small {
    layer a { ifmap = 8 x 8; channels = 2; filter = 3 x 3; filters = 4; ofmap = 6 x 6; }
    layer b { ifmap = 6 x 6; channels = 4; filter = 3 x 3; filters = 2; ofmap = 4 x 4; }
}
"""


def cli_binary() -> pathlib.Path:
    if os.environ.get("CNNC_BIN"):
        return pathlib.Path(os.environ["CNNC_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "cnnc"


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    binary = cli_binary()
    assert binary.exists(), f"no command line at {binary}: build it with `cargo build --release`"
    done = subprocess.run([str(binary), *args], capture_output=True, text=True)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def test_run_equals_the_command_lines_json():
    mine = cnnc.run(CONV4)
    theirs = json.loads(cli(str(CONV4), "--format", "json").stdout)
    assert mine == theirs
    assert mine["layer"] == "alexnet_conv4"
    assert mine["layer_stats"]["cycles"] > 0


def test_run_options_are_the_command_lines_options():
    options = dict(
        layer="alexnet_conv4",
        passes="igrad",
        dataflow="gflow",
        objective="latency",
        set={"array": "12x14", "glb.bank": "4KiB"},
    )
    mine = cnnc.run(str(CONV4), **options)
    theirs = cli(
        str(CONV4),
        "--layer", "alexnet_conv4",
        "--pass", "igrad",
        "--dataflow", "gflow",
        "--objective", "latency",
        "--set", "array=12x14",
        "--set", "glb.bank=4KiB",
        "--format", "json",
    ).stdout
    assert mine == json.loads(theirs)
    assert mine != cnnc.run(CONV4, passes="igrad", dataflow="gflow")


def test_source_text_is_taken_like_a_file(tmp_path):
    path = tmp_path / "small.cnn"
    path.write_text(NET)
    from_text = cnnc.run(NET, layer="small", passes="all")
    assert from_text == cnnc.run(path, layer="small", passes="all")
    assert from_text == json.loads(
        cli(str(path), "--layer", "small", "--pass", "all", "--format", "json").stdout
    )


def test_check_passes_good_files_and_raises_on_bad_ones():
    assert cnnc.check(CONV4) is None
    bad = "layer bad { ifmap = 5 x 5; filter = 3 x 3; ofmap = 4 x 4; }\n"
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.check(bad)
    error = caught.value
    assert error.diagnostics, "no diagnostics"
    first = error.diagnostics[0]
    assert set(first) >= {"code", "message", "range", "start", "end", "help", "labels"}
    assert first["file"] == "<source>"
    assert first["range"]["start"] < first["range"]["end"]
    # str() is the rendered text, code and help included.
    assert error.codes == ["E0020"]
    assert f"error[{first['code']}]" in str(error)
    assert "help: write `ofmap = 3 x 3;`" in str(error)
    assert first["help"].startswith("write `ofmap = 3 x 3;`")


def test_errors_are_the_command_lines_diagnostics():
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.run(CONV4, layer="conv5")
    assert caught.value.codes == ["E0041"]
    theirs = cli(str(CONV4), "--layer", "conv5", "--diagnostics", "json", ok=False)
    assert theirs.returncode == 1
    assert caught.value.diagnostics == [json.loads(line) for line in theirs.stderr.splitlines()]
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.run(CONV4, set={"arrray": "6x7"})
    assert caught.value.codes == ["E0007"]
    assert "did you mean `array`?" in caught.value.diagnostics[0]["help"]
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.run(EXAMPLES / "no-such-file.cnn")
    assert caught.value.codes == ["E0921"]
    with pytest.raises(ValueError, match="passes"):
        cnnc.run(CONV4, passes="backward")


def test_a_refused_layer_raises_with_the_report(tmp_path):
    # A filter scratchpad too small for a row of 3 weights: the layers are
    # refused (E0301), and the report says so, as the command line prints.
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.run(NET, layer="small", set={"rf.filter": 1})
    assert "E0301" in caught.value.codes
    path = tmp_path / "small.cnn"
    path.write_text(NET)
    theirs = cli(str(path), "--layer", "small", "--set", "rf.filter=1", "--format", "json", ok=False)
    assert theirs.returncode == 1
    assert caught.value.result == json.loads(theirs.stdout)


SWEEP = ["--vary", "array=6x7,12x14,8x8", "--vary", "glb.bank=2KiB,4KiB"]
VARY = {"array": ["6x7", "12x14", (8, 8)], "glb.bank": ["2KiB", "4KiB"]}


def test_sweep_equals_the_command_lines_rows():
    mine = cnnc.sweep(CONV4, vary=VARY, dataflow=["rs", "gflow"], passes="igrad")
    theirs = cli(
        "sweep", str(CONV4), *SWEEP, "--dataflow", "rs,gflow", "--pass", "igrad", "--format", "json"
    ).stdout
    assert mine == [json.loads(line) for line in theirs.splitlines()]
    assert len(mine) == 12
    assert any(row["pareto"] for row in mine)
    # Shards concatenate to the whole, without the front.
    parts = []
    for k in (1, 2, 3):
        parts += cnnc.sweep(
            CONV4, vary=VARY, dataflow=["rs", "gflow"], passes="igrad", shard=(k, 3)
        )
    assert [dict(r, pareto=None) for r in mine] == parts
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.sweep(CONV4, vary=VARY, shard="4/3")
    assert caught.value.codes == ["E0072"]


def test_shard_auto_reads_the_job_array(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SLURM_", "SGE_", "LSB_", "PBS_")):
            monkeypatch.delenv(name)
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.sweep(CONV4, vary=VARY, shard="auto")
    assert caught.value.codes == ["E0076"]
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "3")
    monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "1")
    monkeypatch.setenv("SLURM_ARRAY_TASK_COUNT", "3")
    assert cnnc.sweep(CONV4, vary=VARY, shard="auto") == cnnc.sweep(CONV4, vary=VARY, shard="3/3")


def test_import_model_returns_the_cnn_text():
    topology = ROOT / "tests" / "import" / "alexnet_scalesim.csv"
    text = cnnc.import_model(topology)
    assert text == cli("import", str(topology)).stdout
    assert cnnc.check(text) is None
    with pytest.raises(cnnc.CnncError) as caught:
        cnnc.import_model(topology, batch=0)
    assert caught.value.codes == ["E0405"]


def test_to_frame_has_a_row_per_layer_and_pass():
    result = cnnc.run(NET, layer="small", passes="all")
    frame = cnnc.to_frame(result)
    assert len(frame) == 6
    assert list(frame["layer"]) == ["small.a"] * 3 + ["small.b"] * 3
    assert list(frame["pass"]) == ["forward", "igrad", "fgrad"] * 2
    assert (frame["cycles"] > 0).all()
    reports = [r for layer in result["layers"] for r in layer] if isinstance(
        result["layers"][0], list
    ) else None
    if reports is not None:
        assert list(frame["cycles"]) == [r["layer_stats"]["cycles"] for r in reports]
    assert "energy_pj.total" in frame.columns
    one = cnnc.to_frame(cnnc.run(CONV4))
    assert len(one) == 1 and one["layer"][0] == "alexnet_conv4"
    points = cnnc.to_frame(cnnc.sweep(CONV4, vary=VARY))
    assert len(points) == 6
    assert list(points["arch.array"][:2]) == ["6x7", "6x7"]


def slow_call(passes="forward"):
    # About 3 s of work per pass (measured on the 2-core development machine).
    return cnnc.run(EXAMPLES / "alexnet.cnn", layer="alexnet.conv2", passes=passes)


def test_long_calls_release_the_gil():
    done = threading.Event()
    worker = threading.Thread(target=lambda: (slow_call(), done.set()))
    started = time.monotonic()
    worker.start()
    spins = 0
    while not done.is_set() and time.monotonic() - started < 120:
        spins += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.monotonic() - started
    assert done.is_set()
    # Holding the GIL for the whole call would leave this loop one turn.
    assert elapsed > 0.5 and spins > 100, (elapsed, spins)


def test_ctrl_c_interrupts_a_long_call():
    # Three passes, several seconds uninterrupted; the interrupt comes at 0.3 s.
    # (The abandoned work finishes on its own thread; this is the last test.)
    # Python only turns SIGINT into KeyboardInterrupt if SIGINT was not
    # ignored when it started, and a shell starts background jobs with it
    # ignored (a CI run in the background failed here): install the handler.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            slow_call(passes="all")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 1.5
