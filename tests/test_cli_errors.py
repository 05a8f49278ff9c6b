"""Every subcommand on bad input: one line on stderr naming the problem, a non-zero exit (2 for
unusable input), no traceback and no file left behind, also when generation is interrupted.

The table runs in-process; the rows marked SUBPROCESS also run as `python -m refmodel`, where
a traceback or a stray line would really reach the user's terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refmodel.cli import main

GOOD = "# refmodel golden vectors\n# op: mul  fmt: e4m3fn  count: 2\n# fields: a:8 b:8 z:8 flags:5\n" \
       "38 38 38 00\n00 00 00 00\n"

# Input files for `check`, written into a directory apart from the output directory.
INPUTS = {
    "good.txt": GOOD,
    "results_ok.txt": "38 00\n00 00\n",
    "junk.bin": b"\x00\xff\xfe garbage \x89PNG",
    "truncated.txt": GOOD.rsplit("00 00 00 00\n", 1)[0],
    "width.txt": GOOD.replace("38 38 38 00", "38 38 038 00"),
    "nonhex.txt": GOOD.replace("38 38 38 00", "38 3g 38 00"),
    "wide_flags.txt": GOOD.replace("38 38 38 00", "38 38 38 20"),
    "short_line.txt": GOOD.replace("38 38 38 00", "38 38 38"),
    "no_header.txt": "38 38 38 00\n",
    "bad_fields.txt": GOOD.replace("a:8", "a:65"),
    "crlf_bad.txt": GOOD.replace("\n", "\r\n").replace("38 38 38 00", "38 38 zz 00"),
    "res_count.txt": "38 00\n",
    "res_nonhex.txt": "38 00\nxy 00\n",
    "res_wide.txt": "38 00\n1ff 00\n",
    "res_mixed.txt": "38 00\n00\n",
    "res_fields.txt": "38 00 00\n00 00 00\n",
}

SUBPROCESS = "subprocess"
GEN = ["gen", "mul", "--fmt", "e4m3fn"]

# (arguments, exit status, what the one line must say[, SUBPROCESS]); {out} is the output stem,
# {in} the input directory.
CASES = [
    # the command line itself
    ([], 2, "required: command"),
    (["frobnicate"], 2, "invalid choice: 'frobnicate'", SUBPROCESS),
    (["formats", "extra"], 2, "unrecognized arguments: extra"),
    # gen: formats, operations, modes
    (["gen", "mul", "--fmt", "e9m9x", "--out", "{out}"], 2, "unknown format 'e9m9x'", SUBPROCESS),
    (["gen", "pow", "--fmt", "e4m3fn", "--out", "{out}"], 2, "invalid choice: 'pow'", SUBPROCESS),
    ([*GEN, "--mode", "full", "--out", "{out}"], 2, "invalid choice: 'full'"),
    (["gen", "mul", "--fmt", "posit99", "--out", "{out}"], 2, "posits need 2 <= N <= 32"),
    (["gen", "add", "--fmt", "flex16+5", "--out", "{out}"], 2, "its operations are flex_dot, flex_quant"),
    (["gen", "flex_quant", "--fmt", "e4m3fn", "--out", "{out}"], 2, "needs a Flexpoint --fmt"),
    (["gen", "div", "--fmt", "e4m3fn", "--out", "{out}"], 2, "div is a posit operation"),
    (["gen", "minimum", "--fmt", "posit8", "--out", "{out}"], 2, "minimum is not a posit operation"),
    # gen: impossible parameters
    ([*GEN, "--count", "-5", "--out", "{out}"], 2, "--count must be a positive number", SUBPROCESS),
    ([*GEN, "--count", "0", "--out", "{out}"], 2, "--count must be a positive number"),
    ([*GEN, "--count", "ten", "--out", "{out}"], 2, "argument --count: invalid integer 'ten'"),
    ([*GEN, "--count", "9" * 30, "--out", "{out}"], 2, "argument --count: " + "9" * 30 + " is out of range"),
    ([*GEN, "--count", str(1 << 41), "--out", "{out}"], 2, "up to 2^40"),
    ([*GEN, "--seed", "-1", "--out", "{out}"], 2, "--seed must be in 0..2^56-1"),
    ([*GEN, "--rounding", "sr", "--sr-bits", "40", "--out", "{out}"], 2, "--sr-bits must be in 1..32, not 40"),
    ([*GEN, "--rounding", "sr_c", "--sr-bits", "0", "--out", "{out}"], 2, "--sr-bits must be in 1..32, not 0"),
    ([*GEN, "--to", "e5m2", "--out", "{out}"], 2, "mul does not take --to"),
    ([*GEN, "--acc-fmt", "fp16", "--out", "{out}"], 2, "mul does not take --acc-fmt"),
    ([*GEN, "--length", "4", "--out", "{out}"], 2, "mul does not take --length"),
    (["gen", "convert", "--fmt", "e4m3fn", "--out", "{out}"], 2, "convert needs --to"),
    (["gen", "convert", "--fmt", "e4m3fn", "--to", "nope", "--out", "{out}"], 2, "unknown format 'nope'"),
    (["gen", "mul", "--fmt", "posit8", "--rounding", "rtz", "--out", "{out}"], 2, "posits round with rne"),
    (["gen", "mul", "--fmt", "posit8", "--overflow", "sat", "--out", "{out}"], 2, "posits saturate"),
    (["gen", "dot", "--fmt", "posit8", "--length", "0", "--out", "{out}"], 2, "dot needs --length in 1..65536"),
    (["gen", "dot", "--fmt", "e4m3fn", "--acc-fmt", "fp16", "--length", "0", "--out", "{out}"], 2,
     "--length must be a positive number of products, not 0"),
    (["gen", "dot", "--fmt", "e4m3fn", "--acc-fmt", "fp16", "--chunk", "-1", "--out", "{out}"], 2, "chunk must be"),
    (["gen", "mac", "--fmt", "e4m3fn", "--out", "{out}"], 2, "mac needs --acc-fmt"),
    (["gen", "mac", "--fmt", "e4m3fn", "--acc-fmt", "fp16", "--align-width", "3", "--out", "{out}"], 2,
     "align_width must be in"),
    (["gen", "sr_add", "--fmt", "e5m2", "--lfsr-seed", "0", "--out", "{out}"], 2, "0 locks the register"),
    (["gen", "sr_add", "--fmt", "e5m2", "--lfsr-taps", "x,y", "--out", "{out}"], 2, "LFSR taps 'x,y'"),
    (["gen", "flex_dot", "--fmt", "flex16+5", "--length", "0", "--out", "{out}"], 2, "length must be at least 1"),
    (["gen", "flex_dot", "--fmt", "flex16+5", "--acc-bits", "0", "--out", "{out}"], 2, "acc_bits must be in"),
    (["gen", "flex_quant", "--fmt", "flex16+5", "--length", "4", "--out", "{out}"], 2, "takes no --length"),
    (["gen", "quire_mac", "--fmt", "posit8", "--carry-bits", "-1", "--out", "{out}"], 2, "carry-guard width"),
    (["gen", "compare_eq", "--fmt", "e5m2", "--rounding", "rtz", "--out", "{out}"], 2, "does not round"),
    (["gen", "from_f64", "--fmt", "e4m3fn", "--mode", "exhaustive", "--out", "{out}"], 2, "edge or random"),
    (["gen", "mul", "--fmt", "fp16", "--mode", "exhaustive", "--out", "{out}"], 2, "is 2^32 vectors"),
    ([*GEN, "--jobs", "0", "--out", "{out}"], 2, "--jobs must be at least 1"),
    # gen: where the output goes
    ([*GEN, "--out", "{out}/missing/dir/x"], 2, "does not exist"),
    ([*GEN, "--out", "/proc/refmodel_x"], 2, "/proc/refmodel_x.txt: cannot write", SUBPROCESS),
    ([*GEN, "--out", ""], 2, "names no file"),
    # explain
    (["explain", "nope", "3c"], 2, "unknown format 'nope'"),
    (["explain", "e4m3fn", "1ff"], 2, "does not fit the 8-bit format e4m3fn"),
    (["explain", "e4m3fn", "zz"], 2, "code 'zz' is not a hex", SUBPROCESS),
    (["explain", "e4m3fn", "3c", "--exp", "1"], 2, "only flex formats take it"),
    (["explain", "flex16+5", "0x100", "--exp", "99"], 2, "outside flex16+5's exponent range"),
    # check: unusable golden or results files
    (["check", "{in}/missing.txt", "{in}/good.txt"], 2, "missing.txt: cannot read: No such file"),
    (["check", "{in}", "{in}/good.txt"], 2, "cannot read: Is a directory"),
    (["check", "{in}/junk.bin", "{in}/good.txt"], 2, "junk.bin: not an ASCII text vector file (byte 1)", SUBPROCESS),
    (["check", "{in}/truncated.txt", "{in}/good.txt"], 2, "header says count 2 but the file holds 1"),
    (["check", "{in}/width.txt", "{in}/good.txt"], 2, "width.txt:4: field z is '038', expected 2 hex digits"),
    (["check", "{in}/nonhex.txt", "{in}/good.txt"], 2, "nonhex.txt:4: field b is '3g', not hexadecimal",
     SUBPROCESS),
    (["check", "{in}/wide_flags.txt", "{in}/good.txt"], 2, "wide_flags.txt:4: field flags = 20 does not fit in 5"),
    (["check", "{in}/short_line.txt", "{in}/good.txt"], 2, "short_line.txt:4: 3 fields, expected 4"),
    (["check", "{in}/no_header.txt", "{in}/good.txt"], 2, "no_header.txt:1: vector line before the '# fields:'"),
    (["check", "{in}/bad_fields.txt", "{in}/good.txt"], 2, "bad field 'a:65'"),
    (["check", "{in}/crlf_bad.txt", "{in}/good.txt"], 2, "crlf_bad.txt:4: field z is 'zz', not hexadecimal"),
    (["check", "{in}/good.txt", "{in}/res_count.txt"], 2, "1 results for 2 golden vectors"),
    (["check", "{in}/good.txt", "{in}/res_nonhex.txt"], 2, "res_nonhex.txt:2: field z is 'xy', not hexadecimal"),
    (["check", "{in}/good.txt", "{in}/res_wide.txt"], 2, "res_wide.txt:2: field z = 1ff does not fit in 8 bits"),
    (["check", "{in}/good.txt", "{in}/res_mixed.txt"], 2, "some lines have 2 fields and some do not"),
    (["check", "{in}/good.txt", "{in}/res_fields.txt"], 2, "res_fields.txt:1: 3 fields, expected z flags"),
    (["check", "{in}/good.txt", "{in}/junk.bin"], 2, "junk.bin: not an ASCII text file"),
    (["check", "{in}/good.txt", "{in}/results_ok.txt", "--max-report", "-1"], 2, "--max-report must be 0 or more"),
]


@pytest.fixture
def dirs(tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    for name, content in INPUTS.items():
        (inputs / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return inputs, out


def _args(case, inputs: Path, out: Path) -> list[str]:
    return [a.replace("{out}", str(out / "x")).replace("{in}", str(inputs)) for a in case[0]]


def _run_in_process(args, capsys) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    return code, capsys.readouterr().err


def _assert_one_line_error(code, err, case, out: Path):
    _, status, message = case[:3]
    assert code == status, err
    assert err.startswith("refmodel: error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert "Traceback" not in err
    assert os.listdir(out) == []


@pytest.mark.parametrize("case", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_in_process(case, dirs, capsys):
    inputs, out = dirs
    code, err = _run_in_process(_args(case, inputs, out), capsys)
    _assert_one_line_error(code, err, case, out)


SUB = [c for c in CASES if c[3:] == (SUBPROCESS,)]


@pytest.mark.parametrize("case", SUB, ids=[" ".join(c[0])[:60] for c in SUB])
def test_bad_input_as_a_command(case, dirs):
    inputs, out = dirs
    run = subprocess.run([sys.executable, "-m", "refmodel", *_args(case, inputs, out)], capture_output=True,
                         text=True, timeout=120)
    assert run.stdout == ""
    _assert_one_line_error(run.returncode, run.stderr, case, out)


def test_the_good_inputs_are_good(dirs, capsys):
    """The malformed files above differ from these by one defect each."""
    inputs, out = dirs
    assert main(["check", str(inputs / "good.txt"), str(inputs / "results_ok.txt")]) == 0
    assert main(["check", str(inputs / "good.txt"), str(inputs / "good.txt")]) == 0
    assert "PASS" in capsys.readouterr().out


def test_output_stem_that_is_a_directory_leaves_nothing(tmp_path, capsys):
    (tmp_path / "x.hex").mkdir()  # x.txt could be written, x.hex cannot
    assert main([*GEN, "--count", "10", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "x.hex" in err and "is a directory" in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == ["x.hex"]


def test_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    def fail(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", fail)
    assert main([*GEN, "--count", "10", "--out", str(tmp_path / "x")]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def _deliver_sigint():
    """In the child before exec: SIGINT's disposition and mask are inherited, and the test process
    (a pytest-xdist worker, or after other tests) may ignore or block it, as a shell's background job does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.parametrize("sig, jobs", [(signal.SIGINT, 1), (signal.SIGINT, 2), (signal.SIGTERM, 2)])
def test_interrupted_gen_leaves_no_file(tmp_path, sig, jobs):
    """Signal a long generation as soon as its temporary files appear: it stops with status 130
    and deletes them."""
    proc = subprocess.Popen([sys.executable, "-m", "refmodel", "gen", "mul", "--fmt", "e4m3fn", "--count", "4000000",
                             "--jobs", str(jobs), "--out", str(tmp_path / "big")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_deliver_sigint)
    deadline = time.monotonic() + 120
    while not os.listdir(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert any(".tmp" in name for name in os.listdir(tmp_path))  # caught while writing
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and err == "refmodel: interrupted\n"
    assert os.listdir(tmp_path) == []
