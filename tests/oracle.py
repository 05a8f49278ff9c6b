"""An independent exact-rational oracle for minifloat arithmetic and conversion.

Written from docs/numerics.md and SPEC.md sections 1, 2, 3 and 12 only; it shares no code with
`refmodel`. Every value is a `fractions.Fraction`, every rounding follows P3109 v4
`RoundToPrecision` literally (quantum Q, discarded fraction nu, one round-away decision), and the
result code is found by looking the rounded value up in a table built by decoding every code, never
by assembling bit fields (binary32, too wide for a table, is encoded by numpy's float32).

Formats: `e<E>m<M>[b<BIAS>][fn|fnuz|fnu]`, the aliases fp16/bf16/fp32, and IEEE P3109 v4
`binary<K>p<P><s|u><e|f>` (decoded from the P3109 text, SPEC.md 3.2, not from field widths).

Two rounding implementations check each other (tests/test_oracle_selfcheck.py):
- `oracle_round`: the P3109 formula on Fractions (simple, slow);
- `Grid`: exact values as integers N * 2^s, rounded by binary search over the sorted list of the
  format's representable magnitudes (the neighbours lo <= |x| < hi, nu = (|x| - lo) / (hi - lo));
  fast enough, with memoization per distinct exact value, for exhaustive 8-bit tests.

Values are represented as:
- a nonzero `Fraction` (signed) for finite nonzero values;
- the strings '+0', '-0', '+inf', '-inf', 'nan' and 'snan' (signalling NaN) for the rest;
- operations may also produce 'invalid' (an invalid operation: NaN with NV).
"""

from __future__ import annotations

import math
import re
import struct
from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np

NV, DZ, OF, UF, NX = 0x10, 0x08, 0x04, 0x02, 0x01

MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr", "sr_b", "sr_c")
DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
SR_MODES = ("sr", "sr_b", "sr_c")
POLICIES = ("ieee", "sat", "sat_propagate")
PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge", "unordered")
MINMAX = ("minimum", "maximum", "minimum_number", "maximum_number")

HALF = Fraction(1, 2)

ALIASES = {"fp16": "e5m10", "binary16": "e5m10", "bf16": "e8m7", "bfloat16": "e8m7",
           "fp32": "e8m23", "binary32": "e8m23"}

# Above this many bits a format is not tabulated (only binary32 is supported there).
MAX_TABLE_BITS = 16


# ----------------------------------------------------------------------------------------------
# Formats
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Format:
    name: str
    w: int  # exponent field width
    t: int  # trailing significand width
    bias: int
    family: str  # 'ieee' (no suffix), 'fn', 'fnuz', 'fnu', 'p3109'
    nbits: int
    signed: bool
    has_inf: bool
    has_nan: bool
    has_negzero: bool
    has_zero: bool
    emin: int  # exponent of the smallest normal value
    values: object  # code -> value (Fraction or special string): a tuple, or lazy for binary32
    finite_code: object  # (negative: bool, magnitude: Fraction) -> code, magnitudes > 0
    zero_code: dict  # negative: bool -> code of the zero with that sign (empty: no zero)
    inf_code: dict  # negative: bool -> code of that infinity (only those that exist)
    max_finite: Fraction
    min_positive: Fraction  # smallest positive finite value
    canonical_nan: int | None

    @property
    def precision(self) -> int:
        return self.t + 1

    @property
    def tabulated(self) -> bool:
        return isinstance(self.values, tuple)

    def is_nan(self, code: int) -> bool:
        return self.values[code] in ("nan", "snan")


_NAME = re.compile(r"^e(\d+)m(\d+)(?:b(\d+))?(fn|fnuz|fnu)?$")
_P3109_NAME = re.compile(r"^binary(\d+)p(\d+)([su])([ef])$")


@cache
def pow2(n: int) -> Fraction:
    """2^n as a Fraction (memoized: decoding 16-bit tables asks for the same powers many times)."""
    return Fraction(2) ** n


def _decode_one(w: int, t: int, bias: int, family: str, nbits: int, code: int):
    if family == "fnu":  # unsigned, exponent only (docs/numerics.md, e8m0fnu): no zero
        assert t == 0
        return "nan" if code == (1 << w) - 1 else pow2(code - bias)
    sign = (code >> (w + t)) & 1
    e = (code >> t) & ((1 << w) - 1)
    m = code & ((1 << t) - 1)
    all_ones_e = e == (1 << w) - 1
    if family == "ieee" and all_ones_e:
        if m == 0:
            return "-inf" if sign else "+inf"
        # IEEE 754 3.4: the top trailing-significand bit clear means signalling.
        return "nan" if (m >> (t - 1)) & 1 else "snan"
    if family == "fn" and nbits >= 8 and all_ones_e and m == (1 << t) - 1:
        return "nan"
    if family == "fnuz" and sign == 1 and e == 0 and m == 0:
        return "nan"
    if e == 0:
        mag = m * pow2(1 - bias - t)
    else:
        mag = ((1 << t) + m) * pow2(e - bias - t)
    if mag == 0:
        return "-0" if sign else "+0"
    return -mag if sign else mag


def p3109_bias(k: int, p: int, signed: bool) -> int:
    """P3109 v4 3.1: B = 2^(K-P-1) signed, 2^(K-P) unsigned."""
    return 2 ** (k - p - 1) if signed else 2 ** (k - p)


