"""The vectorized numpy API for posits and quires: codes in, codes out (posits raise no flags).

    z = posits.add("posit16", a, b)                      # 2022 posit<16,2>, round to nearest even
    z = posits.mul("posit8es0", a, b, rounding="sr", r=r, sr_bits=8)
    q = posits.Quire("posit16", size=len(a)); q.fdp_add(a, b); z = q.to_posit()
    z = posits.dot("posit16", A, B)                     # rows of A and B: exact dot, one rounding

Rounding (docs/posits.md): `rne` is the 2022 standard's round to nearest even on the bit string,
never to 0 or NaR; `sr`, `sr_b`, `sr_c` are P3109's stochastic roundings of the magnitude, with v
the fraction of the way in value from the lower to the upper neighbouring posit. Converting a
posit to a minifloat is `refmodel.ops.convert` (it raises the minifloat's flags).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .formats import Minifloat, Posit, parse_format
from .kernels import posit_arrays as pa
from .kernels import posit_fast as pf
from .kernels.quire import LIMB, storage_limbs
from .ops import TABLE_MAX_BITS, TABLE_MIN_SIZE, _codes, _flat, rounding_args

__all__ = ["ROUNDINGS", "max_sr_bits", "decode", "from_f64", "add", "sub", "mul", "div", "sqrt", "fma", "convert",
           "compare", "Quire", "dot"]

ROUNDINGS = ("rne", "sr", "sr_b", "sr_c")
PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge")


def as_posit(fmt) -> Posit:
    f = fmt if isinstance(fmt, (Posit, Minifloat)) else parse_format(fmt)
    if not isinstance(f, Posit):
        raise ValueError(f"{f.name} is not a posit format (expected posit<N> or posit<N>es<ES>)")
    return f


def max_sr_bits(fmt) -> int:
    """Random bits a stochastic rounding into fmt may use: the exact intermediate results carry
    61 significant bits, enough for the posit's precision plus the random bits plus one."""
    f = as_posit(fmt)
    return min(32, 60 - (1 + f.max_frac_bits))


def _mode(f: Posit, rounding: str, r, sr_bits: int, shape):
    if rounding not in ROUNDINGS:
        raise ValueError(f"posits round with {', '.join(ROUNDINGS)}, not {rounding!r}")
    if rounding != "rne" and sr_bits > max_sr_bits(f):
        raise ValueError(f"{f.name} takes at most {max_sr_bits(f)} random bits, not {sr_bits}")
    mode, r, sr_bits, _ = rounding_args(rounding, "ieee", r, sr_bits, shape)
    return mode, r, sr_bits


def code_dtype(f: Posit) -> np.dtype:
    return np.dtype(np.uint8 if f.n <= 8 else np.uint16 if f.n <= 16 else np.uint32)


def _out(f: Posit, z: np.ndarray, shape) -> np.ndarray:
    return z.astype(code_dtype(f), copy=False).reshape(shape)


def _args(f: Posit, op: str, *codes, dtype=np.int64):
    shape = np.broadcast_shapes(*(np.shape(c) for c in codes))
    flat = []
    for name, c in zip("abc", codes):
        c = _codes(f, c, f"{op} {name}", dtype)
        flat.append(_flat(c if c.shape == shape else np.broadcast_to(c, shape)))
    return shape, flat


def decode(fmt, codes) -> np.ndarray:
    """Values as binary64 (exact: every posit of up to 32 bits fits); NaR -> NaN."""
    f = as_posit(fmt)
    shape, (a,) = _args(f, "decode", codes)
    return pa.posit_decode_array(f.params, a).reshape(shape)


def from_f64(fmt, x, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """binary64 values (float64, or uint64 bit patterns) rounded once: NaN and +-Inf give NaR."""
    f = as_posit(fmt)
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"from_f64 takes float64 values or uint64 bit patterns, not {x.dtype}")
    bits = x.view(np.int64) if x.dtype == np.uint64 else x.astype(np.float64).view(np.int64)
    mode, r, sr_bits = _mode(f, rounding, r, sr_bits, bits.shape)
    return _out(f, pa.posit_from_f64_array(f.params, _flat(bits), mode, r, sr_bits), bits.shape)


