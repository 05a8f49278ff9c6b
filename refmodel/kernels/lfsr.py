"""The Galois LFSR that feeds stochastic rounding: one step, and runs of steps.

Right-shifting Galois form (docs/units.md): the state's bit 0 leaves; the state shifts right by
one; if the bit that left was 1, the tap mask is XORed in. The mask holds bit k-1 for each tap k
of the feedback polynomial x^w + ... + 1, so tap w (always present) puts the bit that left back
at the top.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def lfsr_step(state, mask):
    """The state after one step."""
    if state & 1:
        return (state >> 1) ^ mask
    return state >> 1


@njit(cache=True)
def lfsr_draw(state, mask, sr_bits):
    """One step for one rounding: (new state, its low sr_bits bits: the rounder's R)."""
    state = lfsr_step(state, mask)
    return state, state & ((1 << sr_bits) - 1)


@njit(cache=True)
def lfsr_states(state, mask, n):
    """The states after each of n steps from `state`."""
    out = np.empty(n, np.int64)
    for i in range(n):
        state = lfsr_step(state, mask)
        out[i] = state
    return out
