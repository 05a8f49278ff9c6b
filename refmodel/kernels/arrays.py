"""Element-wise loops over numpy arrays: the only place the scalar kernels meet arrays.

Codes travel as int64 inside; the numpy API (refmodel.ops) converts at the edge.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .from_f64 import from_f64
from .mul import mul
from .rounding import round_pack
from .unpack import decode_value


@njit(cache=True)
def mul_array(p, a, b, mode, r, sr_bits, overflow):
    n = a.size
    z = np.empty(n, np.int64)
    flags = np.empty(n, np.uint8)
    for i in range(n):
        z[i], flags[i] = mul(p, a[i], b[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def from_f64_array(p, bits, mode, r, sr_bits, overflow):
    n = bits.size
    z = np.empty(n, np.int64)
    flags = np.empty(n, np.uint8)
    for i in range(n):
        z[i], flags[i] = from_f64(p, bits[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def round_array(p, negative, exp, sig, sticky, mode, r, sr_bits, overflow):
    n = sig.size
    z = np.empty(n, np.int64)
    flags = np.empty(n, np.uint8)
    for i in range(n):
        z[i], flags[i] = round_pack(p, negative[i], exp[i], sig[i], sticky[i], mode, r[i], sr_bits, overflow)
    return z, flags


@njit(cache=True)
def decode_array(p, codes):
    out = np.empty(codes.size, np.float64)
    for i in range(codes.size):
        out[i] = decode_value(p, codes[i])
    return out
