"""Unpacking minifloat codes into (class, sign, exponent, integer significand)."""

from __future__ import annotations

import math

from numba import njit

# Operand classes.
ZERO, FINITE, INF, QNAN, SNAN = range(5)


@njit(cache=True)
def unpack(p, code):
    """Return (cls, negative, exp, sig) with value = (-1)^negative * sig * 2^exp for FINITE codes."""
    t = p.man_bits
    negative = p.signed and ((code >> p.sign_shift) & 1) == 1
    mag = code & ((1 << p.sign_shift) - 1) if p.signed else code
    if code == p.nan_code or (p.family == 1 and mag == p.nan_code):
        return QNAN, negative, 0, 0  # the fn family has a NaN of each sign
    e = mag >> t
    frac = mag & ((1 << t) - 1)
    if p.inf_mag >= 0:
        if p.family == 4:  # P3109: the infinities are single codes
            if mag == p.inf_mag:
                return INF, negative, 0, 0
        elif e == (1 << p.exp_bits) - 1:  # IEEE-like: the all-ones exponent
            if frac == 0:
                return INF, negative, 0, 0
            return (QNAN if (frac >> (t - 1)) & 1 else SNAN), negative, 0, 0
    if not p.has_subnormals:
        return FINITE, negative, e - p.bias, 1
    if e == 0:
        if frac == 0:
            return ZERO, negative, 0, 0
        return FINITE, negative, 1 - p.bias - t, frac
    return FINITE, negative, e - p.bias - t, frac | (1 << t)


@njit(cache=True)
def decode_value(p, code):
    """The value of a code as binary64 (exact for every supported format)."""
    cls, negative, exp, sig = unpack(p, code)
    if cls == QNAN or cls == SNAN:
        return math.nan
    if cls == INF:
        v = math.inf
    else:
        v = math.ldexp(float(sig), exp)
    return -v if negative else v
