"""Hypothesis strategies for property-testing minifloat hardware and software against refmodel.

In the style of ``hypothesis.extra.numpy``: import the strategies into your own tests (a cocotb
testbench, a pytest suite around a C model) and let Hypothesis search the cases that break
arithmetic units: ties, carries into the next binade, the overflow threshold, tiny results.

    from hypothesis import given
    from refmodel import ops, testing

    @given(testing.operand_pairs("e4m3fn", "mul", "exact_tie"), testing.deterministic_modes())
    def test_my_multiplier(pair, rounding):
        (a, b), (mode, r) = pair, rounding
        z, flags = ops.mul("e4m3fn", a, b, rounding=mode)
        assert my_unit(a, b, mode) == (int(z), int(flags))

Every strategy works from the format descriptor's fields alone (``refmodel.formats.parse_format``),
so it serves every format the name grammar accepts. Codes are Python ints holding the bit pattern.
Classification is exact integer arithmetic on the decoded values; refmodel's rounding is never
used to decide which situation a pair is in. docs/testing.md has more examples.

Strategies
    codes(fmt, kind)                 codes of a format by class (zero, subnormal, normal, special, ...)
    operand_pairs(fmt, op, situation)  (a, b) whose exact a*b, a+b or a-b lands in a rounding situation
    rounding_modes(), deterministic_modes(), stochastic(sr_bits)   (mode, r) pairs
    values_near(fmt, kind)           binary64 values for from_f64: midpoints, near them, overflow
Helpers
    code_ranges(fmt, kind)           the codes of a class as inclusive integer ranges
    exact_result(fmt, op, a, b)      the exact result of a finite operation as a Fraction (None for specials)
    situations(fmt, op, a, b)        the set of situations the pair is in
    sample(strategy, n, seed)        a reproducible list of draws, for cocotb testbenches and vector files
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from fractions import Fraction
from functools import cache, lru_cache

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .encodings import MAX_SR_BITS, ROUNDING, STOCHASTIC
from .formats import Minifloat, parse_format
from .formats.minifloat import IEEE

__all__ = [
    "CODE_KINDS",
    "SITUATIONS",
    "OPS",
    "VALUE_KINDS",
    "codes",
    "code_ranges",
    "operand_pairs",
    "exact_result",
    "situations",
    "rounding_modes",
    "deterministic_modes",
    "stochastic",
    "values_near",
    "sample",
]

CODE_KINDS = ("zero", "subnormal", "normal", "largest", "smallest", "special", "nan", "snan", "inf",
              "near_overflow", "finite", "any")
SITUATIONS = ("exact", "exact_tie", "carry", "overflow_boundary", "subnormal_result", "inexact")
OPS = ("mul", "add", "sub")
VALUE_KINDS = ("representable", "midpoint", "near_midpoint", "overflow", "tiny")

# Formats with at most this many bits are classified by enumerating every pair of finite codes.
ENUMERATE_BITS = 8


def _format(fmt) -> Minifloat:
    return fmt if isinstance(fmt, Minifloat) else parse_format(fmt)


def _pow2(k: int) -> Fraction:
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


def _as_list(x) -> list:
    return [x] if isinstance(x, str) else list(x)


# ----------------------------------------------------------------------------------------------
# The geometry of a format, from the descriptor's fields
# ----------------------------------------------------------------------------------------------


class _Geometry:
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
        self.max_value = Fraction(n) * _pow2(e)
        self.emax = _flog2(self.max_value)
        self.top_q = self.emax - t  # exponent of the ulp of the top binade
        self.top_ulp = _pow2(self.top_q)
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
        return Fraction(n) * _pow2(e)

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
def _geometry(fmt) -> _Geometry:
    return _Geometry(_format(fmt))


def _geo(fmt) -> _Geometry:
    return _geometry(_format(fmt))


# ----------------------------------------------------------------------------------------------
# codes(fmt, kind)
# ----------------------------------------------------------------------------------------------


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _without(ranges: list[tuple[int, int]], point: int | None) -> list[tuple[int, int]]:
    if point is None:
        return ranges
    out = []
    for lo, hi in ranges:
        if lo <= point <= hi:
            out += [(lo, point - 1), (point + 1, hi)]
        else:
            out.append((lo, hi))
    return _merge(out)


def _kind_ranges(g: _Geometry, kind: str) -> list[tuple[int, int]]:
    t = g.t
    if kind == "any":
        return [(0, (1 << g.bits) - 1)]
    if kind in ("special", "nan", "snan", "inf"):
        mags = [(g.max_mag + 1, g.mag_count - 1)]
        extra = [g.nan_code] if g.nan_code is not None else []
        if kind == "inf":
            mags, extra = ([(g.inf_mag, g.inf_mag)] if g.inf_mag is not None else []), []
        elif kind == "snan":
            # IEEE 754 3.4: a NaN whose top trailing-significand bit is 0 signals (IEEE-like family only).
            if g.f.family != IEEE or g.inf_mag is None or t < 2:
                mags = []
            else:
                mags = [(g.inf_mag + 1, g.inf_mag + (1 << (t - 1)) - 1)]
            extra = []
        ranges = _signed(g, mags) + [(c, c) for c in extra]
        if kind == "nan" and g.inf_mag is not None:
            ranges = _without(_without(_merge(ranges), g.inf_mag), g.sign_mask | g.inf_mag if g.signed else None)
        return _merge(ranges)
    if kind == "zero":
        mags = [(0, 0)] if g.has_zero else []
    elif kind == "subnormal":
        mags = [(1, (1 << t) - 1)] if g.has_subnormals and t >= 1 else []
    elif kind == "normal":
        mags = [(1 << t if g.has_subnormals else 0, g.max_mag)]
    elif kind == "largest":
        mags = [(g.max_mag, g.max_mag)]
    elif kind == "smallest":
        mags = [(g.lowest_mag, g.lowest_mag)]
    elif kind == "near_overflow":
        mags = [((g.max_mag >> t) << t, g.max_mag)]
    elif kind == "finite":
        mags = [(0, g.max_mag)]
    else:
        raise ValueError(f"unknown code kind {kind!r}: expected one of {', '.join(CODE_KINDS)}")
    return _without(_merge(_signed(g, mags)), g.nan_code)


def _signed(g: _Geometry, mags: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = [(lo, hi) for lo, hi in mags if lo <= hi]
    if g.signed:
        out += [(g.sign_mask | lo, g.sign_mask | hi) for lo, hi in out]
    return out


def code_ranges(fmt, kind="finite") -> list[tuple[int, int]]:
    """The codes of one or several kinds (see `codes`) as sorted inclusive ranges (lo, hi).

    Raises ValueError for an unknown kind or a kind the format does not have."""
    g = _geo(fmt)
    ranges: list[tuple[int, int]] = []
    for k in _as_list(kind):
        if k not in CODE_KINDS:
            raise ValueError(f"unknown code kind {k!r}: expected one of {', '.join(CODE_KINDS)}")
        rs = _kind_ranges(g, k)
        if not rs:
            raise ValueError(f"format {g.name} has no {k!r} codes{_why_missing(g, k)}")
        ranges += rs
    return _merge(ranges)


def _why_missing(g: _Geometry, kind: str) -> str:
    f = g.f
    reasons = {
        "zero": " (it has no zero)",
        "subnormal": " (it has no subnormals)" if not g.has_subnormals else " (no trailing significand bits)",
        "special": " (no Inf, no NaN)",
        "nan": " (no NaN encoding)",
        "inf": " (no infinities)",
        "snan": " (only IEEE-like formats with 2+ mantissa bits have signalling NaNs)"
        if f.family != IEEE or g.t < 2 else "",
    }
    return reasons.get(kind, "")


@lru_cache(maxsize=256)
def _ranges_strategy(ranges: tuple[tuple[int, int], ...]) -> st.SearchStrategy[int]:
    if sum(hi - lo + 1 for lo, hi in ranges) <= 4096:
        return st.sampled_from([c for lo, hi in ranges for c in range(lo, hi + 1)])
    return st.one_of([st.integers(lo, hi) for lo, hi in ranges])


def codes(fmt, kind="finite") -> st.SearchStrategy[int]:
    """Codes of `fmt` (ints holding the bit pattern) of one kind or several (a list, the union).

    Kinds (both signs wherever the format has a sign bit):
      zero           +0 and -0 (one zero in FNUZ and P3109)
      subnormal      exponent field 0, nonzero trailing significand
      normal         finite codes that are neither zero nor subnormal
      largest        +-max finite
      smallest       the smallest nonzero magnitude: the minimum subnormal where there are subnormals
      special        every NaN and Inf encoding (every NaN payload, signalling ones included)
      nan, snan, inf every NaN encoding; the signalling NaNs (IEEE-like only); the infinities
      near_overflow  the top binade's codes (max included)
      finite         every code that is not NaN or Inf
      any            every code

    A kind the format does not have (e.g. 'special' for e2m1fn, 'zero' for e8m0fnu) raises
    ValueError here, at construction.
    """
    return _ranges_strategy(tuple(code_ranges(fmt, kind)))


# ----------------------------------------------------------------------------------------------
# Exact results and situations
# ----------------------------------------------------------------------------------------------


def _check_op(op: str) -> None:
    if op not in OPS:
        raise ValueError(f"unknown op {op!r}: expected one of {', '.join(OPS)}")


def _check_situations(situation) -> list[str]:
    sits = _as_list(situation)
    if not sits:
        raise ValueError("no situation given")
    for s in sits:
        if s not in SITUATIONS:
            raise ValueError(f"unknown situation {s!r}: expected one of {', '.join(SITUATIONS)}")
    return sits


def exact_result(fmt, op: str, a: int, b: int) -> Fraction | None:
    """The exact value of a op b for finite codes a and b (None if either is NaN or Inf)."""
    _check_op(op)
    ne = _geo(fmt).exact_ne(op, int(a), int(b))
    if ne is None:
        return None
    neg, n, e = ne
    v = Fraction(n) * _pow2(e)
    return -v if neg else v


def situations(fmt, op: str, a: int, b: int) -> frozenset:
    """The situations (see `operand_pairs`) that the exact result of a op b is in."""
    _check_op(op)
    return _geo(fmt).pair_situations(op, int(a), int(b))


# ----------------------------------------------------------------------------------------------
# Enumeration (formats of up to 8 bits)
# ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _pair_table(fmt_name: str, op: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """Every pair of finite codes, classified: situation -> pairs (a, b)."""
    g = _geo(fmt_name)
    finite = [c for lo, hi in _kind_ranges(g, "finite") for c in range(lo, hi + 1)]
    decoded = [(c, g.code_ne(c)) for c in finite]
    table: dict[str, list[tuple[int, int]]] = {s: [] for s in SITUATIONS}
    memo: dict[tuple[bool, int, int], frozenset] = {}
    classify = g.classify
    is_mul, negate = op == "mul", op == "sub"
    for a, (na, sa, ea) in decoded:
        for b, (nb, sb, eb) in decoded:
            if is_mul:
                key = (na != nb, sa * sb, ea + eb)
            else:
                nbb = nb != negate
                e = min(ea, eb)
                total = (-sa if na else sa) * (1 << (ea - e)) + (-sb if nbb else sb) * (1 << (eb - e))
                key = (total < 0, -total if total < 0 else total, e)
            sits = memo.get(key)
            if sits is None:
                sits = memo[key] = classify(*key)
            for s in sits:
                table[s].append((a, b))
    return {s: tuple(v) for s, v in table.items()}


# ----------------------------------------------------------------------------------------------
# Construction (wider formats)
# ----------------------------------------------------------------------------------------------


class _HypRandom:
    """Choices drawn from Hypothesis (so they shrink)."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def bool(self) -> bool:
        return self.draw(st.booleans())


