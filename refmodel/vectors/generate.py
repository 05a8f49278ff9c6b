"""Golden-vector generation: operands (edge, random, exhaustive), the model's results, the fields.

Deterministic by seed: random operands and the random integers of stochastic rounding come from
SplitMix64 streams, one per purpose, fixed by the seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import ops
from ..encodings import FLAG_BITS, STOCHASTIC
from ..formats import Minifloat
from ..kernels.splitmix import splitmix64
from .edge import edge_codes, edge_f64
from .io import VectorSet

MODES = ("edge", "random", "exhaustive")
OPS = ("mul", "from_f64")
DEFAULT_COUNT = 10000
MAX_EXHAUSTIVE = 1 << 26  # vectors: exhaustive pairs of formats up to 13 bits

# Stream purposes (the low byte of a stream's starting state).
_A, _B, _R, _PICK = 1, 2, 3, 4


@dataclass(frozen=True)
class Request:
    op: str
    fmt: Minifloat
    rounding: str = "rne"
    overflow: str = "ieee"
    mode: str = "random"
    count: int = DEFAULT_COUNT
    seed: int = 1
    sr_bits: int = 8

    @property
    def stochastic(self) -> bool:
        return self.rounding in STOCHASTIC

    def meta(self, count: int) -> dict[str, str]:
        m = {"op": self.op, "fmt": self.fmt.name, "rounding": self.rounding}
        if self.stochastic:
            m["sr_bits"] = str(self.sr_bits)
        m.update(overflow=self.overflow, mode=self.mode, seed=str(self.seed), count=str(count))
        return m

    def parameters(self, count: int) -> dict:
        p = {"op": self.op, "fmt": self.fmt.name, "rounding": self.rounding}
        if self.stochastic:
            p["sr_bits"] = self.sr_bits
        p.update(overflow=self.overflow, mode=self.mode, seed=self.seed, count=count)
        return p


def stream(seed: int, purpose: int, n: int) -> np.ndarray:
    """n uint64 values of the SplitMix64 stream for (seed, purpose)."""
    return splitmix64(np.uint64(((seed << 8) | purpose) & (2**64 - 1)), n)


def _random_codes(f: Minifloat, seed: int, purpose: int, n: int) -> np.ndarray:
    return (stream(seed, purpose, n) & np.uint64((1 << f.bits) - 1)).astype(np.int64)


def _random_f64(f: Minifloat, seed: int, n: int) -> np.ndarray:
    """binary64 patterns spread over the format's range: random sign, an exponent from two below
    the smallest subnormal to two above the largest binade, random 52-bit significand; one in
    eight is instead an exact midpoint between two neighbouring codes (a tie)."""
    raw = stream(seed, _A, n)
    pick = stream(seed, _PICK, n)
    lo = int(np.floor(np.log2(f.min_subnormal))) - 2
    hi = int(np.floor(np.log2(f.max_value))) + 2
    e = lo + (pick % np.uint64(hi - lo + 1)).astype(np.int64)
    sig = (raw & np.uint64((1 << 52) - 1)).astype(np.float64) / 2.0**52 + 1.0
    x = np.ldexp(sig, e)
    mags = (raw >> np.uint64(12)).astype(np.int64) % (f.max_mag)
    mids = (ops.decode(f, mags) + ops.decode(f, mags + 1)) / 2
    tie = ((pick >> np.uint64(32)) & np.uint64(7)) == 0
    x = np.where(tie, mids, x)
    x = np.where((raw >> np.uint64(63)) == 1, -x, x)
    return x.view(np.uint64)


def operands(req: Request) -> dict[str, np.ndarray]:
    f = req.fmt
    if req.op == "from_f64":
        if req.mode == "exhaustive":
            raise ValueError("from_f64 has 2^64 inputs: use --mode edge or random")
        a = edge_f64(f) if req.mode == "edge" else _random_f64(f, req.seed, req.count)
        return {"a": a.astype(np.uint64)}
    if req.mode == "exhaustive":
        if 1 << (2 * f.bits) > MAX_EXHAUSTIVE:
            raise ValueError(f"exhaustive {req.op} on {f.name} is 2^{2 * f.bits} vectors: use edge or random")
        codes = np.arange(1 << f.bits, dtype=np.int64)
        a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    elif req.mode == "edge":
        codes = edge_codes(f)
        a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    else:
        a = _random_codes(f, req.seed, _A, req.count)
        b = _random_codes(f, req.seed, _B, req.count)
    return {"a": a, "b": b}


def generate(req: Request) -> VectorSet:
    """The vectors of a request: operand fields, [r], z, flags, with the model's results."""
    if req.op not in OPS:
        raise ValueError(f"unknown operation {req.op!r}: expected one of {', '.join(OPS)}")
    if req.mode not in MODES:
        raise ValueError(f"unknown mode {req.mode!r}: expected one of {', '.join(MODES)}")
    if req.mode == "random" and req.count < 1:
        raise ValueError(f"--count must be a positive number of vectors, not {req.count}")
    f = req.fmt
    cols = operands(req)
    n = len(cols["a"])
    fields = [("a", 64 if req.op == "from_f64" else f.bits)] + ([("b", f.bits)] if "b" in cols else [])
    kw = {"rounding": req.rounding, "overflow": req.overflow}
    if req.stochastic:
        cols["r"] = (stream(req.seed, _R, n) & np.uint64((1 << req.sr_bits) - 1)).astype(np.int64)
        fields.append(("r", req.sr_bits))
        kw.update(r=cols["r"], sr_bits=req.sr_bits)
    if req.op == "mul":
        z, flags = ops.mul(f, cols["a"], cols["b"], **kw)
    else:
        z, flags = ops.from_f64(f, cols["a"], **kw)
    cols["z"], cols["flags"] = z, flags
    fields += [("z", f.bits), ("flags", FLAG_BITS)]
    columns = {name: np.asarray(cols[name]).astype(np.uint64) for name, _ in fields}
    return VectorSet(req.meta(n), fields, columns)
