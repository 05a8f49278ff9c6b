"""Golden-vector generation: operands (edge, random, exhaustive), the model's results, the fields.

Deterministic by seed: random operands and the random integers of stochastic rounding come from
SplitMix64 streams, one per purpose, fixed by the seed alone.

Fields by operation (DESIGN.md): binary ops `a b [r] z flags`; fma `a b c [r] z flags` (c and z
in the accumulator format); convert `a [r] z flags` (z in the --to format); from_f64 `a:64 [r] z flags`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .. import ops
from ..encodings import FLAG_BITS, STOCHASTIC
from ..formats import Minifloat, Posit
from .common import check_exhaustive, stream
from .coverage import decode_minifloat, multiply, operand_widths
from .edge import LEVELS, constructed_pairs, edge_codes, edge_f64, half_ulp_codes, with_edges
from .io import VectorSet
from .posit_vectors import generate_posit

MODES = ("edge", "random", "exhaustive")
BINARY_OPS = ("add", "sub", "mul")
MINMAX_OPS = ("minimum", "maximum", "minimum_number", "maximum_number")
COMPARE_OPS = tuple(f"compare_{pred}" for pred in ops.PREDICATES)  # z is the 1-bit result
EXACT_OPS = (*MINMAX_OPS, *COMPARE_OPS)  # no rounding: no rounding mode, r or overflow policy
OPS = (*BINARY_OPS, "fma", "convert", "from_f64", *EXACT_OPS)
ALL_OPS = (*OPS, "div", "sqrt", "dot", "quire_mac")  # div, sqrt, dot and quire_mac: posits
DEFAULT_COUNT = 10000
CHUNK = 1 << 20  # vectors generated per task: --jobs N runs N chunks at a time

# Stream purposes (the low byte of a stream's starting state).
_A, _B, _R, _PICK, _C = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Request:
    op: str
    fmt: Minifloat
    rounding: str = "rne"
    overflow: str = "ieee"
    mode: str = "random"
    count: int = DEFAULT_COUNT
    seed: int = 1
    sr_bits: int = 8
    out_fmt: Minifloat | Posit | None = None  # fma: the accumulator format; convert: the destination
    length: int = 0  # dot: the vector length
    carry_bits: int | None = None  # posit dot: the quire's carry-guard width (None: the layout's default)
    level: int = 1  # edge mode: TestFloat-style level 1 or 2

    @property
    def stochastic(self) -> bool:
        return self.rounding in STOCHASTIC

    @property
    def posit(self) -> bool:
        return isinstance(self.fmt, Posit) or isinstance(self.out_fmt, Posit)

    @property
    def result_fmt(self) -> Minifloat:
        return self.out_fmt or self.fmt

    def parameters(self, count: int) -> dict:
        p = {"op": self.op, "fmt": self.fmt.name}
        if self.op == "fma":
            p["acc_fmt"] = self.result_fmt.name
        if self.op == "convert":
            p["to"] = self.result_fmt.name
        if self.op == "dot":
            p["acc"] = "quire"
            p["length"] = self.length
        if self.op in ("dot", "quire_mac"):
            if self.carry_bits is not None:
                p["carry_bits"] = self.carry_bits
        if self.op not in EXACT_OPS:
            p["rounding"] = self.rounding
            if self.stochastic:
                p["sr_bits"] = self.sr_bits
            if not self.posit or isinstance(self.result_fmt, Minifloat):
                p["overflow"] = self.overflow
        p["mode"] = self.mode
        if self.mode == "edge":
            p["level"] = self.level
        p.update(seed=self.seed, count=count)
        return p

    def meta(self, count: int) -> dict[str, str]:
        return {k: str(v) for k, v in self.parameters(count).items()}


def _random_codes(f: Minifloat, seed: int, purpose: int, n: int, start: int) -> np.ndarray:
    return with_edges(stream(seed, purpose, n, start), f.bits, edge_codes(f))


def _random_f64(f: Minifloat, seed: int, n: int, start: int) -> np.ndarray:
    """binary64 patterns spread over the format's range: random sign, an exponent from two below
    the smallest subnormal to two above the largest binade, random 52-bit significand; one in
    eight is instead an exact midpoint between two neighbouring codes (a tie), and one in eight an
    edge input (edge_f64)."""
    raw = stream(seed, _A, n, start)
    pick = stream(seed, _PICK, n, start)
    lo = int(np.floor(np.log2(f.min_subnormal))) - 2
    hi = int(np.floor(np.log2(f.max_value))) + 2
    e = lo + (pick % np.uint64(hi - lo + 1)).astype(np.int64)
    sig = (raw & np.uint64((1 << 52) - 1)).astype(np.float64) / 2.0**52 + 1.0
    x = np.ldexp(sig, e)
    mags = (raw >> np.uint64(12)).astype(np.int64) % (f.max_mag)
    mids = (ops.decode(f, mags) + ops.decode(f, mags + 1)) / 2
    tie = ((pick >> np.uint64(32)) & np.uint64(7)) == 0
    x = np.where(tie, mids, x)
    x = np.where((raw >> np.uint64(63)) == 1, -x, x)
    edge = edge_f64(f)
    return np.where(((pick >> np.uint64(35)) & np.uint64(7)) == 0, edge[pick % np.uint64(edge.size)], x.view(np.uint64))


def _all_pairs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.repeat(codes, codes.size), np.tile(codes, codes.size)


def _exhaustive(widths: list[int], lo: int, hi: int) -> dict[str, np.ndarray]:
    """Inputs lo..hi-1 of every combination of codes, a varying slowest: input i's codes,
    concatenated, read i."""
    i = np.arange(lo, hi, dtype=np.int64)
    cols, shift = {}, sum(widths)
    for name, w in zip("abc", widths):
        shift -= w
        cols[name] = (i >> shift) & ((1 << w) - 1)
    return cols


def _convert_sources(req: Request) -> np.ndarray:
    """Edge codes of the source, plus the source codes that bracket each rounding boundary of the
    destination (its values and midpoints, rounded down and up into the source)."""
    f, g = req.fmt, req.result_fmt
    bounds = edge_f64(g)
    near = [ops.from_f64(f, bounds, rounding=m)[0].astype(np.int64) for m in ("rdn", "rup")]
    return np.unique(np.concatenate([edge_codes(f, req.level), *near]))


def _fma_addends(req: Request, a: np.ndarray, b: np.ndarray, c: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """One in four addends is replaced by minus the product rounded into the accumulator format,
    so that a * b + c cancels massively (and sometimes exactly)."""
    g = req.result_fmt
    product, _ = ops.fma(req.fmt, a, b, np.zeros_like(c), acc_fmt=g)
    negated = product.astype(np.int64) ^ g.sign_mask
    return np.where(((pick & np.uint64(3)) == 0) & (product != 0), negated, c)


def _fma_edge_addends(req: Request, a: np.ndarray, b: np.ndarray, c: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Edge mode: one in four addends is instead +-2^j with 2^j half an accumulator ulp at the exact
    product's binade, or a binade above or below: ties, carries, near-ties and subnormal results
    that a product alone (too few bits for the accumulator) never produces."""
    g = req.result_fmt
    p = multiply(decode_minifloat(req.fmt, a), decode_minifloat(req.fmt, b))
    shift = ((pick >> np.uint64(2)) % np.uint64(3)).astype(np.int64) - 1
    codes = half_ulp_codes(g, np.where(p.N != 0, p.fl, 0), shift)
    if g.signed:
        codes = np.where(((pick >> np.uint64(4)) & np.uint64(1)) == 1, codes | g.sign_mask, codes)
    use = (((pick >> np.uint64(5)) & np.uint64(3)) == 0) & (p.N != 0) & ~p.special & (codes >= 0)
    return np.where(use, codes, c)


