"""pytest runner of the posit cocotb regression: simulator x format, one build per pair.

    pytest cocotb_tests -k posit                       # every posit test (part of make test)
    pytest cocotb_tests -k "posit and icarus"
    pytest cocotb_tests -k "posit16es1 and verilator"
    WAVES=1 pytest cocotb_tests -k icarus-posit8es0    # waves in the build directory

Each (simulator, format) pair builds hdl/posit_lanes.v (LANES lanes of posit_add, posit_add in
subtract mode and posit_mul, plus two quire_mac units: the format's quire layout and a 2-bit carry
guard that overflows often) under build/cocotb/posit/<sim>-<fmt>/ and runs test_posit.py on it:

- add, sub, mul: the checked-in golden_vectors/{add,mul}/<fmt>_*.txt sets, and sets generated here
  with the refmodel API into build/cocotb/posit/vectors/<fmt>/ (deterministic by seed, reused while
  their manifest's parameters match). 8-bit formats, both simulators: every operand pair (65,536) in
  rne, the edge set in sr with 3-bit R; sr with 16-bit R on every pair (Verilator) or 8,192 random
  pairs (Icarus). 16-bit formats: the edge set (26,244 pairs) in rne, and random pairs in rne and in
  sr (20,000 each on Verilator, which also runs the edge set in sr; 4,000 each on Icarus), >= 10^5
  vectors in all. Vector files of one operand set (same rounding, sr bits, mode, seed, count) are
  checked together: one pass drives a, b, R and compares add_o, sub_o and mul_o with the files of
  those ops.
- the quire MAC: per-cycle traces (clear, sub, a, b, [r] -> z, nar) generated with
  refmodel.vectors (edge codes with NaR, random, sr readout) and here (a long run with rare clears;
  products near maxpos^2 that overflow the carry guard), driven with random bubbles (in_valid low);
  every output cycle is compared with QuireMAC.run on the trace, for the format's layout and for the
  2-bit carry guard (3,000 / 8,000 steps per trace on Verilator, 1,000 / 3,000 on Icarus).

By default both simulators run posit8es0, posit8 and posit16es1; POSIT_FORMATS=all adds posit16,
POSIT_FORMATS=<fmt>,<fmt> picks a list (other posit<N>es<ES> with N <= 16 run too: posit5es4,
posit6es1, posit10es3 and posit12es0 pass on Icarus). Icarus
evaluates the datapaths ~50x slower than Verilator, so it gets sampled subsets of the stochastic
and random sets (see _requests). Environment: POSIT_LANES (lanes per transaction; default 16 on
Icarus, 8 on Verilator), POSIT_MAX_MISMATCHES (default 10), POSIT_SCALE (multiplies the generated
random and trace counts; default 1), POSIT_VL_OPT (the model's C++ optimisation, below),
GOLDEN_DIR, WAVES. JUnit XML goes to build/cocotb/posit/<sim>-<fmt>/results.xml.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from simulate import BUILD, RTL, SIMS, run_cocotb

from refmodel import posits
from refmodel.units.quire_mac import QuireMAC
from refmodel.vectors.generate import Request, generate
from refmodel.vectors.io import VectorSet, read_header, write_vectors

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = Path(os.environ.get("GOLDEN_DIR", REPO / "golden_vectors"))
VECTORS = BUILD / "posit" / "vectors"
FORMATS = ("posit8es0", "posit8", "posit16es1", "posit16")
DEFAULT_FORMATS = ("posit8es0", "posit8", "posit16es1")
SR_BITS = 16          # the DUT's random bits: a file with K <= 16 bits is driven with R << (16 - K)
SMALL_CARRY = 2       # the second quire MAC's carry guard: overflows after a few large products
Q_STEPS = 32          # quire MAC steps per cocotb write (the wrapper's sequencer)
DEFAULT_LANES = {"icarus": 16, "verilator": 8}
BINARY_OPS = ("add", "sub", "mul")
SOURCES = [RTL / "posit" / f"{m}.v"
           for m in ("posit_lzc", "posit_decode", "posit_encode", "posit_add", "posit_mul", "quire_mac")]


def _scale() -> float:
    return float(os.environ.get("POSIT_SCALE", "1"))


def _requests(fmt: str, sim: str) -> tuple[list[Request], list[Request]]:
    """(binary-op requests, quire MAC trace requests) generated at test time for a format. Icarus
    evaluates the lanes ~50x slower than Verilator, so it gets sampled subsets where Verilator gets
    every pair; both get every 8-bit pair in rne and >= 10^5 vectors for the 16-bit formats."""
    f = posits.as_posit(fmt)
    s = _scale()
    fast = sim == "verilator"
    binary: list[Request] = []
    golden = {_golden_key(p) for p in golden_files(fmt)}

    def ops(**kw):
        for op in BINARY_OPS:
            req = Request(op=op, fmt=f, **kw)
            if _request_key(req) not in golden:  # the checked-in set already holds these vectors
                binary.append(req)

    def n(count: int) -> int:
        return max(int(count * s), 1)

    if f.n <= 8:
        ops(mode="exhaustive", seed=1)
        if fast:
            ops(mode="exhaustive", rounding="sr", sr_bits=SR_BITS, seed=2)
        else:
            ops(mode="random", rounding="sr", sr_bits=SR_BITS, count=n(8192), seed=2)
        ops(mode="edge", rounding="sr", sr_bits=3, seed=3)
    else:
        ops(mode="edge", seed=1)
        if fast:
            ops(mode="edge", rounding="sr", sr_bits=SR_BITS, seed=2)
        ops(mode="random", count=n(20000 if fast else 4000), seed=3)
        ops(mode="random", rounding="sr", sr_bits=SR_BITS, count=n(20000 if fast else 4000), seed=4)
    steps = n(3000 if fast else 1000)
    traces = [
        Request(op="quire_mac", fmt=f, mode="edge", count=steps, seed=5),
        Request(op="quire_mac", fmt=f, mode="random", count=steps, seed=6),
        Request(op="quire_mac", fmt=f, mode="random", rounding="sr", sr_bits=SR_BITS, count=steps, seed=7),
    ]
    return binary, traces


def _request_key(req: Request) -> tuple:
    p = req.parameters(req.count)
    return (p["op"], p["fmt"], p.get("rounding"), str(p.get("sr_bits", "")), p["mode"], str(p["seed"]),
            str(p["count"]) if p["mode"] == "random" else "")


def _golden_key(path: Path) -> tuple:
    m, _ = read_header(path)
    return (m.get("op"), m.get("fmt"), m.get("rounding", "rne"), m.get("sr_bits", ""), m.get("mode"),
            m.get("seed"), m.get("count") if m.get("mode") == "random" else "")


def _counted(req: Request) -> bool:
    """Whether the request's count shapes its vectors (random sets and every trace)."""
    return req.mode == "random" or req.op == "quire_mac"


