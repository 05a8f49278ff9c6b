"""Dot products and GEMM built from the MAC: each output is one accumulator run (clear, the
products added in index order, each sum fitted to the register) and one requantization, exactly
as `FlexMac` computes it cycle by cycle, in Numba loops fast enough to train a small network."""

from __future__ import annotations

import numpy as np
from numba import njit

from .accumulator import EXACT, acc_args, check_length, fit_acc
from .rounding import requantize_one
from .tensor import FlexTensor, as_flex, mantissas, rounding_args


@njit(cache=True)
def dot_rows(a, b, shifts, lo, hi, mode, r, sr_bits, acc_bits, acc_mode):
    """Row i: sum_k a[i, k] * b[i, k] through the register, requantized by shifts[i]."""
    n, length = a.shape
    z = np.empty(n, np.int64)
    ovf = np.empty(n, np.bool_)
    for i in range(n):
        acc = 0
        for k in range(length):
            acc = fit_acc(acc + a[i, k] * b[i, k], acc_bits, acc_mode)
        z[i], ovf[i] = requantize_one(acc, shifts[i], lo, hi, mode, r[i], sr_bits)
    return z, ovf


@njit(cache=True)
def gemm_acc(a, b, acc_bits, acc_mode):
    """The accumulators of a @ b: for each (i, j) the products a[i, k] b[k, j] in order of k."""
    m, kk = a.shape
    n = b.shape[1]
    acc = np.zeros((m, n), np.int64)
    for i in range(m):
        row = acc[i]
        for k in range(kk):
            aik = a[i, k]
            if aik == 0:  # adds nothing, and the register already holds a value that fits
                continue
            brow = b[k]
            if acc_mode == EXACT:
                for j in range(n):
                    row[j] += aik * brow[j]
            else:
                for j in range(n):
                    row[j] = fit_acc(row[j] + aik * brow[j], acc_bits, acc_mode)
    return acc


@njit(cache=True)
def requantize_matrix(acc, shift, lo, hi, mode, r, sr_bits):
    m, n = acc.shape
    z = np.empty((m, n), np.int64)
    ovf = np.empty((m, n), np.bool_)
    for i in range(m):
        for j in range(n):
            z[i, j], ovf[i, j] = requantize_one(acc[i, j], shift, lo, hi, mode, r[i * n + j], sr_bits)
    return z, ovf


def dot_mantissas(fmt, a, b, ea, eb, ez, rounding: str = "rne", r=None, sr_bits: int = 8,
                  acc_bits: int | None = None, acc_overflow: str = "wrap"):
    """Dot products of the rows of a and b (shape (n, L) mantissas) with exponents ea, eb and the
    output exponent ez per row (broadcast to (n,)): (z int64, overflow bool), shape (n,)."""
    f = as_flex(fmt)
    a, b = mantissas(f, a, "dot a"), mantissas(f, b, "dot b")
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"dot_mantissas takes two (n, L) arrays of one shape, not {a.shape} and {b.shape}")
    n = a.shape[0]
    exps = []
    for name, e in (("ea", ea), ("eb", eb), ("ez", ez)):
        e = np.broadcast_to(np.asarray(e, np.int64), (n,))
        if e.size and (e.min() < f.exp_min or e.max() > f.exp_max):
            raise ValueError(f"{name} must lie in {f.name}'s exponent range [{f.exp_min}, {f.exp_max}]")
        exps.append(e)
    acc_mode, acc_w = acc_args(acc_bits, acc_overflow)
    check_length(f, a.shape[1], acc_mode)
    mode, rr, sr_bits = rounding_args(rounding, r, sr_bits, (n,))
    shifts = np.ascontiguousarray(exps[2] - exps[0] - exps[1])
    return dot_rows(np.ascontiguousarray(a), np.ascontiguousarray(b), shifts, f.mant_min, f.mant_max, mode, rr,
                    sr_bits, acc_w, acc_mode)


def _same_format(a: FlexTensor, b: FlexTensor, op: str):
    if a.fmt != b.fmt:
        raise ValueError(f"{op}: operands in {a.fmt.name} and {b.fmt.name}; a MAC multiplies one format")
    return a.fmt


def dot(a: FlexTensor, b: FlexTensor, out_exp: int, rounding: str = "rne", r=None, sr_bits: int = 8,
        acc_bits: int | None = None, acc_overflow: str = "wrap") -> FlexTensor:
    """Dot products over the last axis of a and b (one shape (..., L)), one per leading index."""
    f = _same_format(a, b, "dot")
    if a.m.shape != b.m.shape or a.m.ndim < 1:
        raise ValueError(f"dot: operand shapes {a.m.shape} and {b.m.shape} differ")
    out_exp = f.check_exp(out_exp, "out_exp")
    lead, length = a.m.shape[:-1], a.m.shape[-1]
    z, ovf = dot_mantissas(f, a.m.reshape(-1, length), b.m.reshape(-1, length), a.exp, b.exp, out_exp, rounding,
                           r, sr_bits, acc_bits, acc_overflow)
    return FlexTensor(f, z.reshape(lead), out_exp, ovf.reshape(lead))


def gemm(a: FlexTensor, b: FlexTensor, out_exp: int, rounding: str = "rne", r=None, sr_bits: int = 8,
         acc_bits: int | None = None, acc_overflow: str = "wrap") -> FlexTensor:
    """a @ b for 2-d tensors: every output one MAC run, requantized to exponent out_exp. r (sr) has
    the output's shape."""
    f = _same_format(a, b, "gemm")
    if a.m.ndim != 2 or b.m.ndim != 2 or a.m.shape[1] != b.m.shape[0]:
        raise ValueError(f"gemm: shapes {a.m.shape} and {b.m.shape} do not multiply")
    out_exp = f.check_exp(out_exp, "out_exp")
    acc_mode, acc_w = acc_args(acc_bits, acc_overflow)
    check_length(f, a.m.shape[1], acc_mode)
    shape = (a.m.shape[0], b.m.shape[1])
    mode, rr, sr_bits = rounding_args(rounding, r, sr_bits, shape)
    acc = gemm_acc(np.ascontiguousarray(a.m), np.ascontiguousarray(b.m), acc_w, acc_mode)
    z, ovf = requantize_matrix(acc, out_exp - a.exp - b.exp, f.mant_min, f.mant_max, mode, rr, sr_bits)
    return FlexTensor(f, z, out_exp, ovf)
