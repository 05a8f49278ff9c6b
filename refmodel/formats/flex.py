"""Flexpoint descriptors: flex<N>+<E>, N-bit two's-complement mantissas sharing one E-bit exponent.

A tensor is its mantissas m (N-bit two's complement) and one exponent exp; element value m * 2^exp.
The E-bit exponent field holds dec = -exp as an unsigned integer, the number of fraction bits
(the binary point's position, neon flexsim's `dec`, scale = 2^-dec), so exp ranges over
[-(2^E - 1), 0]: for flex16+5, [-31, 0], values up to 32767 and steps down to 2^-31. This is
neon's scale range [2^-32, 1] cut to what 5 bits hold (docs/flexpoint.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flex:
    """flex<N>+<E> (Koster et al. 2017; default flex16+5): element value m * 2^exp."""

    name: str
    mant_bits: int  # N
    exp_bits: int  # E

    kind = "flex"
    family = "flex"

    @property
    def bits(self) -> int:
        """Width of one element's code (the mantissa); the exponent is per tensor."""
        return self.mant_bits

    @property
    def mant_min(self) -> int:
        return -(1 << (self.mant_bits - 1))

    @property
    def mant_max(self) -> int:
        return (1 << (self.mant_bits - 1)) - 1

    @property
    def exp_min(self) -> int:
        """The smallest exponent: the field all ones (dec = 2^E - 1)."""
        return -((1 << self.exp_bits) - 1)

    @property
    def exp_max(self) -> int:
        """The largest exponent: the field all zeros (dec = 0, scale 1: integer mantissas)."""
        return 0

    @property
    def max_value(self) -> float:
        return float(self.mant_max) * 2.0**self.exp_max

    @property
    def min_step(self) -> float:
        """The smallest positive value, 2^exp_min: one unit of the finest exponent."""
        return 2.0**self.exp_min

    def check_exp(self, exp: int, what: str = "exponent") -> int:
        """exp as an int, or ValueError if the E-bit field cannot hold it."""
        if int(exp) != exp or not self.exp_min <= exp <= self.exp_max:
            raise ValueError(f"{what} {exp} is outside {self.name}'s exponent range "
                             f"[{self.exp_min}, {self.exp_max}]")
        return int(exp)

    def exp_code(self, exp: int) -> int:
        """The E-bit field of an exponent: dec = -exp."""
        return -self.check_exp(exp)

    def exp_from_code(self, code: int) -> int:
        if not 0 <= code < (1 << self.exp_bits):
            raise ValueError(f"exponent code {code:#x} does not fit {self.name}'s {self.exp_bits}-bit field")
        return -int(code)

    def mant_code(self, m: int) -> int:
        """The N-bit two's-complement code of a mantissa."""
        if not self.mant_min <= m <= self.mant_max:
            raise ValueError(f"mantissa {m} is outside {self.name}'s range [{self.mant_min}, {self.mant_max}]")
        return int(m) & ((1 << self.mant_bits) - 1)

    def mant_from_code(self, code: int) -> int:
        if not 0 <= code < (1 << self.mant_bits):
            raise ValueError(f"code {code:#x} does not fit {self.name}'s {self.mant_bits}-bit mantissa")
        return int(code) - ((code >> (self.mant_bits - 1)) << self.mant_bits)
