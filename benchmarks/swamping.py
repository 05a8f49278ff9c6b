"""Swamping, IBM's argument for chunk-based accumulation and stochastic rounding, as an executable example.

Wang et al. (NeurIPS 2018, SPEC.md section 7) accumulate FP8 products in a 16-bit (1-6-9) format.
Summed one after another, small terms stop counting once the sum's half-ulp exceeds them: with 10
significand bits the sum stagnates after about 2^11 terms of similar size. Chunks of 64 keep each
partial sum small; stochastic rounding keeps the sum unbiased. This script sums 4096 e5m2 values
uniform in [0, 1) (deterministic seed) on the refmodel units, each product x_i * 1.0 exact:

    fp32 sequential (rne)          FpMac(e5m2, fp32)
    e6m9 sequential (rne)          FpMac(e5m2, e6m9)
    e6m9 chunked, L = 64 (rne)     ChunkedMac(e5m2, e6m9, chunk=64)
    e6m9 stochastic (N = 16, 4)    FpMac(e5m2, e6m9, rounding="sr"), the 32-bit LFSR

prints each result's relative error against the exact sum, and draws docs/figures/swamping.png:
the running sums and their relative errors against the number of terms.

    .venv/bin/python benchmarks/swamping.py
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from refmodel import ops
from refmodel.units import ChunkedMac, FpMac, Lfsr
from refmodel.vectors.generate import stream

N_TERMS = 4096
CHUNK = 64
SEED = 2018
ONE = 0x3C  # e5m2 1.0
FIGURE = Path(__file__).resolve().parent.parent / "docs" / "figures" / "swamping.png"


def terms(n: int = N_TERMS, seed: int = SEED) -> np.ndarray:
    """n e5m2 codes of values uniform in [0, 1), rounded to nearest."""
    u = (stream(seed, 1, n) >> np.uint64(11)).astype(np.float64) / 2.0**53
    return ops.from_f64("e5m2", u)[0]


def running_sums(x: np.ndarray) -> dict[str, np.ndarray]:
    """The running sum after each term (float64, exact for these formats), per method."""
    ones = np.full(x.size, ONE, np.uint8)
    out = {"exact": np.cumsum(ops.decode("e5m2", x))}  # exact: 4096 multiples of 2^-18 below 2^12
    out["fp32 sequential"] = ops.decode("fp32", FpMac("e5m2", "fp32").run(x, ones).acc)
    out["e6m9 sequential"] = ops.decode("e6m9", FpMac("e5m2", "e6m9").run(x, ones).acc)
    chunked = ChunkedMac("e5m2", "e6m9", CHUNK).run(x, ones, last=np.arange(x.size) == x.size - 1)
    out[f"e6m9 chunked L={CHUNK}"] = ops.decode("e6m9", chunked.total) + ops.decode("e6m9", chunked.acc)
    for n in (16, 4):
        mac = FpMac("e5m2", "e6m9", rounding="sr", sr_bits=n, prng=Lfsr())
        out[f"e6m9 stochastic N={n}"] = ops.decode("e6m9", mac.run(x, ones).acc)
    return out


def sr_error_spread(x: np.ndarray, sr_bits: int, seeds: int = 64) -> tuple[float, float]:
    """Mean and standard deviation of the stochastic sum's relative error over LFSR seeds 1..seeds."""
    ones = np.full(x.size, ONE, np.uint8)
    exact = ops.decode("e5m2", x).sum()
    errs = [ops.decode("e6m9", FpMac("e5m2", "e6m9", rounding="sr", sr_bits=sr_bits, prng=Lfsr(seed=s))
                       .run(x, ones).acc[-1]) / exact - 1 for s in range(1, seeds + 1)]
    return float(np.mean(errs)), float(np.std(errs))


def relative_errors(sums: dict[str, np.ndarray]) -> dict[str, float]:
    exact = sums["exact"][-1]
    return {name: (s[-1] - exact) / exact for name, s in sums.items() if name != "exact"}


def draw(sums: dict[str, np.ndarray], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.arange(1, sums["exact"].size + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, s in sums.items():
        style = {"color": "black", "linestyle": "--"} if name == "exact" else {}
        left.plot(n, s, label=name, linewidth=1.2, **style)
        if name != "exact":
            right.semilogy(n, np.maximum(np.abs(s - sums["exact"]) / sums["exact"], 1e-9), label=name, linewidth=1)
    left.set(xlabel="terms summed", ylabel="running sum", title=f"Summing {n[-1]} e5m2 values in [0, 1)")
    right.set(xlabel="terms summed", ylabel="|relative error| (1e-9: exact)",
              title="Relative error against the exact sum")
    left.legend(fontsize=8)
    right.legend(fontsize=8, loc="lower right")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    x = terms()
    sums = running_sums(x)
    exact = sum(Fraction(v) for v in ops.decode("e5m2", x).tolist())
    assert sums["exact"][-1] == exact  # the float64 running sum is exact here
    print(f"{N_TERMS} e5m2 values uniform in [0, 1), seed {SEED}: exact sum {float(exact)}")
    print(f"{'method':<26}{'sum':>14}{'relative error':>17}")
    for name, err in relative_errors(sums).items():
        print(f"{name:<26}{sums[name][-1]:>14.6g}{err:>+17.3e}")
    for n in (16, 4):
        mean, std = sr_error_spread(x, n)
        print(f"e6m9 stochastic N={n} over 64 LFSR seeds: relative error mean {mean:+.2e}, "
              f"standard deviation {std:.2e}")
    draw(sums, FIGURE)
    print(f"figure: {FIGURE}")


if __name__ == "__main__":
    main()
