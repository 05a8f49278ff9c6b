"""The LFSR (refmodel.units.Lfsr): maximal period, and the bit-exact sequence of the default.

- widths 2..18: every nonzero state visited once per period of exactly 2^w - 1 steps (exhaustive);
- widths 2..32: the step is linear over GF(2) and its matrix has multiplicative order 2^w - 1 (so
  every tap list in MAXIMAL_TAPS is maximal, the 32-bit default included, without 4e9 steps);
- the default (32 bits, taps 32,22,2,1, XAPP052) against the bit-serial LFSR of test_units_oracle,
  and its output bits against the feedback recurrence o_j = o_(j-32) ^ o_(j-22) ^ o_(j-2) ^ o_(j-1).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_units_oracle import XAPP052_TAPS, BitLfsr

from refmodel.units import MAXIMAL_TAPS, Lfsr


def prime_factors(n: int) -> set[int]:
    out, d = set(), 2
    while d * d <= n:
        while n % d == 0:
            out.add(d)
            n //= d
        d += 1
    return out | ({n} if n > 1 else set())


def step_matrix(lfsr: Lfsr) -> list[int]:
    """The images of the basis states under one step: column i is step(1 << i)."""
    cols = []
    for i in range(lfsr.width):
        lfsr.state = 1 << i
        cols.append(lfsr.step())
    return cols


def apply(cols: list[int], x: int) -> int:
    y, i = 0, 0
    while x:
        if x & 1:
            y ^= cols[i]
        x >>= 1
        i += 1
    return y


def matrix_power(cols: list[int], e: int) -> list[int]:
    result = [1 << i for i in range(len(cols))]
    while e:
        if e & 1:
            result = [apply(cols, c) for c in result]
        cols = [apply(cols, c) for c in cols]
        e >>= 1
    return result


@pytest.mark.parametrize("width", range(2, 19))
def test_small_widths_have_maximal_period(width):
    n = (1 << width) - 1
    lfsr = Lfsr(width, seed=1)
    states = lfsr.states(n)
    assert states[-1] == 1 and np.unique(states).size == n and states.min() > 0


@pytest.mark.parametrize("width", range(2, 33))
def test_every_tap_list_is_maximal(width):
    lfsr = Lfsr(width)
    rng = np.random.default_rng(width)
    cols = step_matrix(lfsr)
    for x, y in rng.integers(1, 1 << width, size=(50, 2)).tolist():  # the step is linear
        assert apply(cols, x ^ y) == apply(cols, x) ^ apply(cols, y)
        lfsr.state = x
        assert lfsr.step() == apply(cols, x)
    n = (1 << width) - 1
    identity = [1 << i for i in range(width)]
    assert matrix_power(cols, n) == identity
    for q in prime_factors(n):
        assert matrix_power(cols, n // q) != identity, q


def test_default_is_xapp052_32_bit():
    lfsr = Lfsr()
    assert (lfsr.width, lfsr.taps, lfsr.mask, lfsr.state) == (32, (32, 22, 2, 1), 0x80200003, 1)
    assert all(MAXIMAL_TAPS[w] == taps for w, taps in XAPP052_TAPS.items())


@pytest.mark.parametrize("width, seed", [(32, 1), (32, 0xDEADBEEF), (16, 0xACE1), (8, 0x5A), (12, 7)])
def test_matches_the_bit_serial_lfsr(width, seed):
    model = Lfsr(width, seed=seed)
    ref = BitLfsr(width, XAPP052_TAPS[width], seed)
    states = model.states(3000)
    expected = []
    for _ in range(3000):
        ref.step()
        expected.append(ref.state)
    assert states.tolist() == expected
    # draw: one step, then the low N bits of the new state
    assert [model.draw(5) for _ in range(100)] == [ref.draw(5) for _ in range(100)]
    assert model.draws(100, 8).tolist() == [ref.draw(8) for _ in range(100)]


def test_default_output_bits_obey_the_published_recurrence():
    lfsr = Lfsr(seed=0x12345678)
    states = lfsr.states(5000)
    out = (np.concatenate([[0x12345678], states[:-1]]) & 1).tolist()  # bit 0 leaves at each step
    for j in range(32, len(out)):
        assert out[j] == out[j - 32] ^ out[j - 22] ^ out[j - 2] ^ out[j - 1], j


def test_reset_and_validation():
    lfsr = Lfsr(8, seed=3)
    lfsr.states(10)
    lfsr.reset()
    assert lfsr.state == 3
    with pytest.raises(ValueError, match="seed"):
        Lfsr(8, seed=0)
    with pytest.raises(ValueError, match="seed"):
        Lfsr(8, seed=256)
    with pytest.raises(ValueError, match="taps"):
        Lfsr(8, taps=(7, 3))
    with pytest.raises(ValueError, match="width"):
        Lfsr(33)
    with pytest.raises(ValueError, match="sr_bits"):
        Lfsr(8).check_bits(9)
