"""The posit model against SoftPosit (exhaustive where the space allows) and the exact-rational
oracle (tests/posit_oracle.py) for what SoftPosit lacks: es 3 and 4, odd n, es = 1 beyond 16 bits,
and the stochastic roundings."""

from __future__ import annotations

import numpy as np
import posit_oracle as oracle
import pytest
import softposit_util as sp

from refmodel import ops, posits
from refmodel.formats import parse_format
from refmodel.vectors.posit_vectors import _posit_edge_f64

BINARY = ("add", "sub", "mul", "div")
RNG = np.random.default_rng(20261123)


def _codes(n, size, rng=RNG):
    return rng.integers(0, 1 << n, size, dtype=np.int64)


def _assert_same(got, want, what, *operands):
    got, want = np.asarray(got).astype(np.int64), np.asarray(want).astype(np.int64)
    bad = np.flatnonzero(got != want)
    if bad.size:
        i = bad[0]
        ops_ = " ".join(f"{np.asarray(o).ravel()[i]:#x}" for o in operands)
        pytest.fail(f"{what}: {bad.size} mismatches; first: operands {ops_} model {got[i]:#x} reference {want[i]:#x}")


# --- SoftPosit, exhaustive on 8-bit formats ----------------------------------------------------

@pytest.mark.parametrize("n,es", [(8, 0), (8, 2)])
@pytest.mark.parametrize("op", BINARY)
def test_binary_exhaustive_vs_softposit(n, es, op):
    codes = np.arange(1 << n)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    _assert_same(getattr(posits, op)(f"posit{n}es{es}", a, b), sp.binary(op, n, es, a, b), op, a, b)


@pytest.mark.parametrize("n,es", [(8, 0), (8, 2), (16, 1), (16, 2)])
def test_sqrt_and_decode_exhaustive_vs_softposit(n, es):
    a = np.arange(1 << n)
    fmt = f"posit{n}es{es}"
    _assert_same(posits.sqrt(fmt, a), sp.sqrt(n, es, a), "sqrt", a)
    got, want = posits.decode(fmt, a), sp.to_f64(n, es, a)
    assert np.array_equal(got, want, equal_nan=True) or np.array_equal(got[a != 1 << (n - 1)],
                                                                       want[a != 1 << (n - 1)])
    assert np.isnan(got[1 << (n - 1)])


@pytest.mark.parametrize("n,es", [(8, 0), (8, 2), (16, 1), (16, 2), (32, 2), (13, 2)])
def test_from_f64_vs_softposit(n, es):
    f = parse_format(f"posit{n}es{es}")
    x = _posit_edge_f64(f).view(np.float64)
    x = x[np.isfinite(x)]  # SoftPosit maps NaN and Inf inconsistently; the contract says NaR
    rnd = RNG.standard_normal(20000) * np.exp2(RNG.integers(-f.max_scale - 3, f.max_scale + 3, 20000))
    x = np.concatenate([x, rnd])
    _assert_same(posits.from_f64(f, x), sp.from_f64(n, es, x), "from_f64", x.view(np.uint64))
    assert (posits.from_f64(f, [np.nan, np.inf, -np.inf]) == f.nar_code).all()


# --- SoftPosit, random on the wider formats ----------------------------------------------------

@pytest.mark.parametrize("op", ["add", "mul"])
def test_posit16es1_million_random_vs_softposit(op):
    a, b = _codes(16, 1_000_000), _codes(16, 1_000_000)
    _assert_same(getattr(posits, op)("posit16es1", a, b), sp.binary(op, 16, 1, a, b), op, a, b)


@pytest.mark.parametrize("n", [3, 4, 5, 7, 10, 12, 16, 20, 24, 27, 31, 32])
def test_posit_n_es2_random_vs_softposit(n):
    size = 20000
    a, b, c = _codes(n, size), _codes(n, size), _codes(n, size)
    fmt = f"posit{n}"
    for op in BINARY:
        _assert_same(getattr(posits, op)(fmt, a, b), sp.binary(op, n, 2, a, b), f"posit{n} {op}", a, b)
    _assert_same(posits.sqrt(fmt, a), sp.sqrt(n, 2, a), f"posit{n} sqrt", a)
    _assert_same(posits.fma(fmt, a, b, c), sp.fma(n, 2, a, b, c), f"posit{n} fma", a, b, c)


