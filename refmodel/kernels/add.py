"""add and sub: the exact sum of two codes, rounded once."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .exact import pack_exact, sum_exact
from .rounding import pack_nan
from .unpack import QNAN, SNAN, unpack


@njit(cache=True)
def add(p, a, b, negate_b, mode, r, sr_bits, overflow):
    """a + b, or a - b when negate_b."""
    ca, na, ea, sa = unpack(p, a)
    cb, nb, eb, sb = unpack(p, b)
    if ca >= QNAN or cb >= QNAN:
        code, flags = pack_nan(p, False)
        return code, flags | (NV if (ca == SNAN or cb == SNAN) else 0)
    cls, negative, exp, sig, flags = sum_exact(ca, na, ea, sa, cb, nb != negate_b, eb, sb, mode)
    return pack_exact(p, cls, negative, exp, sig, flags, mode, r, sr_bits, overflow)
