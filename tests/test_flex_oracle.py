"""An independent exact oracle for Flexpoint arithmetic (docs/flexpoint.md), written with Python
integers and Fractions only and sharing no code with refmodel; and hand-worked checks of it.

Rounding of an exact rational v to an integer, two's-complement style: q = floor(v), f = v - q;
rne goes up iff f > 1/2, or f = 1/2 and q is odd; sr (N random bits, R) goes up iff
floor(f * 2^N) + R >= 2^N. Saturation clamps to [-2^(N-1), 2^(N-1) - 1] and raises overflow.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import pytest


def round_int(v: Fraction, mode: str, r: int = 0, sr_bits: int = 0) -> int:
    q = math.floor(v)
    f = v - q
    if mode == "rne":
        up = f > Fraction(1, 2) or (f == Fraction(1, 2) and q % 2 == 1)
    elif mode == "sr":
        up = math.floor(f * 2**sr_bits) + r >= 2**sr_bits
    else:
        raise ValueError(mode)
    return q + int(up)


def saturate(q: int, mant_bits: int) -> tuple[int, bool]:
    lo, hi = -(2 ** (mant_bits - 1)), 2 ** (mant_bits - 1) - 1
    return min(max(q, lo), hi), not lo <= q <= hi


def requant(acc: int, shift: int, mant_bits: int, mode: str = "rne", r: int = 0, sr_bits: int = 0):
    """acc * 2^-shift rounded and saturated: (mantissa, overflow)."""
    return saturate(round_int(Fraction(acc) / Fraction(2) ** shift, mode, r, sr_bits), mant_bits)


def f64(bits: int):
    """The exact value of a binary64 pattern: a Fraction, or 'nan', '+inf', '-inf'."""
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    return Fraction(*x.as_integer_ratio())


def quant(bits: int, exp: int, mant_bits: int, mode: str = "rne", r: int = 0, sr_bits: int = 0):
    """A binary64 pattern quantized at exponent exp: (mantissa, overflow)."""
    v = f64(bits)
    hi = 2 ** (mant_bits - 1) - 1
    if v == "nan":
        return 0, True
    if v == "+inf":
        return hi, True
    if v == "-inf":
        return -hi - 1, True
    return saturate(round_int(v / Fraction(2) ** exp, mode, r, sr_bits), mant_bits)


def register(total: int, acc_bits: int | None, kind: str) -> int:
    """The accumulator register after adding to it the exact value `total`."""
    if acc_bits is None:
        return total
    half = 2 ** (acc_bits - 1)
    if kind == "wrap":
        return (total + half) % (2 * half) - half
    return min(max(total, -half), half - 1)


def accumulate(a, b, acc_bits: int | None = None, kind: str = "wrap") -> int:
    acc = 0
    for x, y in zip(a, b):
        acc = register(acc + int(x) * int(y), acc_bits, kind)
    return acc


def dot(a, b, ea, eb, ez, mant_bits, mode="rne", r=0, sr_bits=0, acc_bits=None, kind="wrap"):
    return requant(accumulate(a, b, acc_bits, kind), ez - ea - eb, mant_bits, mode, r, sr_bits)


def signed(code: int, bits: int) -> int:
    return code - (code >> (bits - 1) << bits)


# ---------------------------------------------------------------- the oracle against hand-worked values

@pytest.mark.parametrize("v, want", [
    (Fraction(1, 2), 0), (Fraction(3, 2), 2), (Fraction(5, 2), 2), (Fraction(-1, 2), 0), (Fraction(-3, 2), -2),
    (Fraction(-5, 2), -2), (Fraction(7, 4), 2), (Fraction(-7, 4), -2), (Fraction(5, 4), 1), (Fraction(-5, 4), -1),
])
def test_oracle_rne(v, want):
    assert round_int(v, "rne") == want


def test_oracle_sr_twos_complement():
    # -2.25 = -3 + 0.75: with 4 random bits, floor(0.75 * 16) = 12, up (to -2) iff 12 + R >= 16, R >= 4.
    assert [round_int(Fraction(-9, 4), "sr", r, 4) for r in (0, 3, 4, 15)] == [-3, -3, -2, -2]
    # 2.25 = 2 + 0.25: up (to 3) iff 4 + R >= 16, R >= 12.
    assert [round_int(Fraction(9, 4), "sr", r, 4) for r in (11, 12)] == [2, 3]


def test_oracle_saturation_and_register():
    assert saturate(32768, 16) == (32767, True) and saturate(-32768, 16) == (-32768, False)
    assert requant(2 * 32767 + 1, 1, 16) == (32767, True)  # 32767.5: tie to even 32768, saturated
    assert requant(-2 * 32768 - 1, 1, 16) == (-32768, False)  # -32768.5: tie to even -32768
    assert register(128, 8, "wrap") == -128 and register(128, 8, "sat") == 127
    assert accumulate([100, 100, -100], [1, 1, 1], 8, "wrap") == 100  # 200 wraps to -56, back to -156 -> 100
    assert accumulate([100, 100, -100], [1, 1, 1], 8, "sat") == 27  # 200 clamps to 127, then 27
    assert quant(0x3FF8000000000000, 0, 16) == (2, False)  # 1.5 -> 2
    assert quant(0x7FF8000000000000, -3, 16) == (0, True)
