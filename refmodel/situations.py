"""Rounding situations of minifloat arithmetic: a format's geometry, the exact classification of a
result, and constructors of operand pairs that land in a chosen situation.

Pure Python with exact integers and Fractions, no Hypothesis: `refmodel.testing` draws the
constructors' choices from Hypothesis (so they shrink), the golden-vector generator from a seeded
`random.Random` (so its edge sets are deterministic by seed). refmodel's rounding is never used to
decide which situation a result is in.
"""

from __future__ import annotations

import random
from fractions import Fraction
from functools import cache

from .formats import Minifloat, parse_format

SITUATIONS = ("exact", "exact_tie", "carry", "overflow_boundary", "subnormal_result", "inexact")


def _format(fmt) -> Minifloat:
    return fmt if isinstance(fmt, Minifloat) else parse_format(fmt)


def pow2(k: int) -> Fraction:
    return Fraction(1 << k) if k >= 0 else Fraction(1, 1 << -k)


def _flog2(x: Fraction) -> int:
    """floor(log2 x) for x > 0."""
    n, d = x.numerator, x.denominator
    k = n.bit_length() - d.bit_length()
    if (n if k >= 0 else n << -k) < ((d << k) if k >= 0 else d):
        k -= 1
    return k


def _cmp(n: int, e: int, m: int, f: int) -> int:
    """The sign of n 2^e - m 2^f."""
    d = (n << (e - f)) - m if e >= f else n - (m << (f - e))
    return (d > 0) - (d < 0)


# ----------------------------------------------------------------------------------------------
# The geometry of a format, from the descriptor's fields
# ----------------------------------------------------------------------------------------------


