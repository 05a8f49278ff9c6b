"""The MAC and requantizer against exact integer arithmetic (tests/test_flex_oracle.py): dot
products and GEMM in both rounding modes, exact and narrow accumulators that wrap or saturate,
and the cycle-level unit (back-to-back dot products, the max|m| statistic, its clear)."""

from __future__ import annotations

import numpy as np
import pytest
import test_flex_oracle as O

from refmodel.encodings import RNE, SR
from refmodel.flex import FlexMac, FlexTensor, dot, dot_mantissas, gemm, max_exact_terms, quantize
from refmodel.flex.generate import flex_dot_vectors
from refmodel.formats import parse_format

FMT = "flex16+5"
ACCUMULATORS = [(None, "wrap"), (20, "wrap"), (20, "sat"), (33, "wrap"), (33, "sat")]


def unpack(vs, i, length, n=16):
    c = vs.columns
    a = [O.signed(int(c[f"a{k}"][i]), n) for k in range(length)]
    b = [O.signed(int(c[f"b{k}"][i]), n) for k in range(length)]
    ea, eb, ez = (-int(c[x][i]) for x in ("ea", "eb", "ez"))
    return a, b, ea, eb, ez


@pytest.mark.parametrize("acc_bits, kind", ACCUMULATORS)
@pytest.mark.parametrize("rounding", ["rne", "sr"])
@pytest.mark.parametrize("mode", ["edge", "random"])
def test_dot_vectors_against_oracle(mode, rounding, acc_bits, kind):
    length = 6
    vs = flex_dot_vectors(FMT, length, rounding, sr_bits=6, acc_bits=acc_bits, acc_overflow=kind, mode=mode,
                          count=600, seed=3, stat_group=5)
    c = vs.columns
    stat = 0
    for i in range(vs.count):
        a, b, ea, eb, ez = unpack(vs, i, length)
        r = int(c["r"][i]) if rounding == "sr" else 0
        z, ovf = O.dot(a, b, ea, eb, ez, 16, rounding, r, 6, acc_bits, kind)
        stat = abs(z) if i % 5 == 0 else max(stat, abs(z))
        got = (O.signed(int(c["z"][i]), 16), bool(c["overflow"][i]), int(c["maxabs"][i]))
        assert got == (z, ovf, stat), f"vector {i}: {a} . {b} exps {ea} {eb} -> {ez}"


def test_edge_vectors_reach_the_corners():
    vs = flex_dot_vectors(FMT, 16, mode="edge")
    z = np.array([O.signed(int(v), 16) for v in vs.columns["z"]])
    assert {-32768, 32767, 0, 1, -1} <= set(z.tolist())
    assert vs.columns["overflow"].any() and not vs.columns["overflow"].all()
    shifts = {-int(vs.columns["ez"][i]) + int(vs.columns["ea"][i]) + int(vs.columns["eb"][i])
              for i in range(vs.count)}
    assert min(shifts) == -31 and max(shifts) == 62
    # an exact tie at a shift of 1..N-1 bits appears for both parities of the kept part
    ties = set()
    for i in range(vs.count):
        a, b, ea, eb, ez = unpack(vs, i, 16)
        s = ez - ea - eb
        acc = O.accumulate(a, b)
        if 1 <= s <= 15 and acc % (1 << s) == 1 << (s - 1):
            ties.add((acc >> s) & 1)
    assert ties == {0, 1}


