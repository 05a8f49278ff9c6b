"""cocotb testbench for the posit datapaths (rtl/posit/), through the wrapper hdl/posit_lanes.v.

Two kinds of tests, one cocotb test per vector group or trace file:

- `test_binary/group=<name>`: a group of vector files that share one operand set (a, b and, for
  sr, R): one transaction drives LANES operand pairs (write a, b, R; wait 1 ns; read add_o, sub_o,
  mul_o), so a single pass checks every op of the group bit for bit. The rounding mode comes from the
  files' header (rm_i 0 rne, 6 sr); a K-bit R is driven as R << (SR_BITS - K), which rounds as a
  K-bit StochasticA rounder.
- `test_quire_mac/trace=<name>`: a quire MAC trace (fields clear sub a b [r] z nar, one step per
  cycle from reset) driven with random bubbles (in_valid low, seeded), Q_STEPS cycles per write
  through the wrapper's sequencer (q_steps_i) and read back from its history (q_hist_o); every
  cycle with out_valid
  high is compared with QuireMAC.run on the same trace: the format's layout on the first unit
  (also the file's z / nar) and the SMALL_CARRY layout on the second unit (both on q_out_o).

A test stops after MAX_MISMATCHES mismatches and fails, logging each one decoded field by field
(refmodel.cli.explain_posit) with the exact value of the operation.

Configuration from the environment, set by test_posit_runner.py:
  POSIT_FMT              format name (posit8es0, posit8, posit16es1, posit16, ...)
  POSIT_GROUPS           JSON list of lists of vector files (.txt), each list one operand set
  POSIT_TRACES           JSON list of quire MAC trace files (.txt)
  POSIT_LANES            LANES of the wrapper
  POSIT_SR_BITS          SR_BITS of the wrapper
  POSIT_SMALL_CARRY      SMALL_CARRY of the wrapper
  POSIT_Q_STEPS          Q_STEPS of the wrapper
  POSIT_MAX_MISMATCHES   mismatches after which a test stops (default 10)
"""

from __future__ import annotations

import json
import os
import time
from fractions import Fraction
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Timer
from lanes import pack_lanes, unpack_lanes

from refmodel import posits
from refmodel.cli import explain_posit
from refmodel.units.quire_mac import QuireMAC
from refmodel.vectors.io import read_header, read_vectors

FMT = os.environ.get("POSIT_FMT", "posit8")
F = posits.as_posit(FMT)
GROUPS = json.loads(os.environ.get("POSIT_GROUPS", "[]"))
TRACES = json.loads(os.environ.get("POSIT_TRACES", "[]"))
LANES = int(os.environ.get("POSIT_LANES", "16"))
SR_BITS = int(os.environ.get("POSIT_SR_BITS", "16"))
SMALL_CARRY = int(os.environ.get("POSIT_SMALL_CARRY", "2"))
MAX_MISMATCHES = int(os.environ.get("POSIT_MAX_MISMATCHES", "10"))
Q_STEPS = int(os.environ.get("POSIT_Q_STEPS", "32"))
CHECK_EVERY = 16  # transactions between scoreboard passes (a failing test stops within one pass)
RM = {"rne": 0, "sr": 6}
OUT = {"add": "add_o", "sub": "sub_o", "mul": "mul_o"}
GOLDEN = Path(os.environ.get("GOLDEN_DIR", Path(__file__).resolve().parent.parent / "golden_vectors")).resolve()


# ----------------------------------------------------------------------------------------------
# Mismatch reports: every code decoded field by field
# ----------------------------------------------------------------------------------------------
def _exact(code: int) -> Fraction | None:
    v = float(posits.decode(F, np.array([code], np.uint64))[0])  # exact: posits of <= 32 bits fit
    return None if np.isnan(v) else Fraction(v)


def exact_result(op: str, a: int, b: int) -> str:
    x, y = _exact(a), _exact(b)
    if x is None or y is None:
        return "NaR"
    v = x + y if op == "add" else x - y if op == "sub" else x * y
    return f"{float(v)!r}" + ("" if Fraction(float(v)) == v else f" (exactly {v})")


def describe_binary(path, line, op, rounding, a, b, r, k, z_exp, z_got) -> str:
    head = f"{Path(path).name}:{line}: {op} a={a:#x} b={b:#x}"
    if r is not None:
        head += f" r={r:#x} ({k} bits, driven as {r << (SR_BITS - k):#x})"
    return "\n".join([
        head + f" rounding={rounding}",
        f"    a        {explain_posit(F, a)}",
        f"    b        {explain_posit(F, b)}",
        f"    exact    {exact_result(op, a, b)}",
        f"    expected {explain_posit(F, z_exp)}",
        f"    actual   {explain_posit(F, z_got)}",
    ])


