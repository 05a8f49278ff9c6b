"""The self-checking $readmemh flows, run as users run them (the driver scripts, their exit status and
output) on both simulators: golden files pass, a planted wrong result is reported decoded and fails
the run, and a malformed vector file is refused with an error naming it.

    pytest cocotb_tests/test_readmemh.py [-k icarus]

fp_add runs through each of vec_source.v's loaders on each simulator; fp_mul, posit add and mul, the
Flexpoint MAC, fp_mac and the quire MAC through each simulator's default loader. The exhaustive
sweeps are `make regress-full`'s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from simulate import LOADER, SIMS
from vecfiles import manifest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
FP_FILES = [GOLDEN / "add" / "e5m2_rne_edge.hex", GOLDEN / "sub" / "e5m2_rne_edge.hex",
            GOLDEN / "add" / "e5m2_sr_random.hex"]
FP_MUL_FILE = GOLDEN / "mul" / "binary8p3se_rne_edge.hex"
POSIT_FILES = [GOLDEN / "add" / "posit8_rne_edge.hex", GOLDEN / "mul" / "posit8_sr_random.hex",
               GOLDEN / "mul" / "posit8_rne_random.hex"]  # one format: one Verilator build
FLEX_FILE = GOLDEN / "flex_dot" / "flex16+5_sr_random.hex"
# 4 lanes on Verilator: builds take half as long as with the default 32, the checks are the same
VERILATOR_LANES = {"verilator": ["--lanes", "4"], "icarus": []}
MAC_FILE, MAC_SETUP = GOLDEN / "mac" / "e5m2_fp32_w24_rne_edge.hex", "e5m2_fp32_w24s"


def driver(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True)


def copy_vectors(src: Path, dst_dir: Path) -> Path:
    """A copy of STEM.hex and STEM.json, to be damaged."""
    for ext in (".hex", ".json"):
        shutil.copy(src.with_suffix(ext), dst_dir / (src.stem + ext))
    return dst_dir / src.name


def plant_mismatch(src: Path, dst_dir: Path, index: int, field: str = "z") -> Path:
    """A copy of a vector file whose vector `index` expects `field` with its lowest bit flipped."""
    planted = copy_vectors(src, dst_dir)
    z_lsb = next(f["lsb"] for f in manifest(src)["fields"] if f["name"] == field)
    lines = planted.read_text().splitlines(keepends=True)
    lines[index] = f"{int(lines[index], 16) ^ (1 << z_lsb):0{len(lines[index]) - 1}x}\n"
    planted.write_text("".join(lines))
    return planted


def check_driver(script: str, run: list[str], files: list[Path], tmp_path: Path) -> None:
    """Golden files pass; a planted wrong z fails with the vector decoded; damaged files are refused."""
    ok = driver(script, *run, *map(str, files))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    for path in files:
        assert f"{path.name}: {manifest(path)['count']} vectors, 0 mismatches" in ok.stdout, ok.stdout

    planted = plant_mismatch(files[0], tmp_path, 100)
    bad = driver(script, *run, str(planted))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{planted.name}: {manifest(planted)['count']} vectors, 1 mismatches" in bad.stdout, bad.stdout
    assert "vector 100" in bad.stdout and "expected" in bad.stdout and "actual" in bad.stdout

    lines = planted.read_text().splitlines(keepends=True)
    planted.write_text("".join(lines[:-1]))  # a line short
    res = driver(script, *run, str(planted))
    assert res.returncode == 2 and f"ERROR: {planted}" in res.stdout + res.stderr, res.stdout + res.stderr
    planted.write_text("".join(lines[:7] + ["g" + lines[7][1:]] + lines[8:]))  # not a hex digit
    res = driver(script, *run, str(planted))
    assert res.returncode == 2 and str(planted) in res.stdout + res.stderr, res.stdout + res.stderr


@pytest.mark.parametrize("loader", ["readmemh", "fread"])
@pytest.mark.parametrize("sim", SIMS)
def test_fp_add_readmemh(sim: str, loader: str, tmp_path: Path):
    # fp_mul through the default loader only
    run = ["run", "--sim", sim, "--loader", loader, *VERILATOR_LANES[sim]]
    check_driver("readmemh_fp.py", run, [*FP_FILES, FP_MUL_FILE] if LOADER[sim] == loader else FP_FILES, tmp_path)


@pytest.mark.parametrize("sim", SIMS)
def test_posit_readmemh(sim: str, tmp_path: Path):
    check_driver("readmemh_posit.py", ["run", "--sim", sim, *VERILATOR_LANES[sim]], POSIT_FILES, tmp_path)


@pytest.mark.parametrize("sim", SIMS)
def test_flex_readmemh(sim: str, tmp_path: Path):
    """The Flexpoint MAC's testbench: a golden flex_dot file passes, a planted wrong z is reported."""
    ok = driver("readmemh_flex.py", "run", "--sim", sim, str(FLEX_FILE))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{FLEX_FILE.name}: {manifest(FLEX_FILE)['count']} vectors" in ok.stdout and "0 mismatches" in ok.stdout

    planted = plant_mismatch(FLEX_FILE, tmp_path, 100)
    shutil.copy(FLEX_FILE.with_suffix(".txt"), planted.with_suffix(".txt"))  # decoded from STEM.txt
    bad = driver("readmemh_flex.py", "run", "--sim", sim, str(planted))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert ", 1 mismatches" in bad.stdout and "MISMATCH" in bad.stdout, bad.stdout


