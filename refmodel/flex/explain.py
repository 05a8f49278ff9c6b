"""Flexpoint lines for `refmodel explain` and `refmodel formats`."""

from __future__ import annotations

from .tensor import as_flex

NAMED = (("flex16+5", "Flexpoint (Koster et al. 2017): int16 mantissas, one 5-bit exponent per tensor"),)


def explain_flex(fmt, code: int, exp: int | None = None) -> str:
    """One line: the mantissa code's bits, its signed integer and, given the tensor's exponent,
    the exponent field and the element's value m * 2^exp."""
    f = as_flex(fmt)
    m = f.mant_from_code(code)
    parts = [f"{f.name} {code:#0{(f.bits + 3) // 4 + 2}x}", f"= {code:0{f.bits}b}", f"mantissa {m}"]
    if exp is not None:
        field = f.exp_code(exp)
        v = float(m) * 2.0**exp
        parts += [f"exp {exp} (field {field:0{f.exp_bits}b}, dec {field})", f"value {v!r}" + (
            f" ({v.hex()})" if v else "")]
    return "  ".join(parts)


def formats_row(fmt) -> tuple[str, ...]:
    """The `refmodel formats` columns (name, bits, E/M, bias, max, min normal, min subnormal, specials)
    for a Flexpoint format: E/M is the shared exponent's and each mantissa's width; the smallest
    step stands in the min subnormal column; there is no bias, normal range or special code."""
    f = as_flex(fmt)
    return (f.name, str(f.bits), f"{f.exp_bits}/{f.mant_bits}", "-", f"{f.max_value:.6g}", "-",
            f"{f.min_step:.6g}", "none")