# ----------------------------------------------------------------------------------------------
# Combinational lanes: add, sub, mul
# ----------------------------------------------------------------------------------------------
class LanesTB:
    """Drives the LANES lanes of posit_lanes: one transaction per LANES operand pairs."""

    def __init__(self, dut):
        self.dut = dut

    async def run(self, a_words, b_words, r_words, outs, check):
        """Apply every transaction; collect the words of each output in `outs` (name -> list);
        `check()` runs every CHECK_EVERY transactions and returns True to stop early."""
        dut = self.dut
        handles = {name: getattr(dut, name) for name in outs}
        for t in range(len(a_words)):
            dut.a_i.value = a_words[t]
            dut.b_i.value = b_words[t]
            dut.rand_i.value = r_words[t]
            await Timer(1, unit="ns")
            for name, h in handles.items():
                outs[name].append(h.value.to_unsigned())
            if (t + 1) % CHECK_EVERY == 0 and check():
                break


async def check_group(dut, files: list[str]) -> None:
    sets = [read_vectors(p) for p in files]
    first = sets[0]
    meta = first.meta
    rounding = meta.get("rounding", "rne")
    assert rounding in RM, f"{files[0]}: rounding {rounding!r} has no posit RTL encoding"
    n = first.count
    for p, vs in zip(files, sets):
        assert vs.meta.get("fmt") == FMT, f"{p}: format {vs.meta.get('fmt')!r}, the DUT is {FMT}"
        assert vs.meta.get("op") in OUT, f"{p}: op {vs.meta.get('op')!r} is not add, sub or mul"
        assert vs.meta.get("rounding", "rne") == rounding, f"{p}: rounding differs within the group"
        for name in ("a", "b", "r"):
            same = (name in vs.columns) == (name in first.columns) and (
                name not in vs.columns or np.array_equal(vs.columns[name], first.columns[name]))
            assert same, f"{p}: field {name} differs from {files[0]}: not one operand set"
    cols = first.columns
    k = dict(first.fields).get("r", 0)
    assert k <= SR_BITS, f"{files[0]}: {k} random bits, but the DUT has SR_BITS={SR_BITS}"
    pad = (-n) % LANES
    a = np.concatenate([cols["a"], np.zeros(pad, np.uint64)])
    b = np.concatenate([cols["b"], np.zeros(pad, np.uint64)])
    r = np.concatenate([cols["r"], np.zeros(pad, np.uint64)]) << np.uint64(SR_BITS - k) if k \
        else np.zeros(n + pad, np.uint64)
    dut.rm_i.value = RM[rounding]
    a_words, b_words = pack_lanes(a, F.n, LANES), pack_lanes(b, F.n, LANES)
    r_words = pack_lanes(r, SR_BITS, LANES)

    checks = [(p, vs.meta["op"], vs.columns["z"], vs.first_line) for p, vs in zip(files, sets)]
    outs: dict[str, list[int]] = {OUT[op]: [] for _, op, _, _ in checks}
    bad: list[tuple[int, int]] = []   # (check index, vector index)
    done = [0]                        # transactions already compared

    def check() -> bool:
        t0, t1 = done[0], len(next(iter(outs.values())))
        if t1 > t0:
            lo, hi = t0 * LANES, min(t1 * LANES, n)
            for ci, (_, op, z_exp, _) in enumerate(checks):
                got = unpack_lanes(outs[OUT[op]][t0:t1], F.n, LANES)[: hi - lo]
                diff = np.nonzero(got != z_exp[lo:hi])[0]
                bad.extend((ci, int(i) + lo) for i in diff[: max(MAX_MISMATCHES - len(bad), 0)])
            done[0] = t1
        return len(bad) >= MAX_MISMATCHES

    t_start = time.perf_counter()
    await LanesTB(dut).run(a_words, b_words, r_words, outs, check)
    check()
    elapsed = time.perf_counter() - t_start
    pairs = min(done[0] * LANES, n)
    dut._log.info("%s: %d operand pairs x %d ops (%s) in %d transactions, %.2f s, %.0f vectors/s",
                  Path(files[0]).name, pairs, len(checks), " ".join(op for _, op, _, _ in checks), done[0],
                  elapsed, pairs * len(checks) / elapsed if elapsed else float("inf"))
    if bad:
        for ci, i in bad:
            path, op, z_exp, first_line = checks[ci]
            got = int(unpack_lanes(outs[OUT[op]][i // LANES: i // LANES + 1], F.n, LANES)[i % LANES])
            dut._log.error("mismatch at vector %d:\n%s", i, describe_binary(
                path, first_line + i, op, rounding, int(cols["a"][i]), int(cols["b"][i]),
                int(cols["r"][i]) if k else None, k, int(z_exp[i]), got))
        stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
        raise AssertionError(f"{len(bad)} mismatching vectors of {pairs} operand pairs checked{stopped}")


# ----------------------------------------------------------------------------------------------
# The quire MAC: cycle-level traces with bubbles
# ----------------------------------------------------------------------------------------------
def describe_step(path, line, step, clear, sub, a, b, r, rounding, unit, z_exp, n_exp, z_got, n_got) -> str:
    what = "clear" if clear else ("q -= a*b" if sub else "q += a*b")
    head = f"{Path(path).name}:{line}: step {step} ({what}), {unit}, readout {rounding}"
    if r is not None:
        head += f" r={r:#x}"
    return "\n".join([
        head,
        f"    a        {explain_posit(F, a)}",
        f"    b        {explain_posit(F, b)}",
        f"    expected {explain_posit(F, z_exp)}  nar={int(n_exp)}",
        f"    actual   {explain_posit(F, z_got)}  nar={int(n_got)}",
    ])


async def check_trace(dut, path: str) -> None:
    vs = read_vectors(path)
    meta, cols = vs.meta, vs.columns
    assert meta.get("op") == "quire_mac" and meta.get("fmt") == FMT, f"{path}: not a {FMT} quire_mac trace"
    rounding = meta.get("rounding", "rne")
    k = dict(vs.fields).get("r", 0)
    n = vs.count
    clear = cols["clear"].astype(bool)
    sub = cols["sub"].astype(bool)
    a, b = cols["a"].astype(np.int64), cols["b"].astype(np.int64)
    r = cols["r"].astype(np.int64) if k else None
    units = {
        "default layout": QuireMAC(F, None, rounding, k).run(clear, a, b, sub, r),
        f"carry {SMALL_CARRY}": QuireMAC(F, SMALL_CARRY, rounding, k).run(clear, a, b, sub, r),
    }
    z0, n0 = units["default layout"]
    assert np.array_equal(z0, cols["z"]) and np.array_equal(n0, cols["nar"]), \
        f"{path}: the file's z / nar differ from QuireMAC.run: a stale trace file"

    # One word per cycle, {in_valid, clear, sub, rm, r, a, b}; a bubble is 0 (in_valid low).
    nb = F.n
    r_drive = (r << (SR_BITS - k)) if k else np.zeros(n, np.int64)
    head = (1 << 5) | (clear.astype(np.int64) << 4) | (sub.astype(np.int64) << 3) | RM[rounding]
    steps = [(int(h) << (SR_BITS + 2 * nb)) | (int(x) << (2 * nb)) | (int(y) << nb) | int(z)
             for h, x, y, z in zip(head, r_drive, a, b)]
    rng = np.random.default_rng(int(meta.get("seed", "1")))
    cycles: list[int] = []
    for w in steps:
        while rng.random() < 1 / 8:
            cycles.append(0)
        cycles.append(w)
    cycles += [0] * (Q_STEPS + 4)          # drain: the results trail the steps by 3 + 1 cycles
    cycles += [0] * ((-len(cycles)) % Q_STEPS)
    qsw, qow = 2 * nb + SR_BITS + 6, 2 * nb + 4
    batches = [sum(w << (j * qsw) for j, w in enumerate(cycles[t:t + Q_STEPS]))
               for t in range(0, len(cycles), Q_STEPS)]
    zmask, vbit, nbit = (1 << nb) - 1, 1 << (nb + 1), 1 << nb
    omask = (1 << qow) - 1
    half = nb + 2

    # Reset; the sequencer count is 0 after it, so the batch written at this falling edge is
    # applied over the next Q_STEPS rising edges, and the history read at the falling edge after
    # them holds those Q_STEPS cycles' outputs.
    dut.q_steps_i.value = 0
    dut.rst_ni.value = 0
    await ClockCycles(dut.clk_i, 2, rising=False)
    dut.rst_ni.value = 1

    got = {name: ([], []) for name in units}
    outs = list(got.values())
    t_start = time.perf_counter()
    bad: list[tuple[str, int]] = []
    for bi, batch in enumerate(batches):
        dut.q_steps_i.value = batch
        await ClockCycles(dut.clk_i, Q_STEPS, rising=False)
        hist = dut.q_hist_o.value.to_unsigned()
        for j in range(Q_STEPS - 1, -1, -1):  # oldest cycle first
            o = (hist >> (j * qow)) & omask
            for u, (zs, ns) in enumerate(outs):
                ou = o >> (u * half)
                if ou & vbit:
                    zs.append(ou & zmask)
                    ns.append(bool(ou & nbit))
        if bi % 32 == 31:  # scoreboard pass
            bad = _trace_mismatches(units, got)
            if len(bad) >= MAX_MISMATCHES:
                break
    cycle, step = len(cycles), n
    elapsed = time.perf_counter() - t_start
    bad = _trace_mismatches(units, got)
    count = len(got["default layout"][0])
    dut._log.info("%s: %d steps in %d cycles (%d bubbles), %.2f s, %.0f cycles/s", Path(path).name, count, cycle,
                  cycle - step, elapsed, cycle / elapsed if elapsed else float("inf"))
    for name, i in bad:
        z_exp, n_exp = units[name]
        dut._log.error("mismatch at step %d:\n%s", i, describe_step(
            path, vs.first_line + i, i, clear[i], sub[i], int(a[i]), int(b[i]), int(r[i]) if k else None, rounding,
            name, int(z_exp[i]), bool(n_exp[i]), got[name][0][i], got[name][1][i]))
    if bad:
        stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
        raise AssertionError(f"{len(bad)} mismatching steps{stopped}")
    assert count == n, f"{path}: {count} results for {n} steps (out_valid_o lost or repeated a step)"


def _trace_mismatches(units, got) -> list[tuple[str, int]]:
    bad = []
    for name, (z_exp, n_exp) in units.items():
        zs, ns = got[name]
        if len(zs) > len(z_exp):
            raise AssertionError(f"{name}: {len(zs)} results for {len(z_exp)} steps")
        m = len(zs)
        diff = np.nonzero((np.asarray(zs, np.int64) != z_exp[:m].astype(np.int64))
                          | (np.asarray(ns, bool) != n_exp[:m]))[0]
        bad.extend((name, int(i)) for i in diff[:MAX_MISMATCHES])
    return bad[:MAX_MISMATCHES]


# ----------------------------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------------------------
def _group_name(files: list[str]) -> str:
    """ops_rounding[K]_mode_sSEED_nCOUNT[_golden], from the files' headers."""
    heads = [read_header(p)[0] for p in files]
    m = heads[0]
    ops = "+".join(h.get("op", "?") for h in heads)
    rnd = m.get("rounding", "rne") + m.get("sr_bits", "")
    golden = "_golden" if any(Path(p).resolve().is_relative_to(GOLDEN) for p in files) else ""
    return f"{ops}_{rnd}_{m.get('mode')}_s{m.get('seed')}_n{m.get('count')}{golden}"


async def _clock(dut) -> None:
    Clock(dut.clk_i, 10, unit="ns").start()
    dut.rst_ni.value = 0
    await Timer(1, unit="ns")


if GROUPS:

    @cocotb.test
    @cocotb.parametrize(group=[cocotb.Param(g, name=_group_name(g)) for g in GROUPS])
    async def test_binary(dut, group: list[str]) -> None:
        """add, sub and mul of one operand set against the group's vector files."""
        await check_group(dut, group)

else:

    @cocotb.test
    async def test_binary(dut) -> None:
        """No vector file was given: fail rather than pass vacuously."""
        raise AssertionError(f"no add/sub/mul vector files for {FMT} (POSIT_GROUPS is empty)")


if TRACES:

    @cocotb.test
    @cocotb.parametrize(trace=[cocotb.Param(p, name=Path(p).stem) for p in TRACES])
    async def test_quire_mac(dut, trace: str) -> None:
        """A quire MAC trace, cycle by cycle with bubbles, against QuireMAC.run."""
        await _clock(dut)
        await check_trace(dut, trace)

else:

    @cocotb.test
    async def test_quire_mac(dut) -> None:
        """No trace was given: fail rather than pass vacuously."""
        raise AssertionError(f"no quire MAC traces for {FMT} (POSIT_TRACES is empty)")
