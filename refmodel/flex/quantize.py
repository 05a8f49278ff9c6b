"""binary64 values into Flexpoint mantissas at a given exponent, and back.

The input's exact binary64 value (its integer significand and exponent, read from the bit
pattern) is scaled by 2^-exp and rounded once by the requantizer's arithmetic: no float64
arithmetic touches the rounding. +-Inf saturate (overflow set); NaN gives 0 with overflow set
(the stored value is not the input: the flag says so).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .rounding import requantize_one
from .tensor import FlexTensor, as_flex, rounding_args

F64_FRAC_BITS = 52
F64_EXP_MASK = 0x7FF
F64_BIAS_SHIFT = 1075  # value = significand * 2^(e - 1075) for a normal e, 2^-1074 for subnormals


@njit(cache=True)
def quantize_bits(bits, exp, lo, hi, mode, r, sr_bits):
    """One binary64 (its bit pattern as int64) at exponent exp: (mantissa, overflow)."""
    negative = bits < 0
    e = (bits >> F64_FRAC_BITS) & F64_EXP_MASK
    frac = bits & ((1 << F64_FRAC_BITS) - 1)
    if e == F64_EXP_MASK:
        if frac != 0:
            return 0, True
        return (lo, True) if negative else (hi, True)
    if e == 0:
        sig, ex = frac, 1 - F64_BIAS_SHIFT
    else:
        sig, ex = frac | (1 << F64_FRAC_BITS), e - F64_BIAS_SHIFT
    v = -sig if negative else sig
    return requantize_one(v, exp - ex, lo, hi, mode, r, sr_bits)


@njit(cache=True)
def quantize_array(bits, exps, lo, hi, mode, r, sr_bits):
    n = bits.size
    m = np.empty(n, np.int64)
    ovf = np.empty(n, np.bool_)
    for i in range(n):
        m[i], ovf[i] = quantize_bits(bits[i], exps[i], lo, hi, mode, r[i], sr_bits)
    return m, ovf


def _f64_bits(x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == np.uint64:
        return x.view(np.int64)
    if x.dtype.kind in "fiu":
        return x.astype(np.float64).view(np.int64)
    raise TypeError(f"quantize takes float64 values or uint64 binary64 bit patterns, not {x.dtype}")


def quantize_mantissas(fmt, x, exp, rounding: str = "rne", r=None, sr_bits: int = 8):
    """x (float64, or uint64 binary64 patterns) rounded at exponent exp (broadcast with x, one per
    element allowed): (mantissas int64, overflow bool), of the broadcast shape."""
    f = as_flex(fmt)
    bits = _f64_bits(x)
    exps = np.asarray(exp)
    if exps.dtype.kind not in "iu":
        raise TypeError(f"exponents must be integers, not {exps.dtype}")
    if exps.size and (exps.min() < f.exp_min or exps.max() > f.exp_max):
        raise ValueError(f"exponents must lie in {f.name}'s range [{f.exp_min}, {f.exp_max}]")
    shape = np.broadcast_shapes(bits.shape, exps.shape)
    mode, rr, sr_bits = rounding_args(rounding, r, sr_bits, shape)
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape), np.int64).ravel() for a in (bits, exps)]
    m, ovf = quantize_array(*flat, f.mant_min, f.mant_max, mode, rr, sr_bits)
    return m.reshape(shape), ovf.reshape(shape)


def quantize(fmt, x, exp: int, rounding: str = "rne", r=None, sr_bits: int = 8) -> FlexTensor:
    """A tensor of binary64 values as a flex tensor with exponent exp (rne, or sr with explicit r)."""
    f = as_flex(fmt)
    exp = f.check_exp(exp)
    m, ovf = quantize_mantissas(f, x, exp, rounding, r, sr_bits)
    return FlexTensor(f, m, exp, ovf)


def dequantize(fmt, m, exp: int) -> np.ndarray:
    """m * 2^exp as float64 (exact)."""
    return FlexTensor.of(fmt, m, exp).values()


@njit(cache=True)
def requantize_array(acc, shifts, lo, hi, mode, r, sr_bits):
    n = acc.size
    m = np.empty(n, np.int64)
    ovf = np.empty(n, np.bool_)
    for i in range(n):
        m[i], ovf[i] = requantize_one(acc[i], shifts[i], lo, hi, mode, r[i], sr_bits)
    return m, ovf


def requantize(fmt, acc, acc_exp: int, out_exp: int, rounding: str = "rne", r=None, sr_bits: int = 8) -> FlexTensor:
    """Integers acc (int64, value acc * 2^acc_exp) rounded into a flex tensor with exponent out_exp:
    shift right by out_exp - acc_exp (left if negative), round, saturate."""
    f = as_flex(fmt)
    out_exp = f.check_exp(out_exp)
    acc = np.asarray(acc)
    if acc.dtype.kind not in "iu" or (acc.dtype == np.uint64 and acc.size and int(acc.max()) >= 1 << 63):
        raise TypeError(f"acc must be int64 integers, not {acc.dtype}")
    acc = acc.astype(np.int64)
    mode, rr, sr_bits = rounding_args(rounding, r, sr_bits, acc.shape)
    shifts = np.full(acc.size, out_exp - int(acc_exp), np.int64)
    m, ovf = requantize_array(np.ascontiguousarray(acc).ravel(), shifts, f.mant_min, f.mant_max, mode, rr, sr_bits)
    return FlexTensor(f, m.reshape(acc.shape), out_exp, ovf.reshape(acc.shape))
