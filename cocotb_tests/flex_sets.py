"""The Flexpoint parameter sets of the cocotb regression and the flex_dot vector sets each one replays:
the checked-in golden files plus sets generated at test time, deterministic by seed, into the build
tree (never into golden_vectors/). Shared by test_flex_runner.py and readmemh_flex.py.

A parameter set builds hdl/flex_tb.v once: three groups of MAC lanes (the exact 64-bit accumulator,
a NARROW_W-bit wrapping one and a NARROW_W-bit saturating one), so one build covers the three
accumulator kinds.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from refmodel.flex.accumulator import acc_args, fit_acc
from refmodel.flex.generate import flex_dot_vectors
from refmodel.flex.tensor import as_flex
from refmodel.vectors.io import VectorSet, read_header, write_vectors

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
LENGTH = 16


@dataclass(frozen=True)
class VecSpec:
    """One generated flex_dot set (the arguments of refmodel gen flex_dot)."""

    rounding: str
    mode: str
    acc_bits: int | None = None
    acc_overflow: str = "wrap"
    count: int = 0  # random mode: a share of the set's total (scaled by `scale`)
    sr_bits: int = 8
    seed: int = 1

    def stem(self, fmt: str, count: int) -> str:
        acc = "" if self.acc_bits is None else f"_acc{self.acc_bits}{self.acc_overflow}"
        sr = f"{self.sr_bits}" if self.rounding == "sr" else ""
        n = f"{count}" if self.mode == "random" else ""
        return f"{fmt}_{self.rounding}{sr}{acc}_{self.mode}{n}_s{self.seed}"


@dataclass(frozen=True)
class ParamSet:
    name: str
    fmt: str
    man_w: int
    exp_w: int
    sr_bits: int  # SR_BITS of the DUT
    narrow_w: int
    golden: tuple[str, ...]  # file names under golden_vectors/flex_dot
    generated: tuple[VecSpec, ...]

    def parameters(self, lanes: int, rq_lanes: int) -> dict[str, int]:
        return {"MAN_W": self.man_w, "EXP_W": self.exp_w, "SR_BITS": self.sr_bits, "EXACT_W": 64,
                "NARROW_W": self.narrow_w, "LANES": lanes, "RQ_LANES": rq_lanes}


# The random counts are relative shares: a set's random vectors are scaled so that the whole run
# (golden + edge + random) is about FLEX_VECTORS vectors; each accumulator group gets about a third
# (the groups run side by side, so the slowest group sets the time).
SETS = {
    "flex16+5": ParamSet(
        "flex16+5", "flex16+5", 16, 5, 8, 24,
        golden=("flex16+5_rne_edge.txt", "flex16+5_sr_random.txt", "flex16+5_rne_acc24wrap_random.txt"),
        generated=(
            VecSpec("sr", "edge"),
            VecSpec("rne", "random", count=2, seed=11),
            VecSpec("sr", "random", count=1, seed=12),
            VecSpec("rne", "edge", 24, "wrap"),
            VecSpec("sr", "edge", 24, "wrap"),
            VecSpec("sr", "random", 24, "wrap", count=2, seed=13),
            VecSpec("rne", "edge", 24, "sat"),
            VecSpec("sr", "edge", 24, "sat"),
            VecSpec("rne", "random", 24, "sat", count=1, seed=14),
            VecSpec("sr", "random", 24, "sat", count=1, seed=15),
        )),
    "flex8+4": ParamSet(
        "flex8+4", "flex8+4", 8, 4, 6, 12,
        golden=(),
        generated=(
            VecSpec("rne", "edge"),
            VecSpec("sr", "edge", sr_bits=6),
            VecSpec("rne", "random", count=1, seed=21),
            VecSpec("sr", "random", count=1, sr_bits=4, seed=22),
            VecSpec("rne", "edge", 12, "wrap"),
            VecSpec("sr", "edge", 12, "wrap", sr_bits=6),
            VecSpec("rne", "random", 12, "wrap", count=1, seed=23),
            VecSpec("sr", "random", 12, "wrap", count=1, sr_bits=6, seed=24),
            VecSpec("rne", "edge", 12, "sat"),
            VecSpec("sr", "edge", 12, "sat", sr_bits=4),
            VecSpec("rne", "random", 12, "sat", count=1, seed=25),
            VecSpec("sr", "random", 12, "sat", count=1, sr_bits=6, seed=26),
        )),
}


def golden_files(ps: ParamSet) -> list[Path]:
    return [GOLDEN / "flex_dot" / name for name in ps.golden]


def _count_of(path: Path) -> int:
    return int(read_header(path)[0]["count"])


def random_counts(ps: ParamSet, total: int) -> dict[VecSpec, int]:
    """Counts of the random sets so that each accumulator group holds about total / 3 vectors."""
    per_group = total // 3
    have = [0, 0, 0]
    for p in golden_files(ps):
        meta = read_header(p)[0]
        g = 0 if meta.get("acc_bits", "exact") == "exact" else 1 if meta.get("acc_overflow") == "wrap" else 2
        have[g] += _count_of(p)
    edge = {}
    for spec in ps.generated:
        g = 0 if spec.acc_bits is None else 1 if spec.acc_overflow == "wrap" else 2
        if spec.mode == "edge":
            edge[g] = edge.get(g, 0) + _edge_count(ps.fmt, spec)
    out = {}
    for g in range(3):
        specs = [s for s in ps.generated if s.mode == "random"
                 and (0 if s.acc_bits is None else 1 if s.acc_overflow == "wrap" else 2) == g]
        room = max(per_group - have[g] - edge.get(g, 0), 0)
        shares = sum(s.count for s in specs)
        for s in specs:
            out[s] = max(room * s.count // shares, 8) if shares else 0
    return out


_EDGE_COUNTS: dict[tuple[str, str], int] = {}


def _edge_count(fmt: str, spec: VecSpec) -> int:
    key = (fmt, spec.rounding)
    if key not in _EDGE_COUNTS:
        _EDGE_COUNTS[key] = flex_dot_vectors(fmt, LENGTH, spec.rounding, spec.sr_bits, mode="edge").count
    return _EDGE_COUNTS[key]


def command(fmt: str, spec: VecSpec, count: int, out: Path) -> str:
    words = ["refmodel", "gen", "flex_dot", "--fmt", fmt, "--length", str(LENGTH), "--rounding", spec.rounding]
    if spec.rounding == "sr":
        words += ["--sr-bits", str(spec.sr_bits)]
    if spec.acc_bits is not None:
        words += ["--acc-bits", str(spec.acc_bits), "--acc-overflow", spec.acc_overflow]
    words += ["--stat-group", "8", "--mode", spec.mode]
    if spec.mode == "random":
        words += ["--count", str(count)]
    words += ["--seed", str(spec.seed), "--out", str(out)]
    return " ".join(shlex.quote(w) for w in words)


def ensure_set(fmt: str, spec: VecSpec, count: int, out_dir: Path) -> Path:
    """Write STEM.txt/.hex/.npz/.json into out_dir unless an identical set is already there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / spec.stem(fmt, count)
    cmd = command(fmt, spec, count, stem)
    js = stem.with_name(stem.name + ".json")
    txt = stem.with_name(stem.name + ".txt")
    hexf = stem.with_name(stem.name + ".hex")
    if js.exists() and txt.exists() and hexf.exists():
        try:
            if json.loads(js.read_text()).get("command") == cmd:
                return txt
        except (OSError, ValueError):
            pass
    vs = flex_dot_vectors(fmt, LENGTH, spec.rounding, spec.sr_bits, spec.acc_bits, spec.acc_overflow, spec.mode,
                          count if spec.mode == "random" else 1, spec.seed, 8)
    write_vectors(stem, vs, cmd, dict(vs.meta))
    return txt


