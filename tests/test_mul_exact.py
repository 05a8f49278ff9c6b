"""refmodel.ops.mul_exact against the oracle on all 65,536 operand pairs of e4m3fn and e5m2 (and
binary8p4se, binary8p1ue, e8m0fnu): the class, the sign, sig * 2^exp equal to the exact product, and
the flags (NV for 0 x Inf and signalling NaNs only)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import oracle as O
import pytest
from diffutil import show

from refmodel import ops  # noqa: E402

A, B = (g.ravel() for g in np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8),
                                        indexing="ij"))


@pytest.mark.parametrize("fmt", ("e4m3fn", "e5m2", "binary8p4se", "binary8p1ue", "e8m0fnu"))
def test_mul_exact_exhaustive(fmt):
    cls, neg, exp, sig, flags = ops.mul_exact(fmt, A, B)
    assert cls.shape == neg.shape == exp.shape == sig.shape == flags.shape == A.shape
    bad = []
    for i, (a, b) in enumerate(zip(A.tolist(), B.tolist())):
        e_cls, e_neg, e_val, e_flags = O.oracle_mul_exact(fmt, a, b)
        got_cls, got_neg, got_flags = int(cls[i]), bool(neg[i]), int(flags[i])
        ok = got_cls == e_cls and got_flags == e_flags and (e_neg is None or got_neg == e_neg)
        if ok and e_cls == 1:
            ok = int(sig[i]) > 0 and Fraction(int(sig[i])) * O.pow2(int(exp[i])) == e_val
        if not ok:
            bad.append(f"a={show(fmt, a)} b={show(fmt, b)}: expected cls {e_cls} neg {e_neg} value {e_val} "
                       f"flags {e_flags:#x}; got cls {got_cls} neg {got_neg} sig {int(sig[i])} exp {int(exp[i])} "
                       f"flags {got_flags:#x}")
    assert not bad, f"{len(bad)} mismatches:\n" + "\n".join(bad[:8])