def _decode_p3109(k: int, p: int, signed: bool, extended: bool, x: int):
    """P3109 v4 4.7.2 Decode, transcribed (SPEC.md 3.2): NaN, infinities, sign-magnitude negatives,
    then T = x mod 2^(P-1), E = x div 2^(P-1)."""
    b = p3109_bias(k, p, signed)
    if signed:
        if x == 2 ** (k - 1):
            return "nan"
        if extended and x == 2 ** (k - 1) - 1:
            return "+inf"
        if extended and x == 2**k - 1:
            return "-inf"
        if x > 2 ** (k - 1):
            v = _decode_p3109(k, p, signed, extended, x - 2 ** (k - 1))
            return -v if isinstance(v, Fraction) else {"+0": "-0", "+inf": "-inf"}[v]
    else:
        if x == 2**k - 1:
            return "nan"
        if extended and x == 2**k - 2:
            return "+inf"
    tt = x % 2 ** (p - 1)
    e = x // 2 ** (p - 1)
    if e == 0:
        v = (0 + tt * pow2(1 - p)) * pow2(1 - b)
    else:
        v = (1 + tt * pow2(1 - p)) * pow2(e - b)
    return "+0" if v == 0 else v


class _LazyValues:
    """values[code] for a format too wide to tabulate (decoded on demand)."""

    def __init__(self, w, t, bias, family, nbits):
        self.args = (w, t, bias, family, nbits)

    def __len__(self):
        return 1 << self.args[4]

    def __getitem__(self, code):
        if not 0 <= code < len(self):
            raise IndexError(code)
        return _decode_one(*self.args, code)


class _Binary32Codes:
    """finite_code[(negative, magnitude)] for binary32, by numpy's float32 (exact values only)."""

    def __getitem__(self, key):
        neg, mag = key
        x = float(mag)
        if x == 0 or Fraction(x) != mag or Fraction(float(np.float32(x))) != mag:
            raise KeyError(key)
        code = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
        return code | (1 << 31) if neg else code

    def __contains__(self, key):
        try:
            self[key]
        except KeyError:
            return False
        return True


@cache
def get_format(name: str) -> Format:
    key = ALIASES.get(name, name)
    mp = _P3109_NAME.match(key)
    if mp:
        return _p3109_format(name, int(mp.group(1)), int(mp.group(2)), mp.group(3) == "s", mp.group(4) == "e")
    mt = _NAME.match(key)
    if not mt:
        raise ValueError(f"unsupported format name {name!r}")
    w, t = int(mt.group(1)), int(mt.group(2))
    family = mt.group(4) or "ieee"
    if mt.group(3) is not None:
        bias = int(mt.group(3))
    elif family == "fnuz":
        bias = 1 << (w - 1)
    else:
        bias = (1 << (w - 1)) - 1
    if family == "ieee" and t < 1:
        raise ValueError("IEEE-like formats need t >= 1 (NaN needs a nonzero trailing significand)")
    if family == "fnu" and t != 0:
        raise ValueError("the fnu family has no trailing significand")
    signed = family != "fnu"
    nbits = int(signed) + w + t
    if nbits > MAX_TABLE_BITS:
        if (w, t, family) != (8, 23, "ieee"):
            raise ValueError(f"{name}: only binary32 is supported above {MAX_TABLE_BITS} bits")
        values = _LazyValues(w, t, bias, family, nbits)
        big = (2 - Fraction(2) ** -t) * Fraction(2) ** ((1 << w) - 2 - bias)
        return Format(name=name, w=w, t=t, bias=bias, family=family, nbits=nbits, signed=True, has_inf=True,
                      has_nan=True, has_negzero=True, has_zero=True, emin=1 - bias, values=values,
                      finite_code=_Binary32Codes(), zero_code={False: 0, True: 1 << 31},
                      inf_code={False: 0x7F800000, True: 0xFF800000}, max_finite=big,
                      min_positive=Fraction(2) ** (1 - bias - t), canonical_nan=0x7FC00000)
    values = tuple(_decode_one(w, t, bias, family, nbits, c) for c in range(1 << nbits))
    if family == "fnu":
        canonical_nan = (1 << nbits) - 1
    elif family == "fnuz":
        canonical_nan = 1 << (nbits - 1)
    elif family == "fn":
        canonical_nan = (1 << (nbits - 1)) - 1 if nbits >= 8 else None  # 0.1..1.1..1
    else:
        canonical_nan = (((1 << w) - 1) << t) | (1 << (t - 1))  # 0.1..1.10..0
    # The smallest normal: 2^(1-bias), or 2^-bias without subnormals (fnu: code 0 is 2^-bias).
    emin = -bias if family == "fnu" else 1 - bias
    return _tabulated(name, w, t, bias, family, signed, values, canonical_nan, emin)


def _p3109_format(name: str, k: int, p: int, signed: bool, extended: bool) -> Format:
    if not 3 <= k <= 16 or not (1 <= p < k if signed else 1 <= p <= k):
        raise ValueError(f"unsupported P3109 format {name!r}")
    values = tuple(_decode_p3109(k, p, signed, extended, x) for x in range(2**k))
    b = p3109_bias(k, p, signed)
    canonical_nan = 2 ** (k - 1) if signed else 2**k - 1
    return _tabulated(name, k - p + (0 if signed else 1), p - 1, b, "p3109", signed, values, canonical_nan, 1 - b)


