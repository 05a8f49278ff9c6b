"""An independent exact-rational oracle for posit<n,es> arithmetic (Posit Standard 2022, any es).

Written from the posit definition and the 2022 standard's rounding rule as quoted in SPEC.md
section 5 only; it shares no code with `refmodel`. Values are `fractions.Fraction`s (NaR is None),
every operation is computed exactly and rounded once by `round_to_posit`:

- RNE is the standard's section 4.1 algorithm, literally: for u < x < w adjacent posits (signed
  order, negatives included), U the code of u and v the value of the (n+1)-bit posit with code U
  followed by a 1 bit, the result is u if x < v or (x = v and LSB(U) = 0), else w. |x| > maxpos
  gives maxpos and 0 < |x| < minpos gives minpos (with the sign of x), in every mode.
- The stochastic modes act on the magnitude, as IEEE P3109 does: with u < |x| < w the neighbouring
  posits and nu = (|x| - u) / (w - u) (the fraction of the way in value), N random bits and the
  random integer R, "sr" (StochasticA) rounds up iff floor(nu 2^N) + R >= 2^N, "sr_b" iff
  floor(nu 2^(N+1)) + 2R + 1 >= 2^(N+1), "sr_c" iff RNE_to_integer(nu 2^N) + R >= 2^N.
- "rtz" truncates the magnitude (still never to 0).

Square roots are irrational in general: `SqrtOf(a)` stands for sqrt(a) exactly, and compares with
rationals by squaring them, so the rounding decisions above stay exact integer comparisons.

Two encodings of the definition check each other in tests/test_posit_oracle.py: `decode` (negate
negative codes, then read regime, exponent and fraction) against `decode_twos` (the standard's
formula on the raw two's-complement fields), and `floor_code` (the bit string of a value, cut to
n bits) against `floor_code_search` (bisection over decoded values).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import oracle as minifloat  # tests/oracle.py: the exact minifloat oracle (decode and rounding)

MODES = ("rne", "rtz", "sr", "sr_b", "sr_c")
SR_MODES = ("sr", "sr_b", "sr_c")
PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge")
MAX_N = 64  # decode also accepts n = MAX_N + 1, for the tie points of MAX_N-bit posits
MAX_ES = 4
TABLE_MAX_N = 16  # decode tables are built (once, lazily) for n up to this


@cache
def pow2(k: int) -> Fraction:
    """2^k as a Fraction (memoized)."""
    return Fraction(1 << k) if k >= 0 else Fraction(1, 1 << -k)


def _check_format(n: int, es: int, max_n: int = MAX_N) -> None:
    if not (2 <= n <= max_n and 0 <= es <= MAX_ES):
        raise ValueError(f"posit<{n},{es}>: the oracle covers 2 <= n <= {max_n}, 0 <= es <= {MAX_ES}")


def _check_code(n: int, code: int) -> int:
    code = int(code)
    if not 0 <= code < 1 << n:
        raise ValueError(f"code {code:#x} is not an {n}-bit posit code")
    return code


def nar(n: int) -> int:
    """The NaR code: 1 followed by n - 1 zeros."""
    return 1 << (n - 1)


def maxpos_code(n: int) -> int:
    return (1 << (n - 1)) - 1


def max_scale(n: int, es: int) -> int:
    """log2(maxpos) = (n - 2) 2^es; minpos = 2^-max_scale (every posit is a multiple of minpos)."""
    return (n - 2) << es


def negate_code(n: int, code: int) -> int:
    """Two's-complement negation of an n-bit code (0 and NaR are their own negatives)."""
    return -code & ((1 << n) - 1)


def signed(n: int, code: int) -> int:
    """The code read as an n-bit two's-complement integer: posits are ordered like these."""
    return code - (1 << n) if code >> (n - 1) else code


# ----------------------------------------------------------------------------------------------
# Decoding: two readings of the definition
# ----------------------------------------------------------------------------------------------


