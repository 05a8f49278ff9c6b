"""gfloat (Graphcore, 0.5.2) helpers shared by the tests that use it as an independent P3109 oracle."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import cache

import numpy as np
import oracle as O
from diffutil import P3109_8BIT
from gfloat import RoundMode
from gfloat.formats import format_info_ocp_e8m0, format_info_p3109
from gfloat.types import Domain, Signedness

F = Fraction

OTHER_P3109 = ("binary3p1se", "binary3p2sf", "binary3p3ue", "binary4p2sf", "binary4p2se", "binary5p3ue",
               "binary6p3sf", "binary6p4se", "binary7p1uf", "binary10p4se", "binary12p6sf", "binary16p8se",
               "binary16p11uf")
GF_FORMATS = P3109_8BIT + OTHER_P3109
GF_MODES = {
    "rne": RoundMode.TiesToEven, "rtz": RoundMode.TowardZero, "rdn": RoundMode.TowardNegative,
    "rup": RoundMode.TowardPositive, "rna": RoundMode.TiesToAway,
    "sr": RoundMode.StochasticFastest, "sr_b": RoundMode.StochasticFast, "sr_c": RoundMode.Stochastic,
}
SR_NS = (1, 4, 8, 23)


def gf_info(fmt: str):
    if fmt == "e8m0fnu":
        return format_info_ocp_e8m0
    k, p, s, d = re.fullmatch(r"binary(\d+)p(\d+)([su])([ef])", fmt).groups()
    return format_info_p3109(int(k), int(p), Signedness.Signed if s == "s" else Signedness.Unsigned,
                             Domain.Extended if d == "e" else Domain.Finite)


def same(ours: float, theirs: float) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return ours == theirs and math.copysign(1, ours) == math.copysign(1, theirs)


def gfloat_is_exact(fi, x: float, mode: str, r: int, n: int) -> bool:
    """Whether gfloat's binary64 arithmetic in round_float is exact for this input (its
    TiesToAway, StochasticFast and StochasticFastest decisions add to the discarded fraction)."""
    if mode not in ("rna", "sr", "sr_b") or x == 0 or not math.isfinite(x):
        return True
    v = abs(x)
    expval = math.frexp(v)[1] - 1
    if fi.has_subnormals:
        expval = max(expval, 1 - fi.bias)
    expval -= fi.precision - 1
    fsig = F(v) / F(2) ** expval
    delta = fsig - math.floor(fsig)
    total = {"rna": delta + F(1, 2), "sr": delta + F(r, 2**n), "sr_b": delta + (F(1, 2) + r) / 2**n}[mode]
    return F(float(total)) == total


@cache
def sorted_magnitudes(fmt: str) -> list[Fraction]:
    f = O.get_format(fmt)
    return sorted({m for (_, m) in f.finite_code} | ({F(0)} if f.has_zero else set()))


def edge_inputs(fmt: str, rng, limit: int = 200) -> list[float]:
    """Representable magnitudes and midpoints with their binary64 neighbours, and quarter points (of
    at most `limit` neighbour pairs, chosen at random); the overflow threshold region; below half
    the smallest value; a random sign for signed formats; +-0, +-Inf, NaN."""
    f = O.get_format(fmt)
    mags = sorted_magnitudes(fmt)
    pairs = range(len(mags) - 1)
    if len(pairs) > limit:
        pairs = rng.choice(len(mags) - 1, limit, replace=False).tolist()
    ulp = F(2) ** (O.floor_log2(f.max_finite) - f.t)
    pts = {f.max_finite, f.max_finite + ulp / 2, f.max_finite + ulp, 2 * f.max_finite, f.min_positive,
           f.min_positive / 2, f.min_positive / 2**10}
    quarters = {f.max_finite + ulp / 4, f.min_positive / 4, f.min_positive * 3 / 4}
    for i in pairs:
        a, b = mags[i], mags[i + 1]
        pts |= {a, (a + b) / 2}
        quarters |= {(3 * a + b) / 4, (a + 3 * b) / 4}
    vals = np.array(sorted(float(p) for p in pts), dtype=np.float64)
    vals = np.concatenate([vals, np.nextafter(vals, np.inf), np.nextafter(vals, -np.inf),
                           np.array([float(q) for q in quarters])])
    vals = vals[vals >= 0]
    if f.signed:
        vals = np.concatenate([vals * rng.choice([-1.0, 1.0], size=vals.size), [-0.0]])
    return vals.tolist() + [math.inf, -math.inf if f.signed else math.inf, math.nan]


def random_inputs(fmt: str, rng, n: int) -> list[float]:
    """n values with 24-bit significands spread over the format's range (and a little beyond),
    and n full-precision binary64 values in its normal range."""
    f = O.get_format(fmt)
    lo = O.floor_log2(f.min_positive) - 3
    hi = O.floor_log2(f.max_finite) + 2
    e = rng.integers(lo, hi + 1, size=n)
    short = np.ldexp(rng.integers(2**23, 2**24, size=n).astype(np.float64), e - 23)
    e = rng.integers(f.emin, hi, size=n)
    full = np.ldexp(rng.random(n) + 1.0, e)
    vals = np.concatenate([short, full])
    if f.signed:
        vals *= rng.choice([-1.0, 1.0], size=vals.size)
    return vals.tolist()
