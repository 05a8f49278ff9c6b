"""The quire: an exact two's-complement fixed-point accumulator for posit dot products.

A quire of layout `QuireParams` holds value = (two's-complement integer of its `bits` bits) *
2^-frac_bits (2022 standard section 3.4; SoftPosit's layout with n - 1 carry bits). Here it is an
int64 array of 32-bit limbs, least significant first, holding that integer sign-extended to at
least one bit more than the layout: every single addition of a product or a posit then fits the
storage, and a result outside the layout's range (carry overflow) is detected exactly and turns
the quire into NaR. NaR is kept as a separate flag beside the limbs.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from .mul import product_exact
from .posit import NAR, posit_round_pack, posit_unpack
from .unpack import ZERO

LIMB = 32
LIMB_MASK = (1 << LIMB) - 1


def storage_limbs(qp) -> int:
    """32-bit limbs holding the layout's bits plus at least one guard bit."""
    return (qp.bits + LIMB) // LIMB


@njit(cache=True)
def _in_range(q, qbits):
    """Whether the stored integer lies in (-2^(qbits-1), 2^(qbits-1)): bits qbits-1 and up all
    equal the sign, and it is not -2^(qbits-1) (the NaR pattern)."""
    top = q.size - 1
    negative = (q[top] >> (LIMB - 1)) & 1
    fill = LIMB_MASK if negative else 0
    first = (qbits - 1) // LIMB
    for j in range(first + 1, q.size):
        if q[j] != fill:
            return False
    low = (qbits - 1) % LIMB
    if (q[first] >> low) != (fill >> low):
        return False
    if not negative:
        return True
    if q[first] & ((1 << low) - 1):  # more negative bits below: not the NaR pattern
        return True
    for j in range(first):
        if q[j]:
            return True
    return False


@njit(cache=True)
def quire_add(q, qp, negative, exp, sig):
    """q += (-1)^negative * sig * 2^exp exactly (sig < 2^62, exp >= -frac_bits); returns False on
    carry overflow (the caller makes the quire NaR)."""
    pos = exp + qp.frac_bits
    idx, off = pos // LIMB, pos % LIMB
    lo = sig & ((1 << (LIMB - off)) - 1)
    rest = sig >> (LIMB - off)
    words = ((lo << off), rest & LIMB_MASK, rest >> LIMB)
    carry = 0
    for j in range(idx, q.size):
        k = j - idx
        w = words[k] if k < 3 else 0
        if negative:
            t = q[j] - w - carry
            carry = 1 if t < 0 else 0
        else:
            t = q[j] + w + carry
            carry = t >> LIMB
        q[j] = t & LIMB_MASK
        if k >= 2 and carry == 0:
            break
    for k in range(max(q.size - idx, 0), 3):  # parts of the addend beyond the storage
        if words[k]:
            return False
    return _in_range(q, qp.bits)


@njit(cache=True)
def quire_negate(q):
    carry = 1
    for j in range(q.size):
        t = ((~q[j]) & LIMB_MASK) + carry
        carry = t >> LIMB
        q[j] = t & LIMB_MASK


@njit(cache=True)
def quire_fdp(q, qp, pp, a, b, subtract):
    """q +- a * b for posit codes a, b (qMulAdd, qMulSub); False when the quire becomes NaR."""
    ca, na, ea, sa = posit_unpack(pp, a)
    cb, nb, eb, sb = posit_unpack(pp, b)
    if ca == NAR or cb == NAR:
        return False
    if ca == ZERO or cb == ZERO:
        return True
    _, negative, exp, sig, _ = product_exact(ca, na, ea, sa, cb, nb, eb, sb)
    return quire_add(q, qp, negative != subtract, exp, sig)


@njit(cache=True)
def quire_add_posit(q, qp, pp, a, subtract):
    """q +- a for a posit code a (qAddP, qSubP); False when the quire becomes NaR."""
    ca, na, ea, sa = posit_unpack(pp, a)
    if ca == NAR:
        return False
    if ca == ZERO:
        return True
    return quire_add(q, qp, na != subtract, ea, sa)


@njit(cache=True)
def quire_to_posit(q, qp, pp, mode, r, sr_bits):
    """The quire's value rounded once into posit pp (qToP)."""
    negative = (q[q.size - 1] >> (LIMB - 1)) & 1
    # The magnitude, limb by limb: -q = ~q + 1, the +1 carrying through limbs where q is 0.
    carry = 1
    top = -1
    mag = np.empty(q.size, np.int64)
    for j in range(q.size):
        if negative:
            t = ((~q[j]) & LIMB_MASK) + carry
            carry = t >> LIMB
            mag[j] = t & LIMB_MASK
        else:
            mag[j] = q[j]
        if mag[j]:
            top = j
    if top < 0:
        return 0
    lead = LIMB * top + 63 - leading_zeros(mag[top])
    shift = max(lead - 62, 0)  # the lowest bit kept in sig, whose leading one is at bit 62 (or lower)
    sig = 0
    sticky = False
    for j in range(top + 1):
        at = LIMB * j - shift
        if at >= 0:
            sig |= mag[j] << at
        elif at > -LIMB:
            sig |= mag[j] >> -at
            sticky = sticky or (mag[j] & ((1 << -at) - 1)) != 0
        else:
            sticky = sticky or mag[j] != 0
    return posit_round_pack(pp, negative != 0, shift - qp.frac_bits, sig, sticky, mode, r, sr_bits)
