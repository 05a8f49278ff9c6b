"""refmodel.ops.convert against the oracle.

(a) Every code of every 8-bit format into every 8-bit format (itself included), every
deterministic mode under every overflow policy, and sr / sr_b / sr_c with a random R per code
(sr_bits and policy rotating over the targets); (b) every code of every 8-bit format into fp16,
bf16, fp32 and e6m9, the same modes; (c) random fp16, bf16 and fp32 codes (half of them aimed at the
target's range with short significands, for ties; the rest uniform; plus the specials) into every
8-bit format, all modes. Codes and flags.
"""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
from diffutil import ACC_FORMATS, DETERMINISTIC, EIGHT_BIT, check_batch, code_size, dtype_of, seed_of, show

from refmodel import ops  # noqa: E402

SR_ROTATION = ((1, "ieee"), (3, "sat"), (8, "sat_propagate"), (32, "ieee"))
N_RANDOM = 1500


def scale_for(src: str, dst: str) -> int:
    """Values of src are integers at 2^qmin(src); the Grid of dst needs 2^(qmin(dst) - 1)."""
    return min(O.qmin(src), O.qmin(dst) - 1)


def run(src, dst, codes, k=0, stochastic=True):
    """codes of src into dst in every deterministic mode and policy, and (stochastic=True) in each
    SR mode with one (sr_bits, policy) of SR_ROTATION chosen by k."""
    s = scale_for(src, dst)
    batch = O.Batch(dst, O.int_values(src, codes, s), s)

    def describe(i):
        return f"{src} {show(src, codes[i])}"

    for mode in DETERMINISTIC:
        for overflow in O.POLICIES:
            z, flags = ops.convert(src, codes, dst, rounding=mode, overflow=overflow)
            assert z.shape == codes.shape and flags.dtype == np.uint8
            check_batch(dst, f"convert {src} -> {dst} {mode} {overflow}", describe, batch, z, flags, mode, overflow)
    if not stochastic:
        return
    for j, mode in enumerate(O.SR_MODES):
        sr_bits, overflow = SR_ROTATION[(k + j) % len(SR_ROTATION)]
        rng = np.random.default_rng(seed_of("convert", src, dst, mode))
        r = rng.integers(0, 2**sr_bits, size=codes.size, dtype=np.uint64).astype(np.uint32)
        z, flags = ops.convert(src, codes, dst, rounding=mode, overflow=overflow, r=r, sr_bits=sr_bits)
        check_batch(dst, f"convert {src} -> {dst} {mode} {overflow} sr_bits={sr_bits}",
                    lambda i, r=r: f"{src} {show(src, codes[i])} r={int(r[i]):#x}", batch, z, flags, mode, overflow,
                    r, sr_bits)


@pytest.mark.parametrize("src", EIGHT_BIT)
def test_convert_8bit_to_8bit(src):
    codes = np.arange(256, dtype=np.uint8)
    for k, dst in enumerate(EIGHT_BIT):
        run(src, dst, codes, k)


@pytest.mark.parametrize("dst", ACC_FORMATS)
@pytest.mark.parametrize("src", EIGHT_BIT)
def test_convert_8bit_to_wide(src, dst):
    run(src, dst, np.arange(256, dtype=np.uint8), EIGHT_BIT.index(src))


def wide_codes(src: str, dst: str, n: int, seed: int) -> np.ndarray:
    """n codes of src with values aimed at dst's range (a random exponent from below dst's smallest
    subnormal to above its max, a significand with t_dst + 2 random bits: ties and near-ties), n
    uniformly random codes, and the specials (zeros, infinities, NaNs incl. signalling ones, max,
    min subnormal)."""
    f, g = O.get_format(src), O.get_format(dst)
    rng = np.random.default_rng(seed)
    lo, hi = O.floor_log2(g.min_positive) - 3, O.floor_log2(g.max_finite) + 3
    lo, hi = max(lo, f.emin), min(hi, O.floor_log2(f.max_finite))
    keep = min(g.t + 2, f.t)
    aimed = []
    for e, m, neg in zip(rng.integers(lo, hi + 1, n).tolist(), rng.integers(0, 2**keep, n).tolist(),
                         rng.integers(0, 2, n).tolist()):
        v = (1 + O.Fraction(m, 2**keep)) * O.pow2(e)
        aimed.append(O.encode(src, -v if neg else v))
    size = code_size(src)
    uniform = rng.integers(0, size, n).tolist()
    specials = [f.zero_code[False], f.zero_code[True], f.inf_code[False], f.inf_code[True], f.canonical_nan,
                f.canonical_nan | (1 << (f.nbits - 1)), f.canonical_nan + 1, (f.canonical_nan & ~(1 << (f.t - 1))) | 1,
                O.encode(src, f.max_finite), O.encode(src, -f.max_finite), O.encode(src, f.min_positive),
                O.encode(src, g.max_finite) if g.max_finite <= f.max_finite else 0]
    return np.array(aimed + uniform + specials, dtype=dtype_of(src))


@pytest.mark.parametrize("dst", EIGHT_BIT)
@pytest.mark.parametrize("src", ("fp16", "bf16", "fp32"))
def test_convert_wide_to_8bit(src, dst):
    codes = wide_codes(src, dst, N_RANDOM, seed_of("wide", src, dst))
    assert O.decode(src, int(codes[-5])) == "snan"
    run(src, dst, codes, EIGHT_BIT.index(dst))
