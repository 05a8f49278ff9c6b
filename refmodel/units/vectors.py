"""Golden vectors of the hardware units: dot products, MAC cycle traces, SR-adder traces.

Deterministic by seed (SplitMix64 streams, refmodel.vectors.generate.stream); the random integers of
stochastic rounding come from the unit's LFSR, whose width, taps and seed the metadata records.

    dot     a0..a{L-1} b0..b{L-1} [lfsr] z flags        one dot product per vector; lfsr: the LFSR state
                                                         at the start of the row (the stream runs on from
                                                         row to row); z in second_fmt
    mac     clear valid a b [r_prod] [r] [lfsr] acc flags   one cycle per vector, in order; acc and flags
                                                         are the registers after the cycle, lfsr the state
                                                         after the cycle's steps
    sr_add  a b lfsr r z flags                            one addition per vector, in order; lfsr the state
                                                         after the addition's step, r its low sr_bits bits
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import ops
from ..encodings import FLAG_BITS, STOCHASTIC
from ..formats import Minifloat
from ..vectors.edge import edge_codes
from ..vectors.generate import DEFAULT_COUNT, stream
from ..vectors.io import VectorSet
from .dot import dot, prng_steps
from .fp_mac import FpMac, as_minifloat
from .lfsr import DEFAULT_SEED, DEFAULT_WIDTH, Lfsr, parse_taps
from .sr_adder import SrAdder

UNIT_OPS = ("dot", "mac", "sr_add")
UNIT_MODES = ("edge", "random")
DEFAULT_LENGTH = 16
EDGE_VARIANTS = 8  # rows per edge pattern
MAC_EDGE_LENGTH = 16  # products per segment of an edge MAC trace
MAX_SEGMENT = 64  # products per accumulation in a random MAC trace

# Stream purposes (the low byte of a stream's starting state), apart from generate.py's 1..5.
_A, _B, _WINDOW, _SPECIAL, _EDGE, _CONTROL, _SHIFT = 16, 17, 18, 19, 20, 21, 22


@dataclass(frozen=True)
class UnitRequest:
    """What `refmodel gen dot|mac|sr_add` asks for. Formats may be given by name."""

    op: str
    fmt: Minifloat
    acc_fmt: Minifloat | None = None  # dot, mac: the accumulator
    length: int = DEFAULT_LENGTH  # dot: products per dot
    chunk: int = 0  # dot: products per chunk (0: one chunk)
    second_fmt: Minifloat | None = None  # dot: the chunk results' format (default acc_fmt)
    product_fmt: Minifloat | None = None  # dot, mac: cascaded, the product's format (None: fused)
    align_width: int | None = None  # dot, mac: W (None: exact alignment)
    sticky: bool = False  # dot, mac: jam the bits below the window into a sticky bit
    rounding: str = "rne"
    sr_bits: int = 8
    overflow: str = "ieee"
    lfsr_width: int = DEFAULT_WIDTH
    lfsr_taps: tuple[int, ...] | str | None = None  # '32,22,2,1' or a tuple; None: MAXIMAL_TAPS[lfsr_width]
    lfsr_seed: int = DEFAULT_SEED
    mode: str = "random"
    count: int = DEFAULT_COUNT
    seed: int = 1

    def __post_init__(self):
        for name in ("fmt", "acc_fmt", "second_fmt", "product_fmt"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_minifloat(value, name))
        if isinstance(self.lfsr_taps, str):
            object.__setattr__(self, "lfsr_taps", parse_taps(self.lfsr_taps))
        if self.lfsr_taps is None:
            object.__setattr__(self, "lfsr_taps", Lfsr(self.lfsr_width).taps)  # the maximal taps of the width
        if self.op not in UNIT_OPS:
            raise ValueError(f"unknown unit operation {self.op!r}: expected one of {', '.join(UNIT_OPS)}")
        if self.mode not in UNIT_MODES:
            raise ValueError(f"{self.op} vectors have modes {', '.join(UNIT_MODES)}, not {self.mode!r}")
        if self.mode == "random" and self.count < 1:
            raise ValueError(f"--count must be a positive number of vectors, not {self.count}")
        if self.op != "sr_add" and self.acc_fmt is None:
            raise ValueError(f"{self.op} needs --acc-fmt (the accumulator format)")
        if self.op == "dot" and self.length < 1:
            raise ValueError(f"--length must be a positive number of products, not {self.length}")
        if self.op == "sr_add" and self.rounding not in STOCHASTIC:
            raise ValueError(f"sr_add rounds stochastically: --rounding must be one of {', '.join(STOCHASTIC)}")
        if self.stochastic:
            self.prng().check_bits(self.sr_bits)  # checks width, taps and seed too

    @property
    def stochastic(self) -> bool:
        return self.rounding in STOCHASTIC

    def prng(self) -> Lfsr:
        return Lfsr(self.lfsr_width, self.lfsr_taps, self.lfsr_seed)

    def mac_options(self) -> dict:
        return {"rounding": self.rounding, "overflow": self.overflow, "sr_bits": self.sr_bits,
                "product_fmt": self.product_fmt, "align_width": self.align_width, "sticky": self.sticky}

    def parameters(self, count: int) -> dict:
        """The manifest's parameters: only those that apply to the operation and its options."""
        p = {"op": self.op, "fmt": self.fmt.name}
        if self.op != "sr_add":
            p["acc_fmt"] = self.acc_fmt.name
        if self.op == "dot":
            p.update(length=self.length, chunk=self.chunk, second_fmt=(self.second_fmt or self.acc_fmt).name)
        if self.op != "sr_add":
            if self.product_fmt is not None:
                p["product_fmt"] = self.product_fmt.name
            if self.align_width is not None:
                p.update(align_width=self.align_width, sticky=int(self.sticky))
        p["rounding"] = self.rounding
        if self.stochastic:
            p.update(sr_bits=self.sr_bits, lfsr_width=self.lfsr_width, lfsr_taps=",".join(map(str, self.lfsr_taps)),
                     lfsr_seed=self.lfsr_seed)
            if self.op == "dot":
                p["lfsr_steps_per_dot"] = prng_steps(self.length, self.chunk, self.product_fmt is not None)
        p.update(overflow=self.overflow, mode=self.mode, seed=self.seed, count=count)
        return p

    def meta(self, count: int) -> dict[str, str]:
        return {k: str(v) for k, v in self.parameters(count).items()}


