"""Element-wise loops over numpy arrays: the only place the scalar kernels meet arrays.

Codes travel as int64 inside; the numpy API (refmodel.ops) converts at the edge. Loops are serial:
Numba's threading layers cost milliseconds per call on small arrays, and generation parallelizes
across processes instead.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .add import add
from .compare import compare, minmax
from .convert import convert
from .fma import fma
from .from_f64 import from_f64
from .mul import mul, mul_exact
from .rounding import round_pack
from .unpack import decode_value


@njit(cache=True)
def mul_array(p, a, b, mode, r, sr_bits, overflow):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = mul(p, a[i], b[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def add_array(p, a, b, negate_b, mode, r, sr_bits, overflow):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = add(p, a[i], b[i], negate_b, mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def fma_array(pab, pc, a, b, c, mode, r, sr_bits, overflow):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = fma(pab, pc, a[i], b[i], c[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def convert_array(pa, pz, a, mode, r, sr_bits, overflow):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = convert(pa, pz, a[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def from_f64_array(p, bits, mode, r, sr_bits, overflow):
    z = np.empty(bits.size, np.int64)
    flags = np.empty(bits.size, np.uint8)
    for i in range(bits.size):
        z[i], flags[i] = from_f64(p, bits[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def from_f64_table_array(p, table, shift, bits, mode, overflow):
    """from_f64 through a bucket table (refmodel.ops._f64_table); ambiguous buckets use the kernel."""
    z = np.empty(bits.size, np.uint8)
    flags = np.empty(bits.size, np.uint8)
    mask = (1 << (64 - shift)) - 1
    for i in range(bits.size):
        e = table[(bits[i] >> shift) & mask]
        if e & 0x8000:
            zi, fi = from_f64(p, bits[i], mode, 0, 0, overflow)
            z[i] = zi
            flags[i] = fi
        else:
            z[i] = e & 0xFF
            flags[i] = e >> 8
    return z, flags


@njit(cache=True)
def round_array(p, negative, exp, sig, sticky, mode, r, sr_bits, overflow):
    z = np.empty(sig.size, np.int64)
    flags = np.empty(sig.size, np.uint8)
    for i in range(sig.size):
        z[i], flags[i] = round_pack(p, negative[i], exp[i], sig[i], sticky[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def mul_exact_array(p, a, b):
    n = a.size
    cls, exp, sig = np.empty(n, np.uint8), np.empty(n, np.int64), np.empty(n, np.int64)
    negative, flags = np.empty(n, np.bool_), np.empty(n, np.uint8)
    for i in range(n):
        cls[i], negative[i], exp[i], sig[i], flags[i] = mul_exact(p, a[i], b[i])
    return cls, negative, exp, sig, flags


@njit(cache=True)
def compare_array(p, a, b, pred):
    res = np.empty(a.size, np.bool_)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        res[i], flags[i] = compare(p, a[i], b[i], pred)
    return res, flags


@njit(cache=True)
def minmax_array(p, a, b, op):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = minmax(p, a[i], b[i], op)
    return z, flags


@njit(cache=True)
def decode_array(p, codes):
    out = np.empty(codes.size, np.float64)
    for i in range(codes.size):
        out[i] = decode_value(p, codes[i])
    return out