def _tabulated(name, w, t, bias, family, signed, values, canonical_nan, emin) -> Format:
    finite_code: dict = {}
    zero_code: dict = {}
    inf_code: dict = {}
    for c, v in enumerate(values):
        if isinstance(v, Fraction):
            key = (v < 0, abs(v))
            assert key not in finite_code, (name, c)
            finite_code[key] = c
        elif v in ("+0", "-0"):
            assert (v == "-0") not in zero_code, (name, c)
            zero_code[v == "-0"] = c
        elif v in ("+inf", "-inf"):
            inf_code[v == "-inf"] = c
    has_zero = bool(zero_code)
    if has_zero and True not in zero_code:  # FNUZ, P3109: the only zero is +0
        zero_code[True] = zero_code[False]
    has_nan = any(v in ("nan", "snan") for v in values)
    assert (canonical_nan is not None) == has_nan, name
    if canonical_nan is not None:
        assert values[canonical_nan] == "nan", name
    mags = [m for (neg, m) in finite_code if not neg]
    return Format(
        name=name, w=w, t=t, bias=bias, family=family, nbits=len(values).bit_length() - 1, signed=signed,
        has_inf=bool(inf_code), has_nan=has_nan, has_negzero=has_zero and values[zero_code[True]] == "-0",
        has_zero=has_zero, emin=emin, values=values, finite_code=finite_code, zero_code=zero_code,
        inf_code=inf_code, max_finite=max(mags), min_positive=min(mags), canonical_nan=canonical_nan,
    )


def decode(fmt: str, code: int):
    """The value of a code: Fraction (nonzero finite) or '+0', '-0', '+inf', '-inf', 'nan', 'snan'."""
    return get_format(fmt).values[code]


def to_float(v) -> float:
    if isinstance(v, Fraction):
        return float(v)
    return {"+0": 0.0, "-0": -0.0, "+inf": math.inf, "-inf": -math.inf}.get(v, math.nan)


def decode_float(fmt: str, code: int) -> float:
    return to_float(decode(fmt, code))


def encode(fmt: str, v) -> int:
    """The code of a representable non-NaN value (Fraction or '+0', '-0', '+inf', '-inf')."""
    f = get_format(fmt)
    if isinstance(v, Fraction):
        if v == 0:
            return f.zero_code[False]
        return f.finite_code[(v < 0, abs(v))]
    if v in ("+0", "-0"):
        return f.zero_code[v == "-0"]
    return f.inf_code[v == "-inf"]


# ----------------------------------------------------------------------------------------------
# Rounding (docs/numerics.md, P3109 v4 4.7.4 RoundToPrecision, 4.7.5 Saturate)
# ----------------------------------------------------------------------------------------------


