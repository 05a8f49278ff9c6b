"""FpMac (single-level MAC) against the exact-rational oracle of test_units_oracle, cycle by cycle.

Traces of accumulations (clear with the first product, clear-only cycles, bubbles), their operands
from the unit vector generator's structured rows (zero sums, cancellation, swamping, overflow,
specials, tiny products) and random rows. Checked: acc and flags after every cycle, for fused and
cascaded steps, exact and limited alignment (truncated or sticky), every rounding mode (stochastic
ones from the LFSR, which the oracle re-implements bit by bit), and the overflow policies.
"""

from __future__ import annotations

import numpy as np
import oracle as O
import pytest
import test_units_oracle as U
from diffutil import seed_of

from refmodel import ops
from refmodel.formats import parse_format
from refmodel.units import FpMac, Lfsr, MacConfig
from refmodel.units.vectors import UnitRequest, edge_rows, mac_vectors, random_rows

DETERMINISTIC = ("rne", "rtz", "rdn", "rup", "rna", "rod")
PAIRS = [("e5m2", "e6m9"), ("e4m3fn", "fp16"), ("e4m3fn", "bf16"), ("e5m2", "fp32"), ("e4m3fnuz", "e5m2fnuz"),
         ("binary8p4se", "e6m9"), ("e2m1fn", "e4m3fn")]


def trace_inputs(fmt: str, acc: str, seed: int, length: int = 12, n_random: int = 16):
    """Cycle columns (clear, valid, a, b): each row an accumulation started by clear; every fifth
    starts with a clear-only cycle, one cycle in eight is a bubble with stray operands."""
    f, g = parse_format(fmt), parse_format(acc)
    ea, eb = (r[::2] for r in edge_rows(f, g, seed, length))  # half the rows of every pattern
    ra, rb = random_rows(f, seed, n_random, length)
    rows_a, rows_b = np.concatenate([ea, ra]), np.concatenate([eb, rb])
    rng = np.random.default_rng(seed)
    clear, valid, a, b = [], [], [], []
    for i, (ra_, rb_) in enumerate(zip(rows_a, rows_b)):
        if i % 5 == 4:
            clear.append(True), valid.append(False), a.append(ra_[0]), b.append(rb_[0])
        for k in range(length):
            if rng.random() < 0.125:
                clear.append(False), valid.append(False), a.append(rb_[k]), b.append(ra_[k])
            clear.append(k == 0 and i % 5 != 4), valid.append(True), a.append(ra_[k]), b.append(rb_[k])
    return np.array(clear), np.array(valid), np.array(a, np.int64), np.array(b, np.int64)


def check_trace(m: U.Mac, inputs, prng: Lfsr | None = None):
    clear, valid, a, b = inputs
    mac = FpMac(m.in_fmt, m.acc_fmt, prng=prng, **m.options())
    got = mac.run(a, b, clear=clear, valid=valid)
    exp_acc, exp_flags = U.mac_trace(m, clear, valid, a, b)
    bad = np.flatnonzero((got.acc != exp_acc) | (got.flags != exp_flags))
    if bad.size:
        i = bad[0]
        start = max(0, i - 4)
        ctx = "\n".join(f"  cycle {j}: clear={int(clear[j])} valid={int(valid[j])} a={a[j]:#04x} b={b[j]:#04x} "
                        f"-> expected acc={exp_acc[j]:#06x} ({O.decode_float(m.acc_fmt, exp_acc[j])}) "
                        f"flags={exp_flags[j]:#04x}, got acc={int(got.acc[j]):#06x} "
                        f"({O.decode_float(m.acc_fmt, int(got.acc[j]))}) flags={int(got.flags[j]):#04x}"
                        for j in range(start, i + 1))
        raise AssertionError(f"{m}: {bad.size} of {len(a)} cycles differ; first at {i}:\n{ctx}")
    return got


def lfsr_pair(seed: int, width: int = 32):
    """The model's LFSR and the oracle's bit-serial one, same seed."""
    return Lfsr(width, seed=seed), U.BitLfsr(width, U.XAPP052_TAPS[width], seed)


@pytest.mark.parametrize("rounding", DETERMINISTIC)
@pytest.mark.parametrize("fmt, acc", PAIRS)
def test_fused_deterministic(fmt, acc, rounding):
    check_trace(U.Mac(fmt, acc, rounding), trace_inputs(fmt, acc, seed_of(fmt, acc, rounding)))


