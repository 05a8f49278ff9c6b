"""The scoreboard of the lane testbenches (test_fp_mul.py, test_fp_add.py): replay a golden vector set
through LANES copies of a combinational datapath and judge the results with the code behind
`refmodel check` (refmodel.vectors.check: compare, and describe for the decoded report).

    board = Scoreboard(golden, txt_path, max_mismatches=10)
    await run_lanes(dut, board, lanes, inputs={"a_i": (a, 8), ...}, outputs={"z": ("z_o", 8), ...})
    board.finish(dut._log)      # logs every mismatch decoded, raises AssertionError if any

The comparison runs every CHECK_EVERY transactions on the results so far, and the replay stops once
`max_mismatches` vectors mismatched, so a broken datapath fails within one pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from cocotb.triggers import Timer
from lanes import pack_lanes, unpack_lanes
from unit_runs import read_word

from refmodel.vectors.check import compare, describe, result_fields
from refmodel.vectors.io import VectorSet

CHECK_EVERY = 64  # transactions between scoreboard passes
X_FLAGS = 0xE0  # a lane whose outputs hold X or Z bits: the spare bits 7..5 of its 8-bit flags lane


class Scoreboard:
    """Compares the results of `golden`'s vectors (those at `index`, in that order; default all) as they
    come, and keeps the first `max_mismatches` mismatching ones. `note(pos)` may add a line to a
    mismatch's report (e.g. the exact result)."""

    def __init__(self, golden: VectorSet, path, max_mismatches: int, index: np.ndarray | None = None,
                 note: Callable[[int], str] | None = None):
        self.golden, self.path, self.max = golden, Path(path), max_mismatches
        self.index = np.arange(golden.count) if index is None else np.asarray(index)
        self.note = note
        self.fields = [n for n, _ in result_fields(golden)]
        self.checked = 0  # results compared so far
        self.bad: list[tuple[int, dict[str, int]]] = []  # (position in the file, actual result fields)

    @property
    def count(self) -> int:
        return len(self.index)

    @property
    def full(self) -> bool:
        return len(self.bad) >= self.max

    def check(self, actual: dict[str, np.ndarray]) -> bool:
        """Compare the next results (arrays in replay order; entries past the set's end are padding);
        returns True once the mismatch bound is reached."""
        lo = self.checked
        hi = min(lo + len(next(iter(actual.values()))), self.count)
        pos = self.index[lo:hi]
        chunk = VectorSet(self.golden.meta, self.golden.fields,
                          {n: col[pos] for n, col in self.golden.columns.items()}, self.golden.first_line)
        got = {n: np.asarray(v[: hi - lo], np.uint64) for n, v in actual.items() if n in self.fields}
        for i in compare(chunk, got).mismatches[: self.max - len(self.bad)]:
            self.bad.append((int(pos[i]), {n: int(v[i]) for n, v in got.items()}))
        self.checked = hi
        return self.full

    def finish(self, log) -> None:
        """Log every kept mismatch decoded (check.describe) and fail if there is one."""
        if not self.bad:
            return
        reports = []
        for pos, got in self.bad:
            # describe reads actual[name][pos] only: one-entry mappings stand in for full columns
            text = describe(self.golden, {n: {pos: v} for n, v in got.items()}, pos, self.path)
            reports.append(text + (f"\n     {self.note(pos)}" if self.note else ""))
            log.error("mismatch:\n%s", reports[-1])
        stopped = " (stopped early)" if self.full else ""
        raise AssertionError(f"{self.path.name}: {len(self.bad)} mismatching vectors of {self.checked} checked"
                             f"{stopped}; the first:\n" + "\n".join(reports[:3]))


async def run_lanes(dut, board: Scoreboard, lanes: int, inputs: dict[str, tuple[np.ndarray, int]],
                    outputs: dict[str, tuple[str, int]], check_every: int = CHECK_EVERY) -> None:
    """Drive the vectors of `board`, `lanes` per transaction (write the inputs, wait 1 ns, read the
    outputs), and feed the results to the board until it is full.

    inputs:  port -> (one value per vector, lane width); lane k of a transaction at bits [k*w, (k+1)*w).
    outputs: result field -> (port, lane width). A lane whose outputs read X or Z gets X_FLAGS in its
             `flags` field (never expected), so the board reports it.
    """
    n = board.count
    pad = (-n) % lanes
    words = {getattr(dut, port): pack_lanes(np.concatenate([np.asarray(v, np.uint64), np.zeros(pad, np.uint64)]),
                                            w, lanes) for port, (v, w) in inputs.items()}
    outs = {name: (getattr(dut, port), w) for name, (port, w) in outputs.items()}
    got: dict[str, list[int]] = {name: [] for name in outs}
    x_lanes: dict[int, np.ndarray] = {}  # transaction -> its lanes whose outputs read X or Z
    n_words = (n + pad) // lanes
    t_start = time.perf_counter()
    for t in range(n_words):
        for sig, w in words.items():
            sig.value = w[t]
        await Timer(1, unit="ns")
        for name, (sig, w) in outs.items():
            value, xmask = read_word(sig)
            got[name].append(value)
            if xmask:
                x_lanes[t] = x_lanes.get(t, np.zeros(lanes, bool)) | (unpack_lanes([xmask], w, lanes) != 0)
        if (t + 1) % check_every == 0 or t + 1 == n_words:
            lo = board.checked // lanes
            chunk = {name: unpack_lanes(got[name][lo:], w, lanes) for name, (_, w) in outs.items()}
            if "flags" in chunk:
                for tx, marked in x_lanes.items():
                    if tx >= lo:
                        chunk["flags"][(tx - lo) * lanes:(tx - lo + 1) * lanes][marked] |= np.uint64(X_FLAGS)
            if board.check(chunk):
                break
    elapsed = time.perf_counter() - t_start
    dut._log.info("%s: %d vectors in %d transactions, %.2f s, %.0f vectors/s", board.path.name, board.checked,
                  len(next(iter(got.values()))), elapsed, board.checked / elapsed if elapsed else float("inf"))
