"""Throughput of the model against peers run in the same process (make bench).

Peers: ml_dtypes (C++ numpy casts and ufuncs: FP8 arithmetic through float32, no flags, binary64
casts that round twice) and gfloat (pure Python, the P3109 reference). The ratio is refmodel's
rate over the peer's: above 1, refmodel is faster. Best of 5 runs on 10^7 elements, one thread.
"""

from __future__ import annotations

import time

import ml_dtypes
import numpy as np

from refmodel import ops
from refmodel.formats import parse_format
from refmodel.vectors.generate import Request, generate

N = 10**7
ML = {"e4m3fn": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2, "fp16": np.float16,
      "bf16": ml_dtypes.bfloat16}


def rate(fn, n, repeat=5):
    fn()  # warm up: compilation, tables
    best = min(timed(fn) for _ in range(repeat))
    return n / best


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_binary(rows, rng, name):
    dt = ML[name]
    a = rng.integers(0, 256, N).astype(np.uint8)
    b = rng.integers(0, 256, N).astype(np.uint8)
    with np.errstate(all="ignore"):
        for op, ufunc in (("mul", np.multiply), ("add", np.add), ("sub", np.subtract)):
            ours = rate(lambda op=op: getattr(ops, op)(name, a, b), N)
            peer = rate(lambda ufunc=ufunc: ufunc(a.view(dt), b.view(dt)), N)
            rows.append((f"{op} {name} rne (table)", ours, f"ml_dtypes {ufunc.__name__}", peer))
    r = rng.integers(0, 256, N)
    ours = rate(lambda: ops.mul(name, a, b, rounding="sr", r=r, sr_bits=8), N, repeat=2)
    rows.append((f"mul {name} sr, 8 random bits (kernel)", ours, "-", float("nan")))


def bench_conversions(rows, rng):
    x = (rng.standard_normal(N) * 100).astype(np.float64)
    for name in ("e4m3fn", "e5m2"):
        ours = rate(lambda name=name: ops.from_f64(name, x), N, repeat=3)
        peer = rate(lambda name=name: x.astype(ML[name]), N)
        rows.append((f"from_f64 {name} rne (bucket table)", ours, "ml_dtypes astype", peer))
    ours = rate(lambda: ops.from_f64("fp16", x), N, repeat=3)
    peer = rate(lambda: x.astype(np.float16), N)
    rows.append(("from_f64 fp16 rne (kernel)", ours, "numpy astype", peer))
    for src, dst in (("fp16", "e4m3fn"), ("bf16", "e5m2")):
        codes = rng.integers(0, 1 << 16, N).astype(np.uint16)
        with np.errstate(all="ignore"):
            ours = rate(lambda src=src, dst=dst, codes=codes: ops.convert(src, codes, dst), N)
            peer = rate(lambda src=src, dst=dst, codes=codes: codes.view(ML[src]).astype(ML[dst]), N)
        rows.append((f"convert {src} -> {dst} rne (table)", ours, "ml_dtypes astype", peer))


def bench_gfloat(rows, rng):
    import gfloat
    from gfloat.formats import format_info_ocp_e5m2

    xs = (rng.standard_normal(20000) * 100).tolist()
    ours = rate(lambda: ops.from_f64("e5m2", np.array(xs)), len(xs))
    peer = rate(lambda: [gfloat.round_float(format_info_ocp_e5m2, v) for v in xs], len(xs), repeat=2)
    rows.append(("from_f64 e5m2 rne, 20k values", ours, "gfloat round_float", peer))


def main():
    rng = np.random.default_rng(1)
    rows = []
    bench_binary(rows, rng, "e4m3fn")
    bench_binary(rows, rng, "e5m2")
    bench_conversions(rows, rng)
    bench_gfloat(rows, rng)
    req = Request("mul", parse_format("e4m3fn"), mode="exhaustive")
    rows.append(("gen mul e4m3fn exhaustive (model + fields)", rate(lambda: generate(req), 65536), "-",
                 float("nan")))
    print("| operation | refmodel | peer | peer rate | ratio |\n|---|---|---|---|---|")
    for op, ours, peer_name, peer in rows:
        ratio = f"{ours / peer:.2f}" if peer == peer else "-"
        peer_rate = f"{peer / 1e6:.3g} M/s" if peer == peer else "-"
        print(f"| {op} | {ours / 1e6:.3g} M/s | {peer_name} | {peer_rate} | {ratio} |")


if __name__ == "__main__":
    main()