def _decode_fields(n: int, es: int, code: int) -> Fraction | None:
    """The value of a code: 0, NaR (None), else negate a negative code (two's complement) and read
    the n - 1 bits after the sign: a run of k identical regime bits (r = k - 1 for a run of ones,
    -k for zeros) ended by the opposite bit or by the end of the code, then es exponent bits
    (bits cut off by the end of the code count as 0), then the fraction f of the remaining bits.
    Value: (1 + f) 2^(r 2^es + e)."""
    mask = (1 << n) - 1
    if code & (mask >> 1) == 0:
        return None if code else Fraction(0)
    neg = code >> (n - 1)
    c = -code & mask if neg else code  # the magnitude's code, in 1 .. 2^(n-1) - 1
    top = n - 2  # position of the first regime bit
    first = (c >> top) & 1
    k = 1
    while k < n - 1 and (c >> (top - k)) & 1 == first:
        k += 1
    r = k - 1 if first else -k
    rest_len = max(0, n - 2 - k)  # bits after the terminating bit
    rest = c & ((1 << rest_len) - 1)
    if rest_len >= es:
        flen = rest_len - es
        e, f = rest >> flen, rest & ((1 << flen) - 1)
    else:
        flen, e, f = 0, rest << (es - rest_len), 0
    v = ((1 << flen) + f) * pow2((r << es) + e - flen)
    return -v if neg else v


def decode_twos(n: int, es: int, code: int) -> Fraction | None:
    """The 2022 standard's formula on the raw two's-complement fields (no negation first):
    p = ((1 - 3s) + f) 2^((1 - 2s)(2^es r + e + s)), with r, e, f read from the bits after the sign
    exactly as for a positive code. Independent of `decode`; used to cross-check it."""
    _check_format(n, es, MAX_N + 1)
    code = _check_code(n, code)
    if code & ((1 << (n - 1)) - 1) == 0:
        return None if code else Fraction(0)
    s = code >> (n - 1)
    bits = format(code, f"0{n}b")[1:]  # the n - 1 bits after the sign, as a string
    run = len(bits) - len(bits.lstrip(bits[0]))
    r = run - 1 if bits[0] == "1" else -run
    rest = bits[run + 1:]
    e = int((rest[:es] + "0" * es)[:es] or "0", 2)
    fbits = rest[es:]
    f = Fraction(int(fbits, 2), 1 << len(fbits)) if fbits else Fraction(0)
    sign = 1 - 2 * s
    return ((1 - 3 * s) + f) * pow2(sign * ((r << es) + e + s))


@cache
def _table(n: int, es: int) -> tuple:
    return tuple(_decode_fields(n, es, c) for c in range(1 << n))


def decode(n: int, es: int, code: int) -> Fraction | None:
    """The exact value of an n-bit posit<n,es> code (a Fraction), or None for NaR."""
    _check_format(n, es, MAX_N + 1)
    return _dec(n, es, _check_code(n, code))


def _dec(n: int, es: int, code: int) -> Fraction | None:
    """`decode` without the argument checks (internal, for codes known to be valid)."""
    if n <= TABLE_MAX_N:
        return _table(n, es)[code]
    return _decode_fields(n, es, code)


# ----------------------------------------------------------------------------------------------
# Exact values: Fractions, and square roots of Fractions
# ----------------------------------------------------------------------------------------------


def floor_log2(a: Fraction) -> int:
    """floor(log2(a)) for a Fraction a > 0, exactly."""
    p, q = a.numerator, a.denominator
    e = p.bit_length() - q.bit_length()  # 2^(e-1) < a < 2^(e+1)
    return e if (p >= q << e if e >= 0 else p << -e >= q) else e - 1


def floor_scaled(a: Fraction, j: int) -> int:
    """floor(a 2^j) for a Fraction a >= 0 and any integer j."""
    if j >= 0:
        return (a.numerator << j) // a.denominator
    return a.numerator // (a.denominator << -j)


