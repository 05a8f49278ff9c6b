"""An independent oracle for the hardware units (docs/units.md), on tests/oracle.py's exact rationals.

Shares no code with refmodel.units or refmodel.kernels: values are Fractions (or oracle.py's special
strings), every rounding is oracle.oracle_round, the alignment window is cut with Fraction floors, and
the LFSR is a list of bits shifted one at a time. The test modules test_units_mac, _dot and
_sr_adder import it; the tests below check the oracle's own pieces against definitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import oracle as O
import pytest

SR_MODES = ("sr", "sr_b", "sr_c")

# The tap lists of XAPP052 table 3, restated here so the oracle does not read the model's table.
XAPP052_TAPS = {8: (8, 6, 5, 4), 10: (10, 7), 12: (12, 6, 4, 1), 16: (16, 15, 13, 4), 32: (32, 22, 2, 1)}


class BitLfsr:
    """A right-shifting Galois LFSR kept as a list of bits, bit 0 first: the bit leaving bit 0 is XORed
    into position k-1 for each tap k (tap w writes it into the empty top position)."""

    def __init__(self, width: int, taps, seed: int):
        self.width, self.taps = width, tuple(taps)
        self.bits = [(seed >> i) & 1 for i in range(width)]

    @property
    def state(self) -> int:
        return sum(bit << i for i, bit in enumerate(self.bits))

    def step(self) -> int:
        """One step; returns the bit that left (the output bit)."""
        out = self.bits[0]
        self.bits = self.bits[1:] + [0]
        if out:
            for k in self.taps:
                self.bits[k - 1] ^= 1
        return out

    def draw(self, n: int) -> int:
        """One step, then the low n bits of the state."""
        self.step()
        return sum(self.bits[i] << i for i in range(n))


@dataclass
class Mac:
    """A MAC configuration for the oracle: format names and options as in refmodel.units.MacConfig."""

    in_fmt: str
    acc_fmt: str
    rounding: str = "rne"
    overflow: str = "ieee"
    sr_bits: int = 8
    product_fmt: str | None = None
    align_width: int | None = None
    sticky: bool = False
    lfsr: BitLfsr | None = None

    def options(self) -> dict:
        return {"rounding": self.rounding, "overflow": self.overflow, "sr_bits": self.sr_bits,
                "product_fmt": self.product_fmt, "align_width": self.align_width, "sticky": self.sticky}

    def r(self):
        """The random integer of the next rounding: (R, N), or (None, None) in deterministic modes."""
        if self.rounding not in SR_MODES:
            return None, None
        return self.lfsr.draw(self.sr_bits), self.sr_bits

    def round(self, fmt: str, v) -> tuple[int, int]:
        return O.oracle_round(fmt, v, self.rounding, self.overflow, *self.r())


def cut(x: Fraction, unit: Fraction, sticky: bool) -> Fraction:
    """x aligned to a window whose last kept place is `unit`: the magnitude's multiples of unit kept,
    the rest dropped or (sticky) replaced by unit / 2 when nonzero."""
    kept = math.floor(abs(x) / unit) * unit
    if sticky and kept != abs(x):
        kept += unit / 2
    return kept if x > 0 else -kept


def window_add(p, c, width: int | None, sticky: bool, rounding: str):
    """p + c through an adder keeping `width` bits below the larger operand's leading bit (None: exact)."""
    if width is None or type(p) is not Fraction or type(c) is not Fraction or p == 0 or c == 0:
        return O.exact_add(p, c, rounding)
    unit = O.pow2(O.floor_log2(max(abs(p), abs(c))) - width)
    s = cut(p, unit, sticky) + cut(c, unit, sticky)
    if s == 0:
        return "-0" if rounding == "rdn" else "+0"
    return s


def mac_step(m: Mac, acc: int, a: int, b: int) -> tuple[int, int]:
    """acc + a * b, one MAC step; random integers in datapath order (product, then accumulate)."""
    p = O.exact_mul(O.decode(m.in_fmt, a), O.decode(m.in_fmt, b))
    flags = 0
    if m.product_fmt is not None:
        code, flags = m.round(m.product_fmt, p)
        p = O.decode(m.product_fmt, code)
    code, f = m.round(m.acc_fmt, window_add(p, O.decode(m.acc_fmt, acc), m.align_width, m.sticky, m.rounding))
    return code, flags | f


def mac_trace(m: Mac, clear, valid, a, b) -> tuple[list[int], list[int]]:
    """The registers (acc, flags) after each cycle of a single-level MAC from reset."""
    acc, flags, accs, flagss = 0, 0, [], []
    for c, v, x, y in zip(clear, valid, a, b):
        if c:
            acc, flags = 0, 0
        if v:
            acc, f = mac_step(m, acc, int(x), int(y))
            flags |= f
        accs.append(acc)
        flagss.append(flags)
    return accs, flagss


def dot(m: Mac, a, b, chunk: int, second_fmt: str | None = None) -> tuple[int, int]:
    """One dot product on the two-level MAC: chunks of `chunk` products (0: one chunk) summed from +0
    in acc_fmt; the first chunk's result is rounded into second_fmt, each later one added to it."""
    second = second_fmt or m.acc_fmt
    acc, count, total, first, flags = 0, 0, 0, True, 0
    for k, (x, y) in enumerate(zip(a, b)):
        acc, f = mac_step(m, acc, int(x), int(y))
        flags |= f
        count += 1
        if count == chunk or k == len(a) - 1:
            v = O.decode(m.acc_fmt, acc)
            total, f = m.round(second, v if first else O.exact_add(v, O.decode(second, total), m.rounding))
            flags |= f
            acc, count, first = 0, 0, False
    return total, flags


# ------------------------------------------------------------------------------------------------
# Self-checks of the oracle's pieces
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", sorted(XAPP052_TAPS))
def test_bit_lfsr_output_obeys_the_feedback_recurrence(width):
    """The output bits o_j of an LFSR with feedback polynomial x^w + sum x^k + 1 satisfy
    o_j = XOR over the taps k of o_(j-k): the defining property of the polynomial's sequence."""
    taps = XAPP052_TAPS[width]
    lfsr = BitLfsr(width, taps, 0x5A5A5A5A & ((1 << width) - 1) or 1)
    out = [lfsr.step() for _ in range(2000)]
    for j in range(width, len(out)):
        assert out[j] == sum(out[j - k] for k in taps) % 2, j


def test_window_add_cuts_the_smaller_operand():
    p, c = Fraction(12345, 2**20), Fraction(-5, 1024)
    assert window_add(p, c, 60, False, "rne") == p + c  # a wide window keeps every bit
    # W = 3 below the leading bit of 1 keeps multiples of 1/8: the rest is dropped, or becomes 1/16 (sticky)
    assert window_add(Fraction(1), Fraction(17, 1024), 3, False, "rne") == 1
    assert window_add(Fraction(1), Fraction(1, 64), 3, True, "rne") == 1 + Fraction(1, 16)
    assert window_add(Fraction(1), -Fraction(1, 64), 3, True, "rne") == 1 - Fraction(1, 16)
    assert window_add(Fraction(1), Fraction(3, 16), 3, True, "rne") == Fraction(19, 16)
