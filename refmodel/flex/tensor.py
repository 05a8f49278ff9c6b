"""A Flexpoint tensor (mantissas, one exponent, the overflow flags of the operation that made it),
and the argument checks every flex operation shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import ops
from ..encodings import RNE, SR
from ..formats import Flex, parse_format

# The requantizer rounds to nearest even or stochastically (SPEC.md 6 names no other mode).
ROUNDINGS = {"rne": RNE, "sr": SR}


def as_flex(fmt) -> Flex:
    f = fmt if isinstance(fmt, Flex) else parse_format(fmt)
    if not isinstance(f, Flex):
        raise ValueError(f"{f.name} is not a Flexpoint format (flex<N>+<E>)")
    return f


def rounding_args(rounding: str, r, sr_bits: int, shape) -> tuple[int, np.ndarray, int]:
    """(mode code, r as a flat int64 array of the given shape, sr_bits) after checking them."""
    if rounding not in ROUNDINGS:
        raise ValueError(f"Flexpoint rounds with {' or '.join(ROUNDINGS)}, not {rounding!r}")
    mode, r, sr_bits, _ = ops.rounding_args(rounding, "ieee", r, sr_bits, shape)
    return mode, r, sr_bits


def mantissas(f: Flex, m, what: str) -> np.ndarray:
    """m as int64, checked to lie in the mantissa range."""
    arr = np.asarray(m)
    if arr.dtype.kind not in "ui":
        raise TypeError(f"{what}: mantissas must be integers, not {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < f.mant_min or arr.max() > f.mant_max):
        raise ValueError(f"{what}: mantissas must lie in [{f.mant_min}, {f.mant_max}] for {f.name}")
    return arr


@dataclass(frozen=True)
class FlexTensor:
    """Mantissas m (int64) sharing the exponent exp: element value m * 2^exp. `overflow` marks the
    elements the operation that produced the tensor saturated (all False for given mantissas)."""

    fmt: Flex
    m: np.ndarray
    exp: int
    overflow: np.ndarray

    @classmethod
    def of(cls, fmt, m, exp: int) -> FlexTensor:
        """A tensor from given mantissas (checked) and exponent."""
        f = as_flex(fmt)
        arr = mantissas(f, m, "FlexTensor")
        return cls(f, arr, f.check_exp(exp), np.zeros(arr.shape, bool))

    @property
    def maxabs(self) -> int:
        """max |m|: the statistic the hardware reports for Autoflex (0 for an empty tensor)."""
        return int(np.abs(self.m).max()) if self.m.size else 0

    @property
    def overflows(self) -> int:
        """How many elements saturated."""
        return int(np.count_nonzero(self.overflow))

    def values(self) -> np.ndarray:
        """The element values as float64 (exact: |m| < 2^32 and exp >= -255)."""
        return np.ldexp(self.m.astype(np.float64), self.exp)
