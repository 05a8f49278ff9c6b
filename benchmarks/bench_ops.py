"""Throughput of the model against peers run in the same process (make bench).

Peers: ml_dtypes (C++ numpy ufuncs: FP8 multiply through float32, and binary64 -> FP8 casts, which
round twice) and gfloat (pure Python, the P3109 reference). Ratios are refmodel / peer: > 1 means
refmodel is faster. Figures go in the README.
"""

from __future__ import annotations

import time

import ml_dtypes
import numpy as np

from refmodel import ops
from refmodel.formats import parse_format
from refmodel.vectors.generate import Request, generate

N = 1 << 22


def rate(fn, n, repeat=5):
    fn()  # warm up (compilation, caches)
    best = min(timed(fn) for _ in range(repeat))
    return n / best


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_format(rows, rng, name, dt):
    a = rng.integers(0, 256, N).astype(np.uint8)
    b = rng.integers(0, 256, N).astype(np.uint8)
    ours = rate(lambda: ops.mul(name, a, b), N)
    with np.errstate(invalid="ignore", over="ignore"):
        peer = rate(lambda: (a.view(dt) * b.view(dt)), N)
    rows.append((f"mul {name} rne", ours, "ml_dtypes a*b", peer))
    r = rng.integers(0, 256, N)
    ours_sr = rate(lambda: ops.mul(name, a, b, rounding="sr", r=r, sr_bits=8), N)
    rows.append((f"mul {name} sr (8 bits)", ours_sr, "ml_dtypes a*b", peer))
    x = (rng.standard_normal(N) * 100).astype(np.float64)
    ours = rate(lambda: ops.from_f64(name, x), N)
    peer = rate(lambda: x.astype(dt), N)
    rows.append((f"from_f64 {name} rne", ours, "ml_dtypes astype", peer))


def main():
    rng = np.random.default_rng(1)
    rows = []
    bench_format(rows, rng, "e4m3fn", ml_dtypes.float8_e4m3fn)
    bench_format(rows, rng, "e5m2", ml_dtypes.float8_e5m2)
    import gfloat
    from gfloat.formats import format_info_ocp_e5m2
    xs = (rng.standard_normal(20000) * 100).tolist()
    ours = rate(lambda: ops.from_f64("e5m2", np.array(xs)), len(xs))
    peer = rate(lambda: [gfloat.round_float(format_info_ocp_e5m2, v) for v in xs], len(xs), repeat=2)
    rows.append(("from_f64 e5m2 rne (list of 20k)", ours, "gfloat round_float", peer))
    req = Request("mul", parse_format("e4m3fn"), mode="exhaustive")
    gen = rate(lambda: generate(req), 65536)
    rows.append(("gen mul e4m3fn exhaustive (model+fields)", gen, "-", float("nan")))

    print(f"{'operation':44s} {'refmodel':>14s}   {'peer':22s} {'peer rate':>14s} {'ratio':>7s}")
    for op, ours, peer_name, peer in rows:
        ratio = ours / peer if peer == peer else float("nan")
        print(f"{op:44s} {ours / 1e6:11.2f} M/s   {peer_name:22s} {peer / 1e6:11.3f} M/s {ratio:7.2f}")


if __name__ == "__main__":
    main()
