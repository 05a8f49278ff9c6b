"""What every generator shares: the seeded random streams and the size limit of exhaustive sets."""

from __future__ import annotations

import numpy as np

from ..kernels.splitmix import splitmix64

MAX_EXHAUSTIVE = 1 << 26  # vectors: every operand combination up to 26 bits in all


def stream(seed: int, purpose: int, n: int) -> np.ndarray:
    """n uint64 values of the SplitMix64 stream for (seed, purpose)."""
    return splitmix64(np.uint64(((seed << 8) | purpose) & (2**64 - 1)), n)


def check_exhaustive(req, bits: int) -> None:
    if 1 << bits > MAX_EXHAUSTIVE:
        raise ValueError(f"exhaustive {req.op} on {req.fmt.name} is 2^{bits} vectors: use --mode edge or random")