class _PyRandom:
    """The same choices from a seeded random.Random (to probe feasibility at construction)."""

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


def _nonzero_mag(g: _Geometry, rnd) -> int:
    return rnd.int(g.lowest_mag, g.max_mag)


def _mag_in(g: _Geometry, rnd, lo, hi, lo_open=False, hi_open=False) -> int | None:
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
    b = g.exact_mag(v * _pow2(rnd.int(fb_lo, fb_hi)))
    return None if b is None else (a, b, False)


def _split_exponent(g, rnd, u: int, v: int, F: int):
    """Operands u 2^fa and v 2^(F - fa), both representable, as magnitude codes (or None)."""
    fa_max, fb_max = _flog2(g.max_value / u), _flog2(g.max_value / v)
    lo, hi = max(g.q_min, F - fb_max), min(fa_max, F - g.q_min)
    if lo > hi:
        return None
    fa = rnd.int(lo, hi)
    a, b = g.exact_mag(u * _pow2(fa)), g.exact_mag(v * _pow2(F - fa))
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
    half = _pow2(max(k - 1, g.emin) - g.t - 1)
    return _mul_into(g, rnd, _pow2(k) - half, _pow2(k), hi_open=True)


def _mul_overflow(g, rnd, effs):
    return _mul_into(g, rnd, g.threshold - g.top_ulp, g.threshold + g.top_ulp)