@pytest.mark.parametrize("overflow", ["sat", "sat_propagate"])
@pytest.mark.parametrize("fmt, acc", [("e5m2", "e6m9"), ("e4m3fn", "e4m3fn"), ("e4m3fnuz", "e5m2fnuz")])
def test_overflow_policies(fmt, acc, overflow):
    for rounding in ("rne", "rtz", "rup"):
        check_trace(U.Mac(fmt, acc, rounding, overflow), trace_inputs(fmt, acc, seed_of(fmt, acc, overflow)))


@pytest.mark.parametrize("rounding, sr_bits", [("sr", 8), ("sr", 1), ("sr", 23), ("sr_b", 4), ("sr_c", 6)])
@pytest.mark.parametrize("fmt, acc", [("e5m2", "e6m9"), ("e4m3fn", "fp16"), ("e4m3fn", "e4m3fn")])
def test_fused_stochastic_from_the_lfsr(fmt, acc, rounding, sr_bits):
    seed = seed_of(fmt, acc, rounding, sr_bits) & 0xFFFFFFFF or 1
    prng, ref = lfsr_pair(seed)
    inputs = trace_inputs(fmt, acc, seed)
    got = check_trace(U.Mac(fmt, acc, rounding, sr_bits=sr_bits, lfsr=ref), inputs, prng)
    assert prng.state == ref.state == got.lfsr[-1]  # one step per valid cycle, none in bubbles
    valid = inputs[1]
    assert (got.r[valid] == got.lfsr[valid] & ((1 << sr_bits) - 1)).all() and (got.r[~valid] == 0).all()


CASCADES = [("e5m2", "e5m2", "e6m9"), ("e4m3fn", "fp16", "bf16"), ("e4m3fn", "e4m3fn", "fp16"),
            ("e5m2", "e4m3fn", "e6m9")]


@pytest.mark.parametrize("rounding", ["rne", "rtz", "rup", "rod", "sr"])
@pytest.mark.parametrize("fmt, prod, acc", CASCADES)
def test_cascaded(fmt, prod, acc, rounding):
    seed = seed_of(fmt, prod, acc, rounding) & 0xFFFFFFFF or 1
    prng, ref = lfsr_pair(seed)
    inputs = trace_inputs(fmt, acc, seed)
    got = check_trace(U.Mac(fmt, acc, rounding, product_fmt=prod, lfsr=ref), inputs, prng)
    if rounding == "sr":  # two steps per valid cycle: the product's R, then the accumulate's
        again = U.BitLfsr(32, U.XAPP052_TAPS[32], seed)
        for v, rp, r, state in zip(inputs[1], got.r_prod, got.r, got.lfsr):
            if v:
                assert (rp, r) == (again.draw(8), again.draw(8)) and state == again.state


ALIGN = [("e5m2", "e6m9", None, w) for w in (9, 10, 12, 16)] + [("e4m3fn", "fp16", None, w) for w in (10, 11, 14)] + [
    ("e4m3fn", "e6m9", "fp16", 10), ("e5m2", "fp32", None, 23), ("e5m2", "fp32", None, 26)]


@pytest.mark.parametrize("rounding", ["rne", "rtz", "rdn", "rup", "sr"])
@pytest.mark.parametrize("sticky", [False, True], ids=["truncate", "sticky"])
@pytest.mark.parametrize("fmt, acc, prod, width", ALIGN)
def test_alignment_width(fmt, acc, prod, width, sticky, rounding):
    seed = seed_of(fmt, acc, prod, width, sticky, rounding) & 0xFFFFFFFF or 1
    prng, ref = lfsr_pair(seed)
    m = U.Mac(fmt, acc, rounding, product_fmt=prod, align_width=width, sticky=sticky, lfsr=ref)
    check_trace(m, trace_inputs(fmt, acc, seed, n_random=24), prng)


