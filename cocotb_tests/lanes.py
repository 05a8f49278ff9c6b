"""Lane packing for wide testbench wrappers: LANES copies of a datapath side by side, so that one
cocotb transaction checks LANES vectors. Lane k of transaction t sits at bits [k*width, (k+1)*width)
of the bus value."""

from __future__ import annotations

import numpy as np


def pack_lanes(values: np.ndarray, width: int, lanes: int) -> list[int]:
    """(T*lanes,) codes -> T bus integers."""
    v = np.asarray(values, dtype=np.uint64).reshape(-1, lanes)
    if width == 8:
        rows = v.astype(np.uint8)
    elif width == 16:
        rows = v.astype("<u2")
    else:
        bits = ((v[:, :, None] >> np.arange(width, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)
        rows = np.packbits(bits.reshape(len(v), lanes * width), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in rows]


def unpack_lanes(words: list[int], width: int, lanes: int) -> np.ndarray:
    """T bus integers -> (T*lanes,) codes as uint64."""
    nbytes = (lanes * width + 7) // 8
    buf = np.frombuffer(b"".join(w.to_bytes(nbytes, "little") for w in words), np.uint8)
    buf = buf.reshape(len(words), nbytes)
    if width == 8:
        return buf.astype(np.uint64).ravel()
    if width == 16:
        return buf.view("<u2").astype(np.uint64).ravel()
    bits = np.unpackbits(buf, axis=1, bitorder="little")[:, : lanes * width]
    bits = bits.reshape(len(words), lanes, width).astype(np.uint64)
    return (bits << np.arange(width, dtype=np.uint64)).sum(axis=2).ravel()