def _mul_subnormal(g, rnd, effs):
    j = rnd.int(g.q_min - 3, g.emin - 1)
    return _mul_into(g, rnd, _pow2(j), _pow2(j + 1), hi_open=True)


def _any_pair(g, rnd, effs):
    return _nonzero_mag(g, rnd), _nonzero_mag(g, rnd), _pick_eff(rnd, effs)


def _add_exact_aligned(g, rnd, effs):
    """B a multiple of A's quantum: the sum or difference needs no bits below it."""
    a = _nonzero_mag(g, rnd)
    A = g.val(a)
    qa = max(_flog2(A), g.emin) - g.t
    sa = int(A / _pow2(qa))
    eff = _pick_eff(rnd, effs)
    sb = rnd.int(1, sa)
    if not eff and sa + sb >= 1 << g.P and (sa + sb) & 1:
        sb -= 1
    if sb == 0:
        return None
    b = g.exact_mag(sb * _pow2(qa))
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
    b = g.exact_mag(_odd(rnd, rnd.int(1, g.P)) * _pow2(e_a - g.t - 1))
    return None if b is None else (a, b, _pick_eff(rnd, effs))


def _add_carry_up(g, rnd, effs):
    """A = 2^k - m ulp, B in [(m - 1/2) ulp, m ulp): the sum is in the top half-ulp below 2^k."""
    if False not in effs:
        return None
    k = _carry_k(g, rnd, g.emin + 2)
    if k is None:
        return None
    ulp = _pow2(k - 1 - g.t)
    m = rnd.int(1, 1 << g.t)
    a = g.exact_mag(_pow2(k) - m * ulp)
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
    ulp = _pow2(k - 1 - g.t)
    j = rnd.int(0, max(0, (1 << (g.t - 1)) - 1)) if g.t >= 1 else 0
    a = g.exact_mag(_pow2(k) + j * 2 * ulp)
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
    a = _mag_in(g, rnd, B, B + _pow2(g.emin), lo_open=True, hi_open=True)
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


