"""flex_dot and flex_quant vector sets: field layout, determinism by seed, the file round trip,
explain/formats lines, and argument errors. (Their results against the oracle: test_flex_mac.py,
test_flex_quantize.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from refmodel.flex.explain import explain_flex, formats_row
from refmodel.flex.generate import flex_dot_vectors, flex_quant_vectors
from refmodel.vectors.io import read_vectors, write_vectors


def same(v1, v2) -> bool:
    return v1.fields == v2.fields and v1.meta == v2.meta and all(
        np.array_equal(v1.columns[n], v2.columns[n]) for n, _ in v1.fields)


def test_dot_fields_and_meta():
    vs = flex_dot_vectors("flex16+5", length=3, rounding="sr", sr_bits=7, acc_bits=30, acc_overflow="sat",
                          count=50, seed=4)
    assert vs.fields == [("a0", 16), ("a1", 16), ("a2", 16), ("b0", 16), ("b1", 16), ("b2", 16), ("ea", 5),
                         ("eb", 5), ("ez", 5), ("r", 7), ("z", 16), ("overflow", 1), ("maxabs", 16)]
    assert vs.meta == {"op": "flex_dot", "fmt": "flex16+5", "length": "3", "rounding": "sr", "sr_bits": "7",
                       "acc_bits": "30", "acc_overflow": "sat", "stat_group": "8", "mode": "random", "seed": "4",
                       "count": "50"}
    assert all(c.dtype == np.uint64 for c in vs.columns.values())
    rne = flex_dot_vectors("flex8+4", length=2, count=5)
    assert [n for n, _ in rne.fields] == ["a0", "a1", "b0", "b1", "ea", "eb", "ez", "z", "overflow", "maxabs"]
    assert dict(rne.fields)["ez"] == 4 and rne.meta["acc_bits"] == "exact" and "acc_overflow" not in rne.meta


def test_quant_fields_and_meta():
    vs = flex_quant_vectors("flex16+5", "sr", sr_bits=3, count=20, seed=2)
    assert vs.fields == [("a", 64), ("ez", 5), ("r", 3), ("z", 16), ("overflow", 1)]
    assert vs.meta["op"] == "flex_quant" and vs.count == 20
    assert [n for n, _ in flex_quant_vectors(mode="edge").fields] == ["a", "ez", "z", "overflow"]


@pytest.mark.parametrize("gen", [
    lambda seed: flex_dot_vectors(length=4, rounding="sr", count=300, seed=seed),
    lambda seed: flex_dot_vectors(length=4, rounding="sr", mode="edge", seed=seed),
    lambda seed: flex_quant_vectors(rounding="sr", count=300, seed=seed),
])
def test_deterministic_by_seed(gen):
    assert same(gen(5), gen(5))
    other = gen(6)
    assert any(not np.array_equal(gen(5).columns[n], other.columns[n]) for n in ("r", "z"))


def test_edge_sets_do_not_depend_on_seed_without_sr():
    a, b = flex_dot_vectors(length=4, mode="edge", seed=1), flex_dot_vectors(length=4, mode="edge", seed=9)
    assert all(np.array_equal(a.columns[n], b.columns[n]) for n, _ in a.fields)
    assert flex_quant_vectors(mode="edge", seed=1).count == flex_quant_vectors(mode="edge", seed=2).count


def test_file_round_trip(tmp_path):
    vs = flex_dot_vectors(length=2, rounding="sr", count=40, seed=3)
    write_vectors(tmp_path / "d", vs, "refmodel gen flex_dot ...", dict(vs.meta))
    back = read_vectors(tmp_path / "d.txt")
    assert back.fields == vs.fields and back.meta == vs.meta
    assert all(np.array_equal(back.columns[n], vs.columns[n]) for n, _ in vs.fields)
    q = flex_quant_vectors(count=10)
    write_vectors(tmp_path / "q", q, "refmodel gen flex_quant ...", dict(q.meta))
    line = (tmp_path / "q.txt").read_text().splitlines()[3]
    assert [len(t) for t in line.split()] == [16, 2, 4, 1]


def test_explain_and_formats_lines():
    assert explain_flex("flex16+5", 0x8000) == "flex16+5 0x8000  = 1000000000000000  mantissa -32768"
    assert explain_flex("flex16+5", 0x0180, -8) == (
        "flex16+5 0x0180  = 0000000110000000  mantissa 384  exp -8 (field 01000, dec 8)  "
        "value 1.5 (0x1.8000000000000p+0)")
    assert explain_flex("flex16+5", 0, 0).endswith("value 0.0")
    assert formats_row("flex16+5") == ("flex16+5", "16", "5/16", "-", "32767", "-", "4.65661e-10", "none")
    with pytest.raises(ValueError):
        explain_flex("flex16+5", 0x10000)
    with pytest.raises(ValueError):
        explain_flex("flex16+5", 1, 3)


def test_argument_errors():
    with pytest.raises(ValueError, match="mode"):
        flex_dot_vectors(mode="exhaustive")
    with pytest.raises(ValueError, match="acc_bits"):
        flex_dot_vectors(acc_bits=70)
    with pytest.raises(ValueError, match="exact accumulator"):
        flex_dot_vectors("flex32+5", length=2)
    with pytest.raises(ValueError, match="rne or sr"):
        flex_quant_vectors(rounding="rtz")
    with pytest.raises(ValueError, match="count"):
        flex_quant_vectors(count=0)
