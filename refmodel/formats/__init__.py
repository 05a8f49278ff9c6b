"""Format names: the one grammar (DESIGN.md 'Public surface') and the descriptors it yields.

    e<E>m<M>[b<BIAS>][fn|fnuz|fnu]     ml_dtypes naming; e.g. e4m3fn, e5m2, e4m3b11fnuz, e8m0fnu
    fp16 | binary16, bf16 | bfloat16, fp32 | binary32   aliases of e5m10, e8m7, e8m23
    binary<K>p<P><s|u><e|f>            IEEE P3109 v4 (3 <= K <= 16); e.g. binary8p4se, binary8p1uf
    posit<N>[es<ES>]                   posit<N,ES> (2 <= N <= 32, 0 <= ES <= 4); posit<N> is the 2022 posit<N,2>
    flex<N>+<E>                        Flexpoint: N-bit mantissas sharing one E-bit exponent; e.g. flex16+5
"""

from __future__ import annotations

import re
from functools import cache

from .flex import Flex
from .minifloat import FN, FNU, FNUZ, IEEE, P3109, FloatParams, Minifloat
from .posit import Posit, PositParams, QuireParams

__all__ = ["FormatError", "Minifloat", "FloatParams", "Posit", "PositParams", "QuireParams", "Flex", "Format",
           "parse_format", "named_formats", "named_posits", "ALIASES"]

Format = Minifloat | Posit | Flex

ALIASES = {
    "fp16": "e5m10",
    "binary16": "e5m10",
    "bf16": "e8m7",
    "bfloat16": "e8m7",
    "fp32": "e8m23",
    "binary32": "e8m23",
}

_P3109 = re.compile(r"binary(?P<k>\d+)p(?P<p>\d+)(?P<sign>[su])(?P<domain>[ef])")
_POSIT = re.compile(r"posit(?P<n>\d+)(?:es(?P<es>\d+))?")
_FLEX = re.compile(r"flex(?P<n>\d+)\+(?P<e>\d+)")
_MINIFLOAT = re.compile(r"e(?P<e>\d+)m(?P<m>\d+)(?:b(?P<b>-?\d+))?(?P<suffix>fnuz|fnu|fn)?")

# Widths the kernels support: the code must fit in 32 bits and an exact product of two
# significands in 62 bits (the rounding engine's working width).
MAX_BITS = 32


class FormatError(ValueError):
    """An unknown format name or impossible format parameters."""


@cache
def parse_format(name: str) -> Format:
    """Return the descriptor for a format name (case-insensitive); FormatError if there is none."""
    if not isinstance(name, str):
        raise FormatError(f"format name must be a string, not {type(name).__name__}")
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    m = _P3109.fullmatch(key)
    if m:
        return _p3109(name, int(m["k"]), int(m["p"]), m["sign"] == "s", m["domain"] == "e")
    m = _POSIT.fullmatch(key)
    if m:
        return _posit(name, int(m["n"]), 2 if m["es"] is None else int(m["es"]))
    m = _FLEX.fullmatch(key)
    if m:
        return _flex(name, int(m["n"]), int(m["e"]))
    m = _MINIFLOAT.fullmatch(key)
    if not m:
        raise FormatError(
            f"unknown format {name!r}: expected e<E>m<M>[b<BIAS>][fn|fnuz|fnu], binary<K>p<P><s|u><e|f>, "
            f"posit<N>[es<ES>], flex<N>+<E> or one of {', '.join(sorted(ALIASES))} (run 'refmodel formats')"
        )
    e, man = int(m["e"]), int(m["m"])
    family = {None: IEEE, "fn": FN, "fnuz": FNUZ, "fnu": FNU}[m["suffix"]]
    if e < 1:
        raise FormatError(f"format {name!r}: needs at least 1 exponent bit")
    if family == IEEE and e < 2:
        raise FormatError(f"format {name!r}: an IEEE-like format needs 2+ exponent bits (Inf/NaN use one binade)")
    if family == IEEE and man < 1:
        raise FormatError(f"format {name!r}: an IEEE-like format needs 1+ mantissa bits to tell Inf from NaN")
    if family == FNU and man != 0:
        raise FormatError(f"format {name!r}: the fnu family (e8m0fnu) has no mantissa bits")
    if family != FNU and man < 1:
        raise FormatError(f"format {name!r}: needs at least 1 mantissa bit")
    bits = (0 if family == FNU else 1) + e + man
    if bits > MAX_BITS or man > 23:
        raise FormatError(f"format {name!r}: {bits} bits with {man} mantissa bits; refmodel supports up to "
                          f"{MAX_BITS} bits and 23 mantissa bits")
    default_bias = (1 << (e - 1)) if family == FNUZ else (1 << (e - 1)) - 1
    bias = default_bias if m["b"] is None else int(m["b"])
    canonical = f"e{e}m{man}" + ("" if m["b"] is None else f"b{bias}") + (m["suffix"] or "")
    return Minifloat(canonical, e, man, bias, family, signed=family != FNU)


