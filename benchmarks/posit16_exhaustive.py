"""Exhaustive posit16 add and mul (2^32 pairs each) against SoftPosit's C, row by row.

Each row a = 0..65535: the model computes op(a, b) for all 65,536 b in one `posits` call, SoftPosit's
C (benchmarks/softposit_harness.c, see bench_posit.py) the same row; the rows must be equal. Worker
processes share the rows. Run by `make regress-full` for posit16es1 (SoftPosit's p16_add/p16_mul);
--fmt posit16 checks the 2022 posit<16,2> against pX2_add/pX2_mul at 16 bits. Prints progress, the
wall time and the CPU time of each side; --model-only runs the model alone (its wall time on --jobs
processes is the model's exhaustive time).

    python benchmarks/posit16_exhaustive.py [--ops add,mul] [--fmt posit16es1] [--jobs 2] [--rows N] [--model-only]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time

import numpy as np
from bench_posit import SP_OPS, SoftPosit, build_harness, limit_threads

CHUNK = 256  # rows per task


def _sweep(args) -> tuple[int, int, list[str], float, float]:
    """Rows [lo, hi) of op: (rows done, mismatching elements, first mismatches, model CPU s, SoftPosit CPU s)."""
    op, fmt, lo, hi, check = args
    from refmodel import posits

    limit_threads()
    sp = SoftPosit() if check else None
    model = getattr(posits, op)
    b = np.arange(65536, dtype=np.uint16)
    want = np.empty(65536, np.uint16)
    bad, first, t_model, t_sp = 0, [], 0.0, 0.0
    for a in range(lo, hi):
        row_a = np.full(65536, a, np.uint16)
        t = time.process_time()
        got = model(fmt, row_a, b)
        t_model += time.process_time() - t
        if sp is None:
            continue
        t = time.process_time()
        sp.run_into(op, fmt, row_a, b, want)
        t_sp += time.process_time() - t
        diff = np.flatnonzero(got != want)
        bad += diff.size
        first += [f"{op}({a:#06x}, {d:#06x}): model {got[d]:#06x} SoftPosit {want[d]:#06x}" for d in diff[:3]]
    return hi - lo, bad, first[:10], t_model, t_sp


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", default="add,mul")
    ap.add_argument("--fmt", default="posit16es1", choices=["posit16es1", "posit16"])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rows", type=int, default=65536, help="rows a = 0..ROWS-1 (65536: every pair)")
    ap.add_argument("--model-only", action="store_true", help="time the model alone, no comparison")
    args = ap.parse_args(argv)
    if not args.model_only:
        build_harness()  # once, before the workers load it
    failed = False
    for op in args.ops.split(","):
        if (op, args.fmt) not in SP_OPS:
            sys.exit(f"error: unknown op {op!r}: expected add or mul")
        tasks = [(op, args.fmt, lo, min(lo + CHUNK, args.rows), not args.model_only)
                 for lo in range(0, args.rows, CHUNK)]
        t0 = time.perf_counter()
        done = bad = 0
        cpu_model = cpu_sp = 0.0
        first: list[str] = []
        with mp.get_context("spawn").Pool(args.jobs) as pool:
            for rows, nbad, f, tm, ts in pool.imap_unordered(_sweep, tasks):
                done, bad, first = done + rows, bad + nbad, first + f
                cpu_model, cpu_sp = cpu_model + tm, cpu_sp + ts
                print(f"\r{op} {args.fmt}: {done}/{args.rows} rows, {bad} mismatches, {time.perf_counter() - t0:.0f} s",
                      end="", flush=True)
        wall = time.perf_counter() - t0
        what = "model only" if args.model_only else f"{bad} mismatches against SoftPosit"
        print(f"\r{op} {args.fmt}: {done * 65536} pairs, {what}, {wall:.1f} s wall on {args.jobs} processes; "
              f"CPU: model {cpu_model:.1f} s" + ("" if args.model_only else f", SoftPosit {cpu_sp:.1f} s"))
        for line in first[:10]:
            print("  " + line)
        failed |= bad > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