def edge_operands(req: Request) -> dict[str, np.ndarray]:
    """The operands of an edge set (small: generated whole)."""
    f, g = req.fmt, req.result_fmt
    if req.op == "from_f64":
        return {"a": edge_f64(f, req.level).astype(np.uint64)}
    if req.op == "convert":
        return {"a": _convert_sources(req)}
    a, b = _all_pairs(edge_codes(f, req.level))
    if req.op in (*BINARY_OPS, "fma"):  # pairs built to land in each rounding situation
        ca, cb = constructed_pairs(f, "mul" if req.op == "fma" else req.op, req.level, req.seed)
        a, b = np.concatenate([a, ca]), np.concatenate([b, cb])
    if req.op != "fma":
        return {"a": a, "b": b}
    pick = stream(req.seed, _PICK, a.size)
    cs = edge_codes(g, req.level)
    c = _fma_edge_addends(req, a, b, cs[np.arange(a.size) % cs.size], pick)
    return {"a": a, "b": b, "c": _fma_addends(req, a, b, c, pick)}


def random_operands(req: Request, lo: int, hi: int) -> dict[str, np.ndarray]:
    """The operands of vectors lo..hi-1 of a random set: each from its position in the streams,
    so any chunking gives the same vectors."""
    f, g, n = req.fmt, req.result_fmt, hi - lo
    if req.op == "from_f64":
        return {"a": _random_f64(f, req.seed, n, lo)}
    cols = {"a": _random_codes(f, req.seed, _A, n, lo)}
    if req.op != "convert":
        cols["b"] = _random_codes(f, req.seed, _B, n, lo)
    if req.op == "fma":
        c = _random_codes(g, req.seed, _C, n, lo)
        cols["c"] = _fma_addends(req, cols["a"], cols["b"], c, stream(req.seed, _PICK, n, lo))
    return cols


