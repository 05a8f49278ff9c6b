"""Exhaustive posit16es1 add and mul (2^32 pairs each) against SoftPosit's C, row by row.

Each row a = 0..65535: the model computes op(a, b) for all 65,536 b in one call, SoftPosit's C
(benchmarks/softposit_rows.c, built here and loaded with ctypes) the same row; the rows must be
equal. Two worker processes share the rows. Run by `make regress-full`; prints progress and times.

    python benchmarks/posit16_exhaustive.py [--ops add,mul] [--jobs 2] [--rows N]
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing as mp
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OPS = {"add": 0, "mul": 1}
FMT = "posit16es1"


def build_rows_library() -> Path:
    import _softposit  # the extension module whose C functions we call

    out = ROOT / "build" / "bench" / "libsoftposit_rows.so"
    out.parent.mkdir(parents=True, exist_ok=True)
    src = ROOT / "benchmarks" / "softposit_rows.c"
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        try:
            subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(out), str(src), "-ldl"], check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"error: cannot build {src.name} with cc ({e}); a C compiler is needed for this sweep")
    return out, _softposit.__file__


def _sweep(args) -> tuple[int, int, list[str]]:
    """Rows [lo, hi) of op: (rows done, mismatching elements, first mismatches)."""
    op, lo, hi, lib_path, ext_path = args
    from refmodel import posits

    lib = ctypes.CDLL(str(lib_path))
    if lib.rows_init(ext_path.encode()):
        raise RuntimeError(f"cannot load p16_add/p16_mul from {ext_path}")
    b = np.arange(65536, dtype=np.uint16)
    want = np.empty(65536, np.uint16)
    bad, first = 0, []
    model = getattr(posits, op)
    for a in range(lo, hi):
        lib.rows_fill(OPS[op], a, want.ctypes.data_as(ctypes.POINTER(ctypes.c_uint16)))
        got = model(FMT, np.uint16(a), b)
        diff = np.flatnonzero(got != want)
        bad += diff.size
        first += [f"{op}({a:#06x}, {d:#06x}): model {got[d]:#06x} SoftPosit {want[d]:#06x}" for d in diff[:3]]
    return hi - lo, bad, first[:10]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", default="add,mul")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rows", type=int, default=65536, help="rows a = 0..ROWS-1 (65536: every pair)")
    args = ap.parse_args(argv)
    lib_path, ext_path = build_rows_library()
    failed = False
    for op in args.ops.split(","):
        if op not in OPS:
            sys.exit(f"error: unknown op {op!r}: expected add or mul")
        chunk = 256
        tasks = [(op, lo, min(lo + chunk, args.rows), lib_path, ext_path) for lo in range(0, args.rows, chunk)]
        t0 = time.perf_counter()
        done = bad = 0
        first: list[str] = []
        with mp.get_context("spawn").Pool(args.jobs) as pool:
            for rows, nbad, f in pool.imap_unordered(_sweep, tasks):
                done, bad, first = done + rows, bad + nbad, first + f
                print(f"\r{op} {FMT}: {done}/{args.rows} rows, {bad} mismatches, {time.perf_counter() - t0:.0f} s",
                      end="", flush=True)
        pairs = done * 65536
        print(f"\r{op} {FMT}: {pairs} pairs, {bad} mismatches, {time.perf_counter() - t0:.1f} s on {args.jobs} "
              f"processes (model and SoftPosit both)")
        for line in first[:10]:
            print("  " + line)
        failed |= bad > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
