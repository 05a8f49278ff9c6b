"""An independent exact-rational oracle for minifloat rounding, multiplication and binary64 conversion.

Written from docs/numerics.md and SPEC.md sections 1, 2, 3.3 and 3.4 only; it shares no code with
`refmodel`. Every value is a `fractions.Fraction`, every rounding follows P3109 v4
`RoundToPrecision` literally (quantum Q, discarded fraction nu, one round-away decision), and the
result code is found by looking the rounded value up in a table built by decoding every code, never
by assembling bit fields. Simple rather than fast; memoization makes it fast enough for exhaustive
8-bit tests.

Values are represented as:
- a nonzero `Fraction` (signed) for finite nonzero values;
- the strings '+0', '-0', '+inf', '-inf', 'nan' and 'snan' (signalling NaN) for the rest.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache

NV, DZ, OF, UF, NX = 0x10, 0x08, 0x04, 0x02, 0x01

MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr", "sr_b", "sr_c")
SR_MODES = ("sr", "sr_b", "sr_c")
POLICIES = ("ieee", "sat", "sat_propagate")

HALF = Fraction(1, 2)



# ----------------------------------------------------------------------------------------------
# Formats
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Format:
    name: str
    w: int  # exponent field width
    t: int  # trailing significand width
    bias: int
    family: str  # 'ieee' (no suffix), 'fn', 'fnuz'
    nbits: int
    has_inf: bool
    has_nan: bool
    has_negzero: bool
    emin: int
    values: tuple  # code -> value (Fraction or special string)
    finite_code: dict  # (negative: bool, magnitude: Fraction) -> code, magnitudes > 0
    zero_code: dict  # negative: bool -> code of the zero with that sign
    max_finite: Fraction
    canonical_nan: int | None

    @property
    def precision(self) -> int:
        return self.t + 1

    def is_nan(self, code: int) -> bool:
        return self.values[code] in ("nan", "snan")


_NAME = re.compile(r"^e(\d+)m(\d+)(?:b(\d+))?(fn|fnuz)?$")


def _decode_one(w: int, t: int, bias: int, family: str, nbits: int, code: int):
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
        mag = Fraction(m, 1 << t) * Fraction(2) ** (1 - bias)
    else:
        mag = (1 + Fraction(m, 1 << t)) * Fraction(2) ** (e - bias)
    if mag == 0:
        return "-0" if sign else "+0"
    return -mag if sign else mag


@cache
def get_format(name: str) -> Format:
    mt = _NAME.match(name)
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
    nbits = 1 + w + t
    values = tuple(_decode_one(w, t, bias, family, nbits, c) for c in range(1 << nbits))
    finite_code: dict = {}
    zero_code: dict = {}
    for c, v in enumerate(values):
        if isinstance(v, Fraction):
            key = (v < 0, abs(v))
            assert key not in finite_code, (name, c)
            finite_code[key] = c
        elif v in ("+0", "-0"):
            zero_code[v == "-0"] = c
    if False not in zero_code:
        raise AssertionError(name)
    if True not in zero_code:  # FNUZ: the only zero is +0
        zero_code[True] = zero_code[False]
    has_nan = any(v in ("nan", "snan") for v in values)
    if not has_nan:
        canonical_nan = None
    elif family == "fnuz":
        canonical_nan = 1 << (nbits - 1)
    elif family == "fn":
        canonical_nan = (1 << (nbits - 1)) - 1  # 0.1..1.1..1
    else:
        canonical_nan = (((1 << w) - 1) << t) | (1 << (t - 1))  # 0.1..1.10..0
    if canonical_nan is not None:
        assert values[canonical_nan] == "nan", name
    return Format(
        name=name,
        w=w,
        t=t,
        bias=bias,
        family=family,
        nbits=nbits,
        has_inf="+inf" in values,
        has_nan=has_nan,
        has_negzero=values[zero_code[True]] == "-0",
        emin=1 - bias,
        values=values,
        finite_code=finite_code,
        zero_code=zero_code,
        max_finite=max(m for (neg, m) in finite_code if not neg),
        canonical_nan=canonical_nan,
    )


def decode(fmt: str, code: int):
    """The value of a code: Fraction (nonzero finite) or '+0', '-0', '+inf', '-inf', 'nan', 'snan'."""
    return get_format(fmt).values[code]


def decode_float(fmt: str, code: int) -> float:
    v = decode(fmt, code)
    if isinstance(v, Fraction):
        return float(v)
    return {"+0": 0.0, "-0": -0.0, "+inf": math.inf, "-inf": -math.inf}.get(v, math.nan)


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


def _nan_result(fmt: Format) -> tuple[int, int]:
    """A NaN produced from non-NaN operands (flag NV)."""
    if fmt.has_nan:
        return fmt.canonical_nan, NV
    # No NaN in the format: the negative-zero code (as ml_dtypes), NV.
    return fmt.zero_code[True], NV


def _round_special(fmt: Format, x: str, overflow: str) -> tuple[int, int]:
    if x == "snan":
        return _nan_result(fmt)
    if x == "nan":
        if fmt.has_nan:
            return fmt.canonical_nan, 0
        return fmt.zero_code[True], NV  # NaN into a format without NaN: -0 code and NV
    if x in ("+0", "-0"):
        return fmt.zero_code[x == "-0"], 0
    neg = x == "-inf"
    if overflow == "sat":
        return _max_code(fmt, neg), 0
    if fmt.has_inf:  # ieee and sat_propagate keep infinities
        return _inf_code(fmt, neg), 0
    if overflow == "ieee" and fmt.has_nan:
        return fmt.canonical_nan, NV  # OCP NONSAT: Inf into E4M3 is NaN
    return _max_code(fmt, neg), 0


def _inf_code(fmt: Format, negative: bool) -> int:
    return fmt.values.index("-inf" if negative else "+inf")


def _round_finite(fmt_name: str, x: Fraction, mode: str, overflow: str, r, n) -> tuple[int, int]:
    """round_to_precision twice (bounded, and unbounded for tininess), then _pack; the
    decomposition of |x| is memoized so that only the round-away decisions depend on R."""
    neg = x.numerator < 0
    (q, fl, nu, even), (qu, flu, nuu, even_u) = _splits(fmt_name, x)
    s = fl + round_away(mode, neg, nu, even, r, n)
    su = flu + round_away(mode, neg, nuu, even_u, r, n)
    exact = nu.numerator == 0
    assert s == fl or not exact  # an exact value never rounds away
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
        flags = OF | NX
        if overflow in ("sat", "sat_propagate"):
            return _max_code(fmt, neg), flags
        toward_zero = mode == "rtz" or (mode == "rdn" and not neg) or (mode == "rup" and neg)
        if toward_zero:
            return _max_code(fmt, neg), flags
        # The overflow value: Inf, else NaN, else max.
        if fmt.has_inf:
            ovf_code, ovf_flags = _inf_code(fmt, neg), 0
        elif fmt.has_nan:
            # the NaN stands for the overflowed value: OF | NX only (docs/numerics.md, Flags)
            ovf_code, ovf_flags = fmt.canonical_nan, 0
        else:
            ovf_code, ovf_flags = _max_code(fmt, neg), 0
        if mode == "rod":
            max_code = _max_code(fmt, neg)
            if max_code % 2 == 1:
                return max_code, flags
            assert ovf_code % 2 == 1, (fmt_name, ovf_code)
        return ovf_code, flags | ovf_flags
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
    '+0', '-0', '+inf', '-inf', 'nan', 'snan'."""
    if overflow not in POLICIES:
        raise ValueError(f"unknown overflow policy {overflow!r}")
    r, n = _check_sr(rounding, r, sr_bits)
    if type(x) is not Fraction:
        if isinstance(x, str):
            if x not in ("+0", "-0", "+inf", "-inf", "nan", "snan"):
                raise ValueError(x)
            return _round_special(get_format(fmt), x, overflow)
        x = Fraction(x)
    if x.numerator == 0:
        return get_format(fmt).zero_code[bool(negative_zero)], 0
    if n is not None:  # stochastic: R varies per call, memoize only the R-independent parts
        return _round_finite(fmt, x, rounding, overflow, r, n)
    return _round_finite_cached(fmt, x, rounding, overflow)


# ----------------------------------------------------------------------------------------------
# Operations
# ----------------------------------------------------------------------------------------------


def _negative(v) -> bool:
    if isinstance(v, Fraction):
        return v < 0
    return v.startswith("-")


def exact_mul(av, bv):
    """The exact product of two decoded values (Fraction or special string)."""
    if type(av) is Fraction and type(bv) is Fraction:
        return av * bv
    if av in ("nan", "snan") or bv in ("nan", "snan"):
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


@lru_cache(maxsize=1 << 18)
def _exact_mul_codes(fmt: str, a: int, b: int):
    f = get_format(fmt)
    return exact_mul(f.values[a], f.values[b])


def oracle_mul(fmt: str, a: int, b: int, rounding: str = "rne", overflow: str = "ieee", r=None,
               sr_bits=None) -> tuple[int, int]:
    f = get_format(fmt)
    p = _exact_mul_codes(fmt, int(a), int(b))
    if p == "invalid":  # 0 x Inf
        r, n = _check_sr(rounding, r, sr_bits)
        return _nan_result(f)
    if p == "snan":
        return f.canonical_nan, NV
    return oracle_round(fmt, p, rounding, overflow, r, sr_bits)


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