class SqrtOf:
    """The exact positive square root of a positive rational a. It compares with rationals q by
    comparing a with q^2 (for q > 0), so rounding it needs no approximation."""

    __slots__ = ("a",)

    def __init__(self, a):
        a = Fraction(a)
        if a <= 0:
            raise ValueError("SqrtOf needs a > 0")
        self.a = a

    def _cmp(self, q) -> int:
        if isinstance(q, SqrtOf):
            return (self.a > q.a) - (self.a < q.a)
        q = Fraction(q)
        if q <= 0:
            return 1
        sq = q * q
        return (self.a > sq) - (self.a < sq)

    def __lt__(self, q):
        return self._cmp(q) < 0

    def __le__(self, q):
        return self._cmp(q) <= 0

    def __gt__(self, q):
        return self._cmp(q) > 0

    def __ge__(self, q):
        return self._cmp(q) >= 0

    def __eq__(self, q):
        return self._cmp(q) == 0

    def __hash__(self):
        return hash(("sqrt", self.a))

    def __repr__(self):
        return f"SqrtOf({self.a})"

    def floor_log2(self) -> int:
        """floor(log2 sqrt(a)) = floor(floor(log2 a) / 2)."""
        return floor_log2(self.a) >> 1

    def floor_scaled(self, j: int) -> int:
        """floor(sqrt(a) 2^j) = isqrt(floor(a 4^j)), since floor(sqrt(t)) = isqrt(floor(t))."""
        return math.isqrt(floor_scaled(self.a, 2 * j))


def _floor_log2_of(m) -> int:
    return m.floor_log2() if isinstance(m, SqrtOf) else floor_log2(m)


def _floor_scaled_of(m, j: int) -> int:
    return m.floor_scaled(j) if isinstance(m, SqrtOf) else floor_scaled(m, j)


# ----------------------------------------------------------------------------------------------
# Rounding
# ----------------------------------------------------------------------------------------------


def floor_code(n: int, es: int, m, s: int | None = None) -> int:
    """The largest positive code whose value is <= m, for minpos <= m < maxpos: the infinite posit
    bit string of m (regime of s >> es, es exponent bits of s mod 2^es, where s = floor(log2 m),
    then the fraction bits of m / 2^s - 1) cut to the n - 1 bits after the sign. Positive codes are
    ordered like their values, and cutting bits off a bit string only lowers it. s may be passed in
    when the caller already knows it."""
    if s is None:
        s = _floor_log2_of(m)
    r, e = s >> es, s & ((1 << es) - 1)
    if r >= 0:
        regime, rlen = ((1 << (r + 1)) - 1) << 1, r + 2  # r + 1 ones, then a zero
    else:
        regime, rlen = 1, 1 - r  # -r zeros, then a one
    left = n - 1 - rlen  # bits left for exponent and fraction
    if left < 0:
        raise ValueError("floor_code needs minpos <= m < maxpos")
    if left <= es:
        return (regime << left) | (e >> (es - left))
    flen = left - es
    frac = _floor_scaled_of(m, flen - s) - (1 << flen)  # floor((m / 2^s - 1) 2^flen)
    return (((regime << es) | e) << flen) | frac


def floor_code_search(n: int, es: int, m) -> int:
    """`floor_code` by bisection over the decoded values of the positive codes (a cross-check)."""
    lo, hi = 1, maxpos_code(n)  # value(lo) <= m < value(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if decode(n, es, mid) <= m:
            lo = mid
        else:
            hi = mid
    return lo


def _tie_point(n: int, es: int, u_code: int) -> Fraction:
    """v of section 4.1: the value of the (n+1)-bit posit whose code is U followed by a 1 bit."""
    return _dec(n + 1, es, (u_code << 1) | 1)


def _rne_between(n: int, es: int, x, f: int) -> int:
    """Section 4.1 for a non-representable x with minpos < |x| < maxpos, where f is the floor code
    of |x|: u < x < w are the adjacent posits in signed order and U is the code of u."""
    if x > 0:
        u_code = f
    else:  # |x| lies between value(f) and value(f + 1): u = -value(f + 1), w = -value(f)
        u_code = negate_code(n, f + 1)
    v = _tie_point(n, es, u_code)
    if x < v or (x == v and u_code & 1 == 0):
        return u_code
    return (u_code + 1) & ((1 << n) - 1)


def _floor_frac(m, u: Fraction, w: Fraction, k: int) -> int:
    """floor(nu 2^k) for nu = (m - u) / (w - u), u <= m < w; exact for Fractions and SqrtOf."""
    if isinstance(m, Fraction):
        nu = (m - u) / (w - u)
        return (nu.numerator << k) // nu.denominator
    lo, hi = 0, 1 << k  # u + lo d <= m < u + hi d, d = (w - u) / 2^k
    d = (w - u) / (1 << k)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if u + mid * d <= m:
            lo = mid
        else:
            hi = mid
    return lo


