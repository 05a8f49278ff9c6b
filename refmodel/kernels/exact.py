"""Exact intermediate results: (class, sign, exponent, significand) and their one rounding.

Operations compute their exact result in this form and end in `pack_exact`, which hands finite
values to the rounding engine. `sum_exact` adds two exact values: aligned in an int64 with the
larger operand's leading one at bit 61, the smaller one shifted right with its lost bits jammed
into bit 0 (SoftFloat's shiftRightJam). The jam bit lies 40+ places below anything a rounding mode
inspects, so the rounded result equals that of the exact sum.
"""

from __future__ import annotations

from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from ..encodings import RDN
from .rounding import pack_inf, pack_nan, pack_zero, round_pack
from .unpack import FINITE, INF, QNAN, ZERO

SUM_LEAD = 61  # leading-one position of the larger addend (a carry may reach bit 62)


@njit(cache=True)
def pack_exact(p, cls, negative, exp, sig, flags, mode, r, sr_bits, overflow):
    """Round an exact result into format p; flags already raised (NV) are kept."""
    if cls == QNAN:
        code, f = pack_nan(p, False)
    elif cls == INF:
        code, f = pack_inf(p, negative, overflow)
    elif cls == ZERO:
        code, f = pack_zero(p, negative, overflow)
    else:
        code, f = round_pack(p, negative, exp, sig, False, mode, r, sr_bits, overflow)
    return code, f | flags


@njit(cache=True)
def _lead(sig):
    return 63 - leading_zeros(sig)


@njit(cache=True)
def sum_exact(ca, na, ea, sa, cb, nb, eb, sb, mode):
    """x + y for exact ZERO/FINITE/INF operands: (cls, negative, exp, sig, flags)."""
    if ca == INF or cb == INF:
        if ca == INF and cb == INF and na != nb:
            return QNAN, False, 0, 0, 0x10  # Inf - Inf: invalid
        return INF, na if ca == INF else nb, 0, 0, 0
    if ca == ZERO and cb == ZERO:  # IEEE 754 6.3: x + (-x) is +0 except toward -inf
        return ZERO, na if na == nb else mode == RDN, 0, 0, 0
    if ca == ZERO:
        return FINITE, nb, eb, sb, 0
    if cb == ZERO:
        return FINITE, na, ea, sa, 0
    if ea + _lead(sa) < eb + _lead(sb):  # x is the operand with the higher leading one
        na, ea, sa, nb, eb, sb = nb, eb, sb, na, ea, sa
    up = SUM_LEAD - _lead(sa)
    sx, ex = sa << up, ea - up
    shift = eb - ex  # y in units of x's new last place
    if shift >= 0:
        sy = sb << shift
    elif shift > -63:
        k = -shift
        sy = (sb >> k) | (1 if (sb & ((1 << k) - 1)) != 0 else 0)
    else:
        sy = 1  # far below: only its stickiness remains
    if na == nb:
        return FINITE, na, ex, sx + sy, 0
    s = sx - sy
    if s == 0:
        return ZERO, mode == RDN, 0, 0, 0
    if s < 0:
        return FINITE, nb, ex, -s, 0
    return FINITE, na, ex, s, 0
