"""The rounding engine: every minifloat operation ends in `round_pack` (SoftFloat's roundPack).

Integers in, integers out. An exact value arrives as sign, integer significand and exponent
(value = sig * 2^exp, plus an optional sticky bit for nonzero bits below sig's last one); the engine
rounds it once, in any mode of docs/numerics.md, applies the overflow policy and returns the code
and the exception flags. `round_increment` is the mode decision alone, shared with other families
(posits round on the bit string with the same decision).
"""

from __future__ import annotations

from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from ..encodings import NV, NX, OF, OVF_IEEE, OVF_SAT, RDN, RNA, RNE, ROD, RTZ, RUP, SR, SR_B, SR_C, UF

# The engine works on a significand whose leading one sits at bit 62 of an int64, so the discarded
# part, as a fraction nu of an ulp, is known to 63 bits: enough for every mode with up to 32
# random bits (StochasticB needs N + 1) and for formats with up to 23 mantissa bits.
LEAD = 62
FRAC_BITS = 63
HALF = 1 << (FRAC_BITS - 1)


@njit(cache=True)
def round_increment(mode, negative, lsb_odd, frac, sticky, r, sr_bits):
    """Whether the magnitude rounds away from zero (P3109 v4 RoundAway).

    frac is floor(nu * 2^63) for the discarded fraction nu in [0, 1) of an ulp; sticky says nu * 2^63
    is not an integer. lsb_odd is the parity of the truncated code. r is the N-bit random integer of
    the stochastic modes, N = sr_bits in 1..32.
    """
    if frac == 0 and not sticky:
        return False  # exact: no mode rounds
    if mode == RNE:  # bitwise, not short-circuit: the operands are data-dependent (no branches)
        return (frac > HALF) | ((frac == HALF) & (sticky | (lsb_odd != 0)))
    if mode == RTZ:
        return False
    if mode == RDN:
        return negative
    if mode == RUP:
        return not negative
    if mode == RNA:
        return frac >= HALF
    if mode == ROD:
        return not lsb_odd
    n = sr_bits
    if mode == SR:  # StochasticA: floor(nu 2^N) + R >= 2^N
        return (frac >> (FRAC_BITS - n)) + r >= (1 << n)
    if mode == SR_B:  # StochasticB: floor(nu 2^(N+1)) + 2R + 1 >= 2^(N+1)
        return (frac >> (FRAC_BITS - 1 - n)) + 2 * r + 1 >= (1 << (n + 1))
    if mode == SR_C:  # StochasticC: RNE-to-integer(nu 2^N) + R >= 2^N
        y = frac >> (FRAC_BITS - n)
        rest = frac & ((1 << (FRAC_BITS - n)) - 1)
        half = 1 << (FRAC_BITS - n - 1)
        if rest > half or (rest == half and (sticky or (y & 1))):
            y += 1
        return y + r >= (1 << n)
    return False


@njit(cache=True)
def split(sig, shift, sticky):
    """sig >> shift, and the discarded fraction as (floor(nu * 2^63), sticky). 1 <= shift."""
    if shift < FRAC_BITS:
        kept = sig >> shift
        frac = (sig & ((1 << shift) - 1)) << (FRAC_BITS - shift)
        return kept, frac, sticky
    d = shift - FRAC_BITS
    if d == 0:
        return 0, sig, sticky
    if d < FRAC_BITS:
        return 0, sig >> d, sticky or (sig & ((1 << d) - 1)) != 0
    return 0, 0, sticky or sig != 0


@njit(cache=True)
def sign_bit(p, negative):
    return (negative & (p.signed != 0)) << p.sign_shift


@njit(cache=True)
def pack_nan(p, signaling):
    """A NaN result: the canonical NaN; NV for a signalling operand. Without NaN: -0 and NV."""
    if p.nan_code >= 0:
        return p.nan_code, NV if signaling else 0
    return 1 << p.sign_shift, NV


@njit(cache=True)
def below_range(p, overflow):
    """A negative value in an unsigned format (or zero in e8m0fnu, which has none): NaN with NV
    under the ieee policy (P3109 SatNone), else the smallest code (P3109 clamps to M_lo)."""
    if overflow == OVF_IEEE:
        return pack_nan(p, True)
    return 0, 0


