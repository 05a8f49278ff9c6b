"""Bulk posit add/sub/mul regression through the self-checking $readmemh testbench, on Icarus or Verilator.

    python cocotb_tests/readmemh_posit.py run --sim verilator golden_vectors/add/posit16_rne_edge.hex [...]
    python cocotb_tests/readmemh_posit.py exhaustive --sim verilator --fmt posit16es1 --ops add,mul [--rows 0:0x100,...]
    python cocotb_tests/readmemh_posit.py bench          # vectors/s of both simulators on generated files

`run` replays vector files (STEM.hex, its layout read from STEM.json) through hdl/posit_readmemh_tb.v,
built once per (simulator, format, memory depth, lanes, loader) under
build/readmemh_posit/<sim>-<fmt>-D<depth>-L<lanes>-<loader>/ (simulate.build_testbench: Icarus iverilog
+ vvp, Verilator `verilator --binary`), the files of a format replayed by one simulator process (a list
of their layouts and operations). The loader (hdl/vec_source.v) is `fread` on Verilator and
`readmemh` on Icarus unless --loader says otherwise. It prints per file the vectors and mismatches,
each mismatch decoded field by field (refmodel.cli.explain_posit), and per process its wall time
(start, loading the files and the checks included) and vectors/s.
`exhaustive` sweeps every operand pair of a format (2^32 per op for 16 bits; --rows limits operand a
to some ranges): rows of a in chunks of CHUNK_ROWS x 2^N vectors, each computed with refmodel.posits,
written with refmodel's writer into the build directory (the files `refmodel gen` writes), run, and
deleted; the next chunk is generated while the simulator runs. Exit status 1 on any mismatch, 2 on
an error (a file the testbench cannot load: missing, wrong size, not hex; a failed build).
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from simulate import LOADER, LOADERS, RTL, VEC_SOURCE, build_testbench, hex_values, replay_list  # noqa: E402
from vecfiles import manifest  # noqa: E402

from refmodel import posits  # noqa: E402
from refmodel.cli import explain_posit  # noqa: E402
from refmodel.formats import parse_format  # noqa: E402
from refmodel.vectors.io import VectorSet, write_vectors  # noqa: E402

BUILD = REPO / "build" / "readmemh_posit"
TB = HERE / "hdl" / "posit_readmemh_tb.v"
SOURCES = [RTL / "posit" / f"{m}.v"
           for m in ("posit_lzc", "posit_decode", "posit_encode", "posit_add", "posit_mul")] + [VEC_SOURCE]
TOP = "posit_readmemh_tb"
OPS = {"add": 0, "sub": 1, "mul": 2}
RM = {"rne": 0, "sr": 6}
SR_BITS = 16           # the testbench's SR_BITS: files with K <= 16 random bits are driven with R << (16 - K)
DEPTH = 1 << 22        # vector memory words at most: one exhaustive chunk of 64 rows (<= 16-bit formats)
WORD_W = 64            # word bits: a b r z of a <= 16-bit format; wider formats get 128 and 2^20 words
LANES = {"icarus": 1, "verilator": 32}  # Icarus re-evaluates every lane when any word of the shared bus changes
CHUNK_ROWS = 64
_MISMATCH = re.compile(r"MISMATCH (\d+) (\d+) (\w+) (\w+) (\w+) (\w+) (\w+)")


def memory(fmt, count: int = 1) -> tuple[int, int]:
    """(DEPTH, WORD_W) of the testbench for a format and files of up to `count` vectors: the smallest
    power of two from 2^16 up (a process clears its memories at its start: 0.3 s for 2^22 words)."""
    f = posits.as_posit(fmt)
    most, word_w = (DEPTH, WORD_W) if 3 * f.n + SR_BITS <= WORD_W else (DEPTH >> 2, 2 * WORD_W)
    if count > most:
        raise ValueError(f"{count} vectors of {f.name} exceed the testbench's {most} words")
    return max(1 << 16, 1 << (count - 1).bit_length()), word_w


def build(sim: str, fmt: str, count: int, lanes: int | None = None, loader: str | None = None,
          quiet: bool = True) -> list[str]:
    """Build the testbench for a format and files of up to `count` vectors; returns the command that
    runs it (+list= to be added)."""
    f = posits.as_posit(fmt)
    lanes = lanes or LANES[sim]
    loader = loader or LOADER[sim]
    depth, word_w = memory(f, count)
    params = {"N": f.n, "ES": f.es, "SR_BITS": SR_BITS, "LANES": lanes, "DEPTH": depth, "WORD_W": word_w,
              "LOADER": LOADERS[loader]}
    where = BUILD / f"{sim}-{f.name}-D{depth}-L{lanes}-{loader}"
    run, seconds = build_testbench(sim, where, TOP, [*SOURCES, TB], params)
    if not quiet:
        print(f"built {sim} {f.name} ({lanes} lanes, loader {loader}) in {seconds:.1f} s", flush=True)
    return run


def list_line(hex_path: Path) -> str:
    """The testbench's list line of one STEM.hex (layout and operation from its manifest)."""
    m = manifest(hex_path)
    p = m["parameters"]
    op, rounding = p["op"], p.get("rounding", "rne")
    if op not in OPS or rounding not in RM:
        raise ValueError(f"{hex_path.name}: {op} in {rounding} is not a posit_add / posit_mul vector file")
    depth, word_w = memory(p["fmt"], m["count"])
    if m["hex_word_bits"] > word_w:
        raise ValueError(f"{hex_path.name}: words of {m['hex_word_bits']} bits exceed the testbench's {word_w}")
    if any(c.isspace() for c in str(hex_path)):
        raise ValueError(f"{hex_path}: the testbench's list cannot hold a path with white space")
    fields = {fl["name"]: fl for fl in m["fields"]}
    r_bits = fields["r"]["bits"] if "r" in fields else 0
    return " ".join(str(x) for x in (hex_path, m["count"], (m["hex_word_bits"] + 3) // 4, OPS[op], RM[rounding],
                                     fields["a"]["lsb"], fields["b"]["lsb"], fields["z"]["lsb"],
                                     fields["r"]["lsb"] if r_bits else 0, r_bits))


