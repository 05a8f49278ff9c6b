"""pytest runner of the fp_add cocotb regression: simulator x format.

    pytest cocotb_tests -k fp_add                         # every format on both simulators
    pytest cocotb_tests -k "fp_add and verilator-e5m2"
    WAVES=1 pytest cocotb_tests -k "fp_add and icarus-e4m3fn"

The DUT is hdl/fp_add_bank.v: the four formats (e4m3fn, e5m2, e5m2fnuz, binary8p3se) behind one lane
bus, built once per simulator under build/cocotb/fp_add/<sim>-bank/ (a Verilator build costs ~30-50 s
of C++ on 2 cores, and even an up-to-date rebuild re-verilates the bank for ~9 s). The first
(simulator, format) item of a simulator runs the bank for every selected format of that simulator;
each item then judges its own cocotb tests (unit_runs.py). Each (format, vector file) is one cocotb
test, `test_vectors/case=<format>:<file>`, in the JUnit XML build/cocotb/fp_add/<sim>-bank/results.xml;
a failure's message there (and in the pytest report) carries the decoded mismatches.

What each format runs (sets generated with the refmodel API at test time, seed 1, written with the
one writer under build/cocotb/fp_add/vectors/<fmt>/; the plan of a run is <build dir>/plan.json):
  verilator (plan "exhaustive")  all 65,536 pairs of add and of sub in each deterministic mode (rne
             rtz rdn rup rna rod) under the ieee overflow policy; sr on all pairs with a sampled R per
             pair (8 bits); for sat and sat_propagate, every pair whose result depends on the policy
             (overflow, infinite operands) in each of the seven modes, plus 1,024 sampled pairs; the
             golden add/sub files of the format (golden_vectors/add, sub), whole.
  icarus (plan "sampled")  the golden files (4,000 vectors of each edge set, 300 of each random set,
             spread evenly), per op and mode 256 sampled pairs (ieee) and 48 policy-sensitive pairs
             under each of sat and sat_propagate (~55,000 vectors in all).
Environment: FP_ADD_PLAN=exhaustive|sampled (both simulators), FP_ADD_FORMATS (a subset of the bank's),
FP_ADD_LANES (default 16 on Icarus, 32 on Verilator), FP_ADD_MAX_MISMATCHES (10), GOLDEN_DIR, WAVES.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from simulate import BUILD, RTL, SIMS, build_dir, run_cocotb
from unit_runs import judge, run_once, selected_params
from vecfiles import save_set, subset

from refmodel.formats import parse_format
from refmodel.vectors.common import stream
from refmodel.vectors.generate import Request, generate
from refmodel.vectors.io import read_header

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
FORMATS = ("e4m3fn", "e5m2", "e5m2fnuz", "binary8p3se")  # the bank's slots, in order
DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
RTL_MODES = (*DETERMINISTIC, "sr")
POLICIES = ("sat", "sat_propagate")
DEFAULT_LANES = {"icarus": 16, "verilator": 32}
DEFAULT_PLAN = {"icarus": "sampled", "verilator": "exhaustive"}
SR_BITS = 8
SEED = 1
SAMPLE = {"exhaustive": 1024, "sampled": 256}  # random pairs per (op, mode) besides the sweeps
SENSITIVE = {"exhaustive": None, "sampled": 48}  # policy-sensitive pairs per set (None: all of them)
GOLDEN_CAP = {"edge": 4000, "random": 300}  # sampled plan: vectors replayed per golden file (evenly spread)

_NAN_STYLE = {"ieee": 0, "fn": 1, "fnuz": 2, "p3109": 4}


def rtl_params(fmt: str) -> dict[str, int]:
    """fp_add's format parameters."""
    f = parse_format(fmt)
    if f.family not in _NAN_STYLE or not f.signed or f.bits > 8:
        raise ValueError(f"the fp_add bank has no slot for {fmt}")
    return {"EXP_W": f.exp_bits, "MAN_W": f.man_bits, "BIAS": f.bias,
            "NAN_STYLE": _NAN_STYLE[f.family] if f.has_nan else 3, "HAS_INF": int(f.has_inf)}


def bank_params(lanes: int) -> dict[str, int]:
    """The bank's packed parameters: byte k of each word is that parameter of format slot k."""
    words = {"EXP_W_V": 0, "MAN_W_V": 0, "BIAS_V": 0, "NAN_STYLE_V": 0, "HAS_INF_V": 0}
    for k, fmt in enumerate(FORMATS):
        for name, value in rtl_params(fmt).items():
            words[f"{name}_V"] |= value << (8 * k)
    return {"LANES": lanes, "NFMT": len(FORMATS), **words, "SR_BITS": SR_BITS}


def golden_files(fmt: str, plan: str) -> list[tuple[Path, int]]:
    """The checked-in add and sub files of a format that fp_add can replay, each with a cap on the
    vectors replayed (0: all; the sampled plan replays GOLDEN_CAP vectors spread evenly over each)."""
    out = []
    for op in ("add", "sub"):
        for path in sorted((GOLDEN / op).glob("*.txt")):
            meta, _ = read_header(path)
            if meta.get("op") == op and meta.get("fmt") == fmt and meta.get("rounding", "rne") in RTL_MODES:
                cap = GOLDEN_CAP["edge" if meta.get("mode") == "edge" else "random"] if plan == "sampled" else 0
                out.append((path, cap))
    return out


