"""The stochastic-rounding adder (refmodel.units.SrAdder) and its LFSR.

- Hypothesis: for any finite operands, mode (sr, sr_b, sr_c), N and LFSR seed, the sum is one of the
  two neighbours of the exact a + b (the truncated one and the one away from zero), and exactly the
  oracle's rounding with the R the LFSR gave (the low N bits of the state after one step).
- Exhaustive over the LFSR's full period, for every pair of finite e3m2 codes: a maximal w-bit LFSR
  visits each nonzero state once, so the low N bits take every value 2^(w-N) times except 0
  (2^(w-N) - 1 times). The number of round-ups is then fixed by the exact discarded fraction nu, and
  the mean result is within the bound N random bits allow: for StochasticA below the exact sum by
  less than 2^-N ulp (above it by less than 1/(2^w - 1) ulp, the missing zero state); for B and C
  within 2^-(N+1) ulp (+ 1/(2^w - 1)) of it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
import oracle as O
import pytest
import test_units_oracle as U
from hypothesis import given, settings
from hypothesis import strategies as st

from refmodel.units import Lfsr, SrAdder
from refmodel.units.vectors import UnitRequest, sr_add_vectors

FORMATS = ["e5m2", "e4m3fn", "e6m9", "e3m2", "binary8p4se", "e4m3fnuz"]


def finite_codes(fmt: str) -> list[int]:
    return [c for c, v in enumerate(O.get_format(fmt).values) if isinstance(v, Fraction) or v in ("+0", "-0")]


@cache
def neighbours(fmt: str, a: int, b: int) -> tuple[int, int]:
    """Codes of the exact sum truncated toward zero and rounded away from zero (equal when exact)."""
    x = O.exact_add(O.decode(fmt, a), O.decode(fmt, b), "rne")
    away = "rdn" if isinstance(x, Fraction) and x < 0 else "rup"
    return O.oracle_add(fmt, a, b, "rtz")[0], O.oracle_add(fmt, a, b, away)[0]


@st.composite
def cases(draw):
    fmt = draw(st.sampled_from(FORMATS))
    codes = finite_codes(fmt)
    a, b = draw(st.sampled_from(codes)), draw(st.sampled_from(codes))
    if draw(st.booleans()):  # b a few binades below a: the sum is inexact with a spread fraction
        target = O.decode(fmt, a)
        if isinstance(target, Fraction) and target != 0:
            scaled = target * O.pow2(-draw(st.integers(1, 14))) * Fraction(draw(st.integers(1, 255)), 128)
            b = O.oracle_round(fmt, -scaled if draw(st.booleans()) else scaled, "rtz")[0]
    return fmt, a, b


@settings(max_examples=250, deadline=None)
@given(case=cases(), rounding=st.sampled_from(U.SR_MODES), sr_bits=st.integers(1, 32),
       seed=st.integers(1, 2**32 - 1))
def test_sum_is_a_neighbour_and_the_oracles_choice(case, rounding, sr_bits, seed):
    fmt, a, b = case
    z, flags = SrAdder(fmt, rounding, sr_bits, prng=Lfsr(seed=seed)).cycle(a, b)
    assert z in neighbours(fmt, a, b)
    r = U.BitLfsr(32, U.XAPP052_TAPS[32], seed).draw(sr_bits)
    assert (z, flags) == O.oracle_add(fmt, a, b, rounding, r=r, sr_bits=sr_bits)


def round_up_states(rounding: str, nu: Fraction, width: int, n: int) -> int:
    """How many states of a full LFSR period make the rounding go away from zero (P3109 RoundAway):
    R >= threshold, counted with multiplicity 2^(w-N), less one for R = 0 (the state 0 never occurs)."""
    if rounding == "sr":  # floor(nu 2^N) + R >= 2^N
        threshold = 2**n - math.floor(nu * 2**n)
    elif rounding == "sr_b":  # floor(nu 2^(N+1)) + 2R + 1 >= 2^(N+1)
        threshold = -(-(2 ** (n + 1) - 1 - math.floor(nu * 2 ** (n + 1))) // 2)
    else:  # RNITE(nu 2^N) + R >= 2^N
        threshold = 2**n - O.rnite(nu.numerator << n, nu.denominator)
    return (2**n - threshold) * 2 ** (width - n) - (1 if threshold == 0 else 0)


@pytest.mark.parametrize("rounding, width, n", [("sr", 8, 2), ("sr", 8, 8), ("sr", 10, 3), ("sr_b", 8, 3),
                                                ("sr_c", 8, 3), ("sr_c", 9, 1)])
def test_unbiased_within_the_bound_over_the_full_period(rounding, width, n):
    fmt = "e3m2"
    codes = finite_codes(fmt)
    pairs = [(a, b) for a in codes for b in codes]
    period = 2**width - 1
    adder = SrAdder(fmt, rounding, n, prng=Lfsr(width, seed=1))
    z = np.concatenate([adder.run(np.repeat(np.array(chunk)[:, 0], period), np.repeat(np.array(chunk)[:, 1], period)).z
                        for chunk in (pairs[i:i + 256] for i in range(0, len(pairs), 256))]).reshape(len(pairs), period)
    bound = Fraction(1, 2**n) if rounding == "sr" else Fraction(1, 2 ** (n + 1))
    f = O.get_format(fmt)
    checked = 0
    for (a, b), zs in zip(pairs, z):
        lo, hi = neighbours(fmt, a, b)
        assert np.isin(zs, [lo, hi]).all(), (a, b)  # always one of the two neighbours
        x = O.exact_add(O.decode(fmt, a), O.decode(fmt, b), "rne")
        if lo == hi:
            continue  # exact
        if O.oracle_add(fmt, a, b, "rtz")[1] & O.OF:
            continue  # the truncated value itself overflows: both choices overflow
        nu = O.split(f, abs(x))[2]
        ups = int((zs == hi).sum())
        assert ups == round_up_states(rounding, nu, width, n), (a, b)
        bias = Fraction(ups, period) - nu  # E[z] - x, in ulps of the binade of x
        if rounding == "sr":
            assert -bound < bias < Fraction(1, period), (a, b, bias)
        else:
            assert abs(bias) <= bound + Fraction(1, period), (a, b, bias)
        checked += 1
    assert checked > 1000


def test_lfsr_steps_only_on_valid_cycles():
    adder = SrAdder("e6m9", "sr", 4, prng=Lfsr(seed=9))
    adder.cycle(0x3E00, 0x2001)
    held = adder.cycle(0x3E00, 0x3E00, valid=False)
    assert adder.prng.state == Lfsr(seed=9).states(1)[0] and held == (adder.z, adder.flags)


def test_sr_add_vectors_replay():
    """Each vector's r is the low N bits of its lfsr field, the state after one more step than the
    previous vector's, and z is the oracle's rounding with that r."""
    vs = sr_add_vectors(UnitRequest("sr_add", "e5m2", rounding="sr_b", sr_bits=5, lfsr_seed=1234, count=400))
    ref = U.BitLfsr(32, U.XAPP052_TAPS[32], 1234)
    for a, b, state, r, z, flags in zip(*(vs.columns[k].tolist() for k in ("a", "b", "lfsr", "r", "z", "flags"))):
        assert r == ref.draw(5) and state == ref.state
        assert (z, flags) == O.oracle_add("e5m2", a, b, "sr_b", r=r, sr_bits=5)


def test_adder_validation():
    with pytest.raises(ValueError, match="stochastically"):
        SrAdder("e5m2", "rne")
    with pytest.raises(ValueError, match="sr_bits"):
        SrAdder("e5m2", "sr", 9, prng=Lfsr(8))