@pytest.mark.parametrize("n,es", [(16, 1), (32, 2)])
def test_fma_random_vs_softposit(n, es):
    a, b, c = (_codes(n, 50000) for _ in range(3))
    _assert_same(posits.fma(f"posit{n}es{es}", a, b, c), sp.fma(n, es, a, b, c), "fma", a, b, c)


@pytest.mark.parametrize("src,dst", [((8, 0), (16, 1)), ((16, 1), (8, 0)), ((32, 2), (16, 1)), ((16, 1), (32, 2)),
                                     ((32, 2), (8, 0)), ((16, 2), (8, 2)), ((8, 2), (16, 2)), ((32, 2), (13, 2))])
def test_posit_conversions_vs_softposit(src, dst):
    (n1, es1), (n2, es2) = src, dst
    a = np.arange(1 << n1) if n1 <= 16 else _codes(n1, 50000)
    got = posits.convert(f"posit{n1}es{es1}", a, f"posit{n2}es{es2}")
    _assert_same(got, sp.convert(a, n1, es1, n2, es2), "convert", a)


# --- the exact-rational oracle: what SoftPosit lacks, and the stochastic modes ----------------

ORACLE_FORMATS = [(5, 0), (6, 3), (7, 4), (9, 1), (11, 3), (17, 1), (24, 1), (20, 3), (32, 4), (32, 0), (32, 1),
                  (2, 0), (3, 4)]


@pytest.mark.parametrize("n,es", ORACLE_FORMATS)
def test_arithmetic_vs_oracle(n, es):
    size = 1500 if n > 8 else 600
    rng = np.random.default_rng(n * 10 + es)
    a, b, c = (_codes(n, size, rng) for _ in range(3))
    fmt = f"posit{n}es{es}"
    for op in BINARY:
        want = [getattr(oracle, op)(n, es, int(x), int(y)) for x, y in zip(a, b)]
        _assert_same(getattr(posits, op)(fmt, a, b), want, f"{fmt} {op}", a, b)
    _assert_same(posits.sqrt(fmt, a), [oracle.sqrt(n, es, int(x)) for x in a], f"{fmt} sqrt", a)
    _assert_same(posits.fma(fmt, a, b, c), [oracle.fma(n, es, int(x), int(y), int(z)) for x, y, z in zip(a, b, c)],
                 f"{fmt} fma", a, b, c)
    x = rng.standard_normal(size) * np.exp2(rng.integers(-(n << es), (n << es) + 1, size).astype(float))
    _assert_same(posits.from_f64(fmt, x), [oracle.from_f64(n, es, float(v)) for v in x], f"{fmt} from_f64",
                 x.view(np.uint64))


@pytest.mark.parametrize("n,es", [(6, 3), (5, 4), (7, 1)])
def test_small_formats_exhaustive_vs_oracle(n, es):
    codes = np.arange(1 << n)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    fmt = f"posit{n}es{es}"
    for op in ("add", "mul", "div"):
        want = [getattr(oracle, op)(n, es, int(x), int(y)) for x, y in zip(a, b)]
        _assert_same(getattr(posits, op)(fmt, a, b), want, f"{fmt} {op}", a, b)


SR_FORMATS = [(8, 0), (8, 2), (16, 1), (16, 2), (12, 4), (32, 2), (32, 0), (10, 3)]


@pytest.mark.parametrize("n,es", SR_FORMATS)
@pytest.mark.parametrize("mode", ["sr", "sr_b", "sr_c"])
def test_stochastic_rounding_vs_oracle(n, es, mode):
    rng = np.random.default_rng(n * 100 + es * 10 + len(mode))
    size = 800
    fmt = f"posit{n}es{es}"
    sr_bits = int(rng.choice([1, 3, 8, posits.max_sr_bits(fmt)]))
    a, b = _codes(n, size, rng), _codes(n, size, rng)
    r = rng.integers(0, 1 << sr_bits, size)
    for op in ("add", "mul", "div"):
        want = [getattr(oracle, op)(n, es, int(x), int(y), mode, int(ri), sr_bits) for x, y, ri in zip(a, b, r)]
        got = getattr(posits, op)(fmt, a, b, rounding=mode, r=r, sr_bits=sr_bits)
        _assert_same(got, want, f"{fmt} {op} {mode} sr_bits={sr_bits}", a, b, r)
    want = [oracle.sqrt(n, es, int(x), mode, int(ri), sr_bits) for x, ri in zip(a, r)]
    _assert_same(posits.sqrt(fmt, a, rounding=mode, r=r, sr_bits=sr_bits), want, f"{fmt} sqrt {mode}", a, r)


