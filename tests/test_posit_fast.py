"""The n <= 16 round-to-nearest-even fast path (refmodel/kernels/posit_fast.py) against the general
posit kernel (itself proven against SoftPosit in test_posits.py) and against the exact-rational
oracle, and the dispatch that sends the public API through it."""

from __future__ import annotations

import numpy as np
import posit_oracle as oracle
import pytest

from refmodel import posits
from refmodel.formats import parse_format
from refmodel.kernels import posit_arrays as pa
from refmodel.kernels import posit_fast as pf
from refmodel.vectors.posit_vectors import posit_edge_codes

OPS = {"add": pa.ADD, "sub": pa.SUB, "mul": pa.MUL}


def _fast(f, op, a, b):
    z = np.empty(a.size, np.uint16)
    pf.posit_binary_rne_small(f.params, op == pa.MUL, op == pa.SUB, a, b, z)
    return z


def _general(f, op, a, b):
    z = np.empty(a.size, np.uint16)
    pa.posit_binary_array(f.params, op, a, b, z, 0, np.zeros(1, np.int64), 0)
    return z


def _assert_same(got, want, what, a, b):
    bad = np.flatnonzero(np.asarray(got, np.int64) != np.asarray(want, np.int64))
    if bad.size:
        i = bad[0]
        pytest.fail(f"{what}: {bad.size} mismatches; first {a[i]:#x}, {b[i]:#x}: "
                    f"fast {got[i]:#x} reference {want[i]:#x}")


def _operands(f, size, rng):
    """Random pairs, then every edge code (regime boundaries, minpos, maxpos, 0, NaR, ...) against
    every other and against random codes."""
    edge = posit_edge_codes(f).astype(np.uint16)
    rand = rng.integers(0, 1 << f.n, size, dtype=np.uint16)
    a = np.concatenate([rand, np.repeat(edge, edge.size), np.repeat(edge, 64)])
    b = np.concatenate([rng.integers(0, 1 << f.n, size, dtype=np.uint16), np.tile(edge, edge.size),
                        rng.integers(0, 1 << f.n, 64 * edge.size, dtype=np.uint16)])
    return a, b


@pytest.mark.parametrize("fmt", ["posit16", "posit16es0", "posit16es1", "posit16es3", "posit16es4", "posit12es3",
                                 "posit13es2", "posit14es1", "posit11es0", "posit15es4"])
def test_fast_path_equals_general_kernel_random(fmt):
    f = parse_format(fmt)
    a, b = _operands(f, 300_000, np.random.default_rng(f.n * 10 + f.es))
    for name, op in OPS.items():
        _assert_same(_fast(f, op, a, b), _general(f, op, a, b), f"{fmt} {name}", a, b)


@pytest.mark.parametrize("n", range(2, 11))
def test_fast_path_equals_general_kernel_exhaustive_small(n):
    codes = np.arange(1 << n, dtype=np.uint16)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    for es in range(5):
        f = parse_format(f"posit{n}es{es}")
        for name, op in OPS.items():
            _assert_same(_fast(f, op, a, b), _general(f, op, a, b), f"{f.name} {name}", a, b)


@pytest.mark.parametrize("n,es", [(16, 2), (16, 0), (16, 4), (12, 3), (13, 1), (9, 4)])
def test_fast_path_vs_oracle(n, es):
    f = parse_format(f"posit{n}es{es}")
    rng = np.random.default_rng(1000 + n * 10 + es)
    edge = posit_edge_codes(f).astype(np.uint16)
    a = np.concatenate([rng.integers(0, 1 << n, 1500, dtype=np.uint16), rng.choice(edge, 500)])
    b = np.concatenate([rng.integers(0, 1 << n, 1500, dtype=np.uint16), rng.choice(edge, 500)])
    for name, op in OPS.items():
        want = [getattr(oracle, name)(n, es, int(x), int(y)) for x, y in zip(a, b)]
        _assert_same(_fast(f, op, a, b), want, f"{f.name} {name}", a, b)


def test_public_api_takes_the_fast_path(monkeypatch):
    """posits.add/sub/mul in rne for n <= 16 run the fast kernel, whatever the size, so the
    SoftPosit and oracle tests of the public API cover it; div, the stochastic modes and n > 16
    do not."""
    calls = []
    kernel = pf.posit_binary_rne_small

    def spy(*args):
        calls.append(args[0])
        return kernel(*args)

    monkeypatch.setattr(pf, "posit_binary_rne_small", spy)
    a = np.arange(1000)
    for fmt in ("posit16es1", "posit16", "posit12es3", "posit8es0"):
        for op in (posits.add, posits.sub, posits.mul):
            calls.clear()
            op(fmt, a % (1 << parse_format(fmt).n), a[::-1] % (1 << parse_format(fmt).n))
            assert calls == [parse_format(fmt).params], (fmt, op.__name__)
    calls.clear()
    posits.add("posit8", np.arange(1 << 16) >> 8, np.arange(1 << 16) & 255)  # large: no table either
    assert calls == [parse_format("posit8").params]
    calls.clear()
    posits.div("posit16", a, a + 1)
    posits.add("posit16", a, a, rounding="sr", r=a & 255, sr_bits=8)
    posits.mul("posit17", a, a)
    assert calls == []
