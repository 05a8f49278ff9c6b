"""The table-driven fast paths of refmodel.ops give exactly what the kernels give.

Tables are filled by the kernels themselves, so what is under test here is the table logic: the
indexing, the packing of codes and flags, and (for from_f64) the bucket rule that a bucket whose two
ends agree is uniform. Each case runs once with the tables disabled and once with them forced on.
"""

from __future__ import annotations

import numpy as np
import pytest

from refmodel import ops
from refmodel.formats import parse_format
from refmodel.vectors.edge import edge_f64

MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod")
POLICIES = ("ieee", "sat", "sat_propagate")


def both_paths(monkeypatch, fn):
    """fn() with every table disabled, then with every table used whatever the size."""
    with monkeypatch.context() as m:
        for name in ("TABLE_MIN_SIZE", "F64_TABLE_MIN_SIZE"):
            m.setattr(ops, name, 1 << 62)
        kernel = fn()
    with monkeypatch.context() as m:
        for name in ("TABLE_MIN_SIZE", "F64_TABLE_MIN_SIZE"):
            m.setattr(ops, name, 0)
        table = fn()
    return kernel, table


def wide_f64(f, n=200_000, seed=5):
    """Edge values of f (every value, midpoint and their binary64 neighbours, specials) and random
    values over the whole binary64 exponent range around f's."""
    rng = np.random.default_rng(seed)
    e = rng.integers(int(np.log2(f.min_subnormal)) - 8, int(np.log2(f.max_value)) + 8, n)
    x = np.ldexp(rng.uniform(-2, 2, n), e).view(np.uint64)
    return np.concatenate([edge_f64(f), x, rng.integers(0, 2**63, 1000, dtype=np.uint64) * np.uint64(2)])


@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "e4m3fnuz", "e2m1fn", "binary8p3se", "binary8p4sf",
                                  "e8m0fnu", "binary8p1uf"])
@pytest.mark.parametrize("overflow", POLICIES)
def test_from_f64_bucket_table(monkeypatch, name, overflow):
    f = parse_format(name)
    x = wide_f64(f)
    for mode in MODES:
        (zk, fk), (zt, ft) = both_paths(monkeypatch, lambda mode=mode: ops.from_f64(f, x, mode, overflow))
        bad = np.flatnonzero((zk != zt) | (fk != ft))
        assert bad.size == 0, f"{name} {mode} {overflow}: x={x[bad[0]]:#018x} kernel {zk[bad[0]]:#x}/" \
                              f"{fk[bad[0]]:#x} table {zt[bad[0]]:#x}/{ft[bad[0]]:#x}"


@pytest.mark.parametrize("op", ["mul", "add", "sub"])
@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "binary8p4se", "e2m1fn"])
def test_binary_tables(monkeypatch, op, name):
    f = parse_format(name)
    codes = np.arange(1 << f.bits, dtype=np.uint8)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    for mode in ("rne", "rup", "rod"):
        (zk, fk), (zt, ft) = both_paths(monkeypatch, lambda mode=mode: getattr(ops, op)(f, a, b, mode, "sat"))
        assert np.array_equal(zk, zt) and np.array_equal(fk, ft)
        assert zt.dtype == np.uint8 and zt.shape == a.shape


@pytest.mark.parametrize("src, dst", [("fp16", "e4m3fn"), ("bf16", "e5m2"), ("e5m2", "binary8p3se"),
                                      ("e4m3fn", "fp16")])
def test_convert_tables(monkeypatch, src, dst):
    f = parse_format(src)
    a = np.arange(1 << f.bits, dtype=np.uint16).reshape(-1, 2)  # any shape
    for mode in ("rne", "rtz", "rna"):
        (zk, fk), (zt, ft) = both_paths(monkeypatch, lambda mode=mode: ops.convert(src, a, dst, mode))
        assert np.array_equal(zk, zt) and np.array_equal(fk, ft) and zt.shape == a.shape