def test_narrow_accumulator_wraps_and_saturates():
    # 4 products of 2^30 into a 32-bit register: the sum 2^32 wraps to 0 or saturates at 2^31 - 1.
    a = np.full((1, 4), -32768)
    for kind, want in (("wrap", 0), ("sat", 2**31 - 1)):
        z, ovf = dot_mantissas(FMT, a, a, 0, 0, -31 + 31, acc_bits=32, acc_overflow=kind)
        zz, oo = O.dot(a[0], a[0], 0, 0, 0, 16, acc_bits=32, kind=kind)
        assert (int(z[0]), bool(ovf[0])) == (zz, oo) == O.saturate(want, 16)
    # Up by 2^31 + 2^30 and back down: wrapping recovers the exact sum, saturating does not.
    a = np.array([[-32768, -32768, -32768, 32767, 32767, 32767]])
    b = np.array([[-32768, -32768, -32768, -32768, -32768, -32768]])
    exact = O.accumulate(a[0], b[0])
    assert exact == 3 * 2**15
    for kind in ("wrap", "sat"):
        z, _ = dot_mantissas(FMT, a, b, 0, 0, 0, acc_bits=32, acc_overflow=kind)
        assert int(z[0]) == O.saturate(O.accumulate(a[0], b[0], 32, kind), 16)[0]
    assert O.accumulate(a[0], b[0], 32, "wrap") == exact != O.accumulate(a[0], b[0], 32, "sat")


def test_exact_accumulator_bound():
    assert max_exact_terms(parse_format(FMT)) == 2**33 - 1  # L * 2^30 <= 2^63 - 1
    assert max_exact_terms(parse_format("flex32+8")) == 1
    with pytest.raises(ValueError, match="exact accumulator"):
        dot_mantissas("flex32+8", np.zeros((1, 2), np.int64), np.zeros((1, 2), np.int64), 0, 0, 0)
    mac = FlexMac("flex32+8")
    lo = 1 << 31  # the code of -2^31
    mac.cycle(clear=True, acc_en=True, a=lo, b=lo)
    with pytest.raises(OverflowError):
        mac.cycle(acc_en=True, a=lo, b=lo)  # 2^62 + 2^62 needs 65 bits


@pytest.mark.parametrize("acc_bits, kind", ACCUMULATORS)
@pytest.mark.parametrize("rounding", ["rne", "sr"])
def test_gemm_against_oracle(rounding, acc_bits, kind):
    rng = np.random.default_rng(5)
    a = FlexTensor.of(FMT, rng.integers(-32768, 32768, (7, 9)), -12)
    b = FlexTensor.of(FMT, rng.integers(-32768, 32768, (9, 5)), -10)
    b.m[0, :] = -32768  # the largest products
    a.m[:, 0] = -32768
    r = rng.integers(0, 1 << 7, (7, 5))
    for out_exp in (-7, 0, -31):
        c = gemm(a, b, out_exp, rounding, r=r, sr_bits=7, acc_bits=acc_bits, acc_overflow=kind)
        assert c.exp == out_exp
        for i in range(7):
            for j in range(5):
                want = O.dot(a.m[i], b.m[:, j], -12, -10, out_exp, 16, rounding, int(r[i, j]), 7, acc_bits, kind)
                assert (int(c.m[i, j]), bool(c.overflow[i, j])) == want, (i, j, out_exp)
        assert c.maxabs == int(np.abs(c.m).max())


def test_dot_tensor_api_matches_rows():
    rng = np.random.default_rng(9)
    a = quantize(FMT, rng.standard_normal((3, 4, 10)), -13)
    b = quantize(FMT, rng.standard_normal((3, 4, 10)), -14)
    z = dot(a, b, -12)
    assert z.m.shape == (3, 4)
    for idx in np.ndindex(3, 4):
        assert (int(z.m[idx]), bool(z.overflow[idx])) == O.dot(a.m[idx], b.m[idx], -13, -14, -12, 16)


