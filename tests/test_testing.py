"""refmodel.testing: the strategies yield what they promise, and the model passes the properties a
user would check with them.

Every expectation here is computed from values decoded by `ops.decode` (exact binary64) with
Python Fractions and a sorted table of the format's finite values (its neighbours), never with
refmodel.testing's own classifier or refmodel's rounding.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refmodel import ops, testing
from refmodel.formats import FormatError, parse_format

UF, OF, NX = 0x02, 0x04, 0x01


def _available(names):
    out = []
    for n in names:
        try:
            parse_format(n)
        except FormatError:
            continue
        out.append(n)
    return out


NARROW = ["e4m3fn", "e5m2", "e4m3fnuz", "e2m1fn", *_available(["binary8p4se"])]
NARROW_ALL = [*NARROW, "e8m0fnu", *_available(["binary8p1uf", "binary8p3sf"])]
WIDE = ["fp16", "bf16"]
TABLED = [*NARROW_ALL, *WIDE, "e6m9"]  # formats with at most 16 bits: a full value table is cheap
OPS = ["mul", "add", "sub"]
DETERMINISTIC = ["rne", "rtz", "rdn", "rup", "rna", "rod"]


def fast(n=60):
    return settings(max_examples=n, deadline=None, database=None)


def op_fn(op):
    return {"mul": ops.mul, "add": ops.add, "sub": ops.sub}[op]


# ----------------------------------------------------------------------------------------------
# The independent oracle: decoded values and a table of neighbours
# ----------------------------------------------------------------------------------------------


class Table:
    """The finite non-negative values of a format (by decoding every code without its sign bit)."""

    def __init__(self, name):
        f = self.f = parse_format(name)
        self.t = f.man_bits
        self.signed = bool(f.signed)
        self.sign_mask = (1 << (f.bits - 1)) if self.signed else 0
        count = 1 << (f.bits - int(self.signed))
        v = ops.decode(f, np.arange(count))
        ok = np.isfinite(v)
        self.codes = [int(c) for c in np.arange(count)[ok]]
        self.values = [Fraction(float(x)) for x in v[ok]]
        assert self.values == sorted(self.values) and len(set(self.values)) == len(self.values)
        self.has_zero = self.values[0] == 0
        self.max = self.values[-1]
        self.smallest = self.values[1] if self.has_zero else self.values[0]
        self.min_normal = Fraction(2) ** f.emin
        self.emax = floor_log2(self.max)
        self.ulp_top = Fraction(2) ** (self.emax - self.t)
        self.threshold = self.max + self.ulp_top / 2
        self.max_code = self.codes[-1]

    def neighbours(self, ax: Fraction):
        """(lo, lo_code, hi, hi_code): the largest value <= ax and the smallest > ax (None if none)."""
        i = bisect_right(self.values, ax) - 1
        lo = (self.values[i], self.codes[i]) if i >= 0 else (None, None)
        hi = (self.values[i + 1], self.codes[i + 1]) if i + 1 < len(self.values) else (None, None)
        return (*lo, *hi)

    def code_of(self, v: Fraction) -> int:
        i = bisect_left(self.values, abs(v))
        assert self.values[i] == abs(v)
        return self.codes[i] | (self.sign_mask if v < 0 else 0)


@cache
def table(name) -> Table:
    return Table(name)


def floor_log2(x: Fraction) -> int:
    k = x.numerator.bit_length() - x.denominator.bit_length()
    return k if Fraction(2) ** k <= x else k - 1


def value(fmt, code) -> Fraction | None:
    v = float(ops.decode(fmt, np.array([code]))[0])
    return Fraction(v) if math.isfinite(v) else None


def exact(fmt, op, a, b) -> Fraction:
    va, vb = value(fmt, a), value(fmt, b)
    assert va is not None and vb is not None, "operand_pairs must give finite operands"
    return {"mul": va * vb, "add": va + vb, "sub": va - vb}[op]


def classify(name, x: Fraction) -> set:
    """The situations of an exact result x, from the definitions in refmodel.testing's docstring."""
    T = table(name)
    if x < 0 and not T.signed:
        return set()
    if x == 0:
        return {"exact"} if T.has_zero else set()
    ax = abs(x)
    lo, lo_code, hi, _ = T.neighbours(ax)
    out = set()
    out.add("exact" if lo == ax else "inexact")
    if lo is not None and hi is not None and lo < ax:
        if ax - lo == hi - ax:
            out.add("exact_tie")
        is_pow2 = hi.denominator == 1 and hi.numerator & (hi.numerator - 1) == 0 or (
            hi.numerator == 1 and hi.denominator & (hi.denominator - 1) == 0)
        up = ax - lo > hi - ax or (ax - lo == hi - ax and lo_code & 1)
        if is_pow2 and hi >= T.min_normal and up:
            out.add("carry")
    if T.threshold - T.ulp_top <= ax <= T.threshold + T.ulp_top:
        out.add("overflow_boundary")
    if ax < T.min_normal:
        out.add("subnormal_result")
    return out