class Geometry:
    """Field-level facts about a format: value of a magnitude code, the grid, the overflow threshold."""

    def __init__(self, f: Minifloat):
        self.f = f
        self.name = f.name
        self.t = t = f.man_bits
        self.P = t + 1
        self.bias = f.bias
        self.signed = bool(f.signed)
        self.sign_mask = f.sign_mask if f.signed else 0
        self.bits = f.bits
        self.mag_count = 1 << (f.bits - int(self.signed))
        self.max_mag = f.max_mag
        self.nan_code = f.nan_code if f.has_nan else None
        self.inf_mag = f.inf_mag if f.has_inf else None
        self.has_zero = bool(f.has_zero)
        self.has_subnormals = bool(f.has_subnormals)
        self.emin = 1 - f.bias if self.has_subnormals else -f.bias
        self.q_min = self.emin - t  # exponent of the smallest quantum
        self.lowest_mag = 1 if self.has_zero else 0  # the smallest nonzero magnitude
        n, e = self.mag_ne(self.max_mag)
        self.max_value = Fraction(n) * pow2(e)
        self.emax = _flog2(self.max_value)
        self.top_q = self.emax - t  # exponent of the ulp of the top binade
        self.top_ulp = pow2(self.top_q)
        self.s_max = int(self.max_value / self.top_ulp)  # integer significand of max in its binade
        self.threshold = self.max_value + self.top_ulp / 2  # the rne overflow threshold
        # Integer forms (N, E) for exact comparisons: max, and the overflow band [thr - ulp, thr + ulp].
        self.max_ne = (n, e)
        self.ovf_lo = (2 * self.s_max - 1, self.top_q - 1)
        self.ovf_hi = (2 * self.s_max + 3, self.top_q - 1)

    # values ------------------------------------------------------------------------------------
    def mag_ne(self, m: int) -> tuple[int, int]:
        """A finite magnitude code as (N, E) with value N * 2^E (N >= 0)."""
        t = self.t
        e, frac = m >> t, m & ((1 << t) - 1)
        if e == 0 and self.has_subnormals:
            return frac, self.q_min
        return (1 << t) | frac, e - self.bias - t

    def val(self, m: int) -> Fraction:
        n, e = self.mag_ne(m)
        return Fraction(n) * pow2(e)

    def is_special(self, code: int) -> bool:
        return (code & ~self.sign_mask) > self.max_mag or code == self.nan_code

    def code_ne(self, code: int) -> tuple[bool, int, int] | None:
        """(negative, N, E) of a finite code, None for NaN and Inf codes."""
        if self.is_special(code):
            return None
        n, e = self.mag_ne(code & ~self.sign_mask)
        return bool(code & self.sign_mask), n, e

    def mag_floor(self, v: Fraction) -> int | None:
        """The largest magnitude code with value <= v (None if v is below every value)."""
        if v < self.val(0):
            return None
        lo, hi = 0, self.max_mag
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.val(mid) <= v:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def mag_ceil(self, v: Fraction) -> int | None:
        """The smallest magnitude code with value >= v (None if v is above max)."""
        if v > self.max_value:
            return None
        lo, hi = 0, self.max_mag
        while lo < hi:
            mid = (lo + hi) // 2
            if self.val(mid) >= v:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def exact_mag(self, v: Fraction) -> int | None:
        """The magnitude code of the positive value v if it is representable."""
        m = self.mag_floor(v)
        return m if m is not None and self.val(m) == v else None

    def mags_between(self, lo: Fraction, hi: Fraction, lo_open: bool = False, hi_open: bool = False):
        """The inclusive range of nonzero magnitude codes with values in the interval, or None."""
        a = self.mag_ceil(max(lo, Fraction(0)))
        if a is None:
            return None
        if lo_open and self.val(a) == lo:
            a += 1
        a = max(a, self.lowest_mag)
        b = self.mag_floor(min(hi, self.max_value))
        if b is None:
            return None
        if hi_open and self.val(b) == hi:
            b -= 1
        return (a, b) if a <= b else None

    def normal_mag(self, e: int, frac: int) -> int | None:
        """The magnitude code of (1 + frac/2^t) 2^e, if it is finite."""
        m = ((e + self.bias) << self.t) | frac
        if e < self.emin or m > self.max_mag:
            return None
        return m

    # classification ----------------------------------------------------------------------------
    def classify(self, neg: bool, n: int, e: int) -> frozenset:
        """The situations of the exact value (-1)^neg n 2^e (exact integer arithmetic)."""
        if n == 0:
            return _EXACT if self.has_zero else _NONE
        if neg and not self.signed:
            return _NONE  # a negative result of an unsigned format is invalid, not a rounding case
        tz = (n & -n).bit_length() - 1
        n >>= tz
        e += tz
        fl = n.bit_length() - 1 + e  # floor(log2 |x|)
        out = set()
        if fl < self.emin:
            out.add("subnormal_result")
            if not self.has_subnormals:  # below the smallest value of a format without zero (e8m0fnu)
                out.add("inexact")
                return frozenset(out)
        qe = max(fl, self.emin) - self.t  # the quantum exponent
        s = qe - e  # bits of n below the quantum
        if s <= 0:
            floor_s, rem, half = n << -s, 0, 0
        else:
            floor_s, rem, half = n >> s, n & ((1 << s) - 1), 1 << (s - 1)
        exact = rem == 0 and _cmp(n, e, *self.max_ne) <= 0
        out.add("exact" if exact else "inexact")
        if rem and rem == half and _cmp(floor_s, qe, *self.max_ne) < 0:
            out.add("exact_tie")
        if rem:
            k = fl + 1
            if self.t >= 1:
                floor_odd = floor_s & 1
            else:  # t = 0: the code's parity is that of the biased exponent
                floor_odd = ((qe + self.bias) & 1) if floor_s == 1 else 0
            up = rem > half or (rem == half and floor_odd)
            if up and k >= self.emin and k <= self.emax and floor_s + 1 == 1 << (k - qe):
                out.add("carry")
        if fl >= self.emax - 1 and _cmp(n, e, *self.ovf_lo) >= 0 and _cmp(n, e, *self.ovf_hi) <= 0:
            out.add("overflow_boundary")
        return frozenset(out)

    def exact_ne(self, op: str, a: int, b: int) -> tuple[bool, int, int] | None:
        """The exact result of a op b as (negative, N, E), None if an operand is NaN or Inf."""
        x, y = self.code_ne(a), self.code_ne(b)
        if x is None or y is None:
            return None
        (na, sa, ea), (nb, sb, eb) = x, y
        if op == "mul":
            return na != nb, sa * sb, ea + eb
        if op == "sub":
            nb = not nb
        e = min(ea, eb)
        total = (-sa if na else sa) * (1 << (ea - e)) + (-sb if nb else sb) * (1 << (eb - e))
        return total < 0, abs(total), e

    def pair_situations(self, op: str, a: int, b: int) -> frozenset:
        ne = self.exact_ne(op, a, b)
        return _NONE if ne is None else self.classify(*ne)


