"""refmodel.ops.from_f64 against the exact-rational oracle, and against ml_dtypes.

(a) edge inputs per format: every representable value, every midpoint, their binary64 neighbours,
the overflow threshold and its neighbours, far beyond max, below half the min subnormal, +-0,
+-Inf, quiet and signalling NaNs, binary64 subnormals; (b) 20,000 random binary64 values spread
over the format's exponent range (half of them with short significands, to hit ties). Every mode,
every overflow policy, stochastic modes with a random R per value for several sr_bits (each
sr_bits paired with one policy).
Then RNE/ieee against ml_dtypes on binary32-representable inputs (ml_dtypes rounds a binary64
through binary32, i.e. twice, so only binary32 inputs are comparable).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import oracle as O
import pytest
from diffutil import (
    ALL_FORMATS,
    check_codes,
    f32_edge_inputs,
    f32_random_inputs,
    ml_codes,
    seed_of,
    show,
)

from refmodel import ops  # noqa: E402

DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
# Stochastic modes: each sr_bits with one policy, so that every mode meets every policy and every
# sr_bits without the full product (the oracle is the cost; the policies only differ on overflow).
SR_BITS_POLICY = ((1, "ieee"), (3, "sat"), (8, "sat_propagate"), (32, "ieee"))
N_RANDOM = 20_000


def f64_bits(x: float) -> int:
    return int(np.float64(x).view(np.uint64))


def edge_bits(fmt: str) -> np.ndarray:
    f = O.get_format(fmt)
    mags = sorted({m for (_, m) in f.finite_code} | {Fraction(0)})
    ulp_at_max = f.max_finite - mags[-2]
    min_sub = mags[1]
    pts = set(mags) | {(a + b) / 2 for a, b in zip(mags, mags[1:], strict=False)}
    pts |= {f.max_finite + ulp_at_max / 2,  # the overflow threshold (a tie in rne)
            f.max_finite + ulp_at_max, 2 * f.max_finite, 4 * f.max_finite, f.max_finite * 2**20,
            min_sub / 4, min_sub / 2**30}
    vals = np.array(sorted(float(p) for p in pts), dtype=np.float64)
    assert all(Fraction(float(v)) == p for v, p in zip(vals, sorted(pts), strict=True))
    vals = np.concatenate([vals, np.nextafter(vals, np.inf), np.nextafter(vals, -np.inf)])
    extra = np.array([1e300, np.finfo(np.float64).max, 1e-300, 5e-324, 2.0**-1030, 2.0**-1022,
                      np.nextafter(2.0**-1022, 0.0), np.inf], dtype=np.float64)
    vals = np.concatenate([vals, extra])
    vals = np.concatenate([vals, -vals])
    nans = np.array([0x7FF8000000000000, 0xFFF8000000000000,  # quiet NaNs
                     0x7FF8000000000001, 0x7FFFFFFFFFFFFFFF,  # quiet with payload
                     0x7FF0000000000001, 0xFFF0000000000001,  # signalling (bit 51 clear)
                     0x7FF4000000000000, 0x7FF7FFFFFFFFFFFF], dtype=np.uint64)
    return np.unique(np.concatenate([vals.view(np.uint64), nans]))


def random_bits(fmt: str, n: int, seed: int) -> np.ndarray:
    f = O.get_format(fmt)
    rng = np.random.default_rng(seed)
    emax = math.floor(math.log2(f.max_finite))
    exp = rng.integers(f.emin - f.t - 4, emax + 4, size=n).astype(np.uint64)
    mant = rng.integers(0, 2**52, size=n, dtype=np.uint64)
    short = np.arange(n) % 2 == 1  # keep only t + 3 significand bits: ties and near-ties
    keep = f.t + 3
    mant[short] &= np.uint64(((1 << keep) - 1) << (52 - keep))
    sign = rng.integers(0, 2, size=n, dtype=np.uint64)
    return (sign << np.uint64(63)) | ((exp + np.uint64(1023)) << np.uint64(52)) | mant


@pytest.fixture(scope="module")
def inputs():
    """Per format: (bit patterns, oracle values), computed once per module."""
    cache = {}

    def get(fmt):
        if fmt not in cache:
            bits = np.concatenate([edge_bits(fmt), random_bits(fmt, N_RANDOM, seed_of("f64", fmt))])
            cache[fmt] = (bits, [O.f64_bits_value(b) for b in bits.tolist()])
        return cache[fmt]

    return get


def run(fmt, mode, bits, values, policies, r=None, sr_bits=0):
    x = bits.view(np.float64)

    def describe(i):
        return f"x={float(x[i])!r} ({int(bits[i]):#018x})" + (f" r={int(r[i]):#x}" if r is not None else "")

    for overflow in policies:
        z, flags = ops.from_f64(fmt, x, rounding=mode, overflow=overflow, r=r, sr_bits=sr_bits)
        assert z.shape == x.shape and flags.dtype == np.uint8
        if r is None:
            expected = [O.oracle_round(fmt, v, mode, overflow) for v in values]
        else:
            expected = [O.oracle_round(fmt, v, mode, overflow, rr, sr_bits)
                        for v, rr in zip(values, r.tolist(), strict=True)]
        exp_z, exp_f = zip(*expected, strict=True)
        check_codes(fmt, f"from_f64 {fmt} {mode} {overflow} sr_bits={sr_bits}", describe, exp_z, exp_f,
                    z, flags)


@pytest.mark.parametrize("mode", DETERMINISTIC)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_from_f64_deterministic(fmt, mode, inputs):
    bits, values = inputs(fmt)
    run(fmt, mode, bits, values, O.POLICIES)


@pytest.mark.parametrize("sr_bits,overflow", SR_BITS_POLICY)
@pytest.mark.parametrize("mode", O.SR_MODES)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_from_f64_stochastic(fmt, mode, sr_bits, overflow, inputs):
    bits, values = inputs(fmt)
    rng = np.random.default_rng(seed_of("f64", fmt, mode, sr_bits))
    r = rng.integers(0, 2**sr_bits, size=bits.size, dtype=np.uint64).astype(np.uint32)
    run(fmt, mode, bits, values, (overflow,), r=r, sr_bits=sr_bits)


# ------------------------------------------------------------------------------------------------
# decode, and ml_dtypes on binary32 inputs
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_decode_matches_oracle(fmt):
    f = O.get_format(fmt)
    codes = np.arange(1 << f.nbits, dtype=np.uint8)
    got = ops.decode(fmt, codes)
    for c in range(1 << f.nbits):
        exp = O.decode_float(fmt, c)
        if math.isnan(exp):
            assert math.isnan(got[c]), (fmt, hex(c), got[c])
        else:
            assert got[c] == exp and math.copysign(1, got[c]) == math.copysign(1, exp), (fmt, hex(c))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_from_f64_matches_ml_dtypes(fmt):
    f = O.get_format(fmt)
    x32 = np.concatenate([f32_edge_inputs(fmt), f32_random_inputs(fmt, 3000, seed=seed_of("ml", fmt))])
    ml = ml_codes(fmt, x32)
    with np.errstate(invalid="ignore"):  # binary32 sNaN patterns among the random inputs
        x64 = x32.astype(np.float64)
    z, _ = ops.from_f64(fmt, x64)
    bad = []
    for x, c_ml, c in zip(x32.tolist(), ml.tolist(), z.tolist(), strict=True):
        if f.is_nan(c) and f.is_nan(c_ml):
            continue  # ml_dtypes keeps the NaN's sign (0xFF); the model's NaN is canonical
        if math.isnan(x) and not f.has_nan:
            # contract: any NaN -> the -0 code (ml_dtypes 0.6.0 gives +0 for a negative NaN)
            ok = c == f.zero_code[True]
        else:
            ok = c == c_ml
        if not ok:
            bad.append(f"x={x!r}: ml_dtypes {show(fmt, c_ml)}, refmodel {show(fmt, c)}")
    assert not bad, f"{len(bad)} mismatches:\n" + "\n".join(bad[:10])


def test_single_rounding_not_double():
    """431.99999999999994 (just below the 416/448 midpoint 432) is 416 rounded once; rounding
    through binary32 first gives 432 and then 448 (ml_dtypes did so before 0.7)."""
    x = 431.99999999999994
    assert x < 432 and Fraction(x) < 432
    assert O.oracle_from_f64("e4m3fn", x) == (0x7D, O.NX)
    z, flags = ops.from_f64("e4m3fn", np.array([x]))
    assert int(z[0]) == 0x7D and int(flags[0]) == O.NX
    assert int(ops.from_f64("e4m3fn", np.array([np.float32(x)], np.float64))[0][0]) == 0x7E  # twice: 448


def test_signalling_nan_bits_reach_the_model():
    """The sNaN pattern survives the float64 array (no quieting on the way in)."""
    bits = np.array([0x7FF0000000000001, 0x7FF8000000000000], dtype=np.uint64)
    z, flags = ops.from_f64("e5m2", bits.view(np.float64))
    assert [int(v) for v in z] == [0x7E, 0x7E]
    assert [int(v) for v in flags] == [O.NV, 0]
