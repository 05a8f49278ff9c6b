"""The PRNG of the stochastic-rounding units: a bit-exact Galois LFSR (docs/units.md, "PRNG").

    prng = Lfsr()                      # 32 bits, taps 32,22,2,1, seed 1
    r = prng.draw(8)                   # one step; R = the low 8 bits of the new state
    rs = prng.draws(1000, 8)           # 1000 steps at once (numpy, for batches)

The rule the units follow: the LFSR steps once per stochastic rounding, before it, and the rounder
takes the low N = sr_bits bits of the new state. Deterministic roundings do not step it.
"""

from __future__ import annotations

import numpy as np

from ..encodings import MAX_SR_BITS
from ..kernels.lfsr import lfsr_states, lfsr_step

# Feedback polynomials of maximal period 2^w - 1, as the exponents of their nonzero terms other than
# the constant one (Xilinx XAPP052, "Efficient Shift Registers, LFSR Counters, and Long Pseudo-Random
# Sequence Generators", table 3); tests/test_units_lfsr.py proves each one maximal.
MAXIMAL_TAPS = {
    2: (2, 1), 3: (3, 2), 4: (4, 3), 5: (5, 3), 6: (6, 5), 7: (7, 6), 8: (8, 6, 5, 4), 9: (9, 5), 10: (10, 7),
    11: (11, 9), 12: (12, 6, 4, 1), 13: (13, 4, 3, 1), 14: (14, 5, 3, 1), 15: (15, 14), 16: (16, 15, 13, 4),
    17: (17, 14), 18: (18, 11), 19: (19, 6, 2, 1), 20: (20, 17), 21: (21, 19), 22: (22, 21), 23: (23, 18),
    24: (24, 23, 22, 17), 25: (25, 22), 26: (26, 6, 2, 1), 27: (27, 5, 2, 1), 28: (28, 25), 29: (29, 27),
    30: (30, 6, 4, 1), 31: (31, 28), 32: (32, 22, 2, 1),
}
DEFAULT_WIDTH = 32
DEFAULT_SEED = 1
MAX_WIDTH = 32


def taps_mask(taps) -> int:
    """The Galois XOR mask of a tap list: bit k-1 for each tap k."""
    mask = 0
    for k in taps:
        mask |= 1 << (k - 1)
    return mask


def parse_taps(text: str) -> tuple[int, ...]:
    """'32,22,2,1' -> (32, 22, 2, 1): the form of --lfsr-taps and of the vector metadata."""
    try:
        return tuple(int(k) for k in text.split(","))
    except ValueError:
        raise ValueError(f"LFSR taps {text!r} are not a comma-separated list of integers") from None


class Lfsr:
    """A w-bit Galois LFSR: state (never 0), taps, and the step rule of docs/units.md.

    Ports of the RTL module: a step enable (one per stochastic rounding) and the state output,
    whose low N bits are the random integer R of the rounder it feeds.
    """

    def __init__(self, width: int = DEFAULT_WIDTH, taps=None, seed: int = DEFAULT_SEED):
        if not 2 <= width <= MAX_WIDTH:
            raise ValueError(f"LFSR width must be in 2..{MAX_WIDTH}, not {width}")
        taps = MAXIMAL_TAPS[width] if taps is None else tuple(int(k) for k in taps)
        if max(taps) != width or min(taps) < 1 or len(set(taps)) != len(taps):
            raise ValueError(f"LFSR taps {taps} must be distinct, in 1..{width}, and include {width}")
        if not 0 < seed < (1 << width):
            raise ValueError(f"LFSR seed must be in 1..2^{width}-1 (0 locks the register), not {seed}")
        self.width = width
        self.taps = tuple(sorted(taps, reverse=True))
        self.mask = taps_mask(taps)
        self.seed = seed
        self.state = seed

    def __repr__(self) -> str:
        return f"Lfsr(width={self.width}, taps={self.taps}, seed={self.seed:#x}, state={self.state:#x})"

    def check_bits(self, sr_bits: int) -> None:
        """N random bits must come from the state: 1 <= N <= min(width, 32)."""
        if not 1 <= sr_bits <= min(self.width, MAX_SR_BITS):
            raise ValueError(f"sr_bits must be in 1..{min(self.width, MAX_SR_BITS)} for a {self.width}-bit LFSR, "
                             f"not {sr_bits}")

    def reset(self) -> None:
        self.state = self.seed

    def step(self) -> int:
        """Advance one step; return the new state."""
        self.state = int(lfsr_step(self.state, self.mask))
        return self.state

    def draw(self, sr_bits: int) -> int:
        """One step for one rounding: the low sr_bits bits of the new state."""
        return self.step() & ((1 << sr_bits) - 1)

    def states(self, n: int) -> np.ndarray:
        """Advance n steps; return the n new states (int64)."""
        out = lfsr_states(self.state, self.mask, n)
        if n:
            self.state = int(out[-1])
        return out

    def draws(self, n: int, sr_bits: int) -> np.ndarray:
        """n steps for n roundings: the low sr_bits bits of each new state (int64)."""
        return self.states(n) & ((1 << sr_bits) - 1)
