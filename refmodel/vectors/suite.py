"""The checked-in golden-vector suite: `python -m refmodel.vectors.suite DIR` (what `make vectors` runs).

Each entry is a `refmodel gen` command line, run through the CLI itself so that every manifest
records the exact command that regenerates its set. Output is byte-identical from run to run.

Size policy: a set whose data files (.txt, .hex, .npz) total more than ON_DEMAND_BYTES is not
checked in. Its manifest (with the sha256 of every file) and its INDEX entry are; `make vectors`
regenerates the data, checks it against the hashes the manifests held before the run, and lists
the files in golden_vectors/.gitignore so that git status stays clean. `--missing` regenerates
only the sets whose data files are absent (a fresh clone's large sets) and fails unless they come
out with the checked-in hashes: what the tests and the regression need before they run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ..cli import main as cli_main

DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna")
POSITS = ("posit8", "posit16", "posit32", "posit8es0", "posit16es1")
EIGHT_BIT = ("e4m3", "e3m4", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e8m0fnu", "binary8p4se", "binary8p3se",
             "binary8p4sf", "binary8p1uf")


def suite(root: str) -> list[list[str]]:
    """The command lines of the suite, output stems under root."""
    cmds = []

    def gen(op, fmt, rounding, mode, *extra, tag=""):
        stem = f"{root}/{op}/{fmt}{tag}_{rounding}_{mode}" if op in ("fma", "convert", "dot", "mac") else \
            f"{root}/{op}/{fmt}_{rounding}{tag}_{mode}"
        cmds.append(["gen", op, "--fmt", fmt, "--rounding", rounding, "--mode", mode, *extra, "--out", stem])

    def gen_exact(op, fmt, mode):  # operations that do not round
        cmds.append(["gen", op, "--fmt", fmt, "--mode", mode, "--out", f"{root}/{op}/{fmt}_{mode}"])

    for fmt in ("e4m3fn", "e5m2"):
        for rounding in DETERMINISTIC:  # every input pair: what the cocotb regression replays
            gen("mul", fmt, rounding, "exhaustive")
        gen("mul", fmt, "rod", "random", "--count", "20000")
        gen("mul", fmt, "sr", "random", "--sr-bits", "8", "--count", "20000")
        gen("mul", fmt, "rne", "random", "--overflow", "sat", "--count", "20000", tag="_sat")
        gen("mul", fmt, "rne", "edge", "--overflow", "sat_propagate", tag="_satprop")
        gen("mul", fmt, "rne", "edge")
        for rounding in ("rne", "rtz", "rdn", "rup", "rna", "rod"):
            gen("from_f64", fmt, rounding, "edge")
        gen("from_f64", fmt, "rne", "random", "--count", "20000")
        gen("from_f64", fmt, "sr", "random", "--sr-bits", "8", "--count", "20000")
        for op in ("add", "sub"):
            gen(op, fmt, "rne", "edge")
            for rounding in ("rtz", "rdn", "rup", "rna", "rod"):
                gen(op, fmt, rounding, "random", "--count", "5000")
            gen(op, fmt, "sr", "random", "--sr-bits", "8", "--count", "5000")
        for acc in ("fp16", "bf16", "fp32", "e6m9"):
            gen("fma", fmt, "rne", "edge", "--acc-fmt", acc, tag=f"_{acc}")
            gen("fma", fmt, "rne", "random", "--acc-fmt", acc, "--count", "10000", tag=f"_{acc}")
        gen("convert", fmt, "rne", "exhaustive", "--to", "fp16", tag="_to_fp16")
    for src, dst in (("fp16", "e4m3fn"), ("fp16", "e5m2"), ("bf16", "e4m3fn"), ("fp32", "e5m2"),
                     ("e5m2", "e4m3fn"), ("e4m3fn", "e5m2")):
        gen("convert", src, "rne", "edge", "--to", dst, tag=f"_to_{dst}")
    for op in ("minimum", "maximum", "minimum_number", "maximum_number", "compare_eq", "compare_lt", "compare_le"):
        gen_exact(op, "e5m2", "edge")  # e5m2 has signalling NaNs and both zeros
    for fmt in EIGHT_BIT:
        gen("mul", fmt, "rne", "edge")
        gen("add", fmt, "rne", "edge")
        gen("from_f64", fmt, "rne", "edge")
    for fmt in ("e2m1fn", "e2m3fn", "e3m2fn"):  # the MX elements: level-1 edge sets of a few thousand vectors
        for op in ("mul", "add", "sub"):
            gen(op, fmt, "rne", "edge")
    for fmt in POSITS:  # posits: the edge sets (posit32's are 10^5 pairs: random only), SR, and quire dots
        for op in ("add", "mul", "div", "sqrt", "from_f64"):
            gen(op, fmt, "rne", "random" if fmt == "posit32" and op != "from_f64" else "edge",
                *(("--count", "5000") if fmt == "posit32" and op != "from_f64" else ()))
        if fmt != "posit8es0":
            for op in ("add", "mul", "fma") if fmt != "posit32" else ("fma",):
                gen(op, fmt, "rne", "random", "--count", "5000")
            gen("mul", fmt, "sr", "random", "--sr-bits", "8", "--count", "5000")
            gen("dot", fmt, "rne", "random", "--acc", "quire", "--length", "16", "--count", "500", tag="_L16")
    gen("dot", "posit8", "rne", "edge", "--acc", "quire", "--length", "256", "--count", "40", tag="_L256")
    gen("convert", "posit16", "rne", "edge", "--to", "e4m3fn", tag="_to_e4m3fn")
    # Hardware-unit traces on minifloats: IBM's chunked FP8 dot in 1-6-9, the MAC, the SR adder.
    gen("dot", "e5m2", "rne", "random", "--acc-fmt", "e6m9", "--chunk", "64", "--length", "256", "--count", "100",
        tag="_e6m9_chunk64_L256")
    gen("dot", "e4m3fn", "sr", "random", "--acc-fmt", "fp16", "--length", "32", "--sr-bits", "8", "--count", "500",
        tag="_fp16_L32")
    gen("mac", "e4m3fn", "rne", "random", "--acc-fmt", "fp16", "--count", "5000", tag="_fp16")
    gen("mac", "e5m2", "rne", "edge", "--acc-fmt", "fp32", "--align-width", "24", "--sticky", tag="_fp32_w24")
    gen("sr_add", "e5m2", "sr", "random", "--sr-bits", "8", "--count", "5000")
    gen("sr_add", "fp16", "sr_c", "edge", "--sr-bits", "4")
    for op in ("flex_dot", "flex_quant"):  # Flexpoint: the MAC/requantizer and the quantizer
        gen(op, "flex16+5", "rne", "edge")
        gen(op, "flex16+5", "sr", "random", "--sr-bits", "8", "--count", "2000")
    gen("flex_dot", "flex16+5", "rne", "random", "--acc-bits", "24", "--acc-overflow", "wrap", "--count", "2000",
        tag="_acc24wrap")
    gen("convert", "e5m2", "rne", "exhaustive", "--to", "posit8", tag="_to_posit8")
    return cmds


ON_DEMAND_BYTES = 512 * 1024  # a larger set is regenerated by `make vectors` instead of checked in
DATA = ("txt", "hex", "npz")  # the files of a set besides its manifest


def file_hashes(stem: Path) -> dict[str, str] | None:
    """ext -> sha256 of the set's files as its manifest records them; None without a manifest."""
    try:
        return {ext: f["sha256"] for ext, f in json.loads(stem.with_suffix(".json").read_text())["files"].items()}
    except (OSError, ValueError, KeyError):
        return None


