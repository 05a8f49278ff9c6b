"""cocotb testbench for rtl/fp/fp_mul.v, replaying golden vector files bit for bit.

The DUT is the testbench wrapper hdl/fp_mul_lanes.v: LANES multipliers side by side with a shared
rounding mode and overflow policy, so that one transaction (write a, b, R; wait 1 ns; read z, flags)
checks LANES vectors.

Each vector file is one cocotb test (`test_vectors/file=<stem>`). Its header gives the rounding mode
(rm_i) and overflow policy (ovf_i); an `r` field, when present, is the random integer of stochastic
rounding. A DUT built with SR_BITS = N is driven with R << (N - K) for a K-bit file, which rounds
exactly as a K-bit StochasticA rounder. The scoreboard (scoreboard.py, the comparison of `refmodel
check`) stops a test after MAX_MISMATCHES mismatching vectors and fails it, logging each one decoded
field by field.

Configuration comes from the environment, set by test_runner.py:
  FP_MUL_FMT            format name (e4m3fn, e5m2, ...)
  FP_MUL_VECTORS        vector files (.txt), separated by os.pathsep
  FP_MUL_LANES          LANES of the wrapper
  FP_MUL_SR_BITS        SR_BITS of the wrapper
  FP_MUL_MAX_MISMATCHES mismatches after which a test stops (default 10)
"""

from __future__ import annotations

import os
from pathlib import Path

import cocotb
import numpy as np
from scoreboard import Scoreboard, run_lanes
from vecfiles import load_set

from refmodel import ops
from refmodel.encodings import OVERFLOW, ROUNDING

FMT = os.environ.get("FP_MUL_FMT", "e4m3fn")
VECTOR_FILES = [p for p in os.environ.get("FP_MUL_VECTORS", "").split(os.pathsep) if p]
LANES = int(os.environ.get("FP_MUL_LANES", "16"))
SR_BITS = int(os.environ.get("FP_MUL_SR_BITS", "8"))
MAX_MISMATCHES = int(os.environ.get("FP_MUL_MAX_MISMATCHES", "10"))
RTL_MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr")  # rm_i 0..6


def exact_product(a: int, b: int) -> str:
    """a*b in binary64 (exact for significands of up to 26 bits), for a mismatch's report."""
    va, vb = ops.decode(FMT, np.array([a, b], dtype=np.uint64))
    return f"a*b      {float(va) * float(vb)!r} (exact in binary64)"


async def replay(dut, path: str) -> None:
    vs, txt = load_set(path)
    meta, fields, cols = vs.meta, dict(vs.fields), vs.columns
    assert meta.get("op") == "mul", f"{path}: op {meta.get('op')!r} is not mul"
    assert meta.get("fmt") == FMT, f"{path}: format {meta.get('fmt')!r}, but the DUT was built for {FMT}"
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    assert rounding in RTL_MODES, f"{path}: rounding {rounding!r} has no RTL encoding"
    if "r" in cols:
        assert fields["r"] <= SR_BITS, f"{path}: {fields['r']} random bits, but the DUT has SR_BITS={SR_BITS}"
        r = cols["r"] << np.uint64(SR_BITS - fields["r"])
    else:
        r = np.zeros(vs.count, np.uint64)
    dut.rm_i.value = ROUNDING[rounding]
    dut.ovf_i.value = OVERFLOW[overflow]
    width = fields["a"]
    board = Scoreboard(vs, txt, MAX_MISMATCHES,
                       note=lambda i: exact_product(int(cols["a"][i]), int(cols["b"][i])))
    await run_lanes(dut, board, LANES,
                    inputs={"a_i": (cols["a"], width), "b_i": (cols["b"], width), "rand_i": (r, SR_BITS)},
                    outputs={"z": ("z_o", width), "flags": ("flags_o", 8)})
    board.finish(dut._log)


def _file_params():
    return [cocotb.Param(p, name=Path(p).stem) for p in VECTOR_FILES]


if VECTOR_FILES:

    @cocotb.test
    @cocotb.parametrize(file=_file_params())
    async def test_vectors(dut, file: str) -> None:
        """Replay one golden vector file through the DUT and compare every code and flag."""
        await replay(dut, file)

else:

    @cocotb.test
    async def test_vectors(dut) -> None:
        """No vector file was given: fail rather than pass vacuously."""
        raise AssertionError(f"no vector files for {FMT} (FP_MUL_VECTORS is empty)")