def _assign_signs(g: _Geometry, op: str, A: int, B: int, eff_sub: bool, rnd):
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


def _effs(g: _Geometry, op: str) -> tuple[bool, ...]:
    if op == "mul" or g.signed:
        return (False, True)
    return (False,) if op == "add" else (True,)


def _attempt(g: _Geometry, op: str, situation: str, rnd):
    cons = _CONSTRUCTORS[("mul" if op == "mul" else "add", situation)]
    con = cons[0] if len(cons) == 1 else cons[rnd.int(0, len(cons) - 1)]
    got = con(g, rnd, _effs(g, op))
    if got is None:
        return None
    pair = _assign_signs(g, op, *got, rnd)
    if pair is None or situation not in g.pair_situations(op, *pair):
        return None
    return pair


ATTEMPTS = 64  # constructive tries per example before the example is rejected
PROBES = 400  # tries at strategy construction to show that a situation can occur


@cache
def _probe(fmt_name: str, op: str, situation: str) -> bool:
    g = _geo(fmt_name)
    rnd = _PyRandom(0x5EED)
    return any(_attempt(g, op, situation, rnd) is not None for _ in range(PROBES))


@st.composite
def _constructed(draw, g: _Geometry, op: str, situation: str):
    rnd = _HypRandom(draw)
    for _ in range(ATTEMPTS):
        pair = _attempt(g, op, situation, rnd)
        if pair is not None:
            return pair
    reject()


