"""IEEE 754-2019 comparisons (5.11) and minimum/maximum (9.6) on codes; no rounding involved."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .rounding import pack_nan
from .unpack import QNAN, SNAN, ZERO, decode_value, unpack

# Predicates of `compare`.
EQ, NE, LT, LE, GT, GE, UNORDERED = range(7)
PREDICATES = {"eq": EQ, "ne": NE, "lt": LT, "le": LE, "gt": GT, "ge": GE, "unordered": UNORDERED}
# Operations of `minmax`.
MINIMUM, MAXIMUM, MINIMUM_NUMBER, MAXIMUM_NUMBER = range(4)


@njit(cache=True)
def compare(p, a, b, pred):
    """(result, flags): eq, ne and unordered are quiet; the ordered predicates signal on NaN."""
    ca = unpack(p, a)[0]
    cb = unpack(p, b)[0]
    if ca >= QNAN or cb >= QNAN:
        signaling = ca == SNAN or cb == SNAN
        quiet = pred == EQ or pred == NE or pred == UNORDERED
        flags = NV if (signaling or not quiet) else 0
        return pred == NE or pred == UNORDERED, flags
    va = decode_value(p, a)  # exact: binary64 holds every value of every minifloat
    vb = decode_value(p, b)
    if pred == EQ:
        return va == vb, 0
    if pred == NE:
        return va != vb, 0
    if pred == LT:
        return va < vb, 0
    if pred == LE:
        return va <= vb, 0
    if pred == GT:
        return va > vb, 0
    if pred == GE:
        return va >= vb, 0
    return False, 0  # unordered, and both are numbers


@njit(cache=True)
def minmax(p, a, b, op):
    """(code, flags) of minimum, maximum, minimum_number or maximum_number; -0 < +0."""
    ca, na, _, _ = unpack(p, a)
    cb, nb, _, _ = unpack(p, b)
    flags = NV if (ca == SNAN or cb == SNAN) else 0
    a_nan = ca >= QNAN
    b_nan = cb >= QNAN
    if a_nan or b_nan:
        if op == MINIMUM or op == MAXIMUM or (a_nan and b_nan):
            return pack_nan(p, False)[0], flags
        return (b if a_nan else a), flags
    want_max = op == MAXIMUM or op == MAXIMUM_NUMBER
    va = decode_value(p, a)
    vb = decode_value(p, b)
    if va == vb:
        if ca == ZERO and cb == ZERO and na != nb:  # the signed zeros are ordered here
            return (b if na == want_max else a), flags
        return a, flags
    return (a if (va > vb) == want_max else b), flags
