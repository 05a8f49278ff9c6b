"""mul: the exact product of two codes, rounded once."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .rounding import pack_inf, pack_nan, pack_zero, round_pack
from .unpack import INF, QNAN, SNAN, ZERO, unpack


@njit(cache=True)
def mul(p, a, b, mode, r, sr_bits, overflow):
    ca, na, ea, sa = unpack(p, a)
    cb, nb, eb, sb = unpack(p, b)
    negative = na != nb
    if ca >= QNAN or cb >= QNAN:
        return pack_nan(p, ca == SNAN or cb == SNAN)
    if (ca == INF and cb == ZERO) or (ca == ZERO and cb == INF):
        code, _ = pack_nan(p, True)
        return code, NV
    if ca == INF or cb == INF:
        return pack_inf(p, negative, overflow)
    if ca == ZERO or cb == ZERO:
        return pack_zero(p, negative)
    return round_pack(p, negative, ea + eb, sa * sb, False, mode, r, sr_bits, overflow)
