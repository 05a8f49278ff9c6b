"""SoftPosit's answers by code, for numpy arrays: thin loops over the `softposit` package's SWIG layer.

SoftPosit (PyPI `softposit`, the C library behind a SWIG wrapper) has posit8 = posit<8,0> (p8_*),
posit16 = posit<16,1> (p16_*), posit32 = posit<32,2> (p32_*) and posit<n,2> for 2 <= n <= 32
(posit_2_t, pX2_* functions taking n as an extra argument). A value is a struct with one unsigned
field `v`: the code itself for p8/p16/p32, and for posit_2_t the n-bit code LEFT-aligned in 32 bits
(code << (32 - n)). Quires: quire8 (32 bits), quire16 (128), quire32 and quire_2 (512), used through
qN_fdp_add / qN_fdp_sub (q += or -= a * b, exact) and qN_to_pN.

Every function takes and returns codes (numpy arrays in, a numpy array of the smallest unsigned
dtype holding n bits out); `backend(n, es)` raises a clear error for a format SoftPosit lacks.

Where SoftPosit (0.3.4.4) departs from the 2022 standard (pinned down by tests/test_posit_oracle.py,
test_softposit_quirk_*; everything else compared agrees bit for bit):
- p32_mul rounds exactly +-2^119 to +-0x7ffffffe (2^116); section 4.1 gives +-0x7fffffff (the tie
  point is 2^118), e.g. 0x7ffffffe * 0x48000000 (8.0) and 0x7fffffff * 0x38000000 (0.5).
- p32_mulAdd under heavy cancellation: when the exact result lies exactly 3/4 of the way between two
  adjacent posits of one binade it returns the one nearer zero, e.g. 0x317147e6 * 0x3a5ff7a4 +
  0xd3c120a0 -> 0x004a57ca (standard: 0x004a57cb).
- posit_2 at x = 32 (pX2_add/sub/mul/div): results of magnitude code 3, 4, 0x7ffffffd, 0x7ffffffe come
  out one code smaller in magnitude, e.g. pX2_mul(0x3, 1.0, 32) = 0x2. Use p32 for posit<32,2>.
- quire8 does not detect carry overflow: it wraps, and the pattern 0x80000000 reads as 0.
"""

from __future__ import annotations

from functools import cache

import _softposit as S
import numpy as np
import softposit  # registers the SWIG proxy classes (their destructors) for the structs

# (n, es) -> which SoftPosit family computes it. posit<32,2> is both p32 and pX2 (x = 32).
SUPPORTED = {
    (8, 0): "p8: posit8_t, p8_* functions, quire8 (SoftPosit's posit8)",
    (16, 1): "p16: posit16_t, p16_* functions, quire16 (SoftPosit's posit16)",
    (32, 2): "p32: posit32_t, p32_* functions, quire32 (SoftPosit's posit32); also pX2 with x = 32",
    **{(n, 2): f"pX2: posit_2_t with x = {n}, pX2_* functions, quire_2" for n in range(2, 32)},
}

_FIXED = {(8, 0): ("p8", "posit8_t"), (16, 1): ("p16", "posit16_t"), (32, 2): ("p32", "posit32_t")}
CACHE_MAX_N = 16  # structs for every code are built once for n up to this
_Q_TO_P = {"p8": S.q8_to_p8, "p16": S.q16_to_p16, "p32": S.q32_to_p32}


def dtype_for(n: int):
    """The smallest numpy unsigned dtype that holds n-bit codes."""
    return np.uint8 if n <= 8 else np.uint16 if n <= 16 else np.uint32 if n <= 32 else np.uint64


