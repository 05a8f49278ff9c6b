"""pytest runner of the fp_mac and lfsr cocotb regression: simulator x configuration.

    pytest cocotb_tests -k fp_mac                                   # everything, both simulators
    pytest cocotb_tests -k "fp_mac and verilator-e5m2_e6m9_chunk64"
    pytest cocotb_tests -k "fp_mac and icarus-lfsr"                 # the LFSR tests

Every MAC configuration (mac_bank.SETUPS: formats incl. FNUZ and P3109, fused or cascaded, single
level or chunked, exact or limited alignment with sticky or truncation, random bits from ports or from
the LFSR) and every LFSR configuration (mac_bank.LFSR_SETUPS) is built into one generated bank
(mac_bank.bank_verilog, build/cocotb/fp_mac/<sim>-bank/fp_mac_bank.v), once per simulator. The pytest
items are (simulator, MAC configuration) and (simulator, lfsr); the first item of a simulator runs the
bank for every selected item of that simulator, and each item judges its own cocotb tests
(unit_runs.py): test_fp_mac.py, one test per configuration and vector file
(`test_trace/case=<config>:<file>`), and test_lfsr.py per LFSR configuration; JUnit XML in
results.xml there.

Vector sets per MAC configuration (cycle traces of the model, refmodel.units, seed per set, written
under build/cocotb/fp_mac/vectors/<configuration>/; the run's plan is <build dir>/plan.json):
  golden   the checked-in mac traces (golden_vectors/mac) and dot products (golden_vectors/dot) that
           the configuration can replay (same formats and options; stochastic dots only on its LFSR).
  edge     refmodel.units.vectors.mac_vectors edge traces (zero sums, cancellation, swamping,
           overflow, specials, tiny products, bubbles, clear-only cycles, runs without clear).
  random   mac_vectors random traces: accumulations of 1..64 products started by random clear
           points; chunked configurations add `last` at the end of most accumulations and at random
           points, and run refmodel.units.fp_mac.ChunkedMac on them.
The testbench cuts each trace into LANES pieces at clear cycles (loading the LFSR state where a piece
starts) and runs them side by side.
  verilator (plan "full")  golden in full; edge in every mode (ieee) and in rne and sr under sat and
           sat_propagate; random: 4,000 cycles in each of the seven modes and 2,000 in sr under sat
           (~275,000 cycles in all); LFSR: 4,000 cycles of random steps and loads, 10,000-clock runs,
           full periods up to 12 bits.
  icarus (plan "short")  golden cut near 1,500 cycles; edge in rne (ieee) and sr (sat); random 600
           cycles in rne, rdn and sr; LFSR: 1,000 cycles, 8,000-clock runs, full periods up to 12 bits
           (Icarus, event-driven, spends nothing on the idle MACs; Verilator evaluates the whole bank
           at every time step, ~0.15 ms a clock).
Environment: FP_MAC_PLAN=full|short (both simulators), FP_MAC_SETUPS (a subset of the configurations
and lfsr), FP_MAC_LANES (default 2 on Icarus, 4 on Verilator), FP_MAC_MAX_MISMATCHES (10),
GOLDEN_DIR, WAVES.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from mac_bank import BY_NAME, LFSR_SETUPS, SETUPS, MacSetup, bank_verilog
from simulate import BUILD, RTL, SIMS, build_dir, run_cocotb
from unit_runs import judge, run_once, selected_params
from vecfiles import save_set

from refmodel.encodings import FLAG_BITS, STOCHASTIC
from refmodel.formats import parse_format
from refmodel.units.fp_mac import ChunkedMac
from refmodel.units.vectors import UnitRequest, mac_vectors
from refmodel.vectors.common import stream
from refmodel.vectors.io import VectorSet, read_header

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
RTL_MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr")
DEFAULT_LANES = {"icarus": 2, "verilator": 4}
DEFAULT_PLAN = {"icarus": "short", "verilator": "full"}
PLANS = {
    "full": {"golden_cycles": 0, "edge": [(m, "ieee") for m in RTL_MODES]
             + [(m, p) for p in ("sat", "sat_propagate") for m in ("rne", "sr")],
             "random": [(m, "ieee", 4000) for m in RTL_MODES] + [("sr", "sat", 2000)]},
    "short": {"golden_cycles": 1500, "edge": [("rne", "ieee"), ("sr", "sat")],
              "random": [("rne", "ieee", 600), ("rdn", "ieee", 600), ("sr", "ieee", 600)]},
}
_LAST = 0x31  # stream purposes of the chunk-end points (apart from refmodel's)


def _name(fmt: str | None) -> str | None:
    return None if fmt is None else parse_format(fmt).name


def golden_files(s: MacSetup) -> list[Path]:
    """Checked-in mac traces and dot products that configuration s can replay."""
    out = []
    for path in sorted((GOLDEN / "mac").glob("*.txt")) + sorted((GOLDEN / "dot").glob("*.txt")):
        meta, _ = read_header(path)
        if _name(meta.get("fmt")) != _name(s.in_fmt) or _name(meta.get("acc_fmt")) != _name(s.acc_fmt):
            continue
        if meta.get("rounding", "rne") not in RTL_MODES:
            continue
        if _name(meta.get("product_fmt")) != _name(s.product_fmt):
            continue
        if int(meta.get("align_width", 0)) != (s.align_width or 0) or int(meta.get("sticky", 0)) != int(s.sticky):
            continue
        stochastic = meta.get("rounding") in STOCHASTIC
        if meta["op"] == "mac":
            if s.chunked and s.chunk != 0:
                continue  # a chunk of CHUNK products would commit; FpMac traces never do
            if stochastic and s.use_lfsr and not _same_lfsr(meta, s):
                continue
        elif meta["op"] == "dot":
            if not s.chunked or int(meta["chunk"]) != s.chunk or _name(meta["second_fmt"]) != _name(s.second):
                continue
            if stochastic and not (s.use_lfsr and _same_lfsr(meta, s)):
                continue  # a dot file holds no R: only the configuration's own LFSR can make them
        else:
            continue
        out.append(path)
    return out


def _same_lfsr(meta: dict, s: MacSetup) -> bool:
    taps = tuple(int(k) for k in meta["lfsr_taps"].split(","))
    return (int(meta["lfsr_width"]) == s.lfsr_width and taps == s.prng().taps and int(meta["sr_bits"]) == s.sr_bits)


def trace(s: MacSetup, kind: str, rounding: str, overflow: str, count: int, seed: int) -> VectorSet:
    """A cycle trace of configuration s from reset (refmodel.units): mac_vectors for FpMac, and for
    ChunkedMac the same operands and clear points with chunk ends (`last`) added."""
    req = UnitRequest("mac", s.in_fmt, s.acc_fmt, product_fmt=s.product_fmt, align_width=s.align_width,
                      sticky=s.sticky, rounding=rounding, sr_bits=s.sr_bits, overflow=overflow,
                      lfsr_width=s.lfsr_width, lfsr_taps=s.lfsr_taps, lfsr_seed=s.lfsr_seed, mode=kind, count=count,
                      seed=seed)
    vs = mac_vectors(req)
    if not s.chunked:
        return vs
    cols = vs.columns
    clear, valid = cols["clear"].astype(bool), cols["valid"].astype(bool)
    n = clear.size
    # last: the final product before each clear (3 in 4 of them), and 1 in 32 products at random
    pick = stream(seed, _LAST, n)
    ends = np.zeros(n, bool)
    valid_idx = np.flatnonzero(valid)
    nxt_clear = np.flatnonzero(clear)
    if valid_idx.size:
        # the last valid cycle before each clear cycle
        pos = np.searchsorted(valid_idx, nxt_clear) - 1
        pos = valid_idx[pos[pos >= 0]]
        ends[pos] = True
        ends[valid_idx[-1]] = True
    last = valid & ((ends & ((pick & np.uint64(3)) != 0)) | (((pick >> np.uint64(8)) & np.uint64(31)) == 0))
    stochastic = rounding in STOCHASTIC
    mac = ChunkedMac(s.in_fmt, s.acc_fmt, s.chunk, second_fmt=s.second_fmt, prng=s.prng() if stochastic else None,
                     **s.options(rounding, overflow))
    t = mac.run(cols["a"].astype(np.int64), cols["b"].astype(np.int64), clear=clear, valid=valid, last=last)
    f_in, f_acc, f_sec = (parse_format(x) for x in (s.in_fmt, s.acc_fmt, s.second))
    out = {"clear": clear, "valid": valid, "last": last, "a": cols["a"], "b": cols["b"]}
    fields = [("clear", 1), ("valid", 1), ("last", 1), ("a", f_in.bits), ("b", f_in.bits)]
    if stochastic:
        if s.product_fmt is not None:
            out["r_prod"] = t.r_prod
            fields.append(("r_prod", s.sr_bits))
        out.update(r=t.r, r_sum=t.r_sum, lfsr=t.lfsr)
        fields += [("r", s.sr_bits), ("r_sum", s.sr_bits), ("lfsr", s.lfsr_width)]
    out.update(acc=t.acc, total=t.total, flags=t.flags)
    fields += [("acc", f_acc.bits), ("total", f_sec.bits), ("flags", FLAG_BITS)]
    meta = {"op": "mac_chunked", **{k: v for k, v in vs.meta.items() if k not in ("op", "count")},
            "chunk": str(s.chunk), "second_fmt": f_sec.name, "count": str(n)}
    return VectorSet(meta, fields, {k: np.asarray(v).astype(np.uint64) for k, v in out.items()})


def generated_files(s: MacSetup, plan: dict) -> list[Path]:
    out_dir = BUILD / "fp_mac" / "vectors" / s.name
    files = []
    for i, (rounding, overflow) in enumerate(plan["edge"]):
        vs = trace(s, "edge", rounding, overflow, 0, seed=1 + i)
        files.append(save_set(out_dir / f"edge_{rounding}_{overflow}", vs, f"test_fp_mac_runner.py ({s.name})"))
    for i, (rounding, overflow, count) in enumerate(plan["random"]):
        vs = trace(s, "random", rounding, overflow, count, seed=100 + i)
        files.append(save_set(out_dir / f"random_{rounding}_{overflow}_{count}", vs,
                              f"test_fp_mac_runner.py ({s.name})"))
    return files


# LFSR tests: random-step cycles per configuration, clocks of the long run, and the widest maximal LFSR
# run through one full period (2^w - 1 clocks)
# (Verilator evaluates the whole bank at every time step, ~0.15 ms a clock; Icarus only the LFSR clocked)
LFSR_PLAN = {"full": {"cycles": 4000, "long": 10000, "period_w": 12},
             "short": {"cycles": 1000, "long": 8000, "period_w": 12}}


_RUNS: dict[str, str | None] = {}  # simulator -> the run's failure (None: it passed)
LFSR = "lfsr"  # the item that judges test_lfsr.py


def _units() -> list[str]:
    """FP_MAC_SETUPS=name,name[,lfsr] restricts the configurations tested (all are built)."""
    choice = [x.strip() for x in os.environ.get("FP_MAC_SETUPS", "").split(",") if x.strip()]
    for c in choice:
        if c != LFSR and c not in BY_NAME:
            raise ValueError(f"FP_MAC_SETUPS: {c} is not a configuration ({', '.join(BY_NAME)}, {LFSR})")
    return choice or [*BY_NAME, LFSR]


def run_bank(sim: str, units: list[str]) -> None:
    """Build the bank and run the cocotb tests of the selected MAC configurations (test_fp_mac.py) and,
    with `lfsr` among the units, of every LFSR configuration (test_lfsr.py)."""
    plan_name = os.environ.get("FP_MAC_PLAN", DEFAULT_PLAN[sim])
    plan = PLANS[plan_name]
    lanes = int(os.environ.get("FP_MAC_LANES", DEFAULT_LANES[sim]))
    where = build_dir("fp_mac", sim, "bank")
    where.mkdir(parents=True, exist_ok=True)
    setups = [BY_NAME[u] for u in units if u != LFSR]
    entries = [{"index": SETUPS.index(s), "setup": s.to_dict(),
                "files": [str(p) for p in golden_files(s) + generated_files(s, plan)]} for s in setups]
    plan_file = where / "plan.json"
    plan_file.write_text(json.dumps({"lanes": lanes, "golden_cycles": plan["golden_cycles"], "setups": entries},
                                    indent=1) + "\n")
    bank = where / "fp_mac_bank.v"
    bank.write_text(bank_verilog(SETUPS, lanes, LFSR_SETUPS))
    sr_add = GOLDEN / "sr_add" / "e5m2_sr_random.txt"
    modules = (["test_fp_mac"] if setups else []) + (["test_lfsr"] if LFSR in units else [])
    (where / "results.xml").unlink(missing_ok=True)
    run_cocotb(
        sim,
        unit="fp_mac",
        variant="bank",
        toplevel="fp_mac_bank",
        sources=[RTL / "fp" / "fp_mac.v", RTL / "common" / "lfsr.v", HERE / "hdl" / "fp_mac_lanes.v", bank],
        parameters={},
        test_module=",".join(modules),
        extra_env={
            "FP_MAC_PLAN_FILE": str(plan_file),
            "LFSR_SETUPS": json.dumps([s.to_dict() for s in LFSR_SETUPS]),
            "LFSR_CYCLES": str(LFSR_PLAN[plan_name]["cycles"]),
            "LFSR_LONG": str(LFSR_PLAN[plan_name]["long"]),
            "LFSR_PERIOD_W": str(LFSR_PLAN[plan_name]["period_w"]),
            "LFSR_GOLDEN": str(sr_add) if sr_add.exists() else "",
        },
    )


def _matrix() -> list[tuple[str, str]]:
    return [(sim, u) for sim in SIMS for u in _units()]


@pytest.mark.parametrize(("sim", "unit"), _matrix(), ids=[f"{s}-{u}" for s, u in _matrix()])
def test_fp_mac(sim: str, unit: str, request) -> None:
    """The cocotb tests of one MAC configuration (or of the LFSRs); the first item of a simulator runs
    the bank for all selected ones."""
    units = selected_params(request.session, "test_fp_mac", sim, "unit")
    error = run_once(_RUNS, sim, lambda: run_bank(sim, units))
    if unit == LFSR:
        match = lambda cls, name: cls == "test_lfsr"  # noqa: E731
    else:
        match = lambda cls, name: cls == "test_fp_mac" and f"case={unit}:" in name  # noqa: E731
    judge(build_dir("fp_mac", sim, "bank") / "results.xml", error, match, f"{unit} on {sim}")
