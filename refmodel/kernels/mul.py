"""mul: the exact product of two codes, rounded once; mul_exact: the exact product itself."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .exact import pack_exact
from .unpack import FINITE, INF, QNAN, SNAN, ZERO, unpack


@njit(cache=True)
def product_exact(ca, na, ea, sa, cb, nb, eb, sb):
    """x * y for unpacked operands: (cls, negative, exp, sig, flags)."""
    negative = na != nb
    if ca >= QNAN or cb >= QNAN:
        return QNAN, False, 0, 0, NV if (ca == SNAN or cb == SNAN) else 0
    if (ca == INF and cb == ZERO) or (ca == ZERO and cb == INF):
        return QNAN, False, 0, 0, NV
    if ca == INF or cb == INF:
        return INF, negative, 0, 0, 0
    if ca == ZERO or cb == ZERO:
        return ZERO, negative, 0, 0, 0
    return FINITE, negative, ea + eb, sa * sb, 0


@njit(cache=True)
def mul_exact(p, a, b):
    ca, na, ea, sa = unpack(p, a)
    cb, nb, eb, sb = unpack(p, b)
    return product_exact(ca, na, ea, sa, cb, nb, eb, sb)


@njit(cache=True)
def mul(p, a, b, mode, r, sr_bits, overflow):
    cls, negative, exp, sig, flags = mul_exact(p, a, b)
    return pack_exact(p, cls, negative, exp, sig, flags, mode, r, sr_bits, overflow)
