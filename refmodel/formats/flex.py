"""Flexpoint descriptors: flex<N>+<E>, N-bit two's-complement mantissas sharing one E-bit exponent."""

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