def _p3109(name: str, k: int, p: int, signed: bool, extended: bool) -> Minifloat:
    """P3109 v4 3.1: W = K - P exponent bits signed, K - P + 1 unsigned; bias 2^(W-1)."""
    if not 3 <= k <= 16:
        raise FormatError(f"format {name!r}: P3109 formats need 3 <= K <= 16 bits here, not {k}")
    if not (1 <= p < k if signed else 1 <= p <= k):
        raise FormatError(f"format {name!r}: precision P must be in 1..{k - 1 if signed else k} for K = {k}")
    w = k - p + (0 if signed else 1)
    canonical = f"binary{k}p{p}{'s' if signed else 'u'}{'e' if extended else 'f'}"
    return Minifloat(canonical, w, p - 1, 1 << (w - 1), P3109, signed, extended)


def _posit(name: str, n: int, es: int) -> Posit:
    if not 2 <= n <= 32:
        raise FormatError(f"format {name!r}: posits need 2 <= N <= 32 bits, not {n}")
    if not 0 <= es <= 4:
        raise FormatError(f"format {name!r}: posits need 0 <= ES <= 4 exponent bits, not {es}")
    return Posit(f"posit{n}" if es == 2 else f"posit{n}es{es}", n, es)


def _flex(name: str, n: int, e: int) -> Flex:
    if not 2 <= n <= 32:
        raise FormatError(f"format {name!r}: Flexpoint mantissas need 2 <= N <= 32 bits, not {n}")
    if not 1 <= e <= 8:
        raise FormatError(f"format {name!r}: the Flexpoint exponent needs 1 <= E <= 8 bits, not {e}")
    return Flex(f"flex{n}+{e}", n, e)


def named_formats() -> list[tuple[str, Minifloat, str]]:
    """The formats refmodel names in its documentation: (name, descriptor, what it is)."""
    table = [
        ("e4m3fn", "OCP OFP8 E4M3 (no Inf, NaN S.1111.111)"),
        ("e5m2", "OCP OFP8 E5M2 (IEEE-like); IBM FP8 1-5-2"),
        ("e4m3", "IEEE-like E4M3 (ml_dtypes float8_e4m3)"),
        ("e3m4", "IEEE-like E3M4 (ml_dtypes float8_e3m4)"),
        ("e4m3fnuz", "FNUZ 1.4.3, bias 8 (AMD/Graphcore)"),
        ("e5m2fnuz", "FNUZ 1.5.2, bias 16 (AMD/Graphcore)"),
        ("e4m3b11fnuz", "FNUZ 1.4.3 with bias 11 (XLA)"),
        ("e2m3fn", "OCP MX FP6 E2M3 (no Inf, no NaN)"),
        ("e3m2fn", "OCP MX FP6 E3M2 (no Inf, no NaN)"),
        ("e2m1fn", "OCP MX FP4 E2M1 (no Inf, no NaN)"),
        ("e8m0fnu", "OCP MX E8M0 scale (unsigned, no zero)"),
        ("e6m9", "IBM FP16 1-6-9 accumulation format"),
        ("fp16", "IEEE binary16 (e5m10)"),
        ("bf16", "bfloat16 (e8m7)"),
        ("fp32", "IEEE binary32 (e8m23)"),
        ("binary8p4se", "IEEE P3109 signed extended, P=4 (F8 conformance set)"),
        ("binary8p3se", "IEEE P3109 signed extended, P=3 (F8 conformance set)"),
        ("binary8p4sf", "IEEE P3109 signed finite, P=4"),
        ("binary4p2sf", "IEEE P3109 4-bit signed finite (F4 conformance set)"),
        ("binary8p1uf", "IEEE P3109 unsigned finite P=1: the P3109 scale format"),
    ]
    return [(n, parse_format(n), what) for n, what in table]


def named_posits() -> list[tuple[str, Posit, str]]:
    """The posit formats refmodel names in its documentation."""
    table = [
        ("posit8", "Posit Standard 2022 posit<8,2>; PositNN's forward/backward format"),
        ("posit16", "Posit Standard 2022 posit<16,2>; PositNN's optimizer format"),
        ("posit32", "Posit Standard 2022 posit<32,2> (= SoftPosit posit32)"),
        ("posit8es0", "2018 draft / SoftPosit posit8"),
        ("posit16es1", "2018 draft / SoftPosit posit16"),
    ]
    return [(n, parse_format(n), what) for n, what in table]
