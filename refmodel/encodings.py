"""Shared encodings (DESIGN.md): rounding modes, overflow policies and exception flags.

The same numbers appear in rtl/common/fp_defs.vh; kernels take the integer codes.
"""

from __future__ import annotations

# Rounding modes: 0..6 are the 3-bit RTL encoding (RISC-V/fpnew order); sr_b and sr_c are model-only.
RNE, RTZ, RDN, RUP, RNA, ROD, SR, SR_B, SR_C = range(9)
ROUNDING = {"rne": RNE, "rtz": RTZ, "rdn": RDN, "rup": RUP, "rna": RNA, "rod": ROD,
            "sr": SR, "sr_b": SR_B, "sr_c": SR_C}
STOCHASTIC = ("sr", "sr_b", "sr_c")
MAX_SR_BITS = 32

# Overflow policies.
OVF_IEEE, OVF_SAT, OVF_SAT_PROPAGATE = range(3)
OVERFLOW = {"ieee": OVF_IEEE, "sat": OVF_SAT, "sat_propagate": OVF_SAT_PROPAGATE}

# Exception flags, 5 bits (RISC-V/SoftFloat order).
NV, DZ, OF, UF, NX = 0x10, 0x08, 0x04, 0x02, 0x01
FLAG_BITS = 5
FLAG_NAMES = (("NV", NV), ("DZ", DZ), ("OF", OF), ("UF", UF), ("NX", NX))


def flags_str(flags: int) -> str:
    """'OF|NX' style, '-' for none."""
    return "|".join(name for name, bit in FLAG_NAMES if flags & bit) or "-"


def rounding_code(name: str) -> int:
    try:
        return ROUNDING[name]
    except KeyError:
        raise ValueError(f"unknown rounding mode {name!r}: expected one of {', '.join(ROUNDING)}") from None


def overflow_code(name: str) -> int:
    try:
        return OVERFLOW[name]
    except KeyError:
        raise ValueError(f"unknown overflow policy {name!r}: expected one of {', '.join(OVERFLOW)}") from None