def _rne_frac(m, u: Fraction, w: Fraction, k: int) -> int:
    """RNE_to_integer(nu 2^k) (ties to the even integer), nu = (m - u) / (w - u)."""
    j = _floor_frac(m, u, w, k)
    half = u + (2 * j + 1) * (w - u) / (1 << (k + 1))
    if m > half or (m == half and j & 1):
        return j + 1
    return j


def _round_up(mode: str, m, u: Fraction, w: Fraction, r: int, nbits: int) -> bool:
    """Whether the magnitude m (u < m < w) rounds up to w in a magnitude mode."""
    if mode == "rtz":
        return False
    if mode == "sr":
        return _floor_frac(m, u, w, nbits) + r >= 1 << nbits
    if mode == "sr_b":
        return _floor_frac(m, u, w, nbits + 1) + 2 * r + 1 >= 1 << (nbits + 1)
    if mode == "sr_c":
        return _rne_frac(m, u, w, nbits) + r >= 1 << nbits
    raise ValueError(f"unknown rounding mode {mode!r}")


def _check_mode(mode: str, r: int, sr_bits: int) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown rounding mode {mode!r}; posits take {MODES}")
    if mode in SR_MODES and not (1 <= sr_bits <= 64 and 0 <= r < 1 << sr_bits):
        raise ValueError(f"{mode} needs 1 <= sr_bits <= 64 and 0 <= r < 2^sr_bits, got r={r}, sr_bits={sr_bits}")