def on_demand(stem: Path) -> bool:
    return sum(stem.with_suffix(f".{ext}").stat().st_size for ext in DATA) > ON_DEMAND_BYTES


def _stem(cmd: list[str]) -> Path:
    return Path(cmd[cmd.index("--out") + 1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m refmodel.vectors.suite", description="Regenerate the golden suite.")
    ap.add_argument("root", nargs="?", default="golden_vectors")
    ap.add_argument("--missing", action="store_true",
                    help="only the sets whose data files are missing; exit 1 unless they match their manifests")
    args = ap.parse_args(argv)
    root = args.root
    cmds = suite(root)
    if args.missing:
        cmds = [c for c in cmds if not all(_stem(c).with_suffix(f".{ext}").exists() for ext in DATA)]
    stems = [_stem(cmd) for cmd in cmds]
    before = {stem: file_hashes(stem) for stem in stems}  # what is checked in, to verify the regeneration
    t0 = time.perf_counter()
    for i, cmd in enumerate(cmds, 1):
        _stem(cmd).parent.mkdir(parents=True, exist_ok=True)
        print(f"[{i:3d}/{len(cmds)}] refmodel {' '.join(cmd)}", flush=True)
        if cli_main([*cmd, "--quiet"]) != 0:
            return 1
    if not args.missing:
        write_index(Path(root), stems)
    changed = [stem for stem in stems if before[stem] is not None and before[stem] != file_hashes(stem)]
    for stem in changed:
        print(f"changed: {stem} differs from the sha256 its manifest held before this run")
    print(f"{len(cmds)} vector sets in {time.perf_counter() - t0:.1f} s under {root}/ (index: {root}/INDEX.md); "
          f"{sum(b is not None for b in before.values()) - len(changed)} identical to their previous manifests, "
          f"{len(changed)} changed, {sum(b is None for b in before.values())} new")
    return 1 if args.missing and changed else 0


INDEX_COLUMNS = ("op", "fmt", "to", "acc_fmt", "rounding", "overflow", "mode", "count")


def write_index(root: Path, stems: list[Path]) -> None:
    """INDEX.json (every set: its files, parameters, fields, the sha256 of each file from the
    manifests, and whether it is checked in), INDEX.md (a table of the same) and .gitignore (the
    data files of the sets that are not checked in), written atomically like the sets themselves."""
    sets = []
    for stem in stems:
        manifest = json.loads(stem.with_suffix(".json").read_text())
        sets.append({"set": stem.relative_to(root).as_posix(), "command": manifest["command"],
                     "parameters": manifest["parameters"], "fields": [f["name"] for f in manifest["fields"]],
                     "files": {ext: f["sha256"] for ext, f in manifest["files"].items()},
                     "checked_in": not on_demand(stem)})
    regenerated = [e["set"] for e in sets if not e["checked_in"]]
    lines = ["# Golden vector suite", "",
             f"{len(sets)} sets, regenerated byte for byte by `make vectors`. Each STEM has .txt (text), .hex "
             "($readmemh), .npz and .json (manifest: command, parameters, field layout, sha256 of each file).", "",
             f"Size policy: the {len(regenerated)} sets whose .txt, .hex and .npz together exceed "
             f"{ON_DEMAND_BYTES // 1024} KiB (in git: no) are not checked in: only their manifests and INDEX entries "
             "are, and their data files are listed in .gitignore. `make vectors` regenerates the whole suite and "
             "reports any set whose sha256 differs from its manifest; `python -m refmodel.vectors.suite --missing` "
             "regenerates only the absent sets and fails on any such difference. Every other set is checked in whole.",
             "", "| set | " + " | ".join(INDEX_COLUMNS) + " | fields | in git |",
             "|---|" + "---|" * (len(INDEX_COLUMNS) + 2)]
    for e in sets:
        p = e["parameters"]
        cells = [str(p.get(c, "")) for c in INDEX_COLUMNS]
        fields = " ".join(e["fields"]) if len(e["fields"]) <= 8 else \
            f"{' '.join(e['fields'][:3])} ... {' '.join(e['fields'][-3:])}"
        lines.append(f"| {e['set']} | " + " | ".join(cells) + f" | {fields} | {'yes' if e['checked_in'] else 'no'} |")
    ignore = ["# Written by `make vectors`: the data files of the sets too large to check in (INDEX.md, size",
              "# policy). Their manifests are checked in and hold the sha256 the regenerated files must have.",
              *(f"/{s}.{ext}" for s in regenerated for ext in DATA)]
    for name, text in (("INDEX.json", json.dumps({"sets": sets}, indent=1) + "\n"),
                       ("INDEX.md", "\n".join(lines) + "\n"), (".gitignore", "\n".join(ignore) + "\n")):
        tmp = root / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, root / name)


if __name__ == "__main__":
    sys.exit(main())
