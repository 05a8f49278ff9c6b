"""Quantization of binary64 into flex mantissas and requantization of integers, against the
exact oracle (tests/test_flex_oracle.py): rne ties, sr counts over every R, saturation edges and
the overflow count, specials, and the largest shifts."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import test_flex_oracle as O

from refmodel.flex import FlexTensor, dequantize, quantize, quantize_mantissas, requantize
from refmodel.flex.generate import flex_quant_vectors

FMT = "flex16+5"


def bits_of(x: float) -> int:
    return int(np.array([x]).view(np.uint64)[0])


@pytest.mark.parametrize("x, exp, want, ovf", [
    (0.5, 0, 0, False), (1.5, 0, 2, False), (2.5, 0, 2, False), (-0.5, 0, 0, False), (-1.5, 0, -2, False),
    (-2.5, 0, -2, False), (0.75 * 2**-8, -10, 3, False), (32766.5, 0, 32766, False), (32767.5, 0, 32767, True),
    (-32768.5, 0, -32768, False), (-32769.5, 0, -32768, True), (32767.25, 0, 32767, False), (2**-31, -31, 1, False),
    (1e300, -31, 32767, True), (-1e300, 0, -32768, True), (5e-324, -31, 0, False), (-5e-324, -31, 0, False),
    (-0.0, -8, 0, False), (float("inf"), 0, 32767, True), (float("-inf"), -31, -32768, True),
    (float("nan"), -4, 0, True), (128.0, -8, 32767, True), (127.99609375, -8, 32767, False),
])
def test_quantize_examples(x, exp, want, ovf):
    t = quantize(FMT, np.array([x]), exp)
    assert (int(t.m[0]), bool(t.overflow[0])) == (want, ovf) == O.quant(bits_of(x), exp, 16)


def test_sr_counts_over_every_r():
    # v = k / 2^s units: P(up) over all 2^N values of R is floor(f 2^N) / 2^N, f the two's-complement fraction.
    sr_bits = 6
    for num, s in [(9, 2), (-9, 2), (5, 3), (-5, 3), (1, 10), (-1, 10), (2**14 + 3, 8), (-(2**14) - 3, 8)]:
        x = np.full(1 << sr_bits, num * 2.0**-s)
        t = quantize(FMT, x, 0, "sr", r=np.arange(1 << sr_bits), sr_bits=sr_bits)
        q = Fraction(num, 2**s).__floor__()
        f = Fraction(num, 2**s) - q
        ups = int(np.count_nonzero(t.m == q + 1))
        assert ups == (f * 2**sr_bits).__floor__(), (num, s)
        assert set(t.m.tolist()) <= {q, q + 1}
        assert ups + int(np.count_nonzero(t.m == q)) == 1 << sr_bits


def test_sr_is_exact_in_expectation_with_enough_bits():
    # 7 discarded bits, 7 random bits: the mean over all R is the exact value, for either sign.
    for v in (Fraction(-300, 128), Fraction(301, 128)):
        t = quantize(FMT, np.full(128, float(v)), 0, "sr", r=np.arange(128), sr_bits=7)
        assert Fraction(int(t.m.sum()), 128) == v


def test_overflow_count_and_maxabs():
    x = np.array([1.0, 40000.0, -40000.0, 32767.0, -32768.0, 32767.4, 32767.6, -32768.6, np.inf, np.nan])
    t = quantize(FMT, x, 0)
    assert t.overflows == 6 and t.maxabs == 32768
    assert t.overflow.tolist() == [False, True, True, False, False, False, True, True, True, True]


def test_dequantize_is_exact():
    m = np.array([-32768, -1, 0, 1, 32767])
    assert dequantize(FMT, m, -31).tolist() == [float(Fraction(int(v), 2**31)) for v in m]
    with pytest.raises(ValueError):
        dequantize(FMT, np.array([32768]), 0)
    with pytest.raises(ValueError):
        FlexTensor.of(FMT, np.array([1]), 1)  # exponents are at most 0 (the field holds dec = -exp)


@pytest.mark.parametrize("rounding", ["rne", "sr"])
@pytest.mark.parametrize("mode", ["edge", "random"])
def test_quant_vectors_against_oracle(rounding, mode):
    vs = flex_quant_vectors(FMT, rounding, sr_bits=5, mode=mode, count=1500, seed=11)
    c = vs.columns
    r = c["r"] if rounding == "sr" else np.zeros(vs.count, np.uint64)
    for i in range(vs.count):
        want = O.quant(int(c["a"][i]), -int(c["ez"][i]), 16, rounding, int(r[i]), 5)
        got = (O.signed(int(c["z"][i]), 16), bool(c["overflow"][i]))
        assert got == want, f"vector {i}: a={int(c['a'][i]):#018x} ez={int(c['ez'][i])} r={int(r[i])}"


def test_quantize_elementwise_exponents_and_other_widths():
    x = np.array([1.25, -3.75, 1000.0, 2.0**-20])
    for fmt, n in (("flex8+4", 8), ("flex24+6", 24), ("flex32+8", 32)):
        for exp in (0, -3, -15):
            m, ovf = quantize_mantissas(fmt, x, np.full(4, exp))
            for xi, mi, oi in zip(x, m, ovf):
                assert (int(mi), bool(oi)) == O.quant(bits_of(xi), exp, n), (fmt, exp, xi)


@pytest.mark.parametrize("shift", [-40, -31, -20, -15, -1, 0, 1, 2, 15, 16, 17, 31, 62, 63, 64, 90, 200])
def test_requantize_against_oracle(shift):
    rng = np.random.default_rng(shift + 100)
    acc = np.concatenate([rng.integers(-(2**62), 2**62, 300), rng.integers(-(2**20), 2**20, 300),
                          np.array([0, 1, -1, 2**62, -(2**63), 2**63 - 1, 32767, -32768, 65535, -65537])])
    for bits in ((1 << 62) >> max(shift, 0), 32767 >> max(-shift, 0)):  # the saturation thresholds
        acc = np.concatenate([acc, [bits - 1, bits, bits + 1, -bits - 1, -bits, -bits + 1]])
    r = rng.integers(0, 256, acc.size)
    for rounding in ("rne", "sr"):
        t = requantize(FMT, acc, -shift, 0, rounding, r=r, sr_bits=8)
        for i, v in enumerate(acc):
            want = O.requant(int(v), shift, 16, rounding, int(r[i]), 8)
            assert (int(t.m[i]), bool(t.overflow[i])) == want, (shift, rounding, int(v))


def test_bad_arguments():
    with pytest.raises(ValueError, match="rne or sr"):
        quantize(FMT, np.ones(2), 0, "rtz")
    with pytest.raises(ValueError, match="random integers"):
        quantize(FMT, np.ones(2), 0, "sr")
    with pytest.raises(ValueError, match="0..2"):
        quantize(FMT, np.ones(2), 0, "sr", r=np.array([256]), sr_bits=8)
    with pytest.raises(ValueError, match="exponent range"):
        quantize(FMT, np.ones(2), -32)
    with pytest.raises(ValueError, match="not a Flexpoint"):
        quantize("e4m3fn", np.ones(2), 0)