# ------------------------------------------------------------------------------------------------
# Operands
# ------------------------------------------------------------------------------------------------


def _window_codes(f: Minifloat, raw: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Finite codes from raw uint64 draws, one row per pick: exponent fields in a window of 1, 2, 4 or
    all binades (so that a row's products overlap and rounding matters), random mantissas and signs."""
    t = f.man_bits
    top = f.max_mag >> t
    width = np.minimum(np.array([1, 2, 4, top + 1], np.int64), top + 1)[(pick & np.uint64(3)).astype(np.intp)]
    lo = ((pick >> np.uint64(8)) % np.uint64(top + 1)).astype(np.int64)
    lo = np.minimum(lo, top + 1 - width)
    e = lo[:, None] + ((raw >> np.uint64(20)) % width[:, None].astype(np.uint64)).astype(np.int64)
    mag = np.minimum((e << t) | (raw & np.uint64((1 << t) - 1)).astype(np.int64), f.max_mag)
    sign = ((raw >> np.uint64(63)).astype(np.int64) * f.sign_mask) * (mag != 0)  # no NaN from a "-0" (FNUZ, P3109)
    return sign | mag


def _specials(f: Minifloat) -> np.ndarray:
    """Every zero, infinity and NaN code among the format's edge codes."""
    codes = edge_codes(f)
    v = ops.decode(f, codes)
    return codes[~np.isfinite(v) | (v == 0)]


def random_rows(f: Minifloat, seed: int, n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """n rows of `length` operand pairs: window codes; one row in 16 gets a special operand."""
    pick = stream(seed, _WINDOW, n)
    a = _window_codes(f, stream(seed, _A, n * length).reshape(n, length), pick)
    b = _window_codes(f, stream(seed, _B, n * length).reshape(n, length), pick >> np.uint64(4))
    special = stream(seed, _SPECIAL, n)
    rows = np.flatnonzero((special & np.uint64(15)) == 0)
    codes = _specials(f)
    cols = ((special[rows] >> np.uint64(8)) % np.uint64(length)).astype(np.intp)
    which = codes[((special[rows] >> np.uint64(32)) % np.uint64(codes.size)).astype(np.intp)]
    target = np.where((special[rows] >> np.uint64(4)) & np.uint64(1), 1, 0)
    a[rows[target == 0], cols[target == 0]] = which[target == 0]
    b[rows[target == 1], cols[target == 1]] = which[target == 1]
    return a, b


def _codes(f: Minifloat, x) -> np.ndarray:
    """Codes of binary64 values (rne; unsigned formats take magnitudes)."""
    x = np.asarray(x, np.float64)
    if not f.signed:
        x = np.abs(x)
    return ops.from_f64(f, x)[0].astype(np.int64)


def edge_rows(f: Minifloat, g: Minifloat, seed: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Structured rows for the accumulator g: zero sums and their signs, exact cancellation, swamping
    (a large product, then small ones; small ones, then a large one and its negation), equal products,
    overflow, special operands (NaN, infinities, 0 x Inf, Inf - Inf), tiny products, alternating signs
    near one. EDGE_VARIANTS rows each."""
    n = EDGE_VARIANTS
    u = (stream(seed, _EDGE, 9 * n * length) >> np.uint64(11)).astype(np.float64).reshape(9, n, length) / 2.0**53
    sign = np.where(stream(seed, _SHIFT, n * length).reshape(n, length) >> np.uint64(63), -1.0, 1.0)
    one = np.ones((n, length))
    big = f.max_value
    ulp_rel = 2.0 ** -(g.man_bits + 2)  # a product this much smaller than the sum is swamped
    k = np.arange(length)
    window_a, window_b = random_rows(f, seed + 1, n, length)
    rows = []
    # zeros with random signs times finite operands: the sign of an exact zero sum
    rows.append((_codes(f, 0.0 * sign), window_b))
    # exact cancellation: v, -v pairs times the same b, a tiny product last when L is odd
    v = np.repeat((0.5 + u[0][:, : (length + 1) // 2]) * 2.0 ** np.floor(8 * u[1][:, :1] - 4), 2, axis=1)[:, :length]
    v = np.where(k % 2 == 1, -v, v)
    if length % 2:
        v[:, -1] = f.min_subnormal * sign[:, -1]
    rows.append((_codes(f, v), np.repeat(window_b[:, ::2], 2, axis=1)[:, :length]))
    # swamping: one large product, then small ones below half an ulp of the sum
    top = big / 4
    small = top * ulp_rel * (0.5 + u[2])
    rows.append((_codes(f, np.where(k == 0, top, small)), _codes(f, one)))
    # small ones first, then a large one and its negation: what they summed to survives or not
    v = np.where(k == length - 2, top, np.where(k == length - 1, -top, small))
    rows.append((_codes(f, v), _codes(f, one)))
    # equal products: k * v grows until v falls below half an ulp (stagnation)
    rows.append((_codes(f, one * (1 + u[3][:, :1])), _codes(f, one)))
    # overflow: the largest products, positive, alternating, or positive then negative
    s = np.where((np.arange(n)[:, None] % 3 == 1) & (k % 2 == 1), -1.0, 1.0)
    s = np.where((np.arange(n)[:, None] % 3 == 2) & (k >= length // 2), -1.0, s)
    rows.append((_codes(f, big * s), _codes(f, big * one)))
    # specials: one special operand, 0 x Inf, or +-Inf at two places
    a, b = window_a.copy(), window_b.copy()
    specials = _specials(f)
    pos = (u[4][:, 0] * length).astype(np.intp)
    pos2 = (u[5][:, 0] * length).astype(np.intp)
    for i in range(n):
        kind = i % 4
        if kind == 0:
            a[i, pos[i]] = specials[i % specials.size]
        elif kind == 1:
            a[i, pos[i]], b[i, pos[i]] = _codes(f, [0.0, np.inf])
        else:
            a[i, pos[i]], a[i, pos2[i]] = _codes(f, [np.inf, -np.inf if kind == 2 else np.inf])
    rows.append((a, b))
    # tiny: operands in the smallest binades, products deep in (or below) the accumulator's subnormals
    tiny = f.min_subnormal * (1 + 7 * u[6])
    rows.append((_codes(f, tiny * sign), _codes(f, f.min_subnormal * (1 + 7 * u[7]))))
    # alternating signs near one: the sum cancels to a few bits
    rows.append((_codes(f, (1 + u[8] / 4) * np.where(k % 2 == 1, -1.0, 1.0)), _codes(f, one)))
    return np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows])


# ------------------------------------------------------------------------------------------------
# Generators
# ------------------------------------------------------------------------------------------------


def _vector_set(req: UnitRequest, fields_: list[tuple[str, int]], cols: dict) -> VectorSet:
    n = len(next(iter(cols.values())))
    columns = {name: np.asarray(cols[name]).astype(np.uint64) for name, _ in fields_}
    return VectorSet(req.meta(n), fields_, columns)


def dot_vectors(req: UnitRequest) -> VectorSet:
    """Dot products: fields a0..a{L-1} b0..b{L-1} [lfsr] z flags."""
    f, g, L = req.fmt, req.acc_fmt, req.length
    if req.mode == "edge":
        a, b = edge_rows(f, g, req.seed, L)
    else:
        a, b = random_rows(f, req.seed, req.count, L)
    prng = req.prng() if req.stochastic else None
    res = dot(a, b, f, g, chunk=req.chunk, second_fmt=req.second_fmt, prng=prng, **req.mac_options())
    second = req.second_fmt or g
    cols = {**{f"a{i}": a[:, i] for i in range(L)}, **{f"b{i}": b[:, i] for i in range(L)}}
    fields_ = [(f"a{i}", f.bits) for i in range(L)] + [(f"b{i}", f.bits) for i in range(L)]
    if req.stochastic:
        cols["lfsr"] = res.lfsr
        fields_.append(("lfsr", req.lfsr_width))
    cols["z"], cols["flags"] = res.z, res.flags
    fields_ += [("z", second.bits), ("flags", FLAG_BITS)]
    return _vector_set(req, fields_, cols)


def _segments(lengths: np.ndarray, control: np.ndarray, a_rows: np.ndarray, b_rows: np.ndarray):
    """Cycle columns (clear, valid, a, b) of accumulations one after another. Per segment, control
    selects how it starts: 0 clear with the first product, 1 a clear-only cycle first, 2 clear with
    the first product and a bubble (valid low, stray operands) in the middle, 3 no clear (the
    accumulation and its flags run on)."""
    clear, valid, a, b = [], [], [], []
    for n, c, ra, rb in zip(lengths.tolist(), control.tolist(), a_rows, b_rows):
        sa, sb = list(ra[:n]), list(rb[:n])
        sv, sc = [True] * n, [c in (0, 2)] + [False] * (n - 1)
        if c == 1:
            sa, sb, sv, sc = [sa[-1]] + sa, [sb[0]] + sb, [False] + sv, [True] + [False] * n
        if c == 2:
            h = n // 2 + 1
            sa, sb, sv, sc = sa[:h] + [sb[0]] + sa[h:], sb[:h] + [sa[0]] + sb[h:], sv[:h] + [False] + sv[h:], \
                sc[:h] + [False] + sc[h:]
        clear += sc
        valid += sv
        a += sa
        b += sb
    return (np.array(clear, bool), np.array(valid, bool), np.array(a, np.int64), np.array(b, np.int64))


def mac_vectors(req: UnitRequest) -> VectorSet:
    """A cycle trace of the single-level MAC from reset: fields clear valid a b [r_prod] [r] [lfsr] acc flags."""
    f, g = req.fmt, req.acc_fmt
    if req.mode == "edge":
        a_rows, b_rows = edge_rows(f, g, req.seed, MAC_EDGE_LENGTH)
        lengths = np.full(len(a_rows), MAC_EDGE_LENGTH)
        control = np.arange(len(a_rows)) % 4
    else:
        ctl = stream(req.seed, _CONTROL, req.count)  # count segments of a cycle or more: always enough
        lengths = 1 + (ctl % np.uint64(MAX_SEGMENT)).astype(np.int64)
        n_seg = int(np.searchsorted(np.cumsum(lengths), req.count)) + 1
        lengths, control = lengths[:n_seg], ((ctl[:n_seg] >> np.uint64(8)) & np.uint64(3)).astype(np.int64)
        a_rows, b_rows = random_rows(f, req.seed, n_seg, MAX_SEGMENT)
    clear, valid, a, b = _segments(lengths, control, a_rows, b_rows)
    if req.mode == "random":
        clear, valid, a, b = clear[: req.count], valid[: req.count], a[: req.count], b[: req.count]
    mac = FpMac(f, g, prng=req.prng() if req.stochastic else None, **req.mac_options())
    trace = mac.run(a, b, clear=clear, valid=valid)
    cols = {"clear": clear, "valid": valid, "a": a, "b": b}
    fields_ = [("clear", 1), ("valid", 1), ("a", f.bits), ("b", f.bits)]
    if req.stochastic:
        if req.product_fmt is not None:
            cols["r_prod"] = trace.r_prod
            fields_.append(("r_prod", req.sr_bits))
        cols["r"], cols["lfsr"] = trace.r, trace.lfsr
        fields_ += [("r", req.sr_bits), ("lfsr", req.lfsr_width)]
    cols["acc"], cols["flags"] = trace.acc, trace.flags
    fields_ += [("acc", g.bits), ("flags", FLAG_BITS)]
    return _vector_set(req, fields_, cols)


def _sr_add_operands(f: Minifloat, seed: int, n: int, sr_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """a uniform over all codes; b uniform for half the pairs, and for the other half a random
    finite value 1 to t + sr_bits + 2 binades below a, where SR's discarded fraction is spread."""
    mask = np.uint64((1 << f.bits) - 1)
    a = (stream(seed, _A, n) & mask).astype(np.int64)
    b = (stream(seed, _B, n) & mask).astype(np.int64)
    pick = stream(seed, _SHIFT, n)
    t = f.man_bits
    drop = 1 + (pick >> np.uint64(1)) % np.uint64(t + sr_bits + 2)
    mag_a = np.minimum(a & ~np.int64(f.sign_mask), f.max_mag)
    e = (mag_a >> t) - drop.astype(np.int64)
    mag = np.where(e >= 0, (np.maximum(e, 0) << t) | ((pick >> np.uint64(16)).astype(np.int64) & ((1 << t) - 1)), 0)
    near = (mag | (((pick >> np.uint64(40)) & np.uint64(1)).astype(np.int64) * f.sign_mask * (mag != 0)))
    return a, np.where((pick & np.uint64(1)) == 1, near, b)


def sr_add_vectors(req: UnitRequest) -> VectorSet:
    """A trace of the SR adder from its seed: fields a b lfsr r z flags."""
    f = req.fmt
    if req.mode == "edge":
        codes = edge_codes(f)
        a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    else:
        a, b = _sr_add_operands(f, req.seed, req.count, req.sr_bits)
    adder = SrAdder(f, req.rounding, req.sr_bits, req.overflow, prng=req.prng())
    trace = adder.run(a, b)
    cols = {"a": a, "b": b, "lfsr": trace.lfsr, "r": trace.r, "z": trace.z, "flags": trace.flags}
    fields_ = [("a", f.bits), ("b", f.bits), ("lfsr", req.lfsr_width), ("r", req.sr_bits), ("z", f.bits),
               ("flags", FLAG_BITS)]
    return _vector_set(req, fields_, cols)


def generate_unit(req: UnitRequest) -> VectorSet:
    """The vectors of a unit request (dispatch on req.op)."""
    return {"dot": dot_vectors, "mac": mac_vectors, "sr_add": sr_add_vectors}[req.op](req)
