"""pytest runner of the Flexpoint cocotb regression: simulator x parameter set, one build per pair.

    pytest cocotb_tests -k flex                      # the default matrix (below)
    pytest cocotb_tests -k "flex and icarus"
    FLEX_SETS=all pytest cocotb_tests -k flex        # every parameter set on both simulators
    WAVES=1 pytest cocotb_tests -k icarus-flex8+4    # waves in the build directory

Each pair builds hdl/flex_tb.v (rtl/flex/flex_mac.v lanes in three accumulator groups, exact 64-bit,
NARROW_W wrapping and NARROW_W saturating, plus flex_requant lanes) under
build/cocotb/flex_mac/<sim>-<set>/ and runs test_flex.py there: the requantizer sweep, the golden
flex_dot files, the sets generated into build/cocotb/flex_mac/vectors-<set>/ (deterministic by seed;
about FLEX_VECTORS vectors in all, golden included) and the cycle-by-cycle sequences against FlexMac.
JUnit XML goes to the build directory's results.xml.

By default flex16+5 (NARROW_W 24) runs on both simulators and flex8+4 (NARROW_W 12) on Icarus only:
a Verilator build costs ~30-40 s of C++ and CI's budget is a few minutes.
Environment: FLEX_SETS (all, or a comma list), FLEX_VECTORS (vectors per run; default 10^5 per
simulator: Icarus 60k flex16+5 + 40k flex8+4, Verilator 100k flex16+5), FLEX_SEQ_CYCLES (default
Icarus 2000, Verilator 6000), FLEX_LANES (MAC lanes per accumulator group; default 8),
FLEX_RQ_LANES (default 16), FLEX_MAX_MISMATCHES (default 10), FLEX_SEED (default 1), GOLDEN_DIR, WAVES.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flex_sets import SETS, generated_files, golden_files
from simulate import BUILD, RTL, SIMS, run_cocotb

HERE = Path(__file__).resolve().parent
REQUIRED = ("flex16+5",)
# MAC lanes per accumulator group (3 groups). Icarus spends ~10 us per lane-cycle in the DUT, far more
# than cocotb's per-cycle overhead, so 16 lanes a group replay no faster than 8 (measured) and double
# the sequence test's model work; Verilator's C++ build grows with the lanes. 8 on both.
DEFAULT_LANES = {"icarus": 8, "verilator": 8}
# Vectors per run (golden included): 10^5 per simulator, Icarus's split over its two sets.
DEFAULT_VECTORS = {("icarus", "flex16+5"): 60_000, ("icarus", "flex8+4"): 40_000,
                   ("verilator", "flex16+5"): 100_000, ("verilator", "flex8+4"): 40_000}
DEFAULT_SEQ_CYCLES = {"icarus": 2000, "verilator": 6000}


def _matrix() -> list[tuple[str, str]]:
    choice = os.environ.get("FLEX_SETS", "").strip()
    if choice == "all":
        per_sim = {sim: list(SETS) for sim in SIMS}
    elif choice:
        chosen = [s.strip() for s in choice.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in SETS]
        assert not unknown, f"unknown FLEX_SETS {unknown}: choose from {', '.join(SETS)}"
        per_sim = {sim: chosen for sim in SIMS}
    else:
        per_sim = {"icarus": list(SETS), "verilator": list(REQUIRED)}
    return [(sim, s) for sim in SIMS for s in per_sim[sim]]


def sources() -> list[Path]:
    return [RTL / "flex" / "flex_requant.v", RTL / "flex" / "flex_maxabs.v", RTL / "flex" / "flex_mac.v",
            HERE / "hdl" / "flex_tb.v"]


@pytest.mark.parametrize(("sim", "pset"), _matrix(), ids=[f"{s}-{p}" for s, p in _matrix()])
def test_flex(sim: str, pset: str) -> None:
    ps = SETS[pset]
    total = int(os.environ.get("FLEX_VECTORS", DEFAULT_VECTORS[sim, pset]))
    golden = golden_files(ps)
    missing = [str(p) for p in golden if not p.exists()]
    assert not missing, f"golden flex_dot files missing (run `make vectors`): {missing}"
    generated = generated_files(ps, total, BUILD / "flex_mac" / f"vectors-{pset}")
    lanes = int(os.environ.get("FLEX_LANES", DEFAULT_LANES[sim]))
    rq_lanes = int(os.environ.get("FLEX_RQ_LANES", 16))
    run_cocotb(
        sim,
        unit="flex_mac",
        variant=pset,
        toplevel="flex_tb",
        sources=sources(),
        parameters=ps.parameters(lanes, rq_lanes),
        test_module="test_flex",
        extra_env={
            "FLEX_FMT": ps.fmt,
            "FLEX_SR_BITS": str(ps.sr_bits),
            "FLEX_NARROW_W": str(ps.narrow_w),
            "FLEX_LANES": str(lanes),
            "FLEX_RQ_LANES": str(rq_lanes),
            "FLEX_GOLDEN": os.pathsep.join(str(p) for p in golden),
            "FLEX_GENERATED": os.pathsep.join(str(p) for p in generated),
            "FLEX_SEQ_CYCLES": os.environ.get("FLEX_SEQ_CYCLES", str(DEFAULT_SEQ_CYCLES[sim])),
        },
    )
