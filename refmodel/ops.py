"""The vectorized numpy API: codes in, codes and flags out.

Every function takes a format (name or descriptor), numpy arrays (or scalars) of codes, and the
rounding parameters; inputs broadcast against each other and results have the broadcast shape.
Codes come back in the smallest unsigned dtype that holds the format, flags as uint8.

    z, flags = mul("e4m3fn", a, b, rounding="rne")
    z, flags = mul("e5m2", a, b, rounding="sr", r=r, sr_bits=8)
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .encodings import MAX_SR_BITS, STOCHASTIC, overflow_code, rounding_code
from .formats import Flex, Format, Minifloat, Posit, parse_format
from .kernels import arrays
from .kernels.compare import MAXIMUM, MAXIMUM_NUMBER, MINIMUM, MINIMUM_NUMBER, PREDICATES
from .kernels.posit_arrays import posit_to_minifloat_array

__all__ = ["decode", "from_f64", "mul", "add", "sub", "fma", "convert", "mul_exact", "minimum", "maximum",
           "minimum_number", "maximum_number", "compare", "round_exact", "code_dtype", "as_format", "PREDICATES"]


def any_format(fmt) -> Format:
    """A descriptor of any family, from a name or a descriptor."""
    return fmt if isinstance(fmt, (Minifloat, Posit, Flex)) else parse_format(fmt)


def as_format(fmt) -> Minifloat:
    """A minifloat descriptor; posits have their own API (refmodel.posits), Flexpoint refmodel.flex."""
    f = any_format(fmt)
    if not isinstance(f, Minifloat):
        where = "refmodel.posits" if isinstance(f, Posit) else "refmodel.flex"
        raise ValueError(f"{f.name} is not a minifloat format: its operations are in {where}")
    return f


def code_dtype(fmt) -> np.dtype:
    bits = as_format(fmt).bits
    return np.dtype(np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32)


def _codes(f: Minifloat, codes, what: str, dtype=np.int64) -> np.ndarray:
    """Codes checked to fit f, as dtype (int64 for the kernels)."""
    arr = np.asarray(codes)
    if arr.dtype.kind not in "ui":
        raise TypeError(f"{what}: codes of {f.name} must be integers, not {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype.itemsize * 8 <= f.bits:
        return arr.astype(dtype, copy=False)  # every value fits: no scan needed
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= (1 << f.bits)):
        bad = arr[(arr < 0) | (arr >= (1 << f.bits))].flat[0]
        raise ValueError(f"{what}: code {bad:#x} does not fit the {f.bits}-bit format {f.name}")
    return arr


def rounding_args(rounding: str, overflow: str, r, sr_bits: int, shape) -> tuple[int, np.ndarray, int, int]:
    mode = rounding_code(rounding)
    ovf = overflow_code(overflow)
    if rounding in STOCHASTIC:
        if not 1 <= sr_bits <= MAX_SR_BITS:
            raise ValueError(f"sr_bits must be in 1..{MAX_SR_BITS} for rounding {rounding!r}, not {sr_bits}")
        if r is None:
            raise ValueError(f"rounding {rounding!r} needs the random integers r (0 <= r < 2^sr_bits)")
        r = np.asarray(r)
        if r.dtype.kind not in "ui":
            raise TypeError(f"r must be integers, not {r.dtype}")
        r = r.astype(np.int64)
        if r.size and (r.min() < 0 or r.max() >= (1 << sr_bits)):
            raise ValueError(f"r must lie in 0..2^{sr_bits}-1 for sr_bits={sr_bits}")
        r = np.broadcast_to(r, shape)
    else:
        r = np.zeros(shape, np.int64)
        sr_bits = 0
    return mode, _flat(r), sr_bits, ovf


def _broadcast(*arrays: np.ndarray) -> list[np.ndarray]:
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return [np.broadcast_to(a, shape) for a in arrays]


def _flat(v: np.ndarray) -> np.ndarray:
    """A writeable C-contiguous 1-d array (broadcast views are neither: those are copied)."""
    if v.flags.c_contiguous and v.flags.writeable:
        return v.reshape(-1)
    return np.require(v, requirements=("C", "W")).reshape(-1)


def _result(f: Minifloat, z: np.ndarray, flags: np.ndarray, shape):
    return z.astype(code_dtype(f)).reshape(shape), flags.reshape(shape)


def decode(fmt, codes) -> np.ndarray:
    """Values of codes as binary64 (NaN for every NaN code); exact for every minifloat format."""
    f = as_format(fmt)
    c = _codes(f, codes, "decode")
    return arrays.decode_array(f.params, _flat(c)).reshape(c.shape)


def _operands(f: Minifloat, op: str, *codes, shape=None, c_fmt: Minifloat | None = None) -> list[np.ndarray]:
    """Codes checked (the third, c, against c_fmt if given), broadcast to shape and flattened."""
    shape = np.broadcast_shapes(*(np.shape(c) for c in codes)) if shape is None else shape
    fmts = [f, f, c_fmt or f]
    return [_flat(np.broadcast_to(_codes(g, c, f"{op} {name}"), shape)) for g, name, c in zip(fmts, "abc", codes)]


# Binary operations on formats of up to 8 bits in a deterministic mode go through a 65,536-entry
# table of (code | flags << 8), filled once per (op, format, mode, policy) by the same kernel: an
# exact table, several times faster than evaluating the kernel for every element of a large array.
TABLE_MAX_BITS = 8
TABLE_MIN_SIZE = 1 << 15  # below this, filling a table costs more than it saves


@cache
def _binary_table(op: str, f: Minifloat, mode: int, ovf: int) -> np.ndarray:
    codes = np.arange(1 << f.bits, dtype=np.int64)
    a, b = np.repeat(codes, codes.size), np.tile(codes, codes.size)
    z, flags = _binary_kernel(op, f, a, b, mode, np.zeros(a.size, np.int64), 0, ovf)
    return (z | (flags.astype(np.int64) << 8)).astype(np.uint16)


def _binary_kernel(op, f, a, b, mode, r, sr_bits, ovf):
    if op == "mul":
        return arrays.mul_array(f.params, a, b, mode, r, sr_bits, ovf)
    return arrays.add_array(f.params, a, b, op == "sub", mode, r, sr_bits, ovf)


def _binary(op, fmt, a, b, rounding, overflow, r, sr_bits):
    f = as_format(fmt)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    size = int(np.prod(shape))
    if f.bits <= TABLE_MAX_BITS and rounding not in STOCHASTIC and size >= TABLE_MIN_SIZE:
        mode, ovf = rounding_code(rounding), overflow_code(overflow)
        a, b = (np.broadcast_to(_codes(f, x, f"{op} {n}", np.uint16), shape) for x, n in ((a, "a"), (b, "b")))
        t = _binary_table(op, f, mode, ovf)[(a << np.uint16(f.bits)) | b]
        return (t & np.uint16(0xFF)).astype(np.uint8), (t >> np.uint16(8)).astype(np.uint8)
    a, b = _operands(f, op, a, b)
    mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, shape)
    return _result(f, *_binary_kernel(op, f, a, b, mode, r, sr_bits, ovf), shape)


def mul(fmt, a, b, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """a * b, the exact product rounded once; returns (codes, flags)."""
    return _binary("mul", fmt, a, b, rounding, overflow, r, sr_bits)


def add(fmt, a, b, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """a + b, the exact sum rounded once; returns (codes, flags)."""
    return _binary("add", fmt, a, b, rounding, overflow, r, sr_bits)


def sub(fmt, a, b, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """a - b, the exact difference rounded once; returns (codes, flags)."""
    return _binary("sub", fmt, a, b, rounding, overflow, r, sr_bits)


def fma(fmt, a, b, c, acc_fmt=None, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """a * b + c rounded once: a, b in fmt; c and the result in acc_fmt (default fmt)."""
    f = as_format(fmt)
    g = f if acc_fmt is None else as_format(acc_fmt)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    a, b, c = _operands(f, "fma", a, b, c, shape=shape, c_fmt=g)
    mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, shape)
    return _result(g, *arrays.fma_array(f.params, g.params, a, b, c, mode, r, sr_bits, ovf), shape)


@cache
def _convert_table(f: Minifloat, g: Minifloat, mode: int, ovf: int) -> tuple[np.ndarray, np.ndarray]:
    """Every code of f converted into g (the same exact-table idea as _binary_table)."""
    codes = np.arange(1 << f.bits, dtype=np.int64)
    z, flags = arrays.convert_array(f.params, g.params, codes, mode, np.zeros(codes.size, np.int64), 0, ovf)
    return z.astype(code_dtype(g)), flags


def convert(fmt, a, to, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """Codes of fmt (a minifloat or a posit) rounded once into the minifloat format `to`; returns
    (codes of `to`, flags). A posit's NaR becomes the canonical NaN (no flag)."""
    f, g = any_format(fmt), as_format(to)
    shape = np.shape(a)
    if isinstance(f, Posit):
        (a,) = _operands(f, "convert", a)
        mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, shape)
        return _result(g, *posit_to_minifloat_array(f.params, g.params, a, mode, r, sr_bits, ovf), shape)
    f = as_format(f)
    if f.bits <= 16 and rounding not in STOCHASTIC and np.size(a) >= TABLE_MIN_SIZE:
        z, flags = _convert_table(f, g, rounding_code(rounding), overflow_code(overflow))
        idx = _codes(f, a, "convert a", np.intp)
        return z[idx], flags[idx]
    (a,) = _operands(f, "convert", a)
    mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, shape)
    return _result(g, *arrays.convert_array(f.params, g.params, a, mode, r, sr_bits, ovf), shape)


