"""posit16 (and posit32) add and mul throughput per core: refmodel against SoftPosit's C, side by side.

Method. SoftPosit: its own C functions (p16_add, p16_mul, p32_add, p32_mul, exported by the
compiled extension of the `softposit` wheel) called through function pointers in a tight loop by a
small C harness (benchmarks/softposit_harness.c, built here with `cc -O2`), one call per pair, one
thread; the harness dlopen()s libpython first only so that the extension's SWIG glue links. refmodel:
`posits.add(fmt, a, b)` / `posits.mul(...)` on the same numpy code arrays (uint16/uint32), one
call on the whole array, after one warm-up call (Numba compilation); numba's thread count is set to 1
so both sides use one core. Both sides: N = 10^7 random code pairs from a fixed seed, best of 3
wall-clock runs; Mops/s = N / best time. The ratio is refmodel's rate over SoftPosit's (above 1:
refmodel is faster). The harness writes its results and the model's are compared with them code
for code. SoftPosit's posit16 is posit<16,1> ("posit16es1"), its posit32 posit<32,2> ("posit32").

--exhaustive additionally runs all 2^32 pairs of posit16 add for "posit16" (posit<16,2>) and
"posit16es1" in the model on 2 worker processes (each takes half of the a-codes, in chunks of 16
a-values x all 65536 b-values) and in the C harness (p16_add and pX2_add(., ., 16), one thread),
printing progress, wall times and a position-weighted checksum
sum(result * ((a << 16 | b) + 1)) mod 2^64 that must agree.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
HARNESS_SRC = ROOT / "benchmarks" / "softposit_harness.c"
N = 10**7
SEED = 20240601
CHUNK_A = 16  # a-values per task in the exhaustive run


def softposit_library() -> str:
    try:
        import _softposit
    except ImportError as e:
        sys.exit(f"error: the softposit package is not installed ({e}); pip install softposit")
    return _softposit.__file__


def libpython() -> str:
    """The shared libpython the extension was linked against (its SWIG glue needs its symbols)."""
    libdir, name = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    path = Path(libdir or "") / (name or "")
    if not sysconfig.get_config_var("Py_ENABLE_SHARED") or not path.is_file():
        sys.exit(f"error: no shared libpython found ({path}); the C harness needs one to load the softposit "
                 "extension. Use a Python built with --enable-shared.")
    return str(path)


def build_harness() -> Path:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        sys.exit("error: no C compiler found (cc, gcc or clang); install one (e.g. apt-get install gcc) "
                 "or set CC")
    BUILD.mkdir(parents=True, exist_ok=True)
    exe = BUILD / "softposit_harness"
    cmd = [cc, "-O2", "-o", str(exe), str(HARNESS_SRC), "-ldl"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"error: compiling the harness failed:\n{' '.join(cmd)}\n{res.stderr}")
    return exe


def run_harness(exe: Path, *args: str) -> list[list[str]]:
    res = subprocess.run([str(exe), libpython(), softposit_library(), *args], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"error: the harness failed:\n{res.stderr}")
    return [line.split() for line in res.stdout.splitlines() if line.strip()]


def limit_threads() -> None:
    try:
        import numba

        numba.set_num_threads(1)
    except (ImportError, ValueError):
        pass


def best_rate(fn, n: int, repeat: int = 3) -> tuple[float, np.ndarray]:
    out = fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return n / best / 1e6, out


def side_by_side(exe: Path) -> bool:
    from refmodel import posits

    rng = np.random.default_rng(SEED)
    inputs = {f"p{size}_{x}": rng.integers(0, 1 << size, N, dtype=dt)
              for size, dt in ((16, np.uint16), (32, np.uint32)) for x in "ab"}
    BUILD.mkdir(parents=True, exist_ok=True)
    for name, arr in inputs.items():
        arr.tofile(BUILD / f"{name}.bin")
    print(f"SoftPosit C harness: {N} pairs per op, best of 3, one thread ...", flush=True)
    c_rates = {row[0]: float(row[3]) for row in run_harness(exe, str(BUILD), str(N), "3", "--write")}
    limit_threads()
    rows, all_equal = [], True
    for op in ("add", "mul"):
        for size, fmt, dt in ((16, "posit16es1", np.uint16), (32, "posit32", np.uint32)):
            a, b = inputs[f"p{size}_a"], inputs[f"p{size}_b"]
            fn = getattr(posits, op)
            fn(fmt, a[:1000], b[:1000])  # warm-up: JIT compilation
            rate, out = best_rate(lambda fn=fn, fmt=fmt, a=a, b=b: fn(fmt, a, b), N)
            ref = np.fromfile(BUILD / f"p{size}_{op}.out.bin", dtype=dt)
            diff = np.flatnonzero(np.asarray(out).astype(np.uint64) != ref.astype(np.uint64))
            all_equal &= diff.size == 0
            note = "identical" if diff.size == 0 else f"{diff.size} differ, e.g. " + ", ".join(
                f"{int(a[i]):#x},{int(b[i]):#x}: model {int(out[i]):#x} SoftPosit {int(ref[i]):#x}" for i in diff[:3])
            c = c_rates[f"p{size}_{op}"]
            rows.append((f"{op} {fmt}", c, rate, rate / c, note))
    for name in [*inputs, "p16_add.out", "p16_mul.out", "p32_add.out", "p32_mul.out"]:
        (BUILD / f"{name}.bin").unlink(missing_ok=True)  # 240 MB of scratch data
    print(f"\n{'op':<18} {'SoftPosit C Mops/s':>19} {'refmodel Mops/s':>16} {'ratio':>7}  results")
    for name, c, m, ratio, note in rows:
        print(f"{name:<18} {c:>19.1f} {m:>16.1f} {ratio:>7.2f}  {note}")
    print("\nratio = refmodel / SoftPosit (per core); results compared code for code with the harness output")
    return all_equal


# ---- exhaustive posit16 add in the model, 2 worker processes -----------------------------------


def _init_worker() -> None:
    limit_threads()


def _chunk(task) -> tuple[int, int]:
    """Checksum of posits.add over a-codes a0..a0+CHUNK_A-1 x every b-code."""
    from refmodel import posits

    fmt, a0 = task
    b = np.arange(1 << 16, dtype=np.uint16)
    b_plus_1 = b.astype(np.uint64) + np.uint64(1)
    total = 0
    for av in range(a0, a0 + CHUNK_A):
        a = np.full(1 << 16, av, dtype=np.uint16)
        out = np.asarray(posits.add(fmt, a, b)).astype(np.uint64)
        weight = b_plus_1 + np.uint64(av << 16)  # (a << 16 | b) + 1
        total += int(np.sum(out * weight, dtype=np.uint64))  # uint64 arithmetic wraps mod 2^64
    return a0, total % 2**64


def exhaustive_model(fmt: str, workers: int = 2) -> tuple[float, int]:
    """All 2^32 pairs; each worker gets half of the a-codes, in CHUNK_A-value tasks."""
    halves = [list(range(w * 32768, (w + 1) * 32768, CHUNK_A)) for w in range(workers)]
    tasks = [(fmt, a0) for pair in zip(*halves) for a0 in pair]  # interleaved: both halves progress together
    total, done, t = 0, 0, time.perf_counter()
    with mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        for _, s in pool.imap_unordered(_chunk, tasks, chunksize=4):
            total = (total + s) % 2**64
            done += 1
            if done % (len(tasks) // 10) == 0:
                el = time.perf_counter() - t
                print(f"  {fmt}: {100 * done // len(tasks)}% in {el:.1f}s", flush=True)
    return time.perf_counter() - t, total


def exhaustive(exe: Path) -> bool:
    results = {}
    for fmt in ("posit16", "posit16es1"):
        print(f"model: exhaustive add {fmt}, 2^32 pairs, 2 worker processes ...", flush=True)
        wall, chk = exhaustive_model(fmt)
        results[fmt] = chk
        print(f"model {fmt}: {wall:.1f}s wall, {2**32 / wall / 1e6:.1f} Mops/s on 2 cores, checksum {chk}")
    print("SoftPosit C: exhaustive p16_add and pX2_add(., ., 16), one thread ...", flush=True)
    ok = True
    for row in run_harness(exe, "--exhaustive"):
        fmt = "posit16es1" if row[0].startswith("p16") else "posit16"
        same = int(row[4]) == results[fmt]
        ok &= same
        print(f"SoftPosit {row[0]}: {float(row[2]):.1f}s, {float(row[3]):.1f} Mops/s (1 core), checksum {row[4]}: "
              f"{'equal to the model' if same else 'DIFFERENT from the model'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exhaustive", action="store_true", help="also run every posit16 add pair (2 cores)")
    args = ap.parse_args()
    exe = build_harness()
    ok = side_by_side(exe)
    if args.exhaustive:
        ok &= exhaustive(exe)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
