"""Posit codes: unpacking, and `posit_round_pack`, the posit end of the rounding engine.

A posit<n,es> code is sign | regime run | es exponent bits | fraction, negatives in two's
complement (Posit Standard 2022, section 3; SoftPosit's sizes use es != 2). Unpacking yields the
same (class, negative, exp, sig) form as minifloats, so the exact operations are shared.

Rounding (2022 section 4.1) is round-to-nearest-even on the unbounded bit string body, never to 0
and never to NaR: the mode decision is `round_increment`, the one used by every family, fed with the
discarded bits of the bit string. The stochastic modes need v, the fraction of the way *in value*
from the lower to the upper neighbouring posit; where the cut falls inside the fraction field that
is the same number, but where it falls inside exponent or regime bits the neighbours are powers of
two 2^a < 2^(a+d) and v = (|x| - 2^a) / (2^(a+d) - 2^a) is computed by an integer division.
"""

from __future__ import annotations

from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from ..encodings import SR, SR_C
from .rounding import FRAC_BITS, LEAD, round_increment
from .unpack import FINITE, QNAN, ZERO

NAR = QNAN  # the class of NaR: Not a Real, the posit's one exception value

# Precision of the value fraction v computed for the stochastic modes where the cut falls in
# exponent or regime bits: floor(v * 2^40) and a sticky bit, enough for sr_b with 32 random bits.
V_BITS = 40


@njit(cache=True)
def posit_unpack(pp, code):
    """Return (cls, negative, exp, sig), value = (-1)^negative * sig * 2^exp for FINITE codes.

    Written without data-dependent branches (selects and arithmetic on the sign and regime bits):
    random operands would mispredict every one of them."""
    n, es = pp.n, pp.es
    mask = (1 << n) - 1
    code &= mask
    if code == 0:
        return ZERO, False, 0, 0
    if code == 1 << (n - 1):
        return NAR, False, 0, 0
    neg = (code >> (n - 1)) & 1
    mag = ((code ^ -neg) + neg) & mask  # two's complement of negative codes
    # The n - 1 body bits with their first bit at bit 62: the regime is a run of that bit, so its
    # length is the leading-zero count after inverting a run of ones.
    body_bits = n - 1
    r0 = (mag >> (body_bits - 1)) & 1
    run = leading_zeros((mag << (63 - body_bits)) ^ (-r0 & ((1 << 63) - 1))) - 1
    k = r0 * (run - 1) - (1 - r0) * run
    rem_len = max(body_bits - run - 1, 0)  # bits after the regime and its terminator
    rest = mag & ((1 << rem_len) - 1)
    f_bits = max(rem_len - es, 0)
    # exponent bits cut off by the end of the code count as zeros
    e = (rest >> f_bits) << (es - min(rem_len, es))
    frac = rest & ((1 << f_bits) - 1)
    return FINITE, neg != 0, (k << es) + e - f_bits, (1 << f_bits) | frac


@njit(cache=True)
def _value_fraction(m, ex, a, d, sticky):
    """For x = (m + sticky) * 2^ex in [2^a, 2^(a+d)) with m's leading one at bit 62: floor(v * 2^63)
    truncated to V_BITS bits, and whether v * 2^V_BITS is not an integer, v = (x - 2^a) / (2^(a+d) - 2^a)."""
    sh = a - ex  # 2^a in units of 2^ex; 62 - d < sh <= 62
    g = m - (1 << sh)
    cut = sh - V_BITS
    g_top = g >> cut
    den = (1 << d) - 1
    v = g_top // den
    inexact = sticky or (g & ((1 << cut) - 1)) != 0 or (g_top - v * den) != 0
    return v << (FRAC_BITS - V_BITS), inexact


@njit(cache=True)
def posit_round_pack(pp, negative, exp, sig, sticky, mode, r, sr_bits):
    """Round (-1)^negative * (sig + sticky) * 2^exp, sig > 0, into posit<n,es>; return the code.

    |x| >= maxpos gives maxpos and |x| <= minpos gives minpos in every mode (2022 section 4.1:
    never 0, never NaR). sig < 2^63; a set sticky means nonzero bits below sig's last one.
    """
    n, es = pp.n, pp.es
    max_scale = (n - 2) << es
    shift0 = leading_zeros(sig) - (63 - LEAD)
    sig <<= shift0
    exp -= shift0
    scale = exp + LEAD
    if scale >= max_scale:
        mag = (1 << (n - 1)) - 1
    elif scale < -max_scale:
        mag = 1
    else:
        k = scale >> es
        e = scale - (k << es)
        # regime: k + 1 ones and a zero for k >= 0, -k zeros and a one below (selects, not branches)
        kp = 1 if k >= 0 else 0
        run_len = kp * (k + 2) + (1 - kp) * (1 - k)
        regime = kp * (((1 << (max(k, -1) + 1)) - 1) << 1) + (1 - kp)
        prefix = (regime << es) | e  # regime and exponent: run_len + es bits
        prefix_len = run_len + es
        f = sig & ((1 << LEAD) - 1)  # the 62 fraction bits below the leading one
        avail = n - 1
        stk = sticky
        if prefix_len >= avail:  # the cut falls in the exponent bits (or just after them)
            cut = prefix_len - avail  # <= es: a regime of n or more bits means |x| >= maxpos or < minpos
            kept = prefix >> cut
            if cut == 0:
                frac = f << 1
            else:
                frac = ((prefix & ((1 << cut) - 1)) << (FRAC_BITS - cut)) | (f >> (cut - 1))
                stk = stk or (f & ((1 << (cut - 1)) - 1)) != 0
            if cut > 0 and SR <= mode <= SR_C:
                # The neighbours are 2^a < 2^(a + 2^cut): the truncated code's exponent field has
                # its low `cut` bits zero, and the next code adds one unit there (carrying into the
                # regime, where one unit of the exponent field's top is one step of useed).
                a = (k << es) + ((e >> cut) << cut)
                frac, stk = _value_fraction(sig, exp, a, 1 << cut, sticky)
        else:
            fb = avail - prefix_len
            kept = (prefix << fb) | (f >> (LEAD - fb))
            frac = (f & ((1 << (LEAD - fb)) - 1)) << (fb + 1)
        # maxpos > |x| >= minpos: 1 <= kept < maxpos, so the result is never 0 and never NaR.
        mag = kept + round_increment(mode, negative, kept & 1, frac, stk, r, sr_bits)
    neg = 1 if negative else 0
    return ((mag ^ -neg) + neg) & ((1 << n) - 1)