_EXACT = frozenset({"exact"})
_NONE = frozenset()


@cache
def _geometry(fmt) -> Geometry:
    return Geometry(_format(fmt))


def geometry_of(fmt) -> Geometry:
    return _geometry(_format(fmt))


# ----------------------------------------------------------------------------------------------
# Construction
# ----------------------------------------------------------------------------------------------


class SeededRandom:
    """The same choices from a seeded random.Random: to probe feasibility when a strategy is built,
    and to build the edge sets of golden vectors deterministically by seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def bool(self) -> bool:
        return self.rng.random() < 0.5


def _odd(rnd, bits: int) -> int:
    """A random odd integer of exactly `bits` bits."""
    if bits <= 1:
        return 1
    return (rnd.int(1 << (bits - 2), (1 << (bits - 1)) - 1) << 1) | 1


def _odd_part(v: Fraction) -> tuple[int, int]:
    """v = u * 2^k with u odd (v > 0 a dyadic rational)."""
    n, d = v.numerator, v.denominator
    tz = (n & -n).bit_length() - 1
    return n >> tz, tz - (d.bit_length() - 1)


def _nonzero_mag(g: Geometry, rnd) -> int:
    return rnd.int(g.lowest_mag, g.max_mag)


def _mag_in(g: Geometry, rnd, lo, hi, lo_open=False, hi_open=False) -> int | None:
    r = g.mags_between(lo, hi, lo_open, hi_open)
    return None if r is None else rnd.int(*r)


def _pick_eff(rnd, effs: tuple[bool, ...]) -> bool:
    return effs[0] if len(effs) == 1 else rnd.bool()


# Each constructor returns (A, B, eff_sub) -- magnitude codes and whether the operation is an
# effective subtraction (ignored for mul) -- or None; the driver assigns signs and verifies.


def _mul_exact(g, rnd, effs):
    if g.has_zero and rnd.int(0, 15) == 0:
        return 0, rnd.int(0, g.max_mag), False
    a = _nonzero_mag(g, rnd)
    oa, fa = _odd_part(g.val(a))
    room = g.P - oa.bit_length()
    v = _odd(rnd, rnd.int(1, room + 1))
    if (oa * v).bit_length() > g.P:
        return None
    fb_lo = max(g.q_min, g.q_min - fa)
    fb_hi = min(_flog2(g.max_value / v), _flog2(g.max_value / (oa * v)) - fa)
    if fb_lo > fb_hi:
        return None
    b = g.exact_mag(v * pow2(rnd.int(fb_lo, fb_hi)))
    return None if b is None else (a, b, False)


def _split_exponent(g, rnd, u: int, v: int, F: int):
    """Operands u 2^fa and v 2^(F - fa), both representable, as magnitude codes (or None)."""
    fa_max, fb_max = _flog2(g.max_value / u), _flog2(g.max_value / v)
    lo, hi = max(g.q_min, F - fb_max), min(fa_max, F - g.q_min)
    if lo > hi:
        return None
    fa = rnd.int(lo, hi)
    a, b = g.exact_mag(u * pow2(fa)), g.exact_mag(v * pow2(F - fa))
    return None if a is None or b is None else (a, b, False)


def _mul_tie(g, rnd, effs):
    """u v with exactly P+1 significant bits (both odd): its last bit is the half-ulp bit."""
    if g.P < 2:
        return None
    la = rnd.int(2, g.P)
    lb = g.P + 1 - la + rnd.int(0, 1)
    if not 2 <= lb <= g.P:
        return None
    u, v = _odd(rnd, la), _odd(rnd, lb)
    if (u * v).bit_length() != g.P + 1:
        return None
    fa_max, fb_max = _flog2(g.max_value / u), _flog2(g.max_value / v)
    F_lo, F_hi = max(g.emin - g.P, 2 * g.q_min), min(g.emax - g.P, fa_max + fb_max)
    if F_lo > F_hi:
        return None
    return _split_exponent(g, rnd, u, v, rnd.int(F_lo, F_hi))


def _mul_tie_subnormal(g, rnd, effs):
    """u v 2^(q_min - 1) below 2^emin: halfway between two subnormals (or 0 and the smallest)."""
    la = rnd.int(1, g.P)
    u, v = _odd(rnd, la), _odd(rnd, rnd.int(1, g.P + 1 - la))
    if (u * v).bit_length() > g.P:
        return None
    return _split_exponent(g, rnd, u, v, g.q_min - 1)


def _mul_into(g, rnd, lo: Fraction, hi: Fraction, lo_open=False, hi_open=False):
    """A times B in the interval: A normal with an exponent that puts lo/A in range, then B solved."""
    k = _flog2(hi) if lo <= 0 else _flog2(lo)
    e_lo, e_hi = max(g.emin, k - g.emax - 1), min(g.emax, k - g.emin + 1)
    if e_lo > e_hi:
        return None
    a = g.normal_mag(rnd.int(e_lo, e_hi), rnd.int(0, (1 << g.t) - 1))
    if a is None:
        return None
    A = g.val(a)
    b = _mag_in(g, rnd, lo / A, hi / A, lo_open, hi_open)
    return None if b is None else (a, b, False)


def _carry_k(g, rnd, k_min: int):
    if k_min > g.emax:
        return None
    return rnd.int(k_min, g.emax)


def _mul_carry(g, rnd, effs):
    k = _carry_k(g, rnd, g.emin)
    if k is None:
        return None
    half = pow2(max(k - 1, g.emin) - g.t - 1)
    return _mul_into(g, rnd, pow2(k) - half, pow2(k), hi_open=True)


def _mul_overflow(g, rnd, effs):
    return _mul_into(g, rnd, g.threshold - g.top_ulp, g.threshold + g.top_ulp)


def _mul_subnormal(g, rnd, effs):
    j = rnd.int(g.q_min - 3, g.emin - 1)
    return _mul_into(g, rnd, pow2(j), pow2(j + 1), hi_open=True)


def _any_pair(g, rnd, effs):
    return _nonzero_mag(g, rnd), _nonzero_mag(g, rnd), _pick_eff(rnd, effs)


def _add_exact_aligned(g, rnd, effs):
    """B a multiple of A's quantum: the sum or difference needs no bits below it."""
    a = _nonzero_mag(g, rnd)
    A = g.val(a)
    qa = max(_flog2(A), g.emin) - g.t
    sa = int(A / pow2(qa))
    eff = _pick_eff(rnd, effs)
    sb = rnd.int(1, sa)
    if not eff and sa + sb >= 1 << g.P and (sa + sb) & 1:
        sb -= 1
    if sb == 0:
        return None
    b = g.exact_mag(sb * pow2(qa))
    return None if b is None else (a, b, eff)