@njit(cache=True)
def pack_zero(p, negative, overflow):
    """An exact zero with the given sign (one zero in FNUZ and P3109; e8m0fnu has none)."""
    if not p.has_zero:  # inexact, but not tiny: zero rounds to zero at any precision
        code, flags = below_range(p, overflow)
        return code, flags if flags else NX
    if not p.has_negative_zero:
        return 0, 0
    return sign_bit(p, negative), 0


@njit(cache=True)
def pack_inf(p, negative, overflow):
    """An exact infinity under the overflow policy (docs/numerics.md)."""
    if negative and not p.signed:
        return below_range(p, overflow)
    max_code = sign_bit(p, negative) | p.max_mag
    if p.inf_mag >= 0:
        if overflow == OVF_SAT:  # sat clamps infinities too
            return max_code, 0
        return sign_bit(p, negative) | p.inf_mag, 0
    if overflow == OVF_IEEE and p.nan_code >= 0:
        return p.nan_code, NV
    return max_code, 0


@njit(cache=True)
def overflow_code(p, negative, mode, overflow):
    """The result of a finite value whose rounded magnitude exceeds max finite."""
    max_code = sign_bit(p, negative) | p.max_mag
    toward_zero = mode == RTZ or (mode == RDN and not negative) or (mode == RUP and negative)
    if overflow != OVF_IEEE or toward_zero:
        return max_code
    if mode == ROD and (p.max_mag & 1):
        return max_code  # round to odd picks the odd-coded one of max and the overflow value
    if p.inf_mag >= 0:
        return sign_bit(p, negative) | p.inf_mag
    if p.overflow_nan:
        return p.nan_code
    return max_code  # no Inf, and the NaN is not an overflow value (MX FP6/FP4, P3109 finite)


@njit(cache=True)
def round_pack(p, negative, exp, sig, sticky, mode, r, sr_bits, overflow):
    """Round sign * (sig + sticky) * 2^exp once into format p; return (code, flags).

    sig >= 0 and below 2^63 (sig = 0 is an exact zero). With sticky set, the caller must pass sig
    with its leading one at bit 62, so that every discarded bit the modes look at is known.
    Tininess is detected after rounding.
    """
    if sig == 0:
        return pack_zero(p, negative, overflow)
    if not p.signed and negative and not p.has_zero:
        code, flags = below_range(p, overflow)
        return code, flags if flags else NX
    shift0 = leading_zeros(sig) - (63 - LEAD)
    sig <<= shift0
    exp -= shift0
    t = p.man_bits
    e_x = exp + LEAD  # floor(log2 |x|)
    emin = 1 - p.bias if p.has_subnormals else -p.bias
    q_min = emin - t
    q = max(e_x, emin) - t
    kept, frac, stk = split(sig, q - exp, sticky)
    mag = ((q - q_min) << t) + kept  # the magnitude code; carries ripple into the exponent
    if not p.has_subnormals:
        if e_x < emin:  # below the smallest value of a format without zero: clamp to it
            return 0, UF | NX
        mag -= 1 << t
    inexact = frac != 0 or stk
    if round_increment(mode, negative, mag & 1, frac, stk, r, sr_bits):
        mag += 1
    flags = NX if inexact else 0
    if not p.signed and negative and mag != 0:  # below M_lo = 0 after rounding
        code, nv = below_range(p, overflow)
        return code, nv if nv else NX
    if mag > p.max_mag:
        return overflow_code(p, negative, mode, overflow), OF | NX
    if inexact and e_x < emin:
        # Tiny unless rounding to full precision with unbounded exponent reaches 2^emin.
        tiny = True
        if e_x == emin - 1:
            q_full = e_x - t
            kept_f, frac_f, stk_f = split(sig, q_full - exp, sticky)
            code_f = ((q_full - q_min) << t) + kept_f
            if kept_f + round_increment(mode, negative, code_f & 1, frac_f, stk_f, r, sr_bits) == (2 << t):
                tiny = False
        if tiny:
            flags |= UF
    if mag == 0 and p.has_subnormals:
        return pack_zero(p, negative, overflow)[0], flags
    return sign_bit(p, negative) | mag, flags
