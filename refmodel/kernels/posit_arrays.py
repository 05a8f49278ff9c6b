"""Element-wise loops over numpy arrays for posits and quires (the posit side of arrays.py)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .posit import posit_unpack
from .posit_ops import (
    minifloat_to_posit,
    posit_add,
    posit_div,
    posit_fma,
    posit_from_f64,
    posit_mul,
    posit_sqrt,
    posit_to_minifloat,
    posit_to_posit,
)
from .quire import quire_add_posit, quire_fdp, quire_negate, quire_to_posit
from .unpack import FINITE, ZERO

# Operation codes of posit_binary_array.
ADD, SUB, MUL, DIV = range(4)


@njit(cache=True)
def posit_decode_array(pp, a):
    out = np.empty(a.size, np.float64)
    for i in range(a.size):
        cls, negative, exp, sig = posit_unpack(pp, a[i])
        if cls == FINITE:
            v = np.ldexp(np.float64(sig), exp)
            out[i] = -v if negative else v
        else:
            out[i] = 0.0 if cls == ZERO else np.nan
    return out


@njit(cache=True)
def posit_binary_array(pp, op, a, b, z, mode, r, sr_bits):
    """z[i] = a[i] op b[i]. Codes stay in their narrow unsigned dtype in memory (the loop is
    bandwidth-sensitive); r may hold a single element for the deterministic modes."""
    last_r = r.size - 1
    for i in range(a.size):
        x, y, ri = np.int64(a[i]), np.int64(b[i]), r[min(i, last_r)]
        if op == MUL:
            z[i] = posit_mul(pp, x, y, mode, ri, sr_bits)
        elif op == DIV:
            z[i] = posit_div(pp, x, y, mode, ri, sr_bits)
        else:
            z[i] = posit_add(pp, x, y, op == SUB, mode, ri, sr_bits)


@njit(cache=True)
def posit_fma_array(pp, a, b, c, mode, r, sr_bits):
    z = np.empty(a.size, np.int64)
    for i in range(a.size):
        z[i] = posit_fma(pp, a[i], b[i], c[i], mode, r[i], sr_bits)
    return z


@njit(cache=True)
def posit_sqrt_array(pp, a, mode, r, sr_bits):
    z = np.empty(a.size, np.int64)
    for i in range(a.size):
        z[i] = posit_sqrt(pp, a[i], mode, r[i], sr_bits)
    return z


@njit(cache=True)
def posit_from_f64_array(pp, bits, mode, r, sr_bits):
    z = np.empty(bits.size, np.int64)
    for i in range(bits.size):
        z[i] = posit_from_f64(pp, bits[i], mode, r[i], sr_bits)
    return z


@njit(cache=True)
def posit_to_posit_array(pa, pz, a, mode, r, sr_bits):
    z = np.empty(a.size, np.int64)
    for i in range(a.size):
        z[i] = posit_to_posit(pa, pz, a[i], mode, r[i], sr_bits)
    return z


@njit(cache=True)
def minifloat_to_posit_array(pa, pz, a, mode, r, sr_bits):
    z = np.empty(a.size, np.int64)
    for i in range(a.size):
        z[i] = minifloat_to_posit(pa, pz, a[i], mode, r[i], sr_bits)
    return z


@njit(cache=True)
def posit_to_minifloat_array(pa, pz, a, mode, r, sr_bits, overflow):
    z = np.empty(a.size, np.int64)
    flags = np.empty(a.size, np.uint8)
    for i in range(a.size):
        z[i], flags[i] = posit_to_minifloat(pa, pz, a[i], mode, r[i], sr_bits, overflow)
    return z, flags


# Quire operations on a batch: q is (B, limbs) int64, nar is (B,) bool, operands are (B,) codes.
@njit(cache=True)
def quire_fdp_array(qp, pp, q, nar, a, b, subtract):
    for i in range(a.size):
        if not nar[i] and not quire_fdp(q[i], qp, pp, a[i], b[i], subtract):
            nar[i] = True


@njit(cache=True)
def quire_add_posit_array(qp, pp, q, nar, a, subtract):
    for i in range(a.size):
        if not nar[i] and not quire_add_posit(q[i], qp, pp, a[i], subtract):
            nar[i] = True


@njit(cache=True)
def quire_negate_array(q, nar):
    for i in range(nar.size):
        if not nar[i]:
            quire_negate(q[i])


@njit(cache=True)
def quire_to_posit_array(qp, pp, q, nar, mode, r, sr_bits):
    z = np.empty(nar.size, np.int64)
    for i in range(nar.size):
        z[i] = (1 << (pp.n - 1)) if nar[i] else quire_to_posit(q[i], qp, pp, mode, r[i], sr_bits)
    return z


@njit(cache=True)
def quire_dot_array(qp, pp, limbs, a, b, mode, r, sr_bits):
    """Row i: the exact dot product of a[i, :] and b[i, :] in a fresh quire, rounded once."""
    rows, length = a.shape
    z = np.empty(rows, np.int64)
    q = np.zeros(limbs, np.int64)
    for i in range(rows):
        q[:] = 0
        ok = True
        for j in range(length):
            if not quire_fdp(q, qp, pp, a[i, j], b[i, j], False):
                ok = False
                break
        z[i] = quire_to_posit(q, qp, pp, mode, r[i], sr_bits) if ok else (1 << (pp.n - 1))
    return z


@njit(cache=True)
def quire_mac_trace(qp, pp, limbs, clear, a, b, subtract, mode, r, sr_bits):
    """One quire MAC unit over a sequence of cycles: each cycle clears the quire (when clear[t]) or
    accumulates +-a[t]*b[t], then reads it out rounded once. Returns (z, nar) per cycle."""
    z = np.empty(a.size, np.int64)
    nar = np.empty(a.size, np.bool_)
    q = np.zeros(limbs, np.int64)
    is_nar = False
    for t in range(a.size):
        if clear[t]:
            q[:] = 0
            is_nar = False
        elif not is_nar and not quire_fdp(q, qp, pp, a[t], b[t], subtract[t]):
            is_nar = True
        nar[t] = is_nar
        z[t] = (1 << (pp.n - 1)) if is_nar else quire_to_posit(q, qp, pp, mode, r[t], sr_bits)
    return z, nar
