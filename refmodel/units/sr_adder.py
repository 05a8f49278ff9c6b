"""The stochastic-rounding adder: a + b in one format, its random bits from an LFSR
(docs/units.md, "SR adder").

    add = SrAdder("e6m9", rounding="sr", sr_bits=8, prng=Lfsr(seed=3))
    z, flags = add.cycle(a, b)                 # one step of the LFSR, then z = sr(a + b, R)
    trace = add.run(a_codes, b_codes)          # many additions at once: z, flags, lfsr, r

Each valid cycle the LFSR steps once and R is the low sr_bits bits of its new state; the sum is the
exact a + b rounded once by `refmodel.ops.add` (the one rounding engine) with that R.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import ops
from ..encodings import STOCHASTIC, overflow_code
from .fp_mac import as_minifloat, codes_array
from .lfsr import Lfsr


class SrAddTrace(NamedTuple):
    z: np.ndarray
    flags: np.ndarray
    lfsr: np.ndarray  # the LFSR state after each addition's step
    r: np.ndarray  # its low sr_bits bits: the R of that addition


class SrAdder:
    """Ports: valid, a, b (fmt codes). State: the LFSR. Outputs (registered): z, flags.

    rounding is one of sr (P3109 StochasticA), sr_b, sr_c; the prng defaults to the 32-bit LFSR."""

    def __init__(self, fmt, rounding: str = "sr", sr_bits: int = 8, overflow: str = "ieee", prng: Lfsr | None = None):
        if rounding not in STOCHASTIC:
            raise ValueError(f"the SR adder rounds stochastically: rounding must be one of {', '.join(STOCHASTIC)}, "
                             f"not {rounding!r}")
        overflow_code(overflow)
        self.fmt = as_minifloat(fmt, "fmt")
        self.prng = Lfsr() if prng is None else prng
        self.prng.check_bits(sr_bits)
        self.rounding, self.sr_bits, self.overflow = rounding, sr_bits, overflow
        self.z, self.flags = 0, 0

    def cycle(self, a: int, b: int, valid: bool = True) -> tuple[int, int]:
        """One clock: with valid, step the LFSR and add; the outputs hold otherwise."""
        if valid:
            r = self.prng.draw(self.sr_bits)
            z, flags = ops.add(self.fmt, int(a), int(b), self.rounding, self.overflow, r=r, sr_bits=self.sr_bits)
            self.z, self.flags = int(z), int(flags)
        return self.z, self.flags

    def run(self, a, b) -> SrAddTrace:
        """One addition per element (every cycle valid), the LFSR running on."""
        a, b = codes_array(self.fmt, a, "a").ravel(), codes_array(self.fmt, b, "b").ravel()
        if a.size != b.size:
            raise ValueError(f"a and b must have the same length, not {a.size} and {b.size}")
        lfsr = self.prng.states(a.size)
        r = lfsr & ((1 << self.sr_bits) - 1)
        z, flags = ops.add(self.fmt, a, b, self.rounding, self.overflow, r=r, sr_bits=self.sr_bits)
        if a.size:
            self.z, self.flags = int(z[-1]), int(flags[-1])
        return SrAddTrace(z, flags, lfsr, r)