def round_magnitude(name, ax: Fraction, mode: str, negative: bool, bounded_below=True, r=None, n=None):
    """|x| rounded to P bits with the exponent unbounded above (and below if not bounded_below),
    following the round-away table of docs/numerics.md. Returns the rounded magnitude."""
    T = table(name)
    e = floor_log2(ax)
    qe = (max(e, T.f.emin) if bounded_below else e) - T.t
    q = Fraction(2) ** qe
    s = math.floor(ax / q)
    nu = ax / q - s
    if T.t >= 1:
        odd = s & 1
    else:  # P = 1: the code's parity is the biased exponent's
        odd = (qe + T.f.bias) & 1 if s == 1 else 0
    half = Fraction(1, 2)
    away = {
        "rne": nu > half or (nu == half and odd),
        "rtz": False,
        "rdn": nu > 0 and negative,
        "rup": nu > 0 and not negative,
        "rna": nu >= half,
        "rod": nu > 0 and not odd,
        "sr": nu > 0 and r is not None and math.floor(nu * 2**(n or 0)) + (r or 0) >= 2**(n or 0),
    }[mode]
    return (s + int(away)) * q


# ----------------------------------------------------------------------------------------------
# The oracle itself: the fp32 grid formula agrees with the fp16 table (so it can stand in for fp32)
# ----------------------------------------------------------------------------------------------


def test_oracle_table_self_consistent():
    T = table("fp16")
    assert T.max == 65504 and T.smallest == Fraction(1, 2**24) and T.min_normal == Fraction(1, 2**14)
    assert classify("fp16", Fraction(65520)) == {"inexact", "overflow_boundary"}  # the threshold
    assert classify("fp16", Fraction(1) + Fraction(1, 2**11)) == {"inexact", "exact_tie"}
    assert classify("fp16", Fraction(2) - Fraction(1, 2**12)) == {"inexact", "carry"}
    assert classify("e4m3fn", Fraction(464)) == {"inexact", "overflow_boundary"}


# ----------------------------------------------------------------------------------------------
# codes(fmt, kind)
# ----------------------------------------------------------------------------------------------


def expected_kind(name, kind) -> set:
    """Every code of the kind, by decoding every code (formats of up to 16 bits)."""
    T = table(name)
    f = T.f
    codes = np.arange(1 << f.bits)
    v = ops.decode(f, codes)
    fin = np.isfinite(v)
    av = np.abs(v)
    top = 2.0 ** T.emax
    nan_quiet_bit = (codes >> (T.t - 1)) & 1 if T.t >= 1 else np.zeros_like(codes)
    mask = {
        "zero": fin & (v == 0),
        "subnormal": fin & (av > 0) & (av < float(T.min_normal)),
        "normal": fin & (av >= float(T.min_normal)),
        "largest": fin & (av == float(T.max)),
        "smallest": fin & (av == float(T.smallest)),
        "special": ~fin,
        "nan": np.isnan(v),
        "inf": np.isinf(v),
        "snan": np.isnan(v) & (nan_quiet_bit == 0) & (f.family == "ieee"),
        "near_overflow": fin & (av >= top),
        "finite": fin,
        "any": np.ones_like(fin),
    }[kind]
    return {int(c) for c in codes[mask]}


