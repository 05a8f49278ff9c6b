"""cocotb testbench for rtl/fp/fp_add.v, replaying add/sub vector files bit for bit.

The DUT is hdl/fp_add_bank.v: LANES adders per format behind one 8-bit-lane bus, sel_i choosing the
format slot under test, rounding mode, overflow policy and add/sub shared by all lanes; one
transaction (write a, b, R; wait 1 ns; read z, flags) checks LANES vectors.

Each (format, vector file) is one cocotb test (`test_vectors/case=<format>:<file>`); the file's
header gives op (add or sub), rounding mode and overflow policy; an `r` field is the random integer of
stochastic rounding (a K-bit file drives R << (SR_BITS - K), which rounds exactly as a K-bit
StochasticA rounder). A test stops after MAX_MISMATCHES mismatching vectors and fails, logging each
one decoded field by field (refmodel.cli.explain_code) with its line in STEM.txt, the exact sum, and
the expected and actual result and flags.

Configuration (set by test_fp_add_runner.py): FP_ADD_PLAN_FILE, a JSON plan (lanes, sr_bits, and per
format its bank slot and its files, each with a cap on the vectors replayed, spread evenly; 0: all);
FP_ADD_MAX_MISMATCHES (default 10).
"""

from __future__ import annotations

import json
import os
import time
from fractions import Fraction
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Timer
from lanes import pack_lanes, unpack_lanes
from unit_runs import read_word
from vecfiles import load_set, subset

from refmodel import ops
from refmodel.cli import explain_code
from refmodel.encodings import OVERFLOW, ROUNDING, flags_str
from refmodel.formats import parse_format

# The plan written by test_fp_add_runner.py: lanes, SR_BITS, and per format its bank slot and files.
_PLAN_FILE = os.environ.get("FP_ADD_PLAN_FILE", "")
PLAN = json.loads(Path(_PLAN_FILE).read_text()) if _PLAN_FILE else {"lanes": 16, "sr_bits": 8, "formats": []}
LANES = int(PLAN["lanes"])
SR_BITS = int(PLAN["sr_bits"])
MAX_MISMATCHES = int(os.environ.get("FP_ADD_MAX_MISMATCHES", "10"))
CASES = [(e["fmt"], int(e["slot"]), path, int(cap)) for e in PLAN["formats"] for path, cap in e["files"]]
CHECK_EVERY = 64  # transactions between scoreboard passes (a failing test stops within one pass)
LANE_W = 8  # the bank's lane width: codes of up to 8 bits


def exact_sum(fmt: str, a: int, b: int, sub: bool) -> str:
    """a + b or a - b exactly (for the report), or the IEEE result when an operand is not finite."""
    f = parse_format(fmt)
    va, vb = (float(ops.decode(f, np.array([x], np.uint64))[0]) for x in (a, b))
    if not (np.isfinite(va) and np.isfinite(vb)):
        return repr(va - vb if sub else va + vb)
    s = Fraction(va) - Fraction(vb) if sub else Fraction(va) + Fraction(vb)
    return f"{float(s)!r}" + ("" if Fraction(float(s)) == s else f" (exactly {s})")


def describe_mismatch(fmt, path, line, op, a, b, r, z_exp, f_exp, z_got, f_got, rounding, overflow) -> str:
    f = parse_format(fmt)
    head = f"{Path(path).name}:{line}: {op} a={a:#04x} b={b:#04x}"
    if r is not None:
        head += f" r={r:#x}"
    head += f" rounding={rounding} overflow={overflow}"
    sym = "-" if op == "sub" else "+"
    return "\n".join([
        head,
        f"    a        {explain_code(f, a)}",
        f"    b        {explain_code(f, b)}",
        f"    a{sym}b      {exact_sum(fmt, a, b, op == 'sub')}",
        f"    expected {explain_code(f, z_exp)}  flags {f_exp:#04x} {flags_str(f_exp)}",
        f"    actual   {explain_code(f, z_got)}  flags {f_got:#04x} {flags_str(f_got)}"
        + ("  (X or Z bits: shown as 0, flagged 0xe0)" if f_got & 0xE0 else ""),
    ])


