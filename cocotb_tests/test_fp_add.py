"""cocotb testbench for rtl/fp/fp_add.v, replaying add/sub vector files bit for bit.

The DUT is hdl/fp_add_bank.v: LANES adders per format behind one 8-bit-lane bus, sel_i choosing the
format slot under test, rounding mode, overflow policy and add/sub shared by all lanes; one
transaction (write a, b, R; wait 1 ns; read z, flags) checks LANES vectors.

Each (format, vector file) is one cocotb test (`test_vectors/case=<format>:<file>`); the file's
header gives op (add or sub), rounding mode and overflow policy; an `r` field is the random integer of
stochastic rounding (a K-bit file drives R << (SR_BITS - K), which rounds exactly as a K-bit
StochasticA rounder). The scoreboard (scoreboard.py, the comparison of `refmodel check`) stops a test
after MAX_MISMATCHES mismatching vectors and fails it, logging each one decoded field by field with its
line in STEM.txt and the exact sum.

Configuration (set by test_fp_add_runner.py): FP_ADD_PLAN_FILE, a JSON plan (lanes, sr_bits, and per
format its bank slot and its files, each with a cap on the vectors replayed, spread evenly; 0: all);
FP_ADD_MAX_MISMATCHES (default 10).
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import cocotb
import numpy as np
from scoreboard import Scoreboard, run_lanes
from vecfiles import load_set

from refmodel import ops
from refmodel.encodings import OVERFLOW, ROUNDING
from refmodel.formats import parse_format

# The plan written by test_fp_add_runner.py: lanes, SR_BITS, and per format its bank slot and files.
_PLAN_FILE = os.environ.get("FP_ADD_PLAN_FILE", "")
PLAN = json.loads(Path(_PLAN_FILE).read_text()) if _PLAN_FILE else {"lanes": 16, "sr_bits": 8, "formats": []}
LANES = int(PLAN["lanes"])
SR_BITS = int(PLAN["sr_bits"])
MAX_MISMATCHES = int(os.environ.get("FP_ADD_MAX_MISMATCHES", "10"))
CASES = [(e["fmt"], int(e["slot"]), path, int(cap)) for e in PLAN["formats"] for path, cap in e["files"]]
LANE_W = 8  # the bank's lane width: codes of up to 8 bits


def exact_sum(fmt: str, a: int, b: int, sub: bool) -> str:
    """a + b or a - b exactly (for the report), or the IEEE result when an operand is not finite."""
    f = parse_format(fmt)
    va, vb = (float(ops.decode(f, np.array([x], np.uint64))[0]) for x in (a, b))
    if not (np.isfinite(va) and np.isfinite(vb)):
        return repr(va - vb if sub else va + vb)
    s = Fraction(va) - Fraction(vb) if sub else Fraction(va) + Fraction(vb)
    return f"{float(s)!r}" + ("" if Fraction(float(s)) == s else f" (exactly {s})")


async def replay(dut, fmt: str, slot: int, path: str, cap: int) -> None:
    vs, txt = load_set(path)
    index = np.arange(vs.count)  # the replayed vectors' positions in the file
    if cap and vs.count > cap:
        index = np.unique(np.linspace(0, vs.count - 1, cap).astype(np.int64))
    meta, fields, cols = vs.meta, dict(vs.fields), vs.columns
    op = meta.get("op")
    assert op in ("add", "sub"), f"{path}: op {op!r} is neither add nor sub"
    assert meta.get("fmt") == parse_format(fmt).name, f"{path}: format {meta.get('fmt')!r}, DUT slot is {fmt}"
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    assert rounding in ROUNDING and ROUNDING[rounding] <= 6, f"{path}: rounding {rounding!r} has no RTL encoding"
    if "r" in cols:
        assert fields["r"] <= SR_BITS, f"{path}: {fields['r']} random bits, but the DUT has SR_BITS={SR_BITS}"
        r = cols["r"][index] << np.uint64(SR_BITS - fields["r"])
    else:
        r = np.zeros(index.size, np.uint64)
    dut.sel_i.value = slot
    dut.sub_i.value = int(op == "sub")
    dut.rm_i.value = ROUNDING[rounding]
    dut.ovf_i.value = OVERFLOW[overflow]
    sym = "-" if op == "sub" else "+"

    def note(i: int) -> str:
        return f"a{sym}b      {exact_sum(fmt, int(cols['a'][i]), int(cols['b'][i]), op == 'sub')}"

    board = Scoreboard(vs, txt, MAX_MISMATCHES, index=index, note=note)
    await run_lanes(dut, board, LANES,
                    inputs={"a_i": (cols["a"][index], LANE_W), "b_i": (cols["b"][index], LANE_W),
                            "rand_i": (r, SR_BITS)},
                    outputs={"z": ("z_o", LANE_W), "flags": ("flags_o", LANE_W)})
    board.finish(dut._log)


def _case_name(fmt: str, path: str) -> str:
    p = Path(path)
    stem = p.stem if p.stem.startswith(("add_", "sub_")) else f"{p.parent.name}_{p.stem}"  # golden add/ and sub/
    return f"{fmt}:{stem}"


def _case_params():
    return [cocotb.Param((fmt, slot, path, cap), name=_case_name(fmt, path) + (f"_sample{cap}" if cap else ""))
            for fmt, slot, path, cap in CASES]


if CASES:

    @cocotb.test
    @cocotb.parametrize(case=_case_params())
    async def test_vectors(dut, case) -> None:
        """Replay one add/sub vector file through its format's adders, code and flags bit for bit."""
        await replay(dut, *case)

else:

    @cocotb.test
    async def test_vectors(dut) -> None:
        """No vector file was given: fail rather than pass vacuously."""
        raise AssertionError("the fp_add plan (FP_ADD_PLAN_FILE) names no vector file")
