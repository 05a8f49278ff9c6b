"""The command line: listings, explain, gen, and one-line errors with a non-zero exit on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from refmodel.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "refmodel", *args], capture_output=True, text=True)


def test_python_dash_m_and_formats():
    out = run("formats")
    assert out.returncode == 0
    for name in ("e4m3fn", "e5m2", "e4m3fnuz", "e2m1fn", "e8m0fnu", "fp16", "bf16", "e6m9"):
        assert name in out.stdout
    assert "448" in out.stdout and "57344" in out.stdout


def test_explain(capsys):
    assert main(["explain", "e4m3fn", "3c", "0x7f", "80", "01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "0_0111_100" in lines[0] and "normal 1.5" in lines[0]
    assert "NaN" in lines[1]
    assert "-0" in lines[2]
    assert "subnormal 0.001953125" in lines[3]
    assert main(["explain", "e5m2", "7d", "7c"]) == 0
    out = capsys.readouterr().out
    assert "signalling" in out and "+inf" in out


@pytest.mark.parametrize("args, message", [
    (["gen", "mul", "--fmt", "e9m9x", "--out", "{d}/x"], "unknown format 'e9m9x'"),
    (["gen", "mul", "--fmt", "e4m3fn", "--rounding", "sr", "--sr-bits", "40", "--out", "{d}/x"], "--sr-bits"),
    (["gen", "mul", "--fmt", "e4m3fn", "--sr-bits", "0", "--rounding", "sr_c", "--out", "{d}/x"], "--sr-bits"),
    (["gen", "mul", "--fmt", "e4m3fn", "--count", "-5", "--out", "{d}/x"], "--count"),
    (["gen", "mul", "--fmt", "e4m3fn", "--to", "e5m2", "--out", "{d}/x"], "does not take --to"),
    (["gen", "from_f64", "--fmt", "e4m3fn", "--mode", "exhaustive", "--out", "{d}/x"], "edge or random"),
    (["gen", "mul", "--fmt", "fp16", "--mode", "exhaustive", "--out", "{d}/x"], "exhaustive"),
    (["gen", "mul", "--fmt", "e4m3fn", "--out", "{d}/missing/dir/x"], "does not exist"),
    (["explain", "e4m3fn", "1ff"], "does not fit"),
    (["explain", "e4m3fn", "zz"], "not a hex"),
])
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, capsys, args, message):
    args = [a.replace("{d}", str(tmp_path)) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("refmodel: error:") and message in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_unknown_op_and_mode_are_usage_errors():
    for args in (["gen", "pow", "--fmt", "e4m3fn", "--out", "x"], ["gen", "mul", "--fmt", "e4m3fn",
                                                                     "--mode", "full", "--out", "x"]):
        out = run(*args)
        assert out.returncode == 2 and "invalid choice" in out.stderr and "Traceback" not in out.stderr


def test_progress_bar_goes_to_stderr_only(tmp_path, capsys):
    assert main(["gen", "mul", "--fmt", "e4m3fn", "--count", "100", "--progress", "--out", str(tmp_path / "p")]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("100 vectors -> ") and captured.out.count("\n") == 1
    assert captured.err.startswith("generating mul e4m3fn vectors ...\nclassifying the rounding situations of 100")
    assert "\rwriting [" in captured.err and captured.err.endswith("100/100 vectors\n")