@pytest.mark.parametrize("name", TABLED)
@pytest.mark.parametrize("kind", testing.CODE_KINDS)
def test_code_ranges_are_exactly_the_kind(name, kind):
    want = expected_kind(name, kind)
    if not want:
        with pytest.raises(ValueError, match=kind):
            testing.code_ranges(name, kind)
        with pytest.raises(ValueError, match=kind):
            testing.codes(name, kind)
        return
    got = {c for lo, hi in testing.code_ranges(name, kind) for c in range(lo, hi + 1)}
    assert got == want


@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "e8m0fnu", "fp16", "fp32"])
@fast(80)
@given(data=st.data())
def test_codes_strategy_draws_the_kind(name, data):
    f = parse_format(name)
    kinds = [k for k in testing.CODE_KINDS if _has(name, k)]
    kind = data.draw(st.sampled_from(kinds))
    c = data.draw(testing.codes(name, kind))
    assert 0 <= c < 1 << f.bits
    v = float(ops.decode(f, np.array([c]))[0])
    av = abs(v)
    max_v = float(ops.decode(f, np.array([f.max_mag]))[0])
    min_normal = 2.0 ** f.emin
    checks = {  # lazily: only the drawn kind is evaluated
        "zero": lambda: v == 0,
        "subnormal": lambda: 0 < av < min_normal,
        "normal": lambda: math.isfinite(v) and av >= min_normal,
        "largest": lambda: av == max_v,
        "smallest": lambda: math.isfinite(v) and av == float(ops.decode(f, np.array([1 if f.has_zero else 0]))[0]),
        "special": lambda: not math.isfinite(v),
        "nan": lambda: math.isnan(v),
        "inf": lambda: math.isinf(v),
        "snan": lambda: math.isnan(v) and not (c >> (f.man_bits - 1)) & 1,
        "near_overflow": lambda: math.isfinite(v) and av >= 2.0 ** math.floor(math.log2(max_v)),
        "finite": lambda: math.isfinite(v),
        "any": lambda: True,
    }
    assert checks[kind](), (name, kind, hex(c), v)


def _has(name, kind):
    try:
        testing.code_ranges(name, kind)
    except ValueError:
        return False
    return True


def test_codes_union_and_errors():
    got = {c for lo, hi in testing.code_ranges("e4m3fn", ["zero", "largest"]) for c in range(lo, hi + 1)}
    assert got == {0x00, 0x80, 0x7E, 0xFE}
    assert testing.code_ranges("e5m2", "snan") == [(0x7D, 0x7D), (0xFD, 0xFD)]
    assert testing.code_ranges("e4m3fnuz", "special") == [(0x80, 0x80)]
    assert testing.code_ranges("e8m0fnu", "smallest") == [(0x00, 0x00)]
    for name, kind in [("e2m1fn", "special"), ("e8m0fnu", "zero"), ("e8m0fnu", "subnormal"),
                       ("e4m3fn", "inf"), ("e4m3fn", "snan"), ("e2m1fn", "nan")]:
        with pytest.raises(ValueError, match=f"{parse_format(name).name} has no '{kind}'"):
            testing.codes(name, kind)
    with pytest.raises(ValueError, match="unknown code kind"):
        testing.codes("e4m3fn", "denormal")


# ----------------------------------------------------------------------------------------------
# operand_pairs: exhaustively for 8-bit formats, by sampling for wider ones
# ----------------------------------------------------------------------------------------------


