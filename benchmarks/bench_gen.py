"""Golden-vector generation throughput, phase by phase (make bench).

python benchmarks/bench_gen.py [--count N]

Generates `gen mul --fmt e4m3fn --mode random --count N` (default 10^7) and the exhaustive e4m3fn
mul set with 1 and 2 jobs, classifies their rounding situations, writes them (text, $readmemh hex,
npz, manifest with sha256) with 1 and 2 jobs, checks them against themselves (`refmodel check`'s
comparison), and last runs the whole command (start-up included). Each phase is reported in vectors
per second of wall time, with the CPU time beside it (the machine may be shared: the load average is
printed first; CPU time is the fairer measure then). The naive peer is numpy's own text writer,
np.savetxt with a hex format, on the same columns, in the same process. TestFloat's testfloat_gen
writes about 3-6 M cases/s."""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from refmodel.formats import parse_format
from refmodel.vectors import io as vio
from refmodel.vectors.check import compare
from refmodel.vectors.coverage import coverage
from refmodel.vectors.generate import Request, generate


def timed(fn):
    """(result, wall seconds, CPU seconds of this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def row(name, n, wall, cpu):
    print(f"{name:44} {n / wall / 1e6:8.2f} M/s  wall {wall:7.3f} s  cpu {cpu:7.3f} s")


def bench(label: str, req: Request, tmp: Path) -> None:
    print(f"\n{label}")
    for jobs in (1, 2):
        vs, wall, cpu = timed(lambda jobs=jobs: generate(req, jobs=jobs))
        n = vs.count
        row(f"generate (operands + model), --jobs {jobs}", n, wall, cpu)
    cov, wall, cpu = timed(lambda: coverage(req.op, req.fmt, req.out_fmt, vs.columns))
    row("classify rounding situations (coverage)", n, wall, cpu)
    txt, wall, cpu = timed(lambda: [vio.format_text_lines(vs, lo, min(n, lo + vio.CHUNK))
                                    for lo in range(0, n, vio.CHUNK)])
    row("format text lines", n, wall, cpu)
    _, wall, cpu = timed(lambda: [vio.format_hex_lines(vs, lo, min(n, lo + vio.CHUNK))
                                  for lo in range(0, n, vio.CHUNK)])
    row("format $readmemh lines", n, wall, cpu)
    _, wall, cpu = timed(lambda: hashlib.sha256(b"".join(txt)).hexdigest())
    row("sha256 of the text file", n, wall, cpu)
    _, wall, cpu = timed(lambda: vio._npz_bytes(vs))
    row("npz", n, wall, cpu)
    for jobs in (1, 2):
        _, wall_w, cpu_w = timed(lambda jobs=jobs: vio.write_vectors(tmp / f"j{jobs}", vs, "bench", {}, jobs=jobs,
                                                                     coverage=cov))
        row(f"write all four files, --jobs {jobs}", n, wall_w, cpu_w)
    _, wall, cpu = timed(lambda: compare(vs, vs.columns))
    row("check: compare and count by situation", n, wall, cpu)
    same = all((tmp / f"j1.{e}").read_bytes() == (tmp / f"j2.{e}").read_bytes() for e in ("txt", "hex", "npz"))
    print(f"{'--jobs 1 and 2 byte-identical':44} {same}")
    m = min(n, 10**6)  # the peer is slow: time it on at most a million vectors
    cols = np.stack([vs.columns[name][:m] for name, _ in vs.fields], axis=1)
    fmt = " ".join(f"%0{(b + 3) // 4}x" for _, b in vs.fields)
    _, wall, cpu = timed(lambda: np.savetxt(tmp / "peer.txt", cols, fmt=fmt))
    row("peer: np.savetxt, text only", m, wall, cpu)


def cli(args: list[str], count: int, tmp: Path) -> None:
    """The whole command as a user runs it, start-up (imports, loading the compiled kernels) included."""
    print(f"\nrefmodel gen {' '.join(args)}, as a command")
    for jobs in (1, 2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, wall, _ = timed(lambda jobs=jobs: subprocess.run(
            [sys.executable, "-m", "refmodel", "gen", *args, "--jobs", str(jobs), "--out", str(tmp / "cli"), "-q"],
            check=True))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        row(f"end to end, --jobs {jobs}", count, wall, cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10**7)
    args = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    f = parse_format("e4m3fn")
    warm = generate(Request("mul", f, count=1 << 20))  # warm up: the compiled kernels, the model's table
    coverage("mul", f, None, warm.columns)  # and the classifier's (the commands build them each run)
    vio.format_text_lines(warm, 0, 10)
    with tempfile.TemporaryDirectory() as d:
        bench(f"mul e4m3fn random, {args.count} vectors", Request("mul", f, count=args.count), Path(d))
        bench("mul e4m3fn exhaustive (65536 vectors)", Request("mul", f, mode="exhaustive"), Path(d))
        cli(["mul", "--fmt", "e4m3fn", "--mode", "random", "--count", str(args.count)], args.count, Path(d))
        cli(["mul", "--fmt", "e4m3fn", "--mode", "exhaustive"], 65536, Path(d))


if __name__ == "__main__":
    main()
