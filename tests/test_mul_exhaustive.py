"""refmodel.ops.mul against the exact-rational oracle on all 65,536 operand pairs.

e4m3fn and e5m2: every deterministic mode under overflow='ieee', 'sat' and 'sat_propagate' in rne,
and sr / sr_b / sr_c with a random R per pair for several sr_bits. The other 8-bit formats in rne.
"""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
from diffutil import check_codes, seed_of, show

from refmodel import ops  # noqa: E402

A, B = (g.ravel() for g in np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8),
                                        indexing="ij"))
DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
MAIN_FORMATS = ("e4m3fn", "e5m2")
OTHER_FORMATS = ("e4m3", "e3m4", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz")


def run(fmt, rounding, overflow, r=None, sr_bits=0):
    z, flags = ops.mul(fmt, A, B, rounding=rounding, overflow=overflow, r=r, sr_bits=sr_bits)
    assert z.dtype == np.uint8 and flags.dtype == np.uint8 and z.shape == A.shape
    if r is None:
        expected = [O.oracle_mul(fmt, a, b, rounding, overflow) for a, b in zip(A.tolist(), B.tolist(),
                                                                                strict=True)]
    else:
        expected = [O.oracle_mul(fmt, a, b, rounding, overflow, rr, sr_bits)
                    for a, b, rr in zip(A.tolist(), B.tolist(), r.tolist(), strict=True)]
    exp_z, exp_f = zip(*expected, strict=True)

    def describe(i):
        return f"a={show(fmt, A[i])} b={show(fmt, B[i])}" + (f" r={int(r[i]):#x}" if r is not None else "")

    check_codes(fmt, f"mul {fmt} {rounding} {overflow} sr_bits={sr_bits}", describe, exp_z, exp_f, z, flags)


@pytest.mark.parametrize("mode", DETERMINISTIC)
@pytest.mark.parametrize("fmt", MAIN_FORMATS)
def test_mul_exhaustive_ieee(fmt, mode):
    run(fmt, mode, "ieee")


@pytest.mark.parametrize("overflow", ("sat", "sat_propagate"))
@pytest.mark.parametrize("fmt", MAIN_FORMATS)
def test_mul_exhaustive_saturating(fmt, overflow):
    run(fmt, "rne", overflow)


@pytest.mark.parametrize("sr_bits", (1, 3, 8, 32))
@pytest.mark.parametrize("mode", O.SR_MODES)
@pytest.mark.parametrize("fmt", MAIN_FORMATS)
def test_mul_exhaustive_stochastic(fmt, mode, sr_bits):
    rng = np.random.default_rng(seed_of("mul", fmt, mode, sr_bits))
    r = rng.integers(0, 2**sr_bits, size=A.size, dtype=np.uint64).astype(np.uint32)
    run(fmt, mode, "ieee", r=r, sr_bits=sr_bits)


@pytest.mark.parametrize("fmt", OTHER_FORMATS)
def test_mul_exhaustive_other_formats(fmt):
    run(fmt, "rne", "ieee")