def expected_pair_table(name, op) -> dict:
    """Every pair of finite codes classified by the oracle, vectorized in binary64.

    Only for (format, op) where binary64 holds every exact result (products of two 8-bit values,
    sums whose exponent span fits 53 bits): checked below before use."""
    T = table(name)
    f = T.f
    codes = np.arange(1 << f.bits)
    v = ops.decode(f, codes)
    fin = np.isfinite(v)
    fc, fv = codes[fin], v[fin]
    A, B = np.meshgrid(fc, fc, indexing="ij")
    VA, VB = np.meshgrid(fv, fv, indexing="ij")
    x = {"mul": VA * VB, "add": VA + VB, "sub": VA - VB}[op].ravel()
    A, B = A.ravel(), B.ravel()
    vals = np.array([float(u) for u in T.values])
    tcodes = np.array(T.codes)
    ax = np.abs(x)
    i = np.searchsorted(vals, ax, side="right") - 1
    has_lo, has_hi = i >= 0, i + 1 < len(vals)
    lo, hi = vals[np.clip(i, 0, None)], vals[np.clip(i + 1, None, len(vals) - 1)]
    lo_odd = tcodes[np.clip(i, 0, None)] & 1
    valid = ~((x < 0) & (not T.signed)) & ~((x == 0) & (not T.has_zero))
    exact_ = valid & has_lo & (lo == ax)
    inner = valid & has_lo & has_hi & (lo < ax)
    d_lo, d_hi = ax - lo, hi - ax  # exact: neighbours are within a factor 2 (Sterbenz)
    pow2 = np.frexp(hi)[0] == 0.5
    thr, u = float(T.threshold), float(T.ulp_top)
    masks = {
        "exact": exact_,
        "inexact": valid & ~exact_,
        "exact_tie": inner & (d_lo == d_hi),
        "carry": inner & pow2 & (hi >= float(T.min_normal)) & ((d_lo > d_hi) | ((d_lo == d_hi) & (lo_odd == 1))),
        "overflow_boundary": valid & (ax >= thr - u) & (ax <= thr + u),
        "subnormal_result": valid & (ax > 0) & (ax < float(T.min_normal)),
    }
    return {s: set(zip(A[m].tolist(), B[m].tolist())) for s, m in masks.items()}


def binary64_holds_every_result(name, op) -> bool:
    T = table(name)
    span = floor_log2(T.max) - floor_log2(T.smallest) + 2  # bits of a sum of two values
    return op == "mul" or span <= 53


@pytest.mark.parametrize("name", NARROW_ALL)
@pytest.mark.parametrize("op", OPS)
def test_pair_tables_exhaustive(name, op):
    """Every pair each situation holds, and no other: the whole 8-bit cross product."""
    got = testing._pair_table(parse_format(name).name, op)
    if binary64_holds_every_result(name, op):
        want = expected_pair_table(name, op)
        for s in testing.SITUATIONS:
            assert set(got[s]) == want[s], (name, op, s, sorted(set(got[s]) ^ want[s])[:5])
    else:  # e8m0fnu sums span 255 bits: check a deterministic sample with Fractions
        member = {}
        for s, pairs in got.items():
            for p in pairs:
                member.setdefault(p, set()).add(s)
        finite = sorted(c for lo, hi in testing.code_ranges(name, "finite") for c in range(lo, hi + 1))
        rng = np.random.default_rng(7)
        for a, b in rng.choice(finite, size=(1000, 2)).tolist() + [(finite[-1], finite[-1])]:
            assert member.get((a, b), set()) == classify(name, exact(name, op, a, b)), (name, op, a, b)


@pytest.mark.parametrize("name", NARROW_ALL + WIDE + ["e6m9"])
@pytest.mark.parametrize("op", OPS)
@fast(30)
@given(data=st.data())
def test_operand_pairs_yield_the_situation(name, op, data):
    sits = [s for s in testing.SITUATIONS if _possible(name, op, s)]
    s = data.draw(st.sampled_from(sits))
    a, b = data.draw(testing.operand_pairs(name, op, s))
    x = exact(name, op, a, b)
    assert s in classify(name, x), (name, op, s, hex(a), hex(b), x)
    assert testing.exact_result(name, op, a, b) == x
    assert s in testing.situations(name, op, a, b)


@cache
def _possible(name, op, s):
    try:
        testing.operand_pairs(name, op, s)
    except ValueError:
        return False
    return True


def test_wide_formats_have_every_situation():
    for name in WIDE + ["e6m9", "fp32"]:
        for op in OPS:
            for s in testing.SITUATIONS:
                assert _possible(name, op, s), (name, op, s)