@pytest.mark.parametrize("sim", SIMS)
def test_fp_mac_readmemh(sim: str, tmp_path: Path):
    """fp_mac's trace testbench: a golden mac trace passes, a planted wrong accumulator is reported
    decoded, a truncated trace is refused."""
    run = ["run", "--sim", sim, "--setup", MAC_SETUP]
    ok = driver("readmemh_mac.py", *run, str(MAC_FILE))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{MAC_FILE.name}: {manifest(MAC_FILE)['count']} cycles, 0 mismatches" in ok.stdout, ok.stdout

    planted = plant_mismatch(MAC_FILE, tmp_path, 100, "acc")
    bad = driver("readmemh_mac.py", *run, str(planted))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{planted.name}: {manifest(planted)['count']} cycles, 1 mismatches" in bad.stdout, bad.stdout
    assert f"{planted.name} cycle 100" in bad.stdout and "expected" in bad.stdout

    planted.write_text("".join(planted.read_text().splitlines(keepends=True)[:-1]))
    res = driver("readmemh_mac.py", *run, str(planted))
    assert res.returncode == 2 and f"ERROR: {planted}" in res.stdout + res.stderr, res.stdout + res.stderr


@pytest.mark.parametrize("sim", SIMS)
def test_quire_mac_readmemh(sim: str, tmp_path: Path):
    """The quire MAC's trace testbench: generated posit8 traces pass, a planted wrong z is reported
    decoded at its step, a truncated trace is refused."""
    ok = driver("readmemh_quire.py", "regress", "--sim", sim, "--fmts", "posit8", "--steps", "2000")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("2000 steps, 0 mismatches") == 3, ok.stdout
    trace = next((REPO / "build" / "readmemh_quire" / "vectors").glob("quire_mac_posit8_sr_random_*_n2000.hex"))

    planted = plant_mismatch(trace, tmp_path, 100)
    bad = driver("readmemh_quire.py", "run", "--sim", sim, str(planted))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{planted.name}: 2000 steps, 1 mismatches" in bad.stdout, bad.stdout
    assert f"{planted.name} step 100" in bad.stdout and "expected" in bad.stdout

    planted.write_text("".join(planted.read_text().splitlines(keepends=True)[:-1]))
    res = driver("readmemh_quire.py", "run", "--sim", sim, str(planted))
    assert res.returncode == 2 and f"ERROR: {planted}" in res.stdout + res.stderr, res.stdout + res.stderr
