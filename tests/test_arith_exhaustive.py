"""refmodel.ops.add, sub and mul against the oracle on all 65,536 operand pairs of every 8-bit format.

Every 8-bit format (OCP, ml_dtypes, FNUZ, e8m0fnu and the 30 P3109 binary8 formats), every
deterministic mode (rne rtz rdn rup rna rod) and every overflow policy: codes and flags. The oracle
is the Grid of tests/oracle.py (exact integer values, rounded by search over the sorted
representable magnitudes, memoized per distinct exact value), itself checked against the Fraction
formula in tests/test_oracle_selfcheck.py.

Stochastic modes (sr, sr_b, sr_c; random R per pair; sr_bits 1, 3, 8, 32 each with one policy) on add
and sub for e4m3fn, e5m2 and three P3109 formats.

"""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
from diffutil import DETERMINISTIC, EIGHT_BIT, check_batch, seed_of, show

from refmodel import ops  # noqa: E402

A, B = (g.ravel() for g in np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8),
                                        indexing="ij"))
OPS = ("add", "sub", "mul")
SR_FORMATS = ("e4m3fn", "e5m2", "binary8p4se", "binary8p3sf", "binary8p5ue")
SR_BITS_POLICY = ((1, "ieee"), (3, "sat"), (8, "sat_propagate"), (32, "ieee"))


def compare(fmt, op, rounding, overflow, batch, r=None, sr_bits=0):
    """The model against the oracle on all pairs."""
    z, flags = getattr(ops, op)(fmt, A, B, rounding=rounding, overflow=overflow, r=r, sr_bits=sr_bits)
    assert z.dtype == np.uint8 and flags.dtype == np.uint8 and z.shape == A.shape

    def describe(i):
        return f"a={show(fmt, A[i])} b={show(fmt, B[i])}" + (f" r={int(r[i]):#x}" if r is not None else "")

    check_batch(fmt, f"{op} {fmt} {rounding} {overflow} sr_bits={sr_bits}", describe, batch, z, flags, rounding,
                overflow, r, sr_bits)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("fmt", EIGHT_BIT)
def test_exhaustive(fmt, op):
    for mode in DETERMINISTIC:
        batch = O.Batch(fmt, *O.exact_results(op, fmt, A, B, mode))
        for overflow in O.POLICIES:
            compare(fmt, op, mode, overflow, batch)


@pytest.mark.parametrize("sr_bits,overflow", SR_BITS_POLICY)
@pytest.mark.parametrize("mode", O.SR_MODES)
@pytest.mark.parametrize("op", ("add", "sub"))
@pytest.mark.parametrize("fmt", SR_FORMATS)
def test_exhaustive_stochastic(fmt, op, mode, sr_bits, overflow):
    rng = np.random.default_rng(seed_of(op, fmt, mode, sr_bits))
    r = rng.integers(0, 2**sr_bits, size=A.size, dtype=np.uint64).astype(np.uint32)
    batch = O.Batch(fmt, *O.exact_results(op, fmt, A, B, mode))
    compare(fmt, op, mode, overflow, batch, r=r, sr_bits=sr_bits)


# ------------------------------------------------------------------------------------------------
# Flags the contract had to settle (docs/numerics.md): -Inf into an unsigned format under a
# saturating policy raises nothing; an exact zero into e8m0fnu there raises NX (not tiny).
# ------------------------------------------------------------------------------------------------

SETTLED_CASES = [
    ("binary8p4ue", "sub", 0x00, 0xFE, "sat", (0x00, 0)),  # 0 - (+Inf) = -Inf -> M_lo = 0
    ("binary8p4ue", "sub", 0x00, 0xFE, "sat_propagate", (0x00, 0)),
    ("e8m0fnu", "sub", 0x7F, 0x7F, "sat", (0x00, 0x01)),  # 1 - 1 = 0 -> 2^-127, NX
    ("e8m0fnu", "sub", 0x7F, 0x7F, "sat_propagate", (0x00, 0x01)),
    ("e8m0fnu", "sub", 0x7F, 0x7F, "ieee", (0xFF, 0x10)),  # no zero: NaN, NV
]


@pytest.mark.parametrize("fmt, op, a, b, pol, expected", SETTLED_CASES)
def test_settled_flags(fmt, op, a, b, pol, expected):
    assert getattr(O, f"oracle_{op}")(fmt, a, b, "rne", pol) == expected
    z, f = getattr(ops, op)(fmt, np.array([a]), np.array([b]), overflow=pol)
    assert (int(z[0]), int(f[0])) == expected