@pytest.mark.parametrize("op", OPS)
@fast(40)
@given(data=st.data())
def test_operand_pairs_fp32(op, data):
    """fp32 (no table): the grid neighbours from the spec's quantum formula."""
    s = data.draw(st.sampled_from(testing.SITUATIONS))
    a, b = data.draw(testing.operand_pairs("fp32", op, s))
    va, vb = (Fraction(float(v)) for v in np.array([a, b], np.uint32).view(np.float32))
    x = {"mul": va * vb, "add": va + vb, "sub": va - vb}[op]
    ax, emin, t, max_v = abs(x), -126, 23, Fraction(2**24 - 1) * 2**104
    assert x == testing.exact_result("fp32", op, a, b)
    if ax == 0:
        assert s == "exact"
        return
    e = floor_log2(ax)
    q = Fraction(2) ** (max(e, emin) - t)
    s_floor = math.floor(ax / q)
    lo, hi, nu = s_floor * q, (s_floor + 1) * q, ax / q - s_floor
    thr, u = max_v + Fraction(2) ** 103, Fraction(2) ** 104
    check = {
        "exact": nu == 0 and ax <= max_v,
        "inexact": nu != 0 or ax > max_v,
        "exact_tie": nu == Fraction(1, 2) and hi <= max_v,
        "carry": nu >= Fraction(1, 2) and hi == Fraction(2) ** (e + 1) and hi <= max_v and e + 1 >= emin,
        "overflow_boundary": thr - u <= ax <= thr + u,
        "subnormal_result": ax < Fraction(2) ** emin,
    }
    assert check[s], (op, s, hex(a), hex(b), x, lo)


def test_operand_pairs_errors():
    with pytest.raises(ValueError, match="'exact_tie' cannot occur for mul in e8m0fnu"):
        testing.operand_pairs("e8m0fnu", "mul", "exact_tie")
    with pytest.raises(ValueError, match="'subnormal_result' cannot occur for add in e8m0fnu"):
        testing.operand_pairs("e8m0fnu", "add", "subnormal_result")
    with pytest.raises(ValueError, match="'carry' cannot be constructed for add in e2m7"):
        testing.operand_pairs("e2m7", "add", "carry")  # every sum is on the 2^-7 grid
    with pytest.raises(ValueError, match="unknown op"):
        testing.operand_pairs("e4m3fn", "div", "exact")
    with pytest.raises(ValueError, match="unknown situation"):
        testing.operand_pairs("e4m3fn", "mul", "tie")


@fast(30)
@given(testing.operand_pairs("e4m3fn", "mul", ["exact_tie", "carry"]))
def test_operand_pairs_union(pair):
    assert {"exact_tie", "carry"} & classify("e4m3fn", exact("e4m3fn", "mul", *pair))


# ----------------------------------------------------------------------------------------------
# Rounding strategies and values_near
# ----------------------------------------------------------------------------------------------


@fast(60)
@given(testing.rounding_modes(sr_bits=5), testing.deterministic_modes(), testing.stochastic(3))
def test_rounding_strategies(any_mode, det, sto):
    mode, r = any_mode
    assert (r is None) == (mode in DETERMINISTIC)
    assert r is None or 0 <= r < 32
    assert det[0] in DETERMINISTIC and det[1] is None
    assert sto[0] in ("sr", "sr_b", "sr_c") and 0 <= sto[1] < 8
    z, _ = ops.mul("e4m3fn", 0x3C, 0x3D, rounding=mode, r=r, sr_bits=5)  # every draw is a valid call
    assert z.shape == ()


def test_sample_is_reproducible():
    strategy = testing.operand_pairs("fp16", "mul", "exact_tie")
    first = testing.sample(strategy, 50, seed=3)
    assert first == testing.sample(strategy, 50, seed=3) and len(first) == 50
    for a, b in first:
        assert "exact_tie" in classify("fp16", exact("fp16", "mul", a, b))
    assert sorted(testing.sample(testing.codes("e4m3fn", "zero"), 10)) == [0x00, 0x80]
    with pytest.raises(ValueError):
        testing.sample(strategy, 0)


def test_rounding_strategy_errors():
    with pytest.raises(ValueError):
        testing.stochastic(0)
    with pytest.raises(ValueError):
        testing.deterministic_modes(["sr"])
    with pytest.raises(ValueError):
        testing.rounding_modes(modes=["round_up"])


