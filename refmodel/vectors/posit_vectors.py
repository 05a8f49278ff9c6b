"""Golden vectors for posits: operands (edge, random, exhaustive), the model's results, the fields.

Fields (DESIGN.md; posits raise no flags): binary ops `a b [r] z`; sqrt and convert `a [r] z`
(convert to a minifloat adds `flags`); fma `a b c [r] z`; from_f64 `a:64 [r] z`; compare_<pred>
`a b z:1`; dot `a0 .. a(L-1) b0 .. b(L-1) [r] z` (the exact dot product in a quire, rounded once);
quire_mac, a per-cycle trace of the quire MAC unit from reset: `clear:1 sub:1 a b [r] z nar:1`.
"""

from __future__ import annotations

import numpy as np

from .. import ops, posits
from ..encodings import FLAG_BITS
from ..formats import Minifloat, Posit
from ..units.quire_mac import QuireMAC
from .common import check_exhaustive, stream
from .coverage import posit_mag_ne
from .edge import edge_codes, edge_f64, with_edges
from .io import VectorSet

POSIT_OPS = ("add", "sub", "mul", "div", "sqrt", "fma", "convert", "from_f64", "dot", "quire_mac",
             *(f"compare_{p}" for p in posits.PREDICATES))


def posit_edge_codes(f: Posit, level: int = 1) -> np.ndarray:
    """0, NaR, minpos, maxpos and their neighbours, every power of useed (regime boundaries) and
    its neighbours, 1 and its neighbours, codes with the longest fraction, both signs; level 2
    takes three neighbours on each side instead of one."""
    n = f.n
    if n <= 6:
        return np.arange(1 << n, dtype=np.int64)
    one = 1 << (n - 2)
    mags = {1, 2, 3, f.max_code - 2, f.max_code - 1, f.max_code, one - 1, one, one + 1, one + 2,
            one | (one >> 1), (one << 1) - 1}
    span = range(-level - level // 2, level + level // 2 + 1)  # level 1: +-1, level 2: +-3
    for k in range(n - 1):  # regime of k + 1 ones, or k + 1 zeros: 2^(+-(k) * 2^es)
        up = ((1 << (k + 1)) - 1) << (n - 2 - k) if k < n - 2 else f.max_code
        down = 1 << (n - 3 - k) if k < n - 2 else 1
        for m in (up, down):
            mags |= {m + d for d in span}
    mags = {m for m in mags if 0 < m <= f.max_code}
    codes = {0, f.nar_code} | mags | {(-m) & ((1 << n) - 1) for m in mags}
    return np.array(sorted(codes), dtype=np.int64)


def _edge(f, level: int = 1) -> np.ndarray:
    return posit_edge_codes(f, level) if isinstance(f, Posit) else edge_codes(f, level)


def _random_codes(f, raw: np.ndarray) -> np.ndarray:
    return with_edges(raw, f.bits, _edge(f))


def _convert_sources(f: Posit, g, level: int) -> np.ndarray:
    """Edge codes of the posit source, plus the posits nearest each rounding boundary of the
    destination (its values and tie points) and their neighbours."""
    bounds = edge_f64(g, level) if isinstance(g, Minifloat) else _posit_edge_f64(g)
    near = posits.from_f64(f, bounds).astype(np.int64)
    near = np.concatenate([near - 1, near, near + 1]) & ((1 << f.n) - 1)
    return np.unique(np.concatenate([posit_edge_codes(f, level), near]))


def _operand_codes(f, req, purpose: int, n_ops: int):
    """The operand columns for an n_ops-operand operation on codes of f."""
    if req.mode == "exhaustive":
        check_exhaustive(req, n_ops * f.bits)
        grids = np.meshgrid(*[np.arange(1 << f.bits, dtype=np.int64)] * n_ops, indexing="ij")
        return [g.ravel() for g in grids]
    if req.mode == "edge" and req.op == "convert" and isinstance(f, Posit):
        return [_convert_sources(f, req.result_fmt, req.level)]
    if req.mode == "edge":  # every pair of edge codes; a third operand cycles through them
        edge = _edge(f, req.level)
        grids = [g.ravel() for g in np.meshgrid(*[edge] * min(n_ops, 2), indexing="ij")]
        if n_ops == 3:
            grids.append(edge[(np.arange(grids[0].size) * 7 + 3) % edge.size])
        return grids
    return [_random_codes(f, stream(req.seed, purpose + i, req.count)) for i in range(n_ops)]


def _dot_operands(req) -> tuple[np.ndarray, np.ndarray]:
    """rows x length codes: random codes; in one row of four the second half of b repeats the
    first half's products negated (a[j + L/2] = -a[j], b[j + L/2] = b[j]), so the sum cancels
    massively and its rounding rests on the few terms left; edge mode salts rows with NaR."""
    f, length = req.fmt, req.length
    rows = req.count
    a = _random_codes(f, stream(req.seed, 1, rows * length)).reshape(rows, length)
    b = _random_codes(f, stream(req.seed, 2, rows * length)).reshape(rows, length)
    pick = stream(req.seed, 4, rows)
    half = length // 2
    cancel = (pick & np.uint64(3)) == 0
    if half:
        a[cancel, half:2 * half] = (-a[cancel, :half]) & ((1 << f.bits) - 1)
        b[cancel, half:2 * half] = b[cancel, :half]
    if req.mode == "edge":
        edge = posit_edge_codes(f, req.level)
        a = edge[a % edge.size]
        nar_rows = (pick >> np.uint64(8)) % np.uint64(16) == 0
        a[nar_rows, 0] = f.nar_code
    return a, b


def generate_posit(req) -> VectorSet:
    """The vectors of a request on a posit format (or a conversion into one)."""
    f, g = req.fmt, req.result_fmt
    if req.op not in POSIT_OPS:
        raise ValueError(f"{req.op} is not a posit operation: expected one of {', '.join(POSIT_OPS)}")
    if req.overflow != "ieee" and not (req.op == "convert" and isinstance(g, Minifloat)):
        raise ValueError("posits saturate by definition: --overflow does not apply")
    if req.rounding not in posits.ROUNDINGS:
        raise ValueError(f"posits round with {', '.join(posits.ROUNDINGS)}, not {req.rounding!r}")
    compare = req.op.startswith("compare_")
    if compare and req.rounding != "rne":
        raise ValueError(f"{req.op} does not round: it takes no --rounding")
    cols: dict[str, np.ndarray] = {}
    fields: list[tuple[str, int]] = []
    if req.op == "dot":
        if req.mode == "exhaustive":
            raise ValueError("dot has no exhaustive mode: use --mode edge or random")
        a, b = _dot_operands(req)
        for name, m in (("a", a), ("b", b)):
            for j in range(req.length):
                cols[f"{name}{j}"] = m[:, j]
                fields.append((f"{name}{j}", f.bits))
    elif req.op == "quire_mac":
        if req.mode == "exhaustive":
            raise ValueError("quire_mac traces have no exhaustive mode: use --mode edge or random")
        cols.update(_quire_mac_operands(req))
        fields += [("clear", 1), ("sub", 1), ("a", f.bits), ("b", f.bits)]
    elif req.op == "from_f64":
        if req.mode == "exhaustive":
            raise ValueError("from_f64 has 2^64 inputs: use --mode edge or random")
        cols["a"] = _posit_f64(f, req) if req.mode == "random" else _posit_edge_f64(f, req.level)
        fields.append(("a", 64))
    else:
        n_ops = {"sqrt": 1, "convert": 1, "fma": 3}.get(req.op, 2)
        for name, col in zip("abc", _operand_codes(f, req, 1, n_ops)):
            cols[name] = col
            fields.append((name, f.bits))
    n = len(next(iter(cols.values())))
    kw = {"rounding": req.rounding}
    if req.stochastic:
        cols["r"] = (stream(req.seed, 3, n) & np.uint64((1 << req.sr_bits) - 1)).astype(np.int64)
        fields.append(("r", req.sr_bits))
        kw.update(r=cols["r"], sr_bits=req.sr_bits)
    flags, flag_field = None, ("flags", FLAG_BITS)
    if req.op == "dot":
        z = posits.dot(f, a, b, carry_bits=req.carry_bits, **kw)
    elif req.op == "quire_mac":
        unit = QuireMAC(f, req.carry_bits, req.rounding, req.sr_bits if req.stochastic else 0)
        z, nar = unit.run(cols["clear"], cols["a"], cols["b"], cols["sub"], kw.get("r"))
        flags, flag_field = nar, ("nar", 1)
    elif req.op == "from_f64":
        z = posits.from_f64(f, cols["a"], **kw)
    elif req.op == "convert" and isinstance(g, Minifloat):
        z, flags = ops.convert(f, cols["a"], g, overflow=req.overflow, **kw)
    elif req.op == "convert":
        z = posits.convert(f, cols["a"], g, **kw)
    elif req.op == "sqrt":
        z = posits.sqrt(f, cols["a"], **kw)
    elif req.op == "fma":
        z = posits.fma(f, cols["a"], cols["b"], cols["c"], **kw)
    elif compare:
        z = posits.compare(f, cols["a"], cols["b"], req.op.removeprefix("compare_"))
    else:
        z = getattr(posits, req.op)(f, cols["a"], cols["b"], **kw)
    cols["z"] = z
    fields.append(("z", 1 if compare else g.bits))
    if flags is not None:
        cols[flag_field[0]] = flags
        fields.append(flag_field)
    columns = {name: np.asarray(cols[name]).astype(np.uint64) for name, _ in fields}
    return VectorSet(req.meta(n), fields, columns)


def _quire_mac_operands(req) -> dict[str, np.ndarray]:
    """count cycles: a clear at cycle 0 and then one cycle in 64; one in eight subtracts; operands
    random codes (edge codes in edge mode, with a NaR now and then to show it sticks until clear)."""
    f, n = req.fmt, req.count
    pick = stream(req.seed, 4, n)
    clear = (pick & np.uint64(63)) == 0
    clear[0] = True
    sub = ((pick >> np.uint64(6)) & np.uint64(7)) == 0
    a = _random_codes(f, stream(req.seed, 1, n))
    b = _random_codes(f, stream(req.seed, 2, n))
    if req.mode == "edge":
        edge = posit_edge_codes(f, req.level)
        a, b = edge[a % edge.size], edge[b % edge.size]
    else:
        a[a == f.nar_code] = 0
        b[b == f.nar_code] = 0
    return {"clear": clear, "sub": sub, "a": a, "b": b}


def _posit_edge_f64(f: Posit, level: int = 1) -> np.ndarray:
    """binary64 patterns at every posit of the edge set, the bit-string tie points between it and
    its neighbours (the (n+1)-bit posit between them), their binary64 neighbours, and specials."""
    mags = posit_edge_codes(f, level)
    mags = mags[(mags > 0) & (mags <= f.max_code)]
    x = np.concatenate([posits.decode(f, mags), _tie_points(f, mags),
                        np.array([f.max_value * 4, f.min_value / 4, 1e300, 5e-324])])
    x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])
    bits = np.unique(x[np.isfinite(x) & (x > 0)].view(np.uint64))
    specials = np.array([0, 1 << 63, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000], np.uint64)
    return np.unique(np.concatenate([bits, bits | np.uint64(1 << 63), specials]))


