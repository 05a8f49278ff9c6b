"""Flexpoint's training result (Koster et al. 2017), reproduced small: an MLP trained in flex16+5
with Autoflex tracks the float32 loss curve; the same run with one fixed exponent does not.

The task: regression onto a random teacher network, y = tanh(x T1) T2 with x ~ N(0, I_16).
The student: 16 -> 64 -> 64 -> 4, ReLU, no biases, mean squared error, plain SGD with a
power-of-two learning rate, fresh batches every step. Every tensor of the flex runs is flex16+5:
the input batch and the loss gradient are quantized from binary64; every matrix product is a GEMM
through the MAC model (exact accumulator, rne requantization to the tensor's exponent); ReLU and
its derivative zero mantissas (exact, exponent kept); the SGD update w - 2^k dw is formed exactly
and requantized like an accumulator. Autoflex picks each tensor's exponent before each write
from the history of its max|m| (one autoflex call per step); the fixed runs use one exponent for
every tensor: -8 (neon's default, 8.8 fixed point) loses the gradients, -14 saturates.

    python benchmarks/flex_mlp.py [--steps 1000] [--seed 1] [--out docs/figures]

writes flex_mlp_loss.png and flex_mlp_exponents.png and prints the final losses and overflows.
Deterministic by seed (the flex runs bit for bit; the float32 reference up to BLAS summation order).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from refmodel.flex import Autoflex, FlexTensor, gemm, quantize, requantize

FMT = "flex16+5"
DIMS = (16, 64, 64, 4)
TEACHER_HIDDEN = 32
BATCH = 64
LR_LOG2 = -4  # learning rate 2^-4: the update's product is a shift
FIXED_EXPONENTS = (-8, -14)
TAIL = 0.1  # the final loss: the mean over the last tenth of the steps


@dataclass
class Task:
    """Batches (x, y) for every step, and the initial weights shared by every run."""

    xs: list[np.ndarray]
    ys: list[np.ndarray]
    w0: list[np.ndarray]


def make_task(steps: int, seed: int) -> Task:
    rng = np.random.default_rng(seed)
    t1 = rng.standard_normal((DIMS[0], TEACHER_HIDDEN)) / np.sqrt(DIMS[0]) * 1.5
    t2 = rng.standard_normal((TEACHER_HIDDEN, DIMS[-1])) / np.sqrt(TEACHER_HIDDEN) * 2.0
    xs = [rng.standard_normal((BATCH, DIMS[0])) for _ in range(steps)]
    ys = [np.tanh(x @ t1) @ t2 for x in xs]
    w0 = [rng.standard_normal((i, o)) * np.sqrt(2.0 / i) for i, o in zip(DIMS[:-1], DIMS[1:])]
    return Task(xs, ys, w0)


@dataclass
class Run:
    name: str
    losses: list[float] = field(default_factory=list)
    exponents: dict[str, list[int]] = field(default_factory=dict)  # per tensor, per step
    saturated: int = 0  # elements saturated by quantization or requantization
    overflows: int = 0  # tensor writes with max|m| >= 2^15 - 1 (what Autoflex counts)
    seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        tail = max(1, int(len(self.losses) * TAIL))
        return float(np.mean(self.losses[-tail:]))


def train_float32(task: Task) -> Run:
    run = Run("float32")
    w = [x.astype(np.float32) for x in task.w0]
    t0 = time.perf_counter()
    for x, y in zip(task.xs, task.ys):
        acts, pre = [x.astype(np.float32)], []
        for i, wi in enumerate(w):
            z = acts[-1] @ wi
            pre.append(z)
            acts.append(np.maximum(z, 0) if i < len(w) - 1 else z)
        err = acts[-1].astype(np.float64) - y
        run.losses.append(float(np.mean(err**2)))
        g = (2 * err / err.size).astype(np.float32)
        for i in reversed(range(len(w))):
            dw = acts[i].T @ g
            if i:
                g = (g @ w[i].T) * (pre[i - 1] > 0)
            w[i] -= np.float32(2.0**LR_LOG2) * dw
    run.seconds = time.perf_counter() - t0
    return run


class AutoflexExponents:
    """Exponents from Autoflex: prepared before each write, max|m| reported once per step."""

    def __init__(self):
        self.af = Autoflex(FMT)

    def exponent(self, name: str, trial: Callable[[int], int]) -> int:
        return self.af.tensor(name).prepare(trial)

    def end_step(self, maxabs: dict[str, int]) -> None:
        self.af.autoflex(maxabs)


class FixedExponent:
    def __init__(self, exp: int):
        self.exp = exp

    def exponent(self, name: str, trial: Callable[[int], int]) -> int:
        return self.exp

    def end_step(self, maxabs: dict[str, int]) -> None:
        pass


def transpose(t: FlexTensor) -> FlexTensor:
    return FlexTensor(t.fmt, np.ascontiguousarray(t.m.T), t.exp, t.overflow.T)


def relu_mask(t: FlexTensor, keep: np.ndarray) -> FlexTensor:
    """Zero the mantissas where keep is False: exact, the exponent stays."""
    return FlexTensor(t.fmt, np.where(keep, t.m, 0), t.exp, t.overflow & keep)


def sgd(w: FlexTensor, dw: FlexTensor, out_exp: int) -> FlexTensor:
    """w - 2^LR_LOG2 dw, formed exactly at the finer of the two exponents and requantized (rne)."""
    e0 = min(w.exp, dw.exp + LR_LOG2)
    acc = (w.m << (w.exp - e0)) - (dw.m << (dw.exp + LR_LOG2 - e0))
    return requantize(FMT, acc, e0, out_exp)


class FlexTrainer:
    """One flex16+5 training run; `write` is every tensor write: exponent, operation, statistics."""

    def __init__(self, run: Run, exponents):
        self.run, self.exponents = run, exponents
        self.maxabs: dict[str, int] = {}

    def write(self, name: str, op: Callable[[int], FlexTensor]) -> FlexTensor:
        exp = self.exponents.exponent(name, lambda e: op(e).maxabs)
        t = op(exp)
        self.run.exponents.setdefault(name, []).append(exp)
        self.run.saturated += t.overflows
        self.run.overflows += t.maxabs >= 2**15 - 1
        self.maxabs[name] = t.maxabs
        return t

    def train(self, task: Task) -> Run:
        t0 = time.perf_counter()
        n = len(task.w0)
        w = [self.write(f"w{i + 1}", partial(quantize, FMT, task.w0[i])) for i in range(n)]
        self.exponents.end_step(self.maxabs)
        for x, y in zip(task.xs, task.ys):
            self.maxabs = {}
            acts = [self.write("x", partial(quantize, FMT, x))]
            pre = []
            for i in range(n):
                last = i == n - 1
                z = self.write("y" if last else f"z{i + 1}", partial(gemm, acts[-1], w[i]))
                pre.append(z)
                acts.append(z if last else relu_mask(z, z.m > 0))
            err = acts[-1].values() - y
            self.run.losses.append(float(np.mean(err**2)))
            g = self.write("dy", partial(quantize, FMT, 2 * err / err.size))
            grads = [None] * n
            for i in reversed(range(n)):
                grads[i] = self.write(f"dw{i + 1}", partial(gemm, transpose(acts[i]), g))
                if i:
                    da = self.write(f"da{i}", partial(gemm, g, transpose(w[i])))
                    g = relu_mask(da, pre[i - 1].m > 0)
            w = [self.write(f"w{i + 1}", partial(sgd, w[i], grads[i])) for i in range(n)]
            self.exponents.end_step(self.maxabs)
        self.run.seconds = time.perf_counter() - t0
        return self.run


def run_all(steps: int, seed: int) -> list[Run]:
    task = make_task(steps, seed)
    runs = [train_float32(task), FlexTrainer(Run("flex16+5 Autoflex"), AutoflexExponents()).train(task)]
    for exp in FIXED_EXPONENTS:
        runs.append(FlexTrainer(Run(f"flex16+5 fixed exp {exp}"), FixedExponent(exp)).train(task))
    return runs


def smooth(values: list[float], width: int) -> np.ndarray:
    v = np.asarray(values)
    width = max(1, min(width, v.size))
    return np.convolve(v, np.ones(width) / width, mode="valid")


def plot(runs: list[Run], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    styles = {"float32": ("k", "-"), "flex16+5 Autoflex": ("tab:blue", "--")}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    width = max(1, len(runs[0].losses) // 40)
    for run in runs:
        color, ls = styles.get(run.name, (None, ":"))
        s = smooth(run.losses, width)
        ax.plot(np.arange(s.size) + width - 1, s, color=color, ls=ls, lw=1.6,
                label=f"{run.name} (final {run.final_loss:.3g})")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"training loss (MSE, moving mean of {width})")
    ax.set_title("MLP 16-64-64-4: float32 vs flex16+5")
    ax.legend(fontsize=8)
    fig.tight_layout()
    loss_png = out / "flex_mlp_loss.png"
    fig.savefig(loss_png, dpi=120)
    plt.close(fig)

    autoflex = next(r for r in runs if "Autoflex" in r.name)
    fig, axes = plt.subplots(2, 1, figsize=(8, 6.4), sharex=True)
    for ax, backward in zip(axes, (False, True)):
        for name, exps in autoflex.exponents.items():
            if name.startswith("d") == backward:
                ax.step(np.arange(len(exps)), exps, where="post", lw=1.2, label=name)
        for exp in FIXED_EXPONENTS:
            ax.axhline(exp, color="grey", ls=":", lw=1)
        ax.set_ylabel("exponent")
        ax.set_title(("gradients" if backward else "weights, input and activations")
                     + " (dotted: the fixed runs' exponents)", fontsize=10)
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    axes[1].set_xlabel("training step (one write of each tensor per step; element value m * 2^exp)")
    fig.suptitle("Exponents chosen by Autoflex, flex16+5, per tensor")
    fig.tight_layout()
    exp_png = out / "flex_mlp_exponents.png"
    fig.savefig(exp_png, dpi=120)
    plt.close(fig)
    return [loss_png, exp_png]


def table(runs: list[Run]) -> str:
    rows = [("run", "final loss", "vs float32", "saturated elements", "overflowing writes", "seconds")]
    ref = runs[0].final_loss
    for r in runs:
        rows.append((r.name, f"{r.final_loss:.4g}", f"{r.final_loss / ref:.3f}x", str(r.saturated), str(r.overflows),
                     f"{r.seconds:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "figures")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    runs = run_all(args.steps, args.seed)
    paths = plot(runs, args.out)
    print(table(runs))
    print(f"\n{args.steps} steps, seed {args.seed}, {time.perf_counter() - t0:.1f} s; wrote "
          + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
