"""What every generator shares: the seeded random streams and the size limit of exhaustive sets."""

from __future__ import annotations

import numpy as np

from ..kernels.splitmix import GOLDEN_GAMMA, splitmix64

MAX_EXHAUSTIVE = 1 << 26  # vectors: every operand combination up to 26 bits in all


def stream(seed: int, purpose: int, n: int, start: int = 0) -> np.ndarray:
    """n uint64 values of the SplitMix64 stream for (seed, purpose), from position start on.
    SplitMix64's state after i steps is the start state plus i times its gamma, so a chunk of the
    stream starts there and is the same as the slice of the whole stream."""
    state = (((seed << 8) | purpose) + start * int(GOLDEN_GAMMA)) & (2**64 - 1)
    return splitmix64(np.uint64(state), n)


def check_exhaustive(req, bits: int) -> None:
    if 1 << bits > MAX_EXHAUSTIVE:
        raise ValueError(f"exhaustive {req.op} on {req.fmt.name} is 2^{bits} vectors: use --mode edge or random")
