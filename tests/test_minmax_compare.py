"""refmodel.ops.minimum / maximum / minimum_number / maximum_number and compare against the oracle
on all 65,536 operand pairs: e5m2 (with its signalling NaNs), e4m3fn, e4m3fnuz, binary8p4se, and the
unsigned binary8p3ue and e8m0fnu. Codes (results) and flags."""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
from diffutil import check_codes, show

from refmodel import ops  # noqa: E402

FORMATS = ("e5m2", "e4m3fn", "e4m3fnuz", "binary8p4se", "binary8p3ue", "e8m0fnu")
A, B = (g.ravel() for g in np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8),
                                        indexing="ij"))


def describe_for(fmt):
    return lambda i: f"a={show(fmt, A[i])} b={show(fmt, B[i])}"


@pytest.mark.parametrize("op", O.MINMAX)
@pytest.mark.parametrize("fmt", FORMATS)
def test_minmax_exhaustive(fmt, op):
    z, flags = getattr(ops, op)(fmt, A, B)
    assert z.dtype == np.uint8 and flags.dtype == np.uint8 and z.shape == A.shape
    exp_z, exp_f = zip(*(O.oracle_minmax(fmt, op, a, b) for a, b in zip(A.tolist(), B.tolist())))
    check_codes(fmt, f"{op} {fmt}", describe_for(fmt), exp_z, exp_f, z, flags)


@pytest.mark.parametrize("pred", O.PREDICATES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_compare_exhaustive(fmt, pred):
    res, flags = ops.compare(fmt, A, B, pred)
    assert res.shape == A.shape and flags.dtype == np.uint8
    expected = [O.oracle_compare(fmt, a, b, pred) for a, b in zip(A.tolist(), B.tolist())]
    exp_r = np.array([e[0] for e in expected])
    exp_f = np.array([e[1] for e in expected])
    bad = np.flatnonzero((exp_r != res.astype(bool)) | (exp_f != flags))
    lines = [f"  a={show(fmt, A[i])} b={show(fmt, B[i])}: expected {bool(exp_r[i])} flags {exp_f[i]:#04x}, "
             f"got {bool(res[i])} flags {int(flags[i]):#04x}" for i in bad[:8]]
    assert bad.size == 0, f"compare {fmt} {pred}: {bad.size} mismatches:\n" + "\n".join(lines)


def test_oracle_minmax_compare_examples():
    """docs/numerics.md and IEEE 754-2019 9.6 / 5.11 on e5m2: -0 < +0 for min/max but -0 == +0 for
    compare; NaN handling; NV for signalling NaNs (and for ordered predicates on any NaN)."""
    m, c = O.oracle_minmax, O.oracle_compare
    pz, nz, one, mone, inf, ninf, qnan, snan = 0x00, 0x80, 0x3C, 0xBC, 0x7C, 0xFC, 0x7F, 0x7D
    assert m("e5m2", "minimum", pz, nz) == (nz, 0) and m("e5m2", "maximum", nz, pz) == (pz, 0)
    assert m("e5m2", "minimum", one, qnan) == (0x7E, 0) and m("e5m2", "minimum", snan, one) == (0x7E, O.NV)
    assert m("e5m2", "minimum_number", one, qnan) == (one, 0) and m("e5m2", "maximum_number", snan, one) == (one, O.NV)
    assert m("e5m2", "maximum_number", qnan, snan) == (0x7E, O.NV)
    assert m("e5m2", "minimum", ninf, mone) == (ninf, 0) and m("e5m2", "maximum", inf, one) == (inf, 0)
    assert c("e5m2", pz, nz, "eq") == (True, 0) and c("e5m2", nz, pz, "lt") == (False, 0)
    assert c("e5m2", one, qnan, "eq") == (False, 0) and c("e5m2", one, qnan, "ne") == (True, 0)
    assert c("e5m2", one, qnan, "lt") == (False, O.NV) and c("e5m2", qnan, qnan, "unordered") == (True, 0)
    assert c("e5m2", one, snan, "eq") == (False, O.NV) and c("e5m2", mone, one, "le") == (True, 0)
    assert c("e4m3fnuz", 0x80, 0x00, "ge") == (False, O.NV)  # 0x80 is the FNUZ NaN