def test_stochastic_rounding_in_exponent_bits_uses_the_value_fraction():
    # posit8 (es 2): 0x7E = 2^20 and 0x7F = 2^24 are neighbours; x = 3 * 2^20 lies 2/15 of the way
    # in value (while its bit string is below the tie point 2^22). sr with N = 4 rounds up iff
    # floor(16 * 2/15) + R >= 16, i.e. for R >= 14: 2 of the 16 values of R.
    x = np.full(16, 3.0 * 2**20)
    z = posits.from_f64("posit8", x, rounding="sr", r=np.arange(16), sr_bits=4)
    assert (z[:14] == 0x7E).all() and (z[14:] == 0x7F).all()
    assert posits.from_f64("posit8", [3.0 * 2**20, 5.0 * 2**20]).tolist() == [0x7E, 0x7F]


def test_conversions_with_minifloats_vs_oracle():
    for pfmt, (n, es) in (("posit8", (8, 2)), ("posit16es1", (16, 1)), ("posit6es1", (6, 1))):
        p = np.arange(1 << n) if n <= 8 else _codes(n, 3000)
        for mf in ("e4m3fn", "e5m2", "fp16", "binary8p3se"):
            z, flags = ops.convert(pfmt, p, mf)
            want = [oracle.posit_to_minifloat(int(c), n, es, mf) for c in p]
            _assert_same(z, [w[0] for w in want], f"{pfmt}->{mf}", p)
            _assert_same(flags, [w[1] for w in want], f"{pfmt}->{mf} flags", p)
            m = np.arange(1 << parse_format(mf).bits) if parse_format(mf).bits <= 8 else _codes(16, 3000)
            want = [oracle.minifloat_to_posit(int(c), mf, n, es) for c in m]
            _assert_same(posits.convert(mf, m, pfmt), want, f"{mf}->{pfmt}", m)


@pytest.mark.parametrize("n,es", [(8, 0), (8, 2), (16, 1), (9, 3)])
def test_compare_exhaustive_or_random(n, es):
    codes = np.arange(1 << n)
    if n <= 8:
        a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    else:
        a, b = _codes(n, 20000), _codes(n, 20000)
        b[::7] = a[::7]
    for pred in posits.PREDICATES:
        got = posits.compare(f"posit{n}es{es}", a, b, pred)
        assert got.tolist() == [oracle.compare(n, int(x), int(y), pred) for x, y in zip(a, b)], pred
        if (n, es) in sp.SUPPORTED:
            assert np.array_equal(got, sp.compare(pred, n, es, a, b)), pred


# --- quires --------------------------------------------------------------------------------------

def _dot_cases(n, rows, length, rng):
    a, b = _codes(n, (rows, length), rng), _codes(n, (rows, length), rng)
    half = length // 2
    if half:  # cancellation-heavy rows: the second half negates the first half's products
        a[::2, half:2 * half] = (-a[::2, :half]) & ((1 << n) - 1)
        b[::2, half:2 * half] = b[::2, :half]
    a[3::11, 0] = 1 << (n - 1)  # NaR rows
    return a, b


