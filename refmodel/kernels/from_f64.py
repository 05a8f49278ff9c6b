"""from_f64: a binary64 value (given as its 64-bit pattern) rounded once into a format."""

from __future__ import annotations

from numba import njit

from .rounding import pack_inf, pack_nan, pack_zero, round_pack

F64_QUIET = 1 << 51


@njit(cache=True)
def from_f64(p, bits, mode, r, sr_bits, overflow):
    negative = bits < 0
    e = (bits >> 52) & 0x7FF
    frac = bits & ((1 << 52) - 1)
    if e == 0x7FF:
        if frac == 0:
            return pack_inf(p, negative, overflow)
        return pack_nan(p, (frac & F64_QUIET) == 0)
    if e == 0:
        if frac == 0:
            return pack_zero(p, negative, overflow)
        return round_pack(p, negative, -1074, frac, False, mode, r, sr_bits, overflow)
    return round_pack(p, negative, e - 1075, frac | (1 << 52), False, mode, r, sr_bits, overflow)