def operand_pairs(fmt, op: str, situation="inexact") -> st.SearchStrategy[tuple[int, int]]:
    """Pairs (a, b) of finite codes whose exact a op b (op: mul, add, sub) is in a rounding situation.

    Situations (of the exact result x, before rounding; one name or a list for their union):
      exact              x is representable: no rounding, no flags
      exact_tie          x lies exactly halfway between two neighbouring finite values
      carry              x lies in the top half-ulp below a power of two 2^k <= max (2^k >= 2^emin) and
                         round-to-nearest-even gives 2^k: the significand carries into the next binade
      overflow_boundary  |x| within one top-binade ulp of the rne overflow threshold max + ulp/2 (both sides)
      subnormal_result   0 < |x| < 2^emin (the smallest normal)
      inexact            x is not representable (overflows included)
    In unsigned formats negative and (without zero) zero results are invalid and in no situation.

    Formats of up to 8 bits enumerate and classify every pair once (cached); wider formats build
    pairs from significands and exponents and check each with exact arithmetic. A situation that
    cannot occur for the format and op raises ValueError here, at construction.
    """
    _check_op(op)
    sits = _check_situations(situation)
    # Cached: a strategy over tens of thousands of pairs is built once, however often it is asked for.
    return _operand_pairs(_geo(fmt).name, op, tuple(dict.fromkeys(sits)))


@lru_cache(maxsize=256)
def _operand_pairs(name: str, op: str, sits: tuple[str, ...]) -> st.SearchStrategy[tuple[int, int]]:
    g = _geo(name)
    if g.bits <= ENUMERATE_BITS:
        table = _pair_table(g.name, op)
        for s in sits:
            if not table[s]:
                raise ValueError(f"situation {s!r} cannot occur for {op} in {g.name} (no pair of codes gives it)")
        if len(sits) == 1:
            return st.sampled_from(table[sits[0]])
        return st.sampled_from(sorted({p for s in sits for p in table[s]}))
    if g.t < 1 or not g.has_subnormals:
        raise ValueError(f"operand_pairs supports formats wider than {ENUMERATE_BITS} bits only with mantissa "
                         f"bits and subnormals, not {g.name}")
    strategies = []
    for s in sits:
        if not _probe(g.name, op, s):
            raise ValueError(f"situation {s!r} cannot be constructed for {op} in {g.name} "
                             f"(no pair found in {PROBES} constructive attempts)")
        strategies.append(_constructed(g, op, s))
    wanted = set(sits)
    return st.one_of(strategies).filter(lambda p: bool(wanted & g.pair_situations(op, *p)))


# ----------------------------------------------------------------------------------------------
# Rounding modes
# ----------------------------------------------------------------------------------------------

DETERMINISTIC = tuple(m for m in ROUNDING if m not in STOCHASTIC)


def _check_modes(modes, allowed) -> list[str]:
    modes = list(allowed if modes is None else _as_list(modes))
    for m in modes:
        if m not in allowed:
            raise ValueError(f"unknown rounding mode {m!r}: expected some of {', '.join(allowed)}")
    if not modes:
        raise ValueError("no rounding mode given")
    return modes


def deterministic_modes(modes=None) -> st.SearchStrategy[tuple[str, None]]:
    """(mode, None) for the deterministic modes rne rtz rdn rup rna rod (or the subset `modes`)."""
    return st.sampled_from([(m, None) for m in _check_modes(modes, DETERMINISTIC)])


def stochastic(sr_bits: int = 8, modes=None) -> st.SearchStrategy[tuple[str, int]]:
    """(mode, r) for the stochastic modes sr sr_b sr_c (or the subset `modes`), r an sr_bits-bit integer.

    Pass both to refmodel: ops.mul(fmt, a, b, rounding=mode, r=r, sr_bits=sr_bits)."""
    if not 1 <= sr_bits <= MAX_SR_BITS:
        raise ValueError(f"sr_bits must be in 1..{MAX_SR_BITS}, not {sr_bits}")
    return st.tuples(st.sampled_from(_check_modes(modes, STOCHASTIC)), st.integers(0, (1 << sr_bits) - 1))