def _binary_kernel(op: int, f: Posit, a, b, z, rounding: str, mode: int, r, sr_bits: int) -> None:
    """z = a op b: add, sub and mul of posits up to 16 bits in rne take the fast path
    (kernels/posit_fast.py), everything else the general kernels."""
    if f.n <= pf.MAX_BITS and rounding == "rne" and op != pa.DIV:
        pf.posit_binary_rne_small(f.params, op == pa.MUL, op == pa.SUB, a, b, z)
    else:
        pa.posit_binary_array(f.params, op, a, b, z, mode, r, sr_bits)


@cache
def _div_table(f: Posit) -> np.ndarray:
    """Every pair of codes of a posit of up to 8 bits through the div kernel (rne): an exact table.
    add, sub and mul need none: the fast path is quicker than a lookup."""
    codes = np.arange(1 << f.n, dtype=np.uint8)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    z = np.empty(a.size, np.uint8)
    pa.posit_binary_array(f.params, pa.DIV, a, b, z, 0, np.zeros(1, np.int64), 0)
    return z


def _binary(op: int, name: str, fmt, a, b, rounding, r, sr_bits):
    f = as_posit(fmt)
    if op == pa.DIV and f.n <= TABLE_MAX_BITS and rounding == "rne" and np.size(a) * np.size(b) >= 1 and \
            max(np.size(a), np.size(b)) >= TABLE_MIN_SIZE:
        shape = np.broadcast_shapes(np.shape(a), np.shape(b))
        a, b = (np.broadcast_to(_codes(f, x, f"{name} {n}", np.uint16), shape) for x, n in ((a, "a"), (b, "b")))
        return _div_table(f)[(a << np.uint16(f.n)) | b]
    shape, (a, b) = _args(f, name, a, b, dtype=code_dtype(f))
    mode, r, sr_bits = _mode(f, rounding, r, sr_bits, shape if rounding != "rne" else (1,))
    z = np.empty(a.size, code_dtype(f))
    _binary_kernel(op, f, a, b, z, rounding, mode, r, sr_bits)
    return z.reshape(shape)


