"""cocotb testbench for the Flexpoint datapaths (rtl/flex/): flex_mac, flex_requant, flex_maxabs.

The DUT is the testbench top hdl/flex_tb.v: 3 x LANES flex_mac lanes in three accumulator groups
(0: the exact 64-bit accumulator; 1: NARROW_W bits, wrapping; 2: NARROW_W bits, saturating) and
RQ_LANES flex_requant lanes. One bus write per clock cycle drives every MAC lane; the requantizer lanes
are combinational (one write, 1 ns, one read per RQ_LANES vectors).

Tests:
  test_requant_sweep     every shift of the format's range (both (eacc, ez) extremes), accumulators
                         around every rounding boundary (ties of both parities and their neighbours)
                         and every saturation edge, the accumulator's extremes and random values, in
                         rne and sr (R = 0, 2^N - 1, random); every R for a set of fractions at small and
                         SR_BITS-sized shifts. Golden: refmodel.flex.quantize.requantize_array.
  test_vectors_golden    the flex_dot golden vector files (golden_vectors/flex_dot), each in the group of
  test_vectors_generated its accumulator, and the sets the runner generated into the build directory:
                         every vector is one MAC run driven back to back as FlexMac is (clear and the
                         first product with the previous vector's requantization, stat_clear_i with the
                         vectors whose index is a multiple of stat_group), z, overflow, maxabs compared.
  test_sequences         random control streams per lane (clear, acc_en, requant, stat_clear, rounding
                         mode, R, operands; long accumulations in some lanes; global resets), every
                         output of every lane compared with refmodel.flex.mac.FlexMac.cycle each cycle.

The clock is cocotb's GPI clock; MAC inputs are written at falling edges with Immediate writes (no
ReadWrite round trip per cycle: about 20% faster on Icarus) and outputs read at falling edges, after
the rising edge they come from.

A failure logs each mismatch decoded field by field (mantissas as signed integers, exponent fields with
their exponents and the shift, R, the accumulator, expected and actual z / overflow / maxabs) and the
test stops after FLEX_MAX_MISMATCHES of them.

Configuration (environment, set by test_flex_runner.py):
  FLEX_FMT            format (flex16+5)            FLEX_SR_BITS        SR_BITS of the DUT
  FLEX_NARROW_W       NARROW_W of the DUT          FLEX_LANES, FLEX_RQ_LANES   lanes of the DUT
  FLEX_GOLDEN         golden .txt files (os.pathsep-separated)
  FLEX_GENERATED      generated .txt files (os.pathsep-separated)
  FLEX_SEQ_CYCLES     cycles of test_sequences (default 3000; the runner: Icarus 2000, Verilator 6000)
  FLEX_SEED           seed of the random stimulus of test_requant_sweep and test_sequences (default 1)
  FLEX_MAX_MISMATCHES mismatches after which a test stops (default 10)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.handle import Immediate
from cocotb.triggers import FallingEdge, Timer
from flex_sets import describe_flex_dot

from refmodel.encodings import RNE, SR
from refmodel.flex.mac import FlexMac
from refmodel.flex.quantize import requantize_array
from refmodel.flex.tensor import as_flex
from refmodel.vectors.io import VectorSet, read_header, read_vectors

FMT = as_flex(os.environ.get("FLEX_FMT", "flex16+5"))
N, E = FMT.mant_bits, FMT.exp_bits
SR_BITS = int(os.environ.get("FLEX_SR_BITS", "8"))
NARROW_W = int(os.environ.get("FLEX_NARROW_W", "24"))
LANES = int(os.environ.get("FLEX_LANES", "8"))
RQ_LANES = int(os.environ.get("FLEX_RQ_LANES", "16"))
GOLDEN = [p for p in os.environ.get("FLEX_GOLDEN", "").split(os.pathsep) if p]
GENERATED = [p for p in os.environ.get("FLEX_GENERATED", "").split(os.pathsep) if p]
SEQ_CYCLES = int(os.environ.get("FLEX_SEQ_CYCLES", "3000"))
SEED = int(os.environ.get("FLEX_SEED", "1"))
MAX_MISMATCHES = int(os.environ.get("FLEX_MAX_MISMATCHES", "10"))

EXACT_W = 64
# (acc_bits, acc_overflow) of the three MAC groups of hdl/flex_tb.v
GROUPS = ((None, "wrap"), (NARROW_W, "wrap"), (NARROW_W, "sat"))
MAC_LANES = 3 * LANES
RND_CODE = {"rne": RNE, "sr": SR}
MASK_N = (1 << N) - 1

# Field offsets of a MAC lane's 64-bit input word and output word (hdl/flex_tb.v)
O_B, O_EA = N, 2 * N
O_EB, O_EZ = O_EA + E, O_EA + 2 * E
O_R = O_EA + 3 * E
O_RND = O_R + SR_BITS
O_CLEAR, O_ACC_EN, O_REQUANT, O_STAT_CLEAR = (O_RND + 3 + i for i in range(4))
assert O_STAT_CLEAR < 64, "flex_tb packs a MAC lane's inputs into 64 bits"
# requantizer lane: acc in the low 64 bits, then these offsets from bit 64
RQ_EZ = E + 1
RQ_RND = RQ_EZ + E
RQ_R = RQ_RND + 3


def group_name(g: int) -> str:
    bits, ovf = GROUPS[g]
    return "exact 64-bit accumulator" if bits is None else f"{bits}-bit {ovf} accumulator"


def signed(code: int, bits: int) -> int:
    code = int(code) & ((1 << bits) - 1)
    return code - ((code >> (bits - 1)) << bits)


def to_words(lane_words: np.ndarray) -> list[int]:
    """(T, lanes) or (T, lanes, k) uint64 -> T bus integers (lane 0 in the low bits)."""
    rows = np.ascontiguousarray(lane_words.astype("<u8")).reshape(len(lane_words), -1)
    return [int.from_bytes(row.tobytes(), "little") for row in rows]


def from_words(words: list[int], lanes: int, stride_bytes: int = 8) -> np.ndarray:
    """T bus integers -> (T, lanes) uint64 lane words (stride 8 bytes) or uint32 (stride 4)."""
    dt = "<u8" if stride_bytes == 8 else "<u4"
    buf = b"".join(w.to_bytes(lanes * stride_bytes, "little") for w in words)
    return np.frombuffer(buf, dt).reshape(len(words), lanes).astype(np.uint64)


def unpack_mac(out: np.ndarray) -> dict[str, np.ndarray]:
    m = np.uint64(MASK_N)
    return {"z": out & m, "maxabs": (out >> np.uint64(N)) & m, "ovf": (out >> np.uint64(2 * N)) & np.uint64(1),
            "valid": (out >> np.uint64(2 * N + 1)) & np.uint64(1)}


class TB:
    """Drives hdl/flex_tb.v."""

    def __init__(self, dut):
        self.dut = dut
        self.log = dut._log

    async def start(self) -> None:
        dut = self.dut
        dut.mac_in_i.value = 0
        dut.rq_in_i.value = 0
        dut.rst_ni.value = 0
        # the GPI (C) clock: about twice as fast as the Python one; inputs change at falling edges only
        Clock(dut.clk_i, 10, unit="ns", impl="gpi").start()
        for _ in range(2):
            await FallingEdge(dut.clk_i)
        dut.rst_ni.value = 1

    def read_mac(self) -> int:
        return self.dut.mac_out_o.value.to_unsigned()


# ----------------------------------------------------------------------------------------------
# The requantizer sweep
# ----------------------------------------------------------------------------------------------
def _exp_pair(s: int, variant: int) -> tuple[int, int]:
    """(eacc, ez) fields with eacc - ez = s: variant 0 the smallest ez, 1 the largest."""
    top = (1 << E) - 1
    ez = max(0, -s) if variant == 0 else min(top, 2 * top - s)
    return s + ez, ez


def requant_cases(seed: int) -> dict[str, np.ndarray]:
    """The sweep's stimulus: acc (int64), eacc, ez, rnd, r."""
    rng = np.random.default_rng(seed)
    top = (1 << E) - 1
    lo, hi = FMT.mant_min, FMT.mant_max
    amin, amax = -(1 << (EXACT_W - 1)), (1 << (EXACT_W - 1)) - 1
    rmax = (1 << SR_BITS) - 1
    rows: list[tuple[int, int, int, int, int]] = []  # acc, eacc, ez, rnd, r

    def add(acc: int, s: int, variant: int, all_r: bool = False) -> None:
        if not amin <= acc <= amax:
            return
        eacc, ez = _exp_pair(s, variant)
        rows.append((acc, eacc, ez, RNE, 0))
        rs = range(rmax + 1) if all_r else (0, rmax, int(rng.integers(0, rmax + 1)))
        rows.extend((acc, eacc, ez, SR, r) for r in rs)

    extremes = [amin, amin + 1, amax, amax - 1, 0, 1, -1]
    case = 0
    for s in range(-top, 2 * top + 1):
        accs: list[int] = list(extremes)
        if s <= 0:
            k = -s
            accs += [hi >> k, (hi >> k) + 1, (hi >> k) - 1, -((-lo) >> k), -((-lo) >> k) - 1,
                     -((-lo) >> k) + 1, 1 << N, -(1 << N)]
        else:
            half = 1 << (s - 1)
            kept = [0, 1, 2, 3, -1, -2, -3, -4, hi - 1, hi, hi + 1, lo, lo + 1, lo - 1, 1 << N, -(1 << N) - 1]
            fracs = sorted(fr for fr in {0, 1, half - 1, half, half + 1, (1 << s) - 1} if 0 <= fr < 1 << s)
            accs += [(q << s) + fr for q in kept for fr in fracs]
        width = rng.integers(1, EXACT_W, 8)
        accs += [int(rng.integers(-(1 << (w - 1)), 1 << (w - 1))) for w in width]
        for acc in accs:
            add(acc, s, case % 2)
            case += 1
    # every R at shifts 1, 3, SR_BITS and SR_BITS + 3, for a set of fractions of both signs of q
    for s in sorted(x for x in {1, 3, SR_BITS, SR_BITS + 3} if x <= 2 * top):
        half = 1 << (s - 1)
        fracs = sorted({0, 1, half - 1, half, half + 1, (1 << s) - 1, int(rng.integers(0, 1 << s))})
        for q in (0, -1, hi, lo):
            for fr in fracs:
                add((q << s) + fr, s, case % 2, all_r=True)
                case += 1
    a = np.array(rows, dtype=object)
    return {"acc": a[:, 0].astype(np.int64), "eacc": a[:, 1].astype(np.int64), "ez": a[:, 2].astype(np.int64),
            "rnd": a[:, 3].astype(np.int64), "r": a[:, 4].astype(np.int64)}


