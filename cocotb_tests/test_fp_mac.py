"""cocotb testbench for rtl/fp/fp_mac.v: MAC cycle traces of the model replayed bit for bit.

The DUT is the generated bank of test_fp_mac_runner.py (mac_bank.bank_verilog): one hdl/fp_mac_lanes.v
per MAC configuration, ports c<k>_*; each test drives one configuration, the others stay idle.

A vector file is a cycle trace from reset: a mac trace (refmodel.units.vectors.mac_vectors: clear
valid a b [r_prod] [r] [lfsr] acc flags, checked every cycle), a chunked trace written by the runner
(clear valid last a b [r_prod r r_sum lfsr] acc total flags, every cycle), or dot products (a0.. b0..
[lfsr] z flags: each row runs as L cycles with clear on the first and last on the final one; total,
flags, the emptied chunk register and the LFSR state are checked when the row ends). Each file is one
cocotb test. The trace is cut into LANES pieces at clear cycles (a clear empties every register, so a
piece needs no history; with the LFSR, the piece's first cycle loads the state the model had there:
lfsr_load_i) and the pieces run side by side, one cycle of each per clock. Inputs change on the
falling edge; the registers are read on the next falling edge (fp_mac's latency of 1). Checked per cycle: acc_o,
total_o (chunked), flags_o, lfsr_o (with the LFSR). A test stops after MAX_MISMATCHES mismatching
cycles and fails, logging each decoded field by field (refmodel.cli.explain_code).

Configuration from the environment (set by test_fp_mac_runner.py): FP_MAC_PLAN_FILE (a JSON plan:
lanes, golden_cycles (cut longer traces before a clear near this many cycles; 0: whole), and per
configuration its bank index, its MacSetup and its vector files; each (configuration, file) is one
cocotb test `test_trace/case=<configuration>:<file stem>`), FP_MAC_MAX_MISMATCHES (default 10).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge
from lanes import pack_lanes, unpack_lanes
from mac_bank import MacSetup
from unit_runs import read_word
from vecfiles import load_set

from refmodel.cli import explain_code
from refmodel.encodings import OVERFLOW, ROUNDING, STOCHASTIC, flags_str
from refmodel.formats import parse_format

# The plan written by test_fp_mac_runner.py: lanes, the cycle cap of long golden traces, and per MAC
# configuration its bank index, its MacSetup and its vector files.
_PLAN_FILE = os.environ.get("FP_MAC_PLAN_FILE", "")
PLAN = json.loads(Path(_PLAN_FILE).read_text()) if _PLAN_FILE else {"lanes": 4, "golden_cycles": 0, "setups": []}
LANES = int(PLAN["lanes"])
MAX_CYCLES = int(PLAN["golden_cycles"])
MAX_MISMATCHES = int(os.environ.get("FP_MAC_MAX_MISMATCHES", "10"))


def _setup(d: dict) -> MacSetup:
    return MacSetup(**{**d, "lfsr_taps": None if d.get("lfsr_taps") is None else tuple(d["lfsr_taps"])})


CASES = [(int(e["index"]), _setup(e["setup"]), f) for e in PLAN["setups"] for f in e["files"]]
CHECK_EVERY = 64
LATENCY = 1  # falling edges from writing a cycle's inputs to reading its registers (fp_mac's latency)
IN_PORTS = ("in_valid_i", "clear_i", "last_i", "lfsr_load_i", "a_i", "b_i", "rand_prod_i", "rand_i", "rand_sum_i",
            "lfsr_seed_i")
OUT_PORTS = ("acc_o", "total_o", "flags_o", "lfsr_o")


@dataclass
class Trace:
    """One cycle per element: inputs, expected registers after the cycle, what to check, and where
    each cycle comes from (line of the text file)."""

    inputs: dict[str, np.ndarray]  # valid, clear, last, a, b, r_prod, r, r_sum, lfsr_before
    expect: dict[str, np.ndarray]  # acc, total, flags, lfsr
    check: dict[str, np.ndarray]  # bool masks per expected output
    line: np.ndarray
    rounding: str
    overflow: str

    @property
    def n(self) -> int:
        return self.line.size


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, np.uint64)


def _r_col(cols: dict, fields: dict, name: str, n: int, sr_bits: int) -> np.ndarray:
    """A random-integer column driven on an N-bit port: a K-bit R as R << (N - K)."""
    if name not in cols:
        return _zeros(n)
    k = fields[name]
    assert k <= sr_bits, f"{name}: {k} random bits, the DUT has SR_BITS={sr_bits}"
    return cols[name] << np.uint64(sr_bits - k)


def from_mac(vs, s: MacSetup) -> Trace:
    """A mac or mac_chunked trace (every cycle checked)."""
    cols, fields, meta = vs.columns, dict(vs.fields), vs.meta
    n = vs.count
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    stochastic = rounding in STOCHASTIC
    seed = int(meta.get("lfsr_seed", s.lfsr_seed))
    if "lfsr" in cols:
        after = cols["lfsr"]
        before = np.concatenate([np.array([seed], np.uint64), after[:-1]])
    else:
        before = np.full(n, seed, np.uint64)
        after = before
    inputs = {"valid": cols["valid"], "clear": cols["clear"], "last": cols.get("last", _zeros(n)),
              "a": cols["a"], "b": cols["b"], "lfsr_before": before}
    for name in ("r_prod", "r", "r_sum"):
        inputs[name] = _r_col(cols, fields, name, n, s.sr_bits) if stochastic else _zeros(n)
    on = np.ones(n, bool)
    expect = {"acc": cols["acc"], "total": cols.get("total", _zeros(n)), "flags": cols["flags"], "lfsr": after}
    check = {"acc": on, "total": on if s.chunked else ~on, "flags": on, "lfsr": on if s.use_lfsr else ~on}
    return Trace(inputs, expect, check, vs.first_line + np.arange(n), rounding, overflow)


def from_dot(vs, s: MacSetup) -> Trace:
    """Dot products: row i runs as L cycles (clear first, last at the end); checked at row ends."""
    cols, meta = vs.columns, vs.meta
    rows, length = vs.count, int(meta["length"])
    n = rows * length
    k = np.tile(np.arange(length), rows)
    rounding, overflow = meta.get("rounding", "rne"), meta.get("overflow", "ieee")
    a = np.stack([cols[f"a{i}"] for i in range(length)], axis=1).ravel()
    b = np.stack([cols[f"b{i}"] for i in range(length)], axis=1).ravel()
    ends = k == length - 1
    seed = int(meta.get("lfsr_seed", s.lfsr_seed))
    starts = cols["lfsr"] if "lfsr" in cols else np.full(rows, seed, np.uint64)
    before = np.repeat(starts, length)
    inputs = {"valid": np.ones(n, np.uint64), "clear": (k == 0).astype(np.uint64), "last": ends.astype(np.uint64),
              "a": a, "b": b, "lfsr_before": before, "r_prod": _zeros(n), "r": _zeros(n), "r_sum": _zeros(n)}
    total, flags, lfsr = _zeros(n), _zeros(n), _zeros(n)
    total[ends], flags[ends] = cols["z"], cols["flags"]
    lfsr_check = np.zeros(n, bool)
    if "lfsr" in cols and s.use_lfsr:  # the state after row i is the start of row i + 1
        lfsr[ends[: n]] = np.concatenate([starts[1:], [0]]).astype(np.uint64)
        lfsr_check = ends.copy()
        lfsr_check[n - 1] = False
    expect = {"acc": _zeros(n), "total": total, "flags": flags, "lfsr": lfsr}
    check = {"acc": ends, "total": ends, "flags": ends, "lfsr": lfsr_check}
    return Trace(inputs, expect, check, vs.first_line + np.repeat(np.arange(rows), length), rounding, overflow)


def truncate(tr: Trace, max_cycles: int) -> Trace:
    """Cut a trace before its last clear at or below max_cycles (0 or a short trace: unchanged)."""
    if not max_cycles or tr.n <= max_cycles:
        return tr
    clears = np.flatnonzero(tr.inputs["clear"][1: max_cycles + 1]) + 1
    end = int(clears[-1]) if clears.size else max_cycles
    return Trace({k: v[:end] for k, v in tr.inputs.items()}, {k: v[:end] for k, v in tr.expect.items()},
                 {k: v[:end] for k, v in tr.check.items()}, tr.line[:end], tr.rounding, tr.overflow)


def split(tr: Trace, lanes: int) -> list[tuple[int, int]]:
    """Pieces [start, end) of the trace, one per lane, cut at clear cycles near equal lengths."""
    clears = np.flatnonzero(tr.inputs["clear"])
    cuts = [0]
    for k in range(1, lanes):
        ideal = k * tr.n / lanes
        cand = clears[clears > cuts[-1]]
        if cand.size == 0:
            break
        cuts.append(int(cand[np.argmin(np.abs(cand - ideal))]))
    cuts = sorted(set(cuts))
    return [(lo, hi) for lo, hi in zip(cuts, [*cuts[1:], tr.n])]


class TB:
    """Drives MAC configuration `index` of the bank."""

    def __init__(self, dut, index: int, s: MacSetup, lanes: int):
        self.dut = dut
        self.s = s
        self.lanes = lanes
        self.port = {name: getattr(dut, f"c{index}_{name}") for name in (*IN_PORTS, *OUT_PORTS)}
        self.clk = getattr(dut, f"c{index}_clk_i")
        w = s.widths()
        self.width = {"in_valid_i": 1, "clear_i": 1, "last_i": 1, "lfsr_load_i": 1, "a_i": w["in"], "b_i": w["in"],
                      "rand_prod_i": w["sr"], "rand_i": w["sr"], "rand_sum_i": w["sr"], "lfsr_seed_i": w["lfsr"],
                      "acc_o": w["acc"], "total_o": w["sec"], "flags_o": 8, "lfsr_o": w["lfsr"]}

    async def reset(self) -> None:
        dut = self.dut
        for name in IN_PORTS:
            self.port[name].value = 0
        dut.rst_ni.value = 0
        for _ in range(2):
            await FallingEdge(self.clk)
        dut.rst_ni.value = 1

    def schedule(self, tr: Trace, pieces) -> tuple[np.ndarray, dict[str, list[int]]]:
        """idx[t, lane] (trace index or -1) and the packed input words per cycle."""
        steps = max(hi - lo for lo, hi in pieces)
        idx = np.full((steps, self.lanes), -1, np.int64)
        for lane, (lo, hi) in enumerate(pieces):
            idx[: hi - lo, lane] = np.arange(lo, hi)
        live = idx >= 0
        src = np.where(live, idx, 0)

        def col(values) -> np.ndarray:
            return np.where(live, np.asarray(values, np.uint64)[src], np.uint64(0)).astype(np.uint64)

        load = np.zeros_like(live)
        if self.s.use_lfsr:
            load[0, : len(pieces)] = True
        values = {"in_valid_i": col(tr.inputs["valid"]), "clear_i": col(tr.inputs["clear"]),
                  "last_i": col(tr.inputs["last"]), "lfsr_load_i": load.astype(np.uint64),
                  "a_i": col(tr.inputs["a"]), "b_i": col(tr.inputs["b"]), "rand_prod_i": col(tr.inputs["r_prod"]),
                  "rand_i": col(tr.inputs["r"]), "rand_sum_i": col(tr.inputs["r_sum"]),
                  "lfsr_seed_i": np.where(load, col(tr.inputs["lfsr_before"]), np.uint64(0)).astype(np.uint64)}
        words = {name: pack_lanes(v.ravel(), self.width[name], self.lanes) for name, v in values.items()}
        return idx, words

    async def run(self, words: dict[str, list[int]], steps: int, check) -> dict[str, list[int]]:
        """Apply `steps` cycles; returns the output words after each. check(outs) every CHECK_EVERY cycles."""
        clk = self.clk
        outs: dict[str, list[int]] = {name: [] for name in (*OUT_PORTS, *(f"{p}_x" for p in OUT_PORTS))}
        last_written: dict[str, int] = {}
        idle = {name: 0 for name in IN_PORTS}
        in_ports = [(name, self.port[name], words[name]) for name in IN_PORTS]
        out_ports = [(self.port[name], outs[name], outs[f"{name}_x"]) for name in OUT_PORTS]
        for t in range(steps + LATENCY):
            await FallingEdge(clk)
            if t >= LATENCY:  # the registers after cycle t - LATENCY
                for sig, dst, dst_x in out_ports:
                    value, unknown = read_word(sig)
                    dst.append(value)
                    dst_x.append(unknown)
                if (t - LATENCY + 1) % CHECK_EVERY == 0 and check(outs):
                    break
            for name, sig, w in in_ports:
                value = w[t] if t < steps else idle[name]  # after the trace: idle cycles
                if last_written.get(name) != value:
                    sig.value = value
                    last_written[name] = value
        return outs


def describe(tr: Trace, s: MacSetup, path: Path, i: int, lane: int, got: dict[str, int]) -> str:
    f_in, f_acc, f_sec = (parse_format(x) for x in (s.in_fmt, s.acc_fmt, s.second))
    inp, exp = tr.inputs, tr.expect
    head = (f"{path.name}:{int(tr.line[i])}: cycle {i} (lane {lane}) clear={int(inp['clear'][i])} "
            f"valid={int(inp['valid'][i])} last={int(inp['last'][i])} a={int(inp['a'][i]):#x} b={int(inp['b'][i]):#x}")
    if tr.rounding in STOCHASTIC:
        head += (f" lfsr_before={int(inp['lfsr_before'][i]):#x}" if s.use_lfsr else
                 f" r_prod={int(inp['r_prod'][i]):#x} r={int(inp['r'][i]):#x} r_sum={int(inp['r_sum'][i]):#x}")
    lines = [head + f" rounding={tr.rounding} overflow={tr.overflow}",
             f"    a              {explain_code(f_in, int(inp['a'][i]))}",
             f"    b              {explain_code(f_in, int(inp['b'][i]))}"]
    if i > 0 and tr.check["acc"][i - 1] and not inp["clear"][i]:
        lines.append(f"    acc before     {explain_code(f_acc, int(exp['acc'][i - 1]))}")
    for name, fmt in (("acc", f_acc), ("total", f_sec)):
        if tr.check[name][i]:
            lines.append(f"    {name:5s} expected {explain_code(fmt, int(exp[name][i]))}")
            lines.append(f"    {name:5s} actual   {explain_code(fmt, got[name])}")
    if tr.check["flags"][i]:
        fe, fg = int(exp["flags"][i]), got["flags"]
        lines.append(f"    flags expected {fe:#04x} {flags_str(fe)}   actual {fg:#04x} {flags_str(fg)}")
    if tr.check["lfsr"][i]:
        lines.append(f"    lfsr  expected {int(exp['lfsr'][i]):#x}   actual {got['lfsr']:#x}")
    return "\n".join(lines)


async def replay(dut, index: int, s: MacSetup, path: str) -> None:
    vs, txt = load_set(path)
    op = vs.meta.get("op")
    if op in ("mac", "mac_chunked"):
        tr = from_mac(vs, s)
    elif op == "dot":
        tr = from_dot(vs, s)
    else:
        raise AssertionError(f"{path}: op {op!r} is not a MAC trace")
    tr = truncate(tr, MAX_CYCLES)
    assert tr.rounding in ROUNDING and ROUNDING[tr.rounding] <= 6, f"{path}: no RTL encoding for {tr.rounding}"
    tb = TB(dut, index, s, LANES)
    pieces = split(tr, LANES)
    idx, words = tb.schedule(tr, pieces)
    steps = idx.shape[0]

    clock = Clock(tb.clk, 10, unit="ns")
    clock.start()
    dut.rm_i.value = ROUNDING[tr.rounding]
    dut.ovf_i.value = OVERFLOW[tr.overflow]
    await tb.reset()

    widths = {"acc_o": tb.width["acc_o"], "total_o": tb.width["total_o"], "flags_o": 8, "lfsr_o": tb.width["lfsr_o"]}
    names = {"acc_o": "acc", "total_o": "total", "flags_o": "flags", "lfsr_o": "lfsr"}
    bad: set[int] = set()
    checked = [0]

    def compare(outs) -> bool:
        t0, t1 = checked[0], len(outs["acc_o"])
        if t1 > t0:
            sub = idx[t0:t1]
            live = sub >= 0
            src = np.where(live, sub, 0)
            for port, name in names.items():
                got = unpack_lanes(outs[port][t0:t1], widths[port], LANES).reshape(t1 - t0, LANES)
                unknown = unpack_lanes(outs[f"{port}_x"][t0:t1], widths[port], LANES).reshape(t1 - t0, LANES)
                wrong = live & tr.check[name][src] & ((got != tr.expect[name][src]) | (unknown != 0))
                bad.update(int(i) for i in sub[wrong])
            checked[0] = t1
        return len(bad) >= MAX_MISMATCHES

    t_start = time.perf_counter()
    outs = await tb.run(words, steps, compare)
    compare(outs)
    clock.stop()
    elapsed = time.perf_counter() - t_start
    done = int((idx[: len(outs["acc_o"])] >= 0).sum())
    dut._log.info("%s: %d cycles of %s in %d lanes x %d steps, %.2f s, %.0f cycles/s", Path(path).name, done,
                  s.name, len(pieces), len(outs["acc_o"]), elapsed, done / elapsed if elapsed else float("inf"))
    if bad:
        where = {int(i): (int(t), int(lane)) for (t, lane), i in np.ndenumerate(idx) if i >= 0}
        reports = []
        for i in sorted(bad)[:MAX_MISMATCHES]:
            t, lane = where[i]
            got = {names[p]: int(unpack_lanes([outs[p][t]], widths[p], LANES)[lane]) for p in names}
            unknown = [names[p] for p in names if int(unpack_lanes([outs[f"{p}_x"][t]], widths[p], LANES)[lane])]
            if unknown:
                dut._log.error("cycle %d (lane %d): %s hold X or Z bits (shown as 0)", i, lane, ", ".join(unknown))
            reports.append(describe(tr, s, txt, i, lane, got) + (f"\n    X or Z bits in {', '.join(unknown)}"
                                                                   if unknown else ""))
            dut._log.error("mismatch at cycle %d:\n%s", i, reports[-1])
        stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
        raise AssertionError(f"{Path(path).name}: {len(bad)} mismatching cycles of {done} checked{stopped}; "
                             f"the first:\n" + "\n".join(reports[:3]))


def _case_params():
    return [cocotb.Param((index, s, path), name=f"{s.name}:{Path(path).stem}") for index, s, path in CASES]


if CASES:

    @cocotb.test
    @cocotb.parametrize(case=_case_params())
    async def test_trace(dut, case) -> None:
        """Replay one MAC trace (or dot-product file) through its configuration, every register bit for bit."""
        await replay(dut, *case)

else:

    @cocotb.test
    async def test_trace(dut) -> None:
        """No MAC configuration or vector file was given: fail rather than pass vacuously."""
        raise AssertionError("the fp_mac plan (FP_MAC_PLAN_FILE) names no vector file")