def _add_exact_sterbenz(g, rnd, effs):
    if True not in effs:
        return None
    b = _nonzero_mag(g, rnd)
    B = g.val(b)
    a = _mag_in(g, rnd, B, 2 * B)
    return None if a is None else (a, b, True)


def _add_zero(g, rnd, effs):
    if not g.has_zero:
        return None
    return rnd.int(0, g.max_mag), 0, _pick_eff(rnd, effs)


def _add_tie(g, rnd, effs):
    """B's last bit at the half-ulp position of A's binade."""
    if g.emin + 1 > g.emax:
        return None
    e_a = rnd.int(g.emin + 1, g.emax)
    a = g.normal_mag(e_a, rnd.int(0, (1 << g.t) - 1))
    if a is None:
        return None
    b = g.exact_mag(_odd(rnd, rnd.int(1, g.P)) * pow2(e_a - g.t - 1))
    return None if b is None else (a, b, _pick_eff(rnd, effs))


def _add_carry_up(g, rnd, effs):
    """A = 2^k - m ulp, B in [(m - 1/2) ulp, m ulp): the sum is in the top half-ulp below 2^k."""
    if False not in effs:
        return None
    k = _carry_k(g, rnd, g.emin + 2)
    if k is None:
        return None
    ulp = pow2(k - 1 - g.t)
    m = rnd.int(1, 1 << g.t)
    a = g.exact_mag(pow2(k) - m * ulp)
    if a is None:
        return None
    b = _mag_in(g, rnd, (m - Fraction(1, 2)) * ulp, m * ulp, hi_open=True)
    return None if b is None else (a, b, False)


def _add_carry_down(g, rnd, effs):
    """A = 2^k + j 2ulp, B in (j 2ulp, j 2ulp + ulp/2]: the difference is just below 2^k."""
    if True not in effs:
        return None
    k = _carry_k(g, rnd, g.emin + 2)
    if k is None:
        return None
    ulp = pow2(k - 1 - g.t)
    j = rnd.int(0, max(0, (1 << (g.t - 1)) - 1)) if g.t >= 1 else 0
    a = g.exact_mag(pow2(k) + j * 2 * ulp)
    if a is None:
        return None
    b = _mag_in(g, rnd, j * 2 * ulp, j * 2 * ulp + ulp / 2, lo_open=True)
    return None if b is None else (a, b, True)


