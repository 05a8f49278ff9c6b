"""Posit format descriptors (Posit Standard 2022; SoftPosit's 2018-draft sizes), and quire layouts.

posit<n,es>: sign, a regime run, es exponent bits, the rest fraction; two's complement for
negatives; 0 = all zeros, NaR = 1 followed by zeros. Kernels receive `PositParams`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class PositParams(NamedTuple):
    """What a Numba kernel needs to know about a posit format, as integers."""

    n: int
    es: int


class QuireParams(NamedTuple):
    """A quire layout: value = (two's-complement integer of all bits) * 2^-frac_bits."""

    n: int
    es: int
    frac_bits: int  # = integer bits = 2 (n - 2) 2^es: minpos^2 and maxpos^2 fit exactly
    carry_bits: int
    bits: int  # 1 sign + carry + integer + fraction
    limbs: int  # 32-bit limbs holding `bits`


# The carry-guard widths of the two conventions (SPEC.md 5.1, 5.2).
QUIRE_CARRY_2022 = 31


@dataclass(frozen=True)
class Posit:
    """posit<n,es>, 2 <= n <= 32, 0 <= es <= 4."""

    name: str
    n: int
    es: int

    kind = "posit"
    family = "posit"

    @property
    def bits(self) -> int:
        return self.n

    @property
    def params(self) -> PositParams:
        return PositParams(self.n, self.es)

    @property
    def nar_code(self) -> int:
        return 1 << (self.n - 1)

    @property
    def sign_mask(self) -> int:
        return 1 << (self.n - 1)

    @property
    def max_code(self) -> int:
        """maxpos (the largest positive code); minpos is code 1."""
        return (1 << (self.n - 1)) - 1

    @property
    def max_scale(self) -> int:
        """log2(maxpos) = (n - 2) 2^es; minpos = 2^-max_scale."""
        return (self.n - 2) << self.es

    @property
    def max_value(self) -> float:
        return 2.0**self.max_scale

    @property
    def min_value(self) -> float:
        return 2.0**-self.max_scale

    @property
    def max_frac_bits(self) -> int:
        return max(0, self.n - 3 - self.es)

    def quire(self, carry_bits: int | None = None) -> QuireParams:
        """The quire layout: by default the 2022 standard's for es = 2 (16n bits, 31 carry bits) and
        SoftPosit's for other es (n - 1 carry bits, n^2/2 bits for its sizes)."""
        if carry_bits is None:
            carry_bits = QUIRE_CARRY_2022 if self.es == 2 else self.n - 1
        if not 1 <= carry_bits <= 512:
            raise ValueError(f"quire carry-guard width must be in 1..512 bits, not {carry_bits}")
        frac = 2 * self.max_scale
        bits = 1 + carry_bits + 2 * frac
        return QuireParams(self.n, self.es, frac, carry_bits, bits, (bits + 31) // 32)

    def specials(self) -> dict[str, int]:
        return {"0": 0, "NaR": self.nar_code, "maxpos": self.max_code, "minpos": 1}
