"""Posit arithmetic: each operation computes its exact result and rounds it once.

add, sub, mul and fma share the minifloat exact helpers (`sum_exact`, `product_exact`); div and
sqrt compute 61+ quotient or root bits and a sticky remainder. NaR in gives NaR out, as do x / 0
and the square root of a negative number (2022 standard, section 5).
"""

from __future__ import annotations

from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from .exact import pack_exact, sum_exact
from .mul import product_exact
from .posit import NAR, posit_round_pack, posit_unpack
from .rounding import LEAD
from .unpack import FINITE, INF, QNAN, ZERO, unpack

# add: significands normalized to 30 bits (leading one at bit 29) and aligned SUM_POINT places up,
# so the larger one leads at bit 61: a sum of two stays below 2^63, and one that cancels a single
# place still carries 61 exact bits and a sticky bit (enough for max_sr_bits).
SUM_POINT = 32


@njit(cache=True)
def _normalized(negative, exp, sig):
    """(exp, signed sig) with |sig|'s leading one at bit 29."""
    up = 29 - (63 - leading_zeros(sig))
    sig <<= up
    return exp - up, -sig if negative else sig


@njit(cache=True)
def _nar(pp):
    return 1 << (pp.n - 1)


@njit(cache=True)
def posit_pack(pp, cls, negative, exp, sig, sticky, mode, r, sr_bits):
    """The code of an exact result: ZERO -> 0, NaR (or any non-finite class) -> NaR."""
    if cls == ZERO:
        return 0
    if cls != FINITE:
        return _nar(pp)
    return posit_round_pack(pp, negative, exp, sig, sticky, mode, r, sr_bits)


@njit(cache=True)
def posit_add(pp, a, b, negate_b, mode, r, sr_bits):
    """a + b, or a - b when negate_b. Posits have no infinities and one zero, so the exact sum is
    taken on signed significands: the larger-scaled one at bit 61, the other shifted arithmetically
    (a floor) with the bits shifted out kept as sticky, then the magnitude (-s - 1 when bits were
    lost below a negative s). Selects, not branches, for random operands."""
    nar = 1 << (pp.n - 1)
    if negate_b:
        b = (-b) & ((1 << pp.n) - 1)  # exact: posits negate by two's complement
    if a == nar or b == nar:
        return nar
    if a == 0 or b == 0:
        return a | b
    _, na, ea, sa = posit_unpack(pp, a)
    _, nb, eb, sb = posit_unpack(pp, b)
    ea, sa = _normalized(na, ea, sa)
    eb, sb = _normalized(nb, eb, sb)
    swap = ea < eb
    hi_s, hi_e = (sb, eb) if swap else (sa, ea)
    lo_s, lo_e = (sa, ea) if swap else (sb, eb)
    d = min(hi_e - lo_e, 62)  # beyond 62 places only stickiness remains
    lo = lo_s << SUM_POINT
    y = lo >> d
    sticky = (lo - (y << d)) != 0
    s = (hi_s << SUM_POINT) + y
    if s == 0:
        return 0
    negative = s < 0
    mag = (-s - sticky) if negative else s
    return posit_round_pack(pp, negative, hi_e - SUM_POINT, mag, sticky, mode, r, sr_bits)


@njit(cache=True)
def posit_mul(pp, a, b, mode, r, sr_bits):
    ca, na, ea, sa = posit_unpack(pp, a)
    cb, nb, eb, sb = posit_unpack(pp, b)
    cls, negative, exp, sig, _ = product_exact(ca, na, ea, sa, cb, nb, eb, sb)
    return posit_pack(pp, cls, negative, exp, sig, False, mode, r, sr_bits)


@njit(cache=True)
def posit_fma(pp, a, b, c, mode, r, sr_bits):
    """a * b + c rounded once."""
    ca, na, ea, sa = posit_unpack(pp, a)
    cb, nb, eb, sb = posit_unpack(pp, b)
    cc, nc, ec, sc = posit_unpack(pp, c)
    if ca == NAR or cb == NAR or cc == NAR:
        return _nar(pp)
    cp, np_, ep, sp, _ = product_exact(ca, na, ea, sa, cb, nb, eb, sb)
    cls, negative, exp, sig, _ = sum_exact(cp, np_, ep, sp, cc, nc, ec, sc, mode)
    return posit_pack(pp, cls, negative, exp, sig, False, mode, r, sr_bits)


