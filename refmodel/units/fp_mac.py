"""Floating-point MAC units, cycle by cycle (docs/units.md, "FP MAC" and "Chunk-based MAC").

    mac = FpMac("e5m2", "e6m9")                              # fused, exact alignment, rne
    mac.cycle(a, b, clear=True)                             # acc = +0 + a*b
    acc, flags = mac.cycle(a2, b2)                          # acc = acc + a2*b2, flags sticky
    mac = FpMac("e5m2", "e6m9", rounding="sr", sr_bits=8, prng=Lfsr(seed=7))
    trace = mac.run(a, b, clear=clear, valid=valid)         # many cycles at once (Numba)
    two = ChunkedMac("e5m2", "e6m9", chunk=64)              # IBM's chunk-based accumulation

Options shared by every MAC (`MacConfig`): rounding, overflow, sr_bits, product_fmt (cascaded: the
product is rounded into it first; None: fused), align_width (W: the adder keeps W bits below the
larger operand's leading bit; None: exact), sticky (bits below the window jammed into a sticky bit
instead of truncated). The classes call the same kernels (refmodel.kernels.mac) as the batch paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..encodings import MAX_SR_BITS, STOCHASTIC, overflow_code, rounding_code
from ..formats import Minifloat, parse_format
from ..kernels.mac import EXACT, MacParams, chunk_cycle, chunk_trace, draw_ports, ends_chunk, mac_cycle, mac_trace
from .lfsr import Lfsr

# The aligned sum has W + 3 bits (the window, a sticky bit, a carry); the engine takes up to 62.
MAX_ALIGN_WIDTH = 58


def as_minifloat(fmt, what: str) -> Minifloat:
    f = fmt if isinstance(fmt, Minifloat) else parse_format(fmt)
    if not isinstance(f, Minifloat):
        raise ValueError(f"{what}: {f.name} is not a minifloat format")
    return f


def codes_array(f: Minifloat, codes, what: str) -> np.ndarray:
    """Codes checked to fit format f, as int64 (what the kernels take)."""
    arr = np.asarray(codes)
    if arr.dtype.kind not in "ui":
        raise TypeError(f"{what}: codes of {f.name} must be integers, not {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= (1 << f.bits)):
        raise ValueError(f"{what}: a code does not fit the {f.bits}-bit format {f.name}")
    return arr


def _flags_array(x, n: int) -> np.ndarray:
    """A per-cycle control input (clear, valid, last) as a bool array of length n."""
    return np.broadcast_to(np.asarray(x, bool), (n,)).copy()


@dataclass(frozen=True)
class MacConfig:
    """The datapath of one MAC step: acc + a * b, rounded once (fused) or twice (cascaded)."""

    in_fmt: Minifloat
    acc_fmt: Minifloat
    rounding: str = "rne"
    overflow: str = "ieee"
    sr_bits: int = 8
    product_fmt: Minifloat | None = None
    align_width: int | None = None
    sticky: bool = False

    @classmethod
    def make(cls, in_fmt, acc_fmt, rounding="rne", overflow="ieee", sr_bits=8, product_fmt=None,
             align_width=None, sticky=False) -> MacConfig:
        """A checked configuration from format names or descriptors."""
        cfg = cls(as_minifloat(in_fmt, "in_fmt"), as_minifloat(acc_fmt, "acc_fmt"), rounding, overflow, sr_bits,
                  None if product_fmt is None else as_minifloat(product_fmt, "product_fmt"), align_width, sticky)
        cfg.check()
        return cfg

    @property
    def cascade(self) -> bool:
        return self.product_fmt is not None

    @property
    def stochastic(self) -> bool:
        return self.rounding in STOCHASTIC

    @property
    def min_align_width(self) -> int:
        """The narrowest window that holds either operand whole: the widest significand minus one."""
        product_bits = self.product_fmt.precision if self.cascade else 2 * self.in_fmt.precision
        return max(product_bits, self.acc_fmt.precision) - 1

    def check(self) -> None:
        rounding_code(self.rounding)
        overflow_code(self.overflow)
        if self.stochastic and not 1 <= self.sr_bits <= MAX_SR_BITS:
            raise ValueError(f"sr_bits must be in 1..{MAX_SR_BITS} for rounding {self.rounding!r}, not {self.sr_bits}")
        if not self.acc_fmt.has_zero:
            raise ValueError(f"acc_fmt {self.acc_fmt.name} has no zero to start an accumulation from")
        if self.align_width is None:
            if self.sticky:
                raise ValueError("sticky applies to a limited alignment width: give align_width too")
        elif not self.min_align_width <= self.align_width <= MAX_ALIGN_WIDTH:
            raise ValueError(f"align_width must be in {self.min_align_width}..{MAX_ALIGN_WIDTH} for these formats "
                             f"(the window must hold each operand whole), not {self.align_width}")

    def params(self, chunk: int = 0, second_fmt: Minifloat | None = None) -> MacParams:
        second = second_fmt or self.acc_fmt
        return MacParams(self.in_fmt.params, (self.product_fmt or self.acc_fmt).params, self.acc_fmt.params,
                         second.params, int(self.cascade), EXACT if self.align_width is None else self.align_width,
                         int(self.sticky), chunk, rounding_code(self.rounding),
                         self.sr_bits if self.stochastic else 0, overflow_code(self.overflow))

    def prng_for(self, prng: Lfsr | None, need: bool) -> tuple[int, int]:
        """(mask, state) of the PRNG feeding the batch kernels; (0, 0) in deterministic modes."""
        if not self.stochastic:
            return 0, 0
        if prng is None:
            if need:
                raise ValueError(f"rounding {self.rounding!r} draws its random bits from a PRNG: pass prng=Lfsr(...)")
            return 0, 0
        prng.check_bits(self.sr_bits)
        return prng.mask, prng.state

    def check_r(self, *rs: int) -> None:
        """Random integers driven on the ports fit in sr_bits (unused in deterministic modes)."""
        for r in rs if self.stochastic else ():
            if not 0 <= r < (1 << self.sr_bits):
                raise ValueError(f"r must be in 0..2^{self.sr_bits}-1, not {r}")


class MacTrace(NamedTuple):
    """Per cycle: the registers after the clock edge, the LFSR state and the random integers used."""

    acc: np.ndarray
    flags: np.ndarray
    lfsr: np.ndarray
    r_prod: np.ndarray
    r: np.ndarray


class FpMac:
    """A single-level MAC: acc <- acc + a * b each valid cycle, flags sticky since the last clear.

    Ports (inputs per cycle): clear, valid, a, b (in_fmt codes), r_prod and r (random integers of the
    product and accumulate roundings, driven by `prng` when one is given). State and outputs: acc
    (acc_fmt code, +0 after reset), flags (5-bit OR of every step's flags since clear).
    """

    def __init__(self, in_fmt, acc_fmt, *, prng: Lfsr | None = None, **options):
        self.config = MacConfig.make(in_fmt, acc_fmt, **options)
        self.params = self.config.params()
        self.prng = prng
        self.config.prng_for(prng, need=False)
        self.reset()

    def reset(self) -> None:
        self.acc, self.flags = 0, 0

    def cycle(self, a: int = 0, b: int = 0, *, clear: bool = False, valid: bool = True, r_prod: int = 0,
              r: int = 0) -> tuple[int, int]:
        """One clock: returns (acc, flags) after the edge."""
        cfg = self.config
        if cfg.stochastic and self.prng is not None:
            mask, state = cfg.prng_for(self.prng, need=True)
            state, r_prod, r, _ = draw_ports(self.params, mask, state, valid, False)
            self.prng.state = int(state)
        cfg.check_r(r_prod, r)
        a, b = (int(codes_array(cfg.in_fmt, x, name)) for x, name in ((a, "a"), (b, "b")))
        acc, flags = mac_cycle(self.params, self.acc, self.flags, bool(clear), bool(valid), a, b, r_prod, r)
        self.acc, self.flags = int(acc), int(flags)
        return self.acc, self.flags

    def run(self, a, b, clear=False, valid=True) -> MacTrace:
        """Many cycles at once from the current state; stochastic modes need the prng."""
        cfg = self.config
        a, b = codes_array(cfg.in_fmt, a, "a").ravel(), codes_array(cfg.in_fmt, b, "b").ravel()
        n = a.size
        mask, state = cfg.prng_for(self.prng, need=True)
        acc, flags, lfsr, r_prod, r = mac_trace(self.params, mask, state, self.acc, self.flags,
                                                _flags_array(clear, n), _flags_array(valid, n), a, b)
        if n:
            self.acc, self.flags = int(acc[-1]), int(flags[-1])
            if self.prng is not None and cfg.stochastic:
                self.prng.state = int(lfsr[-1])
        return MacTrace(acc, flags, lfsr, r_prod, r)


class ChunkTrace(NamedTuple):
    acc: np.ndarray
    total: np.ndarray
    flags: np.ndarray
    lfsr: np.ndarray
    r_prod: np.ndarray
    r: np.ndarray
    r_sum: np.ndarray


class ChunkedMac:
    """Chunk-based accumulation (IBM FP8 training): a MAC whose chunk register sums `chunk` products
    from +0 in acc_fmt, and a second level that accumulates the chunk results in order in second_fmt.

    Ports: clear, valid, last (this product ends the dot: commit the partial chunk), a, b, r_prod,
    r, r_sum (the commit's rounding). State and outputs: acc (chunk register), total (second level,
    second_fmt code), flags (OR since clear); internal: count (products in the open chunk), first
    (no chunk committed since clear: the next commit loads the total instead of adding to it).
    chunk = 0: one chunk, committed only by last.
    """

    def __init__(self, in_fmt, acc_fmt, chunk: int, *, second_fmt=None, prng: Lfsr | None = None, **options):
        self.config = MacConfig.make(in_fmt, acc_fmt, **options)
        if chunk < 0:
            raise ValueError(f"chunk must be a number of products (0: one chunk), not {chunk}")
        self.second_fmt = self.config.acc_fmt if second_fmt is None else as_minifloat(second_fmt, "second_fmt")
        if not self.second_fmt.has_zero:
            raise ValueError(f"second_fmt {self.second_fmt.name} has no zero to start from")
        self.chunk = chunk
        self.params = self.config.params(chunk, self.second_fmt)
        self.prng = prng
        self.config.prng_for(prng, need=False)
        self.reset()

    def reset(self) -> None:
        self.acc, self.count, self.total, self.first, self.flags = 0, 0, 0, True, 0

    def _state(self):
        return self.acc, self.count, self.total, self.first, self.flags

    def cycle(self, a: int = 0, b: int = 0, *, clear: bool = False, valid: bool = True, last: bool = False,
              r_prod: int = 0, r: int = 0, r_sum: int = 0) -> tuple[int, int, int]:
        """One clock: returns (acc, total, flags) after the edge."""
        cfg = self.config
        if cfg.stochastic and self.prng is not None:
            mask, state = cfg.prng_for(self.prng, need=True)
            commits = valid and ends_chunk(self.params, 0 if clear else self.count, last)
            state, r_prod, r, r_sum = draw_ports(self.params, mask, state, valid, commits)
            self.prng.state = int(state)
        cfg.check_r(r_prod, r, r_sum)
        a, b = (int(codes_array(cfg.in_fmt, x, name)) for x, name in ((a, "a"), (b, "b")))
        out = chunk_cycle(self.params, *self._state(), bool(clear), bool(valid), bool(last), a, b, r_prod, r, r_sum)
        self.acc, self.count, self.total, self.first, self.flags = (int(out[0]), int(out[1]), int(out[2]),
                                                                     bool(out[3]), int(out[4]))
        return self.acc, self.total, self.flags

    def run(self, a, b, clear=False, valid=True, last=False) -> ChunkTrace:
        """Many cycles at once from the current state; stochastic modes need the prng."""
        cfg = self.config
        a, b = codes_array(cfg.in_fmt, a, "a").ravel(), codes_array(cfg.in_fmt, b, "b").ravel()
        n = a.size
        mask, state = cfg.prng_for(self.prng, need=True)
        *trace, count, first = chunk_trace(self.params, mask, state, *self._state(), _flags_array(clear, n),
                                           _flags_array(valid, n), _flags_array(last, n), a, b)
        out = ChunkTrace(*trace)
        if n:
            self.acc, self.count, self.total = int(out.acc[-1]), int(count), int(out.total[-1])
            self.first, self.flags = bool(first), int(out.flags[-1])
            if self.prng is not None and cfg.stochastic:
                self.prng.state = int(out.lfsr[-1])
        return out
