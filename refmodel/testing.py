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
from collections.abc import Iterable
from fractions import Fraction
from functools import cache, lru_cache

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .encodings import MAX_SR_BITS, ROUNDING, STOCHASTIC
from .formats.minifloat import IEEE
from .situations import SITUATIONS, Geometry, SeededRandom, attempt, geometry_of, pow2

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
OPS = ("mul", "add", "sub")
VALUE_KINDS = ("representable", "midpoint", "near_midpoint", "overflow", "tiny")

# Formats with at most this many bits are classified by enumerating every pair of finite codes.
ENUMERATE_BITS = 8


def _as_list(x) -> list:
    return [x] if isinstance(x, str) else list(x)


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


def _kind_ranges(g: Geometry, kind: str) -> list[tuple[int, int]]:
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


def _signed(g: Geometry, mags: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = [(lo, hi) for lo, hi in mags if lo <= hi]
    if g.signed:
        out += [(g.sign_mask | lo, g.sign_mask | hi) for lo, hi in out]
    return out


def code_ranges(fmt, kind="finite") -> list[tuple[int, int]]:
    """The codes of one or several kinds (see `codes`) as sorted inclusive ranges (lo, hi).

    Raises ValueError for an unknown kind or a kind the format does not have."""
    g = geometry_of(fmt)
    ranges: list[tuple[int, int]] = []
    for k in _as_list(kind):
        if k not in CODE_KINDS:
            raise ValueError(f"unknown code kind {k!r}: expected one of {', '.join(CODE_KINDS)}")
        rs = _kind_ranges(g, k)
        if not rs:
            raise ValueError(f"format {g.name} has no {k!r} codes{_why_missing(g, k)}")
        ranges += rs
    return _merge(ranges)


def _why_missing(g: Geometry, kind: str) -> str:
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
    ne = geometry_of(fmt).exact_ne(op, int(a), int(b))
    if ne is None:
        return None
    neg, n, e = ne
    v = Fraction(n) * pow2(e)
    return -v if neg else v


def situations(fmt, op: str, a: int, b: int) -> frozenset:
    """The situations (see `operand_pairs`) that the exact result of a op b is in."""
    _check_op(op)
    return geometry_of(fmt).pair_situations(op, int(a), int(b))


# ----------------------------------------------------------------------------------------------
# Enumeration (formats of up to 8 bits)
# ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _pair_table(fmt_name: str, op: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """Every pair of finite codes, classified: situation -> pairs (a, b)."""
    g = geometry_of(fmt_name)
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



ATTEMPTS = 64  # constructive tries per example before the example is rejected
PROBES = 400  # tries at strategy construction to show that a situation can occur


@cache
def _probe(fmt_name: str, op: str, situation: str) -> bool:
    g = geometry_of(fmt_name)
    rnd = SeededRandom(0x5EED)
    return any(attempt(g, op, situation, rnd) is not None for _ in range(PROBES))


@st.composite
def _constructed(draw, g: Geometry, op: str, situation: str):
    rnd = _HypRandom(draw)
    for _ in range(ATTEMPTS):
        pair = attempt(g, op, situation, rnd)
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
    return _operand_pairs(geometry_of(fmt).name, op, tuple(dict.fromkeys(sits)))


@lru_cache(maxsize=256)
def _operand_pairs(name: str, op: str, sits: tuple[str, ...]) -> st.SearchStrategy[tuple[int, int]]:
    g = geometry_of(name)
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
    g = geometry_of(fmt)
    parts = []
    for kind_ in _as_list(kind):
        if kind_ not in VALUE_KINDS:
            raise ValueError(f"unknown value kind {kind_!r}: expected one of {', '.join(VALUE_KINDS)}")
        parts.append(_values_of_kind(g, kind_))
    values = st.one_of(parts)
    if g.signed:
        return st.tuples(values, st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
    return values


def _need(v: Fraction, g: Geometry) -> float:
    x = _f64(v)
    if x is None:
        raise ValueError(f"format {g.name}: the value {v} is not a binary64 number")
    return x


def _values_of_kind(g: Geometry, kind: str) -> st.SearchStrategy[float]:
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