class TB:
    """Drives fp_add_bank: one transaction per LANES vectors of the selected format slot."""

    def __init__(self, dut, slot: int, lanes: int, sr_bits: int):
        self.dut = dut
        self.slot = slot
        self.lanes = lanes
        self.sr_bits = sr_bits

    def setup(self, sub: bool, rm: int, ovf: int) -> None:
        self.dut.sel_i.value = self.slot
        self.dut.sub_i.value = int(sub)
        self.dut.rm_i.value = rm
        self.dut.ovf_i.value = ovf

    async def run(self, a_words, b_words, r_words, check) -> tuple[list[int], list[int]]:
        """Apply every transaction; `check(z_words, f_words)` runs every CHECK_EVERY transactions and
        returns True to stop early."""
        dut = self.dut
        a_sig, b_sig, r_sig, z_sig, f_sig = dut.a_i, dut.b_i, dut.rand_i, dut.z_o, dut.flags_o
        z_words: list[int] = []
        f_words: list[int] = []
        for t in range(len(a_words)):
            a_sig.value = a_words[t]
            b_sig.value = b_words[t]
            r_sig.value = r_words[t]
            await Timer(1, unit="ns")
            z, z_x = read_word(z_sig)
            f, f_x = read_word(f_sig)
            if z_x or f_x:  # X or Z bits: mark the lane with the spare flag bits 7..5 (0xe0), never expected
                for k in range(self.lanes):
                    if (z_x | f_x) >> (LANE_W * k) & 0xFF:
                        f |= 0xE0 << (LANE_W * k)
            z_words.append(z)
            f_words.append(f)
            if (t + 1) % CHECK_EVERY == 0 and check(z_words, f_words):
                break
        return z_words, f_words


async def replay(dut, fmt: str, slot: int, path: str, cap: int) -> None:
    vs, txt = load_set(path)
    index = np.arange(vs.count)  # each replayed vector's position in the file (for the report)
    if cap and vs.count > cap:
        index = np.unique(np.linspace(0, vs.count - 1, cap).astype(np.int64))
        vs = subset(vs, index)
    meta, fields, cols = vs.meta, dict(vs.fields), vs.columns
    op = meta.get("op")
    assert op in ("add", "sub"), f"{path}: op {op!r} is neither add nor sub"
    assert meta.get("fmt") == parse_format(fmt).name, f"{path}: format {meta.get('fmt')!r}, DUT slot is {fmt}"
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    assert rounding in ROUNDING and ROUNDING[rounding] <= 6, f"{path}: rounding {rounding!r} has no RTL encoding"
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

    tb = TB(dut, slot, LANES, SR_BITS)
    tb.setup(op == "sub", ROUNDING[rounding], OVERFLOW[overflow])
    a_words, b_words = pack_lanes(a, LANE_W, LANES), pack_lanes(b, LANE_W, LANES)
    r_words = pack_lanes(r, SR_BITS, LANES)

    bad: list[int] = []
    checked = [0]

    def check(z_words, f_words) -> bool:
        t0 = checked[0]
        if t0 < len(z_words):
            z = unpack_lanes(z_words[t0:], LANE_W, LANES)
            fl = unpack_lanes(f_words[t0:], LANE_W, LANES)
            lo = t0 * LANES
            hi = min(lo + len(z), n)
            diff = np.flatnonzero((z[: hi - lo] != z_exp[lo:hi]) | (fl[: hi - lo] != f_exp[lo:hi]))
            bad.extend(int(i) + lo for i in diff[: MAX_MISMATCHES - len(bad)])
            checked[0] = len(z_words)
        return len(bad) >= MAX_MISMATCHES

    t_start = time.perf_counter()
    z_words, f_words = await tb.run(a_words, b_words, r_words, check)
    check(z_words, f_words)
    elapsed = time.perf_counter() - t_start
    done = min(len(z_words) * LANES, n)
    dut._log.info("%s: %d vectors in %d transactions, %.2f s, %.0f vectors/s", Path(path).name, done, len(z_words),
                  elapsed, done / elapsed if elapsed else float("inf"))
    if bad:
        z_all, f_all = unpack_lanes(z_words, LANE_W, LANES), unpack_lanes(f_words, LANE_W, LANES)
        reports = [describe_mismatch(fmt, txt, vs.first_line + int(index[i]), op, int(a[i]), int(b[i]),
                                     int(cols["r"][i]) if "r" in cols else None, int(z_exp[i]), int(f_exp[i]),
                                     int(z_all[i]), int(f_all[i]), rounding, overflow) for i in bad]
        for i, text in zip(bad, reports):
            dut._log.error("mismatch at vector %d of the file:\n%s", int(index[i]), text)
        stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
        raise AssertionError(f"{Path(path).name}: {len(bad)} mismatching vectors of {done} checked{stopped}; "
                             f"the first:\n" + "\n".join(reports[:3]))


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