def generated_files(ps: ParamSet, total: int, out_dir: Path) -> list[Path]:
    counts = random_counts(ps, total)
    return [ensure_set(ps.fmt, s, counts.get(s, 0), out_dir) for s in ps.generated]


def _signed(code: int, bits: int) -> int:
    code = int(code) & ((1 << bits) - 1)
    return code - ((code >> (bits - 1)) << bits)


def describe_flex_dot(vs: VectorSet, path, idx: int, where: str, dut_sr_bits: int, exp: dict, got: dict) -> str:
    """One flex_dot vector decoded field by field, with expected and actual outputs (dicts of z, ovf,
    maxabs and optionally valid): mantissas as signed integers, exponent fields with their exponents
    and the shift, R, the exact sum and the accumulator register's value."""
    m, cols = vs.meta, vs.columns
    f = as_flex(m["fmt"])
    n = f.mant_bits
    L = int(m["length"])
    a = [_signed(cols[f"a{i}"][idx], n) for i in range(L)]
    b = [_signed(cols[f"b{i}"][idx], n) for i in range(L)]
    ea, eb, ez = (int(cols[k][idx]) for k in ("ea", "eb", "ez"))
    bits = None if m.get("acc_bits", "exact") == "exact" else int(m["acc_bits"])
    mode, w = acc_args(bits, m.get("acc_overflow", "wrap"))
    exact = sum(x * y for x, y in zip(a, b))
    acc = 0
    for x, y in zip(a, b):
        acc = int(fit_acc(acc + x * y, w, mode))
    acc_name = "exact" if bits is None else f"{bits}-bit {m.get('acc_overflow', 'wrap')}"
    lines = [f"{Path(path).name}:{vs.first_line + idx}: vector {idx} on {where}, {f.name}, rounding "
             f"{m.get('rounding', 'rne')}, accumulator {acc_name}",
             f"    a        {a}", f"    b        {b}",
             f"    ea {ea} (exp {-ea})  eb {eb} (exp {-eb})  ez {ez} (exp {-ez})  shift s = ea + eb - ez = "
             f"{ea + eb - ez}"]
    if "r" in cols:
        k = dict(vs.fields)["r"]
        r = int(cols["r"][idx])
        lines.append(f"    r        {r:#x} ({k} bits; driven as {r << (dut_sr_bits - k):#x} of SR_BITS = "
                     f"{dut_sr_bits})")
    lines.append(f"    sum      {exact} exact; accumulator {acc} ({acc & (2**64 - 1):#x})")
    for name, d in (("expected", exp), ("actual  ", got)):
        extra = f"  out_valid {d['valid']}" if "valid" in d else ""
        lines.append(f"    {name} z {d['z']:#0{(n + 3) // 4 + 2}x} ({_signed(d['z'], n)})  overflow {d['ovf']}  "
                     f"maxabs {d['maxabs']:#x} ({d['maxabs']}){extra}")
    return "\n".join(lines)
