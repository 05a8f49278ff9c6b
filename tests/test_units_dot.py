"""Dot products and chunk-based accumulation (refmodel.units.dot, ChunkedMac) against the oracle of
test_units_oracle: chunk lengths 0 (one chunk), 1, a few and 64, second-level formats equal to and
wider than the accumulator, cascaded and alignment-limited steps, every deterministic mode, and
stochastic modes whose LFSR runs on from row to row (the oracle's bit-serial copy draws in the
documented order: product, accumulate, commit). Also: the cycle-level ChunkedMac equals the batch,
the vector generator's rows and LFSR states equal the unit's, and one chunk equals the plain MAC.
"""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
import test_units_oracle as U
from diffutil import seed_of

from refmodel.formats import parse_format
from refmodel.units import ChunkedMac, FpMac, Lfsr, dot
from refmodel.units.dot import prng_steps
from refmodel.units.vectors import UnitRequest, dot_vectors, edge_rows, random_rows
from refmodel.vectors.io import read_vectors, write_vectors


def rows(fmt: str, acc: str, seed: int, length: int, n_random: int):
    """Half the generator's edge rows (every pattern), then random rows."""
    f, g = parse_format(fmt), parse_format(acc)
    ea, eb = (r[::2] for r in edge_rows(f, g, seed, length))
    ra, rb = random_rows(f, seed, n_random, length)
    return np.concatenate([ea, ra]), np.concatenate([eb, rb])


def check_dots(m: U.Mac, a, b, chunk: int, second: str | None, seed: int):
    """dot() against the oracle row by row; the LFSR state at each row's start as well."""
    prng = Lfsr(seed=seed) if m.rounding in U.SR_MODES else None
    got = dot(a, b, m.in_fmt, m.acc_fmt, chunk=chunk, second_fmt=second, prng=prng, **m.options())
    out = second or m.acc_fmt
    for i in range(len(a)):
        start = m.lfsr.state if prng is not None else None
        exp = U.dot(m, a[i], b[i], chunk, second)
        if (int(got.z[i]), int(got.flags[i])) != exp:
            raise AssertionError(f"{m} chunk={chunk} second={out} row {i}: a={a[i].tolist()} b={b[i].tolist()}\n"
                                 f"  expected z={exp[0]:#x} ({O.decode_float(out, exp[0])}) flags={exp[1]:#04x}, "
                                 f"got z={int(got.z[i]):#x} ({O.decode_float(out, int(got.z[i]))}) "
                                 f"flags={int(got.flags[i]):#04x}")
        if start is not None:
            assert got.lfsr[i] == start, i
    if prng is not None:
        assert prng.state == m.lfsr.state


CASES = [  # fmt, acc, second, chunk, length
    ("e5m2", "e6m9", None, 4, 16), ("e5m2", "e6m9", None, 0, 16), ("e5m2", "e6m9", None, 1, 9),
    ("e5m2", "e6m9", "fp32", 5, 23), ("e4m3fn", "fp16", None, 3, 10), ("e4m3fn", "bf16", "fp32", 64, 70),
    ("e4m3fn", "e4m3fn", "fp16", 2, 7), ("e5m2", "e5m2", "e6m9", 3, 12),
]


@pytest.mark.parametrize("rounding", ["rne", "rtz", "rdn", "rup", "rna", "rod"])
@pytest.mark.parametrize("fmt, acc, second, chunk, length", CASES)
def test_dot_deterministic(fmt, acc, second, chunk, length, rounding):
    seed = seed_of(fmt, acc, second, chunk, rounding)
    a, b = rows(fmt, acc, seed, length, 8 if length > 64 else 24)
    check_dots(U.Mac(fmt, acc, rounding), a, b, chunk, second, seed)


@pytest.mark.parametrize("rounding, sr_bits", [("sr", 8), ("sr", 3), ("sr_b", 5), ("sr_c", 12)])
@pytest.mark.parametrize("fmt, acc, second, chunk, length", CASES[:5])
def test_dot_stochastic(fmt, acc, second, chunk, length, rounding, sr_bits):
    seed = seed_of(fmt, acc, chunk, rounding, sr_bits) & 0xFFFFFFFF or 1
    a, b = rows(fmt, acc, seed, length, 24)
    m = U.Mac(fmt, acc, rounding, sr_bits=sr_bits, lfsr=U.BitLfsr(32, U.XAPP052_TAPS[32], seed))
    check_dots(m, a, b, chunk, second, seed)


@pytest.mark.parametrize("rounding", ["rne", "rup", "sr"])
@pytest.mark.parametrize("prod, width, sticky", [("fp16", None, False), (None, 9, False), (None, 10, True),
                                                  ("e5m2", 12, True)])
def test_dot_cascaded_and_aligned(prod, width, sticky, rounding):
    seed = seed_of(prod, width, sticky, rounding) & 0xFFFFFFFF or 1
    a, b = rows("e5m2", "e6m9", seed, 20, 24)
    m = U.Mac("e5m2", "e6m9", rounding, product_fmt=prod, align_width=width, sticky=sticky,
              lfsr=U.BitLfsr(32, U.XAPP052_TAPS[32], seed))
    check_dots(m, a, b, 6, "fp32", seed)


