"""SplitMix64 (Steele, Lea, Flood 2014): the random stream of the vector generators.

Chosen because its output is fixed by the seed alone, forever, on every platform and numpy
version (numpy's Generator methods make no such promise), so `make vectors` is byte-identical.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True)
def splitmix64(seed, n):
    """n 64-bit outputs of SplitMix64 started from state `seed` (uint64)."""
    out = np.empty(n, np.uint64)
    state = np.uint64(seed)
    for i in range(n):
        state += GOLDEN_GAMMA
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out[i] = z ^ (z >> np.uint64(31))
    return out
