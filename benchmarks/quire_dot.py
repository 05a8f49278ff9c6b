"""PositNN's quire effect: posit<8,2> dot products accumulated exactly in a quire and rounded once,
against the same products rounded to posit8 and summed with a rounding after every step (PositNN's
QUIRE_MODE 0). Prints the median relative error per length and draws docs/figures/quire_dot.png.

    python benchmarks/quire_dot.py [--rows 200] [--max-length 4096] [--seed 1] [--no-plot]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from refmodel import posits

FMT = "posit8"


def dot_errors(rows: int, lengths: list[int], seed: int) -> dict[str, np.ndarray]:
    """Median relative error of the quire dot and of the step-rounded dot, per length, against the
    exact sum (math.fsum of the binary64 products, which are exact for posit8 operands). The median,
    because a row whose exact sum is near zero has an unbounded relative error in both."""
    rng = np.random.default_rng(seed)
    top = max(lengths)
    a = posits.from_f64(FMT, rng.standard_normal((rows, top)))
    b = posits.from_f64(FMT, rng.standard_normal((rows, top)))
    va, vb = posits.decode(FMT, a), posits.decode(FMT, b)
    acc = np.zeros(rows, np.uint8)  # the step-rounded running sums
    quire_err, step_err = [], []
    done = 0
    for length in sorted(lengths):
        for j in range(done, length):
            acc = posits.add(FMT, acc, posits.mul(FMT, a[:, j], b[:, j]))
        done = length
        exact = np.array([math.fsum(va[i, :length] * vb[i, :length]) for i in range(rows)])
        scale = np.abs(exact)
        quire = posits.decode(FMT, posits.dot(FMT, a[:, :length], b[:, :length]))
        with np.errstate(divide="ignore", invalid="ignore"):
            quire_err.append(np.nanmedian(np.abs(quire - exact) / scale))
            step_err.append(np.nanmedian(np.abs(posits.decode(FMT, acc) - exact) / scale))
    return {"length": np.array(sorted(lengths)), "quire": np.array(quire_err), "stepwise": np.array(step_err)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--max-length", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)
    lengths = [1 << k for k in range(int(math.log2(args.max_length)) + 1)]
    res = dot_errors(args.rows, lengths, args.seed)
    print(f"posit<8,2> dot products, {args.rows} rows of N(0,1) operands: median relative error")
    print(f"{'length':>7}  {'quire (one rounding)':>22}  {'rounded every step':>20}")
    for L, q, s in zip(res["length"], res["quire"], res["stepwise"]):
        print(f"{L:>7}  {q:>22.4f}  {s:>20.4f}")
    if not args.no_plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        ax.loglog(res["length"], res["stepwise"], "o-", label="rounded after every step")
        ax.loglog(res["length"], res["quire"], "s-", label="quire, rounded once")
        ax.set_xlabel("dot product length")
        ax.set_ylabel("median relative error")
        ax.set_title("posit<8,2> dot products (PositNN): quire vs stepwise rounding")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        out = Path(__file__).resolve().parent.parent / "docs" / "figures" / "quire_dot.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(out, dpi=120)
        print(f"figure: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
