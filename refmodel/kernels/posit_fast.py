"""A fast path for posit add, sub and mul with n <= 16, round to nearest even.

Why a separate kernel: the general one (posit_ops.py, `posit_round_pack`) carries 62-bit
significands for n up to 32 and computes the stochastic modes' value fraction (an integer
division where the cut falls in exponent bits), so it needs branches and cannot be vectorized.
With n <= 16 a significand has at most 14 bits, so:

- the exact product, and the sum to all the bits its rounding needs, fit in 44 bits;
- the result's whole unbounded bit string (regime, exponent, fraction) then fits one
  64-bit word built with shifts and selects (`_encode`), and rounding reads the bits after the
  first n - 1.

Decoding is the general `posit_unpack` and the round-to-nearest-even decision the engine's own
`round_increment`; only the encoding and the alignment are specific. Every step is arithmetic and
selects (NaR and zero too), so LLVM vectorizes the loops (16 lanes with AVX-512: variable shifts,
vplzcntq): 6-11x the general kernel. The stochastic modes, div and n > 16 stay on the general one.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from ..encodings import RNE
from .posit import posit_unpack
from .rounding import round_increment

MAX_BITS = 16  # widest posit on this path
SIG_LEAD = 13  # significands have their leading one at bit 13 (n <= 16: at most 13 fraction bits)
ADD_POINT = 28  # add: the larger-scaled significand is moved up to bit 41, so |sum| < 2^43

# inline="always": Numba inlines these into the loops itself; left to LLVM, _add and _mul stay calls
# and the loops do not vectorize.


@njit(cache=True, inline="always")
def _entry(pp, code):
    """(scale, signed significand): value = sig * 2^(scale - SIG_LEAD). 0 and NaR give sig = 0
    (the callers select their results)."""
    _, negative, exp, sig = posit_unpack(pp, code)
    up = SIG_LEAD - (63 - leading_zeros(sig))
    s = sig << up
    return exp - up + SIG_LEAD, -s if negative else s


@njit(cache=True, inline="always")
def _encode(pp, negative, exp, mag):
    """The rne code of (-1)^negative * mag * 2^exp for 0 < mag < 2^44 (the caller selects the
    result of mag = 0).

    The word x holds the unbounded bit string from its top bit: the regime (k + 1 ones and a zero
    for k >= 0, -k zeros and a one for k < 0: an arithmetic shift of 10... by k or of 01... by
    -k - 1), the es exponent bits, the fraction. In range (-(n - 2) <= k <= n - 3) the shifts drop
    at most es + 2 + n - 3 <= 19 low bits, all zero since mag's bits land at bit 21 or above;
    outside it the result is maxpos or minpos (2022 section 4.1: never 0 or NaR)."""
    n, es = pp.n, pp.es
    lz = min(leading_zeros(mag), 63)
    scale = exp + 63 - lz
    frac = (mag << lz) << 1  # the fraction bits below the leading one, from bit 63 down
    k = scale >> es
    e = scale & ((1 << es) - 1)
    top = (-1 << 63) if k >= 0 else (1 << 62)
    x = top | (e << (62 - es)) | ((frac >> (es + 2)) & ((1 << (62 - es)) - 1))
    x >>= min(k ^ (k >> 63), 63)  # k or -k - 1 places (clamped: out of range is selected away)
    body = (x >> (65 - n)) & ((1 << (n - 1)) - 1)  # the first n - 1 bits: the magnitude's code
    rest = ((x << (n - 1)) >> 1) & ((1 << 63) - 1)  # the bits after them: floor(nu * 2^63), exact
    mag_code = body + round_increment(RNE, negative, body & 1, rest, False, 0, 0)
    max_scale = (n - 2) << es
    mag_code = ((1 << (n - 1)) - 1) if scale >= max_scale else 1 if scale < -max_scale else mag_code
    neg = 1 if negative else 0
    return ((mag_code ^ -neg) + neg) & ((1 << n) - 1)


@njit(cache=True, inline="always")
def _add(pp, x, y):
    """x + y: the larger-scaled significand at bit 41, the other shifted arithmetically (a floor).

    The bits a floor drops never change the rounding, so no sticky bit is needed: bits are dropped
    only when d > ADD_POINT, and then |sum| > 2^40, which rounds at bit 26 or above (13 fraction
    bits at most), while bits 0..25 of the truncated sum are the shifted operand's nonzero bits
    below bit 14, or ones down to bit 0 after a borrow, or (operand dropped entirely) zeros below
    the larger operand's own code: in each case the truncated and the exact sum lie between the
    same two neighbouring posits and tie points."""
    nar = 1 << (pp.n - 1)
    ea, sa = _entry(pp, x)
    eb, sb = _entry(pp, y)
    swap = ea < eb
    hi_e = eb if swap else ea
    hi_s = sb if swap else sa
    lo_s = sa if swap else sb
    s = (hi_s << ADD_POINT) + ((lo_s << ADD_POINT) >> min(abs(ea - eb), 63))
    code = _encode(pp, s < 0, hi_e - SIG_LEAD - ADD_POINT, abs(s))
    code = 0 if s == 0 else code
    code = y if x == 0 else x if y == 0 else code
    return nar if (x == nar) | (y == nar) else code


@njit(cache=True, inline="always")
def _mul(pp, x, y):
    nar = 1 << (pp.n - 1)
    ea, sa = _entry(pp, x)
    eb, sb = _entry(pp, y)
    p = sa * sb  # exact: |p| < 2^28
    code = _encode(pp, p < 0, ea + eb - 2 * SIG_LEAD, abs(p))
    code = 0 if (x == 0) | (y == 0) else code
    return nar if (x == nar) | (y == nar) else code


@njit(cache=True)
def posit_binary_rne_small(pp, mul, negate_b, a, b, z):
    """z[i] = a[i] * b[i] (mul), else a[i] + b[i] or a[i] - b[i] (negate_b), rounded to nearest
    even, for n <= MAX_BITS. Codes in and out are narrow unsigned arrays (the loop is
    bandwidth-sensitive once vectorized)."""
    if mul:
        for i in range(a.size):
            z[i] = _mul(pp, np.int64(a[i]), np.int64(b[i]))
    else:
        mask = (1 << pp.n) - 1
        neg_b = 1 if negate_b else 0
        for i in range(a.size):
            y = ((np.int64(b[i]) ^ -neg_b) + neg_b) & mask  # exact: posits negate by two's complement
            z[i] = _add(pp, np.int64(a[i]), y)