def _add_overflow_up(g, rnd, effs):
    if False not in effs:
        return None
    m = rnd.int(0, g.s_max - (1 << g.t))
    A = g.max_value - m * g.top_ulp
    a = g.exact_mag(A)
    if a is None:
        return None
    b = _mag_in(g, rnd, g.threshold - g.top_ulp - A, g.threshold + g.top_ulp - A, lo_open=True)
    return None if b is None else (a, b, False)


def _add_overflow_down(g, rnd, effs):
    if True not in effs:
        return None
    b = _mag_in(g, rnd, Fraction(0), g.top_ulp / 2, lo_open=True)
    return None if b is None else (g.max_mag, b, True)


def _add_subnormal_sum(g, rnd, effs):
    if False not in effs or not g.has_subnormals or g.t < 1:
        return None
    a = rnd.int(1, (1 << g.t) - 1)
    b = rnd.int(0 if g.has_zero else 1, (1 << g.t) - 1 - a)
    return None if a + b >= 1 << g.t or (a == 0 and b == 0) else (a, b, False)


def _add_subnormal_difference(g, rnd, effs):
    if True not in effs:
        return None
    e_b = rnd.int(g.emin, g.emin + g.t)
    b = g.normal_mag(e_b, rnd.int(0, (1 << g.t) - 1)) if rnd.int(0, 3) else rnd.int(g.lowest_mag, g.max_mag)
    if b is None:
        return None
    B = g.val(b)
    a = _mag_in(g, rnd, B, B + pow2(g.emin), lo_open=True, hi_open=True)
    return None if a is None else (a, b, True)


_CONSTRUCTORS = {
    ("mul", "exact"): (_mul_exact,),
    ("mul", "exact_tie"): (_mul_tie, _mul_tie, _mul_tie_subnormal),
    ("mul", "carry"): (_mul_carry,),
    ("mul", "overflow_boundary"): (_mul_overflow,),
    ("mul", "subnormal_result"): (_mul_subnormal,),
    ("mul", "inexact"): (_any_pair,),
    ("add", "exact"): (_add_exact_aligned, _add_exact_aligned, _add_exact_sterbenz, _add_zero),
    ("add", "exact_tie"): (_add_tie,),
    ("add", "carry"): (_add_carry_up, _add_carry_down),
    ("add", "overflow_boundary"): (_add_overflow_up, _add_overflow_down),
    ("add", "subnormal_result"): (_add_subnormal_sum, _add_subnormal_difference),
    ("add", "inexact"): (_any_pair,),
}


def _assign_signs(g: Geometry, op: str, A: int, B: int, eff_sub: bool, rnd):
    """Codes (a, b) from magnitudes so that a op b is A + B (eff_sub False) or A - B in magnitude."""
    if op == "mul":
        if not g.signed:
            return A, B
        return A | (g.sign_mask if rnd.bool() else 0), B | (g.sign_mask if rnd.bool() else 0)
    same_sign = eff_sub == (op == "sub")
    if not g.signed:
        if not same_sign:
            return None
        return (A, B) if op == "add" or A >= B else (B, A)
    sa = rnd.bool()
    sb = sa if same_sign else not sa
    a, b = A | (g.sign_mask if sa else 0), B | (g.sign_mask if sb else 0)
    if rnd.bool():  # a op b and b op a are in the same situation (sub: the result negated)
        a, b = b, a
    return a, b


def _effs(g: Geometry, op: str) -> tuple[bool, ...]:
    if op == "mul" or g.signed:
        return (False, True)
    return (False,) if op == "add" else (True,)


def attempt(g: Geometry, op: str, situation: str, rnd):
    cons = _CONSTRUCTORS[("mul" if op == "mul" else "add", situation)]
    con = cons[0] if len(cons) == 1 else cons[rnd.int(0, len(cons) - 1)]
    got = con(g, rnd, _effs(g, op))
    if got is None:
        return None
    pair = _assign_signs(g, op, *got, rnd)
    if pair is None or situation not in g.pair_situations(op, *pair):
        return None
    return pair