@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "e2m1fn", "e8m0fnu", "fp16", "bf16"])
@fast(60)
@given(data=st.data())
def test_values_near(name, data):
    T = table(name)
    kind = data.draw(st.sampled_from(testing.VALUE_KINDS))
    x = data.draw(testing.values_near(name, kind))
    assert math.isfinite(x) and (T.signed or x >= 0)
    ax = abs(Fraction(x))
    lo, _, hi, _ = T.neighbours(ax)
    if kind == "representable":
        assert lo == ax
    elif kind == "midpoint":
        assert hi is not None and lo is not None and ax - lo == hi - ax
    elif kind == "near_midpoint":
        assert hi is not None and lo is not None and lo < ax and ax - lo != hi - ax
        mid = (lo + hi) / 2
        assert abs(ax - mid) < mid * Fraction(1, 2**50)
    elif kind == "overflow":
        assert T.max <= ax <= T.max + T.ulp_top
    else:
        assert ax < T.smallest


# ----------------------------------------------------------------------------------------------
# Properties of the model, tested the way a user would test their own unit
# ----------------------------------------------------------------------------------------------

MODEL_FORMATS = [*NARROW, *WIDE]


def run(fmt, op, a, b, mode="rne", r=None, sr_bits=0):
    z, flags = op_fn(op)(fmt, np.array([a]), np.array([b]), rounding=mode, r=None if r is None else np.array([r]),
                         sr_bits=sr_bits)
    return int(z[0]), int(flags[0])


