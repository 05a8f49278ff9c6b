"""Which rounding situations a vector set exercises (docs/vectors.md defines each one).

The exact result of every vector is computed from its operand codes with integer significands
(numpy int64, or Python ints in object arrays when a result needs more than 62 bits) and classified
against the destination format's grid. refmodel's rounding is never consulted, so a vector set's
coverage is evidence independent of the results it holds. `refmodel.situations` defines the
minifloat situations one pair at a time; `classify` is its vectorized counterpart (a test checks
they agree) with the situations of special operands, cancellation and the underflow boundary
added, and the posit situations beside.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from ..formats import Minifloat, Posit
from ..situations import SITUATIONS as ROUNDING_SITUATIONS
from ..situations import geometry_of

MINIFLOAT_SITUATIONS = (*ROUNDING_SITUATIONS, "underflow_boundary", "cancellation", "nan", "inf", "invalid")
POSIT_SITUATIONS = ("exact", "exact_tie", "carry", "regime_carry", "inexact", "beyond_maxpos", "below_minpos",
                    "cancellation", "nan", "inf", "nar", "invalid")
CLASSIFIED_OPS = ("add", "sub", "mul", "fma", "convert", "from_f64")
ENUMERATE = 1 << 20  # input spaces up to this size: reachable situations by classifying every input
CHUNK = 1 << 20  # vectors classified at a time
BINARY64 = Minifloat("binary64", 11, 52, 1023, "ieee")
TABLE_BITS = 16  # formats up to this width decode through a table of every code
_WIDE = 62  # bits an int64 significand may use before the arithmetic moves to Python ints


def _bitlen(n: np.ndarray) -> np.ndarray:
    """Bit length of non-negative integers (int64 or object arrays)."""
    if n.dtype == object:
        return np.frompyfunc(int.bit_length, 1, 1)(n).astype(np.int64)
    return _bitlen_int64(np.ascontiguousarray(n, np.int64).ravel()).reshape(np.shape(n))


@njit(cache=True, nogil=True)
def _bitlen_int64(n):
    """One pass, a binary search per value: numpy's way (via float64 and a correction) takes
    several passes over the array, a large part of classifying."""
    out = np.empty(n.size, np.int64)
    for i in range(n.size):
        v, b = n[i], 0
        for s in (32, 16, 8, 4, 2, 1):
            if v >> s:
                v >>= s
                b += s
        out[i] = b + (v > 0)
    return out


def _ones(k, like) -> np.ndarray:
    """2^k - 1 elementwise (k >= 0), in like's dtype (int64 or Python ints)."""
    return (np.ones_like(like) << k) - 1


class Values:
    """Operands or exact results as arrays: value (-1)^neg N 2^E where finite, and the special masks."""

    def __init__(self, neg, N, E, nan, inf=None, nar=None, invalid=None):
        z = np.zeros(len(N), bool)
        self.neg, self.N, self.E = np.asarray(neg, bool), N, np.asarray(E, np.int64)
        self.nan, self.inf = nan, z if inf is None else inf
        self.nar, self.invalid = z if nar is None else nar, z if invalid is None else invalid

    def take(self, idx: np.ndarray) -> Values:
        return Values(self.neg[idx], self.N[idx], self.E[idx], self.nan[idx], self.inf[idx], self.nar[idx],
                      self.invalid[idx])

    @property
    def special(self) -> np.ndarray:
        return self.nan | self.inf | self.nar | self.invalid

    @property
    def zero(self) -> np.ndarray:
        return ~self.special & (self.N == 0)

    @property
    def fl(self) -> np.ndarray:
        """floor(log2 |x|) of nonzero values (meaningless elsewhere)."""
        return _bitlen(self.N) - 1 + self.E


def decode_minifloat(f: Minifloat, codes) -> Values:
    g = geometry_of(f)
    c = np.asarray(codes).astype(np.uint64)
    mag = (c & np.uint64((1 << (g.bits - g.signed)) - 1)).astype(np.int64)
    neg = (c >> np.uint64(g.bits - 1)) == 1 if g.signed else np.zeros(c.size, bool)
    inf = mag == g.inf_mag if g.inf_mag is not None else np.zeros(c.size, bool)
    nan = ((mag > g.max_mag) & ~inf) | (c == g.nan_code if g.nan_code is not None else False)
    e, frac = mag >> g.t, mag & ((1 << g.t) - 1)
    sub = (e == 0) & g.has_subnormals
    N = np.where(sub, frac, frac | (1 << g.t))
    E = np.where(sub, g.q_min, e - g.bias - g.t)
    return Values(neg, np.where(nan | inf, 0, N), E, nan, inf)