def generated_files(fmt: str, plan: str) -> list[Path]:
    """Generate (refmodel API, seed 1) and write the sets of a plan; returns their STEM.txt paths."""
    f = parse_format(fmt)
    out_dir = BUILD / "fp_add" / "vectors" / f.name
    out = []

    def save(name: str, vs) -> None:
        out.append(save_set(out_dir / name, vs, f"cocotb_tests/test_fp_add_runner.py ({name})"))

    for op in ("add", "sub"):
        for mode in RTL_MODES:
            req = Request(op, f, rounding=mode, overflow="ieee", mode="exhaustive", sr_bits=SR_BITS, seed=SEED)
            full = generate(req)
            pick = stream(SEED, 0x40 + RTL_MODES.index(mode) + (8 if op == "sub" else 0), SAMPLE[plan])
            sample = (pick % np.uint64(full.count)).astype(np.int64)
            if plan == "exhaustive":
                save(f"{op}_{f.name}_{mode}_ieee_exhaustive", full)
            else:
                save(f"{op}_{f.name}_{mode}_ieee_sample{sample.size}", subset(full, sample, mode="sample"))
            # the pairs whose result depends on the overflow policy, under each saturating policy
            per_policy = {p: generate(Request(op, f, rounding=mode, overflow=p, mode="exhaustive", sr_bits=SR_BITS,
                                              seed=SEED)) for p in POLICIES}
            differs = np.zeros(full.count, bool)
            for vs in per_policy.values():
                differs |= (vs.columns["z"] != full.columns["z"]) | (vs.columns["flags"] != full.columns["flags"])
            sensitive = np.flatnonzero(differs)
            cap = SENSITIVE[plan]
            if cap is not None and sensitive.size > cap:
                sensitive = sensitive[np.linspace(0, sensitive.size - 1, cap).astype(np.int64)]
            keep = np.union1d(sensitive, sample) if plan == "exhaustive" else sensitive
            for p, vs in per_policy.items():
                if keep.size:
                    save(f"{op}_{f.name}_{mode}_{p}_sensitive{keep.size}", subset(vs, keep, mode="policy-sensitive"))
    return out


_RUNS: dict[str, str | None] = {}  # simulator -> the run's failure (None: it passed)


def _formats() -> list[str]:
    """FP_ADD_FORMATS=e5m2,binary8p3se restricts the formats (all four are built)."""
    choice = [x.strip() for x in os.environ.get("FP_ADD_FORMATS", "").split(",") if x.strip()]
    for fmt in choice:
        if fmt not in FORMATS:
            raise ValueError(f"FP_ADD_FORMATS: {fmt} is not in the bank ({', '.join(FORMATS)})")
    return choice or list(FORMATS)


def run_bank(sim: str, formats: list[str]) -> None:
    """Build the bank and run the cocotb tests of `formats` on it (JUnit XML: results.xml there)."""
    plan = os.environ.get("FP_ADD_PLAN", DEFAULT_PLAN[sim])
    lanes = int(os.environ.get("FP_ADD_LANES", DEFAULT_LANES[sim]))
    where = build_dir("fp_add", sim, "bank")
    where.mkdir(parents=True, exist_ok=True)
    entries = [{"fmt": fmt, "slot": FORMATS.index(fmt),
                "files": [[str(p), cap] for p, cap in golden_files(fmt, plan)]
                + [[str(p), 0] for p in generated_files(fmt, plan)]} for fmt in formats]
    plan_file = where / "plan.json"
    plan_file.write_text(json.dumps({"lanes": lanes, "sr_bits": SR_BITS, "formats": entries}, indent=1) + "\n")
    (where / "results.xml").unlink(missing_ok=True)
    run_cocotb(
        sim,
        unit="fp_add",
        variant="bank",
        toplevel="fp_add_bank",
        sources=[RTL / "fp" / "fp_add.v", HERE / "hdl" / "fp_add_bank.v"],
        parameters=bank_params(lanes),
        test_module="test_fp_add",
        extra_env={"FP_ADD_PLAN_FILE": str(plan_file)},
    )


def _matrix() -> list[tuple[str, str]]:
    return [(sim, fmt) for sim in SIMS for fmt in _formats()]


@pytest.mark.parametrize(("sim", "fmt"), _matrix(), ids=[f"{s}-{f}" for s, f in _matrix()])
def test_fp_add(sim: str, fmt: str, request) -> None:
    """The cocotb tests of one format; the first item of a simulator runs the bank for all selected ones."""
    formats = selected_params(request.session, "test_fp_add", sim, "fmt")
    error = run_once(_RUNS, sim, lambda: run_bank(sim, formats))
    judge(build_dir("fp_add", sim, "bank") / "results.xml", error,
          lambda cls, name: cls == "test_fp_add" and f"case={fmt}:" in name, f"{fmt} on {sim}")
