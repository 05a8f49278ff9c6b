"""Minifloat format descriptors: pure data, derived once from the parameters of a format name.

A descriptor knows its field widths, bias, which special encodings exist, and the handful of codes
that every kernel needs (max finite, canonical NaN, Inf). Kernels receive `FloatParams`, a plain
named tuple of integers that Numba passes by value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

# Family names: the suffix of the ml_dtypes-style name (docs/numerics.md has the table).
IEEE = "ieee"  # no suffix: Inf and NaNs as in IEEE 754
FN = "fn"  # finite: no Inf; NaN at S.1..1.1..1 (8+ bits) or no NaN at all (MX sub-byte types)
FNUZ = "fnuz"  # finite, unsigned zero: no Inf, no -0, one NaN at 0x80..0
FNU = "fnu"  # unsigned (no sign bit), no zero: e8m0fnu, the MX scale
P3109 = "p3109"  # IEEE P3109 v4 binary<K>p<P><s|u><e|f>: one zero, NaN at 0x80 (signed) or 0xFF (unsigned)

NO_CODE = -1  # marks an encoding the format does not have


class FloatParams(NamedTuple):
    """What a Numba kernel needs to know about a minifloat format, as integers."""

    exp_bits: int
    man_bits: int  # t: trailing significand bits
    bias: int
    signed: int  # 1 if there is a sign bit
    sign_shift: int  # position of the sign bit (bits - 1)
    max_mag: int  # magnitude code (sign stripped) of the largest finite value
    nan_code: int  # canonical NaN code, or NO_CODE
    inf_mag: int  # magnitude code of +Inf, or NO_CODE
    family: int  # 0 ieee, 1 fn, 2 fnuz, 3 fnu, 4 p3109
    has_zero: int
    has_subnormals: int
    has_negative_zero: int
    overflow_nan: int  # 1 if an overflow under the ieee policy gives NaN when there is no Inf


FAMILY_IDS = {IEEE: 0, FN: 1, FNUZ: 2, FNU: 3, P3109: 4}


@dataclass(frozen=True)
class Minifloat:
    """A binary floating-point format with an exponent field, a trailing significand and a bias."""

    name: str
    exp_bits: int
    man_bits: int
    bias: int
    family: str
    signed: bool = True
    extended: bool = False  # P3109 only: the format has infinities

    kind = "minifloat"

    @property
    def bits(self) -> int:
        return int(self.signed) + self.exp_bits + self.man_bits

    @property
    def has_inf(self) -> bool:
        return self.family == IEEE or (self.family == P3109 and self.extended)

    @property
    def has_nan(self) -> bool:
        # The MX element types e2m3fn, e3m2fn, e2m1fn (fewer than 8 bits) have no NaN encoding.
        return not (self.family == FN and self.bits < 8)

    @property
    def has_negative_zero(self) -> bool:
        return self.family in (IEEE, FN)

    @property
    def overflow_nan(self) -> bool:
        """Whether an overflow under the ieee policy gives NaN in a format without Inf (OCP, FNUZ,
        ml_dtypes); P3109's finite formats clamp to max instead (SatNone, SPEC.md 3.4)."""
        return self.has_nan and self.family != P3109

    @property
    def has_zero(self) -> bool:
        return self.family != FNU

    @property
    def has_subnormals(self) -> bool:
        # e8m0fnu has no significand: its exponent field 0 is the normal value 2^-bias.
        return self.family != FNU

    @property
    def precision(self) -> int:
        return self.man_bits + 1

    @property
    def emin(self) -> int:
        return 1 - self.bias if self.has_subnormals else -self.bias

    @property
    def sign_mask(self) -> int:
        return (1 << (self.bits - 1)) if self.signed else 0

    @property
    def exp_all_ones(self) -> int:
        return (1 << self.exp_bits) - 1

    @property
    def max_mag(self) -> int:
        """Magnitude code of the largest finite value."""
        top = self.exp_all_ones << self.man_bits
        all_ones = top | ((1 << self.man_bits) - 1)
        if self.family == IEEE:
            return top - 1
        if self.family == FN:
            return all_ones - 1 if self.has_nan else all_ones
        if self.family == FNUZ:
            return all_ones
        if self.family == P3109:  # the top code(s) of the magnitude are NaN (unsigned) and Inf
            return all_ones - (0 if self.signed else 1) - int(self.extended)
        return all_ones - 1  # FNU: all ones is NaN

    @property
    def nan_code(self) -> int:
        """The canonical NaN (DESIGN.md): no payload, sign 0 where there is a choice."""
        if not self.has_nan:
            return NO_CODE
        if self.family == IEEE:
            quiet = 1 << (self.man_bits - 1) if self.man_bits else 0
            return (self.exp_all_ones << self.man_bits) | quiet
        if self.family == FN:
            return (self.exp_all_ones << self.man_bits) | ((1 << self.man_bits) - 1)
        if self.family == FNUZ or (self.family == P3109 and self.signed):
            return self.sign_mask
        return (1 << self.bits) - 1  # FNU and unsigned P3109

    @property
    def inf_mag(self) -> int:
        if not self.has_inf:
            return NO_CODE
        if self.family == P3109:
            return (1 << (self.bits - int(self.signed))) - 1 - int(not self.signed)
        return self.exp_all_ones << self.man_bits

    @property
    def params(self) -> FloatParams:
        return FloatParams(
            self.exp_bits,
            self.man_bits,
            self.bias,
            int(self.signed),
            self.bits - 1,
            self.max_mag,
            self.nan_code,
            self.inf_mag,
            FAMILY_IDS[self.family],
            int(self.has_zero),
            int(self.has_subnormals),
            int(self.has_negative_zero),
            int(self.overflow_nan),
        )

    # Exact values, from the parameters alone (used by `refmodel formats` and the generators).
    def value_of_mag(self, mag: int) -> float:
        e, t = mag >> self.man_bits, mag & ((1 << self.man_bits) - 1)
        if e == 0 and self.has_subnormals:
            return t * 2.0 ** (1 - self.bias - self.man_bits)
        return (1 + t / (1 << self.man_bits)) * 2.0 ** (e - self.bias)

    @property
    def max_value(self) -> float:
        return self.value_of_mag(self.max_mag)

    @property
    def min_normal(self) -> float:
        return 2.0**self.emin

    @property
    def min_subnormal(self) -> float:
        if not self.has_subnormals:
            return self.min_normal
        return 2.0 ** (self.emin - self.man_bits)

    def specials(self) -> dict[str, int]:
        """Named special codes, for listings."""
        out = {}
        if self.has_zero:
            out["+0"] = 0
            if self.has_negative_zero:
                out["-0"] = self.sign_mask
        if self.has_inf:
            out["+inf"] = self.inf_mag
            if self.signed:
                out["-inf"] = self.sign_mask | self.inf_mag
        if self.has_nan:
            out["nan"] = self.nan_code
        return out