def add(fmt, a, b, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """a + b rounded once."""
    return _binary(pa.ADD, "add", fmt, a, b, rounding, r, sr_bits)


def sub(fmt, a, b, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """a - b rounded once."""
    return _binary(pa.SUB, "sub", fmt, a, b, rounding, r, sr_bits)


def mul(fmt, a, b, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """a * b rounded once."""
    return _binary(pa.MUL, "mul", fmt, a, b, rounding, r, sr_bits)


def div(fmt, a, b, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """a / b rounded once; x / 0 is NaR."""
    return _binary(pa.DIV, "div", fmt, a, b, rounding, r, sr_bits)


def sqrt(fmt, a, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """The square root rounded once; negative operands give NaR."""
    f = as_posit(fmt)
    shape, (a,) = _args(f, "sqrt", a)
    mode, r, sr_bits = _mode(f, rounding, r, sr_bits, shape)
    return _out(f, pa.posit_sqrt_array(f.params, a, mode, r, sr_bits), shape)


def fma(fmt, a, b, c, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """a * b + c rounded once."""
    f = as_posit(fmt)
    shape, (a, b, c) = _args(f, "fma", a, b, c)
    mode, r, sr_bits = _mode(f, rounding, r, sr_bits, shape)
    return _out(f, pa.posit_fma_array(f.params, a, b, c, mode, r, sr_bits), shape)


def convert(fmt, a, to, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """Codes of a posit or minifloat format rounded once into the posit format `to` (exact when
    widening a posit). Minifloat NaN and Inf give NaR. For a minifloat destination use ops.convert."""
    g = as_posit(to)
    f = fmt if isinstance(fmt, (Posit, Minifloat)) else parse_format(fmt)
    shape, (a,) = _args(f, "convert", a)
    mode, r, sr_bits = _mode(g, rounding, r, sr_bits, shape)
    if isinstance(f, Posit):
        return _out(g, pa.posit_to_posit_array(f.params, g.params, a, mode, r, sr_bits), shape)
    if not isinstance(f, Minifloat):
        raise ValueError(f"cannot convert {f.name} codes to a posit")
    return _out(g, pa.minifloat_to_posit_array(f.params, g.params, a, mode, r, sr_bits), shape)


def _signed(f: Posit, codes: np.ndarray) -> np.ndarray:
    """Codes as n-bit two's-complement integers: posits order as their codes do (NaR lowest)."""
    c = codes.astype(np.int64)
    return np.where(c >= f.sign_mask, c - (1 << f.n), c)


def compare(fmt, a, b, pred: str) -> np.ndarray:
    """a <pred> b (eq ne lt le gt ge), 2022 section 5: two's-complement order of the codes, so
    NaR == NaR and NaR is below every real."""
    f = as_posit(fmt)
    if pred not in PREDICATES:
        raise ValueError(f"unknown predicate {pred!r}: expected one of {', '.join(PREDICATES)}")
    shape, (a, b) = _args(f, "compare", a, b)
    x, y = _signed(f, a), _signed(f, b)
    res = {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}[pred]
    return res.reshape(shape)


class Quire:
    """A batch of `size` independent quires for posit format fmt (2022 layout for es = 2,
    SoftPosit's otherwise; carry_bits overrides the carry-guard width). Each starts at 0.

    Operations take arrays of `size` codes (or scalars, broadcast) and act element by element:
    fdp_add / fdp_sub (q +- a*b exactly: qMulAdd, qMulSub), add_posit / sub_posit (qAddP,
    qSubP), negate, clear, to_posit (qToP, one rounding). NaR in, or carry overflow, makes a quire NaR.
    """

    def __init__(self, fmt, size: int = 1, carry_bits: int | None = None):
        self.fmt = as_posit(fmt)
        if size < 1:
            raise ValueError(f"a quire batch needs size >= 1, not {size}")
        self.layout = self.fmt.quire(carry_bits)
        self.size = size
        self.limbs = np.zeros((size, storage_limbs(self.layout)), np.int64)
        self.nar = np.zeros(size, bool)

    def _codes(self, codes, what: str) -> np.ndarray:
        return _flat(np.broadcast_to(_codes(self.fmt, codes, f"quire {what}"), (self.size,)))

    def clear(self) -> None:
        self.limbs[:] = 0
        self.nar[:] = False

    def fdp_add(self, a, b) -> None:
        pa.quire_fdp_array(self.layout, self.fmt.params, self.limbs, self.nar, self._codes(a, "a"),
                           self._codes(b, "b"), False)

    def fdp_sub(self, a, b) -> None:
        pa.quire_fdp_array(self.layout, self.fmt.params, self.limbs, self.nar, self._codes(a, "a"),
                           self._codes(b, "b"), True)

    def add_posit(self, a) -> None:
        pa.quire_add_posit_array(self.layout, self.fmt.params, self.limbs, self.nar, self._codes(a, "a"), False)

    def sub_posit(self, a) -> None:
        pa.quire_add_posit_array(self.layout, self.fmt.params, self.limbs, self.nar, self._codes(a, "a"), True)

    def negate(self) -> None:
        pa.quire_negate_array(self.limbs, self.nar)

    def to_posit(self, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
        mode, r, sr_bits = _mode(self.fmt, rounding, r, sr_bits, (self.size,))
        z = pa.quire_to_posit_array(self.layout, self.fmt.params, self.limbs, self.nar, mode, r, sr_bits)
        return _out(self.fmt, z, (self.size,))

    def bits(self) -> list[int | None]:
        """Each quire's layout bits as an unsigned integer (the register's content), None for NaR
        (whose register is 1 followed by zeros)."""
        out = []
        for row, nar in zip(self.limbs, self.nar):
            if nar:
                out.append(None)
                continue
            v = sum(int(x) << (LIMB * j) for j, x in enumerate(row))
            out.append(v & ((1 << self.layout.bits) - 1))
        return out


def dot(fmt, a, b, carry_bits: int | None = None, rounding: str = "rne", r=None, sr_bits: int = 0) -> np.ndarray:
    """Exact dot products along the last axis, in a quire, rounded once: shape a.shape[:-1]."""
    f = as_posit(fmt)
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    if a.ndim < 1:
        raise ValueError("dot takes arrays with the vectors along the last axis")
    shape = a.shape[:-1]
    length = a.shape[-1]
    a2 = _codes(f, a, "dot a").astype(np.int64).reshape(-1, length)
    b2 = _codes(f, b, "dot b").astype(np.int64).reshape(-1, length)
    mode, r, sr_bits = _mode(f, rounding, r, sr_bits, (a2.shape[0],))
    layout = f.quire(carry_bits)
    z = pa.quire_dot_array(layout, f.params, storage_limbs(layout), np.ascontiguousarray(a2),
                           np.ascontiguousarray(b2), mode, r, sr_bits)
    return _out(f, z, shape)
