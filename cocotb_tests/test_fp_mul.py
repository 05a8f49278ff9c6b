"""cocotb testbench for rtl/fp/fp_mul.v, replaying golden vector files bit for bit.

The DUT is the testbench wrapper hdl/fp_mul_lanes.v: LANES multipliers side by side with a shared
rounding mode and overflow policy, so that one transaction (write a, b, R; wait 1 ns; read z, flags)
checks LANES vectors. Lanes are packed into and unpacked from the wide buses with numpy.

Each vector file is one cocotb test (`test_vectors/file=<stem>`). Its header gives the rounding mode
(rm_i) and overflow policy (ovf_i); an `r` field, when present, is the random integer of stochastic
rounding. A DUT built with SR_BITS = N is driven with R << (N - K) for a K-bit file, which rounds
exactly as a K-bit StochasticA rounder. A test stops after MAX_MISMATCHES mismatching vectors and
fails, logging each one decoded field by field (as `refmodel explain` does).

Configuration comes from the environment, set by test_runner.py:
  FP_MUL_FMT            format name (e4m3fn, e5m2, ...)
  FP_MUL_VECTORS        vector files (.txt), separated by os.pathsep
  FP_MUL_LANES          LANES of the wrapper
  FP_MUL_SR_BITS        SR_BITS of the wrapper
  FP_MUL_MAX_MISMATCHES mismatches after which a test stops (default 10)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Timer
from lanes import pack_lanes, unpack_lanes

from refmodel import ops
from refmodel.cli import explain_code
from refmodel.encodings import OVERFLOW, ROUNDING, flags_str
from refmodel.formats import parse_format
from refmodel.vectors.io import read_vectors

FMT = os.environ.get("FP_MUL_FMT", "e4m3fn")
VECTOR_FILES = [p for p in os.environ.get("FP_MUL_VECTORS", "").split(os.pathsep) if p]
LANES = int(os.environ.get("FP_MUL_LANES", "16"))
SR_BITS = int(os.environ.get("FP_MUL_SR_BITS", "8"))
MAX_MISMATCHES = int(os.environ.get("FP_MUL_MAX_MISMATCHES", "10"))
CHECK_EVERY = 16  # transactions between scoreboard passes (a failing test stops within one pass)
RTL_MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr")  # rm_i 0..6


# ----------------------------------------------------------------------------------------------
# Mismatch report: every code decoded field by field
# ----------------------------------------------------------------------------------------------
def _value(fmt: str, code: int) -> float:
    return float(ops.decode(fmt, np.array([code], dtype=np.uint64))[0])


def describe_mismatch(fmt, path, line, a, b, r, z_exp, f_exp, z_got, f_got, rounding, overflow) -> str:
    f = parse_format(fmt)

    def explain(code):
        return explain_code(f, int(code))

    head = f"{Path(path).name}:{line}: a={a:#04x} b={b:#04x}"
    if r is not None:
        head += f" r={r:#x}"
    head += f" rounding={rounding} overflow={overflow}"
    lines = [head, f"    a        {explain(a)}", f"    b        {explain(b)}"]
    # binary64 holds the exact product of two significands of up to 26 bits
    lines.append(f"    a*b      {_value(fmt, a) * _value(fmt, b)!r} (exact in binary64)")
    lines.append(f"    expected {explain(z_exp)}  flags {f_exp:#04x} {flags_str(f_exp)}")
    lines.append(f"    actual   {explain(z_got)}  flags {f_got:#04x} {flags_str(f_got)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# The testbench
# ----------------------------------------------------------------------------------------------
class TB:
    """Drives fp_mul_lanes: one transaction per LANES vectors."""

    def __init__(self, dut, lanes: int, sr_bits: int):
        self.dut = dut
        self.lanes = lanes
        self.sr_bits = sr_bits
        self.log = dut._log

    def set_mode(self, rm: int, ovf: int) -> None:
        self.dut.rm_i.value = rm
        self.dut.ovf_i.value = ovf

    async def run(self, a_words, b_words, r_words, check) -> tuple[list[int], list[int]]:
        """Apply every transaction; `check(z_words, f_words)` is called every CHECK_EVERY
        transactions and returns True to stop early."""
        dut = self.dut
        z_words: list[int] = []
        f_words: list[int] = []
        for t in range(len(a_words)):
            dut.a_i.value = a_words[t]
            dut.b_i.value = b_words[t]
            dut.rand_i.value = r_words[t]
            await Timer(1, unit="ns")
            z_words.append(dut.z_o.value.to_unsigned())
            f_words.append(dut.flags_o.value.to_unsigned())
            if (t + 1) % CHECK_EVERY == 0 and check(z_words, f_words):
                break
        return z_words, f_words


async def replay(dut, path: str) -> None:
    vs = read_vectors(path)
    meta = vs.meta
    fields = dict(vs.fields)
    assert meta.get("op") == "mul", f"{path}: op {meta.get('op')!r} is not mul"
    assert meta.get("fmt") == FMT, f"{path}: format {meta.get('fmt')!r}, but the DUT was built for {FMT}"
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    assert rounding in RTL_MODES, f"{path}: rounding {rounding!r} has no RTL encoding"
    rm, ovf = ROUNDING[rounding], OVERFLOW[overflow]
    width = fields["a"]

    cols = vs.columns
    n = vs.count
    pad = (-n) % LANES
    a = np.concatenate([cols["a"], np.zeros(pad, np.uint64)])
    b = np.concatenate([cols["b"], np.zeros(pad, np.uint64)])
    if "r" in cols:
        k = fields["r"]
        assert k <= SR_BITS, f"{path}: {k} random bits, but the DUT has SR_BITS={SR_BITS}"
        r = np.concatenate([cols["r"], np.zeros(pad, np.uint64)]) << np.uint64(SR_BITS - k)
    else:
        r = np.zeros(n + pad, np.uint64)
    z_exp, f_exp = cols["z"], cols["flags"]

    tb = TB(dut, LANES, SR_BITS)
    tb.set_mode(rm, ovf)
    a_words, b_words = pack_lanes(a, width, LANES), pack_lanes(b, width, LANES)
    r_words = pack_lanes(r, SR_BITS, LANES)

    bad: list[int] = []
    checked = [0]  # transactions already compared

    def check(z_words, f_words) -> bool:
        t0 = checked[0]
        if t0 == len(z_words):
            return len(bad) >= MAX_MISMATCHES
        z = unpack_lanes(z_words[t0:], width, LANES)
        fl = unpack_lanes(f_words[t0:], 8, LANES)
        lo = t0 * LANES
        hi = min(lo + len(z), n)
        diff = np.nonzero((z[: hi - lo] != z_exp[lo:hi]) | (fl[: hi - lo] != f_exp[lo:hi]))[0]
        bad.extend(int(i) + lo for i in diff[: MAX_MISMATCHES - len(bad)])
        checked[0] = len(z_words)
        return len(bad) >= MAX_MISMATCHES

    t_start = time.perf_counter()
    z_words, f_words = await tb.run(a_words, b_words, r_words, check)
    check(z_words, f_words)
    elapsed = time.perf_counter() - t_start
    done = min(len(z_words) * LANES, n)
    dut._log.info("%s: %d vectors in %d transactions, %.2f s, %.0f vectors/s", Path(path).name, done,
                  len(z_words), elapsed, done / elapsed if elapsed else float("inf"))

    if bad:
        z_all = unpack_lanes(z_words, width, LANES)
        f_all = unpack_lanes(f_words, 8, LANES)
        first = vs.first_line
        for i in bad:
            dut._log.error(
                "mismatch at vector %d:\n%s", i,
                describe_mismatch(FMT, path, first + i, int(a[i]), int(b[i]),
                                  int(cols["r"][i]) if "r" in cols else None,
                                  int(z_exp[i]), int(f_exp[i]), int(z_all[i]), int(f_all[i]), rounding, overflow))
        stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
        raise AssertionError(f"{Path(path).name}: {len(bad)} mismatching vectors of {done} checked{stopped}")


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
