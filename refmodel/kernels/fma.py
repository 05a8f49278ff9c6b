"""fma: a * b + c with a, b in one format and c and the result in another, rounded once."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .exact import pack_exact, sum_exact
from .mul import product_exact
from .rounding import pack_nan
from .unpack import INF, QNAN, SNAN, ZERO, unpack


@njit(cache=True)
def fma(pab, pc, a, b, c, mode, r, sr_bits, overflow):
    ca, na, ea, sa = unpack(pab, a)
    cb, nb, eb, sb = unpack(pab, b)
    cc, nc, ec, sc = unpack(pc, c)
    signaling = ca == SNAN or cb == SNAN or cc == SNAN
    # 0 x Inf is invalid even when c is a quiet NaN (SoftFloat's mulAdd does the same)
    invalid = (ca == INF and cb == ZERO) or (ca == ZERO and cb == INF)
    if ca >= QNAN or cb >= QNAN or cc >= QNAN or invalid:
        code, flags = pack_nan(pc, False)
        return code, flags | (NV if (signaling or invalid) else 0)
    cp, neg_p, ep, sp, _ = product_exact(ca, na, ea, sa, cb, nb, eb, sb)
    cls, negative, exp, sig, flags = sum_exact(cp, neg_p, ep, sp, cc, nc, ec, sc, mode)
    return pack_exact(pc, cls, negative, exp, sig, flags, mode, r, sr_bits, overflow)