def posit_mag_ne(f: Posit, mag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, E) of positive posit codes 1..maxpos: regime run, up to es exponent bits, fraction."""
    m1 = f.n - 1
    ones = ((mag >> (m1 - 1)) & 1) == 1
    run = m1 - _bitlen(np.where(ones, ~mag & ((1 << m1) - 1), mag))
    k = np.where(ones, run - 1, -run)
    rest = np.maximum(m1 - run - 1, 0)  # bits after the regime's terminating bit
    low = mag & _ones(rest, mag)
    ebits = np.minimum(f.es, rest)
    exp = (low >> (rest - ebits)) << (f.es - ebits)  # exponent bits cut off by the regime are zeros
    fbits = rest - ebits
    return (1 << fbits) | (low & _ones(fbits, mag)), (k << f.es) + exp - fbits


def decode_posit(f: Posit, codes) -> Values:
    c = np.asarray(codes).astype(np.int64)
    nar, neg = c == f.nar_code, (c >> (f.n - 1)) == 1
    mag = np.where(neg, (-c) & ((1 << f.n) - 1), c)
    mag = np.where(nar | (c == 0), 1, mag)
    N, E = posit_mag_ne(f, mag)
    return Values(neg & ~nar, np.where(nar | (c == 0), 0, N), E, np.zeros(c.size, bool), nar=nar)


def decode(f, codes) -> Values:
    if f.bits <= TABLE_BITS:
        return _code_table(f).take(np.asarray(codes).astype(np.intp))
    return decode_posit(f, codes) if isinstance(f, Posit) else decode_minifloat(f, codes)


@functools.lru_cache(maxsize=32)
def _code_table(f) -> Values:
    """Every code of a format of at most TABLE_BITS bits, decoded once: then decoding a vector
    set is a gather instead of a dozen passes of arithmetic over it."""
    codes = np.arange(1 << f.bits)
    return decode_posit(f, codes) if isinstance(f, Posit) else decode_minifloat(f, codes)


def _as_object(*arrays):
    return [a.astype(object) for a in arrays]


def _propagate(x: Values, y: Values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NaN and NaR of either operand, and invalid operations already found, propagate."""
    return x.nan | y.nan, x.nar | y.nar, x.invalid | y.invalid


def multiply(x: Values, y: Values) -> Values:
    nan, nar, invalid = _propagate(x, y)
    quiet = ~(nan | nar | invalid)
    invalid |= quiet & ((x.inf & y.zero) | (x.zero & y.inf))  # 0 x Inf
    inf = quiet & ~invalid & (x.inf | y.inf)
    N1, N2 = x.N, y.N
    if (_bitlen(N1) + _bitlen(N2)).max(initial=0) > _WIDE:
        N1, N2 = _as_object(N1, N2)
    return Values(x.neg != y.neg, N1 * N2, x.E + y.E, nan, inf, nar, invalid)


