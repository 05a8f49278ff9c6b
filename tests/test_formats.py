"""The format grammar, the descriptors, and decode against ml_dtypes (an independent oracle)."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from refmodel import ops
from refmodel.formats import FormatError, parse_format

ML_DTYPES = {
    "e4m3fn": ml_dtypes.float8_e4m3fn,
    "e5m2": ml_dtypes.float8_e5m2,
    "e4m3": ml_dtypes.float8_e4m3,
    "e3m4": ml_dtypes.float8_e3m4,
    "e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
    "e4m3b11fnuz": ml_dtypes.float8_e4m3b11fnuz,
    "e8m0fnu": ml_dtypes.float8_e8m0fnu,
    "e2m3fn": ml_dtypes.float6_e2m3fn,
    "e3m2fn": ml_dtypes.float6_e3m2fn,
    "e2m1fn": ml_dtypes.float4_e2m1fn,
    "bf16": ml_dtypes.bfloat16,
    "fp16": np.float16,
}


@pytest.mark.parametrize("name", sorted(ML_DTYPES))
def test_decode_every_code_matches_ml_dtypes(name):
    f = parse_format(name)
    codes = np.arange(1 << f.bits)
    ours = ops.decode(f, codes)
    storage = np.uint8 if f.bits <= 8 else np.uint16
    with np.errstate(invalid="ignore"):  # NaN codes cast to NaN
        theirs = codes.astype(storage).view(ML_DTYPES[name]).astype(np.float64)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(ours)
    assert np.array_equal(ours[ok], theirs[ok])
    assert np.array_equal(np.signbit(ours[ok]), np.signbit(theirs[ok]))  # signed zeros too


@pytest.mark.parametrize("name", sorted(ML_DTYPES))
def test_descriptor_range_matches_ml_dtypes_finfo(name):
    f = parse_format(name)
    info = ml_dtypes.finfo(ML_DTYPES[name]) if name not in ("fp16",) else np.finfo(np.float16)
    assert f.max_value == float(info.max)
    assert f.min_normal == float(info.smallest_normal)
    if f.has_subnormals:
        assert f.min_subnormal == float(info.smallest_subnormal)


@pytest.mark.parametrize("name, canonical, bits, bias", [
    ("e4m3fn", "e4m3fn", 8, 7), ("E5M2", "e5m2", 8, 15), ("e4m3fnuz", "e4m3fnuz", 8, 8),
    ("e5m2fnuz", "e5m2fnuz", 8, 16), ("e4m3b11fnuz", "e4m3b11fnuz", 8, 11), ("e8m0fnu", "e8m0fnu", 8, 127),
    ("fp16", "e5m10", 16, 15), ("binary16", "e5m10", 16, 15), ("bf16", "e8m7", 16, 127),
    ("bfloat16", "e8m7", 16, 127), ("fp32", "e8m23", 32, 127), ("binary32", "e8m23", 32, 127),
    ("e6m9", "e6m9", 16, 31), ("e2m1fn", "e2m1fn", 4, 1), ("e5m2b13", "e5m2b13", 8, 13),
])
def test_grammar(name, canonical, bits, bias):
    f = parse_format(name)
    assert (f.name, f.bits, f.bias) == (canonical, bits, bias)


@pytest.mark.parametrize("name", ["", "e4", "m3", "e4m3x", "e0m3fn", "e1m2", "e5m0", "e8m1fnu", "e9m30",
                                  "posit8x", "fp8", "e4m3fnuzz"])
def test_bad_names_raise_a_clear_error(name):
    with pytest.raises(FormatError, match="format"):
        parse_format(name)


def test_special_codes():
    assert parse_format("e4m3fn").nan_code == 0x7F and parse_format("e4m3fn").max_mag == 0x7E
    assert parse_format("e5m2").nan_code == 0x7E and parse_format("e5m2").inf_mag == 0x7C
    assert parse_format("e5m2").max_mag == 0x7B
    assert parse_format("e4m3fnuz").nan_code == 0x80 and parse_format("e4m3fnuz").max_mag == 0x7F
    assert not parse_format("e2m1fn").has_nan and parse_format("e2m1fn").max_mag == 0x7
