"""`make mutate`: prove that the cocotb regression catches typical datapath bugs.

Each mutant plants one bug into a copy of rtl/ (build/mutants/<name>/rtl), then runs the part of
the regression that covers that module against the copy (REFMODEL_RTL_DIR, with its own build tree
REFMODEL_BUILD_DIR), stopping at the first failing test and at the third mismatch of a test
(build/mutants/<name>/pytest.log keeps the decoded mismatches). A mutant is killed when the regression
fails; the script prints a table and exits 1 if any mutant survives (or 2 if a mutation no longer
applies to the source, which means this list needs updating).

    python cocotb_tests/mutate.py [--sim icarus|verilator] [--only NAME[,NAME]] [--list]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = REPO / "build" / "mutants"
# The testbenches' prefixes of <PREFIX>_MAX_MISMATCHES: a mutant's tests stop at the third mismatch.
MISMATCH_UNITS = ("FP_MUL", "FP_ADD", "FP_MAC", "LFSR", "POSIT", "FLEX")


@dataclass(frozen=True)
class Mutant:
    name: str
    what: str  # the bug, in words
    path: str  # file under rtl/
    old: str  # text that must occur exactly once
    new: str
    select: str  # pytest -k expression of the tests that must catch it ({sim} is the simulator)


MUTANTS = [
    # the shared rounding engine (fp_mul, fp_add and fp_mac all round through fp_round): caught by fp_mul
    Mutant("fp_round_tie_rounds_up", "round to nearest even handles a tie as round-up", "fp/fp_round.v",
           "default:    round_away = half & (rest | lsb);", "default:    round_away = half;",
           "test_fp_mul and {sim}-e4m3fn"),
    Mutant("fp_round_sticky_dropped", "the bits below the one under the round bit are dropped", "fp/fp_round.v",
           "wire               rest    = (|frac[FW-2:0]) | stk;", "wire               rest    = frac[FW-2] | stk;",
           "test_fp_mul and {sim}-e5m2"),
    Mutant("fp_round_no_saturation", "the sat policies do not clamp an overflow to max", "fp/fp_round.v",
           "wire ovf_to_max = sat_policy | toward_zero", "wire ovf_to_max = toward_zero",
           "test_fp_mul and {sim}-e4m3fn"),
    Mutant("fp_unpack_subnormal_exponent", "subnormal operands take exponent 0 instead of 1 (off by one)",
           "fp/fp_unpack.v", "$signed({{(EW-EXP_W){1'b0}}, e}) | $signed({{(EW-1){1'b0}}, e_zero});",
           "$signed({{(EW-EXP_W){1'b0}}, e});", "test_fp_mul and {sim}-e4m3fn"),
    Mutant("fp_sum_sticky_dropped", "the adder's alignment drops the sticky bit of the shifted-out bits",
           "fp/fp_sum.v", "wire [AW-1:0] sml_v = {1'b0, sml_win, JAM & lost};",
           "wire [AW-1:0] sml_v = {1'b0, sml_win, 1'b0};", "test_fp_add and {sim}-e4m3fn"),
    Mutant("lfsr_tap_wrong", "the 32-bit maximal LFSR has tap 3 where the polynomial has tap 2 (32,22,3,1)",
           "common/lfsr.v", "default: maximal_mask = 32'h80200003;", "default: maximal_mask = 32'h80200005;",
           "test_fp_mac and {sim}-lfsr"),
    Mutant("posit_regime_off_by_one", "the posit decoder takes a run of m ones as regime m, not m - 1",
           "posit/posit_decode.v", "k       = r0 ? ($signed(m) - $signed(ONE_S)) : -$signed(m);",
           "k       = r0 ? $signed(m) : -$signed(m);", "{sim}-posit8"),
    Mutant("flex_requant_no_saturation", "the Flexpoint requantizer wraps instead of saturating",
           "flex/flex_requant.v", "assign z_o   = sat_hi ? Z_HI : sat_lo ? Z_LO : z_in;", "assign z_o   = z_in;",
           "{sim}-flex16+5"),
]


def plant(m: Mutant) -> Path:
    """A copy of rtl/ with the mutation applied; returns its root."""
    root = WORK / m.name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO / "rtl", root / "rtl")
    src = root / "rtl" / m.path
    text = src.read_text()
    if text.count(m.old) != 1:
        raise LookupError(f"{m.name}: the text to mutate occurs {text.count(m.old)} times in rtl/{m.path}")
    src.write_text(text.replace(m.old, m.new))
    return root


def run(m: Mutant, sim: str) -> tuple[bool, float, str]:
    """(killed, seconds, last line of pytest's output)."""
    root = plant(m)
    env = dict(os.environ, REFMODEL_RTL_DIR=str(root / "rtl"), REFMODEL_BUILD_DIR=str(root / "build"),
               **{f"{unit}_MAX_MISMATCHES": "3" for unit in MISMATCH_UNITS})
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(HERE),
                          "-k", m.select.format(sim=sim)], cwd=REPO, env=env, capture_output=True, text=True)
    (root / "pytest.log").write_text(out.stdout + out.stderr)  # why it was killed: the mismatch reports
    tail = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
    if "no tests ran" in tail or " deselected" in tail and " passed" not in tail and " failed" not in tail:
        raise LookupError(f"{m.name}: the selection {m.select!r} runs no test")
    return out.returncode != 0, time.perf_counter() - t0, tail


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default="icarus", choices=["icarus", "verilator"])
    ap.add_argument("--only", help="comma-separated mutant names")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    chosen = MUTANTS
    if args.only:
        names = set(args.only.split(","))
        chosen = [m for m in MUTANTS if m.name in names]
        if unknown := names - {m.name for m in chosen}:
            print(f"error: unknown mutants {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
    if args.list:
        for m in chosen:
            print(f"{m.name:32} rtl/{m.path:24} {m.what}")
        return 0
    survivors = []
    print(f"{'mutant':32} {'result':8} {'time':>6}  what")
    for m in chosen:
        try:
            killed, secs, tail = run(m, args.sim)
        except LookupError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"{m.name:32} {'killed' if killed else 'SURVIVED':8} {secs:5.0f}s  {m.what} ({tail})", flush=True)
        if not killed:
            survivors.append(m.name)
    print(f"{len(chosen) - len(survivors)}/{len(chosen)} mutants killed" +
          (f"; survivors: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
