"""Edge-case operands in the spirit of TestFloat's levels: exponents at the boundaries of the format
crossed with significand patterns, both signs, every special encoding, and operand pairs built to
land in each rounding situation (docs/vectors.md). Level 2 has a larger exponent table, more
significand patterns and more constructed pairs per situation than level 1."""

from __future__ import annotations

import numpy as np
from numba import njit

from ..formats import Minifloat
from ..ops import decode
from ..situations import SITUATIONS, SeededRandom, attempt, geometry_of

LEVELS = (1, 2)
PAIRS_PER_SITUATION = {1: 8, 2: 64}  # constructed operand pairs per rounding situation
TRIES_PER_PAIR = 16  # constructor attempts per wanted pair (some attempts find no pair)


def edge_codes(f: Minifloat, level: int = 1) -> np.ndarray:
    """Sorted unique codes: zeros, subnormal and normal boundaries, around 1, near sqrt of the
    extremes (products that overflow or underflow), near overflow, and all special encodings;
    level 2 adds the neighbours of each exponent and more significand patterns."""
    t, top = f.man_bits, f.exp_all_ones
    emax_field = top if f.family != "ieee" else top - 1
    exps = {0, 1, 2, f.bias - 1, f.bias, f.bias + 1, emax_field - 1, emax_field,
            max(0, f.bias // 2), min(emax_field, (f.bias + emax_field) // 2 + 1)}
    half = 1 << (t - 1) if t else 0
    mants = {0, 1, half, half + 1, (1 << t) - 2, (1 << t) - 1} if t else {0}
    if level >= 2:
        exps |= {e + d for e in exps for d in (-2, -1, 1, 2)} | {3}
        alternating = int("01" * t, 2) & ((1 << t) - 1) if t else 0
        mants |= {2, 3, half - 1, half + 2, half >> 1, (1 << t) - 3, alternating, alternating ^ ((1 << t) - 1)}
        mants = {m for m in mants if 0 <= m < (1 << t)} if t else {0}
    mags = {(e << t) | m for e in exps if 0 <= e <= top for m in mants if m < (1 << t) or m == 0}
    mags |= {m for m in range(min(8 * level, 1 << t))}  # the smallest subnormals
    codes = set()
    for mag in mags:
        if mag <= f.max_mag:
            codes.add(mag)
            if f.signed:
                codes.add(mag | f.sign_mask)
    codes |= set(f.specials().values())
    codes |= set(_nan_codes(f))
    if f.family == "fnuz":
        codes.discard(f.sign_mask)  # the -0 code is the NaN, already in
        codes.add(f.nan_code)
    return np.array(sorted(codes), dtype=np.int64)


def constructed_pairs(f: Minifloat, op: str, level: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Operand pairs (a, b) whose exact a op b (mul, add, sub) is in each rounding situation of
    refmodel.situations, built by its constructors from a random.Random seeded with `seed` (so
    the same for the same seed) and checked by its exact classifier. Situations the format cannot
    reach, and those no constructor finds in the allotted tries, contribute no pairs."""
    g, rnd = geometry_of(f), SeededRandom(seed)
    want = PAIRS_PER_SITUATION[level]
    pairs = []
    for situation in SITUATIONS:
        found = []
        for _ in range(want * TRIES_PER_PAIR):
            pair = attempt(g, op, situation, rnd)
            if pair is not None:
                found.append(pair)
                if len(found) == want:
                    break
        pairs += found
    a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    return a, b


def _nan_codes(f: Minifloat) -> list[int]:
    if not f.has_nan:
        return []
    if f.family == "ieee":
        base = f.inf_mag
        pay = [1, (1 << (f.man_bits - 1)), (1 << f.man_bits) - 1]  # signalling, quiet, all ones
        return [s | base | p for s in (0, f.sign_mask) for p in pay]
    if f.family == "fn":
        return [f.nan_code, f.nan_code | f.sign_mask]
    return [f.nan_code]


def edge_f64(f: Minifloat, level: int = 1) -> np.ndarray:
    """binary64 bit patterns around every rounding boundary of f: each representable value, each
    midpoint between neighbours and the binary64 neighbours of both, the overflow threshold,
    values below half the smallest subnormal, zeros, infinities and quiet and signalling NaNs."""
    if f.bits <= 10:
        mags = np.arange(f.max_mag + 1, dtype=np.int64)
    else:  # too many codes: the boundaries of the edge set and their neighbours
        base = edge_codes(f, level)
        base = base[(base & ~np.int64(f.sign_mask)) <= f.max_mag] & ~np.int64(f.sign_mask)
        mags = np.unique(np.clip(np.concatenate([base - 1, base, base + 1]), 0, f.max_mag))
    vals = decode(f, mags)
    nxt = decode(f, np.minimum(mags + 1, f.max_mag))
    ulp_top = f.max_value - decode(f, np.array([f.max_mag - 1]))[0]
    mids = (vals[:-1] + nxt[:-1]) / 2  # exact: binary64 has room for one more bit
    over = f.max_value + ulp_top / 2  # the rne overflow threshold
    special = [over, 2 * f.max_value, f.max_value * 1.0000001, 1e300, f.min_subnormal / 2,
               f.min_subnormal / 4, f.min_subnormal * 0.75, 5e-324, 2.2250738585072014e-308]
    x = np.concatenate([vals, mids, np.array(special)])
    x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])
    x = x[np.isfinite(x) & (x >= 0)]
    bits = np.unique(x.view(np.uint64))
    bits = np.concatenate([bits, bits | np.uint64(1 << 63)])
    specials = np.array([0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000,
                         0x7FF0000000000001, 0x7FF4000000000000], dtype=np.uint64)
    return np.unique(np.concatenate([bits, specials]))


def with_edges(raw: np.ndarray, bits: int, edge: np.ndarray) -> np.ndarray:
    """Random codes from the low `bits` bits of raw (uint64 from a seeded stream), one in eight
    replaced by an edge code picked by raw's upper half: weighted random operands for random mode."""
    return _with_edges(raw, np.uint64((1 << bits) - 1), edge.astype(np.int64))


@njit(cache=True, nogil=True)
def _with_edges(raw, mask, edge):
    # One pass, no temporaries: this runs on every operand of a random set (chunks on --jobs threads).
    out = np.empty(raw.size, np.int64)
    n = np.uint64(edge.size)
    for i in range(raw.size):
        x = raw[i]
        if (x >> np.uint64(61)) == 0:
            out[i] = edge[(x >> np.uint64(32)) % n]
        else:
            out[i] = np.int64(x & mask)
    return out


def half_ulp_codes(f: Minifloat, fl: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The codes of +2^(h + shift), h the exponent of half an ulp of f in the binade 2^fl (the
    subnormal ulp below the normal range); -1 where that power of two is not a finite value of f."""
    g = geometry_of(f)
    j = np.maximum(fl, g.emin) - g.t - 1 + shift
    normal = (j >= g.emin) & (j <= g.emax)
    sub = (j >= g.q_min) & (j < g.emin) & g.has_subnormals
    codes = np.where(normal, (np.clip(j, g.emin, g.emax) + g.bias) << g.t, -1)
    return np.where(sub, np.int64(1) << np.clip(j - g.q_min, 0, 62), codes)
