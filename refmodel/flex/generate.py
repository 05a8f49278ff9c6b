"""Golden vectors of the Flexpoint units: `flex_dot` (the MAC + requantizer) and `flex_quant`
(binary64 into flex), modes edge and random, deterministic by seed (SplitMix64 streams).

flex_dot   a0..a(L-1):N b0..b(L-1):N ea:E eb:E ez:E [r] z:N overflow:1 maxabs:N
flex_quant a:64 ez:E [r] z:N overflow:1

Mantissas are N-bit two's-complement codes, exponents E-bit fields (dec = -exp), a the binary64
pattern. One flex_dot vector is one MAC run: clear, a_i * b_i added for i = 0..L-1, requantize
at ez. maxabs is the unit's max|z| statistic after the vector: the statistic is cleared before
every vector whose index is a multiple of stat_group (the header says stat_group), so it is the
running max of |z| over the vectors of the group so far.
"""

from __future__ import annotations

import numpy as np

from ..formats import Flex
from ..vectors.generate import stream
from ..vectors.io import VectorSet
from .accumulator import EXACT, acc_args, check_length
from .matmul import dot_mantissas
from .quantize import quantize_mantissas
from .tensor import as_flex

MODES = ("edge", "random")
DEFAULT_COUNT = 10000
DEFAULT_LENGTH = 16
DEFAULT_STAT_GROUP = 8

# Stream purposes (the low byte of a stream's starting state).
_A, _B, _R, _PICK, _EXP, _WIDTH = 1, 2, 3, 4, 6, 7


def _bits(seed: int, purpose: int, n: int, bits: int) -> np.ndarray:
    return (stream(seed, purpose, n) & np.uint64((1 << bits) - 1)).astype(np.int64)


def _uniform(seed: int, purpose: int, n: int, lo: int, hi: int) -> np.ndarray:
    """n integers in [lo, hi] (modulo bias is irrelevant for test stimulus)."""
    return lo + (stream(seed, purpose, n) % np.uint64(hi - lo + 1)).astype(np.int64)


def _check(mode: str, count: int) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} for Flexpoint vectors: expected one of {', '.join(MODES)}")
    if mode == "random" and count < 1:
        raise ValueError(f"count must be a positive number of vectors, not {count}")


def _random_r(rounding: str, sr_bits: int, seed: int, n: int) -> np.ndarray | None:
    return _bits(seed, _R, n, sr_bits) if rounding == "sr" else None


def _columns(fields: list[tuple[str, int]], cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.asarray(cols[name]).astype(np.int64).astype(np.uint64) for name, _ in fields}


def _codes(x: np.ndarray, bits: int) -> np.ndarray:
    """Two's-complement codes of signed integers."""
    return np.asarray(x, np.int64) & np.int64((1 << bits) - 1)


# ------------------------------------------------------------------ flex_dot