def round_to_posit(n: int, es: int, x, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """The code of x (a Fraction, or a `SqrtOf`) rounded to posit<n,es>. Never 0 for x != 0, never
    NaR: |x| >= maxpos gives +-maxpos and |x| <= minpos gives +-minpos in every mode."""
    _check_format(n, es)
    _check_mode(mode, r, sr_bits)
    if x == 0:
        return 0
    neg = x < 0
    m = -x if neg else x
    scale = max_scale(n, es)
    s = _floor_log2_of(m)
    if s >= scale:  # m >= maxpos
        mag = maxpos_code(n)
    elif s < -scale:  # m < minpos
        mag = 1
    else:
        f = floor_code(n, es, m, s)
        u = _dec(n, es, f)
        if u == m:
            mag = f
        elif mode == "rne":
            return _rne_between(n, es, x, f)
        else:
            mag = f + _round_up(mode, m, u, _dec(n, es, f + 1), r, sr_bits)
    return negate_code(n, mag) if neg else mag


# ----------------------------------------------------------------------------------------------
# Operations on codes (NaR in, NaR out; the result is rounded once)
# ----------------------------------------------------------------------------------------------


def _round_or_nar(n, es, x, mode, r, sr_bits) -> int:
    return nar(n) if x is None else round_to_posit(n, es, x, mode, r, sr_bits)


def _values(n: int, es: int, *codes):
    _check_format(n, es)
    return [decode(n, es, c) for c in codes]


def add(n: int, es: int, a: int, b: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """a + b, rounded once."""
    x, y = _values(n, es, a, b)
    return _round_or_nar(n, es, None if x is None or y is None else x + y, mode, r, sr_bits)


def sub(n: int, es: int, a: int, b: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """a - b, rounded once."""
    x, y = _values(n, es, a, b)
    return _round_or_nar(n, es, None if x is None or y is None else x - y, mode, r, sr_bits)


def mul(n: int, es: int, a: int, b: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """a * b, rounded once."""
    x, y = _values(n, es, a, b)
    return _round_or_nar(n, es, None if x is None or y is None else x * y, mode, r, sr_bits)


def div(n: int, es: int, a: int, b: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """a / b, rounded once; x / 0 is NaR (section 5: division by zero)."""
    x, y = _values(n, es, a, b)
    return _round_or_nar(n, es, None if x is None or not y else x / y, mode, r, sr_bits)


def sqrt(n: int, es: int, a: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """sqrt(a) rounded once, decided exactly (`SqrtOf`); negative or NaR gives NaR, 0 gives 0."""
    (x,) = _values(n, es, a)
    if x is None or x < 0:
        return nar(n)
    return 0 if x == 0 else round_to_posit(n, es, SqrtOf(x), mode, r, sr_bits)


def fma(n: int, es: int, a: int, b: int, c: int, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """a * b + c, rounded once."""
    x, y, z = _values(n, es, a, b, c)
    exact = None if x is None or y is None or z is None else x * y + z
    return _round_or_nar(n, es, exact, mode, r, sr_bits)


def from_f64(n: int, es: int, x: float, mode: str = "rne", r: int = 0, sr_bits: int = 0) -> int:
    """A binary64 value rounded to the posit (section 6): NaN and infinities give NaR, +-0 gives 0."""
    _check_format(n, es)
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return nar(n)
    return round_to_posit(n, es, Fraction(x), mode, r, sr_bits)


def convert_posit(code: int, n1: int, es1: int, n2: int, es2: int, mode: str = "rne", r: int = 0,
                  sr_bits: int = 0) -> int:
    """posit<n1,es1> to posit<n2,es2>: exact where representable, else rounded (section 6)."""
    (x,) = _values(n1, es1, code)
    _check_format(n2, es2)
    return _round_or_nar(n2, es2, x, mode, r, sr_bits)


def posit_to_minifloat(code: int, n: int, es: int, fmt: str, mode: str = "rne", overflow: str = "ieee",
                       r: int | None = None, sr_bits: int | None = None) -> tuple[int, int]:
    """A posit rounded into a minifloat by tests/oracle.py (its modes, overflow policies and flags):
    returns (code, flags). NaR becomes a quiet NaN: tests/oracle.py's handling of a NaN input (the
    canonical NaN with no flags; for a format without NaN its negative-zero code with NV); 0 is +0."""
    (x,) = _values(n, es, code)
    if mode not in minifloat.SR_MODES:
        r = sr_bits = None
    return minifloat.oracle_round(fmt, "nan" if x is None else x, mode, overflow, r, sr_bits)


def minifloat_to_posit(code: int, fmt: str, n: int, es: int, mode: str = "rne", r: int = 0,
                       sr_bits: int = 0) -> int:
    """A minifloat (decoded by tests/oracle.py) rounded to posit<n,es>: +-0 gives 0, NaN and
    infinities give NaR (section 6's rule for IEEE values)."""
    _check_format(n, es)
    v = minifloat.decode(fmt, code)
    if isinstance(v, Fraction):
        return round_to_posit(n, es, v, mode, r, sr_bits)
    return 0 if v in ("+0", "-0") else nar(n)


def compare(n: int, a: int, b: int, pred: str) -> bool:
    """Sections 5.1 and 5.3: the comparison of the codes as n-bit two's-complement integers, so NaR
    equals NaR and is less than every real."""
    x, y = signed(n, _check_code(n, a)), signed(n, _check_code(n, b))
    ops = {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}
    if pred not in ops:
        raise ValueError(f"unknown predicate {pred!r}; posits take {PREDICATES}")
    return ops[pred]


def dot(n: int, es: int, a_codes, b_codes, mode: str = "rne", r: int = 0, sr_bits: int = 0,
        carry_bits: int | None = None) -> int:
    """sum(a_i * b_i) computed exactly (a quire) and rounded once; any NaR gives NaR.

    carry_bits=None: an unbounded accumulator. Otherwise the quire of carry_bits carry-guard bits:
    two's-complement fixed point with 2 (n - 2) 2^es integer and as many fraction bits; a partial
    sum outside its range is carry overflow and makes the result NaR (section 5.11)."""
    _check_format(n, es)
    a_codes, b_codes = list(a_codes), list(b_codes)
    if len(a_codes) != len(b_codes):
        raise ValueError("dot needs two sequences of the same length")
    total = Fraction(0)
    limit = None
    if carry_bits is not None:
        limit = pow2(carry_bits + 2 * max_scale(n, es))  # |q| < limit; -limit itself is NaR's pattern
    for a, b in zip(a_codes, b_codes):
        x, y = decode(n, es, a), decode(n, es, b)
        if x is None or y is None:
            return nar(n)
        total += x * y
        if limit is not None and not -limit < total < limit:
            return nar(n)
    return round_to_posit(n, es, total, mode, r, sr_bits)