@njit(cache=True)
def _lead(x):
    return 63 - leading_zeros(x)


@njit(cache=True)
def posit_div(pp, a, b, mode, r, sr_bits):
    """a / b: 60 to 62 quotient bits and the remainder as sticky."""
    ca, na, ea, sa = posit_unpack(pp, a)
    cb, nb, eb, sb = posit_unpack(pp, b)
    if ca == NAR or cb == NAR or cb == ZERO:
        return _nar(pp)
    if ca == ZERO:
        return 0
    # Dividend with its leading one at bit 62, divisor at bit 29 (posit significands have <= 30
    # bits); the long division runs in two steps so that no intermediate exceeds 63 bits.
    sh_a = LEAD - _lead(sa)
    sh_b = 29 - _lead(sb)
    x, y = sa << sh_a, sb << sh_b
    q1, r1 = x // y, x % y  # q1 in [2^32, 2^34)
    q = (q1 << 28) | ((r1 << 28) // y)
    rem = (r1 << 28) % y
    exp = (ea - sh_a) - (eb - sh_b) - 28
    return posit_round_pack(pp, na != nb, exp, q, rem != 0, mode, r, sr_bits)


ROOT_BITS = 61  # bits of the integer square root: its remainder stays below 2^63


@njit(cache=True)
def posit_sqrt(pp, a, mode, r, sr_bits):
    """sqrt(a): a 61-bit root by the digit-by-digit method, the remainder as sticky."""
    ca, na, ea, sa = posit_unpack(pp, a)
    if ca == NAR or (ca == FINITE and na):
        return _nar(pp)
    if ca == ZERO:
        return 0
    # Radicand M = sa * 2^sh with 2 * ROOT_BITS bits and an even exponent ea - sh.
    sh = 2 * ROOT_BITS - 1 - _lead(sa)
    if (ea - sh) & 1:
        sh -= 1
    root = 0
    rem = 0
    for i in range(ROOT_BITS):
        pos = 2 * (ROOT_BITS - 1 - i) - sh  # the two radicand bits pos+1, pos, as bits of sa
        if pos >= 0:
            pair = (sa >> pos) & 3
        elif pos == -1:
            pair = (sa << 1) & 3
        else:
            pair = 0
        rem = (rem << 2) | pair
        trial = (root << 2) | 1
        if rem >= trial:
            rem -= trial
            root = (root << 1) | 1
        else:
            root <<= 1
    return posit_round_pack(pp, False, (ea - sh) >> 1, root, rem != 0, mode, r, sr_bits)


@njit(cache=True)
def posit_from_f64(pp, bits, mode, r, sr_bits):
    """A binary64 (as its bit pattern) rounded into the posit format: NaN and Inf give NaR."""
    e = (bits >> 52) & 0x7FF
    frac = bits & ((1 << 52) - 1)
    if e == 0x7FF:
        return _nar(pp)
    if e == 0:
        if frac == 0:
            return 0
        return posit_round_pack(pp, bits < 0, -1074, frac, False, mode, r, sr_bits)
    return posit_round_pack(pp, bits < 0, e - 1075, frac | (1 << 52), False, mode, r, sr_bits)


@njit(cache=True)
def posit_to_posit(pa, pz, a, mode, r, sr_bits):
    cls, negative, exp, sig = posit_unpack(pa, a)
    return posit_pack(pz, cls, negative, exp, sig, False, mode, r, sr_bits)


@njit(cache=True)
def minifloat_to_posit(pa, pz, a, mode, r, sr_bits):
    """A minifloat code into a posit: +-0 -> 0, Inf and NaN -> NaR (2022 section 6.4)."""
    cls, negative, exp, sig = unpack(pa, a)
    if cls == INF or cls >= QNAN:
        return _nar(pz)
    return posit_pack(pz, cls, negative, exp, sig, False, mode, r, sr_bits)


@njit(cache=True)
def posit_to_minifloat(pa, pz, a, mode, r, sr_bits, overflow):
    """A posit into a minifloat: NaR -> the canonical (quiet) NaN; returns (code, flags)."""
    cls, negative, exp, sig = posit_unpack(pa, a)
    return pack_exact(pz, cls, negative, exp, sig, 0, mode, r, sr_bits, overflow)