def test_overflow_policy_in_both_levels():
    a, b = rows("e4m3fn", "e4m3fn", 8, 12, 16)
    check_dots(U.Mac("e4m3fn", "e4m3fn", "rne", "sat"), a, b, 3, "e5m2", 8)


@pytest.mark.parametrize("chunk", [0, 1, 3, 7])
def test_chunked_mac_cycles_equal_the_batch(chunk):
    """ChunkedMac fed each row with clear on the first product and last on the final one (with a
    bubble in the middle) gives the batch's z, flags and LFSR states."""
    a, b = rows("e5m2", "e6m9", chunk, 10, 8)
    opts = {"rounding": "sr", "sr_bits": 7, "product_fmt": "fp16"}
    batch = dot(a, b, "e5m2", "e6m9", chunk=chunk, second_fmt="fp32", prng=Lfsr(seed=42), **opts)
    unit = ChunkedMac("e5m2", "e6m9", chunk, second_fmt="fp32", prng=Lfsr(seed=42), **opts)
    traced = ChunkedMac("e5m2", "e6m9", chunk, second_fmt="fp32", prng=Lfsr(seed=42), **opts)
    n, length = a.shape
    for i in range(n):
        assert unit.prng.state == batch.lfsr[i]
        for k in range(length):
            if k == length // 2:
                unit.cycle(0x7F, 0x7F, valid=False, last=True)  # a bubble: nothing moves, last ignored
            acc, total, flags = unit.cycle(a[i, k], b[i, k], clear=k == 0, last=k == length - 1)
        assert (total, flags) == (batch.z[i], batch.flags[i]) and acc == 0
        tr = traced.run(a[i], b[i], clear=np.arange(length) == 0, last=np.arange(length) == length - 1)
        assert (tr.total[-1], tr.flags[-1]) == (batch.z[i], batch.flags[i])
    assert unit.prng.state == traced.prng.state
    steps = prng_steps(length, chunk, cascade=True)
    assert Lfsr(seed=42).states(n * steps)[-1] == unit.prng.state  # steps per dot as documented


def test_one_chunk_in_the_accumulator_format_is_the_plain_mac():
    a, b = rows("e4m3fn", "fp16", 4, 33, 16)
    z = dot(a, b, "e4m3fn", "fp16", chunk=0, rounding="rdn").z
    for i in range(len(a)):
        mac = FpMac("e4m3fn", "fp16", rounding="rdn")
        assert mac.run(a[i], b[i]).acc[-1] == z[i]


def test_chunks_and_the_dot_shape():
    """chunk >= length is one chunk; a 1-d row gives scalars."""
    a, b = rows("e5m2", "e6m9", 2, 8, 4)
    assert (dot(a, b, "e5m2", "e6m9", chunk=8).z == dot(a, b, "e5m2", "e6m9", chunk=0).z).all()
    res = dot(a[3], b[3], "e5m2", "e6m9", chunk=3)
    assert res.z == dot(a, b, "e5m2", "e6m9", chunk=3).z[3] and res.lfsr is None
    with pytest.raises(ValueError, match="same shape"):
        dot(a, b[:, :4], "e5m2", "e6m9")
    with pytest.raises(ValueError, match="chunk"):
        dot(a, b, "e5m2", "e6m9", chunk=-1)


def test_dot_vectors_carry_the_lfsr_state_of_each_row():
    req = UnitRequest("dot", "e5m2", "e6m9", length=16, chunk=4, rounding="sr", sr_bits=6, lfsr_seed=77, mode="edge")
    vs = dot_vectors(req)
    a = np.stack([vs.columns[f"a{i}"] for i in range(16)], axis=1).astype(np.int64)
    b = np.stack([vs.columns[f"b{i}"] for i in range(16)], axis=1).astype(np.int64)
    m = U.Mac("e5m2", "e6m9", "sr", sr_bits=6, lfsr=U.BitLfsr(32, U.XAPP052_TAPS[32], 77))
    for i in range(vs.count):
        assert vs.columns["lfsr"][i] == m.lfsr.state
        assert U.dot(m, a[i], b[i], 4) == (vs.columns["z"][i], vs.columns["flags"][i])
    assert vs.meta["lfsr_steps_per_dot"] == str(16 + 4)


def test_dot_vectors_write_read_and_repeat(tmp_path):
    """Deterministic by seed; the one writer takes the set and reads it back (309-bit hex words)."""
    req = UnitRequest("dot", "e5m2", "e6m9", length=16, chunk=4, second_fmt="fp16", rounding="sr_c", sr_bits=4,
                      count=50, seed=9)
    vs, again = dot_vectors(req), dot_vectors(req)
    assert all((vs.columns[k] == again.columns[k]).all() for k in vs.columns)
    other = dot_vectors(UnitRequest("dot", "e5m2", "e6m9", length=16, chunk=4, count=50, seed=10))
    assert (other.columns["a0"] != vs.columns["a0"]).any()
    assert vs.layout()[-3:] == [{"name": "lfsr", "bits": 32, "lsb": 21}, {"name": "z", "bits": 16, "lsb": 5},
                                {"name": "flags", "bits": 5, "lsb": 0}]
    write_vectors(tmp_path / "dot", vs, "refmodel gen dot ...", req.parameters(vs.count))
    back = read_vectors(tmp_path / "dot.txt")
    assert back.meta == vs.meta and back.fields == vs.fields
    assert all((back.columns[k] == vs.columns[k]).all() for k in vs.columns)