def rounding_modes(sr_bits: int = 8, modes=None) -> st.SearchStrategy[tuple[str, int | None]]:
    """(mode, r) over every mode (or the subset `modes`): r is None for deterministic modes and an
    sr_bits-bit integer for sr, sr_b and sr_c. refmodel ignores r and sr_bits in deterministic modes,
    so ops.mul(fmt, a, b, rounding=mode, r=r, sr_bits=sr_bits) works for every draw."""
    chosen = _check_modes(modes, tuple(ROUNDING))
    det = [m for m in chosen if m not in STOCHASTIC]
    sto = [m for m in chosen if m in STOCHASTIC]
    parts = []
    if det:
        parts.append(deterministic_modes(det))
    if sto:
        parts.append(stochastic(sr_bits, sto))
    return st.one_of(parts)


# ----------------------------------------------------------------------------------------------
# values_near: binary64 inputs for from_f64
# ----------------------------------------------------------------------------------------------


def _f64(v: Fraction) -> float | None:
    try:
        x = float(v)
    except OverflowError:
        return None
    return x if math.isfinite(x) and Fraction(x) == v else None


def values_near(fmt, kind="midpoint") -> st.SearchStrategy[float]:
    """binary64 values that exercise rounding into `fmt` (one kind or a list), both signs if signed:
      representable  the format's finite values
      midpoint       exactly halfway between neighbouring finite values (0 and the smallest included)
      near_midpoint  the binary64 neighbours just below and just above a midpoint
      overflow       the rne overflow threshold max + ulp/2, its binary64 neighbours, max, max + ulp
      tiny           below the smallest positive value: half of it, its neighbours, a quarter of it
    Raises ValueError if the values do not fit binary64 (formats with a wider exponent range)."""
    g = _geo(fmt)
    parts = []
    for kind_ in _as_list(kind):
        if kind_ not in VALUE_KINDS:
            raise ValueError(f"unknown value kind {kind_!r}: expected one of {', '.join(VALUE_KINDS)}")
        parts.append(_values_of_kind(g, kind_))
    values = st.one_of(parts)
    if g.signed:
        return st.tuples(values, st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
    return values


def _need(v: Fraction, g: _Geometry) -> float:
    x = _f64(v)
    if x is None:
        raise ValueError(f"format {g.name}: the value {v} is not a binary64 number")
    return x


def _values_of_kind(g: _Geometry, kind: str) -> st.SearchStrategy[float]:
    lowest = g.val(g.lowest_mag)
    if kind == "overflow":
        thr = _need(g.threshold, g)
        vals = [thr, math.nextafter(thr, 0.0), math.nextafter(thr, math.inf), _need(g.max_value, g)]
        over = _f64(g.max_value + g.top_ulp)
        return st.sampled_from(vals + ([over] if over is not None else []))
    if kind == "tiny":
        half = _need(lowest / 2, g)
        return st.sampled_from([half, math.nextafter(half, 0.0), math.nextafter(half, math.inf),
                                _need(lowest / 4, g)])
    # Checked once at the extremes: every value between them fits binary64 too.
    _need((g.val(0) + g.val(1)) / 2 if g.max_mag >= 1 else g.val(0), g)
    _need(g.max_value, g)
    if kind == "representable":
        return st.integers(0, g.max_mag).map(lambda m: float(g.val(m)))
    mids = st.integers(0, g.max_mag - 1).map(lambda m: float((g.val(m) + g.val(m + 1)) / 2))
    if kind == "midpoint":
        return mids
    return st.tuples(mids, st.booleans()).map(lambda p: math.nextafter(p[0], math.inf if p[1] else 0.0))


# ----------------------------------------------------------------------------------------------
# sample: draws outside a @given test (cocotb coroutines, vector files)
# ----------------------------------------------------------------------------------------------


def sample(strategy: st.SearchStrategy, n: int, seed: int = 0) -> list:
    """Up to n draws from a strategy, the same list for the same seed (and Hypothesis version).

    For places where @given cannot wrap the test, such as an async cocotb test: draw the stimulus
    first, then drive it. Fewer than n come back when the strategy has fewer distinct values.
    Unlike `strategy.example()` this is reproducible and explores like a real Hypothesis run
    (boundaries and small values first)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    out: list = []

    @hypothesis_seed(seed)
    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    return out