def run_vectors_through_unit(vs, length, acc_bits, kind, rounding, sr_bits, group):
    """Drive FlexMac as a testbench would: back to back, requantizing one dot product in the cycle
    that starts the next; the statistic cleared at the first vector of each group."""
    f = parse_format(FMT)
    mac = FlexMac(f, acc_bits, kind, sr_bits)
    c = vs.columns
    rnd = SR if rounding == "sr" else RNE
    got = []
    for i in range(vs.count + 1):
        for k in range(length):
            ports = {"clear": k == 0, "acc_en": i < vs.count, "a": int(c[f"a{k}"][min(i, vs.count - 1)]),
                     "b": int(c[f"b{k}"][min(i, vs.count - 1)])}
            if k == 0 and i > 0:  # finish vector i-1 while vector i starts
                j = i - 1
                ports |= {"requant": True, "ea": int(c["ea"][j]), "eb": int(c["eb"][j]), "ez": int(c["ez"][j]),
                          "rnd": rnd, "rand": int(c["r"][j]) if rounding == "sr" else 0,
                          "stat_clear": j % group == 0}
            out = mac.cycle(**ports)
            assert out.out_valid == (k == 0 and i > 0)
            if out.out_valid:
                got.append((out.z, out.overflow, out.maxabs))
    return got


@pytest.mark.parametrize("acc_bits, kind", [(None, "wrap"), (24, "wrap"), (24, "sat")])
@pytest.mark.parametrize("rounding", ["rne", "sr"])
def test_cycle_model_matches_vectors(rounding, acc_bits, kind):
    length = 5
    vs = flex_dot_vectors(FMT, length, rounding, sr_bits=4, acc_bits=acc_bits, acc_overflow=kind, mode="random",
                          count=300, seed=21, stat_group=4)
    got = run_vectors_through_unit(vs, length, acc_bits, kind, rounding, 4, 4)
    c = vs.columns
    want = [(int(c["z"][i]), bool(c["overflow"][i]), int(c["maxabs"][i])) for i in range(vs.count)]
    assert got == want


def test_cycle_model_timing():
    mac = FlexMac(FMT)
    out = mac.cycle(clear=True, acc_en=True, a=3, b=5)
    assert not out.out_valid and mac.acc == 15
    mac.cycle(acc_en=True, a=0xFFFF, b=7)  # -1 * 7
    assert mac.acc == 8
    # requant reads the register before this edge's clear and product: 8 * 2^(-2 - 1) -> ez -1: 8/4 = 2
    out = mac.cycle(requant=True, ea=2, eb=1, ez=1, clear=True, acc_en=True, a=100, b=100, stat_clear=True)
    assert (out.z, out.overflow, out.out_valid, out.maxabs) == (2, False, True, 2) and mac.acc == 10000
    out = mac.cycle()
    assert not out.out_valid and out.z == 2 and out.maxabs == 2  # the outputs hold
    out = mac.cycle(requant=True, ez=0)  # 10000 at 2^0: fits
    assert (out.z, out.maxabs) == (10000, 10000)
    out = mac.cycle(stat_clear=True)
    assert out.maxabs == 0
    with pytest.raises(ValueError):
        mac.cycle(requant=True, rnd=1)


@pytest.mark.parametrize("fmt, length, acc_bits, kind", [("flex2+1", 3, None, "wrap"), ("flex8+3", 40, 9, "sat"),
                                                        ("flex8+3", 5, 11, "wrap"), ("flex24+6", 4, 62, "sat"),
                                                        ("flex32+8", 1, None, "wrap")])
@pytest.mark.parametrize("rounding", ["rne", "sr"])
def test_other_formats_against_oracle(fmt, length, acc_bits, kind, rounding):
    n = parse_format(fmt).mant_bits
    for mode in ("edge", "random"):
        vs = flex_dot_vectors(fmt, length, rounding, sr_bits=3, acc_bits=acc_bits, acc_overflow=kind, mode=mode,
                              count=150, seed=8)
        c = vs.columns
        for i in range(vs.count):
            a, b, ea, eb, ez = unpack(vs, i, length, n)
            r = int(c["r"][i]) if rounding == "sr" else 0
            want = O.dot(a, b, ea, eb, ez, n, rounding, r, 3, acc_bits, kind)
            assert (O.signed(int(c["z"][i]), n), bool(c["overflow"][i])) == want, (fmt, mode, i)
