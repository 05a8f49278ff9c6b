"""MAC datapath kernels: one multiply-accumulate step, the chunk-based two-level accumulator, and
batch loops over them (docs/units.md is the contract).

A step computes the exact product (`product_exact`), rounds it into a product format when the MAC
is cascaded, adds it to the accumulator exactly (`sum_exact`) or through an adder that keeps only
W bits below the larger operand's leading bit (`aligned_sum`), and ends in `pack_exact`: the one
rounding engine. Random integers for stochastic rounding enter as ports (r_prod, r, r_sum); the
batch loops draw them from the LFSR, once per rounding, in datapath order (`draw_ports`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..encodings import NV, RDN, SR
from ..formats import FloatParams
from .convert import convert
from .exact import _lead, pack_exact, sum_exact
from .lfsr import lfsr_draw
from .mul import product_exact
from .rounding import pack_nan
from .unpack import FINITE, QNAN, SNAN, ZERO, unpack

EXACT = -1  # align_width of an adder that keeps every bit


class MacParams(NamedTuple):
    """Everything a MAC kernel needs to know, as integers and format parameters."""

    pin: FloatParams  # operands a, b
    pprod: FloatParams  # cascaded: the format the product is rounded into (fused: unused)
    pacc: FloatParams  # the accumulator (a chunk's accumulator in the two-level unit)
    psecond: FloatParams  # the second level: chunk results accumulate in it
    cascade: int
    align_width: int  # W, or EXACT
    sticky: int  # 1: bits below the window are jammed into a sticky bit; 0: truncated
    chunk: int  # products per chunk; 0: one chunk, ended only by `last`
    mode: int
    sr_bits: int
    overflow: int


@njit(cache=True)
def aligned_sum(na, ea, sa, nb, eb, sb, width, sticky, mode):
    """x + y for finite nonzero x, y through an adder of W = width bits below the larger leading bit.

    Both operands are aligned to the window [lead - W, lead], lead the larger leading-bit position;
    the bits of the smaller one below the window are dropped, or (sticky) replaced by one bit just
    below the window when any of them is nonzero. The caller guarantees that the window holds the
    larger operand whole (W >= its significand width - 1). The sum of the aligned operands is exact:
    (cls, negative, exp, sig, flags) as `sum_exact` returns it.
    """
    if ea + _lead(sa) < eb + _lead(sb):  # x is the operand with the higher leading one
        na, ea, sa, nb, eb, sb = nb, eb, sb, na, ea, sa
    base = ea + _lead(sa) - width - 1  # the sticky bit's position, one below the window
    sx = sa << (ea - base)
    d = eb - base
    if d >= 1:  # y lies inside the window
        sy = sb << d
    else:
        k = 1 - d  # bits of y below the window
        if k < 63:
            kept, lost = sb >> k, (sb & ((1 << k) - 1)) != 0
        else:
            kept, lost = 0, True
        sy = (kept << 1) | (1 if (sticky and lost) else 0)
    if na == nb:
        return FINITE, na, base, sx + sy, 0
    s = sx - sy
    if s == 0:  # only when nothing was dropped: y's lost bits make |y| < 2^lead <= |x|
        return ZERO, mode == RDN, 0, 0, 0
    if s < 0:
        return FINITE, nb, base, -s, 0
    return FINITE, na, base, s, 0


@njit(cache=True)
def accumulate(p, cx, nx, ex, sx, flags, acc, width, sticky, mode, r, sr_bits, overflow):
    """x + acc rounded once into p: x exact (a product, or a decoded code), acc a code of p.
    flags already raised for x (NV, or a cascaded product's rounding flags) are kept."""
    cc, nc, ec, sc = unpack(p, acc)
    if cx >= QNAN or cc >= QNAN:
        code, f = pack_nan(p, False)
        return code, f | flags | (NV if (cx == SNAN or cc == SNAN) else 0)
    if width != EXACT and cx == FINITE and cc == FINITE:
        cls, negative, exp, sig, f = aligned_sum(nx, ex, sx, nc, ec, sc, width, sticky, mode)
    else:  # an operand is zero or infinite: nothing to align
        cls, negative, exp, sig, f = sum_exact(cx, nx, ex, sx, cc, nc, ec, sc, mode)
    return pack_exact(p, cls, negative, exp, sig, flags | f, mode, r, sr_bits, overflow)


@njit(cache=True)
def mac_step(m, acc, a, b, r_prod, r):
    """acc + a * b into the accumulator format: fused (one rounding) or cascaded (the product first
    rounded into m.pprod, with random integer r_prod). Returns (acc, flags)."""
    ca, na, ea, sa = unpack(m.pin, a)
    cb, nb, eb, sb = unpack(m.pin, b)
    cp, neg, ep, sp, flags = product_exact(ca, na, ea, sa, cb, nb, eb, sb)
    if m.cascade:  # rounded as `convert` would round it: NaN and Inf follow the product format's rules
        code, flags = pack_exact(m.pprod, cp, neg, ep, sp, flags, m.mode, r_prod, m.sr_bits, m.overflow)
        cp, neg, ep, sp = unpack(m.pprod, code)
    return accumulate(m.pacc, cp, neg, ep, sp, flags, acc, m.align_width, m.sticky, m.mode, r, m.sr_bits,
                      m.overflow)


@njit(cache=True)
def commit(m, total, first, chunk_acc, r_sum):
    """A chunk's result into the second level: loaded (rounded into m.psecond) when it is the first
    chunk since clear, else added to the total with one rounding. Returns (total, flags)."""
    if first:
        return convert(m.pacc, m.psecond, chunk_acc, m.mode, r_sum, m.sr_bits, m.overflow)
    cx, nx, ex, sx = unpack(m.pacc, chunk_acc)
    return accumulate(m.psecond, cx, nx, ex, sx, 0, total, EXACT, 0, m.mode, r_sum, m.sr_bits, m.overflow)


@njit(cache=True)
def ends_chunk(m, count, last):
    """Whether a valid product ends its chunk (count: products already in the chunk)."""
    return last or count + 1 == m.chunk


@njit(cache=True)
def draw_ports(m, mask, lfsr, valid, commits):
    """The random integers of one cycle from the LFSR: one step per stochastic rounding, in datapath
    order (product, accumulate, commit). Returns (lfsr, r_prod, r, r_sum); 0 for unused ports."""
    r_prod = r = r_sum = 0
    if valid and m.mode >= SR:
        if m.cascade:
            lfsr, r_prod = lfsr_draw(lfsr, mask, m.sr_bits)
        lfsr, r = lfsr_draw(lfsr, mask, m.sr_bits)
        if commits:
            lfsr, r_sum = lfsr_draw(lfsr, mask, m.sr_bits)
    return lfsr, r_prod, r, r_sum


@njit(cache=True)
def mac_cycle(m, acc, flags, clear, valid, a, b, r_prod, r):
    """One cycle of the single-level MAC: clear starts from +0 with no flags; valid accumulates a * b.
    Returns the registers (acc, flags) after the clock edge."""
    if clear:
        acc, flags = 0, 0
    if valid:
        acc, f = mac_step(m, acc, a, b, r_prod, r)
        flags |= f
    return acc, flags


@njit(cache=True)
def chunk_cycle(m, acc, count, total, first, flags, clear, valid, last, a, b, r_prod, r, r_sum):
    """One cycle of the two-level (chunk-based) MAC; returns (acc, count, total, first, flags).

    clear empties both levels. A valid product accumulates into the chunk register; the product that
    ends a chunk (the chunk-th since the last commit, or one marked last) commits the chunk's result to
    the second level in the same cycle, and the chunk register restarts at +0.
    """
    if clear:
        acc, count, total, first, flags = 0, 0, 0, True, 0
    if valid:
        acc, f = mac_step(m, acc, a, b, r_prod, r)
        flags |= f
        if ends_chunk(m, count, last):
            total, f = commit(m, total, first, acc, r_sum)
            flags |= f
            acc, count, first = 0, 0, False
        else:
            count += 1
    return acc, count, total, first, flags


@njit(cache=True)
def mac_trace(m, mask, lfsr, acc, flags, clear, valid, a, b):
    """Cycles of the single-level MAC from registers (acc, flags), random integers from the LFSR.
    Returns per-cycle acc, flags, LFSR state after the cycle, r_prod, r."""
    n = a.size
    acc_o, flags_o = np.empty(n, np.int64), np.empty(n, np.uint8)
    lfsr_o, rp_o, r_o = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    for i in range(n):
        lfsr, r_prod, r, _ = draw_ports(m, mask, lfsr, valid[i], False)
        acc, flags = mac_cycle(m, acc, flags, clear[i], valid[i], a[i], b[i], r_prod, r)
        acc_o[i], flags_o[i], lfsr_o[i], rp_o[i], r_o[i] = acc, flags, lfsr, r_prod, r
    return acc_o, flags_o, lfsr_o, rp_o, r_o


@njit(cache=True)
def chunk_trace(m, mask, lfsr, acc, count, total, first, flags, clear, valid, last, a, b):
    """Cycles of the two-level MAC; per-cycle acc, total, flags, LFSR state, r_prod, r, r_sum, and
    the final (count, first)."""
    n = a.size
    acc_o, total_o, flags_o = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.uint8)
    lfsr_o, rp_o, r_o, rs_o = (np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64),
                               np.empty(n, np.int64))
    for i in range(n):
        commits = valid[i] and ends_chunk(m, 0 if clear[i] else count, last[i])
        lfsr, r_prod, r, r_sum = draw_ports(m, mask, lfsr, valid[i], commits)
        acc, count, total, first, flags = chunk_cycle(m, acc, count, total, first, flags, clear[i], valid[i],
                                                      last[i], a[i], b[i], r_prod, r, r_sum)
        acc_o[i], total_o[i], flags_o[i] = acc, total, flags
        lfsr_o[i], rp_o[i], r_o[i], rs_o[i] = lfsr, r_prod, r, r_sum
    return acc_o, total_o, flags_o, lfsr_o, rp_o, r_o, rs_o, count, first


@njit(cache=True)
def dot_batch(m, mask, lfsr, a, b):
    """Independent dot products, one per row of a and b, each on the two-level MAC: clear with the
    first product, last with the final one. The LFSR runs on from row to row. Returns z (second-level
    codes), flags, the LFSR state at the start of each row, and the final state."""
    n, length = a.shape
    z, flags_o, start = np.empty(n, np.int64), np.empty(n, np.uint8), np.empty(n, np.int64)
    for i in range(n):
        start[i] = lfsr
        acc, count, total, first, flags = 0, 0, 0, True, 0
        for k in range(length):
            last = k == length - 1
            commits = ends_chunk(m, 0 if k == 0 else count, last)
            lfsr, r_prod, r, r_sum = draw_ports(m, mask, lfsr, True, commits)
            acc, count, total, first, flags = chunk_cycle(m, acc, count, total, first, flags, k == 0, True, last,
                                                          a[i, k], b[i, k], r_prod, r, r_sum)
        z[i], flags_o[i] = total, flags
    return z, flags_o, start, lfsr
