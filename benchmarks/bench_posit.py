"""posit16 (and posit32) add and mul throughput per core: refmodel against SoftPosit's C, side by side.

Method. SoftPosit: its own C functions (p16_add, p16_mul, p32_add, p32_mul, and pX2_add/pX2_mul
at 16 bits for posit<16,2>), exported by the compiled extension of the `softposit` wheel, called
through a function pointer in a tight loop, one call per pair, by benchmarks/softposit_harness.c
(built here with `cc -O2` as a shared library and loaded with ctypes into this process). refmodel:
`posits.add(fmt, a, b)` / `posits.mul(...)` on the same numpy code arrays (uint16/uint32), one call
on the whole array, after a warm-up call (Numba compilation); Numba's thread count is 1. Both sides
in the same process, alternating, on the same N = 10^7 random code pairs from a fixed seed: the
time is CPU time (time.process_time), best of `--repeat` runs; Mops/s = N / best time. The ratio is
refmodel's rate over SoftPosit's (above 1: refmodel is faster), and the two result sets are compared
code for code. SoftPosit's posit16 is posit<16,1> ("posit16es1"), its posit32 posit<32,2>
("posit32"); "posit16" is the 2022 standard's posit<16,2>.

The exhaustive posit16 sweeps are benchmarks/posit16_exhaustive.py.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HARNESS_SRC = ROOT / "benchmarks" / "softposit_harness.c"
HARNESS_LIB = ROOT / "build" / "bench" / "libsoftposit_harness.so"
N = 10**7
SEED = 20240601
# sp_run's operation numbers (the enum in softposit_harness.c), by (op, format)
SP_OPS = {("add", "posit16es1"): 0, ("mul", "posit16es1"): 1, ("add", "posit32"): 2, ("mul", "posit32"): 3,
          ("add", "posit16"): 4, ("mul", "posit16"): 5}


class SoftPosit:
    """SoftPosit's C functions through the harness: run_into(op, fmt, a, b, out), one C call."""

    def __init__(self):
        try:
            import _softposit  # the extension whose C functions are called; loads its dependencies
        except ImportError as e:
            sys.exit(f"error: the softposit package is not installed ({e}); pip install softposit")
        self.lib = ctypes.CDLL(str(build_harness()))
        self.lib.sp_run.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        self.lib.sp_run.restype = None
        missing = self.lib.sp_init(_softposit.__file__.encode())
        if missing:
            sys.exit(f"error: cannot load SoftPosit's C functions from {_softposit.__file__} (code {missing})")

    def run_into(self, op: str, fmt: str, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        dt = np.uint32 if fmt == "posit32" else np.uint16  # what the C loops read and write
        for x in (a, b, out):
            assert x.dtype == dt and x.size == a.size and x.flags.c_contiguous
        self.lib.sp_run(SP_OPS[op, fmt], a.ctypes.data, b.ctypes.data, out.ctypes.data, a.size)


def build_harness() -> Path:
    """Compile the harness (when its source is newer than the library)."""
    if HARNESS_LIB.exists() and HARNESS_LIB.stat().st_mtime >= HARNESS_SRC.stat().st_mtime:
        return HARNESS_LIB
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        sys.exit("error: no C compiler found (cc, gcc or clang); install one (e.g. apt-get install gcc) or set CC")
    HARNESS_LIB.parent.mkdir(parents=True, exist_ok=True)
    cmd = [cc, "-O2", "-shared", "-fPIC", "-o", str(HARNESS_LIB), str(HARNESS_SRC), "-ldl"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"error: compiling the harness failed:\n{' '.join(cmd)}\n{res.stderr}")
    return HARNESS_LIB


def limit_threads() -> None:
    try:
        import numba

        numba.set_num_threads(1)
    except (ImportError, ValueError):
        pass


def cpu_seconds(fn, *args):
    """(CPU seconds of fn(*args), its result)."""
    t = time.process_time()
    out = fn(*args)
    return time.process_time() - t, out


def side_by_side(repeat: int) -> bool:
    from refmodel import posits

    limit_threads()
    sp = SoftPosit()
    rng = np.random.default_rng(SEED)
    inputs = {size: (rng.integers(0, 1 << size, N, dtype=dt), rng.integers(0, 1 << size, N, dtype=dt))
              for size, dt in ((16, np.uint16), (32, np.uint32))}
    print(f"{N} random pairs per op, CPU time, best of {repeat}, one thread each side", flush=True)
    print(f"\n{'op':<16} {'SoftPosit C Mops/s':>19} {'refmodel Mops/s':>16} {'ratio':>7}  results")
    all_equal = True
    for op in ("add", "mul"):
        for fmt in ("posit16es1", "posit16", "posit32"):
            a, b = inputs[32 if fmt == "posit32" else 16]
            model = getattr(posits, op)
            model(fmt, a[:1000], b[:1000])  # warm-up: JIT compilation
            ref = np.empty_like(a)
            c_best = m_best = float("inf")
            for _ in range(repeat):  # alternating, so that both sides see the same machine load
                c_best = min(c_best, cpu_seconds(sp.run_into, op, fmt, a, b, ref)[0])
                t, got = cpu_seconds(model, fmt, a, b)
                m_best = min(m_best, t)
            diff = np.flatnonzero(got != ref)
            all_equal &= diff.size == 0
            note = "identical" if diff.size == 0 else f"{diff.size} differ, e.g. " + ", ".join(
                f"{int(a[i]):#x},{int(b[i]):#x}: model {int(got[i]):#x} SoftPosit {int(ref[i]):#x}" for i in diff[:3])
            c, m = N / c_best / 1e6, N / m_best / 1e6
            print(f"{op + ' ' + fmt:<16} {c:>19.1f} {m:>16.1f} {m / c:>7.2f}  {note}", flush=True)
    print("\nratio = refmodel / SoftPosit (per core); results compared code for code")
    return all_equal


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per side and op; the best counts (default 5)")
    args = ap.parse_args()
    return 0 if side_by_side(args.repeat) else 1


if __name__ == "__main__":
    sys.exit(main())
