"""Dot products on the chunk-based MAC, many at once (docs/units.md, "Dot products").

    res = dot(a, b, "e5m2", "e6m9", chunk=64)      # a, b: (n, L) codes; res.z: n results in e6m9
    res = dot(a, b, "e5m2", "e6m9", rounding="sr", sr_bits=8, prng=Lfsr(seed=5))

Each row is what `ChunkedMac` computes when fed the row's products with clear on the first and last
on the final one: products accumulate in order in acc_fmt from +0, each chunk of `chunk` products
(0: the whole row) is committed in order to the second level (second_fmt, default acc_fmt), and z is
the second level's final value. In stochastic modes the random integers come from one LFSR that runs
on from row to row; `lfsr` holds its state at the start of each row.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels.mac import dot_batch
from ..ops import code_dtype
from .fp_mac import MacConfig, as_minifloat, codes_array
from .lfsr import Lfsr


class DotResult(NamedTuple):
    z: np.ndarray  # second_fmt codes
    flags: np.ndarray  # OR of every rounding's flags in the row
    lfsr: np.ndarray | None  # LFSR state at the start of each row (stochastic modes), else None


def prng_steps(length: int, chunk: int, cascade: bool) -> int:
    """LFSR steps per stochastic dot: a product rounding (cascaded), an accumulate per product, and a
    commit per chunk."""
    chunks = 1 if chunk == 0 else -(-length // chunk)
    return length * (2 if cascade else 1) + chunks


def dot(a, b, in_fmt, acc_fmt, *, chunk: int = 0, second_fmt=None, prng: Lfsr | None = None, **options) -> DotResult:
    """Dot products of the rows of a and b (codes of in_fmt, shape (n, L) or (L,)); options as MacConfig."""
    cfg = MacConfig.make(in_fmt, acc_fmt, **options)
    second = cfg.acc_fmt if second_fmt is None else as_minifloat(second_fmt, "second_fmt")
    if not second.has_zero:
        raise ValueError(f"second_fmt {second.name} has no zero to start from")
    if chunk < 0:
        raise ValueError(f"chunk must be a number of products (0: one chunk), not {chunk}")
    a, b = codes_array(cfg.in_fmt, a, "a"), codes_array(cfg.in_fmt, b, "b")
    if a.shape != b.shape or a.ndim not in (1, 2) or a.shape[-1] == 0:
        raise ValueError(f"a and b must have the same shape (n, L) or (L,) with L >= 1, not {a.shape} and {b.shape}")
    one = a.ndim == 1
    a2, b2 = np.atleast_2d(a), np.atleast_2d(b)
    mask, state = cfg.prng_for(prng, need=True)
    z, flags, start, end = dot_batch(cfg.params(chunk, second), mask, state, a2, b2)
    lfsr = None
    if cfg.stochastic:
        prng.state = int(end)
        lfsr = start[0] if one else start
    z = z.astype(code_dtype(second))
    return DotResult(z[0], flags[0], lfsr) if one else DotResult(z, flags, lfsr)
