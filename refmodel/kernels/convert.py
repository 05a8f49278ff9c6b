"""convert: a code of one format rounded once into another."""

from __future__ import annotations

from numba import njit

from ..encodings import NV
from .exact import pack_exact
from .rounding import pack_nan
from .unpack import QNAN, SNAN, unpack


@njit(cache=True)
def convert(pa, pz, a, mode, r, sr_bits, overflow):
    cls, negative, exp, sig = unpack(pa, a)
    if cls >= QNAN:
        code, flags = pack_nan(pz, False)
        return code, flags | (NV if cls == SNAN else 0)
    return pack_exact(pz, cls, negative, exp, sig, 0, mode, r, sr_bits, overflow)