def mul_exact(fmt, a, b):
    """The exact product a * b as integers, what a MAC's adder receives:
    (cls, negative, exp, sig, flags) with value (-1)^negative * sig * 2^exp when cls == 1 (finite);
    cls 0 zero, 2 infinity, 3 NaN. Flags: NV for 0 x Inf and signalling NaNs."""
    f = as_format(fmt)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    a, b = _operands(f, "mul_exact", a, b)
    return tuple(x.reshape(shape) for x in arrays.mul_exact_array(f.params, a, b))


def _minmax(fmt, a, b, op, name):
    f = as_format(fmt)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    a, b = _operands(f, name, a, b)
    return _result(f, *arrays.minmax_array(f.params, a, b, op), shape)


def minimum(fmt, a, b):
    """IEEE 754-2019 minimum: NaN if either is NaN; -0 < +0. Returns (codes, flags)."""
    return _minmax(fmt, a, b, MINIMUM, "minimum")


def maximum(fmt, a, b):
    """IEEE 754-2019 maximum: NaN if either is NaN; -0 < +0. Returns (codes, flags)."""
    return _minmax(fmt, a, b, MAXIMUM, "maximum")


def minimum_number(fmt, a, b):
    """IEEE 754-2019 minimumNumber: a NaN operand is ignored unless both are NaN."""
    return _minmax(fmt, a, b, MINIMUM_NUMBER, "minimum_number")