def _exps_for_shift(f: Flex, s: int, variant: int) -> tuple[int, int, int]:
    """(ea, eb, ez) in range with ez - ea - eb = s: variant 0 keeps ez high, 1 keeps it low."""
    lo = f.exp_min
    if variant == 0:
        return (-((s + 1) // 2), -(s // 2), 0) if s >= 0 else (0, 0, s)
    if s < 0:
        return lo - s, 0, lo
    if 2 * lo + s >= lo:
        return lo, lo, 2 * lo + s
    return lo, -s, lo


def _terms_for_sum(f: Flex, total: int, length: int) -> tuple[list[int], list[int]] | None:
    """Mantissas a, b of one length whose products sum to total (None if they cannot): every term
    but the last takes b = -2^(N-1) and a = floor(rest / b) clamped to the range; the last b = 1
    and a = what is left."""
    a, b = [0] * length, [0] * length
    rest = total
    for i in range(length - 1):
        # floor(rest / -2^(N-1)): unless clamped, it leaves rest in (-2^(N-1), 0], which the last term holds
        q = min(max(-rest >> (f.mant_bits - 1), f.mant_min), f.mant_max)
        a[i], b[i] = q, f.mant_min
        rest -= q * f.mant_min
    if not f.mant_min <= rest <= f.mant_max:
        return None
    a[-1], b[-1] = rest, 1
    return a, b


def _edge_sums(f: Flex, s: int) -> list[int]:
    """Exact sums around every rounding and saturation boundary of a requantization by 2^-s."""
    n, lo, hi = f.mant_bits, f.mant_min, f.mant_max
    if s < 0:
        k = -s
        return [0, 1, -1, hi >> k, (hi >> k) + 1, -((-lo) >> k), -((-lo) >> k) - 1, 1 << n, -(1 << n)]
    if s == 0:
        return [0, 1, -1, hi, hi + 1, lo, lo - 1, 1 << n, -(1 << n) - 1]
    half = 1 << (s - 1)
    kept = [0, 1, 2, 3, -1, -2, -3, -4, hi - 1, hi, hi + 1, lo, lo + 1, lo - 1, 1 << n, -(1 << n) - 1]
    fracs = sorted(fr for fr in {0, 1, half - 1, half, half + 1, (1 << s) - 1} if 0 <= fr < 1 << s)
    return [(q << s) + fr for q in kept for fr in fracs]


def _edge_shifts(f: Flex) -> list[int]:
    n, top = f.mant_bits, (1 << f.exp_bits) - 1
    cand = {-top, -n, -(n - 1), -2, -1, 0, 1, 2, 3, n - 2, n - 1, n, 2 * n - 3, 2 * n - 2, 2 * n - 1, 2 * n,
            40, 61, 62, 63, 64, 2 * top}
    return sorted(s for s in cand if -top <= s <= 2 * top)


def _edge_patterns(f: Flex, length: int) -> list[tuple[list[int], list[int]]]:
    """Mantissa vectors that stress the accumulator: the largest sums of either sign, and partial
    sums that climb high and come back (a narrow register that saturates loses them, one that wraps
    does not)."""
    lo, hi, h = f.mant_min, f.mant_max, length // 2
    return [
        ([lo] * length, [lo] * length),
        ([lo] * length, [hi] * length),
        ([hi] * length, [hi] * length),
        ([lo] * length, [lo] * h + [hi] * (length - h)),
        ([lo] * length, [hi] * h + [lo] * (length - h)),
        ([hi * (-1) ** i for i in range(length)], [hi] * length),
        ([(i * 2654435761) % (hi + 1) - (hi + 1) // 2 for i in range(length)],
         [max(hi - i, lo) for i in range(length)]),
    ]


def _dot_edge(f: Flex, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows_a, rows_b, exps = [], [], []
    case = 0
    for s in _edge_shifts(f):
        for total in _edge_sums(f, s):
            terms = _terms_for_sum(f, total, length)
            if terms is None:
                continue
            rows_a.append(terms[0])
            rows_b.append(terms[1])
            exps.append(_exps_for_shift(f, s, case % 2))
            case += 1
    n = f.mant_bits
    log_len = max(length - 1, 1).bit_length()
    for a, b in _edge_patterns(f, length):
        for s in sorted({0, n - 1, 2 * n - 2, 2 * n - 1 + log_len, 40}):
            if s <= 2 * ((1 << f.exp_bits) - 1):
                rows_a.append(a)
                rows_b.append(b)
                exps.append(_exps_for_shift(f, s, 0))
    return np.array(rows_a, np.int64), np.array(rows_b, np.int64), np.array(exps, np.int64)


def _signed_of_width(raw: np.ndarray, width: np.ndarray) -> np.ndarray:
    """raw's low `width` bits read as a two's-complement number."""
    low = raw & ((np.int64(1) << width) - 1)
    return low - ((low >> (width - 1)) << width)


def _dot_random(f: Flex, length: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mantissas of a random width per vector (1..N bits: small and full-scale sums), one vector in
    sixteen all -2^(N-1) (the largest sum); ea, eb uniform; ez mostly where the sum fills the
    mantissa give or take three bits, one in four uniform; one in eight made an exact tie."""
    n, m = f.mant_bits, count * length
    width = _uniform(seed, _WIDTH, 2 * count, 1, n)
    a = _signed_of_width(_bits(seed, _A, m, 63).reshape(count, length), width[:count, None])
    b = _signed_of_width(_bits(seed, _B, m, 63).reshape(count, length), width[count:, None])
    pick = stream(seed, _PICK, count)
    extreme = (pick & np.uint64(15)) == 0
    a[extreme], b[extreme] = f.mant_min, f.mant_min
    ea = _uniform(seed, _EXP, 3 * count, f.exp_min, f.exp_max).reshape(3, count)
    ea, eb, ez_uniform = ea
    approx = np.abs((a.astype(np.float64) * b).sum(axis=1))
    size = np.frexp(approx)[1].astype(np.int64)  # bit length of |sum| (0 for a zero sum)
    delta = ((pick >> np.uint64(8)) % np.uint64(7)).astype(np.int64) - 3
    ez = np.where(((pick >> np.uint64(4)) & np.uint64(3)) == 0, ez_uniform, ea + eb + size - (n - 1) + delta)
    ez = np.clip(ez, f.exp_min, f.exp_max)
    # Ties: the last product made 1 * t, t chosen so the discarded bits of the sum are exactly 1/2.
    s = ez - ea - eb
    tie = (((pick >> np.uint64(16)) & np.uint64(7)) == 0) & (s >= 1) & (s <= n - 1)
    partial = (a[:, :-1] * b[:, :-1]).sum(axis=1)  # int64, wrapping: only its value mod 2^s matters
    s_safe = np.clip(s, 1, n - 1)
    t = ((np.int64(1) << (s_safe - 1)) - partial) & ((np.int64(1) << s_safe) - 1)
    t = np.where(((pick >> np.uint64(20)) & np.uint64(1)) == 1, t - (np.int64(1) << s_safe), t)
    a[tie, -1], b[tie, -1] = t[tie], 1
    return a, b, np.stack([ea, eb, ez], axis=1)


def _running_max(x: np.ndarray, group: int) -> np.ndarray:
    """The running max within consecutive groups of `group` elements."""
    pad = (-x.size) % group
    g = np.concatenate([x, np.zeros(pad, x.dtype)]).reshape(-1, group)
    return np.maximum.accumulate(g, axis=1).ravel()[:x.size]


def flex_dot_vectors(fmt="flex16+5", length: int = DEFAULT_LENGTH, rounding: str = "rne", sr_bits: int = 8,
                     acc_bits: int | None = None, acc_overflow: str = "wrap", mode: str = "random",
                     count: int = DEFAULT_COUNT, seed: int = 1, stat_group: int = DEFAULT_STAT_GROUP) -> VectorSet:
    """The flex_dot vectors (module docstring). count is used by mode random only."""
    f = as_flex(fmt)
    _check(mode, count)
    if length < 1:
        raise ValueError(f"length must be at least 1, not {length}")
    if stat_group < 1:
        raise ValueError(f"stat_group must be at least 1, not {stat_group}")
    acc_mode, _ = acc_args(acc_bits, acc_overflow)
    check_length(f, length, acc_mode)
    if mode == "edge":
        a, b, e = _dot_edge(f, length)
        if rounding == "sr":  # each case with R = 0, 2^N - 1 and a random R
            a, b, e = (np.repeat(x, 3, axis=0) for x in (a, b, e))
    else:
        a, b, e = _dot_random(f, length, count, seed)
    n = len(a)
    r = _random_r(rounding, sr_bits, seed, n)
    if r is not None and mode == "edge":
        which = np.arange(n) % 3
        r = np.where(which == 0, 0, np.where(which == 1, (1 << sr_bits) - 1, r))
    z, ovf = dot_mantissas(f, a, b, e[:, 0], e[:, 1], e[:, 2], rounding, r, sr_bits, acc_bits, acc_overflow)
    cols = {f"a{i}": _codes(a[:, i], f.mant_bits) for i in range(length)}
    cols |= {f"b{i}": _codes(b[:, i], f.mant_bits) for i in range(length)}
    cols |= {name: -e[:, i] for i, name in enumerate(("ea", "eb", "ez"))}
    cols |= {"z": _codes(z, f.mant_bits), "overflow": ovf, "maxabs": _running_max(np.abs(z), stat_group)}
    fields = [(f"a{i}", f.mant_bits) for i in range(length)] + [(f"b{i}", f.mant_bits) for i in range(length)]
    fields += [("ea", f.exp_bits), ("eb", f.exp_bits), ("ez", f.exp_bits)]
    meta = {"op": "flex_dot", "fmt": f.name, "length": length, "rounding": rounding}
    if r is not None:
        cols["r"] = r
        fields.append(("r", sr_bits))
        meta["sr_bits"] = sr_bits
    fields += [("z", f.mant_bits), ("overflow", 1), ("maxabs", f.mant_bits)]
    meta |= {"acc_bits": "exact" if acc_mode == EXACT else acc_bits}
    if acc_mode != EXACT:
        meta["acc_overflow"] = acc_overflow
    meta |= {"stat_group": stat_group, "mode": mode, "seed": seed, "count": n}
    return VectorSet({k: str(v) for k, v in meta.items()}, fields, _columns(fields, cols))


# ------------------------------------------------------------------ flex_quant

def _quant_edge(f: Flex) -> tuple[np.ndarray, np.ndarray]:
    """binary64 inputs around every boundary of every tested exponent: representable values,
    ties, their binary64 neighbours, the saturation thresholds; and the binary64 specials."""
    lo, hi = float(f.mant_min), float(f.mant_max)
    units = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 3.5, 1000.5, 1001.5, 2.0**-40, 3.0 * 2.0**f.mant_bits,
             hi - 0.5, hi, hi + 0.25, hi + 0.5, hi + 0.75, hi + 1.0]
    units += [-u for u in units] + [lo + 0.5, lo - 0.25, lo - 0.5, lo - 0.75, lo - 1.0]
    specials = np.array([0.0, -0.0, np.inf, -np.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
                         -2.2250738585072014e-308, 1e300, -1e300, np.finfo(np.float64).max])
    nans = np.array([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001], np.uint64)
    exps = sorted({f.exp_min, f.exp_min + 1, -f.mant_bits, -8, -1, f.exp_max} & set(range(f.exp_min, 1)))
    xs, es = [], []
    for e in exps:
        x = np.ldexp(np.array(units), e)
        x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf), specials])
        bits = np.concatenate([np.unique(x.view(np.uint64)), nans])
        xs.append(bits)
        es.append(np.full(bits.size, e, np.int64))
    return np.concatenate(xs), np.concatenate(es)


def _quant_random(f: Flex, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A uniform exponent; a value of 2^-4 to 2^(N+1) units with a random 52-bit significand and
    sign; one in eight an exact tie (k + 1/2 units, k anywhere in the mantissa range and just past)."""
    e = _uniform(seed, _EXP, count, f.exp_min, f.exp_max)
    raw = stream(seed, _A, count)
    pick = stream(seed, _PICK, count)
    size = _uniform(seed, _WIDTH, count, -4, f.mant_bits + 1)
    sig = (raw & np.uint64((1 << 52) - 1)).astype(np.float64) / 2.0**52 + 1.0
    x = np.ldexp(sig, e + size)
    k = _uniform(seed, _B, count, f.mant_min - 2, f.mant_max + 1).astype(np.float64)
    tie = (pick & np.uint64(7)) == 0
    x = np.where(tie, np.ldexp(k + 0.5, e), x)
    x = np.where(~tie & ((raw >> np.uint64(63)) == 1), -x, x)
    return x.view(np.uint64), e


def flex_quant_vectors(fmt="flex16+5", rounding: str = "rne", sr_bits: int = 8, mode: str = "random",
                       count: int = DEFAULT_COUNT, seed: int = 1) -> VectorSet:
    """The flex_quant vectors (module docstring). count is used by mode random only."""
    f = as_flex(fmt)
    _check(mode, count)
    x, e = _quant_edge(f) if mode == "edge" else _quant_random(f, count, seed)
    n = x.size
    r = _random_r(rounding, sr_bits, seed, n)
    z, ovf = quantize_mantissas(f, x, e, rounding, r, sr_bits)
    cols = {"a": x.view(np.int64), "ez": -e, "r": r, "z": _codes(z, f.mant_bits), "overflow": ovf}
    fields = [("a", 64), ("ez", f.exp_bits)] + ([("r", sr_bits)] if r is not None else [])
    fields += [("z", f.mant_bits), ("overflow", 1)]
    meta = {"op": "flex_quant", "fmt": f.name, "rounding": rounding}
    if r is not None:
        meta["sr_bits"] = sr_bits
    meta |= {"mode": mode, "seed": seed, "count": n}
    return VectorSet({k: str(v) for k, v in meta.items()}, fields, _columns(fields, cols))