def _stem(req: Request) -> Path:
    tag = f"{req.rounding}{req.sr_bits if req.stochastic else ''}_{req.mode}_s{req.seed}"
    if _counted(req):
        tag += f"_n{req.count}"
    return VECTORS / req.fmt.name / f"{req.op}_{tag}"


def _materialize(req: Request) -> Path:
    """Write the request's vector files unless an identical set is already there; return STEM.txt."""
    stem = _stem(req)
    txt, js = stem.with_name(stem.name + ".txt"), stem.with_name(stem.name + ".json")
    if txt.exists() and js.exists():
        try:
            saved = json.loads(js.read_text())
            if saved["parameters"] == req.parameters(req.count if _counted(req) else saved["count"]):
                return txt
        except (ValueError, KeyError):
            pass
    stem.parent.mkdir(parents=True, exist_ok=True)
    vs = generate(req)
    params = req.parameters(vs.count)
    cmd = "refmodel gen " + " ".join(f"--{k} {v}" for k, v in params.items())
    write_vectors(stem, vs, cmd, params)
    return txt


def custom_trace(fmt: str, kind: str, count: int, seed: int) -> Path:
    """A quire MAC trace beyond `refmodel gen quire_mac`'s (a clear every ~64 cycles), written as
    STEM.txt in the same layout, its z and nar from QuireMAC.run:

    long      long runs between clears (one in 2,000 cycles), one step in four subtracting, operands
              mostly near 1 (the quire keeps many significant bits), some anywhere, a NaR in ~3,000;
    overflow  a clear one cycle in 30 and one in 400 in alternate blocks of 500 cycles, one step in
              16 subtracting, operands mostly +maxpos or its neighbour below (products near
              maxpos^2), so that a small carry guard overflows within a few steps (and posit8es0's
              7-bit one within ~128): NaR until the next clear; a NaR operand in ~1,000.
    """
    f = posits.as_posit(fmt)
    stem = VECTORS / f.name / f"quire_mac_rne_{kind}_s{seed}_n{count}"
    txt = stem.with_name(stem.name + ".txt")
    if txt.exists() and stem.with_name(stem.name + ".json").exists():
        return txt
    rng = np.random.default_rng(seed)
    mask = (1 << f.n) - 1
    anywhere = lambda: rng.integers(0, 1 << f.n, count)  # noqa: E731
    if kind == "long":
        clear = rng.random(count) < 1 / 2000
        sub = rng.random(count) < 0.25
        one = 1 << (f.n - 2)

        def operands():
            near = (one + rng.integers(-one // 2, one // 2, count)) & f.max_code     # magnitudes near 1
            near = np.where(rng.random(count) < 0.5, near, (-near) & mask)          # both signs
            x = np.where(rng.random(count) < 0.8, near, anywhere())
            return np.where(rng.random(count) < 1 / 3000, f.nar_code, x)
    elif kind == "overflow":
        # clears one in 30 cycles in even blocks of 500, one in 400 in odd blocks
        rate = np.where((np.arange(count) // 500) % 2 == 0, 1 / 30, 1 / 400)
        clear = rng.random(count) < rate
        sub = rng.random(count) < 1 / 16

        def operands():
            big = f.max_code - rng.integers(0, min(2, f.max_code), count)           # maxpos and below
            x = np.where(rng.random(count) < 0.7, big, anywhere())
            x = np.where(x == f.nar_code, 0, x)
            return np.where(rng.random(count) < 1 / 1000, f.nar_code, x)
    else:
        raise ValueError(f"unknown trace kind {kind!r}")
    clear[0] = True
    a, b = operands().astype(np.int64), operands().astype(np.int64)
    z, nar = QuireMAC(f).run(clear, a, b, sub)
    fields = [("clear", 1), ("sub", 1), ("a", f.n), ("b", f.n), ("z", f.n), ("nar", 1)]
    cols = {"clear": clear, "sub": sub, "a": a, "b": b, "z": z, "nar": nar}
    params = {"op": "quire_mac", "fmt": f.name, "rounding": "rne", "mode": kind, "seed": seed, "count": count}
    vs = VectorSet({k: str(v) for k, v in params.items()}, fields,
                   {k: np.asarray(v).astype(np.uint64) for k, v in cols.items()})
    stem.parent.mkdir(parents=True, exist_ok=True)
    write_vectors(stem, vs, f"cocotb_tests/test_posit_runner.py custom_trace {kind}", params)
    return txt


def golden_files(fmt: str) -> list[Path]:
    """The checked-in add / sub / mul vector files of a format in rne or sr."""
    out = []
    for op in BINARY_OPS:
        for path in sorted((GOLDEN / op).glob(f"{fmt}_*.txt")):
            meta, _ = read_header(path)
            if meta.get("fmt") == fmt and meta.get("op") == op and meta.get("rounding", "rne") in ("rne", "sr"):
                out.append(path)
    return out


def binary_groups(files: list[Path]) -> list[list[str]]:
    """Files sharing one operand set (same rounding, sr bits, mode, seed, count) form a group."""
    groups: dict[tuple, list[str]] = {}
    for path in files:
        meta, _ = read_header(path)
        key = tuple(meta.get(k, "") for k in ("fmt", "rounding", "sr_bits", "mode", "seed", "count"))
        groups.setdefault(key, []).append(str(path))
    return list(groups.values())


# The Verilator model compiles at OPT_FAST=-O0 (POSIT_VL_OPT): the lanes are few, so the simulation
# time is cocotb's, not the model's (simulate.run_cocotb's model_opt).
VL_OPT = os.environ.get("POSIT_VL_OPT", "-O0")


def _matrix() -> list[tuple[str, str]]:
    """(sim, fmt) pairs: DEFAULT_FORMATS on both simulators; POSIT_FORMATS=all adds posit16 (both
    simulators, ~25 s each: left out of `make test`'s 4-minute budget), POSIT_FORMATS=a,b a list."""
    choice = os.environ.get("POSIT_FORMATS", "").strip()
    if choice == "all":
        fmts = list(FORMATS)
    elif choice:
        fmts = [f.strip() for f in choice.split(",") if f.strip()]
    else:
        fmts = list(DEFAULT_FORMATS)
    return [(sim, fmt) for sim in SIMS for fmt in fmts]


@pytest.mark.parametrize(("sim", "fmt"), _matrix(), ids=[f"{s}-{f}" for s, f in _matrix()])
def test_posit(sim: str, fmt: str) -> None:
    f = posits.as_posit(fmt)
    binary, traces = _requests(fmt, sim)
    files = golden_files(fmt) + [_materialize(r) for r in binary]
    trace_files = [_materialize(r) for r in traces]
    fast = sim == "verilator"
    trace_files.append(custom_trace(fmt, "long", max(int((8000 if fast else 3000) * _scale()), 1), seed=8))
    trace_files.append(custom_trace(fmt, "overflow", max(int((3000 if fast else 1000) * _scale()), 1), seed=9))
    lanes = int(os.environ.get("POSIT_LANES", DEFAULT_LANES[sim]))
    run_cocotb(
        sim,
        unit="posit",
        variant=fmt,
        toplevel="posit_lanes",
        sources=[*SOURCES, HERE / "hdl" / "posit_lanes.v"],
        parameters={"LANES": lanes, "N": f.n, "ES": f.es, "SR_BITS": SR_BITS, "SMALL_CARRY": SMALL_CARRY,
                    "Q_STEPS": Q_STEPS},
        test_module="test_posit",
        extra_env={
            "POSIT_FMT": fmt,
            "POSIT_GROUPS": json.dumps(binary_groups(files)),
            "POSIT_TRACES": json.dumps([str(p) for p in trace_files]),
            "POSIT_LANES": str(lanes),
            "POSIT_SR_BITS": str(SR_BITS),
            "POSIT_SMALL_CARRY": str(SMALL_CARRY),
            "POSIT_Q_STEPS": str(Q_STEPS),
            "POSIT_SCALE": str(_scale()),
        },
        model_opt=VL_OPT,
    )
