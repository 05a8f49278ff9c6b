"""Shared helpers of the differential tests: format lists, decoded mismatch reports."""

from __future__ import annotations

import math
import zlib
from fractions import Fraction

import ml_dtypes
import numpy as np
import oracle as O

MAX_SHOWN = 8
ALL_FORMATS = ("e4m3fn", "e5m2", "e4m3", "e3m4", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz",
               "e2m3fn", "e3m2fn", "e2m1fn")
# Every 8-bit P3109 v4 format: signed P = 1..7, unsigned P = 1..8, extended and finite.
P3109_8BIT = tuple(f"binary8p{p}s{d}" for p in range(1, 8) for d in "ef") + tuple(
    f"binary8p{p}u{d}" for p in range(1, 9) for d in "ef")
# Every 8-bit format of the issue-3 evidence.
EIGHT_BIT = ("e4m3fn", "e5m2", "e4m3", "e3m4", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e8m0fnu") + P3109_8BIT
ACC_FORMATS = ("fp16", "bf16", "fp32", "e6m9")
DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
ML_DTYPES = {
    "e4m3fn": ml_dtypes.float8_e4m3fn, "e5m2": ml_dtypes.float8_e5m2, "e4m3": ml_dtypes.float8_e4m3,
    "e3m4": ml_dtypes.float8_e3m4, "e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "e5m2fnuz": ml_dtypes.float8_e5m2fnuz, "e4m3b11fnuz": ml_dtypes.float8_e4m3b11fnuz,
    "e2m3fn": ml_dtypes.float6_e2m3fn, "e3m2fn": ml_dtypes.float6_e3m2fn,
    "e2m1fn": ml_dtypes.float4_e2m1fn,
}


def seed_of(*parts) -> int:
    """A stable seed from the test parameters (str hashes are randomized per process)."""
    return zlib.crc32("/".join(map(str, parts)).encode())


def show(fmt: str, c: int) -> str:
    return f"{int(c):#04x}({O.decode_float(fmt, int(c))!r})"


def code_size(fmt: str) -> int:
    return 1 << O.get_format(fmt).nbits


def dtype_of(fmt: str):
    n = O.get_format(fmt).nbits
    return np.uint8 if n <= 8 else np.uint16 if n <= 16 else np.uint32


def check_codes(fmt: str, what: str, describe, exp_z, exp_f, got_z, got_f) -> None:
    """Assert codes and flags equal; the message lists the first mismatches decoded.

    describe(i) formats the i-th operand tuple (called only for mismatches)."""
    exp_z = np.asarray(exp_z, dtype=np.int64)
    exp_f = np.asarray(exp_f, dtype=np.int64)
    got_z = np.asarray(got_z).astype(np.int64).ravel()
    got_f = np.asarray(got_f).astype(np.int64).ravel()
    assert got_z.shape == exp_z.shape and got_f.shape == exp_f.shape, (got_z.shape, exp_z.shape)
    bad = np.flatnonzero((exp_z != got_z) | (exp_f != got_f))
    if bad.size == 0:
        return
    lines = [
        f"  {describe(i)}: expected {show(fmt, exp_z[i])} flags {exp_f[i]:#04x}, "
        f"got {show(fmt, got_z[i])} flags {got_f[i]:#04x}"
        for i in bad[:MAX_SHOWN]
    ]
    raise AssertionError(f"{what}: {bad.size} of {exp_z.size} mismatch (first {len(lines)}):\n"
                         + "\n".join(lines))


def check_batch(fmt: str, what: str, describe, batch, got_z, got_f, rounding: str, overflow: str, r=None,
                sr_bits=None) -> None:
    """check_codes of the model's (got_z, got_f) against an oracle.Batch rounded into fmt."""
    exp_z, exp_f = batch.round(rounding, overflow, r, sr_bits or None)
    got_z = np.asarray(got_z).ravel()
    got_f = np.asarray(got_f).ravel()
    check_codes(fmt, what, describe, exp_z, exp_f, got_z, got_f)


def f32_edge_inputs(fmt) -> np.ndarray:
    """Every representable value, every midpoint (incl. 0..min subnormal and the overflow
    threshold max + ulp/2), their binary32 neighbours, and the specials."""
    f = O.get_format(fmt)
    mags = sorted({m for (_, m) in f.finite_code} | {Fraction(0)})
    ulp_at_max = f.max_finite - mags[-2]
    pts = set(mags)
    pts |= {(a + b) / 2 for a, b in zip(mags, mags[1:], strict=False)}
    pts |= {f.max_finite + ulp_at_max / 2, f.max_finite + ulp_at_max, 2 * f.max_finite}
    vals = np.array(sorted(float(p) for p in pts), dtype=np.float32)
    assert all(Fraction(float(v)) == p for v, p in zip(vals, sorted(pts), strict=True))  # exact in binary32
    inf32 = np.float32(np.inf)
    vals = np.concatenate([vals, np.nextafter(vals, inf32), np.nextafter(vals, -inf32)])
    vals = np.concatenate([vals, -vals, np.array([np.inf, -np.inf, np.nan], dtype=np.float32)])
    return vals


def f32_random_inputs(fmt, n, seed) -> np.ndarray:
    """n random binary32 bit patterns, and n values spread over the format's exponent range."""
    f = O.get_format(fmt)
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32).view(np.float32)
    emax = int(math.floor(math.log2(f.max_finite)))
    e = rng.integers(f.emin - f.t - 3, emax + 3, size=n)
    m = rng.random(n) + 1.0
    spread = (np.ldexp(m, e) * rng.choice([-1.0, 1.0], size=n)).astype(np.float32)
    return np.concatenate([raw, spread])


def ml_codes(fmt, x32: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return x32.astype(ML_DTYPES[fmt]).view(np.uint8)