def generate(req: Request, jobs: int = 1) -> VectorSet:
    """The vectors of a request: operand fields, [r], z, flags, with the model's results. Random
    and exhaustive sets are generated in chunks, jobs at a time in threads (numpy and the model's
    table lookups release the GIL); every vector depends on its position alone, so the set is
    the same for any jobs."""
    if req.mode not in MODES:
        raise ValueError(f"unknown mode {req.mode!r}: expected one of {', '.join(MODES)}")
    if req.level not in LEVELS or (req.level != 1 and req.mode != "edge"):
        raise ValueError(f"--level is 1 or 2, and only for --mode edge (not level {req.level} in {req.mode} mode)")
    if req.posit:
        return generate_posit(req)
    if req.op not in OPS:
        raise ValueError(f"unknown operation {req.op!r}: expected one of {', '.join(OPS)}")
    if req.mode not in MODES:
        raise ValueError(f"unknown mode {req.mode!r}: expected one of {', '.join(MODES)}")
    if req.mode == "random" and req.count < 1:
        raise ValueError(f"--count must be a positive number of vectors, not {req.count}")
    if req.op in EXACT_OPS and (req.rounding != "rne" or req.overflow != "ieee"):
        raise ValueError(f"{req.op} does not round: it takes no --rounding or --overflow")
    f, g = req.fmt, req.result_fmt
    widths = operand_widths(f, g, req.op)
    fields = list(zip("abc", widths))
    if req.stochastic:
        fields.append(("r", req.sr_bits))
    fields += [("z", 1 if req.op in COMPARE_OPS else g.bits), ("flags", FLAG_BITS)]
    if req.mode == "edge":
        edge = edge_operands(req)
        n = len(edge["a"])
    elif req.mode == "exhaustive":
        if req.op == "from_f64":
            raise ValueError("from_f64 has 2^64 inputs: use --mode edge or random")
        check_exhaustive(req, sum(widths))
        n = 1 << sum(widths)
    else:
        n = req.count
    columns = {name: np.empty(n, np.uint64) for name, _ in fields}

    def fill(lo: int) -> None:
        hi = min(n, lo + CHUNK)
        if req.mode == "edge":
            cols = {name: v[lo:hi] for name, v in edge.items()}
        elif req.mode == "exhaustive":
            cols = _exhaustive(widths, lo, hi)
        else:
            cols = random_operands(req, lo, hi)
        cols.update(_results(req, cols, lo))
        for name, _ in fields:
            columns[name][lo:hi] = cols[name]

    starts = range(0, n, CHUNK)
    if jobs <= 1 or len(starts) <= 1:
        for lo in starts:
            fill(lo)
    else:
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(fill, starts))  # list: a chunk's exception is raised here
    return VectorSet(req.meta(n), fields, columns)


def _results(req: Request, cols: dict[str, np.ndarray], lo: int) -> dict[str, np.ndarray]:
    """[r], z and flags of the vectors from position lo on with operands cols."""
    f, g = req.fmt, req.result_fmt
    out = {}
    kw = {"rounding": req.rounding, "overflow": req.overflow}
    if req.stochastic:
        out["r"] = (stream(req.seed, _R, len(cols["a"]), lo) & np.uint64((1 << req.sr_bits) - 1)).astype(np.int64)
        kw.update(r=out["r"], sr_bits=req.sr_bits)
    if req.op in BINARY_OPS:
        out["z"], out["flags"] = getattr(ops, req.op)(f, cols["a"], cols["b"], **kw)
    elif req.op in MINMAX_OPS:
        out["z"], out["flags"] = getattr(ops, req.op)(f, cols["a"], cols["b"])
    elif req.op in COMPARE_OPS:
        out["z"], out["flags"] = ops.compare(f, cols["a"], cols["b"], req.op.removeprefix("compare_"))
    elif req.op == "fma":
        out["z"], out["flags"] = ops.fma(f, cols["a"], cols["b"], cols["c"], acc_fmt=g, **kw)
    elif req.op == "convert":
        out["z"], out["flags"] = ops.convert(f, cols["a"], g, **kw)
    else:
        out["z"], out["flags"] = ops.from_f64(f, cols["a"], **kw)
    return out
