"""Vector lines as ASCII hex, written into a preallocated byte buffer (the vector writer's hot loop).

Every line of a vector file has the same length, so row i starts at i * line_length and rows are
independent. The kernels release the GIL so that the writer can format the text and $readmemh
streams in parallel threads. Digits go out two at a time from a 256-entry table: half the shifts
and masks of one digit at a time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

PAIRS = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), np.uint8).reshape(256, 2).copy()
SPACE, NEWLINE = 32, 10


@njit(cache=True, nogil=True, inline="always")
def _put_hex(out, end, v, digits):
    """v as `digits` lower-case hex digits (the low 4*digits bits), ending just before out[end]."""
    p = end
    while p - end + digits >= 2:
        byte = v & np.uint64(255)
        out[p - 2] = PAIRS[byte, 0]
        out[p - 1] = PAIRS[byte, 1]
        v >>= np.uint64(8)
        p -= 2
    if p > end - digits:
        out[p - 1] = PAIRS[v & np.uint64(15), 1]


@njit(cache=True, nogil=True)
def text_lines(cols, digits, out):
    """Row i of cols (k uint64 columns of m values: a tuple, or a (k, m) matrix) as
    'f0 f1 ... fk-1\\n', field j in digits[j] hex digits."""
    k, m = len(cols), cols[0].size
    line = digits.sum() + k
    for i in range(m):
        pos = i * line
        for j in range(k):
            pos += digits[j]
            _put_hex(out, pos, cols[j][i], digits[j])
            out[pos] = SPACE
            pos += 1
        out[pos - 1] = NEWLINE


@njit(cache=True, nogil=True)
def hex_lines(cols, bits, out):
    """Row i of cols (k uint64 columns of m values: a tuple or a matrix) as one hex word, the
    fields (field j bits[j] wide) concatenated MSB first and zero-padded on the left to whole
    digits, then '\\n'. The word goes out as 64-bit limbs, least significant first (a digit never
    straddles two limbs)."""
    k, m = len(cols), cols[0].size
    total = bits.sum()
    digits = (total + 3) // 4
    line = digits + 1
    limb = np.empty(k, np.int64)  # field j starts at bit shift[j] of limb limb[j] ...
    shift = np.empty(k, np.uint64)
    spill = np.zeros(k, np.bool_)  # ... and continues into the next limb
    at = total
    for j in range(k):
        at -= bits[j]
        limb[j], shift[j], spill[j] = at // 64, at % 64, at % 64 + bits[j] > 64
    for i in range(m):
        end = (i + 1) * line - 1
        out[end] = NEWLINE
        left = digits
        for q in range((total + 63) // 64):
            w = np.uint64(0)
            for j in range(k):
                if limb[j] == q:
                    w |= cols[j][i] << shift[j]
                elif limb[j] == q - 1 and spill[j]:
                    w |= cols[j][i] >> (np.uint64(64) - shift[j])
            n = min(left, 16)
            _put_hex(out, end, w, n)
            end -= n
            left -= n