def run_list(run_cmd: list[str], lst: Path, hex_paths: list[Path], max_report: int = 10) -> tuple[list[dict], float]:
    """Replay files in one simulator process (their list written to `lst`); returns (per file: op,
    format, vectors, mismatches and the decoded mismatch reports) and the process's wall seconds."""
    hex_paths = [Path(p).with_suffix(".hex") for p in hex_paths]
    out, done, seconds = replay_list(run_cmd, lst, [list_line(p) for p in hex_paths], max_report)
    results = []
    for p, (n, bad) in zip(hex_paths, done):
        par = manifest(p)["parameters"]
        results.append({"file": p.name, "op": par["op"], "fmt": par["fmt"], "rounding": par.get("rounding", "rne"),
                        "sr": "sr_bits" in par, "vectors": n, "mismatches": bad, "report": []})
    for mm in _MISMATCH.finditer(out):
        res = results[int(mm[1])]
        values = hex_values(mm.groups()[2:])
        if values is None:  # X or Z bits in the DUT's output
            res["report"].append(f"{res['file']} vector {mm[2]}: a b r z expected and actual: "
                                 f"{' '.join(mm.groups()[2:])} (X/Z bits)")
            continue
        a, b, r, zexp, zgot = values
        res["report"].append(describe(posits.as_posit(res["fmt"]), res["file"], int(mm[2]), res["op"],
                                      res["rounding"], a, b, r if res["sr"] else None, zexp, zgot))
    return results, seconds


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


def write_chunk(stem: Path, fmt: str, op: str, a: np.ndarray, b: np.ndarray, z: np.ndarray,
                rounding: str = "rne", r: np.ndarray | None = None, sr_bits: int = 0) -> Path:
    """Vectors a b [r] z written with refmodel's writer (STEM.txt, .hex, .npz, .json: the files `refmodel
    gen` writes); returns STEM.hex."""
    f = posits.as_posit(fmt)
    fields = [("a", f.n), ("b", f.n)] + ([("r", sr_bits)] if r is not None else []) + [("z", f.n)]
    cols = {"a": a, "b": b, "r": r, "z": z}
    params = {"op": op, "fmt": f.name, "rounding": rounding, "mode": "exhaustive-chunk", "count": int(a.size)}
    if r is not None:
        params["sr_bits"] = sr_bits
    vs = VectorSet({k: str(v) for k, v in params.items()}, fields,
                   {name: cols[name].astype(np.uint64) for name, _ in fields})
    write_vectors(stem, vs, f"readmemh_posit.py ({op} {f.name})", params)
    return stem.with_name(stem.name + ".hex")


