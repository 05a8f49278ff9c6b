"""pytest runner of the cocotb regression: simulator x format, one build directory per pair.

    pytest cocotb_tests                    # everything (make regress / make test)
    pytest cocotb_tests -k icarus          # one simulator
    pytest cocotb_tests -k "e5m2 and verilator"
    WAVES=1 pytest cocotb_tests -k icarus-e5m2   # waves in the build directory: Icarus FST, Verilator
                                                 # FST when lz4.h is installed, else VCD

By default e4m3fn and e5m2 (the exhaustive sets) run on both simulators and the formats that only
have edge sets (e4m3, e3m4, e4m3fnuz, e5m2fnuz, e4m3b11fnuz) on Icarus only; FP_MUL_FORMATS=all
runs every format on both, FP_MUL_FORMATS=<fmt>,<fmt> a chosen list.

Each (simulator, format) pair builds hdl/fp_mul_lanes.v around rtl/fp/fp_mul.v with the format's
parameters under build/cocotb/fp_mul/<sim>-<fmt>/ and replays every golden vector file of that
format from golden_vectors/mul/ (or $GOLDEN_DIR/mul/), one cocotb test per file; JUnit XML results go
to build/cocotb/fp_mul/<sim>-<fmt>/results.xml. Environment: FP_MUL_LANES lanes per transaction
(default 16 on Icarus, 32 on Verilator), FP_MUL_MAX_MISMATCHES (default 10), GOLDEN_DIR, WAVES.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from simulate import RTL, SIMS, run_cocotb

from refmodel.formats import parse_format
from refmodel.vectors.io import read_header

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
REQUIRED_FORMATS = ("e4m3fn", "e5m2")  # the formats with exhaustive sets: always run
RTL_MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr")
# Lanes per transaction, measured (65,536-vector file): Icarus peaks at 16 lanes (~46k vectors/s;
# 64 lanes ~15k/s: vvp hands the whole wide bus to every lane's part-select, so the cost per vector
# grows with the lane count); Verilator runs ~250k-900k vectors/s at 16-64 lanes and its C++ build
# grows with them (~30 s at 16 lanes, ~48 s at 64, clean). FP_MUL_LANES overrides both.
DEFAULT_LANES = {"icarus": 16, "verilator": 32}
DEFAULT_SR_BITS = 8

# NAN_STYLE of rtl/common/fp_defs.vh by refmodel format family
_NAN_STYLE = {"ieee": 0, "fn": 1, "fnuz": 2}


def rtl_params(fmt: str) -> dict[str, int]:
    """fp_mul parameters of a format name (sr bits excluded)."""
    f = parse_format(fmt)
    if f.family not in _NAN_STYLE:
        raise ValueError(f"fp_mul has no parameter set for the {f.family} family ({fmt})")
    style = _NAN_STYLE[f.family] if f.has_nan else 3
    return {"EXP_W": f.exp_bits, "MAN_W": f.man_bits, "BIAS": f.bias, "NAN_STYLE": style,
            "HAS_INF": int(f.has_inf)}


def vector_files() -> dict[str, list[tuple[Path, dict[str, int]]]]:
    """fmt -> [(file, fields)] for every mul vector file the RTL can replay."""
    out: dict[str, list[tuple[Path, dict[str, int]]]] = {}
    for path in sorted((GOLDEN / "mul").glob("*.txt")):
        meta, field_list = read_header(path)
        fields = dict(field_list)
        if meta.get("op") == "mul" and meta.get("rounding", "rne") in RTL_MODES and "fmt" in meta:
            out.setdefault(meta["fmt"], []).append((path, fields))
    return out


VECTORS = vector_files()


def _formats() -> list[str]:
    """e4m3fn and e5m2, then every other format with mul vectors that fp_mul can be built for."""
    extra = []
    for fmt in sorted(VECTORS):
        if fmt in REQUIRED_FORMATS:
            continue
        try:
            rtl_params(fmt)
        except ValueError:
            continue
        extra.append(fmt)
    return [*REQUIRED_FORMATS, *extra]


def _matrix() -> list[tuple[str, str]]:
    """(sim, fmt) pairs. A Verilator build costs ~40 s of C++ compile per format and the extra formats
    only have edge sets, so by default they run on Icarus alone (a second each to build).
    FP_MUL_FORMATS=all runs every format on both simulators; FP_MUL_FORMATS=e4m3fn,e5m2fnuz a list."""
    every = _formats()
    choice = os.environ.get("FP_MUL_FORMATS", "").strip()
    if choice == "all":
        per_sim = {sim: every for sim in SIMS}
    elif choice:
        chosen = [f.strip() for f in choice.split(",") if f.strip()]
        per_sim = {sim: chosen for sim in SIMS}
    else:
        per_sim = {"icarus": every, "verilator": list(REQUIRED_FORMATS)}
    return [(sim, fmt) for sim in SIMS for fmt in per_sim[sim]]


@pytest.mark.parametrize(("sim", "fmt"), _matrix(), ids=[f"{s}-{f}" for s, f in _matrix()])
def test_fp_mul(sim: str, fmt: str) -> None:
    files = VECTORS.get(fmt, [])
    assert files, f"no mul vector files for {fmt} under {GOLDEN / 'mul'} (run `make vectors`)"
    sr_bits = max([fields["r"] for _, fields in files if "r" in fields], default=DEFAULT_SR_BITS)

    lanes = int(os.environ.get("FP_MUL_LANES", DEFAULT_LANES[sim]))
    run_cocotb(
        sim,
        unit="fp_mul",
        variant=fmt,
        toplevel="fp_mul_lanes",
        sources=[RTL / "fp" / "fp_mul.v", HERE / "hdl" / "fp_mul_lanes.v"],
        parameters={"LANES": lanes, **rtl_params(fmt), "SR_BITS": sr_bits},
        test_module="test_fp_mul",
        extra_env={
            "FP_MUL_FMT": fmt,
            "FP_MUL_VECTORS": os.pathsep.join(str(p) for p, _ in files),
            "FP_MUL_LANES": str(lanes),
            "FP_MUL_SR_BITS": str(sr_bits),
        },
    )
