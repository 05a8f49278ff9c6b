"""refmodel check: results from a simulation or chip against golden vectors."""

from __future__ import annotations

import numpy as np
import pytest

from refmodel.cli import main
from refmodel.formats import parse_format
from refmodel.vectors.check import compare, read_results
from refmodel.vectors.coverage import exact_situations
from refmodel.vectors.io import read_vectors


@pytest.fixture
def golden(tmp_path):
    stem = tmp_path / "g"
    assert main(["gen", "mul", "--fmt", "e5m2", "--mode", "edge", "--out", str(stem), "-q"]) == 0
    return stem.with_suffix(".txt")


def _rows(path):
    return [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]


def test_identical_results_pass_in_every_layout(golden, tmp_path, capsys):
    assert main(["check", str(golden), str(golden)]) == 0  # the full text layout
    assert "PASS: 0 of" in capsys.readouterr().out
    rows = _rows(golden)
    z_flags = tmp_path / "zf.txt"
    z_flags.write_text("# from the simulator\n" + "\n".join(f"{r[2]} {r[3]}" for r in rows) + "\n")
    assert main(["check", str(golden), str(z_flags)]) == 0
    assert "compared z, flags)" in capsys.readouterr().out
    z_only = tmp_path / "z.txt"
    z_only.write_text("\n".join(f"0x{r[2]}" for r in rows) + "\n\n")
    assert main(["check", str(golden), str(z_only)]) == 0
    assert "compared z)" in capsys.readouterr().out


def test_a_mismatch_is_decoded_and_exits_1(golden, tmp_path, capsys):
    rows = _rows(golden)
    i = next(k for k, r in enumerate(rows) if r[2] != "7e")
    rows[i][2] = "7e"
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(f"{r[2]} {r[3]}" for r in rows) + "\n")
    assert main(["check", str(golden), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"vector {i} " in out and "actual   e5m2 0x7e" in out and "NaN" in out
    assert "FAIL: 1 of" in out


def test_mismatches_are_summed_by_exact_rounding_situation(golden, tmp_path, capsys):
    """The rounding-situation table counts every vector by its exact situations (the manifest's
    coverage) and the mismatches among them: plant one wrong result on an exact tie."""
    vs = read_vectors(golden)
    sits = exact_situations("mul", parse_format(vs.meta["fmt"]), None, {k: vs.columns[k] for k in ("a", "b")})
    tie = int(np.flatnonzero(sits["exact_tie"])[0])
    rows = _rows(golden)
    rows[tie][2] = f"{int(rows[tie][2], 16) ^ 1:02x}"  # the other neighbour
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(f"{r[2]} {r[3]}" for r in rows) + "\n")
    report = compare(vs, read_results(bad, vs), by_rounding_situation=True)
    assert report.by_rounding_situation["exact_tie"] == (int(sits["exact_tie"].sum()), 1)
    assert report.by_rounding_situation["exact"][1] == 0
    assert main(["check", str(golden), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "situations: exact_tie" in out and "rounding situation" in out


@pytest.mark.parametrize("content,message", [
    ("zz 00\n", "not hexadecimal"),
    ("3c\n3c 00 00\n", "fields, expected"),
    ("3c\n", "results for"),
    ("1ff 00\n", "does not fit"),
])
def test_unusable_results_exit_2(golden, tmp_path, capsys, content, message):
    rows = _rows(golden)
    bad = tmp_path / "bad.txt"
    lines = [f"{r[2]} {r[3]}" for r in rows[:-1]] if message != "results for" else []
    bad.write_text("\n".join(lines) + ("\n" if lines else "") + content)
    assert main(["check", str(golden), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("refmodel: error:") and message in err and err.count("\n") == 1


def test_posit_and_trace_results(tmp_path, capsys):
    stem = tmp_path / "q"
    assert main(["gen", "quire_mac", "--fmt", "posit8", "--mode", "edge", "--count", "300", "--out", str(stem),
                 "-q"]) == 0
    rows = _rows(stem.with_suffix(".txt"))
    res = tmp_path / "r.txt"
    rows[5][4] = f"{(int(rows[5][4], 16) + 1) % 256:02x}"
    res.write_text("\n".join(f"{r[4]} {r[5]}" for r in rows) + "\n")
    assert main(["check", str(stem.with_suffix(".txt")), str(res)]) == 1
    out = capsys.readouterr().out
    assert "posit8 0x" in out and "compared z, nar" in out
    assert np.sum([line.startswith("q.txt:") for line in out.splitlines()]) == 1