def floor_log2(a: Fraction) -> int:
    """floor(log2(a)) for a > 0, exactly."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    # now 2^(e-1) < a < 2^(e+1)
    if Fraction(2) ** e > a:
        e -= 1
    assert Fraction(2) ** e <= a < Fraction(2) ** (e + 1)
    return e


def rnite(num: int, den: int) -> int:
    """RNITE(num/den): round to the nearest integer, ties to even (den > 0)."""
    f = num // den
    twice_rem = 2 * (num - f * den)  # 2 * (y - floor(y)) * den
    if twice_rem > den or (twice_rem == den and f % 2 == 1):
        return f + 1
    return f


def round_away(mode: str, negative: bool, nu: Fraction, code_is_even: bool, r, n) -> bool:
    """The RoundAway predicate of P3109 v4 4.7.4 for one mode (nu in [0, 1))."""
    if mode == "rne":
        return nu > HALF or (nu == HALF and not code_is_even)
    if mode == "rtz":
        return False
    if mode == "rdn":
        return nu > 0 and negative
    if mode == "rup":
        return nu > 0 and not negative
    if mode == "rna":
        return nu >= HALF
    if mode == "rod":
        return nu > 0 and code_is_even
    # Stochastic: nu * 2^k is computed on the Fraction's integers: floor(nu 2^k) = (num 2^k) // den.
    if mode == "sr":  # StochasticA: floor(nu 2^N) + R >= 2^N
        return (nu.numerator << n) // nu.denominator + r >= 2**n
    if mode == "sr_b":  # StochasticB: floor(nu 2^(N+1)) + 2R + 1 >= 2^(N+1)
        return (nu.numerator << (n + 1)) // nu.denominator + 2 * r + 1 >= 2 ** (n + 1)
    if mode == "sr_c":  # StochasticC: RNITE(nu 2^N) + R >= 2^N
        return rnite(nu.numerator << n, nu.denominator) + r >= 2**n
    raise ValueError(f"unknown rounding mode {mode!r}")


def split(fmt: Format, a: Fraction, unbounded: bool = False) -> tuple[int, int, Fraction, bool]:
    """The R- and mode-independent part of RoundToPrecision for a magnitude a > 0:
    (Q, floor(S~), nu, CodeIsEven) with Q = max(floor(log2 a), emin) - t, S~ = a / 2^Q,
    nu = S~ - floor(S~).  unbounded=True drops the max(., emin): rounding to P bits with an
    unbounded exponent range, for tininess detection."""
    e = floor_log2(a)
    q = (e if unbounded else max(e, fmt.emin)) - fmt.t
    s_tilde = a / Fraction(2) ** q
    fl = math.floor(s_tilde)
    nu = s_tilde - fl
    if fmt.t >= 1:
        code_is_even = fl % 2 == 0
    else:  # P3109 CodeIsEven for P = 1: the code's parity is the biased exponent's
        code_is_even = fl == 0 or (q + fmt.bias) % 2 == 0
    return q, fl, nu, code_is_even


@lru_cache(maxsize=1 << 20)
def _splits(fmt_name: str, x: Fraction):
    """split(|x|), bounded and unbounded (memoized)."""
    fmt = get_format(fmt_name)
    return split(fmt, abs(x)), split(fmt, abs(x), unbounded=True)


def round_to_precision(fmt: Format, x: Fraction, mode: str, r=None, n=None,
                       unbounded: bool = False) -> Fraction:
    """P3109 RoundToPrecision of a nonzero x: the rounded value sgn(x) * S * 2^Q, with
    S = floor(S~) + RoundAway (signed; may be 0 or exceed max finite)."""
    q, fl, nu, code_is_even = split(fmt, abs(x), unbounded)
    s = fl + (1 if round_away(mode, x < 0, nu, code_is_even, r, n) else 0)
    z = s * Fraction(2) ** q
    return -z if x < 0 else z


def _check_sr(mode: str, r, n):
    """Validated (R, N) for a stochastic mode, (None, None) for the others."""
    if mode in SR_MODES:
        if n is None or not 1 <= n <= 64:
            raise ValueError(f"{mode} needs sr_bits in 1..64, got {n}")
        if r is None or not 0 <= int(r) < 2**n:
            raise ValueError(f"{mode} needs 0 <= r < 2^{n}, got {r}")
        return int(r), int(n)
    if mode not in MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return None, None


def _max_code(fmt: Format, negative: bool) -> int:
    return fmt.finite_code[(negative, fmt.max_finite)]


def _min_code(fmt: Format) -> int:
    """M_lo of an unsigned format: its zero, or (no zero: e8m0fnu) its smallest value."""
    return fmt.zero_code[False] if fmt.has_zero else fmt.finite_code[(False, fmt.min_positive)]


def _nan_result(fmt: Format) -> tuple[int, int]:
    """A NaN produced from non-NaN operands (flag NV)."""
    if fmt.has_nan:
        return fmt.canonical_nan, NV
    # No NaN in the format: the negative-zero code (as ml_dtypes), NV.
    return fmt.zero_code[True], NV


def _below_range(fmt: Format, overflow: str) -> tuple[int, int]:
    """An unsigned format given a value below M_lo (a negative one, or -Inf; for e8m0fnu also
    zero): NaN with NV under ieee, M_lo with NX under sat and sat_propagate (docs/numerics.md)."""
    if overflow == "ieee":
        return fmt.canonical_nan, NV
    return _min_code(fmt), NX


def _round_special(fmt: Format, x: str, overflow: str) -> tuple[int, int]:
    if x in ("snan", "invalid"):
        return _nan_result(fmt)
    if x == "nan":
        if fmt.has_nan:
            return fmt.canonical_nan, 0
        return fmt.zero_code[True], NV  # NaN into a format without NaN: -0 code and NV
    if x in ("+0", "-0"):
        if not fmt.has_zero:  # e8m0fnu: zero is below M_lo
            return _below_range(fmt, overflow)
        return fmt.zero_code[x == "-0"], 0
    neg = x == "-inf"
    if neg and not fmt.signed:  # like +Inf clamped to max under sat: an exact operand, no flags
        code, flags = _below_range(fmt, overflow)
        return code, flags & NV
    if overflow == "sat":
        return _max_code(fmt, neg), 0
    if fmt.has_inf:  # ieee and sat_propagate keep infinities
        return fmt.inf_code[neg], 0
    if overflow == "ieee" and fmt.has_nan:
        return fmt.canonical_nan, NV  # OCP NONSAT: Inf into E4M3 is NaN
    return _max_code(fmt, neg), 0


def _overflow(fmt: Format, neg: bool, mode: str, overflow: str) -> tuple[int, int]:
    """The rounded magnitude exceeds max finite (docs/numerics.md, Overflow)."""
    flags = OF | NX
    max_code = _max_code(fmt, neg)
    if overflow in ("sat", "sat_propagate"):
        return max_code, flags
    toward_zero = mode == "rtz" or (mode == "rdn" and not neg) or (mode == "rup" and neg)
    if toward_zero:
        return max_code, flags
    # The overflow value: Inf, else NaN (not for P3109's finite formats: SatNone clamps), else max.
    if fmt.has_inf:
        ovf_code = fmt.inf_code[neg]
    elif fmt.has_nan and fmt.family != "p3109":
        # the NaN stands for the overflowed value: OF | NX only (docs/numerics.md, Flags)
        ovf_code = fmt.canonical_nan
    else:
        ovf_code = max_code
    if mode == "rod" and ovf_code != max_code:
        if max_code % 2 == 1:
            return max_code, flags
        assert ovf_code % 2 == 1, (fmt.name, ovf_code)
    return ovf_code, flags


def _round_finite(fmt_name: str, x: Fraction, mode: str, overflow: str, r, n) -> tuple[int, int]:
    """round_to_precision twice (bounded, and unbounded for tininess), then _pack; the
    decomposition of |x| is memoized so that only the round-away decisions depend on R."""
    fmt = get_format(fmt_name)
    neg = x.numerator < 0
    if fmt.family == "fnu":  # e8m0fnu: negatives are below M_lo; values below 2^emin give M_lo
        if neg:
            return _below_range(fmt, overflow)
        if x < Fraction(2) ** fmt.emin:
            return _min_code(fmt), UF | NX
    (q, fl, nu, even), (qu, flu, nuu, even_u) = _splits(fmt_name, x)
    s = fl + round_away(mode, neg, nu, even, r, n)
    su = flu + round_away(mode, neg, nuu, even_u, r, n)
    exact = nu.numerator == 0
    assert s == fl or not exact  # an exact value never rounds away
    if neg and not fmt.signed and s != 0:  # unsigned: a nonzero rounded negative is below M_lo
        return _below_range(fmt, overflow)
    return _pack(fmt_name, neg, s, q, exact, su, qu, mode, overflow)


@lru_cache(maxsize=1 << 16)
def _round_finite_cached(fmt_name: str, x: Fraction, mode: str, overflow: str) -> tuple[int, int]:
    return _round_finite(fmt_name, x, mode, overflow, None, None)


@lru_cache(maxsize=1 << 20)
def _pack(fmt_name: str, neg: bool, s: int, q: int, exact: bool, su: int, qu: int, mode: str,
          overflow: str) -> tuple[int, int]:
    """Everything after rounding: the rounded magnitude s * 2^q (and su * 2^qu, the same rounding
    with unbounded exponent range) to overflow policy, flags and the code found by value lookup."""
    fmt = get_format(fmt_name)
    mag = s * Fraction(2) ** q
    flags = 0 if exact else NX
    if mag > fmt.max_finite:
        return _overflow(fmt, neg, mode, overflow)
    if flags & NX:
        mag_u = su * Fraction(2) ** qu
        assert mag_u != 0
        if mag_u < Fraction(2) ** fmt.emin:  # tiny: UF
            flags |= UF
    if mag == 0:
        return fmt.zero_code[neg], flags
    return fmt.finite_code[(neg, mag)], flags


def oracle_round(fmt: str, x, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits=None,
                 negative_zero: bool = False) -> tuple[int, int]:
    """Round an exact value into `fmt`: returns (code, flags).

    x: a Fraction/int (Fraction(0) is +0, or -0 with negative_zero=True) or one of the strings
    '+0', '-0', '+inf', '-inf', 'nan', 'snan', 'invalid'."""
    if overflow not in POLICIES:
        raise ValueError(f"unknown overflow policy {overflow!r}")
    r, n = _check_sr(rounding, r, sr_bits)
    if type(x) is not Fraction:
        if isinstance(x, str):
            if x not in ("+0", "-0", "+inf", "-inf", "nan", "snan", "invalid"):
                raise ValueError(x)
            return _round_special(get_format(fmt), x, overflow)
        x = Fraction(x)
    if x.numerator == 0:
        return _round_special(get_format(fmt), "-0" if negative_zero else "+0", overflow)
    if n is not None:  # stochastic: R varies per call, memoize only the R-independent parts
        return _round_finite(fmt, x, rounding, overflow, r, n)
    return _round_finite_cached(fmt, x, rounding, overflow)


# ----------------------------------------------------------------------------------------------
# The fast path: rounding integers by search over the sorted representable magnitudes
# ----------------------------------------------------------------------------------------------


def _away(mode: str, neg: bool, d: int, u: int, lo_even: bool, r, n) -> bool:
    """Round away from the lower neighbour lo, for |x| = lo + d strictly between lo and hi = lo + u
    (0 < d < u): nu = d / u, and the modes of docs/numerics.md in integers."""
    if mode == "rne":
        return 2 * d > u or (2 * d == u and not lo_even)
    if mode == "rtz":
        return False
    if mode == "rdn":
        return neg
    if mode == "rup":
        return not neg
    if mode == "rna":
        return 2 * d >= u
    if mode == "rod":
        return lo_even
    if mode == "sr":
        return (d << n) // u + r >= 1 << n
    if mode == "sr_b":
        return (d << (n + 1)) // u + 2 * r + 1 >= 1 << (n + 1)
    if mode == "sr_c":
        return rnite(d << n, u) + r >= 1 << n
    raise ValueError(f"unknown rounding mode {mode!r}")


class Grid:
    """Rounding into a tabulated format of exact values given as integers V (value V * 2^s).

    The format's magnitudes (0 if it has zero, then every positive finite value) are listed
    sorted, as integers at scale 2^s, with one more point `beyond` = max + ulp(max), the next value
    of the unbounded-exponent grid (anything that rounds to it or past it overflows). For |V|
    strictly between neighbours lo < hi the discarded fraction is nu = (|V| - lo) / (hi - lo) (hi - lo
    is the quantum 2^Q there), and the code of lo gives CodeIsEven. Tininess: |V| < 2^emin and
    |V| does not round (same mode, same R) up to 2^emin on the unbounded grid, whose last point
    below 2^emin is `tiny_lo` = 2^emin - 2^(emin-1-t) (code parity: odd for t >= 1; for P = 1 the
    P3109 CodeIsEven of exponent emin - 1, i.e. of the biased exponent 0: even).

    s must be fine enough: s <= emin - 1 - t."""

    def __init__(self, fmt_name: str, s: int):
        f = get_format(fmt_name)
        assert f.tabulated, fmt_name
        self.fmt = f
        self.s = s
        scale = Fraction(2) ** -s

        def to_int(v: Fraction) -> int:
            n = v * scale
            assert n.denominator == 1, (fmt_name, s, v)
            return n.numerator

        mags = sorted(m for (neg, m) in f.finite_code if not neg)
        self.ints = ([0] if f.has_zero else []) + [to_int(m) for m in mags]
        self.pos = ([f.zero_code[False]] if f.has_zero else []) + [f.finite_code[(False, m)] for m in mags]
        self.neg = ([f.zero_code[True]] if f.has_zero else []) + (
            [f.finite_code[(True, m)] for m in mags] if f.signed else [None] * len(mags))
        self.even = [c % 2 == 0 for c in self.pos]
        self.beyond = to_int(f.max_finite + Fraction(2) ** (floor_log2(f.max_finite) - f.t))
        self.min_normal = to_int(Fraction(2) ** f.emin)
        self.tiny_lo = to_int(Fraction(2) ** f.emin - Fraction(2) ** (f.emin - 1 - f.t))
        self.tiny_lo_even = f.t == 0
        self._where: dict = {}

    def where(self, m: int):
        """(index of lo, d = m - lo, u = hi - lo) for a magnitude m > 0; d = 0 if exact, u = None
        when m >= beyond; index -1 when m is below the smallest magnitude (e8m0fnu)."""
        got = self._where.get(m)
        if got is None:
            i = bisect_right(self.ints, m) - 1
            if i < 0:
                got = (-1, None, None)
            elif m >= self.beyond:
                got = (i, m - self.ints[i], None)
            else:
                lo = self.ints[i]
                hi = self.ints[i + 1] if i + 1 < len(self.ints) else self.beyond
                got = (i, m - lo, hi - lo)
            self._where[m] = got
        return got

    def round(self, v: int, mode: str, overflow: str = "ieee", r=None, n=None, at=None) -> tuple[int, int]:
        """(code, flags) for the exact nonzero value v * 2^s (at: where(|v|) if known)."""
        f = self.fmt
        neg = v < 0
        m = -v if neg else v
        i, d, u = self.where(m) if at is None else at
        if f.family == "fnu":
            if neg:
                return _below_range(f, overflow)
            if i < 0:  # below 2^emin
                return self.pos[0], UF | NX
        if d == 0:
            if neg and not f.signed:
                return _below_range(f, overflow)
            return (self.neg if neg else self.pos)[i], 0
        if u is None or (i + 1 == len(self.ints) and _away(mode, neg, d, u, self.even[i], r, n)):
            if neg and not f.signed:
                return _below_range(f, overflow)
            return _overflow(f, neg, mode, overflow)
        j = i + 1 if _away(mode, neg, d, u, self.even[i], r, n) else i
        if neg and not f.signed and self.ints[j] != 0:
            return _below_range(f, overflow)
        flags = NX
        if m < self.min_normal and not (
                m > self.tiny_lo
                and _away(mode, neg, m - self.tiny_lo, self.min_normal - self.tiny_lo, self.tiny_lo_even, r, n)):
            flags |= UF
        return (self.neg if neg else self.pos)[j], flags


@cache
def grid(fmt_name: str, s: int) -> Grid:
    return Grid(fmt_name, s)


def qmin(fmt_name: str) -> int:
    """The exponent of the smallest quantum: every finite value is an integer times 2^qmin."""
    f = get_format(fmt_name)
    return f.emin - f.t if f.family != "fnu" else f.emin


def as_int(v: Fraction, s: int) -> int:
    n = v * Fraction(2) ** -s
    assert n.denominator == 1, (v, s)
    return n.numerator


# ----------------------------------------------------------------------------------------------
# Operations on decoded values (docs/numerics.md, Operations)
# ----------------------------------------------------------------------------------------------


def is_nan(v) -> bool:
    return v in ("nan", "snan")


def _negative(v) -> bool:
    if isinstance(v, Fraction):
        return v < 0
    return v.startswith("-")


def negate(v):
    if isinstance(v, Fraction):
        return -v
    return {"+0": "-0", "-0": "+0", "+inf": "-inf", "-inf": "+inf"}.get(v, v)


def exact_mul(av, bv):
    """The exact product of two decoded values (Fraction or special string)."""
    if type(av) is Fraction and type(bv) is Fraction:
        return av * bv
    if is_nan(av) or is_nan(bv):
        return "snan" if "snan" in (av, bv) else "nan"
    a_inf = av in ("+inf", "-inf")
    b_inf = bv in ("+inf", "-inf")
    a_zero = av in ("+0", "-0")
    b_zero = bv in ("+0", "-0")
    neg = _negative(av) != _negative(bv)
    if (a_inf and b_zero) or (a_zero and b_inf):
        return "invalid"
    if a_inf or b_inf:
        return "-inf" if neg else "+inf"
    if a_zero or b_zero:
        return "-0" if neg else "+0"
    return av * bv


def exact_add(av, bv, rounding: str):
    """The exact sum; an exact zero sum of opposite-signed operands is +0, -0 under rdn (IEEE 754
    6.3); Inf - Inf is invalid. 'invalid' operands (from fma's product) propagate."""
    if "invalid" in (av, bv):
        return "invalid"
    if is_nan(av) or is_nan(bv):
        return "snan" if "snan" in (av, bv) else "nan"
    a_inf = av in ("+inf", "-inf")
    b_inf = bv in ("+inf", "-inf")
    if a_inf and b_inf:
        return av if av == bv else "invalid"
    if a_inf or b_inf:
        return av if a_inf else bv
    a_zero = av in ("+0", "-0")
    b_zero = bv in ("+0", "-0")
    if a_zero and b_zero:
        if av == bv:
            return av
        return "-0" if rounding == "rdn" else "+0"
    if a_zero:
        return bv
    if b_zero:
        return av
    s = av + bv
    if s == 0:
        return "-0" if rounding == "rdn" else "+0"
    return s


def exact_fma(av, bv, cv, rounding: str):
    """a * b + c exactly: 0 x Inf is invalid even when c is a quiet NaN; NaNs propagate
    (signalling if any is)."""
    p = exact_mul(av, bv)
    if p == "invalid":
        return "invalid"
    if p == "snan" or cv == "snan":
        return "snan"
    if p == "nan" or cv == "nan":
        return "nan"
    return exact_add(p, cv, rounding)


def _r(fmt, v, rounding, overflow, r, sr_bits):
    return oracle_round(fmt, v, rounding, overflow, r, sr_bits)


def oracle_mul(fmt: str, a: int, b: int, rounding: str = "rne", overflow: str = "ieee", r=None,
               sr_bits=None) -> tuple[int, int]:
    f = get_format(fmt)
    return _r(fmt, exact_mul(f.values[int(a)], f.values[int(b)]), rounding, overflow, r, sr_bits)


def oracle_add(fmt: str, a: int, b: int, rounding: str = "rne", overflow: str = "ieee", r=None,
               sr_bits=None) -> tuple[int, int]:
    f = get_format(fmt)
    return _r(fmt, exact_add(f.values[int(a)], f.values[int(b)], rounding), rounding, overflow, r, sr_bits)


def oracle_sub(fmt: str, a: int, b: int, rounding: str = "rne", overflow: str = "ieee", r=None,
               sr_bits=None) -> tuple[int, int]:
    """a - b = a + (-b)."""
    f = get_format(fmt)
    return _r(fmt, exact_add(f.values[int(a)], negate(f.values[int(b)]), rounding), rounding, overflow, r,
              sr_bits)


def oracle_fma(fmt: str, a: int, b: int, c: int, acc_fmt: str | None = None, rounding: str = "rne",
               overflow: str = "ieee", r=None, sr_bits=None) -> tuple[int, int]:
    """a, b in fmt; c and the result in acc_fmt (default fmt)."""
    acc = acc_fmt or fmt
    f, g = get_format(fmt), get_format(acc)
    v = exact_fma(f.values[int(a)], f.values[int(b)], g.values[int(c)], rounding)
    return _r(acc, v, rounding, overflow, r, sr_bits)


def oracle_convert(fmt: str, a: int, to: str, rounding: str = "rne", overflow: str = "ieee", r=None,
                   sr_bits=None) -> tuple[int, int]:
    return _r(to, get_format(fmt).values[int(a)], rounding, overflow, r, sr_bits)


def _order_key(v):
    """Total order of non-NaN values with -0 < +0."""
    if isinstance(v, Fraction):
        return (v, 0)
    return {"-inf": (-math.inf, 0), "-0": (0, -1), "+0": (0, 0), "+inf": (math.inf, 0)}[v]


def oracle_minmax(fmt: str, op: str, a: int, b: int) -> tuple[int, int]:
    """minimum, maximum (a NaN operand gives the canonical NaN), minimum_number, maximum_number
    (a NaN operand is ignored unless both are NaN); -0 < +0; NV for a signalling NaN operand.
    The result is an operand's code (codes of non-NaN values are unique)."""
    f = get_format(fmt)
    a, b = int(a), int(b)
    av, bv = f.values[a], f.values[b]
    flags = NV if "snan" in (av, bv) else 0
    if op not in MINMAX:
        raise ValueError(op)
    a_nan, b_nan = is_nan(av), is_nan(bv)
    if a_nan and b_nan:
        return f.canonical_nan, flags
    if a_nan or b_nan:
        if op.endswith("_number"):
            return (b if a_nan else a), flags
        return f.canonical_nan, flags
    ka, kb = _order_key(av), _order_key(bv)
    if op.startswith("minimum"):
        return (a if ka <= kb else b), flags
    return (a if ka >= kb else b), flags


def oracle_compare(fmt: str, a: int, b: int, pred: str) -> tuple[bool, int]:
    """IEEE 754 5.11: -0 == +0; NaN unordered with everything; eq, ne, unordered quiet (NV for a
    signalling NaN only); lt, le, gt, ge signal NV for any NaN operand."""
    f = get_format(fmt)
    av, bv = f.values[int(a)], f.values[int(b)]
    unordered = is_nan(av) or is_nan(bv)
    flags = NV if "snan" in (av, bv) else 0
    if pred in ("lt", "le", "gt", "ge") and unordered:
        flags = NV
    if unordered:
        return {"eq": False, "ne": True, "lt": False, "le": False, "gt": False, "ge": False,
                "unordered": True}[pred], flags
    x, y = _order_key(av)[0], _order_key(bv)[0]  # +-0 compare equal
    return {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y,
            "unordered": False}[pred], flags


def oracle_mul_exact(fmt: str, a: int, b: int):
    """(cls, negative, value, flags): cls 0 zero, 1 finite, 2 inf, 3 nan; value the exact product
    (Fraction) for cls 1, negative the xor of the operand signs (None for NaN)."""
    f = get_format(fmt)
    p = exact_mul(f.values[int(a)], f.values[int(b)])
    if p in ("invalid", "snan"):
        return 3, None, None, NV
    if p == "nan":
        return 3, None, None, 0
    if p in ("+inf", "-inf"):
        return 2, p == "-inf", None, 0
    if p in ("+0", "-0"):
        return 0, p == "-0", Fraction(0), 0
    return 1, p < 0, abs(p), 0


# ----------------------------------------------------------------------------------------------
# binary64 inputs
# ----------------------------------------------------------------------------------------------


def f64_value(x) -> object:
    """The exact value of a binary64 (Python float or numpy float64) in the oracle's representation.

    A NaN with the quiet bit (bit 51) clear is signalling."""
    (bits,) = struct.unpack("<Q", struct.pack("<d", float(x)))
    return f64_bits_value(bits)


def f64_bits_value(bits: int) -> object:
    sign = bits >> 63
    e = (bits >> 52) & 0x7FF
    m = bits & ((1 << 52) - 1)
    if e == 0x7FF:
        if m == 0:
            return "-inf" if sign else "+inf"
        return "nan" if (m >> 51) & 1 else "snan"
    if e == 0:
        mag = Fraction(m) * Fraction(2) ** (-1074)
    else:
        mag = Fraction((1 << 52) | m) * Fraction(2) ** (e - 1075)
    if mag == 0:
        return "-0" if sign else "+0"
    return -mag if sign else mag


def oracle_from_f64(fmt: str, x: float, rounding: str = "rne", overflow: str = "ieee", r=None,
                    sr_bits=None) -> tuple[int, int]:
    """Round a binary64 (Python float or numpy float64) into fmt."""
    return oracle_round(fmt, f64_value(x), rounding, overflow, r, sr_bits)


def oracle_from_f64_bits(fmt: str, bits: int, rounding: str = "rne", overflow: str = "ieee", r=None,
                         sr_bits=None) -> tuple[int, int]:
    """Round the binary64 with the given 64-bit pattern into fmt (keeps signalling NaNs exact)."""
    return oracle_round(fmt, f64_bits_value(int(bits)), rounding, overflow, r, sr_bits)


# ----------------------------------------------------------------------------------------------
# Batch evaluation through the Grid (exhaustive tests)
# ----------------------------------------------------------------------------------------------


class Batch:
    """Exact values rounded into fmt, many times (per mode, policy and R): each distinct value is
    located on the Grid once. values: ints V (meaning V * 2^s, V != 0) or special strings
    (including '+0', '-0' and 'invalid')."""

    def __init__(self, fmt: str, values, s: int):
        self.fmt = fmt
        self.f = get_format(fmt)
        self.s = s
        self.grid = grid(fmt, s) if self.f.tabulated else None
        index: dict = {}
        inv = np.empty(len(values), np.int64)
        for k, v in enumerate(values):
            j = index.get(v)
            if j is None:
                j = index[v] = len(index)
            inv[k] = j
        self.uniq = list(index)
        self.inv = inv
        if self.grid is not None:
            self.at = [None if type(v) is str else self.grid.where(-v if v < 0 else v) for v in self.uniq]

    def _one(self, j: int, rounding: str, overflow: str, r=None, n=None) -> tuple[int, int]:
        v = self.uniq[j]
        if type(v) is str:
            return _round_special(self.f, v, overflow)
        if self.grid is not None:
            return self.grid.round(v, rounding, overflow, r, n, at=self.at[j])
        return oracle_round(self.fmt, Fraction(v) * Fraction(2) ** self.s, rounding, overflow, r, n)

    def round(self, rounding: str, overflow: str = "ieee", r=None, sr_bits=None):
        """(codes, flags) numpy arrays; with SR, r holds one R per value."""
        if overflow not in POLICIES:
            raise ValueError(overflow)
        if rounding in SR_MODES:
            assert r is not None and len(r) == len(self.inv) and sr_bits
            out = [self._one(j, rounding, overflow, rk, sr_bits)
                   for j, rk in zip(self.inv.tolist(), np.asarray(r).tolist())]
            z, fl = (np.array(c, dtype=np.int64) for c in zip(*out))
            return z, fl
        if rounding not in MODES:
            raise ValueError(rounding)
        table = [self._one(j, rounding, overflow) for j in range(len(self.uniq))]
        tz, tf = (np.array(c, dtype=np.int64) for c in zip(*table))
        return tz[self.inv], tf[self.inv]


def round_values(fmt: str, values, s: int, rounding: str, overflow: str, r=None, sr_bits=None):
    """(codes, flags) numpy arrays for a list of exact values (see Batch)."""
    return Batch(fmt, values, s).round(rounding, overflow, r, sr_bits)


def int_values(fmt: str, codes, s: int) -> list:
    """Decoded codes with finite nonzero values as ints at scale 2^s (specials as strings)."""
    f = get_format(fmt)
    out = []
    for c in codes:
        v = f.values[int(c)]
        out.append(as_int(v, s) if isinstance(v, Fraction) else v)
    return out


def _int_special(v):
    """An int or a string as the oracle's value representation for the exact-op functions."""
    return v if type(v) is str else Fraction(v)


def exact_results(op: str, fmt: str, a, b, rounding: str):
    """Exact results of op (add, sub, mul) on code arrays a, b as a list of ints at scale 2^s, and s.

    Finite operands are integers (scale 2^(qmin - 1) for add and sub, whose sums are integers at that
    scale; for mul the product of two such integers at scale 2^(2 qmin - 2)); specials through
    exact_add / exact_mul."""
    s_in = qmin(fmt) - 1
    dec = int_values(fmt, range(1 << get_format(fmt).nbits), s_in)
    out = []
    if op == "mul":
        s = 2 * s_in
        for x, y in zip(np.asarray(a).tolist(), np.asarray(b).tolist()):
            va, vb = dec[x], dec[y]
            if type(va) is int and type(vb) is int:
                out.append(va * vb)
            else:
                p = exact_mul(_int_special(va), _int_special(vb))
                out.append(p if type(p) is str else as_int(p, 0))
        return out, s
    if op not in ("add", "sub"):
        raise ValueError(op)
    for x, y in zip(np.asarray(a).tolist(), np.asarray(b).tolist()):
        va, vb = dec[x], dec[y]
        if op == "sub":
            vb = -vb if type(vb) is int else negate(vb)
        if type(va) is int and type(vb) is int:
            t = va + vb
            out.append(t if t != 0 else ("-0" if rounding == "rdn" else "+0"))
        else:
            p = exact_add(_int_special(va), _int_special(vb), rounding)
            out.append(p if type(p) is str else as_int(p, 0))
    return out, s_in


def exact_fma_results(fmt: str, acc: str, a, b, c, rounding: str):
    """Exact a * b + c for code arrays (a, b in fmt, c in acc) as a list of ints at scale 2^s, and s:
    products are integers at 2^(2 qmin(fmt)), addends at 2^qmin(acc); s also fine enough for acc's
    Grid. Specials and zeros through exact_fma."""
    qf, qa = qmin(fmt), qmin(acc)
    s = min(2 * qf, qa - 1)
    f, g = get_format(fmt), get_format(acc)
    dec_f = int_values(fmt, range(1 << f.nbits), qf)
    out = []
    for x, y, z in zip(np.asarray(a).tolist(), np.asarray(b).tolist(), np.asarray(c).tolist()):
        va, vb, vc = dec_f[x], dec_f[y], g.values[z]
        if type(va) is int and type(vb) is int and type(vc) is Fraction:
            t = ((va * vb) << (2 * qf - s)) + as_int(vc, s)
            out.append(t if t != 0 else ("-0" if rounding == "rdn" else "+0"))
            continue
        fa = va if type(va) is str else va * pow2(qf)
        fb = vb if type(vb) is str else vb * pow2(qf)
        v = exact_fma(fa, fb, vc, rounding)
        out.append(v if type(v) is str else as_int(v, s))
    return out, s