def requant_expected(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    shifts = c["eacc"] - c["ez"]
    z = np.empty(len(shifts), np.int64)
    ovf = np.empty(len(shifts), np.bool_)
    for mode in (RNE, SR):
        sel = c["rnd"] == mode
        zz, oo = requantize_array(np.ascontiguousarray(c["acc"][sel]), np.ascontiguousarray(shifts[sel]),
                                  FMT.mant_min, FMT.mant_max, mode, np.ascontiguousarray(c["r"][sel]), SR_BITS)
        z[sel], ovf[sel] = zz, oo
    return z & MASK_N, ovf


@cocotb.test
async def test_requant_sweep(dut) -> None:
    """flex_requant over every shift, the rounding and saturation edges, both modes."""
    tb = TB(dut)
    c = requant_cases(SEED)
    n = len(c["acc"])
    z_exp, ovf_exp = requant_expected(c)
    pad = (-n) % RQ_LANES
    col = {k: np.concatenate([v, np.zeros(pad, np.int64)]) for k, v in c.items()}
    hi_word = (col["eacc"] | (col["ez"] << RQ_EZ) | (col["rnd"] << RQ_RND) | (col["r"] << RQ_R)).astype(np.uint64)
    lanes = np.stack([col["acc"].astype(np.uint64), hi_word], axis=1).reshape(-1, RQ_LANES, 2)
    words = to_words(lanes)
    t0 = time.perf_counter()
    got: list[int] = []
    bad: list[int] = []
    for t, w in enumerate(words):
        dut.rq_in_i.value = w  # a scheduled write: an Immediate one at time 0 is lost on Icarus
        await Timer(1, unit="ns")
        got.append(dut.rq_out_o.value.to_unsigned())
        if (t + 1) % 256 == 0 or t == len(words) - 1:
            out = from_words(got[len(got) - ((t % 256) + 1):], RQ_LANES, 4).ravel()
            base = (len(got) - ((t % 256) + 1)) * RQ_LANES
            hi = min(base + len(out), n)
            zz = out[: hi - base] & np.uint64(MASK_N)
            oo = (out[: hi - base] >> np.uint64(N)) & np.uint64(1)
            diff = np.nonzero((zz != z_exp[base:hi].astype(np.uint64)) | (oo != ovf_exp[base:hi]))[0]
            for i in diff[: MAX_MISMATCHES - len(bad)]:
                j = base + int(i)
                bad.append(j)
                s = int(c["eacc"][j] - c["ez"][j])
                mode = "sr" if c["rnd"][j] == SR else "rne"
                tb.log.error(
                    "requantizer mismatch at case %d:\n    acc      %d (%#018x, 64-bit two's complement)\n"
                    "    eacc     %d (dec_a + dec_b: exp %d)  ez %d (exp %d)  shift s = eacc - ez = %d\n"
                    "    rounding %s  R %#x (%d bits)\n    expected z %#06x (%d)  overflow %d\n"
                    "    actual   z %#06x (%d)  overflow %d",
                    j, int(c["acc"][j]), int(c["acc"][j]) & (2**64 - 1), int(c["eacc"][j]), -int(c["eacc"][j]),
                    int(c["ez"][j]), -int(c["ez"][j]), s, mode, int(c["r"][j]), SR_BITS,
                    int(z_exp[j]), signed(z_exp[j], N), int(ovf_exp[j]), int(zz[i]), signed(zz[i], N), int(oo[i]))
            if len(bad) >= MAX_MISMATCHES:
                break
    el = time.perf_counter() - t0
    done = min(len(got) * RQ_LANES, n)
    tb.log.info("requantizer: %d cases (%d shifts, rne and sr) in %.2f s, %.0f cases/s", done,
                3 * ((1 << E) - 1) + 1, el, done / el)
    stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
    assert not bad, f"requantizer: {len(bad)} mismatching cases of {done}{stopped}"


# ----------------------------------------------------------------------------------------------
# Vector replay: flex_dot files, every MAC lane running its share back to back
# ----------------------------------------------------------------------------------------------
@dataclass
class Source:
    path: str
    vs: VectorSet
    group: int
    length: int
    rounding: str
    file_bits: int  # the file's sr_bits (0 for rne)
    stat_group: int


def load_set(path: str) -> VectorSet:
    """A flex_dot set: golden files (and any without an .npz beside them) through read_vectors; the
    large sets the runner generated from the STEM.npz that write_vectors wrote with them (read_vectors
    parses about 12k vectors/s, the npz loads at once), the header from STEM.txt."""
    p = Path(path)
    npz = p.with_name(p.stem + ".npz")
    if path not in GENERATED or not npz.exists():
        return read_vectors(p)
    meta, fields = read_header(p)
    with np.load(npz) as z:
        cols = {name: z[name].astype(np.uint64) for name, _ in fields}
    with open(p, encoding="ascii") as fh:
        first = 1 + sum(1 for _ in iter(lambda: fh.readline().startswith("#"), False))
    vs = VectorSet(meta, fields, cols, first)
    assert vs.count == int(meta["count"]), f"{npz}: {vs.count} vectors, the header says {meta['count']}"
    return vs


def load_source(path: str) -> Source:
    vs = load_set(path)
    m = vs.meta
    assert m.get("op") == "flex_dot", f"{path}: op {m.get('op')!r} is not flex_dot"
    assert m.get("fmt") == FMT.name, f"{path}: format {m.get('fmt')!r}, the DUT is built for {FMT.name}"
    rounding = m.get("rounding", "rne")
    assert rounding in RND_CODE, f"{path}: rounding {rounding!r} is not rne or sr"
    bits = None if m.get("acc_bits", "exact") == "exact" else int(m["acc_bits"])
    key = (bits, m.get("acc_overflow", "wrap") if bits is not None else "wrap")
    assert key in GROUPS, f"{path}: accumulator {key} is none of the DUT's groups {GROUPS}"
    file_bits = int(m.get("sr_bits", 0)) if rounding == "sr" else 0
    assert file_bits <= SR_BITS, f"{path}: {file_bits} random bits, the DUT has SR_BITS = {SR_BITS}"
    return Source(path, vs, GROUPS.index(key), int(m["length"]), rounding, file_bits,
                  int(m.get("stat_group", "8")))


def _group_columns(sources: list[tuple[int, Source]], length: int) -> dict[str, np.ndarray]:
    """The group's files (with their indices in the run) concatenated: one row per vector."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("a", "b", "ea", "eb", "ez", "r", "rnd", "sclr", "z",
                                                           "ovf", "maxabs", "src", "idx")}
    for si, s in sources:
        cols, n = s.vs.columns, s.vs.count
        parts["a"].append(np.stack([cols[f"a{i}"] for i in range(length)], axis=1))
        parts["b"].append(np.stack([cols[f"b{i}"] for i in range(length)], axis=1))
        for k in ("ea", "eb", "ez", "z", "maxabs"):
            parts[k].append(cols[k])
        parts["ovf"].append(cols["overflow"])
        r = cols["r"] << np.uint64(SR_BITS - s.file_bits) if "r" in cols else np.zeros(n, np.uint64)
        parts["r"].append(r)
        parts["rnd"].append(np.full(n, RND_CODE[s.rounding], np.uint64))
        parts["sclr"].append((np.arange(n) % s.stat_group == 0).astype(np.uint64))
        parts["src"].append(np.full(n, si, np.int64))
        parts["idx"].append(np.arange(n, dtype=np.int64))
    if not sources:
        return {k: np.zeros((0, length) if k in ("a", "b") else 0, np.uint64) for k in parts}
    return {k: np.concatenate(v) for k, v in parts.items()}


def _split_points(sclr: np.ndarray, lanes: int) -> list[tuple[int, int]]:
    """Cut a group's stream into `lanes` contiguous segments, each starting where the statistic is
    cleared (so each lane sees whole stat groups, as the file's maxabs column assumes)."""
    n = len(sclr)
    target = -(-n // lanes) if n else 0
    starts = [0]
    clear_at = np.nonzero(sclr)[0]
    while len(starts) < lanes and n:
        want = starts[-1] + target
        k = np.searchsorted(clear_at, want)
        if k >= len(clear_at) or want >= n:
            break
        starts.append(int(clear_at[k]))
    starts = sorted(set(starts))
    bounds = [(s, e) for s, e in zip(starts, starts[1:] + [n])]
    return bounds + [(n, n)] * (lanes - len(bounds))


def describe_vector(src: Source, idx: int, lane: int, exp: dict, got: dict) -> str:
    return describe_flex_dot(src.vs, src.path, idx, f"MAC lane {lane} ({group_name(src.group)})", SR_BITS, exp, got)


async def replay(dut, paths: list[str]) -> None:
    tb = TB(dut)
    assert paths, "no flex_dot vector files were given"
    sources = [load_source(p) for p in paths]
    length = sources[0].length
    assert all(s.length == length for s in sources), "all files of one run must have one vector length"
    L = length
    lane_cols = []  # per MAC lane: dict of columns (its share of its group's stream)
    for g in range(3):
        mine = [(i, s) for i, s in enumerate(sources) if s.group == g]
        cols = _group_columns(mine, L)
        for lo, hi in _split_points(cols["sclr"], LANES):
            lane_cols.append({k: v[lo:hi] for k, v in cols.items()})
    vmax = max(len(c["z"]) for c in lane_cols)
    ncyc = vmax * L + 1  # the last cycle requantizes the last vector

    # Input words: cycle c = v L + i applies a[v, i], b[v, i] (clear with i = 0) and, when i = 0 and
    # v > 0, requantizes vector v - 1 (with its exponents, R, mode and stat_clear).
    u = np.uint64
    words = np.zeros((ncyc, MAC_LANES), np.uint64)
    for j, c in enumerate(lane_cols):
        n = len(c["z"])
        if n == 0:
            continue
        cyc = np.arange(n * L)
        words[: n * L, j] = (c["a"].ravel() | (c["b"].ravel() << u(O_B)) | u(1 << O_ACC_EN)
                             | ((cyc % L == 0).astype(np.uint64) << u(O_CLEAR)))
        at = np.arange(1, n + 1) * L  # requantization cycles
        words[at, j] |= (c["ea"] << u(O_EA) | c["eb"] << u(O_EB) | c["ez"] << u(O_EZ) | c["r"] << u(O_R)
                         | c["rnd"] << u(O_RND) | u(1 << O_REQUANT) | c["sclr"] << u(O_STAT_CLEAR))
    bus = to_words(words)

    await tb.start()
    reads: list[int] = []
    bad: list[tuple[int, int]] = []  # (lane, vector)
    checked = [0]
    exp_all = {k: np.zeros((vmax, MAC_LANES), np.uint64) for k in ("z", "ovf", "maxabs")}
    live = np.zeros((vmax, MAC_LANES), bool)
    for j, c in enumerate(lane_cols):
        n = len(c["z"])
        for k in exp_all:
            exp_all[k][:n, j] = c[k]
        live[:n, j] = True

    def check() -> bool:
        v0 = checked[0]
        if v0 < len(reads):
            got = unpack_mac(from_words(reads[v0:], MAC_LANES))
            sl = slice(v0, len(reads))
            wrong = live[sl] & ((got["z"] != exp_all["z"][sl]) | (got["ovf"] != exp_all["ovf"][sl])
                                | (got["maxabs"] != exp_all["maxabs"][sl]) | (got["valid"] != 1))
            for v, j in zip(*np.nonzero(wrong)):
                if len(bad) >= MAX_MISMATCHES:
                    break
                bad.append((j, v0 + v))
                c = lane_cols[j]
                src = sources[int(c["src"][v0 + v])]
                exp = {k: int(exp_all[k][v0 + v, j]) for k in exp_all}
                act = {k: int(got[k][v, j]) for k in got}
                tb.log.error("mismatch:\n%s", describe_vector(src, int(c["idx"][v0 + v]), j, exp, act))
            checked[0] = len(reads)
        return len(bad) >= MAX_MISMATCHES

    t0 = time.perf_counter()
    clk = dut.clk_i
    for cyc in range(ncyc + 1):
        await FallingEdge(clk)
        if cyc > L and (cyc - 1) % L == 0:  # after the edge that requantized vector (cyc - 1) / L - 1
            reads.append(tb.read_mac())
            if len(reads) % 128 == 0 and check():
                break
        if cyc < ncyc:
            dut.mac_in_i.value = Immediate(bus[cyc])
    check()
    el = time.perf_counter() - t0
    total = int(live[: len(reads)].sum())
    per_file = ", ".join(f"{Path(s.path).name} ({group_name(s.group)}) {s.vs.count}" for s in sources)
    tb.log.info("%d vectors on %d MAC lanes in %d cycles, %.2f s: %.0f vectors/s, %.0f cycles/s; files: %s",
                total, MAC_LANES, len(reads) * L, el, total / el, len(reads) * L / el, per_file)
    stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
    assert not bad, f"{len(bad)} mismatching vectors of {total} checked{stopped}"


@cocotb.test(skip=not GOLDEN)
async def test_vectors_golden(dut) -> None:
    """The checked-in flex_dot golden vectors, back to back on every MAC lane of their accumulator."""
    await replay(dut, GOLDEN)


@cocotb.test(skip=not GENERATED)
async def test_vectors_generated(dut) -> None:
    """flex_dot sets generated at test time (deterministic by seed) into the build directory."""
    await replay(dut, GENERATED)


# ----------------------------------------------------------------------------------------------
# Random control sequences, cycle by cycle against FlexMac.cycle
# ----------------------------------------------------------------------------------------------
def _mantissas(rng: np.random.Generator, n: int) -> np.ndarray:
    """Signed mantissas of a random width (1..N bits), one in 16 an extreme."""
    width = rng.integers(1, N + 1, n)
    raw = rng.integers(0, 1 << 62, n, dtype=np.int64)
    low = raw & ((np.int64(1) << width) - 1)
    m = low - ((low >> (width - 1)) << width)
    ext = rng.integers(0, 16, n) == 0
    m[ext] = rng.choice([FMT.mant_min, FMT.mant_max], int(ext.sum()))
    return m


def sequence_stimulus(seed: int, cycles: int) -> tuple[np.ndarray, list[int], dict[str, np.ndarray], list[dict]]:
    """Random inputs for every MAC lane and cycle, the global reset cycles, the expected outputs
    after each cycle (FlexMac.cycle per lane), and the per-cycle inputs for reports.

    Lanes with j % 4 == 0 accumulate long (clear about once in 2000 cycles: narrow registers wrap or
    saturate many times, the exact one grows), the others clear about once in 12 cycles. The output
    exponent is mostly chosen from the model's accumulator so that the result fills the mantissa
    give or take 3 bits (otherwise uniform); the rounding mode and R are random on every cycle (their
    values matter only with requant_i: the other codes are driven only there where they are ignored)."""
    rng = np.random.default_rng(seed + 1000)
    top = (1 << E) - 1
    resets = sorted(int(x) for x in rng.choice(np.arange(10, cycles - 10), 2, replace=False)) if cycles > 40 else []
    models = [FlexMac(FMT, acc_bits=GROUPS[j // LANES][0], acc_overflow=GROUPS[j // LANES][1], sr_bits=SR_BITS)
              for j in range(MAC_LANES)]
    long_lane = np.array([j % 4 == 0 for j in range(MAC_LANES)])
    p_clear = np.where(long_lane, 1 / 2000, 1 / 12)
    shape = (cycles, MAC_LANES)
    clear = rng.random(shape) < p_clear
    acc_en = rng.random(shape) < 0.9
    requant = rng.random(shape) < 0.2
    stat_clear = rng.random(shape) < 0.05
    a = _mantissas(rng, cycles * MAC_LANES).reshape(shape)
    b = _mantissas(rng, cycles * MAC_LANES).reshape(shape)
    ea = rng.integers(0, top + 1, shape)
    eb = rng.integers(0, top + 1, shape)
    ez_uniform = rng.integers(0, top + 1, shape)
    pick_uniform = rng.random(shape) < 0.25
    delta = rng.integers(-3, 4, shape)
    rnd_req = np.where(rng.random(shape) < 0.5, RNE, SR)
    rnd_any = rng.integers(0, 8, shape)
    r = rng.integers(0, 1 << SR_BITS, shape)
    ez = np.zeros(shape, np.int64)
    rnd = np.where(requant, rnd_req, rnd_any)
    exp = {k: np.zeros(shape, np.uint64) for k in ("z", "ovf", "valid", "maxabs")}
    accs = np.zeros(shape, object)  # the accumulator before each cycle (for reports)
    for c in range(cycles):
        if c in resets:
            for m in models:
                m.reset()
            for k in exp:
                exp[k][c] = 0
            continue
        for j, m in enumerate(models):
            accs[c, j] = m.acc
            if requant[c, j]:
                size = abs(m.acc).bit_length()
                s = size - (N - 1) + int(delta[c, j])
                ez[c, j] = ez_uniform[c, j] if pick_uniform[c, j] else min(max(ea[c, j] + eb[c, j] - s, 0), top)
            else:
                ez[c, j] = ez_uniform[c, j]
            o = m.cycle(clear=bool(clear[c, j]), acc_en=bool(acc_en[c, j]), a=int(a[c, j]) & MASK_N,
                        b=int(b[c, j]) & MASK_N, requant=bool(requant[c, j]), ea=int(ea[c, j]), eb=int(eb[c, j]),
                        ez=int(ez[c, j]), rnd=int(rnd[c, j]), rand=int(r[c, j]), stat_clear=bool(stat_clear[c, j]))
            exp["z"][c, j], exp["ovf"][c, j], exp["valid"][c, j], exp["maxabs"][c, j] = (
                o.z, o.overflow, o.out_valid, o.maxabs)
    u = np.uint64
    words = ((a & MASK_N).astype(u) | ((b & MASK_N).astype(u) << u(O_B)) | (ea.astype(u) << u(O_EA))
             | (eb.astype(u) << u(O_EB)) | (ez.astype(u) << u(O_EZ)) | (r.astype(u) << u(O_R))
             | (rnd.astype(u) << u(O_RND)) | (clear.astype(u) << u(O_CLEAR)) | (acc_en.astype(u) << u(O_ACC_EN))
             | (requant.astype(u) << u(O_REQUANT)) | (stat_clear.astype(u) << u(O_STAT_CLEAR)))
    inputs = {"clear": clear, "acc_en": acc_en, "a": a, "b": b, "requant": requant, "ea": ea, "eb": eb, "ez": ez,
              "rnd": rnd, "rand": r, "stat_clear": stat_clear, "acc": accs}
    return words, resets, exp, [inputs]


def describe_cycle(inputs: dict, resets: list[int], c: int, j: int, exp: dict, got: dict) -> str:
    lines = [f"cycle {c}, MAC lane {j} ({group_name(j // LANES)}), {FMT.name}, SR_BITS {SR_BITS}"]
    for cc in range(max(0, c - 3), c + 1):
        if cc in resets:
            lines.append(f"    cycle {cc}: rst_ni = 0")
            continue
        i = {k: v[cc, j] for k, v in inputs.items()}
        ctl = " ".join(k for k in ("clear", "acc_en", "requant", "stat_clear") if i[k]) or "-"
        line = (f"    cycle {cc}: acc before {i['acc']}; {ctl}; a {int(i['a'])} b {int(i['b'])}")
        if i["requant"]:
            s = int(i["ea"] + i["eb"] - i["ez"])
            mode = {RNE: "rne", SR: "sr"}.get(int(i["rnd"]), f"code {int(i['rnd'])}")
            line += (f"; ea {int(i['ea'])} eb {int(i['eb'])} ez {int(i['ez'])} (exps {-int(i['ea'])}, "
                     f"{-int(i['eb'])}, {-int(i['ez'])}; shift {s}) rnd {mode} R {int(i['rand']):#x}")
        lines.append(line)
    for name, d in (("expected after the edge", exp), ("actual   after the edge", got)):
        lines.append(f"    {name}: z {d['z']:#0{(N + 3) // 4 + 2}x} ({signed(d['z'], N)})  overflow {d['ovf']}  "
                     f"out_valid {d['valid']}  maxabs {d['maxabs']:#x} ({d['maxabs']})")
    return "\n".join(lines)


@cocotb.test
async def test_sequences(dut) -> None:
    """Random clear / acc_en / requant / stat_clear streams and resets, cycle by cycle against FlexMac."""
    tb = TB(dut)
    t0 = time.perf_counter()
    words, resets, exp, (inputs,) = sequence_stimulus(SEED, SEQ_CYCLES)
    t_model = time.perf_counter() - t0
    bus = to_words(words)
    await tb.start()
    clk = dut.clk_i
    reads: list[int] = []
    bad: list[tuple[int, int]] = []
    checked = [0]

    def check() -> bool:
        c0 = checked[0]
        if c0 < len(reads):
            got = unpack_mac(from_words(reads[c0:], MAC_LANES))
            sl = slice(c0, len(reads))
            wrong = np.zeros(got["z"].shape, bool)
            for k in exp:
                wrong |= got[k] != exp[k][sl]
            for c, j in zip(*np.nonzero(wrong)):
                if len(bad) >= MAX_MISMATCHES:
                    break
                bad.append((c0 + c, j))
                e = {k: int(exp[k][c0 + c, j]) for k in exp}
                g = {k: int(got[k][c, j]) for k in got}
                tb.log.error("mismatch:\n%s", describe_cycle(inputs, resets, int(c0 + c), int(j), e, g))
            checked[0] = len(reads)
        return len(bad) >= MAX_MISMATCHES

    t1 = time.perf_counter()
    for c in range(SEQ_CYCLES + 1):
        await FallingEdge(clk)
        if c > 0:
            reads.append(tb.read_mac())  # the outputs after the edge of cycle c - 1
            if c - 1 in resets:
                dut.rst_ni.value = 1
            if len(reads) % 256 == 0 and check():
                break
        if c < SEQ_CYCLES:
            if c in resets:
                dut.rst_ni.value = 0  # asynchronous: the outputs read at the next falling edge are 0
            dut.mac_in_i.value = Immediate(bus[c])
    check()
    el = time.perf_counter() - t1
    tb.log.info("sequences: %d cycles x %d MAC lanes (%d resets) in %.2f s (%.0f cycles/s); model %.2f s",
                len(reads), MAC_LANES, len(resets), el, len(reads) / el, t_model)
    stopped = " (stopped early)" if len(bad) >= MAX_MISMATCHES else ""
    assert not bad, f"{len(bad)} mismatching lane-cycles of {len(reads) * MAC_LANES}{stopped}"