def test_alignment_width_matters_and_a_wide_window_is_exact():
    """A narrow truncating window loses what a fused exact MAC keeps; W = 58 loses nothing."""
    clear, valid, a, b = trace_inputs("e5m2", "e6m9", 5, n_random=64)
    exact = FpMac("e5m2", "e6m9").run(a, b, clear=clear, valid=valid).acc
    wide = FpMac("e5m2", "e6m9", align_width=58, sticky=True).run(a, b, clear=clear, valid=valid).acc
    narrow = FpMac("e5m2", "e6m9", align_width=9).run(a, b, clear=clear, valid=valid).acc
    assert (wide == exact).all()
    assert (narrow != exact).sum() > 10


# Bits the rounding inspects below the result's last place: the guard bit for nearest, none for the
# directed modes and rod (the sticky bit says "inexact"), N for StochasticA, N + 1 for B and C.
INSPECTED = {"rne": 1, "rna": 1, "rtz": 0, "rdn": 0, "rup": 0, "rod": 0}


@pytest.mark.parametrize("fmt, acc, prod", [("e5m2", "e6m9", None), ("e4m3fn", "bf16", None),
                                            ("e4m3fn", "fp16", "e5m2"), ("e5m2", "fp16", None)])
def test_a_sticky_window_of_p_plus_inspected_bits_gives_the_exact_result(fmt, acc, prod):
    """docs/units.md: with sticky, W >= max(S, P + g) (S the widest operand significand, P the
    accumulator's precision, g the bits the mode inspects below the last place) is as good as an exact
    adder: a cut operand has its leading bit two or more places below the other's, so the sum keeps
    its exponent within one, and every bit the rounding looks at lies inside the window."""
    clear, valid, a, b = trace_inputs(fmt, acc, 17, n_random=64)
    cfg = MacConfig.make(fmt, acc, product_fmt=prod)
    widest, p = cfg.min_align_width + 1, cfg.acc_fmt.precision
    for rounding, n in [(m, 8) for m in INSPECTED] + [("sr", 4), ("sr", 9), ("sr_b", 3), ("sr_c", 5)]:
        g = INSPECTED.get(rounding, n + (rounding != "sr"))
        opts = {"rounding": rounding, "sr_bits": n, "product_fmt": prod}
        prng = (lambda: Lfsr(seed=8)) if rounding.startswith("sr") else (lambda: None)
        exact = FpMac(fmt, acc, prng=prng(), **opts).run(a, b, clear=clear, valid=valid)
        narrow = FpMac(fmt, acc, prng=prng(), align_width=max(widest, p + g), sticky=True, **opts).run(
            a, b, clear=clear, valid=valid)
        assert (exact.acc == narrow.acc).all() and (exact.flags == narrow.flags).all(), rounding


def test_cycle_by_cycle_equals_the_batch_run():
    clear, valid, a, b = trace_inputs("e4m3fn", "fp16", 11)
    opts = {"rounding": "sr", "sr_bits": 5, "product_fmt": "bf16", "align_width": 15, "sticky": True}
    batch = FpMac("e4m3fn", "fp16", prng=Lfsr(seed=99), **opts).run(a, b, clear=clear, valid=valid)
    mac = FpMac("e4m3fn", "fp16", prng=Lfsr(seed=99), **opts)
    got = [mac.cycle(x, y, clear=c, valid=v) for c, v, x, y in zip(clear, valid, a, b)]
    assert [g[0] for g in got] == batch.acc.tolist() and [g[1] for g in got] == batch.flags.tolist()
    assert mac.prng.state == batch.lfsr[-1]


def test_r_ports_drive_the_roundings():
    """Without a PRNG, cycle() takes R on its ports: r_prod for the product, r for the accumulate."""
    rng = np.random.default_rng(3)
    clear, valid, a, b = trace_inputs("e5m2", "e6m9", 3)
    rs = rng.integers(0, 1 << 6, size=(len(a), 2)).tolist()
    mac = FpMac("e5m2", "e6m9", rounding="sr_c", sr_bits=6, product_fmt="e5m2")

    class Ports:  # the oracle's random source: the same R, in datapath order
        seq = [r for (rp, r), v in zip(rs, valid) if v for r in (rp, r)]

        def draw(self, n):
            return self.seq.pop(0)

    m = U.Mac("e5m2", "e6m9", "sr_c", sr_bits=6, product_fmt="e5m2", lfsr=Ports())
    got = [mac.cycle(x, y, clear=c, valid=v, r_prod=rp, r=r) for c, v, x, y, (rp, r) in zip(clear, valid, a, b, rs)]
    assert got == list(zip(*U.mac_trace(m, clear, valid, a, b)))