def maximum_number(fmt, a, b):
    """IEEE 754-2019 maximumNumber: a NaN operand is ignored unless both are NaN."""
    return _minmax(fmt, a, b, MAXIMUM_NUMBER, "maximum_number")


def compare(fmt, a, b, pred: str):
    """IEEE 754 comparison a <pred> b, pred in eq ne lt le gt ge unordered: (bool array, flags)."""
    f = as_format(fmt)
    if pred not in PREDICATES:
        raise ValueError(f"unknown predicate {pred!r}: expected one of {', '.join(PREDICATES)}")
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    a, b = _operands(f, "compare", a, b)
    res, flags = arrays.compare_array(f.params, a, b, PREDICATES[pred])
    return res.reshape(shape), flags.reshape(shape)


# from_f64 into a narrow format in a deterministic mode first looks up a table indexed by the top
# 12 + t + F64_TABLE_EXTRA bits of the binary64 (sign, exponent, leading mantissa bits). An entry
# holds the result of the whole bucket of inputs sharing those bits when the kernel gives the same
# code and flags at both ends of the bucket (rounding is monotone, and exact values and ties sit at
# bucket starts, so equal ends mean a uniform bucket); otherwise it says AMBIGUOUS and that element
# goes through the kernel. Exact by construction, filled by the kernel.
F64_TABLE_EXTRA = 5
F64_TABLE_MAX_MAN_BITS = 4  # 2^(12 + 4 + 5) = 2M entries of 2 bytes at most
F64_AMBIGUOUS = 1 << 15
F64_TABLE_MIN_SIZE = 1 << 20  # filling the table costs about as much as 2^21 kernel calls


