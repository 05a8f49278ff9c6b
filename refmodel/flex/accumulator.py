"""The MAC's accumulator register: exact (64 bits, never overflowing within its length bound), or a
narrower two's-complement register of acc_bits that wraps or saturates after every addition.

Exact bound: a product of two N-bit mantissas is at most (-2^(N-1))^2 = 2^(2N-2) in magnitude, so
L products sum to at most L * 2^(2N-2), which fits int64 iff L <= (2^63 - 1) >> (2N - 2):
for flex16, L <= 2^33 - 1 (8.6e9 terms). An RTL accumulator of 2N + floor(log2 L) bits holds the
same exact sums (64 bits for flex16 and L < 2^33).
"""

from __future__ import annotations

from numba import njit

from ..formats import Flex

EXACT, WRAP, SAT = 0, 1, 2
ACC_OVERFLOW = {"wrap": WRAP, "sat": SAT}
# A narrow register plus one product (at most 2^62 for N = 32) must not overflow int64.
MIN_ACC_BITS, MAX_ACC_BITS = 2, 62


def max_exact_terms(f: Flex) -> int:
    """The longest dot product whose exact sum always fits the 64-bit exact accumulator."""
    return (2**63 - 1) >> (2 * f.mant_bits - 2)


def acc_args(acc_bits: int | None, acc_overflow: str) -> tuple[int, int]:
    """(mode, bits) for the kernels: acc_bits None is the exact accumulator."""
    if acc_overflow not in ACC_OVERFLOW:
        raise ValueError(f"acc_overflow must be one of {', '.join(ACC_OVERFLOW)}, not {acc_overflow!r}")
    if acc_bits is None:
        return EXACT, 64
    if not MIN_ACC_BITS <= acc_bits <= MAX_ACC_BITS:
        raise ValueError(f"acc_bits must be in {MIN_ACC_BITS}..{MAX_ACC_BITS} (or None for exact), not {acc_bits}")
    return ACC_OVERFLOW[acc_overflow], acc_bits


def check_length(f: Flex, length: int, acc_mode: int) -> None:
    if acc_mode == EXACT and length > max_exact_terms(f):
        raise ValueError(f"{length} products of {f.name} mantissas may overflow the 64-bit exact accumulator "
                         f"(at most {max_exact_terms(f)}); give acc_bits to model a narrower register")


@njit(cache=True)
def fit_acc(x, acc_bits, acc_mode):
    """The register's new value for the exact sum x of its old value and a product."""
    if acc_mode == EXACT:
        return x
    half = 1 << (acc_bits - 1)
    if acc_mode == WRAP:
        return ((x + half) & ((half << 1) - 1)) - half
    if x >= half:
        return half - 1
    if x < -half:
        return -half
    return x