def test_clear_valid_semantics():
    one, two = 0x3C, 0x40  # e5m2 1.0 and 2.0; e6m9 codes 0x3E00 (1.0), 0x4100 (3.0)
    mac = FpMac("e5m2", "e6m9")
    assert mac.cycle(one, one, clear=True) == (0x3E00, 0)  # clear with valid: +0 + a*b
    assert mac.cycle(one, two) == (0x4100, 0)
    assert mac.cycle(0x7F, one, valid=False) == (0x4100, 0)  # a bubble holds acc and flags
    assert mac.cycle(0x7D, one) == (0x7F00, 0x10)  # a signalling NaN: canonical NaN, NV
    assert mac.cycle(one, one) == (0x7F00, 0x10)  # NaN and the flags stay
    assert mac.cycle(one, one, clear=True, valid=False) == (0, 0)  # clear alone: +0, no flags
    assert mac.cycle(0x80, one) == (0, 0)  # +0 + (-0) = +0 in rne


def test_fused_exact_mac_is_a_chain_of_fma():
    """Consistency with refmodel.ops.fma: a fused exact MAC step is fma(a, b, acc)."""
    clear, valid, a, b = trace_inputs("e4m3fn", "bf16", 21)
    valid[:] = True
    clear[:] = False
    got = FpMac("e4m3fn", "bf16", rounding="rup").run(a, b).acc
    acc = 0
    for i, (x, y) in enumerate(zip(a, b)):
        acc = int(ops.fma("e4m3fn", x, y, acc, acc_fmt="bf16", rounding="rup")[0])
        assert got[i] == acc


def test_configuration_errors():
    with pytest.raises(ValueError, match="align_width must be in 9..58"):
        MacConfig.make("e5m2", "e6m9", align_width=8)  # e6m9's 10-bit significand must fit
    with pytest.raises(ValueError, match="align_width must be in 10..58"):
        MacConfig.make("e5m2", "e6m9", product_fmt="fp16", align_width=9)
    with pytest.raises(ValueError, match="sticky"):
        MacConfig.make("e5m2", "e6m9", sticky=True)
    with pytest.raises(ValueError, match="no zero"):
        MacConfig.make("e5m2", "e8m0fnu")
    with pytest.raises(ValueError, match="prng"):
        FpMac("e5m2", "e6m9", rounding="sr").run([1], [2])
    with pytest.raises(ValueError, match="sr_bits"):
        FpMac("e5m2", "e6m9", rounding="sr", sr_bits=9, prng=Lfsr(8))
    with pytest.raises(ValueError, match="r must be"):
        FpMac("e5m2", "e6m9", rounding="sr", sr_bits=4).cycle(1, 2, r=16)


@pytest.mark.parametrize("mode", ["edge", "random"])
def test_mac_vectors_replay(mode):
    """The generator's trace, replayed on the oracle from the seed in its metadata: each valid cycle
    steps the LFSR for r_prod, then r; lfsr is the state after the cycle."""
    req = UnitRequest("mac", "e4m3fn", "fp16", product_fmt="bf16", rounding="sr", sr_bits=6, lfsr_seed=31,
                      mode=mode, count=600)
    vs = mac_vectors(req)
    assert [name for name, _ in vs.fields] == ["clear", "valid", "a", "b", "r_prod", "r", "lfsr", "acc", "flags"]
    col = {k: v.astype(np.int64) for k, v in vs.columns.items()}
    ref = U.BitLfsr(32, U.XAPP052_TAPS[32], int(vs.meta["lfsr_seed"]))
    m = U.Mac("e4m3fn", "fp16", "sr", sr_bits=6, product_fmt="bf16", lfsr=ref)
    clear, valid = col["clear"].astype(bool), col["valid"].astype(bool)
    assert clear.any() and (~valid).any() and (clear & ~valid).any()  # clears, bubbles, clear-only cycles
    acc, flags = U.mac_trace(m, clear, valid, col["a"], col["b"])
    assert col["acc"].tolist() == acc and col["flags"].tolist() == flags
    assert col["lfsr"][-1] == ref.state
    assert (col["r"][valid] == col["lfsr"][valid] & 63).all()