@cache
def _f64_table(f: Minifloat, mode: int, ovf: int) -> tuple[np.ndarray, int]:
    index_bits = 12 + f.man_bits + F64_TABLE_EXTRA
    shift = 64 - index_bits
    lo = np.arange(1 << index_bits, dtype=np.int64) << shift
    hi = lo | ((1 << shift) - 1)
    zero = np.zeros(lo.size, np.int64)
    z_lo, f_lo = arrays.from_f64_array(f.params, lo, mode, zero, 0, ovf)
    z_hi, f_hi = arrays.from_f64_array(f.params, hi, mode, zero, 0, ovf)
    entry = z_lo | (f_lo.astype(np.int64) << 8)
    uniform = (z_lo == z_hi) & (f_lo == f_hi)
    return np.where(uniform, entry, F64_AMBIGUOUS).astype(np.uint16), shift


def from_f64(fmt, x, rounding: str = "rne", overflow: str = "ieee", r=None, sr_bits: int = 0):
    """binary64 values rounded once into fmt; returns (codes, flags).

    x is a float64 array, or a uint64 array of binary64 bit patterns (to keep signalling NaNs intact).
    """
    f = as_format(fmt)
    x = np.asarray(x)
    if x.dtype == np.uint64:
        bits = x.view(np.int64)
    elif x.dtype.kind in "fiu":
        bits = x.astype(np.float64).view(np.int64)
    else:
        raise TypeError(f"from_f64 takes float64 values or uint64 bit patterns, not {x.dtype}")
    mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, bits.shape)
    if (f.bits <= TABLE_MAX_BITS and f.man_bits <= F64_TABLE_MAX_MAN_BITS and rounding not in STOCHASTIC
            and bits.size >= F64_TABLE_MIN_SIZE):
        table, shift = _f64_table(f, mode, ovf)
        z, flags = arrays.from_f64_table_array(f.params, table, shift, _flat(bits), mode, ovf)
        return z.reshape(bits.shape), flags.reshape(bits.shape)
    z, flags = arrays.from_f64_array(f.params, _flat(bits), mode, r, sr_bits, ovf)
    return _result(f, z, flags, bits.shape)


def round_exact(fmt, negative, exp, sig, sticky=False, rounding: str = "rne", overflow: str = "ieee",
                r=None, sr_bits: int = 0):
    """The rounding engine itself: (-1)^negative * (sig + sticky) * 2^exp rounded once into fmt.

    sig: non-negative integers below 2^63 (with sticky set, the leading one must be at bit 62).
    """
    f = as_format(fmt)
    negative, exp, sig, sticky = _broadcast(np.asarray(negative, bool), np.asarray(exp, np.int64),
                                                     np.asarray(sig), np.asarray(sticky, bool))
    if sig.dtype.kind not in "ui" or (sig.size and (sig.min() < 0 or sig.max() >= (1 << 63))):
        raise ValueError("round_exact: sig must be integers in 0..2^63-1")
    shape = sig.shape
    mode, r, sr_bits, ovf = rounding_args(rounding, overflow, r, sr_bits, shape)
    flat = [_flat(v) for v in (negative, exp, sig.astype(np.int64), sticky)]
    z, flags = arrays.round_array(f.params, *flat, mode, r, sr_bits, ovf)
    return _result(f, z, flags, shape)