def add(x: Values, y: Values, t: int, emin: int) -> tuple[Values, np.ndarray]:
    """x + y exactly as far as classification on a grid of t fraction bits above 2^emin can tell,
    and the mask of massive cancellation (an effective subtraction losing two or more leading bits).

    An operand far below the other's last bit and the grid's quarter-quantum is replaced by a
    smaller nonzero one of the same sign: every boundary a situation depends on (grid points,
    midpoints, powers of two, the overflow band) near the larger operand is a multiple of 2^L, so
    the situation is the same for any addend strictly inside (0, 2^(L-2)) and the integers stay short."""
    nan, nar, invalid = _propagate(x, y)
    quiet = ~(nan | nar | invalid)
    invalid |= quiet & x.inf & y.inf & (x.neg != y.neg)  # Inf - Inf
    inf = quiet & ~invalid & (x.inf | y.inf)
    finite = ~(nan | nar | invalid | inf)
    fx, fy = np.where(x.N == 0, -(1 << 40), x.fl), np.where(y.N == 0, -(1 << 40), y.fl)
    swap = fy > fx
    big_neg, small_neg = np.where(swap, y.neg, x.neg), np.where(swap, x.neg, y.neg)
    Nb, Ns = np.where(swap, y.N, x.N), np.where(swap, x.N, y.N)
    Eb, Es = np.where(swap, y.E, x.E), np.where(swap, x.E, y.E)
    fb, fs = np.maximum(fx, fy), np.minimum(fx, fy)
    L = np.minimum(Eb, np.maximum(fb, emin) - t - 2)
    far = (Nb != 0) & (Ns != 0) & (fs < L - 2)
    Ns, Es = np.where(far, 1, Ns), np.where(far, L - 3, Es)
    Eb, Es = np.where(Nb == 0, Es, Eb), np.where(Ns == 0, Eb, Es)  # a zero aligns with the other operand
    E0 = np.minimum(Eb, Es)
    sb, ss = np.where(finite, Eb - E0, 0), np.where(finite, Es - E0, 0)
    if np.where(finite, fb - E0 + 2, 0).max(initial=0) > _WIDE:
        Nb, Ns = _as_object(Nb, Ns)
    total = np.where(big_neg, -(Nb << sb), Nb << sb) + np.where(small_neg, -(Ns << ss), Ns << ss)
    neg = np.where(total == 0, big_neg & small_neg, total < 0)  # x + (-x) is +0 in rne
    s = Values(neg, np.where(finite, abs(total), 0), E0, nan, inf, nar, invalid)
    cancel = finite & (x.N != 0) & (y.N != 0) & (x.neg != y.neg) & ((s.N == 0) | (s.fl <= fb - 2))
    return s, cancel


def _compare(N, E, fl, c: tuple[int, int]) -> np.ndarray:
    """sign(N 2^E - cn 2^ce) for nonzero N with floor(log2) fl."""
    cn, ce = c
    cfl = cn.bit_length() - 1 + ce
    out = np.sign(fl - cfl)  # where the binades differ they decide ...
    same = np.flatnonzero(fl == cfl)  # ... elsewhere (few vectors) the integers, aligned by short shifts
    if same.size:
        n, e = N[same], E[same]
        e0 = np.minimum(e, ce)
        lhs, rhs = n << (e - e0), (np.zeros_like(n) + cn) << (ce - e0)
        out[same] = (lhs > rhs).astype(np.int64) - (lhs < rhs)
    return out


def _round_parts(N, E, qe):
    """floor(x / 2^qe), the remainder below it and half a quantum, for x = N 2^E > 0."""
    s = np.minimum(qe - E, _bitlen(N) + 1)  # beyond the top bit the remainder is N, below half
    up = np.maximum(-s, 0)
    s = np.maximum(s, 0)
    floor = (N >> s) << up
    rem = N & _ones(s, N)
    half = np.where(s > 0, np.ones_like(N) << np.maximum(s - 1, 0), 0)
    return floor, rem, half


def classify_minifloat(f: Minifloat, x: Values) -> dict[str, np.ndarray]:
    """The situations of exact results x in the minifloat f (SITUATIONS of refmodel.situations,
    then underflow_boundary, cancellation left to the caller, nan, inf and invalid)."""
    g = geometry_of(f)
    finite = ~x.special
    nonzero = finite & (x.N != 0)
    invalid = x.invalid | (nonzero & x.neg & (not g.signed))  # a negative result of an unsigned format
    live = nonzero & ~invalid
    out = {s: np.zeros(len(x.N), bool) for s in MINIFLOAT_SITUATIONS}
    out["nan"], out["inf"], out["invalid"] = x.nan, x.inf & ~x.nan, invalid
    N = np.where(live, x.N, 1)
    E = np.where(live, x.E, 0)
    fl = _bitlen(N) - 1 + E
    below = fl < g.emin
    out["subnormal_result"] = live & below
    ranked = live & (~below | g.has_subnormals)  # results below a format without subnormals: inexact only
    qe = np.maximum(fl, g.emin) - g.t
    floor, rem, half = _round_parts(N, E, qe)
    over_max = _compare(N, E, fl, g.max_ne) > 0
    out["exact"] = (finite & (x.N == 0) & g.has_zero & ~invalid) | (ranked & (rem == 0) & ~over_max)
    out["inexact"] = live & ~out["exact"]
    floor_below_max = _compare(np.where(floor == 0, 1, floor), qe, _bitlen(floor) - 1 + qe, g.max_ne) < 0
    out["exact_tie"] = ranked & (rem != 0) & (rem == half) & ((floor == 0) | floor_below_max)
    if g.t >= 1:
        odd = (floor & 1) == 1
    else:  # t = 0: the code's parity is that of the biased exponent
        odd = (floor == 1) & (((qe + g.bias) & 1) == 1)
    up = (rem > half) | ((rem == half) & odd)
    k = fl + 1
    carry_to = np.ones_like(floor) << np.clip(k - qe, 0, 62)
    out["carry"] = ranked & (rem != 0) & up & (k >= g.emin) & (k <= g.emax) & (floor + 1 == carry_to)
    out["overflow_boundary"] = ranked & (fl >= g.emax - 1) & (_compare(N, E, fl, g.ovf_lo) >= 0) & \
        (_compare(N, E, fl, g.ovf_hi) <= 0)
    lowest = g.mag_ne(g.lowest_mag)
    near_min = _compare(N, E, fl, (2 * lowest[0], lowest[1])) <= 0
    emin_lo, emin_hi = ((1 << (g.emin - g.q_min)) - 1, g.q_min), ((1 << (g.emin - g.q_min)) + 1, g.q_min)
    near_normal = (_compare(N, E, fl, emin_lo) >= 0) & (_compare(N, E, fl, emin_hi) <= 0)
    out["underflow_boundary"] = live & (near_min | near_normal)
    return out