@pytest.mark.parametrize("n,es", [(8, 0), (16, 1), (32, 2), (8, 2), (16, 2), (12, 2)])
@pytest.mark.parametrize("length", [1, 2, 5, 64, 777, 4096])
def test_quire_dot_vs_softposit_and_rationals(n, es, length):
    rng = np.random.default_rng(n + es + length)
    rows = max(2, min(24, 8192 // length))
    a, b = _dot_cases(n, rows, length, rng)
    got = posits.dot(f"posit{n}es{es}", a, b)
    want_sp = [sp.dot(n, es, a[i], b[i]) for i in range(rows)]
    _assert_same(got, want_sp, f"dot posit{n}es{es} L={length} vs SoftPosit", a[:, 0], b[:, 0])
    want = [oracle.dot(n, es, a[i].tolist(), b[i].tolist()) for i in range(rows)]
    _assert_same(got, want, f"dot posit{n}es{es} L={length} vs rationals", a[:, 0], b[:, 0])


@pytest.mark.parametrize("n,es", [(10, 3), (20, 4), (7, 0)])
def test_quire_dot_vs_rationals_beyond_softposit(n, es):
    rng = np.random.default_rng(n + es)
    a, b = _dot_cases(n, 12, 300, rng)
    got = posits.dot(f"posit{n}es{es}", a, b)
    want = [oracle.dot(n, es, a[i].tolist(), b[i].tolist()) for i in range(12)]
    _assert_same(got, want, f"dot posit{n}es{es}", a[:, 0], b[:, 0])


def test_quire_operations_and_register_contents():
    n, es = 16, 2
    f = parse_format("posit16")
    rng = np.random.default_rng(5)
    a, b, c = (_codes(n, 64, rng) for _ in range(3))
    a[a == f.nar_code] = 0
    b[b == f.nar_code] = 1
    c[c == f.nar_code] = 2
    q = posits.Quire(f, size=64)
    q.fdp_add(a, b)
    q.add_posit(c)
    q.fdp_sub(c, c)
    q.negate()
    q.sub_posit(a)
    exact = [-(oracle.decode(n, es, x) * oracle.decode(n, es, y) + oracle.decode(n, es, z)
               - oracle.decode(n, es, z) ** 2) - oracle.decode(n, es, x) for x, y, z in zip(a, b, c)]
    layout = f.quire()
    assert layout.bits == 256 and layout.carry_bits == 31
    for got_bits, x in zip(q.bits(), exact):
        scaled = x * 2**layout.frac_bits
        assert scaled.denominator == 1
        assert got_bits == int(scaled) % (1 << layout.bits)
    _assert_same(q.to_posit(), [oracle.round_to_posit(n, es, x) if x else 0 for x in exact], "quire ops", a, b, c)
    q.clear()
    assert (q.to_posit() == 0).all()


def test_quire_nar_and_carry_overflow():
    q = posits.Quire("posit8", size=3, carry_bits=1)
    maxpos = 0x7F
    q.fdp_add([maxpos, 0x80, 0x40], [maxpos, 0x40, 0x40])  # maxpos^2 fits; NaR in; 1
    assert q.to_posit().tolist() == [0x7F, 0x80, 0x40]
    q.fdp_add([maxpos, 0x40, 0x40], [maxpos, 0x40, 0x40])  # 2 maxpos^2 overflows one carry bit
    z = q.to_posit()
    assert z[0] == 0x80 and z[1] == 0x80 and z[2] == 0x48  # 2.0
    want = oracle.dot(8, 2, [maxpos, maxpos], [maxpos, maxpos], carry_bits=1)
    assert want == 0x80


def test_sr_bits_limit_is_enforced():
    assert posits.max_sr_bits("posit32es0") == 30 and posits.max_sr_bits("posit32") == 32
    with pytest.raises(ValueError, match="at most 30 random bits"):
        posits.add("posit32es0", 1, 1, rounding="sr", r=0, sr_bits=31)
    with pytest.raises(ValueError, match="posits round with"):
        posits.add("posit16", 1, 1, rounding="rtz")


@pytest.mark.parametrize("fmt", ["posit8", "posit8es0", "posit6es3"])
def test_8bit_div_table_path_equals_kernel(fmt):
    n = parse_format(fmt).n
    codes = np.arange(1 << n)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    a, b = np.tile(a, 32768 // a.size + 1), np.tile(b, 32768 // b.size + 1)  # large enough for the table
    whole = posits.div(fmt, a, b)  # through the 64K table
    parts = np.concatenate([posits.div(fmt, a[i:i + 1000], b[i:i + 1000]) for i in range(0, a.size, 1000)])
    _assert_same(whole, parts, f"{fmt} div table", a, b)