def _tie_points(f: Posit, mags: np.ndarray) -> np.ndarray:
    """The bit-string tie point above each positive code U: the value of the (n+1)-bit code U1
    (exact in binary64; the descriptor is only read, so n + 1 may be 33)."""
    wide = Posit(f"posit{f.n + 1}es{f.es}", f.n + 1, f.es)
    N, E = posit_mag_ne(wide, np.minimum((mags << 1) | 1, wide.max_code))
    return np.ldexp(N.astype(np.float64), E)


def _posit_f64(f: Posit, req) -> np.ndarray:
    """Random binary64 values over the posit's range (random sign, exponent two binades beyond
    minpos..maxpos, 52-bit significand); one in eight is a bit-string tie point."""
    raw, pick = stream(req.seed, 1, req.count), stream(req.seed, 4, req.count)
    span = 2 * f.max_scale + 5
    e = (pick % np.uint64(span)).astype(np.int64) - f.max_scale - 2
    x = np.ldexp((raw & np.uint64((1 << 52) - 1)).astype(np.float64) / 2.0**52 + 1.0, e)
    ties = _tie_points(f, (raw >> np.uint64(12)).astype(np.int64) % f.max_code)
    x = np.where(((pick >> np.uint64(32)) & np.uint64(7)) == 0, ties, x)
    x = np.where((raw >> np.uint64(63)) == 1, -x, x)
    edge = _posit_edge_f64(f)
    return np.where(((pick >> np.uint64(35)) & np.uint64(7)) == 0, edge[pick % np.uint64(edge.size)], x.view(np.uint64))