class Backend:
    """One SoftPosit format: build structs from codes, read codes back, call its functions."""

    def __init__(self, n: int, es: int, via: str | None = None):
        if (n, es) not in SUPPORTED:
            raise NotImplementedError(
                f"SoftPosit has no posit<{n},{es}>: it covers posit<8,0> (p8), posit<16,1> (p16), "
                "posit<32,2> (p32) and posit<n,2> for 2 <= n <= 32 (posit_2 / pX2)")
        if via is None:
            via = _FIXED[(n, es)][0] if (n, es) in _FIXED else "pX2"
        if (via == "pX2" and es != 2) or (via != "pX2" and _FIXED.get((n, es), ("",))[0] != via):
            raise NotImplementedError(f"posit<{n},{es}> is not SoftPosit's {via}")
        self.n, self.es, self.via = n, es, via
        self.x = n  # the size argument of the pX2 functions
        self.shift = 32 - n if via == "pX2" else 0
        t = "posit_2_t" if via == "pX2" else _FIXED[(n, es)][1]
        # The raw SWIG accessors: much faster than the proxy classes' attribute machinery.
        self._new, self._set, self._get = getattr(softposit, t), getattr(S, f"{t}_v_set"), getattr(S, f"{t}_v_get")
        self.dtype = dtype_for(n)
        self._structs = [self._build(c) for c in range(1 << n)] if n <= CACHE_MAX_N else None

    def _build(self, code: int):
        p = self._new()
        self._set(p, int(code) << self.shift)
        return p

    def make(self, code: int):
        """A SoftPosit struct holding the n-bit code (SoftPosit takes structs by value: reusable)."""
        if self._structs is not None:
            return self._structs[int(code)]
        return self._build(code)

    def bits(self, p) -> int:
        """The n-bit code of a SoftPosit struct (a pX2 result must have its low 32 - n bits clear)."""
        v = int(self._get(p))
        if v & ((1 << self.shift) - 1):
            raise AssertionError(f"SoftPosit pX2 (n={self.n}) returned {v:#010x} with nonzero bits below the code")
        return v >> self.shift

    def fn(self, name: str):
        """The SoftPosit C function `<family>_<name>` (p16_add, pX2_sqrt, ...)."""
        return getattr(S, f"{self.via}_{name}")

    def call(self, name: str, *codes) -> int:
        """The code of `<family>_<name>(structs...)`, passing n last for the pX2 family."""
        args = [self.make(c) for c in codes]
        if self.via == "pX2" and name not in ("eq", "lt", "le"):
            args.append(self.x)
        out = self.fn(name)(*args)
        return out if isinstance(out, bool) else self.bits(out)

    def from_f64(self, x: float) -> int:
        if self.via == "pX2":
            return self.bits(S.convertDoubleToPX2(float(x), self.x))
        return self.bits(getattr(S, f"convertDoubleTo{self.via.upper()}")(float(x)))

    def to_f64(self, code: int) -> float:
        name = "convertPX2ToDouble" if self.via == "pX2" else f"convert{self.via.upper()}ToDouble"
        return float(getattr(S, name)(self.make(code)))

    def quire(self) -> Quire:
        """A new, cleared quire of this format."""
        return Quire(self)


class Quire:
    """A SoftPosit quire: clear, q += a*b (fdp_add), q -= a*b (fdp_sub), round to a posit code."""

    def __init__(self, be: Backend):
        self.be = be
        self.prefix = "qX2" if be.via == "pX2" else "q" + be.via[1:]
        self.clear()

    def clear(self) -> None:
        self.q = getattr(S, f"{self.prefix}Clr")()

    def fdp_add(self, a: int, b: int) -> None:
        self.q = getattr(S, f"{self.prefix}_fdp_add")(self.q, self.be.make(a), self.be.make(b))

    def fdp_sub(self, a: int, b: int) -> None:
        self.q = getattr(S, f"{self.prefix}_fdp_sub")(self.q, self.be.make(a), self.be.make(b))

    def to_p(self) -> int:
        if self.be.via == "pX2":
            return self.be.bits(S.qX2_to_pX2(self.q, self.be.x))
        return self.be.bits(_Q_TO_P[self.be.via](self.q))


