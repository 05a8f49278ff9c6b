"""refmodel.vectors.edge: the levels, the constructed pairs and random mode's mix of edge operands."""

from __future__ import annotations

import numpy as np
import pytest

from refmodel import testing
from refmodel.formats import parse_format
from refmodel.vectors.edge import PAIRS_PER_SITUATION, constructed_pairs, edge_codes
from refmodel.vectors.generate import Request, generate
from refmodel.vectors.posit_vectors import posit_edge_codes


@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "fp16", "bf16", "e8m0fnu", "e2m1fn", "fp32"])
def test_level_2_codes_contain_level_1(name):
    f = parse_format(name)
    one, two = edge_codes(f), edge_codes(f, 2)
    assert set(one) <= set(two) and (two.size > one.size or two.size == 1 << f.bits)


def test_posit_level_2_codes_contain_level_1():
    f = parse_format("posit16es1")
    one, two = set(posit_edge_codes(f)), set(posit_edge_codes(f, 2))
    assert one < two


@pytest.mark.parametrize("name", ["e4m3fn", "fp16", "bf16"])
@pytest.mark.parametrize("op", ["mul", "add", "sub"])
def test_constructed_pairs_land_in_their_situation_and_follow_the_seed(name, op):
    f = parse_format(name)
    a, b = constructed_pairs(f, op, 1, seed=5)
    assert a.size == len(testing.SITUATIONS) * PAIRS_PER_SITUATION[1]  # every situation, the full count
    for i, s in enumerate(testing.SITUATIONS):
        block = slice(i * PAIRS_PER_SITUATION[1], (i + 1) * PAIRS_PER_SITUATION[1])
        assert all(s in testing.situations(f, op, int(x), int(y)) for x, y in zip(a[block], b[block]))
    again, other = constructed_pairs(f, op, 1, seed=5), constructed_pairs(f, op, 1, seed=6)
    assert np.array_equal(again[0], a) and np.array_equal(again[1], b)
    assert not np.array_equal(other[0], a)


@pytest.mark.parametrize("fmt", ["e5m2", "posit16es1"])
def test_random_mode_mixes_in_edge_operands(fmt):
    """About one operand in eight is an edge code; the mix is fixed by the seed."""
    f = parse_format(fmt)
    edge = posit_edge_codes(f) if fmt.startswith("posit") else edge_codes(f)
    one, again = (generate(Request("mul", f, mode="random", count=40000, seed=3)) for _ in range(2))
    assert np.array_equal(one.columns["a"], again.columns["a"])
    share = np.isin(one.columns["a"].astype(np.int64), edge).mean()
    uniform = edge.size / (1 << f.bits)  # what uniform codes alone would give
    assert 0.125 * 0.8 < share - uniform * 0.875 < 0.125 * 1.2
