"""refmodel.ops.fma (a, b in fmt; c and the result in acc_fmt) against the oracle.

For each (fmt, acc) in (e4m3fn, e5m2) x (fp16, bf16, fp32, e6m9): 10^5 vectors, random and edge
(a, b uniform or special, or b such that a*b is near the accumulator's smallest normal; c uniform,
near -a*b (cancellation) and +a*b, a*b scaled by 2^k (alignment and sticky bits), the
accumulator's specials, and near its max and min subnormal), the 18 (deterministic mode, overflow
policy) combinations spread over them; then 27,000 more in sr,
sr_b and sr_c with a random R (sr_bits 1, 8, 32). Codes and flags.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import oracle as O
import pytest
from diffutil import DETERMINISTIC, check_batch, code_size, dtype_of, seed_of, show

from refmodel import ops  # noqa: E402

PAIRS = [(f, acc) for f in ("e4m3fn", "e5m2") for acc in ("fp16", "bf16", "fp32", "e6m9")]
N_VECTORS = 100_000
N_SR = 3000
COMBOS = [(m, p) for m in DETERMINISTIC for p in O.POLICIES]


def vectors(fmt: str, acc: str, n: int, seed: int):
    f, g = O.get_format(fmt), O.get_format(acc)
    rng = np.random.default_rng(seed)
    size_g = code_size(acc)
    special_f = [c for c, v in enumerate(f.values) if not isinstance(v, Fraction)] + [
        O.encode(fmt, f.max_finite), O.encode(fmt, -f.max_finite), O.encode(fmt, f.min_positive),
        O.encode(fmt, Fraction(1)), O.encode(fmt, Fraction(-1))]
    a = rng.integers(0, 256, n)
    b = rng.integers(0, 256, n)
    sp = rng.random(n) < 0.15
    a[sp] = rng.choice(special_f, sp.sum())
    sp = rng.random(n) < 0.15
    b[sp] = rng.choice(special_f, sp.sum())
    special_g = [g.zero_code[False], g.zero_code[True], g.inf_code[False], g.inf_code[True], g.canonical_nan,
                 (g.canonical_nan & ~(1 << (g.t - 1))) | 1, O.encode(acc, g.max_finite), O.encode(acc, -g.max_finite),
                 O.encode(acc, g.min_positive), O.encode(acc, -g.min_positive), O.encode(acc, g.max_finite / 2)]
    kind = rng.random(n)
    offsets = rng.integers(-2, 3, n).tolist()
    shifts = rng.integers(-30, 31, n).tolist()
    c = rng.integers(0, size_g, n)
    min_normal = O.pow2(g.emin)
    for i in range(n):
        k = kind[i]
        if k < 0.20:
            continue  # c uniform
        if k < 0.30:
            # tininess: b such that a*b is near the accumulator's smallest normal, c near +-2^emin or
            # near -a*b
            av = f.values[int(a[i])]
            if not isinstance(av, Fraction) or av == 0:
                continue
            target = O.pow2(g.emin + shifts[i] % 15 - 12) / abs(av) * (1 if rng.random() < 0.5 else -1)
            b[i], _ = O.oracle_round(fmt, target, overflow="sat")
            p = O.exact_mul(av, f.values[int(b[i])])
            near = -p if (k < 0.25 and isinstance(p, Fraction)) else min_normal * (1 if rng.random() < 0.5 else -1)
            code, _ = O.oracle_round(acc, near)
            c[i] = min(max(code + offsets[i], 0), size_g - 1)
            continue
        if k < 0.37:
            c[i] = special_g[i % len(special_g)]
            continue
        p = O.exact_mul(f.values[int(a[i])], f.values[int(b[i])])
        if not isinstance(p, Fraction) or p == 0:
            continue
        if k < 0.70:  # near -a*b: cancellation, exact zeros, tiny differences
            target, off = -p, offsets[i]
        elif k < 0.85:  # a*b scaled: alignment shifts and sticky bits
            target, off = p * O.pow2(shifts[i]), 0
        else:  # near the accumulator's max or its smallest values
            target = (g.max_finite if k < 0.93 else g.min_positive * 3) * (1 if rng.random() < 0.5 else -1)
            off = offsets[i]
        code, _ = O.oracle_round(acc, target)
        c[i] = min(max(code + off, 0), size_g - 1)
    return a.astype(np.uint8), b.astype(np.uint8), c.astype(dtype_of(acc))


def run(fmt, acc, a, b, c, mode, overflow, r=None, sr_bits=0):
    z, flags = ops.fma(fmt, a, b, c, acc_fmt=acc, rounding=mode, overflow=overflow, r=r, sr_bits=sr_bits)
    assert z.shape == a.shape and flags.dtype == np.uint8
    batch = O.Batch(acc, *O.exact_fma_results(fmt, acc, a, b, c, mode))

    def describe(i):
        return (f"a={show(fmt, a[i])} b={show(fmt, b[i])} c={show(acc, c[i])}"
                + (f" r={int(r[i]):#x}" if r is not None else ""))

    check_batch(acc, f"fma {fmt} acc {acc} {mode} {overflow} sr_bits={sr_bits}", describe, batch, z, flags, mode,
                overflow, r, sr_bits)


@pytest.mark.parametrize("fmt,acc", PAIRS)
def test_fma_deterministic(fmt, acc):
    a, b, c = vectors(fmt, acc, N_VECTORS, seed_of("fma", fmt, acc))
    which = np.arange(a.size) % len(COMBOS)
    for k, (mode, overflow) in enumerate(COMBOS):
        sel = which == k
        run(fmt, acc, a[sel], b[sel], c[sel], mode, overflow)


@pytest.mark.parametrize("fmt,acc", PAIRS)
def test_fma_stochastic(fmt, acc):
    a, b, c = vectors(fmt, acc, 9 * N_SR, seed_of("fma-sr", fmt, acc))
    rng = np.random.default_rng(seed_of("fma-r", fmt, acc))
    k = 0
    for mode in O.SR_MODES:
        for sr_bits, overflow in ((1, "ieee"), (8, "sat"), (32, "sat_propagate")):
            sel = slice(k * N_SR, (k + 1) * N_SR)
            k += 1
            r = rng.integers(0, 2**sr_bits, size=N_SR, dtype=np.uint64).astype(np.uint32)
            run(fmt, acc, a[sel], b[sel], c[sel], mode, overflow, r, sr_bits)


def test_fma_specials():
    """docs/numerics.md: 0 x Inf is NaN with NV even when c is a quiet NaN; Inf x finite + (-Inf) is
    NaN with NV; an exact zero sum is +0 (rdn: -0); (-0)*(+1) + (-0) = -0."""
    fmt, acc = "e5m2", "fp16"
    one, zero, nzero, inf, qnan = 0x3C, 0x00, 0x80, 0x7C, 0x7E
    c_qnan, c_ninf, c_nzero, c_one, c_mone = 0x7E00, 0xFC00, 0x8000, 0x3C00, 0xBC00
    cases = [
        ((zero, inf, c_qnan), "rne", (0x7E00, O.NV)),
        ((inf, one, c_ninf), "rne", (0x7E00, O.NV)),
        ((qnan, one, c_one), "rne", (0x7E00, 0)),
        ((one, one, c_mone), "rne", (0x0000, 0)),
        ((one, one, c_mone), "rdn", (0x8000, 0)),
        ((nzero, one, c_nzero), "rne", (0x8000, 0)),
        ((nzero, one, 0x0000), "rne", (0x0000, 0)),
        ((nzero, one, 0x0000), "rdn", (0x8000, 0)),
    ]
    for (a, b, c), mode, expected in cases:
        assert O.oracle_fma(fmt, a, b, c, acc, mode) == expected, (a, b, c, mode)
        z, f = ops.fma(fmt, np.array([a]), np.array([b]), np.array([c], np.uint16), acc_fmt=acc, rounding=mode)
        assert (int(z[0]), int(f[0])) == expected, (a, b, c, mode, int(z[0]), int(f[0]))