@cache
def backend(n: int, es: int, via: str | None = None) -> Backend:
    """The SoftPosit family computing posit<n,es> (via='pX2' forces posit_2 for posit<32,2>);
    one instance per format, so its table of structs is built once."""
    return Backend(n, es, via)


def _map(be: Backend, fn, *arrays) -> np.ndarray:
    cols = [np.asarray(a).ravel().tolist() for a in arrays]
    return np.array([fn(*xs) for xs in zip(*cols)], dtype=be.dtype)


def binary(op: str, n: int, es: int, a, b, via: str | None = None) -> np.ndarray:
    """SoftPosit's add, sub, mul or div of code arrays a, b."""
    if op not in ("add", "sub", "mul", "div"):
        raise ValueError(f"unknown binary op {op!r}")
    be = backend(n, es, via)
    return _map(be, lambda x, y: be.call(op, x, y), a, b)


def sqrt(n: int, es: int, a, via: str | None = None) -> np.ndarray:
    be = backend(n, es, via)
    return _map(be, lambda x: be.call("sqrt", x), a)


def fma(n: int, es: int, a, b, c, via: str | None = None) -> np.ndarray:
    """SoftPosit's mulAdd(a, b, c) = a * b + c, rounded once."""
    be = backend(n, es, via)
    return _map(be, lambda x, y, z: be.call("mulAdd", x, y, z), a, b, c)


def from_f64(n: int, es: int, x, via: str | None = None) -> np.ndarray:
    """convertDoubleToP8 / P16 / P32 / PX2 of float64 values."""
    be = backend(n, es, via)
    return np.array([be.from_f64(v) for v in np.asarray(x, dtype=np.float64).ravel().tolist()], dtype=be.dtype)


def to_f64(n: int, es: int, codes, via: str | None = None) -> np.ndarray:
    be = backend(n, es, via)
    return np.array([be.to_f64(c) for c in np.asarray(codes).ravel().tolist()], dtype=np.float64)


def convert(codes, n1: int, es1: int, n2: int, es2: int, via1: str | None = None,
            via2: str | None = None) -> np.ndarray:
    """SoftPosit's posit-to-posit conversions: p8/p16/p32 to each other, to and from pX2, pX2 to pX2."""
    src, dst = backend(n1, es1, via1), backend(n2, es2, via2)
    if src.via == dst.via and src.via != "pX2":
        raise ValueError("SoftPosit has no conversion of a format to itself")
    name = f"{src.via}_to_{dst.via}"
    fn = getattr(S, name)
    extra = (dst.x,) if dst.via == "pX2" else ()
    return _map(dst, lambda c: dst.bits(fn(src.make(c), *extra)), codes)


def compare(pred: str, n: int, es: int, a, b, via: str | None = None) -> np.ndarray:
    """SoftPosit's eq, lt, le (ne, gt, ge derived from them by negation or swapping operands)."""
    be = backend(n, es, via)
    base = {"eq": ("eq", False, False), "ne": ("eq", False, True), "lt": ("lt", False, False),
            "le": ("le", False, False), "gt": ("lt", True, False), "ge": ("le", True, False)}
    if pred not in base:
        raise ValueError(f"unknown predicate {pred!r}")
    name, swap, negate = base[pred]

    def one(x, y):
        out = be.call(name, *((y, x) if swap else (x, y)))
        return bool(out) != negate

    cols = [np.asarray(v).ravel().tolist() for v in (a, b)]
    return np.array([one(x, y) for x, y in zip(*cols)], dtype=bool)


def dot(n: int, es: int, a, b, subtract=None, via: str | None = None) -> int:
    """One quire dot product: clear, q += a_i * b_i (q -= where subtract[i] is true), round once."""
    q = backend(n, es, via).quire()
    sub = [False] * len(a) if subtract is None else list(subtract)
    for x, y, s in zip(np.asarray(a).tolist(), np.asarray(b).tolist(), sub):
        (q.fdp_sub if s else q.fdp_add)(x, y)
    return q.to_p()
