"""Hypothesis properties of the requantizer and of quantization: monotone (for a fixed R too),
saturating instead of wrapping, stochastic rounding picking one of the two neighbours; and the
cycle-level unit agreeing with the vectorized dot product on any drawn stimulus."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from refmodel.encodings import RNE, SR
from refmodel.flex import FlexMac, dot_mantissas, quantize, requantize
from refmodel.formats import parse_format

FMT = "flex16+5"
LO, HI = -(2**15), 2**15 - 1
acc64 = st.integers(-(2**63), 2**63 - 1) | st.integers(-(2**40), 2**40)
shifts = st.integers(-40, 130)
SR_BITS = 10
rand = st.integers(0, 2**SR_BITS - 1)


def requant(acc, shift, rounding="rne", r=0):
    t = requantize(FMT, np.array(acc, np.int64), -shift, 0, rounding, r=np.array(r), sr_bits=SR_BITS)
    return t.m.tolist(), t.overflow.tolist()


@settings(max_examples=300, deadline=None)
@given(x=acc64, y=acc64, shift=shifts, r=rand, rounding=st.sampled_from(["rne", "sr"]))
def test_requantization_is_monotone(x, y, shift, r, rounding):
    lo, hi = min(x, y), max(x, y)
    (z_lo, z_hi), _ = requant([lo, hi], shift, rounding, [r, r])
    assert z_lo <= z_hi


@settings(max_examples=300, deadline=None)
@given(acc=acc64, shift=shifts, r=rand, rounding=st.sampled_from(["rne", "sr"]))
def test_saturates_instead_of_wrapping(acc, shift, r, rounding):
    (z,), (ovf,) = requant([acc], shift, rounding, [r])
    v = Fraction(acc) / Fraction(2) ** shift
    assert LO <= z <= HI
    if v >= HI + 1:
        assert (z, ovf) == (HI, True)
    if v < LO - 1:
        assert (z, ovf) == (LO, True)
    if not ovf:
        assert abs(z - v) < 1  # within one unit of the exact value: nothing wrapped
    else:
        assert z == (HI if v > 0 else LO)


@settings(max_examples=300, deadline=None)
@given(acc=acc64, shift=shifts, r=rand)
def test_sr_returns_a_neighbour(acc, shift, r):
    (z,), _ = requant([acc], shift, "sr", [r])
    v = Fraction(acc) / Fraction(2) ** shift
    assert z in {min(max(math.floor(v), LO), HI), min(max(math.ceil(v), LO), HI)}


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=False, width=64), y=st.floats(allow_nan=False, width=64), exp=st.integers(-31, 0))
def test_quantization_is_monotone(x, y, exp):
    t = quantize(FMT, np.array([min(x, y), max(x, y)]), exp)
    assert t.m[0] <= t.m[1]


stimulus = st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(st.integers(LO, HI), min_size=n, max_size=n), st.lists(st.integers(LO, HI), min_size=n, max_size=n),
    st.integers(-31, 0), st.integers(-31, 0), st.integers(-31, 0), rand))


@settings(max_examples=150, deadline=None)
@given(s=stimulus, acc=st.sampled_from([(None, "wrap"), (22, "wrap"), (22, "sat")]),
       rounding=st.sampled_from(["rne", "sr"]))
def test_cycle_unit_equals_dot(s, acc, rounding):
    a, b, ea, eb, ez, r = s
    f = parse_format(FMT)
    z, ovf = dot_mantissas(f, np.array([a]), np.array([b]), ea, eb, ez, rounding, np.array([r]), SR_BITS, *acc)
    mac = FlexMac(f, *acc, sr_bits=SR_BITS)
    for k, (x, y) in enumerate(zip(a, b)):
        mac.cycle(clear=k == 0, acc_en=True, a=f.mant_code(x), b=f.mant_code(y))
    out = mac.cycle(requant=True, ea=-ea, eb=-eb, ez=-ez, rnd=SR if rounding == "sr" else RNE, rand=r)
    assert (f.mant_from_code(out.z), out.overflow) == (int(z[0]), bool(ovf[0]))