def classify_posit(f: Posit, x: Values) -> dict[str, np.ndarray]:
    """The situations of exact results x in the posit f: the bit-string rounding of |x| (regime, es
    exponent bits, fraction) to n - 1 bits, with beyond_maxpos and below_minpos saturating."""
    out = {s: np.zeros(len(x.N), bool) for s in POSIT_SITUATIONS}
    out["nan"], out["inf"], out["nar"], out["invalid"] = x.nan, x.inf & ~x.nan, x.nar, x.invalid
    finite = ~x.special
    live = finite & (x.N != 0)
    N, E = np.where(live, x.N, 1), np.where(live, x.E, 0)
    bl = _bitlen(N)
    s = bl - 1 + E
    is_pow2 = N == (np.ones_like(N) << (bl - 1))
    beyond = (s > f.max_scale) | ((s == f.max_scale) & ~is_pow2)
    below = s < -f.max_scale
    out["beyond_maxpos"], out["below_minpos"] = live & beyond, live & below
    inside = live & ~beyond & ~below
    s = np.where(inside, s, 0)
    k = s >> f.es
    regime_len = np.where(k >= 0, k + 2, 1 - k)
    regime = np.where(k >= 0, _ones(np.maximum(k + 1, 0), k) << 1, 1)
    prefix = (regime << f.es) | (s & ((1 << f.es) - 1))
    flen = bl - 1
    if np.where(inside, regime_len + f.es + flen, 0).max(initial=0) > _WIDE:
        N, prefix = _as_object(N, prefix)
    string = (prefix << flen) | (N - (np.ones_like(N) << flen))
    floor, rem, half = _round_parts(string, np.zeros_like(s), regime_len + f.es + flen - (f.n - 1))
    up = (rem != 0) & ((rem > half) | ((rem == half) & ((floor & 1) == 1)))
    rounded = np.where(inside & up, floor + 1, 1).astype(np.int64)
    up_code = np.minimum(rounded, f.max_code)
    if f.bits <= TABLE_BITS:
        Nr, Er = _code_table(f).N[up_code], _code_table(f).E[up_code]
    else:
        Nr, Er = posit_mag_ne(f, up_code)
    s_up = _bitlen(Nr) - 1 + Er
    out["exact"] = (finite & (x.N == 0)) | (inside & (rem == 0))
    out["inexact"] = live & ~out["exact"]
    out["exact_tie"] = inside & (rem != 0) & (rem == half)
    out["carry"] = inside & up & (s_up > s)
    out["regime_carry"] = out["carry"] & ((s_up >> f.es) > k)
    return out


def classify(f, x: Values) -> dict[str, np.ndarray]:
    return classify_posit(f, x) if isinstance(f, Posit) else classify_minifloat(f, x)


def _grid(f) -> tuple[int, int]:
    """(t, emin): fraction bits and smallest normal exponent for add's alignment bound (posits:
    the most fraction bits any posit has, and minpos)."""
    if isinstance(f, Posit):
        return max(f.n - 3 - f.es, 0), -f.max_scale
    g = geometry_of(f)
    return g.t, g.emin