def describe(fmt, op, a, b, z, flags):
    return (f"{fmt} {op}({a:#x}, {b:#x}) exact {exact(fmt, op, a, b)} -> {z:#x} = {value(fmt, z)} "
            f"flags {flags:#x}")


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_exact_pairs_are_exact(fmt, op, data):
    a, b = data.draw(testing.operand_pairs(fmt, op, "exact"))
    mode, r = data.draw(testing.rounding_modes(sr_bits=4))
    z, flags = run(fmt, op, a, b, mode, r, 4)
    assert flags == 0 and value(fmt, z) == exact(fmt, op, a, b), describe(fmt, op, a, b, z, flags)


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_ties(fmt, op, data):
    """rne gives the neighbour with the even code, rna the one away from zero, rtz the one toward it,
    rod the odd one; NX always."""
    a, b = data.draw(testing.operand_pairs(fmt, op, "exact_tie"))
    x = exact(fmt, op, a, b)
    T = table(fmt)
    lo, lo_code, hi, hi_code = T.neighbours(abs(x))
    sign = T.sign_mask if x < 0 else 0
    assert (lo_code ^ hi_code) & 1, "neighbouring codes have opposite parity"
    expect = {
        "rne": lo_code if lo_code % 2 == 0 else hi_code,
        "rna": hi_code,
        "rtz": lo_code,
        "rod": lo_code if lo_code % 2 else hi_code,
        "rup": lo_code if x < 0 else hi_code,
        "rdn": hi_code if x < 0 else lo_code,
    }
    for mode, want in expect.items():
        z, flags = run(fmt, op, a, b, mode)
        want_code = want | sign if want or T.f.has_negative_zero else want  # +0 only in FNUZ and P3109
        assert z == want_code and flags & NX, (mode, describe(fmt, op, a, b, z, flags))


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_carry(fmt, op, data):
    """rne rounds up to 2^k: a power of two whose exponent field is one above the truncated code's."""
    a, b = data.draw(testing.operand_pairs(fmt, op, "carry"))
    x = exact(fmt, op, a, b)
    T = table(fmt)
    lo, lo_code, hi, _ = T.neighbours(abs(x))
    z, flags = run(fmt, op, a, b, "rne")
    v = value(fmt, z)
    assert abs(v) == Fraction(2) ** (floor_log2(abs(x)) + 1) and (v < 0) == (x < 0), describe(fmt, op, a, b, z, flags)
    mag = z & ~T.sign_mask
    assert mag >> T.t == (lo_code >> T.t) + 1, describe(fmt, op, a, b, z, flags)
    assert flags & (NX | OF) == NX


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_overflow_boundary(fmt, op, data):
    """OF iff the magnitude rounded with an unbounded exponent exceeds max. In rne that is
    |x| > max + ulp/2, or |x| == max + ulp/2 when max's code is odd (the tie goes to the even code:
    e4m3fn's max 0x7e is even, so 464 rounds to 448 without overflow)."""
    a, b = data.draw(testing.operand_pairs(fmt, op, "overflow_boundary"))
    x = exact(fmt, op, a, b)
    T = table(fmt)
    ax = abs(x)
    z, flags = run(fmt, op, a, b, "rne")
    rne_over = ax > T.threshold or (ax == T.threshold and T.max_code & 1)
    assert bool(flags & OF) == bool(rne_over), describe(fmt, op, a, b, z, flags)
    for mode in DETERMINISTIC:
        z, flags = run(fmt, op, a, b, mode)
        over = round_magnitude(fmt, ax, mode, x < 0) > T.max
        assert bool(flags & OF) == over, (mode, describe(fmt, op, a, b, z, flags))
        if not over:
            assert value(fmt, z) == (-1 if x < 0 else 1) * round_magnitude(fmt, ax, mode, x < 0)


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_subnormal_results(fmt, op, data):
    """UF iff inexact and tiny after rounding (the exact value rounded to P bits with an unbounded
    exponent is below 2^emin: a value just below 2^emin that rounds up to it at full precision is
    not tiny); NX iff inexact; the value is the grid rounding."""
    a, b = data.draw(testing.operand_pairs(fmt, op, "subnormal_result"))
    mode, r = data.draw(testing.rounding_modes(sr_bits=4, modes=[*DETERMINISTIC, "sr"]))
    x = exact(fmt, op, a, b)
    T = table(fmt)
    ax, neg = abs(x), x < 0
    z, flags = run(fmt, op, a, b, mode, r, 4)
    rounded = round_magnitude(fmt, ax, mode, neg, r=r, n=4)
    inexact = rounded != ax
    tiny = round_magnitude(fmt, ax, mode, neg, bounded_below=False, r=r, n=4) < T.min_normal
    assert bool(flags & NX) == inexact, (mode, r, describe(fmt, op, a, b, z, flags))
    assert bool(flags & UF) == (inexact and tiny), (mode, r, describe(fmt, op, a, b, z, flags))
    assert abs(value(fmt, z)) == rounded, (mode, r, describe(fmt, op, a, b, z, flags))


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
@pytest.mark.parametrize("op", OPS)
@fast(25)
@given(data=st.data())
def test_model_inexact_sets_nx(fmt, op, data):
    a, b = data.draw(testing.operand_pairs(fmt, op, "inexact"))
    mode, r = data.draw(testing.rounding_modes(sr_bits=4))
    z, flags = run(fmt, op, a, b, mode, r, 4)
    assert flags & NX, (mode, r, describe(fmt, op, a, b, z, flags))


@pytest.mark.parametrize("fmt", ["e4m3fn", "e5m2", "e2m1fn", "e8m0fnu", "fp16", "bf16"])
@fast(60)
@given(data=st.data())
def test_model_from_f64_midpoints(fmt, data):
    """from_f64 of exact midpoints: rne to the even code, rna away; just off a midpoint: the nearest."""
    T = table(fmt)
    x = data.draw(testing.values_near(fmt, ["midpoint", "near_midpoint"]))
    ax = abs(Fraction(x))
    lo, lo_code, hi, hi_code = T.neighbours(ax)
    sign = T.sign_mask if x < 0 else 0
    z, flags = ops.from_f64(fmt, np.array([x]))
    z = int(z[0])
    if ax - lo == hi - ax:
        want = lo_code if lo_code % 2 == 0 else hi_code
        z_rna, _ = ops.from_f64(fmt, np.array([x]), rounding="rna")
        assert int(z_rna[0]) & ~T.sign_mask == hi_code
    else:
        want = lo_code if ax - lo < hi - ax else hi_code
    assert z & ~T.sign_mask == want and (z & T.sign_mask == sign or want == 0), (fmt, x, hex(z))
    assert flags[0] & NX
