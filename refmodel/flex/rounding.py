"""The requantizer's arithmetic: an exact two's-complement integer scaled by 2^-shift, rounded to an
integer (rne or sr) and saturated to the mantissa range. Integers in, integers out.

The value v / 2^shift is split two's-complement style into q = floor(v / 2^shift) and the fraction
f in [0, 1) (the discarded low bits read as an unsigned number); whether q goes up by one is the
shared engine's decision (`round_increment`) taken as for a non-negative value with fraction f.
For rne this is round-half-even on the value; for sr it is "up iff floor(f 2^N) + R >= 2^N": the
random integer is added under the kept LSB of the two's-complement word and the sum truncated,
which is what a hardware requantizer does without converting to sign-magnitude (docs/flexpoint.md).
"""

from __future__ import annotations

from numba import njit

from ..kernels.rounding import FRAC_BITS, round_increment

# A shift of more than this is first reduced to it with a sticky bit: every bit the decision reads
# (the top 32 fraction bits for sr, the half and the sticky for rne) survives the reduction.
MAX_DIRECT_SHIFT = 62


@njit(cache=True)
def shift_round(v, shift, mode, r, sr_bits):
    """round(v / 2^shift) for an int64 v and shift >= 1, in mode rne or sr (R = r of sr_bits bits)."""
    sticky = False
    if shift > MAX_DIRECT_SHIFT:
        d = shift - MAX_DIRECT_SHIFT
        if d < 63:
            sticky = (v & ((1 << d) - 1)) != 0
            v >>= d
        else:  # every bit of v lies below the reduced word: floor is 0 or -1
            sticky = v != 0
            v = -1 if v < 0 else 0
        shift = MAX_DIRECT_SHIFT
    q = v >> shift
    frac = (v & ((1 << shift) - 1)) << (FRAC_BITS - shift)
    if round_increment(mode, False, q & 1, frac, sticky, r, sr_bits):
        q += 1
    return q


@njit(cache=True)
def saturate(q, lo, hi):
    """q clamped to [lo, hi], and whether it had to be."""
    if q > hi:
        return hi, True
    if q < lo:
        return lo, True
    return q, False


@njit(cache=True)
def requantize_one(v, shift, lo, hi, mode, r, sr_bits):
    """v * 2^-shift rounded to an integer and saturated to [lo, hi]: (mantissa, overflow).

    lo = -2^(N-1), hi = 2^(N-1) - 1. A negative shift is a left shift, exact unless it saturates
    (tested before shifting, so that nothing wraps in int64).
    """
    if shift > 0:
        return saturate(shift_round(v, shift, mode, r, sr_bits), lo, hi)
    if shift == 0 or v == 0:
        return saturate(v, lo, hi)
    k = -shift
    if k > 62:
        return (hi, True) if v > 0 else (lo, True)
    if v > (hi >> k):
        return hi, True
    if v < -((-lo) >> k):  # -(2^(N-1) >> k) = ceil(lo / 2^k): the smallest v with v << k >= lo
        return lo, True
    return v << k, False