def exhaustive(sim: str, fmt: str, ops: list[str], rows: list[tuple[int, int]], lanes: int | None, keep: bool,
               max_mismatches: int, loader: str | None = None) -> int:
    f = posits.as_posit(fmt)
    run_cmd = build(sim, f.name, CHUNK_ROWS << f.n, lanes, loader, quiet=False)
    work = BUILD / f"{sim}-{f.name}-chunks"
    work.mkdir(parents=True, exist_ok=True)
    b_row = np.arange(1 << f.n, dtype=np.uint64)
    jobs = [(op, lo, min(lo + CHUNK_ROWS, r1)) for op in ops for r0, r1 in rows for lo in range(r0, r1, CHUNK_ROWS)]

    def make(job) -> Path:
        op, lo, hi = job
        a = np.repeat(np.arange(lo, hi, dtype=np.uint64), b_row.size)
        b = np.tile(b_row, hi - lo)
        z = getattr(posits, op)(f, a, b)
        return write_chunk(work / f"{f.name}_{op}_rows{lo:05x}-{hi - 1:05x}", f.name, op, a, b, z)

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
        (res,), seconds = run_list(run_cmd, work / "chunk.list", [path], max_mismatches)
        res["seconds"] = seconds
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
            for ext in (".hex", ".txt", ".npz", ".json"):
                path.with_suffix(ext).unlink()
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
            paths = [write_chunk(work / f"{f.name}_{op}_bench_{m}", f.name, op, a[:m], b[:m],
                                     getattr(posits, op)(f, a[:m], b[:m])) for op in ("add", "mul")]
            t0 = time.perf_counter()
            cmd = build(sim, f.name, m)
            tb = time.perf_counter() - t0
            for p in paths:
                (res,), seconds = run_list(cmd, work / "bench.list", [p])
                res["seconds"] = seconds
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
        p.add_argument("--max-mismatches", type=int, default=10, help="mismatches printed per file "
                       "(exhaustive: the sweep stops after that many)")
        p.add_argument("--loader", choices=tuple(LOADERS), default=None,
                       help="the testbench's file reader (default: fread on Verilator, readmemh on Icarus)")
    bn.add_argument("--sims", default="icarus,verilator")
    args = ap.parse_args(argv)

    try:
        return command(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def command(args) -> int:
    if args.cmd == "bench":
        bench(args.sims.split(","), args.fmts.split(","), args.count)
        return 0
    if args.cmd == "exhaustive":
        f = parse_format(args.fmt)
        rows = [(0, 1 << f.bits)] if not args.rows else \
            [tuple(int(x, 0) for x in part.split(":")) for part in args.rows.split(",")]
        return exhaustive(args.sim, args.fmt, args.ops.split(","), rows, args.lanes, args.keep,
                          args.max_mismatches, args.loader)
    groups: dict[str, list[Path]] = {}
    for path in args.files:
        path = path.with_suffix(".hex")
        groups.setdefault(posits.as_posit(manifest(path)["parameters"]["fmt"]).name, []).append(path)
    bad = 0
    for fmt, paths in groups.items():
        run_cmd = build(args.sim, fmt, max(manifest(p)["count"] for p in paths), args.lanes, args.loader,
                        quiet=False)
        results, seconds = run_list(run_cmd, BUILD / f"{args.sim}-{fmt}.list", paths, args.max_mismatches)
        for res in results:
            for rep in res["report"]:
                print(rep)
            print(f"{args.sim} {res['file']}: {res['vectors']} vectors, {res['mismatches']} mismatches")
            bad += res["mismatches"]
        n = sum(res["vectors"] for res in results)
        print(f"{args.sim} {fmt}: {len(paths)} files in one process, {n} vectors, {seconds:.2f} s, "
              f"{n / seconds:.0f} vectors/s", flush=True)
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