def exact_situations(op: str, fmt, out_fmt, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Situation masks of the vectors' exact results. fmt: the operands' format; out_fmt: fma's
    accumulator (c and the result) or convert's destination."""
    dest = out_fmt or fmt
    cancel = None
    if op == "from_f64":
        x = decode_minifloat(BINARY64, cols["a"])
    elif op == "convert":
        x = decode(fmt, cols["a"])
    elif op == "mul":
        x = multiply(decode(fmt, cols["a"]), decode(fmt, cols["b"]))
    elif op in ("add", "sub"):
        b = decode(fmt, cols["b"])
        if op == "sub":
            b.neg = ~b.neg
        x, cancel = add(decode(fmt, cols["a"]), b, *_grid(dest))
    elif op == "fma":
        x, cancel = add(multiply(decode(fmt, cols["a"]), decode(fmt, cols["b"])), decode(dest, cols["c"]),
                        *_grid(dest))
    else:
        raise ValueError(f"no coverage classification for {op}")
    out = classify(dest, x)
    if cancel is not None:
        out["cancellation"] = cancel
    return out


def situation_names(op: str, dest) -> tuple[str, ...]:
    names = POSIT_SITUATIONS if isinstance(dest, Posit) else MINIFLOAT_SITUATIONS
    return tuple(s for s in names if s != "cancellation" or op in ("add", "sub", "fma"))


def operand_widths(fmt, out_fmt, op: str) -> list[int]:
    """The code widths of op's operands a, b, c (those it takes)."""
    widths = {"from_f64": [64], "convert": [fmt.bits], "fma": [fmt.bits, fmt.bits, (out_fmt or fmt).bits]}
    return widths.get(op, [fmt.bits] * 2)


def _enumerable(fmt, out_fmt, op: str) -> bool:
    """op has at most ENUMERATE inputs."""
    return op != "from_f64" and 1 << sum(operand_widths(fmt, out_fmt, op)) <= ENUMERATE


def _all_inputs(fmt, out_fmt, op: str) -> dict[str, np.ndarray]:
    """Every input of an enumerable op: input i is the one whose codes, concatenated a then b
    then c, read i."""
    grids = np.meshgrid(*[np.arange(1 << w, dtype=np.int64) for w in operand_widths(fmt, out_fmt, op)], indexing="ij")
    return {name: grid.ravel() for name, grid in zip("abc", grids)}


def _input_histogram(fmt, out_fmt, op: str, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Vectors per input of an enumerable op, indexed as _all_inputs."""
    widths = operand_widths(fmt, out_fmt, op)
    codes = tuple(np.ascontiguousarray(cols[name], np.uint64) for name in "abc"[:len(widths)])
    for name, c, w in zip("abc", codes, widths):  # the kernel indexes its histogram unchecked
        if int(c.max(initial=0)) >> w:
            raise ValueError(f"operand {name}: code {int(c.max()):#x} is wider than {w} bits")
    return _histogram(codes, np.array(widths, np.int64))


@njit(cache=True, nogil=True)
def _histogram(codes, widths):
    """One pass over the vectors, no temporaries: input index = the codes concatenated."""
    hist = np.zeros(1 << widths.sum(), np.int64)
    for i in range(codes[0].size):
        index = 0
        for j in range(len(codes)):
            index = (index << widths[j]) | np.int64(codes[j][i])
        hist[index] += 1
    return hist


@functools.lru_cache(maxsize=16)
def _table(op: str, fmt, out_fmt) -> dict[str, np.ndarray]:
    """The situation masks of every input of an enumerable op, indexed as _all_inputs: built once,
    then the situations of any number of vectors are looked up instead of classified again."""
    hit = exact_situations(op, fmt, out_fmt, _all_inputs(fmt, out_fmt, op))
    for mask in hit.values():
        mask.flags.writeable = False  # shared by every later caller
    return hit


def _contains(src: Minifloat, dest: Minifloat) -> bool:
    """Every finite value of src is a finite value of dest."""
    s, d = geometry_of(src), geometry_of(dest)
    return s.P <= d.P and s.q_min >= d.q_min and s.max_value <= d.max_value and (d.signed or not s.signed)


def _has(f, what: str) -> bool:
    if isinstance(f, Posit):
        return what == "nar"
    return {"nan": f.has_nan, "inf": f.has_inf, "nar": False}[what]


def reachable(op: str, fmt, out_fmt=None) -> tuple[str, ...]:
    """The situations some input of op can be in: found by classifying every input where there
    are at most ENUMERATE, else from the formats' features (docs/vectors.md)."""
    dest = out_fmt or fmt
    names = situation_names(op, dest)
    if _enumerable(fmt, out_fmt, op):
        hit = _table(op, fmt, out_fmt)
        return tuple(s for s in names if hit[s].any())
    src = BINARY64 if op == "from_f64" else fmt
    inputs = [src] if op in ("convert", "from_f64") else [fmt, dest] if op == "fma" else [fmt]
    out = set(names) - {"nan", "inf", "nar", "invalid"}
    out |= {w for w in ("nan", "inf", "nar") if any(_has(f, w) for f in inputs)}
    if op == "convert" and isinstance(src, Minifloat) and isinstance(dest, Minifloat) and _contains(src, dest):
        out &= {"exact", "nan", "inf"}
    if op in ("add", "sub") and isinstance(dest, Posit):
        out.discard("below_minpos")  # every posit is a multiple of minpos, and so is every sum
    signed_in = any(isinstance(f, Posit) or f.signed for f in inputs)
    if isinstance(dest, Minifloat) and not dest.signed and (signed_in or op == "sub"):
        out.add("invalid")  # a negative result
    if _has(fmt, "inf") and op in ("mul", "add", "sub", "fma"):
        out.add("invalid")  # 0 x Inf, Inf - Inf (an infinite addend alone only gives Inf)
    return tuple(s for s in names if s in out)


def coverage(op: str, fmt, out_fmt, cols: dict[str, np.ndarray], jobs: int = 1) -> dict | None:
    """The manifest's coverage record of a vector set: vectors per situation (a vector may be in
    several), the reachable situations, and those the set does not hit. None for operations that
    are not classified (those that do not round, div, sqrt, dots and unit traces). jobs: threads
    classifying chunks of a large input space's set."""
    if op not in CLASSIFIED_OPS:
        return None
    names = situation_names(op, out_fmt or fmt)
    n = len(cols["a"])
    if _enumerable(fmt, out_fmt, op):
        # Small input spaces (8-bit operands): the situations depend on the codes alone (never on
        # the rounding mode), so count each input's vectors and weigh the table's masks by them.
        hit = _table(op, fmt, out_fmt)
        per_input = _input_histogram(fmt, out_fmt, op, cols)
        counts = {s: int(per_input[hit[s]].sum()) for s in names}
    else:
        counts = _classify_counts(op, fmt, out_fmt, cols, names, jobs)
    reach = reachable(op, fmt, out_fmt)
    return {"vectors": n, "situations": counts, "reachable": list(reach),
            "missed": [s for s in reach if counts[s] == 0]}


def _classify_counts(op: str, fmt, out_fmt, cols: dict[str, np.ndarray], names, jobs: int = 1) -> dict[str, int]:
    """Vectors per situation, classifying every vector: in chunks (the classifier's temporaries
    stay a few hundred MB), jobs at a time in threads (numpy and the kernels release the GIL)."""
    def count(lo: int) -> list[int]:
        hit = exact_situations(op, fmt, out_fmt, {k: v[lo:lo + CHUNK] for k, v in cols.items()})
        return [int(hit[s].sum()) for s in names]

    with ThreadPoolExecutor(jobs) as pool:
        per_chunk = list(pool.map(count, range(0, len(cols["a"]), CHUNK)))
    return {s: sum(c[i] for c in per_chunk) for i, s in enumerate(names)}


def report(cov: dict) -> str:
    """The coverage table: situation, vectors, percentage of the set; unreachable ones marked."""
    n = max(cov["vectors"], 1)
    lines = [f"{'situation':20} {'count':>10} {'%':>7}"]
    for s, c in cov["situations"].items():
        note = "" if s in cov["reachable"] else "  (unreachable)"
        lines.append(f"{s:20} {c:10d} {100 * c / n:7.2f}{note}")
    missed = ", ".join(cov["missed"]) or "none"
    lines.append(f"{cov['vectors']} vectors; reachable situations missed: {missed}")
    return "\n".join(lines)
